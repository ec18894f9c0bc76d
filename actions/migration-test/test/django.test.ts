// The django preset with real Django from PyPI (provision: django) on a real PostgreSQL: a project written
// here (settings.py reading DATABASE_URL, one app "shop"), stepping by migration name with manage.py migrate.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { djangoPreset, irreversibleMigration, parseShowMigrations, stepTargets } from '../src/django.js';
import { listRevisions } from '../src/driver.js';
import { runRoundTrip, runStepwise } from '../src/execute.js';
import { ADD_PRICE, ADD_SKU, BACKFILL, djangoPath, djangoProject, driverFor, INITIAL } from './helpers.js';

jest.setTimeout(300_000);

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = djangoPath();
});
afterAll(async () => pg?.stop());

const shop = djangoPreset('shop');

describe('django parsing', () => {
  test('showmigrations --list: the app section only, in plan order', () => {
    const out = 'auth\n [X] 0001_initial\nshop\n [X] 0001_initial\n [ ] 0002_widget_sku\n [-] 0003_squashed (2 squashed migrations)\n';
    expect(parseShowMigrations(out, 'shop')).toEqual(['0001_initial', '0002_widget_sku', '0003_squashed']);
    expect(parseShowMigrations('shop\n (no migrations)\n', 'shop')).toEqual([]);
  });

  test('step targets: zero below the first, nothing above head', () => {
    const plan = ['0001_a', '0002_b'];
    expect(stepTargets(plan, '')).toEqual({ next: '0001_a', previous: 'zero' });
    expect(stepTargets(plan, '0001_a')).toEqual({ next: '0002_b', previous: 'zero' });
    expect(stepTargets(plan, '0002_b')).toEqual({ next: undefined, previous: '0001_a' });
  });

  test('IrreversibleError names the migration; other failures do not', () => {
    const err =
      'Traceback (most recent call last):\ndjango.db.migrations.exceptions.IrreversibleError: Operation <RunPython <function backfill at 0x7f>> in shop.0002_backfill is not reversible';
    expect(irreversibleMigration(err)).toBe('0002_backfill');
    expect(irreversibleMigration('django.db.utils.ProgrammingError: relation "x" does not exist')).toBeUndefined();
  });
});

describe('django preset (real Django, real PostgreSQL)', () => {
  test('a good chain passes stepwise, revisions named by migration', async () => {
    const { driver, cfg, tool } = await driverFor(pg, djangoProject([INITIAL, ADD_SKU]), shop);
    const revisions = await listRevisions(cfg, tool);
    expect(revisions).toEqual(['0001_initial', '0002_widget_sku']);
    const r = await runStepwise(driver, { revisions });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.up, x.down, x.reup])).toEqual([
      ['0001_initial', 'ok', 'ok', 'ok'],
      ['0002_widget_sku', 'ok', 'ok', 'ok'],
    ]);
    expect(r.head?.revision).toBe('0002_widget_sku');
  });

  // A reverse_sql that forgets its index is covered end to end (e2e-inputs.test.ts, django).

  test('a RunPython without reverse_code is irreversible, not a failure; the next migration is still tested', async () => {
    const { driver, cfg, tool, db } = await driverFor(pg, djangoProject([INITIAL, BACKFILL, ADD_PRICE]), shop);
    const r = await runStepwise(driver, { revisions: await listRevisions(cfg, tool) });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.down, x.reup])).toEqual([
      ['0001_initial', 'ok', 'ok'],
      ['0002_backfill', 'skipped', 'skipped'],
      ['0003_widget_price', 'ok', 'ok'],
    ]);
    expect(r.rows[1].note).toContain('0002_backfill cannot be reversed');
    expect(await pg.psql("SELECT count(*) FROM django_migrations WHERE app = 'shop'", db)).toBe('3');
  });

  test('round-trip down 2 stops at the irreversible migration and still checks the step it could undo', async () => {
    const { driver } = await driverFor(pg, djangoProject([INITIAL, BACKFILL, ADD_PRICE]), shop);
    const r = await runRoundTrip(driver, 2);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]).toMatchObject({ revision: '0003_widget_price', up: 'ok', down: 'ok', reup: 'ok' });
    expect(r.rows[0].note).toBe('down stopped at 0002_backfill: 0002_backfill is irreversible');
  });
});
