// The OFFICIAL-SDK contender for bench/export.bench.ts: the parallel script a competent engineer
// would write on purecloud-platform-client-v2 (the JS SDK has no retry or pacing of its own):
//   - client-credentials login; extended responses on, to see statuses and headers;
//   - discovery: analytics details query pages of 100 (the maximum), one after the other;
//   - 8 conversations in flight; per conversation: the recordings list (formatId WAV; Genesys
//     waits server-side up to maxWaitMs while transcoding, and answers 202 after it: asked
//     again), each AVAILABLE audio file through its downloads link (issueRedirect=false, then the
//     signed URL streamed to a file), digital transcripts from the recording body, and one STA
//     transcript URL per recorded customer voice session from analytics (404 = none), streamed;
//   - 429/503: wait exactly Retry-After (else the window reset), then retry; 5xx and network
//     errors: 3 retries with exponential backoff.
// It shares NO code with src/ (SDK, fetch and node:fs only).
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);

export interface SdkExportOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  interval: string;
  outDir: string;
  concurrency?: number;
}

export interface SdkExportResult {
  conversations: number;
  exportedIds: string[];
  failed: { conversationId: string; error: string }[];
  rateLimited: number;
}

interface Extended<T> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function sdkExport(o: SdkExportOptions): Promise<SdkExportResult> {
  const platformClient = require('purecloud-platform-client-v2');
  const client = platformClient.ApiClient.instance;
  const api = new URL(o.apiUrl);
  client.setGateway({
    host: api.hostname,
    protocol: api.protocol.replace(':', ''),
    port: Number(api.port),
    path_params_login: '',
    path_params_api: '',
  });
  client.setReturnExtendedResponses(true);
  await client.loginClientCredentialsGrant(o.clientId, o.clientSecret);
  const analytics = new platformClient.AnalyticsApi();
  const recordingApi = new platformClient.RecordingApi();
  const sta = new platformClient.SpeechTextAnalyticsApi();
  const downloads = new platformClient.DownloadsApi();
  const result: SdkExportResult = { conversations: 0, exportedIds: [], failed: [], rateLimited: 0 };

  /** One SDK call with Retry-After honoured and transient failures retried. */
  async function call<T>(fn: () => Promise<Extended<T>>): Promise<Extended<T>> {
    for (let attempt = 0, transient = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const err = e as Partial<Extended<unknown>>;
        const status = err.status ?? 0;
        if (status === 429 || (status === 503 && err.headers?.['retry-after'])) {
          result.rateLimited += status === 429 ? 1 : 0;
          const seconds = Number(err.headers?.['retry-after'] ?? err.headers?.['inin-ratelimit-reset'] ?? 1);
          await sleep(Math.max(1, seconds) * 1000);
          if (attempt < 50) continue;
        } else if ((status >= 500 || status === 0) && transient < 3) {
          transient++;
          await sleep(250 * 2 ** transient);
          continue;
        }
        throw e;
      }
    }
  }

  async function stream(url: string, path: string): Promise<void> {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`GET signed URL: ${res.status}`);
    await mkdir(join(path, '..'), { recursive: true });
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(path));
  }

  // Discovery: pages of 100.
  const conversations: { conversationId: string; participants?: unknown[] }[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await call(() =>
      analytics.postAnalyticsConversationsDetailsQuery({
        interval: o.interval,
        order: 'asc',
        orderBy: 'conversationStart',
        paging: { pageSize: 100, pageNumber },
      }),
    );
    const list = (page.body as { conversations?: typeof conversations }).conversations ?? [];
    conversations.push(...list);
    if (list.length < 100) break;
  }
  result.conversations = conversations.length;

  async function exportOne(c: (typeof conversations)[number]): Promise<void> {
    const id = c.conversationId;
    const dir = join(o.outDir, id);
    let recordings: Record<string, unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(() =>
        recordingApi.getConversationRecordings(id, { formatId: 'WAV', maxWaitMs: 5000 }),
      );
      recordings = (r.body as Record<string, unknown>[]) ?? [];
      if (r.status !== 202) break;
      await sleep(1000);
    }
    for (const rec of recordings) {
      if (rec.fileState !== 'AVAILABLE') continue;
      if (rec.media === 'audio') {
        const uri = (rec.mediaUris as Record<string, { mediaUri?: string }> | undefined)?.S?.mediaUri;
        if (!uri) continue;
        const downloadId = /\/api\/v2\/downloads\/([^/?]+)/.exec(uri)?.[1];
        const url = downloadId
          ? (
              (await call(() => downloads.getDownload(downloadId, { issueRedirect: false }))).body as {
                url: string;
              }
            ).url
          : uri;
        await stream(url, join(dir, `${rec.id as string}.wav`));
      } else {
        const body = rec.transcript ?? rec.messagingTranscript ?? rec.emailTranscript;
        if (body) {
          await mkdir(dir, { recursive: true });
          await writeFile(join(dir, `${rec.id as string}.${rec.media as string}.json`), JSON.stringify(body));
        }
      }
    }
    // One transcript per recorded customer voice session (analytics says which are recorded).
    for (const p of (c.participants ?? []) as { purpose?: string; sessions?: Record<string, unknown>[] }[]) {
      if (p.purpose !== 'customer') continue;
      for (const s of p.sessions ?? []) {
        if (s.mediaType !== 'voice' || s.recording !== true) continue;
        try {
          const u = await call(() =>
            sta.getSpeechandtextanalyticsConversationCommunicationTranscripturl(id, s.sessionId as string),
          );
          await stream(
            (u.body as { url: string }).url,
            join(dir, `transcript-${s.sessionId as string}.json`),
          );
        } catch (e) {
          if ((e as { status?: number }).status !== 404) throw e;
        }
      }
    }
  }

  // 8 in flight.
  let next = 0;
  await Promise.all(
    Array.from({ length: o.concurrency ?? 8 }, async () => {
      while (next < conversations.length) {
        const c = conversations[next++]!;
        try {
          await exportOne(c);
          result.exportedIds.push(c.conversationId);
        } catch (e) {
          const err = e as { status?: number; message?: string };
          result.failed.push({
            conversationId: c.conversationId,
            error: `${err.status ?? ''} ${err.message ?? String(e)}`.slice(0, 200),
          });
        }
      }
    }),
  );
  return result;
}
