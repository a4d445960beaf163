import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { loadConfig, regionNames, resolveRegion, REGION_DOMAINS } from '../../src/config/index.ts';
import { isGtError } from '../../src/errors.ts';

const SECRET = 'sUp3r-s3cret-value-XYZ';
const dir = mkdtempSync(join(tmpdir(), 'gt-config-'));

function configError(fn: () => unknown): { message: string; problems: string[] } {
  try {
    fn();
  } catch (err) {
    assert.ok(isGtError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
    return { message: err.message, problems: err.details.problems as string[] };
  }
  assert.fail('expected a CONFIG_INVALID error');
}

test('every SDK region resolves by underscore name, dash name and domain', () => {
  assert.equal(Object.keys(REGION_DOMAINS).length, 18);
  for (const [name, domain] of Object.entries(REGION_DOMAINS)) {
    for (const input of [name, name.replace(/_/g, '-'), domain, `https://api.${domain}`, `api.${domain}/`]) {
      const r = resolveRegion(input);
      assert.ok(r, input);
      assert.equal(r.region, name);
      assert.equal(r.apiUrl, `https://api.${domain}`);
      assert.equal(r.loginUrl, `https://login.${domain}`);
    }
  }
  assert.equal(resolveRegion('mars-north-1'), undefined);
  assert.equal(resolveRegion('example.com'), undefined);
});

test('env variables give region, client id and secret; flags win over env and file', () => {
  const file = join(dir, 'c.json');
  writeFileSync(
    file,
    JSON.stringify({
      region: 'ap-southeast-2',
      clientId: 'from-file',
      clientSecret: 'file-secret',
      maxAttempts: 6,
    }),
  );
  const c = loadConfig({
    flags: { clientId: 'from-flag' },
    env: {
      GENESYSCLOUD_REGION: 'eu_west_1',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'from-env',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
    },
    configFile: file,
  });
  assert.equal(c.clientId, 'from-flag');
  assert.equal(c.apiUrl, 'https://api.mypurecloud.ie');
  assert.equal(c.loginUrl, 'https://login.mypurecloud.ie');
  assert.equal(c.region, 'eu_west_1');
  assert.equal(c.clientSecret(), SECRET); // env beats file
  assert.equal(c.maxAttempts, 6); // only the file set it

  const fromFile = loadConfig({ env: {}, configFile: file });
  assert.equal(fromFile.apiUrl, 'https://api.mypurecloud.com.au');
  assert.equal(fromFile.clientSecret(), 'file-secret');
});

test('GENESYSCLOUD_API_REGION may be an API URL (Genesys CLI convention)', () => {
  const c = loadConfig({
    env: {
      GENESYSCLOUD_API_REGION: 'https://api.mypurecloud.de',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'id',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
    },
  });
  assert.equal(c.region, 'eu_central_1');
  assert.equal(c.loginUrl, 'https://login.mypurecloud.de');
});

test('explicit apiUrl/loginUrl (emulator, gateways); plain http only to loopback', () => {
  const c = loadConfig({
    flags: { apiUrl: 'http://127.0.0.1:9999/', loginUrl: 'http://127.0.0.1:9999', clientId: 'id' },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
  });
  assert.equal(c.apiUrl, 'http://127.0.0.1:9999');
  assert.equal(c.region, undefined);
  const { problems } = configError(() =>
    loadConfig({
      flags: { apiUrl: 'http://gateway.example.com', loginUrl: 'https://login.example.com', clientId: 'id' },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
    }),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /apiUrl .*must be https/);
});

test('an unknown region is one clear error listing the valid names', () => {
  const { problems } = configError(() =>
    loadConfig({
      flags: { region: 'mars-north-1', clientId: 'id' },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
    }),
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /unknown region "mars-north-1"/);
  for (const n of regionNames()) assert.ok(problems[0]!.includes(n), n);
});

test('all mistakes are listed together, one line each', () => {
  const { problems, message } = configError(() => loadConfig({ flags: { region: 'nowhere' }, env: {} }));
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.ok(problems.some((p) => /unknown region/.test(p)));
  assert.ok(problems.some((p) => /^clientId is missing/.test(p)));
  assert.ok(problems.some((p) => /^clientSecret is missing/.test(p)));
  assert.equal(message.split('\n').length, 4);
});

test('--client-secret is rejected and the value never appears in the error', () => {
  const { message, problems } = configError(() =>
    loadConfig({
      flags: { region: 'us-east-1', clientId: 'id', clientSecret: SECRET },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
    }),
  );
  assert.equal(problems.length, 1);
  assert.match(message, /--client-secret is not accepted/);
  assert.match(message, /GENESYSCLOUD_OAUTHCLIENT_SECRET/);
  assert.match(message, /--client-secret-file/);
  assert.ok(!message.includes(SECRET));
});

test('--client-secret-file reads the secret; a missing file is reported', () => {
  const f = join(dir, 'secret.txt');
  writeFileSync(f, `${SECRET}\n`);
  const c = loadConfig({
    flags: { region: 'us-east-1', clientId: 'id', clientSecretFile: f },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: 'other' },
  });
  assert.equal(c.clientSecret(), SECRET);
  const { problems } = configError(() =>
    loadConfig({
      flags: { region: 'us-east-1', clientId: 'id', clientSecretFile: join(dir, 'nope') },
      env: {},
    }),
  );
  assert.ok(
    problems.some((p) => /clientSecretFile .*nope: cannot read it \(ENOENT\)/.test(p)),
    problems.join('\n'),
  );
});

test('a config file with a typo or bad JSON is reported without echoing values', () => {
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ regoin: 'us-east-1', clientSecret: SECRET, clientId: 'id' }));
  const { message } = configError(() => loadConfig({ env: {}, configFile: typo }));
  assert.match(message, /regoin/);
  assert.ok(!message.includes(SECRET));
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, `{"clientSecret": "${SECRET}",`);
  const e2 = configError(() => loadConfig({ env: {}, configFile: bad }));
  assert.match(e2.message, /not valid JSON/);
  assert.ok(!e2.message.includes(SECRET));
});

test('the config never prints its secret (JSON, inspect, template strings)', () => {
  const c = loadConfig({
    flags: { region: 'us-west-2', clientId: 'id' },
    env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
  });
  for (const text of [
    JSON.stringify(c),
    inspect(c, { depth: 5, showHidden: true }),
    `${String(c)}`,
    JSON.stringify({ nested: c }),
  ]) {
    assert.ok(!text.includes(SECRET), text);
  }
  assert.match(JSON.stringify(c), /usw2\.pure\.cloud/);
});
