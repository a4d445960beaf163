// The progress bar a person sees on a terminal. The total grows while discovery streams in, so
// the ETA is for the conversations known so far. Off a TTY (cron, systemd, CI) a plain line is
// printed every `everyMs` instead — count, rate, ETA — so a long unattended run is never silent.
import { SingleBar, Presets } from 'cli-progress';

export interface ProgressSnapshot {
  discovered: number;
  finished: number;
  failed: number;
  bytes: number;
  rateLimited: number;
}

export interface ProgressView {
  update(s: ProgressSnapshot): void;
  stop(): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export interface ProgressOptions {
  /** Off a TTY: how often to print a progress line (default 30 s; 0 = never). */
  everyMs?: number;
  now?: () => number;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One line for logs: `progress: 120/480 conversations, 3 failed, 12.0 MB, 85/min, ETA 4m14s, 0 429s`. */
export function progressLine(s: ProgressSnapshot, elapsedMs: number): string {
  const perMin = elapsedMs > 0 ? (s.finished / elapsedMs) * 60_000 : 0;
  const left = Math.max(0, s.discovered - s.finished);
  const eta = perMin > 0 ? formatDuration((left / perMin) * 60_000) : '?';
  return (
    `progress: ${s.finished}/${s.discovered} conversations, ${s.failed} failed, ${formatBytes(s.bytes)}, ` +
    `${perMin.toFixed(0)}/min, ETA ${eta} (of those discovered so far), ${s.rateLimited} 429s`
  );
}

export interface LineProgressView extends ProgressView {
  /** Prints the line now (the timer calls this every everyMs). */
  tick(): void;
}

/** Off a TTY: a line every `everyMs`, nothing when nothing changed since the last line. */
export function createLineProgress(
  stream: NodeJS.WritableStream,
  options: ProgressOptions = {},
): LineProgressView {
  const now = options.now ?? Date.now;
  const started = now();
  let last: ProgressSnapshot | undefined;
  let printed = '';
  const tick = () => {
    if (!last) return;
    const key = JSON.stringify(last);
    if (key === printed) return;
    printed = key;
    stream.write(`${progressLine(last, now() - started)}\n`);
  };
  const everyMs = options.everyMs ?? 30_000;
  const timer = everyMs > 0 ? setInterval(tick, everyMs) : undefined;
  timer?.unref();
  return {
    update(s) {
      last = s;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
    tick,
  };
}

export function createProgressView(
  stream: NodeJS.WriteStream = process.stderr,
  options: ProgressOptions = {},
): ProgressView {
  if (!stream.isTTY) return createLineProgress(stream, options);
  const bar = new SingleBar(
    {
      stream,
      format:
        'export |{bar}| {value}/{total} conversations | {failed} failed | {bytes} | {rate}/min | ETA {eta_formatted} | 429s: {rateLimited}',
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(0, 0, { failed: 0, bytes: '0 B', rate: '0', rateLimited: 0 });
  return {
    update(s) {
      const minutes = Math.max((Date.now() - started) / 60_000, 1 / 60);
      bar.setTotal(s.discovered);
      bar.update(s.finished, {
        failed: s.failed,
        bytes: formatBytes(s.bytes),
        rate: (s.finished / minutes).toFixed(0),
        rateLimited: s.rateLimited,
      });
    },
    stop() {
      bar.stop();
    },
  };
}
