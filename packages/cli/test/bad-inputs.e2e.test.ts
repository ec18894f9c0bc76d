// Every bad command line in bad-inputs.cases.ts: exit code 2, exactly one stderr line naming the flag and
// what was expected, nothing on stdout, no stack trace, and no bundle run. One case also goes through
// the real `platform-actions` executable to prove the same holds outside the test process.
import { describe, expect, it, beforeAll } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cases } from './bad-inputs.cases.js';
import { root, runCli, tempRepo } from './helpers.js';

const WF = `on: pull_request
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/platform-actions/actions/helm-validate@v1
      - uses: acme/platform-actions/actions/tf-lock-check@v1
`;

let repo: string;
let dir: string;
let file: string;
beforeAll(() => {
  repo = tempRepo({ '.github/workflows/ci.yml': WF });
  dir = mkdtempSync(join(tmpdir(), 'pa-cli-bad-'));
  file = join(dir, 'not-json.txt');
  writeFileSync(file, 'not json');
});

const fill = (argv: string[]) => argv.map((a) => a.replace('{repo}', repo).replace('{dir}', dir).replace('{file}', file));

describe('bad command lines', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const r = await runCli(fill(c.argv));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^platform-actions: /);
    expect(lines[0]).toMatch(c.expect);
    expect(lines[0]).not.toMatch(/\n\s+at |internal error/);
  });

  it('the installed executable prints the same one line and exits 2 (no stack trace)', () => {
    const bin = join(root, 'node_modules', '.bin', 'platform-actions');
    const r = spawnSync(bin, ['run', 'trivy'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^platform-actions: run: unknown action "trivy" \(one of: .*helm-validate/)]);
    // And --help works from the executable, with exit 0.
    expect(execFileSync(bin, ['--help'], { encoding: 'utf8' })).toMatch(/^usage: platform-actions <command>/);
  });
});
