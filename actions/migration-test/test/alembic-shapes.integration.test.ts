// Alembic histories in the shapes real projects write them, through the action's Alembic phase (testAlembic)
// against a real PostgreSQL 15 and a real Alembic: migrations that catch database errors (try/except), an
// env.py that leaves SQLAlchemy 2's autobegun transaction open, multi-step round trips with several leftovers.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { UserError } from '@platform-actions/kit';
import { testAlembic } from '../src/alembic-test.js';
import { AlembicSession } from '../src/alembic-session.js';
import type { Settings } from '../src/settings.js';
import { PRESETS } from '../src/presets.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { toolBin } from '../../../test/harness/tools.js';
import { alembicPath, alembicProject, ENV_PY, type Rev, driverFor } from './helpers.js';

jest.setTimeout(300_000);

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = alembicPath();
});
afterAll(async () => {
  delete process.env.GITHUB_WORKSPACE;
  await pg?.stop();
});

/** The Alembic phase on a fresh database, with the action's log kept out of the test output (and returned). */
async function alembic(revs: Rev[], over: Partial<Settings> = {}, envPy?: string) {
  return alembicIn(alembicProject(revs, undefined, envPy ? { envPy } : {}), over);
}

async function alembicIn(dir: string, over: Partial<Settings> = {}) {
  process.env.GITHUB_WORKSPACE = dir;
  const d = await driverFor(pg, dir, PRESETS.alembic, { columnOrder: 'separate', ...over });
  const write = process.stdout.write.bind(process.stdout);
  let log = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((log += String(chunk)), true)) as typeof process.stdout.write;
  const started = Date.now();
  try {
    const phase = await testAlembic(d.cfg, d.psql);
    return { ...phase, ...phase.run, db: d.db, log, wallMs: Date.now() - started };
  } finally {
    process.stdout.write = write;
  }
}

const USERS: Rev = {
  id: '0001',
  up: ['CREATE TABLE users (id serial PRIMARY KEY, email text CONSTRAINT uq_email UNIQUE)'],
  down: ['DROP TABLE users'],
};
// As real histories write it: drop a constraint under a name an older database had, ignore the error, go on.
// On PostgreSQL the first failure aborts the transaction, every later statement fails too (also caught), and
// the error only surfaces when Alembic records 0002 in alembic_version, with no frame in 0002's file.
const SWALLOWS: Rev = {
  id: '0002',
  parent: '0001',
  up: [
    'py:try:',
    "    op.drop_constraint('uq_users_email_old', 'users', type_='unique')",
    'except Exception:',
    '    pass',
    'try:',
    "    op.drop_constraint('uq_email', 'users', type_='unique')",
    'except Exception:',
    '    pass',
  ].join('\n'),
  down: "py:op.create_unique_constraint('uq_email', 'users', ['email'])",
};
const LATER: Rev = { id: '0003', parent: '0002', up: ['CREATE TABLE later (id int)'], down: ['DROP TABLE later'] };

