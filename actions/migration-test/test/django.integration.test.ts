// The django preset with real Django from PyPI (provision: django) on a real PostgreSQL: a project written
// here (settings.py reading DATABASE_URL, one app "shop"), stepping by migration name with manage.py migrate.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { AppPlan, djangoPreset, irreversibleMigration, parsePlan } from '../src/django.js';
import { listRevisions, stepTargets } from '../src/driver.js';
import { djangoModelFindings, parseMakemigrations } from '../src/models.js';
import { type RunResult, runRoundTrip, runStepwise } from '../src/execute.js';
import { ADD_PRICE, ADD_SKU, BACKFILL, djangoPath, djangoProject, driverFor, INITIAL, type Mig } from './helpers.js';

jest.setTimeout(300_000);

let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = djangoPath();
});
afterAll(async () => pg?.stop());

const shop = djangoPreset('shop');

// `showmigrations shop --plan -v 2` of a real app (auth dependency, two branches and their merge), as Django 5.2 prints it.
const PLAN = [
  '[X]  contenttypes.0001_initial',
  '[X]  auth.0001_initial ... (contenttypes.0001_initial)',
  '[ ]  auth.0012_alter_user_first_name_max_length ... (auth.0001_initial)',
  '[X]  shop.0001_initial ... (auth.0012_alter_user_first_name_max_length)',
  '[X]  shop.0002_widget_sku ... (shop.0001_initial)',
  '[X]  shop.0002_widget_color ... (shop.0001_initial)',
  '[ ]  shop.0003_merge ... (shop.0002_widget_color, shop.0002_widget_sku)',
  '[ ]  shop.0004_widget_price ... (shop.0003_merge)',
  '',
].join('\n');

describe('django plan', () => {
  const plan = new AppPlan(parsePlan(PLAN), 'shop');

  test("the app's migrations in plan order, with their applied state and parents", () => {
    expect(plan.mine.map((n) => [n.name, n.applied])).toEqual([
      ['0001_initial', true],
      ['0002_widget_sku', true],
      ['0002_widget_color', true],
      ['0003_merge', false],
      ['0004_widget_price', false],
    ]);
    expect(plan.mine[3].parents).toEqual(['shop.0002_widget_color', 'shop.0002_widget_sku']);
  });

  test('state by plan index: 0002_widget_color is the current one although 0002_widget_sku is the greater name', () => {
    expect(plan.prefix()).toBe(3);
    expect(plan.label()).toBe('0002_widget_color');
    const gap = new AppPlan(parsePlan(PLAN.replace('[X]  shop.0002_widget_sku', '[ ]  shop.0002_widget_sku')), 'shop');
    expect(gap.prefix()).toBe(-1);
    expect(gap.label()).toBe('0001_initial,0002_widget_color');
  });

  test('down targets: a branch takes its sibling with it (re-applied after), a merge goes alone, the first goes to zero', () => {
    expect(plan.downTarget(3)).toEqual({ target: '0001_initial', unapplies: ['shop.0002_widget_sku', 'shop.0002_widget_color'] });
    const merged = new AppPlan(parsePlan(PLAN.replace('[ ]  shop.0003_merge', '[X]  shop.0003_merge')), 'shop');
    expect(merged.downTarget(4).unapplies).toEqual(['shop.0003_merge']);
    const first = new AppPlan(parsePlan(PLAN.replace(/\[X\]  shop\.0002_widget_(sku|color)/g, '[ ]  shop.0002_widget_$1')), 'shop');
    expect(first.downTarget(1)).toEqual({ target: 'zero', unapplies: ['shop.0001_initial'] });
  });

  test('dependencies to migrate before the first snapshot: the last unapplied one of each other app', () => {
    expect(plan.dependencyTargets()).toEqual([{ app: 'auth', name: '0012_alter_user_first_name_max_length' }]);
  });

  test('IrreversibleError names the migration; other failures do not', () => {
    const err =
      'Traceback (most recent call last):\ndjango.db.migrations.exceptions.IrreversibleError: Operation <RunPython <function backfill at 0x7f>> in shop.0002_backfill is not reversible';
    expect(irreversibleMigration(err)).toBe('0002_backfill');
    expect(irreversibleMigration('django.db.utils.ProgrammingError: relation "x" does not exist')).toBeUndefined();
  });
});

