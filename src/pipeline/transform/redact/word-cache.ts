// The tokenizer's cache of words it has met, with each word's normal form and flags
// (./word-flags.ts). A conversation says "the", "número" and "quatre" many times; looking a word
// up here costs no substring, no string hashing and no list lookups.
//
// Laid out in typed arrays (open addressing, the words' code units in one arena) rather than as
// objects: a lookup per word is the tokenizer's hottest step, and compact arrays keep it to a few
// cache lines. Bounded: emptied when full, so memory stays flat. Probing stops after a few slots,
// so text made to collide (distinct words with one hash) costs a few compares per word, never a
// scan: such words are just not cached.

const SLOTS = 1 << 15;
const MASK = SLOTS - 1;
/** Filled past this many slots, the cache starts over (probe runs stay short). */
const MAX_USED = (SLOTS * 3) >> 2;
const MAX_PROBES = 8;
/** Longer words are not cached (they are rare, and a lookup compares every code unit). */
export const MAX_CACHED_LENGTH = 32;
const ARENA_UNITS = SLOTS * 12;

// A slot's numbers sit side by side (hash, where its units start in the arena or -1 when empty,
// length, flags): a lookup touches one cache line, not one per array.
const STRIDE = 4;
const HASH = 0;
const OFFSET = 1;
const LENGTH = 2;
const FLAGS = 3;
const slots = new Int32Array(SLOTS * STRIDE);
const slotNorm: string[] = new Array<string>(SLOTS).fill('');
const arena = new Uint16Array(ARENA_UNITS);
let arenaUsed = 0;
let used = 0;

function emptyAll(): void {
  for (let s = 0; s < SLOTS; s++) slots[s * STRIDE + OFFSET] = -1;
}
emptyAll();

function clear(): void {
  emptyAll();
  slotNorm.fill('');
  arenaUsed = 0;
  used = 0;
}

function home(h: number): number {
  return (h ^ (h >>> 15)) & MASK;
}

function sameUnits(offset: number, text: string, start: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (arena[offset + k] !== text.charCodeAt(start + k)) return false;
  return true;
}

/** The slot holding the word text[start, end) whose code units hash to `h`, or -1. */
export function findWord(text: string, start: number, end: number, h: number): number {
  const length = end - start;
  for (let p = 0, s = home(h); p < MAX_PROBES; p++, s = (s + 1) & MASK) {
    const at = s * STRIDE;
    const offset = slots[at + OFFSET]!;
    if (offset < 0) return -1;
    if (slots[at + HASH] === h && slots[at + LENGTH] === length && sameUnits(offset, text, start, length))
      return s;
  }
  return -1;
}

/** Remembers a word; returns its slot, or -1 when it is not cached (too long, or its probe run
 * is full). */
export function addWord(
  text: string,
  start: number,
  end: number,
  h: number,
  norm: string,
  flags: number,
): number {
  const length = end - start;
  if (length > MAX_CACHED_LENGTH) return -1;
  if (used >= MAX_USED || arenaUsed + length > ARENA_UNITS) clear();
  for (let p = 0, s = home(h); p < MAX_PROBES; p++, s = (s + 1) & MASK) {
    const at = s * STRIDE;
    if (slots[at + OFFSET]! >= 0) continue;
    for (let k = 0; k < length; k++) arena[arenaUsed + k] = text.charCodeAt(start + k);
    slots[at + OFFSET] = arenaUsed;
    slots[at + HASH] = h;
    slots[at + LENGTH] = length;
    slots[at + FLAGS] = flags;
    slotNorm[s] = norm;
    arenaUsed += length;
    used++;
    return s;
  }
  return -1;
}

export function normAt(slot: number): string {
  return slotNorm[slot]!;
}

export function flagsAt(slot: number): number {
  return slots[slot * STRIDE + FLAGS]!;
}
