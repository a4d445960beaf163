// The emulator's data. At start every conversation's plan is built once to record its id and
// start/end times in compact arrays, then dropped; plans, analytics objects and media sources are
// rebuilt on demand (they are pure functions of the seed and index) and kept in small LRU caches.
// `Dataset` is both the server's data source and, through `oracle()`, what tests and benchmarks
// compare the client's output with.
import type { AnalyticsConversationWithoutAttributes } from '../../sdk/models.ts';
import { Lru } from '../lru.ts';
import type { ResolvedOptions } from '../options.ts';
import type { EmulatorDataset, OracleRecording, PlantedItem } from '../types.ts';
import { analyticsConversation } from './analytics.ts';
import { MediaSource } from './media.ts';
import { SpeechSource, type WordTimeline } from './speech.ts';
import { awkwardSlots, buildPlan, directory, type ConversationPlan, type Directory } from './plan.ts';
import { digitalTranscript, plantedOf, voiceTranscript, type DigitalTranscript } from './transcripts.ts';

export type { ConversationPlan } from './plan.ts';

const CACHE = 5000;

/** A voice recording whose audio exists (available or archived; not deleted, not errored). */
function hasAudio(plan: ConversationPlan): boolean {
  const state = plan.recording?.fileState;
  return plan.kind === 'voice' && (state === 'AVAILABLE' || state === 'ARCHIVED');
}

