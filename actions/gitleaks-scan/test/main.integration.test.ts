// main() in-process (test/helpers/main-in-process.ts): a clean full scan with the harness's real gitleaks, and
// a bad input that ends in config-error, one line naming the input, before gitleaks runs.
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runMain } from '../../../test/helpers/main-in-process.js';
import { toolBin } from '../../../test/harness/tools.js';
import { ACTION } from '../src/action.js';
import { main } from '../src/main.js';

jest.setTimeout(60_000);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A git repository with one commit holding `files`. */
function repo(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'gitleaks-main-'));
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, p)), { recursive: true });
    writeFileSync(join(d, p), text);
  }
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...a], { cwd: d, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'init');
  return d;
}

const scan = (workspace: string, inputs: Record<string, string>) =>
  runMain(ACTION, main, {
    workspace,
    inputs: { comment: 'false', version: 'system', ...inputs },
    env: { GITHUB_REPOSITORY: 'acme/app', PATH: `${dirname(toolBin('gitleaks'))}:${process.env.PATH}` },
  });

describe('main() in-process', () => {
  test('clean: a repository without secrets, scanned in full by the real gitleaks', async () => {
    const r = await scan(repo({ 'app.py': 'print("hello")\n' }), { mode: 'full' });
    expect(r.failed).toBe(false);
    expect(r.failure).toBeUndefined();
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(r.stdout).toMatch(/INF 1 commits scanned\.[\s\S]*INF no leaks found/);
    // Only the refs of this clone were scanned (no origin remote): said once, under the action's name.
    expect(r.log.annotations.filter((a) => a.level === 'warning').map((a) => a.title)).toEqual(['gitleaks-scan: not every ref was scanned']);
  });
  test('config-error: a misspelt fail-on is one line naming the input, and outcome and counts are set', async () => {
    const r = await scan(repo({ 'app.py': 'x = 1\n' }), { mode: 'full', 'fail-on': 'hgh' });
    expect(r.failed).toBe(true);
    expect(r.failure).toMatch(/^gitleaks-scan: input "fail-on" /);
    expect(r.outputs).toMatchObject({ outcome: 'config-error', 'findings-count': '0' });
  });
});
