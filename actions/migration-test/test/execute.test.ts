// The test modes against a real PostgreSQL 15 and a real Alembic (the harness's pyenv venv), through the
// same Driver the action uses: each fixture chain's defect is caught and named.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { parseHeads, parseHistory } from '../src/alembic.js';
import type { Config } from '../src/config.js';
import { runRoundTrip, runStepwise } from '../src/execute.js';
import { PRESETS } from '../src/presets.js';
import { alembicPath, alembicProject, CHAINS, driverFor, type Rev } from './helpers.js';

jest.setTimeout(300_000);

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = alembicPath();
});
afterAll(async () => pg?.stop());

async function setup(revs: Rev[], over: Partial<Config> = {}) {
  const dir = alembicProject(revs);
  const d = await driverFor(pg, dir, PRESETS.alembic, over);
  const history = parseHistory((await d.tool.run(['history', '--verbose'])).stdout);
  return { ...d, revisions: history.map((r) => r.id) };
}

describe('stepwise (per revision up, down, up)', () => {
  test('a good chain passes every step and ends at head', async () => {
    const { driver, revisions } = await setup(CHAINS.good);
    const r = await runStepwise(driver, { revisions });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['0001', 'ok', 'ok', 'ok'],
      ['0002', 'ok', 'ok', 'ok'],
      ['0003', 'ok', 'ok', 'ok'],
    ]);
    expect(r.head?.revision).toBe('0003');
  });

  test('a downgrade that forgets an index: the diff names the index, then re-up fails', async () => {
    const { driver, revisions } = await setup(CHAINS.forgetsIndex);
    const r = await runStepwise(driver, { revisions });
    const trace = r.problems.find((p) => p.rule === 'downgrade-left-trace')!;
    expect(trace.revision).toBe('0002');
    expect(trace.message).toMatch(/left behind index public\.ix_widgets_name on public\.widgets/);
    expect(trace.diff).toContain('+ index public.ix_widgets_name CREATE INDEX ix_widgets_name ON public.widgets USING btree (name)');
    expect(r.problems.find((p) => p.rule === 'reup-failed')?.message).toMatch(/ix_widgets_name.*already exists/);
  });

  test('a downgrade that forgets a sequence is caught with the sequence in the diff', async () => {
    const { driver, revisions } = await setup(CHAINS.forgetsSequence);
    const r = await runStepwise(driver, { revisions });
    const trace = r.problems.find((p) => p.rule === 'downgrade-left-trace')!;
    expect(trace.revision).toBe('0002');
    expect(trace.message).toContain('left behind sequence public.order_no_seq');
    expect(trace.diff).toMatch(/^\+ sequence public\.order_no_seq bigint start=1/m);
  });

  test('a raising downgrade names the revision and the error', async () => {
    const { driver, revisions } = await setup(CHAINS.raisingDown);
    const r = await runStepwise(driver, { revisions });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'down-failed', revision: '0002', phase: 'down' });
    expect(r.problems[0].message).toContain('RuntimeError: cannot undo 0002: tags were merged');
  });

  test('an enum ADD VALUE the downgrade cannot undo is reported with the hint', async () => {
    const { driver, revisions } = await setup(CHAINS.enumAddValue);
    const r = await runStepwise(driver, { revisions });
    const trace = r.problems.find((p) => p.rule === 'downgrade-left-trace')!;
    expect(trace.message).toMatch(/changed type public\.ticket_state/);
    expect(trace.message).toMatch(/cannot drop enum values/);
    expect(trace.diff).toContain("- type public.ticket_state enum ('open', 'closed')");
    expect(trace.diff).toContain("+ type public.ticket_state enum ('open', 'closed', 'archived')");
  });

  test('declared irreversible revisions are tested up only', async () => {
    const { driver, revisions } = await setup(CHAINS.enumAddValue);
    const r = await runStepwise(driver, { revisions, irreversible: new Set(['0002']) });
    expect(r.problems).toEqual([]);
    expect(r.rows[1]).toMatchObject({ revision: '0002', down: 'skipped', note: 'irreversible: tested up only' });
  });

  test('an empty downgrade is "unchanged", not just a trace', async () => {
    const { driver, revisions } = await setup(CHAINS.emptyDown);
    const r = await runStepwise(driver, { revisions });
    expect(r.problems[0]).toMatchObject({ rule: 'empty-downgrade', revision: '0002' });
    expect(r.rows[1].down).toBe('unchanged');
  });

  test('seed data makes the NOT NULL migration fail, naming it', async () => {
    const seeds = mkdtempSync(join(tmpdir(), 'mt-seed-'));
    writeFileSync(join(seeds, '0001.sql'), "INSERT INTO users (email) VALUES ('a@example.com'), (NULL);\n");
    const { driver, revisions } = await setup(CHAINS.seedBreaks, { seedDir: seeds });
    const r = await runStepwise(driver, { revisions });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'up-failed', revision: '0002' });
    expect(r.problems[0].message).toMatch(/column "email" of relation "users" contains null values/);
  });

  test('without seed data the same chain passes (why seeds matter)', async () => {
    const { driver, revisions } = await setup(CHAINS.seedBreaks);
    expect((await runStepwise(driver, { revisions })).problems).toEqual([]);
  });

  test('a drop + re-add moves the column: strict order catches it, logical order accepts it', async () => {
    const strict = await setup(CHAINS.reorders);
    const r = await runStepwise(strict.driver, { revisions: strict.revisions });
    expect(r.problems[0]).toMatchObject({ rule: 'downgrade-left-trace', revision: '0002' });
    expect(r.problems[0].diff).toContain('- column public.t.b #2 integer');
    expect(r.problems[0].diff).toContain('+ column public.t.b #3 integer');
    const logical = await setup(CHAINS.reorders, { columnOrder: 'logical' });
    expect((await runStepwise(logical.driver, { revisions: logical.revisions })).problems).toEqual([]);
  });

  test('without a revision list (custom tools) it stops when a step changes nothing', async () => {
    const { driver } = await setup(CHAINS.good);
    // alembic `upgrade +1` at head fails, so emulate a tool whose step-up is a no-op at head.
    let steps = 0;
    const r = await runStepwise({ ...driver, upOne: async () => (++steps > 6 ? { ok: true, output: '', durationMs: 0 } : driver.upOne!()) });
    expect(r.rows.map((x) => x.revision)).toEqual(['0001', '0002', '0003']);
    expect(r.problems).toEqual([]);
  });
});

