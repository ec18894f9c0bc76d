// migration-test end to end: the bundled action under Node 24 through the local runner, with a real
// PostgreSQL 15 and a real Alembic on PATH, in a workspace holding a fixture Alembic project. The URL
// carries a password (trust auth ignores it) that must never show anywhere the job would show.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../../../test/harness/net.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { toolBin } from '../../../test/harness/tools.js';
import { alembicPath, alembicProject, CHAINS, type Rev, buildBundle } from './helpers.js';

jest.setTimeout(300_000);
const PASSWORD = 'Sup3rSecretPw';
let pg: Postgres;
let n = 0;
beforeAll(async () => {
  buildBundle(); // never test a stale bundle
  pg = await startPostgres();
}, 240_000);
afterAll(async () => pg?.stop());

async function run(revs: Rev[], inputs: Record<string, string> = {}) {
  const workspace = alembicProject(revs);
  const db = `e2e_${++n}`;
  await pg.createDatabase(db);
  const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${pg.port}/${db}`;
  const r = await runBundledAction({
    action: 'migration-test',
    workspace,
    inputs: { 'database-url': url, psql: '/usr/lib/postgresql/15/bin/psql', ...inputs },
    env: { PATH: alembicPath() },
    timeoutMs: 240_000,
  });
  expect(r.everything).not.toContain(PASSWORD);
  return r;
}

describe('migration-test through the local runner', () => {
  test('a clean chain passes stepwise, with the per-step table in the summary', async () => {
    const r = await run(CHAINS.good, { mode: 'stepwise' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'failing-revision': '', 'head-revision': '0003', 'steps-count': '3', 'findings-count': '0' });
    expect(r.summary).toContain('✅ **Passed**');
    expect(r.summary).toContain('| 0002 | ✅ | ✅ | ✅ |');
    expect(r.summary).toContain(`postgres://postgres:***@127.0.0.1:${pg.port}/`);
  });

  test('a forgotten sequence fails at the migration file with the diff, SARIF and outputs', async () => {
    const r = await run(CHAINS.forgetsSequence, { mode: 'stepwise' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'failing-revision': '0002' });
    const ann = r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'));
    expect(ann).toMatchObject({ level: 'error', file: 'migrations/versions/0002_rev.py' });
    expect(ann?.message).toContain('left behind sequence public.order_no_seq');
    expect(r.summary).toContain('+ sequence public.order_no_seq bigint start=1');
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    const rules = sarif.runs[0].results.map((x: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => [
      x.ruleId,
      x.locations[0].physicalLocation.artifactLocation.uri,
    ]);
    expect(rules).toContainEqual(['downgrade-left-trace', 'migrations/versions/0002_rev.py']);
    expect(r.main.annotations.at(-1)?.message).toMatch(/^migration-test: \d+ findings? at or above "medium"/);
  });

  test('round-trip (default mode) names the raising downgrade', async () => {
    const r = await run(CHAINS.raisingDown);
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs['failing-revision']).toBe('0002');
    expect(r.main.annotations.find((a) => a.title?.includes('Downgrade failed'))?.message).toContain('RuntimeError: cannot undo 0002');
  });

  test('two heads: one finding per head at its file; every revision is still tested by id', async () => {
    const r = await run(CHAINS.twoHeads);
    expect(r.main.exitCode).toBe(1);
    const files = r.main.annotations
      .filter((a) => a.title?.includes('Multiple heads'))
      .map((a) => a.file)
      .sort();
    expect(files).toEqual(['migrations/versions/0002_rev.py', 'migrations/versions/0003_rev.py']);
    expect(r.outputs['steps-count']).toBe('1'); // the round trip ran (down the newest revision, by id)
  });

  test('an empty downgrade() seen in the source and by the snapshots is one finding, at def downgrade', async () => {
    const r = await run(CHAINS.emptyDown, { mode: 'stepwise' });
    expect(r.main.exitCode).toBe(1);
    const anns = r.main.annotations.filter((a) => a.file === 'migrations/versions/0002_rev.py');
    expect(anns.map((a) => a.title?.replace(/^\w+ [\w-]+: /, ''))).toEqual(['Downgrade changes nothing']);
    expect(anns[0].line).toBe(12);
    // The failed re-upgrade is the leftover's consequence: said in the same finding, not a second one.
    expect(anns[0].message).toMatch(/That is why the re-upgrade failed: .*DuplicateColumn/);
    expect(r.outputs['findings-count']).toBe('1');
  });
});

test('lint: squawk flags the NOT NULL column without default at the revision file; the chain itself passes', async () => {
  const r = await run(CHAINS.dangerous, { lint: 'true', squawk: toolBin('squawk'), 'squawk-exclude': 'prefer-robust-stmts, prefer-bigint-over-int' });
  expect(r.main.exitCode).toBe(1);
  const ann = r.main.annotations.filter((a) => a.title?.startsWith('MEDIUM squawk/adding-required-field'));
  expect(ann).toHaveLength(1);
  expect(ann[0].file).toBe('migrations/versions/0002_rev.py');
  expect(r.summary).toContain('| 0002 | ✅ | ✅ | ✅ |');
  const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
  expect(sarifSchemaErrors(sarif)).toEqual([]);
  expect(sarif.runs.map((x: { tool: { driver: { name: string } } }) => x.tool.driver.name)).toEqual(['migration-test', 'squawk']);
  expect(r.outputs['failing-revision']).toBe('0002'); // a static finding that fails the gate names its revision too
});

