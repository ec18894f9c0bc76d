// `--postgres`: a throwaway PostgreSQL for migration-test stages, when the server binaries are installed
// (PA_PG_BIN, else the newest /usr/lib/postgresql/*/bin, else initdb/pg_ctl on PATH). initdb in a temp
// folder, loopback only, trust auth, fsync off; as root the server runs as the `postgres` OS user
// (initdb refuses root). Always stopped, also when the CLI exits early.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { onPath } from './local.js';
import { UsageError } from './workflows.js';

const run = promisify(execFile);

export function pgBinDir(): string {
  if (process.env.PA_PG_BIN) return process.env.PA_PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (majors[0]) return join(root, majors[0], 'bin');
  const initdb = onPath('initdb');
  if (initdb && onPath('pg_ctl')) return dirname(initdb);
  throw new UsageError('--postgres: no PostgreSQL server binaries (initdb, pg_ctl) found; install them, set PA_PG_BIN, or pass --database-url');
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no free port'))));
    });
  });
}

function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new UsageError('--postgres: running as root, but there is no `postgres` OS user to run initdb as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export interface LocalPostgres {
  url: string;
  /** A new empty database (each migration-test stage gets its own); returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<LocalPostgres> {
  const bin = pgBinDir();
  const as = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'platform-actions-pg-'));
  if (as.uid !== undefined) chownSync(dir, as.uid, as.gid!);
  const data = join(dir, 'data');
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
  // Ctrl-C in a pre-push hook must not leave a postmaster behind: stop it, then exit as SIGINT would.
  const onSignal = (sig: NodeJS.Signals) => {
    stopSync();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', stopSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unhook = () => {
    process.removeListener('exit', stopSync);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { ...as, cwd: dir, timeout: 120_000 });
    let port = 0;
    // A free port can be taken between probing and binding: a bounded retry.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await run(
          join(bin, 'pg_ctl'),
          [
            '-D',
            data,
            '-l',
            join(dir, 'log'),
            '-w',
            '-t',
            '30',
            '-o',
            `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
            'start',
          ],
          { ...as, cwd: dir, timeout: 60_000 },
        );
        started = true;
        break;
      } catch (e) {
        const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : '';
        if (attempt >= 2 || !/could not (bind|create listen)/.test(log)) throw new Error(`--postgres: the server did not start: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const urlFor = (db: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(db)}`;
    return {
      url: urlFor('postgres'),
      async createDatabase(name: string) {
        const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
        await run(
          psql,
          [
            '-X',
            '-q',
            '-v',
            'ON_ERROR_STOP=1',
            '-h',
            '127.0.0.1',
            '-p',
            String(port),
            '-U',
            'postgres',
            '-d',
            'postgres',
            '-c',
            `CREATE DATABASE "${name.replace(/"/g, '""')}" TEMPLATE template0`,
          ],
          { timeout: 60_000 },
        );
        return urlFor(name);
      },
      async stop() {
        unhook();
        if (started)
          await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], { ...as, cwd: dir, timeout: 60_000 }).then(
            () => (started = false),
            () => undefined,
          );
        stopSync();
      },
    };
  } catch (e) {
    unhook();
    stopSync();
    throw e;
  }
}
