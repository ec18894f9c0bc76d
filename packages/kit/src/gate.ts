// The gate: one decision, from parsed findings (never from a tool's exit code alone). Every run ends in
// one of four documented outcomes: three decided here, and `config-error`, which runAction() sets when
// the caller's configuration is rejected before any work.
import { atLeast, type Finding, type Severity, SEVERITIES, sortFindings } from './findings.js';
import { InputError } from './errors.js';

export type Outcome = 'clean' | 'policy-failure' | 'tool-error' | 'config-error';
export const OUTCOMES: readonly Outcome[] = ['clean', 'policy-failure', 'tool-error', 'config-error'];
export type FailOn = Severity | 'none';
const FAIL_ON_VALUES: readonly FailOn[] = [...SEVERITIES, 'none'];

interface Ignore {
  /** Rule id to ignore; '*' for any. */
  ruleId: string;
  /** Optional path glob (`*` within a segment, `**` across segments). */
  path?: string;
  reason: string;
}

export interface GateInput {
  findings: readonly Finding[];
  failOn: FailOn;
  /** Fingerprints accepted earlier (a baseline). */
  baseline?: ReadonlySet<string>;
  ignores?: readonly Ignore[];
  /** Tool failures: any entry makes the outcome "tool-error", whatever the findings say. */
  toolErrors?: readonly string[];
  /**
   * Reasons to fail that are not findings (a deploy that had to be rolled back, a PR that changes the
   * scan's own settings under `config-change: fail`): any entry makes the outcome "policy-failure", and
   * failUnlessClean() and the summary say these reasons in words.
   */
  policyErrors?: readonly string[];
}

export interface Suppressed {
  finding: Finding;
  reason: string;
}

export interface GateResult {
  outcome: Outcome;
  /** Findings that remain after baseline and ignores, most severe first. */
  active: Finding[];
  /** The active findings at or above the threshold: why the gate failed. */
  failing: Finding[];
  suppressed: Suppressed[];
  toolErrors: string[];
  policyErrors: string[];
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
        if (glob[i + 1] === '/') i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseFailOn(input: string, value: string): FailOn {
  const v = value.trim().toLowerCase();
  if ((FAIL_ON_VALUES as readonly string[]).includes(v)) return v as FailOn;
  throw new InputError(input, `must be one of ${FAIL_ON_VALUES.join(', ')}`, value);
}

export function gate(input: GateInput): GateResult {
  const suppressed: Suppressed[] = [];
  const active: Finding[] = [];
  const matchers = (input.ignores ?? []).map((i) => ({ ...i, re: i.path ? globToRegExp(i.path) : undefined }));
  for (const f of input.findings) {
    if (input.baseline?.has(f.fingerprint)) {
      suppressed.push({ finding: f, reason: 'in baseline' });
      continue;
    }
    const ig = matchers.find((m) => (m.ruleId === '*' || m.ruleId === f.ruleId) && (!m.re || m.re.test(f.location?.path ?? '')));
    if (ig) {
      suppressed.push({ finding: f, reason: ig.reason });
      continue;
    }
    active.push(f);
  }
  active.splice(0, active.length, ...sortFindings(active));
  const failOn = input.failOn;
  const failing = failOn === 'none' ? [] : active.filter((f) => atLeast(f.severity, failOn));
  const toolErrors = [...(input.toolErrors ?? [])];
  const policyErrors = [...(input.policyErrors ?? [])];
  const outcome: Outcome = toolErrors.length > 0 ? 'tool-error' : failing.length > 0 || policyErrors.length > 0 ? 'policy-failure' : 'clean';
  return { outcome, active, failing, suppressed, toolErrors, policyErrors };
}
