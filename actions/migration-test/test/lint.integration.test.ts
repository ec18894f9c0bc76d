// squawk lint with the real squawk (provision: squawk) over .sql files and over Alembic's offline SQL
// from the real Alembic, split per revision so findings land on the revision file.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, jest, test } from '@jest/globals';
import { toolBin } from '../../../test/harness/tools.js';
import { alembicUnits, runSquawk, splitAlembicSql, sqlFileUnits, squawkFindings } from '../src/lint.js';
import { alembicProject, CHAINS } from './helpers.js';

jest.setTimeout(120_000);
const run = promisify(execFile);
const opts = (inTransaction: boolean) => ({ squawk: toolBin('squawk'), pgMajor: 15, exclude: ['prefer-robust-stmts'], inTransaction, timeoutMs: 60_000 });

test('splitAlembicSql keeps each revision DDL and drops the bookkeeping', () => {
  const sql = [
    'BEGIN;',
    'CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);',
    '-- Running upgrade  -> 0001',
    'CREATE TABLE a (id int);',
    "INSERT INTO alembic_version (version_num) VALUES ('0001') RETURNING alembic_version.version_num;",
    '-- Running upgrade 0001 -> 0002',
    'ALTER TABLE a ADD COLUMN b int NOT NULL;',
    "UPDATE alembic_version SET version_num='0002' WHERE alembic_version.version_num = '0001';",
    'COMMIT;',
  ].join('\n');
  expect(splitAlembicSql(sql)).toEqual([
    { revision: '0001', sql: 'CREATE TABLE a (id int);\n' },
    { revision: '0002', sql: 'ALTER TABLE a ADD COLUMN b int NOT NULL;\n' },
  ]);
});

test('.sql files: a NOT NULL column without default is flagged at its file and line', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mt-lint-'));
  const dir = join(root, 'migrations');
  mkdirSync(dir);
  writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '002_b.sql'), '-- add b\nALTER TABLE a ADD COLUMN b bigint NOT NULL;\n');
  const prev = process.env.GITHUB_WORKSPACE;
  process.env.GITHUB_WORKSPACE = root;
  try {
    const units = sqlFileUnits(dir);
    expect(units.map((u) => u.location)).toEqual(['migrations/001_a.sql', 'migrations/002_b.sql']);
    const f = squawkFindings(await runSquawk(units, opts(false)), units);
    const required = f.find((x) => x.ruleId === 'squawk/adding-required-field');
    expect(required).toMatchObject({ severity: 'medium', location: { path: 'migrations/002_b.sql', startLine: 2 } });
    expect(f.every((x) => x.location?.path === 'migrations/002_b.sql')).toBe(true);
  } finally {
    if (prev === undefined) delete process.env.GITHUB_WORKSPACE;
    else process.env.GITHUB_WORKSPACE = prev;
  }
});

test('Alembic offline SQL: the finding points at the revision file', async () => {
  const dir = alembicProject(CHAINS.dangerous);
  const { stdout } = await run(toolBin('pyenv', 'alembic'), ['upgrade', 'head', '--sql'], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: 'postgres://u@127.0.0.1:1/x' },
    timeout: 60_000,
  });
  const units = alembicUnits(stdout, (rev) => `migrations/versions/${rev}_rev.py`);
  expect(units.map((u) => u.revision)).toEqual(['0001', '0002']);
  const f = squawkFindings(await runSquawk(units, opts(true)), units);
  const required = f.find((x) => x.ruleId === 'squawk/adding-required-field');
  expect(required?.location).toEqual({ path: 'migrations/versions/0002_rev.py', startLine: 1 });
  expect(required?.message).toMatch(/\(0002, line 1 of its generated SQL\)$/);
});
