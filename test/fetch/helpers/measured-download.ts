// Runs ONE download in its own process and reports that process's memory, so a test measures the
// downloader alone (not the emulator or media server serving the bytes, nor the test runner).
// Start it with --expose-gc. Args: a JSON task; the OAuth secret (recording task) comes from the
// environment. Prints one JSON line: { result, memory }.
//
// Memory: after a full GC, the baseline is this process's RSS; the peak is the larger of RSS
// sampled every 10 ms and the kernel's high-water mark (VmHWM, reset to the baseline through
// /proc/self/clear_refs where Linux allows it), so a spike between two samples still counts.
// Nothing is warmed up first: the API calls, token and connection setup count as growth too.
import { readFileSync, writeFileSync } from 'node:fs';
import { loadConfig } from '../../../src/config/index.ts';
import { createGenesysClient } from '../../../src/genesys/transport.ts';
import { downloadToFile } from '../../../src/pipeline/fetch/download.ts';
import { fetchConversationRecordings } from '../../../src/pipeline/fetch/recordings.ts';

export type MeasuredTask =
  | {
      kind: 'recording';
      apiUrl: string;
      loginUrl: string;
      clientId: string;
      conversationId: string;
      dir: string;
    }
  | {
      kind: 'url';
      url: string;
      path: string;
      expectedSize?: number;
      /** an HTTP proxy for it */ proxy?: string;
    };

export interface MemoryReport {
  baseRssMb: number;
  /** Peak RSS growth over the baseline, sampled or kernel high-water mark, whichever is larger. */
  rssGrowthMb: number;
  /** Whether the kernel high-water mark could be reset (Linux); otherwise sampling only. */
  kernelPeak: boolean;
  heapUsedGrowthMb: number;
  arrayBuffersGrowthMb: number;
}

const MB = 1024 * 1024;

function kernelHwmBytes(): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function resetKernelHwm(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

async function run(task: MeasuredTask): Promise<unknown> {
  if (task.kind === 'url') {
    return downloadToFile(
      { path: task.path, ...(task.expectedSize !== undefined ? { expectedSize: task.expectedSize } : {}) },
      {
        resolveUrl: async () => task.url,
        ...(task.proxy ? { proxy: { httpProxy: task.proxy, httpsProxy: task.proxy, noProxy: '' } } : {}),
      },
    );
  }
  const config = loadConfig({
    flags: { apiUrl: task.apiUrl, loginUrl: task.loginUrl, clientId: task.clientId },
    env: process.env,
  });
  const client = createGenesysClient(config);
  try {
    return await fetchConversationRecordings(client, task.conversationId, { format: 'WAV', dir: task.dir });
  } finally {
    await client.close();
  }
}

const task = JSON.parse(process.argv[2] ?? '') as MeasuredTask;
if (typeof global.gc !== 'function') throw new Error('measured-download.ts needs --expose-gc');
global.gc();
const base = process.memoryUsage();
const kernelPeak = resetKernelHwm();
const peak = { rss: base.rss, heapUsed: base.heapUsed, arrayBuffers: base.arrayBuffers };
const sample = () => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
};
const timer = setInterval(sample, 10);
let result: unknown;
try {
  result = await run(task);
} finally {
  clearInterval(timer);
  sample();
}
const hwm = kernelPeak ? kernelHwmBytes() : undefined;
const memory: MemoryReport = {
  baseRssMb: base.rss / MB,
  rssGrowthMb: (Math.max(peak.rss, hwm ?? 0) - base.rss) / MB,
  kernelPeak: hwm !== undefined,
  heapUsedGrowthMb: (peak.heapUsed - base.heapUsed) / MB,
  arrayBuffersGrowthMb: (peak.arrayBuffers - base.arrayBuffers) / MB,
};
process.stdout.write(`${JSON.stringify({ result, memory })}\n`);
