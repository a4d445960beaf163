// What every route handler can reach: the options, the data, URL signing and shared state
// (download links, batch requests, analytics jobs, transcoding clocks).
import { createHmac } from 'node:crypto';
import type { Dataset } from '../dataset/index.ts';
import type { ResolvedOptions } from '../options.ts';
import type { UrlSigner } from './signing.ts';

export type DownloadTarget =
  | { kind: 'media'; conversationId: string; recordingId: string; formatId: string }
  | { kind: 'digital'; conversationId: string; recordingId: string };

export interface BatchState {
  id: string;
  clientId: string;
  createdAt: number;
  items: { conversationId: string; recordingId?: string }[];
}

export interface JobState {
  id: string;
  createdAt: number;
  cancelled: boolean;
  conversationIds: string[];
}

export class EmulatorContext {
  readonly options: ResolvedOptions;
  readonly dataset: Dataset;
  readonly signer: UrlSigner;
  baseUrl = '';
  readonly downloads = new Map<string, DownloadTarget>();
  readonly batches = new Map<string, BatchState>();
  readonly jobs = new Map<string, JobState>();
  /** recordingId → when it was first asked for (transcoding starts then) */
  readonly transcodeStarted = new Map<string, number>();
  private readonly secret: string;

  constructor(options: ResolvedOptions, dataset: Dataset, signer: UrlSigner, secret: string) {
    this.options = options;
    this.dataset = dataset;
    this.signer = signer;
    this.secret = secret;
  }

  /** A stable download id for a target, registered so GET /api/v2/downloads/{id} can find it. */
  downloadLink(target: DownloadTarget): string {
    const key =
      target.kind === 'media'
        ? `media:${target.recordingId}:${target.formatId}`
        : `digital:${target.recordingId}`;
    const id = createHmac('sha256', this.secret).update(key).digest('hex').slice(0, 32);
    this.downloads.set(id, target);
    return `${this.baseUrl}/api/v2/downloads/${id}`;
  }

  /** Milliseconds of transcoding left for a recording; starts the clock on first use. */
  transcodeRemaining(recordingId: string, now = Date.now()): number {
    let started = this.transcodeStarted.get(recordingId);
    if (started === undefined) {
      started = now;
      this.transcodeStarted.set(recordingId, now);
    }
    return Math.max(0, started + this.options.transcodeMs - now);
  }
}
