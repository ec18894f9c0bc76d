// What a user relies on (issue 23 §4, issue 25): the JSON report on every exit, --list with what each
// stage still needs, check from any subfolder, --repo inside a larger repository, one line when nothing
// is ours, skipped stages kept, one prefix per error line, report files that `run` keeps; and ours by
// repository identity through a fork's name, a local composite action and a local reusable workflow.
// Real tf-lock-check and gitleaks-scan bundles, real gitleaks and git.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JsonReport } from '../src/report.js';
import { cliVersion, freshBundle, git, node24, pathWith, root, runCli, tempRepo } from './helpers.js';

const TF = `on: pull_request
jobs:
  infra:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/platform-actions/actions/tf-lock-check@v1
        with:
          fail-on: critical
      - uses: acme/platform-actions/actions/gitleaks-scan@v1
        with:
          config: \${{ vars.GITLEAKS_CONFIG }}
`;

const validate = (() => {
  const schema = JSON.parse(readFileSync(join(root, 'packages/cli/schema/report.schema.json'), 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: true, allErrors: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (addFormats as any)(ajv);
  return ajv.compile(schema) as ((d: unknown) => boolean) & { errors?: unknown[] };
})();
const readReport = (file: string): JsonReport => {
  const r = JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
  expect(validate(r) ? [] : validate.errors).toEqual([]);
  return r;
};

let repo: string;
let out: string;
let env: Record<string, string>;
beforeAll(() => {
  freshBundle('tf-lock-check');
  freshBundle('gitleaks-scan');
  repo = tempRepo({ '.github/workflows/ci.yml': TF, 'docs/README.md': 'docs\n' }, { 'examples/sentiment-terraform/infra': 'infra' });
  out = mkdtempSync(join(tmpdir(), 'pa-cli-out-'));
  env = { PATH: pathWith('gitleaks') };
}, 300_000);

describe('check: what a user relies on', () => {
  it('--json is written on an exit 2 before any stage ran, with the errors in it', async () => {
    const json = join(out, 'early.json');
    const r = await runCli(['check', '--repo', repo, '--json', json], env);
    expect([r.code, r.stdout]).toEqual([2, '']);
    const report = readReport(json);
    expect(report).toMatchObject({ outcome: 'config-error', exitCode: 2, stages: [] });
    expect(report.errors).toEqual([
      'stage gitleaks-scan: input config is "${{ vars.GITLEAKS_CONFIG }}", and vars.GITLEAKS_CONFIG can only be evaluated by GitHub; set it with --input gitleaks-scan.config=…',
    ]);
    expect(r.stderr).toBe(`platform-actions: ${report.errors[0]}\n`);
    // Also for a bad flag, where nothing was read yet.
    const bad = await runCli(['check', '--repo', repo, '--only', 'nope', '--json', join(out, 'bad.json')], env);
    expect([bad.code, readReport(join(out, 'bad.json')).errors]).toEqual([2, ['--only/--skip: no stage "nope" (stages: tf-lock-check, gitleaks-scan)']]);
  });

  it('--list shows the stages and what each still needs, even with an input missing', async () => {
    const r = await runCli(['check', '--repo', repo, '--list'], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      [
        'tf-lock-check\ttf-lock-check\t.github/workflows/ci.yml › infra',
        'gitleaks-scan\tgitleaks-scan\t.github/workflows/ci.yml › infra',
        '  needs --input gitleaks-scan.config=… (vars.GITLEAKS_CONFIG is only known on GitHub)',
        'not ours, not run: actions/checkout',
        '',
      ].join('\n'),
    );
  });

  it('works from any subfolder of the repository (the default repository is the git root)', async () => {
    const r = await runCli(['check', '--list', '--input', 'gitleaks-scan.config='], env, { cwd: join(repo, 'docs') });
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, 'tf-lock-check\ttf-lock-check\t.github/workflows/ci.yml › infra']);
  });

  it('skipped stages stay visible in the output and the JSON; error lines name the action once', async () => {
    const json = join(out, 'skipped.json');
    const r = await runCli(['check', '--repo', repo, '--skip', 'gitleaks-scan', '--input', 'tf-lock-check.fail-on=severe', '--json', json], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/ {2}gitleaks-scan +gitleaks-scan +skipped +- +0\.0s/);
    const report = readReport(json);
    expect(report.stages.map((s) => [s.name, s.outcome, s.notes])).toEqual([
      ['tf-lock-check', 'config-error', []],
      ['gitleaks-scan', 'skipped', ['left out (--skip)']],
    ]);
    // The kit prefixes the action's name; the CLI already names the stage, so the line has it once.
    expect(report.stages[0].errors).toEqual([expect.stringMatching(/^input "fail-on" /)]);
    expect(r.stdout).toMatch(/\n {2}tf-lock-check: input "fail-on" /);
    expect(r.stdout).not.toMatch(/tf-lock-check: tf-lock-check:/);
  });

  it('a repository with nothing of ours says so in one line, without an empty table', async () => {
    const none = tempRepo({ '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n' });
    const r = await runCli(['check', '--repo', none], env);
    expect([r.code, r.stderr, r.stdout]).toEqual([0, '', 'Nothing of ours to run: no step in 1 workflow uses platform-actions (not ours, not run: actions/checkout).\n']);
  });

  it('--repo inside a larger git repository scans that folder, not the enclosing repository’s history', async () => {
    const outer = tempRepo({
      'leak/db.ini': '[db]\npassword = changeme\n',
      'svc/.github/workflows/ci.yml': 'on: push\njobs:\n  s:\n    runs-on: x\n    steps:\n      - uses: acme/platform-actions/actions/gitleaks-scan@v1\n',
      'svc/gitleaks.toml': readFileSync(join(root, 'examples/python-web-service-secrets/gitleaks.toml'), 'utf8'),
      'svc/app.ini': '[app]\nname = demo\n',
    });
    const json = join(out, 'inner.json');
    // The enclosing repository's history has a password (leak/db.ini); the folder alone has none.
    const r = await runCli(['check', '--repo', join(outer, 'svc'), '--json', json], env);
    const stage = readReport(json).stages[0];
    expect([r.code, stage.outcome, stage.outputs['scan-mode'], stage.findingsCount]).toEqual([0, 'clean', 'dir', 0]);
    expect(stage.notes).toEqual([]);
    // The same folder as its own repository with that history is caught: the scan is real.
    git(join(outer, 'svc'), 'init', '-q');
    writeFileSync(join(outer, 'svc', 'db.ini'), '[db]\npassword = changeme\n');
    git(join(outer, 'svc'), 'add', '-A');
    git(join(outer, 'svc'), 'commit', '-q', '-m', 'own history');
    const own = await runCli(['check', '--repo', join(outer, 'svc')], env);
    expect(own.code).toBe(1);
  }, 120_000);
});

