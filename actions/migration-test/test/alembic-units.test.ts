// Unit tests for the Alembic walk and error reading: topological order over branches, merges and
// depends_on; heads of an applied set; how the helper is started; setup-error classification; the forms of
// the password that are scrubbed.
import { describe, expect, test } from '@jest/globals';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError, UserError } from '@platform-actions/kit';
import { blame, formatError, headline, setupError } from '../src/alembic-errors.js';
import { describeGraph, headsOf, topoOrder } from '../src/alembic-run.js';
import { type AlembicRevision, helperArgv, type PyError } from '../src/alembic-session.js';
import { Secrets } from '../src/secrets.js';

const rev = (id: string, parents: string[] = [], dependsOn: string[] = []): AlembicRevision => ({ id, parents, dependsOn, branchLabels: [], isMerge: parents.length > 1 });

describe('topoOrder', () => {
  // As Alembic walks it: heads first.
  const graph = [rev('d', ['m']), rev('m', ['b', 'c']), rev('c', ['a']), rev('b', ['a']), rev('a')];

  test('parents before children, both branches before their merge', () => {
    const order = topoOrder(graph);
    expect(order).toHaveLength(5);
    for (const r of graph) for (const p of r.parents) expect(order.indexOf(p)).toBeLessThan(order.indexOf(r.id));
    expect(order[0]).toBe('a');
    expect(order.slice(-2)).toEqual(['m', 'd']);
  });

  test('depends_on counts as a parent; two roots are fine', () => {
    const order = topoOrder([rev('y', ['x'], ['q']), rev('q'), rev('x')]);
    expect(order.indexOf('q')).toBeLessThan(order.indexOf('y'));
    expect(order.indexOf('x')).toBeLessThan(order.indexOf('y'));
  });

  test('describeGraph: a branched history does not print as a chain', () => {
    const byId = new Map(graph.map((r) => [r.id, r]));
    expect(describeGraph(topoOrder(graph), byId)).toBe('a → b; c (on a); m (merges b + c) → d');
    const line = [rev('1'), rev('2', ['1']), rev('3', ['2'])];
    expect(describeGraph(['1', '2', '3'], new Map(line.map((r) => [r.id, r])))).toBe('1 → 2 → 3');
  });

  test('headsOf: what no other applied revision builds on', () => {
    const byId = new Map(graph.map((r) => [r.id, r]));
    expect(headsOf(['a', 'b', 'c'], byId)).toEqual(['b', 'c']);
    expect(headsOf(['a', 'b', 'c', 'm'], byId)).toEqual(['m']);
    expect(headsOf([], byId)).toEqual([]);
  });
});

describe('helperArgv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mt-argv-'));
  const script = (name: string, shebang: string) => {
    writeFileSync(join(dir, name), `${shebang}\nprint("x")\n`);
    chmodSync(join(dir, name), 0o755);
  };

  test('alembic on PATH: its shebang interpreter runs the helper, with -c/-x passed on', () => {
    script('alembic', '#!/opt/venv/bin/python3.12');
    expect(helperArgv(['alembic', '-c', 'db/alembic.ini'], '/t/h.py', dir)).toEqual(['/opt/venv/bin/python3.12', '/t/h.py', '-c', 'db/alembic.ini']);
  });

  test('"#!/usr/bin/env python3" keeps env and its argument', () => {
    const d2 = mkdtempSync(join(tmpdir(), 'mt-argv-'));
    writeFileSync(join(d2, 'alembic'), '#!/usr/bin/env python3\n');
    chmodSync(join(d2, 'alembic'), 0o755);
    expect(helperArgv(['alembic'], '/t/h.py', d2)).toEqual(['/usr/bin/env', 'python3', '/t/h.py']);
  });

  test('a wrapper (poetry run alembic): the word alembic becomes python <helper>', () => {
    expect(helperArgv(['poetry', 'run', 'alembic', '-n', 'app'], '/t/h.py', dir)).toEqual(['poetry', 'run', 'python', '/t/h.py', '-n', 'app']);
  });

  test('no alembic on PATH, or a command without alembic: configuration errors', () => {
    expect(() => helperArgv(['alembic'], '/t/h.py', '/nonexistent')).toThrow(UserError);
    expect(() => helperArgv(['alembic'], '/t/h.py', '/nonexistent')).toThrow(/alembic is not on PATH/);
    expect(() => helperArgv(['make', 'migrate'], '/t/h.py', dir)).toThrow('input "command" must run alembic');
  });
});

