// HCL through a real grammar: tree-sitter-hcl (the HCL2 grammar, compiled to WebAssembly) run by
// web-tree-sitter. Chosen over the Go HCL library compiled to WASM (@cdktf/hcl2json) because we need
// line numbers for every attribute and for syntax errors, which hcl2json's JSON drops, and because the
// two .wasm files are ~300 KB instead of ~1.7 MB. We reduce the concrete syntax tree to bodies,
// attributes and blocks; an expression we cannot evaluate statically stays an `Expr` with its source.
import { readFileSync } from 'node:fs';
import type { Node, Parser } from 'web-tree-sitter';
import { UserError } from '@platform-actions/kit';
import { loadParser } from './treesitter.js';

/** An expression with references or function calls: known only at plan time. */
export class Expr {
  constructor(readonly source: string) {}
}
export type HclValue = string | number | boolean | null | Expr | HclValue[] | { [k: string]: HclValue };

interface Attribute {
  name: string;
  value: HclValue;
  line: number;
}
interface Block {
  type: string;
  labels: string[];
  body: Body;
  line: number;
}
export interface Body {
  attributes: Record<string, Attribute>;
  blocks: Block[];
}

/** Syntax error in a file the action had to read: the user's move, with file and line. */
export class HclSyntaxError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${file}:${line}:${column}: HCL does not parse here; fix the syntax (terraform validate shows the details)`);
  }
}

let parser: Parser | undefined;

/** Loads the grammar once; every later parse is synchronous. */
export async function initHcl(): Promise<void> {
  parser ??= await loadParser('tree-sitter-hcl.wasm', '@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm');
}

/** Parses one file. `file` is the name used in errors (repository-relative). */
export function parseHcl(file: string, text: string): Body {
  if (!parser) throw new Error('initHcl() was not awaited');
  if (text.length > MAX_HCL_CHARS)
    throw new UserError(
      `${file}: ${(text.length / 1048576).toFixed(1)} MB of HCL, more than the ${MAX_HCL_CHARS / 1048576} MB tf-lock-check reads from one file (a backend block lives in a small file); split it, or point working-directory elsewhere`,
    );
  let tree: ReturnType<Parser['parse']>;
  try {
    tree = parser.parse(text);
  } catch (e) {
    // The WebAssembly parser aborts (out of memory) rather than throwing a parse error.
    throw new UserError(`${file}: the HCL parser could not read this file (${(e as Error).message.split('.')[0]}); check that it is HCL`);
  }
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  depth = 0;
  current = file;
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const bad = firstError(root) ?? root;
      throw new HclSyntaxError(file, bad.startPosition.row + 1, bad.startPosition.column + 1);
    }
    const body = root.namedChildren.find((c) => c?.type === 'body');
    return body ? toBody(body) : { attributes: {}, blocks: [] };
  } finally {
    tree.delete();
  }
}

/** The first ERROR or missing node, depth first; iterative, so deep nesting cannot overflow the stack. */
function firstError(root: Node): Node | undefined {
  const stack: Node[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.type === 'ERROR' || n.isMissing) return n;
    const kids = n.children.filter((c): c is Node => c !== null && (c.hasError || c.isMissing));
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return undefined;
}

// Files larger than this are not configuration a person wrote; the parser's memory is bounded too.
const MAX_HCL_CHARS = 8 * 1048576;
// Deeper than this is not a backend block; the reduction below recurses, so it must stop somewhere.
const MAX_DEPTH = 400;
let depth = 0;
let current = '';

function nest<T>(n: Node, fn: () => T): T {
  if (++depth > MAX_DEPTH) {
    depth = 0;
    throw new UserError(
      `${current}:${n.startPosition.row + 1}: nested more than ${MAX_DEPTH} levels deep, which tf-lock-check does not read; check that the file is hand-written HCL`,
    );
  }
  try {
    return fn();
  } finally {
    depth = Math.max(0, depth - 1);
  }
}

const named = (n: Node): Node[] => n.namedChildren.filter((c): c is Node => c !== null);

function toBody(n: Node): Body {
  return nest(n, () => toBodyInner(n));
}

function toBodyInner(n: Node): Body {
  const body: Body = { attributes: {}, blocks: [] };
  for (const c of named(n)) {
    if (c.type === 'attribute') {
      const [id, expr] = named(c);
      body.attributes[id.text] = { name: id.text, value: expr ? toValue(expr) : null, line: c.startPosition.row + 1 };
    } else if (c.type === 'block') {
      const parts = named(c);
      const labels = parts
        .filter((p) => p.type === 'string_lit' || (p.type === 'identifier' && p !== parts[0]))
        .map((p) => (p.type === 'string_lit' ? (stringLit(p) ?? p.text) : p.text));
      const inner = parts.find((p) => p.type === 'body');
      body.blocks.push({ type: parts[0].text, labels, body: inner ? toBody(inner) : { attributes: {}, blocks: [] }, line: c.startPosition.row + 1 });
    }
  }
  return body;
}

/** A quoted string without interpolation, with HCL escapes decoded; undefined when it interpolates. */
function stringLit(n: Node): string | undefined {
  let out = '';
  for (const c of named(n)) {
    if (c.type === 'quoted_template_start' || c.type === 'quoted_template_end') continue;
    if (c.type === 'template_literal') out += c.text.replace(/\\(?:[ntr"\\]|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})|\$\$\{|%%\{/g, unescape);
    else if (c.type === 'escape_sequence') out += unescape(c.text);
    else return undefined;
  }
  return out;
}

function unescape(seq: string): string {
  switch (seq) {
    case '\\n':
      return '\n';
    case '\\t':
      return '\t';
    case '\\r':
      return '\r';
    case '\\"':
      return '"';
    case '\\\\':
      return '\\';
    case '$${':
      return '${';
    case '%%{':
      return '%{';
    default:
      return /^\\[uU]/.test(seq) ? String.fromCodePoint(parseInt(seq.slice(2), 16)) : seq;
  }
}

function toValue(n: Node): HclValue {
  return nest(n, () => toValueInner(n));
}

function toValueInner(n: Node): HclValue {
  switch (n.type) {
    case 'expression':
    case 'literal_value':
    case 'collection_value': {
      const kids = named(n);
      return kids.length === 1 ? toValue(kids[0]) : new Expr(n.text);
    }
    case 'string_lit':
      return stringLit(n) ?? new Expr(n.text);
    case 'numeric_lit':
      return Number(n.text);
    case 'bool_lit':
      return n.text === 'true';
    case 'null_lit':
      return null;
    case 'tuple':
      return named(n)
        .filter((c) => c.type === 'expression')
        .map(toValue);
    case 'object': {
      const obj: Record<string, HclValue> = {};
      for (const el of named(n).filter((c) => c.type === 'object_elem')) {
        const k = el.childForFieldName('key');
        const v = el.childForFieldName('val');
        if (!k || !v) continue;
        // A bare identifier key is its own name; a quoted key is its string value.
        const key = toValue(k);
        const name = key instanceof Expr ? k.text : typeof key === 'string' ? key : String(key);
        obj[name] = toValue(v);
      }
      return obj;
    }
    case 'variable_expr':
      return new Expr(n.text);
    default:
      return new Expr(n.text);
  }
}

/** The value of `name` if it is a plain string (not an expression). */
export const str = (v: HclValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
export const isTrue = (v: HclValue | undefined): boolean => v === true || v === 'true';

/** Reads and parses a file (for .tf and .tfbackend alike). */
export function parseHclFile(abs: string, rel: string): Body {
  return parseHcl(rel, readFileSync(abs, 'utf8'));
}
