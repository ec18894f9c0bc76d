// helm-validate end to end: the bundled action under Node 24 through the local runner, with real helm 3
// and helm 4 on charts we wrote (test/fixtures/charts), reporting through the kit.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startFakeGitHub, type FakeGitHub } from '../../../test/harness/services/fake-github.js';
import { sha256, startReleaseMirror } from '../../../test/harness/services/release-mirror.js';
import { toolBin } from '../../../test/harness/tools.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction, type RunBundledActionResult } from '../../../test/runner/runner.js';
import type { JsonReport } from '../src/report.js';
import { buildAction } from './helpers/build.js';
import { workspaceWith } from './helpers/paths.js';

jest.setTimeout(180_000);

const HELMS = [
  ['helm 3', toolBin('helm3', 'helm'), '3.18.0'],
  ['helm 4', toolBin('helm'), '4.1.4'],
] as const;

let gh: FakeGitHub;
beforeAll(async () => {
  buildAction(); // when a source is newer than the bundle
  expect(existsSync('dist/helm-validate/index.js')).toBe(true);
  expect(existsSync('dist/helm-validate/schemas/kubernetes.json')).toBe(true); // the build-assets step
  gh = await startFakeGitHub();
});
afterAll(async () => gh?.stop());

const report = (r: RunBundledActionResult): JsonReport => JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport;
const errors = (r: RunBundledActionResult) => r.main.annotations.filter((a) => a.level === 'error');

