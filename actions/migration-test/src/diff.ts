// Comparing two snapshots: what a step left behind (in `after` only) and what it lost or changed (in
// `before` only), grouped by object so "index public.orders ..." reads as one changed object.

export interface SnapshotDiff {
  /** Lines only in the later snapshot: objects the step left behind or changed into. */
  extra: string[];
  /** Lines only in the earlier snapshot: objects the step lost or changed from. */
  missing: string[];
}

export function diffSnapshots(before: readonly string[], after: readonly string[]): SnapshotDiff {
  const b = new Set(before);
  const a = new Set(after);
  return { extra: after.filter((l) => !b.has(l)), missing: before.filter((l) => !a.has(l)) };
}

export const isEmptyDiff = (d: SnapshotDiff): boolean => d.extra.length === 0 && d.missing.length === 0;

/** "index public.orders", "column public.orders.total": the kind and name an object line starts with. */
export function objectOf(line: string): string {
  // A function's name is its whole signature, spaces included: "function public.f(a integer, b text) kind=f …".
  const fn = /^function (.+?\)) kind=/.exec(line);
  if (fn) return `function ${fn[1]}`;
  const [kind, name] = line.split(' ', 3);
  if (kind === 'constraint' || kind === 'index' || kind === 'trigger' || kind === 'policy') {
    // Constraints, triggers and policies: the second word is the table, the third the object's own name.
    // Indexes: the second word is the index, the table is in its definition.
    const m = /^index (\S+) CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?(\S+)/.exec(line);
    if (m) return `index ${m[1]} on ${m[2]}`;
    const rest = line.split(' ');
    return `${kind} ${rest[2]} on ${name}`;
  }
  return `${kind} ${name}`;
}

/** Short names of the objects in a diff, e.g. "left behind index idx_x on public.t; lost column …". */
export function describeDiff(d: SnapshotDiff, max = 4): string {
  const extra = new Set(d.extra.map(objectOf));
  const missing = new Set(d.missing.map(objectOf));
  const changed = [...extra].filter((o) => missing.has(o));
  const parts: string[] = [];
  const list = (label: string, items: string[]) => {
    if (!items.length) return;
    const shown = items.slice(0, max).join(', ');
    parts.push(`${label} ${shown}${items.length > max ? ` and ${items.length - max} more` : ''}`);
  };
  list(
    'left behind',
    [...extra].filter((o) => !missing.has(o)),
  );
  list(
    'lost',
    [...missing].filter((o) => !extra.has(o)),
  );
  list('changed', changed);
  return parts.join('; ');
}

/** A unified-style diff: `-` expected (before), `+` actual (after), sorted so changed objects sit together. */
export function renderDiff(d: SnapshotDiff, labels = { expected: 'expected', actual: 'actual' }, maxLines = 200): string {
  const rows = [...d.missing.map((l) => ({ l, s: '-' })), ...d.extra.map((l) => ({ l, s: '+' }))].sort((x, y) =>
    objectOf(x.l) < objectOf(y.l) ? -1 : objectOf(x.l) > objectOf(y.l) ? 1 : x.s === y.s ? (x.l < y.l ? -1 : 1) : x.s === '-' ? -1 : 1,
  );
  const out = [`--- ${labels.expected}`, `+++ ${labels.actual}`, ...rows.slice(0, maxLines).map((r) => `${r.s} ${r.l}`)];
  if (rows.length > maxLines) out.push(`… ${rows.length - maxLines} more lines`);
  return out.join('\n');
}

/** An enum that gained values it cannot lose: PostgreSQL has no ALTER TYPE … DROP VALUE. */
export function enumValueLeftBehind(d: SnapshotDiff): string | undefined {
  for (const plus of d.extra) {
    const m = /^type (\S+) enum \((.*)\)$/.exec(plus);
    if (!m) continue;
    const before = d.missing.find((l) => l.startsWith(`type ${m[1]} enum (`));
    if (before) return m[1];
  }
  return undefined;
}
