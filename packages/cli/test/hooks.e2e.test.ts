// The plain git pre-push hook we ship (packages/cli/examples/pre-push) in a real repository, with the CLI
// of this checkout on PATH: a push that brings a secret is stopped with the finding on screen and the way
// out on the last line, a clean push goes through, and the hook definitions for pre-commit and lefthook run
// the same command with the pushed refs. (consumer.e2e.test.ts runs all three from the installed package.)
import { beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { dirname } from 'node:path';
import { freshBundle, git, node24, pathWith, root, tempRepo } from './helpers.js';

const WF = `on: [push]
jobs:
  secrets:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/platform-actions/actions/gitleaks-scan@0123456789abcdef0123456789abcdef01234567 # v1
`;

let repo: string;
let env: NodeJS.ProcessEnv;
const push = (...args: string[]) => spawnSync('git', ['push', ...args], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });

beforeAll(() => {
  freshBundle('gitleaks-scan');
  // The CLI on PATH, as after npm install -g (the hook prefers it over npx), run by Node 24.
  env = { ...process.env, PATH: [join(root, 'node_modules', '.bin'), dirname(node24()), pathWith('gitleaks')].join(':'), NO_COLOR: '1' };
  repo = tempRepo({
    '.github/workflows/secrets.yml': WF,
    'gitleaks.toml': readFileSync(join(root, 'examples/python-web-service-secrets/gitleaks.toml'), 'utf8'),
    'app.ini': '[app]\nname = demo\n',
  });
  const upstream = mkdtempSync(join(tmpdir(), 'pa-cli-hook-up-'));
  git(upstream, 'init', '-q', '--bare');
  git(repo, 'remote', 'add', 'origin', upstream);
  copyFileSync(join(root, 'packages/cli/examples/pre-push'), join(repo, '.git/hooks/pre-push'));
}, 300_000);

describe('pre-push hook', () => {
  it('first push of a branch without an upstream: checks the whole history, clean, pushed', () => {
    const r = push('-u', 'origin', 'main');
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/✔ \[1\/1\] gitleaks-scan {2}clean/)]);
  }, 120_000);

  it('a push that brings a secret is stopped, naming the file and line; the last line says how to fix or skip it', () => {
    writeFileSync(join(repo, 'db.ini'), '[db]\npassword = changeme\n');
    git(repo, 'add', 'db.ini');
    git(repo, 'commit', '-q', '-m', 'db settings');
    const r = push();
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/db\.ini:2 {2}MEDIUM +default-password/);
    expect(r.stdout).toMatch(/Result: policy failure — 1 stage, 1 finding, .*scope origin\/main\.\.main \(1 commit\) \(exit 1\)/);
    const hookLines = r.stderr.split('error: failed to push')[0].trimEnd().split('\n');
    expect(hookLines.at(-1)).toMatch(
      /^platform-actions: push stopped: 1 finding at or above the workflows' fail-on, in \d+\.\ds\. .* or skip this check once with git push --no-verify\.$/,
    );
    expect(r.stderr).toMatch(/failed to push some refs/);
    expect(git(repo, 'rev-parse', 'HEAD')).not.toBe(git(repo, 'rev-parse', 'origin/main'));
  }, 120_000);

  it('once the secret is gone from the unpushed commits, the push goes through', () => {
    git(repo, 'reset', '-q', '--hard', 'origin/main');
    writeFileSync(join(repo, 'db.ini'), '[db]\npassword_env = DB_PASSWORD\n');
    git(repo, 'add', 'db.ini');
    git(repo, 'commit', '-q', '-m', 'db settings from the environment');
    const r = push();
    expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/scope origin\/main\.\.main \(1 commit\) \(exit 0\)/)]);
  }, 120_000);

  it('the pre-commit and lefthook definitions run the same command on pre-push, with the pushed refs', () => {
    const hooks = parse(readFileSync(join(root, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string; entry: string; stages: string[]; language: string }>;
    expect(hooks.map((h) => [h.id, h.language, h.stages.includes('pre-push')])).toEqual([
      ['platform-actions', 'system', true],
      ['platform-actions-check-all', 'system', true],
    ]);
    expect(hooks[0].entry).toMatch(/node_modules\/\.bin\/platform-actions pre-push; fi; exec platform-actions pre-push'/);
    const lefthook = parse(readFileSync(join(root, 'packages/cli/examples/lefthook.yml'), 'utf8'));
    expect(lefthook['pre-push'].commands['platform-actions']).toMatchObject({ use_stdin: true, run: expect.stringMatching(/exec platform-actions pre-push \{1\} \{2\}/) });
    expect(readFileSync(join(root, 'packages/cli/examples/pre-push'), 'utf8')).toMatch(/exec platform-actions pre-push "\$@"/);
  });
});
