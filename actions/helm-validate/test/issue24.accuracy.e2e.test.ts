// Issue 24's accuracy figures: false alarms and misses of the rules it added or changed, on two fixture
// repositories in the shapes of real ones (test/fixtures/repos): a published chart repository (library
// chart, file:// dependency, vendored aliased subchart, deprecated chart, values.schema.json, ci/ values)
// with known mistakes planted on a branch, and an application repository with internal charts that has
// none. The bundled action, real helm 3.18.0 and 4.1.4, real git.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { buildAction } from './helpers/build.js';
import { actionDir } from './helpers/paths.js';

jest.setTimeout(240_000);
beforeAll(buildAction, 300_000);

/** The rules issue 24 added or changed; the figures count only these. */
const ISSUE_24 = new Set([
  'values-multi-document',
  'values-schema',
  'chart-version-bump',
  'chart-metadata',
  'chart-maintainers',
  'yaml-lint',
  'yaml-duplicate-key',
  'api-not-served',
]);

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  });

/** A copy of a fixture repository as a git repository whose main branch is the fixture. */
function checkout(name: string): string {
  const ws = mkdtempSync(join(tmpdir(), `hv-acc-${name}-`));
  cpSync(join(actionDir, 'test', 'fixtures', 'repos', name), ws, { recursive: true });
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-qm', 'base');
  return ws;
}

const edit = (ws: string, file: string, fn: (text: string) => string) => writeFileSync(join(ws, file), fn(readFileSync(join(ws, file), 'utf8')));

/** The mistakes planted on the branch, and the finding each must produce: rule, file, line. */
function plant(ws: string): string[] {
  git(ws, 'checkout', '-qb', 'feature');
  // web: values changed, version not bumped; a ci/ values file breaks values.schema.json.
  edit(ws, 'charts/web/values.yaml', (t) => t.replace('replicaCount: 2', 'replicaCount: 3'));
  appendFileSync(join(ws, 'charts/web/ci/ingress-values.yaml'), 'replicaCount: "2"\n');
  // common (the library): a trailing space and a key indented by 4 where the file uses 2; no bump either.
  edit(ws, 'charts/common/values.yaml', (t) => t.replace('  labels: {}', '  labels: {} \n  annotations:\n      team: platform'));
  // worker: bumped, but a maintainer email lost its domain, a values key is set twice, and a new ci/
  // values file holds two YAML documents.
  edit(ws, 'charts/worker/Chart.yaml', (t) => t.replace('version: 0.9.3', 'version: 0.9.4').replace('jobs@example.com', 'jobs@example'));
  edit(ws, 'charts/worker/values.yaml', (t) => t.replace('concurrency: 4\n', 'concurrency: 4\nconcurrency: 6\n'));
  mkdirSync(join(ws, 'charts/worker/ci'));
  writeFileSync(join(ws, 'charts/worker/ci/prod-values.yaml'), 'concurrency: 8\n---\nconcurrency: 16\n');
  git(ws, 'add', '-A');
  git(ws, 'commit', '-qm', 'planted mistakes');
  return [
    'chart-version-bump charts/web/Chart.yaml:5',
    'chart-version-bump charts/common/Chart.yaml:5',
    'values-schema charts/web/ci/ingress-values.yaml:8',
    'yaml-lint charts/common/values.yaml:4',
    'yaml-lint charts/common/values.yaml:6',
    'chart-metadata charts/worker/Chart.yaml:8',
    'yaml-duplicate-key charts/worker/values.yaml:6',
    'values-multi-document charts/worker/ci/prod-values.yaml:2',
    // Already on main: the deprecated chart's PodDisruptionBudget, at its apiVersion line.
    'api-not-served charts/legacy/templates/pdb.yaml:2',
  ];
}

const found = (r: RunBundledActionResult) =>
  (JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport).findings
    .filter((f) => ISSUE_24.has(f.ruleId))
    .map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine ?? ''}`);

function figures(expected: readonly string[], got: readonly string[]) {
  const falseAlarms = got.filter((g) => !expected.includes(g));
  const misses = expected.filter((e) => !got.includes(e));
  return { expected: expected.length, reported: got.length, falseAlarms, misses };
}

describe.each([
  ['helm 3', toolBin('helm3', 'helm')],
  ['helm 4', toolBin('helm')],
])('%s', (name, helm) => {
  const run = (ws: string, inputs: Record<string, string>) =>
    runBundledAction({
      action: 'helm-validate',
      workspace: ws,
      inputs: { comment: 'false', 'kubernetes-versions': '1.37', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
    });

  test('chart repository with planted mistakes: every one reported at its line, nothing else', async () => {
    const ws = checkout('chart-repo');
    const expected = plant(ws);
    const r = await run(ws, { 'base-ref': 'main', 'changed-only': 'false' });
    const f = figures(expected, found(r));
    process.stdout.write(`issue 24 accuracy, ${name}, chart-repo: ${JSON.stringify(f)}\n`);
    expect(f).toEqual({ expected: 9, reported: 9, falseAlarms: [], misses: [] });
    // Every chart ran (dependencies built offline from file://, the vendored alias found).
    expect(r.outputs.outcome).toBe('policy-failure');
    expect((JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport).notValidated).toEqual([]);
  });

  test('application repository with internal charts and nothing wrong: no finding of these rules', async () => {
    const ws = checkout('app-repo');
    const r = await run(ws, {});
    const f = figures([], found(r));
    process.stdout.write(`issue 24 accuracy, ${name}, app-repo: ${JSON.stringify(f)}\n`);
    expect(f).toEqual({ expected: 0, reported: 0, falseAlarms: [], misses: [] });
    expect(r.outputs.outcome).toBe('clean');
  });
});
