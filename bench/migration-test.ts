// migration-test benchmarks (issue #7), side by side against the same databases in one run:
// (a) the catalog snapshot (psql + the pg_catalog query + sorting) against `pg_dump --schema-only` of a
//     500-table schema (tables with keys, indexes, foreign keys, enums, views): target ≤ 0.5x;
// (b) a round trip (up head, down 1, up head) of 50 Alembic migrations through the action's Driver (with its
//     snapshots and revision reads) against running the same three Alembic commands bare: target ≤ 1.3x.
// PostgreSQL 15 and Alembic come from the test harness.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPostgres } from '../test/harness/services/postgres.js';
import { toolBin } from '../test/harness/tools.js';
import { parseDatabaseUrl } from '../actions/migration-test/src/dburl.js';
import { runRoundTrip } from '../actions/migration-test/src/execute.js';
import { PRESETS } from '../actions/migration-test/src/presets.js';
import { Psql } from '../actions/migration-test/src/psql.js';
import { BOOKKEEPING_TABLES, parseSnapshot, snapshotSql } from '../actions/migration-test/src/snapshot.js';
import { alembicPath, alembicProject, driverFor, type Rev } from '../actions/migration-test/test/helpers.js';
import { report, sideBySide } from './lib.js';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

function bigSchema(tables: number): string {
  const out: string[] = [];
  for (let e = 0; e < 50; e++) out.push(`CREATE TYPE state_${e} AS ENUM ('new', 'active', 'done');`);
  for (let t = 0; t < tables; t++) {
    const fk = t > 0 ? `, parent_id bigint REFERENCES t_${t - 1}(id)` : '';
    out.push(
      `CREATE TABLE t_${t} (id bigserial PRIMARY KEY, name text NOT NULL, state state_${t % 50} NOT NULL DEFAULT 'new', qty int CHECK (qty >= 0), created_at timestamptz DEFAULT now()${fk});`,
      `CREATE INDEX ix_t_${t}_name ON t_${t} (name);`,
    );
    if (t % 10 === 0) out.push(`CREATE VIEW v_${t} AS SELECT id, name FROM t_${t} WHERE qty > 0;`);
  }
  return out.join('\n');
}

const time = async (f: () => Promise<unknown>) => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

export async function benchMigrationTest(): Promise<boolean> {
  const pg = await startPostgres();
  try {
    // (a) snapshot vs pg_dump
    const url = await pg.createDatabase('bench_big');
    const schemaFile = join(mkdtempSync(join(tmpdir(), 'mt-bench-')), 'schema.sql');
    writeFileSync(schemaFile, bigSchema(500));
    await run(join(PG_BIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', schemaFile], { maxBuffer: 64 << 20 });
    const psql = new Psql({ bin: join(PG_BIN, 'psql'), target: parseDatabaseUrl('u', url), timeoutMs: 120_000 });
    const sql = snapshotSql({ columnOrder: 'strict', excludeTables: [...BOOKKEEPING_TABLES] });
    let lines = 0;
    const a = await sideBySide(
      [
        { name: 'catalog snapshot', run: () => time(async () => (lines = parseSnapshot(await psql.query(sql)).length)) },
        {
          name: 'pg_dump --schema-only',
          run: () => time(() => run(join(PG_BIN, 'pg_dump'), ['--schema-only', '--no-owner', '--no-privileges', '-d', url], { maxBuffer: 64 << 20 })),
        },
      ],
      5,
    );
    console.log(`migration-test: snapshot of 500 tables = ${lines} lines`);
    const okA = report('migration-test snapshot (500 tables)', { name: 'catalog snapshot', ms: a['catalog snapshot'] }, { name: 'pg_dump', ms: a['pg_dump --schema-only'] }, 0.5);

    // (b) 50 Alembic migrations: the action's round trip vs the bare commands
    process.env.PATH = alembicPath();
    const revs: Rev[] = Array.from({ length: 50 }, (_, i) => ({
      id: String(i + 1).padStart(4, '0'),
      parent: i ? String(i).padStart(4, '0') : undefined,
      up: [`CREATE TABLE m_${i} (id serial PRIMARY KEY, v text)`, `CREATE INDEX ix_m_${i} ON m_${i} (v)`],
      down: [`DROP TABLE m_${i}`],
    }));
    const dir = alembicProject(revs);
    const alembic = toolBin('pyenv', 'alembic');
    const bare = async () => {
      const db = await pg.createDatabase(`bare_${Date.now()}_${Math.random().toString(36).slice(2, 7)}`);
      const env = { ...process.env, DATABASE_URL: db };
      return time(async () => {
        for (const args of [['upgrade', 'head'], ['downgrade', '-1'], ['upgrade', 'head']]) await run(alembic, args, { cwd: dir, env });
      });
    };
    const ours = async () => {
      const { driver } = await driverFor(pg, dir, PRESETS.alembic, { migrationsDir: 'migrations', migrationsAbs: join(dir, 'migrations') });
      return time(async () => {
        const r = await runRoundTrip(driver, 1);
        if (r.problems.length) throw new Error(`bench: unexpected problems ${JSON.stringify(r.problems)}`);
      });
    };
    const b = await sideBySide([{ name: 'ours', run: ours }, { name: 'bare', run: bare }], 3);
    const okB = report('migration-test round trip (50 Alembic migrations)', { name: 'migration-test', ms: b.ours }, { name: 'bare alembic', ms: b.bare }, 1.3);
    return okA && okB;
  } finally {
    await pg.stop();
  }
}
