// The rules catalog, severity overrides, exceptions, deprecated APIs and line finding.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, SEVERITIES, UserError } from '@platform-actions/kit';
import { apiStatus, isBuiltInGroup } from '../src/deprecations.js';
import { build, loadExceptions } from '../src/exceptions.js';
import { versionRange } from '../src/findings.js';
import { findKeyLine, findValuesKey, keysWithLines } from '../src/locate.js';
import { effectiveSeverity, parseOverrides, RULES } from '../src/rules.js';
import { readmeIsCurrent, readmePath, rulesTableOf } from '../../../scripts/rules-tables.js';
import { readFileSync } from 'node:fs';
import { SchemaStore } from '../src/schema/store.js';

describe('the rules catalog', () => {
  test('ids are unique kebab-case; every rule has a severity, help and a rationale', () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect([...SEVERITIES, 'off']).toContain(r.severity);
      expect(r.help.length).toBeGreaterThan(20);
      expect(r.rationale.length).toBeGreaterThan(20);
    }
  });
  test("the README's rules table is current (npm run docs)", () => {
    expect(readmeIsCurrent('helm-validate')).toBe(true);
    const readme = readFileSync(readmePath(rulesTableOf('helm-validate')), 'utf8');
    for (const r of RULES) expect(readme).toContain(`| \`${r.id}\` | ${r.group} | ${r.severity} |`);
  });
  test("the issue's policies are all there", () => {
    for (const id of [
      'securitycontext-misplaced',
      'privileged-container',
      'allow-privilege-escalation',
      'run-as-non-root',
      'read-only-root-filesystem',
      'capabilities-drop-all',
      'dangerous-capabilities',
      'host-namespaces',
      'host-path-volume',
      'seccomp-profile',
      'resources-missing',
      'image-tag',
      'probes-missing',
      'secret-in-env',
    ]) {
      expect(RULES.map((r) => r.id)).toContain(id);
    }
  });
});

describe('severity-overrides', () => {
  test('rule=severity and rule=off', () => {
    const o = parseOverrides('severity-overrides', ['probes-missing=off', 'image-tag = high', 'Run-As-Non-Root=LOW']);
    expect([...o]).toEqual([
      ['probes-missing', 'off'],
      ['image-tag', 'high'],
      ['run-as-non-root', 'low'],
    ]);
    expect(effectiveSeverity('image-tag', 'medium', o)).toBe('high');
    expect(effectiveSeverity('privileged-container', 'critical', o)).toBe('critical');
  });
  test.each([
    ['no-such-rule=high', /input "severity-overrides" names an unknown rule "no-such-rule" \(known rules: render-error, /],
    ['image-tag=severe', /input "severity-overrides" sets rule "image-tag" to an unknown severity/],
    ['image-tag', /must be lines of <rule-id>=<severity\|off>/],
  ])('%s is one line naming the input', (item, re) => {
    expect(() => parseOverrides('severity-overrides', [item])).toThrow(InputError);
    expect(() => parseOverrides('severity-overrides', [item])).toThrow(re);
  });
});

describe('exceptions file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hv-ex-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  test('matches rule, resource glob, chart and values; expired entries do not apply', () => {
    const ex = loadExceptions(
      file(
        'ok.yaml',
        [
          'exceptions:',
          '  - rule: host-namespaces',
          '    resource: DaemonSet/*/node-agent',
          '    reason: reads node metrics (OPS-412)',
          '  - rule: "*"',
          '    resource: Deployment/default/legacy-*',
          '    chart: charts/legacy',
          '    values: values-production.yaml',
          '    reason: being retired in Q3',
          '  - rule: image-tag',
          '    resource: Deployment/default/web',
          '    reason: old',
          '    expires: 2020-01-01',
        ].join('\n'),
      ),
      'ok.yaml',
      '2026-01-01',
    );
    expect(ex.match({ ruleId: 'host-namespaces', object: 'DaemonSet/monitoring/node-agent', chart: 'charts/agent', values: ['values.yaml'] })?.reason).toBe(
      'reads node metrics (OPS-412)',
    );
    expect(ex.match({ ruleId: 'privileged-container', object: 'DaemonSet/monitoring/node-agent', chart: 'charts/agent', values: ['values.yaml'] })).toBeUndefined();
    expect(ex.match({ ruleId: 'run-as-non-root', object: 'Deployment/default/legacy-api', chart: 'charts/legacy', values: ['values-production.yaml'] })).toBeDefined();
    expect(ex.match({ ruleId: 'run-as-non-root', object: 'Deployment/default/legacy-api', chart: 'charts/legacy', values: ['values-staging.yaml'] })).toBeUndefined();
    expect(ex.match({ ruleId: 'image-tag', object: 'Deployment/default/web', chart: 'c', values: ['values.yaml'] })).toBeUndefined();
    expect(ex.expired.map((e) => e.expires)).toEqual(['2020-01-01']);
  });
  test.each([
    ['missing', undefined, /input "exceptions-file" must name an existing file/],
    ['not YAML', 'exceptions: [\n', /exceptions file x is not valid YAML: line \d+/],
    ['no list', 'rules: []\n', /must have a top-level "exceptions:" list/],
    ['no reason', 'exceptions:\n  - rule: image-tag\n    resource: a/b\n', /entry 1: "reason" is required/],
    ['unknown rule', 'exceptions:\n  - rule: nope\n    resource: a/b\n    reason: r\n', /entry 1: unknown rule "nope"/],
    ['unknown field', 'exceptions:\n  - rule: image-tag\n    resource: a/b\n    reason: r\n    until: x\n', /entry 1: unknown field "until"/],
  ])('%s → one line', (_n, text, re) => {
    const path = text === undefined ? join(dir, 'absent.yaml') : file(`f${Math.random()}.yaml`, text);
    expect(() => loadExceptions(path, 'x')).toThrow(UserError);
    expect(() => loadExceptions(path, 'x')).toThrow(re);
  });
  test('an empty file excuses nothing', () => {
    expect(loadExceptions(file('empty.yaml', ''), 'empty.yaml').list).toEqual([]);
    expect(build([], '2026-01-01').match({ ruleId: 'x', object: 'a', chart: 'c', values: [] })).toBeUndefined();
  });
});

