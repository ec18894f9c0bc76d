// The JavaScript-ecosystem presets with the real tools from npm (provision: migrate-js): node-pg-migrate and
// knex stepwise, dbmate round-trip, each on a good chain and on one whose downgrade forgets an index.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { toolBin, toolDir } from '../../../test/harness/tools.js';
import { runRoundTrip, runStepwise } from '../src/execute.js';
import { PRESETS } from '../src/presets.js';
import { driverFor } from './helpers.js';

jest.setTimeout(300_000);
let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
  process.env.PATH = `${dirname(toolBin('migrate-js', 'dbmate'))}:${process.env.PATH ?? ''}`;
});
afterAll(async () => pg?.stop());

interface Step {
  up: string;
  down: string;
}
const TABLE: Step = { up: 'CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL);', down: 'DROP TABLE widgets;' };
const INDEX_OK: Step = { up: 'CREATE INDEX ix_widgets_name ON widgets (name);', down: 'DROP INDEX ix_widgets_name;' };
const INDEX_FORGOTTEN: Step = { up: 'ALTER TABLE widgets ADD COLUMN sku text; CREATE INDEX ix_widgets_name ON widgets (name);', down: 'ALTER TABLE widgets DROP COLUMN sku;' };

function project(dir: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'mt-preset-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, dir, name)), { recursive: true });
    writeFileSync(join(root, dir, name), text);
  }
  return root;
}

const pgmFiles = (steps: Step[]) => Object.fromEntries(steps.map((s, i) => [`170000000000${i}_step${i}.sql`, `-- Up Migration\n${s.up}\n-- Down Migration\n${s.down}\n`]));
const knexFiles = (steps: Step[]) =>
  Object.fromEntries(
    steps.map((s, i) => [
      `2024010100000${i}_step${i}.cjs`,
      `exports.up = (knex) => knex.raw(${JSON.stringify(s.up)});\nexports.down = (knex) => knex.raw(${JSON.stringify(s.down)});\n`,
    ]),
  );
const dbmateFiles = (steps: Step[]) => Object.fromEntries(steps.map((s, i) => [`2024010100000${i}_step${i}.sql`, `-- migrate:up\n${s.up}\n\n-- migrate:down\n${s.down}\n`]));

function knexProject(steps: Step[]): string {
  const root = project('migrations', knexFiles(steps));
  writeFileSync(join(root, 'knexfile.cjs'), "module.exports = { client: 'pg', connection: process.env.DATABASE_URL, migrations: { directory: './migrations' } };\n");
  symlinkSync(join(toolDir('migrate-js'), 'node_modules'), join(root, 'node_modules')); // the project's own `npm ci`
  return root;
}
const knexPreset = { ...PRESETS.knex, program: ['knex', '--knexfile', 'knexfile.cjs'] };

describe('node-pg-migrate', () => {
  test('a good chain passes stepwise, revisions named by file', async () => {
    const { driver } = await driverFor(pg, project('migrations', pgmFiles([TABLE, INDEX_OK])), PRESETS['node-pg-migrate']);
    const r = await runStepwise(driver);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => [x.revision, x.down])).toEqual([
      ['1700000000000_step0', 'ok'],
      ['1700000000001_step1', 'ok'],
    ]);
  });

  test('a forgotten index is left behind, and the re-up fails: one finding, the failure told in it', async () => {
    const { driver } = await driverFor(pg, project('migrations', pgmFiles([TABLE, INDEX_FORGOTTEN])), PRESETS['node-pg-migrate']);
    const r = await runStepwise(driver);
    expect(r.problems.map((p) => [p.rule, p.revision])).toEqual([['downgrade-left-trace', '1700000000001_step1']]);
    expect(r.problems[0].message).toMatch(/left behind index public\.ix_widgets_name on public\.widgets\. That is why the re-upgrade failed: .*already exists/);
    expect(r.rows[1]).toMatchObject({ down: 'trace', reup: 'failed' });
  });
});

