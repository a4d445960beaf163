// The BASELINE for bench/export.bench.ts: a straightforward exporter written the way the public
// tutorial (/work/shared/seed/genesys-transcripts-tutorial.txt) does it, but against the REAL
// endpoints, so the benchmark compares approaches rather than a broken script:
//   - a cached client-credentials token with the tutorial's 60 s safety buffer, on the login host;
//   - analytics details query pages fetched one after the other (pageSize 25, the tutorial's);
//   - per conversation: the recordings list, each available audio file fetched whole with
//     arrayBuffer() and written, each voice transcript via its transcript URL, digital transcripts
//     from the recording body;
//   - fixed 3 retries with exponential backoff (1 s, 2 s, 4 s, capped at 10 s) on 429, 5xx, 202
//     and network errors, ignoring Retry-After, like the tutorial's loop;
//   - Promise.all over all conversations behind the tutorial's ConcurrencyLimiter (default 5).
// It deliberately shares NO code with src/ (plain fetch, node:fs only). Do not "improve" it: it is
// the yardstick.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface NaiveExportOptions {
  apiUrl: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  /** ISO-8601 start/end. */
  interval: string;
  outDir: string;
  maxConcurrency?: number;
  pageSize?: number;
}

export interface NaiveExportResult {
  /** Conversations the analytics query returned. */
  conversations: number;
  /** Conversations whose every recording and transcript was written (or that had none). */
  exported: number;
  exportedIds: string[];
  failed: { conversationId: string; error: string }[];
  files: number;
  bytes: number;
  /** Requests this exporter sent (token, API and signed URLs), retries included. */
  requests: number;
  /** 429 answers it received. */
  rateLimited: number;
}

const MAX_RETRIES = 3;

class TokenManager {
  clientId: string;
  clientSecret: string;
  loginUrl: string;
  token: string | null = null;
  expiresAt = 0;