describe('setupError', () => {
  const revFiles = new Map([['/w/migrations/versions/0001_x.py', '0001']]);
  const ctx = { envPy: '/w/migrations/env.py', revFiles, urlEnv: 'DATABASE_URL' };
  const err = (type: string, message: string, files: string[] = [], module = 'builtins'): PyError => ({
    type,
    module,
    message,
    frames: files.map((file, i) => ({ file, line: 10 + i, func: 'f' })),
    traceback: `Traceback\n${type}: ${message}`,
  });

  test.each([
    ['NoSuchModuleError', "Can't load plugin: sqlalchemy.dialects:postgres", UserError, /use postgresql:\/\//],
    ['ModuleNotFoundError', "No module named 'psycopg2'", UserError, /pip install psycopg2-binary/],
    ['OperationalError', '(psycopg.OperationalError) connection failed: connection to server at "127.0.0.1", port 1 failed: Connection refused', ToolError, /could not connect/],
  ])('%s is a setup error', (type, message, cls, re) => {
    const e = setupError(err(type, message, ['/w/migrations/env.py']), ctx, 'connecting');
    expect(e).toBeInstanceOf(cls);
    expect(e?.message).toMatch(re);
  });

  test('an exception raised in env.py is a config error at its line', () => {
    const e = setupError(err('KeyError', "'APP_URL'", ['/site/alembic/x.py', '/w/migrations/env.py']), ctx, 'connecting');
    expect(e).toBeInstanceOf(UserError);
    expect(e?.message).toContain(":11 (connecting): KeyError: 'APP_URL' (the database URL reaches env.py only as DATABASE_URL");
  });

  test('an exception in a revision file is the migration’s, not the setup’s', () => {
    expect(setupError(err('RuntimeError', 'boom', ['/w/migrations/env.py', '/w/migrations/versions/0001_x.py']), ctx, 'upgrade')).toBeUndefined();
    expect(
      setupError(
        err('ProgrammingError', '(psycopg.errors.UndefinedTable) relation "x" does not exist\n[SQL: ...]', ['/w/migrations/versions/0001_x.py', '/site/sa.py']),
        ctx,
        'upgrade',
      ),
    ).toBeUndefined();
  });

  test('blame: the revision being applied, and the database error its migration caught, at its line', () => {
    const aborted: PyError = {
      ...err('InternalError', '(psycopg.errors.InFailedSqlTransaction) current transaction is aborted, commands ignored until end of transaction block', [
        '/w/migrations/env.py',
        '/site/alembic/runtime/migration.py',
      ]),
      applying: { rev: '0001', up: true, stage: 'version-table' },
      firstDbError: {
        type: 'UndefinedObject',
        module: 'psycopg.errors',
        message: 'constraint "uq_old" of relation "users" does not exist',
        statement: 'ALTER TABLE users\n  DROP CONSTRAINT uq_old',
        frames: [
          { file: '/w/migrations/versions/0001_x.py', line: 12, func: 'upgrade' },
          { file: '/site/sa.py', line: 1, func: 'execute' },
        ],
      },
    };
    expect(setupError(aborted, ctx, 'upgrade')).toBeInstanceOf(UserError); // what the env.py frame alone would say
    const b = blame(aborted, revFiles);
    expect(b).toMatchObject({ revision: '0001', file: '/w/migrations/versions/0001_x.py', line: 12 });
    expect(b.swallowed).toMatch(
      /caught the exception \(try\/except\).*surfaced when Alembic recorded the revision in its version table; the first error: UndefinedObject: constraint "uq_old" of relation "users" does not exist \[ALTER TABLE users DROP CONSTRAINT uq_old\]/,
    );
    // An error the migration did not catch is blamed as before, with no story about a swallowed one.
    const plain = {
      ...err('ProgrammingError', 'relation "x" does not exist', ['/w/migrations/versions/0001_x.py']),
      applying: { rev: '0001', up: true, stage: 'migration' as const },
    };
    expect(blame(plain, revFiles)).toEqual({ revision: '0001', file: '/w/migrations/versions/0001_x.py', line: 10, func: 'f', swallowed: undefined });
  });

  test('headline and formatError: the exception, then the user frame', () => {
    const e = err('ProgrammingError', '(psycopg.errors.DuplicateTable) relation "t" already exists\n[SQL: CREATE TABLE t ()]', ['/w/migrations/versions/0001_x.py', '/site/sa.py']);
    expect(headline(e)).toBe('ProgrammingError: (psycopg.errors.DuplicateTable) relation "t" already exists');
    expect(formatError(e, revFiles).at).toMatch(/0001_x\.py:10 in f\(\)$/);
  });
});

test('Secrets: the password decoded, percent-encoded, and the URL with and without its query are scrubbed', () => {
  const s = new Secrets();
  const pw = 'p%@/#:Zq9!xW';
  const enc = encodeURIComponent(pw);
  const url = `postgresql+psycopg://app:${enc}@db:5432/app?sslmode=disable`;
  s.addDatabaseUrl(url);
  for (const form of [pw, enc, url, url.split('?')[0]]) expect(s.scrub(`x ${form} y`)).toBe('x *** y');
  expect(s.scrub('postgresql+psycopg://app:***@db:5432/app')).toBe('postgresql+psycopg://app:***@db:5432/app');
});
