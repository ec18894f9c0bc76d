// One long-lived Python process that runs the project's Alembic for the whole test (alembic-helper-py.ts):
// Python, SQLAlchemy and Alembic start once instead of once per command, and every command names the exact
// revision it applies or reverts, so branch points and merges are never walked with ambiguous +1/-1 steps.
// Commands go in as JSON lines on stdin; answers come back on file descriptor 3, while whatever env.py and
// Alembic's logging print (stdout, stderr) is kept as that command's output.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, isAbsolute, join, resolve } from 'node:path';
import { InputError, signalReason, ToolError, trackedEnv, UserError } from '@platform-actions/kit';
import { HELPER_PY } from './alembic-helper-py.js';

export interface PyFrame {
  file: string;
  line: number;
  func: string;
}

export interface PyError {
  type: string;
  module: string;
  message: string;
  /** module.Name of the exception this one wraps, e.g. psycopg.errors.DuplicateTable. */
  cause?: string | null;
  frames: PyFrame[];
  traceback: string;
  /** The revision the command was applying when it failed, and how far it got. */
  applying?: { rev: string; up: boolean; stage: 'migration' | 'version-table' | 'commit' | null };
  /** The first database error while that revision ran (a migration may have caught it and gone on). */
  firstDbError?: { type: string; module: string; message: string; statement: string; frames: PyFrame[] };
}

export interface AlembicRevision {
  id: string;
  parents: string[];
  dependsOn: string[];
  path?: string | null;
  branchLabels: string[];
  isMerge: boolean;
  /** How downgrade() reads: ok, empty (pass/…/docstring), irreversible (raises NotImplementedError), missing. */
  down?: 'ok' | 'empty' | 'irreversible' | 'missing';
  downLine?: number;
  /** upgrade() does nothing either (a merge point, a placeholder): an empty downgrade is then correct. */
  upEmpty?: boolean;
}

/** One difference autogenerate finds between the models and the migrated schema. */
export interface ModelDiff {
  /** Autogenerate's operation: add_table, remove_column, modify_type, … (add: the models have it, the schema not). */
  op: string;
  schema: string | null;
  table: string | null;
  name: string | null;
  /** The schema's value (modify_*). */
  old: string | null;
  /** The models' value (modify_*), or the new column's type, or the index's columns. */
  new: string | null;
  /** Where the mapped class is defined, when a declarative base maps the table. */
  file: string | null;
  line: number | null;
}

export interface AlembicInfo {
  revisions: AlembicRevision[];
  heads: string[];
  envPy: string;
  dir: string;
  versions: string[];
}

export interface StepResult {
  ok: boolean;
  /** What env.py, Alembic and the migration printed while the command ran. */
  output: string;
  error?: PyError;
  durationMs: number;
  timedOut?: boolean;
  /**
   * After a step or upgrade, the heads the database holds as a new env.py run reads them (only what was
   * committed); undefined when env.py did not get that far.
   */
  heads?: string[];
}

export interface SessionOptions {
  /** Program and leading arguments from the preset / `command` input, e.g. ["alembic", "-c", "db/alembic.ini"]. */
  program: string[];
  cwd: string;
  env: Record<string, string>;
  /** Per-command time limit. */
  timeoutMs: number;
  /** Time limit for Python to start and import Alembic. */
  startTimeoutMs?: number;
}

const OUTPUT_CAP = 256 * 1024;

