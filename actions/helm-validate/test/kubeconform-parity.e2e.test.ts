// Parity with the peer: on our fixture charts, every schema error `kubeconform -strict` reports (with
// schemas built from the same upstream swagger.json, and the charts' CRDs), helm-validate reports too —
// same chart, values file, object and field, for the same Kubernetes version.
import { beforeAll, describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Finding } from '@platform-actions/kit';
import { toolBin } from '../../../test/harness/tools.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { splitManifests } from '../src/manifests.js';
import type { JsonReport } from '../src/report.js';
import { type KubeconformResult, kubeconform, swaggerFor, writeKubeconformSchemas } from './helpers/kubeconform.js';
import { workspaceWith } from './helpers/paths.js';

jest.setTimeout(300_000);
const exec = promisify(execFile);
const helm = toolBin('helm');
const VERSIONS = ['1.36.3', '1.37.2'];
const CHARTS = ['mistakes', 'matrix', 'widgets', 'sentiment-api', 'shop', 'network', 'clean'];

interface Expected {
  version: string;
  chart: string;
  values: string;
  kind: string;
  name: string;
  /** Our path notation, or a marker for whole-object errors. */
  path: string;
  text: string;
}

/** kubeconform's "- at '/a/b/0': additional properties 'x' not allowed" lines → (path, text) in our notation. */
function kubeconformErrors(r: KubeconformResult): Array<{ path: string; text: string }> {
  if (r.status === 'statusError') {
    if (/already set in map/.test(r.msg)) return [{ path: '<duplicate-key>', text: r.msg }];
    if (/could not find schema/.test(r.msg)) return [{ path: '<no-schema>', text: r.msg }];
    return [{ path: '<error>', text: r.msg }];
  }
  const out: Array<{ path: string; text: string }> = [];
  for (const m of r.msg.matchAll(/- at '([^']*)': (.*?)(?=\s+- at '|$)/g)) {
    const segs = m[1]
      .split('/')
      .slice(1)
      .map((s) => (/^\d+$/.test(s) ? `[${s}]` : s));
    const base = segs.map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join('');
    const text = m[2].trim();
    // Parents of the real causes, and the null branch of a nullable reference (its other branch reports the cause).
    if (text === 'validation failed' || /^'?(oneOf|anyOf|allOf)'? failed/.test(text) || /^got \w+, want null$/.test(text)) continue;
    const named = /^(?:additional properties|missing propert(?:y|ies)) (.*?)(?: not allowed)?$/.exec(text);
    if (named) for (const p of named[1].matchAll(/'([^']+)'/g)) out.push({ path: base ? `${base}.${p[1]}` : p[1], text });
    else out.push({ path: base, text });
  }
  return out;
}

const expected: Expected[] = [];
let findings: Finding[] = [];

beforeAll(async () => {
  const ws = workspaceWith(...CHARTS);
  const r = await runBundledAction({
    action: 'helm-validate',
    workspace: ws,
    inputs: { 'kubernetes-versions': VERSIONS.join(','), 'fail-on': 'none', lint: 'false', comment: 'false' },
    env: { PATH: `${dirname(helm)}:${process.env.PATH}` },
  });
  expect(r.main.exitCode).toBe(0);
  const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8')) as JsonReport;
  findings = report.findings;
  const dir = mkdtempSync(join(tmpdir(), 'hv-kc-'));
  for (const cell of report.matrix) {
    const chartDir = join(ws, cell.chart);
    const values = cell.values === 'values.yaml' ? [] : ['--values', join(chartDir, cell.values)];
    for (const version of VERSIONS) {
      // The same rendering the action does for this chart, values file and version.
      const out = await exec(helm, ['template', 'release', chartDir, '--namespace', 'default', '--kube-version', `v${version}`, '--include-crds', ...values], {
        maxBuffer: 64 << 20,
      });
      const stream = join(dir, `${cell.chart.replace(/\//g, '_')}_${cell.values}_${version}.yaml`);
      writeFileSync(stream, out.stdout);
      const crds = splitManifests(out.stdout)
        .objects.filter((o) => o.kind === 'CustomResourceDefinition')
        .map((o) => o.value);
      const schemas = join(dir, `schemas-${cell.chart.replace(/\//g, '_')}`);
      if (!existsSync(join(schemas, `v${version}-strict`))) writeKubeconformSchemas(schemas, version, swaggerFor(version), crds);
      for (const res of await kubeconform([stream], version, schemas)) {
        for (const e of kubeconformErrors(res)) expected.push({ version, chart: cell.chart, values: cell.values, kind: res.kind, name: res.name, ...e });
      }
    }
  }
});

/** Our finding for one kubeconform error, if any. */
function ours(e: Expected): Finding | undefined {
  const minor = e.version.split('.').slice(0, 2).join('.');
  return findings.find((f) => {
    const p = f.properties ?? {};
    const obj = String(p.object ?? '');
    if (p.chart !== e.chart || !String(p.values).split(', ').includes(e.values)) return false;
    if (!obj.startsWith(`${e.kind}/`) || !obj.endsWith(`/${e.name}`)) return false;
    if (p.kubernetesVersions !== undefined && !String(p.kubernetesVersions).split(', ').includes(minor)) return false;
    if (e.path === '<duplicate-key>') return f.ruleId === 'yaml-duplicate-key';
    if (e.path === '<no-schema>') return f.ruleId === 'unknown-kind' || f.ruleId === 'api-not-served';
    return p.field === e.path;
  });
}

describe('kubeconform -strict vs helm-validate on the fixture charts', () => {
  test('kubeconform finds a real set of errors (the comparison is not vacuous)', () => {
    const kinds = new Set(expected.map((e) => (e.path.startsWith('<') ? e.path : e.text.replace(/'[^']*'|"[^"]*"|\S+, want .*/g, '').trim())));
    expect(expected.length).toBeGreaterThanOrEqual(20);
    expect([...kinds].join(' | ')).toMatch(/additional properties/);
    expect([...kinds].join(' | ')).toMatch(/missing property/);
    expect([...kinds].join(' | ')).toMatch(/got/);
    expect(kinds).toContain('<duplicate-key>');
    expect(kinds).toContain('<no-schema>');
  });

  test('every error kubeconform reports, we report too', () => {
    const missing = expected.filter((e) => !ours(e)).map((e) => `${e.version} ${e.chart} ${e.values} ${e.kind}/${e.name} ${e.path}: ${e.text}`);
    expect(missing).toEqual([]);
  });

  test('kubeconform message parsing', () => {
    expect(
      kubeconformErrors({
        filename: 'f',
        kind: 'Deployment',
        name: 'x',
        version: 'apps/v1',
        status: 'statusInvalid',
        msg: "problem validating schema. Check JSON formatting: jsonschema validation failed with 'file:///x.json#' - at '': validation failed   - at '/spec': validation failed     - at '/spec/replicas': got string, want null or integer     - at '/spec/template/spec/containers/1': missing property 'name'       - at '/spec/template/spec/securityContext': additional properties 'a', 'b' not allowed",
      }),
    ).toEqual([
      { path: 'spec.replicas', text: 'got string, want null or integer' },
      { path: 'spec.template.spec.containers[1].name', text: "missing property 'name'" },
      { path: 'spec.template.spec.securityContext.a', text: "additional properties 'a', 'b' not allowed" },
      { path: 'spec.template.spec.securityContext.b', text: "additional properties 'a', 'b' not allowed" },
    ]);
  });
});
