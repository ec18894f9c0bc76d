// Chart.yaml as chart-testing checks it: the fields and types of its schema (etc/chart_schema.yaml, read by
// yamale in strict mode, so an unknown field is an error too), maintainers required unless the chart is
// deprecated and none when it is (validate-maintainers), and a version that is SemVer 2. Every problem is
// found, each at its line; helm lint stops at the first maintainer problem. Pure: text in, issues out.
import type { Severity } from '@platform-actions/kit';
import { keysWithLines } from './locate.js';
import { isStrictSemVer } from './semver.js';
import { parseYaml } from './yaml.js';

export interface MetadataIssue {
  /** chart-maintainers for whether the chart lists maintainers at all; chart-metadata for everything else. */
  ruleId: 'chart-metadata' | 'chart-maintainers';
  /** Only when the issue is more severe than the rule's default. */
  severity?: Severity;
  /** Dotted path of the field, e.g. maintainers[1].email. */
  path: string;
  message: string;
}

type Kind = 'str' | 'strOrNum' | 'bool' | 'strList' | 'strMap';
const TOP: Record<string, { kind: Kind | 'maintainers' | 'dependencies'; required?: boolean }> = {
  name: { kind: 'str', required: true },
  home: { kind: 'str' },
  version: { kind: 'str', required: true },
  apiVersion: { kind: 'str', required: true },
  appVersion: { kind: 'strOrNum' },
  description: { kind: 'str' },
  keywords: { kind: 'strList' },
  sources: { kind: 'strList' },
  maintainers: { kind: 'maintainers' },
  dependencies: { kind: 'dependencies' },
  icon: { kind: 'str' },
  engine: { kind: 'str' },
  condition: { kind: 'str' },
  tags: { kind: 'str' },
  deprecated: { kind: 'bool' },
  kubeVersion: { kind: 'str' },
  annotations: { kind: 'strMap' },
  type: { kind: 'str' },
};
const MAINTAINER: Record<string, { kind: Kind; required?: boolean }> = { name: { kind: 'str', required: true }, email: { kind: 'str' }, url: { kind: 'str' } };
const DEPENDENCY: Record<string, { kind: Kind | 'importValues'; required?: boolean }> = {
  name: { kind: 'str', required: true },
  version: { kind: 'str', required: true },
  repository: { kind: 'str' },
  condition: { kind: 'str' },
  tags: { kind: 'strList' },
  enabled: { kind: 'bool' },
  'import-values': { kind: 'importValues' },
  alias: { kind: 'str' },
};

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : isObj(v) ? 'a mapping' : typeof v === 'number' ? `the number ${v}` : `a ${typeof v}`);
const WANT: Record<Kind, string> = {
  str: 'a string',
  strOrNum: 'a string or a number',
  bool: 'true or false',
  strList: 'a list of strings',
  strMap: 'a mapping of strings to strings',
};

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'str':
      return typeof v === 'string';
    case 'strOrNum':
      return typeof v === 'string' || typeof v === 'number';
    case 'bool':
      return typeof v === 'boolean';
    case 'strList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'strMap':
      return isObj(v) && Object.values(v).every((x) => typeof x === 'string');
  }
}

// As permissive as helm lint's own checks (govalidator): a scheme is optional, a host with a dot (or localhost) is not.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^(?:(?:https?|ftp):\/\/)?(?:[^\s:@/]+(?::[^\s@/]*)?@)?(?:localhost|[^\s/?#.]+(?:\.[^\s/?#.]+)+|\[[0-9a-fA-F:]+\])(?::\d+)?(?:[/?#]\S*)?$/;