/** Finds `name` on PATH (as the shell would) or returns undefined. */
function which(name: string, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return resolve(name);
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * The command line that runs our helper with the project's Python: `alembic` becomes the interpreter on its
 * shebang line (the virtualenv pip installed it into); in "poetry run alembic -c x.ini" the word alembic is
 * replaced by "python <helper>", so poetry/pipenv/uv still pick the environment. Alembic's own options
 * (-c, -n, -x) after it are passed on.
 */
export function helperArgv(program: readonly string[], helper: string, path = process.env.PATH): string[] {
  const i = program.findIndex((w) => basename(w) === 'alembic');
  if (i < 0) throw new InputError('command', 'must run alembic (e.g. "alembic -c db/alembic.ini" or "poetry run alembic")', program.join(' '));
  const rest = program.slice(i + 1);
  if (i > 0) return [...program.slice(0, i), 'python', helper, ...rest];
  const exe = which(program[0], path);
  if (!exe) {
    throw new UserError(
      `alembic is not on PATH: install it in an earlier step (pip install alembic and your database driver), or set the command input (e.g. "poetry run alembic")`,
    );
  }
  let first = '';
  try {
    first = readFileSync(exe, 'utf8').slice(0, 512).split('\n')[0];
  } catch {
    /* unreadable: fall through */
  }
  const m = /^#!\s*(\S+)(?:\s+(.*))?$/.exec(first);
  if (!m) return ['python3', helper, ...rest];
  const interp = m[1];
  const interpArgs = (m[2] ?? '').split(/\s+/).filter(Boolean);
  // "#!/usr/bin/env python3" → python3 from PATH.
  return [interp, ...interpArgs, helper, ...rest];
}

interface Pending {
  resolve: (v: { answer: Record<string, unknown>; output: string; timedOut?: boolean }) => void;
  timer: NodeJS.Timeout;
}

export class AlembicSession {
  private child?: ChildProcess;
  private buffer = '';
  private output = '';
  private pending?: Pending;
  private ready?: Promise<void>;
  private readonly helper: string;
  /** Set when the helper died on its own (e.g. Alembic not importable); the next command reports it. */
  private fatal?: { error?: PyError; output: string };

  constructor(private opts: SessionOptions) {
    const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'migration-test-'));
    this.helper = join(dir, 'alembic_session.py');
    writeFileSync(this.helper, HELPER_PY);
  }

  /** Points the session at another environment (a fresh database after a failure); restarts Python. */
  async reconfigure(env: Record<string, string>): Promise<void> {
    await this.close();
    this.opts = { ...this.opts, env };
  }

  private start(): Promise<void> {
    const argv = helperArgv(this.opts.program, this.helper, this.opts.env.PATH ?? process.env.PATH);
    const cwd = this.opts.cwd;
    const child = spawn(argv[0], argv.slice(1), {
      cwd: isAbsolute(cwd) ? cwd : resolve(cwd),
      // Tracked like every tool (kit processes.ts): whatever env.py starts ends with the step.
      env: trackedEnv({ ...process.env, ...this.opts.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' }),
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills env.py's children too
    });
    this.child = child;
    this.fatal = undefined;
    this.buffer = '';
    this.output = '';
    const keep = (d: Buffer) => {
      if (this.output.length < OUTPUT_CAP) this.output += d.toString('utf8');
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const answers = child.stdio[3] as NodeJS.ReadableStream;
    return new Promise<void>((resolveReady, rejectReady) => {
      let started = false;
      const startTimer = setTimeout(() => {
        if (started) return;
        this.kill();
        rejectReady(new UserError(`alembic: Python did not start within ${Math.round((this.opts.startTimeoutMs ?? 120_000) / 1000)}s (${argv[0]})`));
      }, this.opts.startTimeoutMs ?? 120_000);
      answers.on('data', (d: Buffer) => {
        if (this.child !== child) return;
        this.buffer += d.toString('utf8');
        for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
          const line = this.buffer.slice(0, nl);
          this.buffer = this.buffer.slice(nl + 1);
          let msg: Record<string, unknown>;
          try {
            msg = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          if (msg.ready) {
            started = true;
            clearTimeout(startTimer);
            this.output = '';
            resolveReady();
          } else if (msg.fatal) {
            this.fatal = { error: msg.error as PyError, output: this.output };
          } else if (this.pending) {
            const p = this.pending;
            this.pending = undefined;
            clearTimeout(p.timer);
            // Python flushed stdout/stderr before answering, but their data events may come after this
            // one in the same loop turn: collect them first, so the command's output is complete.
            setImmediate(() => {
              const output = this.output;
              this.output = '';
              p.resolve({ answer: msg, output });
            });
          }
        }
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(startTimer);
        // A process killed after a timeout may report late; it must not touch its successor's state.
        if (this.child !== child && started) return;
        this.child = undefined;
        if (!started) {
          rejectReady(
            err.code === 'ENOENT'
              ? new UserError(`cannot run ${argv[0]} (from the alembic command): not found; install Python and Alembic in an earlier step, or set the command input`)
              : new UserError(`cannot run ${argv[0]} (from the alembic command): ${err.message}`),
          );
        }
      });
      child.on('close', (code, signal) => {
        clearTimeout(startTimer);
        if (this.child !== child && started) return;
        this.child = undefined;
        const output = this.output;
        if (!started) {
          const f = this.fatal;
          rejectReady(new HelperStartError(f?.error, f?.output ?? output, code, signal));
          return;
        }
        if (this.pending) {
          const p = this.pending;
          this.pending = undefined;
          clearTimeout(p.timer);
          p.resolve({ answer: { ok: false, died: true, code, signal }, output });
        }
      });
    });
  }

  private kill(): void {
    const c = this.child;
    if (!c?.pid) return;
    try {
      process.kill(-c.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private async send(req: Record<string, unknown>): Promise<{ answer: Record<string, unknown>; output: string; timedOut?: boolean; durationMs: number }> {
    if (!this.child) {
      this.ready = this.start();
    }
    await this.ready;
    const started = Date.now();
    const child = this.child;
    if (!child) return { answer: { ok: false, died: true }, output: this.fatal?.output ?? '', durationMs: 0 };
    const res = await new Promise<{ answer: Record<string, unknown>; output: string; timedOut?: boolean }>((res) => {
      const timer = setTimeout(() => {
        // A hung migration (a lock it waits for, a sleep): kill the whole process group and say so.
        const output = this.output;
        this.output = '';
        this.pending = undefined;
        this.kill();
        this.child = undefined;
        res({ answer: { ok: false }, output, timedOut: true });
      }, this.opts.timeoutMs);
      this.pending = { resolve: res, timer };
      child.stdin!.write(JSON.stringify(req) + '\n');
    });
    return { ...res, durationMs: Date.now() - started };
  }

  async info(): Promise<AlembicInfo> {
    const r = await this.send({ op: 'info' });
    if (!r.answer.ok) throw new SessionError('alembic: reading the revision history', r.answer.error as PyError | undefined, r.output);
    return r.answer as unknown as AlembicInfo;
  }

  /** Runs env.py without migrating: proves it loads and connects; returns the database's current heads. */
  async current(): Promise<{ heads: string[] } & StepResult> {
    const r = await this.send({ op: 'current' });
    return { ...toStep(r), heads: (r.answer.heads as string[] | undefined) ?? [] };
  }

  /** Applies (up) or reverts (down) exactly one revision. */
  async step(rev: string, up: boolean): Promise<StepResult> {
    return toStep(await this.send({ op: 'step', rev, up }));
  }

  /** alembic upgrade <target> (e.g. "heads"), in this process. */
  async upgrade(target: string): Promise<StepResult> {
    return toStep(await this.send({ op: 'upgrade', target }));
  }

  /** Imports the models' metadata (`module:attribute`) without touching the database: check-models names something real. */
  async loadModels(spec: string): Promise<StepResult> {
    return toStep(await this.send({ op: 'loadModels', metadata: spec }));
  }

  /**
   * What autogenerate finds between the models' metadata (`spec`, else env.py's target_metadata) and the
   * database, through env.py as `alembic check` runs it, without writing anything.
   */
  async models(spec?: string): Promise<StepResult & { diffs: ModelDiff[]; file?: string; noMetadata?: boolean }> {
    const r = await this.send({ op: 'models', metadata: spec ?? null });
    const a = r.answer as { diffs?: ModelDiff[]; file?: string | null; noMetadata?: boolean };
    return { ...toStep(r), diffs: a.diffs ?? [], file: a.file ?? undefined, noMetadata: a.noMetadata };
  }

  async close(): Promise<void> {
    const c = this.child;
    if (!c) return;
    await new Promise<void>((res) => {
      const t = setTimeout(() => {
        this.kill();
        res();
      }, 5_000);
      c.once('close', () => {
        clearTimeout(t);
        res();
      });
      c.stdin?.end();
    });
    this.child = undefined;
  }
}

function toStep(r: { answer: Record<string, unknown>; output: string; timedOut?: boolean; durationMs: number }): StepResult {
  const ok = r.answer.ok === true;
  const out: StepResult = { ok, output: r.output, durationMs: r.durationMs };
  if (r.answer.error) out.error = r.answer.error as PyError;
  if (Array.isArray(r.answer.heads)) out.heads = r.answer.heads as string[];
  if (r.timedOut) out.timedOut = true;
  // Killed by a signal we did not send (the out-of-memory killer): the tool's failure, not the migration's.
  const killed = !ok && !out.error && !r.timedOut && r.answer.died && r.answer.signal ? signalReason(r.answer.signal as NodeJS.Signals, null) : undefined;
  if (killed) throw new ToolError(`the Alembic process ${killed}`, r.output);
  if (!ok && !out.error && !r.timedOut && r.answer.died) {
    out.output += `\n(the Python process ended unexpectedly: ${r.answer.signal ? `signal ${String(r.answer.signal)}` : `exit code ${String(r.answer.code)}`})`;
  }
  return out;
}

/** A failure that is not a migration's: the history cannot be read, or Python/Alembic cannot start. */
export class SessionError extends Error {
  constructor(
    readonly what: string,
    readonly error: PyError | undefined,
    readonly output: string,
  ) {
    super(`${what} failed${error ? `: ${error.type}: ${error.message.split('\n')[0]}` : ''}`);
  }
}

class HelperStartError extends SessionError {
  constructor(error: PyError | undefined, output: string, code: number | null, signal: NodeJS.Signals | null) {
    super('alembic: starting Python', error, output + (error ? '' : `\n(exit ${signal ? `signal ${signal}` : `code ${code}`})`));
  }
}