describe('knex', () => {
  test('a good chain passes stepwise', async () => {
    const { driver } = await driverFor(pg, knexProject([TABLE, INDEX_OK]), knexPreset);
    const r = await runStepwise(driver);
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => x.revision)).toEqual(['20240101000000_step0.cjs', '20240101000001_step1.cjs']);
  });

  test('a forgotten index is caught at its migration', async () => {
    const { driver } = await driverFor(pg, knexProject([TABLE, INDEX_FORGOTTEN]), knexPreset);
    const r = await runStepwise(driver);
    expect(r.problems[0]).toMatchObject({ rule: 'downgrade-left-trace', revision: '20240101000001_step1.cjs' });
  });
});

// dbmate's driver insists on TLS unless told otherwise (its documented ?sslmode=disable for local servers).
const DBMATE_QUERY = '?sslmode=disable';

describe('dbmate (round-trip)', () => {
  test('a good chain goes down 2 and back up', async () => {
    const { driver, db } = await driverFor(pg, project('db/migrations', dbmateFiles([TABLE, INDEX_OK])), PRESETS.dbmate, {}, DBMATE_QUERY);
    const r = await runRoundTrip(driver, 2);
    expect(r.problems).toEqual([]);
    expect(r.rows[0]).toMatchObject({ revision: '20240101000001', up: 'ok', down: 'ok', reup: 'ok', note: 'down 2 → base' });
    expect(await pg.psql('SELECT count(*) FROM schema_migrations', db)).toBe('2');
  });

  test('a forgotten index makes the re-up fail, naming the head', async () => {
    const { driver } = await driverFor(pg, project('db/migrations', dbmateFiles([TABLE, INDEX_FORGOTTEN])), PRESETS.dbmate, {}, DBMATE_QUERY);
    const r = await runRoundTrip(driver, 1);
    expect(r.problems[0]).toMatchObject({ rule: 'reup-failed', revision: '20240101000001' });
    expect(r.problems[0].message).toMatch(/ix_widgets_name.*already exists/);
  });
});

describe('golang-migrate (built from the Go module proxy)', () => {
  const gmFiles = (steps: Step[]) =>
    Object.fromEntries(
      steps.flatMap((s, i) => [
        [`2024010100000${i}_step${i}.up.sql`, `${s.up}\n`],
        [`2024010100000${i}_step${i}.down.sql`, `${s.down}\n`],
      ]),
    );
  const gm = (steps: Step[]) => driverFor(pg, project('migrations', gmFiles(steps)), PRESETS['golang-migrate'], {}, '?sslmode=disable');
  // As main.ts does: the versions from the file names, because `up 1` at head is an error in golang-migrate.
  const revisions = (steps: Step[]) => PRESETS['golang-migrate'].revisionsFromFiles!(Object.keys(gmFiles(steps)));
  beforeAll(() => {
    process.env.PATH = `${dirname(toolBin('golang-migrate', 'migrate'))}:${process.env.PATH ?? ''}`;
  });

  test('a good chain passes stepwise', async () => {
    const r = await runStepwise((await gm([TABLE, INDEX_OK])).driver, { revisions: revisions([TABLE, INDEX_OK]) });
    expect(r.problems).toEqual([]);
    expect(r.rows.map((x) => x.revision)).toEqual(['20240101000000', '20240101000001']);
  });

  test('a forgotten index is caught, and a failing up leaves the version dirty', async () => {
    const r = await runStepwise((await gm([TABLE, INDEX_FORGOTTEN])).driver, { revisions: revisions([TABLE, INDEX_FORGOTTEN]) });
    expect(r.problems[0]).toMatchObject({ rule: 'downgrade-left-trace', revision: '20240101000001' });
    const broken = await gm([TABLE, { up: 'ALTER TABLE widgets ADD COLUMN x nosuchtype;', down: 'SELECT 1;' }]);
    const r2 = await runStepwise(broken.driver, { revisions: ['20240101000000', '20240101000001'] });
    expect(r2.problems.at(-1)).toMatchObject({ rule: 'up-failed', revision: '20240101000001' });
    expect(r2.problems.at(-1)?.message).toMatch(/type "nosuchtype" does not exist/);
    expect(await broken.driver.current()).toBe('20240101000001 (dirty)');
  });
});
