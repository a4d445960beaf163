// What every media download is held to, from the client's settings and the recording's metadata:
// the URL policy (https, no downgrade, no internal address), a size cap and a minimum rate.
//
// The size cap: the recording's `outputSizeInBytes` (the size of the requested format) with a
// tolerance of 25 % + 1 MiB (a container header, a re-encode), never above the absolute cap
// (`--max-media-bytes`). Without a size in the metadata, only the absolute cap applies. An endless
// or oversized body stops there as TOO_LARGE and nothing of it is kept.
import type { Recording } from '../../sdk/models.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import type { DownloadOptions } from './download.ts';

const SIZE_TOLERANCE = 1.25;
const SIZE_SLACK_BYTES = 1024 * 1024;

/** The cap for one recording's media file. */
export function mediaSizeCap(announced: number | undefined, absoluteCap: number): number {
  if (announced === undefined || !Number.isFinite(announced) || announced < 0) return absoluteCap;
  return Math.min(absoluteCap, Math.ceil(announced * SIZE_TOLERANCE) + SIZE_SLACK_BYTES);
}

export function downloadGuards(
  client: GenesysClient,
  recording: Recording,
): Pick<DownloadOptions, 'policy' | 'maxBytes' | 'minRate' | 'proxy'> {
  const limits = client.transferLimits;
  return {
    policy: client.downloadPolicy,
    maxBytes: mediaSizeCap(recording.outputSizeInBytes, limits.maxMediaBytes),
    minRate: { minBytesPerSecond: limits.minTransferRate, windowMs: limits.rateWindowMs },
    // Not a guard, but from the same client: media goes through its proxy, if any (config/proxy.ts).
    proxy: client.proxy,
  };
}
