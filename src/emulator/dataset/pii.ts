// Realistic sensitive values for the generated transcripts: checksum-valid cards, routing numbers
// and IBANs, written as digits or spoken as words ("four one one one", "double five", "oh"), plus
// the harmless numbers (amounts, times, menu choices) a redactor must leave alone. Every value
// planted is returned with the exact text that appears in the transcript, for the oracle.
import type { Rng } from '../random.ts';
import type { PlantedItem } from '../types.ts';

export type Language = 'en-US' | 'es-US' | 'fr-CA';
export const LANGUAGES: readonly Language[] = ['en-US', 'es-US', 'fr-CA'];

const DIGIT_WORDS: Record<Language, readonly string[]> = {
  'en-US': ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'],
  'es-US': ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve'],
  'fr-CA': ['zéro', 'un', 'deux', 'trois', 'quatre', 'cinq', 'six', 'sept', 'huit', 'neuf'],
};

/** Digits as a speech engine writes them: word by word; English callers say "oh" and "double". */
export function spokenDigits(digits: string, lang: Language, rng: Rng): string {
  const words = DIGIT_WORDS[lang];
  const out: string[] = [];
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i]);
    if (lang === 'en-US' && digits[i + 1] === digits[i] && rng.chance(0.5)) {
      out.push(`double ${words[d]}`);
      i++;
      continue;
    }
    out.push(lang === 'en-US' && d === 0 && rng.chance(0.5) ? 'oh' : words[d]!);
  }
  return out.join(' ');
}

function digitsOf(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
}