describe.each(HELMS)('%s', (_name, helm, version) => {
  const run = (workspace: string, inputs: Record<string, string> = {}, extra: { env?: Record<string, string>; event?: { name: string; payload?: Record<string, unknown> } } = {}) =>
    runBundledAction({
      action: 'helm-validate',
      workspace,
      inputs: { comment: 'false', ...inputs },
      env: { PATH: `${dirname(helm)}:${process.env.PATH}`, ...extra.env },
      event: extra.event,
    });

  test('the misplaced-securityContext chart fails with the exact fix, at the template, naming values file and object', async () => {
    const r = await run(workspaceWith('sentiment-api'));
    expect(r.main.exitCode).toBe(1);
    expect(r.outputs.outcome).toBe('policy-failure');
    const misplaced = errors(r).filter((a) => a.title?.includes('securitycontext-misplaced'));
    expect(misplaced.map((a) => a.file)).toEqual(Array(3).fill('charts/sentiment-api/templates/deployment.yaml'));
    expect(misplaced.map((a) => a.message)).toContainEqual(
      "Deployment/default/release-sentiment-api: allowPrivilegeEscalation is a container-only securityContext field, but it is set in the pod's securityContext " +
        '(spec.template.spec.securityContext.allowPrivilegeEscalation), where Kubernetes does not apply it. Move it to spec.template.spec.containers[*].securityContext.allowPrivilegeEscalation ' +
        '(containers: api). (likely set by podSecurityContext.allowPrivilegeEscalation in charts/sentiment-api/values.yaml:8) [values: values.yaml]',
    );
    // The strict-schema error for the same field is folded into the fix, not reported twice.
    expect(report(r).findings.filter((f) => f.ruleId === 'schema-unknown-field')).toEqual([]);
    expect(r.main.annotations.at(-1)?.message).toBe('helm-validate: 3 findings at or above "high" (see the annotations and the job summary)');
    expect(r.main.log).toContain(`helm ${version}`);
    expect(r.summary).toContain('| `charts/sentiment-api` | `values.yaml` | 1 | ✅ | ✅ | ✅ | ✅ | 0 | 3 | 1 | 2 | 0 |');
  });

  test("a subchart finding maps to the subchart's own template and line", async () => {
    const r = await run(workspaceWith('shop'));
    expect(errors(r)[0]).toMatchObject({ file: 'charts/shop/charts/payments/templates/deployment.yaml', line: 23, title: 'CRITICAL privileged-container: Privileged container' });
  });

  test('a values matrix where only production breaks', async () => {
    const r = await run(workspaceWith('matrix'));
    const rep = report(r);
    expect(rep.matrix.map((c) => [c.values, c.counts.high])).toEqual([
      ['values-production.yaml', 3],
      ['values-staging.yaml', 0],
      ['values.yaml', 0],
    ]);
    expect(rep.findings.map((f) => [f.ruleId, f.properties?.values, f.location?.startLine])).toEqual([
      ['host-namespaces', 'values-production.yaml', undefined],
      ['schema-invalid-value', 'values-production.yaml', undefined],
      ['schema-wrong-type', 'values-production.yaml', 6],
    ]);
    expect(rep.findings[0].message).toContain('(likely set by extraPodSettings.hostNetwork in charts/matrix/values-production.yaml:4)');
  });

  test('a CRD in crds/ validates its custom resources; an unknown kind gets a notice', async () => {
    const r = await run(workspaceWith('widgets'));
    const rep = report(r);
    expect(rep.findings.map((f) => [f.ruleId, f.properties?.object, f.properties?.field, f.location?.startLine])).toEqual([
      ['schema-wrong-type', 'Widget/default/release-bad', 'spec.size', 14],
      ['schema-unknown-field', 'Widget/default/release-bad', 'spec.colour', 15],
      ['unknown-kind', 'Probe/default/release-probe', undefined, undefined],
    ]);
    expect(r.main.annotations.filter((a) => a.level === 'notice').map((a) => a.title)).toContain('INFO unknown-kind: No schema for this kind');
    const strict = await run(workspaceWith('widgets'), { 'unknown-kinds': 'fail' });
    expect(report(strict).findings.find((f) => f.ruleId === 'unknown-kind')?.severity).toBe('high');
  });

  test('an API removed in the newest target fails there and warns on the older ones', async () => {
    const r = await run(workspaceWith('network'));
    expect(report(r).findings.map((f) => [f.ruleId, f.severity, f.properties?.kubernetesVersions])).toEqual([
      ['api-not-served', 'high', '1.37'],
      ['api-deprecated', 'medium', '1.34, 1.35, 1.36'],
    ]);
    const older = await run(workspaceWith('network'), { 'kubernetes-versions': '1.35, v1.36.0' });
    expect(older.main.exitCode).toBe(0);
    expect(report(older).kubernetes.map((k) => k.version)).toEqual(['1.35.4', '1.36.3']);
  });

  test('a clean chart passes with zero findings, SARIF per chart and a sticky PR comment', async () => {
    const payload = {
      number: 7,
      pull_request: { number: 7, base: { sha: 'a'.repeat(40), ref: 'main' }, head: { sha: 'b'.repeat(40), ref: 'f', repo: { full_name: 'acme/example', fork: false } } },
    };
    const r = await run(
      workspaceWith('clean'),
      { comment: 'true', token: 'ghs_e2eHelmValidateToken1' },
      { env: { GITHUB_API_URL: gh.url }, event: { name: 'pull_request', payload } },
    );
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0', 'charts-count': '1', 'objects-count': '2' });
    // helm 3.18.0 gets one warning recommending a release without its rendering bug; nothing else is annotated.
    expect(r.main.annotations.filter((a) => !a.message.startsWith('helm 3.18.0 has a known rendering regression'))).toEqual([]);
    const sarif = JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8'));
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs.map((x: { automationDetails: { id: string } }) => x.automationDetails.id)).toEqual(['helm-validate/']);
    expect(gh.state.comments.some((c) => String(c.body).includes('<!-- platform-actions:helm-validate:default -->') && String(c.body).includes('✅ **Passed**'))).toBe(true);
    expect(r.everything).not.toContain('ghs_e2eHelmValidateToken1');
  });

  test('exceptions excuse a finding with its reason; overrides change or switch off rules', async () => {
    const ws = workspaceWith('shop');
    writeFileSync(
      join(ws, 'exceptions.yaml'),
      'exceptions:\n  - rule: privileged-container\n    resource: Deployment/default/release-payments\n    reason: needs raw sockets for the HSM bridge (SEC-9)\n',
    );
    const r = await run(ws, { 'exceptions-file': 'exceptions.yaml' });
    expect(r.main.exitCode).toBe(0);
    expect(report(r).suppressed).toEqual([expect.objectContaining({ reason: 'exception: needs raw sockets for the HSM bridge (SEC-9)' })]);
    expect(r.summary).toContain('needs raw sockets for the HSM bridge (SEC-9)');
    const o = await run(workspaceWith('sentiment-api'), { 'severity-overrides': 'securitycontext-misplaced=medium\ncapabilities-drop-all=off' });
    expect(o.main.exitCode).toBe(0);
    expect(report(o).counts).toMatchObject({ high: 0, medium: 4, low: 1 });
  });

  test('helm lint --strict findings point at the file helm names', async () => {
    const ws = workspaceWith('clean');
    const svc = join(ws, 'charts', 'clean', 'templates', 'service.yaml');
    writeFileSync(svc, readFileSync(svc, 'utf8').replace('name: {{ .Release.Name }}-catalog', 'name: {{ .Release.Name }}_Catalog'));
    const rep = report(await run(ws));
    expect(rep.findings.find((f) => f.ruleId === 'helm-lint-warning')).toMatchObject({
      severity: 'medium',
      location: { path: 'charts/clean/templates/service.yaml' },
      message: expect.stringContaining('object name does not conform to Kubernetes naming requirements'),
    });
  });

  test('a missing file:// dependency is built offline, its findings map to the source chart, and the checkout is left as it was', async () => {
    const ws = workspaceWith('sentiment-api');
    const app = join(ws, 'charts', 'app');
    mkdirSync(join(app, 'templates'), { recursive: true });
    writeFileSync(
      join(app, 'Chart.yaml'),
      'apiVersion: v2\nname: app\nversion: 1.0.0\nicon: https://example.com/i.png\ndependencies:\n  - name: sentiment-api\n    version: 0.3.0\n    repository: file://../sentiment-api\n',
    );
    const r = await run(ws, { charts: 'charts/app' });
    // helm dependency build wrote charts/sentiment-api-0.3.0.tgz and Chart.lock; both are gone again.
    expect(readdirSync(app).sort()).toEqual(['Chart.yaml', 'templates']);
    const misplaced = report(r).findings.filter((f) => f.ruleId === 'securitycontext-misplaced');
    expect(misplaced).toHaveLength(3);
    expect(misplaced[0].location).toMatchObject({ path: 'charts/sentiment-api/templates/deployment.yaml' });
    const ws2 = workspaceWith('sentiment-api');
    mkdirSync(join(ws2, 'charts', 'app'));
    writeFileSync(join(ws2, 'charts', 'app', 'Chart.yaml'), readFileSync(join(app, 'Chart.yaml')));
    const t = await run(ws2, { charts: 'charts/app', 'dependency-build': 'never' });
    expect(t.outputs.outcome).toBe('tool-error');
    // One short failure line; the way out for a file:// chart at the dependency in Chart.yaml and in the summary.
    expect(t.main.annotations.at(-1)?.message).toBe(
      'helm-validate: dependencies missing from charts/ on charts/app (sentiment-api from file://../sentiment-api: not in charts/, and dependency-build is "never"); it was not validated',
    );
    const way = 'file://../sentiment-api (charts/sentiment-api) is a chart in the repository: set dependency-build: auto to build it, or commit the packaged chart in charts/.';
    expect(t.main.annotations).toContainEqual(expect.objectContaining({ level: 'warning', file: 'charts/app/Chart.yaml', line: 6, message: expect.stringContaining(way) }));
    expect(report(t).notValidated.join('\n')).toContain(way);
  });

  describe('bad input and broken charts: one line each', () => {
    test.each<[string, string[], Record<string, string>, RegExp | string]>([
      ['no chart found', [], {}, 'helm-validate: no Helm chart found: no Chart.yaml anywhere in the repository (set the "charts" input to the chart directories)'],
      [
        'a chart path without Chart.yaml',
        ['clean'],
        { charts: 'charts/nope' },
        'helm-validate: input "charts" must name chart directories; "charts/nope" has no Chart.yaml; got "charts/nope"',
      ],
      ['an unknown policy id', ['clean'], { 'severity-overrides': 'no-root=high' }, /^helm-validate: input "severity-overrides" names an unknown rule "no-root" \(known rules: /],
      [
        'an unsupported Kubernetes version',
        ['clean'],
        { 'kubernetes-versions': '1.29' },
        'helm-validate: input "kubernetes-versions" must list Kubernetes versions this action has schemas for (1.34, 1.35, 1.36, 1.37); got "1.29"',
      ],
      [
        'a missing exceptions file',
        ['clean'],
        { 'exceptions-file': 'ops/exceptions.yaml' },
        'helm-validate: input "exceptions-file" must name an existing path; got "ops/exceptions.yaml"',
      ],
      [
        'a bad helm-version',
        ['clean'],
        { 'helm-version': 'latest' },
        'helm-validate: input "helm-version" must be "system" or a helm release from 3.8.0 on, such as 3.20.2 or 4.1.4; got "latest"',
      ],
    ])('%s', async (_n, charts, inputs, expected) => {
      const r = await run(workspaceWith(...charts), inputs);
      expect(r.main.exitCode).toBe(1);
      expect(r.main.annotations).toHaveLength(1);
      expect(r.main.annotations[0].level).toBe('error');
      if (typeof expected === 'string') expect(r.main.annotations[0].message).toBe(expected);
      else expect(r.main.annotations[0].message).toMatch(expected);
      expect(r.main.stdout + r.main.stderr).not.toMatch(/\n\s+at /);
    });

    test('a values file that is not YAML', async () => {
      const ws = workspaceWith('matrix');
      writeFileSync(join(ws, 'charts', 'matrix', 'values-production.yaml'), 'replicas: [1,\nmemoryLimit: 2Gi\n');
      const r = await run(ws);
      expect(r.main.annotations.map((a) => a.message)).toEqual([
        expect.stringMatching(/^helm-validate: values file charts\/matrix\/values-production\.yaml is not valid YAML: line \d+: .+$/),
      ]);
    });

    test("a template that fails to render: helm's error with its file and line, reports still written", async () => {
      const r = await run(workspaceWith('broken', 'clean'));
      expect(r.main.exitCode).toBe(1);
      // The gate is the only failure path: the render error is a critical finding, annotated first with helm's file and line.
      expect(r.outputs.outcome).toBe('policy-failure');
      expect(r.main.annotations.at(-1)!.message).toBe('helm-validate: 1 finding at or above "high" (see the annotations and the job summary)');
      expect(errors(r)[0].message).toMatch(/helm template failed: .*broken\/templates\/service\.yaml:7:22.*nil pointer evaluating interface \{\}\.http/);
      expect(errors(r)[0]).toMatchObject({ file: 'charts/broken/templates/service.yaml', line: 7, title: 'CRITICAL render-error: Chart does not render' });
      expect(report(r).matrix.map((c) => [c.chart, c.versions['1.37']])).toEqual([
        ['charts/broken', 'render-error'],
        ['charts/clean', 'validated'],
      ]);
    });
  });
});