export class Dataset {
  readonly interval: string;
  readonly seed: number;
  /** conversation ids by index */
  readonly ids: string[];
  /** conversation start and end (epoch ms) by index */
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  private readonly options: ResolvedOptions;
  private readonly dir: Directory;
  private readonly slots: Uint8Array;
  private readonly indexOf = new Map<string, number>();
  private readonly plans = new Lru<number, ConversationPlan>(CACHE);
  private readonly conversations = new Lru<number, AnalyticsConversationWithoutAttributes>(CACHE);
  /** Media sources hold 64 KiB of noise once used: keep only a few. */
  private readonly media = new Lru<string, MediaSource>(32);
  /** recordingId → sha256 of its media, computed at most once. */
  private readonly digests = new Map<string, string>();

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.interval = options.interval;
    this.seed = options.seed;
    this.dir = directory(options.seed);
    this.slots = awkwardSlots(options);
    const n = options.conversations;
    this.ids = new Array<string>(n);
    this.startMs = new Float64Array(n);
    this.endMs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = this.build(i);
      this.ids[i] = p.id;
      this.startMs[i] = p.startMs;
      this.endMs[i] = p.endMs;
      this.indexOf.set(p.id, i);
    }
  }

  get size(): number {
    return this.ids.length;
  }

  private build(index: number): ConversationPlan {
    return buildPlan(this.options, this.dir, index, this.slots[index]!);
  }

  planAt(index: number): ConversationPlan {
    return this.plans.get(index, () => this.build(index));
  }

  plan(conversationId: string): ConversationPlan | undefined {
    const i = this.indexOf.get(conversationId);
    return i === undefined ? undefined : this.planAt(i);
  }

  conversationAt(index: number): AnalyticsConversationWithoutAttributes {
    return this.conversations.get(index, () => analyticsConversation(this.planAt(index)));
  }

  conversation(conversationId: string): AnalyticsConversationWithoutAttributes | undefined {
    const i = this.indexOf.get(conversationId);
    return i === undefined ? undefined : this.conversationAt(i);
  }

  /** The audio of a voice recording that has media (AVAILABLE), else undefined. */
  mediaOf(plan: ConversationPlan): MediaSource | undefined {
    return plan.recording?.fileState === 'AVAILABLE' ? this.storedMediaOf(plan) : undefined;
  }

  /**
   * The audio a voice recording holds, served or not: AVAILABLE, or ARCHIVED (what a restoration
   * brings back, byte for byte). Deleted and errored recordings have none.
   */
  storedMediaOf(plan: ConversationPlan): MediaSource | undefined {
    const r = plan.recording;
    if (!r || !hasAudio(plan)) return undefined;
    return this.media.get(r.id, () => {
      const words = this.options.audio === 'speech' ? this.wordTimeline(plan) : undefined;
      return words ? new SpeechSource(this.seed, r.id, words) : new MediaSource(this.seed, r.id, r.sizeBytes);
    });
  }

  /** Word times of the voice transcript, from its start (where the recording starts too). */
  private wordTimeline(plan: ConversationPlan): WordTimeline | undefined {
    const t = voiceTranscript(plan, this.seed, plan.customer.sessionId) as
      | {
          startTime: number;
          duration: { milliseconds: number };
          transcripts: {
            phrases: { words: { startTimeMs: number; duration: { milliseconds: number } }[] }[];
          }[];
        }
      | undefined;
    if (!t) return undefined;
    const words = t.transcripts.flatMap((x) => x.phrases.flatMap((p) => p.words));
    words.sort((a, b) => a.startTimeMs - b.startTimeMs);
    return {
      startMs: Float64Array.from(words, (w) => w.startTimeMs - t.startTime),
      endMs: Float64Array.from(words, (w) => w.startTimeMs - t.startTime + w.duration.milliseconds),
      durationMs: t.duration.milliseconds,
    };
  }

  /** The channels a voice recording's per-channel mediaUris list (dual channel: customer, agent). */
  static readonly CHANNELS = ['0', '1'] as const;

  /** One channel of a voice recording with audio: a mono file of its own, about half the merged size. */
  channelMediaOf(plan: ConversationPlan, channel: string): MediaSource | undefined {
    const r = plan.recording;
    if (!r || !hasAudio(plan) || !(Dataset.CHANNELS as readonly string[]).includes(channel)) return undefined;
    const size = Math.max(64, Math.floor(r.sizeBytes / 2));
    return this.media.get(`${r.id}#${channel}`, () => new MediaSource(this.seed, `${r.id}#${channel}`, size));
  }

  private digestOf(key: string, media: MediaSource): string {
    let d = this.digests.get(key);
    if (d === undefined) {
      d = media.sha256();
      this.digests.set(key, d);
    }
    return d;
  }

  sha256Of(plan: ConversationPlan): string | undefined {
    const r = plan.recording;
    const media = this.storedMediaOf(plan);
    if (!r || !media) return undefined;
    let d = this.digests.get(r.id);
    if (d === undefined) {
      d = media.sha256();
      this.digests.set(r.id, d);
    }
    return d;
  }

  voiceTranscript(plan: ConversationPlan, communicationId: string): unknown {
    return voiceTranscript(plan, this.seed, communicationId);
  }

  digitalTranscript(plan: ConversationPlan): DigitalTranscript {
    const t = digitalTranscript(plan, this.seed);
    // The chatBodyType variant: the same messages with bodyType in lower case.
    if (this.options.variants.chatBodyType === 'lower' && t.transcript)
      t.transcript = t.transcript.map((m) => (m.bodyType ? { ...m, bodyType: m.bodyType.toLowerCase() } : m));
    return t;
  }

  oracleRecordings(conversationId: string): OracleRecording[] {
    const plan = this.plan(conversationId);
    const r = plan?.recording;
    if (!plan || !r) return [];
    const base: OracleRecording = {
      recordingId: r.id,
      conversationId,
      media: plan.kind === 'voice' ? 'audio' : plan.kind,
      fileState: r.fileState,
      transcoding: r.transcoding,
      sessionId: plan.customer.sessionId,
    };
    // Archived audio has its size and sha256 too: a restoration must bring back these bytes.
    if (!hasAudio(plan)) return [base];
    // sha256 is a lazy getter: hashing a 500 MB recording only happens if someone asks.
    Object.defineProperty(base, 'sizeBytes', { value: this.storedMediaOf(plan)!.size, enumerable: true });
    Object.defineProperty(base, 'sha256', { get: () => this.sha256Of(plan), enumerable: true });
    if (this.options.variants.mediaUris === 'perChannel') {
      base.channels = Dataset.CHANNELS.map((channel) => {
        const media = this.channelMediaOf(plan, channel)!;
        const c = { channel, sizeBytes: media.size } as NonNullable<OracleRecording['channels']>[number];
        Object.defineProperty(c, 'sha256', {
          get: () => this.digestOf(`${r.id}#${channel}`, media),
          enumerable: true,
        });
        return c;
      });
    }
    return [base];
  }

  /**
   * The test oracle. `restored` tells which archived recordings are restored right now (state that
   * lives in the server, not here): a restored digital recording serves its transcript again.
   */
  oracle(restored: (recordingId: string) => boolean = () => false): EmulatorDataset {
    return {
      interval: this.interval,
      conversationIds: () => [...this.ids],
      conversation: (id) => this.conversation(id),
      recordings: (id) => this.oracleRecordings(id),
      transcript: (cid, commId) => {
        const plan = this.plan(cid);
        return plan ? this.voiceTranscript(plan, commId) : undefined;
      },
      planted: (id): { pii: PlantedItem[]; keep: string[]; phrases: string[] } => {
        const plan = this.plan(id);
        if (!plan) return { pii: [], keep: [], phrases: [] };
        const r = plan.recording;
        const digitalBack = plan.kind !== 'voice' && r?.fileState === 'ARCHIVED' && restored(r.id);
        return plantedOf(plan, this.seed, plan.hasTranscript || digitalBack);
      },
    };
  }
}
