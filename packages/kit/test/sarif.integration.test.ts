import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSarif, type Finding, fingerprint, SEVERITIES, writeSarif } from '@platform-actions/kit';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { actionEnv } from './env.js';

const many = (n: number): Finding[] =>
  Array.from({ length: n }, (_, i) => ({
    tool: 'demo',
    ruleId: `RULE-${i % 50}`,
    severity: SEVERITIES[i % 5],
    title: `Rule ${i % 50}`,
    message: `problem number ${i} in a file with a long enough message to have some weight ${'x'.repeat(i % 40)}`,
    location: { path: `dir ${i % 7}/file-${i % 100}.yaml`, startLine: (i % 300) + 1 },
    fingerprint: fingerprint('demo', i),
    help: { text: 'How to fix it.', markdown: '**How** to fix it.', uri: 'https://example.com/rules' },
    tags: ['kubernetes'],
  }));

describe('SARIF', () => {
  test('a full log is valid against the official SARIF 2.1.0 schema', () => {
    const { log, dropped } = buildSarif([
      { tool: { name: 'helm-validate', version: '1.2.3', informationUri: 'https://example.com' }, category: 'helm-validate/charts-web', findings: many(200) },
      { tool: { name: 'kubeconform' }, category: 'helm-validate/charts-api', findings: [], fallbackPath: 'Chart.yaml' },
    ]);
    expect(dropped).toBe(0);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const run = log.runs[0] as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(run.automationDetails.id).toBe('helm-validate/charts-web/');
    expect(run.tool.driver.rules).toHaveLength(50);
    const rule = run.tool.driver.rules[0];
    expect(rule).toMatchObject({ help: { text: expect.any(String), markdown: expect.any(String) }, properties: { tags: expect.arrayContaining(['security']) } });
    const r0 = run.results[0];
    expect(r0.level).toBe('error');
    expect(r0.partialFingerprints['platformActionsFingerprint/v1']).toMatch(/^[0-9a-f]{32}$/);
    expect(r0.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^dir%20\d\/file-\d+\.yaml$/);
    expect(run.tool.driver.rules[run.results[0].ruleIndex].id).toBe(r0.ruleId);
  });

  test('the schema check can fail: a bad level is rejected', () => {
    const { log } = buildSarif([{ tool: { name: 't' }, category: 'c', findings: many(3) }]);
    (log.runs[0] as any).results[0].level = 'fatal'; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(sarifSchemaErrors(log).length).toBeGreaterThan(0);
  });

  test('security-severity follows the worst result of each rule; info has none', () => {
    const f = (severity: Finding['severity'], id: string): Finding => ({ ...many(1)[0], ruleId: id, severity, fingerprint: fingerprint(id, severity) });
    const { log } = buildSarif([{ tool: { name: 't' }, category: 'c', findings: [f('low', 'A'), f('critical', 'A'), f('info', 'B')] }]);
    const rules = (log.runs[0] as any).tool.driver.rules; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rules.find((r: { id: string }) => r.id === 'A').properties['security-severity']).toBe('9.5');
    expect(rules.find((r: { id: string }) => r.id === 'B').properties['security-severity']).toBeUndefined();
  });

  test('over the per-run result limit the least severe are dropped', () => {
    const { log, dropped } = buildSarif([{ tool: { name: 't' }, category: 'c', findings: many(1000) }], { maxResultsPerRun: 400 });
    const results = (log.runs[0] as any).results as Array<{ level: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(results).toHaveLength(400);
    expect(dropped).toBe(600);
    // 1000 findings, 200 per severity: critical + high (400) are kept.
    expect(new Set(results.map((r) => r.level))).toEqual(new Set(['error']));
  });

  test('over the gzip size limit results are halved until it fits', () => {
    const { log, dropped } = buildSarif([{ tool: { name: 't' }, category: 'c', findings: many(5000) }], { maxGzipBytes: 40_000 });
    expect(gzipSync(JSON.stringify(log)).length).toBeLessThanOrEqual(40_000);
    expect(dropped).toBeGreaterThan(0);
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  test('results without a location use the fallback path, else the workflow file: never dropped (the file and the counts agree)', () => {
    const noLoc = { ...many(1)[0], location: undefined };
    const uri = (l: { runs: Record<string, unknown>[] }) => (l.runs[0] as any).results[0].locations[0].physicalLocation.artifactLocation.uri; // eslint-disable-line @typescript-eslint/no-explicit-any
    const { log } = buildSarif([{ tool: { name: 't' }, category: 'c', findings: [noLoc], fallbackPath: 'charts/web/Chart.yaml' }]);
    expect(uri(log)).toBe('charts/web/Chart.yaml');
    const saved = process.env.GITHUB_WORKFLOW_REF;
    try {
      process.env.GITHUB_WORKFLOW_REF = 'acme/app/.github/workflows/ci.yml@refs/heads/main';
      const b = buildSarif([{ tool: { name: 't' }, category: 'c', findings: [noLoc] }]);
      expect(b.dropped).toBe(0);
      expect(uri(b.log)).toBe('.github/workflows/ci.yml');
      delete process.env.GITHUB_WORKFLOW_REF;
      expect(uri(buildSarif([{ tool: { name: 't' }, category: 'c', findings: [noLoc] }]).log)).toBe('.github/workflows');
      expect(sarifSchemaErrors(b.log)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_WORKFLOW_REF;
      else process.env.GITHUB_WORKFLOW_REF = saved;
    }
  });

  test('more than 20 runs in one file is refused', () => {
    const runs = Array.from({ length: 21 }, (_, i) => ({ tool: { name: 't' }, category: `c${i}`, findings: [] }));
    expect(() => buildSarif(runs)).toThrow('a SARIF file holds at most 20 runs; got 21');
  });

  test('writeSarif writes a schema-valid file and reports its size', () => {
    const env = actionEnv();
    try {
      const w = writeSarif(join(env.dir, 'out', 'r.sarif'), [{ tool: { name: 't' }, category: 'c', findings: many(10) }]);
      expect(w.results).toBe(10);
      expect(sarifSchemaErrors(JSON.parse(readFileSync(w.path, 'utf8')))).toEqual([]);
    } finally {
      env.restore();
    }
  });
});
