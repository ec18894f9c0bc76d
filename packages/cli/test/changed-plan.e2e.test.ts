// `check --changed` and CI agree on what a change touches: one plan, the kit's change detection. A real git
// repository with a library chart used by three charts (and one chart that uses nothing), pushed to its
// upstream; a laptop edit to the library. The CLI lists the charts the plan action lists for the same change
// as a pull request, and helm-validate — called directly and through helm-ci.yml's plan → shard → verdict —
// validates exactly those. Real git, real helm 4, the real plan and helm-validate bundles.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runBundledAction } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { freshBundle, git, pathWith, runCli, tempRepo } from './helpers.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

const WORKFLOW = `name: charts
on: [pull_request]
jobs:
  charts:
    uses: acme/platform-actions/.github/workflows/helm-ci.yml@${SHA}
    with:
      kubernetes-versions: '1.37'
  direct:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: acme/platform-actions/actions/helm-validate@${SHA}
        with:
          kubernetes-versions: '1.37'
`;

const chart = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nmaintainers:\n  - name: Platform\n${extra}`;
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;
const USES_LIB = 'dependencies:\n  - name: lib\n    version: 1.0.0\n    repository: file://../lib\n';

function files(): Record<string, string> {
  const f: Record<string, string> = {
    '.github/workflows/charts.yml': WORKFLOW,
    'charts/lib/Chart.yaml': chart('lib', 'type: library\n'),
    'charts/lib/templates/_name.tpl': '{{- define "lib.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}\n',
    'charts/solo/Chart.yaml': chart('solo'),
    'charts/solo/values.yaml': 'a: 1\n',
    'charts/solo/templates/cm.yaml': configMap('solo'),
  };
  for (const c of ['api', 'web', 'worker']) {
    f[`charts/${c}/Chart.yaml`] = chart(c, USES_LIB);
    f[`charts/${c}/values.yaml`] = 'a: 1\n';
    f[`charts/${c}/templates/cm.yaml`] = configMap('{{ include "lib.name" . }}');
  }
  return f;
}

const CHANGED = ['charts/api', 'charts/lib', 'charts/web', 'charts/worker'];

let repo: string;
let env: Record<string, string>;
const out = mkdtempSync(join(tmpdir(), 'pa-cli-changed-plan-'));
let n = 0;
const json = () => join(out, `r${++n}.json`);
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as JsonReport;
/** The items a stage's note lists after its last ': '. */
const listed = (note: string | undefined) => (note ?? '').split(': ').pop()!.split(', ');
const note = (r: JsonReport, stage: string, prefix: string) => r.stages.find((s) => s.name === stage)?.notes.find((x) => x.startsWith(prefix));

beforeAll(() => {
  freshBundle('helm-validate');
  freshBundle('plan');
  env = { PATH: pathWith('helm') };
  repo = tempRepo(files());
  const upstream = mkdtempSync(join(tmpdir(), 'pa-cli-upstream-'));
  git(upstream, 'init', '-q', '--bare');
  git(repo, 'remote', 'add', 'origin', upstream);
  git(repo, 'push', '-q', '-u', 'origin', 'main');
  // The laptop change: the library's helper, edited, not committed.
  writeFileSync(join(repo, 'charts/lib/templates/_name.tpl'), '{{- define "lib.name" -}}{{ .Release.Name }}-{{ .Chart.Name | trunc 40 }}{{- end -}}\n');
}, 300_000);

describe('check --changed: the plan CI makes', () => {
  it('--list names the library and the three charts that use it, for the direct stage and for helm-ci.yml’s plan job', async () => {
    const file = json();
    const r = await runCli(['check', '--repo', repo, '--changed', '--list', '--json', file], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    const report = readReport(file);
    expect(report.stages.map((s) => s.name)).toEqual(['plan', 'helm-validate/helm-validate', 'verdict', 'direct/helm-validate']);
    const direct = note(report, 'direct/helm-validate', '--changed:');
    expect(direct).toBe(`--changed: 4 of 5 charts, merge-base(origin/main, HEAD)..working tree: ${CHANGED.join(', ')}`);
    expect(listed(note(report, 'plan', 'computed here'))).toEqual(CHANGED);
    // The shard takes the plan's items (matrix.items), so it needs no --input; the verdict is not run here.
    expect(note(report, 'helm-validate/helm-validate', '--changed:')).toBe(`--changed: 4 of 4 charts, merge-base(origin/main, HEAD)..working tree: ${CHANGED.join(', ')}`);
    expect(report.stages.find((s) => s.name === 'verdict')?.notes).toEqual(["the verdict merges the reports of CI's shards into one; here each stage reports its own"]);
    expect(r.stdout).not.toMatch(/needs --input/);
  }, 60_000);

  it('the plan action, given the same change as a pull request, lists the same charts', async () => {
    const base = git(repo, 'rev-parse', 'origin/main');
    // The same edit as a commit on a branch, in a clone (the laptop's working tree stays as it is).
    const pr = mkdtempSync(join(tmpdir(), 'pa-cli-pr-'));
    git(pr, 'clone', '-q', repo, '.');
    git(pr, 'checkout', '-q', '-b', 'feature');
    writeFileSync(join(pr, 'charts/lib/templates/_name.tpl'), readFileSync(join(repo, 'charts/lib/templates/_name.tpl'), 'utf8'));
    git(pr, 'commit', '-qam', 'lib: trunc');
    const head = git(pr, 'rev-parse', 'HEAD');
    const payload = {
      number: 7,
      pull_request: { number: 7, base: { sha: base, ref: 'main', repo: { full_name: 'acme/charts' } }, head: { sha: head, ref: 'feature', repo: { full_name: 'acme/charts' } } },
      repository: { full_name: 'acme/charts', default_branch: 'main' },
    };
    const r = await runBundledAction({ action: 'plan', inputs: { kind: 'charts' }, workspace: pr, event: { name: 'pull_request', payload }, env: { PATH: env.PATH } });
    expect(r.outputs.outcome).toBe('clean');
    expect(r.outputs.items.split('\n')).toEqual(CHANGED);
    // And the CLI on that commit, not yet pushed, agrees again.
    git(pr, 'branch', '-q', '--set-upstream-to', 'origin/main');
    const file = json();
    await runCli(['check', '--repo', pr, '--changed', '--list', '--json', file], env);
    expect(listed(note(readReport(file), 'direct/helm-validate', '--changed:'))).toEqual(r.outputs.items.split('\n'));
  }, 120_000);

  it('helm-validate validates exactly those charts, directly and as helm-ci.yml’s shard; the library needs a new version', async () => {
    // Report files must be inside the workspace; git ignores them, so they are no change of their own.
    writeFileSync(join(repo, '.git/info/exclude'), 'hv-*.json\n');
    const reports = { direct: join(repo, 'hv-direct.json'), fanned: join(repo, 'hv-fanned.json') };
    const file = json();
    const r = await runCli(
      [
        'check',
        '--repo',
        repo,
        '--changed',
        '--json',
        file,
        '--input',
        `direct/helm-validate.report-file=${reports.direct}`,
        '--input',
        `helm-validate/helm-validate.report-file=${reports.fanned}`,
      ],
      env,
    );
    const report = readReport(file);
    expect(report.stages.map((s) => [s.name, s.outcome])).toEqual([
      ['plan', 'skipped'],
      ['helm-validate/helm-validate', 'policy-failure'],
      ['verdict', 'skipped'],
      ['direct/helm-validate', 'policy-failure'],
    ]);
    expect(r.code).toBe(1);
    const mergeBase = git(repo, 'merge-base', 'origin/main', 'HEAD');
    for (const stage of ['direct', 'fanned'] as const) {
      const hv = JSON.parse(readFileSync(reports[stage], 'utf8')) as {
        matrix: Array<{ chart: string }>;
        changes: { changed: string[]; versionChecked: string[] };
        findings: Array<{ ruleId: string; message: string }>;
      };
      expect([stage, [...new Set(hv.matrix.map((c) => c.chart))].sort(), hv.changes.changed]).toEqual([stage, CHANGED, CHANGED]);
      expect(hv.changes.versionChecked).toEqual(['charts/lib']);
      // base-ref is the merge base with the upstream, named short.
      expect(hv.findings.filter((f) => f.ruleId === 'chart-version-bump').map((f) => f.message)).toEqual([
        `charts/lib changed since ${mergeBase.slice(0, 7)}, but its version 1.0.0 is not above 1.0.0, the version on ${mergeBase.slice(0, 7)}.`,
      ]);
    }
  }, 240_000);

  it('with nothing changed, the plan is empty and the shard is skipped by its if:, as on GitHub; without --changed every chart', async () => {
    const clean = mkdtempSync(join(tmpdir(), 'pa-cli-clean-'));
    git(clean, 'clone', '-q', repo, '.');
    git(clean, 'branch', '-q', '--set-upstream-to', 'origin/main');
    const file = json();
    await runCli(['check', '--repo', clean, '--changed', '--list', '--json', file], env);
    const report = readReport(file);
    expect(note(report, 'plan', 'computed here')).toMatch(/: 0 of 5 charts, merge-base\(origin\/main, HEAD\)\.\.working tree: nothing to check$/);
    expect(report.stages.find((s) => s.name === 'helm-validate/helm-validate')?.notes).toEqual(["if: needs.plan.outputs.empty == 'false' is false locally"]);
    const all = json();
    await runCli(['check', '--repo', clean, '--list', '--json', all], env);
    expect(listed(note(readReport(all), 'plan', 'computed here'))).toEqual([...CHANGED, 'charts/solo'].sort());
  }, 60_000);

  it('a folder inside a larger repository has no history of its own: its plan is every chart in it', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'pa-cli-outer-')), 'team');
    for (const [p, text] of Object.entries(files())) {
      mkdirSync(dirname(join(folder, p)), { recursive: true });
      writeFileSync(join(folder, p), text);
    }
    git(dirname(folder), 'init', '-q');
    const file = json();
    const r = await runCli(['check', '--repo', folder, '--list', '--json', file], env);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(note(readReport(file), 'plan', 'computed here')).toBe(
      `computed here, not run (the jobs that need it take every planned item in one run): all 5 charts (a folder without git history, so every item): ${[...CHANGED, 'charts/solo'].sort().join(', ')}`,
    );
  }, 60_000);
});
