// The schema oracle against a real PostgreSQL 15: every object kind shows, identical schemas built in a
// different order give identical snapshots, bookkeeping tables (and what they own) stay out.
import { afterAll, beforeAll, expect, jest, test } from '@jest/globals';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { parseDatabaseUrl } from '../src/dburl.js';
import { Psql } from '../src/psql.js';
import { BOOKKEEPING_TABLES, type ColumnOrder, parseSnapshot, snapshotSql } from '../src/snapshot.js';

jest.setTimeout(120_000);
let pg: Postgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => pg?.stop());

const SCHEMA_A = [
  "CREATE TYPE state AS ENUM ('new', 'done')",
  'CREATE DOMAIN positive AS int CHECK (VALUE > 0)',
  'CREATE TABLE items (id serial PRIMARY KEY, state state NOT NULL DEFAULT \'new\', qty positive, code text COLLATE "C", twice int GENERATED ALWAYS AS (id * 2) STORED)',
  'CREATE INDEX ix_items_code ON items (code)',
  'CREATE VIEW item_codes AS SELECT id, code FROM items',
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
  'CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()',
  'ALTER TABLE items ENABLE ROW LEVEL SECURITY',
  'CREATE POLICY items_read ON items FOR SELECT USING (qty > 0)',
  "COMMENT ON TABLE items IS 'stock\nitems'",
  'CREATE SEQUENCE invoice_no START 100',
  'CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)',
  'CREATE TABLE knex_migrations (id serial PRIMARY KEY, name text)',
];
// The same schema, created in another order and with different whitespace.
const SCHEMA_B = [
  'CREATE TABLE knex_migrations (id serial PRIMARY KEY, name text)',
  'CREATE SEQUENCE invoice_no START 100',
  'CREATE DOMAIN positive AS int CHECK (VALUE > 0)',
  "CREATE TYPE state AS ENUM ('new', 'done')",
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
  'CREATE TABLE items (id serial PRIMARY KEY, state state NOT NULL DEFAULT \'new\', qty positive, code text COLLATE "C", twice int GENERATED ALWAYS AS (id * 2) STORED)',
  'CREATE VIEW item_codes AS SELECT id,   code FROM items',
  'CREATE POLICY items_read ON items FOR SELECT USING (qty > 0)',
  'ALTER TABLE items ENABLE ROW LEVEL SECURITY',
  'CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch()',
  "COMMENT ON TABLE items IS 'stock\nitems'",
  'CREATE INDEX ix_items_code ON items (code)',
];

async function snap(db: string, stmts: string[], columnOrder: ColumnOrder = 'strict'): Promise<string[]> {
  const url = await pg.createDatabase(db);
  for (const s of stmts) await pg.psql(s, db);
  const psql = new Psql({ bin: '/usr/lib/postgresql/15/bin/psql', target: parseDatabaseUrl('u', url), timeoutMs: 60_000 });
  return parseSnapshot(await psql.query(snapshotSql({ columnOrder, excludeTables: [...BOOKKEEPING_TABLES] })));
}

test('every object kind is one normalised line', async () => {
  const a = await snap('snap_a', SCHEMA_A);
  expect(a).toEqual(
    expect.arrayContaining([
      'schema public',
      'extension plpgsql 1.0 schema=pg_catalog',
      'relation public.items kind=r persistence=p rls',
      "column public.items.id #1 integer not-null default=nextval('items_id_seq'::regclass)",
      "column public.items.state #2 state not-null default='new'::state",
      'column public.items.qty #3 positive',
      'column public.items.code #4 text collate=C',
      'column public.items.twice #5 integer generated=(id * 2)',
      'constraint public.items items_pkey PRIMARY KEY (id)',
      'index public.ix_items_code CREATE INDEX ix_items_code ON public.items USING btree (code)',
      'sequence public.items_id_seq integer start=1 increment=1 min=1 max=2147483647 cache=1 owned-by=items.id',
      'sequence public.invoice_no bigint start=100 increment=1 min=1 max=9223372036854775807 cache=1',
      "type public.state enum ('new', 'done')",
      'type public.positive domain integer positive_check CHECK ((VALUE > 0))',
      'view public.item_codes SELECT items.id, items.code FROM items;',
      'trigger public.items CREATE TRIGGER items_touch BEFORE UPDATE ON public.items FOR EACH ROW EXECUTE FUNCTION touch()',
      'policy public.items items_read PERMISSIVE SELECT to=public using=((qty)::integer > 0)',
      'comment public.items stock items',
    ]),
  );
  expect(a.some((l) => /^function public\.touch\(\) kind=f returns trigger md5=[0-9a-f]{32}$/.test(l))).toBe(true);
  // Bookkeeping tables and everything they own are left out.
  expect(a.filter((l) => /alembic_version|knex_migrations/.test(l))).toEqual([]);
  expect([...a].sort()).toEqual(a);

  const b = await snap('snap_b', SCHEMA_B);
  expect(b).toEqual(a);
});

test('strict order sees a moved column, logical order does not', async () => {
  const moved = ['CREATE TABLE t (a int, b int, c int)', 'ALTER TABLE t DROP COLUMN b', 'ALTER TABLE t ADD COLUMN b int'];
  const plain = ['CREATE TABLE t (a int, b int, c int)'];
  expect(await snap('strict_moved', moved)).not.toEqual(await snap('strict_plain', plain));
  expect(await snap('logical_moved', moved, 'logical')).toEqual(await snap('logical_plain', plain, 'logical'));
  // Dropped columns leave no gap in the strict position: a, c, b are #1, #2, #3.
  expect((await snap('strict_moved2', moved)).filter((l) => l.startsWith('column'))).toEqual([
    'column public.t.a #1 integer',
    'column public.t.b #3 integer',
    'column public.t.c #2 integer',
  ]);
});
