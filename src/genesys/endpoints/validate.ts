// Response validation at the edge: lenient (unknown fields pass through, so a new Genesys field
// never breaks an export) but strict about shape (wrong types → INVALID_RESPONSE, not a crash
// three modules later).
import type { z } from 'zod';
import { GtError } from '../../errors.ts';

export function parseResponse<T>(schema: z.ZodType, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape';
    throw new GtError('INVALID_RESPONSE', `unexpected ${what} response (${at})`, { what });
  }
  return r.data as T;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export const withSignal = (o: CallOptions | undefined) => (o?.signal ? { signal: o.signal } : {});
