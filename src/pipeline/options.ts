// What an export does, validated once at the edge (CLI flags or a library caller) with zod, so
// everything inside the pipeline trusts these types.
import { z } from 'zod';
import { GtError } from '../errors.ts';
import { defaultStateDir } from './state.ts';
import { DEFAULT_LAG_MS } from './incremental.ts';

export const OUTPUT_FORMATS = ['json', 'txt', 'vtt', 'srt'] as const;
export const MEDIA_FORMATS = ['WAV', 'WEBM', 'OGG_OPUS', 'MP3'] as const;
export const MEDIA_TYPES = ['voice', 'chat', 'message', 'email', 'callback'] as const;

const conversationId = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'a conversation ID is letters, digits and dashes (a UUID)');

export const selectionSchema = z
  .object({
    conversationIds: z.array(conversationId).optional(),
    interval: z
      .string()
      .regex(/^[^/]+\/[^/]+$/, 'an interval is ISO-8601 start/end')
      .refine(
        (v) => v.split('/').every((p) => !Number.isNaN(Date.parse(p))),
        'interval dates must be ISO-8601',
      )
      .refine((v) => {
        const [a, b] = v.split('/').map(Date.parse);
        return a! < b!;
      }, 'interval start must be before its end')
      .optional(),
    mediaTypes: z.array(z.enum(MEDIA_TYPES)).optional(),
    languages: z
      .array(z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language is a BCP-47 tag like en-US'))
      .optional(),
    queueIds: z.array(conversationId).optional(),
    userIds: z.array(conversationId).optional(),
    divisionIds: z.array(conversationId).optional(),
    direction: z.enum(['inbound', 'outbound']).optional(),
    /**
     * 'last': continue from the end of the previous finished run of the same selection to the same
     * destination (minus `lagMs`); `from` is the start when there is none, `to` the end (default now).
     */
    since: z.literal('last').optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((s) => (s.conversationIds?.length ?? 0) > 0 || s.interval !== undefined || s.since === 'last', {
    message:
      'select conversations by ID (--conversation, --ids-file), by interval (--from/--to) or with --since last',
  })
  .refine((s) => s.since === undefined || (s.conversationIds === undefined && s.interval === undefined), {
    message: '--since last selects by interval: use --from/--to with it, not --conversation or --ids-file',
  });

export const exportOptionsSchema = z.object({
  selection: selectionSchema,
  outDir: z.string().min(1).default('./export'),
  formats: z.array(z.enum(OUTPUT_FORMATS)).min(1).default(['json', 'txt', 'vtt']),
  media: z.boolean().default(true),
  mediaFormat: z.enum(MEDIA_FORMATS).default('WAV'),
  transcripts: z.boolean().default(true),
  redact: z.boolean().default(true),
  /**
   * Conversations in flight: enough to hide API and download latency when the budget does not bind
   * (a conversation spends most of its time waiting: its batch answer, the API, fsyncs, the review
   * index's group commit). 16 left the CPU idle between waits; 32 does not (bench/export.bench.ts).
   * A binding budget is enforced by the limiter whatever this is. Same default in cli/commands/export.ts.
   */
  concurrency: z.number().int().min(1).max(64).default(32),
  dryRun: z.boolean().default(false),
  /** Review pages (index.html, review/) and the search index, kept in --out as conversations land. */
  review: z.boolean().default(true),
  /** Extra sinks beside the filesystem: `webhook:https://…`, `s3://bucket/prefix?…`. */
  sinks: z.array(z.string()).default([]),
  /** Modes of delivered files and created folders under outDir (personal data: owner only). */
  outputFileMode: z.number().int().min(0).max(0o777).default(0o600),
  outputDirMode: z.number().int().min(0).max(0o777).default(0o700),
  /** Allow webhook sinks on plain http:// to hosts other than loopback (transcripts in clear). */
  allowInsecureWebhook: z.boolean().default(false),
  /** Where the checkpoint, staging area and audit log live; default `<outDir>/.genesys-transcripts`. */
  stateDir: z.string().min(1).optional(),
  /**
   * Re-export the selection even where the checkpoint says it was delivered, and start over when
   * the checkpoint is missing but an audit log shows earlier runs.
   */
  force: z.boolean().default(false),
  auditHmacKey: z.string().optional(),
  /** Max time to wait for a transcoding recording before skipping it for a later run. */
  transcodeDeadlineMs: z.number().int().positive().default(60_000),
  /**
   * A conversation whose recording is not ready yet (still transcoding at the deadline, being
   * restored) is not delivered half: it stays pending for the next run. Off: deliver what there is.
   */
  deferNotReady: z.boolean().default(true),
  /** Ask Genesys to restore archived recordings for this many days (restoration counts against org limits). */
  restoreArchivedDays: z.number().int().min(1).max(3650).optional(),
  /**
   * Recordings through recording batch requests (≤ 100 conversations per job) instead of a
   * recordings list per conversation; what a batch cannot answer is still looked up one by one.
   */
  recordingBatches: z.boolean().default(true),
  /** With `selection.since: 'last'`: how far back before the previous run's end to look again. */
  lagMs: z.number().int().min(0).default(DEFAULT_LAG_MS),
  /** Overall deadline of one conversation, all attempts included: past it, a DEADLINE failure. */
  conversationDeadlineMs: z.number().int().positive().default(900_000),
  /** Attempts per conversation inside one run (the transport already retries each request). */
  conversationAttempts: z.number().int().min(1).max(10).default(2),
});

/** What the per-conversation runtime needs: the same, but the selection is optional (a queue
 *  worker gets its conversations from jobs, not from discovery). */
export const runtimeOptionsSchema = exportOptionsSchema.extend({ selection: selectionSchema.optional() });

export type Selection = z.infer<typeof selectionSchema>;
/** After parsing the state folder is always known (see defaultStateDir). */
type WithStateDir<T> = Omit<T, 'stateDir'> & { stateDir: string };
export type ExportOptions = WithStateDir<z.infer<typeof exportOptionsSchema>>;
export type ExportOptionsInput = z.input<typeof exportOptionsSchema>;
export type RuntimeOptions = WithStateDir<z.infer<typeof runtimeOptionsSchema>>;
export type RuntimeOptionsInput = z.input<typeof runtimeOptionsSchema>;

export function parseExportOptions(input: ExportOptionsInput): ExportOptions {
  return withStateDir(parseWith(exportOptionsSchema, input));
}

export function parseRuntimeOptions(input: RuntimeOptionsInput): RuntimeOptions {
  return withStateDir(parseWith(runtimeOptionsSchema, input));
}

function withStateDir<T extends { stateDir?: string | undefined; outDir: string }>(o: T): WithStateDir<T> {
  return { ...o, stateDir: o.stateDir ?? defaultStateDir(o.outDir) };
}

/** One problem with an option: its name (`formats`, `selection.interval`) and what is wrong, value quoted. */
export interface OptionProblem {
  option: string;
  message: string;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path)
    v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

const quote = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 100) : v) ?? String(v);

/** zod's issue in the words of the option: `"pdf" is not one of json, txt, vtt, srt`, not `formats.0: Invalid option`. */
function describeIssue(issue: z.core.$ZodIssue, input: unknown): OptionProblem {
  const option = issue.path.filter((k) => typeof k !== 'number').join('.') || 'options';
  const value = valueAt(input, issue.path);
  const i = issue as z.core.$ZodIssue & {
    values?: unknown[];
    expected?: string;
    minimum?: unknown;
    maximum?: unknown;
  };
  let message = issue.message;
  if (issue.code === 'invalid_value' && i.values)
    message = `${quote(value)} is not one of ${i.values.join(', ')}`;
  else if (issue.code === 'invalid_type' && value !== undefined)
    message = `${quote(value)} is not a ${i.expected}`;
  else if (issue.code === 'too_small' && typeof value === 'number')
    message = `${value} is below the minimum ${String(i.minimum)}`;
  else if (issue.code === 'too_big' && typeof value === 'number')
    message = `${value} is above the maximum ${String(i.maximum)}`;
  else if (value !== undefined && typeof value !== 'object') message = `${quote(value)}: ${issue.message}`;
  return { option, message };
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => describeIssue(i, input));
    throw new GtError(
      'CONFIG_INVALID',
      `invalid export options: ${problems.map((p) => `${p.option}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
  return parsed.data;
}
