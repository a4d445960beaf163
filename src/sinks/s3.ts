// S3 sink: keys prefix/YYYY/MM/DD/<safe conversation id>/<name>, manifest.json uploaded last
// (an object listing with a manifest is a complete conversation). Files are streamed from the
// staging folder through lib-storage's Upload (multipart above partSizeBytes), never buffered
// whole. Every object carries x-amz-meta-sha256; an object that already exists with the same
// sha256 is skipped (HeadObject), which makes re-delivery after a crash cheap and idempotent.
import { createReadStream } from 'node:fs';
import { HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { GtError } from '../errors.ts';
import { conversationSegments, fileSegments, manifestLast } from './layout.ts';
import type { BundleFile, ConversationBundle, DeliveryReceipt, Sink } from './types.ts';

export interface S3SinkOptions {
  endpoint?: string;
  region: string;
  bucket: string;
  prefix?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
  /** Multipart part size; S3's minimum (and the default) is 5 MiB. */
  partSizeBytes?: number;
  /** Parts uploaded in parallel per file. Default 2 (this runs beside the exporter's own concurrency). */
  queueSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

export function createS3Sink(options: S3SinkOptions): Sink {
  if (!options.bucket) throw new GtError('CONFIG_INVALID', 'S3 sink needs a bucket');
  if (!options.region) throw new GtError('CONFIG_INVALID', 'S3 sink needs a region');
  const partSize = Math.max(MIN_PART_SIZE, options.partSizeBytes ?? MIN_PART_SIZE);
  const prefix = (options.prefix ?? '').split('/').filter((s) => s !== '');
  const config: S3ClientConfig = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    // Checksums only where S3 requires them: S3-compatible stores (MinIO, s3rver, Ceph) often
    // reject the newer default trailing-checksum encoding, and we verify with our own sha256.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  const client = new S3Client(config);
  const name = `s3://${options.bucket}${prefix.length ? `/${prefix.join('/')}` : ''}`;

  async function existingSha256(key: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const head = await client.send(
        new HeadObjectCommand({ Bucket: options.bucket, Key: key }),
        signal ? { abortSignal: signal } : {},
      );
      return head.Metadata?.sha256;
    } catch (err) {
      if (statusOf(err) === 404 || (err as Error).name === 'NotFound') return undefined;
      throw err;
    }
  }

  async function upload(file: BundleFile, key: string, signal?: AbortSignal): Promise<void> {
    const upload = new Upload({
      client,
      partSize,
      queueSize: options.queueSize ?? 2,
      leavePartsOnError: false,
      params: {
        Bucket: options.bucket,
        Key: key,
        Body: file.text !== undefined ? Buffer.from(file.text, 'utf8') : createReadStream(file.path),
        ContentType: file.contentType,
        ContentLength: file.size,
        Metadata: { sha256: file.sha256 },
      },
    });
    const onAbort = () => void upload.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function deliver(bundle: ConversationBundle, signal?: AbortSignal): Promise<DeliveryReceipt> {
    const folder = [...prefix, ...conversationSegments(bundle)].join('/');
    let uploaded = 0;
    try {
      for (const file of manifestLast(bundle.files)) {
        signal?.throwIfAborted();
        const key = `${folder}/${fileSegments(file.name).join('/')}`;
        if ((await existingSha256(key, signal)) === file.sha256) continue;
        await upload(file, key, signal);
        uploaded += 1;
      }
    } catch (err) {
      if (signal?.aborted)
        throw new GtError('ABORTED', 'S3 delivery aborted', { sink: name }, { cause: err });
      if (err instanceof GtError) throw err;
      const status = statusOf(err);
      throw new GtError(
        'SINK_FAILED',
        `S3 delivery failed (${(err as Error).name}${status ? ` ${status}` : ''})`,
        { sink: name, status },
        { cause: err },
      );
    }
    return {
      sink: name,
      deliveryId: bundle.deliveryId,
      location: `s3://${options.bucket}/${folder}/`,
      deliveredAt: new Date().toISOString(),
      ...(uploaded === 0 ? { duplicate: true } : {}),
    };
  }

  return {
    name,
    deliver,
    close: async () => client.destroy(),
  };
}
