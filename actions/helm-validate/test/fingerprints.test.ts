// helm-validate's fingerprint recipe, pinned: users' baselines and code-scanning alerts are keyed on it.
import { expect, test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { toFindings } from '../src/findings.js';
import type { Hit } from '../src/pipeline.js';

const hit = (o: Partial<Hit>): Hit => ({
  ruleId: 'run-as-non-root',
  severity: 'medium',
  chart: 'charts/web',
  values: 'values.yaml',
  object: 'Deployment/default/web',
  path: 'spec.template.spec.securityContext.runAsNonRoot',
  message: 'runAsNonRoot is not true',
  location: { path: 'charts/web/templates/deployment.yaml', startLine: 12 },
  ...o,
});

test('fingerprints stay what they were: object and field, a chart-level finding, across values files, versions and lines', () => {
  const [objectField, movedLine, chartLevel] = toFindings(
    [
      hit({}),
      // The same problem from another values file, another Kubernetes version and a moved line: one finding.
      hit({ values: 'values-prod.yaml', versions: ['1.33'] }),
      hit({ values: 'values-prod.yaml', location: { path: 'charts/web/templates/deployment.yaml', startLine: 40 } }),
      // No object and no field: the message tells findings apart.
      hit({
        ruleId: 'render-error',
        severity: 'critical',
        object: undefined,
        path: undefined,
        message: 'template: web/templates/x.yaml:3: bad',
        location: { path: 'charts/web/templates/x.yaml' },
      }),
    ],
    ['1.33', '1.34'],
  );
  expect(objectField.fingerprint).toBe(movedLine.fingerprint);
  expectPinnedFingerprints(
    { 'object and field': objectField.fingerprint, 'chart-level (render-error)': chartLevel.fingerprint },
    { 'object and field': 'ce29f0b4be3d1604f959dd12cbf55a04', 'chart-level (render-error)': '083ab06a35e59a48d428fac92dfebc90' },
  );
});
