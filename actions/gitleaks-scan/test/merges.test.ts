// Merge commits' own changes: whether git can show them, and the path gitleaks reports for a conflicted
// file (`b/<path>`) put back to the real one, against real git trees.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Leak } from '../src/findings.js';
import { Git } from '../src/git.js';
import { canRemergeDiff, fixMergePaths, inParent, mergesOwnLeaks } from '../src/merges.js';
import { awsKey, Repo } from './helpers.js';

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

describe("inParent: is the secret at this line of the merge already in a parent's file", () => {
  // Test data only: the value is made up here, never a credential.
  const k = awsKey();
  const at = (line: number, startColumn: number, endColumn = startColumn + k.length - 1) => ({ startLine: line, endLine: line, startColumn, endColumn });
  test.each([
    ['the same line in a parent', `[a]\nkey = ${k}\n`, [`key = ${k}\nx\n`], at(2, 7), true],
    ['the same secret on a reworded line (columns exact)', `[a]\nkey = ${k}\n`, [`aws_key: "${k}"\n`], at(2, 7), true],
    ["gitleaks' columns one byte late (a later line of its hunk)", `[a]\nkey = ${k}\n`, [`aws_key: "${k}"\n`], at(2, 8, 7 + k.length), true],
    ['a multi-byte character before it (columns are bytes)', `[a]\nschlüssel = ${k}\n`, [`k: ${k}\n`], at(2, 14), true],
    ['a new secret', `[a]\nkey = ${k}\n`, ['key = AKIAOTHERKEY0000000\n', '[a]\n'], at(2, 7), false],
    ['no parent has the file', `[a]\nkey = ${k}\n`, [], at(2, 7), false],
    ['a line past the end', 'one\n', ['one\n'], at(9, 1), false],
    ['an empty line is no evidence', '\n\n', ['\n'], { startLine: 1, endLine: 1, startColumn: 0, endColumn: 0 }, false],
    ['CRLF in one, LF in the other', `[a]\r\nkey = ${k}\r\n`, [`key = ${k}\n`], at(2, 7), true],
    [
      'a multi-line secret: every line in the parent',
      `-----BEGIN X-----\nAAAA\nBBBB\n-----END X-----\n`,
      ['-----BEGIN X-----\nAAAA\nBBBB\n-----END X-----\n'],
      { startLine: 1, endLine: 4, startColumn: 1, endColumn: 15 },
      true,
    ],
    [
      'a multi-line secret with one new line',
      `-----BEGIN X-----\nAAAA\nCCCC\n-----END X-----\n`,
      ['-----BEGIN X-----\nAAAA\nBBBB\n-----END X-----\n'],
      { startLine: 1, endLine: 4, startColumn: 1, endColumn: 15 },
      false,
    ],
  ])('%s', (_name, merged, parents, l, want) => {
    expect(inParent(merged, parents, l)).toBe(want);
  });
});

test('mergesOwnLeaks against real git: leaks of ordinary commits and of files no parent has are kept', async () => {
  const r = await Repo.init(join(tmp, 'own'));
  const k = awsKey();
  await r.commit('base', { 'README.md': 'x\n' });
  await r.checkout('side', { create: true });
  const side = await r.commit('side adds a key', { 'side.ini': `key = ${k}\n` });
  await r.checkout('main');
  await r.commit('main', { 'main.txt': 'm\n' });
  await r.git('merge', '-q', '--no-ff', '--no-commit', 'side');
  await r.commit('merge, adding a key of its own', { 'evil.ini': `key = ${k}\n` });
  const merge = await r.sha('HEAD');
  const mk = (commit: string, file: string): Leak => ({ ...leak(file), commit, startLine: 1, endLine: 1, startColumn: 7, endColumn: 6 + k.length });
  const leaks = [mk(side, 'side.ini'), mk(merge, 'side.ini'), mk(merge, 'evil.ini')];
  const { own, inherited } = await mergesOwnLeaks(await Git.open(r.dir), leaks);
  expect(own).toEqual([leaks[0], leaks[2]]);
  expect(inherited).toEqual([leaks[1]]);
});
