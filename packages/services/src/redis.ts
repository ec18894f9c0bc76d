// A throwaway Redis from the host's redis-server: a temp folder for its files, 127.0.0.1 and a free port, no
// persistence, always stopped (also when the process exits early). Ready when it answers PING.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFreePort, onPath, ServiceError, stopWithProcess } from './host.js';

export interface RedisOptions {
  /** redis-server itself; default: redisServerBin(). */
  bin?: string;
  /** A fixed port instead of a free one (no retry). */
  port?: number;
  /** requirepass (what a Redis service container gets as REDIS_PASSWORD). */
  password?: string;
  startTimeoutSec?: number;
  /** Stop the server on SIGINT/SIGTERM and exit as that signal would (a CLI run). */
  exitOnSignal?: boolean;
}

export interface Redis {
  /** redis://[:<password>@]127.0.0.1:<port>/0 */
  url: string;
  host: string;
  port: number;
  /** e.g. "7.0.15" */
  version: string;
  /** Sends one inline command and returns the first reply line (e.g. "+PONG"). */
  command(line: string): Promise<string>;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** redis-server: in $PA_REDIS_BIN (a folder), else on PATH. */
export function redisServerBin(): string {
  const fromEnv = process.env.PA_REDIS_BIN ? join(process.env.PA_REDIS_BIN, 'redis-server') : undefined;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const found = onPath('redis-server');
  if (found) return found;
  throw new ServiceError('no redis-server found: install it (e.g. apt-get install redis-server), or set PA_REDIS_BIN to its folder');
}

/** One inline command over a fresh connection; resolves with the first reply line. */
function send(port: number, line: string, password?: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => sock.destroy(new Error('no answer')), timeoutMs);
    sock.on('connect', () => sock.write(`${password !== undefined ? `AUTH ${password}\r\n` : ''}${line}\r\n`));
    sock.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\r\n');
      const need = password !== undefined ? 2 : 1;
      if (lines.length > need) {
        clearTimeout(timer);
        sock.end();
        resolve(lines[need - 1]);
      }
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

export async function startRedis(opts: RedisOptions = {}): Promise<Redis> {
  const bin = opts.bin ?? redisServerBin();
  const version = /v=(\d+\.\d+\.\d+)/.exec(execFileSync(bin, ['--version'], { timeout: 10_000 }).toString())?.[1] ?? 'unknown';
  const dir = mkdtempSync(join(tmpdir(), 'pa-redis-'));
  const log = join(dir, 'log');
  let child: ReturnType<typeof spawn> | undefined;
  const stopSync = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
  const unhook = stopWithProcess(stopSync, !!opts.exitOnSignal);
  const logTail = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-20).join('\n') : '');

  try {
    const port = await onFreePort(
      async (p) => {
        const args = ['--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--logfile', log, '--save', '', '--appendonly', 'no', '--daemonize', 'no'];
        if (opts.password !== undefined) args.push('--requirepass', opts.password);
        const c = spawn(bin, args, { cwd: dir, stdio: 'ignore' });
        child = c;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.once('error', () => undefined);
        const deadline = Date.now() + (opts.startTimeoutSec ?? 20) * 1000;
        for (;;) {
          if (c.exitCode !== null || c.signalCode !== null)
            throw new ServiceError(`Redis did not start: ${logTail().split('\n').at(-1) || `redis-server exited (${c.exitCode ?? c.signalCode})`}`);
          const pong = await send(p, 'PING', opts.password, 500).catch(() => '');
          if (pong === '+PONG') return p;
          if (Date.now() > deadline) {
            c.kill('SIGKILL');
            await exited;
            throw new ServiceError(`Redis did not answer PING within ${opts.startTimeoutSec ?? 20}s: ${logTail().split('\n').at(-1) ?? ''}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      () => /Address already in use|Could not create server TCP listening socket/i.test(logTail()),
      opts.port,
    );
    const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : '';
    return {
      url: `redis://${auth}127.0.0.1:${port}/0`,
      host: '127.0.0.1',
      port,
      version,
      command: (line) => send(port, line, opts.password),
      async stop() {
        unhook();
        const c = child;
        if (c && c.exitCode === null && c.signalCode === null) {
          const gone = new Promise<void>((r) => c.once('exit', () => r()));
          c.kill('SIGTERM');
          const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
          await gone;
          clearTimeout(t);
        }
        stopSync();
      },
    };
  } catch (e) {
    unhook();
    stopSync();
    throw e;
  }
}
