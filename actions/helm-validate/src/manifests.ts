// `helm template` output → one entry per Kubernetes object, each with the template it came from.
// Helm starts every document with `---` and `# Source: <chart name>/templates/<file>` (subcharts:
// `<parent>/charts/<sub or alias>/templates/<file>`); a template that renders several documents repeats
// the marker. `kind: List` documents are expanded into their items, as kubectl and kubeconform do.
import { YamlError } from '@platform-actions/kit';
import { type DuplicateKey, parseYaml } from './yaml.js';

export interface KubeObject {
  /** The `# Source:` path exactly as helm printed it, or '' when the document had none. */
  source: string;
  /** 1-based line in the rendered stream where the document starts. */
  streamLine: number;
  apiVersion: string;
  kind: string;
  name: string;
  /** metadata.namespace; the release namespace is filled in later for namespaced kinds that leave it out. */
  namespace: string;
  /** The decoded object (after a duplicate key, the last value wins, as in non-strict decoding). */
  value: Record<string, unknown>;
  duplicates: DuplicateKey[];
  /** Position in a `kind: List` document, when it came from one. */
  listIndex?: number;
}

interface BrokenDocument {
  source: string;
  streamLine: number;
  message: string;
  /** 1-based line within the document, when the parser knows it. */
  line?: number;
  /** What is missing when the document is YAML but not an object (no apiVersion/kind). */
  missing?: string[];
  duplicates?: DuplicateKey[];
}

export interface SplitResult {
  objects: KubeObject[];
  broken: BrokenDocument[];
}

const SEPARATOR = /^---(?:\s.*)?$/;
const SOURCE = /^# Source: (.+?)\s*$/;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** Splits a rendered stream into objects. */
/** `opts.maxChars`: helm's rendered output is bounded where it is read (max render size), not again per document. */
export function splitManifests(stream: string, opts: { maxChars?: number } = {}): SplitResult {
  const objects: KubeObject[] = [];
  const broken: BrokenDocument[] = [];
  const lines = stream.split('\n');
  let start = 0;
  const flush = (end: number) => {
    if (end <= start) return;
    const docLines = lines.slice(start, end);
    const streamLine = start + 1;
    let source = '';
    for (const l of docLines) {
      const m = SOURCE.exec(l);
      if (m) {
        source = m[1];
        break;
      }
      if (l.trim() && !l.startsWith('#')) break;
    }
    const text = docLines.join('\n');
    let parsed: ReturnType<typeof parseYaml>;
    try {
      parsed = parseYaml(text, source || 'rendered document', opts);
    } catch (e) {
      // Past the kit's bounds (an alias bomb a template wrote out): a broken document of that template.
      if (!(e instanceof YamlError)) throw e;
      broken.push({ source, streamLine, message: e.reason, duplicates: [] });
      return;
    }
    if (parsed.error) {
      broken.push({ source, streamLine, message: parsed.error.message, line: parsed.error.line, duplicates: parsed.duplicates });
      return;
    }
    if (parsed.value === null || parsed.value === undefined) return; // empty or comment-only document
    addObject(parsed.value, source, streamLine, parsed.duplicates, objects, broken);
  };
  for (let i = 0; i < lines.length; i++) {
    if (SEPARATOR.test(lines[i])) {
      flush(i);
      start = i + 1;
    }
  }
  flush(lines.length);
  return { objects, broken };
}

function addObject(value: unknown, source: string, streamLine: number, duplicates: DuplicateKey[], objects: KubeObject[], broken: BrokenDocument[], listIndex?: number): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    broken.push({ source, streamLine, message: `a Kubernetes object must be a mapping, got ${Array.isArray(value) ? 'a list' : typeof value}` });
    return;
  }
  const v = value as Record<string, unknown>;
  const kind = str(v.kind);
  const apiVersion = str(v.apiVersion);
  if (kind === 'List' && Array.isArray(v.items) && listIndex === undefined) {
    v.items.forEach((item, i) => addObject(item, source, streamLine, [], objects, broken, i));
    return;
  }
  const missing = [...(apiVersion ? [] : ['apiVersion']), ...(kind ? [] : ['kind'])];
  if (missing.length) {
    broken.push({ source, streamLine, message: `missing ${missing.join(' and ')}`, missing, duplicates });
    return;
  }
  const meta = (typeof v.metadata === 'object' && v.metadata !== null ? v.metadata : {}) as Record<string, unknown>;
  objects.push({
    source,
    streamLine,
    apiVersion,
    kind,
    name: str(meta.name) || (meta.generateName ? `${str(meta.generateName)}*` : ''),
    namespace: str(meta.namespace),
    value: v,
    duplicates,
    ...(listIndex !== undefined ? { listIndex } : {}),
  });
}

/** "Deployment/default/web", or "ClusterRole/admin" without a namespace: how findings and exceptions name an object. */
export const objectRef = (o: Pick<KubeObject, 'kind' | 'namespace' | 'name'>): string => (o.namespace ? `${o.kind}/${o.namespace}/${o.name}` : `${o.kind}/${o.name}`);
