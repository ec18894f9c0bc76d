// Lines, where they can be determined honestly. helm keeps no line map from rendered output back to
// templates, so a finding gets a line only when its key appears exactly once in the template it came
// from (or once with the offending value). When the key is not in the template at all, the block
// usually comes from `toYaml .Values.x`: then we look for the key in the values files and name the
// place only when it is unique there too. Everything else is file-level.
import { yamlEvents } from '@platform-actions/kit';
import { EVENT_ID, type Event, getScalarValue } from 'js-yaml';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** 1-based line of `key:` in a template when it is unique (or unique with `value`), else undefined. */
export function findKeyLine(text: string, key: string, value?: unknown): number | undefined {
  if (!key) return undefined;
  const re = new RegExp(`^\\s*(?:-\\s+)?["']?${escape(key)}["']?\\s*:(.*)$`);
  const hits: Array<{ line: number; rest: string }> = [];
  // Split on CRLF too: a template saved with Windows line endings keeps its \r otherwise, and `.` stops at it.
  text.split(/\r?\n/).forEach((l, i) => {
    const m = re.exec(l);
    if (m) hits.push({ line: i + 1, rest: m[1].trim() });
  });
  if (hits.length === 1) return hits[0].line;
  if (hits.length > 1 && value !== undefined && (typeof value !== 'object' || value === null)) {
    const same = hits.filter((h) => h.rest.replace(/^["']|["']$/g, '') === String(value));
    if (same.length === 1) return same[0].line;
  }
  return undefined;
}

export interface KeyAt {
  /** Dotted path of the key, e.g. podSecurityContext.allowPrivilegeEscalation */
  path: string;
  line: number;
  /** The scalar text of the value ('' for a mapping or sequence). */
  value: string;
}

/** Every mapping key of a YAML text with its path and line (keys inside sequences get [i]). */
export function keysWithLines(text: string): KeyAt[] {
  let events: Event[];
  try {
    events = yamlEvents(text, 'values file');
  } catch {
    return [];
  }
  const out: KeyAt[] = [];
  const lineStarts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineOf = (off: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  type Frame = { kind: 'doc' | 'map' | 'seq'; path: string; expectKey: boolean; index: number; pending?: KeyAt };
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top || top.kind === 'doc') return '';
    if (top.kind === 'seq') return `${top.path}[${top.index++}]`;
    top.expectKey = true;
    return top.pending?.path ?? top.path;
  };
  for (const ev of events) {
    const top = stack[stack.length - 1];
    if (ev.type === EVENT_ID.DOCUMENT) stack.push({ kind: 'doc', path: '', expectKey: false, index: 0 });
    else if (ev.type === EVENT_ID.POP) stack.pop();
    else if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) {
      const path = childPath();
      stack.push({ kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq', path, expectKey: true, index: 0 });
    } else if (ev.type === EVENT_ID.SCALAR) {
      if (top?.kind === 'map' && top.expectKey) {
        const key = getScalarValue(text, ev);
        const at: KeyAt = { path: top.path ? `${top.path}.${key}` : key, line: lineOf(ev.valueStart), value: '' };
        out.push(at);
        top.pending = at;
        top.expectKey = false;
      } else {
        if (top?.kind === 'map' && top.pending) top.pending.value = getScalarValue(text, ev);
        childPath();
      }
    } else if (ev.type === EVENT_ID.ALIAS) childPath();
  }
  return out;
}

export interface ValuesFile {
  /** Repository-relative path. */
  path: string;
  text: string;
  /** Lines before `text` in the file (a later document of a multi-document values file). */
  lineOffset?: number;
}

/**
 * The unique place in the values files (most specific first) that sets `key` to `value`, e.g. the
 * `podSecurityContext.allowPrivilegeEscalation: false` that a `toYaml` put in the wrong context.
 */
export function findValuesKey(files: readonly ValuesFile[], key: string, value: unknown): { path: string; line: number; key: string } | undefined {
  if (!key) return undefined;
  // A mapping or list value cannot be compared as text: match the key alone.
  const scalar = value !== undefined && (typeof value !== 'object' || value === null);
  for (const f of files) {
    const hits = keysWithLines(f.text).filter((k) => k.path.split('.').pop() === key && (!scalar || k.value === String(value)));
    if (hits.length === 1) return { path: f.path, line: hits[0].line + (f.lineOffset ?? 0), key: hits[0].path };
    if (hits.length > 1) return undefined;
  }
  return undefined;
}
