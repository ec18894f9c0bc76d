// Talking to PostgreSQL through the psql client (on every GitHub runner), not a bundled driver: no
// dependency, and the same client a user would use to reproduce a finding. Connection details go through
// libpq environment variables, so nothing secret is on the command line.
import { exec, expectExit, ToolError, UserError } from '@platform-actions/kit';
import { type DbTarget, libpqEnv } from './dburl.js';
import { secrets } from './secrets.js';

export interface PsqlOptions {
  bin: string;
  target: DbTarget;
  /** Per-call timeout. */
  timeoutMs: number;
}

// -w: never prompt for a password (a URL without one must fail at once, not hang on a prompt).
const BASE_ARGS = ['-X', '-w', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];

export class Psql {
  constructor(readonly opts: PsqlOptions) {}

  /** Points later calls at another database on the same server. */
  useDatabase(database: string): void {
    this.opts.target = { ...this.opts.target, database };
  }

  /** CREATE DATABASE (outside a transaction, as it must be), from the current database's connection. */
  async createDatabase(name: string): Promise<void> {
    await this.query(`CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0`, `create database ${name} (psql)`);
  }

  /** DROP DATABASE IF EXISTS, from another database's connection; best effort. */
  async dropDatabase(name: string, from: string): Promise<boolean> {
    const r = await exec(this.opts.bin, [...BASE_ARGS, '-c', `DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`], {
      env: { ...libpqEnv(this.opts.target, from), PGCONNECT_TIMEOUT: '10' },
      timeoutMs: this.opts.timeoutMs,
    });
    return r.exitCode === 0;
  }

  private env(): Record<string, string> {
    return { ...libpqEnv(this.opts.target), PGCONNECT_TIMEOUT: '10' };
  }

  /** Runs SQL; rows separated by NUL (-0) so multi-line values cannot split a row. */
  async query(sql: string, what = 'psql'): Promise<string> {
    const r = await exec(this.opts.bin, [...BASE_ARGS, '-0', '-c', sql], { env: this.env(), timeoutMs: this.opts.timeoutMs });
    return expectExit(r, [0], what).stdout;
  }

  /** Runs a SQL file in one transaction (seed data); returns the error line when it fails. */
  async file(path: string): Promise<string | undefined> {
    const r = await exec(this.opts.bin, [...BASE_ARGS, '--single-transaction', '-f', path], { env: this.env(), timeoutMs: this.opts.timeoutMs });
    if (r.exitCode === 0) return undefined;
    return (
      (r.stderr || r.stdout)
        .trim()
        .split('\n')
        .find((l) => /ERROR/.test(l)) ?? (r.timedOut ? 'timed out' : `exit code ${r.exitCode}`)
    );
  }

  /**
   * Waits until the server accepts connections (a service container may still be starting), polling
   * `SELECT 1` until `timeoutMs`. Authentication and missing-database errors fail at once: waiting would not help.
   */
  async waitReady(timeoutMs: number, pollMs = 1000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const r = await exec(this.opts.bin, [...BASE_ARGS, '-c', 'SHOW server_version_num'], {
        env: { ...this.env(), PGCONNECT_TIMEOUT: String(Math.max(2, Math.min(10, Math.ceil(timeoutMs / 1000)))) },
        timeoutMs: 15_000,
      });
      if (r.exitCode === 0) return Number(r.stdout.trim());
      // psql's first line has the reason ("… failed: Connection refused"); the next is a generic hint.
      last = ((r.stderr || r.stdout).trim().split('\n')[0] ?? '').replace(/^psql: error: /, '');
      if (/password authentication failed|no password supplied|does not exist|no pg_hba\.conf entry/.test(last)) {
        throw new UserError(`cannot connect to ${this.opts.target.display}: ${scrub(last, this.opts.target.password)}`);
      }
      if (Date.now() + pollMs > deadline) break;
      await new Promise((res) => setTimeout(res, pollMs));
    }
    throw new ToolError(
      `PostgreSQL at ${this.opts.target.host}:${this.opts.target.port} did not accept connections within ${Math.round(timeoutMs / 1000)}s (last error: ${scrub(last, this.opts.target.password) || 'none'}); check the service container and its health check`,
    );
  }
}

/** Removes the password (every form of it registered in secrets.ts, and `secret` itself) from a tool's text. */
export function scrub(text: string, secret: string | undefined): string {
  const out = secrets.scrub(text);
  return secret ? out.split(secret).join('***') : out;
}
