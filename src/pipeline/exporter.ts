// The library entry point (what the tutorial called TranscriptRetriever): a typed exporter that
// streams conversations from discovery through the per-conversation pipeline with bounded
// concurrency, yields each result, emits progress, and ends with a summary computed from real
// outcomes.
//
//   const exporter = new Exporter({ selection: { interval }, outDir: './export' }, { config });
//   for await (const r of exporter.run()) console.log(r.conversationId, r.status);
//   console.log(exporter.summary());
import { EventEmitter } from 'node:events';
import type { AnalyticsConversationWithoutAttributes } from '../sdk/models.ts';
import { discoverConversations, type IncompleteSlice } from '../genesys/discovery.ts';
import { mapConcurrent } from '../util/concurrency.ts';
import { isGtError } from '../errors.ts';
import { unbatched, withRecordingBatches, type Prefetched } from './fetch/batch-prefetch.ts';
import { wantsRecordings } from './fetch/conversation-recordings.ts';
import { ExportMetrics } from '../observe/metrics.ts';
import type { ProgressSnapshot } from '../observe/progress.ts';
import {
  parseExportOptions,
  type ExportOptions,
  type ExportOptionsInput,
  type Selection,
} from './options.ts';
import { startRun } from './run-start.ts';
import type { StateLock } from './lock.ts';
import type { ConnectionHints } from './preflight.ts';
import { destinationKey, lastCoveredEnd, resolveSinceLast, selectionKey } from './incremental.ts';
import { legacyNameSets } from './home.ts';
import type { ExportRuntime, RuntimeDeps } from './runtime.ts';
import {
  emptyResult,
  mediaTypesOf,
  voiceCommunicationIdsCount,
  type ConversationResult,
} from './conversation.ts';

export interface ExportSummary {
  conversations: {
    discovered: number;
    done: number;
    skipped: number;
    failed: number;
    /** Not ready yet (transcoding, restoring): pending for the next run, not counted as failed. */
    deferred: number;
    alreadyExported: number;
  };
  successRate: number;
  files: number;
  bytes: number;
  redactions: Record<string, number>;
  apiCalls: number;
  apiCallsPerConversation: number;
  rateLimited: number;
  retries: number;
  latencyMs: { conversationP50?: number; conversationP95?: number; apiP50?: number; apiP95?: number };
  durationMs: number;
  failures: { conversationId: string; code?: string; reason?: string }[];
  /** Every skip: whole conversations by reason, and `kind:reason` for recordings and transcripts. */
  skipReasons: Record<string, number>;
  /**
   * Parts of the interval discovery could not serve completely (e.g. after the data lake's
   * availability date with more conversations than a sync query returns): run again later for them.
   */
  incomplete?: IncompleteSlice[];
  /** Whole conversations skipped, by reason (language-mismatch, no-files …). */
  skippedConversations: Record<string, number>;
  /** Recordings and transcripts skipped inside exported conversations, by `kind:reason`. */
  skippedItems: Record<string, number>;
  /** How the run ended: finished by itself, failed (an error stopped it) or interrupted. */
  outcome?: 'finished' | 'failed' | 'interrupted';
  /** The interval this run covered (after --since last and relative dates were resolved). */
  interval?: string;
  /** False when --no-redact was given: transcripts left the process unredacted. */
  redacted: boolean;
  /** Where the audit log stood when the run ended (also anchored in the checkpoint). */
  audit?: { entries: number; lastHash: string };
  /** Conversations left pending or failed by earlier runs and tried again (--since last). */
  carriedOver?: number;
  dryRun?: { conversations: number; mediaTypes: Record<string, number>; estimatedApiCalls: number };
}

export interface ExporterEvents {
  /** The checks before work passed (folders, lock, token): discovery starts. */
  started: [];
  progress: [ProgressSnapshot];
  conversation: [ConversationResult];
}

export interface ExporterDeps extends RuntimeDeps {
  /** The clock `--since last` and relative ends resolve against (tests move it). */
  now?: () => number;
  /** How the caller names the folders in messages (the CLI: '--out', '--state-dir'). */
  names?: { outDir?: string; stateDir?: string };
  /** What to tell the user to check when Genesys rejects the credentials or cannot be reached. */
  connectionHints?: ConnectionHints;
}

