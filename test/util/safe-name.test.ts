import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve, sep } from 'node:path';
import { safeName, isSafeName } from '../../src/util/safe-name.ts';

const hostile = [
  '../../etc/passwd',
  '..',
  '.',
  '',
  'a/b',
  'a\\b',
  'CON',
  'nul.txt',
  'COM1',
  'name.',
  'name ',
  'with\u0000nul',
  'tab\there',
  '\u202etxt.exe',
  'x'.repeat(500),
  'émoji-😀',
];

test('a UUID is kept as it is', () => {
  const id = '3f2a9c1e-7b4d-4e8a-9f10-2b3c4d5e6f70';
  assert.equal(safeName(id), id);
  assert.ok(isSafeName(id));
});

test('hostile names become one segment inside the parent directory', () => {
  const root = resolve('/tmp/root');
  for (const name of hostile) {
    const s = safeName(name);
    assert.ok(s.length > 0 && s.length <= 140, `length of ${JSON.stringify(name)}`);
    assert.ok(!s.includes('/') && !s.includes('\\') && !s.includes('\0'), s);
    assert.notEqual(s, '.');
    assert.notEqual(s, '..');
    assert.ok(!/^\./.test(s) && !/[. ]$/.test(s), s);
    assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(s), s);
    assert.ok(/^[A-Za-z0-9._~-]+$/.test(s), s);
    assert.equal(resolve(join(root, s)).startsWith(root + sep), true);
  }
});

test('deterministic and collision-free for inputs that differ only in unsafe characters', () => {
  assert.equal(safeName('a/b'), safeName('a/b'));
  const outs = new Set(['a/b', 'a\\b', 'a:b', 'a_b', 'a?b', 'a b'].map(safeName));
  assert.equal(outs.size, 6);
  assert.notEqual(safeName('x'.repeat(200)), safeName('x'.repeat(201)));
});
