// The common model every tool's output is parsed into, so that the gate and reporters are written once.
import { createHash } from 'node:crypto';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Lower rank = more severe. */
const RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };
export const severityRank = (s: Severity): number => RANK[s];
export const atLeast = (s: Severity, threshold: Severity): boolean => severityRank(s) <= severityRank(threshold);

export interface Location {
  /** Repository-relative path with forward slashes. */
  path: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

interface Help {
  text: string;
  markdown?: string;
  uri?: string;
}

export interface Finding {
  /** Tool that produced it, e.g. "gitleaks" or "helm-validate". */
  tool: string;
  ruleId: string;
  severity: Severity;
  /** Short rule title, e.g. "Container-only field at pod level". */
  title: string;
  /** What is wrong here and how to fix it. Never contains a secret. */
  message: string;
  location?: Location;
  /** Stable identity across runs and line shifts (no line numbers): used by baselines and SARIF. */
  fingerprint: string;
  help?: Help;
  tags?: string[];
  /** Extra facts for reports, e.g. { object: "Deployment/default/web", values: "values-prod.yaml" }. */
  properties?: Record<string, string | number | boolean>;
}

/** A fingerprint from the parts that identify a finding; callers leave line numbers out on purpose. */
export function fingerprint(...parts: Array<string | number | undefined>): string {
  return createHash('sha256')
    .update(parts.map((p) => String(p ?? '')).join('\u0000'))
    .digest('hex')
    .slice(0, 32);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Most severe first; then by path, line and rule so output is stable. Code-point order, not locale order: faster and the same everywhere. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      cmp(a.location?.path ?? '', b.location?.path ?? '') ||
      (a.location?.startLine ?? 0) - (b.location?.startLine ?? 0) ||
      cmp(a.ruleId, b.ruleId),
  );
}

export type SeverityCounts = Record<Severity, number> & { total: number };

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const c = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 };
  for (const f of findings) {
    c[f.severity]++;
    c.total++;
  }
  return c;
}

/** Maps the many severity vocabularies tools use onto ours. Unknown words become "medium" so nothing is hidden by a typo. */
export function normaliseSeverity(word: string | undefined): Severity {
  switch ((word ?? '').trim().toLowerCase()) {
    case 'critical':
    case 'blocker':
      return 'critical';
    case 'high':
    case 'error':
    case 'major':
      return 'high';
    case 'medium':
    case 'moderate':
    case 'warning':
      return 'medium';
    case 'low':
    case 'minor':
    case 'note':
      return 'low';
    case 'info':
    case 'informational':
    case 'negligible':
    case 'unknown':
    case 'none':
      return 'info';
    default:
      return 'medium';
  }
}