describe('a migration that catches a database error', () => {
  test('stepwise: the revision being applied gets up-failed with the first error at its line; the run goes on', async () => {
    const r = await alembic([USERS, SWALLOWS, LATER], { mode: 'stepwise' });
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0];
    expect(p).toMatchObject({ rule: 'up-failed', revision: '0002', path: 'migrations/versions/0002_rev.py', line: 10 });
    expect(p.message).toMatch(/^upgrade to 0002 failed: InternalError: \(psycopg\.errors\.InFailedSqlTransaction\) current transaction is aborted/);
    expect(p.message).toContain('the failure surfaced when Alembic recorded the revision in its version table');
    expect(p.message).toContain(
      'the first error: UndefinedObject: constraint "uq_users_email_old" of relation "users" does not exist [ALTER TABLE users DROP CONSTRAINT uq_users_email_old] at migrations/versions/0002_rev.py:10',
    );
    expect(p.message).toContain('(at migrations/versions/0002_rev.py:10 in upgrade())');
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['0001', 'ok', 'ok', 'ok'],
      ['0002', 'failed', '-', '-'],
      ['0003', 'skipped', 'skipped', 'skipped'],
    ]);
  });

  test('round trip: the revision is named (never a literal {rev}) and the rows tested before it are kept', async () => {
    const r = await alembic([USERS, SWALLOWS, LATER], { mode: 'round-trip', downSteps: 1 });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['up-failed', '0002']]);
    expect(r.problems[0].message).toMatch(/^upgrade to 0002 failed: /);
    expect(JSON.stringify(r)).not.toContain('{rev}');
    expect(r.rows.map((x) => [x.revision, x.up])).toEqual([
      ['0003', '-'],
      ['0002', 'failed'],
    ]);
  });

  test('re-upgrade: the leftover that makes the caught error happen is one finding with the catalog diff, and says why', async () => {
    // Its first run succeeds; its downgrade forgets the index, so the second run's CREATE INDEX fails, is caught,
    // and the aborted transaction fails when Alembic records the revision.
    const idx: Rev = {
      id: '0002',
      parent: '0001',
      up: [
        'py:import sqlalchemy as sa',
        'try:',
        "    op.execute('CREATE INDEX ix_users_email ON users (email)')",
        "    op.add_column('users', sa.Column('nick', sa.Text()))",
        'except Exception:',
        '    pass',
      ].join('\n'),
      down: "py:op.drop_column('users', 'nick')",
    };
    const r = await alembic([USERS, idx], { mode: 'stepwise' });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['downgrade-left-trace', '0002']]);
    const p = r.problems[0];
    expect(p.diff).toContain('+ index public.ix_users_email CREATE INDEX ix_users_email ON public.users USING btree (email)');
    expect(p.message).toMatch(/left behind index public\.ix_users_email on public\.users\. That is why the re-upgrade failed: .*InFailedSqlTransaction/);
    expect(p.message).toContain('the first error: DuplicateTable: relation "ix_users_email" already exists');
    expect(r.rows[1]).toMatchObject({ up: 'ok', down: 'trace', reup: 'failed' });
  });
});

describe('an upgrade that commits nothing', () => {
  // SQLAlchemy 2 autobegins a transaction on first use; Alembic's begin_transaction() then leaves it to env.py,
  // which never commits: `alembic upgrade head` exits 0 with nothing applied.
  const uncommitted = ENV_PY.replace(
    'context.configure(connection=conn, target_metadata=None)',
    "conn.exec_driver_sql('SET search_path TO public')\n        context.configure(connection=conn, target_metadata=None)",
  );

  test('is a configuration error naming env.py, not a migration that "does not exist"', async () => {
    let err: unknown;
    try {
      await alembic(
        [USERS, LATER].map((r, i) => ({ ...r, parent: i ? '0001' : undefined })),
        { mode: 'stepwise' },
        uncommitted,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^upgrade to 0001 ran without an error but was not committed: the database is still at base\. migrations\/env\.py leaves its transaction open .*call connection\.commit\(\) after that statement/,
    );
  });

  test('the documented fix (connection.commit() after the statement) passes', async () => {
    const fixed = uncommitted.replace("conn.exec_driver_sql('SET search_path TO public')", "conn.exec_driver_sql('SET search_path TO public')\n        conn.commit()");
    const r = await alembic([USERS, { ...LATER, parent: '0001' }], { mode: 'stepwise' }, fixed);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => x.reup)).toEqual(['ok', 'ok']);
  });

  test("an async env.py (Alembic's async template shape) is checked too, through a new env.py run", async () => {
    const asyncEnv = `import asyncio
import os
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

url = os.environ['DATABASE_URL'].replace('postgres://', 'postgresql+psycopg://', 1)


def do_run_migrations(connection):
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


async def main():
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


asyncio.run(main())
`;
    // SQLAlchemy's asyncio needs greenlet: the flaskenv venv has it, on the same Alembic and SQLAlchemy.
    const path = process.env.PATH;
    process.env.PATH = `${dirname(toolBin('flaskenv', 'alembic'))}:${path}`;
    try {
      const r = await alembic([USERS, { ...LATER, parent: '0001' }], { mode: 'stepwise' }, asyncEnv);
      expect(r.problems).toEqual([]);
      expect(r.rows.map((x) => [x.up, x.down, x.reup])).toEqual([
        ['ok', 'ok', 'ok'],
        ['ok', 'ok', 'ok'],
      ]);
      // …and one that never commits is caught the same way.
      const uncommittedAsync = asyncEnv.replace(
        '        await connection.run_sync(do_run_migrations)',
        "        await connection.exec_driver_sql('SET search_path TO public')\n        await connection.run_sync(do_run_migrations)",
      );
      await expect(alembic([USERS], { mode: 'stepwise' }, uncommittedAsync)).rejects.toThrow(/^upgrade to 0001 ran without an error but was not committed/);
    } finally {
      process.env.PATH = path;
    }
  });

  test('reading the current revision does not create alembic_version (as `alembic current`)', async () => {
    const dir = alembicProject([USERS]);
    const db = `cur_${Date.now()}`;
    const url = await pg.createDatabase(db);
    const s = new AlembicSession({ program: ['alembic'], cwd: dir, env: { DATABASE_URL: url }, timeoutMs: 60_000 });
    try {
      expect((await s.current()).heads).toEqual([]);
    } finally {
      await s.close();
    }
    expect(await pg.psql("SELECT to_regclass('alembic_version') IS NULL", db)).toBe('t');
  });
});

