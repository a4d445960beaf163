// Shared by the human-readable formats: how a speaker is named and how an offset is written.
import type { Speaker } from '../model.ts';

const ROLE_LABELS: Record<Speaker['role'], string> = {
  agent: 'Agent',
  customer: 'Customer',
  ivr: 'IVR',
  bot: 'Bot',
  acd: 'ACD',
  system: 'System',
  unknown: 'Unknown speaker',
};

/** "Agent Alice Smith", "IVR Main Menu", "Customer" (customers are never named). */
export function speakerName(s: Speaker): string {
  const role = ROLE_LABELS[s.role];
  if (s.role === 'customer' || !s.name) return role;
  return `${role} ${s.name}`;
}

/** The name plus a short user ID, so two agents with the same name stay apart. */
export function speakerLabel(s: Speaker): string {
  const name = speakerName(s);
  return s.userId && s.role !== 'customer' ? `${name} (user ${s.userId.slice(0, 8)}…)` : name;
}

/** HH:MM:SS{sep}mmm; hours grow past 99 rather than wrap. */
export function clock(ms: number, millisSeparator?: '.' | ','): string {
  const total = Math.max(0, Math.round(ms));
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor(total / 60_000) % 60;
  const s = Math.floor(total / 1000) % 60;
  const base = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
  return millisSeparator ? `${base}${millisSeparator}${String(total % 1000).padStart(3, '0')}` : base;
}
