// Words the redactor understands, per locale: spoken digits and numbers, fillers, month names,
// e-mail words and the context phrases that say what a number is. All entries are lower case
// without accents, the form `normWord` produces, so "zéro", "Zero" and "zero" look the same.
import type { PiiEntity } from '../model.ts';

export const LOCALES = ['en-US', 'es-US', 'fr-CA', 'de-DE', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];

/** A spoken number word. `ambiguous` words are also ordinary words ("for", "to", "oh", "un") and
 * count as digits only inside a run of other digits. `tens` words may absorb a following unit. */
export interface NumberWord {
  digits: string;
  tens?: boolean;
  ambiguous?: boolean;
}

// prettier-ignore
const EN_UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
// prettier-ignore
const EN_TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
// prettier-ignore
const EN_TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
// prettier-ignore
const ES_UNITS = ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'];
// prettier-ignore
const ES_TEENS = ['diez', 'once', 'doce', 'trece', 'catorce', 'quince', 'dieciseis', 'diecisiete', 'dieciocho', 'diecinueve'];
// prettier-ignore
const ES_TENS = ['', '', 'veinte', 'treinta', 'cuarenta', 'cincuenta', 'sesenta', 'setenta', 'ochenta', 'noventa'];
// prettier-ignore
const FR_UNITS = ['zero', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'];
// prettier-ignore
const FR_TEENS = ['dix', 'onze', 'douze', 'treize', 'quatorze', 'quinze', 'seize', 'dix-sept', 'dix-huit', 'dix-neuf'];
// prettier-ignore
const FR_TENS = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante', '', 'quatre-vingt', ''];

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function englishWords(): Map<string, NumberWord> {
  const m = new Map<string, NumberWord>();
  EN_UNITS.forEach((w, i) => m.set(w, { digits: String(i) }));
  EN_TEENS.forEach((w, i) => m.set(w, { digits: String(10 + i) }));
  EN_TENS.forEach((w, i) => {
    if (!w) return;
    m.set(w, { digits: String(i * 10), tens: true });
    for (let u = 1; u < 10; u++) m.set(`${w}-${EN_UNITS[u]}`, { digits: String(i * 10 + u) });
  });
  m.set('niner', { digits: '9' });
  // Speech-to-text homophones: only digits when surrounded by digits.
  for (const [w, d] of [
    ['oh', '0'],
    ['o', '0'],
    ['for', '4'],
    ['to', '2'],
    ['too', '2'],
  ] as const)
    m.set(w, { digits: d, ambiguous: true });
  return m;
}

function spanishWords(): Map<string, NumberWord> {
  const m = new Map<string, NumberWord>();
  ES_UNITS.forEach((w, i) => m.set(w, { digits: String(i) }));
  ES_TEENS.forEach((w, i) => m.set(w, { digits: String(10 + i) }));
  ES_TENS.forEach((w, i) => w && m.set(w, { digits: String(i * 10), tens: true }));
  const veinti = [
    '',
    'veintiuno',
    'veintidos',
    'veintitres',
    'veinticuatro',
    'veinticinco',
    'veintiseis',
    'veintisiete',
    'veintiocho',
    'veintinueve',
  ];
  veinti.forEach((w, u) => w && m.set(w, { digits: String(20 + u) }));
  m.set('un', { digits: '1', ambiguous: true });
  m.set('una', { digits: '1', ambiguous: true });
  return m;
}

function frenchWords(): Map<string, NumberWord> {
  const m = new Map<string, NumberWord>();
  FR_UNITS.forEach((w, i) => m.set(w, { digits: String(i), ...(i === 1 ? { ambiguous: true } : {}) }));
  m.set('une', { digits: '1', ambiguous: true });
  FR_TEENS.forEach((w, i) => m.set(w, { digits: String(10 + i) }));
  FR_TENS.forEach((w, i) => {
    if (!w) return;
    m.set(w, { digits: String(i * 10), tens: true });
    for (let u = 1; u < 10; u++) m.set(`${w}-${FR_UNITS[u]}`, { digits: String(i * 10 + u) });
  });
  m.set('quatre-vingts', { digits: '80', tens: true });
  // 70-79 and 90-99 are "sixty-ten…", "four-twenty-ten…".
  for (let t = 0; t < 10; t++) {
    const teen = FR_TEENS[t]!;
    m.set(`soixante-${teen}`, { digits: pad2(70 + t) });
    m.set(`quatre-vingt-${teen}`, { digits: pad2(90 + t) });
  }
  m.set('soixante-dix', { digits: '70', tens: true });
  m.set('quatre-vingt-dix', { digits: '90', tens: true });
  return m;
}

// prettier-ignore
const DE_UNITS = ['null', 'eins', 'zwei', 'drei', 'vier', 'funf', 'sechs', 'sieben', 'acht', 'neun'];
// prettier-ignore
const DE_TEENS = ['zehn', 'elf', 'zwolf', 'dreizehn', 'vierzehn', 'funfzehn', 'sechzehn', 'siebzehn', 'achtzehn', 'neunzehn'];
// prettier-ignore
const DE_TENS = ['', '', 'zwanzig', 'dreissig', 'vierzig', 'funfzig', 'sechzig', 'siebzig', 'achtzig', 'neunzig'];

/** German: units, teens, tens and every compound "einundzwanzig" … "neunundneunzig" (one word). */
function germanWords(): Map<string, NumberWord> {
  const m = new Map<string, NumberWord>();
  DE_UNITS.forEach((w, i) => m.set(w, { digits: String(i) }));
  m.set('zwo', { digits: '2' });
  DE_TEENS.forEach((w, i) => m.set(w, { digits: String(10 + i) }));
  DE_TENS.forEach((w, t) => {
    if (!w) return;
    m.set(w, { digits: String(t * 10) });
    for (let u = 1; u < 10; u++)
      m.set(`${u === 1 ? 'ein' : DE_UNITS[u]}und${w}`, { digits: String(t * 10 + u) });
  });
  m.set('dreißig', { digits: '30' });
  return m;
}

// prettier-ignore
const PT_UNITS = ['zero', 'um', 'dois', 'tres', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove'];
// prettier-ignore
const PT_TEENS = ['dez', 'onze', 'doze', 'treze', 'catorze', 'quinze', 'dezesseis', 'dezessete', 'dezoito', 'dezenove'];
// prettier-ignore
const PT_TENS = ['', '', 'vinte', 'trinta', 'quarenta', 'cinquenta', 'sessenta', 'setenta', 'oitenta', 'noventa'];

function portugueseWords(): Map<string, NumberWord> {
  const m = new Map<string, NumberWord>();
  // "um" is also the English filler: a digit only among other digits.
  PT_UNITS.forEach((w, i) => m.set(w, { digits: String(i), ...(w === 'um' ? { ambiguous: true } : {}) }));
  m.set('uma', { digits: '1', ambiguous: true });
  m.set('meia', { digits: '6' }); // Brazilian "meia" (half a dozen) for six in phone numbers
  PT_TEENS.forEach((w, i) => m.set(w, { digits: String(10 + i) }));
  for (const [w, d] of [
    ['quatorze', '14'],
    ['dezasseis', '16'],
    ['dezassete', '17'],
    ['dezanove', '19'],
  ] as const)
    m.set(w, { digits: d });
  PT_TENS.forEach((w, t) => w && m.set(w, { digits: String(t * 10), tens: true }));
  return m;
}

const PER_LOCALE: Record<Locale, Map<string, NumberWord>> = {
  'en-US': englishWords(),
  'es-US': spanishWords(),
  'fr-CA': frenchWords(),
  'de-DE': germanWords(),
  'pt-BR': portugueseWords(),
};

/** Foreign number words that are ordinary words in this locale ("once" in English, "o" = "or" in
 * Spanish), so they are not merged in from the other locales. */
const FOREIGN_EXCLUDED: Record<Locale, string[]> = {
  'en-US': ['once', 'sept', 'elf', 'acht', 'null', 'um', 'uma', 'dez', 'meia', 'sete', 'tres'],
  'es-US': ['o', 'oh', 'to', 'too', 'for', 'um', 'uma', 'meia'],
  'fr-CA': ['o', 'oh', 'to', 'too', 'for', 'once', 'um', 'uma', 'meia', 'dez', 'elf'],
  'de-DE': [
    'o',
    'oh',
    'to',
    'too',
    'for',
    'once',
    'um',
    'uma',
    'meia',
    'dez',
    'sept',
    'un',
    'une',
    'uno',
    'una',
    'sete',
  ],
  'pt-BR': ['o', 'oh', 'to', 'too', 'for', 'un', 'une', 'uno', 'una', 'elf', 'acht', 'null', 'sept'],
};

export function resolveLocale(tag: string | undefined): Locale {
  // Asked once per redacted line, nearly always with no tag (en-US).
  if (tag === undefined) return 'en-US';
  const lower = tag.toLowerCase();
  if (lower.startsWith('es')) return 'es-US';
  if (lower.startsWith('fr')) return 'fr-CA';
  if (lower.startsWith('de')) return 'de-DE';
  if (lower.startsWith('pt')) return 'pt-BR';
  return 'en-US';
}

const numberWordCache = new Map<Locale, Map<string, NumberWord>>();

/** The locale's number words, plus every other known locale's (callers are often unsure of the
 * spoken language), minus the other locales' words that are common words here. */
export function numberWords(locale: Locale): Map<string, NumberWord> {
  let m = numberWordCache.get(locale);
  if (m) return m;
  m = new Map();
  const excluded = new Set(FOREIGN_EXCLUDED[locale]);
  for (const other of LOCALES) {
    if (other === locale) continue;
    for (const [w, nw] of PER_LOCALE[other]) if (!excluded.has(w)) m.set(w, nw);
  }
  for (const [w, nw] of PER_LOCALE[locale]) m.set(w, nw);
  numberWordCache.set(locale, m);
  return m;
}

/** The locale's own number words (not the other locales'): a filler of another language that
 * is a digit here ("um": one in Portuguese, a hesitation in English) is read as the digit. */
export function ownNumberWords(locale: Locale): ReadonlyMap<string, NumberWord> {
  return PER_LOCALE[locale];
}

/** "double five" = 55, "triple seven" = 777. */
// prettier-ignore
export const REPEATERS = new Map<string, number>([
  ['double', 2], ['doble', 2], ['triple', 3],
]);
/** Words said between digit groups that carry nothing: skipped inside a run. */
// prettier-ignore
export const FILLERS = new Set(['uh', 'um', 'umm', 'er', 'erm', 'ah', 'and', 'dash', 'hyphen', 'eh', 'este', 'y', 'guion', 'euh', 'et', 'tiret', 'ah', 'ahm', 'aeh', 'und', 'e', 'hum', 'pues', 'bon', 'alors', 'also', 'sorry', 'perdon', 'pardon', 'desculpa', 'entao', 'bindestrich', 'traco', 'hmm', 'let', 'me', 'see', 'hold', 'on', 'moment', 'warten', 'sie', 'deixa', 'ver', 'attendez', 'perdon', 'okay', 'ok', 'so', 'a']);
/** Punctuation allowed between digit groups of one number. Not ':' (times) nor '/' (dates). */
export const RUN_PUNCT = new Set(['-', '.', ',', '(', ')', '–']);
/** "eight hundred" in 1-800 numbers. */
export const HUNDRED = new Set(['hundred']);
export const PLUS_WORDS = new Set(['plus', 'mas']);

/** What follows or precedes a number that makes it a quantity, never PII. */
export const QUANTITY_BEFORE = new Set(['$', '€', '£', '¥', 'usd', 'eur', 'cad']);
// prettier-ignore
export const QUANTITY_AFTER = new Set([
  'dollars', 'dollar', 'bucks', 'cents', 'cent', 'percent', '%', 'pesos', 'dolares', 'euros', 'euro', 'am', 'pm', "o'clock", 'oclock',
  'minutes', 'minute', 'hours', 'hour', 'days', 'day', 'weeks', 'months', 'years', 'items', 'points', 'miles', 'gb', 'mb',
  'por', 'pour', 'heures', 'horas', 'minutos', 'dias', 'jours', 'semaines', 'meses', 'mois', 'ans', 'anos',
]);

export const MONTHS = new Map<string, number>();
// prettier-ignore
[
  ['january', 'jan', 'enero', 'janvier', 'januar', 'janeiro'], ['february', 'feb', 'febrero', 'fevrier', 'februar', 'fevereiro'], ['march', 'mar', 'marzo', 'mars', 'marz', 'marco'],
  ['april', 'apr', 'abril', 'avril'], ['may', 'mayo', 'mai', 'maio'], ['june', 'jun', 'junio', 'juin', 'juni', 'junho'], ['july', 'jul', 'julio', 'juillet', 'juli', 'julho'],
  ['august', 'aug', 'agosto', 'aout'], ['september', 'sep', 'sept', 'septiembre', 'setiembre', 'septembre', 'setembro'], ['october', 'oct', 'octubre', 'octobre', 'oktober', 'outubro'],
  ['november', 'nov', 'noviembre', 'novembre', 'novembro'], ['december', 'dec', 'diciembre', 'decembre', 'dezember', 'dezembro'],
].forEach((names, i) => names.forEach((n) => MONTHS.set(n, i + 1)));

// prettier-ignore
export const ORDINALS = new Set([
  'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'eleventh', 'twelfth', 'thirteenth',
  'fourteenth', 'fifteenth', 'sixteenth', 'seventeenth', 'eighteenth', 'nineteenth', 'twentieth', 'thirtieth',
  'st', 'nd', 'rd', 'th', 'primero', 'premier', 'er',
]);
/** Words allowed inside a spoken date ("the fourteenth of March"). */
// prettier-ignore
export const DATE_JOINERS = new Set(['of', 'the', 'de', 'del', '/', '-', ',', '.', 'slash', 'barra', 'dash']);

export const AT_WORDS = new Set(['at', 'arroba', 'arobase', 'at-sign', 'klammeraffe', 'at', '@']);
export const DOT_WORDS = new Set(['dot', 'punto', 'point', 'ponto', 'punkt']);
// prettier-ignore
export const EMAIL_JOINERS = new Set(['dot', 'punto', 'point', 'ponto', 'punkt', 'underscore', 'dash', 'hyphen', 'guion', 'tiret', 'unterstrich', 'bindestrich', 'underline', 'traco', 'bajo', 'bas', '_', '-', '.']);
// prettier-ignore
export const TLDS = new Set(['com', 'org', 'net', 'edu', 'gov', 'io', 'co', 'us', 'ca', 'mx', 'fr', 'es', 'uk', 'info', 'biz', 'me', 'de', 'qc', 'pt', 'br', 'it', 'nl', 'be', 'ch', 'at', 'eu']);
/** "is" and its kin: what follows them is what is said ("my mobile is to oh eight …"). */
// prettier-ignore
export const COPULAS = new Set(['is', "it's", "that's", 'was', 'are', 'es', 'est', "c'est", 'ist', 'e', 'sao', 'son', 'sind', 'era', 'fue', 'foi', 'war', 'lautet', 'seria', 'sera']);

/** Verbs of sending and writing (es, pt) after which "a" is the preposition "to", not a letter
 * spelled: "envíelo a j u a n …", "escreva a m a r i a …". */
// prettier-ignore
export const SEND_VERBS = new Set([
  'envie', 'envielo', 'enviela', 'envielos', 'envialo', 'enviala', 'envia', 'enviar', 'enviarlo', 'enviarla', 'enviame', 'envieme', 'envio',
  'mande', 'mandelo', 'mandela', 'mandalo', 'mandala', 'manda', 'mandar', 'mandarlo', 'mandeme', 'mandame',
  'escriba', 'escribame', 'escribe', 'escribeme', 'escribir', 'escreva', 'escreve', 'escrever', 'escrevame',
  'reenvie', 'reenvielo', 'reenvia', 'reenviar', 'remita', 'remitalo', 'responda', 'responde', 'contesta', 'conteste',
  'envie-o', 'envie-a', 'mande-o', 'mande-a', 'envia-o', 'manda-o', 'enviei', 'mandei', 'escrevi', 'escribi', 'envie-me', 'mande-me',
]);

/** Words before "at" that are not the local part of an address ("call me at …", "email is at"). */
// prettier-ignore
export const EMAIL_STOP = new Set([
  'me', 'is', 'email', 'e-mail', 'mail', 'address', 'it', 'us', 'you', 'them', 'him', 'her', 'back', 'look', 'arrive', 'be', 'am', 'are',
  'was', 'correo', 'es', 'est', 'courriel', 'adresse', 'mi', 'mon', 'my', 'send', 'write', 'the', 'a', 'an', "i'm", 'home', 'work', 'office',
  'ist', 'lautet', 'an', 'e', 'para', 'é', 'o', 'envie', 'envoyez-le', 'envielo', 'email', 'mail', 'a',
  // Words that join a sentence, never a name: "send it to john at …", "then kate haddad at …".
  'to', 'and', 'or', 'then', 'for', 'from', 'via', 'y', 'et', 'und', 'oder', 'ou', 'de', 'en', 'pour', 'por', 'an', 'und', 'zu', 'dann', 'luego', 'puis',
]);

/** What a phrase before a number says about it. NEUTRAL phrases (order numbers, versions …) say
 * "not PII" and shield the number from the contextless phone rule. */
export type ContextKind = PiiEntity | 'NEUTRAL';

// prettier-ignore
const CONTEXT_PHRASES: [ContextKind, string[]][] = [
  ['CVV', ['security code', 'cvv', 'cvv2', 'cvc', 'csc', 'card verification', 'digits on the back', 'back of the card', 'codigo de seguridad', 'al reverso', 'code de securite', 'cryptogramme', 'au dos', 'verification code', 'code on the back', 'digitos de atras', 'chiffres au dos', 'prufnummer', 'sicherheitscode', 'ruckseite', 'codigo de seguranca', 'digitos atras', 'kartenprufnummer', 'prufziffer', 'prufziffern', 'kartenprufziffer', 'sicherheitsnummer', 'digitos de tras', 'verso', 'dorso', 'au verso', 'codigo cvv', 'code cvv', 'codigo de verificacao', 'codigo de verificacion', 'code de verification', 'three digit code', 'four digit code', 'code a trois chiffres', 'dreistellige code', 'dreistelliger code', 'dreistelligen code', 'codigo de tres digitos', 'codigo de cuatro digitos', 'codigo de quatro digitos']],
  ['EXPIRY', ['expires', 'expire', 'expired', 'expiration', 'expiry', 'exp', 'valid thru', 'valid through', 'valid until', 'good thru', 'good through', 'vence', 'vencimiento', 'caducidad', 'caduca', 'valida hasta', 'expiracion', 'expiration', 'date d\'expiration', 'valable jusqu\'a', 'jusqu\'a', 'gultig bis', 'lauft ab', 'ablaufdatum', 'validade', 'valido ate', 'vence em', 'validite', 'date de validite', 'verfallsdatum', 'expira', 'expira em', 'expira el', 'good till', 'good until', 'valid till', 'valida ate']],
  ['SSN', ['social', 'ssn', 'social security', 'seguro social', 'assurance sociale', 'nas', 'securite sociale', 'sozialversicherungsnummer']],
  ['ROUTING_NUMBER', ['routing', 'aba', 'transit number', 'ruta', 'transito', 'transit', 'numero de transit', 'routage', 'routing-nummer', 'routingnummer', 'aba-routingnummer', 'roteamento', 'ruta bancaria']],
  ['BANK_ACCOUNT', ['account', 'account number', 'bank account', 'checking', 'savings', 'cuenta', 'compte', 'iban', 'sort code', 'kontonummer', 'konto', 'conta', 'conta bancaria', 'cuenta bancaria', 'compte bancaire']],
  ['DOB', ['date of birth', 'birth date', 'birthdate', 'born on', 'born', 'dob', 'birthday', 'fecha de nacimiento', 'naci el', 'nacimiento', 'date de naissance', 'ne le', 'nee le', 'naissance', 'nacio', 'geburtsdatum', 'geboren am', 'geboren', 'data de nascimento', 'nascimento', 'nasci em', 'nascido a', 'nascido em', 'nasci', 'nacido', 'nacida', 'nacido el', 'nacida el', 'geburtstag', 'anniversaire', 'cumpleanos', 'aniversario', 'nascida', 'nasceu']],
  ['PHONE', ['phone', 'call', 'reach', 'cell', 'mobile', 'callback', 'telephone', 'tel', 'fax', 'whatsapp', 'telefono', 'celular', 'llamar', 'llame', 'marcar', 'cellulaire', 'rappeler', 'joindre', 'portable', 'text me', 'dial', 'contact number', 'number to reach', 'best number', 'reach me on', 'call me back on', 'text me at', 'movil', 'llamarme', 'mi numero', 'rappelez-moi', 'mon numero', 'handynummer', 'handy', 'erreichen', 'unter', 'rufen', 'telemovel', 'ligar', 'ligar para', 'meu numero', 'contacto', 'mobile number', 'cell number', 'meine nummer', 'mon numero', 'mi celular', 'my cell', 'meu contacto', 'mi numero']],
  ['NEUTRAL', ['order', 'confirmation', 'ticket', 'case', 'reference', 'tracking', 'invoice', 'claim', 'policy', 'version', 'extension', 'ext', 'room', 'flight', 'pedido', 'orden', 'commande', 'dossier', 'press', 'option', 'opcion', 'marque', 'appuyez', 'item', 'zip', 'postal', 'code postal', 'model', 'serial', 'pin',
    // The same nouns in the other locales, and the software updates versions are said with.
    'bestellung', 'bestellnummer', 'auftrag', 'auftragsnummer', 'vorgang', 'vorgangsnummer', 'rechnung', 'rechnungsnummer', 'sendungsnummer', 'ticketnummer', 'encomenda', 'processo', 'fatura', 'protocolo', 'incidencia', 'caso', 'factura', 'referencia', 'seguimiento', 'facture', 'suivi', 'incident', 'versao', 'versione', 'update', 'mise a jour', 'atualizar', 'actualizar', 'atualizacao', 'actualizacion']],
];

/** Context phrases indexed by their last word, so a backward scan checks only what can match. */
export const CONTEXT_BY_LAST_WORD = new Map<string, { words: string[]; kind: ContextKind }[]>();
for (const [kind, phrases] of CONTEXT_PHRASES) {
  for (const p of phrases) {
    const words = p.split(' ');
    const last = words[words.length - 1]!;
    const list = CONTEXT_BY_LAST_WORD.get(last) ?? [];
    list.push({ words, kind });
    // Longer phrases first, so "social security" wins over "security"-less matches of the same word.
    list.sort((a, b) => b.words.length - a.words.length);
    CONTEXT_BY_LAST_WORD.set(last, list);
  }
}
