// The exceptions file: a finding of a rule on a resource is excused, with a reason that is shown in the
// summary and the JSON report. An exception may be limited to a chart or a values file and may expire.
//
//   exceptions:
//     - rule: host-namespaces                      # a rule id, or "*"
//       resource: DaemonSet/monitoring/node-agent  # kind/namespace/name, or kind/name; * wildcards
//       chart: charts/node-agent                   # chart directory (glob); resource or chart is required
//       values: values-production.yaml             # optional: values file label (glob)
//       reason: needs the host network to read node metrics (OPS-412)
//       expires: 2026-12-31                        # optional: ignored from this day on, with a warning
import { globToRegExp, InputError, UserError } from '@platform-actions/kit';
import { readFileSync } from 'node:fs';
import { RULE_BY_ID } from './rules.js';
import { parseYaml } from './yaml.js';

export interface Exception {
  rule: string;
  /** Omitted: any resource, and findings about the chart's files (Chart.yaml, values files) too. */
  resource?: string;
  chart?: string;
  values?: string;
  reason: string;
  expires?: string;
}

interface Matcher extends Exception {
  re: { rule: RegExp; resource?: RegExp; chart?: RegExp; values?: RegExp };
}

export interface ExceptionSet {
  list: Exception[];
  /** The exception that excuses a finding, if any. */
  match(f: { ruleId: string; object?: string; chart: string; values: readonly string[] }): Exception | undefined;
  /** Exceptions past their expiry date (reported, not applied). */
  expired: Exception[];
}

const KEYS = new Set(['rule', 'resource', 'chart', 'values', 'reason', 'expires']);
// Resource globs match within a segment, so Deployment/*/web does not cross slashes.
const resourceRe = (g: string) => globToRegExp(g);

/** Reads and checks the file; every problem is one error naming the input, the entry and the field. */
export function loadExceptions(file: string, label: string, today = new Date().toISOString().slice(0, 10)): ExceptionSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError('exceptions-file', 'must name an existing file', label);
  }
  const parsed = parseYaml(text, label);
  if (parsed.error) throw new UserError(`exceptions file ${label} is not valid YAML: line ${parsed.error.line ?? '?'}: ${parsed.error.message}`);
  const root = parsed.value as { exceptions?: unknown } | null;
  if (root === null) return build([], today);
  if (typeof root !== 'object' || Array.isArray(root) || !Array.isArray(root.exceptions)) {
    throw new UserError(`exceptions file ${label} must have a top-level "exceptions:" list`);
  }
  const list: Exception[] = root.exceptions.map((e, i) => {
    const where = `exceptions file ${label}, entry ${i + 1}`;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new UserError(`${where}: must be a mapping with rule, resource (or chart) and reason`);
    const o = e as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !KEYS.has(k));
    if (unknown.length) throw new UserError(`${where}: unknown field ${unknown.map((k) => `"${k}"`).join(', ')} (allowed: ${[...KEYS].join(', ')})`);
    for (const k of ['rule', 'reason'] as const) {
      if (typeof o[k] !== 'string' || !(o[k] as string).trim()) throw new UserError(`${where}: "${k}" is required and must be a non-empty string`);
    }
    // Without a resource, an exception names the chart: findings about its Chart.yaml and values files
    // (chart-metadata, yaml-lint, chart-version-bump) have no resource to name.
    if (o.resource === undefined && o.chart === undefined) throw new UserError(`${where}: needs "resource" (kind/namespace/name) or "chart" (a chart folder), or both`);
    for (const k of ['resource', 'chart'] as const)
      if (o[k] !== undefined && (typeof o[k] !== 'string' || !(o[k] as string).trim())) throw new UserError(`${where}: "${k}" must be a non-empty string`);
    const rule = String(o.rule).trim();
    if (rule !== '*' && !RULE_BY_ID.has(rule)) throw new UserError(`${where}: unknown rule "${rule}" (see the rules list in the action's README)`);
    const expires = o.expires === undefined ? undefined : String(o.expires);
    if (expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(expires)) throw new UserError(`${where}: "expires" must be a date like 2026-12-31`);
    return {
      rule,
      ...(o.resource !== undefined ? { resource: String(o.resource).trim() } : {}),
      reason: String(o.reason).trim(),
      ...(o.chart !== undefined ? { chart: String(o.chart).replace(/\/+$/, '') } : {}),
      ...(o.values !== undefined ? { values: String(o.values) } : {}),
      ...(expires ? { expires } : {}),
    };
  });
  return build(list, today);
}

export function build(list: Exception[], today: string): ExceptionSet {
  const expired = list.filter((e) => e.expires !== undefined && e.expires < today);
  const matchers: Matcher[] = list
    .filter((e) => !expired.includes(e))
    .map((e) => ({
      ...e,
      re: {
        rule: e.rule === '*' ? /^/ : new RegExp(`^${e.rule.replace(/[-]/g, '\\-')}$`),
        ...(e.resource !== undefined ? { resource: resourceRe(e.resource) } : {}),
        ...(e.chart ? { chart: globToRegExp(e.chart) } : {}),
        ...(e.values ? { values: globToRegExp(e.values) } : {}),
      },
    }));
  return {
    list,
    expired,
    match(f) {
      return matchers.find(
        (m) =>
          m.re.rule.test(f.ruleId) &&
          (!m.re.resource || (f.object !== undefined && m.re.resource.test(f.object))) &&
          (!m.re.chart || m.re.chart.test(f.chart)) &&
          (!m.re.values || f.values.some((v) => m.re.values!.test(v))),
      );
    },
  };
}
