// Fixture Alembic projects written by the tests: an alembic.ini, an env.py that reads DATABASE_URL,
// and one revision file per entry, each upgrade/downgrade a list of SQL statements (or raw Python).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Postgres } from '../../../test/harness/services/postgres.js';
import { toolBin } from '../../../test/harness/tools.js';
import type { Settings } from '../src/settings.js';
import { parseDatabaseUrl } from '../src/dburl.js';
import { buildDriver, toolRunner } from '../src/driver.js';
import type { Preset } from '../src/presets.js';
import { Psql } from '../src/psql.js';
import { BOOKKEEPING_TABLES } from '../src/snapshot.js';

export interface Rev {
  id: string;
  /** Parent revision; several for a merge revision. */
  parent?: string | string[];
  /** SQL statements, or a Python body when it starts with "py:". */
  up: string[] | string;
  /** SQL statements, or a Python body when it starts with "py:". */
  down: string[] | string;
}

export const ENV_PY = `import os
from alembic import context
from sqlalchemy import create_engine

url = os.environ['DATABASE_URL'].replace('postgres://', 'postgresql+psycopg://', 1)
if context.is_offline_mode():
    context.configure(url=url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()
`;

const pyStr = (s: string) => JSON.stringify(s);

function body(stmts: string[] | string): string {
  // "py:" bodies may span lines; each line is indented into the function.
  if (typeof stmts === 'string')
    return stmts.startsWith('py:')
      ? stmts
          .slice(3)
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')
      : `    op.execute(${pyStr(stmts)})`;
  return stmts.length ? stmts.map((s) => `    op.execute(${pyStr(s)})`).join('\n') : '    pass';
}

