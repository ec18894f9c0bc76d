// migration-test benchmarks (issue #7), side by side against the same databases in one run:
// (a) the catalog snapshot (psql + the pg_catalog query + sorting) against `pg_dump --schema-only` of a
//     500-table schema (tables with keys, indexes, foreign keys, enums, views): target ≤ 0.5x;
// (b) the Alembic round trip (up heads, down 1, up heads, with the action's pre-checks, snapshots and
//     revision reads) against the same three Alembic commands run bare: target ≤ 1.2x CPU;
// (c) the Alembic stepwise run (up, down, up per revision with four snapshots) against a bare loop of the same
//     three commands per revision: target ≤ 1.15x CPU.
// (b) and (c) use an 80-revision history with two parallel branches and a merge. CPU is this process plus its
// reaped children (Node, Python, psql), from /proc/self/stat; the PostgreSQL server's own CPU is left out
// for both sides. PostgreSQL 15 and Alembic come from the test harness.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startPostgres } from '../test/harness/services/postgres.js';
import { toolBin } from '../test/harness/tools.js';
import { parseDatabaseUrl } from '../actions/migration-test/src/dburl.js';
import { topoOrder } from '../actions/migration-test/src/alembic-run.js';
import { testAlembic } from '../actions/migration-test/src/alembic-test.js';
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

/** CPU ms of this process and its reaped children (Linux: utime+stime of self from cpuUsage, cutime+cstime in ticks). */
function cpuNow(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000 + (Number(f[13]) + Number(f[14])) * 10; // CLK_TCK = 100
}

const cpu = async (f: () => Promise<unknown>) => {
  const t = cpuNow();
  await f();
  return cpuNow() - t;
};

/** Runs f with the action's log lines (workflow commands) kept out of the bench output. */
async function quietly<T>(f: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
}

/** 30 linear revisions, two branches of 10, a merge, 29 more: 80 revisions, each a table and an index. */
function branchyHistory(): Rev[] {
  const revs: Rev[] = [];
  const add = (id: string, parent: string | string[] | undefined, i: number) =>
    revs.push({ id, parent, up: [`CREATE TABLE m_${i} (id serial PRIMARY KEY, v text)`, `CREATE INDEX ix_m_${i} ON m_${i} (v)`], down: [`DROP TABLE m_${i}`] });
  let i = 0;
  let prev: string | undefined;
  for (let k = 1; k <= 30; k++, i++) add((prev = `l${String(k).padStart(3, '0')}`), k === 1 ? undefined : `l${String(k - 1).padStart(3, '0')}`, i);
  const fork = prev!;
  for (const b of ['a', 'b']) {
    for (let k = 1; k <= 10; k++, i++) add(`${b}${String(k).padStart(3, '0')}`, k === 1 ? fork : `${b}${String(k - 1).padStart(3, '0')}`, i);
  }
  revs.push({ id: 'merge', parent: ['a010', 'b010'], up: [], down: [] });
  prev = 'merge';
  for (let k = 1; k <= 29; k++, i++) {
    const id = `t${String(k).padStart(3, '0')}`;
    add(id, prev, i);
    prev = id;
  }
  return revs;
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

    // (b), (c) an 80-revision Alembic history with two parallel branches and a merge, written here.
    process.env.PATH = alembicPath();
    const dir = alembicProject(branchyHistory());
    const alembic = toolBin('pyenv', 'alembic');
    const order = topoOrder(
      branchyHistory().map((r) => ({ id: r.id, parents: ([] as string[]).concat(r.parent ?? []), dependsOn: [], branchLabels: [], isMerge: Array.isArray(r.parent) })),
    );
    const newDb = async (p: string) => pg.createDatabase(`${p}_${Date.now()}_${Math.random().toString(36).slice(2, 7)}`);
    const bareCli = async (argsList: string[][]) => {
      const env = { ...process.env, DATABASE_URL: await newDb('bare') };
      return cpu(async () => {
        for (const args of argsList) await run(alembic, args, { cwd: dir, env });
      });
    };
    const ours = async (mode: 'round-trip' | 'stepwise') => {
      const { cfg, psql } = await driverFor(pg, dir, PRESETS.alembic, { mode, migrationsDir: 'migrations', migrationsAbs: join(dir, 'migrations') });
      return cpu(async () => {
        const r = await quietly(() => testAlembic(cfg, psql));
        if (r.run.problems.length || r.run.rows.length === 0) throw new Error(`bench: unexpected result ${JSON.stringify(r.run.problems)}`);
      });
    };
    const rt = await sideBySide(
      [
        { name: 'ours', run: () => ours('round-trip') },
        {
          name: 'bare',
          run: () =>
            bareCli([
              ['upgrade', 'heads'],
              ['downgrade', '-1'],
              ['upgrade', 'heads'],
            ]),
        },
      ],
      3,
    );
    const okB = report(
      `migration-test round trip, CPU (${order.length} Alembic revisions with a merge)`,
      { name: 'migration-test', ms: rt.ours },
      { name: 'bare alembic ×3', ms: rt.bare },
      1.2,
    );
    // The bare stepwise loop: three Alembic processes per revision, by explicit id (relative steps stop at the merge).
    const parentOf = new Map(branchyHistory().map((r) => [r.id, ([] as string[]).concat(r.parent ?? [])[0] ?? 'base']));
    const loop = order.flatMap((id) => [
      ['upgrade', id],
      ['downgrade', parentOf.get(id)!],
      ['upgrade', id],
    ]);
    const sw = await sideBySide(
      [
        { name: 'ours', run: () => ours('stepwise') },
        { name: 'bare', run: () => bareCli(loop) },
      ],
      1,
      0,
    );
    const okC = report(
      `migration-test stepwise, CPU (${order.length} revisions)`,
      { name: 'migration-test', ms: sw.ours },
      { name: `bare loop (${loop.length} alembic runs)`, ms: sw.bare },
      1.15,
    );
    return okA && okB && okC;
  } finally {
    await pg.stop();
  }
}