export class Exporter extends EventEmitter<ExporterEvents> {
  readonly options: ExportOptions;
  readonly metrics: ExportMetrics;
  private readonly deps: ExporterDeps;
  private readonly state = {
    discovered: 0,
    alreadyExported: 0,
    files: 0,
    bytes: 0,
    redactions: {} as Record<string, number>,
    failures: [] as ExportSummary['failures'],
    skipReasons: {} as Record<string, number>,
    incomplete: [] as IncompleteSlice[],
    started: 0,
    finished: 0,
    dryRun: undefined as ExportSummary['dryRun'],
    outcome: undefined as ExportSummary['outcome'],
    interval: undefined as string | undefined,
    audit: undefined as ExportSummary['audit'],
    carriedOver: 0,
    skippedConversations: {} as Record<string, number>,
    skippedItems: {} as Record<string, number>,
  };

  constructor(options: ExportOptionsInput, deps: ExporterDeps) {
    super();
    this.options = parseExportOptions(options);
    this.metrics = deps.metrics ?? new ExportMetrics();
    this.deps = { ...deps, metrics: this.metrics };
  }

  private snapshot(): ProgressSnapshot {
    const o = this.metrics.outcome;
    return {
      discovered: this.state.discovered,
      finished: o.done + o.skipped + o.failed + o.deferred + this.state.alreadyExported,
      failed: o.failed,
      bytes: this.state.bytes,
      rateLimited: this.metrics.rateLimitedCount,
    };
  }

  /**
   * Checks before work (folders writable, the state folder's lock, credentials and API), then
   * discovery → per-conversation pipeline. Nothing is discovered or downloaded when a check fails.
   */
  async *run(): AsyncGenerator<ConversationResult, ExportSummary> {
    this.state.started = Date.now();
    const { runtime, lock } = await startRun(this.options, this.deps);
    this.emit('started');
    const { checkpoint, audit, client } = runtime.context;
    let runId: string | undefined;
    let ended: 'finished' | 'failed' | 'interrupted' = 'interrupted';
    try {
      const selection = this.resolveSelection(runtime);
      runId = checkpoint.startRun({
        selection: this.options.selection,
        interval: selection.interval,
        selectionKey: selectionKey(this.options.selection),
        destinationKey: destinationKey(runtime.context.sinks.map((k) => k.name)),
        formats: this.options.formats,
        media: this.options.media,
        mediaFormat: this.options.mediaFormat,
        transcripts: this.options.transcripts,
        redact: this.options.redact,
        dryRun: this.options.dryRun,
        force: this.options.force,
      });
      await audit.append('run.start', {
        runId,
        dryRun: this.options.dryRun,
        concurrency: this.options.concurrency,
        redact: this.options.redact,
        ...(selection.interval ? { interval: selection.interval } : {}),
      });
      // Explicit IDs the API does not know are failures the user must see, not silent gaps.
      const missing: string[] = [];
      const seen = new Set<string>();
      const discovered = this.countDiscovered(
        discoverConversations(client, selection, {
          onMissing: (id) => missing.push(id),
          onIncomplete: (slice) => this.state.incomplete.push(slice),
        }),
        seen,
      );
      if (this.options.dryRun) {
        await this.dryRun(discovered);
      } else {
        yield* this.exportAll(runtime, discovered);
        for (const slice of this.state.incomplete) await audit.append('discovery.incomplete', { ...slice });
        if (this.options.selection.since === 'last')
          yield* this.exportAll(runtime, this.carryOver(checkpoint, seen));
        for (const conversationId of missing) {
          const result = await this.notFound(runtime, conversationId);
          this.account(result);
          this.emit('conversation', result);
          yield result;
        }
      }
      ended = 'finished';
    } catch (err) {
      ended = 'failed';
      throw err;
    } finally {
      // Left without finishing or failing: the consumer stopped early (break), an interruption.
      await this.finish(runtime, lock, runId, ended);
    }
    return this.summary();
  }

  private async *exportAll(
    runtime: ExportRuntime,
    source: AsyncIterable<string | AnalyticsConversationWithoutAttributes> | Iterable<string>,
  ): AsyncGenerator<ConversationResult> {
    for await (const result of mapConcurrent(
      this.withBatches(runtime, source),
      this.options.concurrency,
      (p) => runtime.exportOne(p.conversation, p.batch, p.client),
    )) {
      this.account(result);
      this.emit('conversation', result);
      this.emit('progress', this.snapshot());
      yield result;
    }
  }

