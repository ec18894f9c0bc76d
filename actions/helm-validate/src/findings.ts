// Hits → the kit's findings. The same problem usually shows up for several values files and every
// target version; a PR author wants it once, at its template line, naming where it applies.
import { type Finding, fingerprint, type Severity, severityRank, type Suppressed } from '@platform-actions/kit';
import type { Excused, Hit } from './pipeline.js';
import { RULE_BY_ID } from './rules.js';
import { ACTION } from './action.js';

interface Group {
  hit: Hit;
  severity: Severity;
  values: Set<string>;
  /** undefined: the problem does not depend on the Kubernetes version. */
  versions?: Set<string>;
}

const keyOf = (h: Hit) => [h.ruleId, h.chart, h.object ?? '', h.path ?? '', h.message, h.location.path, h.location.startLine ?? ''].join('\u0000');

function group(hits: readonly Hit[]): Group[] {
  const groups = new Map<string, Group>();
  for (const h of hits) {
    const k = keyOf(h);
    let g = groups.get(k);
    if (!g) {
      g = { hit: h, severity: h.severity, values: new Set(), ...(h.versions ? { versions: new Set<string>() } : {}) };
      groups.set(k, g);
    }
    g.values.add(h.values);
    if (h.versions && g.versions) h.versions.forEach((v) => g!.versions!.add(v));
    if (severityRank(h.severity) < severityRank(g.severity)) g.severity = h.severity;
  }
  return [...groups.values()];
}

/** "1.34–1.36" for a contiguous run of the targets, else a list. */
export function versionRange(versions: readonly string[], targets: readonly string[]): string {
  const idx = versions.map((v) => targets.indexOf(v)).sort((a, b) => a - b);
  const contiguous = idx.every((x, i) => i === 0 || x === idx[i - 1] + 1);
  return contiguous && idx.length > 2 ? `${targets[idx[0]]}–${targets[idx[idx.length - 1]]}` : idx.map((i) => targets[i]).join(', ');
}

function toFinding(g: Group, targets: readonly string[]): Finding {
  const h = g.hit;
  const rule = RULE_BY_ID.get(h.ruleId)!;
  const values = [...g.values].sort();
  const versions = g.versions ? targets.filter((t) => g.versions!.has(t)) : undefined;
  const onlySome = versions && versions.length < targets.length ? ` [Kubernetes ${versionRange(versions, targets)}]` : '';
  // Findings about Chart.yaml belong to no values file ('').
  const named = values.filter(Boolean);
  const message = `${h.object ? `${h.object}: ` : ''}${h.message}${named.length ? ` [values: ${named.join(', ')}]` : ''}${onlySome}`;
  return {
    tool: ACTION,
    ruleId: h.ruleId,
    severity: g.severity,
    title: rule.title,
    message,
    location: h.location,
    // Line numbers and versions stay out, so a finding keeps its identity across edits and upgrades.
    fingerprint: fingerprint(ACTION, h.ruleId, h.chart, h.object, h.path, h.location.path, h.object || h.path ? '' : h.message),
    help: { text: `${rule.help} Why: ${rule.rationale}`, markdown: `${rule.help}\n\n**Why:** ${rule.rationale}` },
    tags: [rule.group, 'helm', 'kubernetes'],
    properties: {
      chart: h.chart,
      values: named.join(', '),
      ...(h.object ? { object: h.object } : {}),
      ...(h.path ? { field: h.path } : {}),
      ...(versions ? { kubernetesVersions: versions.join(', ') } : {}),
    },
  };
}

export function toFindings(hits: readonly Hit[], targets: readonly string[]): Finding[] {
  return group(hits).map((g) => toFinding(g, targets));
}

export function toSuppressed(excused: readonly Excused[], targets: readonly string[]): Suppressed[] {
  const reasons = new Map<string, string>();
  for (const e of excused) reasons.set(keyOf(e.hit), e.reason);
  return group(excused.map((e) => e.hit)).map((g) => ({ finding: toFinding(g, targets), reason: `exception: ${reasons.get(keyOf(g.hit))}` }));
}
