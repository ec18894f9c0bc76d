// Outputs every action sets the same way, before it fails, so callers can read them either way.
import * as core from '../core.js';
import { countBySeverity, type Finding } from '../findings.js';
import type { Outcome } from '../gate.js';

export interface StandardOutputs {
  outcome: Outcome;
  findings: readonly Finding[];
  /** Named report files, e.g. { 'sarif-file': '/tmp/x.sarif', 'report-file': '/tmp/x.json' }. */
  reports?: Record<string, string | undefined>;
}

/** Sets outcome, findings-count and one count per severity (critical-count, …), plus report paths. */
export function setStandardOutputs(o: StandardOutputs): void {
  const counts = countBySeverity(o.findings);
  core.setOutput('outcome', o.outcome);
  core.setOutput('findings-count', counts.total);
  for (const s of ['critical', 'high', 'medium', 'low', 'info'] as const) core.setOutput(`${s}-count`, counts[s]);
  for (const [k, v] of Object.entries(o.reports ?? {})) if (v) core.setOutput(k, v);
}
