import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { isGtError } from '../../src/errors.ts';
import { createFsSink } from '../../src/sinks/fs.ts';
import { safeName } from '../../src/util/safe-name.ts';
import { sha256, stageBundle, stageFile, textBundleFile } from './helpers.ts';
import { tempWorkdir } from '../helpers/emulator.ts';

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  return out.sort();
}

test('layout YYYY/MM/DD/<safe id>/ (UTC), byte-exact files, manifest present', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const root = join(dir, 'out');
  const sink = createFsSink({ root });
  const bundle = await stageBundle(join(dir, 'staging'), 'abc-123', {
    start: '2026-03-04T23:30:00.000-02:00',
    media: Buffer.alloc(70_000, 7),
  });
  const receipt = await sink.deliver(bundle);
  const folder = join(root, '2026', '03', '05', 'abc-123'); // 23:30 at -02:00 is the 5th in UTC
  assert.equal(receipt.location, folder);
  assert.equal(receipt.duplicate, undefined);
  assert.equal(receipt.deliveryId, bundle.deliveryId);
  for (const f of bundle.files) assert.equal(sha256(await readFile(join(folder, f.name))), f.sha256, f.name);
  const names = (await walk(folder)).map((p) => relative(folder, p));
  assert.deepEqual(
    names.filter((n) => !n.startsWith('.')),
    ['manifest.json', join('recordings', 'r1.wav'), 'transcript.json', 'transcript.txt'],
  );
  assert.equal(
    names.some((n) => n.includes('.tmp-')),
    false,
    'no temp files left',
  );
});

test('re-delivery of the same deliveryId and content is a no-op; changed content is rewritten', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const sink = createFsSink({ root: join(dir, 'out') });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-1');
  const first = await sink.deliver(bundle);
  const before = await stat(join(first.location, 'transcript.json'));
  const again = await sink.deliver(bundle);
  assert.equal(again.duplicate, true);
  const after = await stat(join(first.location, 'transcript.json'));
  assert.equal(after.ino, before.ino, 'file not rewritten');
  assert.equal(after.mtimeMs, before.mtimeMs);

  const changed = await stageBundle(join(dir, 'staging2'), 'conv-1', { transcript: 'hello again' });
  const third = await sink.deliver(changed);
  assert.equal(third.duplicate, undefined);
  assert.match(await readFile(join(first.location, 'transcript.txt'), 'utf8'), /hello again/);

  // A later delivery without transcript.txt (format dropped) removes the stale file.
  changed.files = changed.files.filter((f) => f.name !== 'transcript.txt');
  await sink.deliver(changed);
  await assert.rejects(stat(join(first.location, 'transcript.txt')), /ENOENT/);
  assert.ok(await stat(join(first.location, 'manifest.json')));
});

test('manifest is written last: an interrupted delivery leaves no manifest, the retry completes it', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const sink = createFsSink({ root: join(dir, 'out') });
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-2', { media: Buffer.alloc(1000, 1) });
  const media = bundle.files.find((f) => f.name.endsWith('.wav'))!;
  const realPath = media.path;
  media.path = join(dir, 'vanished.wav'); // the copy of this file fails mid-delivery
  await assert.rejects(sink.deliver(bundle), (e) => isGtError(e, 'SINK_FAILED'));
  const folder = join(dir, 'out', '2026', '03', '04', 'conv-2');
  await assert.rejects(stat(join(folder, 'manifest.json')), /ENOENT/);
  media.path = realPath;
  const r = await sink.deliver(bundle);
  assert.equal(r.duplicate, undefined);
  assert.equal(sha256(await readFile(join(folder, 'manifest.json'))), bundle.files.at(-1)!.sha256);
});

