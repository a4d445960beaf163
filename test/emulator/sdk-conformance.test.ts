// The official Genesys SDK (purecloud-platform-client-v2) pointed at the emulator: it logs in and
// calls every endpoint the emulator serves. Then every JSON field the emulator sends, on success
// and error paths, is checked against the SDK's own model (index.d.ts): the emulator must send no
// field the real model lacks, and no value of the wrong kind. One file, sequential: the SDK's
// ApiClient is a singleton.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { fieldsOf, parseSdkModels, sdkIndexPath } from '../../scripts/gen-sdk-models.ts';
import type { RunningEmulator } from '../../src/emulator/index.ts';
import { api, json, sleep, start, token, voiceWith } from './helpers.ts';

const require = createRequire(import.meta.url);
const models = parseSdkModels(readFileSync(sdkIndexPath(), 'utf8'));
/**
 * The documented enums of the models (the JS SDK types them as plain strings; the list comes from
 * the Python SDK's generated models, see the fixture's _source).
 */
const ENUMS = (
  JSON.parse(readFileSync(new URL('../fixtures/sdk-enums.json', import.meta.url), 'utf8')) as {
    models: Record<string, Record<string, string[]>>;
  }
).models;

/**
 * Walks `value` against the SDK type `type` (as written in index.d.ts: `string`, `Array<Models.X>`,
 * `Models.X`, `{ [key: string]: Models.X; }` …) and reports every field the model does not have or
 * whose value has the wrong kind.
 */
