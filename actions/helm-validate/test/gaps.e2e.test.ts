// Issue 13 (helm-validate): the places where a user was told "green" without being told what was not
// checked. Each case runs the bundled action under Node 24 through the local runner, with real helm 3
// (3.18.0) and helm 4 (4.1.4), on charts written here; a positive and a negative case per item.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { buildAction } from './helpers/build.js';

jest.setTimeout(240_000);
const execFileAsync = promisify(execFile);

const HELMS = [
  ['helm 3', toolBin('helm3', 'helm'), '3.18.0'],
  ['helm 4', toolBin('helm'), '4.1.4'],
] as const;

// Never test a stale bundle: build this action (and its schema asset) first when a source changed.
beforeAll(buildAction, 300_000);

const CHART = (name: string, extra = '') => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n${extra}`;

/** A workspace with `files` (paths relative to it). */
function workspace(files: Record<string, string>): string {
  const ws = mkdtempSync(join(tmpdir(), 'hv-gap-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(ws, p)), { recursive: true });
    writeFileSync(join(ws, p), text);
  }
  return ws;
}

/** A small Deployment template that passes every default policy unless values say otherwise. */
const deployment = (extraContainer = '', pod = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-app
spec:
  replicas: 2
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
${pod}      containers:
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
${extraContainer}`;

const report = (r: RunBundledActionResult): JsonReport => JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport;
const messages = (r: RunBundledActionResult, level?: string) => r.main.annotations.filter((a) => !level || a.level === level).map((a) => a.message);

