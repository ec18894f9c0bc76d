import { describe, expect, test } from '@jest/globals';
import { countBySeverity, type Finding, fingerprint, gate, globToRegExp, normaliseSeverity, parseFailOn, type Severity, sortFindings } from '@platform-actions/kit';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';

const mk = (severity: Severity, ruleId = 'R1', path = 'a.yaml', line?: number): Finding => ({
  tool: 't',
  ruleId,
  severity,
  title: `title ${ruleId}`,
  message: `message ${ruleId} ${path}`,
  location: { path, startLine: line },
  fingerprint: fingerprint('t', ruleId, path, line),
});

describe('gate', () => {
  const findings = [mk('low', 'L'), mk('medium', 'M'), mk('high', 'H'), mk('critical', 'C')];
  test.each([
    ['critical', 'policy-failure', ['C']],
    ['high', 'policy-failure', ['C', 'H']],
    ['medium', 'policy-failure', ['L', 'M', 'H', 'C'].slice(1)],
    ['info', 'policy-failure', ['L', 'M', 'H', 'C']],
    ['none', 'clean', []],
  ] as const)('fail-on %s → %s', (failOn, outcome, failing) => {
    const g = gate({ findings, failOn });
    expect(g.outcome).toBe(outcome);
    expect(g.failing.map((f) => f.ruleId).sort()).toEqual([...failing].sort());
  });
  test('only low findings under fail-on high are clean but still active', () => {
    const g = gate({ findings: [mk('low')], failOn: 'high' });
    expect(g.outcome).toBe('clean');
    expect(g.active).toHaveLength(1);
  });
  test('a tool error wins over clean and over findings', () => {
    expect(gate({ findings: [], failOn: 'high', toolErrors: ['trivy crashed'] }).outcome).toBe('tool-error');
    expect(gate({ findings, failOn: 'high', toolErrors: ['x'] }).outcome).toBe('tool-error');
  });
  test('baseline and ignores suppress with a reason', () => {
    const g = gate({
      findings,
      failOn: 'low',
      baseline: new Set([findings[3].fingerprint]),
      ignores: [
        { ruleId: 'H', path: '*.yaml', reason: 'accepted risk' },
        { ruleId: 'M', path: 'other/**', reason: 'no' },
      ],
    });
    expect(g.suppressed.map((s) => [s.finding.ruleId, s.reason])).toEqual([
      ['H', 'accepted risk'],
      ['C', 'in baseline'],
    ]);
    expect(g.active.map((f) => f.ruleId)).toEqual(['M', 'L']); // most severe first
    expect(g.outcome).toBe('policy-failure');
  });
  test('parseFailOn', () => {
    expect(parseFailOn('fail-on', 'HIGH')).toBe('high');
    expect(() => parseFailOn('fail-on', 'severe')).toThrow('input "fail-on" must be one of critical, high, medium, low, info, none; got "severe"');
  });
});

test('globs', () => {
  expect(globToRegExp('charts/**/values*.yaml').test('charts/a/b/values-prod.yaml')).toBe(true);
  expect(globToRegExp('charts/*/Chart.yaml').test('charts/a/b/Chart.yaml')).toBe(false);
  expect(globToRegExp('**/x.tf').test('x.tf')).toBe(true);
  expect(globToRegExp('a.b').test('axb')).toBe(false);
});

test('sorting is most severe first, then path and line', () => {
  const s = sortFindings([mk('low', 'a', 'z'), mk('high', 'b', 'b', 9), mk('high', 'c', 'b', 2), mk('critical', 'd', 'y')]);
  expect(s.map((f) => f.ruleId)).toEqual(['d', 'c', 'b', 'a']);
});

test('counts and severity words', () => {
  expect(countBySeverity([mk('low'), mk('low'), mk('high')])).toEqual({ critical: 0, high: 1, medium: 0, low: 2, info: 0, total: 3 });
  expect(['CRITICAL', 'error', 'Moderate', 'note', 'UNKNOWN', 'weird'].map(normaliseSeverity)).toEqual(['critical', 'high', 'medium', 'low', 'info', 'medium']);
});

test('fingerprints are stable and ignore nothing they are given', () => {
  expect(fingerprint('a', 'b')).toBe(fingerprint('a', 'b'));
  expect(fingerprint('a', 'b')).not.toBe(fingerprint('ab', ''));
  expect(fingerprint('a', 'b')).toMatch(/^[0-9a-f]{32}$/);
});

// Fingerprints are a promise to users: baselines, ignore files and code-scanning alert identity are keyed
// on them. These literals must only change with a release note telling users their baselines reset.
test.each([
  [['helm-validate', 'schema', 'Deployment/default/web', 'spec.replicas'], 'b45178a8f80a2daa4c2b59a42c29e07b'],
  [[], 'e3b0c44298fc1c149afbf4c8996fb924'],
  [['a', undefined, 3], 'ce56b71b42524bddb59e21190057cd5c'],
])('fingerprint(%j) is pinned', (parts, want) => {
  expectPinnedFingerprints({ [JSON.stringify(parts)]: fingerprint(...(parts as Array<string | number | undefined>)) }, { [JSON.stringify(parts)]: want });
});
