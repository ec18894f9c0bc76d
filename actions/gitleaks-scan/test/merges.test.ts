// Merge commits' own changes: whether git can show them, and the path gitleaks reports for a conflicted
// file (`b/<path>`) put back to the real one, against real git trees.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Leak } from '../src/findings.js';
import { Git } from '../src/git.js';
import { canRemergeDiff, fixMergePaths } from '../src/merges.js';
import { Repo } from './helpers.js';

let tmp: string;
let repo: Repo;
let head: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'gitleaks-merges-'));
  repo = await Repo.init(join(tmp, 'repo'));
  head = await repo.commit('files', { 'app.ini': 'x\n', 'b/real.ini': 'y\n' });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const leak = (file: string): Leak => ({
  ruleId: 'aws-access-token',
  description: '',
  file,
  startLine: 2,
  endLine: 2,
  startColumn: 1,
  endColumn: 2,
  commit: head,
  author: '',
  date: '',
  tags: [],
  ignoreLine: `${head}:${file}:aws-access-token:2`,
});

test("b/<path> that is not in the commit, where <path> is: the real path, and the id keeps gitleaks' name", async () => {
  const l = leak('b/app.ini');
  await fixMergePaths(await Git.open(repo.dir), [l]);
  expect(l).toMatchObject({ file: 'app.ini', idFile: 'b/app.ini', ignoreLine: `${head}:b/app.ini:aws-access-token:2` });
});

test('a real b/ folder, or a path in neither form, is left alone', async () => {
  const real = leak('b/real.ini');
  const neither = leak('b/nowhere.ini');
  await fixMergePaths(await Git.open(repo.dir), [real, neither]);
  expect(real.file).toBe('b/real.ini');
  expect(neither.file).toBe('b/nowhere.ini');
  expect(real.idFile).toBeUndefined();
});

test('--remerge-diff from git 2.36', () => {
  expect(canRemergeDiff('2.36.0')).toBe(true);
  expect(canRemergeDiff('2.39.5')).toBe(true);
  expect(canRemergeDiff('2.35.8')).toBe(false);
  expect(canRemergeDiff(undefined)).toBe(false);
});