test('makemigrations --check --dry-run output: the app’s operations, in Django 5 and older forms', () => {
  const out =
    "Migrations for 'billing':\n  billing/migrations/0002_x.py\n    + Add field a to b\nMigrations for 'shop':\n  shop/migrations/0005_gadget.py\n    + Create model Gadget\n    ~ Alter field id on widget\n";
  expect(parseMakemigrations(out, 'shop')).toEqual({ file: 'shop/migrations/0005_gadget.py', ops: ['Create model Gadget', 'Alter field id on widget'] });
  expect(parseMakemigrations("Migrations for 'shop':\n  shop/migrations/0002_a.py\n    - Add field a to widget\n", 'shop').ops).toEqual(['Add field a to widget']);
});

test('step targets for tools stepping by name (rails): zero below the first, nothing above head', () => {
  const names = ['0001_a', '0002_b'];
  expect(stepTargets(names, '')).toEqual({ next: '0001_a', previous: 'zero' });
  expect(stepTargets(names, '0001_a')).toEqual({ next: '0002_b', previous: 'zero' });
  expect(stepTargets(names, '0002_b')).toEqual({ next: undefined, previous: '0001_a' });
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

  // A reverse_sql that forgets its index is covered end to end (inputs.e2e.test.ts, django).

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

  // 0001 (needs auth's User) → 0002_widget_sku | 0002_widget_color → 0003_merge → 0004: plan order is not name order.
  const AUTH = ['django.contrib.contenttypes', 'django.contrib.auth', 'shop'];
  const branched = (color = `migrations.AddField('widget', 'color', models.CharField(max_length=20, null=True))`): Mig[] => [
    {
      name: '0001_initial',
      deps: [['auth', '0012_alter_user_first_name_max_length']],
      ops: `migrations.CreateModel('Widget', [('id', models.BigAutoField(primary_key=True)), ('name', models.CharField(max_length=100)), ('owner', models.ForeignKey('auth.User', on_delete=models.CASCADE, null=True))])`,
    },
    { ...ADD_SKU, deps: [['shop', '0001_initial']] },
    { name: '0002_widget_color', deps: [['shop', '0001_initial']], ops: color },
    {
      name: '0003_merge',
      deps: [
        ['shop', '0002_widget_sku'],
        ['shop', '0002_widget_color'],
      ],
      ops: '',
    },
    { name: '0004_widget_price', deps: [['shop', '0003_merge']], ops: `migrations.AddField('widget', 'price', models.IntegerField(default=0))` },
  ];
  const rows = (r: RunResult) => r.rows.map((x) => [x.revision, x.up, x.down, x.reup]);

  test('branches and a merge: every migration applied and tested once, in plan order; 0001 depending on auth leaves no false trace', async () => {
    const { driver, cfg, tool, db } = await driverFor(pg, djangoProject(branched(), { apps: AUTH }), shop);
    const r = await runStepwise(driver, { revisions: await listRevisions(cfg, tool) });
    expect(r.problems).toEqual([]);
    expect(r.stopped).toBeUndefined();
    expect(rows(r)).toEqual(['0001_initial', '0002_widget_sku', '0002_widget_color', '0003_merge', '0004_widget_price'].map((n) => [n, 'ok', 'ok', 'ok']));
    expect(r.head?.revision).toBe('0004_widget_price');
    expect(await pg.psql("SELECT string_agg(name, ',' ORDER BY id) FROM django_migrations WHERE app = 'shop'", db)).toBe(
      '0001_initial,0002_widget_sku,0002_widget_color,0003_merge,0004_widget_price',
    );
  });

  test('a leftover on one branch is blamed on that migration only, not on its sibling Django unapplies with it', async () => {
    const noIndexDrop = `migrations.RunSQL(['ALTER TABLE shop_widget ADD COLUMN color text', 'CREATE INDEX ix_widget_color ON shop_widget (name)'], reverse_sql=['ALTER TABLE shop_widget DROP COLUMN color'])`;
    const { driver, cfg, tool } = await driverFor(pg, djangoProject(branched(noIndexDrop), { apps: AUTH }), shop);
    const r = await runStepwise(driver, { revisions: await listRevisions(cfg, tool) });
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['downgrade-left-trace', '0002_widget_color']]);
    expect(r.problems[0].diff).toContain('+ index public.ix_widget_color CREATE INDEX ix_widget_color ON public.shop_widget USING btree (name)');
    expect(rows(r).slice(0, 2)).toEqual([
      ['0001_initial', 'ok', 'ok', 'ok'],
      ['0002_widget_sku', 'ok', 'ok', 'ok'],
    ]);
  });

  test('round trip down 3 through the merge and both branches, and back', async () => {
    const { driver } = await driverFor(pg, djangoProject(branched(), { apps: AUTH }), shop);
    const r = await runRoundTrip(driver, 3);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]).toMatchObject({ revision: '0004_widget_price', up: 'ok', down: 'ok', reup: 'ok', note: 'down 3 → 0002_widget_sku' });
  });

  test('a step that does not reach its target is a tool error; the migrations tested before it are kept', async () => {
    // A project-level migrate command (apps may override Django's) that exits 0 without applying one target.
    const skip = [
      'from django.core.management.commands.migrate import Command as Migrate',
      '',
      '',
      'class Command(Migrate):',
      '    def handle(self, *args, **options):',
      "        if options.get('migration_name') == '0002_widget_color':",
      "            self.stdout.write('nothing to do')",
      '            return',
      '        return super().handle(*args, **options)',
      '',
    ].join('\n');
    const files = { 'shop/management/__init__.py': '', 'shop/management/commands/__init__.py': '', 'shop/management/commands/migrate.py': skip };
    const { driver, cfg, tool } = await driverFor(pg, djangoProject(branched(), { apps: AUTH, files }), shop);
    const r = await runStepwise(driver, { revisions: await listRevisions(cfg, tool) });
    expect(r.stopped?.message).toBe(
      'django: after migrate shop 0002_widget_color the applied migrations of shop are 0001_initial, 0002_widget_sku, not 0001_initial, 0002_widget_sku, 0002_widget_color (the first 3 of its plan)',
    );
    expect(rows(r)).toEqual([
      ['0001_initial', 'ok', 'ok', 'ok'],
      ['0002_widget_sku', 'ok', 'ok', 'ok'],
    ]);
    expect(r.problems).toEqual([]);
  });

  test('check-models: makemigrations --check --dry-run, one finding per operation at the model class', async () => {
    const initial: Mig = {
      name: '0001_initial',
      ops: `migrations.CreateModel('Widget', [('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')), ('name', models.CharField(max_length=100))])`,
    };
    const modelsPy = (extra: string) => `from django.db import models\n\n\nclass Widget(models.Model):\n    name = models.CharField(max_length=100)\n${extra}`;
    const matching = djangoProject([initial], { files: { 'shop/models.py': modelsPy('') } });
    process.env.GITHUB_WORKSPACE = matching;
    const a = await driverFor(pg, matching, shop);
    expect(await djangoModelFindings(a.cfg, a.tool, '0001_initial')).toEqual([]);

    const drifted = djangoProject([initial], {
      files: { 'shop/models.py': modelsPy('    weight = models.IntegerField(default=0)\n\n\nclass Gadget(models.Model):\n    label = models.TextField()\n') },
    });
    process.env.GITHUB_WORKSPACE = drifted;
    const b = await driverFor(pg, drifted, shop);
    const found = await djangoModelFindings(b.cfg, b.tool, '0001_initial');
    expect(found.map((f) => [f.ruleId, f.message, f.location?.path, f.location?.startLine])).toEqual([
      [
        'models-differ',
        'the models of shop differ from its migrations: makemigrations would write "Create model Gadget" (shop/migrations/0002_gadget_widget_weight.py)',
        'shop/models.py',
        9,
      ],
      [
        'models-differ',
        'the models of shop differ from its migrations: makemigrations would write "Add field weight to widget" (shop/migrations/0002_gadget_widget_weight.py)',
        'shop/models.py',
        4,
      ],
    ]);
    // Keyed on app and operation, so the findings keep their identity when a migration moves the head.
    expectPinnedFingerprints(Object.fromEntries(found.map((f) => [f.message.replace(/.*would write "(.*?)".*/, '$1'), f.fingerprint])), {
      'Create model Gadget': '4248569500bf73ffa25892760c8a6cd2',
      'Add field weight to widget': 'b51481f2920776b526b9330b4e5d4b34',
    });
    delete process.env.GITHUB_WORKSPACE;
  });
});
