// Recording audio, generated on the fly: a valid WAV (RIFF header + 8 kHz 16-bit mono PCM noise)
// whose bytes at any offset are a pure function of (seed, recording, offset). Nothing is ever
// held in memory beyond one 64 KiB chunk, so a 500 MB recording costs the same RAM as a 16 KiB one.
import { createHash } from 'node:crypto';
import { subSeed, Rng } from '../random.ts';

export const CHUNK = 64 * 1024;
const WAV_HEADER = 44;

export class MediaSource {
  readonly size: number;
  private readonly seed: number;
  private readonly key: string;
  private readonly salt: number;
  private noise: Uint32Array | undefined;

  constructor(seed: number, key: string, size: number) {
    this.size = size;
    this.seed = seed;
    this.key = key;
    this.salt = subSeed(seed, `media-salt:${key}`);
  }

  /** One chunk of noise per recording, made on first use; every chunk is it mixed with its index. */
  private get base(): Uint32Array {
    if (!this.noise) {
      const rng = new Rng(subSeed(this.seed, `media:${this.key}`));
      this.noise = new Uint32Array(CHUNK / 4);
      for (let i = 0; i < this.noise.length; i++) this.noise[i] = Math.floor(rng.next() * 4294967296);
    }
    return this.noise;
  }

  /** Chunk `k` (absolute, CHUNK-aligned), shortened at the end of the file. */
  chunk(k: number, into?: Buffer): Buffer {
    const start = k * CHUNK;
    const length = Math.min(CHUNK, this.size - start);
    const buf = into && into.length >= CHUNK ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    // Quiet noise: keep samples small so the audio is a plausible hiss, not full-scale static.
    const mix = (Math.imul(k + 1, 0x9e3779b1) ^ this.salt) >>> 0;
    const n = Math.floor(length / 4);
    if (buf.byteOffset % 4 === 0) {
      const words = new Uint32Array(buf.buffer, buf.byteOffset, n);
      const base = this.base;
      for (let i = 0; i < n; i++) words[i] = (base[i]! ^ mix) & 0x0fff0fff;
    } else {
      for (let i = 0; i < n; i++) buf.writeUInt32LE(((this.base[i]! ^ mix) & 0x0fff0fff) >>> 0, i * 4);
    }
    for (let i = Math.floor(length / 4) * 4; i < length; i++) buf[i] = 0;
    if (k === 0) writeWavHeader(buf, this.size);
    return buf;
  }

  /**
   * Up to `into.length` bytes starting at `offset` (never past `end`, inclusive), written into
   * `into`: the piece of the file a streaming response sends next.
   */
  slice(offset: number, end: number, into: Buffer): Buffer {
    const k = Math.floor(offset / CHUNK);
    const c = this.chunk(k, into);
    const from = offset - k * CHUNK;
    const to = Math.min(c.length, end - k * CHUNK + 1);
    return c.subarray(from, to);
  }

  /** sha256 of the whole file, streamed through one reused buffer (callers cache it). */
  sha256(): string {
    const hash = createHash('sha256');
    const scratch = Buffer.allocUnsafe(CHUNK);
    const chunks = Math.ceil(this.size / CHUNK);
    for (let k = 0; k < chunks; k++) hash.update(this.chunk(k, scratch));
    return hash.digest('hex');
  }

  /** A strong ETag that changes with the content. */
  etag(): string {
    return `"${createHash('sha256').update(`${this.salt}:${this.size}`).digest('hex').slice(0, 32)}"`;
  }
}

function writeWavHeader(buf: Buffer, size: number): void {
  const header = Buffer.alloc(WAV_HEADER);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, size - 8), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24); // sample rate
  header.writeUInt32LE(16000, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(0xffffffff, size - WAV_HEADER), 40);
  header.copy(buf, 0, 0, Math.min(WAV_HEADER, buf.length));
}

/** Content-Type per Genesys formatId (the bytes are the same WAV for every format). */
export function contentTypeOf(formatId: string): string {
  switch (formatId) {
    case 'WAV':
    case 'WAV_ULAW':
      return 'audio/wav';
    case 'OGG_VORBIS':
    case 'OGG_OPUS':
      return 'audio/ogg';
    case 'MP3':
      return 'audio/mpeg';
    default:
      return 'audio/webm';
  }
}
