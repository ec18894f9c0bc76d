// The action's own outputs, next to the kit's standard ones (outcome and the finding counts). Numbers
// are plain ("95.92", "+1.20"), so `fromJSON` and shell arithmetic read them; a value that is not known
// (no JUnit input, no coverage input, no base report) is an empty string, never a made-up 0.
import { core } from '@platform-actions/kit';
import { round2 } from './gates.js';
import type { Totals } from './results.js';

export const TEST_OUTPUTS = ['tests', 'passed', 'failed', 'skipped', 'flaky', 'pass-rate', 'coverage', 'coverage-delta'] as const;

export function outputValues(o: { totals?: Totals; passRate?: number; coverage?: number; delta?: number }): Record<(typeof TEST_OUTPUTS)[number], string> {
  const t = o.totals;
  const fixed = (n: number | undefined) => (n === undefined ? '' : round2(n).toFixed(2));
  return {
    tests: t ? String(t.tests) : '',
    passed: t ? String(t.passed) : '',
    failed: t ? String(t.failed + t.errors) : '',
    skipped: t ? String(t.skipped) : '',
    flaky: t ? String(t.flaky) : '',
    'pass-rate': fixed(o.passRate),
    coverage: fixed(o.coverage),
    'coverage-delta': o.delta === undefined ? '' : `${o.delta > 0 ? '+' : ''}${o.delta.toFixed(2)}`,
  };
}

export function setTestOutputs(o: Parameters<typeof outputValues>[0]): void {
  for (const [k, v] of Object.entries(outputValues(o))) core.setOutput(k, v);
}