test('hostile conversation IDs and file names stay inside the root, each in its own folder', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const root = join(dir, 'nest', 'out');
  await mkdir(root, { recursive: true });
  const sink = createFsSink({ root });
  const ids = [
    '../../etc/passwd',
    'CON',
    'con.txt',
    'a/b',
    'a\\b',
    'x\0y',
    '..',
    '.',
    'trailing. ',
    'z'.repeat(1000),
    'a_b',
    'ok-id',
  ];
  const locations = new Set<string>();
  for (const id of ids) {
    const bundle = await stageBundle(join(dir, 'staging'), id);
    bundle.files[0]!.name = '../../escape.json'; // a hostile file name too
    const r = await sink.deliver(bundle);
    const rel = relative(root, r.location);
    assert.ok(!rel.startsWith('..') && !rel.includes('\0'), `${JSON.stringify(id)} -> ${rel}`);
    assert.equal(rel.split(sep).length, 4, 'YYYY/MM/DD/<one segment>');
    assert.equal(rel.split(sep)[3], safeName(id));
    assert.ok(rel.split(sep)[3]!.length <= 140);
    locations.add(r.location);
  }
  assert.equal(locations.size, ids.length, 'different IDs never share a folder');
  assert.deepEqual(await readdir(join(dir, 'nest')), ['out'], 'nothing written beside the root');
  for (const f of await walk(root)) assert.ok(f.startsWith(root + sep));
});

test('ENOSPC on a real 256 KiB tmpfs becomes DISK_FULL and leaves no temp files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'gt-fs-sink-'));
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  let mounted = false;
  // One hook: unmount before removing the folder.
  t.after(async () => {
    if (mounted) execFileSync('umount', [mnt]);
    await rm(dir, { recursive: true, force: true });
  });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'pipe' });
    mounted = true;
  } catch (err) {
    t.skip(
      `cannot mount a tmpfs here (needs root / CAP_SYS_ADMIN): ${String((err as Error).message).split('\n')[0]}`,
    );
    return;
  }
  const sink = createFsSink({ root: join(mnt, 'out') });
  const bundle = await stageBundle(join(dir, 'staging'), 'big', { media: Buffer.alloc(1024 * 1024, 3) });
  await assert.rejects(sink.deliver(bundle), (e) => isGtError(e, 'DISK_FULL') && !/big/.test(e.message));
  const left = await walk(join(mnt, 'out'));
  assert.equal(
    left.some((p) => p.includes('.tmp-')),
    false,
    left.join(', '),
  );
  assert.equal(
    left.some((p) => p.endsWith('manifest.json')),
    false,
  );
});

test('a bundle holding only its manifest, or no staged manifest at all, is delivered complete', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const sink = createFsSink({ root: join(dir, 'out') });
  const onlyManifest = await stageBundle(join(dir, 'staging'), 'conv-empty');
  onlyManifest.files = onlyManifest.files.filter((f) => f.name === 'manifest.json');
  const r = await sink.deliver(onlyManifest);
  assert.equal(sha256(await readFile(join(r.location, 'manifest.json'))), onlyManifest.files[0]!.sha256);

  const noManifest = await stageBundle(join(dir, 'staging'), 'conv-nomanifest');
  noManifest.files = noManifest.files.filter((f) => f.name !== 'manifest.json');
  const r2 = await sink.deliver(noManifest);
  assert.deepEqual(
    JSON.parse(await readFile(join(r2.location, 'manifest.json'), 'utf8')),
    noManifest.manifest,
  );
  assert.equal((await sink.deliver(noManifest)).duplicate, true);
});

