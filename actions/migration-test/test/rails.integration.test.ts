// The rails preset with Debian's Rails 6.1 (provision: rails) on a real PostgreSQL: a minimal app written
// here, stepping up with db:migrate:up VERSION=<next from the file names> and down with db:rollback STEP=1.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { runRoundTrip, runStepwise } from '../src/execute.js';
import { PRESETS } from '../src/presets.js';
import { railsIrreversible, railsVersions } from '../src/rails.js';
import { driverFor, RAILS_MIGS as M, railsPath, railsProject } from './helpers.js';

jest.setTimeout(300_000);
let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = railsPath();
});
afterAll(async () => pg?.stop());

const rails = PRESETS.rails;
const revisions = (migs: { file: string }[]) => railsVersions(migs.map((m) => m.file));

describe('rails parsing', () => {
  test('versions from db/migrate file names, numerically ordered, other files ignored', () => {
    expect(railsVersions(['20240101000001_b.rb', '20240101000000_a.rb', 'README.md', '9_x.rb'])).toEqual(['9', '20240101000000', '20240101000001']);
  });

  test('IrreversibleMigration names the version from the backtrace', () => {
    const out =
      "rails aborted!\nStandardError: An error has occurred, this and all later migrations canceled:\n\nActiveRecord::IrreversibleMigration\n/app/db/migrate/20240101000001_backfill.rb:6:in `down'\n";
    expect(railsIrreversible(out)).toBe('20240101000001');
    expect(railsIrreversible('PG::UndefinedTable: ERROR:  relation "x" does not exist')).toBeUndefined();
  });
});

describe('rails preset (Debian Rails 6.1, real PostgreSQL)', () => {
  test('a good chain passes stepwise, one migration per step even from an empty database', async () => {
    const migs = [M.createWidgets, M.addSku];
    const { driver, db } = await driverFor(pg, railsProject(migs), rails);
    const r = await runStepwise(driver, { revisions: revisions(migs) });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['20240101000000', 'ok', 'ok', 'ok'],
      ['20240101000001', 'ok', 'ok', 'ok'],
    ]);
    expect(await pg.psql('SELECT count(*) FROM schema_migrations', db)).toBe('2');
  });

  // A down that forgets its index is covered end to end (inputs.e2e.test.ts, rails).

  test('ActiveRecord::IrreversibleMigration is irreversible, not a failure; stepwise and round-trip go on', async () => {
    const migs = [M.createWidgets, M.backfill, M.addPrice];
    const step = await driverFor(pg, railsProject(migs), rails);
    const r = await runStepwise(step.driver, { revisions: revisions(migs) });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.down, x.reup])).toEqual([
      ['20240101000000', 'ok', 'ok'],
      ['20240101000001', 'skipped', 'skipped'],
      ['20240101000002', 'ok', 'ok'],
    ]);
    const rt = await driverFor(pg, railsProject(migs), rails);
    const r2 = await runRoundTrip(rt.driver, 2);
    expect(r2.problems).toEqual([]);
    expect(r2.rows[0]).toMatchObject({ revision: '20240101000002', down: 'ok', reup: 'ok', note: 'down stopped at 20240101000001: 20240101000001 is irreversible' });
  });
});
