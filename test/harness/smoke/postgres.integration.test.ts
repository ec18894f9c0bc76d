// Smoke: a throwaway PostgreSQL cluster starts, serves SQL, and a real Alembic migration
// (from the provisioned pyenv venv) creates a table in a fresh database.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { pgBinDir, startPostgres, type Postgres } from '../services/postgres.js';
import { toolBin } from '../tools.js';

jest.setTimeout(180_000);
const run = promisify(execFile);

describe('postgres service + alembic venv', () => {
  let pg: Postgres;
  let work: string;
  beforeAll(async () => {
    pg = await startPostgres();
    work = mkdtempSync(join(tmpdir(), 'pa-alembic-'));
  });
  afterAll(async () => {
    await pg?.stop(); // idempotent: the last test already stopped it
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('server is PostgreSQL on loopback and creates databases', async () => {
    expect(pg.host).toBe('127.0.0.1');
    expect(pg.versionNum).toBeGreaterThanOrEqual(150000);
    expect(await pg.psql('SHOW fsync')).toBe('off');
    expect(await pg.psql('SELECT host(inet_server_addr())')).toBe('127.0.0.1');
    await pg.createDatabase('smoke_db');
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname = 'smoke_db'")).toBe('1');
    // Bad SQL fails loudly (ON_ERROR_STOP), so tests never mistake an error for empty output.
    await expect(pg.psql('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
  });

  test('alembic upgrade head creates the migrated table', async () => {
    const url = (await pg.createDatabase('alembic_db')).replace(/^postgres:/, 'postgresql+psycopg:');
    mkdirSync(join(work, 'migrations', 'versions'), { recursive: true });
    writeFileSync(join(work, 'alembic.ini'), '[alembic]\nscript_location = migrations\n');
    writeFileSync(
      join(work, 'migrations', 'env.py'),
      [
        'import os',
        'from alembic import context',
        'from sqlalchemy import create_engine',
        "engine = create_engine(os.environ['DATABASE_URL'])",
        'with engine.connect() as conn:',
        '    context.configure(connection=conn, target_metadata=None)',
        '    with context.begin_transaction():',
        '        context.run_migrations()',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(work, 'migrations', 'versions', '0001_widgets.py'),
      [
        'import sqlalchemy as sa',
        'from alembic import op',
        "revision = '0001'",
        'down_revision = None',
        'def upgrade():',
        "    op.create_table('widgets', sa.Column('id', sa.Integer, primary_key=True), sa.Column('name', sa.Text, nullable=False))",
        'def downgrade():',
        "    op.drop_table('widgets')",
        '',
      ].join('\n'),
    );
    const alembic = toolBin('pyenv', 'alembic');
    const env = { ...process.env, DATABASE_URL: url };

    expect(await pg.psql("SELECT to_regclass('public.widgets') IS NULL", 'alembic_db')).toBe('t');
    await run(alembic, ['upgrade', 'head'], { cwd: work, env, timeout: 120_000 });
    expect(
      await pg.psql("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'widgets'", 'alembic_db'),
    ).toBe('id:integer,name:text');
    expect(await pg.psql('SELECT version_num FROM alembic_version', 'alembic_db')).toBe('0001');

    await run(alembic, ['downgrade', 'base'], { cwd: work, env, timeout: 120_000 });
    expect(await pg.psql("SELECT to_regclass('public.widgets') IS NULL", 'alembic_db')).toBe('t');
    expect(existsSync(join(work, 'migrations', 'versions', '0001_widgets.py'))).toBe(true);
  });

  test('stop() shuts the server down and frees its port', async () => {
    const { port } = pg;
    await pg.stop();
    const refused = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(false)));
      sock.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  test('as a service container: POSTGRES_USER, _PASSWORD and _DB give that superuser, a password check over TCP, and the database', async () => {
    const svc = await startPostgres({ user: 'app', password: 's3cret', database: 'orders' });
    try {
      expect(svc.url).toBe(`postgres://app:s3cret@127.0.0.1:${svc.port}/orders`);
      expect(await svc.psql("SELECT current_user || '@' || current_database()", 'orders')).toBe('app@orders');
      // The wrong password is refused, as by the image's scram-sha-256 host auth.
      const wrong = await run(pgBinDir() + '/psql', ['-X', '-At', '-h', '127.0.0.1', '-p', String(svc.port), '-U', 'app', '-d', 'orders', '-c', 'SELECT 1'], {
        env: { ...process.env, PGPASSWORD: 'nope', PGCONNECT_TIMEOUT: '5' },
      }).then(
        () => '',
        (e: { stderr?: string }) => String(e.stderr),
      );
      expect(wrong).toMatch(/password authentication failed for user "app"/);
    } finally {
      await svc.stop();
    }
  });
});
