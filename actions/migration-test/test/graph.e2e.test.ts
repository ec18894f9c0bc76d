// migration-test on histories the way teams write them (issue 11), through the bundled action under the local
// runner with a real PostgreSQL 15 and Alembic: branches and merges walked by revision id, every failing
// revision reported in one run, failures blamed on the right revision and line, setup problems reported as
// configuration or tool errors with their fix, and the password in no output in any of its forms.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AddressInfo, createServer } from 'node:net';
import { freePort } from '../../../test/harness/net.js';
import { startFakeGitHub, type FakeGitHub } from '../../../test/harness/services/fake-github.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { alembicPath, alembicProject, ENV_PY, type Rev, buildBundle } from './helpers.js';

jest.setTimeout(300_000);
const PSQL = '/usr/lib/postgresql/15/bin/psql';
let pg: Postgres;
let gh: FakeGitHub;
let n = 0;
beforeAll(async () => {
  buildBundle(); // never test a stale bundle
  pg = await startPostgres();
  gh = await startFakeGitHub();
}, 240_000);
afterAll(async () => {
  await gh?.stop();
  await pg?.stop();
});

async function run(workspace: string, inputs: Record<string, string> = {}, extra: Partial<Parameters<typeof runBundledAction>[0]> = {}, url?: (db: string) => string) {
  const db = `g_${++n}`;
  await pg.createDatabase(db);
  const r = await runBundledAction({
    action: 'migration-test',
    workspace,
    inputs: { 'database-url': url?.(db) ?? `postgres://postgres:Pw0rdPw0rd@127.0.0.1:${pg.port}/${db}`, psql: PSQL, ...inputs },
    env: { PATH: alembicPath() },
    timeoutMs: 240_000,
    ...extra,
  });
  expect(r.everything).not.toContain('Pw0rdPw0rd');
  return { r, db };
}

const rowOf = (summary: string, rev: string) => summary.split('\n').find((l) => l.startsWith(`| ${rev} |`));
const table = (i: number) => `t${i}`;

// 0001 → (0002a: orders | 0002b: users.email) → 0003 merges them (empty up and down) → 0004
const BRANCHY: Rev[] = [
  { id: '0001', up: ['CREATE TABLE users (id serial PRIMARY KEY)'], down: ['DROP TABLE users'] },
  { id: '0002a', parent: '0001', up: ['CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES users(id))'], down: ['DROP TABLE orders'] },
  { id: '0002b', parent: '0001', up: ['ALTER TABLE users ADD COLUMN email text'], down: ['ALTER TABLE users DROP COLUMN email'] },
  { id: '0003', parent: ['0002a', '0002b'], up: [], down: [] },
  { id: '0004', parent: '0003', up: ['CREATE INDEX ix_users_email ON users (email)'], down: ['DROP INDEX ix_users_email'] },
];

/** A linear chain of `count` revisions creating t1…tN, with overrides by revision number. */
function chain(count: number, over: Record<number, Partial<Rev>> = {}): Rev[] {
  return Array.from({ length: count }, (_, k) => {
    const i = k + 1;
    const id = String(i).padStart(4, '0');
    return { id, parent: i > 1 ? String(i - 1).padStart(4, '0') : undefined, up: [`CREATE TABLE ${table(i)} (id int)`], down: [`DROP TABLE ${table(i)}`], ...over[i] };
  });
}

