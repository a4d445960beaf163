// Audio redaction: what the transcript redaction took out of the text is silenced in the
// recording too (a card number read out on a call must not stay in the WAV). The time ranges come
// from the redacted words' timings, widened by a small margin; the WAV is edited in place on disk,
// a 64 KiB buffer at a time, so memory does not grow with the recording.
//
// Time base: a Speech & Text Analytics transcript counts from the start of the transcribed media
// (voice.ts), which is the recording: transcript time t is recording time t.
//
// Formats: PCM (8/16/24/32-bit), IEEE float, µ-law and A-law WAV are edited; any other format
// (OGG, MP3, WebM) has no decoder here and is not delivered while redaction is on: the caller
// skips it with a reason (export with --media-format WAV to get redacted audio).
import { open, type FileHandle } from 'node:fs/promises';
import { GtError, isGtError } from '../../errors.ts';
import type { StagedFile } from '../../sinks/types.ts';
import { describeFile, type ManifestSkip } from '../manifest.ts';
import type { Transcript } from './model.ts';

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** Added before and after every redacted word: word timings from speech engines are approximate. */
export const AUDIO_MARGIN_MS = 150;

/** Time ranges to silence: every word whose text redaction changed, every span's time range,
 * and the whole segment for a span without word timings (fail closed); widened by the margin,
 * sorted and merged. */
export function redactedTimeRanges(
  before: Transcript,
  after: Transcript,
  marginMs = AUDIO_MARGIN_MS,
): TimeRange[] {
  const raw: TimeRange[] = [];
  after.segments.forEach((seg, si) => {
    const original = before.segments[si];
    seg.words?.forEach((w, wi) => {
      if (original?.words?.[wi]?.text !== w.text) raw.push({ startMs: w.startMs, endMs: w.endMs });
    });
  });
  for (const span of after.redaction.spans) {
    if (span.startMs !== undefined && span.endMs !== undefined)
      raw.push({ startMs: span.startMs, endMs: span.endMs });
    else {
      const seg = after.segments.find((s) => s.index === span.segmentIndex);
      if (seg) raw.push({ startMs: seg.startMs, endMs: seg.endMs });
    }
  }
  return mergeRanges(
    raw.map((r) => ({ startMs: Math.max(0, r.startMs - marginMs), endMs: r.endMs + marginMs })),
  );
}

export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = [...ranges].filter((r) => r.endMs > r.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: TimeRange[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ ...r });
  }
  return out;
}

export interface WavLayout {
  /** 1 PCM, 3 float, 6 A-law, 7 µ-law (WAVE_FORMAT_EXTENSIBLE resolved to its sub-format). */
  format: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  dataOffset: number;
  dataBytes: number;
}

