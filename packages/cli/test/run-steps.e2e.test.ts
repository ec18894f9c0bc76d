// `platform-actions check --run-steps`: a team's whole pipeline on a laptop. The orders service (a
// consumer-shaped repository in fixtures/: lint with flake8, pytest against its PostgreSQL 15 and Redis 7
// services on two Pythons, gitleaks-scan, a build and a preview deploy) runs for real — real flake8 and
// pytest, real PostgreSQL and Redis started from this machine's binaries, the real gitleaks-scan bundle —
// clean, then with a lint error. Then GitHub's step semantics one by one, our own reusable workflows
// (security-scan, db-migrations with its services, all-passed) run locally, and a docker build mapped
// onto a fake docker (no Docker engine can run here; the fake is named as one).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { toolBin } from '../../../test/harness/tools.js';
import { onPath } from '../src/local.js';
import type { JsonReport } from '../src/report.js';
import type { JobResult, StepResult } from '../src/results.js';
import { freshBundle, git, root, runCli, tempRepo } from './helpers.js';

const ajv = new (Ajv2020 as unknown as new (o: object) => { compile(s: unknown): ((d: unknown) => boolean) & { errors?: unknown } })({ strict: true, allErrors: true });
(addFormats as unknown as (a: unknown) => void)(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(root, 'packages/cli/schema/report.schema.json'), 'utf8')));

/** What a developer has installed: the Python CI tools, gitleaks, redis-server (PostgreSQL is found in /usr/lib/postgresql). */
const PATH = () => [dirname(toolBin('pyci', 'python')), dirname(toolBin('gitleaks')), dirname(toolBin('redis', 'redis-server')), process.env.PATH].join(':');

async function checkSteps(repo: string, flags: string[], path = PATH()) {
  const json = join(mkdtempSync(join(tmpdir(), 'pa-report-')), 'report.json');
  const out = await runCli(['check', '--run-steps', '--repo', repo, '--json', json, ...flags], { PATH: path, PYTHONDONTWRITEBYTECODE: '1' });
  const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  expect(validate(report) ? [] : validate.errors).toEqual([]);
  return { ...out, report };
}

const job = (r: JsonReport, name: string): JobResult => {
  const j = r.jobs!.find((x) => x.name === name);
  if (!j) throw new Error(`no job ${name} in ${r.jobs!.map((x) => x.name).join(', ')}`);
  return j;
};
const flat = (steps: StepResult[]): StepResult[] => steps.flatMap((s) => (s.steps ? flat(s.steps) : [s]));
const step = (j: JobResult, name: string): StepResult => {
  const s = flat(j.steps).find((x) => x.name === name);
  if (!s)
    throw new Error(
      `no step ${name} in ${j.name}: ${flat(j.steps)
        .map((x) => x.name)
        .join(', ')}`,
    );
  return s;
};
const summary = (j: JobResult) => flat(j.steps).map((s) => [s.name.replace(/@[0-9a-f]{40}$/, ''), s.notLocal ? 'not local' : s.conclusion]);

beforeAll(() => freshBundle('gitleaks-scan'), 300_000);

