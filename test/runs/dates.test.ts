// Dates as operators type them in a crontab, read against a fixed clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseWhen } from '../../src/cli/dates.ts';
import { selectionFromFlags } from '../../src/cli/commands/shared-options.ts';

const NOW = Date.parse('2026-12-02T21:30:15.000Z');
const at = (v: string) => new Date(parseWhen(v, '--from', NOW)).toISOString();

test('now, today, yesterday, offsets, bare dates and zone-less times (UTC)', () => {
  assert.equal(at('now'), '2026-12-02T21:30:15.000Z');
  assert.equal(at('today'), '2026-12-02T00:00:00.000Z');
  assert.equal(at('yesterday'), '2026-12-01T00:00:00.000Z');
  assert.equal(at('-1d'), '2026-12-01T21:30:15.000Z');
  assert.equal(at('-6h'), '2026-12-02T15:30:15.000Z');
  assert.equal(at('-30m'), '2026-12-02T21:00:15.000Z');
  assert.equal(at('-2w'), '2026-11-18T21:30:15.000Z');
  assert.equal(at('2026-11-01'), '2026-11-01T00:00:00.000Z');
  assert.equal(at('2026-11-01T08:00'), '2026-11-01T08:00:00.000Z', 'no zone: UTC, not local time');
  assert.equal(at('2026-11-01T08:00:00+02:00'), '2026-11-01T06:00:00.000Z');
  assert.throws(() => parseWhen('1d', '--from', NOW), /--from: "1d" is not a date/);
  assert.throws(() => parseWhen('tomorrow', '--to', NOW), /--to: "tomorrow" is not a date/);
  assert.equal(parseDuration('6h', '--lag'), 6 * 3_600_000);
  assert.equal(parseDuration('0', '--lag'), 0);
  assert.throws(() => parseDuration('6', '--lag'), /--lag: "6" is not a duration/);
});

test('--from yesterday --to today is exactly yesterday; --to defaults to now; an empty interval is refused', async () => {
  assert.equal(
    (await selectionFromFlags({ from: 'yesterday', to: 'today' }, undefined, NOW)).interval,
    '2026-12-01T00:00:00.000Z/2026-12-02T00:00:00.000Z',
  );
  assert.equal(
    (await selectionFromFlags({ from: '-1d' }, undefined, NOW)).interval,
    '2026-12-01T21:30:15.000Z/2026-12-02T21:30:15.000Z',
  );
  await assert.rejects(
    selectionFromFlags({ from: 'today', to: 'yesterday' }, undefined, NOW),
    /--from\/--to: .* is not before/,
  );
  const since = await selectionFromFlags({ since: 'last', from: '-1d' }, undefined, NOW);
  assert.deepEqual(since, { since: 'last', from: '2026-12-01T21:30:15.000Z' });
  await assert.rejects(
    selectionFromFlags({ since: 'last', conversation: ['a'] }, undefined, NOW),
    /--since last selects by interval/,
  );
});
