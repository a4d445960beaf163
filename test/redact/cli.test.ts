import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli as run, type CliResult } from '../helpers/cli.ts';

const runCli = (args: string[], stdin: string): Promise<CliResult> => run(args, { stdin });

test('redact: one output line per input line, empty lines kept, counts on stderr', async () => {
  const input =
    [
      'my card is 4111 1111 1111 1111',
      '',
      'hello there',
      'call me at five five five oh one oh one two three four',
      'email jane@example.com and 555-010-1234',
    ].join('\n') + '\n';
  const r = await runCli(['redact', '--counts'], input);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\n'), [
    'my card is [CARD]',
    '',
    'hello there',
    'call me at [PHONE]',
    'email [EMAIL] and [PHONE]',
    '',
  ]);
  assert.deepEqual(JSON.parse(r.stderr.trim().split('\n').at(-1)!), { CARD: 1, PHONE: 2, EMAIL: 1 });
});

test('redact: many lines stream through with the same count (no trailing newline on input)', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) =>
    i % 7 === 0 ? `card 4111 1111 1111 1111 line ${i}` : `line ${i} press two`,
  );
  const r = await runCli(['redact', '--entities', 'CARD', '--locale', 'fr-CA'], lines.join('\n'));
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout.split('\n');
  assert.equal(out.at(-1), '');
  assert.equal(out.length - 1, lines.length);
  assert.equal(
    out.filter((l) => l.includes('[CARD]')).length,
    lines.filter((l) => l.startsWith('card ')).length,
  );
  assert.equal(out[1], 'line 1 press two');
});

test('redact: --entities limits what is redacted; unknown entity is a usage error (exit 2)', async () => {
  const ok = await runCli(['redact', '--entities', 'PHONE'], 'card 4111 1111 1111 1111 phone 555-010-1234\n');
  assert.equal(ok.stdout, 'card 4111 1111 1111 1111 phone [PHONE]\n');
  const bad = await runCli(['redact', '--entities', 'CARD,NOPE'], 'x\n');
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr.trim(),
    /^genesys-transcripts: --entities: unknown NOPE; use some of CARD,.*IBAN,DOB/,
  );
});

test('redact: full-width digits, Unicode hyphens and minus signs, hidden characters are redacted and counted', async () => {
  // The example, byte for byte: U+FF11… digits, U+2010 hyphen, U+2212 minus.
  const input = 'card ４１１１ １１１１ １１１１ １１１１\nmy ssn is 123‐45‐6789\ncall me at 415−555−0132\n';
  const r = await runCli(['redact', '--counts'], input);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'card [CARD]\nmy ssn is [SSN]\ncall me at [PHONE]\n');
  assert.deepEqual(JSON.parse(r.stderr.trim()), { CARD: 1, SSN: 1, PHONE: 1 });
  // Zero-width space, soft hyphen, NUL and a BOM inside numbers; Arabic-Indic digits; U+2011/U+FE63/U+FF0D.
  const hidden = [
    'card 4111\u200B1111\u00AD1111\u00001111',
    'card \u0664\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661 \u0661\u0661\u0661\u0661',
    'ssn 123\u201145\uFE636789 and 123\uFF0D45\u20126789 and 123\u201345\u20146789',
    'phone 415\uFEFF555\u20600132',
  ].join('\n');
  const h = await runCli(['redact', '--counts'], `${hidden}\n`);
  assert.equal(h.stdout, 'card [CARD]\ncard [CARD]\nssn [SSN] and [SSN] and [SSN]\nphone [PHONE]\n');
  assert.deepEqual(JSON.parse(h.stderr.trim()), { CARD: 2, SSN: 3, PHONE: 1 });
});

test('redact --locale: an unknown locale is a usage line listing the accepted ones, not en-US', async () => {
  for (const locale of ['xx', 'english', 'ja-JP']) {
    const r = await runCli(['redact', '--locale', locale], 'my card is 4111 1111 1111 1111\n');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '', 'nothing redacted under a guessed locale');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`--locale: "${locale}" .*en-US, es-US, fr-CA, de-DE, pt-BR`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  // Another region or the bare language of a known one is accepted.
  for (const locale of ['en-GB', 'es', 'pt_BR']) {
    const r = await runCli(['redact', '--locale', locale], 'my card is 4111 1111 1111 1111\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'my card is [CARD]\n');
  }
});
