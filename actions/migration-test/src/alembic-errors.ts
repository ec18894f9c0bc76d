// Reading a Python exception from the Alembic session: is it the user's migration failing (blame the
// revision, at the line in its file) or the setup around it (URL scheme, driver, env.py, connection), which
// is a configuration or tool error with its fix and never a finding against the first migration.
import { relative } from 'node:path';
import { ToolError, UserError, workspace } from '@platform-actions/kit';
import type { PyError, PyFrame } from './alembic-session.js';

/** "ProgrammingError: (psycopg.errors.DuplicateTable) relation "x" already exists": the exception's first line. */
export function headline(e: PyError): string {
  const first =
    e.message
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '';
  return first ? `${e.type}: ${first}` : e.type;
}

/** Repository-relative path for a file inside the workspace; undefined for files only the runner has (site-packages). */
export function repoPath(abs: string): string | undefined {
  const r = relative(workspace(), abs).split('\\').join('/');
  return r.startsWith('../') || r === '..' || r.startsWith('/') ? undefined : r;
}

/** The innermost frame in one of the project's revision files: where the migration itself failed. */
function revisionFrame(e: PyError, revFiles: ReadonlyMap<string, string>): (PyFrame & { revision: string }) | undefined {
  for (let i = e.frames.length - 1; i >= 0; i--) {
    const rev = revFiles.get(e.frames[i].file);
    if (rev) return { ...e.frames[i], revision: rev };
  }
  return undefined;
}

/**
 * The revision a failed command was applying when it failed, and where in its file: the revision the session
 * was applying (the helper tracks it), else the one whose file the traceback passes through. When the
 * migration caught a database error and went on (try/except), PostgreSQL aborted its transaction and the
 * failure surfaced only later, often when Alembic recorded the revision, with no frame in the revision's
 * file: `swallowed` then tells the first database error, its statement and the line that issued it.
 */
export function blame(e: PyError, revFiles: ReadonlyMap<string, string>): { revision?: string; file?: string; line?: number; func?: string; swallowed?: string } {
  const frame = revisionFrame(e, revFiles);
  const rev = e.applying?.rev ?? frame?.revision;
  const fileOf = new Map([...revFiles].map(([file, id]) => [id, file]));
  const inRevFile = (frames: readonly PyFrame[]) => [...frames].reverse().find((f) => rev !== undefined && f.file === fileOf.get(rev));
  const own = inRevFile(e.frames);
  const first = e.firstDbError;
  const aborted = /InFailedSqlTransaction|current transaction is aborted/.test(`${e.cause ?? ''} ${e.message}`);
  let swallowed: string | undefined;
  let at = own;
  if (first && aborted && !/InFailedSqlTransaction|current transaction is aborted/.test(`${first.type} ${first.message}`)) {
    const where = inRevFile(first.frames);
    at ??= where;
    const stage = e.applying?.stage === 'version-table' ? 'when Alembic recorded the revision in its version table' : e.applying?.stage === 'commit' ? 'at commit' : 'later';
    const stmt = first.statement ? ` [${first.statement.replace(/\s+/g, ' ').slice(0, 200)}]` : '';
    swallowed =
      `an earlier statement failed and the migration caught the exception (try/except), which leaves PostgreSQL's transaction aborted, so the failure surfaced ${stage}; ` +
      `the first error: ${first.type}: ${first.message}${stmt}${where ? ` at ${repoPath(where.file) ?? where.file}:${where.line}` : ''}`;
  }
  return { revision: rev, file: at?.file, line: at?.line, func: at?.func, swallowed };
}

/** Exception, then the user's frame, then the full traceback: the line that matters first. */
export function formatError(e: PyError, revFiles: ReadonlyMap<string, string>): { head: string; at?: string; full: string } {
  const f = revisionFrame(e, revFiles);
  const p = f ? (repoPath(f.file) ?? f.file) : undefined;
  return { head: headline(e), at: f ? `${p}:${f.line} in ${f.func}()` : undefined, full: e.traceback.trim() };
}

const DRIVERS: Record<string, string> = { psycopg2: 'psycopg2-binary', psycopg: 'psycopg[binary]', asyncpg: 'asyncpg', pg8000: 'pg8000', psycopg2cffi: 'psycopg2cffi' };

export interface SetupContext {
  envPy?: string;
  revFiles: ReadonlyMap<string, string>;
  urlEnv: string;
}

/**
 * A setup problem as the error to throw (UserError → config-error, ToolError → tool-error), or undefined when
 * the exception belongs to a migration. `during` says what was running, for the message.
 */
export function setupError(e: PyError, ctx: SetupContext, during: string): Error | undefined {
  const plugin = /Can't load plugin: sqlalchemy\.dialects:(\S+)/.exec(e.message);
  if (plugin) {
    if (plugin[1] === 'postgres') {
      return new UserError(
        `SQLAlchemy cannot load the postgres:// scheme env.py passed to it (${during}); use postgresql:// or postgresql+psycopg:// in database-url, or have env.py rewrite the scheme`,
      );
    }
    return new UserError(
      `SQLAlchemy has no dialect "${plugin[1]}" (${during}): the scheme of database-url (or of the URL env.py builds) must be postgresql:// or postgresql+<driver>://`,
    );
  }
  const mod = /No module named '([\w.]+)'/.exec(e.message)?.[1];
  if ((e.type === 'ModuleNotFoundError' || e.type === 'ImportError') && mod) {
    const top = mod.split('.')[0];
    if (DRIVERS[top]) {
      return new UserError(
        `the database driver ${top} is not installed in the Python that runs Alembic (${during}): pip install ${DRIVERS[top]} in an earlier step, or name an installed driver in the URL scheme (e.g. postgresql+psycopg://)`,
      );
    }
    if (!revisionFrame(e, ctx.revFiles)) return new UserError(`Python module ${mod} is missing in the environment that runs Alembic (${during}): install it in an earlier step`);
  }
  const connection = connectionError(e, ctx, during);
  if (connection) return connection;
  if (revisionFrame(e, ctx.revFiles)) return undefined;
  const envFrame = ctx.envPy ? [...e.frames].reverse().find((f) => f.file === ctx.envPy) : undefined;
  if (envFrame) {
    const where = `${repoPath(envFrame.file) ?? 'env.py'}:${envFrame.line}`;
    const hint = e.type === 'KeyError' ? ` (the database URL reaches env.py only as ${ctx.urlEnv}; set url-env if env.py reads another variable)` : '';
    return new UserError(`env.py failed at ${where} (${during}): ${headline(e)}${hint}`);
  }
  if (e.module.startsWith('alembic') || e.type === 'SyntaxError') return new UserError(`alembic could not load the project (${during}): ${headline(e)}`);
  if (during.startsWith('reading') || during.startsWith('connecting')) return new UserError(`alembic failed (${during}): ${headline(e)}`);
  return undefined;
}

/** A connection env.py could not make: the setup's (a tool error), whatever command was running. */
export function connectionError(e: PyError, ctx: SetupContext, during: string): ToolError | undefined {
  if (
    e.type === 'OperationalError' &&
    /connection (?:to server .* )?(?:refused|failed)|could not connect|Connection refused|could not translate host name|timeout expired|no password supplied|password authentication failed/i.test(
      e.message,
    )
  ) {
    return new ToolError(
      `env.py could not connect to the database (${during}): ${headline(e)}; env.py must connect with the URL in ${ctx.urlEnv} (which database-url sets) — check it does not use another URL`,
    );
  }
  return undefined;
}