describe('run: steps before a stage', () => {
  it('a run: step whose if: is false locally has empty outputs, as on GitHub: the stage needs no --input for them', async () => {
    const wf = `on: [push, schedule]\njobs:\n  infra:\n    runs-on: x\n    steps:\n      - id: level\n        if: github.event_name == 'schedule'\n        run: echo "fail-on=none" >> "$GITHUB_OUTPUT"\n      - uses: acme/platform-actions/actions/tf-lock-check@v1\n        with:\n          fail-on: \${{ steps.level.outputs.fail-on || 'critical' }}\n`;
    const r2 = tempRepo({ '.github/workflows/ci.yml': wf }, { 'examples/sentiment-terraform/infra': 'infra' });
    const json = join(out, 'skipped-step.json');
    const r = await runCli(['check', '--repo', r2, '--json', json], env);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(readReport(json).stages[0]).toMatchObject({ outcome: 'policy-failure', outputs: { outcome: 'policy-failure' } });
    // On the event where the step runs, only GitHub knows what it writes.
    const sched = await runCli(['check', '--repo', r2, '--event', 'schedule'], env);
    expect([sched.code, sched.stderr]).toEqual([
      2,
      expect.stringMatching(/steps\.level\.outputs\.fail-on can only be evaluated by GitHub; set it with --input tf-lock-check\.fail-on=…/),
    ]);
  });
});

describe('ours by repository identity', () => {
  const FORK = 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: my-fork/pa/actions/tf-lock-check@v1\n        with:\n          fail-on: none\n';
  it('a fork is ours only once .platform-actions.yml names it', async () => {
    const fork = tempRepo({ '.github/workflows/ci.yml': FORK }, { 'examples/sentiment-terraform/infra': 'infra' });
    const before = await runCli(['check', '--repo', fork], env);
    expect(before.stdout).toBe('Nothing of ours to run: no step in 1 workflow uses platform-actions (not ours, not run: my-fork/pa/actions/tf-lock-check).\n');
    writeFileSync(join(fork, '.platform-actions.yml'), 'repository: my-fork/pa\n');
    const after = await runCli(['check', '--repo', fork], env);
    expect([after.code, after.stdout]).toEqual([0, expect.stringMatching(/✔ \[1\/1\] tf-lock-check {2}clean/)]);
    expect(after.stdout).toContain(`note: checks run with platform-actions ${cliVersion}`);
    expect(after.stdout).toContain('your workflow pins v1 (.github/workflows/ci.yml › a)');
  });

  it('local composite actions and local reusable workflows that lead to ours are expanded; ones that do not are not ours', async () => {
    const composite = `name: scan\ninputs:\n  level:\n    default: high\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n    - uses: acme/platform-actions/actions/tf-lock-check@v1\n      with:\n        fail-on: \${{ inputs.level }}\n`;
    const plain = `name: other\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n`;
    const called = `on:\n  workflow_call:\n    inputs:\n      level:\n        type: string\njobs:\n  inner:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/scan\n        with:\n          level: \${{ inputs.level }}\n`;
    const ci = `on: push\njobs:\n  direct:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/scan\n        with:\n          level: none\n      - uses: ./.github/actions/other\n  chain:\n    uses: ./.github/workflows/called.yml\n    with:\n      level: critical\n`;
    const r2 = tempRepo(
      { '.github/workflows/ci.yml': ci, '.github/workflows/called.yml': called, '.github/actions/scan/action.yml': composite, '.github/actions/other/action.yml': plain },
      { 'examples/sentiment-terraform/infra': 'infra' },
    );
    const json = join(out, 'local.json');
    const r = await runCli(['check', '--repo', r2, '--json', json], env);
    const report = readReport(json);
    expect(report.stages.map((s) => [s.name, s.workflow, s.job, s.outcome])).toEqual([
      ['direct/tf-lock-check', '.github/actions/scan/action.yml', 'direct', 'clean'],
      ['inner/tf-lock-check', '.github/actions/scan/action.yml', 'inner', 'policy-failure'],
    ]);
    expect(report.notOurs.map((n) => [n.uses, n.why])).toEqual([
      ['actions/setup-node', undefined],
      ['./.github/actions/other', 'a local action that uses nothing of ours'],
    ]);
    expect(r.code).toBe(1);
  });
});

