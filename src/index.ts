// The library's public surface. See README.md for an example.
export { Exporter, type ExportSummary } from './pipeline/exporter.ts';
export { createExportRuntime, type ExportRuntime } from './pipeline/runtime.ts';
export type { ExportOptionsInput, ExportOptions, Selection } from './pipeline/options.ts';
export type { ConversationResult } from './pipeline/conversation.ts';
export { loadConfig, type GenesysConfig } from './config/index.ts';
export type { Transcript, Segment, Speaker, PiiEntity } from './pipeline/transform/model.ts';
export { redactText, redactTranscript } from './pipeline/transform/redact/index.ts';
export { renderTranscript } from './pipeline/transform/formats/index.ts';
export { GtError, type ErrorCode } from './errors.ts';
