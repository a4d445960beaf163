// An independent generator of labelled contact-centre utterances, to measure PII redaction on text
// the redactor was not written next to. It imports nothing from src/ and shares no template, word
// list or cue phrase with the detector: its phrasing, number words and formats are its own.
//
// Each item is one to four turns of a conversation (customer, agent), in en, es, fr, de or pt,
// with its PII labelled by exact character ranges (a value read in pieces has several pieces, so
// a filler between them need not be redacted) and look-alikes that must be kept (amounts, times,
// order and ticket numbers, versions …).
//
// Generated once with a fixed seed and split once into tune and test:
//   npx node bench/corpus/generate.ts      # writes bench/corpus/tune.jsonl and test.jsonl
// Never regenerate to move items between the halves: the split files are committed.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SEED = 20261202;
export const ITEMS = 4000;

// ---------------------------------------------------------------------------------------------
// Randomness

class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(0, 9));
    return s;
  }
}

// ---------------------------------------------------------------------------------------------
// Labelled text, built piece by piece so every label knows its exact offsets

export type Lang = 'en' | 'es' | 'fr' | 'de' | 'pt';
export const LANGS: readonly Lang[] = ['en', 'es', 'fr', 'de', 'pt'];

export type Category =
  | 'CARD'
  | 'CVV'
  | 'EXPIRY'
  | 'SSN'
  | 'PHONE'
  | 'EMAIL'
  | 'BANK_ACCOUNT'
  | 'ROUTING_NUMBER'
  | 'IBAN'
  | 'SORT_CODE'
  | 'DOB';

export type KeepCategory = 'AMOUNT' | 'TIME' | 'ORDER' | 'TICKET' | 'VERSION' | 'QUANTITY' | 'YEAR';

export interface Range {
  turn: number;
  start: number;
  end: number;
}
export interface Item {
  id: string;
  lang: Lang;
  turns: { speaker: 'customer' | 'agent'; text: string }[];
  pii: { category: Category; form: string; pieces: Range[] }[];
  keep: { category: KeepCategory; range: Range }[];
}

/** A turn under construction: text plus the ranges of what was written into it. */
class Turn {
  text = '';
  add(s: string): Range {
    if (this.text && !/^[ ,.?!]/.test(s) && !this.text.endsWith(' ')) this.text += ' ';
    const start = this.text.length;
    this.text += s;
    return { turn: -1, start, end: this.text.length };
  }
}

interface Said {
  /** The value as spoken/written, in pieces (fillers between pieces are not part of them). */
  pieces: string[];
  /** Joined between pieces (fillers, commas). */
  joins: string[];
  form: string;
}

// ---------------------------------------------------------------------------------------------
// Number words (this generator's own lists)

const UNITS: Record<Lang, string[]> = {
  en: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  es: ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'],
  fr: ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'],
  de: ['null', 'eins', 'zwei', 'drei', 'vier', 'fünf', 'sechs', 'sieben', 'acht', 'neun'],
  pt: ['zero', 'um', 'dois', 'três', 'quatro', 'cinco', 'seis', 'sete', 'oito', 'nove'],
};

/** Two-digit numbers as said in each language (10–99), the compound forms included. */
function pairWords(n: number, lang: Lang): string {
  const u = n % 10;
  const t = Math.floor(n / 10);
  switch (lang) {
    case 'en': {
      const teens = [
        'ten',
        'eleven',
        'twelve',
        'thirteen',
        'fourteen',
        'fifteen',
        'sixteen',
        'seventeen',
        'eighteen',
        'nineteen',
      ];
      const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
      if (t === 1) return teens[u]!;
      return u ? `${tens[t]} ${UNITS.en[u]}` : tens[t]!;
    }
    case 'es': {
      const special: Record<number, string> = {
        10: 'diez',
        11: 'once',
        12: 'doce',
        13: 'trece',
        14: 'catorce',
        15: 'quince',
        16: 'dieciséis',
        17: 'diecisiete',
        18: 'dieciocho',
        19: 'diecinueve',
        20: 'veinte',
        21: 'veintiuno',
        22: 'veintidós',
        23: 'veintitrés',
        24: 'veinticuatro',
        25: 'veinticinco',
        26: 'veintiséis',
        27: 'veintisiete',
        28: 'veintiocho',
        29: 'veintinueve',
      };
      if (special[n]) return special[n]!;
      const tens = [
        '',
        '',
        '',
        'treinta',
        'cuarenta',
        'cincuenta',
        'sesenta',
        'setenta',
        'ochenta',
        'noventa',
      ];
      return u ? `${tens[t]} y ${UNITS.es[u]}` : tens[t]!;
    }
    case 'fr': {
      const teens = [
        'dix',
        'onze',
        'douze',
        'treize',
        'quatorze',
        'quinze',
        'seize',
        'dix-sept',
        'dix-huit',
        'dix-neuf',
      ];
      const tens = ['', '', 'vingt', 'trente', 'quarante', 'cinquante', 'soixante'];
      if (t === 1) return teens[u]!;
      if (t >= 2 && t <= 6)
        return u === 0 ? tens[t]! : u === 1 ? `${tens[t]} et un` : `${tens[t]}-${UNITS.fr[u]}`;
      if (t === 7) return u === 1 ? 'soixante et onze' : `soixante-${teens[u]}`;
      if (t === 8) return u === 0 ? 'quatre-vingts' : `quatre-vingt-${UNITS.fr[u]}`;
      return `quatre-vingt-${teens[u]}`;
    }
    case 'de': {
      const teens = [
        'zehn',
        'elf',
        'zwölf',
        'dreizehn',
        'vierzehn',
        'fünfzehn',
        'sechzehn',
        'siebzehn',
        'achtzehn',
        'neunzehn',
      ];
      const tens = [
        '',
        '',
        'zwanzig',
        'dreißig',
        'vierzig',
        'fünfzig',
        'sechzig',
        'siebzig',
        'achtzig',
        'neunzig',
      ];
      if (t === 1) return teens[u]!;
      const unit = u === 1 ? 'ein' : UNITS.de[u]!;
      return u ? `${unit}und${tens[t]}` : tens[t]!;
    }
    case 'pt': {
      const teens = [
        'dez',
        'onze',
        'doze',
        'treze',
        'catorze',
        'quinze',
        'dezesseis',
        'dezessete',
        'dezoito',
        'dezenove',
      ];
      const tens = [
        '',
        '',
        'vinte',
        'trinta',
        'quarenta',
        'cinquenta',
        'sessenta',
        'setenta',
        'oitenta',
        'noventa',
      ];
      if (t === 1) return teens[u]!;
      return u ? `${tens[t]} e ${UNITS.pt[u]}` : tens[t]!;
    }
  }
}