describe('run keeps the report files the user asked for', () => {
  it('--input sarif-file=… survives the run; the run’s own temp folders do not', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pa-cli-tmp-'));
    const json = join(out, 'run.json');
    const r = await runCli(['run', 'tf-lock-check', '--repo', repo, '--input', 'sarif-file=reports/tf.sarif', '--input', 'fail-on=none', '--json', json], { ...env, TMPDIR: tmp });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const sarif = JSON.parse(readFileSync(join(repo, 'reports', 'tf.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(r.stdout).toMatch(/Reports\n {2}tf-lock-check sarif-file: \S*reports\/tf\.sarif\n/);
    const stage = readReport(json).stages[0];
    expect([stage.reports, stage.outputs['sarif-file']]).toEqual([{ 'sarif-file': join(repo, 'reports', 'tf.sarif') }, join(repo, 'reports', 'tf.sarif')]);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('without it, the SARIF goes to the run’s temp folder and the report does not point at it', async () => {
    mkdirSync(join(out, 'x'), { recursive: true });
    const json = join(out, 'x', 'run2.json');
    const r = await runCli(['run', 'tf-lock-check', '--repo', repo, '--input', 'fail-on=none', '--json', json], env);
    expect(r.code).toBe(0);
    const stage = readReport(json).stages[0];
    expect([stage.reports, stage.outputs['sarif-file']]).toEqual([undefined, undefined]);
  });
});

describe('a tool that is not on PATH', () => {
  let server: Server;
  let mirror: string;
  beforeAll(async () => {
    // A fake release host (no internet here), laid out like gitleaks' GitHub releases: the harness's
    // gitleaks in the release's archive name and a checksums file the kit's installer verifies.
    const rel = join(out, 'release', 'v8.30.1');
    mkdirSync(rel, { recursive: true });
    const archive = 'gitleaks_8.30.1_linux_x64.tar.gz';
    execFileSync('tar', ['czf', join(rel, archive), '-C', dirname(toolBin('gitleaks')), 'gitleaks']);
    writeFileSync(
      join(rel, 'gitleaks_8.30.1_checksums.txt'),
      `${createHash('sha256')
        .update(readFileSync(join(rel, archive)))
        .digest('hex')}  ${archive}\n`,
    );
    server = createServer((req, res) => {
      const file = join(out, 'release', decodeURIComponent(req.url ?? '/'));
      if (req.method === 'GET' && file.startsWith(join(out, 'release')) && existsSync(file)) res.end(readFileSync(file));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    mirror = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('is installed by the action into the user cache, with a progress line on a terminal while it downloads', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'pa-cli-xdg-'));
    const r = await runCli(
      ['check', '--repo', repo, '--only', 'gitleaks-scan', '--input', 'gitleaks-scan.config=', '--input', `gitleaks-scan.mirror=${mirror}`],
      { PATH: [dirname(node24()), '/usr/bin', '/bin'].join(':'), XDG_CACHE_HOME: cache, NO_COLOR: '1' },
      { isTTY: true },
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    // The live line, redrawn in place, shows the download while it happens.
    expect(r.stdout).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[1\/1\] gitleaks-scan \d+\.\ds {2}gitleaks 8\.30\.1: downloading /);
    expect(existsSync(join(cache, 'platform-actions', 'tool-cache', 'gitleaks', '8.30.1', `${process.arch}.complete`))).toBe(true);
  }, 120_000);
});
