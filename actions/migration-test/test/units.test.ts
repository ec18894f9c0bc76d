// Pure logic, table-driven: argument splitting, database URLs, Alembic output parsing, downgrade bodies,
// snapshot diffs, and the error line picked from a tool's output.
import { describe, expect, test } from '@jest/globals';
import { classifyDowngrade, parseHeads, parseHistory } from '../src/alembic.js';
import { splitArgs } from '../src/args.js';
import { libpqEnv, parseDatabaseUrl } from '../src/dburl.js';
import { describeDiff, diffSnapshots, enumValueLeftBehind, objectOf, renderDiff } from '../src/diff.js';
import { keyLine } from '../src/execute.js';
import { parseSnapshot, snapshotSql } from '../src/snapshot.js';

describe('splitArgs', () => {
  test.each([
    ['alembic', ['alembic']],
    ['  poetry run   alembic ', ['poetry', 'run', 'alembic']],
    ["alembic -c 'db/my alembic.ini'", ['alembic', '-c', 'db/my alembic.ini']],
    ['knex --knexfile "a \\"b\\".js"', ['knex', '--knexfile', 'a "b".js']],
    ['echo $HOME; rm -rf / | cat', ['echo', '$HOME;', 'rm', '-rf', '/', '|', 'cat']],
    ["x ''", ['x', '']],
  ])('%s', (text, argv) => expect(splitArgs('command', text)).toEqual(argv));

  test('an unclosed quote names the input', () => {
    expect(() => splitArgs('up-command', "knex 'migrate")).toThrow('input "up-command" has an unclosed \' quote');
  });
});

describe('parseDatabaseUrl', () => {
  test('postgres URL with password, port and sslmode', () => {
    const t = parseDatabaseUrl('database-url', 'postgres://app:s3cr%40t@db.example:6543/test?sslmode=require');
    expect(t).toMatchObject({ host: 'db.example', port: 6543, user: 'app', password: 's3cr@t', database: 'test', params: { sslmode: 'require' } });
    expect(t.display).toBe('postgres://app:***@db.example:6543/test?sslmode=require');
    expect(libpqEnv(t)).toEqual({ PGHOST: 'db.example', PGPORT: '6543', PGUSER: 'app', PGPASSWORD: 's3cr@t', PGDATABASE: 'test', PGSSLMODE: 'require' });
  });

  test('SQLAlchemy scheme, default port and user', () => {
    expect(parseDatabaseUrl('database-url', 'postgresql+psycopg://localhost/app')).toMatchObject({ host: 'localhost', port: 5432, user: 'postgres', database: 'app' });
  });

  test.each([
    ['not a url hunter2', /must be a URL such as postgres:\/\/user:password@host:5432\/dbname/],
    ['mysql://root:hunter2@localhost/db', /must use the postgres:\/\/ or postgresql:\/\/ scheme \(got mysql:\/\/\)/],
    ['postgres://root:hunter2@localhost:5432/', /must name one database/],
    ['postgres://root:hunter2@localhost:99999/db', /must be a URL/],
  ])('%s is a one-line error without the password', (url, msg) => {
    let err: Error | undefined;
    try {
      parseDatabaseUrl('database-url', url);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).toMatch(/^input "database-url" /);
    expect(err?.message).toMatch(msg);
    expect(err?.message).not.toContain('hunter2');
    expect(err?.message).not.toContain('\n');
  });
});

describe('alembic output', () => {
  const history = [
    'Rev: 0003 (head)',
    'Parent: 0002',
    'Path: /w/migrations/versions/0003_c.py',
    '',
    '    add c',
    '',
    'Rev: 0002',
    'Parent: 0001',
    'Path: /w/migrations/versions/0002_b.py',
    '',
    'Rev: 0001',
    'Parent: <base>',
    'Path: /w/migrations/versions/0001_a.py',
  ].join('\n');

  test('history --verbose: base → head with paths', () => {
    expect(parseHistory(history)).toEqual([
      { id: '0001', parents: [], path: '/w/migrations/versions/0001_a.py' },
      { id: '0002', parents: ['0001'], path: '/w/migrations/versions/0002_b.py' },
      { id: '0003', parents: ['0002'], path: '/w/migrations/versions/0003_c.py' },
    ]);
  });

  test('heads', () => {
    expect(parseHeads('0002 (head)\n0003 (head)\n')).toEqual(['0002', '0003']);
    expect(parseHeads('ae1027a6acf (effective head)\n')).toEqual(['ae1027a6acf']);
    expect(parseHeads('')).toEqual([]);
  });

  test.each([
    ['def upgrade():\n    op.x()\n\ndef downgrade():\n    pass\n', 'empty', 4],
    ['def downgrade() -> None:\n    """Nothing."""\n    # TODO\n    ...\n', 'empty', 1],
    ['def downgrade():\n    op.drop_table("t")\n', 'ok', 1],
    ['def downgrade(\n) -> None:\n    pass\n\nx = 1\n', 'empty', 1],
    ['def downgrade():\n    raise NotImplementedError("one way")\n', 'irreversible', 1],
    ['def upgrade():\n    pass\n', 'missing', undefined],
  ])('classifyDowngrade %#', (src, kind, line) => {
    expect(classifyDowngrade(src)).toEqual(line === undefined ? { kind } : { kind, line });
  });
});