/** Every Chart.yaml problem chart-testing would report (and the ones helm lint reports one at a time). */
export function checkChartMetadata(text: string): MetadataIssue[] {
  const y = parseYaml(text).value;
  if (!isObj(y)) return [{ ruleId: 'chart-metadata', severity: 'high', path: '', message: 'Chart.yaml must be a mapping of fields' }];
  const out: MetadataIssue[] = [];
  const high = (path: string, message: string) => out.push({ ruleId: 'chart-metadata', severity: 'high', path, message });
  const fields = (obj: Record<string, unknown>, spec: Record<string, { kind: string; required?: boolean }>, at: string, what: string) => {
    for (const [k, s] of Object.entries(spec)) if (s.required && (obj[k] === undefined || obj[k] === null)) high(at ? `${at}.${k}` : k, `${what} has no ${k} (required)`);
    for (const [k, v] of Object.entries(obj)) {
      const path = at ? `${at}.${k}` : k;
      const s = spec[k];
      if (!s) high(path, `${what} has a field "${k}" that Chart.yaml does not define (chart-testing's schema is strict; check the spelling)`);
      else if (v === null || v === undefined) continue;
      else if (s.kind in WANT && !fits(s.kind as Kind, v)) high(path, `${path} must be ${WANT[s.kind as Kind]}, not ${typeName(v)}`);
    }
  };
  fields(y, TOP, '', 'Chart.yaml');
  if (typeof y.version === 'string' && !isStrictSemVer(y.version))
    high('version', `version "${y.version}" is not SemVer 2 (MAJOR.MINOR.PATCH, e.g. 1.2.3): chart repositories, registries and version ranges read it as SemVer`);

  const maintainers = y.maintainers;
  if (maintainers !== undefined && maintainers !== null && !Array.isArray(maintainers)) high('maintainers', `maintainers must be a list, not ${typeName(maintainers)}`);
  const list = Array.isArray(maintainers) ? maintainers : [];
  list.forEach((m, i) => {
    const at = `maintainers[${i}]`;
    if (!isObj(m)) return high(at, `${at} must be a mapping with name, email and url, not ${typeName(m)}`);
    fields(m, MAINTAINER, at, `maintainer ${i + 1}`);
    const who = typeof m.name === 'string' ? `maintainer "${m.name}"` : `maintainer ${i + 1}`;
    if (typeof m.email === 'string' && m.email && !EMAIL.test(m.email)) high(`${at}.email`, `${who} has an invalid email "${m.email}"`);
    if (typeof m.url === 'string' && m.url && !URL_RE.test(m.url)) high(`${at}.url`, `${who} has an invalid url "${m.url}"`);
  });
  if (y.deprecated === true && list.length)
    out.push({ ruleId: 'chart-maintainers', path: 'maintainers', message: 'a deprecated chart must not list maintainers (chart-testing: deprecated charts have none)' });
  if (y.deprecated !== true && !list.length)
    out.push({
      ruleId: 'chart-maintainers',
      path: 'maintainers',
      message: 'the chart lists no maintainers; chart-testing requires at least one (name, and email or url) unless the chart is deprecated',
    });

  const deps = y.dependencies;
  if (deps !== undefined && deps !== null && !Array.isArray(deps)) high('dependencies', `dependencies must be a list, not ${typeName(deps)}`);
  (Array.isArray(deps) ? deps : []).forEach((d, i) => {
    const at = `dependencies[${i}]`;
    if (!isObj(d)) return high(at, `${at} must be a mapping with name and version, not ${typeName(d)}`);
    fields(d, DEPENDENCY, at, `dependency ${i + 1}`);
    const iv = d['import-values'];
    if (iv !== undefined && iv !== null) {
      const ok = Array.isArray(iv) && iv.every((x) => typeof x === 'string' || (isObj(x) && typeof x.child === 'string' && typeof x.parent === 'string'));
      if (!ok) high(`${at}.import-values`, `${at}.import-values must be a list of strings or of {child, parent} mappings`);
    }
  });
  return out;
}

/** The line of a field (e.g. maintainers[1].email) in Chart.yaml; for a missing one, its parent's. */
export function metadataLine(text: string, path: string): number | undefined {
  const keys = keysWithLines(text);
  for (let p = path; p; p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '')) {
    const hit = keys.find((k) => k.path === p || k.path.startsWith(`${p}.`));
    if (hit) return hit.line;
    if (!/(\.[^.[\]]+|\[\d+\])$/.test(p)) break;
  }
  return undefined;
}