describe('the orders service pipeline', () => {
  let repo: string;
  let sha: string;
  let clean: Awaited<ReturnType<typeof checkSteps>>;
  beforeAll(async () => {
    repo = tempRepo({}, { 'packages/cli/test/fixtures/orders-service': '.' });
    sha = git(repo, 'rev-parse', 'HEAD');
    clean = await checkSteps(repo, ['--postgres', '--redis']);
  }, 300_000);

  it('runs the jobs the pull request triggers in needs order, stage by stage, with progress, and passes', () => {
    expect([clean.code, clean.stderr, clean.report.outcome, clean.report.event]).toEqual([0, '', 'clean', 'pull_request']);
    expect(clean.report.jobs!.map((j) => [j.name, j.notLocal ? 'not local' : j.result])).toEqual([
      ['lint', 'success'],
      ['tests (3.9)', 'success'],
      ['tests (3.11)', 'success'],
      ['security', 'success'],
      ['build', 'success'],
      ['report', 'success'],
      ['deploy-preview', 'not local'],
    ]);
    // Each job's heading, then a line per step as it ends, in that order.
    const headings = ['\nlint  ', '\ntests (3.9)  ', '\ntests (3.11)  ', '\nsecurity  ', '\nbuild  ', '\nreport  '].map((h) => clean.stdout.indexOf(h));
    expect(headings.every((at, i) => at >= 0 && (i === 0 || at > headings[i - 1]))).toBe(true);
    expect(clean.stdout).toMatch(/✔ \[4\/6\] lint › flake8 {2}success {2}\d+\.\ds/);
    expect(clean.stdout).toContain('[5/5] tests (3.11) › pytest … (.github/workflows/ci.yml, job tests)');
    expect(clean.stdout).toMatch(/Result: clean — 7 jobs, 25 steps, 0 findings, \d+\.\ds \(exit 0\)/);
    // release.yml runs on tags, not on a pull request.
    expect(clean.report.notes).toContain('not triggered by pull_request, not run: .github/workflows/release.yml (push)');
  });

  it('runs each step of a job in order: run: steps here, the composite action, checkout as the working tree', () => {
    expect(summary(job(clean.report, 'lint'))).toEqual([
      ['Run actions/checkout', 'success'],
      ['Run actions/setup-python', 'success'],
      ['Install', 'success'],
      ['flake8', 'success'],
      ['Fix hints', 'skipped'],
      ['Lint finished', 'success'],
    ]);
    expect(step(job(clean.report, 'lint'), 'Run actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683').notes).toEqual(['the working tree']);
    expect(readFileSync(join(repo, 'lint-status.txt'), 'utf8').trim()).toBe('lint success');
  });

  it('starts the jobs services from this machine: PostgreSQL 15 with the container env, Redis 7; the tests reach both', () => {
    for (const name of ['tests (3.9)', 'tests (3.11)']) {
      const j = job(clean.report, name);
      expect(j.services).toEqual([
        { id: 'postgres', image: 'postgres:15', local: expect.stringMatching(/^PostgreSQL 15\.\d+ on 127\.0\.0\.1:\d+ \(for localhost:5432\)$/) },
        { id: 'redis', image: 'redis:7', local: expect.stringMatching(/^Redis 7\.\d+\.\d+ on 127\.0\.0\.1:\d+$/) },
      ]);
      // pytest connected as orders to the orders database with the service's password (DATABASE_URL names
      // localhost:5432 and was pointed at the local port), counted in Redis, and saw the job's env and cwd.
      const pytest = step(j, 'pytest');
      expect([pytest.conclusion, pytest.exitCode, pytest.workingDirectory]).toEqual(['success', 0, join(repo, 'service')]);
    }
    // GITHUB_OUTPUT: the Redis address a step computed from job.services reached the pytest step's env.
    const addr = step(job(clean.report, 'tests (3.11)'), 'Service addresses');
    const port = /127\.0\.0\.1:(\d+)$/.exec(job(clean.report, 'tests (3.11)').services[1].local!)![1];
    expect(addr.outputs).toEqual({ 'redis-url': `redis://localhost:${port}/0` });
  });

  it('maps setup-python onto this machine, and says so when the asked version is not here', () => {
    const asked39 = step(job(clean.report, 'tests (3.9)'), 'Run actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065');
    expect(asked39.notes[0]).toMatch(/^python 3\.9 is not on this machine: the steps after this use python 3\.\d+\.\d+ \(/);
    const asked311 = step(job(clean.report, 'tests (3.11)'), 'Run actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065');
    expect(asked311.notes[0]).toMatch(/^python 3\.11\.\d+ from this machine \(/);
    // The composite's output (steps.setup.outputs.python-version) is the step's output.
    const composite = job(clean.report, 'tests (3.11)').steps.find((x) => x.kind === 'composite')!;
    expect([composite.name, composite.outputs.python]).toEqual(['Run ./.github/actions/python-env', expect.stringMatching(/^3\.11\./)]);
  });

  it('passes values between steps (GITHUB_OUTPUT) and jobs (needs outputs)', () => {
    const version = `1.4.0-${sha.slice(0, 7)}`;
    expect(job(clean.report, 'build').outputs).toEqual({ version });
    expect(existsSync(join(repo, 'dist', `orders-${version}.tar.gz`))).toBe(true);
    expect(readFileSync(join(repo, 'built-version.txt'), 'utf8').trim()).toBe(version);
  });

  it('runs the gitleaks-scan stage of ours, and lists what cannot run on a laptop', () => {
    expect(clean.report.stages.map((s) => [s.name, s.outcome])).toEqual([['gitleaks-scan', 'clean']]);
    expect(step(job(clean.report, 'security'), 'Run acme/platform-actions/actions/gitleaks-scan@2f402beb4472bcc3024a65f9a1fac1add9857c1a').stage).toBe('gitleaks-scan');
    expect(clean.report.notRunLocally).toEqual([
      {
        job: 'security',
        step: 'Upload SARIF',
        uses: 'github/codeql-action/upload-sarif@8aad20d150bbac5944a9f9d289da16a4b0d87c1e',
        why: 'nothing is uploaded to code scanning from a laptop (the stage reports its findings here)',
      },
      { job: 'build', step: 'Image', uses: 'docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83', why: 'needs Docker, which is not running here' },
      { job: 'build', step: 'Notify', why: 'env SLACK_WEBHOOK_URL needs secrets.SLACK_WEBHOOK_URL, which only GitHub has' },
      { job: 'deploy-preview', why: 'it deploys (environment: preview)' },
    ]);
    expect(clean.stdout).toContain('\nNot run locally\n');
  });

  it('a lint error fails the run with flake8’s exit code; if: failure() and always() steps run, later jobs are skipped as on GitHub', async () => {
    writeFileSync(join(repo, 'service', 'app', 'unused.py'), 'import os\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'an unused import');
    const failed = await checkSteps(repo, ['--postgres', '--redis']);
    expect([failed.code, failed.report.outcome, failed.report.exitCode]).toEqual([1, 'failure', 1]);
    const lint = job(failed.report, 'lint');
    expect(summary(lint)).toEqual([
      ['Run actions/checkout', 'success'],
      ['Run actions/setup-python', 'success'],
      ['Install', 'success'],
      ['flake8', 'failure'],
      ['Fix hints', 'success'],
      ['Lint finished', 'success'],
    ]);
    const flake8 = step(lint, 'flake8');
    expect([flake8.exitCode, flake8.errors, flake8.logTail]).toEqual([1, ['Process completed with exit code 1.'], ["app/unused.py:1:1: F401 'os' imported but unused"]]);
    expect(step(lint, 'Fix hints').errors).toEqual(['lint: flake8 found problems; run flake8 app tests in service/ and fix each line it lists']);
    expect(readFileSync(join(repo, 'lint-status.txt'), 'utf8').trim()).toBe('lint failure');
    expect(failed.report.jobs!.map((j) => [j.name, j.result, j.notes[0] ?? ''])).toEqual([
      ['lint', 'failure', ''],
      ['tests', 'skipped', 'a job it needs did not succeed (lint)'],
      ['security', 'success', ''],
      ['build', 'skipped', 'a job it needs did not succeed (tests)'],
      ['report', 'skipped', 'a job it needs did not succeed (build)'],
      ['deploy-preview', 'skipped', 'a job it needs did not succeed (build)'],
    ]);
    expect(failed.stdout).toContain("      │ app/unused.py:1:1: F401 'os' imported but unused");
    expect(failed.stdout).toContain('Failed steps\n  lint › flake8: Process completed with exit code 1.');
    expect(failed.stdout).toMatch(/Result: failure — 6 jobs \(1 failed\), 9 steps \(1 failed\), 0 findings, \d+\.\ds \(exit 1\)/);
  }, 300_000);

  it('without --postgres and --redis the jobs that use those services stop the run before anything runs, one line each', async () => {
    const fresh = tempRepo({}, { 'packages/cli/test/fixtures/orders-service': '.' });
    const r = await checkSteps(fresh, []);
    expect([r.code, r.report.errors]).toEqual([
      2,
      [
        '.github/workflows/ci.yml: job tests uses the service postgres (postgres:15): pass --postgres to start a throwaway one here',
        '.github/workflows/ci.yml: job tests uses the service redis (redis:7): pass --redis to start a throwaway one here',
      ],
    ]);
    expect(existsSync(join(fresh, 'lint-status.txt'))).toBe(false);
    // --list says the same as notes, with each job's steps and what cannot run here.
    const list = await runCli(['check', '--run-steps', '--list', '--repo', fresh], { PATH: PATH() });
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('tests\t.github/workflows/ci.yml\tneeds lint\tservices: postgres (postgres:15), redis (redis:7)\n');
    expect(list.stdout).toContain('  Run acme/platform-actions/actions/gitleaks-scan@2f402beb4472bcc3024a65f9a1fac1add9857c1a\tstage gitleaks-scan\n');
    expect(list.stdout).toContain('deploy-preview\t.github/workflows/ci.yml\tneeds build\tnot run locally: it deploys (environment: preview)\n');
    expect(list.stdout).toContain('note: to run: .github/workflows/ci.yml: job tests uses the service redis (redis:7): pass --redis to start a throwaway one here\n');
    // --only a job that needs no service runs just that job.
    const lint = await checkSteps(fresh, ['--only', 'lint']);
    expect([lint.code, lint.report.jobs!.map((j) => [j.name, j.result])]).toEqual([
      0,
      [
        ['lint', 'success'],
        ['tests', 'skipped'],
        ['security', 'skipped'],
        ['build', 'skipped'],
        ['report', 'skipped'],
        ['deploy-preview', 'skipped'],
      ],
    ]);
    // A job whose needs were left out runs as if they had succeeded (their outputs are empty).
    const report = await checkSteps(fresh, ['--only', 'report']);
    expect([report.code, job(report.report, 'report').result, readFileSync(join(fresh, 'built-version.txt'), 'utf8')]).toEqual([0, 'success', '\n']);
  }, 300_000);
});

describe("GitHub's step semantics", () => {
  // One workflow per concern; each step writes what it saw into the working tree for the test to read.
  const WORKFLOW = `on: [pull_request]
env:
  LEVEL: workflow
  FROM_WORKFLOW: w
defaults:
  run:
    shell: bash
    working-directory: app
jobs:
  env:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
      FROM_JOB: j
    steps:
      - id: write
        run: |
          echo "LEVEL=github-env" >> "$GITHUB_ENV"
          echo "FROM_GITHUB_ENV=g" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool-on-github-path\\n' > "$RUNNER_TEMP/bin/mytool" && chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "dir=$(pwd)" >> "$GITHUB_OUTPUT"
      - name: Read
        env:
          STEP_ONLY: s
          FROM_OUTPUT: \${{ steps.write.outputs.dir }}
          SEEN_BY_EXPRESSION: \${{ env.LEVEL }}
        run: |
          echo "$LEVEL $FROM_WORKFLOW $FROM_JOB $FROM_GITHUB_ENV $STEP_ONLY $SEEN_BY_EXPRESSION $(mytool) $FROM_OUTPUT $(pwd)" > "$GITHUB_WORKSPACE/env.txt"
      - name: Step env wins
        env:
          LEVEL: step
        run: echo "$LEVEL" > "$GITHUB_WORKSPACE/step-level.txt"
  shells:
    runs-on: ubuntu-latest
    defaults:
      run:
        working-directory: .
    steps:
      - shell: sh
        run: echo "sh $0" > sh.txt
      - shell: python
        run: |
          import os
          open("python.txt", "w").write("python " + os.environ["LEVEL"])
      - shell: perl {0}
        run: open(F, ">perl.txt"); print F "perl";
      - shell: pwsh
        run: Set-Content pwsh.txt "pwsh"
      - name: No pipefail without shell bash
        shell: bash -e {0}
        run: false | true
  outcomes:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: true
        run: exit 7
      - if: steps.flaky.outcome == 'failure' && steps.flaky.conclusion == 'success'
        run: echo ok > "$GITHUB_WORKSPACE/continued.txt"
      - name: Slow
        timeout-minutes: 0.02
        run: sleep 20
      - name: Not after a failure
        run: echo no > "$GITHUB_WORKSPACE/not-after-failure.txt"
      - name: Cleanup
        if: always()
        run: echo yes > "$GITHUB_WORKSPACE/cleanup.txt"
      - name: Secret
        if: always()
        env:
          TOKEN: \${{ secrets.API_TOKEN }}
        run: echo "$TOKEN"
      - name: GitHub token
        if: always()
        run: gh pr comment 1 --body hi --repo x/y
        env:
          GH_TOKEN: \${{ github.token }}
  on-failure:
    needs: outcomes
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ needs.outcomes.result }}" > "$GITHUB_WORKSPACE/on-failure.txt"
        shell: bash
        working-directory: .
`;
  let repo: string;
  let r: Awaited<ReturnType<typeof checkSteps>>;
  beforeAll(async () => {
    repo = tempRepo({ '.github/workflows/ci.yml': WORKFLOW, 'app/.keep': '' });
    r = await checkSteps(repo, []);
  }, 120_000);
  const read = (f: string) => readFileSync(join(repo, f), 'utf8').trim();

  it('env: workflow, then job, then GITHUB_ENV, then the step; GITHUB_PATH and GITHUB_OUTPUT reach later steps; defaults.run applies', () => {
    expect(read('env.txt')).toBe(`github-env w j g s github-env tool-on-github-path ${join(repo, 'app')} ${join(repo, 'app')}`);
    expect(read('step-level.txt')).toBe('step');
    expect(step(job(r.report, 'env'), 'Read').shell).toBe('bash --noprofile --norc -eo pipefail {0}');
  });

  it('shells: sh, python, a custom command with {0}; pwsh only where it is installed; bash -e has no pipefail', () => {
    expect(read('sh.txt')).toMatch(/^sh \/.*\.sh$/);
    expect(read('python.txt')).toBe('python workflow');
    expect(read('perl.txt')).toBe('perl');
    const pwsh = step(job(r.report, 'shells'), 'Run Set-Content pwsh.txt "pwsh"');
    if (onPath('pwsh')) expect([pwsh.conclusion, read('pwsh.txt')]).toEqual(['success', 'pwsh']);
    else expect(pwsh.notLocal).toBe('shell: pwsh is not on this machine');
    expect(step(job(r.report, 'shells'), 'No pipefail without shell bash').conclusion).toBe('success');
  });

  it('continue-on-error, timeout-minutes, always() after a failure; secrets and the GitHub token are not used here', () => {
    const o = job(r.report, 'outcomes');
    expect(summary(o)).toEqual([
      ['Run exit 7', 'success'],
      ['Run echo ok > "$GITHUB_WORKSPACE/continued.txt"', 'success'],
      ['Slow', 'failure'],
      ['Not after a failure', 'skipped'],
      ['Cleanup', 'success'],
      ['Secret', 'not local'],
      ['GitHub token', 'not local'],
    ]);
    expect(step(o, 'Run exit 7')).toMatchObject({ outcome: 'failure', conclusion: 'success', exitCode: 7 });
    expect(step(o, 'Slow').errors).toEqual([expect.stringMatching(/^The step timed out after \d+s\.$/)]);
    expect(step(o, 'Secret').notLocal).toBe('env TOKEN needs secrets.API_TOKEN, which only GitHub has');
    expect(step(o, 'GitHub token').notLocal).toBe('env GH_TOKEN needs github.token, which only GitHub has');
    expect([read('continued.txt'), read('cleanup.txt'), existsSync(join(repo, 'not-after-failure.txt'))]).toEqual(['ok', 'yes', false]);
    // A job with if: failure() runs after the job it needs failed, and sees its result.
    expect([job(r.report, 'on-failure').result, read('on-failure.txt')]).toEqual(['success', 'failure']);
    expect([r.code, r.report.outcome]).toEqual([1, 'failure']);
  });
});

describe('a stage of ours in a matrix job', () => {
  it('runs once per combination; the run and the report keep its most serious verdict', async () => {
    // A token-shaped string, split so that no scanner flags this file.
    const token = `ghp_${'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8'}`;
    const repo = tempRepo({
      'app/notify.py': `TOKEN = "${token}"\n`,
      '.github/workflows/scan.yml': `on: [pull_request]
jobs:
  scan:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        level: [high, none]
    steps:
      - uses: acme/platform-actions/actions/gitleaks-scan@v1
        with:
          fail-on: \${{ matrix.level }}
`,
    });
    const r = await checkSteps(repo, []);
    expect(r.report.jobs!.map((j) => [j.name, j.result])).toEqual([
      ['scan (high)', 'failure'],
      ['scan (none)', 'success'],
    ]);
    expect([r.code, r.report.outcome, r.report.stages.map((s) => [s.name, s.outcome, s.findingsCount])]).toEqual([1, 'policy-failure', [['gitleaks-scan', 'policy-failure', 1]]]);
    expect(JSON.stringify(r.report)).not.toContain(token);
  }, 120_000);
});

describe('our reusable workflows, locally', () => {
  it('python-service-hardened: python-ci’s lint and tests (test-report per matrix.python), security-scan’s gitleaks, db-migrations with its PostgreSQL and Redis services and integration tests, all-passed', async () => {
    const repo = tempRepo({}, { 'examples/python-service-hardened': '.' });
    const path = [dirname(toolBin('pyenv', 'python')), dirname(toolBin('gitleaks')), dirname(toolBin('redis', 'redis-server')), process.env.PATH].join(':');
    freshBundle('migration-test');
    // trivy-scan has its own tests; here its jobs are left out to keep to what the pipeline adds around it.
    const r = await checkSteps(repo, ['--postgres', '--redis', '--skip', 'trivy-scan'], path);
    expect([r.code, r.stderr, r.report.outcome]).toEqual([0, '', 'clean']);
    // A matrix job that never expanded (trivy's shards: no image to scan) keeps its raw name, as on GitHub;
    // trivy-folder and image / build are trivy-scan's jobs (--skip); push, deploy and notify are for push.
    expect(r.report.jobs!.map((j) => [j.name, j.result])).toEqual([
      ['python / lint', 'success'],
      ['python / types', 'success'],
      ['python / audit', 'success'],
      ['python / tests (3.11)', 'success'],
      ['python / tests (3.9)', 'success'],
      ['bandit / bandit', 'success'],
      ['bandit / semgrep', 'skipped'],
      ['bandit / codeql', 'skipped'],
      ['security / plan', 'success'],
      ['security / trivy ${{ matrix.shard }}/${{ matrix.shards }}', 'skipped'],
      ['security / trivy-folder', 'skipped'],
      ['security / verdict', 'success'],
      ['security / gitleaks', 'success'],
      ['migrations / migrations', 'success'],
      ['image / build', 'skipped'],
      ['image / push', 'skipped'],
      ['ready / all passed', 'success'],
      ['deploy', 'skipped'],
      ['notify', 'skipped'],
    ]);
    const m = job(r.report, 'migrations / migrations');
    expect(summary(m)).toEqual([
      ['Run actions/checkout', 'success'],
      ['Run actions/setup-python', 'success'],
      ['Install requirements', 'success'],
      ['Database addresses', 'success'],
      ['Run $/actions/migration-test', 'success'],
      ['Integration tests', 'success'],
    ]);
    // db-migrations' ports: ['5432'] → job.services.postgres.ports['5432'] is the local port; migration-test
    // migrated the job's own throwaway database, which the integration tests then found at head.
    expect(m.services.map((s) => s.local)).toEqual([expect.stringMatching(/^PostgreSQL 15\.\d+ on 127\.0\.0\.1:\d+$/), expect.stringMatching(/^Redis 7\./)]);
    expect(r.report.stages.map((s) => [s.name, s.outcome])).toEqual([
      ['test-report', 'clean'],
      // --run-steps runs the plan action as CI does (check alone computes it): no image-refs, nothing to scan.
      ['plan', 'clean'],
      ['trivy/trivy-scan', 'skipped'],
      ['trivy-folder/trivy-scan', 'skipped'],
      ['verdict', 'skipped'],
      ['gitleaks-scan', 'clean'],
      ['migration-test', 'clean'],
      ['build/trivy-scan', 'skipped'],
    ]);
    // test-report ran after each combination's tests, on that combination's junit-py<matrix.python>.xml (a
    // pattern that matches no file would be a tool error; an unknown matrix.python a config error).
    for (const py of ['3.11', '3.9']) {
      const report = job(r.report, `python / tests (${py})`).steps.find((s) => s.stage === 'test-report')!;
      expect([report.conclusion, report.outputs.outcome, Number(report.outputs.tests) > 0]).toEqual(['success', 'clean', true]);
    }
    expect(r.report.stages.find((s) => s.name === 'migration-test')!.outputs['head-revision']).toBe('0002');
    expect(job(r.report, 'ready / all passed').outputs).toEqual({ results: 'python=success bandit=success security=success migrations=success image=success' });
  }, 300_000);
});

describe('docker', () => {
  it('with a Docker engine, build-push-action is a docker build (never a push) and run: docker steps run', async () => {
    // A fake docker CLI (no Docker engine can run here): it answers `version` as a running engine does
    // and records every command line it is given.
    const bin = mkdtempSync(join(tmpdir(), 'pa-fake-docker-'));
    const log = join(bin, 'calls.txt');
    writeFileSync(
      join(bin, 'docker'),
      `#!/bin/sh\n# fake docker for the test: records its arguments\necho "$*" >> "${log}"\ncase "$1" in version) echo 27.0.0 ;; build) for a; do case "$prev" in --iidfile) echo sha256:fake > "$a" ;; esac; prev="$a"; done ;; esac\n`,
    );
    chmodSync(join(bin, 'docker'), 0o755);
    const repo = tempRepo({
      '.github/workflows/image.yml': `on: [pull_request]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - id: build
        uses: docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0
        with:
          context: .
          file: Dockerfile
          push: true
          tags: ghcr.io/acme/orders:pr
      - run: docker run --rm ghcr.io/acme/orders:pr true
`,
      Dockerfile: 'FROM scratch\n',
    });
    const r = await checkSteps(repo, [], [bin, process.env.PATH].join(':'));
    expect(r.code).toBe(0);
    const built = step(job(r.report, 'image'), 'Run docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83');
    expect([built.conclusion, built.outputs.imageid, built.notes.slice(1)]).toEqual([
      'success',
      'sha256:fake',
      ['push: true is not done from a laptop: the image is only built here'],
    ]);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls.filter((c) => !c.startsWith('version'))).toEqual([
      expect.stringMatching(/^build --file Dockerfile --tag ghcr\.io\/acme\/orders:pr --iidfile \S+ \.$/),
      'run --rm ghcr.io/acme/orders:pr true',
    ]);
  }, 120_000);
});
