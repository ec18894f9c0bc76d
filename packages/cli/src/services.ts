// The servers a local run starts from the host's binaries, through the starter the test harness uses too
// (@platform-actions/services): `--postgres` (migration-test stages; with --run-steps also the jobs'
// postgres services) and `--redis` (the jobs' redis services). Each is stopped at the end of the run, and on
// Ctrl-C. A server that cannot start is one line naming the flag.
import { type Postgres, type PostgresOptions, type Redis, type RedisOptions, ServiceError, startPostgres, startRedis } from '@platform-actions/services';
import { UsageError } from './workflows.js';

async function asFlag<T>(flag: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if (e instanceof ServiceError) throw new UsageError(`${flag}: ${e.message}`);
    throw e;
  }
}

/** `--postgres`: a throwaway PostgreSQL. */
export const flagPostgres = (opts: Omit<PostgresOptions, 'exitOnSignal'> = {}): Promise<Postgres> => asFlag('--postgres', () => startPostgres({ ...opts, exitOnSignal: true }));

/** `--redis`: a throwaway Redis. */
export const flagRedis = (opts: Omit<RedisOptions, 'exitOnSignal'> = {}): Promise<Redis> => asFlag('--redis', () => startRedis({ ...opts, exitOnSignal: true }));
