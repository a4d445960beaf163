// The emulator's public contract (re-exported by index.ts). Other engineers code against these
// names and shapes, so changes here must stay additive.
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';

export type FaultKind =
  | '5xx'
  | '503'
  | 'reset'
  | 'truncate'
  | 'slow'
  | 'expire'
  /** hostile responses (see server/tamper.ts) */
  | 'malformed'
  | 'huge'
  | 'content-type'
  | 'hostile-id'
  | 'control-chars'
  /** a hostile network or broken upstream (see server/hostile-net.ts) */
  | 'internal-url'
  | 'endless'
  | 'trickle'
  | 'retry-after-long';
export type RouteName =
  | 'oauth.token'
  | 'analytics.details.query'
  | 'analytics.details.get'
  | 'analytics.details.multiget'
  | 'analytics.jobs.create'
  | 'analytics.jobs.status'
  | 'analytics.jobs.results'
  | 'analytics.jobs.delete'
  | 'analytics.jobs.availability'
  | 'recordings.list'
  | 'recordings.get'
  | 'recordings.put'
  | 'recordingmetadata.list'
  | 'recordingmetadata.get'
  | 'batch.create'
  | 'batch.get'
  | 'sta.transcripturl'
  | 'sta.transcripturls'
  | 'downloads.get'
  | 'signed.media'
  | 'signed.transcript'
  | 'tokens.me';

export type MediaKind = 'voice' | 'chat' | 'message' | 'email';

export interface EmulatorLimits {
  maxIntervalDays: number;
  /** the sync query's longest interval when it has a conversation or segment filter (31) */
  maxIntervalDaysFiltered: number;
  maxDaysBack: number;
  maxRecordsPerQuery: number;
  maxPageSize: number;
  maxJobPageSize: number;
  batchMaxItems: number;
}

/**
 * Named variants for behaviours the public material leaves uncertain; a client must export the
 * same data under each. Defaults in brackets.
 * - mediaUri: a Recording's `mediaUris[k].mediaUri` (and a batch `resultUrl`) is an
 *   `/api/v2/downloads/{id}` link that redirects to a signed URL [downloads], or the signed URL
 *   itself (signed).
 * - mediaUris: a voice recording lists one merged file under key "S" [merged], or one file per
 *   channel under "0" and "1" (perChannel; the single-recording GET with download=true then
 *   answers the merged "S", as third-party scripts report).
 * - transcriptUrl: a communication without a transcript answers 404 [withUrl: a 200 always has
 *   `url`], or 200 with no `url` (withoutUrl).
 * - chatBodyType: chat messages' bodyType in the model's enum case, STANDARD/MEMBERJOIN … [upper],
 *   or in lower case (lower).
 */
export interface EmulatorVariants {
  mediaUri: 'downloads' | 'signed';
  mediaUris: 'merged' | 'perChannel';
  transcriptUrl: 'withUrl' | 'withoutUrl';
  chatBodyType: 'upper' | 'lower';
}

export interface EmulatorOptions {
  /** behaviours the public material leaves uncertain (see EmulatorVariants) */
  variants?: Partial<EmulatorVariants>;
  host?: string;
  port?: number;
  seed?: number;
  conversations?: number;
  /** ISO-8601 interval the dataset covers; default: the 7 full UTC days before today */
  interval?: string;
  /** the emulator's "now" for its analytics limits; default: the interval's end + 1 day */
  now?: string;
  /**
   * How far the data lake (what async jobs read) lags behind: GET …/details/jobs/availability
   * answers the real clock − dataLagMs, and jobs only return conversations that ended before it.
   * Default 3 hours.
   */
  dataLagMs?: number;
  mediaMix?: Partial<Record<MediaKind, number>>;
  audioBytes?: { min: number; max: number };
  /**
   * Voice recordings with a transcript: 'speech' (default unless audioBytes is given) makes them
   * as long as the transcript, with a tone burst at every word's time; 'noise' sizes them by
   * audioBytes (for tests that need a given file size).
   */
  audio?: 'speech' | 'noise';
  clients?: { clientId: string; clientSecret: string }[];
  tokenTtlSeconds?: number;
  /**
   * How long a token is really accepted, when that differs from the expires_in announced
   * (tokenTtlSeconds): lower it to emulate a server whose clock runs ahead of the client's, or a
   * token revoked early. Default: tokenTtlSeconds.
   */
  tokenLifetimeSeconds?: number;
  rateLimit?: { perWindow: number; windowMs?: number } | null;
  faults?: string | Partial<Record<FaultKind, number>>;
  faultSeed?: number;
  /** Size of the padding a 'huge' fault sends (default 80 MiB: above any sane client cap). */
  hugeBodyBytes?: number;
  /** Pause between the bytes of a 'trickle' body (default 1000 ms). */
  trickleIntervalMs?: number;
  rangeSupport?: boolean;
  signedUrlTtlSeconds?: number;
  transcodeMs?: number;
  /** how long a restoration of an archived recording takes (RESTORING, then RESTORED); default 2000 */
  restoreMs?: number;
  /**
   * restorations the org may request in this emulator's lifetime, to emulate a refusal; default
   * unlimited: Genesys documents the org restoration limit as no longer enforced (the deprecated
   * max/remainingRestorationsAllowedForOrg fields always say 10000, and so does the emulator)
   */
  restorationsAllowed?: number;
  batchDelayMs?: number;
  /**
   * Network latency added to every API answer (ms; default 0). Loopback answers in microseconds,
   * Genesys in tens to hundreds of ms: benchmarks use it so that hiding latency counts.
   */
  latencyMs?: number;
  jobDelayMs?: number;
  limits?: Partial<EmulatorLimits>;
}

