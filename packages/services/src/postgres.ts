// A throwaway PostgreSQL cluster from the host's server binaries: initdb in a temp folder, the postmaster on
// 127.0.0.1 and a free port, fsync off, always stopped (also when the process exits early). initdb refuses
// to run as root, so as root the cluster runs as the `postgres` OS user. By default the superuser is
// `postgres` with trust auth; given a user, password and database (what a `postgres` service container
// gets as POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB), TCP logins need that password, as in CI.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { onFreePort, onPath, ServiceError, stopWithProcess } from './host.js';

const run = promisify(execFile);

export interface PostgresOptions {
  /** Folder with initdb, pg_ctl and psql; default: pgBinDir(). */
  bin?: string;
  /** A fixed port instead of a free one (no retry). */
  port?: number;
  startTimeoutSec?: number;
  /** The superuser (default postgres). */
  user?: string;
  /** With a password, TCP logins use scram-sha-256 (the service container's default); without, trust. */
  password?: string;
  /** A database created at start (default: none besides `postgres`). */
  database?: string;
  /** Stop the server on SIGINT/SIGTERM and exit as that signal would (a CLI run: Ctrl-C must not leave a postmaster). */
  exitOnSignal?: boolean;
}

export interface Postgres {
  /** postgres://<user>[:<password>]@127.0.0.1:<port>/<database or postgres> */
  url: string;
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Server major+minor as a number, e.g. 150018. */
  versionNum: number;
  /** Server version as it reports it, e.g. "15.18". */
  version: string;
  /** CREATE DATABASE <name> TEMPLATE template0; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL with psql (-At, ON_ERROR_STOP) and returns trimmed stdout. */
  psql(sql: string, db?: string): Promise<string>;
  /** URL of database `db` on this server. */
  urlFor(db: string): string;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The server binaries: $PA_PG_BIN, else the newest /usr/lib/postgresql/<major>/bin, else initdb and pg_ctl on PATH. */
export function pgBinDir(): string {
  if (process.env.PA_PG_BIN) return process.env.PA_PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors[0]) return join(root, majors[0], 'bin');
  const initdb = onPath('initdb');
  if (initdb && onPath('pg_ctl')) return dirname(initdb);
  throw new ServiceError('no PostgreSQL server binaries (initdb, pg_ctl) found: install them (e.g. apt-get install postgresql), or set PA_PG_BIN to their folder');
}

// As root, server-side commands run as the postgres OS user (Node sets uid/gid; no runuser needed).
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new ServiceError('running as root, but there is no `postgres` OS user to run initdb as (initdb refuses root)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function startPostgres(opts: PostgresOptions = {}): Promise<Postgres> {
  const bin = opts.bin ?? pgBinDir();
  const as = serverUser();
  const user = opts.user || 'postgres';
  const dir = mkdtempSync(join(tmpdir(), 'pa-pg-'));
  if (as.uid !== undefined) chownSync(dir, as.uid, as.gid!);
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const pgctl = (args: string[], timeout = 60_000) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], { ...as, cwd: dir, timeout });
  let started = false;
  const stopSync = () => {
    if (started) {
      try {
        execFileSync(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...as, cwd: dir, stdio: 'ignore', timeout: 30_000 });
      } catch {
        /* already down */
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const unhook = stopWithProcess(stopSync, !!opts.exitOnSignal);
  const logTail = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-20).join('\n') : '');

  try {
    const auth = ['-A', 'trust'];
    if (opts.password !== undefined) {
      const pwfile = join(dir, 'pwfile');
      writeFileSync(pwfile, `${opts.password}\n`, { mode: 0o600 });
      if (as.uid !== undefined) chownSync(pwfile, as.uid, as.gid!);
      auth.splice(0, 2, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
    }
    await run(join(bin, 'initdb'), ['-D', data, '-U', user, ...auth, '--no-sync', '-E', 'UTF8', '--locale=C'], { ...as, cwd: dir, timeout: 120_000 });
    const port = await onFreePort(
      async (p) => {
        const serverOpts = `-p ${p} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
        try {
          // -w -t: pg_ctl itself waits (bounded) until the server accepts connections.
          await pgctl(['-l', log, '-w', '-t', String(opts.startTimeoutSec ?? 30), '-o', serverOpts, 'start']);
        } catch (e) {
          const err = new ServiceError(`PostgreSQL did not start: ${logTail().split('\n').at(-1) || (e as Error).message.split('\n')[0]}`);
          (err as ServiceError & { log?: string }).log = logTail();
          throw err;
        }
        started = true;
        return p;
      },
      () => /could not (bind|create listen)/.test(logTail()),
      opts.port,
    );

    const host = '127.0.0.1';
    const cred = opts.password !== undefined ? `${encodeURIComponent(user)}:${encodeURIComponent(opts.password)}` : encodeURIComponent(user);
    const urlFor = (db: string) => `postgres://${cred}@${host}:${port}/${encodeURIComponent(db)}`;
    const psqlBin = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
    const psql = async (sql: string, db = 'postgres') => {
      const { stdout } = await run(psqlBin, ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', user, '-d', db, '-c', sql], {
        timeout: 60_000,
        env: { ...process.env, PGCONNECT_TIMEOUT: '10', ...(opts.password !== undefined ? { PGPASSWORD: opts.password } : {}) },
      });
      return stdout.trim();
    };
    const createDatabase = async (name: string) => {
      await psql(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0`);
      return urlFor(name);
    };
    if (opts.database && opts.database !== 'postgres') await createDatabase(opts.database);
    const versionNum = Number(await psql('SHOW server_version_num'));
    const version = (await psql('SHOW server_version')).split(' ')[0];
    return {
      url: urlFor(opts.database || 'postgres'),
      host,
      port,
      user,
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      versionNum,
      version,
      urlFor,
      psql,
      createDatabase,
      async stop() {
        unhook();
        // A clean fast shutdown first; stopSync falls back to immediate if that failed, then removes the folder.
        if (
          started &&
          (await pgctl(['-m', 'fast', '-w', '-t', '30', 'stop']).then(
            () => true,
            () => false,
          ))
        )
          started = false;
        stopSync();
      },
    };
  } catch (e) {
    unhook();
    stopSync();
    throw e;
  }
}
