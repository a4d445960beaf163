// Prometheus metrics for an export (prom-client), plus the figures the final summary prints.
// One ExportMetrics per export run; its registry is private so several runs in one process
// (tests, the distributed worker) never share counters by accident.
import { GtError } from '../errors.ts';
import { createServer, type Server } from 'node:http';
import { writeFile, rename } from 'node:fs/promises';
import { Counter, Histogram, Registry } from 'prom-client';
import { Reservoir } from './stats.ts';

/** deferred: a recording was not ready (transcoding, restoring); a later run exports it whole. */
export type ConversationStatus = 'done' | 'skipped' | 'failed' | 'deferred';

export class ExportMetrics {
  readonly registry = new Registry();
  readonly conversations = new Counter({
    name: 'gt_conversations_total',
    help: 'Conversations finished, by outcome',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'gt_api_requests_total',
    help: 'Genesys API requests sent, by request family and HTTP status',
    labelNames: ['family', 'status'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'gt_rate_limited_total',
    help: '429 answers received',
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'gt_retries_total',
    help: 'Requests retried, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly bytes = new Counter({
    name: 'gt_media_bytes_total',
    help: 'Media bytes delivered (exported conversations)',
    registers: [this.registry],
  });
  readonly redactions = new Counter({
    name: 'gt_redactions_total',
    help: 'PII items redacted in exported conversations, by entity',
    labelNames: ['entity'] as const,
    registers: [this.registry],
  });
  readonly conversationSeconds = new Histogram({
    name: 'gt_conversation_duration_seconds',
    help: 'Wall time to export one conversation',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly apiSeconds = new Histogram({
    name: 'gt_api_request_duration_seconds',
    help: 'Genesys API request latency',
    labelNames: ['family'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /** Exact counts and latency samples for the summary (prom-client histograms are bucketed). */
  readonly outcome: Record<ConversationStatus, number> = { done: 0, skipped: 0, failed: 0, deferred: 0 };
  apiCalls = 0;
  rateLimitedCount = 0;
  retryCount = 0;
  bytesWritten = 0;
  readonly conversationLatency = new Reservoir();
  readonly apiLatency = new Reservoir();

  recordConversation(status: ConversationStatus, durationMs: number): void {
    this.outcome[status] += 1;
    this.conversations.inc({ status });
    this.conversationSeconds.observe(durationMs / 1000);
    this.conversationLatency.add(durationMs);
  }

  recordApiRequest(family: string, status: number, durationMs: number): void {
    this.apiCalls += 1;
    this.apiRequests.inc({ family, status: String(status) });
    this.apiSeconds.observe({ family }, durationMs / 1000);
    this.apiLatency.add(durationMs);
    if (status === 429) {
      this.rateLimitedCount += 1;
      this.rateLimited.inc();
    }
  }

  recordRetry(reason: string): void {
    this.retryCount += 1;
    this.retries.inc({ reason });
  }

  recordBytes(n: number): void {
    this.bytesWritten += n;
    this.bytes.inc(n);
  }

  recordRedactions(counts: Partial<Record<string, number>>): void {
    for (const [entity, n] of Object.entries(counts)) if (n) this.redactions.inc({ entity }, n);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  /** Node-exporter textfile collector format: written atomically so a scraper never reads half. */
  async writeTextfile(path: string): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, await this.text());
    await rename(tmp, path);
  }

  /** Serves GET /metrics on 127.0.0.1:port (0 = ephemeral); resolves to the server. */
  async serve(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.text().then(
        (body) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    // A busy or forbidden port is a usage error (one line, exit 2), not a crash with a stack trace.
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new GtError(
            'USAGE',
            err.code === 'EADDRINUSE'
              ? `--metrics-port ${port}: the port is already in use on ${host}; pick another (0 = any free port)`
              : `--metrics-port ${port}: cannot listen on ${host} (${err.code ?? 'error'})`,
            { port, code: err.code },
          ),
        ),
      );
      server.listen(port, host, resolve);
    });
    return server;
  }
}
