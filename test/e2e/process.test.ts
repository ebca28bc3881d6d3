/**
 * The CLI as a real process: SIGHUP and file-watch reloads, SIGTERM draining an in-flight
 * stream, exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startFakeOpenAI } from '../fakes/openai.js';
import { postJson, waitFor } from './harness.js';

function configYaml(fakeUrl: string, extraModel = ''): string {
  return `
server: { port: 0, drain_timeout_ms: 5000 }
providers:
  mock: { type: mock }
  up: { type: openai, base_url: "${fakeUrl}", api_key: sk-test }
models:
  chat: { targets: [{ provider: up, model: gpt-4.1-mini }] }
${extraModel}`;
}

/** Spawns `switchyard start` and resolves with its URL once it logs that it listens. */
function startProcess(configPath: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'start', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`not listening after 15 s:\n${output}`)), 15_000);
  });
}

const ask = (url: string, model: string) => postJson(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hi' }] });

test('SIGHUP and file edits reload the config; a bad edit is refused; SIGTERM drains and exits 0', async () => {
  const fake = await startFakeOpenAI();
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-process-'));
  const configPath = join(dir, 'switchyard.yaml');
  writeFileSync(configPath, configYaml(fake.url));
  const { child, url, output } = await startProcess(configPath);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    assert.equal((await ask(url, 'added')).status, 404);

    // A file edit is picked up by the watcher.
    writeFileSync(configPath, configYaml(fake.url, '  added: { targets: [{ provider: mock, model: echo }] }'));
    await waitFor(async () => (await ask(url, 'added')).status === 200);

    // A bad edit is refused, and the running config kept.
    writeFileSync(configPath, 'providers: { up: { type: opnai } }');
    await waitFor(() => output().includes('config reload refused'));
    assert.match(output(), /providers\.up\.type: unknown provider type \\"opnai\\" \(did you mean \\"openai\\"\?\)/);
    assert.equal((await ask(url, 'added')).status, 200);

    // SIGHUP re-reads the file.
    writeFileSync(configPath, configYaml(fake.url, '  hupped: { targets: [{ provider: mock, model: lorem }] }'));
    process.kill(child.pid!, 'SIGHUP');
    await waitFor(async () => (await ask(url, 'hupped')).status === 200);

    // SIGTERM with a stream in flight: the stream completes, then the process exits 0.
    fake.script = { text: 'drain me '.repeat(30), chunkDelayMs: 10, chunkChars: 9 };
    const inFlight = postJson(`${url}/v1/chat/completions`, { model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    await waitFor(() => fake.requests.length > 0);
    process.kill(child.pid!, 'SIGTERM');
    const streamed = await inFlight;
    assert.match(streamed.text, /data: \[DONE\]/);
    assert.equal(await exited, 0);
    assert.ok(!output().includes('sk-test'), 'the provider key never appears in logs');
  } finally {
    child.kill('SIGKILL');
    await fake.close();
  }
});