const SUPPORTED: ReadonlySet<number> = new Set([1, 3, 6, 7]);

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** Walks the RIFF chunks (8-byte headers read one at a time) to the format and the data. */
export async function readWavLayout(fh: FileHandle, fileSize: number): Promise<WavLayout | undefined> {
  const riff = await readAt(fh, 0, 12);
  if (riff.length < 12 || riff.toString('ascii', 0, 4) !== 'RIFF' || riff.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  let pos = 12;
  let fmt: Omit<WavLayout, 'dataOffset' | 'dataBytes'> | undefined;
  while (pos + 8 <= fileSize) {
    const head = await readAt(fh, pos, 8);
    const id = head.toString('ascii', 0, 4);
    const size = head.readUInt32LE(4);
    if (id === 'fmt ') {
      const f = await readAt(fh, pos + 8, Math.min(size, 40));
      if (f.length < 16) return undefined;
      let format = f.readUInt16LE(0);
      if (format === 0xfffe && f.length >= 26) format = f.readUInt16LE(24);
      fmt = {
        format,
        sampleRate: f.readUInt32LE(4),
        blockAlign: f.readUInt16LE(12),
        bitsPerSample: f.readUInt16LE(14),
      };
    } else if (id === 'data') {
      if (!fmt) return undefined;
      // Streamed WAVs may announce 0 or 0xFFFFFFFF: the data runs to the end of the file.
      const dataOffset = pos + 8;
      const dataBytes =
        size === 0 || size === 0xffffffff ? fileSize - dataOffset : Math.min(size, fileSize - dataOffset);
      return { ...fmt, dataOffset, dataBytes };
    }
    pos += 8 + size + (size % 2);
  }
  return undefined;
}

function silenceByte(layout: WavLayout): number {
  if (layout.format === 7) return 0xff; // µ-law zero
  if (layout.format === 6) return 0xd5; // A-law zero
  if (layout.format === 1 && layout.bitsPerSample === 8) return 0x80; // unsigned 8-bit
  return 0;
}

export interface SilencedRange extends TimeRange {
  /** Bytes of the data chunk that were overwritten, end exclusive (file offsets). */
  fromByte: number;
  toByte: number;
}

/** Silences `ranges` in the WAV at `path`, in place. Throws GtError INVALID_RESPONSE when the
 * file is not a WAV this can edit (the caller then skips the recording). */
export async function silenceWav(path: string, ranges: readonly TimeRange[]): Promise<SilencedRange[]> {
  const fh = await open(path, 'r+');
  try {
    const { size } = await fh.stat();
    const layout = await readWavLayout(fh, size);
    if (!layout || !SUPPORTED.has(layout.format) || layout.blockAlign === 0 || layout.sampleRate === 0)
      throw new GtError('INVALID_RESPONSE', 'recording is not a PCM, float, µ-law or A-law WAV');
    const frames = Math.floor(layout.dataBytes / layout.blockAlign);
    const fill = Buffer.alloc(64 * 1024, silenceByte(layout));
    const done: SilencedRange[] = [];
    for (const r of ranges) {
      const a = Math.min(frames, Math.floor((r.startMs * layout.sampleRate) / 1000));
      const b = Math.min(frames, Math.ceil((r.endMs * layout.sampleRate) / 1000));
      if (b <= a) continue;
      const fromByte = layout.dataOffset + a * layout.blockAlign;
      const toByte = layout.dataOffset + b * layout.blockAlign;
      for (let p = fromByte; p < toByte; p += fill.length)
        await fh.write(fill, 0, Math.min(fill.length, toByte - p), p);
      done.push({ ...r, fromByte, toByte });
    }
    return done;
  } finally {
    await fh.close();
  }
}

// ---- the export's hook: every downloaded recording of a conversation, after its transcripts

export interface AudioRedactionEntry {
  file: string;
  recordingId: string;
  /** redacted: ranges silenced (maybe none); no-transcript: delivered as is, nothing says where PII is. */
  status: 'redacted' | 'no-transcript';
  ranges: TimeRange[];
  /** sha256 of the delivered file. */
  sha256: string;
}

export interface RecordingFile {
  recordingId: string;
  file: StagedFile;
}

export interface AudioRedactionResult {
  /** The files to deliver in place of the given ones (same order; unredactable ones left out). */
  files: StagedFile[];
  entries: AudioRedactionEntry[];
  skipped: ManifestSkip[];
}

/**
 * Silences the redacted words of `voice` (before/after redaction pairs) in each recording. A
 * conversation's voice transcripts share their recording's time base only when there is one of
 * each, or one transcript for all its recordings; with several transcripts the pairing is not
 * known, so nothing is delivered unredacted: those recordings are skipped with a reason, as are
 * recordings in a format that cannot be edited.
 */
export async function redactRecordingFiles(
  recordings: readonly RecordingFile[],
  voice: readonly { before: Transcript; after: Transcript }[],
): Promise<AudioRedactionResult> {
  const out: AudioRedactionResult = { files: [], entries: [], skipped: [] };
  const ranges = voice.length === 1 ? redactedTimeRanges(voice[0]!.before, voice[0]!.after) : undefined;
  for (const r of recordings) {
    const skip = (reason: string, detail: string) =>
      out.skipped.push({ kind: 'recording', id: r.recordingId, reason, detail });
    if (voice.length > 1) {
      skip('audio-not-redactable', 'several voice transcripts: which one times this recording is unknown');
      continue;
    }
    if (!ranges) {
      out.files.push(r.file);
      out.entries.push({
        file: r.file.name,
        recordingId: r.recordingId,
        status: 'no-transcript',
        ranges: [],
        sha256: r.file.sha256,
      });
      continue;
    }
    try {
      await silenceWav(r.file.path, ranges);
    } catch (err) {
      if (!isGtError(err, 'INVALID_RESPONSE')) throw err;
      skip(
        'audio-not-redactable',
        `${r.file.contentType} is not an editable WAV: export with --media-format WAV for redacted audio`,
      );
      continue;
    }
    const file = await describeFile(r.file.path, r.file.name, r.file.contentType);
    out.files.push(file);
    out.entries.push({
      file: file.name,
      recordingId: r.recordingId,
      status: 'redacted',
      ranges,
      sha256: file.sha256,
    });
  }
  return out;
}
