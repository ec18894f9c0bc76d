// `platform-actions check` on a repository whose workflows use our actions directly and through one of
// our reusable workflows: the stages it finds are the workflow steps, each verdict and finding count is
// what the same action reports through the runner with the same inputs, the JSON report validates
// against the schema we ship, and exit codes follow the verdicts. Real helm and the real bundles.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { runBundledAction } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { freshBundle, pathWith, root, runCli, tempRepo } from './helpers.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

const CI = `name: ci
on: [pull_request]
env:
  FAIL_ON: high
jobs:
  charts:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: helm
        uses: acme/platform-actions/actions/helm-validate@${SHA} # v1
        with:
          kubernetes-versions: '1.36'
          fail-on: \${{ env.FAIL_ON }}
          token: \${{ secrets.GITHUB_TOKEN }}
      - if: always() && steps.helm.outputs.sarif-file != ''
        uses: github/codeql-action/upload-sarif@${SHA}
        with:
          sarif_file: \${{ steps.helm.outputs.sarif-file }}
  infra:
    runs-on: ubuntu-latest
    steps:
      - run: terraform fmt -check
      - uses: acme/platform-actions/actions/tf-lock-check@${SHA}
        with:
          command: lint
          fail-on: \${{ github.event_name == 'workflow_dispatch' && 'critical' || 'high' }}
`;

// One of our reusable workflows (.github/workflows/helm-ci.yml), called with another Kubernetes version and no threshold.
const REUSE = `name: reuse
on:
  push:
    branches: [main]
jobs:
  gate:
    uses: acme/platform-actions/.github/workflows/helm-ci.yml@${SHA}
    with:
      kubernetes-versions: '1.37'
      fail-on: none
`;

// A reusable workflow of the repository itself, which only runs when called: not a stage of its own.
const CALLED_ONLY = `on:
  workflow_call:
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/platform-actions/actions/tf-lock-check@${SHA}
`;

let repo: string;
let env: Record<string, string>;
let report: JsonReport;
let first: Awaited<ReturnType<typeof runCli>>;

