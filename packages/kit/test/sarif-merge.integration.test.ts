// Merging the SARIF files of several runs: one run per category, rule indexes renumbered, valid
// against the official SARIF 2.1.0 schema.
import { expect, test } from '@jest/globals';
import { buildSarif, fingerprint, type Finding, mergeSarif } from '@platform-actions/kit';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';

const f = (rule: string, path: string, severity: Finding['severity'] = 'high'): Finding => ({
  tool: 'helm-validate',
  ruleId: rule,
  severity,
  title: `rule ${rule}`,
  message: `${rule} in ${path}`,
  location: { path, startLine: 2 },
  fingerprint: fingerprint(rule, path),
});

test('shards of one category become one run whose rule indexes point at the right rules', () => {
  const a = buildSarif([{ tool: { name: 'helm-validate' }, category: 'helm-validate', findings: [f('R1', 'charts/a/x.yaml'), f('R2', 'charts/a/y.yaml', 'low')] }]).log;
  const b = buildSarif([{ tool: { name: 'helm-validate' }, category: 'helm-validate', findings: [f('R2', 'charts/b/y.yaml', 'low'), f('R3', 'charts/b/z.yaml')] }]).log;
  const t = buildSarif([{ tool: { name: 'trivy' }, category: 'trivy-scan/image-web', findings: [f('CVE-1', 'Dockerfile')] }]).log;
  const m = mergeSarif([a, b, t]);
  expect(sarifSchemaErrors(m.log)).toEqual([]);
  expect(m.folded).toBe(false);
  const runs = m.log.runs as Array<{
    automationDetails: { id: string };
    tool: { driver: { rules: Array<{ id: string }> } };
    results: Array<{ ruleId: string; ruleIndex: number }>;
  }>;
  expect(runs.map((r) => r.automationDetails.id)).toEqual(['helm-validate/', 'trivy-scan/image-web/']);
  const helm = runs[0];
  expect(helm.tool.driver.rules.map((r) => r.id)).toEqual(['R1', 'R2', 'R3']);
  for (const res of helm.results) expect(helm.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
  expect(helm.results).toHaveLength(4);
  expect(m.results).toBe(5);
});
