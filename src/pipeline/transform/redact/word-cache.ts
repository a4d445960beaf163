// The tokenizer's cache of words it has met, with each word's normal form, flags and lexicon
// entries (./word-flags.ts). A conversation says "the", "número" and "quatre" many times; looking
// a word up here costs no substring, no string hashing and no list lookups.
//
// Laid out in typed arrays (open addressing, the words' code units in one arena) rather than as
// objects: a lookup per word is the tokenizer's hottest step, and compact arrays keep it to a few
// cache lines (see below). Bounded: emptied when full, so memory stays flat. Probing stops after a few slots,
// so text made to collide (distinct words with one hash) costs a few compares per word, never a
// scan: such words are just not cached.
import { NO_WORD_INFO, type WordInfo } from './word-flags.ts';

const SLOTS = 1 << 15;
const MASK = SLOTS - 1;
/** Filled past this many words, the cache starts over (probe runs stay short). */
const MAX_USED = (SLOTS * 3) >> 2;
const MAX_PROBES = 8;
/** Longer words are not cached (they are rare, and a lookup compares every code unit). */
export const MAX_CACHED_LENGTH = 32;
const ARENA_UNITS = SLOTS * 12;

// The hash table holds only (hash, entry) pairs; the words themselves are entries numbered in the
// order they were met, their numbers side by side (where the units start in the arena, length,
// flags) and their normal forms and lexicon entries in dense arrays: a conversation's words sit
// in a few kilobytes instead of being spread over the whole table.
const TABLE_STRIDE = 2;
const HASH = 0;
const ENTRY = 1;
const ENTRY_STRIDE = 3;
const OFFSET = 0;
const LENGTH = 1;
const FLAGS = 2;
/** Per slot: the hash, and the entry, or -1 when the slot is empty. */
const table = new Int32Array(SLOTS * TABLE_STRIDE);
const entries = new Int32Array(MAX_USED * ENTRY_STRIDE);
const entryNorm: string[] = new Array<string>(MAX_USED).fill('');
const entryInfo: WordInfo[] = new Array<WordInfo>(MAX_USED).fill(NO_WORD_INFO);
const arena = new Uint16Array(ARENA_UNITS);
let arenaUsed = 0;
let used = 0;

function emptyAll(): void {
  for (let s = 0; s < SLOTS; s++) table[s * TABLE_STRIDE + ENTRY] = -1;
}
emptyAll();

function clear(): void {
  emptyAll();
  entryNorm.fill('');
  entryInfo.fill(NO_WORD_INFO);
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

/** The entry holding the word text[start, end) whose code units hash to `h`, or -1. */
export function findWord(text: string, start: number, end: number, h: number): number {
  const length = end - start;
  for (let p = 0, s = home(h); p < MAX_PROBES; p++, s = (s + 1) & MASK) {
    const at = s * TABLE_STRIDE;
    const e = table[at + ENTRY]!;
    if (e < 0) return -1;
    if (table[at + HASH] !== h) continue;
    const ea = e * ENTRY_STRIDE;
    if (entries[ea + LENGTH] === length && sameUnits(entries[ea + OFFSET]!, text, start, length)) return e;
  }
  return -1;
}

/** Remembers a word; returns its entry, or -1 when it is not cached (too long, or its probe run
 * is full). */
export function addWord(
  text: string,
  start: number,
  end: number,
  h: number,
  norm: string,
  flags: number,
  info: WordInfo,
): number {
  const length = end - start;
  if (length > MAX_CACHED_LENGTH) return -1;
  if (used >= MAX_USED || arenaUsed + length > ARENA_UNITS) clear();
  for (let p = 0, s = home(h); p < MAX_PROBES; p++, s = (s + 1) & MASK) {
    const at = s * TABLE_STRIDE;
    if (table[at + ENTRY]! >= 0) continue;
    for (let k = 0; k < length; k++) arena[arenaUsed + k] = text.charCodeAt(start + k);
    const e = used++;
    const ea = e * ENTRY_STRIDE;
    entries[ea + OFFSET] = arenaUsed;
    entries[ea + LENGTH] = length;
    entries[ea + FLAGS] = flags;
    entryNorm[e] = norm;
    entryInfo[e] = info;
    table[at + HASH] = h;
    table[at + ENTRY] = e;
    arenaUsed += length;
    return e;
  }
  return -1;
}

export function normAt(entry: number): string {
  return entryNorm[entry]!;
}

export function infoAt(entry: number): WordInfo {
  return entryInfo[entry]!;
}

export function flagsAt(entry: number): number {
  return entries[entry * ENTRY_STRIDE + FLAGS]!;
}
