// More of migration-test end to end through the bundled action: the django preset, and the inputs the first
// e2e file does not exercise (ignore-tables, lock-timeout, irreversible-revisions, the sticky PR comment
// against the fake GitHub API).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../../test/harness/services/fake-github.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import {
  alembicPath,
  alembicProject,
  BACKFILL,
  CHAINS,
  djangoPath,
  djangoProject,
  INDEX_FORGOTTEN,
  INITIAL,
  RAILS_MIGS,
  railsPath,
  railsProject,
  type Rev,
  buildBundle,
} from './helpers.js';

jest.setTimeout(300_000);
const PASSWORD = 'Sup3rSecretPw';
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

async function newDb(): Promise<{ db: string; url: string }> {
  const db = `e2ei_${++n}`;
  await pg.createDatabase(db);
  return { db, url: `postgres://postgres:${PASSWORD}@127.0.0.1:${pg.port}/${db}` };
}

async function run(workspace: string, inputs: Record<string, string>, extra: Partial<Parameters<typeof runBundledAction>[0]> = {}) {
  const { db, url } = await newDb();
  const r = await runBundledAction({
    action: 'migration-test',
    workspace,
    inputs: { 'database-url': url, psql: PSQL, ...inputs },
    env: { PATH: alembicPath() },
    timeoutMs: 240_000,
    ...extra,
  });
  expect(r.everything).not.toContain(PASSWORD);
  return { r, db };
}

test('django: stepwise by migration name, the irreversible RunPython tested up only, the forgotten index caught at its file', async () => {
  const { r } = await run(djangoProject([INITIAL, BACKFILL, INDEX_FORGOTTEN]), { tool: 'django', 'django-app': 'shop', mode: 'stepwise' }, { env: { PATH: djangoPath() } });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0003_name_index', 'steps-count': '3' });
  expect(r.summary).toContain('| 0001_initial | ✅ | ✅ | ✅ |');
  expect(r.summary).toMatch(/\| 0002_backfill \| ✅ \| ⏭️ \| ⏭️ \| [\d.]+s \| irreversible \(0002_backfill cannot be reversed\): tested up only \|/);
  const ann = r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'));
  expect(ann).toMatchObject({ level: 'error', file: 'shop/migrations/0003_name_index.py' });
  expect(ann?.message).toContain('left behind index public.ix_widget_name on public.shop_widget');
});

test('django: a missing django-app is one line naming the input', async () => {
  const { r } = await run(djangoProject([INITIAL]), { tool: 'django' }, { env: { PATH: djangoPath() } });
  expect(r.main.exitCode).toBe(1);
  expect(r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual(['migration-test: input "django-app" is required and was empty']);
});

test('rails: stepwise by version, the IrreversibleMigration tested up only, the forgotten index caught at its file', async () => {
  const ws = railsProject([RAILS_MIGS.createWidgets, RAILS_MIGS.backfill, RAILS_MIGS.nameIndex]);
  const { r } = await run(ws, { tool: 'rails', mode: 'stepwise' }, { env: { PATH: railsPath() } });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '20240101000002', 'steps-count': '3' });
  expect(r.summary).toMatch(/\| 20240101000001 \| ✅ \| ⏭️ \| ⏭️ \| [\d.]+s \| irreversible \(20240101000001 cannot be reversed\): tested up only \|/);
  const ann = r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'));
  expect(ann).toMatchObject({ level: 'error', file: 'db/migrate/20240101000002_name_index.rb' });
  expect(ann?.message).toContain('left behind index public.ix_widget_name on public.widgets');
});

// 0002's downgrade leaves its partition-style audit table behind (as a retention policy might want).
const AUDIT: Rev[] = [
  { id: '0001', up: ['CREATE TABLE widgets (id serial PRIMARY KEY)'], down: ['DROP TABLE widgets'] },
  {
    id: '0002',
    parent: '0001',
    up: ['CREATE TABLE IF NOT EXISTS audit_2024 (at timestamptz)', 'ALTER TABLE widgets ADD COLUMN name text'],
    down: ['ALTER TABLE widgets DROP COLUMN name'],
  },
];

