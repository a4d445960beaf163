// Speech and Text Analytics transcript URLs and the /api/v2/downloads redirector. Both hand out
// pre-signed links to the emulator's "S3" (/__signed/...).
import type { EmulatorContext } from '../server/context.ts';
import { notFound, type Reply } from '../server/http.ts';

export function transcriptPath(conversationId: string, communicationId: string): string {
  return `/__signed/transcripts/${conversationId}/${communicationId}.json`;
}

function transcriptExists(ctx: EmulatorContext, conversationId: string, communicationId: string): boolean {
  const plan = ctx.dataset.plan(conversationId);
  return (
    plan !== undefined &&
    plan.kind === 'voice' &&
    plan.hasTranscript &&
    plan.customer.sessionId === communicationId
  );
}

export function transcriptUrl(ctx: EmulatorContext, conversationId: string, communicationId: string): Reply {
  if (!transcriptExists(ctx, conversationId, communicationId)) {
    // The withoutUrl variant: a known conversation answers 200 with a TranscriptUrl lacking `url`
    // (third-party code guards against exactly that) instead of a 404.
    if (ctx.options.variants.transcriptUrl === 'withoutUrl' && ctx.dataset.plan(conversationId))
      return { status: 200, json: {} };
    return notFound(`No transcript for communication ${communicationId}.`);
  }
  return {
    status: 200,
    json: { url: ctx.signer.sign(ctx.baseUrl, transcriptPath(conversationId, communicationId)) },
  };
}

export function transcriptUrls(ctx: EmulatorContext, conversationId: string, communicationId: string): Reply {
  if (!transcriptExists(ctx, conversationId, communicationId))
    return notFound(`No transcript for communication ${communicationId}.`);
  const plan = ctx.dataset.plan(conversationId)!;
  const r = plan.recording!;
  return {
    status: 200,
    json: {
      conversation: { id: conversationId, selfUri: `/api/v2/conversations/${conversationId}` },
      communicationId,
      urls: [
        {
          recording: { id: r.id, selfUri: `/api/v2/conversations/${conversationId}/recordings/${r.id}` },
          url: ctx.signer.sign(ctx.baseUrl, transcriptPath(conversationId, communicationId)),
        },
      ],
    },
  };
}

export function mediaPath(downloadId: string): string {
  return `/__signed/media/${downloadId}`;
}

/** GET /api/v2/downloads/{id}: 303 to the signed URL, or `{url}` with issueRedirect=false. */
export function downloadGet(ctx: EmulatorContext, downloadId: string, search: URLSearchParams): Reply {
  if (!ctx.downloads.has(downloadId)) return notFound(`Download ${downloadId} was not found.`);
  const url = ctx.signer.sign(ctx.baseUrl, mediaPath(downloadId));
  if (search.get('issueRedirect') === 'false') return { status: 200, json: { url } };
  return { status: 303, headers: { location: url } };
}
