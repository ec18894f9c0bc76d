// Reading the repository: a path (given or found) whose real path leaves the workspace is refused with one
// line naming it, never what is behind it; dangling links count by their target.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, inputs, isInside, linkLeadingOutside, readRepoFile, realish, resolveRepoPath, UserError } from '@platform-actions/kit';
import { type ActionEnv, actionEnv } from './env.js';

let env: ActionEnv;
let ws: string;
let outside: string;
beforeEach(() => {
  outside = mkdtempSync(join(tmpdir(), 'kit-outside-'));
  writeFileSync(join(outside, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
  env = actionEnv({});
  ws = join(env.dir, 'ws');
  mkdirSync(join(ws, 'sub'), { recursive: true });
  process.env.GITHUB_WORKSPACE = ws;
  process.env.RUNNER_TEMP = join(env.dir, 'temp');
  mkdirSync(process.env.RUNNER_TEMP);
  writeFileSync(join(ws, 'sub', 'ok.txt'), 'fine\n');
  symlinkSync(join(outside, 'secret.txt'), join(ws, '.gitleaks.toml'));
  symlinkSync(outside, join(ws, 'out-dir'));
  symlinkSync(join(outside, 'not-yet-there.sarif'), join(ws, 'dangling.sarif'));
  symlinkSync('../sub/ok.txt', join(ws, 'sub', 'inside-link.txt'));
  mkdirSync(join(ws, 'chart', 'templates'), { recursive: true });
  symlinkSync(join(outside, 'secret.txt'), join(ws, 'chart', 'templates', 'cm.yaml'));
});
afterEach(() => {
  env.restore();
  rmSync(outside, { recursive: true, force: true });
});

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
};

describe('readRepoFile', () => {
  test('reads a file inside the workspace, also through a link that stays inside', () => {
    expect(readRepoFile('sub/ok.txt')).toBe('fine\n');
    expect(readRepoFile('sub/inside-link.txt')).toBe('fine\n');
  });
  test('a found file linking outside: one line naming the link, never the content or the target', () => {
    const m = message(() => readRepoFile('.gitleaks.toml'));
    expect(m).toBe('.gitleaks.toml is a symlink that leads outside the workspace; it is not read (replace the link with the file, or link to a file inside the repository)');
    expect(m).not.toContain('TOP-SECRET');
    expect(m).not.toContain(outside);
    expect(() => readRepoFile('.gitleaks.toml')).toThrow(UserError);
  });
  test('through a linked folder, with ../, and absolute: refused', () => {
    expect(message(() => readRepoFile('out-dir/secret.txt'))).toMatch(/^out-dir\/secret\.txt is a symlink that leads outside the workspace/);
    expect(message(() => readRepoFile('../../etc/passwd'))).toBe('../../etc/passwd is outside the workspace; it is not read');
    expect(message(() => readRepoFile('/etc/passwd'))).toBe('/etc/passwd is outside the workspace; it is not read');
  });
  test('with an input: the InputError wording every path input uses', () => {
    expect(() => readRepoFile('.gitleaks.toml', { input: 'config' })).toThrow(InputError);
    expect(message(() => readRepoFile('.gitleaks.toml', { input: 'config' }))).toBe(
      `input "config" must be a path inside the workspace (${ws}) (it is a symlink that leads outside); got ".gitleaks.toml"`,
    );
  });
  test('a missing file, a folder, and a file over the size bound', () => {
    expect(message(() => readRepoFile('nope.toml'))).toBe('nope.toml does not exist');
    expect(message(() => readRepoFile('sub'))).toBe('sub is not a regular file; it is not read');
    writeFileSync(join(ws, 'big.txt'), 'x'.repeat(2048));
    expect(message(() => readRepoFile('big.txt', { maxBytes: 1024 }))).toBe('big.txt is larger than 1 KiB; it is not read');
  });
  test('label names a found file the way the action shows it', () => {
    expect(message(() => readRepoFile(join(ws, '.gitleaks.toml'), { label: 'the repository .gitleaks.toml' }))).toMatch(/^the repository \.gitleaks\.toml is a symlink/);
  });
});

describe('resolveRepoPath', () => {
  test('a dangling link is judged by its target: writing through it would create a file outside', () => {
    expect(realish(join(ws, 'dangling.sarif'))).toBe(join(realish(outside), 'not-yet-there.sarif'));
    expect(isInside(ws, join(ws, 'dangling.sarif'))).toBe(false);
    expect(message(() => resolveRepoPath('dangling.sarif', { input: 'sarif-file', allowRunnerTemp: true }))).toMatch(
      /^input "sarif-file" must be a path inside the workspace .* or RUNNER_TEMP \(it is a symlink that leads outside\)/,
    );
  });
  test('tree: a chart folder holding a link that leads outside is refused, naming the link', () => {
    expect(linkLeadingOutside(join(ws, 'chart'), ws)).toBe(join(ws, 'chart', 'templates', 'cm.yaml'));
    expect(message(() => resolveRepoPath('chart', { input: 'chart', tree: true }))).toBe(
      `input "chart" must be a path inside the workspace (${ws}) (it is a symlink that leads outside): chart/templates/cm.yaml inside it leads outside the workspace; got "chart"`,
    );
    expect(resolveRepoPath('sub', { tree: true, mustExist: 'dir' })).toBe(join(ws, 'sub'));
  });
  test('RUNNER_TEMP only when allowed', () => {
    const t = join(process.env.RUNNER_TEMP!, 'x.json');
    expect(resolveRepoPath(t, { allowRunnerTemp: true })).toBe(t);
    expect(message(() => resolveRepoPath(t, { input: 'baseline-path' }))).toMatch(/^input "baseline-path" must be a path inside the workspace/);
  });
  test('inputs.path and inputs.outputFile use the same check (one mechanism)', () => {
    process.env.INPUT_CONFIG = '.gitleaks.toml';
    process.env['INPUT_SARIF-FILE'] = 'dangling.sarif';
    expect(message(() => inputs.path('config', { mustExist: 'file' }))).toMatch(/^input "config" must be a path inside the workspace .*symlink that leads outside/);
    expect(message(() => inputs.outputFile('sarif-file', 'x.sarif'))).toMatch(/^input "sarif-file" must be a path inside the workspace .*symlink that leads outside/);
  });
});