describe('ignore-tables', () => {
  test('without it, the table left behind is a trace', async () => {
    const { r } = await run(alembicProject(AUDIT), { mode: 'stepwise' });
    expect(r.main.exitCode).toBe(1);
    expect(r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'))?.message).toContain('audit_2024');
  });

  test('a LIKE pattern leaves it out of the snapshots, and the chain passes', async () => {
    const { r, db } = await run(alembicProject(AUDIT), { mode: 'stepwise', 'ignore-tables': 'audit\\_%' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'steps-count': '2' });
    expect(await pg.psql("SELECT to_regclass('audit_2024') IS NOT NULL", db)).toBe('t');
  });
});

test('lock-timeout reaches the tool session through PGOPTIONS', async () => {
  const probe: Rev[] = [
    {
      id: '0001',
      up: ["CREATE TABLE lt_probe AS SELECT current_setting('lock_timeout') AS lock_timeout, current_setting('statement_timeout') AS statement_timeout"],
      down: ['DROP TABLE lt_probe'],
    },
  ];
  const { r, db } = await run(alembicProject(probe), { mode: 'forward-only', 'lock-timeout': '3s' });
  expect(r.main.exitCode).toBe(0);
  expect(await pg.psql('SELECT lock_timeout, statement_timeout FROM lt_probe', db)).toMatch(/^3s\W+0$/);
});

test('irreversible-revisions: a raising downgrade declared irreversible is tested up only and passes', async () => {
  const { r } = await run(alembicProject(CHAINS.raisingDown), { mode: 'stepwise', 'irreversible-revisions': '0002' });
  expect(r.main.exitCode).toBe(0);
  expect(r.outputs).toMatchObject({ outcome: 'clean', 'head-revision': '0002', 'steps-count': '2' });
  expect(r.summary).toMatch(/\| 0002 \| ✅ \| ⏭️ \| ⏭️ \| [\d.]+s \| irreversible: tested up only \|/);
});

describe('the sticky PR comment (fake GitHub API)', () => {
  const event = {
    name: 'pull_request',
    payload: {
      number: 7,
      pull_request: {
        number: 7,
        base: { sha: 'a'.repeat(40), ref: 'main', repo: { full_name: 'acme/example' } },
        head: { sha: 'b'.repeat(40), ref: 'feat', repo: { full_name: 'acme/example', fork: false } },
      },
    },
  };
  const token = 'ghs_migrationTestToken42';

  test('created once with the report and the diff, then updated in place; token and password never show', async () => {
    const ws = alembicProject(CHAINS.forgetsSequence);
    const opts = { event, env: { PATH: alembicPath(), GITHUB_API_URL: gh.url } };
    const first = await run(ws, { mode: 'stepwise', comment: 'true', token }, opts);
    const second = await run(ws, { mode: 'stepwise', comment: 'true', token }, opts);
    for (const x of [first, second]) {
      expect(x.r.main.exitCode).toBe(1);
      expect(x.r.everything).not.toContain(token);
    }
    const mine = gh.state.comments.filter((c) => String(c.body).includes('<!-- platform-actions:migration-test'));
    expect(mine).toHaveLength(1);
    const body = String(mine[0].body);
    expect(body).toMatch(/left behind sequence public\.order(_|&#95;)no(_|&#95;)seq/); // the findings table escapes Markdown
    expect(body).toContain('+ sequence public.order_no_seq bigint start=1');
    expect(body).not.toContain(PASSWORD);
    expect(gh.requests.filter((q) => q.path.includes('/issues/7/comments') || /\/issues\/comments\/\d+$/.test(q.path)).map((q) => q.method)).toEqual([
      'GET',
      'POST',
      'GET',
      'PATCH',
    ]);
  });

  test('comment without a token is a notice, as in the other actions: optional extras never change the verdict', async () => {
    const { r } = await run(alembicProject(CHAINS.good), { comment: 'true' }, { event });
    expect([r.main.exitCode, r.outputs.outcome]).toEqual([0, 'clean']);
    expect(r.main.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.main.annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toContain('PR comment skipped: no token was given.');
  });
});
