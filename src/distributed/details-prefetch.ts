// A queue job carries only a conversation ID, so a worker must look the conversation up before
// exporting it: one GET .../{id}/details per job, a third of a worker's API calls (an `export` run
// gets the same data from discovery, a page at a time). Under a binding rate budget that third is
// throughput lost.
//
// The prefetcher turns those lookups into multi-gets: a job whose conversation is not cached yet
// fetches it together with the next jobs waiting in the queue (up to `batchSize` IDs, ONE API call)
// and keeps what it got for the jobs that follow. Several workers prefetch overlapping IDs, each
// using the ones it ends up taking; the rest expire. A lookup it cannot serve (the multi-get
// failed, the ID was not in the answer) returns undefined and the caller falls back to the single
// GET, whose errors (NOT_FOUND, auth …) are the runtime's usual ones.
//
// Memory: at most `maxEntries` conversations, each dropped once taken or after `ttlMs`.
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';

type Conversation = AnalyticsConversationWithoutAttributes;

export interface DetailsPrefetchOptions {
  /** One multi-get (GET /api/v2/analytics/conversations/details?id=…); unknown IDs are absent. */
  fetchMany(ids: string[]): Promise<Conversation[]>;
  /** IDs of the next jobs waiting in the queue, next first. */
  upcoming(n: number): Promise<string[]>;
  /** IDs per multi-get, the requested one included (Genesys allows 100). */
  batchSize?: number;
  /** How long an unused prefetched conversation is kept. */
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export interface PrefetchStats {
  /** Lookups answered from a batch. */
  hits: number;
  /** Lookups left to the caller (not found in a batch, or the batch failed). */
  misses: number;
  /** Multi-gets sent. */
  batches: number;
}

export class DetailsPrefetcher {
  private readonly options: Required<Omit<DetailsPrefetchOptions, 'now'>> & { now: () => number };
  private readonly cache = new Map<string, { conversation: Conversation; at: number }>();
  /** Batches in flight, by each ID they cover. */
  private readonly pending = new Map<string, Promise<void>>();
  readonly stats: PrefetchStats = { hits: 0, misses: 0, batches: 0 };

  constructor(options: DetailsPrefetchOptions) {
    this.options = {
      batchSize: 50,
      ttlMs: 60_000,
      maxEntries: 1000,
      now: Date.now,
      ...options,
    };
    if (this.options.batchSize < 1 || this.options.batchSize > 100)
      throw new RangeError('batchSize: 1 to 100');
  }

  /** The conversation, from a multi-get shared with upcoming jobs; undefined: look it up alone. */
  async get(conversationId: string): Promise<Conversation | undefined> {
    let batch = this.pending.get(conversationId);
    if (!batch && !this.fresh(conversationId)) batch = this.startBatch(conversationId);
    if (batch) await batch;
    const entry = this.fresh(conversationId) ? this.cache.get(conversationId) : undefined;
    this.cache.delete(conversationId);
    if (entry) this.stats.hits += 1;
    else this.stats.misses += 1;
    return entry?.conversation;
  }

  private fresh(id: string): boolean {
    const e = this.cache.get(id);
    if (!e) return false;
    if (this.options.now() - e.at > this.options.ttlMs) {
      this.cache.delete(id);
      return false;
    }
    return true;
  }

  private startBatch(conversationId: string): Promise<void> {
    const ids = [conversationId];
    // Claimed synchronously, so a second job for an ID of this batch waits for it instead of
    // starting its own; the upcoming IDs join once the queue answered.
    let done!: () => void;
    const batch = new Promise<void>((resolve) => (done = resolve));
    this.pending.set(conversationId, batch);
    void (async () => {
      try {
        let upcoming: string[] = [];
        try {
          upcoming = await this.options.upcoming(this.options.batchSize * 2);
        } catch {
          // Without a peek at the queue this is a batch of one: as dear as the single GET.
        }
        for (const id of upcoming) {
          if (ids.length >= this.options.batchSize) break;
          if (id === conversationId || this.pending.has(id) || this.fresh(id)) continue;
          ids.push(id);
          this.pending.set(id, batch);
        }
        this.stats.batches += 1;
        const found = await this.options.fetchMany(ids);
        const at = this.options.now();
        for (const c of found) {
          if (c.conversationId && ids.includes(c.conversationId))
            this.cache.set(c.conversationId, { conversation: c, at });
        }
        this.evict();
      } catch {
        // The callers fall back to single GETs, with the transport's retries and error codes.
      } finally {
        for (const id of ids) if (this.pending.get(id) === batch) this.pending.delete(id);
        done();
      }
    })();
    return batch;
  }

  private evict(): void {
    const now = this.options.now();
    for (const [id, e] of this.cache) {
      if (this.cache.size <= this.options.maxEntries && now - e.at <= this.options.ttlMs) break;
      this.cache.delete(id);
    }
  }
}
