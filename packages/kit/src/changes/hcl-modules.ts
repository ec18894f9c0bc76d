// The `source` of each `module` block in a Terraform file. Terraform requires it to be a literal string
// (no variables, no interpolation), so it is found exactly by a tokenizer that understands what can
// hide a lookalike: comments (#, //, /* */), strings with ${…} templates, and heredocs. Nothing else
// of HCL is needed to tell which local modules a root uses; tf-lock-check parses HCL fully because
// it evaluates backends, which this does not.

type Token = { t: 'ident'; v: string } | { t: 'string'; v: string; literal: boolean } | { t: 'punct'; v: string };

/** Index just past the closing quote of the string that starts at `i` (on the quote). */
function stringEnd(s: string, i: number): { end: number; value: string; literal: boolean } {
  let value = '';
  let literal = true;
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') {
      value += s.slice(j, j + 2);
      j += 2;
    } else if (c === '"') return { end: j + 1, value, literal };
    else if ((c === '$' || c === '%') && s[j + 1] === '{') {
      // A template: ${ … } may hold nested braces and strings of its own.
      literal = false;
      j = templateEnd(s, j + 2);
    } else if (c === '\n')
      return { end: j, value, literal: false }; // unterminated: not a usable literal
    else {
      value += c;
      j++;
    }
  }
  return { end: j, value, literal: false };
}

function templateEnd(s: string, i: number): number {
  let depth = 1;
  let j = i;
  while (j < s.length && depth > 0) {
    const c = s[j];
    if (c === '"') j = stringEnd(s, j).end;
    else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      j++;
    }
  }
  return j;
}

export function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '#' || (c === '/' && s[i + 1] === '/')) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (c === '/' && s[i + 1] === '*') {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? s.length : close + 2;
    } else if (c === '"') {
      const r = stringEnd(s, i);
      out.push({ t: 'string', v: r.value, literal: r.literal });
      i = r.end;
    } else if (c === '<' && s[i + 1] === '<' && /^<<-?[A-Za-z_]/.test(s.slice(i, i + 4))) {
      // A heredoc: skip to the line that holds only its marker.
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(s.slice(i));
      if (!m) {
        out.push({ t: 'punct', v: '<' });
        i++;
        continue;
      }
      let j = i + m[0].length;
      for (;;) {
        const nl = s.indexOf('\n', j);
        const line = s.slice(j, nl < 0 ? s.length : nl).trim();
        j = nl < 0 ? s.length : nl + 1;
        if (line === m[1] || nl < 0) break;
      }
      out.push({ t: 'string', v: '', literal: false });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i, i + 256))!;
      out.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else if (/\s/.test(c)) i++;
    else if (c === '=' && s[i + 1] === '=') {
      out.push({ t: 'punct', v: '==' });
      i += 2;
    } else {
      out.push({ t: 'punct', v: c });
      i++;
    }
  }
  return out;
}

const isPunct = (k: Token | undefined, v: string): boolean => k?.t === 'punct' && k.v === v;
const isIdent = (k: Token | undefined, v: string): boolean => k?.t === 'ident' && k.v === v;

/** Literal `source` values of the top-level `module "name" { … }` blocks of one .tf file. */
export function moduleSources(text: string): string[] {
  const toks = tokenize(text);
  const sources: string[] = [];
  let depth = 0;
  // The depth of the module block being read (its attributes are one level in); -1 outside one.
  let moduleDepth = -1;
  for (let i = 0; i < toks.length; i++) {
    const k = toks[i];
    if (isPunct(k, '{')) depth++;
    else if (isPunct(k, '}')) {
      if (depth === moduleDepth) moduleDepth = -1;
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && isIdent(k, 'module')) {
      const open = moduleBlockOpen(toks, i);
      if (open >= 0) {
        moduleDepth = depth = 1;
        i = open;
      }
    } else if (depth === moduleDepth && moduleDepth > 0 && isIdent(k, 'source')) {
      const source = literalSource(toks, i);
      if (source !== undefined) sources.push(source);
    }
  }
  return sources;
}

/** The index of the `{` opening the block of the `module` keyword at `i` (one or more labels between), or -1. */
function moduleBlockOpen(toks: readonly Token[], i: number): number {
  let j = i + 1;
  while (toks[j] && (toks[j].t === 'string' || toks[j].t === 'ident')) j++;
  return j > i + 1 && isPunct(toks[j], '{') ? j : -1;
}

/** The value of `source = "…"` at `i` when it is a literal string (Terraform allows nothing else). */
function literalSource(toks: readonly Token[], i: number): string | undefined {
  const value = toks[i + 2];
  return isPunct(toks[i + 1], '=') && value?.t === 'string' && value.literal ? value.v : undefined;
}

/** The same for Terraform's JSON syntax (`{"module": {"name": {"source": "…"}}}`, a block may also be a list). */
export function moduleSourcesJson(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const mods = (doc as { module?: unknown })?.module;
  const out: string[] = [];
  const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  // "module": {"name": body} or [{"name": body}, …]; a body may itself be a list of bodies.
  for (const group of asList(mods)) {
    if (!group || typeof group !== 'object') continue;
    for (const body of Object.values(group).flatMap(asList)) {
      const src = (body as { source?: unknown } | null)?.source;
      if (typeof src === 'string') out.push(src);
    }
  }
  return out;
}
