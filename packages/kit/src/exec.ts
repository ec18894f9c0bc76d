// Running tools: argument arrays only (no shell, so inputs can never become shell syntax), a timeout that
// kills the whole process tree, output captured up to a cap, and signals from the runner forwarded so a
// cancelled job stops the tool cleanly (terraform releases its lock on SIGINT).
//
// Time limits hold whatever the tool does: Node's 'close' event waits until every holder of the stdout
// and stderr pipes has gone, so a tool that leaves a detached child behind would keep a step alive long
// after its timeout. We stop waiting for the pipes shortly after the tool itself has exited, and never
// wait longer than timeout + kill grace + PIPE_GRACE_MS in total.
import * as core from './core.js';
import { spawn } from 'node:child_process';
import { ToolError } from './errors.js';
import { killTracked, newTrackingId, trackedEnv } from './processes.js';

export interface ExecOptions {
  cwd?: string;
  /** Replaces the environment when `replaceEnv` is true, else is merged over process.env less `toolEnv()`'s exclusions. */
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
  /** Called with each complete line of output as it arrives (stdout and stderr, in arrival order). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
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
  /** The limit it ran under, when there was one. */
  timeoutMs?: number;
}

const DEFAULT_MAX = 32 * 1024 * 1024;
/** How long the pipes may stay open after the tool has exited (its output is normally flushed by then). */
const PIPE_GRACE_MS = 1500;

/**
 * Variables a tool never gets from our process unless a caller passes them explicitly in `env`: the
 * action's own inputs (INPUT_TOKEN among them) and the runner's credentials. A tool that needs a token
 * is given it by name, so nothing else can read or print it.
 */
export function toolEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (k.startsWith('INPUT_') || k.startsWith('STATE_') || SECRET_ENV.has(k)) continue;
    out[k] = v;
  }
  return out;
}
const SECRET_ENV = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_URL',
]);

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

/**
 * Echoes a tool's output with workflow commands switched off, so no line of it can forge an annotation,
 * mask or output. Whole lines only, each scrubbed of registered secrets: a secret split across two
 * chunks of the pipe is still found.
 */
