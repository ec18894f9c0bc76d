// Issue 24 (helm-validate): the bundled action under Node 24 through the local runner, with the real helm
// 3.18.0 and helm 4.1.4 the harness provisions, on chart repositories written here in the shapes of real
// ones (several charts, a library chart, file:// and remote dependencies, a git history with a base branch).
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { buildAction } from './helpers/build.js';

jest.setTimeout(240_000);

const HELMS = [
  ['helm 3', toolBin('helm3', 'helm'), '3.18.0', 3],
  ['helm 4', toolBin('helm'), '4.1.4', 4],
] as const;

beforeAll(buildAction, 300_000);

const CHART = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'hv-24-'));
  write(ws, files);
  return ws;
}
function write(ws: string, files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), text);
  }
}

/** A Deployment that passes every default policy; `replicas` and the container port come from values. */
const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: web
          image: registry.example.com/web:1.2.3
          resources:
            requests: { cpu: 100m, memory: 64Mi }
            limits: { memory: 128Mi }
          readinessProbe: { httpGet: { path: /, port: 8080 } }
          livenessProbe: { httpGet: { path: /, port: 8080 } }
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: { drop: [ALL] }
`;

const report = (r: RunBundledActionResult): JsonReport => JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport;
const rules = (r: RunBundledActionResult) => report(r).findings.map((f) => f.ruleId);
const errors = (r: RunBundledActionResult) => r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message);

describe.each(HELMS)('%s', (_name, helm, version, major) => {
  const run = (ws: string, inputs: Record<string, string> = {}) =>
    runBundledAction({
      action: 'helm-validate',
      workspace: ws,
      inputs: { comment: 'false', 'kubernetes-versions': '1.37', lint: 'false', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
    });

  test('1: a multi-document values file is validated as this helm reads it, and the run says which documents it used', async () => {
    const ws = workspace({
      'charts/web/Chart.yaml': CHART('web'),
      'charts/web/values.yaml': 'replicas: 2\n',
      'charts/web/templates/deploy.yaml': deployment,
      // helm 3 reads the first document; helm 4 merges both, so replicas becomes "two".
      'charts/web/values-prod.yaml': 'replicas: 3\n---\nreplicas: two\n',
      'charts/api/Chart.yaml': CHART('api'),
      'charts/api/values.yaml': 'replicas: 1\n',
      'charts/api/templates/deploy.yaml': deployment,
    });
    const r = await run(ws);
    // Not a configuration error: every chart and values file is validated.
    expect(report(r).matrix.map((c) => [c.chart, c.values, c.versions['1.37']])).toEqual([
      ['charts/api', 'values.yaml', 'validated'],
      ['charts/web', 'values-prod.yaml', 'validated'],
      ['charts/web', 'values.yaml', 'validated'],
    ]);
    const multi = report(r).findings.find((f) => f.ruleId === 'values-multi-document')!;
    expect(multi).toMatchObject({ severity: 'low', location: { path: 'charts/web/values-prod.yaml', startLine: 2 } });
    const wrongType = report(r).findings.filter((f) => f.ruleId === 'schema-wrong-type');
    if (major === 3) {
      expect(multi.message).toContain(
        'values file charts/web/values-prod.yaml holds 2 YAML documents: helm 3.18.0 (this run) reads only the first document (line 1) and ignores the other 1; helm 4 would merge all 2 in order.',
      );
      expect(wrongType).toEqual([]);
      expect(r.outputs.outcome).toBe('clean');
    } else {
      expect(multi.message).toContain(
        'values file charts/web/values-prod.yaml holds 2 YAML documents: helm 4.1.4 (this run) merges all 2 documents in order: a key in a later document wins, maps merge key by key, lists are replaced; helm 3 would read only the first document.',
      );
      // What helm 4 made of it (the second document's value) is validated.
      expect(wrongType.map((f) => [f.location, f.message])).toEqual([
        [{ path: 'charts/web/templates/deploy.yaml', startLine: 6 }, expect.stringContaining('spec.replicas: expected integer, got string "two"')],
      ]);
      expect(r.outputs.outcome).toBe('policy-failure');
    }
    // A second document that is not values: helm 3 never reads it; helm 4 cannot, which is a configuration error.
    writeFileSync(join(ws, 'charts/web/values-prod.yaml'), 'replicas: 3\n---\n- not\n- values\n');
    const list = await run(ws);
    if (major === 3) expect(list.outputs.outcome).toBe('clean');
    else {
      expect(list.outputs.outcome).toBe('config-error');
      expect(errors(list)).toEqual(['helm-validate: values file charts/web/values-prod.yaml (document 2 of 2, which helm 4 reads) must be a YAML mapping of values, not a list']);
    }
  });

  test('2: dependencies that cannot be fetched get the way out for where they come from; other charts are still validated and their findings named', async () => {
    const ws = workspace({
      'charts/oci/Chart.yaml': CHART('oci', 'dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: oci://127.0.0.1:9/charts\n'),
      'charts/oci/templates/deploy.yaml': deployment,
      'charts/local/Chart.yaml': CHART('local', 'dependencies:\n  - name: common\n    version: 0.1.0\n    repository: file://../commons\n'),
      'charts/local/templates/deploy.yaml': deployment,
      'charts/vendored/Chart.yaml': CHART('vendored', 'dependencies:\n  - name: postgresql\n    version: 12.1.0\n'),
      'charts/vendored/templates/deploy.yaml': deployment,
      // A chart that renders, with a real problem: it is reported even though the run is a tool error.
      'charts/priv/Chart.yaml': CHART('priv'),
      'charts/priv/values.yaml': 'replicas: 1\n',
      'charts/priv/templates/deploy.yaml': deployment.replace('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            privileged: true'),
    });
    const r = await run(ws);
    expect(r.outputs.outcome).toBe('tool-error');
    expect(rules(r)).toContain('privileged-container');
    const line = errors(r).at(-1)!;
    expect(line).toBe(
      'helm-validate: dependencies missing from charts/: 3 times on 3 charts (charts/local, charts/oci, charts/vendored); none of those was validated (the job summary lists each); and 1 finding at or above "high" (see the annotations and the job summary)',
    );
    expect(line.length).toBeLessThan(300);
    const warnings = r.main.annotations.filter((a) => a.level === 'warning');
    const at = (file: string) => warnings.find((w) => w.file === file)!;
    expect(at('charts/oci/Chart.yaml')).toMatchObject({ line: 5 });
    expect(at('charts/oci/Chart.yaml').message).toMatch(
      /^charts\/oci: dependency redis from oci:\/\/127\.0\.0\.1:9\/charts: connection refused\. Charts from oci:\/\/ are pulled straight from the registry \(there is no repository to add\): let this job reach 127\.0\.0\.1:9, and for a private registry run "helm registry login 127\.0\.0\.1:9" in an earlier step; or vendor it/,
    );
    expect(at('charts/oci/Chart.yaml').message).not.toContain('file://');
    expect(at('charts/local/Chart.yaml').message).toBe(
      "charts/local: dependency common from file://../commons: nothing to build it from. file://../commons resolves to charts/commons (from charts/local), which does not exist: point it at the chart's folder inside the repository.",
    );
    expect(at('charts/vendored/Chart.yaml').message).toContain('postgresql has no repository, so helm expects it in charts/: commit it there');
    // The summary and the report have every case, with helm's own words where helm ran.
    const oci = report(r).notValidated.find((l) => l.startsWith('charts/oci: '))!;
    expect(oci).toMatch(/^charts\/oci: not rendered: dependency redis from oci:\/\/127\.0\.0\.1:9\/charts: connection refused\. Charts from oci:\/\/ are pulled/);
    expect(oci).toMatch(/\(helm: could not download oci:\/\/127\.0\.0\.1:9\/charts\/redis: .*connection refused\)$/);
    expect(r.summary).toContain('charts/oci: not rendered: dependency redis from oci://127\\.0\\.0\\.1:9/charts: connection refused\\.');
  });

  test('3: not-served APIs point at the apiVersion line; values failing values.schema.json point at the values file and key', async () => {
    const ws = workspace({
      'charts/legacy/Chart.yaml': CHART('legacy'),
      'charts/legacy/templates/ingress.yaml': '{{- /* kept for old clusters */ -}}\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: legacy\nspec: {}\n',
      'charts/schema/Chart.yaml': CHART('schema'),
      'charts/schema/values.yaml': 'replicas: 1\nimage:\n  tag: "1.0"\n  pullPolicy: Always\n',
      'charts/schema/values.schema.json': JSON.stringify({
        type: 'object',
        required: ['image'],
        properties: {
          replicas: { type: 'integer', minimum: 1 },
          image: { type: 'object', required: ['tag'], properties: { tag: { type: 'string' }, pullPolicy: { enum: ['Always', 'IfNotPresent'] } } },
        },
      }),
      'charts/schema/values-prod.yaml': '# production\nreplicas: "3"\nimage:\n  tag: 5\n  pullPolicy: Sometimes\n',
      'charts/schema/templates/deploy.yaml': deployment,
    });
    const r = await run(ws);
    const notServed = report(r).findings.find((f) => f.ruleId === 'api-not-served')!;
    expect(notServed.location).toEqual({ path: 'charts/legacy/templates/ingress.yaml', startLine: 2 });
    const schema = report(r)
      .findings.filter((f) => f.ruleId === 'values-schema')
      .map((f) => [f.properties?.field, f.location, f.properties?.values]);
    expect(schema.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['image.pullPolicy', { path: 'charts/schema/values-prod.yaml', startLine: 5 }, 'values-prod.yaml'],
      ['image.tag', { path: 'charts/schema/values-prod.yaml', startLine: 4 }, 'values-prod.yaml'],
      ['replicas', { path: 'charts/schema/values-prod.yaml', startLine: 2 }, 'values-prod.yaml'],
    ]);
    expect(report(r).findings.find((f) => f.ruleId === 'values-schema' && f.properties?.field === 'replicas')?.message).toContain(
      major === 3 ? 'replicas: Invalid type. Expected: integer, given: string' : 'replicas: got string, want integer',
    );
    expect(report(r).findings.filter((f) => f.ruleId === 'render-error')).toEqual([]);
    expect(report(r).matrix.find((c) => c.values === 'values-prod.yaml')?.renderError).toBe('values do not match values.schema.json (3 violations)');
  });

  test('4: a timeout on every Kubernetes version is one short line with counts; the detail is in the summary', async () => {
    const slow =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: slow\n  labels: { v: {{ .Capabilities.KubeVersion.Minor | quote }} }\ndata:\n{{- range $i := until 3000000 }}\n{{- if eq $i -1 }}\n  never: "{{ $i }}"\n{{- end }}\n{{- end }}\n';
    const ws = workspace({ 'charts/slow/Chart.yaml': CHART('slow'), 'charts/slow/templates/cm.yaml': slow });
    const r = await run(ws, { timeout: '1s', 'kubernetes-versions': '1.34, 1.35, 1.36, 1.37' });
    expect(r.outputs.outcome).toBe('tool-error');
    expect(errors(r).at(-1)).toBe('helm-validate: helm template timed out (limit 1s): 4 times on 1 chart (charts/slow); none of those was validated (the job summary lists each)');
    expect(report(r).notValidated).toEqual(
      ['1.34', '1.35', '1.36', '1.37'].map((v) =>
        expect.stringMatching(
          new RegExp(`^charts/slow \\(\\(chart defaults\\)\\), Kubernetes ${v.replace('.', '\\.')}: helm template timed out after \\d+(\\.\\d)?s \\(limit 1s\\)$`),
        ),
      ),
    );
    expect(r.summary).toContain('**Not validated** (4)');
  });

  test('6: on helm 3.18.0 a finding its own regression causes carries the hint; helm 4 renders the chart clean', async () => {
    const port = deployment.replace(
      '          readinessProbe:',
      '          ports:\n            - containerPort: {{ if kindIs "float64" .Values.port }}{{ .Values.port }}{{ else }}{{ .Values.port | quote }}{{ end }}\n          readinessProbe:',
    );
    const ws = workspace({ 'charts/web/Chart.yaml': CHART('web'), 'charts/web/values.yaml': 'replicas: 1\nport: 8080\n', 'charts/web/templates/deploy.yaml': port });
    const r = await run(ws);
    const wrong = report(r).findings.filter((f) => f.ruleId === 'schema-wrong-type');
    if (version === '3.18.0') {
      expect(wrong).toHaveLength(1);
      expect(wrong[0].message).toContain("(Possibly helm 3.18.0's regression, not the chart: it hands numbers from values to templates as json.Number");
      expect(wrong[0].message).toContain('helm/helm#30880, fixed in 3.18.1');
      expect(r.main.annotations.map((a) => a.message)).toContainEqual(expect.stringContaining('for example helm-version: 3.20.2'));
    } else {
      expect(wrong).toEqual([]);
      expect(r.outputs.outcome).toBe('clean');
    }
  });
});

describe("5: chart-testing's checks (helm 4)", () => {
  const helm = toolBin('helm');
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
  const run = (ws: string, inputs: Record<string, string> = {}) =>
    runBundledAction({
      action: 'helm-validate',
      workspace: ws,
      inputs: { comment: 'false', 'kubernetes-versions': '1.37', lint: 'false', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
    });
  const maintainers = 'maintainers:\n  - name: Platform Team\n    email: platform@example.com\n';

  /**
   * A chart repository on main: web, api, static and worker (which uses the library chart common through
   * file://). The branch changes web without a version bump, api with one, and common (so worker is
   * affected); worker itself, static and docs stay as they were.
   */
  function repository(): string {
    const ws = workspace({
      'charts/web/Chart.yaml': CHART('web', maintainers).replace('0.1.0', '1.4.0'),
      'charts/web/values.yaml': 'replicas: 2\n',
      'charts/web/templates/deploy.yaml': deployment,
      'charts/api/Chart.yaml': CHART('api', maintainers).replace('0.1.0', '2.0.0'),
      'charts/api/values.yaml': 'replicas: 1\n',
      'charts/api/templates/deploy.yaml': deployment,
      'charts/common/Chart.yaml': CHART('common', `type: library\n${maintainers}`),
      'charts/common/templates/_helpers.tpl': '{{- define "common.name" -}}{{ .Chart.Name }}{{- end -}}\n',
      'charts/worker/Chart.yaml': CHART('worker', `${maintainers}dependencies:\n  - name: common\n    version: 0.1.0\n    repository: file://../common\n`),
      'charts/worker/values.yaml': 'replicas: 1\n',
      'charts/worker/templates/deploy.yaml': deployment.replace('{{ .Release.Name }}-{{ .Chart.Name }}', '{{ .Release.Name }}-{{ include "common.name" . }}'),
      'charts/worker/charts/common/Chart.yaml': CHART('common', `type: library\n${maintainers}`),
      'charts/worker/charts/common/templates/_helpers.tpl': '{{- define "common.name" -}}{{ .Chart.Name }}{{- end -}}\n',
      'charts/static/Chart.yaml': CHART('static', maintainers),
      'charts/static/values.yaml': 'replicas: 1\n',
      'charts/static/templates/deploy.yaml': deployment,
      'docs/README.md': '# charts\n',
    });
    git(ws, 'init', '-q', '-b', 'main');
    git(ws, 'add', '-A');
    git(ws, 'commit', '-qm', 'charts');
    git(ws, 'checkout', '-qb', 'feature');
    write(ws, {
      'charts/web/values.yaml': 'replicas: 3\n',
      'charts/api/values.yaml': 'replicas: 2\n',
      'charts/api/Chart.yaml': CHART('api', maintainers).replace('0.1.0', '2.1.0'),
      'charts/common/templates/_helpers.tpl': '{{- define "common.name" -}}{{ .Chart.Name | trunc 20 }}{{- end -}}\n',
      'docs/README.md': '# charts, documented\n',
    });
    git(ws, 'commit', '-qam', 'change web, api, common');
    return ws;
  }

  test('base-ref: only changed charts (and their file:// users) are validated; a changed chart needs a higher version', async () => {
    const ws = repository();
    const r = await run(ws, { 'base-ref': 'main' });
    // Application charts first, then library charts (parsed through a minimal consumer).
    expect(report(r).matrix.map((c) => c.chart)).toEqual(['charts/api', 'charts/web', 'charts/worker', 'charts/common']);
    const bumps = report(r).findings.filter((f) => f.ruleId === 'chart-version-bump');
    expect(bumps.map((f) => [f.properties?.chart, f.location, f.severity])).toEqual([
      ['charts/common', { path: 'charts/common/Chart.yaml', startLine: 3 }, 'high'],
      ['charts/web', { path: 'charts/web/Chart.yaml', startLine: 3 }, 'high'],
    ]);
    expect(bumps[1].message).toMatch(/^charts\/web changed since main \(merge base [0-9a-f]{7}\), but its version 1\.4\.0 is not above 1\.4\.0, the version on main\./);
    expect(r.outputs.outcome).toBe('policy-failure');
    expect(r.summary).toMatch(
      /\*\*Changed since\*\* `main` \(merge base `[0-9a-f]{7}`\): 4 of 5 chart\(s\) changed \(`charts\/api`, `charts\/common`, `charts\/web`, `charts\/worker`\); only those were validated\./,
    );
    expect(report(r).changes).toMatchObject({
      baseRef: 'main',
      changed: ['charts/api', 'charts/common', 'charts/web', 'charts/worker'],
      versionChecked: ['charts/api', 'charts/common', 'charts/web'],
    });
  });

  test("changed-only: false validates every chart and still checks the changed ones' versions; nothing changed is a clean run without helm", async () => {
    const ws = repository();
    const all = await run(ws, { 'base-ref': 'main', 'changed-only': 'false' });
    expect(report(all).matrix.map((c) => c.chart)).toEqual(['charts/api', 'charts/static', 'charts/web', 'charts/worker', 'charts/common']);
    expect(
      report(all)
        .findings.filter((f) => f.ruleId === 'chart-version-bump')
        .map((f) => f.properties?.chart),
    ).toEqual(['charts/common', 'charts/web']);
    git(ws, 'checkout', '-q', 'main');
    const none = await run(ws, { 'base-ref': 'main' });
    expect(none.outputs).toMatchObject({ outcome: 'clean', 'charts-count': '0' });
    expect(none.summary).toMatch(/no chart changed \(of 5\), so nothing was validated/);
    // A base the clone does not have is a configuration error that says how to get it.
    const missing = await run(ws, { 'base-ref': 'origin/main' });
    expect(errors(missing)).toEqual([
      'helm-validate: input "base-ref" names "origin/main", which is not a commit in this clone; fetch it first (actions/checkout with fetch-depth: 0, or git fetch origin <branch>), or name it as origin/<branch>',
    ]);
  });

  test('Chart.yaml fields and maintainers, and YAML style, each at its line; an exception per chart; chart-maintainers when asked', async () => {
    const ws = workspace({
      'charts/web/Chart.yaml':
        'apiVersion: v2\nname: web\nversion: "1.0"\nkeywords: web\nmaintainer: someone\nmaintainers:\n  - email: not-an-email\n  - name: Jane\n    url: nope\n',
      'charts/web/values.yaml': 'replicas: 1   \nenabled: yes\nlabels: { a: b }\n',
      'charts/web/templates/deploy.yaml': deployment,
      'charts/bare/Chart.yaml': CHART('bare'),
      'charts/bare/values.yaml': 'replicas: 1\n',
      'charts/bare/templates/deploy.yaml': deployment,
    });
    const r = await run(ws, { lint: 'true' });
    const f = report(r).findings;
    const meta = f.filter((x) => x.ruleId === 'chart-metadata').map((x) => [x.properties?.field, x.location?.startLine, x.severity]);
    expect(meta.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['keywords', 4, 'high'],
      ['maintainer', 5, 'high'],
      ['maintainers[0].email', 7, 'high'],
      ['maintainers[0].name', 7, 'high'],
      ['maintainers[1].url', 9, 'high'],
      ['version', 3, 'high'],
    ]);
    // helm lint's own maintainer and version messages are not reported a second time.
    expect(f.filter((x) => x.ruleId.startsWith('helm-lint') && /maintainer|SemVer/.test(x.message))).toEqual([]);
    const style = f.filter((x) => x.ruleId === 'yaml-lint').map((x) => [x.properties?.field, x.location?.startLine, x.severity, x.properties?.values]);
    expect(style.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['yamllint/braces', 3, 'low', 'values.yaml'],
      ['yamllint/trailing-spaces', 1, 'low', 'values.yaml'],
      ['yamllint/truthy', 2, 'info', 'values.yaml'],
    ]);
    expect(f.find((x) => x.properties?.field === 'yamllint/trailing-spaces')?.message).toBe(
      'charts/web/values.yaml: trailing spaces on line 1 (yamllint trailing-spaces) [values: values.yaml]',
    );
    expect(f.filter((x) => x.ruleId === 'chart-maintainers')).toEqual([]);

    writeFileSync(join(ws, 'exceptions.yaml'), 'exceptions:\n  - rule: yaml-lint\n    chart: charts/web\n    reason: generated values, formatted by our tool\n');
    const excused = await run(ws, { 'exceptions-file': 'exceptions.yaml', 'severity-overrides': 'chart-maintainers=medium' });
    expect(report(excused).findings.filter((x) => x.ruleId === 'yaml-lint')).toEqual([]);
    expect(report(excused).suppressed.filter((x) => x.finding.ruleId === 'yaml-lint')).toHaveLength(3);
    expect(
      report(excused)
        .findings.filter((x) => x.ruleId === 'chart-maintainers')
        .map((x) => [x.properties?.chart, x.severity, x.location]),
    ).toEqual([['charts/bare', 'medium', { path: 'charts/bare/Chart.yaml' }]]);
  });
});