  /**
   * Discovered conversations with their recording batch answers (fetch/batch-prefetch.ts): jobs of
   * ≤ 100 submitted ahead, round robin over the OAuth clients. IDs (carried-over conversations)
   * and --no-recording-batches go without.
   */
  private withBatches(
    runtime: ExportRuntime,
    source: AsyncIterable<string | AnalyticsConversationWithoutAttributes> | Iterable<string>,
  ): AsyncIterable<
    | Prefetched
    | { conversation: string | AnalyticsConversationWithoutAttributes; batch?: undefined; client?: undefined }
  > {
    if (!this.options.recordingBatches || !(Symbol.asyncIterator in source)) return unbatched(source);
    return withRecordingBatches(
      source as AsyncIterable<AnalyticsConversationWithoutAttributes>,
      runtime.context.client,
      {
        wanted: (c) => runtime.wantsBatch(c),
        clientFor: () => runtime.nextClient(),
        ahead: Math.max(2, runtime.clients.length),
        onJobError: (err) =>
          runtime.context.logger.warn(
            { code: isGtError(err) ? err.code : 'UNEXPECTED' },
            'recording batch request failed: its conversations are looked up one by one',
          ),
      },
    );
  }

  /** Pending (deferred) and failed conversations of earlier runs that this run's interval did not see. */
  private *carryOver(
    checkpoint: ExportRuntime['context']['checkpoint'],
    seen: Set<string>,
  ): Iterable<string> {
    for (const rec of checkpoint.toDo()) {
      if (seen.has(rec.conversationId)) continue;
      this.state.carriedOver += 1;
      this.state.discovered += 1;
      yield rec.conversationId;
    }
  }

  /** The selection discovery runs on: `since: 'last'` becomes an interval. */
  private resolveSelection(runtime: ExportRuntime): Selection {
    const { since: _s, from: _f, to: _t, ...rest } = this.options.selection;
    if (this.options.selection.since !== 'last') {
      this.state.interval = rest.interval;
      return rest;
    }
    const names = runtime.context.sinks.map((k) => k.name);
    const previous = lastCoveredEnd(runtime.context.checkpoint, selectionKey(this.options.selection), [
      destinationKey(names),
      // Runs recorded before the folder's own sinks were named relative to it.
      ...legacyNameSets(runtime.context.checkpoint, names).map((n) => destinationKey(n)),
    ]);
    const interval = resolveSinceLast(
      this.options.selection,
      previous,
      this.options.lagMs,
      (this.deps.now ?? Date.now)(),
    );
    this.state.interval = interval;
    return { ...rest, interval };
  }

  /** Records the run's end and anchors the audit log in the checkpoint, then lets go of everything. */
  private async finish(
    runtime: ExportRuntime,
    lock: StateLock,
    runId: string | undefined,
    outcome: NonNullable<ExportSummary['outcome']>,
  ) {
    const { checkpoint, audit } = runtime.context;
    this.state.finished = Date.now();
    this.state.outcome = outcome;
    try {
      if (runId) {
        const summary = this.summary();
        await audit.append('run.finish', {
          runId,
          outcome: this.state.outcome,
          done: summary.conversations.done,
          skipped: summary.conversations.skipped,
          failed: summary.conversations.failed,
          apiCalls: summary.apiCalls,
        });
        const at = await audit.position();
        this.state.audit = { entries: at.seq, lastHash: at.hash };
        checkpoint.finishRun(runId, this.summary() as unknown as Record<string, unknown>);
        checkpoint.anchorAudit({ runId, seq: at.seq, hash: at.hash });
      }
    } finally {
      // Even when the run's end cannot be recorded (a full disk), files and sockets are closed.
      try {
        await runtime.close();
      } finally {
        lock.release();
      }
    }
  }

  private async notFound(runtime: ExportRuntime, conversationId: string): Promise<ConversationResult> {
    const reason = `conversation ${conversationId} not found`;
    runtime.context.checkpoint.discovered(conversationId);
    runtime.context.checkpoint.markFailed(conversationId, `NOT_FOUND: ${reason}`);
    await runtime.context.audit.append('conversation.failed', { conversationId, code: 'NOT_FOUND' });
    this.metrics.recordConversation('failed', 0);
    return emptyResult(conversationId, 'failed', { reason, errorCode: 'NOT_FOUND' });
  }