describe('helm-version: a pinned release, from a mirror laid out like get.helm.sh', () => {
  test('downloads, verifies SHA-256, caches and runs it; a corrupted download is a tool error and is not run', async () => {
    // A real helm 3.18.0 binary packed the way get.helm.sh packs it.
    const dir = mkdtempSync(join(tmpdir(), 'hv-helm-release-'));
    mkdirSync(join(dir, 'linux-amd64'));
    copyFileSync(toolBin('helm3', 'helm'), join(dir, 'linux-amd64', 'helm'));
    const archive = 'helm-v3.18.0-linux-amd64.tar.gz';
    execFileSync('tar', ['-czf', join(dir, archive), '-C', dir, 'linux-amd64/helm']);
    const body = readFileSync(join(dir, archive));
    const mirror = await startReleaseMirror({ files: { [`/${archive}`]: body, [`/${archive}.sha256sum`]: `${sha256(body)}  ${archive}\n` } });
    try {
      // No helm on PATH at all: the action must bring its own.
      const env = { PATH: '/usr/bin:/bin' };
      const inputs = { comment: 'false', 'helm-version': 'v3.18.0', 'helm-mirror': mirror.baseUrl };
      const ok = await runBundledAction({ action: 'helm-validate', workspace: workspaceWith('clean'), inputs, env });
      expect(ok.main.exitCode).toBe(0);
      expect(ok.main.log).toContain('helm 3.18.0: sha256 verified');
      expect(ok.main.log).toContain('helm 3.18.0');
      mirror.inject(`/${archive}`, [{ corrupt: true }]);
      const bad = await runBundledAction({ action: 'helm-validate', workspace: workspaceWith('clean'), inputs, env });
      expect(bad.main.exitCode).toBe(1);
      expect(bad.main.annotations.map((a) => a.message)).toEqual([
        expect.stringMatching(
          /^helm-validate: checksum mismatch for helm-v3\.18\.0-linux-amd64\.tar\.gz: expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\. The file was not used\.$/,
        ),
      ]);
      // helm could not be installed: still every output, the SARIF file, the report and a summary that says nothing ran.
      expect(bad.outputs).toMatchObject({ outcome: 'tool-error', 'findings-count': '0', 'charts-count': '1', 'objects-count': '0' });
      expect(existsSync(bad.outputs['sarif-file'])).toBe(true);
      const rep = JSON.parse(readFileSync(bad.outputs['report-file'], 'utf8')) as JsonReport;
      expect(rep.notValidated).toEqual([expect.stringMatching(/^every chart: helm is not available \(checksum mismatch for helm-v3\.18\.0-linux-amd64\.tar\.gz/)]);
      expect(bad.summary).toContain('**Not validated** (1)');
      const system = await runBundledAction({ action: 'helm-validate', workspace: workspaceWith('clean'), inputs: { comment: 'false' }, env });
      expect(system.main.annotations.map((a) => a.message)).toEqual([
        'helm-validate: helm is not on PATH: install it in an earlier step (e.g. azure/setup-helm) or set input "helm-version" to a release such as 3.20.2 or 4.1.4',
      ]);
    } finally {
      await mirror.stop();
    }
  });
});

describe('schemas input: CRDs from a folder and from a URL', () => {
  test('custom resources without a CRD in the chart are validated against the given schemas', async () => {
    const crd = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata: {name: probes.monitoring.example.org}',
      'spec:',
      '  group: monitoring.example.org',
      '  scope: Namespaced',
      '  names: {kind: Probe, plural: probes}',
      '  versions:',
      '    - name: v1',
      '      served: true',
      '      storage: true',
      '      schema:',
      '        openAPIV3Schema:',
      '          type: object',
      '          properties:',
      '            spec:',
      '              type: object',
      '              required: [targets]',
      '              properties:',
      '                targets: {type: array, items: {type: string}}',
      '',
    ].join('\n');
    const env = { PATH: `${dirname(toolBin('helm'))}:${process.env.PATH}` };
    const ws = workspaceWith('widgets');
    mkdirSync(join(ws, 'platform', 'crds'), { recursive: true });
    writeFileSync(join(ws, 'platform', 'crds', 'probe.yaml'), crd);
    const fromDir = await runBundledAction({ action: 'helm-validate', workspace: ws, inputs: { comment: 'false', schemas: 'platform/crds' }, env });
    const probe = (r: RunBundledActionResult) =>
      report(r)
        .findings.filter((f) => String(f.properties?.object).startsWith('Probe/'))
        .map((f) => [f.ruleId, f.properties?.field]);
    expect(probe(fromDir)).toEqual([
      ['schema-missing-required', 'spec.targets'],
      ['schema-unknown-field', 'spec.target'],
    ]);
    const mirror = await startReleaseMirror({ files: { '/crds/probe.yaml': crd } });
    try {
      const fromUrl = await runBundledAction({
        action: 'helm-validate',
        workspace: workspaceWith('widgets'),
        inputs: { comment: 'false', schemas: `${mirror.baseUrl}/crds/probe.yaml` },
        env,
      });
      expect(probe(fromUrl)).toEqual(probe(fromDir));
      const missing = await runBundledAction({ action: 'helm-validate', workspace: workspaceWith('widgets'), inputs: { comment: 'false', schemas: 'platform/none' }, env });
      expect(missing.main.annotations.map((a) => a.message)).toEqual(['helm-validate: input "schemas" must name an existing path; got "platform/none"']);
    } finally {
      await mirror.stop();
    }
  });
});