export function luhnCheckDigit(partial: string): number {
  let sum = 0;
  for (let i = 0; i < partial.length; i++) {
    let d = Number(partial[partial.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function cardNumber(rng: Rng): string {
  const prefix = rng.pick(['4', '51', '55', '37', '6011']);
  const length = prefix === '37' ? 15 : 16;
  const partial = prefix + digitsOf(rng, length - 1 - prefix.length);
  return partial + String(luhnCheckDigit(partial));
}

/** ABA routing numbers carry a 3-7-1 weighted checksum. */
export function routingNumber(rng: Rng): string {
  const first8 = String(rng.pick([0, 1, 2, 3, 6, 7, 8])) + digitsOf(rng, 7);
  const w = [3, 7, 1, 3, 7, 1, 3, 7];
  const sum = [...first8].reduce((s, c, i) => s + Number(c) * w[i]!, 0);
  return first8 + String((10 - (sum % 10)) % 10);
}

/** A German IBAN (22 chars) with valid ISO 7064 mod-97 check digits. */
export function iban(rng: Rng): string {
  const bban = digitsOf(rng, 18);
  const numeric = `${bban}131400`; // D=13, E=14, check digits 00
  let rem = 0;
  for (const c of numeric) rem = (rem * 10 + Number(c)) % 97;
  const check = String(98 - rem).padStart(2, '0');
  return `DE${check}${bban}`;
}

const FIRST = [
  'Maria',
  'José',
  'Hélène',
  'Liam',
  'Sofía',
  'Noah',
  'Chloé',
  'Ava',
  'Mateo',
  'Zoë',
  'Ethan',
  'Renée',
];
const LAST = ['Lopez', 'Muñoz', 'Tremblay', 'Smith', 'Gagnon', 'Nguyen', 'García', 'Côté', 'Brown', 'Peña'];

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
}

function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/**
 * The phrase planted for search tests, per language: the customer opens with it in every
 * conversation `plantsPhrase` picks (same placeholders as the usual opening, so the seeded draws
 * and everything else in the dialogue stay as they were).
 */
export const SEARCH_PHRASES: Record<Language, string> = {
  'en-US': 'cancel my account',
  'es-US': 'cancelar mi cuenta',
  'fr-CA': 'annuler mon compte',
};

/** One line of dialogue for the script, with what it plants. */
export interface Line {
  speaker: 'ivr' | 'agent' | 'customer' | 'bot';
  text: string;
  pii: PlantedItem[];
  keep: string[];
}

interface Piece {
  text: string;
  item?: PlantedItem;
  keep?: string;
}

type Entity = PlantedItem['entity'];

// How people type numbers on other keyboards and systems: full-width digits (Japanese/Chinese
// input methods), Unicode hyphens and minus signs (word processors, phones' autocorrect), and
// invisible characters pasted along (zero-width space, soft hyphen). Chosen by the value itself,
// not by the generator's random stream, so adding them changed no other draw of the dataset.
const FULL_WIDTH = (s: string): string => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const UNICODE_VARIANTS: Partial<Record<Entity, ((s: string) => string)[]>> = {
  CARD: [
    FULL_WIDTH,
    (s) => s.replace(/(\d{4})(?=\d)/, '$1\u200B'),
    (s) => s.replace(/(\d{8})(?=\d)/, '$1\u00AD'),
  ],
  SSN: [(s) => s.replace(/-/g, '\u2010'), (s) => s.replace(/-/g, '\u2011'), (s) => s.replace(/-/g, '\u2212')],
  PHONE: [(s) => s.replace(/-/g, '\u2212'), FULL_WIDTH, (s) => s.replace(/ /g, '\u2013')],
};

/** The written value, sometimes (about one in four, by its digits) in one of those forms. */
export function unicodeVariant(entity: Entity, written: string): string {
  const variants = UNICODE_VARIANTS[entity];
  if (!variants) return written;
  let h = 0;
  for (const c of written) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const k = h % (variants.length * 4);
  return k < variants.length ? variants[k]!(written) : written;
}

/** A sensitive value as the customer says or writes it. `spokenAllowed` is false in written channels. */
function sensitive(entity: Entity, lang: Language, rng: Rng, spokenAllowed: boolean): Piece {
  const spoken = spokenAllowed && rng.chance(0.45);
  const say = (digits: string, written: string): Piece => {
    const text = spoken
      ? spokenDigits(digits, lang, rng)
      : spokenAllowed
        ? written
        : unicodeVariant(entity, written);
    return { text, item: { entity, text, spoken } };
  };
  switch (entity) {
    case 'CARD': {
      const n = cardNumber(rng);
      const written = n.length === 16 && rng.chance(0.6) ? n.replace(/(\d{4})(?=\d)/g, '$1 ') : n;
      return say(n, written);
    }
    case 'CVV': {
      const n = digitsOf(rng, 3);
      return say(n, n);
    }
    case 'EXPIRY': {
      const mm = String(rng.int(1, 12)).padStart(2, '0');
      const yy = String(rng.int(27, 33));
      return say(mm + yy, `${mm}/${yy}`);
    }
    case 'SSN': {
      const n = `${rng.int(100, 665)}${String(rng.int(10, 99))}${String(rng.int(1000, 9999))}`;
      return say(n, `${n.slice(0, 3)}-${n.slice(3, 5)}-${n.slice(5)}`);
    }
    case 'PHONE': {
      const n = `${rng.pick(['415', '212', '514', '305', '617'])}555${String(rng.int(100, 199)).padStart(4, '0')}`;
      return say(
        n,
        rng.chance(0.5)
          ? `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`
          : `+1 ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`,
      );
    }
    case 'EMAIL': {
      const [first, last] = personName(rng).split(' ').map(asciiFold) as [string, string];
      const domain = rng.pick(['example.com', 'mail.example.org', 'correo.example.net']);
      const text = spoken
        ? `${first} ${lang === 'en-US' ? 'dot' : lang === 'es-US' ? 'punto' : 'point'} ${last} ${lang === 'en-US' ? 'at' : lang === 'es-US' ? 'arroba' : 'arobase'} ${domain.replace(/\./g, lang === 'en-US' ? ' dot ' : lang === 'es-US' ? ' punto ' : ' point ')}`
        : `${first}.${last}@${domain}`;
      return { text, item: { entity, text, spoken } };
    }
    case 'BANK_ACCOUNT': {
      const n = digitsOf(rng, rng.int(10, 12));
      return say(n, n);
    }
    case 'ROUTING_NUMBER': {
      const n = routingNumber(rng);
      return say(n, n);
    }
    case 'IBAN': {
      const text = iban(rng).replace(/(.{4})(?=.)/g, '$1 ');
      return { text, item: { entity, text, spoken: false } };
    }
    case 'DOB': {
      const y = rng.int(1950, 2000);
      const m = rng.int(1, 12);
      const d = rng.int(1, 28);
      const text = `${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`;
      return { text, item: { entity, text, spoken: false } };
    }
  }
}

/** Lines per language; `{X}` is replaced by a sensitive value of entity X, `{amount}` etc by kept numbers. */
const TEMPLATES: Record<
  Language,
  {
    ivr: string[];
    open: string[];
    /** The customer's opening line when the conversation carries the planted search phrase. */
    cancel: string;
    ask: Record<Entity, string>;
    answer: string[];
    filler: string[];
    close: string[];
  }
> = {
  'en-US': {
    ivr: [
      'Thank you for calling. For billing press {menu}. Calls may be recorded.',
      'Please hold, your call is number {count} in the queue.',
    ],
    open: [
      'Hi, this is {agent}, how can I help you today?',
      'Hi, I was charged {amount} twice on my last bill.',
    ],
    cancel: 'Hi, I want to cancel my account, I was charged {amount} twice on my last bill.',
    ask: {
      CARD: 'Sure, my card number is {CARD}.',
      CVV: 'The security code is {CVV}.',
      EXPIRY: 'It expires {EXPIRY}.',
      SSN: 'My social is {SSN}.',
      PHONE: 'You can call me back at {PHONE}.',
      EMAIL: 'My email is {EMAIL}.',
      BANK_ACCOUNT: 'The account number is {BANK_ACCOUNT}.',
      ROUTING_NUMBER: 'And the routing number is {ROUTING_NUMBER}.',
      IBAN: 'My IBAN is {IBAN}.',
      DOB: 'My date of birth is {DOB}.',
    },
    answer: [
      'Thanks, I have that. Let me check the account.',
      'Okay, I see {count} payments since {time}.',
      'The refund of {amount} will post in {days} days.',
    ],
    filler: [
      'Can you hold for a moment please?',
      'Sure, no problem.',
      'Let me look into that for you.',
      'Is there anything else I can help with?',
      'I appreciate your patience, that took {count} minutes.',
    ],
    close: ['No, that is all, thanks a lot 🙂', 'Have a great day, goodbye.'],
  },
  'es-US': {
    ivr: [
      'Gracias por llamar. Para facturación marque {menu}.',
      'Su llamada es la número {count} en la fila.',
    ],
    open: [
      'Hola, habla {agent}, ¿en qué le puedo ayudar?',
      'Hola, me cobraron {amount} dos veces en la última factura.',
    ],
    cancel: 'Hola, quiero cancelar mi cuenta, me cobraron {amount} dos veces en la última factura.',
    ask: {
      CARD: 'Claro, el número de mi tarjeta es {CARD}.',
      CVV: 'El código de seguridad es {CVV}.',
      EXPIRY: 'Vence el {EXPIRY}.',
      SSN: 'Mi seguro social es {SSN}.',
      PHONE: 'Mi teléfono es {PHONE}.',
      EMAIL: 'Mi correo es {EMAIL}.',
      BANK_ACCOUNT: 'El número de cuenta es {BANK_ACCOUNT}.',
      ROUTING_NUMBER: 'Y el número de ruta es {ROUTING_NUMBER}.',
      IBAN: 'Mi IBAN es {IBAN}.',
      DOB: 'Mi fecha de nacimiento es {DOB}.',
    },
    answer: [
      'Gracias, ya lo tengo. Déjeme revisar la cuenta.',
      'Veo {count} pagos desde las {time}.',
      'El reembolso de {amount} llegará en {days} días.',
    ],
    filler: [
      '¿Puede esperar un momento, por favor?',
      'Claro, no hay problema.',
      'Déjeme revisarlo.',
      '¿Algo más en que le pueda ayudar?',
      'Gracias por su paciencia, tardó {count} minutos.',
    ],
    close: ['No, eso es todo, muchas gracias 🙂', 'Que tenga buen día, adiós.'],
  },
  'fr-CA': {
    ivr: [
      'Merci d’avoir appelé. Pour la facturation, faites le {menu}.',
      'Votre appel est le numéro {count} dans la file.',
    ],
    open: [
      'Bonjour, ici {agent}, comment puis-je vous aider?',
      'Bonjour, on m’a facturé {amount} deux fois sur ma dernière facture.',
    ],
    cancel: 'Bonjour, je veux annuler mon compte, on m’a facturé {amount} deux fois sur ma dernière facture.',
    ask: {
      CARD: 'Oui, mon numéro de carte est {CARD}.',
      CVV: 'Le code de sécurité est {CVV}.',
      EXPIRY: 'Elle expire le {EXPIRY}.',
      SSN: 'Mon numéro d’assurance sociale est {SSN}.',
      PHONE: 'Vous pouvez me rappeler au {PHONE}.',
      EMAIL: 'Mon courriel est {EMAIL}.',
      BANK_ACCOUNT: 'Le numéro de compte est {BANK_ACCOUNT}.',
      ROUTING_NUMBER: 'Et le numéro de transit est {ROUTING_NUMBER}.',
      IBAN: 'Mon IBAN est {IBAN}.',
      DOB: 'Ma date de naissance est le {DOB}.',
    },
    answer: [
      'Merci, c’est noté. Je vérifie le compte.',
      'Je vois {count} paiements depuis {time}.',
      'Le remboursement de {amount} arrivera dans {days} jours.',
    ],
    filler: [
      'Pouvez-vous patienter un instant?',
      'Bien sûr, pas de problème.',
      'Je regarde ça pour vous.',
      'Puis-je vous aider avec autre chose?',
      'Merci de votre patience, ça a pris {count} minutes.',
    ],
    close: ['Non, c’est tout, merci beaucoup 🙂', 'Bonne journée, au revoir.'],
  },
};

const ENTITIES: readonly Entity[] = [
  'CARD',
  'CVV',
  'EXPIRY',
  'SSN',
  'PHONE',
  'EMAIL',
  'BANK_ACCOUNT',
  'ROUTING_NUMBER',
  'IBAN',
  'DOB',
];

function fill(
  template: string,
  speaker: Line['speaker'],
  lang: Language,
  rng: Rng,
  spokenAllowed: boolean,
  agentName: string,
): Line {
  const pii: PlantedItem[] = [];
  const keep: string[] = [];
  const text = template.replace(/\{(\w+)\}/g, (_, key: string) => {
    if ((ENTITIES as readonly string[]).includes(key)) {
      const p = sensitive(key as Entity, lang, rng, spokenAllowed);
      pii.push(p.item!);
      return p.text;
    }
    let value: string;
    if (key === 'agent') return agentName;
    else if (key === 'amount')
      value =
        lang === 'fr-CA'
          ? `${rng.int(10, 999)},${String(rng.int(0, 99)).padStart(2, '0')} $`
          : `$${rng.int(10, 999)}.${String(rng.int(0, 99)).padStart(2, '0')}`;
    else if (key === 'time') value = `${rng.int(1, 11)}:${rng.pick(['00', '15', '30', '45'])}`;
    else if (key === 'menu') value = String(rng.int(1, 9));
    else if (key === 'days') value = String(rng.int(3, 10));
    else value = String(rng.int(2, 12)); // count
    keep.push(value);
    return value;
  });
  return { speaker, text, pii, keep };
}

/**
 * The dialogue of one conversation. `turns` bounds its length (hour-long calls ask for hundreds).
 * Voice allows spoken values; digital channels are written. A planted value must occur exactly
 * once in the whole dialogue (a written CVV "694" must not also be part of "$694.67"), so that
 * "the planted text is gone" is a fair test of a redactor; a colliding draw is simply redrawn.
 */
export function dialogue(rng: Rng, lang: Language, opts: DialogueOptions): Line[] {
  for (let attempt = 0; ; attempt++) {
    const lines = draw(rng, lang, opts);
    if (attempt >= 50 || plantedOnce(lines)) return lines;
  }
}

function plantedOnce(lines: Line[]): boolean {
  const all = lines.map((l) => l.text).join('\n');
  return lines.every((l) => l.pii.every((p) => all.indexOf(p.text) === all.lastIndexOf(p.text)));
}

export interface DialogueOptions {
  voice: boolean;
  withIvr: boolean;
  turns: number;
  agentName: string;
  piiCount: number;
  /** The customer opens with SEARCH_PHRASES[lang]. */
  cancel?: boolean;
}

function draw(rng: Rng, lang: Language, opts: DialogueOptions): Line[] {
  const t = TEMPLATES[lang];
  const lines: Line[] = [];
  const add = (template: string, speaker: Line['speaker']) =>
    lines.push(fill(template, speaker, lang, rng, opts.voice, opts.agentName));
  if (opts.withIvr) for (const x of t.ivr) add(x, opts.voice ? 'ivr' : 'bot');
  add(t.open[0]!, 'agent');
  add(opts.cancel ? t.cancel : t.open[1]!, 'customer');
  for (const e of shuffled(ENTITIES, rng).slice(0, opts.piiCount)) {
    add(rng.pick(t.filler), 'agent');
    add(t.ask[e], 'customer');
    add(rng.pick(t.answer), 'agent');
  }
  while (lines.length < opts.turns - 2) {
    add(rng.pick(t.filler), lines.length % 2 === 0 ? 'agent' : 'customer');
    if (rng.chance(0.3)) add(rng.pick(t.answer), 'agent');
  }
  add(t.close[0]!, 'customer');
  add(t.close[1]!, 'agent');
  return lines;
}

function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