export interface EmulatorStats {
  requests: Record<string, Record<string, number>>;
  totalRequests: number;
  rateLimited: number;
  bytesServed: number;
  faultsInjected: Record<string, number>;
  tokensIssued: number;
  /** requests the emulator's "internal service" got (an 'internal-url' fault that was followed) */
  internalFetches: number;
  perClient: Record<string, { requests: number; rateLimited: number; maxInWindow: number }>;
  /** request timestamps per client for API routes (ms epoch), so tests can check a sliding-window budget; cap at 200k entries */
  apiRequestTimes: Record<string, number[]>;
}

export interface PlantedItem {
  entity:
    | 'CARD'
    | 'CVV'
    | 'EXPIRY'
    | 'SSN'
    | 'PHONE'
    | 'EMAIL'
    | 'BANK_ACCOUNT'
    | 'ROUTING_NUMBER'
    | 'IBAN'
    | 'DOB';
  text: string;
  spoken: boolean;
}

export interface OracleRecording {
  recordingId: string;
  conversationId: string;
  media: 'audio' | 'chat' | 'message' | 'email';
  fileState: 'AVAILABLE' | 'ARCHIVED' | 'DELETED' | 'ERROR';
  transcoding: boolean;
  sessionId?: string;
  /** size and sha256 of the audio: AVAILABLE and ARCHIVED voice recordings (restored ones serve these bytes) */
  sizeBytes?: number;
  sha256?: string;
  /** with the perChannel variant: the per-channel files the recordings list offers besides the merged one */
  channels?: { channel: string; sizeBytes: number; sha256: string }[];
}

export interface EmulatorDataset {
  readonly interval: string;
  conversationIds(): string[];
  conversation(id: string): AnalyticsConversationWithoutAttributes | undefined;
  recordings(conversationId: string): OracleRecording[];
  /** the STA transcript JSON served for this voice communication, or undefined when it has none */
  transcript(conversationId: string, communicationId: string): unknown;
  /**
   * PII planted in this conversation's transcripts (voice phrases and digital messages), non-PII
   * numbers that must be kept, and the search phrases the customer says (SEARCH_PHRASES: "cancel
   * my account" in English, in a quarter of the conversations)
   */
  planted(conversationId: string): { pii: PlantedItem[]; keep: string[]; phrases: string[] };
}

export interface RunningEmulator {
  baseUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  interval: string;
  /** the variants this emulator runs with (defaults filled in) */
  variants: EmulatorVariants;
  statsUrl: string;
  dataset: EmulatorDataset;
  stats(): EmulatorStats;
  resetStats(): void;
  /**
   * the next `count` requests to `route` fail with `fault` (scripted, for tests); status overrides
   * the HTTP status for 5xx; variant picks the hostile form of a tamper fault (default: the next
   * one in turn, so repeated scripted faults go through every form)
   */
  scriptFault(rule: {
    route: RouteName;
    count: number;
    fault: FaultKind;
    status?: number;
    variant?: number;
  }): void;
  /**
   * Moves the emulator's analytics clock (tests of scheduled runs): from now on queries see only
   * conversations that ended, and whose data arrived (see delayArrival), by `iso`.
   */
  setClock(iso: string): void;
  /** This conversation's analytics data arrives `ms` after it ended (late data); with setClock. */
  delayArrival(conversationId: string, ms: number): void;
  /** invalidate every issued token now (the next API call gets a Genesys 401) */
  revokeTokens(): void;
  /** every access token issued so far (for tests that check no token reaches a log) */
  issuedTokens(): string[];
  close(): Promise<void>;
}
