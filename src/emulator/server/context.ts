// What every route handler can reach: the options, the data, URL signing and shared state
// (download links, batch requests, analytics jobs, transcoding clocks, restorations).
import { createHmac } from 'node:crypto';
import type { ConversationPlan, Dataset } from '../dataset/index.ts';
import type { MediaSource } from '../dataset/media.ts';
import type { ResolvedOptions } from '../options.ts';
import type { UrlSigner } from './signing.ts';
import type { InternalService } from './hostile-net.ts';
import type { TokenStore } from './auth.ts';
import type { FaultPlanner } from './faults.ts';
import type { FixedWindowLimiter } from './rate-limit.ts';
import type { StatsCollector } from './stats.ts';

export type DownloadTarget =
  | {
      kind: 'media';
      conversationId: string;
      recordingId: string;
      formatId: string;
      /** one channel of a dual-channel recording ("0", "1"); absent: the merged file */
      channel?: string;
    }
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

/** A restoration of an archived recording: RESTORING for restoreMs after `requestedAt`, then RESTORED until `expiresAt`. */
export interface Restoration {
  requestedAt: number;
  expiresAt: number;
}

export type RestoreState = { state: 'RESTORING' | 'RESTORED'; expiresAt: number };

export class EmulatorContext {
  readonly options: ResolvedOptions;
  readonly dataset: Dataset;
  readonly signer: UrlSigner;
  baseUrl = '';
  /** The internal service 'internal-url' faults point at (set once it listens). */
  internal: InternalService | undefined;
  readonly downloads = new Map<string, DownloadTarget>();
  readonly batches = new Map<string, BatchState>();
  readonly jobs = new Map<string, JobState>();
  /** recordingId → when it was first asked for (transcoding starts then) */
  readonly transcodeStarted = new Map<string, number>();
  /** recordingId → its live restoration (archived recordings only; not part of the dataset) */
  readonly restorations = new Map<string, Restoration>();
  /** restorations started so far, against options.restorationsAllowed */
  restorationsUsed = 0;
  /**
   * The emulator's wall clock for analytics, when a test moves it (setClock): a conversation is
   * visible to queries once it has ended and its data has arrived (end + its arrival delay).
   * Undefined: every conversation is visible, as before.
   */
  clockMs: number | undefined;
  /** conversationId → how long after its end its analytics data arrives (late data). */
  readonly arrivalDelayMs = new Map<string, number>();

  /** Visible to analytics queries at the emulator's clock. */
  arrived(index: number): boolean {
    if (this.clockMs === undefined) return true;
    const delay = this.arrivalDelayMs.get(this.dataset.ids[index]!) ?? 0;
    return this.dataset.endMs[index]! + delay <= this.clockMs;
  }
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
        ? `media:${target.recordingId}:${target.formatId}${target.channel !== undefined ? `:${target.channel}` : ''}`
        : `digital:${target.recordingId}`;
    const id = createHmac('sha256', this.secret).update(key).digest('hex').slice(0, 32);
    this.downloads.set(id, target);
    return `${this.baseUrl}/api/v2/downloads/${id}`;
  }

  /**
   * The link a Recording's mediaUri (or a batch resultUrl) carries, per the mediaUri variant: the
   * /api/v2/downloads/{id} link, or the signed URL it redirects to.
   */
  mediaLink(target: DownloadTarget): string {
    const link = this.downloadLink(target);
    if (this.options.variants.mediaUri === 'downloads') return link;
    return this.signer.sign(this.baseUrl, `/__signed/media/${link.split('/').pop()!}`);
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

  get restorationsRemaining(): number {
    return Math.max(0, this.options.restorationsAllowed - this.restorationsUsed);
  }

  /**
   * Where a recording's restoration stands: undefined when there is none, or when it has expired
   * (the recording is archived again and a new restoration counts again).
   */
  restoreState(recordingId: string, now = Date.now()): RestoreState | undefined {
    const r = this.restorations.get(recordingId);
    if (!r) return undefined;
    if (now >= r.expiresAt) {
      this.restorations.delete(recordingId);
      return undefined;
    }
    const state = now - r.requestedAt >= this.options.restoreMs ? 'RESTORED' : 'RESTORING';
    return { state, expiresAt: r.expiresAt };
  }

  /**
   * Restores an archived recording until `expiresAt`, or moves the end of a live restoration
   * (which costs no new restoration). 'exhausted' when the org has none left.
   */
  restore(recordingId: string, expiresAt: number, now = Date.now()): 'started' | 'extended' | 'exhausted' {
    const live = this.restoreState(recordingId, now) ? this.restorations.get(recordingId) : undefined;
    if (live) {
      live.expiresAt = expiresAt;
      return 'extended';
    }
    if (this.restorationsRemaining === 0) return 'exhausted';
    this.restorationsUsed += 1;
    this.restorations.set(recordingId, { requestedAt: now, expiresAt });
    return 'started';
  }

  /** The media a client may download now: an AVAILABLE recording's, or a RESTORED one's. */
  servableMedia(plan: ConversationPlan, now = Date.now(), channel?: string): MediaSource | undefined {
    const r = plan.recording;
    const whole =
      r?.fileState === 'ARCHIVED'
        ? this.restoreState(r.id, now)?.state === 'RESTORED'
          ? this.dataset.storedMediaOf(plan)
          : undefined
        : this.dataset.mediaOf(plan);
    return whole && channel !== undefined ? this.dataset.channelMediaOf(plan, channel) : whole;
  }
}

/** What the server's handlers reach: the context, and the token store, limiter, faults and stats around it. */
export interface AppParts {
  ctx: EmulatorContext;
  tokens: TokenStore;
  limiter: FixedWindowLimiter | null;
  faults: FaultPlanner;
  stats: StatsCollector;
}
