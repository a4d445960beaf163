// What every stage of one export shares: the API client, the sinks, the checkpoint, the audit
// log, metrics and the logger. Built once per run by runtime.ts.
import type { GenesysClient } from '../genesys/transport.ts';
import type { Sink } from '../sinks/types.ts';
import type { CheckpointStore } from './checkpoint.ts';
import type { AuditLog } from './audit.ts';
import type { ExportMetrics } from '../observe/metrics.ts';
import type { Logger } from '../observe/logger.ts';
import type { RuntimeOptions } from './options.ts';

export interface PipelineContext {
  client: GenesysClient;
  options: RuntimeOptions;
  sinks: Sink[];
  checkpoint: CheckpointStore;
  audit: AuditLog;
  metrics: ExportMetrics;
  logger: Logger;
  /** Per-conversation working folders; partial downloads survive a crash here. */
  stagingDir: string;
  /** Hash of the settings that change what is delivered (formats, redaction, media format). */
  fingerprint: string;
  signal?: AbortSignal;
}