const FILLERS: Record<Lang, string[]> = {
  en: ['uh', 'um', 'er', 'hmm', 'let me see', 'sorry', 'hold on'],
  es: ['eh', 'este', 'pues', 'a ver', 'perdón'],
  fr: ['euh', 'alors', 'attendez', 'bon', 'pardon'],
  de: ['äh', 'ähm', 'also', 'moment', 'warten Sie'],
  pt: ['é', 'hum', 'então', 'deixa ver', 'desculpa'],
};

/** Digits as a person says them: one by one, in pairs, with "double", with ASR slips. */
function speakDigits(digits: string, lang: Lang, rnd: Random): { text: string; form: string } {
  const style = rnd.next();
  const words: string[] = [];
  let form = 'spoken-digits';
  if (style < 0.3 && digits.length % 2 === 0) {
    form = 'spoken-pairs';
    for (let i = 0; i < digits.length; i += 2) {
      const pair = digits.slice(i, i + 2);
      words.push(
        pair[0] === '0'
          ? `${lang === 'en' ? rnd.pick(['oh', 'zero']) : UNITS[lang][0]} ${UNITS[lang][Number(pair[1])]}`
          : pairWords(Number(pair), lang),
      );
    }
  } else {
    for (let i = 0; i < digits.length; i++) {
      const d = Number(digits[i]);
      if (lang === 'en' && digits[i + 1] === digits[i] && rnd.chance(0.4)) {
        words.push(`double ${UNITS.en[d]}`);
        i++;
        continue;
      }
      let w = UNITS[lang][d]!;
      // ASR slips and habits: "oh" for zero, "for"/"to" for four/two.
      if (lang === 'en' && d === 0 && rnd.chance(0.5)) w = 'oh';
      if (lang === 'en' && d === 4 && rnd.chance(0.1)) w = 'for';
      if (lang === 'en' && d === 2 && rnd.chance(0.1)) w = 'to';
      words.push(w);
    }
  }
  return { text: words.join(' '), form };
}

/** Written digits in groups: "4111 1111 …", "4111-1111-…", or contiguous. */
function groupDigits(digits: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let i = 0;
  for (const s of sizes) {
    out.push(digits.slice(i, i + s));
    i += s;
  }
  if (i < digits.length) out.push(digits.slice(i));
  return out.filter(Boolean).join(sep);
}

// ---------------------------------------------------------------------------------------------
// Values (valid checksums where real ones have them)

function luhnComplete(partial: string): string {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return partial + String((10 - (sum % 10)) % 10);
}

function cardNumber(rnd: Random): string {
  const kind = rnd.pick(['visa', 'visa', 'mc', 'mc2', 'amex', 'disc']);
  if (kind === 'amex') return luhnComplete(rnd.pick(['34', '37']) + rnd.digits(12));
  if (kind === 'mc') return luhnComplete(`5${rnd.int(1, 5)}` + rnd.digits(13));
  if (kind === 'mc2') return luhnComplete(`22${rnd.int(21, 99)}` + rnd.digits(11));
  if (kind === 'disc') return luhnComplete('6011' + rnd.digits(11));
  return luhnComplete('4' + rnd.digits(14));
}

function abaNumber(rnd: Random): string {
  const first8 = `0${rnd.int(1, 9)}` + rnd.digits(6);
  const w = [3, 7, 1, 3, 7, 1, 3, 7];
  const sum = [...first8].reduce((s, c, i) => s + Number(c) * w[i]!, 0);
  return first8 + String((10 - (sum % 10)) % 10);
}

const IBAN_SHAPES: Record<string, number> = { DE: 18, ES: 20, FR: 23, PT: 21, GB: 18, NL: 14, IT: 23 };