class EchoGuard {
  private readonly token = `pa-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  private open = false;
  private pending = '';
  // Both streams go to stdout inside the block: the runner reads commands from either.
  write(b: Buffer): void {
    if (!this.open) {
      process.stdout.write(`::stop-commands::${this.token}\n`);
      this.open = true;
    }
    this.pending += b.toString('utf8');
    const nl = this.pending.lastIndexOf('\n');
    if (nl < 0) return;
    process.stdout.write(core.scrubbed(this.pending.slice(0, nl + 1)));
    this.pending = this.pending.slice(nl + 1);
  }
  close(): void {
    if (this.pending) process.stdout.write(core.scrubbed(this.pending));
    this.pending = '';
    if (this.open) process.stdout.write(`\n::${this.token}::\n`);
    this.open = false;
  }
}

/** Whole lines of one stream for `onLine` (a chunk may end mid-line); the rest when the stream ends. */
class LineSplitter {
  private pending = '';
  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void,
  ) {}
  push(b: Buffer): void {
    if (!this.onLine) return;
    const parts = (this.pending + b.toString('utf8')).split('\n');
    this.pending = parts.pop() ?? '';
    for (const l of parts) this.onLine(l.replace(/\r$/, ''), this.stream);
  }
  flush(): void {
    if (this.onLine && this.pending) this.onLine(this.pending, this.stream);
    this.pending = '';
  }
}

function execInner(command: string, args: string[], opts: ExecOptions): Promise<ExecResult> {
  const started = Date.now();
  const max = opts.maxOutputBytes ?? DEFAULT_MAX;
  const out = new CappedBuffer(max);
  const err = new CappedBuffer(max);
  const echo = opts.echo ? new EchoGuard() : undefined;
  const lines = { stdout: new LineSplitter('stdout', opts.onLine), stderr: new LineSplitter('stderr', opts.onLine) };
  return new Promise((resolvePromise, reject) => {
    // Every descendant inherits the tool's tracking id, in whatever session it ends up (processes.ts).
    const toolId = newTrackingId('tool');
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: trackedEnv(opts.replaceEnv ? (opts.env ?? {}) : { ...toolEnv(), ...opts.env }, toolId),
      // Own process group, so a timeout or cancellation can signal the tool and everything it started.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let timedOut = false;
    let finished = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
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
    // A process that exits while the tool runs (another handler called process.exit) takes the tool's
    // process group with it: a tool in its own group would otherwise run on, orphaned.
    const onExit = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    process.on('exit', onExit);
    const cleanup = () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('exit', onExit);
      for (const t of timers) clearTimeout(t);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      cleanup();
      echo?.close();
      lines.stdout.flush();
      lines.stderr.flush();
      // The group may still hold grandchildren that ignored the signal, and a descendant that called setsid
      // has left it: make sure none outlive a timeout.
      if (timedOut) {
        signalTree('SIGKILL');
        killTracked(toolId);
      }
      // Pipes still held by a detached descendant: stop reading them, or they keep this process alive.
      child.stdout.destroy();
      child.stderr.destroy();
      resolvePromise({
        command,
        args,
        exitCode: exit ? exit.code : null,
        signal: exit ? exit.signal : 'SIGKILL',
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        timedOut,
        durationMs: Date.now() - started,
        ...(opts.timeoutMs && opts.timeoutMs > 0 ? { timeoutMs: opts.timeoutMs } : {}),
      });
    };
    if (opts.timeoutMs && opts.timeoutMs > 0) {
      const grace = opts.killGraceMs ?? 5000;
      later(opts.timeoutMs, () => {
        timedOut = true;
        signalTree('SIGTERM');
        later(grace, () => signalTree('SIGKILL'));
        // Whatever happens to the pipes, the caller gets its answer shortly after the kill.
        later(grace + PIPE_GRACE_MS, finish);
      });
    }
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      echo?.write(b);
      lines.stdout.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      echo?.write(b);
      lines.stderr.push(b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (finished) return;
      finished = true;
      cleanup();
      echo?.close();
      reject(e.code === 'ENOENT' ? new ToolError(`${command} was not found (is it installed and on PATH?)`) : new ToolError(`${command} could not be started: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Normally 'close' follows at once; if a descendant holds the pipes, stop waiting soon.
      later(timedOut ? 0 : PIPE_GRACE_MS, finish);
    });
    child.on('close', (code, signal) => {
      exit ??= { code, signal };
      finish();
    });
    child.stdin.on('error', () => {
      /* the tool closed stdin early; its exit status tells the story */
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Why a process that ended by a signal ended, in words a user can act on. */
export function signalReason(signal: NodeJS.Signals | null, exitCode: number | null): string | undefined {
  const sig = signal ?? (exitCode !== null && exitCode > 128 && exitCode < 160 ? SIGNALS[exitCode - 128] : undefined);
  if (!sig) return undefined;
  if (sig === 'SIGKILL') return 'was killed by SIGKILL (often the out-of-memory killer: the runner ran out of memory)';
  return `was killed by ${sig}`;
}
const SIGNALS: Record<number, NodeJS.Signals> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

/** The last `lines` lines of a tool's stderr (or stdout), for error messages and log groups. */
export function tail(text: string, lines = 20): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

/** Seconds as people read them: 0.3s, 47s, 2m05s. */
export function formatSeconds(ms: number): string {
  if (ms < 10_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/**
 * How a run that did not succeed ended, after the tool's name: "timed out after 47s (limit 30s)" (the
 * real time taken, kill grace included), "was killed by SIGKILL (…)", "failed with exit code 3". One
 * wording for every action, so a signal is never "exit code null".
 */
export function describeExit(r: ExecResult): string {
  if (r.timedOut) return `timed out after ${formatSeconds(r.durationMs)}${r.timeoutMs ? ` (limit ${formatSeconds(r.timeoutMs)})` : ''}`;
  const killed = signalReason(r.signal, r.exitCode);
  if (killed || r.exitCode === null) return killed ?? 'was killed';
  return `failed with exit code ${r.exitCode}`;
}

/**
 * Throws ToolError when the tool did not end on its own — it timed out, or a signal killed it — whatever
 * its exit code would have meant: a killed `kubectl apply --dry-run` says nothing about the manifests.
 * Returns `r` otherwise, for the caller to read its exit code.
 */
export function expectNotKilled(r: ExecResult, what = r.command): ExecResult {
  if (r.timedOut || r.exitCode === null || signalReason(r.signal, r.exitCode)) throw new ToolError(`${what} ${describeExit(r)}`, tail(r.stderr || r.stdout));
  return r;
}

/** Throws ToolError unless the tool exited with one of `ok` codes; the message names the tool and why. */
export function expectExit(r: ExecResult, ok: readonly number[] = [0], what = r.command): ExecResult {
  if (r.timedOut) throw new ToolError(`${what} ${describeExit(r)}`, tail(r.stderr || r.stdout));
  const killed = signalReason(r.signal, r.exitCode);
  if (r.exitCode === null || (killed && !ok.includes(r.exitCode))) throw new ToolError(`${what} ${describeExit(r)}`, tail(r.stderr || r.stdout));
  // Output past the cap was dropped: parsing what is left would report a part as the whole.
  if (r.truncated) throw new ToolError(`${what} wrote more output than the action keeps per stream; it was cut, so the result is not read`, tail(r.stderr));
  if (!ok.includes(r.exitCode)) {
    const last = tail(r.stderr || r.stdout, 1);
    throw new ToolError(`${what} ${describeExit(r)}${last ? `: ${last}` : ''}`, tail(r.stderr || r.stdout, 50));
  }
  return r;
}