describe('multi-step round trip', () => {
  // 0002 forgets its index, 0004 its sequence; 0003 is clean. Going down 3, 0004's sequence is still there
  // below 0003 and 0002: it is blamed once, on 0004.
  const revs: Rev[] = [
    { id: '0001', up: ['CREATE TABLE t (id int)'], down: ['DROP TABLE t'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE t ADD COLUMN a int', 'CREATE INDEX ix_t_id ON t (id)'], down: ['ALTER TABLE t DROP COLUMN a'] },
    { id: '0003', parent: '0002', up: ['CREATE TABLE u (id int)'], down: ['DROP TABLE u'] },
    { id: '0004', parent: '0003', up: ['CREATE SEQUENCE s4', "ALTER TABLE t ADD COLUMN n bigint DEFAULT nextval('s4')"], down: ['ALTER TABLE t DROP COLUMN n'] },
  ];

  test('attributes each leftover once; per-revision times are each its own', async () => {
    const r = await alembic(revs, { mode: 'round-trip', downSteps: 3 });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([
      ['downgrade-left-trace', '0004'],
      ['downgrade-left-trace', '0002'],
    ]);
    expect(r.problems[0].message).toMatch(/left behind sequence public\.s4/);
    expect(r.problems[1].message).toMatch(/^downgrade of 0002 did not restore the schema: left behind index public\.ix_t_id on public\.t\. That is why the re-upgrade failed/);
    expect(r.problems[1].diff).not.toContain('s4');
    expect(r.rows.map((x) => [x.revision, x.down])).toEqual([
      ['0002', 'trace'],
      ['0003', 'ok'],
      ['0004', 'trace'],
    ]);
    // Each row is the time of its own commands: together no more than the whole run (each used to show the total).
    expect(r.rows.reduce((t, x) => t + x.durationMs, 0)).toBeLessThanOrEqual(r.wallMs);
    expect(r.rows.every((x) => x.durationMs > 0)).toBe(true);
  });
});

describe('stepwise after a failure at the last revision', () => {
  test('opens no new database when nothing is left to test', async () => {
    const revs: Rev[] = [
      USERS,
      { id: '0002', parent: '0001', up: ['CREATE INDEX ix_e ON users (email)', 'ALTER TABLE users ADD COLUMN x int'], down: ['ALTER TABLE users DROP COLUMN x'] },
    ];
    const r = await alembic(revs, { mode: 'stepwise' });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['downgrade-left-trace', '0002']]);
    expect(r.log).not.toContain('continuing on a fresh database');
    // …but one before the end still is: the run goes on from a known state.
    const r2 = await alembic([...revs, { ...LATER, parent: '0002' }], { mode: 'stepwise' });
    expect(r2.log).toContain('continuing on a fresh database');
    expect(r2.rows.map((x) => [x.revision, x.reup])).toEqual([
      ['0001', 'ok'],
      ['0002', 'failed'],
      ['0003', 'ok'],
    ]);
  });
});