function ibanNumber(rnd: Random, country: string): string {
  let bban = '';
  if (country === 'GB') bban = `${rnd.pick(['NWBK', 'BARC', 'LOYD', 'MIDL'])}${rnd.digits(14)}`;
  else if (country === 'NL') bban = `${rnd.pick(['ABNA', 'INGB', 'RABO'])}${rnd.digits(10)}`;
  else if (country === 'IT') bban = `X${rnd.digits(22)}`;
  else if (country === 'FR') bban = `${rnd.digits(21)}${rnd.int(10, 99)}`;
  else bban = rnd.digits(IBAN_SHAPES[country]!);
  const numeric = [...`${bban}${country}00`]
    .map((c) => (/[A-Z]/.test(c) ? String(c.charCodeAt(0) - 55) : c))
    .join('');
  let rem = 0;
  for (const c of numeric) rem = (rem * 10 + Number(c)) % 97;
  return `${country}${String(98 - rem).padStart(2, '0')}${bban}`;
}

// ---------------------------------------------------------------------------------------------
// How each value is said or written

function say(digits: string, lang: Lang, rnd: Random, written: () => string, spokenRate = 0.45): Said {
  if (rnd.chance(spokenRate)) {
    // A long number is often read in two or three pieces with a filler between.
    if (digits.length >= 8 && rnd.chance(0.35)) {
      const cut = rnd.int(3, digits.length - 3);
      const a = speakDigits(digits.slice(0, cut), lang, rnd);
      const b = speakDigits(digits.slice(cut), lang, rnd);
      return { pieces: [a.text, b.text], joins: [`, ${rnd.pick(FILLERS[lang])},`], form: `${a.form}+filler` };
    }
    const s = speakDigits(digits, lang, rnd);
    return { pieces: [s.text], joins: [], form: s.form };
  }
  return { pieces: [written()], joins: [], form: 'written' };
}

