// Reads a workflow file the way GitHub does. `yaml` is a YAML 1.2 parser (so `on:` is a key, not a
// boolean) that keeps source ranges, which give exact lines for jobs, steps and `run:` scripts.
// GitHub (and actionlint, PyYAML) also accept one thing the YAML 1.2 spec forbids and both JavaScript
// parsers reject: a continuation line of a flow collection (`{a: 1,\n b: 2}`) or of a quoted scalar
// indented no deeper than its key. Indentation carries no meaning there (a quoted scalar folds the
// line's leading spaces away; a flow collection ignores them), so when the first parse fails we indent
// such lines one column past their key and parse again: same values, same line numbers. A file that
// still does not parse is reported with the line of its first error. Parsing goes through the kit's
// bounded reader: an alias bomb or 10,000 levels of nesting make the file unreadable (one finding), never
// a hang or an internal error.
import { readYamlDocument, YamlError, yamlValue } from '@platform-actions/kit';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node, type Pair, type YAMLMap } from 'yaml';

export class WorkflowSyntaxError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

export interface ParsedWorkflow {
  /** Named in messages. */
  file: string;
  doc: Document;
  lineOf: (offset: number) => number;
  /** true when the lenient re-indent was needed (GitHub accepts it, the YAML spec does not). */
  repaired: boolean;
}

function parse(text: string, file: string): { doc: Document; lc: LineCounter } {
  const lc = new LineCounter();
  // uniqueKeys: GitHub rejects duplicate keys too. merge: GitHub resolves `<<` merge keys.
  try {
    const doc = readYamlDocument(text, { file, lineCounter: lc, version: '1.2', merge: true, uniqueKeys: true, prettyErrors: false });
    return { doc, lc };
  } catch (e) {
    if (e instanceof YamlError) throw new WorkflowSyntaxError(e.line ?? 1, e.reason);
    throw e;
  }
}

/** The workflow as a plain value (aliases expanded within the kit's bound); an unreadable one throws WorkflowSyntaxError. */
export function workflowValue(wf: ParsedWorkflow): unknown {
  try {
    return yamlValue(wf.doc, wf.file);
  } catch (e) {
    if (e instanceof YamlError) throw new WorkflowSyntaxError(e.line ?? 1, e.reason);
    throw e;
  }
}

export function readWorkflow(text: string, file = 'workflow'): ParsedWorkflow {
  let { doc, lc } = parse(text, file);
  let repaired = false;
  if (doc.errors.length) {
    const fixed = reindentContinuations(text);
    if (fixed !== text) {
      const second = parse(fixed, file);
      if (second.doc.errors.length === 0) {
        ({ doc, lc } = second);
        repaired = true;
      }
    }
  }
  if (doc.errors.length) {
    const e = doc.errors[0];
    // An error at the end of the file (an unclosed bracket) is shown on the file's last line.
    const last = text.replace(/\s+$/, '').split('\n').length;
    const line = Math.min(e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line, last);
    throw new WorkflowSyntaxError(line, `not valid YAML at line ${line}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  return { file, doc, lineOf: (offset) => lc.linePos(offset).line, repaired };
}

/** What is still open at the end of a line: flow brackets, a quoted scalar, and the column that opened them. */
interface Open {
  /** Open [ and {. */
  depth: number;
  quote: '' | '"' | "'";
  /** Column of the quote or bracket that is still open. */
  openerCol: number;
}

/** Indents continuation lines of open flow collections and quoted scalars past the line that opened them. */
export function reindentContinuations(text: string): string {
  const lines = text.split('\n');
  const open: Open = { depth: 0, quote: '', openerCol: -1 };
  let blockIndent = -1; // inside a block scalar (| or >) whose key is at this indent
  const indentOf = (l: string) => l.length - l.trimStart().length;
  for (let n = 0; n < lines.length; n++) {
    let l = lines[n];
    const ind = indentOf(l);
    if (blockIndent >= 0) {
      if (l.trim() === '' || ind > blockIndent) continue;
      blockIndent = -1;
    }
    if ((open.depth > 0 || open.quote) && l.trim() !== '' && ind <= open.openerCol) {
      l = ' '.repeat(open.openerCol + 1 - ind) + l;
      lines[n] = l;
    }
    scanLine(l, open);
    // `key: |` / `- >-` starts a block scalar: its lines are content, not YAML.
    if (open.depth === 0 && !open.quote && /(^|[\s:-])[|>][+-]?[0-9]?\s*(#.*)?$/.test(l)) blockIndent = ind;
  }
  return lines.join('\n');
}

/** Follows the quotes and brackets that start values on one line (not an apostrophe inside a plain word). */
function scanLine(l: string, open: Open): void {
  let prev = ' ';
  for (let i = 0; i < l.length; i++) {
    const c = l[i];
    if (open.quote) i += inQuote(l, i, open);
    else if (c === '#' && /\s/.test(prev)) break;
    else opens(c, prev, i, open);
    prev = /\s/.test(c) ? ' ' : c;
  }
}

/** One character inside a quoted scalar: an escape or a doubled quote skips the next one (returns 1). */
function inQuote(l: string, i: number, open: Open): number {
  const c = l[i];
  if (open.quote === '"') {
    if (c === '\\') return 1;
    if (c === '"') open.quote = '';
    return 0;
  }
  if (c === "'" && l[i + 1] === "'") return 1;
  if (c === "'") open.quote = '';
  return 0;
}

/** One character outside quotes: a quote or a bracket that starts a value opens; a bracket closes. */
function opens(c: string, prev: string, i: number, open: Open): void {
  if ((c === '"' || c === "'") && /[\s:[{,-]/.test(prev)) {
    if (open.depth === 0) open.openerCol = i;
    open.quote = c;
  } else if ((c === '[' || c === '{') && (open.depth > 0 || /[\s:-]/.test(prev))) {
    if (open.depth === 0) open.openerCol = i;
    open.depth++;
  } else if ((c === ']' || c === '}') && open.depth > 0) open.depth--;
}

export type { Node, Pair, YAMLMap };
export { isMap, isPair, isScalar, isSeq };
