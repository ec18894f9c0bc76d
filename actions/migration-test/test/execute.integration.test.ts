// The Alembic test modes against a real PostgreSQL 15 and a real Alembic (the harness's pyenv venv), through
// the same phase the action runs (testAlembic: one Python session, revisions by id, catalog snapshots): each
// fixture chain's defect is caught and named. The last test covers the generic Driver (other tools).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { testAlembic } from '../src/alembic-test.js';
import type { Settings } from '../src/settings.js';
import { runStepwise } from '../src/execute.js';
import { PRESETS } from '../src/presets.js';
import { alembicPath, alembicProject, CHAINS, driverFor, type Rev } from './helpers.js';

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

/** Runs the Alembic phase on a fresh database; the action's log lines are kept out of the test output. */
async function alembic(revs: Rev[], over: Partial<Settings> | ((dir: string) => Partial<Settings>) = {}) {
  const dir = alembicProject(revs);
  process.env.GITHUB_WORKSPACE = dir; // paths in problems are relative to the workspace, as on a runner
  const d = await driverFor(pg, dir, PRESETS.alembic, typeof over === 'function' ? over(dir) : over);
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const phase = await testAlembic(d.cfg, d.psql);
    return { ...phase, ...phase.run, db: d.db };
  } finally {
    process.stdout.write = write;
  }
}

describe('stepwise (per revision up, down, up)', () => {
  test('a good chain passes every step and ends at head', async () => {
    const r = await alembic(CHAINS.good);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['0001', 'ok', 'ok', 'ok'],
      ['0002', 'ok', 'ok', 'ok'],
      ['0003', 'ok', 'ok', 'ok'],
    ]);
    expect(r.head?.revision).toBe('0003');
  });

  test('a downgrade that forgets an index: the diff names the index, and explains the failed re-up (one problem)', async () => {
    const r = await alembic(CHAINS.forgetsIndex);
    expect(r.problems).toHaveLength(1);
    const trace = r.problems[0];
    expect(trace).toMatchObject({ rule: 'downgrade-left-trace', revision: '0002' });
    expect(trace.message).toMatch(/left behind index public\.ix_widgets_name on public\.widgets\. That is why the re-upgrade failed: .*ix_widgets_name.*already exists/);
    expect(trace.diff).toContain('+ index public.ix_widgets_name CREATE INDEX ix_widgets_name ON public.widgets USING btree (name)');
    expect(r.rows[1]).toMatchObject({ revision: '0002', up: 'ok', down: 'trace', reup: 'failed' });
  });

  test('a downgrade that forgets a sequence is caught with the sequence in the diff', async () => {
    const r = await alembic(CHAINS.forgetsSequence);
    const trace = r.problems.find((p) => p.rule === 'downgrade-left-trace')!;
    expect(trace.revision).toBe('0002');
    expect(trace.message).toContain('left behind sequence public.order_no_seq');
    expect(trace.diff).toMatch(/^\+ sequence public\.order_no_seq bigint start=1/m);
  });

  test('a raising downgrade names the revision and the error', async () => {
    const r = await alembic(CHAINS.raisingDown);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'down-failed', revision: '0002', phase: 'down', path: 'migrations/versions/0002_rev.py', line: 13 });
    expect(r.problems[0].message).toContain('RuntimeError: cannot undo 0002: tags were merged');
  });

  test('an enum ADD VALUE the downgrade cannot undo is reported with the hint', async () => {
    const r = await alembic(CHAINS.enumAddValue);
    const trace = r.problems.find((p) => p.rule === 'downgrade-left-trace')!;
    expect(trace.message).toMatch(/changed type public\.ticket_state/);
    expect(trace.message).toMatch(/cannot drop enum values/);
    expect(trace.diff).toContain("- type public.ticket_state enum ('open', 'closed')");
    expect(trace.diff).toContain("+ type public.ticket_state enum ('open', 'closed', 'archived')");
  });

  test('declared irreversible revisions are tested up only', async () => {
    const r = await alembic(CHAINS.enumAddValue, { irreversible: new Set(['0002']) });
    expect(r.problems).toEqual([]);
    expect(r.rows[1]).toMatchObject({ revision: '0002', down: 'skipped', note: 'irreversible: tested up only' });
  });

  test('an empty downgrade is "unchanged", not just a trace', async () => {
    const r = await alembic(CHAINS.emptyDown);
    expect(r.problems[0]).toMatchObject({ rule: 'empty-downgrade', revision: '0002' });
    expect(r.rows[1].down).toBe('unchanged');
    expect(r.pre.findings.map((f) => f.ruleId)).toEqual(['empty-downgrade-source']); // merged into one finding by main
  });

  test('seed data makes the NOT NULL migration fail, naming it', async () => {
    // In the repository, as a seed folder must be (a seed file outside the workspace is refused).
    const r = await alembic(CHAINS.seedBreaks, (dir) => {
      const seeds = join(dir, 'seeds');
      mkdirSync(seeds);
      writeFileSync(join(seeds, '0001.sql'), "INSERT INTO users (email) VALUES ('a@example.com'), (NULL);\n");
      return { seedDir: seeds };
    });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'up-failed', revision: '0002' });
    expect(r.problems[0].message).toMatch(/column "email" of relation "users" contains null values/);
  });

  test('without seed data the same chain passes (why seeds matter)', async () => {
    expect((await alembic(CHAINS.seedBreaks)).problems).toEqual([]);
  });

  test('a drop + re-add moves the column: strict order catches it, logical order accepts it', async () => {
    const r = await alembic(CHAINS.reorders);
    expect(r.problems[0]).toMatchObject({ rule: 'downgrade-left-trace', revision: '0002' });
    expect(r.problems[0].diff).toContain('- column public.t.b #2 integer');
    expect(r.problems[0].diff).toContain('+ column public.t.b #3 integer');
    expect((await alembic(CHAINS.reorders, { columnOrder: 'logical' })).problems).toEqual([]);
  });

  test('column-order separate (the default): a column that only moved is its own low finding, not a trace', async () => {
    const r = await alembic(CHAINS.reorders, { columnOrder: 'separate' });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['column-moved', '0002']]);
    expect(r.problems[0].message).toBe(
      'after the downgrade of 0002 columns public.t.b, public.t.c are in another position (dropped and re-added at the end); nothing else differs',
    );
    expect(r.rows[1]).toMatchObject({ down: 'moved', reup: 'ok' });
  });
});