  private async *countDiscovered(
    source: AsyncIterable<AnalyticsConversationWithoutAttributes>,
    seen: Set<string>,
  ): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
    for await (const c of source) {
      this.state.discovered += 1;
      if (c.conversationId) seen.add(c.conversationId);
      this.emit('progress', this.snapshot());
      yield c;
    }
  }

  /** Discovery only: what would be exported and what it would cost. Sends no recording or transcript request. */
  private async dryRun(source: AsyncIterable<AnalyticsConversationWithoutAttributes>): Promise<void> {
    const mediaTypes: Record<string, number> = {};
    let estimate = 0;
    let conversations = 0;
    let batched = 0;
    for await (const c of source) {
      conversations += 1;
      const types = mediaTypesOf(c);
      for (const t of types) mediaTypes[t] = (mediaTypes[t] ?? 0) + 1;
      // Per conversation: its recordings (a batch answer: a downloads link per recording wanted;
      // else a recordings list, + a downloads link per recorded voice communication when media is
      // wanted) and one transcript URL per recorded voice communication. Nothing for recordings
      // when analytics shows the conversation unrecorded.
      const voice = voiceCommunicationIdsCount(c);
      const digital = types.some((t) => t === 'chat' || t === 'message' || t === 'email');
      const recordings = wantsRecordings(this.options, c);
      if (recordings) batched += 1;
      if (recordings && !this.options.recordingBatches) estimate += 1;
      if (recordings && this.options.recordingBatches && digital && this.options.transcripts) estimate += 1;
      if (this.options.media) estimate += voice;
      if (this.options.transcripts) estimate += voice;
    }
    // A batch job (create + a poll or two) per 100 conversations.
    if (this.options.recordingBatches) estimate += 2 * Math.ceil(batched / 100);
    this.state.dryRun = { conversations, mediaTypes, estimatedApiCalls: estimate };
  }

  private account(r: ConversationResult): void {
    if (r.reason === 'already-exported') this.state.alreadyExported += 1;
    this.state.files += r.files.length;
    this.state.bytes += r.bytes;
    for (const [k, v] of Object.entries(r.redactions))
      this.state.redactions[k] = (this.state.redactions[k] ?? 0) + v;
    if (r.status === 'failed')
      this.state.failures.push({ conversationId: r.conversationId, code: r.errorCode, reason: r.reason });
    const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
    if (r.status === 'skipped' && r.reason) {
      bump(this.state.skipReasons, r.reason);
      bump(this.state.skippedConversations, r.reason);
    }
    if (r.status === 'done' && r.reason?.startsWith('no-files'))
      bump(this.state.skippedConversations, 'no-files');
    for (const s of r.skipped) {
      const key = `${s.kind}:${s.reason}`;
      bump(this.state.skipReasons, key);
      bump(this.state.skippedItems, key);
    }
  }

  summary(): ExportSummary {
    const m = this.metrics;
    const o = m.outcome;
    const attempted = o.done + o.failed;
    const worked = o.done + o.skipped + o.failed + o.deferred;
    return {
      conversations: {
        discovered: this.state.discovered,
        done: o.done,
        skipped: o.skipped,
        failed: o.failed,
        deferred: o.deferred,
        alreadyExported: this.state.alreadyExported,
      },
      successRate: attempted === 0 ? 1 : o.done / attempted,
      files: this.state.files,
      bytes: this.state.bytes,
      redactions: this.state.redactions,
      apiCalls: m.apiCalls,
      apiCallsPerConversation: worked === 0 ? 0 : m.apiCalls / Math.max(worked, 1),
      rateLimited: m.rateLimitedCount,
      retries: m.retryCount,
      latencyMs: {
        conversationP50: m.conversationLatency.percentile(50),
        conversationP95: m.conversationLatency.percentile(95),
        apiP50: m.apiLatency.percentile(50),
        apiP95: m.apiLatency.percentile(95),
      },
      durationMs: (this.state.finished || Date.now()) - this.state.started,
      failures: this.state.failures.slice(0, 100),
      skipReasons: this.state.skipReasons,
      ...(this.state.incomplete.length ? { incomplete: this.state.incomplete } : {}),
      skippedConversations: this.state.skippedConversations,
      skippedItems: this.state.skippedItems,
      redacted: this.options.redact,
      ...(this.state.outcome ? { outcome: this.state.outcome } : {}),
      ...(this.state.interval ? { interval: this.state.interval } : {}),
      ...(this.state.audit ? { audit: this.state.audit } : {}),
      ...(this.state.carriedOver ? { carriedOver: this.state.carriedOver } : {}),
      ...(this.state.dryRun ? { dryRun: this.state.dryRun } : {}),
    };
  }
}
