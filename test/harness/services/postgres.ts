// A throwaway PostgreSQL cluster: initdb in a temp dir, postmaster on 127.0.0.1, trust auth, fsync off.
// initdb refuses to run as root, so when we are root the cluster runs as the `postgres` OS user.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../net.js';

const run = promisify(execFile);

export interface Postgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  host: string;
  port: number;
  user: string;
  /** Server major+minor as a number, e.g. 150018. */
  versionNum: number;
  /** CREATE DATABASE <name> TEMPLATE template0; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Run SQL with psql (-At, ON_ERROR_STOP) and return trimmed stdout. */
  psql(sql: string, db?: string): Promise<string>;
  /** URL of database `db` on this server. */
  urlFor(db: string): string;
  stop(): Promise<void>;
}

/** Binaries of the newest installed server, or $PA_PG_BIN. */
export function pgBinDir(): string {
  if (process.env.PA_PG_BIN) return process.env.PA_PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (!majors[0]) throw new Error('test harness: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql) and PA_PG_BIN unset');
  return join(root, majors[0], 'bin');
}

// When root, run server-side commands as the postgres OS user (Node sets uid/gid for us, no runuser needed).
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('test harness: running as root but there is no `postgres` OS user for initdb');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgres(opts: { port?: number; startTimeoutSec?: number } = {}): Promise<Postgres> {
  const bin = pgBinDir();
  const as = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'pa-pg-'));
  if (as.uid !== undefined) chownSync(dir, as.uid, as.gid!);
  const data = join(dir, 'data');
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
  // If a test crashes before calling stop(), do not leave a postmaster behind.
  process.once('exit', stopSync);

  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...as, cwd: dir, timeout: 120_000 });
    // A free port can be taken between probing and binding; retry a few times unless the caller fixed it.
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      port = opts.port ?? (await freePort());
      const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      try {
        // -w -t: pg_ctl itself waits (bounded) until the server accepts connections.
        await pgctl(['-l', join(dir, 'log'), '-w', '-t', String(opts.startTimeoutSec ?? 30), '-o', serverOpts, 'start']);
        started = true;
        break;
      } catch (e) {
        const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
        if (opts.port !== undefined || attempt >= 2 || !/could not (bind|create listen)/.test(log)) {
          throw new Error(`test harness: postgres did not start: ${String(e)}\n${log.slice(-2000)}`);
        }
      }
    }

    const host = '127.0.0.1';
    const user = 'postgres';
    const urlFor = (db: string) => `postgres://${user}@${host}:${port}/${encodeURIComponent(db)}`;
    const psql = async (sql: string, db = 'postgres') => {
      const { stdout } = await run(join(bin, 'psql'), ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', user, '-d', db, '-c', sql], {
        timeout: 60_000,
        env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
      });
      return stdout.trim();
    };
    const versionNum = Number(await psql('SHOW server_version_num'));
    return {
      url: urlFor('postgres'),
      host,
      port,
      user,
      versionNum,
      urlFor,
      psql,
      async createDatabase(name: string) {
        await psql(`CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0`);
        return urlFor(name);
      },
      async stop() {
        process.removeListener('exit', stopSync);
        // A clean fast shutdown first; stopSync falls back to immediate if that failed, then removes the dir.
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
    process.removeListener('exit', stopSync);
    stopSync();
    throw e;
  }
}
