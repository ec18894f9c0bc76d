// What a developer sees: on a terminal, a live progress line per stage (spinner, elapsed time, what the
// action is doing now) and colour unless NO_COLOR is set; in a pipe or file, plain lines only. And
// `platform-actions run`, one action with --input, reported the same way. Real tf-lock-check bundle.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { freshBundle, root, runCli, tempRepo } from './helpers.js';

const WF = `on: pull_request
jobs:
  infra:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/platform-actions/actions/tf-lock-check@v1
        with:
          fail-on: critical
`;

let repo: string;
beforeAll(() => {
  freshBundle('tf-lock-check');
  repo = tempRepo({ '.github/workflows/ci.yml': WF }, { 'examples/sentiment-terraform/infra': 'infra' });
}, 300_000);

const ESC = '\x1b[';

describe('terminal output', () => {
  it('on a TTY: a live progress line redrawn in place, then the verdict line, in colour', async () => {
    const r = await runCli(['check', '--repo', repo], {}, { isTTY: true });
    expect(r.code).toBe(1);
    // Redrawn in place (carriage return + clear line) with a spinner and the stage's own log lines.
    expect(r.stdout).toMatch(/\r\x1b\[K\x1b\[34m[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[1\/1\] tf-lock-check \d+\.\ds\x1b\[0m/);
    // The progress line is cleared before the verdict is printed.
    expect(r.stdout).toMatch(/\r\x1b\[K\x1b\[31m✖\x1b\[0m \[1\/1\] tf-lock-check {2}\x1b\[31mpolicy failure\x1b\[0m/);
    expect(r.stdout).toContain(`${ESC}1mSummary${ESC}0m`);
  }, 120_000);

  it('NO_COLOR on a TTY: the progress line stays, colour goes', async () => {
    const r = await runCli(['check', '--repo', repo], { NO_COLOR: '1' }, { isTTY: true });
    expect(r.stdout).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] \[1\/1\] tf-lock-check/);
    expect(r.stdout.replace(/\r\x1b\[K/g, '')).not.toContain(ESC);
  }, 120_000);

  it('errors: one line on stderr, coloured only when stdout is a TTY', async () => {
    const plain = await runCli(['check', '--repo', repo, '--only', 'nope']);
    expect(plain.stderr).toBe('platform-actions: --only/--skip: no stage "nope" (stages: tf-lock-check)\n');
    const tty = await runCli(['check', '--repo', repo, '--only', 'nope'], {}, { isTTY: true });
    expect(tty.stderr).toBe(`${ESC}31mplatform-actions:${ESC}0m --only/--skip: no stage "nope" (stages: tf-lock-check)\n`);
  });
});

describe('run', () => {
  it('runs one action with --input, reports findings by file, the verdict and exit code, and a valid JSON report', async () => {
    const json = join(repo, '..', 'run-report.json');
    const r = await runCli(['run', 'tf-lock-check', '--repo', repo, '--input', 'fail-on=critical', '--json', json]);
    expect([r.code, r.stderr]).toEqual([1, '']);
    expect(r.stdout).toMatch(/✖ \[1\/1\] tf-lock-check {2}policy failure {2}\d+\.\ds {2}\d+ findings \(2 critical/);
    expect(r.stdout).toMatch(/infra\/envs\/production\.tfbackend:2 {2}CRITICAL TFLOCK004/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    const schema = JSON.parse(readFileSync(join(root, 'packages/cli/schema/report.schema.json'), 'utf8'));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const ajv = new (Ajv2020 as any)({ strict: true });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (addFormats as any)(ajv);
    expect(ajv.validate(schema, report) ? [] : ajv.errors).toEqual([]);
    expect(report).toMatchObject({ command: 'run', outcome: 'policy-failure', exitCode: 1, stages: [{ name: 'tf-lock-check', workflow: '(command line)' }] });
    const clean = await runCli(['run', 'tf-lock-check', '--repo', repo, '--input', 'fail-on=none']);
    expect(clean.code).toBe(0);
  }, 120_000);
});
