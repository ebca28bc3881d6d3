/**
 * `switchyard keys create|list|revoke` as a user runs it: the CLI in a child process against a
 * SQLite file named by a config, then the same file read by a running gateway.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startTestGateway, waitFor } from './harness.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** tsx by absolute URL: a child whose working directory is elsewhere must still find it. */
const TSX = import.meta.resolve('tsx');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd?: string): Promise<Run> {
  // NODE_OPTIONS from the test runner holds a bare `--import tsx`, which a child in another folder could not resolve.
  const env = { ...process.env, NODE_OPTIONS: '' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', TSX, MAIN, 'keys', ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const PLAINTEXT = /sk-sy-[A-Za-z0-9_-]{32}/;

describe('switchyard keys', () => {
  let dir: string;
  let config: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-keys-'));
    config = join(dir, 'switchyard.yaml');
    // A relative path: resolved against the config file's folder, not the working directory.
    writeFileSync(config, 'server: { master_key: admin-secret }\nstorage: sqlite:data/keys.db\nproviders:\n  mock: { type: mock }\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let plaintext: string;
  let createdId: string;

  test('create prints the plaintext once, with the record', async () => {
    const run = await cli(['create', '--name', 'ci-bot', '--team', 'platform', '--models', 'fast, gpt-*', '--rpm', '60', '--tpm', '100000', '--budget-usd', '5', '--budget-period', 'day', '--expires', '2099-01-31T00:00:00Z', '--config', config]);
    assert.equal(run.code, 0, run.stderr);
    plaintext = run.stdout.match(PLAINTEXT)?.[0] ?? '';
    assert.ok(plaintext, run.stdout);
    assert.equal(run.stdout.split(plaintext).length, 2, 'shown exactly once');
    assert.match(run.stdout, /only time/);
    createdId = run.stdout.match(/key_[0-9a-f]{32}/)?.[0] ?? '';
    assert.ok(createdId, run.stdout);
    for (const shown of ['platform', 'fast,gpt-*', 'rpm 60', 'tpm 100000', '$5/day', '2099-01-31T00:00:00.000Z', 'active']) assert.ok(run.stdout.includes(shown), `${shown} in\n${run.stdout}`);
    assert.ok(existsSync(join(dir, 'data', 'keys.db')), 'the sqlite path is relative to the config file');
  });

  test('create --json prints the API shape, plaintext included', async () => {
    const run = await cli(['create', '--name', 'json-bot', '--concurrency', '2', '--budget-usd', '1.5', '--json', '--config', config]);
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout);
    assert.match(record.key, PLAINTEXT);
    assert.ok(record.key.startsWith(record.prefix));
    assert.deepEqual(record.limits, { concurrency: 2 });
    assert.deepEqual(record.budget, { usd: 1.5, period: 'month' });
    assert.equal(record.key_hash, undefined);
  });

  test('list shows keys by prefix, never the plaintext or its hash', async () => {
    const run = await cli(['list', '--config', config]);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^ID\s+NAME\s+PREFIX\s+TEAM\s+MODELS\s+LIMITS\s+BUDGET\s+EXPIRES\s+STATE$/);
    const row = lines.find((line) => line.includes(createdId));
    assert.ok(row, run.stdout);
    assert.ok(row.includes(plaintext.slice(0, 12)), `the prefix of the key in ${row}`);
    assert.match(row, /ci-bot/);
    assert.match(row, /active$/);
    assert.ok(!run.stdout.includes(plaintext));
    assert.ok(!run.stdout.includes(createHash('sha256').update(plaintext).digest('hex')));
    const json = await cli(['list', '--json', '--config', config]);
    assert.equal(json.code, 0, json.stderr);
    const names = JSON.parse(json.stdout).data.map((key: { name: string }) => key.name);
    assert.deepEqual(names, ['ci-bot', 'json-bot']);
    assert.ok(!json.stdout.includes(plaintext) && !json.stdout.includes('key_hash'));
  });

  test('a running gateway on the same storage sees what the CLI made, and what it revoked', async () => {
    const gateway = await startTestGateway(readFileSync(config, 'utf8').replace('sqlite:data/keys.db', `sqlite:${join(dir, 'data', 'keys.db')}`));
    try {
      const get = async () => {
        const response = await fetch(`${gateway.url}/admin/keys/${createdId}`, { headers: { authorization: 'Bearer admin-secret' } });
        assert.equal(response.status, 200);
        return (await response.json()) as { name: string; revoked_at: string | null; prefix: string };
      };
      const before = await get();
      assert.equal(before.name, 'ci-bot');
      assert.equal(before.revoked_at, null);
      assert.ok(plaintext.startsWith(before.prefix));
      // The key itself works on the gateway (its registry read it from storage)...
      const models = () => fetch(`${gateway.url}/v1/models`, { headers: { authorization: `Bearer ${plaintext}` } }).then((r) => r.status);
      await waitFor(async () => (await models()) === 200, 1500);

      // Revoke by name while the gateway holds the database open.
      const run = await cli(['revoke', 'ci-bot', '--config', config]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /Revoked key "ci-bot"/);
      assert.ok(!run.stdout.includes(plaintext));
      assert.notEqual((await get()).revoked_at, null);
      // ...and stops working within a poll of the CLI's revoke.
      await waitFor(async () => (await models()) === 401, 1500);
    } finally {
      await gateway.stop();
    }
  });

  test('list leaves revoked keys out; list --all shows them as revoked; revoking again fails', async () => {
    const [live, all] = await Promise.all([cli(['list', '--config', config]), cli(['list', '--all', '--config', config])]);
    assert.equal(live.code, 0, live.stderr);
    assert.ok(!live.stdout.includes(createdId), live.stdout);
    assert.match(live.stdout, /json-bot/);
    assert.equal(all.code, 0, all.stderr);
    const row = all.stdout.split('\n').find((line) => line.includes(createdId));
    assert.ok(row, all.stdout);
    assert.match(row, /revoked$/);
    const [byName, byId, unknown] = await Promise.all(['ci-bot', createdId, 'nobody'].map((target) => cli(['revoke', target, '--config', config])));
    for (const again of [byName!, byId!]) {
      assert.equal(again.code, 1, again.stdout);
      assert.match(again.stderr, /already revoked/);
    }
    assert.equal(unknown!.code, 1);
    assert.match(unknown!.stderr, /no key with id or name "nobody"/);
  });

  test('revoke by id; a revoked name can be used again; a duplicate live name fails with exit 1', async () => {
    const made = await cli(['create', '--name', 'by-id', '--json', '--config', config]);
    const { id } = JSON.parse(made.stdout);
    const revoked = await cli(['revoke', id, '--json', '--config', config]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(JSON.parse(revoked.stdout).id, id);
    assert.notEqual(JSON.parse(revoked.stdout).revoked_at, null);
    const reuse = await cli(['create', '--name', 'ci-bot', '--config', config]);
    assert.equal(reuse.code, 0, reuse.stderr);
    const duplicate = await cli(['create', '--name', 'ci-bot', '--config', config]);
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /--name: a key named "ci-bot" already exists/);
    assert.doesNotMatch(duplicate.stdout, PLAINTEXT, 'no key is shown for a key not made');
  });

  test('usage errors exit 2 and name the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /give a subcommand/],
      [['frob'], /unknown subcommand "frob"/],
      [['create', '--config', config], /--name is required/],
      [['create', '--name', 'x', '--bogus', '--config', config], /--bogus/],
      [['create', '--name', 'x', '--rpm', '0', '--config', config], /--rpm: expected a positive integer/],
      [['create', '--name', 'x', '--budget-usd', '5', '--budget-period', 'year', '--config', config], /--budget-period: expected one of/],
      [['create', '--name', 'x', '--budget-period', 'day', '--config', config], /--budget-period needs --budget-usd/],
      [['create', '--name', 'x', '--expires', '2001-01-01', '--config', config], /--expires: must be in the future/],
      [['create', '--name', 'x', '--models', 'a,,b', '--config', config], /--models: must not be empty/],
      [['revoke', '--config', config], /exactly one key id or name/],
      [['list', 'extra', '--config', config], /extra/],
    ];
    // Independent runs (none reaches the storage): in parallel, as each child takes a second to start.
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    for (const [index, [args, message]] of cases.entries()) {
      const run = runs[index]!;
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.match(run.stderr, /switchyard keys create --name NAME/, 'the usage follows');
    }
    const listed = await cli(['list', '--json', '--config', config]);
    assert.ok(!JSON.parse(listed.stdout).data.some((key: { name: string }) => key.name === 'x'), 'nothing was created');
  });

  test('failures exit 1 with a message: a bad config, memory storage', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'storage: sqlite:x.db\nprovders: {}\n');
    const memory = join(dir, 'memory.yaml');
    writeFileSync(memory, 'storage: memory\n');
    const [invalid, vanishing, missing] = await Promise.all([
      cli(['list', '--config', bad]),
      cli(['create', '--name', 'ghost', '--config', memory]),
      cli(['list', '--config', join(dir, 'nope.yaml')]),
    ]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /provders/);
    assert.equal(vanishing.code, 1);
    assert.match(vanishing.stderr, /memory/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read/);
  });

  test('without --config: ./switchyard.yaml, else the quick start storage under ./.switchyard/', async () => {
    const local = mkdtempSync(join(tmpdir(), 'switchyard-cli-cwd-'));
    try {
      const quick = await cli(['create', '--name', 'quick', '--json'], local);
      assert.equal(quick.code, 0, quick.stderr);
      assert.ok(existsSync(join(local, '.switchyard', 'switchyard.db')), 'the quick start stores in ./.switchyard/');
      writeFileSync(join(local, 'switchyard.yaml'), 'storage: sqlite:other.db\n');
      const fromFile = await cli(['list', '--json'], local);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.deepEqual(JSON.parse(fromFile.stdout).data, [], './switchyard.yaml wins over the quick start');
      assert.ok(existsSync(join(local, 'other.db')));
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});