describe.each(HELMS)('%s', (_name, helm, version) => {
  const run = (ws: string, inputs: Record<string, string> = {}) =>
    runBundledAction({
      action: 'helm-validate',
      workspace: ws,
      inputs: { comment: 'false', 'kubernetes-versions': '1.36, 1.37', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
    });

  test('item 1: a values file name that does not exist is a config error; a pattern matching nothing is a warning naming the chart', async () => {
    const ws = workspace({
      'charts/web/Chart.yaml': CHART('web'),
      'charts/web/values.yaml': 'a: 1\n',
      'charts/web/values-production.yaml': 'a: 2\n',
      'charts/web/templates/d.yaml': deployment(),
    });
    const typo = await run(ws, { 'values-files': 'values-prodution.yaml' });
    expect(typo.main.exitCode).toBe(1);
    expect(typo.outputs.outcome).toBe('config-error');
    expect(messages(typo, 'error')).toEqual([
      'helm-validate: input "values-files" names "values-prodution.yaml", which chart charts/web does not have (a name without wildcards must exist in every chart validated; use a pattern such as values-prod*.yaml for files only some charts have)',
    ]);
    const pattern = await run(ws, { 'values-files': 'values-production.yaml\nvalues-qa-*.yaml' });
    expect(pattern.outputs.outcome).toBe('clean');
    expect(messages(pattern, 'warning')).toContain(
      'values-files pattern "values-qa-*.yaml" matches no file in chart charts/web; only values.yaml, values-production.yaml is validated there.',
    );
    expect(report(pattern).matrix.map((c) => c.values)).toEqual(['values-production.yaml', 'values.yaml']);
  });

  test('item 2: .Capabilities.APIVersions answers like a real cluster of each target version, plus the api-versions input', async () => {
    const tpl = `{{- if .Capabilities.APIVersions.Has "apiregistration.k8s.io/v1" }}
apiVersion: apiregistration.k8s.io/v1
{{- else }}
apiVersion: apiregistration.k8s.io/v1beta1
{{- end }}
kind: APIService
metadata:
  name: v1beta1.metrics.example.com
spec:
  group: metrics.example.com
  version: v1beta1
  groupPriorityMinimum: 100
  versionPriority: 100
  service: { name: metrics, namespace: default }
{{- if .Capabilities.APIVersions.Has "autoscaling/v2/HorizontalPodAutoscaler" }}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: hpa-v2-served }
{{- end }}
{{- if .Capabilities.APIVersions.Has "apiregistration.k8s.io/v1beta1" }}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: removed-api-seen-as-served }
{{- end }}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
---
apiVersion: v1
kind: ConfigMap
metadata: { name: from-api-versions-input }
{{- end }}
`;
    const ws = workspace({ 'charts/agg/Chart.yaml': CHART('agg'), 'charts/agg/templates/apiservice.yaml': tpl });
    const r = await run(ws, { lint: 'false' });
    expect(report(r).findings.filter((f) => f.ruleId === 'api-not-served')).toEqual([]);
    expect(r.outputs.outcome).toBe('clean');
    // APIService at v1 and the autoscaling/v2 ConfigMap; apiregistration.k8s.io/v1beta1 (removed in 1.22) is not served.
    expect(report(r).matrix.map((c) => c.objects)).toEqual([2]);
    const extra = await run(ws, { lint: 'false', 'api-versions': 'monitoring.coreos.com/v1' });
    expect(report(extra).matrix.map((c) => c.objects)).toEqual([3]);
    // Rendered for a version that does not serve it, the legacy branch is taken, and we say so.
    const legacy = await run(
      workspace({ 'charts/agg/Chart.yaml': CHART('agg'), 'charts/agg/templates/apiservice.yaml': tpl.replace('"apiregistration.k8s.io/v1" }}', '"apiregistration.k8s.io/v2" }}') }),
      { lint: 'false' },
    );
    expect(report(legacy).findings.map((f) => f.ruleId)).toContain('api-not-served');
  });

  test('item 5: a kubeVersion that excludes every target is a warning, and severity-overrides can make it fail', async () => {
    const ws = workspace({ 'charts/future/Chart.yaml': CHART('future', 'kubeVersion: ">=1.99.0-0"\n'), 'charts/future/templates/d.yaml': deployment() });
    const r = await run(ws);
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs.outcome).toBe('clean');
    expect(messages(r, 'warning')).toContainEqual(
      expect.stringContaining('chart charts/future requires kubeVersion >=1.99.0-0, which excludes every target (1.36.3, 1.37.2), so nothing in it was validated.'),
    );
    expect(report(r).notValidated).toEqual(['charts/future ((chart defaults)): kubeVersion >=1.99.0-0 excludes every target']);
    expect(r.summary).toContain('**Not validated** (1)');
    const strict = await run(ws, { 'severity-overrides': 'kube-version-excluded=high' });
    expect(strict.main.exitCode).toBe(1);
    expect(strict.outputs.outcome).toBe('policy-failure');
    // A chart the targets include is not reported.
    const ok = await run(workspace({ 'charts/now/Chart.yaml': CHART('now', 'kubeVersion: ">=1.30.0-0"\n'), 'charts/now/templates/d.yaml': deployment() }));
    expect(report(ok).findings.filter((f) => f.ruleId === 'kube-version-excluded')).toEqual([]);
    expect(report(ok).notValidated).toEqual([]);
  });

  test('item 6: a dependency that cannot be fetched is named with the two ways out, and the checkout is left as it was', async () => {
    const ws = workspace({
      'charts/app/Chart.yaml': CHART('app', 'dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: http://127.0.0.1:9/charts\n'),
      'charts/app/templates/d.yaml': deployment(),
    });
    const r = await run(ws, { lint: 'false' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs.outcome).toBe('tool-error');
    // One short line for the failure; the way out at the dependency in Chart.yaml and in the summary.
    const line = messages(r, 'error').at(-1)!;
    expect(line).toBe(
      'helm-validate: dependencies missing from charts/ on charts/app (redis from http://127.0.0.1:9/charts: the repository http://127.0.0.1:9/charts could not be added: connection refused); it was not validated',
    );
    const way =
      'Let this job reach http://127.0.0.1:9/charts (the action adds the repositories from Chart.lock itself); or vendor it: run "helm dependency build charts/app" where the source is reachable and commit charts/*.tgz.';
    expect(r.main.annotations).toContainEqual(expect.objectContaining({ level: 'warning', file: 'charts/app/Chart.yaml', line: 5, message: expect.stringContaining(way) }));
    expect(report(r).notValidated.join('\n')).toContain(way);
    expect(line).not.toContain('helm-manager');
    expect(readdirSync(join(ws, 'charts/app')).sort()).toEqual(['Chart.yaml', 'templates']);
    const never = await run(ws, { lint: 'false', 'dependency-build': 'never' });
    expect(messages(never, 'error').at(-1)).toBe(
      'helm-validate: dependencies missing from charts/ on charts/app (redis from http://127.0.0.1:9/charts: not in charts/, and dependency-build is "never"); it was not validated',
    );
    expect(messages(never, 'warning')).toContainEqual(expect.stringContaining('Let this job reach http://127.0.0.1:9/charts and set dependency-build: auto'));
  });

  test('item 6: dependencies from a chart repository (added from Chart.lock) and from file:// build, render, and leave no Chart.lock or .tgz behind', async () => {
    // A real chart repository: helm package + helm repo index, served over HTTP on loopback.
    const repoDir = mkdtempSync(join(tmpdir(), 'hv-repo-'));
    const src = workspace({
      'redis/Chart.yaml': CHART('redis').replace('0.1.0', '1.0.0'),
      'redis/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-redis\n',
    });
    execFileSync(helm, ['package', join(src, 'redis'), '--destination', repoDir], { stdio: 'pipe' });
    const server: Server = createServer((req, res) => {
      const f = join(repoDir, (req.url ?? '/').replace(/^\/charts\//, '').replace(/\?.*$/, ''));
      if (!existsSync(f) || !/\.(tgz|yaml)$/.test(f)) return void res.writeHead(404).end();
      res.writeHead(200).end(readFileSync(f));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/charts`;
    execFileSync(helm, ['repo', 'index', repoDir, '--url', url], { stdio: 'pipe' });
    try {
      const ws = workspace({
        'charts/app/Chart.yaml': CHART(
          'app',
          `dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: ${url}\n  - name: common\n    version: 0.1.0\n    repository: file://../common\n`,
        ),
        'charts/app/templates/d.yaml': deployment(),
        'charts/common/Chart.yaml': CHART('common'),
        'charts/common/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\n',
      });
      // The user's Chart.lock, made the usual way; the archives it fetched are not committed.
      const helmHome = mkdtempSync(join(tmpdir(), 'hv-helm-home-'));
      const userEnv = { ...process.env, HELM_REPOSITORY_CONFIG: join(helmHome, 'r.yaml'), HELM_REPOSITORY_CACHE: join(helmHome, 'c') };
      // Asynchronously: the repository is served from this process, so its event loop must keep running.
      await execFileAsync(helm, ['repo', 'add', 'mine', url], { env: userEnv, timeout: 60_000 });
      await execFileAsync(helm, ['dependency', 'update', join(ws, 'charts/app')], { env: userEnv, timeout: 60_000 });
      rmSync(join(ws, 'charts/app/charts'), { recursive: true });
      const lockBefore = readFileSync(join(ws, 'charts/app/Chart.lock'), 'utf8');
      expect(lockBefore).toContain(url);
      const r = await run(ws, { charts: 'charts/app', lint: 'false' });
      expect(r.outputs.outcome).toBe('clean');
      expect(report(r).matrix.map((c) => c.objects)).toEqual([3]);
      expect(readdirSync(join(ws, 'charts/app')).sort()).toEqual(['Chart.lock', 'Chart.yaml', 'templates']);
      expect(readFileSync(join(ws, 'charts/app/Chart.lock'), 'utf8')).toBe(lockBefore);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });

  test('item 8: CRLF templates get line numbers; enum values are checked; the privileged hint names the values file', async () => {
    const crlf = deployment('', '')
      .replace('image: registry.example.com/web:1.2.3', 'image: registry.example.com/web:1.2.3\n          imagePullPolicy: IfNotPresnt')
      .replace(/\n/g, '\r\n');
    const priv = deployment(
      '          {{- with .Values.sidecar }}\n        - name: sidecar\n          image: registry.example.com/side:1.0.0\n          resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 32Mi } }\n          readinessProbe: { exec: { command: [true] } }\n          livenessProbe: { exec: { command: [true] } }\n          securityContext:\n            {{- toYaml .securityContext | nindent 12 }}\n          {{- end }}\n',
    );
    const ws = workspace({
      'charts/win/Chart.yaml': CHART('win'),
      'charts/win/templates/d.yaml': crlf,
      'charts/priv/Chart.yaml': CHART('priv'),
      'charts/priv/values.yaml': 'sidecar:\n  securityContext:\n    privileged: true\n    readOnlyRootFilesystem: true\n    capabilities: { drop: [ALL] }\n',
      'charts/priv/templates/d.yaml': priv,
    });
    const r = await run(ws, { lint: 'false' });
    const f = report(r).findings;
    const enumFinding = f.find((x) => x.ruleId === 'schema-invalid-value' && x.properties?.chart === 'charts/win');
    expect(enumFinding).toMatchObject({ severity: 'high', location: { path: 'charts/win/templates/d.yaml', startLine: 20 } });
    expect(enumFinding?.message).toContain('"IfNotPresnt" is not one of "Always", "Never", "IfNotPresent"');
    const esc = f.find((x) => x.ruleId === 'allow-privilege-escalation' && x.properties?.chart === 'charts/priv');
    expect(esc?.message).toContain('implied by privileged: true');
    expect(esc?.message).toContain('(likely set by sidecar.securityContext.privileged in charts/priv/values.yaml:3)');
    // The correct spelling passes the same check.
    const fixed = await run(workspace({ 'charts/win/Chart.yaml': CHART('win'), 'charts/win/templates/d.yaml': crlf.replace('IfNotPresnt', 'IfNotPresent') }), { lint: 'false' });
    expect(report(fixed).findings.filter((x) => x.ruleId.startsWith('schema-'))).toEqual([]);
    expect(fixed.outputs.outcome).toBe('clean');
  });

  test('item 8: a library chart given alone is parsed through a minimal consumer, not a failure; a syntax error in it is; helm 3.18.0 gets a version recommendation', async () => {
    const ws = workspace({
      'charts/lib/Chart.yaml': CHART('lib', 'type: library\n'),
      'charts/lib/templates/_helpers.tpl': '{{- define "lib.name" -}}\n{{ .Chart.Name | trunc 63 }}\n{{- end -}}\n',
    });
    const r = await run(ws, { charts: 'charts/lib' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs.outcome).toBe('clean');
    expect(messages(r, 'notice')).toContain(
      'charts/lib: library chart: its templates are parsed through a minimal consumer chart; what they produce is validated through the charts that use it',
    );
    expect(report(r).matrix.map((c) => [c.chart, c.values, c.versions['1.37']])).toEqual([['charts/lib', '(library chart, through a minimal consumer)', 'validated']]);
    writeFileSync(join(ws, 'charts/lib/templates/_helpers.tpl'), '{{- define "lib.name" -}}\n{{ .Chart.Name | trunc 63 }\n{{- end -}}\n');
    const broken = await run(ws, { charts: 'charts/lib' });
    expect(broken.outputs.outcome).toBe('policy-failure');
    expect(report(broken).findings.map((f) => [f.ruleId, f.location])).toEqual([['render-error', { path: 'charts/lib/templates/_helpers.tpl', startLine: 2 }]]);
    expect(report(broken).findings[0].message).toContain("helm could not parse the library chart's templates: parse error at (charts/lib/templates/_helpers.tpl:2)");
    const advice = messages(r, 'warning').filter((m) => m.startsWith('helm 3.18.0 has a known rendering regression'));
    expect(advice).toHaveLength(version === '3.18.0' ? 1 : 0);
  });

  test('render-error off: no second failure path (clean outcome, exit 0, one warning saying what was not validated)', async () => {
    const ws = workspace({
      'charts/bad/Chart.yaml': CHART('bad'),
      'charts/bad/templates/d.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.name }}\n',
    });
    const off = await run(ws, { 'severity-overrides': 'render-error=off' });
    expect(off.outputs.outcome).toBe('clean');
    expect(off.main.exitCode).toBe(0);
    expect(messages(off, 'warning')).toContainEqual(
      expect.stringMatching(
        /^1 chart × values combination\(s\) did not render and were not validated \(render-error is off\): chart charts\/bad with \(chart defaults\) does not render: /,
      ),
    );
    const on = await run(ws);
    expect(on.main.exitCode).toBe(1);
    expect(on.outputs.outcome).toBe('policy-failure');
    expect(messages(on, 'error').at(-1)).toBe('helm-validate: 1 finding at or above "high" (see the annotations and the job summary)');
  });

  test('a helm that times out on one chart: the others are still validated and reported, and the run says what did not run', async () => {
    const slow =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: slow\ndata:\n{{- range $i := until 3000000 }}\n{{- if eq $i -1 }}\n  never: "{{ $i }}"\n{{- end }}\n{{- end }}\n';
    const ws = workspace({
      'charts/slow/Chart.yaml': CHART('slow'),
      'charts/slow/templates/cm.yaml': slow,
      'charts/web/Chart.yaml': CHART('web'),
      'charts/web/templates/d.yaml': deployment(),
    });
    const r = await run(ws, { timeout: '1s', lint: 'false', 'kubernetes-versions': '1.37' });
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs.outcome).toBe('tool-error');
    // The real time taken (kill grace included) and the limit, never the limit alone.
    expect(messages(r, 'error').at(-1)).toMatch(
      /^helm-validate: helm template timed out after \d+(\.\d)?s \(limit 1s\) on charts\/slow \(\(chart defaults\)\); it was not validated$/,
    );
    const rep = report(r);
    expect(rep.matrix.map((c) => [c.chart, c.versions['1.37']])).toEqual([
      ['charts/slow', 'timed-out'],
      ['charts/web', 'validated'],
    ]);
    expect(rep.notValidated).toEqual([expect.stringMatching(/^charts\/slow \(\(chart defaults\)\), Kubernetes 1\.37: helm template timed out after \d+(\.\d)?s \(limit 1s\)$/)]);
    expect(existsSync(r.outputs['sarif-file'])).toBe(true);
    expect(r.summary).toContain('⏱️ timed out');
  });

  test('symlinks: values files and charts linked from inside the workspace are followed; links leading outside are never read', async () => {
    const ws = workspace({ 'common/values-prod.yaml': 'replicas: 3\n', 'common/charts/web/Chart.yaml': CHART('web'), 'common/charts/web/templates/d.yaml': deployment() });
    mkdirSync(join(ws, 'charts'));
    symlinkSync('../common/charts/web', join(ws, 'charts/web'));
    symlinkSync('../../values-prod.yaml', join(ws, 'common/charts/web/values-prod.yaml'));
    const r = await run(ws);
    expect(r.outputs.outcome).toBe('clean');
    expect(report(r).matrix.map((c) => [c.chart, c.values])).toEqual([
      ['charts/web', '(chart defaults)'],
      ['charts/web', 'values-prod.yaml'],
    ]);
    // A link that leads outside the workspace is not followed while looking for charts: one warning names it.
    const outside = mkdtempSync(join(tmpdir(), 'hv-outside-'));
    mkdirSync(join(outside, 'ext/templates'), { recursive: true });
    writeFileSync(join(outside, 'ext/Chart.yaml'), CHART('ext'));
    writeFileSync(join(outside, 'ext/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: do-not-read\n');
    symlinkSync(join(outside, 'ext'), join(ws, 'charts/ext'));
    const found = await run(ws);
    expect(report(found).matrix.map((c) => c.chart)).toEqual(['charts/web', 'charts/web']);
    expect(messages(found, 'warning')).toContain('charts/ext is a symlink that leads outside the workspace (or nowhere); it is not read.');
    expect(found.main.log).not.toContain('do-not-read');
    const named = await run(ws, { charts: 'charts/ext' });
    expect(messages(named, 'error')).toEqual(['helm-validate: input "charts" must be a path inside the workspace (it is a symlink that leads outside); got "charts/ext"']);
    // Inside a chart, helm reads every file (.Files.Get): a link to outside refuses the chart.
    writeFileSync(join(outside, 'values-secret.yaml'), 'token: do-not-read\n');
    symlinkSync(join(outside, 'values-secret.yaml'), join(ws, 'common/charts/web/values-secret.yaml'));
    const bad = await run(ws, { charts: 'charts/web' });
    expect(bad.outputs.outcome).toBe('config-error');
    expect(messages(bad, 'error')).toEqual([
      'helm-validate: charts/web/values-secret.yaml is a symlink that leads outside the workspace; helm would read it, so chart charts/web is not rendered. Replace the link with the file, or link to a file inside the repository.',
    ]);
    expect(bad.main.log).not.toContain('do-not-read');
  });
});

describe('helm 4 only: SARIF categories (item 4) and a large chart (item 3)', () => {
  const helm = HELMS[1][1];
  const run = (ws: string, inputs: Record<string, string> = {}) =>
    runBundledAction({
      action: 'helm-validate',
      workspace: ws,
      inputs: { comment: 'false', lint: 'false', 'kubernetes-versions': '1.37', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
    });
  test('item 7: with more findings than annotations can show, the failure line is still within the 10 errors GitHub keeps', async () => {
    const cms = Array.from({ length: 14 }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${i}\nbogus${i}: true\n`).join('');
    const r = await run(workspace({ 'charts/many/Chart.yaml': CHART('many'), 'charts/many/templates/cms.yaml': cms }));
    expect(report(r).findings.filter((f) => f.severity === 'high')).toHaveLength(14);
    const errs = messages(r, 'error');
    expect(errs.length).toBeLessThanOrEqual(10);
    expect(errs).toContain('helm-validate: 14 findings at or above "high" (see the annotations and the job summary)');
    // With fewer findings than the cap nothing is held back.
    const few = await run(workspace({ 'charts/few/Chart.yaml': CHART('few'), 'charts/few/templates/cms.yaml': cms.split('---\n').slice(0, 4).join('---\n') }));
    expect(messages(few, 'error')).toHaveLength(4);
  });

  test('item 6: credentials in a repository URL never reach the log, annotations, summary or report', async () => {
    const ws = workspace({
      'charts/app/Chart.yaml': CHART('app', 'dependencies:\n  - name: redis\n    version: 1.0.0\n    repository: http://bob:s3cretT0kenValue@127.0.0.1:9/charts\n'),
      'charts/app/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    });
    const r = await run(ws);
    expect(r.outputs.outcome).toBe('tool-error');
    expect(messages(r, 'error').at(-1)).toContain('(redis from http://127.0.0.1:9/charts: the repository http://127.0.0.1:9/charts could not be added');
    // The raw stdout holds the ::add-mask:: command that registers it (the runner never shows those lines).
    const shownOut = r.main.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(r.main.stdout).toContain('::add-mask::s3cretT0kenValue');
    for (const text of [shownOut, r.main.log, r.main.stderr, r.summary, readFileSync(r.outputs['report-file'], 'utf8'), JSON.stringify(r.main.annotations)])
      expect(text).not.toContain('s3cretT0kenValue');
  });

  test('item 3 (helm 4; the limit itself is tested with both in pipeline.integration.test.ts): rendered output over 32 MiB is validated whole, not cut into a bogus yaml-invalid', async () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {{ repeat 34000000 "a" | quote }}\n`;
    const ws = workspace({ 'charts/big/Chart.yaml': CHART('big'), 'charts/big/templates/cm.yaml': big });
    const r = await run(ws, { lint: 'false', 'kubernetes-versions': '1.37' });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs.outcome).toBe('clean');
    expect(report(r).findings).toEqual([]);
    expect(r.outputs['objects-count']).toBe('1');
  });

  const categories = (r: RunBundledActionResult) =>
    (JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8')) as { runs: Array<{ automationDetails?: { id?: string } }> }).runs.map((x) => x.automationDetails?.id);

  test('one run with the same category for 1 chart and for 21 charts; sarif-category sets it', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 21; i++) {
      files[`charts/c${i}/Chart.yaml`] = CHART(`c${i}`);
      files[`charts/c${i}/templates/cm.yaml`] = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: {{ 1 }}\n';
    }
    const many = await run(workspace(files));
    expect(many.outputs['charts-count']).toBe('21');
    const one = await run(workspace({ 'charts/c0/Chart.yaml': files['charts/c0/Chart.yaml'], 'charts/c0/templates/cm.yaml': files['charts/c0/templates/cm.yaml'] }));
    expect(categories(many)).toEqual(categories(one));
    expect(categories(one)).toHaveLength(1);
    expect(categories(one)).toEqual(['helm-validate/']);
    const named = await run(workspace({ 'charts/c0/Chart.yaml': files['charts/c0/Chart.yaml'], 'charts/c0/templates/cm.yaml': files['charts/c0/templates/cm.yaml'] }), {
      'sarif-category': 'helm-validate/platform',
    });
    expect(categories(named)).toEqual(['helm-validate/platform/']);
    const bad = await run(workspace({}), { 'sarif-category': 'has space' });
    expect(bad.outputs.outcome).toBe('config-error');
  });
});