describe('round-trip (head, down N one by one, head)', () => {
  const rt = (revs: Rev[], downSteps: number) => alembic(revs, { mode: downSteps ? 'round-trip' : 'forward-only', downSteps });

  test('a good chain passes down 2 and back', async () => {
    const r = await rt(CHAINS.good, 2);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['0002', 'ok', 'ok', 'ok'],
      ['0003', 'ok', 'ok', 'ok'],
    ]);
    expect(await pg.psql('SELECT version_num FROM alembic_version', r.db)).toBe('0003');
  });

  test('the forgotten index is named, and explains the failed re-upgrade', async () => {
    const r = await rt(CHAINS.forgetsIndex, 1);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'downgrade-left-trace', revision: '0002' });
    expect(r.problems[0].message).toMatch(/left behind index public\.ix_widgets_name.*That is why the re-upgrade failed/);
  });

  test('an empty downgrade is reported from the snapshots alone', async () => {
    const r = await rt(CHAINS.emptyDown, 1);
    expect(r.problems[0]).toMatchObject({ rule: 'empty-downgrade', revision: '0002' });
  });

  test('a failing upgrade is named although Alembic rolled the whole upgrade back', async () => {
    const chain: Rev[] = [
      ...CHAINS.good,
      { id: '0004', parent: '0003', up: ['ALTER TABLE parts ADD COLUMN x nosuchtype'], down: ['ALTER TABLE parts DROP COLUMN x'] },
      { id: '0005', parent: '0004', up: ['CREATE TABLE later (id int)'], down: ['DROP TABLE later'] },
    ];
    const r = await rt(chain, 1);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'up-failed', revision: '0004', path: 'migrations/versions/0004_rev.py', line: 9 });
    expect(r.problems[0].message).toMatch(/type "nosuchtype" does not exist/);
  });

  test('forward-only goes up and stops', async () => {
    const r = await rt(CHAINS.raisingDown, 0);
    expect(r).toMatchObject({ mode: 'forward-only', problems: [] });
    expect(r.rows[0]).toMatchObject({ up: 'ok', down: 'skipped', note: 'forward-only' });
  });
});

test('a migration that reads stdin gets EOF at once (it cannot swallow the session’s commands or hang)', async () => {
  const r = await alembic([...CHAINS.good.slice(0, 1), { id: '0002', parent: '0001', up: "py:input('continue? ')", down: [] }]);
  expect(r.problems).toHaveLength(1);
  expect(r.problems[0]).toMatchObject({ rule: 'up-failed', revision: '0002', line: 9 });
  expect(r.problems[0].message).toContain('EOFError');
  expect(r.rows[0]).toMatchObject({ revision: '0001', up: 'ok', down: 'ok', reup: 'ok' });
});

test('two heads: one finding per head, and both branches are still tested', async () => {
  const r = await alembic(CHAINS.twoHeads, { mode: 'stepwise' });
  expect(r.pre.findings.map((f) => [f.ruleId, f.properties?.revision])).toEqual([
    ['multiple-heads', '0002'],
    ['multiple-heads', '0003'],
  ]);
  expect(r.rows.map((x) => x.revision).sort()).toEqual(['0001', '0002', '0003']);
  expect(r.problems).toEqual([]);
});

describe('the generic Driver (every tool but Alembic)', () => {
  test('without a revision list (custom tools) it stops when a step changes nothing', async () => {
    const dir = alembicProject(CHAINS.good);
    const { driver } = await driverFor(pg, dir, PRESETS.alembic);
    // alembic `upgrade +1` at head fails, so emulate a tool whose step-up is a no-op at head.
    let steps = 0;
    const r = await runStepwise({ ...driver, upOne: async () => (++steps > 6 ? { ok: true, output: '', durationMs: 0 } : driver.upOne!()) });
    expect(r.rows.map((x) => x.revision)).toEqual(['0001', '0002', '0003']);
    expect(r.problems).toEqual([]);
  });
});
