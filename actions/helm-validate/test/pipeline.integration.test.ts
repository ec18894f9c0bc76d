// The pipeline in-process with real helm 3 and 4: output limits never cut silently; and the data the
// pipeline derives from the shipped schemas (served API versions, enum values from upstream descriptions).
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChart } from '../src/charts.js';
import { CustomKinds } from '../src/crds.js';
import { helmVersionAdvice, knownBugAdvice } from '../src/helm.js';
import { emptyResult, runPipeline } from '../src/pipeline.js';
import { failureLines } from '../src/failures.js';
import { describedEnum, ENUM_FIELDS } from '../src/schema/pack.js';
import { SchemaStore } from '../src/schema/store.js';
import { toolBin } from '../../../test/harness/tools.js';
import { openapiVersions, swaggerFor } from './helpers/kubeconform.js';

const HELMS = [
  ['helm 3', toolBin('helm3', 'helm'), '3.18.0'],
  ['helm 4', toolBin('helm'), '4.1.4'],
] as const;

const store = SchemaStore.load();
const k137 = store.get('1.37')!;

describe.each(HELMS)('%s: output over the render limit', (_n, bin, version) => {
  test('is a tool error naming the chart and the limit, the cell is marked, and nothing is validated from a cut stream', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hv-cap-'));
    const dir = join(ws, 'big');
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: big\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: {{ repeat 200000 "a" | quote }}\n');
    const chart = loadChart(dir, ws);
    const base = {
      workspace: ws,
      release: 'r',
      namespace: 'default',
      values: new Map([['big', [{ label: 'values.yaml', files: [] }]]]),
      lint: false,
      apiVersions: [],
      unknownKinds: 'notice' as const,
      dependencyBuild: 'auto' as const,
      helmTimeoutMs: 60_000,
      concurrency: 1,
      overrides: new Map(),
      tempDir: ws,
    };
    const helm = { bin, version, major: Number(version[0]) };
    const cut = await runPipeline([chart], [k137], [k137], new CustomKinds(), helm, { ...base, maxRenderBytes: 64 * 1024 }, emptyResult());
    expect(failureLines(cut.failures)).toEqual(['helm template printed more than 64 KiB, the most this action reads on big (values.yaml); it was not validated']);
    expect(cut.cells).toEqual([{ chart: 'big', values: 'values.yaml', objects: 0, versions: { '1.37': 'too-large' } }]);
    expect(cut.hits).toEqual([]);
    const whole = await runPipeline([chart], [k137], [k137], new CustomKinds(), helm, { ...base, maxRenderBytes: 1024 * 1024 }, emptyResult());
    expect(whole.failures).toEqual([]);
    expect(whole.hits.filter((h) => h.ruleId === 'yaml-invalid')).toEqual([]);
    expect(whole.cells[0]).toMatchObject({ objects: 1, versions: { '1.37': 'validated' } });
  });
});

describe('served API versions (passed to helm template --api-versions)', () => {
  test('hold group/versions and group/version/kinds the release serves, and not what it removed', () => {
    const served = k137.servedApiVersions();
    for (const v of ['v1', 'apps/v1', 'policy/v1', 'autoscaling/v2', 'apiregistration.k8s.io/v1', 'apps/v1/Deployment', 'policy/v1/PodDisruptionBudget'])
      expect(served).toContain(v);
    for (const v of ['policy/v1beta1', 'batch/v1beta1', 'extensions/v1beta1', 'autoscaling/v2beta2']) expect(served).not.toContain(v);
  });
});

describe('enum values of built-in kinds, read from the upstream descriptions', () => {
  test('every listed field yields its values in every pinned release (a changed sentence fails here, not silently)', () => {
    for (const v of openapiVersions()) {
      const defs = swaggerFor(v).definitions;
      for (const e of ENUM_FIELDS) {
        const values = describedEnum(e.def, e.prop, defs[e.def].properties![e.prop]);
        expect([v, e.def, e.prop, values?.length ?? 0]).toEqual([v, e.def, e.prop, expect.any(Number)]);
        expect(values && values.length >= 2).toBe(true);
      }
    }
  });
  test('the values read', () => {
    const defs = swaggerFor('1.37.2').definitions;
    const read = (def: string, prop: string) => describedEnum(def, prop, defs[def].properties![prop]);
    expect(read('io.k8s.api.core.v1.Container', 'imagePullPolicy')).toEqual(['Always', 'Never', 'IfNotPresent']);
    expect(read('io.k8s.api.core.v1.PodSpec', 'restartPolicy')).toEqual(['Always', 'OnFailure', 'Never']);
    expect(read('io.k8s.api.core.v1.ContainerPort', 'protocol')).toEqual(['UDP', 'TCP', 'SCTP']);
    expect(read('io.k8s.api.core.v1.ServicePort', 'protocol')).toEqual(['TCP', 'UDP', 'SCTP']);
    expect(read('io.k8s.api.core.v1.PodSpec', 'dnsPolicy')).toEqual(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']);
    expect(read('io.k8s.api.core.v1.Toleration', 'operator')).toEqual(['Exists', 'Equal', 'Lt', 'Gt']);
    expect(describedEnum('io.k8s.api.core.v1.Toleration', 'operator', defs['io.k8s.api.core.v1.Toleration'].properties!.operator)).toContain('Lt');
    // Prose is never mistaken for a list; unlisted fields get nothing.
    expect(describedEnum('io.k8s.api.core.v1.Container', 'imagePullPolicy', { type: 'string', description: 'One of the policies we like.' })).toBeUndefined();
    expect(read('io.k8s.api.core.v1.Container', 'name')).toBeUndefined();
  });
  test('the shipped schemas reject a misspelt value and accept the right one', () => {
    const pod = k137.lookup('v1', 'Pod')!;
    const container = pod.props!.spec.props!.containers.items!;
    expect(container.props!.imagePullPolicy.enumValues?.has('IfNotPresent')).toBe(true);
    expect(container.props!.imagePullPolicy.enumValues?.has('IfNotPresnt')).toBe(false);
  });
});

describe('helm 3.18.0 advice', () => {
  test('names the bug and the fixed release; other versions get none', () => {
    expect(helmVersionAdvice({ version: '3.18.0' })).toContain('Use helm 3.18.1 or newer');
    expect(helmVersionAdvice({ version: '3.18.1' })).toBeUndefined();
    expect(knownBugAdvice({ version: '3.18.0' }, 'execution error at (x/templates/a.yaml:3:4): invalid Quantity expected string or float64 got: json.Number (1)')).toContain(
      '3.18.1',
    );
    expect(knownBugAdvice({ version: '4.1.4' }, 'got: json.Number (1)')).toBeUndefined();
  });
});
