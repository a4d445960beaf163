// The contract between the pipeline and every delivery destination (filesystem, webhook, S3).
// The pipeline stages a conversation's media locally and keeps its text files (transcripts,
// manifest) in memory, then hands each sink one bundle; a sink either delivers all of it or
// throws. Sinks are idempotent by `deliveryId`, so re-delivering after a crash (between the sink's
// success and the checkpoint write) is harmless.
import type { Transcript } from '../pipeline/transform/model.ts';

interface BundleFileInfo {
  /** Safe relative name inside the conversation folder, e.g. 'transcript.json', 'recordings/<safe>.wav'. */
  name: string;
  size: number;
  sha256: string;
  contentType: string;
}

/** A file staged on local disk (recordings, any size): sinks read it from `path`. */
export interface StagedFile extends BundleFileInfo {
  /** Absolute path of the staged local file. */
  path: string;
  text?: undefined;
}

/**
 * A text file the pipeline holds in memory (transcripts, manifest: small, rendered per run):
 * written by the sinks from `text` (UTF-8), never staged. Staging them cost a write, a read back
 * and a removal per file, most of a conversation's filesystem work; they are re-rendered by any
 * later attempt, so nothing is lost with them in a crash.
 */
export interface TextFile extends BundleFileInfo {
  text: string;
  path?: undefined;
}

export type BundleFile = StagedFile | TextFile;

export interface ConversationBundle {
  /** Validated by the caller, but never used as a path by a sink without safeName(). */
  conversationId: string;
  /** ISO 8601; drives the date layout YYYY/MM/DD (UTC). */
  conversationStart: string;
  /** Stable per conversation + export config: the idempotency key. */
  deliveryId: string;
  /** Its files: media staged on disk, transcripts in each format and manifest.json in memory. */
  files: BundleFile[];
  /** The manifest object (also staged as manifest.json in files). */
  manifest: Record<string, unknown>;
  /**
   * The transcripts as delivered (redacted unless the export opted out), in the canonical model:
   * for sinks that index or store text (review pages, search, PostgreSQL) whatever formats were chosen.
   */
  transcripts?: Transcript[];
}

export interface DeliveryReceipt {
  sink: string;
  deliveryId: string;
  location: string;
  /**
   * Filesystem sinks (files, review pages): `location` relative to the sink's folder. The
   * checkpoint goes by it, so a moved or copied folder still holds what it recorded.
   */
  path?: string;
  deliveredAt: string;
  /** True when the destination already held this delivery and nothing was sent. */
  duplicate?: boolean;
}

export interface Sink {
  /** Identifies the destination (kind + where, never credentials): the checkpoint keys deliveries by it. */
  readonly name: string;
  deliver(bundle: ConversationBundle, signal?: AbortSignal): Promise<DeliveryReceipt>;
  /**
   * Optional, for destinations we can look at (a folder): does it still hold this delivery whole?
   * False sends the conversation again (a deleted folder or file is restored by the next run).
   */
  holds?(delivery: { deliveryId: string; receipt: unknown }): Promise<boolean>;
  close(): Promise<void>;
}
