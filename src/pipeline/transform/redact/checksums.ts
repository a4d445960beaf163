// Check digits that separate real account numbers from any run of digits.

/** Luhn (mod 10), used by every payment card number. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

/** ABA routing number: 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function abaValid(digits: string): boolean {
  if (!/^\d{9}$/.test(digits) || digits === '000000000') return false;
  const d = [...digits].map(Number) as number[];
  const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
  return sum % 10 === 0;
}

// IBAN length per country (ISO 13616 registry), for the countries callers most often read out: a
// length check stops a mod-97 match that swallowed the words after the number (1 in 97 would pass).
const IBAN_LENGTHS: Record<string, number> = {
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LT: 20,
  LU: 20,
  LV: 21,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
};

/** IBAN (ISO 13616): move the first four characters to the end, letters to 10..35, mod 97 = 1.
 * One pass over character codes (no intermediate strings): every written IBAN-shaped match in a
 * text is checked, and read-outs of IBANs are common in banking calls. */
export function ibanValid(iban: string): boolean {
  const codes: number[] = [];
  for (let i = 0; i < iban.length; i++) {
    const c = iban.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    codes.push(c >= 97 && c <= 122 ? c - 32 : c);
  }
  if (codes.length < 15 || codes.length > 34) return false;
  if (!isUpper(codes[0]!) || !isUpper(codes[1]!) || !isDigitCode(codes[2]!) || !isDigitCode(codes[3]!))
    return false;
  for (let i = 4; i < codes.length; i++) if (!isUpper(codes[i]!) && !isDigitCode(codes[i]!)) return false;
  const expected = IBAN_LENGTHS[String.fromCharCode(codes[0]!, codes[1]!)];
  if (expected !== undefined && codes.length !== expected) return false;
  let rem = 0;
  for (let k = 0; k < codes.length; k++) {
    const c = codes[(k + 4) % codes.length]!;
    rem = isDigitCode(c) ? (rem * 10 + (c - 48)) % 97 : (rem * 100 + (c - 55)) % 97;
  }
  return rem === 1;
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
