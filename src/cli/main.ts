#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { checkConfig } from './check.js';
import { KEYS_USAGE, runKeysCommand } from './keys.js';

const USAGE = `Usage:
  switchyard start [--config FILE] [--port N] [--host H]   serve (default: ./switchyard.yaml, else the quick start)
  switchyard check FILE                                     validate a config and print every problem
${KEYS_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const { values } = parseArgs({
      args: rest,
      options: { config: { type: 'string', short: 'c' }, port: { type: 'string', short: 'p' }, host: { type: 'string' } },
      strict: true,
    });
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) {
      process.stderr.write(`--port: expected a port number, got "${values.port}"\n`);
      return 2;
    }
    // Loaded only here: `check` and `keys` start faster without the whole gateway.
    const { startGateway } = await import('./start.js');
    await startGateway({ config: values.config, port, host: values.host });
    return -1; // keep running
  }
  if (command === 'check') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length !== 1) {
      process.stderr.write(USAGE);
      return 2;
    }
    return checkConfig(positionals[0]!);
  }
  if (command === 'keys') return runKeysCommand(rest);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`unknown command "${command}"\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
