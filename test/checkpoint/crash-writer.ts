// Child process for the crash test: records conversations in a loop and prints each ID only
// after the write returned (i.e. committed). The parent kills it with SIGKILL mid-loop.
import { CheckpointStore } from '../../src/pipeline/checkpoint.ts';

const store = CheckpointStore.open(process.argv[2]!);
for (let i = 0; ; i += 1) {
  const id = `conv-${String(i).padStart(6, '0')}`;
  store.discovered(id, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString());
  store.claim(id);
  // Every third conversation stays in_progress: what a crash leaves behind mid-export.
  if (i % 3 !== 0) {
    store.recordDelivery(id, 'fs', `d-${i}`, { ok: true });
    store.markDone(id);
  }
  process.stdout.write(`${id}\n`);
}
