// The README's Flask-Migrate recipe on a project real Flask-Migrate generated (`flask db init`, `flask db migrate`),
// through the bundled action under the local runner with a real PostgreSQL 15: the alembic preset with
// `command: alembic -c migrations/alembic.ini`, two ini lines and an app context pushed from the app factory
// in env.py, and check-models: true comparing Flask-SQLAlchemy's metadata (Flask-Migrate's target_metadata).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { buildBundle } from './helpers.js';

jest.setTimeout(300_000);
let pg: Postgres;
beforeAll(async () => {
  buildBundle();
  pg = await startPostgres();
}, 240_000);
afterAll(async () => pg?.stop());

const APP = `import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120), nullable=False)
    # more columns


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"].replace("postgres://", "postgresql+psycopg://", 1)
    db.init_app(app)
    migrate.init_app(app, db)
    return app
`;

const bin = () => dirname(toolBin('flaskenv', 'flask'));
let n = 0;

/** A Flask-Migrate project as `flask db init` and `flask db migrate` write it, with the README's recipe applied. */
async function flaskProject(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'mt-flask-'));
  writeFileSync(join(dir, 'app.py'), APP);
  const url = await pg.createDatabase(`flask_gen_${++n}`);
  const flask = (...args: string[]) =>
    execFileSync(join(bin(), 'flask'), ['--app', 'app:create_app', 'db', ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: url, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: 'pipe',
    });
  flask('init');
  flask('migrate', '-m', 'users');
  // The recipe (README, "Flask-Migrate"): two lines in alembic.ini, an app context in env.py.
  const ini = join(dir, 'migrations', 'alembic.ini');
  writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^\[alembic\]$/m, '[alembic]\nscript_location = %(here)s\nprepend_sys_path = .'));
  const env = join(dir, 'migrations', 'env.py');
  const src = readFileSync(env, 'utf8');
  expect(src).toContain('from flask import current_app\n');
  writeFileSync(
    env,
    src.replace(
      'from flask import current_app\n',
      'from flask import current_app, has_app_context\n\nif not has_app_context():\n    from app import create_app\n\n    create_app().app_context().push()\n',
    ),
  );
  return dir;
}

async function run(workspace: string) {
  const db = `flask_${++n}`;
  await pg.createDatabase(db);
  return runBundledAction({
    action: 'migration-test',
    workspace,
    inputs: {
      'database-url': `postgres://postgres:Fl4skPw@127.0.0.1:${pg.port}/${db}`,
      psql: '/usr/lib/postgresql/15/bin/psql',
      command: 'alembic -c migrations/alembic.ini',
      'migrations-dir': 'migrations',
      mode: 'stepwise',
      'check-models': 'true',
    },
    env: { PATH: `${bin()}:${process.env.PATH ?? ''}`, PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 240_000,
  });
}

test('a Flask-Migrate project with the recipe: every revision tested, the models match', async () => {
  const r = await run(await flaskProject());
  expect(r.everything).not.toContain('Fl4skPw');
  expect(r.outputs).toMatchObject({ outcome: 'clean', 'steps-count': '1', 'findings-count': '0' });
  expect(r.summary).toMatch(/\| [0-9a-f]{12} \| ✅ \| ✅ \| ✅ \|/);
});

test('a model column no migration creates: a models-differ finding at the model', async () => {
  const dir = await flaskProject();
  writeFileSync(join(dir, 'app.py'), APP.replace('# more columns', 'name = db.Column(db.Text)'));
  const r = await run(dir);
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '1' });
  expect(r.main.annotations.find((a) => a.title?.includes('Models differ'))?.message).toBe(
    'column user.name (TEXT) is in the models but no migration creates it: autogenerate would write a migration for it (alembic check fails)',
  );
});
