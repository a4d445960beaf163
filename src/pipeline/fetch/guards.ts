// What every media download is held to, from the client's settings and the recording's metadata:
// the URL policy (https, no downgrade, no internal address), a size cap and a minimum rate.
//
// The size cap: the recording's `outputSizeInBytes` (the size of the requested format) with a
// tolerance of 25 % + 1 MiB (a container header, a re-encode), never above the absolute cap
// (`--max-media-bytes`). Without a size in the metadata (a batch result carries none), the
// recording's duration bounds it: 192,000 bytes a second (48 kHz 16-bit stereo PCM, more than any
// format Genesys records in) + 1 MiB; without either, only the absolute cap applies. An endless
// or oversized body stops there as TOO_LARGE and nothing of it is kept.
import type { Recording } from '../../sdk/models.ts';
import type { GenesysClient } from '../../genesys/transport.ts';
import type { DownloadOptions } from './download.ts';

const SIZE_TOLERANCE = 1.25;
const SIZE_SLACK_BYTES = 1024 * 1024;

const MAX_BYTES_PER_SECOND = 192_000;

/** The cap for media `startTime`..`endTime` long (ISO-8601), or undefined when either is unknown. */
export function durationSizeCap(
  startTime: string | undefined,
  endTime: string | undefined,
): number | undefined {
  const ms = Date.parse(endTime ?? '') - Date.parse(startTime ?? '');
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.ceil((ms / 1000) * MAX_BYTES_PER_SECOND) + SIZE_SLACK_BYTES;
}

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
    // The metadata's size when there is one; else the duration; else the absolute cap alone.
    maxBytes:
      recording.outputSizeInBytes !== undefined
        ? mediaSizeCap(recording.outputSizeInBytes, limits.maxMediaBytes)
        : Math.min(
            limits.maxMediaBytes,
            durationSizeCap(recording.startTime, recording.endTime) ?? limits.maxMediaBytes,
          ),
    minRate: { minBytesPerSecond: limits.minTransferRate, windowMs: limits.rateWindowMs },
    // Not a guard, but from the same client: media goes through its proxy, if any (config/proxy.ts).
    proxy: client.proxy,
  };
}
