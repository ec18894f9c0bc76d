// Alembic specifics: the revision graph from `alembic history --verbose`, the heads check, and a look at
// each revision's downgrade() body (an empty one passes every "downgrade works" test while undoing nothing).

export interface Revision {
  id: string;
  parents: string[];
  /** Absolute path of the revision file. */
  path?: string;
}

/** Parses `alembic history --verbose`; returns revisions base → head (the tool prints newest first). */
export function parseHistory(text: string): Revision[] {
  const revs: Revision[] = [];
  let cur: Revision | undefined;
  for (const line of text.split('\n')) {
    const rev = /^Rev: (\S+)/.exec(line);
    if (rev) {
      cur = { id: rev[1], parents: [] };
      revs.push(cur);
      continue;
    }
    if (!cur) continue;
    const parent = /^(?:Parent|Merges): (.+)$/.exec(line);
    if (parent)
      cur.parents = parent[1]
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s !== '<base>');
    const path = /^Path: (.+)$/.exec(line);
    if (path) cur.path = path[1].trim();
  }
  return revs.reverse();
}

/** Heads from `alembic heads` ("<rev> (head)" per line). */
export function parseHeads(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^(\S+) \(.*head/.exec(l.trim())?.[1])
    .filter((x): x is string => !!x);
}

export type DowngradeKind = 'ok' | 'empty' | 'irreversible' | 'missing';

/**
 * Classifies the body of `def downgrade()` in a revision file: `empty` when it only has pass, `...`,
 * a docstring or comments; `irreversible` when it raises NotImplementedError (pytest-alembic's marker for
 * "cannot go below here"); `missing` when there is no downgrade function.
 */
export function classifyDowngrade(source: string): { kind: DowngradeKind; line?: number } {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => /^def downgrade\s*\(/.test(l));
  if (start < 0) return { kind: 'missing' };
  // The header may span lines until the colon that ends it.
  let i = start;
  while (i < lines.length && !/\)\s*(->\s*[^:]+)?:\s*(#.*)?$/.test(lines[i])) i++;
  const body: string[] = [];
  for (i++; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() !== '' && !/^\s/.test(l)) break;
    body.push(l.trim());
  }
  const code = body
    .join('\n')
    .replace(/("""|''')[\s\S]*?\1/g, '')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l !== '');
  if (code.length > 0 && code.every((l) => /^raise NotImplementedError\b/.test(l))) return { kind: 'irreversible', line: start + 1 };
  if (code.every((l) => l === 'pass' || l === '...')) return { kind: 'empty', line: start + 1 };
  return { kind: 'ok', line: start + 1 };
}