describe('branches and merges are walked by revision id', () => {
  test('stepwise: every revision on both branches and the merge is tested; the merge is not an empty-downgrade defect', async () => {
    const { r } = await run(alembicProject(BRANCHY), { mode: 'stepwise' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'steps-count': '5', 'findings-count': '0', 'head-revision': '0004' });
    for (const rev of ['0001', '0002a', '0002b', '0004']) expect(rowOf(r.summary, rev)).toMatch(/^\| \S+ \| ✅ \| ✅ \| ✅ \|/);
    expect(rowOf(r.summary, '0003')).toMatch(/^\| 0003 \| ✅ \| ✅ \| ✅ \| [\d.]+s \| merge of 0002a \+ 0002b \|$/);
    expect(r.everything).not.toMatch(/Ambiguous walk/);
  });

  test('round-trip down three revisions through the merge and back', async () => {
    const { r } = await run(alembicProject(BRANCHY), { 'down-steps': '3' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'steps-count': '3' });
    expect(rowOf(r.summary, '0003')).toContain('merge of');
  });

  test('an upgrade failing on one branch: that branch’s descendants are listed as not tested, the other branch is still tested', async () => {
    const revs = BRANCHY.map((x) => (x.id === '0002a' ? { ...x, up: ['CREATE TABLE orders (id serial PRIMARY KEY, user_id int REFERENCES nowhere(id))'] } : x));
    const { r } = await run(alembicProject(revs), { mode: 'stepwise' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002a', 'findings-count': '1' });
    expect(rowOf(r.summary, '0002a')).toMatch(/^\| 0002a \| ❌ \|/);
    expect(rowOf(r.summary, '0002b')).toMatch(/^\| 0002b \| ✅ \| ✅ \| ✅ \|/);
    expect(rowOf(r.summary, '0004')).toContain('not tested: needs 0002a, whose upgrade failed');
    const ann = r.main.annotations.find((a) => a.title?.includes('Upgrade failed'));
    expect(ann).toMatchObject({ file: 'migrations/versions/0002a_rev.py', line: 9 });
    expect(ann?.message).toContain('relation "nowhere" does not exist');
  });
});

describe('stepwise goes on after a failure', () => {
  // 0002's downgrade raises (rolled back, so the run goes on from there); 0009's forgets a sequence, so its re-upgrade
  // fails too and the run continues on a fresh database.
  const LONG = chain(12, {
    2: { down: "py:raise RuntimeError('cannot undo 0002')" },
    9: { up: ['CREATE TABLE t9 (id int)', 'CREATE SEQUENCE s9'], down: ['DROP TABLE t9'] },
  });

  test('a broken downgrade early and another later are both reported; every other revision passes', async () => {
    const { r } = await run(alembicProject(LONG), { mode: 'stepwise' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002', 'steps-count': '12', 'findings-count': '2' });
    expect(rowOf(r.summary, '0002')).toMatch(/^\| 0002 \| ✅ \| ❌ \|/);
    expect(rowOf(r.summary, '0009')).toMatch(/^\| 0009 \| ✅ \| ⚠️ trace \| ❌ \|/);
    for (const i of [1, 3, 4, 5, 6, 7, 8, 10, 11, 12]) expect(rowOf(r.summary, String(i).padStart(4, '0'))).toMatch(/^\| \d{4} \| ✅ \| ✅ \| ✅ \|/);
    const down = r.main.annotations.find((a) => a.title?.includes('Downgrade failed'));
    // At the raise, not at line 1: def downgrade is line 12, the raise line 13.
    expect(down).toMatchObject({ file: 'migrations/versions/0002_rev.py', line: 13 });
    expect(down?.message).toMatch(/^downgrade of 0002 failed: RuntimeError: cannot undo 0002 \(at migrations\/versions\/0002_rev\.py:13 in downgrade\(\)\)/);
    const trace = r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'));
    expect(trace?.file).toBe('migrations/versions/0009_rev.py');
    expect(trace?.message).toMatch(/left behind sequence public\.s9\. That is why the re-upgrade failed: .*relation "s9" already exists/);
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'g\\_%\\_mt%'")).toBe('0'); // the fresh databases are dropped again
  });

  test('max-failures stops early and lists what was not tested', async () => {
    const { r } = await run(alembicProject(LONG), { mode: 'stepwise', 'max-failures': '1' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002', 'findings-count': '1', 'steps-count': '12' });
    expect(rowOf(r.summary, '0003')).toContain('not tested: stopped after max-failures (1)');
  });

  test('max-failures must be a whole number', async () => {
    const { r } = await run(alembicProject(LONG), { mode: 'stepwise', 'max-failures': 'some' });
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([expect.stringMatching(/^migration-test: input "max-failures" must be/)]);
  });
});

describe('failures are blamed on the right revision, with the schema difference', () => {
  // 0002's downgrade drops the column but leaves the enum type behind: the re-upgrade then fails on CREATE TYPE.
  const LEFTOVER: Rev[] = [
    { id: '0001', up: ['CREATE TABLE people (id serial PRIMARY KEY)'], down: ['DROP TABLE people'] },
    { id: '0002', parent: '0001', up: ["CREATE TYPE mood AS ENUM ('ok', 'sad')", 'ALTER TABLE people ADD COLUMN mood mood'], down: ['ALTER TABLE people DROP COLUMN mood'] },
  ];

  test('round trip: the leftover that breaks the re-upgrade is named, and the downgrade is never ✅', async () => {
    const { r } = await run(alembicProject(LEFTOVER));
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002', 'findings-count': '1' });
    const ann = r.main.annotations.find((a) => a.file === 'migrations/versions/0002_rev.py');
    expect(ann?.title).toContain('Downgrade left a trace');
    expect(ann?.message).toMatch(/^downgrade of 0002 did not restore the schema: left behind type public\.mood\. That is why the re-upgrade failed: .*type "mood" already exists/);
    expect(rowOf(r.summary, '0002')).toMatch(/^\| 0002 \| ✅ \| ⚠️ trace \| ❌ \|/);
    expect(r.summary).toContain("+ type public.mood enum ('ok', 'sad')");
  });

  test('multi-step round trip: the failing downgrade in the middle is named, not the head', async () => {
    const { r } = await run(alembicProject(chain(5, { 4: { down: "py:raise RuntimeError('cannot undo 0004')" } })), { 'down-steps': '3' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0004' });
    expect(r.main.annotations.find((a) => a.title?.includes('Downgrade failed'))).toMatchObject({ file: 'migrations/versions/0004_rev.py', line: 13 });
    expect(rowOf(r.summary, '0005')).toMatch(/^\| 0005 \| ✅ \| ✅ \|/);
    expect(rowOf(r.summary, '0004')).toMatch(/^\| 0004 \| ✅ \| ❌ \|/);
  });

  test('a raising upgrade: the exception and the user’s frame first, the traceback folded, SARIF carries the error', async () => {
    const { r } = await run(alembicProject(chain(3, { 2: { up: "py:x = 1\nraise RuntimeError('boom in 0002')" } })));
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002' });
    const ann = r.main.annotations.find((a) => a.title?.includes('Upgrade failed'));
    expect(ann).toMatchObject({ file: 'migrations/versions/0002_rev.py', line: 10 });
    expect(ann?.message).toBe('upgrade to 0002 failed: RuntimeError: boom in 0002 (at migrations/versions/0002_rev.py:10 in upgrade())');
    expect(r.summary).toMatch(/```text\nRuntimeError: boom in 0002\n {2}at migrations\/versions\/0002_rev\.py:10 in upgrade\(\)\n```/);
    expect(r.summary).toMatch(/<details><summary>full output<\/summary>[\s\S]*Traceback \(most recent call last\)/);
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results[0].properties.error).toContain('RuntimeError: boom in 0002');
  });

  test('a project with no revisions is a notice, not a finding', async () => {
    const { r } = await run(alembicProject([]));
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(r.main.annotations.map((a) => [a.level, a.message])).toEqual([['notice', 'migration-test: alembic has no revisions in migrations: nothing to test']]);
  });
});

test('a migration that hangs is stopped at command-timeout and named; the run goes on without its descendants', async () => {
  const started = Date.now();
  const { r } = await run(alembicProject(chain(3, { 2: { up: ['SELECT pg_sleep(20)'] } })), { mode: 'stepwise', 'command-timeout': '3s' });
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002', 'steps-count': '3' });
  expect(r.main.annotations.find((a) => a.title?.includes('Upgrade failed'))?.message).toBe('upgrade to 0002 did not finish within command-timeout and was stopped');
  expect(rowOf(r.summary, '0001')).toMatch(/^\| 0001 \| ✅ \| ✅ \| ✅ \|/);
  expect(rowOf(r.summary, '0003')).toContain('not tested: needs 0002, whose upgrade failed');
});

test('a URL without a password against a server that asks for one fails at once: psql never prompts', async () => {
  // A fake PostgreSQL server that refuses SSL/GSS encryption and then asks for a cleartext password.
  const server = createServer((sock) => {
    sock.on('data', (d: Buffer) => {
      const code = d.length >= 8 ? d.readUInt32BE(4) : 0;
      if (code === 80877103 || code === 80877104)
        sock.write('N'); // SSLRequest / GSSENCRequest: not supported
      else sock.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const port = (server.address() as AddressInfo).port;
  try {
    const started = Date.now();
    const r = await runBundledAction({
      action: 'migration-test',
      workspace: alembicProject(chain(1)),
      inputs: { 'database-url': `postgresql://app@127.0.0.1:${port}/app`, psql: PSQL, 'wait-timeout': '60s' },
      env: { PATH: alembicPath() },
      timeoutMs: 60_000,
    });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/^migration-test: cannot connect to postgresql:\/\/app@127\.0\.0\.1:\d+\/app: .*no password supplied/),
    ]);
  } finally {
    server.close();
  }
});

describe('histories in the shapes real projects write (issue 25)', () => {
  // 0002 drops a constraint under an old name inside try/except, then the real one: PostgreSQL aborts the
  // transaction at the first failure and Alembic's version-table update fails, with no frame in 0002's file.
  const SWALLOWS: Rev[] = chain(4, {
    1: { up: ['CREATE TABLE t1 (id int, email text CONSTRAINT uq_email UNIQUE)'] },
    2: {
      up: [
        'py:try:',
        "    op.drop_constraint('uq_t1_email_old', 't1', type_='unique')",
        'except Exception:',
        '    pass',
        'try:',
        "    op.drop_constraint('uq_email', 't1', type_='unique')",
        'except Exception:',
        '    pass',
      ].join('\n'),
      down: "py:op.create_unique_constraint('uq_email', 't1', ['email'])",
    },
  });

  test('a migration that catches a database error: up-failed at that revision and line, everything tested before it reported', async () => {
    const { r } = await run(alembicProject(SWALLOWS), { mode: 'stepwise' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002', 'steps-count': '4', 'findings-count': '1' });
    const ann = r.main.annotations.find((a) => a.title?.includes('Upgrade failed'));
    expect(ann).toMatchObject({ file: 'migrations/versions/0002_rev.py', line: 10 });
    expect(ann?.message).toContain('the first error: UndefinedObject: constraint "uq_t1_email_old" of relation "t1" does not exist');
    expect(rowOf(r.summary, '0001')).toMatch(/^\| 0001 \| ✅ \| ✅ \| ✅ \|/);
    expect(rowOf(r.summary, '0003')).toContain('not tested: needs 0002, whose upgrade failed');
    // The summary ends with the findings, not with a path that only exists on the runner.
    expect(r.summary).not.toContain(r.outputs['sarif-file']);
    expect(r.summary).not.toContain('Full results');
  });

  test('the same in a round trip: named, never a literal {rev}', async () => {
    const { r } = await run(alembicProject(SWALLOWS), { 'down-steps': '2' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002' });
    expect(r.everything).not.toContain('{rev}');
    expect(r.main.annotations.find((a) => a.title?.includes('Upgrade failed'))?.message).toMatch(/^upgrade to 0002 failed: /);
  });

  test('an env.py that commits nothing: config-error naming env.py, no finding against the migrations', async () => {
    const envPy = ENV_PY.replace(
      'context.configure(connection=conn, target_metadata=None)',
      "conn.exec_driver_sql('SET search_path TO public')\n        context.configure(connection=conn, target_metadata=None)",
    );
    const { r } = await run(alembicProject(chain(3), undefined, { envPy }), { mode: 'stepwise' });
    expect(r.outputs).toMatchObject({ outcome: 'config-error', 'findings-count': '0' });
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(
        /^migration-test: upgrade to 0001 ran without an error but was not committed: the database is still at base\. migrations\/env\.py leaves its transaction open/,
      ),
    ]);
  });
});

describe('check-models through the action', () => {
  const models = `import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class T1(Base):
    __tablename__ = "t1"
    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
`;

  test('a column the models have and no migration creates: a high finding at the mapped class', async () => {
    const ws = alembicProject(chain(1, { 1: { up: ['CREATE TABLE t1 (id serial PRIMARY KEY)'] } }));
    writeFileSync(join(ws, 'db_models.py'), models);
    const { r } = await run(ws, { 'check-models': 'db_models:Base.metadata' });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0001', 'findings-count': '1', 'high-count': '1' });
    expect(r.main.annotations.find((a) => a.title?.includes('Models differ from the migrations'))).toMatchObject({
      file: 'db_models.py',
      line: 9,
      message: 'column t1.note (TEXT) is in the models but no migration creates it: autogenerate would write a migration for it (alembic check fails)',
    });
  });

  test('check-models on a tool without models is one line naming the input', async () => {
    const { r } = await run(alembicProject(chain(1)), { tool: 'custom', 'up-command': 'true', 'down-command': 'true', 'check-models': 'true' });
    expect(r.outputs.outcome).toBe('config-error');
    expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      'migration-test: input "check-models" is only for tool alembic or django (custom has no models to compare); got "true"',
    ]);
  });
});

describe('setup problems are configuration or tool errors with the fix, never up-failed', () => {
  const oneError = (r: Awaited<ReturnType<typeof runBundledAction>>) => {
    expect(r.main.exitCode).toBe(1);
    expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
    expect(r.main.annotations.some((a) => a.title?.includes('Upgrade failed'))).toBe(false);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    return errors[0].message;
  };
  const verbatim = ENV_PY.replace(".replace('postgres://', 'postgresql+psycopg://', 1)", '');

  test('a postgres:// URL SQLAlchemy cannot load: config-error, use postgresql://', async () => {
    const { r } = await run(alembicProject(chain(2), undefined, { envPy: verbatim }));
    expect(r.outputs.outcome).toBe('config-error');
    expect(oneError(r)).toMatch(/^migration-test: SQLAlchemy cannot load the postgres:\/\/ scheme .*; use postgresql:\/\/ or postgresql\+psycopg:\/\/ in database-url/);
  });

  test('a driver that is not installed: config-error naming the package', async () => {
    const envPy = ENV_PY.replace("'postgresql+psycopg://'", "'postgresql+psycopg2://'");
    const { r } = await run(alembicProject(chain(2), undefined, { envPy }));
    expect(r.outputs.outcome).toBe('config-error');
    expect(oneError(r)).toMatch(/^migration-test: the database driver psycopg2 is not installed in the Python that runs Alembic .*pip install psycopg2-binary/);
  });

  test('an env.py that reads another variable: config-error at its line, pointing at url-env', async () => {
    const envPy = ENV_PY.replace("os.environ['DATABASE_URL']", "os.environ['APP_DB_URL']");
    const { r } = await run(alembicProject(chain(2), undefined, { envPy }));
    expect(r.outputs.outcome).toBe('config-error');
    expect(oneError(r)).toMatch(
      /^migration-test: env\.py failed at migrations\/env\.py:5 .*KeyError: 'APP_DB_URL' \(the database URL reaches env\.py only as DATABASE_URL; set url-env/,
    );
  });

  test('an env.py whose connection is refused: tool-error', async () => {
    const port = await freePort();
    const envPy = ENV_PY.replace("os.environ['DATABASE_URL'].replace('postgres://', 'postgresql+psycopg://', 1)", `'postgresql+psycopg://postgres@127.0.0.1:${port}/x'`);
    const { r } = await run(alembicProject(chain(2), undefined, { envPy }));
    expect(r.outputs.outcome).toBe('tool-error');
    expect(oneError(r)).toMatch(/^migration-test: env\.py could not connect to the database .*OperationalError: .*(refused|failed)/);
  });

  test('alembic not on PATH: config-error saying how to install it', async () => {
    const { r } = await run(alembicProject(chain(1)), {}, { env: { PATH: '/usr/bin:/bin' } });
    expect(r.outputs.outcome).toBe('config-error');
    expect(oneError(r)).toMatch(/^migration-test: alembic is not on PATH: install it/);
  });
});

test('a password with % @ / # : never shows in the log, annotations, summary, SARIF or the PR comment body', async () => {
  const password = 'p%@/#:Zq9!xW';
  const enc = encodeURIComponent(password);
  // The migration prints the URL (with and without its query) and raises with it: the worst a tool can do.
  const revs: Rev[] = [
    { id: '0001', up: ['CREATE TABLE a (id int)'], down: ['DROP TABLE a'] },
    {
      id: '0002',
      parent: '0001',
      up: "py:import os\nu = os.environ['DATABASE_URL']\nprint(u, u.split('?')[0])\nraise RuntimeError('cannot reach ' + u + ' or ' + u.split('?')[0])",
      down: [],
    },
  ];
  const event = {
    name: 'pull_request',
    payload: {
      number: 9,
      pull_request: {
        number: 9,
        base: { sha: 'a'.repeat(40), ref: 'main', repo: { full_name: 'acme/example' } },
        head: { sha: 'b'.repeat(40), ref: 'f', repo: { full_name: 'acme/example', fork: false } },
      },
    },
  };
  let url = '';
  const { r } = await run(
    alembicProject(revs),
    { mode: 'stepwise', comment: 'true', token: 'ghs_graphTestToken77' },
    { event, env: { PATH: alembicPath(), GITHUB_API_URL: gh.url } },
    (db) => (url = `postgres://postgres:${enc}@127.0.0.1:${pg.port}/${db}?application_name=mt&sslmode=disable`),
  );
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002' });
  const comment = gh.state.comments.find((c) => c.issue_number === 9);
  // The URL is registered whole (with and without its query), so a tool that prints it shows ***.
  expect(String(comment?.body)).toContain('RuntimeError: cannot reach *** or ***');
  const sarif = readFileSync(r.outputs['sarif-file'], 'utf8');
  const forms = [password, enc, url, url.split('?')[0], decodeURIComponent(enc)];
  for (const text of [r.everything, r.summary, sarif, String(comment?.body), JSON.stringify(r.main.annotations)]) {
    for (const f of forms) expect(text).not.toContain(f);
  }
});
