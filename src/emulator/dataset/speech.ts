// Voice recordings that sound like their transcript: 8 kHz 16-bit mono PCM as long as the
// transcript, a faint hiss everywhere and a tone burst at every word's time (a different pitch
// per word), so a test can check that redacted words went silent and nothing else changed. Like
// MediaSource, any byte is a pure function of (seed, recording, offset): chunks are generated on
// demand from the word timeline (two small arrays), never the whole file.
import { CHUNK, MediaSource } from './media.ts';

const RATE = 8000;
const HEADER = 44;
const TONE_AMPLITUDE = 6000;
/** Hiss: the low 3 bits of the noise, so silence (all zero) is told apart from it. */
const HISS_MASK = 0x0007;

/** Word start/end times in milliseconds from the start of the recording, sorted by start. */
export interface WordTimeline {
  startMs: Float64Array;
  endMs: Float64Array;
  durationMs: number;
}

export function wavBytesFor(durationMs: number): number {
  return HEADER + 2 * Math.ceil((durationMs * RATE) / 1000);
}

export class SpeechSource extends MediaSource {
  private readonly words: WordTimeline;

  constructor(seed: number, key: string, words: WordTimeline) {
    super(seed, key, wavBytesFor(words.durationMs));
    this.words = words;
  }

  /** First word that ends after sample n (words do not overlap: one speaker's phrase at a time). */
  private firstWordAfter(n: number): number {
    const ends = this.words.endMs;
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ends[mid]! * RATE) / 1000 <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  override chunk(k: number, into?: Buffer): Buffer {
    // The noise chunk gives the header and a deterministic hiss source.
    const buf = super.chunk(k, into);
    const start = k * CHUNK;
    const from = Math.max(start, HEADER);
    if (from >= start + buf.length) return buf;
    const first = (from - HEADER) / 2;
    const count = Math.floor((start + buf.length - from) / 2);
    const aligned = (buf.byteOffset + (from - start)) % 2 === 0;
    const samples = aligned
      ? new Int16Array(buf.buffer, buf.byteOffset + (from - start), count)
      : Int16Array.from({ length: count }, (_, i) => buf.readInt16LE(from - start + 2 * i));
    for (let i = 0; i < count; i++) samples[i] = samples[i]! & HISS_MASK;
    const { startMs, endMs } = this.words;
    for (let w = this.firstWordAfter(first); w < startMs.length; w++) {
      const a = Math.max(first, Math.ceil((startMs[w]! * RATE) / 1000));
      const b = Math.min(first + count, Math.ceil((endMs[w]! * RATE) / 1000));
      if (a >= first + count) break;
      const tone = TONES[w % TONES.length]!;
      for (let n = a; n < b; n++) samples[n - first] = tone[n % RATE]!;
    }
    if (!aligned) for (let i = 0; i < count; i++) buf.writeInt16LE(samples[i]!, from - start + 2 * i);
    return buf;
  }
}

/** One second of each word pitch (whole hertz, so a second is a whole number of periods); never
 * zero, so a silenced word is told apart from a tone crossing zero. */
const TONES: Int16Array[] = Array.from({ length: 7 }, (_, f) =>
  Int16Array.from(
    { length: RATE },
    (_, n) => Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * (300 + f * 70) * n) / RATE)) | 1,
  ),
);
