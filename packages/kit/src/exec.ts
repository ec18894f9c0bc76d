// Running tools: argument arrays only (no shell, so inputs can never become shell syntax), a timeout that
// kills the whole process tree, output captured up to a cap, and signals from the runner forwarded so a
// cancelled job stops the tool cleanly (terraform releases its lock on SIGINT).
import * as core from './core.js';
import { spawn } from 'node:child_process';
import { ToolError } from './errors.js';

export interface ExecOptions {
  cwd?: string;
  /** Replaces the environment when `replaceEnv` is true, else is merged over process.env. */
  env?: NodeJS.ProcessEnv;
  replaceEnv?: boolean;
  /** Kill the process tree after this many ms (SIGTERM, then SIGKILL after `killGraceMs`). */
  timeoutMs?: number;
  killGraceMs?: number;
  /** Bytes kept per stream; the rest is counted and dropped. Default 32 MiB. */
  maxOutputBytes?: number;
  /** Written to the tool's stdin. */
  input?: string | Buffer;
  /** Echo the tool's output to the log as it runs. Default false (output is returned). */
  echo?: boolean;
  /** Wrap the run in a collapsible log group with this title. */
  group?: string;
}

export interface ExecResult {
  command: string;
  args: string[];
  /** null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when a stream was longer than maxOutputBytes and was cut. */
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

const DEFAULT_MAX = 32 * 1024 * 1024;

class CappedBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = b.length > room ? b.subarray(0, room) : b;
    if (part.length < b.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs `command` with `args` and resolves with the result whatever the exit code; rejects only if it cannot start. */
export async function exec(command: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const run = () => execInner(command, [...args], opts);
  if (!opts.group) return run();
  core.startGroup(opts.group);
  try {
    return await run();
  } finally {
    core.endGroup();
  }
}

function execInner(command: string, args: string[], opts: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const max = opts.maxOutputBytes ?? DEFAULT_MAX;
  const out = new CappedBuffer(max);
  const err = new CappedBuffer(max);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.replaceEnv ? opts.env : { ...process.env, ...opts.env },
      // Own process group, so a timeout or cancellation can signal the tool and everything it started.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const signalTree = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const forward = (sig: NodeJS.Signals) => () => signalTree(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const cleanup = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      clearTimeout(killTimer);
      clearTimeout(graceTimer);
    };
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      killTimer = setTimeout(() => {
        timedOut = true;
        signalTree('SIGTERM');
        graceTimer = setTimeout(() => signalTree('SIGKILL'), opts.killGraceMs ?? 5000);
      }, opts.timeoutMs);
    }
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (opts.echo) process.stdout.write(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.echo) process.stderr.write(b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(
        e.code === 'ENOENT'
          ? new ToolError(`${command} was not found (is it installed and on PATH?)`)
          : new ToolError(`${command} could not be started: ${e.message}`),
      );
    });
    child.on('close', (code, signal) => {
      cleanup();
      // The group may still hold grandchildren that ignored the signal; make sure none outlive us on timeout.
      if (timedOut) signalTree('SIGKILL');
      resolvePromise({
        command,
        args,
        exitCode: code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        timedOut,
        durationMs: Date.now() - started,
      });
    });
    child.stdin.on('error', () => {
      /* the tool closed stdin early; its exit status tells the story */
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** The last `lines` lines of a tool's stderr (or stdout), for error messages and log groups. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Throws ToolError unless the tool exited with one of `ok` codes; the message names the tool and why. */
export function expectExit(r: ExecResult, ok: readonly number[] = [0], what = r.command): ExecResult {
  if (r.timedOut) throw new ToolError(`${what} timed out after ${Math.round(r.durationMs / 1000)}s`, tail(r.stderr || r.stdout));
  if (r.exitCode === null) throw new ToolError(`${what} was killed by ${r.signal}`, tail(r.stderr || r.stdout));
  if (!ok.includes(r.exitCode)) {
    const last = tail(r.stderr || r.stdout, 1);
    throw new ToolError(`${what} failed with exit code ${r.exitCode}${last ? `: ${last}` : ''}`, tail(r.stderr || r.stdout, 50));
  }
  return r;
}