describe('deprecated and removed APIs per target version', () => {
  const store = SchemaStore.load();
  const all = store.versions.map((v) => store.get(v)!);
  const at = (m: string) => store.get(m)!;
  test.each<[string, string, string, RegExp | 'served' | 'unknown']>([
    ['apps/v1', 'Deployment', '1.37', 'served'],
    ['networking.k8s.io/v1beta1', 'ServiceCIDR', '1.37', /is not served by Kubernetes 1\.37 \(it was last served in 1\.36\); use networking\.k8s\.io\/v1\.$/],
    ['policy/v1beta1', 'PodDisruptionBudget', '1.34', /was removed in Kubernetes 1\.25; use policy\/v1\.$/],
    ['extensions/v1beta1', 'Ingress', '1.36', /was removed in Kubernetes 1\.22; use networking\.k8s\.io\/v1\.$/],
    ['apps/v2', 'Deployment', '1.36', /does not exist in Kubernetes 1\.36; use apps\/v1\.$/],
    ['example.com/v1', 'Widget', '1.36', 'unknown'],
  ])('%s %s on %s', (apiVersion, kind, minor, expected) => {
    const st = apiStatus(apiVersion, kind, at(minor), all);
    if (expected === 'served' || expected === 'unknown') expect(st.status).toBe(expected === 'served' ? 'served' : 'unknown');
    else expect(st.status === 'not-served' && st.message).toMatch(expected);
  });
  test('a kind a newer target drops is flagged on the older targets', () => {
    expect(apiStatus('networking.k8s.io/v1beta1', 'ServiceCIDR', at('1.36'), all)).toEqual({ status: 'served', removedLater: { in: '1.37', use: ['networking.k8s.io/v1'] } });
    expect(apiStatus('v1', 'Endpoints', at('1.37'), all)).toMatchObject({ status: 'served', deprecated: expect.stringMatching(/deprecated in v1\.33\+/) });
  });
  test('built-in groups', () => {
    expect(['v1', 'apps/v1', 'networking.k8s.io/v1'].map(isBuiltInGroup)).toEqual([true, true, true]);
    expect(isBuiltInGroup('cert-manager.io/v1')).toBe(false);
  });
  test('version ranges in messages', () => {
    expect(versionRange(['1.34', '1.35', '1.36'], ['1.34', '1.35', '1.36', '1.37'])).toBe('1.34–1.36');
    expect(versionRange(['1.34', '1.37'], ['1.34', '1.35', '1.36', '1.37'])).toBe('1.34, 1.37');
  });
});

describe('lines, where they can be determined honestly', () => {
  const template = [
    'spec:',
    '  securityContext:',
    '    privileged: true',
    '  containers:',
    '    - name: a',
    '      securityContext:',
    '        privileged: false',
    '        runAsUser: 1',
  ].join('\n');
  test.each<[string, unknown, number | undefined]>([
    ['runAsUser', undefined, 8],
    ['privileged', undefined, undefined], // twice: ambiguous
    ['privileged', false, 7], // …unless the value tells them apart
    ['fsGroup', undefined, undefined],
    ['name', 'a', 5],
  ])('%s (%j) → %s', (key, value, line) => {
    expect(findKeyLine(template, key, value)).toBe(line);
  });
  test('keys with their paths and lines in a values file', () => {
    expect(keysWithLines('a:\n  b: 1\nlist:\n  - c: x\n')).toEqual([
      { path: 'a', line: 1, value: '' },
      { path: 'a.b', line: 2, value: '1' },
      { path: 'list', line: 3, value: '' },
      { path: 'list[0].c', line: 4, value: 'x' },
    ]);
  });
  test('the values key behind a toYaml block, most specific file first, only when unique', () => {
    const env = { path: 'c/values-prod.yaml', text: 'podSecurityContext:\n  privileged: true\n' };
    const defaults = { path: 'c/values.yaml', text: 'a:\n  privileged: false\nb:\n  privileged: false\n' };
    expect(findValuesKey([env, defaults], 'privileged', true)).toEqual({ path: 'c/values-prod.yaml', line: 2, key: 'podSecurityContext.privileged' });
    expect(findValuesKey([env, defaults], 'privileged', false)).toBeUndefined();
  });
});
