// The progress bar a person sees on a terminal. The total grows while discovery streams in, so
// the ETA is for the conversations known so far. Off a TTY nothing is drawn (logs say enough).
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

export function createProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  if (!stream.isTTY) return { update() {}, stop() {} };
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