/** Writes an Alembic project into `root` (a new temp dir when omitted); returns its path. */
export function alembicProject(revs: Rev[], root = mkdtempSync(join(tmpdir(), 'mt-alembic-')), opts: { envPy?: string } = {}): string {
  mkdirSync(join(root, 'migrations', 'versions'), { recursive: true });
  writeFileSync(join(root, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
  writeFileSync(join(root, 'migrations', 'env.py'), opts.envPy ?? ENV_PY);
  for (const r of revs) {
    const file = join(root, 'migrations', 'versions', `${r.id}_rev.py`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(
      file,
      [
        `"""revision ${r.id}"""`,
        'from alembic import op',
        '',
        `revision = ${pyStr(r.id)}`,
        `down_revision = ${Array.isArray(r.parent) ? `(${r.parent.map(pyStr).join(', ')})` : r.parent ? pyStr(r.parent) : 'None'}`,
        '',
        '',
        'def upgrade():',
        body(r.up),
        '',
        '',
        'def downgrade():',
        body(r.down),
        '',
      ].join('\n'),
    );
  }
  return root;
}

/** The chains the tests use. */
export const CHAINS = {
  good: [
    { id: '0001', up: ['CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)'], down: ['DROP TABLE widgets'] },
    {
      id: '0002',
      parent: '0001',
      up: [
        "CREATE TYPE widget_state AS ENUM ('new', 'done')",
        "ALTER TABLE widgets ADD COLUMN state widget_state NOT NULL DEFAULT 'new'",
        'CREATE INDEX ix_widgets_name ON widgets (name)',
      ],
      down: ['DROP INDEX ix_widgets_name', 'ALTER TABLE widgets DROP COLUMN state', 'DROP TYPE widget_state'],
    },
    {
      id: '0003',
      parent: '0002',
      up: [
        'CREATE TABLE parts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, widget_id int REFERENCES widgets(id), qty int CHECK (qty > 0))',
        'CREATE VIEW part_counts AS SELECT widget_id, count(*) AS n FROM parts GROUP BY widget_id',
      ],
      down: ['DROP VIEW part_counts', 'DROP TABLE parts'],
    },
  ] as Rev[],
  forgetsIndex: [
    { id: '0001', up: ['CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)'], down: ['DROP TABLE widgets'] },
    {
      id: '0002',
      parent: '0001',
      up: ['ALTER TABLE widgets ADD COLUMN sku text', 'CREATE INDEX ix_widgets_name ON widgets (name)'],
      down: ['ALTER TABLE widgets DROP COLUMN sku'],
    },
  ] as Rev[],
  forgetsSequence: [
    { id: '0001', up: ['CREATE TABLE orders (id serial PRIMARY KEY)'], down: ['DROP TABLE orders'] },
    {
      id: '0002',
      parent: '0001',
      up: ['CREATE SEQUENCE order_no_seq', "ALTER TABLE orders ADD COLUMN order_no bigint NOT NULL DEFAULT nextval('order_no_seq')"],
      down: ['ALTER TABLE orders DROP COLUMN order_no'],
    },
  ] as Rev[],
  raisingDown: [
    { id: '0001', up: ['CREATE TABLE notes (id serial PRIMARY KEY, body text)'], down: ['DROP TABLE notes'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE notes ADD COLUMN tag text'], down: "py:raise RuntimeError('cannot undo 0002: tags were merged')" },
  ] as Rev[],
  twoHeads: [
    { id: '0001', up: ['CREATE TABLE a (id int)'], down: ['DROP TABLE a'] },
    { id: '0002', parent: '0001', up: ['CREATE TABLE b (id int)'], down: ['DROP TABLE b'] },
    { id: '0003', parent: '0001', up: ['CREATE TABLE c (id int)'], down: ['DROP TABLE c'] },
  ] as Rev[],
  enumAddValue: [
    {
      id: '0001',
      up: ["CREATE TYPE ticket_state AS ENUM ('open', 'closed')", 'CREATE TABLE tickets (id serial PRIMARY KEY, state ticket_state NOT NULL)'],
      down: ['DROP TABLE tickets', 'DROP TYPE ticket_state'],
    },
    {
      id: '0002',
      parent: '0001',
      up: ["ALTER TYPE ticket_state ADD VALUE 'archived'", 'ALTER TABLE tickets ADD COLUMN archived_at timestamptz'],
      down: ['ALTER TABLE tickets DROP COLUMN archived_at'],
    },
  ] as Rev[],
  dangerous: [
    { id: '0001', up: ['CREATE TABLE accounts (id bigint PRIMARY KEY)'], down: ['DROP TABLE accounts'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE accounts ADD COLUMN email text NOT NULL'], down: ['ALTER TABLE accounts DROP COLUMN email'] },
  ] as Rev[],
  slow: [
    { id: '0001', up: ['CREATE TABLE jobs (id serial PRIMARY KEY)'], down: ['DROP TABLE jobs'] },
    { id: '0002', parent: '0001', up: ['SELECT pg_sleep(5)'], down: [] },
  ] as Rev[],
  seedBreaks: [
    { id: '0001', up: ['CREATE TABLE users (id serial PRIMARY KEY, email text)'], down: ['DROP TABLE users'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE users ALTER COLUMN email SET NOT NULL'], down: ['ALTER TABLE users ALTER COLUMN email DROP NOT NULL'] },
  ] as Rev[],
  emptyDown: [
    { id: '0001', up: ['CREATE TABLE logs (id serial PRIMARY KEY)'], down: ['DROP TABLE logs'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE logs ADD COLUMN level text'], down: [] },
  ] as Rev[],
  reorders: [
    { id: '0001', up: ['CREATE TABLE t (a int, b int, c int)'], down: ['DROP TABLE t'] },
    { id: '0002', parent: '0001', up: ['ALTER TABLE t DROP COLUMN b'], down: ['ALTER TABLE t ADD COLUMN b int'] },
  ] as Rev[],
};

/** PATH with the provisioned Alembic venv first, as a workflow's setup-python + pip install would leave it. */
export const alembicPath = (): string => `${dirname(toolBin('pyenv', 'alembic'))}:${process.env.PATH ?? ''}`;

// Fixture Django projects: manage.py, settings.py reading DATABASE_URL, one app "shop", one file per migration.
const MANAGE_PY = `import os
import sys

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
`;

const SETTINGS_PY = `import os
from urllib.parse import unquote, urlparse

url = urlparse(os.environ['DATABASE_URL'])
DATABASES = {'default': {
    'ENGINE': 'django.db.backends.postgresql',
    'NAME': url.path.lstrip('/'),
    'USER': unquote(url.username or ''),
    'PASSWORD': unquote(url.password or ''),
    'HOST': url.hostname,
    'PORT': url.port or 5432,
}}
INSTALLED_APPS = APPS
SECRET_KEY = 'migration-test fixture'
USE_TZ = True
DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'
`;

/** One migration: its name and the operations list (Python source). */
export interface Mig {
  name: string;
  ops: string;
  /** Module-level Python the operations refer to (RunPython functions). */
  pre?: string;
  /** Its dependencies as [app, migration]; default the migration before it in the list (none for the first). */
  deps?: Array<[string, string]>;
}

export const INITIAL: Mig = {
  name: '0001_initial',
  ops: `migrations.CreateModel('Widget', [('id', models.BigAutoField(primary_key=True)), ('name', models.CharField(max_length=100))])`,
};
export const ADD_SKU: Mig = { name: '0002_widget_sku', ops: `migrations.AddField('widget', 'sku', models.CharField(max_length=20, null=True))` };
// reverse_sql that drops the column but forgets the index its forward SQL created.
export const INDEX_FORGOTTEN: Mig = {
  name: '0003_name_index',
  ops: `migrations.RunSQL(['ALTER TABLE shop_widget ADD COLUMN note text', 'CREATE INDEX ix_widget_name ON shop_widget (name)'], reverse_sql=['ALTER TABLE shop_widget DROP COLUMN note'])`,
};
// RunPython without reverse_code: Django refuses to go below it.
export const BACKFILL: Mig = {
  name: '0002_backfill',
  pre: `def backfill(apps, schema_editor):\n    apps.get_model('shop', 'Widget').objects.filter(name='').update(name='unnamed')\n`,
  ops: 'migrations.RunPython(backfill)',
};
export const ADD_PRICE: Mig = { name: '0003_widget_price', ops: `migrations.AddField('widget', 'price', models.IntegerField(default=0))` };

export interface DjangoOptions {
  /** INSTALLED_APPS; default ['shop']. */
  apps?: string[];
  /** More files, by path relative to the project root. */
  files?: Record<string, string>;
}

export function djangoProject(migs: Mig[], opts: DjangoOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'mt-django-'));
  const dir = join(root, 'shop', 'migrations');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'manage.py'), MANAGE_PY);
  writeFileSync(join(root, 'settings.py'), `APPS = ${JSON.stringify(opts.apps ?? ['shop'])}\n${SETTINGS_PY}`);
  writeFileSync(join(root, 'shop', '__init__.py'), '');
  writeFileSync(join(dir, '__init__.py'), '');
  migs.forEach((m, i) => {
    const deps = m.deps ?? (i === 0 ? [] : [['shop', migs[i - 1].name]]);
    const src = [
      'from django.db import migrations, models',
      '',
      m.pre ?? '',
      '',
      'class Migration(migrations.Migration):',
      `    dependencies = [${deps.map(([a, n]) => `('${a}', '${n}')`).join(', ')}]`,
      `    operations = [${m.ops}]`,
      '',
    ];
    writeFileSync(join(dir, `${m.name}.py`), src.join('\n'));
  });
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
  return root;
}

/** PATH with the provisioned Django venv first, as setup-python + pip install would leave it. */
export const djangoPath = (): string => `${dirname(toolBin('django', 'python'))}:${process.env.PATH ?? ''}`;

// Fixture Rails apps: just enough of an application (ActiveRecord only, no Bundler: the gems come from
// Debian's packages) for bin/rails db:* tasks, the database from DATABASE_URL, one file per migration.
const RAILS_FILES: Record<string, string> = {
  'config/application.rb':
    'require "active_record/railtie"\n\nmodule Shop\n  class Application < Rails::Application\n    config.load_defaults 6.1\n    config.eager_load = false\n  end\nend\n',
  'config/environment.rb': 'require_relative "application"\nRails.application.initialize!\n',
  'config/database.yml': 'development:\n  adapter: postgresql\n',
  Rakefile: 'require_relative "config/application"\nRails.application.load_tasks\n',
  'bin/rails': '#!/usr/bin/env ruby\nAPP_PATH = File.expand_path("../config/application", __dir__)\nrequire "rails/commands"\n',
};

/** One Rails migration: file name (<version>_<name>.rb) and the class body. */
export interface RailsMig {
  file: string;
  body: string;
}

export const RAILS_MIGS = {
  createWidgets: { file: '20240101000000_create_widgets.rb', body: '  def change\n    create_table :widgets do |t|\n      t.string :name, null: false\n    end\n  end' },
  addSku: { file: '20240101000001_add_sku.rb', body: '  def change\n    add_column :widgets, :sku, :string\n  end' },
  // down drops the column but forgets the index.
  nameIndex: {
    file: '20240101000002_name_index.rb',
    body: "  def up\n    add_column :widgets, :note, :text\n    add_index :widgets, :name, name: 'ix_widget_name'\n  end\n\n  def down\n    remove_column :widgets, :note\n  end",
  },
  backfill: {
    file: '20240101000001_backfill.rb',
    body: "  def up\n    execute \"UPDATE widgets SET name = 'unnamed' WHERE name = ''\"\n  end\n\n  def down\n    raise ActiveRecord::IrreversibleMigration\n  end",
  },
  addPrice: { file: '20240101000002_add_price.rb', body: '  def change\n    add_column :widgets, :price, :integer, default: 0, null: false\n  end' },
} satisfies Record<string, RailsMig>;

export function railsProject(migs: RailsMig[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mt-rails-'));
  const files: Record<string, string> = { ...RAILS_FILES };
  for (const m of migs) {
    const cls = m.file.replace(/^\d+_|\.rb$/g, '').replace(/(^|_)(\w)/g, (_, _u: string, c: string) => c.toUpperCase());
    files[`db/migrate/${m.file}`] = `class ${cls} < ActiveRecord::Migration[6.1]\n${m.body}\nend\n`;
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text, { mode: name === 'bin/rails' ? 0o755 : 0o644 });
  }
  return root;
}

/** PATH with Debian's ruby and rails (provision: rails) first. */
export const railsPath = (): string => `${dirname(toolBin('rails', 'ruby'))}:${process.env.PATH ?? ''}`;

let dbCount = 0;

/** A fresh database on `pg` and the action's Driver for `preset` in project `dir`, as main.ts builds it. */
export async function driverFor(pg: Postgres, dir: string, preset: Preset, over: Partial<Settings> = {}, urlQuery = '') {
  const db = `t_${process.pid}_${++dbCount}`;
  const url = (await pg.createDatabase(db)) + urlQuery;
  const target = parseDatabaseUrl('database-url', url);
  const cfg: Settings = {
    databaseUrl: url,
    target,
    preset,
    workdir: dir,
    migrationsDir: preset.defaultDir,
    migrationsAbs: join(dir, preset.defaultDir),
    mode: 'stepwise',
    downSteps: 1,
    maxFailures: 0,
    urlEnv: 'DATABASE_URL',
    excludeTables: [...BOOKKEEPING_TABLES, ...preset.bookkeeping],
    columnOrder: 'strict',
    waitTimeoutMs: 10_000,
    commandTimeoutMs: 120_000,
    pgOptions: '',
    irreversible: new Set(),
    psql: '/usr/lib/postgresql/15/bin/psql',
    lint: false,
    squawk: 'squawk',
    squawkExclude: [],
    failOn: 'medium',
    sarifFile: join(dir, 'out.sarif'),
    comment: false,
    ...over,
  };
  const psql = new Psql({ bin: cfg.psql, target, timeoutMs: 60_000 });
  const tool = toolRunner(cfg);
  return { cfg, psql, tool, driver: buildDriver(cfg, psql, tool), db };
}

/**
 * Builds dist/migration-test unless it is newer than every source it is made from (this action's src and the
 * kit's), so the end-to-end files never test a stale bundle and do not rebuild it three times in a row.
 */
export function buildBundle(): void {
  const newest = (dir: string): number =>
    (readdirSync(dir, { recursive: true }) as string[]).reduce((m, f) => {
      const st = statSync(join(dir, f));
      return st.isFile() ? Math.max(m, st.mtimeMs) : m;
    }, 0);
  const bundle = 'dist/migration-test/index.js';
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : 0;
  if (built > Math.max(newest('actions/migration-test/src'), newest('packages/kit/src'), statSync('actions/migration-test/action.yml').mtimeMs)) return;
  execFileSync('node', ['scripts/build.mjs', '--only', 'migration-test'], { stdio: 'ignore' });
}
