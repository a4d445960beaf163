// `since: 'last'` continues from where the previous finished run's coverage ended; a part of its
// interval that discovery reported incomplete (not servable yet) moves that end back, so the next
// run goes back for it instead of leaving it behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';
import { lastCoveredEnd } from '../../src/pipeline/incremental.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

test('a run that reported an incomplete slice is covered only up to that slice', async (t) => {
  const dir = await tempWorkdir(t, 'gt-incremental-');
  const store = CheckpointStore.open(join(dir, 'checkpoint.db'));
  t.after(() => store.close());
  const params = { selectionKey: 's', destinationKey: 'd' };
  const first = store.startRun({ ...params, interval: '2026-11-01T00:00:00.000Z/2026-11-02T00:00:00.000Z' });
  store.finishRun(first, { outcome: 'finished' });
  assert.equal(lastCoveredEnd(store, 's', 'd'), Date.parse('2026-11-02T00:00:00.000Z'));
  const second = store.startRun({ ...params, interval: '2026-11-02T00:00:00.000Z/2026-11-03T00:00:00.000Z' });
  store.finishRun(second, {
    outcome: 'finished',
    incomplete: [
      {
        interval: '2026-11-02T18:00:00.000Z/2026-11-03T00:00:00.000Z',
        reason: 'after the availability date',
      },
      {
        interval: '2026-11-02T12:00:00.000Z/2026-11-02T18:00:00.000Z',
        reason: 'after the availability date',
      },
    ],
  });
  assert.equal(
    lastCoveredEnd(store, 's', 'd'),
    Date.parse('2026-11-02T12:00:00.000Z'),
    'the next run starts at the earliest incomplete part',
  );
});
