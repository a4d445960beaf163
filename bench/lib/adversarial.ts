// Adversarial inputs for the redactor: text anyone can type into a chat or an e-mail, shaped to
// hit every path where a detector can go super-linear (long digit runs, separators between
// digits, number words, repeated cue words, e-mail and IBAN look-alikes). Each generator repeats
// its unit up to a size, so a test or bench can ask for 1 MB of each.

export interface Adversary {
  name: string;
  /** The repeated unit (the last unit may be cut at `bytes`). */
  unit: string;
  /** Appended once at the end (e.g. the '@' that makes a regex backtrack). */
  tail?: string;
  /** Builds the text itself when repeating one unit cannot make it (distinct words). */
  build?: (bytes: number) => string;
}

/** Distinct words that all collide in a 31-based string hash ("Aa" and "BB" add the same): a
 * word cache keyed by such a hash must keep its chains short. */
function collidingWords(bytes: number): string {
  const words: string[] = [];
  let size = 0;
  for (let k = 0; size < bytes; k++) {
    let w = '';
    for (let b = 0; b < 16; b++) w += (k >> b) & 1 ? 'Aa' : 'BB';
    words.push(w);
    size += w.length + 1;
  }
  return words.join(' ');
}

export const ADVERSARIES: readonly Adversary[] = [
  // Digit and space runs
  { name: 'digit-space', unit: '1 ' },
  { name: 'card-prefix-digits', unit: '4 ' },
  { name: 'digit-groups', unit: '4111 ' },
  { name: 'long-digits', unit: '1' },
  { name: 'plus-digits', unit: '+1 ' },
  // Separators between digits
  { name: 'hyphens', unit: '1-' },
  { name: 'spaced-hyphens', unit: '1 - ' },
  { name: 'dots', unit: '1.' },
  { name: 'parens', unit: '(1) ' },
  { name: 'commas', unit: '1, ' },
  { name: 'colons', unit: '1 : ' },
  { name: 'slashes', unit: '12/' },
  { name: 'unicode-dashes', unit: '1\u2212\u2010' },
  { name: 'full-width', unit: '\uFF11 ' },
  { name: 'zero-width', unit: '1\u200B' },
  { name: 'ssn-chain', unit: '123-45-6789 ' },
  { name: 'fillers', unit: '1 uh ' },
  // Number words
  { name: 'one', unit: 'one ' },
  { name: 'oh', unit: 'oh ' },
  { name: 'oh-digit', unit: 'oh 1 ' },
  { name: 'un', unit: 'un ' },
  { name: 'double', unit: 'double ' },
  { name: 'double-five', unit: 'double five ' },
  { name: 'tens', unit: 'twenty ' },
  { name: 'tens-units', unit: 'twenty one ' },
  { name: 'hundred', unit: 'eight hundred ' },
  { name: 'french-compound', unit: 'quatre-vingt-dix-sept ' },
  { name: 'hyphen-words', unit: 'four-one-' },
  { name: 'plus-words', unit: 'plus ' },
  // Repeated cue words
  { name: 'card-cue', unit: 'card number ' },
  { name: 'cue-digit', unit: 'card 1 ' },
  { name: 'expires', unit: 'expires ' },
  { name: 'expires-oh', unit: 'expires oh ' },
  { name: 'dob', unit: 'date of birth ' },
  { name: 'dob-punct', unit: 'born , ' },
  { name: 'social', unit: 'social security ' },
  { name: 'account-digit', unit: 'account 12 ' },
  { name: 'phone-colon', unit: 'phone 1 : ' },
  { name: 'months', unit: 'march 1 ' },
  // E-mails and IBANs
  { name: 'at-words', unit: 'at ' },
  { name: 'spoken-email', unit: 'a at b dot ' },
  { name: 'spelled-local', unit: 'a ', tail: 'at example dot com' },
  { name: 'dot-chain', unit: 'x dot ', tail: 'at example dot com' },
  { name: 'local-chars', unit: 'a', tail: '@' },
  { name: 'local-dots', unit: 'a.', tail: '@' },
  { name: 'at-signs', unit: 'a@' },
  { name: 'domain-dots', unit: 'a@b.' },
  { name: 'iban-like', unit: 'DE89 3704 ' },
  { name: 'brackets', unit: '[' },
  { name: 'colliding-words', unit: '', build: collidingWords },
];

/** `bytes` (UTF-8) of the adversary's text. */
export function adversarialText(a: Adversary, bytes: number): string {
  if (a.build) return a.build(bytes);
  const unitBytes = Buffer.byteLength(a.unit);
  const tail = a.tail ?? '';
  const times = Math.max(1, Math.floor((bytes - Buffer.byteLength(tail)) / unitBytes));
  return a.unit.repeat(times) + tail;
}