describe('snapshot diffs', () => {
  const s0 = ['column public.t.a #1 integer', 'relation public.t kind=r persistence=p', "type public.s enum ('a')"];
  const s2 = [
    'column public.t.a #1 integer',
    'index public.ix_t_a CREATE INDEX ix_t_a ON public.t USING btree (a)',
    'relation public.t kind=r persistence=p',
    'sequence public.n_seq bigint start=1 increment=1 min=1 max=9223372036854775807 cache=1',
    "type public.s enum ('a', 'b')",
  ];

  test('extra, lost and changed objects are named', () => {
    const d = diffSnapshots(s0, s2);
    expect(d.missing).toEqual(["type public.s enum ('a')"]);
    expect(describeDiff(d)).toBe('left behind index public.ix_t_a on public.t, sequence public.n_seq; changed type public.s');
    expect(enumValueLeftBehind(d)).toBe('public.s');
    expect(describeDiff(diffSnapshots(s2, s0))).toBe('lost index public.ix_t_a on public.t, sequence public.n_seq; changed type public.s');
  });

  test('a function is named by its whole signature, spaces and nested parentheses included', () => {
    const f = (args: string, md5: string) => `function public.total(${args}) kind=f returns numeric md5=${md5}`;
    expect(objectOf(f('a integer, b numeric(10,2)', 'x'))).toBe('function public.total(a integer, b numeric(10,2))');
    expect(describeDiff(diffSnapshots([f('a integer, b text', '1')], [f('a integer, b text', '2')]))).toBe('changed function public.total(a integer, b text)');
  });

  test('the rendered diff puts the old and new line of a changed object together', () => {
    const out = renderDiff(diffSnapshots(s0, s2), { expected: 'before', actual: 'after' }).split('\n');
    expect(out).toEqual([
      '--- before',
      '+++ after',
      '+ index public.ix_t_a CREATE INDEX ix_t_a ON public.t USING btree (a)',
      '+ sequence public.n_seq bigint start=1 increment=1 min=1 max=9223372036854775807 cache=1',
      "- type public.s enum ('a')",
      "+ type public.s enum ('a', 'b')",
    ]);
  });

  test.each([
    ['constraint public.t t_pkey PRIMARY KEY (id)', 'constraint t_pkey on public.t'],
    ['trigger public.t CREATE TRIGGER tg BEFORE INSERT ON public.t', 'trigger CREATE on public.t'],
    ['column public.t.a #1 integer', 'column public.t.a'],
  ])('objectOf %s', (line, obj) => expect(objectOf(line)).toBe(obj));

  test('parseSnapshot sorts, de-duplicates and splits on NUL only', () => {
    expect(parseSnapshot('b x\0a y\n z\0\0b x\0')).toEqual(['a y\n z', 'b x']);
  });

  test('the snapshot query quotes exclusion patterns and only adds positions in strict mode', () => {
    const strict = snapshotSql({ columnOrder: 'strict', excludeTables: ["o'brien"] });
    expect(strict).toContain("ARRAY['o''brien']::text[]");
    expect(strict).toContain('row_number() OVER');
    expect(snapshotSql({ columnOrder: 'logical', excludeTables: [] })).not.toContain('row_number() OVER');
  });
});

test.each([
  [
    'psycopg.errors.DuplicateTable: relation "ix" already exists\n[SQL: CREATE INDEX ix ON t (a)]\n(Background on this error at: https://sqlalche.me/e/21/f405)',
    'psycopg.errors.DuplicateTable: relation "ix" already exists',
  ],
  ['INFO ok\nsomething went wrong', 'something went wrong'],
  ["> Rolling back\nerror: relation \"ix\" already exists\n    at Parser.parseErrorMessage\n  severity: 'ERROR',\n  code: '42P07',", 'error: relation "ix" already exists'],
  ['', ''],
])('keyLine %#', (out, line) => expect(keyLine(out)).toBe(line));

test('golang-migrate revisions come from N_name.up.sql, numerically ordered', async () => {
  const { PRESETS } = await import('../src/presets.js');
  expect(PRESETS['golang-migrate'].revisionsFromFiles!(['10_b.up.sql', '10_b.down.sql', '9_a.up.sql', 'README.md', '0011_c.up.sql'])).toEqual(['9', '10', '11']);
});