describe('round-trip (head, down N, head)', () => {
  test('a good chain passes down 2 and back', async () => {
    const { driver, db } = await setup(CHAINS.good);
    const r = await runRoundTrip(driver, 2);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]).toMatchObject({ revision: '0003', up: 'ok', down: 'ok', reup: 'ok', note: 'down 2 → 0001' });
    expect(await pg.psql('SELECT version_num FROM alembic_version', db)).toBe('0003');
  });

  test('the forgotten index makes the re-upgrade fail at head', async () => {
    const { driver } = await setup(CHAINS.forgetsIndex);
    const r = await runRoundTrip(driver, 1);
    expect(r.problems[0]).toMatchObject({ rule: 'reup-failed', revision: '0002' });
  });

  test('an empty downgrade is reported from the snapshots alone', async () => {
    const { driver } = await setup(CHAINS.emptyDown);
    const r = await runRoundTrip(driver, 1);
    expect(r.problems[0]).toMatchObject({ rule: 'empty-downgrade', revision: '0002' });
  });

  test('a failing upgrade is named although Alembic rolled the whole upgrade back', async () => {
    const chain: Rev[] = [
      ...CHAINS.good,
      { id: '0004', parent: '0003', up: ['ALTER TABLE parts ADD COLUMN x nosuchtype'], down: ['ALTER TABLE parts DROP COLUMN x'] },
    ];
    const { driver, revisions } = await setup(chain);
    const r = await runRoundTrip(driver, 1, revisions);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ rule: 'up-failed', revision: '0004' });
    expect(r.problems[0].message).toMatch(/type "nosuchtype" does not exist/);
  });

  test('forward-only goes up and stops', async () => {
    const { driver } = await setup(CHAINS.raisingDown);
    const r = await runRoundTrip(driver, 0);
    expect(r).toMatchObject({ mode: 'forward-only', problems: [] });
    expect(r.rows[0]).toMatchObject({ up: 'ok', down: 'skipped', note: 'forward-only' });
  });
});

test('two heads are listed by alembic heads', async () => {
  const { tool } = await setup(CHAINS.twoHeads);
  expect(parseHeads((await tool.run(['heads'])).stdout).sort()).toEqual(['0002', '0003']);
});
