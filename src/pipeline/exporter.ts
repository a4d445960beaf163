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
import { ExportMetrics } from '../observe/metrics.ts';
import type { ProgressSnapshot } from '../observe/progress.ts';
import { parseExportOptions, type ExportOptions, type ExportOptionsInput } from './options.ts';
import { createExportRuntime, type ExportRuntime, type RuntimeDeps } from './runtime.ts';
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
  skipReasons: Record<string, number>;
  /**
   * Parts of the interval discovery could not serve completely (e.g. after the data lake's
   * availability date with more conversations than a sync query returns): run again later for them.
   */
  incomplete?: IncompleteSlice[];
  dryRun?: { conversations: number; mediaTypes: Record<string, number>; estimatedApiCalls: number };
}

export interface ExporterEvents {
  progress: [ProgressSnapshot];
  conversation: [ConversationResult];
}

export class Exporter extends EventEmitter<ExporterEvents> {
  readonly options: ExportOptions;
  readonly metrics: ExportMetrics;
  private readonly deps: RuntimeDeps;
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
  };

  constructor(options: ExportOptionsInput, deps: RuntimeDeps) {
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

  async *run(): AsyncGenerator<ConversationResult, ExportSummary> {
    this.state.started = Date.now();
    const runtime = await createExportRuntime(this.options, this.deps);
    const { checkpoint, audit, client } = runtime.context;
    const runId = checkpoint.startRun({
      selection: this.options.selection,
      formats: this.options.formats,
      media: this.options.media,
      redact: this.options.redact,
      dryRun: this.options.dryRun,
    });
    await audit.append('run.start', {
      runId,
      dryRun: this.options.dryRun,
      concurrency: this.options.concurrency,
    });
    try {
      // Explicit IDs the API does not know are failures the user must see, not silent gaps.
      const missing: string[] = [];
      const discovered = this.countDiscovered(
        discoverConversations(client, this.options.selection, {
          onMissing: (id) => missing.push(id),
          onIncomplete: (slice) => this.state.incomplete.push(slice),
        }),
      );
      if (this.options.dryRun) {
        await this.dryRun(discovered);
      } else {
        for await (const result of mapConcurrent(discovered, this.options.concurrency, (c) =>
          runtime.exportOne(c),
        )) {
          this.account(result);
          this.emit('conversation', result);
          this.emit('progress', this.snapshot());
          yield result;
        }
        for (const slice of this.state.incomplete) await audit.append('discovery.incomplete', { ...slice });
        for (const conversationId of missing) {
          const result = await this.notFound(runtime, conversationId);
          this.account(result);
          this.emit('conversation', result);
          yield result;
        }
      }
    } finally {
      const summary = this.summary();
      try {
        checkpoint.finishRun(runId, summary as unknown as Record<string, unknown>);
        await audit.append('run.finish', {
          runId,
          done: summary.conversations.done,
          skipped: summary.conversations.skipped,
          failed: summary.conversations.failed,
          apiCalls: summary.apiCalls,
        });
      } finally {
        // Even when the run's end cannot be recorded (a full disk), files and sockets are closed.
        await runtime.close();
      }
    }
    return this.summary();
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
  ): AsyncGenerator<AnalyticsConversationWithoutAttributes> {
    for await (const c of source) {
      this.state.discovered += 1;
      this.emit('progress', this.snapshot());
      yield c;
    }
  }

  /** Discovery only: what would be exported and what it would cost. Sends no recording or transcript request. */
  private async dryRun(source: AsyncIterable<AnalyticsConversationWithoutAttributes>): Promise<void> {
    const mediaTypes: Record<string, number> = {};
    let estimate = 0;
    let conversations = 0;
    for await (const c of source) {
      conversations += 1;
      const types = mediaTypesOf(c);
      for (const t of types) mediaTypes[t] = (mediaTypes[t] ?? 0) + 1;
      // Per conversation: one recordings list (+1 downloads link per recorded voice communication
      // when media is wanted), and one transcript URL per recorded voice communication.
      const voice = voiceCommunicationIdsCount(c);
      const digital = types.some((t) => t === 'chat' || t === 'message' || t === 'email');
      if (this.options.media || (this.options.transcripts && digital)) estimate += 1;
      if (this.options.media) estimate += voice;
      if (this.options.transcripts) estimate += voice;
    }
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
    if (r.status === 'skipped' && r.reason)
      this.state.skipReasons[r.reason] = (this.state.skipReasons[r.reason] ?? 0) + 1;
    for (const s of r.skipped) {
      const key = `${s.kind}:${s.reason}`;
      this.state.skipReasons[key] = (this.state.skipReasons[key] ?? 0) + 1;
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
      ...(this.state.dryRun ? { dryRun: this.state.dryRun } : {}),
    };
  }
}
