// Plain text for people: a header, then one block per segment (turn):
//   [00:01:05] Agent Alice Smith (user 6ade8ef8…):
//   text
import type { Transcript } from '../model.ts';
import { clock, speakerLabel } from './labels.ts';

export function renderText(t: Transcript): string {
  const header = [
    `Conversation: ${t.conversationId}`,
    `Media: ${t.mediaType}`,
    `Language: ${t.language ?? 'unknown'}`,
    `Started: ${t.startedAt}`,
  ];
  if (t.communicationId) header.push(`Communication: ${t.communicationId}`);
  if (t.recordingId) header.push(`Recording: ${t.recordingId}`);
  header.push(`Duration: ${clock(t.durationMs)}`);
  if (t.redaction.applied) {
    const counts = Object.entries(t.redaction.counts)
      .filter(([, n]) => n)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([entity, n]) => `${entity} ${n}`);
    header.push(
      `Redaction: applied; sensitive data replaced${counts.length ? ` (${counts.join(', ')})` : ' (nothing found)'}`,
    );
  }
  const blocks = t.segments.map((s) => {
    const lines = [`[${clock(s.startMs)}] ${speakerLabel(s.speaker)}:`];
    if (s.meta?.subject) lines.push(`Subject: ${s.meta.subject}`);
    if (s.text) lines.push(s.text);
    if (s.meta?.attachments) lines.push(`Attachments: ${s.meta.attachments}`);
    return lines.join('\n');
  });
  return `${[header.join('\n'), ...blocks].join('\n\n')}\n`;
}