test('text files held in memory are written byte-exact beside staged media, manifest last, mode 0600', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const sink = createFsSink({ root: join(dir, 'out') });
  const media = await stageFile(
    join(dir, 'staging'),
    'recordings/r1.wav',
    Buffer.alloc(3000, 7),
    'audio/wav',
  );
  const text = textBundleFile('transcript-a.txt', 'agent: grüße, 👋\n');
  const manifest = {
    conversationId: 'conv-mem',
    files: [media, text].map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
  };
  const manifestFile = textBundleFile('manifest.json', `${JSON.stringify(manifest)}\n`, 'application/json');
  const bundle = {
    conversationId: 'conv-mem',
    conversationStart: '2026-03-04T10:00:00.000Z',
    deliveryId: 'gt_mem',
    files: [text, media, manifestFile],
    manifest,
  };
  const r = await sink.deliver(bundle);
  for (const f of bundle.files) {
    const bytes = await readFile(join(r.location, f.name));
    assert.equal(sha256(bytes), f.sha256, f.name);
    assert.equal(bytes.length, f.size, f.name);
    assert.equal((await stat(join(r.location, f.name))).mode & 0o777, 0o600, f.name);
  }
  assert.equal((await sink.deliver(bundle)).duplicate, true);
  // Nothing of the text files was ever staged: only the media is in the staging folder.
  assert.deepEqual(await walk(join(dir, 'staging')), [media.path]);
});

test('staged media is linked into the folder when it can be (no copy), copied across filesystems, and never leaves a temp name', async (t) => {
  const dir = await tempWorkdir(t, 'gt-fs-sink-');
  const sink = createFsSink({ root: join(dir, 'out') });
  const media = Buffer.alloc(50_000, 3);
  const bundle = await stageBundle(join(dir, 'staging'), 'conv-link', { media });
  const staged = bundle.files.find((f) => f.name === 'recordings/r1.wav')!;
  const receipt = await sink.deliver(bundle);
  const delivered = join(receipt.location, 'recordings', 'r1.wav');
  const [a, b] = [await stat(staged.path!), await stat(delivered)];
  assert.equal(b.ino, a.ino, 'same filesystem: the delivered file is the staged one, linked');
  assert.equal(b.mode & 0o777, 0o600);
  assert.equal(sha256(await readFile(delivered)), staged.sha256);
  // The staging folder goes after delivery: the delivered file stays whole.
  await rm(join(dir, 'staging'), { recursive: true, force: true });
  assert.equal(sha256(await readFile(delivered)), staged.sha256);

  // A killed delivery left the staged file linked under its final name; a new delivery of other
  // content links it onto itself: rename(2) does nothing then, and the temp name must not stay.
  const again = await stageBundle(join(dir, 'staging2'), 'conv-link2', { media, transcript: 'one' });
  const folder2 = (await sink.deliver(again)).location;
  const stagedAgain = again.files.find((f) => f.name === 'recordings/r1.wav')!;
  const changed = await stageBundle(join(dir, 'staging2'), 'conv-link2', { media, transcript: 'two' });
  assert.equal((await stat(stagedAgain.path!)).ino, (await stat(join(folder2, 'recordings', 'r1.wav'))).ino);
  await sink.deliver(changed);
  const names = await walk(folder2);
  assert.deepEqual(
    names.filter((n) => n.includes('.tmp-')),
    [],
  );
  assert.match(await readFile(join(folder2, 'transcript.txt'), 'utf8'), /two/);

  // Staging on another filesystem (tmpfs under /dev/shm): link(2) fails with EXDEV, the file is copied.
  const shm = '/dev/shm';
  const other = await mkdtemp(join(shm, 'gt-fs-sink-')).catch(() => undefined);
  if (!other || (await stat(other)).dev === (await stat(dir)).dev) {
    if (other) await rm(other, { recursive: true, force: true });
    t.skip('no second filesystem here to stage on');
    return;
  }
  t.after(() => rm(other, { recursive: true, force: true }));
  const remote = await stageBundle(other, 'conv-copy', { media });
  const folder3 = (await sink.deliver(remote)).location;
  const copied = await stat(join(folder3, 'recordings', 'r1.wav'));
  const source = remote.files.find((f) => f.name === 'recordings/r1.wav')!;
  assert.notEqual(copied.dev, (await stat(source.path!)).dev);
  assert.equal(sha256(await readFile(join(folder3, 'recordings', 'r1.wav'))), source.sha256);
  assert.equal(copied.mode & 0o777, 0o600);
});
