// YAML as Kubernetes reads it. The API server and kubectl decode YAML 1.1 (go-yaml v2 through
// sigs.k8s.io/yaml): `yes`/`no`/`on`/`off` are booleans, `0755` is octal, timestamps stay strings and
// merge keys work. js-yaml's YAML 1.1 tags give us that; we leave out the timestamp, binary, set and
// omap tags, which Kubernetes never sees. Duplicate keys are an error in strict decoding, so we find
// every one of them with its line, then still decode the document (last value wins) to validate the rest.
// Parsing goes through the kit's bounded reader: a billion-laughs document or 10,000 levels of nesting
// end as a YamlError naming the file, before anything walks the value.
import { readYaml, YamlError, yamlEvents } from '@platform-actions/kit';
import { boolYaml11Tag, EVENT_ID, type Event, floatYaml11Tag, getScalarValue, intYaml11Tag, mapTag, mergeTag, nullYaml11Tag, Schema, seqTag, strTag } from 'js-yaml';

const KUBE_YAML = new Schema([strTag, seqTag, mapTag, nullYaml11Tag, boolYaml11Tag, intYaml11Tag, floatYaml11Tag, mergeTag]);

export interface DuplicateKey {
  /** Dotted path of the repeated key, e.g. data.a */
  path: string;
  key: string;
  /** 1-based line of the second occurrence within the parsed text. */
  line: number;
}

export interface ParsedYaml {
  value: unknown;
  duplicates: DuplicateKey[];
  /** Set when the text is not YAML at all: the parser's reason and 1-based line. */
  error?: { message: string; line?: number };
}

/**
 * Parses one YAML document. An empty or comment-only document is `null`, not an error. A text that is not
 * YAML comes back with `error`; one that breaks the kit's bounds (size, depth, alias expansion) throws
 * YamlError naming `filename`.
 */
export function parseYaml(text: string, filename = 'YAML document', opts: { maxChars?: number } = {}): ParsedYaml {
  if (!/^\s*[^#\s]/m.test(text)) return { value: null, duplicates: [] };
  try {
    return { value: readYaml(text, { file: filename, schema: KUBE_YAML, ...opts }), duplicates: [] };
  } catch (e) {
    if (!(e instanceof YamlError) || e.kind === 'limit') throw e;
    if (!/^duplicated mapping key/.test(e.reason)) return { value: undefined, duplicates: [], error: { message: e.reason, line: e.line } };
    const duplicates = findDuplicateKeys(text);
    try {
      return { value: readYaml(text, { file: filename, schema: KUBE_YAML, json: true, ...opts }), duplicates };
    } catch (e2) {
      if (!(e2 instanceof YamlError) || e2.kind === 'limit') throw e2;
      return { value: undefined, duplicates, error: { message: e2.reason, line: e2.line } };
    }
  }
}

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

interface Frame {
  kind: 'doc' | 'map' | 'seq';
  keys: Set<string>;
  /** For a mapping: the next event is a key. */
  expectKey: boolean;
  /** The path segment this collection sits at in its parent. */
  at: string;
  /** For a sequence: index of the next item. */
  index: number;
}

/** Every repeated key in every mapping, with its path and line. The slow path: only runs after a duplicate was seen. */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  let events: Event[];
  try {
    events = yamlEvents(text, 'YAML document');
  } catch {
    return [];
  }
  const out: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let pendingKey = '';
  const pathOf = (key: string) => formatSegments([...stack.map((f) => f.at).filter((s) => s !== ''), key]);
  // The segment the next value takes in the current collection; advances the collection past it.
  const nextSegment = (): string => {
    const top = stack[stack.length - 1];
    if (!top || top.kind === 'doc') return '';
    if (top.kind === 'seq') return `[${top.index++}]`;
    top.expectKey = true;
    return pendingKey;
  };
  for (const ev of events) {
    const top = stack[stack.length - 1];
    switch (ev.type) {
      case EVENT_ID.DOCUMENT:
        stack.push({ kind: 'doc', keys: new Set(), expectKey: false, at: '', index: 0 });
        break;
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const at = nextSegment();
        stack.push({ kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq', keys: new Set(), expectKey: true, at, index: 0 });
        break;
      }
      case EVENT_ID.POP:
        stack.pop();
        break;
      case EVENT_ID.SCALAR:
        if (top?.kind === 'map' && top.expectKey) {
          const key = getScalarValue(text, ev);
          if (top.keys.has(key) && key !== '<<') out.push({ path: pathOf(key), key, line: lineAt(text, ev.valueStart) });
          top.keys.add(key);
          pendingKey = key;
          top.expectKey = false;
        } else nextSegment();
        break;
      case EVENT_ID.ALIAS:
        nextSegment();
        break;
    }
  }
  return out;
}

const formatSegments = (segs: string[]): string => segs.map((s, i) => (s.startsWith('[') || i === 0 ? s : `.${s}`)).join('');