  constructor(clientId: string, clientSecret: string, loginUrl: string) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.loginUrl = loginUrl.replace(/\/+$/, '');
  }

  async getAccessToken(counters: Counters): Promise<string> {
    if (this.token && Date.now() < this.expiresAt - 60000) return this.token;
    counters.requests++;
    // The tutorial posts the credentials in the body to the API host; Genesys wants them in a
    // Basic header on the login host, so that is the one change made here.
    const response = await fetch(`${this.loginUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    if (!response.ok) throw new Error(`OAuth token fetch failed with ${response.status}`);
    const data = (await response.json()) as { access_token: string; expires_in: number };
    this.token = data.access_token;
    this.expiresAt = Date.now() + data.expires_in * 1000;
    return this.token;
  }
}

class ConcurrencyLimiter {
  maxConcurrency: number;
  running = 0;
  queue: { task: () => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];

  constructor(maxConcurrency: number) {
    this.maxConcurrency = maxConcurrency;
  }

  add<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (v: unknown) => void, reject });
      void this.processQueue();
    });
  }

  async processQueue(): Promise<void> {
    if (this.running >= this.maxConcurrency || this.queue.length === 0) return;
    this.running++;
    const { task, resolve, reject } = this.queue.shift()!;
    try {
      resolve(await task());
    } catch (error) {
      reject(error);
    } finally {
      this.running--;
      void this.processQueue();
    }
  }
}

interface Counters {
  requests: number;
  rateLimited: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** fetch with the tutorial's retry loop: 429/5xx/202/network → wait 2^n s (max 10 s), 3 times. */
async function fetchWithRetry(url: string, init: RequestInit, counters: Counters): Promise<Response> {
  let retryCount = 0;
  for (;;) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      counters.requests++;
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(15000) });
    } catch (error) {
      failure = error;
    }
    if (response?.status === 429) counters.rateLimited++;
    const transient =
      response === undefined || response.status === 429 || response.status === 202 || response.status >= 500;
    if (!transient) return response!;
    if (retryCount >= MAX_RETRIES) {
      if (response) return response;
      throw failure;
    }
    retryCount++;
    await response?.body?.cancel();
    await sleep(Math.min(1000 * Math.pow(2, retryCount - 1), 10000));
  }
}

interface RecordingLike {
  id?: string;
  media?: string;
  fileState?: string;
  sessionId?: string;
  mediaUris?: Record<string, { mediaUri?: string }> | null;
  transcript?: unknown;
  messagingTranscript?: unknown;
  emailTranscript?: unknown;
}

export async function naiveExport(options: NaiveExportOptions): Promise<NaiveExportResult> {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const tokens = new TokenManager(options.clientId, options.clientSecret, options.loginUrl);
  const limiter = new ConcurrencyLimiter(options.maxConcurrency ?? 5);
  const counters: Counters = { requests: 0, rateLimited: 0 };
  const result: NaiveExportResult = {
    conversations: 0,
    exported: 0,
    exportedIds: [],
    failed: [],
    files: 0,
    bytes: 0,
    requests: 0,
    rateLimited: 0,
  };

  const authHeaders = async () => ({
    Authorization: `Bearer ${await tokens.getAccessToken(counters)}`,
    Accept: 'application/json',
  });

  async function save(path: string, data: Uint8Array | string): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, data);
    result.files++;
    result.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  // Step 1: every conversation ID, page after page.
  const conversationIds: string[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const response = await fetchWithRetry(
      `${apiUrl}/api/v2/analytics/conversations/details/query`,
      {
        method: 'POST',
        headers: { ...(await authHeaders()), 'Content-Type': 'application/json' },
        body: JSON.stringify({
          interval: options.interval,
          order: 'asc',
          orderBy: 'conversationStart',
          paging: { pageSize: options.pageSize ?? 25, pageNumber },
        }),
      },
      counters,
    );
    if (!response.ok) throw new Error(`Conversation query failed: ${response.status}`);
    const data = (await response.json()) as { conversations?: { conversationId: string }[] };
    if (!data.conversations || data.conversations.length === 0) break;
    for (const c of data.conversations) conversationIds.push(c.conversationId);
  }
  result.conversations = conversationIds.length;

  // Step 2: each conversation's recordings and transcripts.
  async function exportConversation(conversationId: string): Promise<void> {
    const dir = join(options.outDir, conversationId);
    const response = await fetchWithRetry(
      `${apiUrl}/api/v2/conversations/${conversationId}/recordings?formatId=WAV`,
      { headers: await authHeaders() },
      counters,
    );
    if (!response.ok) throw new Error(`Recording query failed: ${response.status}`);
    const text = await response.text();
    const recordings = (text ? JSON.parse(text) : []) as RecordingLike[];
    for (const rec of recordings) {
      if (rec.fileState !== 'AVAILABLE') continue;
      if (rec.media === 'audio') {
        const mediaUri = rec.mediaUris?.S?.mediaUri;
        if (mediaUri) {
          const media = await fetchWithRetry(mediaUri, { headers: await authHeaders() }, counters);
          if (!media.ok) throw new Error(`Download failed for ${rec.id}: ${media.status}`);
          await save(join(dir, `${rec.id}.wav`), Buffer.from(await media.arrayBuffer()));
        }
        if (rec.sessionId) {
          const urlResponse = await fetchWithRetry(
            `${apiUrl}/api/v2/speechandtextanalytics/conversations/${conversationId}/communications/${rec.sessionId}/transcripturl`,
            { headers: await authHeaders() },
            counters,
          );
          if (urlResponse.status === 404) continue; // not transcribed
          if (!urlResponse.ok) throw new Error(`Transcript URL failed: ${urlResponse.status}`);
          const { url } = (await urlResponse.json()) as { url: string };
          const transcript = await fetchWithRetry(url, {}, counters);
          if (!transcript.ok) throw new Error(`Transcript download failed: ${transcript.status}`);
          await save(join(dir, `transcript-${rec.sessionId}.json`), await transcript.text());
        }
      } else {
        const body = rec.transcript ?? rec.messagingTranscript ?? rec.emailTranscript;
        if (body) await save(join(dir, `${rec.id}.${rec.media}.json`), JSON.stringify(body, null, 2));
      }
    }
  }

  await Promise.all(
    conversationIds.map((id) =>
      limiter.add(async () => {
        try {
          await exportConversation(id);
          result.exported++;
          result.exportedIds.push(id);
        } catch (error) {
          result.failed.push({
            conversationId: id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    ),
  );
  result.requests = counters.requests;
  result.rateLimited = counters.rateLimited;
  return result;
}
