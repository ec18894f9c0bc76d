// Values that fail a chart's values.schema.json. helm refuses to render and prints every violation,
// grouped by chart; helm 3 (gojsonschema) and helm 4 (santhosh-tekuri/jsonschema) word them differently:
//   helm 3:  c:                                   helm 4:  c:
//            - replicas: Invalid type. Expected: …          - at '/replicas': got string, want integer
//            - (root): image is required                    - at '': missing property 'image'
//            - (root): Additional property x is not allowed - at '': additional properties 'x' not allowed
// Each violation becomes one finding at the values file and line that set the key, not one render error
// at Chart.yaml.
import type { Location } from '@platform-actions/kit';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Chart, relPath } from './charts.js';
import { keysWithLines, type ValuesFile } from './locate.js';

export interface SchemaViolation {
  /** The chart whose schema failed, as helm names it (the chart itself, or a subchart by alias or name). */
  chart: string;
  /** Key path inside that chart's values ([] for the top level); numbers are list indices. */
  path: Array<string | number>;
  /** The property a "missing" or "additional" violation is about (not in `path`). */
  property?: string;
  kind: 'missing' | 'additional' | 'value';
  /** helm's words for it. */
  message: string;
}

const HEADER = /values don't meet the specifications of the schema\(s\) in the following chart\(s\)/;

const quoted = (list: string): string[] => [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]);

/** helm 4's JSON pointer '/a/0/b~1c' → ['a', 0, 'b/c']. */
function pointer(p: string): Array<string | number> {
  if (!p) return [];
  return p
    .replace(/^\//, '')
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** helm 3's field 'a.0.b' → ['a', 0, 'b']; '(root)' → []. */
function dotted(f: string): Array<string | number> {
  if (!f || f === '(root)') return [];
  return f
    .replace(/^\(root\)\./, '')
    .split('.')
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The violations in helm's error output, or undefined when it is not a values-schema failure. */
export function parseSchemaErrors(output: string): SchemaViolation[] | undefined {
  const lines = output.split('\n');
  const at = lines.findIndex((l) => HEADER.test(l));
  if (at < 0) return undefined;
  const out: SchemaViolation[] = [];
  let chart = '';
  for (const line of lines.slice(at + 1)) {
    const section = /^(\S[^:]*):\s*$/.exec(line);
    if (section) {
      chart = section[1];
      continue;
    }
    const item = /^\s*- (.*)$/.exec(line);
    if (!item || !chart) continue;
    const text = item[1].trim();
    const h4 = /^at '([^']*)': (.*)$/.exec(text);
    const [path, message] = h4 ? [pointer(h4[1]), h4[2]] : ((m) => (m ? [dotted(m[1]), m[2]] : [[], text]))(/^(\S+): (.*)$/.exec(text));
    if (message === 'validation failed') continue; // helm 4: a heading for the nested violations that follow
    const missing = /^(\S+) is required$/.exec(message)?.slice(1) ?? (/^missing propert(?:y|ies) (.*)$/.exec(message) ? quoted(message) : undefined);
    const additional =
      /^Additional property (\S+) is not allowed$/.exec(message)?.slice(1) ?? (/^additional propert(?:y|ies) (.*) not allowed$/.exec(message) ? quoted(message) : undefined);
    if (missing?.length) for (const p of missing) out.push({ chart, path, property: p, kind: 'missing', message });
    else if (additional?.length) for (const p of additional) out.push({ chart, path, property: p, kind: 'additional', message });
    else out.push({ chart, path, kind: 'value', message });
  }
  return out.length ? out : undefined;
}

/** `a.b[0].c`, the form keysWithLines() gives. */
export const keyPath = (segs: ReadonlyArray<string | number>): string => segs.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/** Where the violation is: the values file and line that set the key (for a missing one, where its parent is set). */
export function locateViolation(
  v: SchemaViolation,
  chart: Chart,
  /** The values documents helm read, the one that wins first. */
  files: readonly ValuesFile[],
  workspace: string,
): { keyPath: string; location: Location } {
  // A subchart's values sit under its name (or alias) in the parent's values.
  const prefix = v.chart === chart.name ? [] : [v.chart];
  const key = keyPath([...prefix, ...v.path, ...(v.kind === 'missing' || !v.property ? [] : [v.property])]);
  const look = v.kind === 'missing' ? keyPath([...prefix, ...v.path]) : key;
  for (const f of files) {
    const hit = look ? keysWithLines(f.text).find((k) => k.path === look) : undefined;
    if (hit) return { keyPath: keyPath([...prefix, ...v.path, ...(v.property ? [v.property] : [])]), location: { path: f.path, startLine: hit.line + (f.lineOffset ?? 0) } };
  }
  const shown = keyPath([...prefix, ...v.path, ...(v.property ? [v.property] : [])]);
  // A missing key, or one set at the top level: the most specific values file, where it would be added.
  if (v.kind === 'missing' || !look) return { keyPath: shown, location: { path: files[0]?.path ?? chartYaml(chart) } };
  // Not set in any values file (a default helm adds, such as global): the schema that rejects it.
  const schema = prefix.length ? join(chart.dir, 'charts', v.chart, 'values.schema.json') : join(chart.dir, 'values.schema.json');
  return { keyPath: shown, location: { path: existsSync(schema) ? relPath(workspace, schema) : chartYaml(chart) } };
}

const chartYaml = (chart: Chart) => `${chart.rel === '.' ? '' : `${chart.rel}/`}Chart.yaml`;