const validateReport = () => {
  const schema = JSON.parse(readFileSync(join(root, 'packages/cli/schema/report.schema.json'), 'utf8'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: true, allErrors: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (addFormats as any)(ajv);
  return ajv.compile(schema) as ((d: unknown) => boolean) & { errors?: unknown[] };
};

beforeAll(async () => {
  freshBundle('helm-validate');
  freshBundle('tf-lock-check');
  repo = tempRepo(
    { '.github/workflows/ci.yml': CI, '.github/workflows/reuse.yml': REUSE, '.github/workflows/called.yml': CALLED_ONLY },
    { 'examples/helm-microservices/charts': 'charts', 'examples/sentiment-terraform/infra': 'infra', 'examples/sentiment-terraform/network': 'network' },
  );
  env = { PATH: pathWith('helm') };
  const json = join(repo, '..', `${repo.split('/').pop()}-report.json`);
  first = await runCli(['check', '--repo', repo, '--json', json], env);
  report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
}, 300_000);

describe('check', () => {
  it('finds one stage per step that uses our actions, reusable workflows expanded, called-only workflows left out', () => {
    expect(report.stages.map((s) => [s.name, s.action, s.workflow, s.job])).toEqual([
      ['charts/helm-validate', 'helm-validate', '.github/workflows/ci.yml', 'charts'],
      ['tf-lock-check', 'tf-lock-check', '.github/workflows/ci.yml', 'infra'],
      ['plan', 'plan', 'platform-actions/.github/workflows/helm-ci.yml', 'plan'],
      ['helm-validate/helm-validate', 'helm-validate', 'platform-actions/.github/workflows/helm-ci.yml', 'helm-validate'],
      ['verdict', 'verdict', 'platform-actions/.github/workflows/helm-ci.yml', 'verdict'],
    ]);
    // helm-ci.yml's plan job is computed here (every chart: no --changed), and its shard takes the plan's items.
    expect(report.stages.find((s) => s.name === 'plan')?.notes).toEqual([
      'computed here, not run (the jobs that need it take every planned item in one run): all 2 charts (without --changed, every item): charts/sentiment-api, charts/web-frontend',
    ]);
    expect(report.workflows).toEqual(['.github/workflows/ci.yml', '.github/workflows/reuse.yml']);
  });

  it('gives each stage the verdict and finding counts the same action reports through the runner', async () => {
    const same: Array<[string, string, Record<string, string>]> = [
      ['charts/helm-validate', 'helm-validate', { 'kubernetes-versions': '1.36', 'fail-on': 'high', 'helm-version': 'system', comment: 'false' }],
      ['tf-lock-check', 'tf-lock-check', { command: 'lint', 'fail-on': 'critical', comment: 'false' }],
      [
        'helm-validate/helm-validate',
        'helm-validate',
        { charts: 'charts/sentiment-api\ncharts/web-frontend', 'kubernetes-versions': '1.37', 'fail-on': 'none', 'helm-version': 'system', comment: 'false' },
      ],
    ];
    for (const [stage, action, inputs] of same) {
      const r = await runBundledAction({ action, inputs, workspace: repo, env: { PATH: env.PATH } });
      const got = report.stages.find((s) => s.name === stage)!;
      expect([stage, got.outcome, got.findingsCount, got.counts]).toEqual([
        stage,
        r.outputs.outcome,
        Number(r.outputs['findings-count']),
        Object.fromEntries(['critical', 'high', 'medium', 'low', 'info'].map((s) => [s, Number(r.outputs[`${s}-count`] ?? 0)])),
      ]);
      // Every counted finding is in the report, with its file.
      expect(got.findings).toHaveLength(got.findingsCount);
    }
    expect(report.stages.map((s) => s.outcome)).toEqual(['policy-failure', 'policy-failure', 'skipped', 'clean', 'skipped']);
  }, 180_000);

  it('writes a JSON report that validates against the schema we ship', () => {
    const validate = validateReport();
    expect(validate(report) ? [] : validate.errors).toEqual([]);
    expect(report).toMatchObject({
      outcome: 'policy-failure',
      exitCode: 1,
      event: 'workflow_dispatch',
      totals: { stages: 5, byOutcome: { clean: 1, 'policy-failure': 2, skipped: 2 } },
    });
    // A report that breaks the contract is rejected (the schema is not vacuous).
    expect(validate({ ...report, outcome: 'fine' })).toBe(false);
    expect(validate({ ...report, stages: [{ ...report.stages[0], findings: [{ ruleId: 'x', severity: 'severe', message: 'm' }] }] })).toBe(false);
  });

  it('prints progress, findings grouped by file with file:line, the summary table and the total, without colour off a TTY', () => {
    expect(first.code).toBe(1);
    expect(first.stderr).toBe('');
    const out = first.stdout;
    expect(out).toContain('[1/5] charts/helm-validate … (.github/workflows/ci.yml, job charts)');
    expect(out).toMatch(/✖ \[2\/5\] tf-lock-check {2}policy failure {2}\d+\.\ds {2}\d+ findings/);
    // Grouped by file: the heading, then each finding at a clickable path:line.
    expect(out).toMatch(new RegExp(`\\n(\\S*/)?infra/envs/staging\\.tfbackend\\n {2}(\\S*/)?infra/envs/staging\\.tfbackend:1 {2}CRITICAL TFLOCK004`));
    expect(out).toMatch(/Summary\n {2}Stage +Action +Verdict +Findings +Time +Workflow › job\n/);
    expect(out).toMatch(/Result: policy failure — 5 stages, \d+ findings, \d+\.\ds \(exit 1\)/);
    expect(out).not.toContain('\x1b[');
  });

  it('exit code 0 when the selected stages are clean (--only, --input by stage name)', async () => {
    const r = await runCli(['check', '--repo', repo, '--only', 'tf-lock-check', '--input', 'tf-lock-check.fail-on=none'], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    // The stages left out stay in the summary, as skipped.
    expect(r.stdout).toMatch(/ {2}charts\/helm-validate +helm-validate +skipped +- /);
    expect(r.stdout).toMatch(/Result: clean — 5 stages, \d+ findings/);
  }, 120_000);

  it('--skip by action name leaves every stage of that action out', async () => {
    const r = await runCli(['check', '--repo', repo, '--skip', 'helm-validate'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[1/3] tf-lock-check');
    expect(r.stdout).not.toContain('helm-validate …');
  }, 120_000);

  it('exit code 2 when a stage is a configuration error, with the action’s own one-line error', async () => {
    const r = await runCli(['check', '--repo', repo, '--only', 'charts/helm-validate', '--input', 'charts/helm-validate.kubernetes-versions=1.12'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/! \[1\/1\] charts\/helm-validate {2}config error/);
    expect(r.stdout).toMatch(/Errors\n {2}charts\/helm-validate: .*kubernetes-versions.*\n/);
  }, 120_000);
});

describe('check: expressions only GitHub can evaluate', () => {
  it('stops before running anything, with one line per input naming the --input that sets it', async () => {
    const wf = `on: push
jobs:
  scan:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        v: ['1.35', '1.36']
    steps:
      - uses: acme/platform-actions/actions/helm-validate@${SHA}
        with:
          exceptions-file: \${{ secrets.EXCEPTIONS_PATH }}
          kubernetes-versions: \${{ matrix.v }}
`;
    const r2 = tempRepo({ '.github/workflows/x.yml': wf }, { 'examples/helm-microservices/charts': 'charts' });
    const bad = await runCli(['check', '--repo', r2], env);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trimEnd().split('\n')).toEqual([
      'platform-actions: stage helm-validate: input exceptions-file is "${{ secrets.EXCEPTIONS_PATH }}", and secrets.EXCEPTIONS_PATH can only be evaluated by GitHub; set it with --input helm-validate.exceptions-file=…',
      'platform-actions: stage helm-validate: input kubernetes-versions is "${{ matrix.v }}", and matrix.v can only be evaluated by GitHub; set it with --input helm-validate.kubernetes-versions=…',
    ]);
    // Given the values, the same workflow runs.
    const ok = await runCli(
      ['check', '--repo', r2, '--input', 'helm-validate.exceptions-file=', '--input', 'helm-validate.kubernetes-versions=1.36', '--input', 'helm-validate.fail-on=none'],
      env,
    );
    expect([ok.code, ok.stderr]).toEqual([0, '']);

    // Or once, in the repository's .platform-actions.yml (what a pre-push hook relies on); flags still win.
    writeFileSync(join(r2, '.platform-actions.yml'), "inputs:\n  helm-validate.exceptions-file: ''\n  helm-validate.kubernetes-versions: '1.36'\n  helm-validate.fail-on: none\n");
    const fromFile = await runCli(['check', '--repo', r2], env);
    expect([fromFile.code, fromFile.stderr]).toEqual([0, '']);
    const flagWins = await runCli(['check', '--repo', r2, '--input', 'helm-validate.fail-on=high'], env);
    expect(flagWins.code).toBe(1);
  }, 120_000);

  it.each([
    ['unknown key', 'inputz: {}\n', '.platform-actions.yml: unknown key "inputz" (expected repository, only, skip, inputs, postgres, redis)'],
    ['redis that is not a boolean', 'redis: yes\n', '.platform-actions.yml: redis must be true or false'],
    ['input without a stage', 'inputs:\n  fail-on: high\n', '.platform-actions.yml: inputs: expected <stage>.<name> keys; got "fail-on"'],
    ['skip not a list', 'skip: helm-validate\n', '.platform-actions.yml: skip must be a list of stage or action names'],
    ['postgres not a boolean', 'postgres: yes please\n', '.platform-actions.yml: postgres must be true or false'],
    ['input for no stage', 'inputs:\n  trivy-scan.targets: fs:.\n', '--input trivy-scan.targets: no stage "trivy-scan" (stages: helm-validate)'],
  ])('a bad .platform-actions.yml (%s) is one line, exit 2', async (_n, text, line) => {
    const r3 = tempRepo({
      '.github/workflows/x.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: acme/platform-actions/actions/helm-validate@v1\n',
      '.platform-actions.yml': text,
    });
    const r = await runCli(['check', '--repo', r3], env);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', `platform-actions: ${line}\n`]);
  });
});