function phoneNumber(lang: Lang, rnd: Random): Said {
  const national = rnd.chance(0.7);
  switch (lang) {
    case 'en': {
      if (rnd.chance(0.35)) {
        // UK
        const mobile = `7${rnd.int(100, 999)}${rnd.digits(6)}`;
        const w = national
          ? rnd.pick([`0${mobile.slice(0, 4)} ${mobile.slice(4)}`, `0${mobile}`])
          : `+44 ${mobile.slice(0, 4)} ${mobile.slice(4)}`;
        return say(`0${mobile}`, lang, rnd, () => w);
      }
      const area = String(rnd.int(201, 989));
      const n = `${area}${rnd.int(200, 999)}${rnd.digits(4)}`;
      const w = rnd.pick([
        `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
        `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`,
        `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
        `1-${n.slice(0, 3)}-${n.slice(3, 6)}-${n.slice(6)}`,
      ]);
      return say(n, lang, rnd, () => w);
    }
    case 'es': {
      const n = `${rnd.pick(['6', '7', '9'])}${rnd.digits(8)}`;
      const w = national
        ? rnd.pick([
            `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7)}`,
            `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
            n,
          ])
        : `+34 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
      return say(n, lang, rnd, () => w);
    }
    case 'fr': {
      const n = `0${rnd.pick(['6', '7', '1', '4'])}${rnd.digits(8)}`;
      const w = national
        ? groupDigits(n, [2, 2, 2, 2, 2], rnd.pick([' ', '.', ' ']))
        : `+33 ${n[1]} ${groupDigits(n.slice(2), [2, 2, 2, 2], ' ')}`;
      // French numbers are said in pairs.
      if (rnd.chance(0.45)) {
        const pairs: string[] = [];
        for (let i = 0; i < n.length; i += 2)
          pairs.push(
            n[i] === '0' ? `zéro ${UNITS.fr[Number(n[i + 1])]}` : pairWords(Number(n.slice(i, i + 2)), 'fr'),
          );
        return { pieces: [pairs.join(' ')], joins: [], form: 'spoken-pairs' };
      }
      return { pieces: [w], joins: [], form: 'written' };
    }
    case 'de': {
      const mobile = rnd.chance(0.5);
      const n = mobile
        ? `01${rnd.pick(['51', '60', '70', '76'])}${rnd.digits(8)}`
        : `0${rnd.pick(['30', '40', '89', '221'])}${rnd.digits(7)}`;
      const cut = mobile ? 4 : n.startsWith('0221') ? 4 : 3;
      const w = national
        ? rnd.pick([
            `${n.slice(0, cut)} ${n.slice(cut)}`,
            `${n.slice(0, cut)}/${n.slice(cut)}`,
            `${n.slice(0, cut)}-${n.slice(cut)}`,
          ])
        : `+49 ${n.slice(1, cut)} ${n.slice(cut)}`;
      return say(n, lang, rnd, () => w);
    }
    case 'pt': {
      const n = `9${rnd.pick(['1', '2', '3', '6'])}${rnd.digits(7)}`;
      const w = national
        ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`
        : `+351 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
      return say(n, lang, rnd, () => w);
    }
  }
}

const MONTHS: Record<Lang, string[]> = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
  fr: [
    'janvier',
    'février',
    'mars',
    'avril',
    'mai',
    'juin',
    'juillet',
    'août',
    'septembre',
    'octobre',
    'novembre',
    'décembre',
  ],
  de: [
    'Januar',
    'Februar',
    'März',
    'April',
    'Mai',
    'Juni',
    'Juli',
    'August',
    'September',
    'Oktober',
    'November',
    'Dezember',
  ],
  pt: [
    'janeiro',
    'fevereiro',
    'março',
    'abril',
    'maio',
    'junho',
    'julho',
    'agosto',
    'setembro',
    'outubro',
    'novembro',
    'dezembro',
  ],
};

function birthDate(lang: Lang, rnd: Random): Said {
  const y = rnd.int(1940, 2005);
  const m = rnd.int(1, 12);
  const d = rnd.int(1, 28);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  const month = MONTHS[lang][m - 1]!;
  const options: string[] = [];
  if (lang === 'en')
    options.push(
      `${mm}/${dd}/${y}`,
      `${month} ${d}, ${y}`,
      `${d} ${month} ${y}`,
      `${y}-${mm}-${dd}`,
      `${month} ${d}${['th', 'st', 'nd', 'rd'][d % 10 < 4 && (d < 11 || d > 13) ? d % 10 : 0]} ${y}`,
    );
  if (lang === 'es') options.push(`${dd}/${mm}/${y}`, `${d} de ${month} de ${y}`, `${d}-${mm}-${y}`);
  if (lang === 'fr')
    options.push(`${dd}/${mm}/${y}`, `${d} ${month} ${y}`, `${d === 1 ? '1er' : d} ${month} ${y}`);
  if (lang === 'de') options.push(`${dd}.${mm}.${y}`, `${d}. ${month} ${y}`);
  if (lang === 'pt') options.push(`${dd}/${mm}/${y}`, `${d} de ${month} de ${y}`);
  return { pieces: [rnd.pick(options)], joins: [], form: 'written-date' };
}

function expiry(lang: Lang, rnd: Random): Said {
  const m = rnd.int(1, 12);
  const y = rnd.int(26, 33);
  const mm = String(m).padStart(2, '0');
  if (rnd.chance(0.3)) {
    const s = speakDigits(`${mm}${y}`, lang, rnd);
    return { pieces: [s.text], joins: [], form: s.form };
  }
  const w = rnd.pick([`${mm}/${y}`, `${mm}/20${y}`, `${mm}-${y}`, `${MONTHS[lang][m - 1]} 20${y}`]);
  return { pieces: [w], joins: [], form: 'written' };
}

function email(lang: Lang, rnd: Random): Said {
  const first = rnd.pick([
    'anna',
    'james',
    'lucia',
    'pierre',
    'jonas',
    'joao',
    'mei',
    'omar',
    'kate',
    'diego',
    'sophie',
    'lars',
  ]);
  const last = rnd.pick([
    'reyes',
    'walker',
    'moreau',
    'schmidt',
    'silva',
    'chen',
    'haddad',
    'oconnor',
    'brandt',
    'costa',
  ]);
  const domain = rnd.pick([
    'gmail.com',
    'outlook.com',
    'yahoo.es',
    'orange.fr',
    'web.de',
    'sapo.pt',
    'example.co.uk',
    'company.org',
    'hotmail.com',
  ]);
  const sep = rnd.pick(['.', '_', '', '-']);
  const digits = rnd.chance(0.3) ? String(rnd.int(1, 99)) : '';
  const local = `${first}${sep}${last}${digits}`;
  if (rnd.chance(0.5)) return { pieces: [`${local}@${domain}`], joins: [], form: 'written' };
  const word: Record<Lang, { at: string; dot: string; under: string; dash: string }> = {
    en: {
      at: rnd.pick(['at', 'at sign']),
      dot: 'dot',
      under: 'underscore',
      dash: rnd.pick(['dash', 'hyphen']),
    },
    es: { at: 'arroba', dot: 'punto', under: 'guion bajo', dash: 'guion' },
    fr: { at: rnd.pick(['arobase', 'at']), dot: 'point', under: 'tiret bas', dash: 'tiret' },
    de: {
      at: rnd.pick(['at', 'ät', 'Klammeraffe']),
      dot: 'Punkt',
      under: 'Unterstrich',
      dash: 'Bindestrich',
    },
    pt: { at: 'arroba', dot: 'ponto', under: 'underline', dash: 'traço' },
  };
  const w = word[lang];
  const sepWord = sep === '.' ? w.dot : sep === '_' ? w.under : sep === '-' ? w.dash : '';
  const spell = rnd.chance(0.25);
  const firstSaid = spell ? first.split('').join(' ') : first;
  const parts = [firstSaid, sepWord, last, digits ? speakDigits(digits, lang, rnd).text : ''].filter(Boolean);
  // Some people say the symbols ("@", ".") even when spelling the rest.
  const symbols = rnd.chance(0.2);
  const text = `${parts.join(' ')} ${symbols ? '@' : w.at} ${domain.split('.').join(symbols ? ' . ' : ` ${w.dot} `)}`;
  return {
    pieces: [text],
    joins: [],
    form: symbols ? 'spoken-symbols' : spell ? 'spoken-spelled' : 'spoken-words',
  };
}

function sensitive(category: Category, lang: Lang, rnd: Random): Said {
  switch (category) {
    case 'CARD': {
      const n = cardNumber(rnd);
      const sizes = n.length === 15 ? [4, 6, 5] : [4, 4, 4, 4];
      return say(n, lang, rnd, () => rnd.pick([groupDigits(n, sizes, ' '), groupDigits(n, sizes, '-'), n]));
    }
    case 'CVV': {
      const n = rnd.digits(rnd.chance(0.15) ? 4 : 3);
      return say(n, lang, rnd, () => n, 0.5);
    }
    case 'EXPIRY':
      return expiry(lang, rnd);
    case 'SSN': {
      const n = `${rnd.int(100, 665)}${rnd.int(10, 99)}${rnd.int(1000, 9999)}`;
      return say(n, lang, rnd, () =>
        rnd.pick([
          `${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)}`,
          `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`,
          n,
        ]),
      );
    }
    case 'PHONE':
      return phoneNumber(lang, rnd);
    case 'EMAIL':
      return email(lang, rnd);
    case 'BANK_ACCOUNT': {
      const n = rnd.digits(rnd.int(8, 12));
      return say(n, lang, rnd, () => n);
    }
    case 'ROUTING_NUMBER': {
      const n = abaNumber(rnd);
      return say(n, lang, rnd, () => n);
    }
    case 'IBAN': {
      const country = rnd.pick(
        lang === 'en' ? ['GB', 'NL', 'IT'] : [{ es: 'ES', fr: 'FR', de: 'DE', pt: 'PT' }[lang]!, 'NL'],
      );
      const n = ibanNumber(rnd, country);
      const w = rnd.chance(0.6) ? n.replace(/(.{4})(?=.)/g, '$1 ') : n;
      return { pieces: [w], joins: [], form: 'written' };
    }
    case 'SORT_CODE': {
      const n = rnd.digits(6);
      return say(
        n,
        lang,
        rnd,
        () =>
          rnd.pick([
            `${n.slice(0, 2)}-${n.slice(2, 4)}-${n.slice(4)}`,
            `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4)}`,
          ]),
        0.4,
      );
    }
    case 'DOB':
      return birthDate(lang, rnd);
  }
}

// ---------------------------------------------------------------------------------------------
// Phrasing: {V} is the value; cue before, after, or both. Own wording per language.

const ASK: Record<Category, Record<Lang, string[]>> = {
  CARD: {
    en: [
      'the long number on the front is {V}',
      'here is my Visa {V}',
      "it's the credit card ending, no wait, the full number is {V}",
      '{V} is the card I want to use',
      'pay with card {V} please',
      'my debit card, {V}',
    ],
    es: [
      'la tarjeta es {V}',
      'el número de la tarjeta de crédito es {V}',
      '{V} es la tarjeta',
      'pague con la Visa {V}',
    ],
    fr: [
      'ma carte bancaire c’est {V}',
      'le numéro de ma carte de crédit est {V}',
      '{V}, c’est ma carte',
      'la Visa {V}',
    ],
    de: [
      'meine Kreditkartennummer ist {V}',
      'die Karte ist die {V}',
      '{V} ist meine Visa',
      'Kartennummer {V}',
    ],
    pt: ['o número do cartão é {V}', 'meu cartão de crédito é {V}', '{V} é o cartão', 'o cartão Visa {V}'],
  },
  CVV: {
    en: [
      'the three digits on the back are {V}',
      'security code {V}',
      'CVV is {V}',
      '{V}, that is the code on the back',
      'the CVC is {V}',
    ],
    es: ['el código de seguridad es {V}', 'los tres dígitos de atrás son {V}', 'CVV {V}'],
    fr: ['le cryptogramme c’est {V}', 'les trois chiffres au dos sont {V}', 'code de sécurité {V}'],
    de: [
      'die Prüfnummer ist {V}',
      'der Sicherheitscode lautet {V}',
      'CVC {V}',
      'die drei Ziffern auf der Rückseite sind {V}',
    ],
    pt: ['o código de segurança é {V}', 'os três dígitos atrás são {V}', 'CVV {V}'],
  },
  EXPIRY: {
    en: [
      'it expires {V}',
      'expiry date {V}',
      'valid until {V}',
      'the expiration is {V}',
      '{V} is when it expires',
    ],
    es: ['caduca el {V}', 'fecha de vencimiento {V}', 'vence en {V}', 'válida hasta {V}'],
    fr: ['elle expire en {V}', 'date d’expiration {V}', 'valable jusqu’à {V}'],
    de: ['sie läuft ab {V}', 'gültig bis {V}', 'Ablaufdatum {V}'],
    pt: ['validade {V}', 'vence em {V}', 'data de validade {V}', 'válido até {V}'],
  },
  SSN: {
    en: ['my social security number is {V}', 'SSN {V}', 'my social is {V}', '{V}, that is my social'],
    es: ['mi número de seguro social es {V}', 'el seguro social {V}'],
    fr: ['mon numéro de sécurité sociale américain est {V}', 'le SSN est {V}'],
    de: ['meine amerikanische Sozialversicherungsnummer ist {V}', 'SSN {V}'],
    pt: ['meu número de seguro social é {V}', 'o SSN é {V}'],
  },
  PHONE: {
    en: [
      'you can reach me on {V}',
      'my mobile is {V}',
      'best number is {V}',
      'text me at {V}',
      '{V} is my cell',
      'call me back on {V}',
    ],
    es: ['mi móvil es el {V}', 'puede llamarme al {V}', 'mi número es {V}', '{V} es mi celular'],
    fr: [
      'mon portable c’est le {V}',
      'vous pouvez me joindre au {V}',
      'rappelez-moi au {V}',
      '{V}, c’est mon numéro',
    ],
    de: [
      'meine Handynummer ist {V}',
      'Sie erreichen mich unter {V}',
      'rufen Sie mich an unter {V}',
      '{V} ist meine Nummer',
    ],
    pt: ['o meu telemóvel é {V}', 'pode ligar para o {V}', 'meu número é {V}', '{V} é o meu contacto'],
  },
  EMAIL: {
    en: ['my email is {V}', 'send it to {V}', 'the address is {V}', '{V} is my email'],
    es: ['mi correo es {V}', 'envíelo a {V}', 'el email es {V}'],
    fr: ['mon adresse mail est {V}', 'envoyez-le à {V}', 'mon courriel {V}'],
    de: ['meine E-Mail ist {V}', 'schicken Sie es an {V}', 'die Adresse lautet {V}'],
    pt: ['o meu email é {V}', 'envie para {V}', 'o endereço é {V}'],
  },
  BANK_ACCOUNT: {
    en: [
      'my checking account number is {V}',
      'account number {V}',
      'the savings account is {V}',
      'bank account {V}',
    ],
    es: ['mi número de cuenta es {V}', 'la cuenta bancaria {V}'],
    fr: ['mon numéro de compte est {V}', 'le compte bancaire {V}'],
    de: ['meine Kontonummer ist {V}', 'Konto {V}'],
    pt: ['o número da conta é {V}', 'conta bancária {V}'],
  },
  ROUTING_NUMBER: {
    en: ['the routing number is {V}', 'ABA {V}', 'routing {V}', 'bank routing number {V}'],
    es: ['el número de ruta es {V}', 'número de ruta bancaria {V}'],
    fr: ['le numéro de routage ABA est {V}', 'routing {V}'],
    de: ['die ABA-Routingnummer ist {V}', 'Routing-Nummer {V}'],
    pt: ['o número de roteamento é {V}', 'routing number {V}'],
  },
  IBAN: {
    en: ['my IBAN is {V}', 'IBAN {V}', 'please send the refund to {V}'],
    es: ['mi IBAN es {V}', 'el IBAN {V}', 'la cuenta IBAN {V}'],
    fr: ['mon IBAN est {V}', 'IBAN {V}', 'virez sur {V}'],
    de: ['meine IBAN ist {V}', 'IBAN {V}', 'überweisen Sie auf {V}'],
    pt: ['o meu IBAN é {V}', 'IBAN {V}', 'transfira para {V}'],
  },
  SORT_CODE: {
    en: ['sort code {V}', 'the sort code is {V}', '{V} is the sort code'],
    es: ['el sort code de mi banco inglés es {V}'],
    fr: ['le sort code de ma banque anglaise est {V}'],
    de: ['die Sort Code meiner britischen Bank ist {V}'],
    pt: ['o sort code do meu banco inglês é {V}'],
  },
  DOB: {
    en: [
      'I was born on {V}',
      'date of birth {V}',
      'my birthday is {V}',
      'DOB {V}',
      '{V}, that is my date of birth',
    ],
    es: ['nací el {V}', 'mi fecha de nacimiento es {V}', 'fecha de nacimiento {V}'],
    fr: ['je suis né le {V}', 'ma date de naissance est le {V}', 'née le {V}'],
    de: ['ich bin am {V} geboren', 'mein Geburtsdatum ist der {V}', 'geboren am {V}'],
    pt: ['nasci em {V}', 'a minha data de nascimento é {V}', 'nascido a {V}'],
  },
};

const AGENT_PROMPT: Record<Lang, string[]> = {
  en: ['Go ahead.', 'Okay, and the rest?', 'Mm-hm, continue.', 'Sorry, could you repeat that?'],
  es: ['Adelante.', 'Sí, ¿y el resto?', 'Dígame.'],
  fr: ['Allez-y.', 'Oui, et la suite ?', 'Je vous écoute.'],
  de: ['Bitte.', 'Ja, und weiter?', 'Ich höre.'],
  pt: ['Pode dizer.', 'Sim, e o resto?', 'Continue.'],
};

const READ_BACK: Record<Lang, string[]> = {
  en: ['Let me read that back: {V}, correct?', 'So that is {V}?', 'I have {V}.'],
  es: ['Le confirmo: {V}, ¿correcto?', 'Entonces es {V}.'],
  fr: ['Je répète : {V}, c’est bien ça ?', 'Donc {V}.'],
  de: ['Ich wiederhole: {V}, richtig?', 'Also {V}.'],
  pt: ['Confirmo: {V}, certo?', 'Então é {V}.'],
};

// ---------------------------------------------------------------------------------------------
// Look-alikes that must be kept

function keepValue(category: KeepCategory, lang: Lang, rnd: Random): string {
  switch (category) {
    case 'AMOUNT': {
      const whole = rnd.int(1, 4999);
      const cents = String(rnd.int(0, 99)).padStart(2, '0');
      if (lang === 'en') return rnd.pick([`$${whole}.${cents}`, `£${whole}.${cents}`, `${whole} dollars`]);
      return rnd.pick([`${whole},${cents} €`, `${whole} euros`, `€${whole}`]);
    }
    case 'TIME':
      return lang === 'en'
        ? rnd.pick([
            `${rnd.int(1, 12)}:${rnd.pick(['00', '15', '30', '45'])} pm`,
            `${rnd.int(7, 11)}:${rnd.pick(['05', '20', '50'])}`,
          ])
        : `${rnd.int(8, 20)}:${rnd.pick(['00', '15', '30', '45'])}`;
    case 'ORDER':
      return rnd.pick([
        `${rnd.int(100, 999)}-${rnd.digits(7)}`,
        `#${rnd.digits(6)}`,
        `A${rnd.digits(8)}`,
        rnd.digits(rnd.int(6, 8)),
      ]);
    case 'TICKET':
      return rnd.pick([`INC${rnd.digits(7)}`, `CS-${rnd.digits(6)}`, `${rnd.digits(5)}`]);
    case 'VERSION':
      return rnd.pick([
        `${rnd.int(1, 17)}.${rnd.int(0, 9)}.${rnd.int(0, 20)}`,
        `v${rnd.int(2, 12)}.${rnd.int(0, 9)}`,
      ]);
    case 'QUANTITY':
      return String(rnd.int(2, 48));
    case 'YEAR':
      return String(rnd.int(2015, 2025));
  }
}

const KEEP_PHRASE: Record<KeepCategory, Record<Lang, string[]>> = {
  AMOUNT: {
    en: ['I was charged {K} twice', 'the bill says {K}', 'a refund of {K}'],
    es: ['me cobraron {K} dos veces', 'la factura es de {K}'],
    fr: ['on m’a prélevé {K}', 'la facture est de {K}'],
    de: ['mir wurden {K} abgebucht', 'die Rechnung über {K}'],
    pt: ['cobraram {K} duas vezes', 'a fatura é de {K}'],
  },
  TIME: {
    en: ['the technician comes at {K}', 'I called at {K}'],
    es: ['el técnico viene a las {K}', 'llamé a las {K}'],
    fr: ['le technicien passe à {K}', 'j’ai appelé à {K}'],
    de: ['der Techniker kommt um {K}', 'ich habe um {K} angerufen'],
    pt: ['o técnico vem às {K}', 'liguei às {K}'],
  },
  ORDER: {
    en: ['my order number is {K}', 'order {K} never arrived', 'the confirmation is {K}'],
    es: ['mi número de pedido es {K}', 'el pedido {K} no llegó'],
    fr: ['ma commande numéro {K}', 'la commande {K} n’est pas arrivée'],
    de: ['meine Bestellnummer ist {K}', 'die Bestellung {K} kam nie an'],
    pt: ['o número da encomenda é {K}', 'a encomenda {K} não chegou'],
  },
  TICKET: {
    en: ['ticket {K} is still open', 'the case number is {K}'],
    es: ['la incidencia {K} sigue abierta', 'el caso {K}'],
    fr: ['le ticket {K} est toujours ouvert', 'dossier {K}'],
    de: ['das Ticket {K} ist noch offen', 'Vorgangsnummer {K}'],
    pt: ['o ticket {K} continua aberto', 'o processo {K}'],
  },
  VERSION: {
    en: ['the app is on version {K}', 'after updating to {K}'],
    es: ['la aplicación está en la versión {K}', 'tras actualizar a {K}'],
    fr: ['l’application est en version {K}', 'depuis la mise à jour {K}'],
    de: ['die App ist auf Version {K}', 'nach dem Update auf {K}'],
    pt: ['a aplicação está na versão {K}', 'depois de atualizar para {K}'],
  },
  QUANTITY: {
    en: ['I ordered {K} boxes', 'it has been {K} days'],
    es: ['pedí {K} cajas', 'ya van {K} días'],
    fr: ['j’ai commandé {K} cartons', 'ça fait {K} jours'],
    de: ['ich habe {K} Kartons bestellt', 'seit {K} Tagen'],
    pt: ['encomendei {K} caixas', 'já são {K} dias'],
  },
  YEAR: {
    en: ['I have been a customer since {K}', 'back in {K}'],
    es: ['soy cliente desde {K}', 'en {K}'],
    fr: ['je suis client depuis {K}', 'en {K}'],
    de: ['ich bin seit {K} Kunde', 'im Jahr {K}'],
    pt: ['sou cliente desde {K}', 'em {K}'],
  },
};

const AND: Record<Lang, string> = { en: 'and', es: 'y', fr: 'et', de: 'und', pt: 'e' };

const OPENERS: Record<Lang, string[]> = {
  en: ['Okay so,', 'Right,', 'Yes,', 'Sure,', ''],
  es: ['Bueno,', 'Vale,', 'Sí,', ''],
  fr: ['Alors,', 'Oui,', 'D’accord,', ''],
  de: ['Also,', 'Ja,', 'Okay,', ''],
  pt: ['Bom,', 'Sim,', 'Ok,', ''],
};

// ---------------------------------------------------------------------------------------------
// Items

const CATEGORIES: readonly Category[] = [
  'CARD',
  'CVV',
  'EXPIRY',
  'SSN',
  'PHONE',
  'EMAIL',
  'BANK_ACCOUNT',
  'ROUTING_NUMBER',
  'IBAN',
  'SORT_CODE',
  'DOB',
];
const KEEPS: readonly KeepCategory[] = ['AMOUNT', 'TIME', 'ORDER', 'TICKET', 'VERSION', 'QUANTITY', 'YEAR'];

function fillTemplate(turn: Turn, template: string, insert: (t: Turn) => void): void {
  const [before, after] = template.split(/\{[VK]\}/) as [string, string];
  if (before.trim()) turn.add(before.trimEnd());
  insert(turn);
  if (after) turn.text += after;
}

function sayInto(turn: Turn, said: Said, index: number): Range[] {
  const ranges: Range[] = [];
  said.pieces.forEach((p, i) => {
    if (i > 0) turn.text += said.joins[i - 1]!;
    const r = turn.add(p);
    ranges.push({ ...r, turn: index });
  });
  return ranges;
}

function makeItem(id: number, rnd: Random): Item {
  const lang = LANGS[id % LANGS.length]!;
  const turns: Turn[] = [];
  const speakers: ('customer' | 'agent')[] = [];
  const pii: Item['pii'] = [];
  const keep: Item['keep'] = [];
  const newTurn = (speaker: 'customer' | 'agent'): Turn => {
    const t = new Turn();
    turns.push(t);
    speakers.push(speaker);
    return t;
  };
  const addKeep = (turn: Turn): void => {
    const category = rnd.pick(KEEPS);
    const value = keepValue(category, lang, rnd);
    fillTemplate(turn, rnd.pick(KEEP_PHRASE[category][lang]), (t) => {
      const r = t.add(value);
      keep.push({ category, range: { ...r, turn: turns.indexOf(turn) } });
    });
  };

  const kind = rnd.next();
  if (kind < 0.22) {
    // Look-alikes only.
    const t = newTurn('customer');
    t.add(rnd.pick(OPENERS[lang]));
    addKeep(t);
    if (rnd.chance(0.5)) {
      t.text += rnd.pick([`, ${AND[lang]} `, '. ', '; ']);
      addKeep(t);
    }
    t.text += '.';
  } else {
    const category = CATEGORIES[Math.floor(rnd.next() * CATEGORIES.length)]!;
    const said = sensitive(category, lang, rnd);
    const split = said.pieces.length === 1 && said.form.startsWith('spoken-digits') && rnd.chance(0.2);
    const t = newTurn('customer');
    t.add(rnd.pick(OPENERS[lang]));
    if (rnd.chance(0.25)) {
      addKeep(t);
      t.text += rnd.pick(['. ', `, ${AND[lang]} `, ' — ']);
    }
    const template = rnd.pick(ASK[category][lang]);
    if (split) {
      // The customer stops halfway, the agent prompts, the customer goes on (split across turns).
      const words = said.pieces[0]!.split(' ');
      const cut = Math.max(1, Math.floor(words.length / 2));
      const first: Said = { pieces: [words.slice(0, cut).join(' ')], joins: [], form: said.form };
      const second: Said = { pieces: [words.slice(cut).join(' ')], joins: [], form: said.form };
      const [before] = template.split('{V}') as [string];
      if (before.trim()) t.add(before.trimEnd());
      const r1 = sayInto(t, first, 0);
      t.text += '…';
      newTurn('agent').add(rnd.pick(AGENT_PROMPT[lang]));
      const t3 = newTurn('customer');
      const r2 = sayInto(t3, second, 2);
      t3.text += '.';
      pii.push({ category, form: `${said.form}+split-turns`, pieces: [...r1, ...r2] });
    } else {
      let ranges: Range[] = [];
      fillTemplate(t, template, (turn) => (ranges = sayInto(turn, said, 0)));
      if (rnd.chance(0.3)) {
        t.text += rnd.pick([', ', '. ']);
        addKeep(t);
      }
      t.text += '.';
      pii.push({ category, form: said.form, pieces: ranges });
    }
    // The agent reads the value back (another speaker, another turn).
    if (rnd.chance(0.25) && said.pieces.length === 1 && !split) {
      const a = newTurn('agent');
      const readBack = rnd.pick(READ_BACK[lang]);
      let ranges: Range[] = [];
      fillTemplate(a, readBack, (turn) => (ranges = sayInto(turn, said, turns.length - 1)));
      pii.push({ category, form: `${said.form}+read-back`, pieces: ranges });
    }
  }
  return {
    id: `u${String(id).padStart(5, '0')}`,
    lang,
    turns: turns.map((t, i) => ({ speaker: speakers[i]!, text: t.text })),
    pii,
    keep,
  };
}

export function generate(seed = SEED, count = ITEMS): Item[] {
  const rnd = new Random(seed);
  const items: Item[] = [];
  for (let i = 0; i < count; i++) items.push(makeItem(i, rnd));
  return items;
}

/** Split once, by a hash of the id: half to tune, half to test. */
export function splitOf(id: string): 'tune' | 'test' {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h % 2 === 0 ? 'tune' : 'test';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const items = generate();
  for (const item of items)
    for (const p of item.pii)
      for (const r of p.pieces)
        if (r.end > item.turns[r.turn]!.text.length || r.start < 0)
          throw new Error(`bad range in ${item.id}`);
  const dir = new URL('./', import.meta.url);
  for (const half of ['tune', 'test'] as const) {
    const lines = items.filter((i) => splitOf(i.id) === half).map((i) => JSON.stringify(i));
    writeFileSync(new URL(`${half}.jsonl`, dir), `${lines.join('\n')}\n`);
    console.error(`${half}: ${lines.length} items`);
  }
}