describe('check-models: do the models match the migrations?', () => {
  // SQLAlchemy 2 declarative models next to the project, as most Alembic projects keep them.
  const MODELS = `import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Widget(Base):
    __tablename__ = "widgets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    qty: Mapped[int] = mapped_column(sa.Integer)
`;
  const DRIFTED =
    MODELS.replace('mapped_column(sa.Integer)', 'mapped_column(sa.BigInteger)') +
    `    sku: Mapped[str | None] = mapped_column(sa.String(20))


class Gadget(Base):
    __tablename__ = "gadgets"
    id: Mapped[int] = mapped_column(primary_key=True)
`;
  const revs: Rev[] = [
    { id: '0001', up: ['CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL, qty integer NOT NULL)'], down: ['DROP TABLE widgets'] },
    { id: '0002', parent: '0001', up: ['CREATE TABLE legacy (id int)'], down: ['DROP TABLE legacy'] },
  ];
  const models = (revs2: Rev[], source: string, over: Partial<Settings>, envPy?: string) => {
    const dir = alembicProject(revs2, undefined, envPy ? { envPy } : {});
    writeFileSync(join(dir, 'app_models.py'), source);
    return alembicIn(dir, over);
  };

  test('models that match: no finding', async () => {
    const r = await models(revs.slice(0, 1), MODELS, { mode: 'stepwise', checkModels: { metadata: 'app_models:Base.metadata' } });
    expect(r.problems).toEqual([]);
    expect(r.pre.findings).toEqual([]);
  });

  test('one finding per missing table, column and type, at the mapped class', async () => {
    const r = await models(revs, DRIFTED, { mode: 'round-trip', checkModels: { metadata: 'app_models:Base' } });
    const found = r.pre.findings.map((f) => [f.ruleId, f.severity, f.message, f.location?.path, f.location?.startLine]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['models-differ', 'high', expect.stringMatching(/^table gadgets is in the models but no migration creates it: autogenerate would write a migration/), 'app_models.py', 17],
        [
          'models-differ',
          'high',
          'table legacy is created by the migrations but is not in the models: autogenerate would write a migration for it (alembic check fails)',
          'app_models.py',
          1,
        ],
        ['models-differ', 'high', expect.stringMatching(/^column widgets\.sku \(VARCHAR\(20\)\) is in the models but no migration creates it/), 'app_models.py', 9],
        ['models-differ', 'high', expect.stringMatching(/^column widgets\.qty is INTEGER after the migrations but BIGINT in the models/), 'app_models.py', 9],
      ]),
    );
    expect(found).toHaveLength(4);
    expect(new Set(r.pre.findings.map((f) => f.fingerprint)).size).toBe(4);
  });

  test("true uses env.py's target_metadata, as alembic check does; without one it is a config error", async () => {
    const withMd = ENV_PY.replace('from sqlalchemy import create_engine', 'from sqlalchemy import create_engine\nfrom app_models import Base').replace(
      'target_metadata=None',
      'target_metadata=Base.metadata',
    );
    const dir = alembicProject(revs.slice(0, 1), undefined, { envPy: `import sys, os\nsys.path.insert(0, os.getcwd())\n${withMd}` });
    writeFileSync(join(dir, 'app_models.py'), DRIFTED);
    const r = await alembicIn(dir, { mode: 'stepwise', checkModels: {} });
    expect(r.pre.findings.map((f) => f.message.split(':')[0]).sort()).toEqual([
      'column widgets.qty is INTEGER after the migrations but BIGINT in the models',
      'column widgets.sku (VARCHAR(20)) is in the models but no migration creates it',
      'table gadgets is in the models but no migration creates it',
    ]);
    await expect(models(revs.slice(0, 1), MODELS, { checkModels: {} })).rejects.toThrow(/^check-models is true but env\.py passes no target_metadata/);
  });

  test('a metadata that does not import is a config error naming the input, before any migration runs', async () => {
    await expect(models(revs, MODELS, { checkModels: { metadata: 'app_modelz:Base.metadata' } })).rejects.toThrow(
      /^input "check-models" must name the models' metadata as module:attribute importable from working-directory \(ModuleNotFoundError: No module named 'app_modelz'\)/,
    );
    await expect(models(revs, MODELS, { checkModels: { metadata: 'app_models:Widget.name' } })).rejects.toThrow(/not a SQLAlchemy MetaData or declarative base/);
  });
});