test('custom preset: commands given as inputs (node-pg-migrate here), stepwise, the empty down found at its .sql file', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mt-custom-'));
  mkdirSync(join(workspace, 'db'));
  writeFileSync(
    join(workspace, 'db', '1700000000000_users.sql'),
    '-- Up Migration\nCREATE TABLE users (id serial PRIMARY KEY, email text);\n-- Down Migration\nDROP TABLE users;\n',
  );
  writeFileSync(join(workspace, 'db', '1700000000001_email_idx.sql'), '-- Up Migration\nCREATE INDEX ix_users_email ON users (email);\n-- Down Migration\nSELECT 1;\n');
  const db = `e2e_${++n}`;
  await pg.createDatabase(db);
  const r = await runBundledAction({
    action: 'migration-test',
    workspace,
    inputs: {
      'database-url': `postgres://postgres:${PASSWORD}@127.0.0.1:${pg.port}/${db}`,
      psql: '/usr/lib/postgresql/15/bin/psql',
      tool: 'custom',
      'migrations-dir': 'db',
      'up-command': 'node-pg-migrate up -m db',
      'step-up-command': "node-pg-migrate up 1 -m 'db'",
      'down-command': 'node-pg-migrate down 1 -m db',
      'current-table': 'pgmigrations',
      mode: 'stepwise',
    },
    env: { PATH: `${dirname(toolBin('migrate-js', 'node-pg-migrate'))}:${process.env.PATH ?? ''}` },
    timeoutMs: 240_000,
  });
  expect(r.everything).not.toContain(PASSWORD);
  expect(r.main.exitCode).toBe(1);
  // Its down is `SELECT 1`: the snapshots show it undid nothing, and the re-up then trips over the index:
  // one defect, one finding (as for Alembic), the failed re-upgrade told in it.
  const ann = r.main.annotations.find((a) => a.title?.includes('Downgrade changes nothing'));
  expect(ann?.file).toBe('db/1700000000001_email_idx.sql');
  expect(ann?.message).toMatch(/left behind index public\.ix_users_email on public\.users\. That is why the re-upgrade failed: .*error: relation "ix_users_email" already exists$/);
  expect(r.main.annotations.filter((a) => a.title?.includes('Upgrade after downgrade failed'))).toEqual([]);
  expect(r.outputs['steps-count']).toBe('2');
});

test('the scenario example (examples/python-web-service-migrations) fails on its forgotten index, as its README says', async () => {
  const db = `e2e_${++n}`;
  await pg.createDatabase(db);
  const r = await runBundledAction({
    action: 'migration-test',
    workspace: resolve('examples/python-web-service-migrations'),
    inputs: { 'database-url': `postgres://postgres:${PASSWORD}@127.0.0.1:${pg.port}/${db}`, psql: '/usr/lib/postgresql/15/bin/psql', mode: 'stepwise', 'seed-dir': 'seeds' },
    env: { PATH: alembicPath(), PYTHONDONTWRITEBYTECODE: '1' }, // keep __pycache__ out of the example
    timeoutMs: 240_000,
  });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs['failing-revision']).toBe('0002');
  const ann = r.main.annotations.find((a) => a.title?.includes('Downgrade left a trace'));
  expect(ann?.file).toBe('migrations/versions/0002_account_state.py');
  expect(r.summary).toContain('+ index public.ix_accounts_email CREATE INDEX ix_accounts_email ON public.accounts USING btree (email)');
  expect(await pg.psql('SELECT count(*) FROM accounts', db)).toBe('2'); // the seed rows went in after 0001
});

test('statement-timeout reaches the tool through PGOPTIONS: a slow migration is cancelled and named', async () => {
  const r = await run(CHAINS.slow, { 'statement-timeout': '1s' });
  expect(r.main.exitCode).toBe(1);
  const ann = r.main.annotations.find((a) => a.title?.includes('Upgrade failed'));
  expect(ann?.message).toMatch(/canceling statement due to statement timeout/);
  expect(ann?.file).toBe('migrations/versions/0002_rev.py');
  expect(r.outputs['failing-revision']).toBe('0002');
});

describe('bad input is one line naming the problem, never the password', () => {
  const failLine = (r: Awaited<ReturnType<typeof runBundledAction>>) => {
    expect(r.main.exitCode).toBe(1);
    expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
    const errors = r.main.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    return errors[0].message;
  };

  test('an invalid database URL', async () => {
    const r = await runBundledAction({ action: 'migration-test', workspace: alembicProject(CHAINS.good), inputs: { 'database-url': `mysql://root:${PASSWORD}@db/x` } });
    expect(failLine(r)).toBe('migration-test: input "database-url" must use the postgres:// or postgresql:// scheme (got mysql://)');
    expect(r.everything).not.toContain(PASSWORD);
  });

  test('an unknown preset', async () => {
    const r = await run(CHAINS.good, { tool: 'liquibase' });
    expect(failLine(r)).toBe('migration-test: input "tool" must be one of alembic, node-pg-migrate, knex, dbmate, golang-migrate, rails, django, custom; got "liquibase"');
  });

  test('a migrations directory that does not exist', async () => {
    const r = await run(CHAINS.good, { 'migrations-dir': 'db/migrations' });
    expect(failLine(r)).toBe('migration-test: input "migrations-dir" must name an existing directory (looked for db/migrations); got "db/migrations"');
  });

  test('a server that never comes up: bounded wait, clear error', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await runBundledAction({
      action: 'migration-test',
      workspace: alembicProject(CHAINS.good),
      inputs: { 'database-url': `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/app`, 'wait-timeout': '3s', psql: '/usr/lib/postgresql/15/bin/psql' },
      env: { PATH: alembicPath() },
    });
    expect(failLine(r)).toMatch(
      new RegExp(
        `^migration-test: PostgreSQL at 127\\.0\\.0\\.1:${port} did not accept connections within 3s \\(last error: .*Connection refused.*\\); check the service container`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.everything).not.toContain(PASSWORD);
  });
});
