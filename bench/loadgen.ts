// The load generator, run as its own process (pinned next to the upstream): N keep-alive raw TCP
// connections, each sending the same precomputed request as soon as the previous answer ended.
// Raw sockets + a minimal response reader keep it at ~15 µs of CPU per request (as lean as
// autocannon) while timing the first body byte of every answer, which autocannon does not.
// Run directly: `node bench/loadgen.js '<LoadgenOptions JSON>'` prints one LoadgenResult JSON line.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { isEntryPoint } from './child-entry.js';
import { HttpResponseReader } from './http-response-reader.js';
import { readCoreBusyMs, readCpuMs, readRunQueueWaitMs } from './proc-stats.js';
import { summarize, type LatencySummary } from './stats.js';

export interface LoadgenOptions {
  host: string;
  port: number;
  path: string;
  body: string;
  connections: number;
  warmupS: number;
  durationS: number;
  /** Streamed answers must end with `data: [DONE]`; ones that do not count as incomplete. */
  stream: boolean;
  /** Processes whose CPU time is read at the edges of the measured window, by name. */
  watchPids: Record<string, number>;
  /** Extra request headers (e.g. `authorization` for the keys targets). */
  headers?: Record<string, string>;
}

export interface LoadgenResult {
  /** Responses that ended inside the measured window (any status). */
  completed: number;
  /** Non-200 answers, cut connections and streams without [DONE]. */
  errors: number;
  errorKinds: Record<string, number>;
  elapsedS: number;
  /** 200 responses per second in the window. */
  throughput: number;
  /** Send → last body byte. */
  latencyMs: LatencySummary;
  /** Send → first body byte. */
  firstByteMs: LatencySummary;
  /**
   * CPU time spent in the window by each watched process (`<name>MainThread`: its JS thread
   * alone; the rest is GC helpers, libuv and other threads), plus `loadgen` itself.
   */
  cpuMs: Record<string, number>;
  /** Busy time of each core in the window (all processes), to spot foreign load. */
  coreBusyMs: number[];
  /** Time each watched process (and `loadgen`) was runnable but waiting for its core, in the window. */
  runQueueWaitMs: Record<string, number>;
  meanBodyBytes: number;
}

/** Drives load at the target for warm-up + duration and reports the measured window. */
export function runLoad(options: LoadgenOptions): Promise<LoadgenResult> {
  const body = Buffer.from(options.body);
  const extraHeaders = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const requestBytes = Buffer.concat([
    Buffer.from(
      `POST ${options.path} HTTP/1.1\r\nHost: ${options.host}:${options.port}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n`,
    ),
    body,
  ]);
  let running = true;
  let measuring = false;
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  const errorKinds: Record<string, number> = {};
  let completed = 0;
  let ok = 0;
  let bodyBytesTotal = 0;
  const sockets = new Set<net.Socket>();
  const countError = (kind: string) => {
    if (measuring) errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };

  const openConnection = () => {
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    sockets.add(socket);
    let sentAt = 0;
    let firstByteAt = 0;
    let awaiting = false;
    const send = () => {
      firstByteAt = 0;
      awaiting = true;
      sentAt = performance.now();
      socket.write(requestBytes);
    };
    const reader = new HttpResponseReader({
      onFirstBodyByte: () => (firstByteAt = performance.now()),
      onComplete: (status, bodyBytes, tail) => {
        awaiting = false;
        if (measuring) {
          completed++;
          latencies.push(performance.now() - sentAt);
          if (firstByteAt) firstBytes.push(firstByteAt - sentAt);
          bodyBytesTotal += bodyBytes;
          if (status !== 200) countError(`status ${status}`);
          else if (options.stream && !tail.includes('[DONE]')) countError('stream without [DONE]');
          else ok++;
        }
        if (running && !socket.destroyed) send();
      },
    });
    socket.on('connect', send);
    socket.on('data', (data: Buffer) => reader.push(data));
    socket.on('error', (error: NodeJS.ErrnoException) => countError(`socket ${error.code ?? error.message}`));
    socket.on('close', () => {
      sockets.delete(socket);
      if (!running) return;
      if (!reader.end() || awaiting) countError('connection closed mid-response');
      setTimeout(openConnection, 10); // don't spin if the target is down
    });
  };

  // A watched process that died mid-cell reads as NaN instead of ending the run.
  const orNaN = (read: () => number) => {
    try {
      return read();
    } catch {
      return Number.NaN;
    }
  };
  const readWaits = (): Record<string, number> => {
    const waits: Record<string, number> = { loadgen: readRunQueueWaitMs('self') };
    for (const [name, pid] of Object.entries(options.watchPids)) waits[name] = orNaN(() => readRunQueueWaitMs(pid));
    return waits;
  };

  const readCpu = (): Record<string, number> => {
    const cpu: Record<string, number> = {};
    for (const [name, pid] of Object.entries(options.watchPids)) {
      cpu[name] = orNaN(() => readCpuMs(pid));
      cpu[`${name}MainThread`] = orNaN(() => readCpuMs(pid, true));
    }
    const own = process.cpuUsage();
    cpu.loadgen = (own.user + own.system) / 1000;
    return cpu;
  };

  return new Promise((resolve) => {
    for (let index = 0; index < options.connections; index++) openConnection();
    let windowStart = 0;
    let cpuStart: Record<string, number> = {};
    let coresStart: number[] = [];
    let waitsStart: Record<string, number> = {};
    setTimeout(() => {
      measuring = true;
      cpuStart = readCpu();
      coresStart = readCoreBusyMs();
      waitsStart = readWaits();
      windowStart = performance.now();
    }, options.warmupS * 1000);
    setTimeout(
      () => {
        const elapsedS = (performance.now() - windowStart) / 1000;
        const cpuEnd = readCpu();
        const coresEnd = readCoreBusyMs();
        const waitsEnd = readWaits();
        measuring = false;
        running = false;
        for (const socket of sockets) socket.destroy();
        const cpuMs: Record<string, number> = {};
        for (const name of Object.keys(cpuEnd)) cpuMs[name] = cpuEnd[name]! - (cpuStart[name] ?? 0);
        const errors = Object.values(errorKinds).reduce((sum, count) => sum + count, 0);
        resolve({
          completed,
          errors,
          errorKinds,
          elapsedS,
          throughput: ok / elapsedS,
          latencyMs: summarize(latencies),
          firstByteMs: summarize(firstBytes),
          cpuMs,
          coreBusyMs: coresEnd.map((busy, core) => busy - (coresStart[core] ?? 0)),
          runQueueWaitMs: Object.fromEntries(Object.entries(waitsEnd).map(([name, ms]) => [name, ms - (waitsStart[name] ?? 0)])),
          meanBodyBytes: completed ? bodyBytesTotal / completed : 0,
        });
      },
      (options.warmupS + options.durationS) * 1000,
    );
  });
}

if (isEntryPoint(import.meta.url)) {
  const result = await runLoad(JSON.parse(process.argv[2] ?? '{}') as LoadgenOptions);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
