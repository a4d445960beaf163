// Redaction benchmark: recall/precision on the labelled corpus (bench/data/utterances.jsonl) and
// throughput on a large synthetic text (the corpus repeated), for our redactor and for the
// `redact-pii` npm package (its SyncRedactor, regex built-ins, no Google DLP) in the same run.
// Run alone: npx node bench/redaction.bench.ts
import { fileURLToPath } from 'node:url';
import { SyncRedactor } from 'redact-pii';
import {
  loadCorpus,
  score,
  type RangeRedactor,
  type Score,
  type Utterance,
} from '../src/pipeline/transform/redact/evaluate.ts';
import { redactText } from '../src/pipeline/transform/redact/index.ts';

const CORPUS = fileURLToPath(new URL('./data/utterances.jsonl', import.meta.url));
const OUR_MB = 20;
const THEIR_MB = 20;

// redact-pii returns only the redacted string. Its placeholders are fixed upper-case names, so
// the literal text between them can be found again in the original: what lies between is redacted.
const REDACT_PII_TOKENS =
  /(CREDIT_CARD_NUMBER|STREET_ADDRESS|ZIPCODE|PHONE_NUMBER|IP_ADDRESS|US_SOCIAL_SECURITY_NUMBER|EMAIL_ADDRESS|USERNAME|PASSWORD|CREDENTIALS|DIGITS|URL|PERSON_NAME)/;

export function rangesFromRedactedText(original: string, redacted: string): { start: number; end: number }[] {
  const parts = redacted.split(REDACT_PII_TOKENS);
  const lower = original.toLowerCase();
  const ranges: { start: number; end: number }[] = [];
  let cursor = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const literal = parts[i]!.toLowerCase();
    const at =
      i === parts.length - 1
        ? lower.length - literal.length
        : lower.indexOf(literal, i === 0 ? 0 : cursor + 1);
    if (i > 0 && at > cursor) ranges.push({ start: cursor, end: at });
    if (at < 0) break;
    cursor = at + literal.length;
  }
  return ranges;
}

const ours: RangeRedactor = (text, locale) =>
  redactText(text, { locale }).spans.map((s) => ({ start: s.originalStart, end: s.originalEnd }));

function theirsRedactor(): { ranges: RangeRedactor; redact: (s: string) => string } {
  // Names are not among the labelled entities: counting every redacted first name as a false
  // positive would measure something else, so the name list is off.
  const r = new SyncRedactor({ builtInRedactors: { names: { enabled: false } } });
  return { ranges: (text) => rangesFromRedactedText(text, r.redact(text)), redact: (s) => r.redact(s) };
}

function syntheticLines(corpus: readonly Utterance[], megabytes: number): { lines: string[]; bytes: number } {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < megabytes * 1024 * 1024; i++) {
    const line = corpus[i % corpus.length]!.text;
    lines.push(line);
    bytes += Buffer.byteLength(line) + 1;
  }
  return { lines, bytes };
}

function throughput(lines: readonly string[], bytes: number, redact: (s: string) => unknown): number {
  const started = performance.now();
  for (const l of lines) redact(l);
  const seconds = (performance.now() - started) / 1000;
  return bytes / 1024 / 1024 / seconds;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function perEntityRecall(s: Score, corpus: readonly Utterance[]): Map<string, string> {
  const total = new Map<string, number>();
  for (const u of corpus) for (const p of u.pii) total.set(p.entity, (total.get(p.entity) ?? 0) + 1);
  const missed = new Map<string, number>();
  for (const m of s.missed) missed.set(m.entity, (missed.get(m.entity) ?? 0) + 1);
  return new Map([...total].map(([e, n]) => [e, `${n - (missed.get(e) ?? 0)}/${n}`]));
}

export default async function run(): Promise<{
  name: string;
  markdown: string;
  ratios: Record<string, number>;
}> {
  const corpus = loadCorpus(CORPUS);
  const theirs = theirsRedactor();
  const ourScore = score(corpus, ours);
  const theirScore = score(corpus, theirs.ranges);

  const big = syntheticLines(corpus, OUR_MB);
  const small = syntheticLines(corpus, THEIR_MB);
  throughput(small.lines.slice(0, 2000), 1, (l) => redactText(l)); // warm-up (JIT)
  const ourMbs = throughput(big.lines, big.bytes, (l) => redactText(l));
  const theirMbs = throughput(small.lines, small.bytes, theirs.redact);

  const ratios = {
    recall_vs_redact_pii: ourScore.recall / Math.max(theirScore.recall, 1e-9),
    precision_vs_redact_pii: ourScore.precision / Math.max(theirScore.precision, 1e-9),
    throughput_vs_redact_pii: ourMbs / theirMbs,
  };
  const ourEntities = perEntityRecall(ourScore, corpus);
  const theirEntities = perEntityRecall(theirScore, corpus);
  const markdown = [
    `### PII redaction (${corpus.length} labelled utterances, ${ourScore.items} PII values; throughput on ${OUR_MB} MB / ${THEIR_MB} MB of corpus lines)`,
    '',
    '| redactor | recall | precision | false-positive spans | keep strings destroyed | throughput |',
    '|---|---|---|---|---|---|',
    `| genesys-transcripts redactText | ${pct(ourScore.recall)} | ${pct(ourScore.precision)} | ${ourScore.falsePositiveSpans} | ${ourScore.keepsDestroyed} | ${ourMbs.toFixed(2)} MB/s |`,
    `| redact-pii SyncRedactor (names off) | ${pct(theirScore.recall)} | ${pct(theirScore.precision)} | ${theirScore.falsePositiveSpans} | ${theirScore.keepsDestroyed} | ${theirMbs.toFixed(2)} MB/s |`,
    '',
    '| entity | ours found | redact-pii found |',
    '|---|---|---|',
    ...[...ourEntities].map(([e, v]) => `| ${e} | ${v} | ${theirEntities.get(e)} |`),
    '',
    'Caveat: the corpus was written by the author of the redactor; treat its recall as a regression bar, not as field accuracy.',
    '',
    ...Object.entries(ratios).map(([k, v]) => `${k}: ${v.toFixed(2)}`),
  ].join('\n');
  return { name: 'redaction', markdown, ratios };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run();
  console.log(r.markdown);
}