function conform(value: unknown, type: string, path: string, problems: string[]): void {
  const t = type.trim().replace(/^Models\./, '');
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(t);
  if (array) {
    if (!Array.isArray(value)) return void problems.push(`${path}: expected an array`);
    value.forEach((v, i) => conform(v, array[1]!, `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value))
      return void problems.push(`${path}: expected a map`);
    for (const [k, v] of Object.entries(value)) conform(v, map[1]!, `${path}.${k}`, problems);
    return;
  }
  if (t === 'string' || t === 'Date')
    return void (
      typeof value !== 'string' && problems.push(`${path}: expected a string, got ${typeof value}`)
    );
  if (t === 'number') return void (typeof value !== 'number' && problems.push(`${path}: expected a number`));
  if (t === 'boolean')
    return void (typeof value !== 'boolean' && problems.push(`${path}: expected a boolean`));
  if (t === 'object' || t === 'any') return;
  const body = models.get(t);
  if (body === undefined) return void problems.push(`${path}: unknown SDK type ${type}`);
  if (typeof value !== 'object' || Array.isArray(value))
    return void problems.push(`${path}: expected a ${t} object`);
  const fields = fieldsOf(body);
  for (const [k, v] of Object.entries(value)) {
    const ft = fields.get(k);
    const allowed = ENUMS[t]?.[k];
    if (ft === undefined) problems.push(`${path}.${k}: not a field of ${t}`);
    else if (allowed && typeof v === 'string' && !allowed.includes(v))
      problems.push(`${path}.${k}: "${v}" is not in the enum ${t}.${k} (${allowed.join('|')})`);
    else conform(v, ft, `${path}.${k}`, problems);
  }
}

function assertConforms(value: unknown, type: string, label: string): void {
  const problems: string[] = [];
  conform(value, type, label, problems);
  assert.deepEqual(problems, [], `${label} sends fields the SDK model lacks`);
}

test('the conformance walker itself catches an invented field and a wrong kind', () => {
  const problems: string[] = [];
  conform(
    { id: 'x', mediaUris: { S: { mediaUri: 'u', invented: 1 } }, fileState: 3 },
    'Models.Recording',
    'r',
    problems,
  );
  assert.deepEqual(problems.sort(), [
    'r.fileState: expected a string, got number',
    'r.mediaUris.S.invented: not a field of MediaResult',
  ]);
  const enumProblems: string[] = [];
  conform(
    { transcript: [{ bodyType: 'standard' }], fileState: 'GONE' },
    'Models.Recording',
    'r',
    enumProblems,
  );
  assert.equal(enumProblems.length, 2, 'values outside the documented enums are caught');
  assert.deepEqual(ENUMS.ChatMessage!.bodyType, [
    'STANDARD',
    'ACTIVITY',
    'TYPING',
    'NOTICE',
    'MEMBERJOIN',
    'MEMBERLEAVE',
    'MEDIAREQUEST',
  ]);
});

async function rawCalls(emu: RunningEmulator): Promise<[string, string, unknown][]> {
  const bearer = await token(emu);
  const out: [string, string, unknown][] = [];
  const call = async (label: string, type: string, path: string, init: Parameters<typeof api>[3] = {}) => {
    const res = await api(emu, bearer, path, init);
    const body = res.status === 204 || res.status === 303 ? undefined : await json(res);
    out.push([label, res.status >= 400 ? 'Models.ErrorBody' : type, body]);
    return body;
  };
  const ids = emu.dataset.conversationIds();
  await call(
    'query',
    'Models.AnalyticsConversationQueryResponse',
    '/api/v2/analytics/conversations/details/query',
    { body: { interval: emu.interval, paging: { pageSize: 100, pageNumber: 1 } } },
  );
  await call('query 400', '', '/api/v2/analytics/conversations/details/query', { body: { interval: 'bad' } });
  await call(
    'details',
    'Models.AnalyticsConversationWithoutAttributes',
    `/api/v2/analytics/conversations/${ids[0]}/details`,
  );
  await call('details 404', '', '/api/v2/analytics/conversations/nope/details');
  await call(
    'multiget',
    'Models.AnalyticsConversationWithoutAttributesMultiGetResponse',
    `/api/v2/analytics/conversations/details?${ids
      .slice(0, 50)
      .map((id) => `id=${id}`)
      .join('&')}`,
  );
  const job = (await call(
    'job create',
    'Models.AsyncQueryResponse',
    '/api/v2/analytics/conversations/details/jobs',
    { body: { interval: emu.interval } },
  )) as { jobId: string };
  await call(
    'job status queued',
    'Models.AsyncQueryStatus',
    `/api/v2/analytics/conversations/details/jobs/${job.jobId}`,
  );
  await sleep(60);
  await call(
    'job status',
    'Models.AsyncQueryStatus',
    `/api/v2/analytics/conversations/details/jobs/${job.jobId}`,
  );
  await call(
    'job results',
    'Models.AnalyticsConversationAsyncQueryResponse',
    `/api/v2/analytics/conversations/details/jobs/${job.jobId}/results?pageSize=1000`,
  );
  await call(
    'job availability',
    'Models.DataAvailabilityResponse',
    '/api/v2/analytics/conversations/details/jobs/availability',
  );
  for (const cid of ids) {
    await call(
      `recordings ${cid}`,
      'Array<Models.Recording>',
      `/api/v2/conversations/${cid}/recordings?formatId=WAV&maxWaitMs=1`,
    );
    await call(
      `metadata ${cid}`,
      'Array<Models.RecordingMetadata>',
      `/api/v2/conversations/${cid}/recordingmetadata`,
    );
  }
  // Restoration: the PUT answers a Recording (RESTORING), a refusal an ErrorBody; once restored,
  // the recording lists with media (restoreMs is short here).
  const archived = voiceWith(emu, 'ARCHIVED')[0]!;
  const archivedPath = `/api/v2/conversations/${archived}/recordings/${emu.dataset.recordings(archived)[0]!.recordingId}`;
  const until = new Date(Date.now() + 86_400_000).toISOString();
  await call('restore', 'Models.Recording', archivedPath, { method: 'PUT', body: { archiveDate: until } });
  await call('restore 400', '', archivedPath, {
    method: 'PUT',
    body: { archiveDate: '2020-01-01T00:00:00Z' },
  });
  await call('restoring', 'Models.Recording', `${archivedPath}?formatId=WAV`);
  await call(
    'restoring metadata',
    'Array<Models.RecordingMetadata>',
    `/api/v2/conversations/${archived}/recordingmetadata`,
  );
  await sleep(420);
  await call('restored', 'Models.Recording', `${archivedPath}?formatId=WAV`);
  const batch = (await call(
    'batch create',
    'Models.BatchDownloadJobSubmissionResult',
    '/api/v2/recording/batchrequests',
    { body: { batchDownloadRequestList: ids.slice(0, 100).map((conversationId) => ({ conversationId })) } },
  )) as { id: string };
  await call(
    'batch in progress',
    'Models.BatchDownloadJobStatusResult',
    `/api/v2/recording/batchrequests/${batch.id}`,
  );
  await sleep(60);
  await call(
    'batch done',
    'Models.BatchDownloadJobStatusResult',
    `/api/v2/recording/batchrequests/${batch.id}`,
  );
  const withTranscript = ids.find((cid) => {
    const r = emu.dataset.recordings(cid)[0];
    return r?.sessionId && r.media === 'audio' && emu.dataset.transcript(cid, r.sessionId) !== undefined;
  })!;
  const comm = emu.dataset.recordings(withTranscript)[0]!.sessionId!;
  await call(
    'transcripturl',
    'Models.TranscriptUrl',
    `/api/v2/speechandtextanalytics/conversations/${withTranscript}/communications/${comm}/transcripturl`,
  );
  await call(
    'transcripturls',
    'Models.TranscriptUrls',
    `/api/v2/speechandtextanalytics/conversations/${withTranscript}/communications/${comm}/transcripturls`,
  );
  await call(
    'transcripturl 404',
    '',
    `/api/v2/speechandtextanalytics/conversations/${withTranscript}/communications/nope/transcripturl`,
  );
  const rec = (await call(
    'recording',
    'Models.Recording',
    `/api/v2/conversations/${voiceWith(emu, 'AVAILABLE')[0]}/recordings/${emu.dataset.recordings(voiceWith(emu, 'AVAILABLE')[0]!)[0]!.recordingId}?formatId=MP3`,
  )) as { mediaUris: { S: { mediaUri: string } } };
  const downloadId = rec.mediaUris.S.mediaUri.split('/').pop();
  await call('download', 'Models.UrlResponse', `/api/v2/downloads/${downloadId}?issueRedirect=false`);
  await call('tokens/me', 'Models.TokenInfo', '/api/v2/tokens/me');
  emu.scriptFault({ route: 'tokens.me', count: 1, fault: '5xx', status: 504 });
  await call('tokens/me 504', '', '/api/v2/tokens/me');
  const limited = await api(emu, bearer, '/api/v2/tokens/me', { method: 'GET' });
  out.push([
    'tokens/me',
    limited.status >= 400 ? 'Models.ErrorBody' : 'Models.TokenInfo',
    await json(limited),
  ]);
  return out;
}

test('every JSON response the emulator sends uses only fields of its SDK model', async (t) => {
  const emu = await start(t, {
    conversations: 150,
    jobDelayMs: 50,
    batchDelayMs: 50,
    transcodeMs: 60_000,
    restoreMs: 400,
    rateLimit: null,
  });
  const calls = await rawCalls(emu);
  const states = new Set<string>();
  const media = new Set<string>();
  for (const [label, type, body] of calls) {
    assertConforms(body, type, label);
    if (label.startsWith('recordings '))
      for (const r of body as { fileState: string; media: string }[]) {
        states.add(r.fileState);
        media.add(r.media);
      }
  }
  assert.deepEqual(
    [...states].sort(),
    ['ARCHIVED', 'AVAILABLE', 'DELETED', 'ERROR'],
    'every retention state was walked',
  );
  assert.deepEqual([...media].sort(), ['audio', 'chat', 'email', 'message'], 'every media kind was walked');
  assert.ok(calls.some(([l, ty]) => l === 'query 400' && ty === 'Models.ErrorBody'));
  const stateOf = (label: string) =>
    (calls.find(([l]) => l === label)?.[2] as { fileState?: string } | undefined)?.fileState;
  assert.deepEqual(
    ['restore', 'restoring', 'restored'].map(stateOf),
    ['RESTORING', 'RESTORING', 'RESTORED'],
    'the restoration states were walked',
  );
  assert.ok(calls.some(([l, ty]) => l === 'restore 400' && ty === 'Models.ErrorBody'));
  assert.ok(
    (calls.find(([l]) => l === 'restored')?.[2] as { mediaUris?: unknown }).mediaUris,
    'a restored recording has media',
  );
});

test('a 429 ErrorBody conforms too', async (t) => {
  const emu = await start(t, { conversations: 5, rateLimit: { perWindow: 1, windowMs: 60_000 } });
  const bearer = await token(emu);
  await (await api(emu, bearer, '/api/v2/tokens/me')).arrayBuffer();
  const res = await api(emu, bearer, '/api/v2/tokens/me');
  assert.equal(res.status, 429);
  assertConforms(await json(res), 'Models.ErrorBody', '429');
});

test('the official SDK logs in and reads every endpoint through its own API classes', async (t) => {
  const emu = await start(t, {
    conversations: 80,
    jobDelayMs: 50,
    batchDelayMs: 50,
    transcodeMs: 50,
    restoreMs: 50,
    rateLimit: null,
  });
  const platformClient = require('purecloud-platform-client-v2');
  const client = platformClient.ApiClient.instance;
  client.setGateway({
    host: '127.0.0.1',
    protocol: 'http',
    port: Number(new URL(emu.baseUrl).port),
    path_params_login: '',
    path_params_api: '',
  });
  t.after(() => client.setGateway(undefined));
  await client.loginClientCredentialsGrant(emu.clientId, emu.clientSecret);
  const analytics = new platformClient.AnalyticsApi();
  const recordingApi = new platformClient.RecordingApi();
  const sta = new platformClient.SpeechTextAnalyticsApi();
  const downloads = new platformClient.DownloadsApi();
  const tokens = new platformClient.TokensApi();

  const q = await analytics.postAnalyticsConversationsDetailsQuery({
    interval: emu.interval,
    paging: { pageSize: 10, pageNumber: 1 },
  });
  assert.equal(q.totalHits, 80);
  assert.equal(q.conversations.length, 10);
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  assert.equal((await analytics.getAnalyticsConversationDetails(cid)).conversationId, cid);
  // Multi-get with several ids: the SDK sends them as one comma-separated `id`.
  const several = emu.dataset.conversationIds().slice(0, 5);
  assert.deepEqual(
    (await analytics.getAnalyticsConversationsDetails({ id: several })).conversations
      .map((c: { conversationId: string }) => c.conversationId)
      .sort(),
    [...several].sort(),
    'the SDK multi-get returns every requested conversation',
  );
  await assert.rejects(
    analytics.getAnalyticsConversationDetails('ffffffff-0000-4000-8000-000000000000'),
    (e: { status?: number }) => e.status === 404,
  );

  const { jobId } = await analytics.postAnalyticsConversationsDetailsJobs({ interval: emu.interval });
  await sleep(60);
  assert.equal((await analytics.getAnalyticsConversationsDetailsJob(jobId)).state, 'FULFILLED');
  const results = await analytics.getAnalyticsConversationsDetailsJobResults(jobId, { pageSize: 50 });
  assert.equal(results.conversations.length, 50);
  assert.ok(results.cursor);
  const rest = await analytics.getAnalyticsConversationsDetailsJobResults(jobId, {
    pageSize: 50,
    cursor: results.cursor,
  });
  assert.equal(rest.cursor, undefined);
  assert.ok((await analytics.getAnalyticsConversationsDetailsJobsAvailability()).dataAvailabilityDate);
  await analytics.deleteAnalyticsConversationsDetailsJob(jobId);

  const recs = await recordingApi.getConversationRecordings(cid, { formatId: 'WAV' });
  const rid = emu.dataset.recordings(cid)[0]!.recordingId;
  assert.equal(recs[0].id, rid);
  assert.ok(recs[0].mediaUris.S.mediaUri);
  const one = await recordingApi.getConversationRecording(cid, rid, { formatId: 'OGG_OPUS' });
  assert.equal(one.fileState, 'AVAILABLE');
  assert.equal((await recordingApi.getConversationRecordingmetadata(cid))[0].id, rid);
  assert.equal((await recordingApi.getConversationRecordingmetadataRecordingId(cid, rid)).id, rid);
  const batch = await recordingApi.postRecordingBatchrequests({
    batchDownloadRequestList: [{ conversationId: cid }],
  });
  await sleep(60);
  const done = await recordingApi.getRecordingBatchrequest(batch.id);
  assert.equal(done.status, 'Completed');
  assert.equal(done.results[0].recordingId, rid);

  const comm = emu.dataset.recordings(cid)[0]!.sessionId!;
  if (emu.dataset.transcript(cid, comm) !== undefined) {
    const { url } = await sta.getSpeechandtextanalyticsConversationCommunicationTranscripturl(cid, comm);
    assert.deepEqual(await json(await fetch(url)), emu.dataset.transcript(cid, comm));
    assert.equal(
      (await sta.getSpeechandtextanalyticsConversationCommunicationTranscripturls(cid, comm)).urls.length,
      1,
    );
  }
  const downloadId = one.mediaUris.S.mediaUri.split('/').pop();
  const signed = await downloads.getDownload(downloadId, { issueRedirect: false });
  const media = await fetch(signed.url);
  assert.equal(media.headers.get('content-type'), 'audio/ogg');
  assert.equal(Number(media.headers.get('content-length')), emu.dataset.recordings(cid)[0]!.sizeBytes);
  await media.arrayBuffer();
  assert.equal((await tokens.getTokensMe()).OAuthClient.id, emu.clientId);

  // Restoring an archived recording through the SDK: putConversationRecording with a later
  // archiveDate; a past date is refused; once restored, the media is the archived bytes.
  const acid = voiceWith(emu, 'ARCHIVED')[0]!;
  assert.ok(acid, 'the dataset has an archived voice recording');
  const arid = emu.dataset.recordings(acid)[0]!.recordingId;
  const until = new Date(Date.now() + 2 * 86_400_000).toISOString();
  const restoring = await recordingApi.putConversationRecording(acid, arid, { archiveDate: until });
  assert.equal(restoring.fileState, 'RESTORING');
  assert.equal(new Date(restoring.restoreExpirationTime).toISOString(), until);
  await assert.rejects(
    recordingApi.putConversationRecording(acid, arid, { archiveDate: '2020-01-01T00:00:00Z' }),
    (e: { status?: number }) => e.status === 400,
  );
  await sleep(60);
  const restored = await recordingApi.getConversationRecording(acid, arid, { formatId: 'WAV' });
  assert.equal(restored.fileState, 'RESTORED');
  const restoredUrl = await downloads.getDownload(restored.mediaUris.S.mediaUri.split('/').pop(), {
    issueRedirect: false,
  });
  const audio = Buffer.from(await (await fetch(restoredUrl.url)).arrayBuffer());
  assert.equal(
    createHash('sha256').update(audio).digest('hex'),
    emu.dataset.recordings(acid)[0]!.sha256,
    'the restored media is the archived recording, byte for byte',
  );
  const s = emu.stats();
  for (const route of [
    'oauth.token',
    'analytics.details.query',
    'analytics.jobs.results',
    'recordings.get',
    'recordings.put',
    'batch.get',
    'downloads.get',
    'tokens.me',
  ]) {
    assert.ok(s.requests[route]?.['200'] ?? s.requests[route]?.['202'], `the SDK reached ${route}`);
  }
});

test('the official SDK reads chat, messaging and e-mail transcripts and every variant the client must handle', async (t) => {
  const emu = await start(t, {
    conversations: 80,
    transcodeMs: 0,
    rateLimit: null,
    variants: { mediaUris: 'perChannel', mediaUri: 'signed', transcriptUrl: 'withoutUrl' },
  });
  const platformClient = require('purecloud-platform-client-v2');
  const client = platformClient.ApiClient.instance;
  client.setGateway({
    host: '127.0.0.1',
    protocol: 'http',
    port: Number(new URL(emu.baseUrl).port),
    path_params_login: '',
    path_params_api: '',
  });
  t.after(() => client.setGateway(undefined));
  await client.loginClientCredentialsGrant(emu.clientId, emu.clientSecret);
  const recordingApi = new platformClient.RecordingApi();
  const sta = new platformClient.SpeechTextAnalyticsApi();

  // Digital transcripts travel inside the recordings, with the model's enums.
  const field = { chat: 'transcript', message: 'messagingTranscript', email: 'emailTranscript' } as const;
  for (const media of ['chat', 'message', 'email'] as const) {
    const cid = emu.dataset
      .conversationIds()
      .find((id) =>
        emu.dataset.recordings(id).some((r) => r.media === media && r.fileState === 'AVAILABLE'),
      )!;
    assert.ok(cid, `the dataset has an available ${media} recording`);
    const [rec] = await recordingApi.getConversationRecordings(cid);
    assert.equal(rec.media, media);
    const items = rec[field[media]] as Record<string, unknown>[];
    assert.ok(items.length > 0, `${media}: the SDK got the transcript`);
    assertConforms(rec, 'Models.Recording', media);
    if (media === 'chat') {
      const types = new Set(items.map((m) => m.bodyType));
      assert.ok(types.has('STANDARD') && types.has('MEMBERJOIN'), [...types].join());
    }
    if (media === 'message') {
      // `from` is the sender's session id: one of the conversation's sessions.
      const sessions = new Set(
        emu.dataset.conversation(cid)!.participants!.flatMap((p) => p.sessions!.map((s) => s.sessionId)),
      );
      for (const m of items) assert.ok(sessions.has(m.from as string), 'messaging from is a session id');
    }
  }

  // perChannel + signed: the list has a signed URL per channel, fetched as is (no downloads call);
  // the single GET with download=true answers the merged file.
  const cid = voiceWith(emu, 'AVAILABLE')[0]!;
  const oracle = emu.dataset.recordings(cid)[0]!;
  const [listed] = await recordingApi.getConversationRecordings(cid, { formatId: 'WAV' });
  assert.deepEqual(Object.keys(listed.mediaUris).sort(), ['0', '1']);
  assertConforms(listed, 'Models.Recording', 'per-channel recording');
  for (const c of oracle.channels!) {
    const body = Buffer.from(await (await fetch(listed.mediaUris[c.channel].mediaUri)).arrayBuffer());
    assert.equal(createHash('sha256').update(body).digest('hex'), c.sha256, `channel ${c.channel}`);
  }
  const merged = await recordingApi.getConversationRecording(cid, oracle.recordingId, {
    formatId: 'WAV',
    download: true,
  });
  assert.deepEqual(Object.keys(merged.mediaUris), ['S']);
  const whole = Buffer.from(await (await fetch(merged.mediaUris.S.mediaUri)).arrayBuffer());
  assert.equal(createHash('sha256').update(whole).digest('hex'), oracle.sha256);
  assert.equal(emu.stats().requests['downloads.get'], undefined, 'signed mediaUris need no downloads call');

  // withoutUrl: a communication without a transcript answers 200 with no url.
  const untranscribed = emu.dataset.conversationIds().find((id) => {
    const r = emu.dataset.recordings(id)[0];
    return r?.media === 'audio' && r.sessionId && emu.dataset.transcript(id, r.sessionId) === undefined;
  })!;
  const answer = await sta.getSpeechandtextanalyticsConversationCommunicationTranscripturl(
    untranscribed,
    emu.dataset.conversation(untranscribed)!.participants![0]!.sessions![0]!.sessionId,
  );
  assert.equal(answer.url, undefined);
});
