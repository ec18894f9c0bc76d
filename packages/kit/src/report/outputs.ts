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

// What this process wrote, per output file (one process is one step on the runner; tests run many).
const written = new Map<string, { outcome?: Outcome; counts?: boolean }>();
const mine = () => {
  const key = process.env.GITHUB_OUTPUT ?? '';
  if (!written.has(key)) written.set(key, {});
  return written.get(key)!;
};

/** Sets outcome, findings-count and one count per severity (critical-count, …), plus report paths. */
export function setStandardOutputs(o: StandardOutputs): void {
  const counts = countBySeverity(o.findings);
  setOutcome(o.outcome);
  core.setOutput('findings-count', counts.total);
  for (const s of ['critical', 'high', 'medium', 'low', 'info'] as const) core.setOutput(`${s}-count`, counts[s]);
  mine().counts = true;
  for (const [k, v] of Object.entries(o.reports ?? {})) if (v) core.setOutput(k, v);
}

/** Sets the `outcome` output. A later call wins (the runner keeps the last value written for a name). */
function setOutcome(outcome: Outcome): void {
  core.setOutput('outcome', outcome);
  mine().outcome = outcome;
}

/** What this process has written so far; runAction() uses it to keep the contract on every exit path. */
export const writtenOutcome = (): Outcome | undefined => mine().outcome;

/** Makes sure `outcome` and the counts exist: counts of zero when nothing was counted. */
export function ensureStandardOutputs(outcome: Outcome): void {
  if (!mine().counts) setStandardOutputs({ outcome, findings: [] });
  else setOutcome(outcome);
}
