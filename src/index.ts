/// <reference types="node" preserve="true" />
// The library's public surface (`import … from 'genesys-transcripts'`), what README.md shows:
// the Exporter and its results and events, the config loader, the sinks, transcript helpers and
// typed errors. The emulator is a separate entry, `genesys-transcripts/emulator`, so a library user
// can test against it without the library ever importing it. (The reference to Node's types above
// is kept in the published .d.ts: the API speaks in EventEmitter, AbortSignal and Buffer.)
export { Exporter, type ExportSummary, type ExporterEvents } from './pipeline/exporter.ts';
export { createExportRuntime, type ExportRuntime, type RuntimeDeps } from './pipeline/runtime.ts';
export type { ExportOptionsInput, ExportOptions, Selection } from './pipeline/options.ts';
export type { ConversationResult, ConversationStatus } from './pipeline/conversation.ts';
export type { ProgressSnapshot } from './observe/progress.ts';
export { loadConfig, type GenesysConfig, type LoadConfigInput } from './config/index.ts';
export { configFileJsonSchema } from './config/json-schema.ts';
export type { Transcript, Segment, Speaker, PiiEntity } from './pipeline/transform/model.ts';
export { redactText, redactTranscript } from './pipeline/transform/redact/index.ts';
export { renderTranscript } from './pipeline/transform/formats/index.ts';
export {
  createSink,
  parseSinkSpec,
  createFsSink,
  createS3Sink,
  createWebhookSink,
  createPostgresSink,
  replayDeadLetters,
  type Sink,
  type SinkConfig,
  type SinkEnv,
  type WebhookSink,
  type BundleFile,
  type ConversationBundle,
  type DeliveryReceipt,
} from './sinks/index.ts';
export { searchExport, type SearchFilters, type SearchHit } from './review/search.ts';
export { ReviewSite } from './review/site.ts';
export { readExport } from './review/read.ts';
export { GtError, type ErrorCode } from './errors.ts';
export { TOOL_VERSION } from './version.ts';
