// `check --changed` scans only the commits not yet pushed: a repository with an upstream, one pushed
// commit and two unpushed ones, each commit adding a factory-default password the repository's own
// gitleaks.toml flags. Real gitleaks, real git, the real gitleaks-scan bundle.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonReport } from '../src/report.js';
import { freshBundle, git, pathWith, root, runCli, tempRepo } from './helpers.js';

const WF = `name: secrets
on: [pull_request, push]
jobs:
  gitleaks:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: gitleaks
        uses: acme/platform-actions/actions/gitleaks-scan@0123456789abcdef0123456789abcdef01234567 # v1
`;

let repo: string;
let env: Record<string, string>;
beforeAll(() => {
  freshBundle('gitleaks-scan');
  env = { PATH: pathWith('gitleaks') };
  repo = tempRepo({
    '.github/workflows/secrets.yml': WF,
    'gitleaks.toml': readFileSync(join(root, 'examples/python-web-service-secrets/gitleaks.toml'), 'utf8'),
    'pushed.ini': '[db]\npassword = changeme\n',
  });
  const upstream = mkdtempSync(join(tmpdir(), 'pa-cli-upstream-'));
  git(upstream, 'init', '-q', '--bare');
  git(repo, 'remote', 'add', 'origin', upstream);
  git(repo, 'push', '-q', '-u', 'origin', 'main');
  for (const [file, text] of [
    ['first.ini', '[db]\npassword = admin\n'],
    ['second.ini', '[cache]\npwd = secret\n'],
  ]) {
    writeFileSync(join(repo, file), text);
    git(repo, 'add', file);
    git(repo, 'commit', '-q', '-m', `add ${file}`);
  }
}, 300_000);

describe('check --changed', () => {
  it('scans @{upstream}..HEAD only: the two unpushed commits and their findings, not the pushed one', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'pa-cli-json-')), 'report.json');
    const r = await runCli(['check', '--repo', repo, '--changed', '--json', json], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
    expect(report.scope).toBe('origin/main..HEAD (2 unpushed commits)');
    expect(report.event).toBe('push');
    const stage = report.stages[0];
    expect([stage.name, stage.outcome, stage.outputs['scan-mode'], stage.outputs['commits-scanned'], stage.findingsCount]).toEqual([
      'gitleaks-scan',
      'policy-failure',
      'range',
      '2',
      2,
    ]);
    expect(stage.findings.map((f) => [f.file, f.line, f.ruleId]).sort()).toEqual([
      ['first.ini', 2, 'default-password'],
      ['second.ini', 2, 'default-password'],
    ]);
    expect(r.stdout).toMatch(/Result: policy failure — 1 stage, 2 findings, .*scope origin\/main\.\.HEAD \(2 unpushed commits\) \(exit 1\)/);
    // gitleaks redacts: the password never reaches the terminal or the report.
    expect(r.stdout + readFileSync(json, 'utf8')).not.toMatch(/changeme|= admin|= secret/);
  }, 120_000);

  it('without --changed, the local event (workflow_dispatch) scans the whole history: all three', async () => {
    const r = await runCli(['check', '--repo', repo, '--json', join(repo, '..', 'full.json')], env);
    const report = JSON.parse(readFileSync(join(repo, '..', 'full.json'), 'utf8')) as JsonReport;
    expect([r.code, report.stages[0].outputs['scan-mode'], report.stages[0].findingsCount]).toEqual([1, 'full', 3]);
  }, 120_000);

  it('once everything is pushed, --changed has nothing to scan and is clean', async () => {
    git(repo, 'push', '-q', 'origin', 'main');
    const r = await runCli(['check', '--repo', repo, '--changed'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/scope origin\/main\.\.HEAD \(0 unpushed commits\)/);
  }, 120_000);
});
