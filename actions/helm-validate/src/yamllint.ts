// The YAML style checks ct lint runs on Chart.yaml and the values files: the rules its default yamllint
// configuration (chart-testing's etc/lintconf.yaml) enables, with its settings, written here from
// yamllint's documented behaviour:
//   braces, brackets   no spaces inside ({a: 1}, [a], and {} / [] when empty)
//   colons             no space before, at most one after
//   commas             no space before, exactly one after
//   comments           a space after #, at least two spaces between content and an inline comment
//   empty-lines        at most 2 blank lines in a row, none at the start or the end of the file
//   hyphens            at most one space after a list hyphen
//   indentation        spaces: consistent (one width for the whole file), indent-sequences: whatever
//                      (a list under a key may be indented or not), block scalars not checked
//   new-line-at-end-of-file, new-lines (type: unix), trailing-spaces
//   truthy             level warning: only true and false (not yes/no/on/off, nor True/FALSE)
// key-duplicates is the yaml-duplicate-key rule; document-start, document-end and line-length are off in
// ct's configuration. Token rules read the parser's events, so nothing inside a string or a block scalar
// is mistaken for a comment, a colon or a bracket. Pure: text in, problems out.
import { EVENT_ID, type Event, type MappingEvent, parseEvents, SCALAR_STYLE, type ScalarEvent, type SequenceEvent } from 'js-yaml';

export interface LintProblem {
  /** yamllint's rule name. */
  rule: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
  /** ct's configuration makes truthy a warning; everything else an error. */
  level: 'error' | 'warning';
}

const TRUTHY = new Set(['YES', 'Yes', 'yes', 'NO', 'No', 'no', 'TRUE', 'True', 'FALSE', 'False', 'ON', 'On', 'on', 'OFF', 'Off', 'off']);

export function yamllint(text: string): LintProblem[] {
  const out: LintProblem[] = [];
  lineRules(text, out);
  let events: Event[] | undefined;
  try {
    events = parseEvents(text, {});
  } catch {
    events = undefined; // not YAML: reported where the file is read; only the line rules apply
  }
  if (events) tokenRules(text, events, out);
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function lineRules(text: string, out: LintProblem[]): void {
  if (!text.length) return;
  const lines = text.split('\n');
  const crlf = lines.findIndex((l, i) => l.endsWith('\r') && i < lines.length - 1);
  if (crlf >= 0) out.push({ rule: 'new-lines', line: crlf + 1, column: lines[crlf].length, message: 'wrong new line character: expected \\n', level: 'error' });
  if (!text.endsWith('\n'))
    out.push({
      rule: 'new-line-at-end-of-file',
      line: lines.length,
      column: lines[lines.length - 1].length + 1,
      message: 'no new line character at the end of file',
      level: 'error',
    });
  const body = text.endsWith('\n') ? lines.slice(0, -1) : lines;
  body.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    const m = /[ \t]+$/.exec(l);
    if (m) out.push({ rule: 'trailing-spaces', line: i + 1, column: m.index + 1, message: 'trailing spaces', level: 'error' });
  });
  const blank = body.map((l) => l.replace(/\r$/, '') === '');
  const firstContent = blank.indexOf(false);
  if (firstContent < 0) return;
  if (firstContent > 0) out.push({ rule: 'empty-lines', line: firstContent, column: 1, message: `too many blank lines (${firstContent} > 0)`, level: 'error' });
  const lastContent = blank.lastIndexOf(false);
  const atEnd = body.length - 1 - lastContent;
  if (atEnd > 0) out.push({ rule: 'empty-lines', line: body.length, column: 1, message: `too many blank lines (${atEnd} > 0)`, level: 'error' });
  let run = 0;
  for (let i = firstContent; i <= lastContent; i++) {
    if (blank[i]) run++;
    else {
      if (run > 2) out.push({ rule: 'empty-lines', line: i, column: 1, message: `too many blank lines (${run} > 2)`, level: 'error' });
      run = 0;
    }
  }
}

interface Frame {
  kind: 'doc' | 'map' | 'seq';
  flow: boolean;
  /** Column of a block collection (its first key, or its first hyphen). */
  col: number;
  /** For a mapping: the next node is a key. */
  expectKey: boolean;
  /** For a mapping: column of the key whose value comes next. */
  keyCol: number;
}

/** Offsets to line and column (1-based), and a problem reporter at an offset. */
class Place {
  /** Offset where each line starts. */
  readonly starts: number[] = [0];
  // A byte-order mark is not a column.
  private readonly bom: number;

  constructor(
    readonly text: string,
    private readonly out: LintProblem[],
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    this.bom = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  lineOf(off: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= off) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  pos(off: number): { line: number; column: number } {
    const l = this.lineOf(off);
    return { line: l + 1, column: off - this.starts[l] + 1 - (l === 0 ? this.bom : 0) };
  }

  /** Where line `l` ends (before its newline), in a text of `length`. */
  lineEnd(l: number, length: number): number {
    return l + 1 < this.starts.length ? this.starts[l + 1] - 1 : length;
  }

  add(rule: string, off: number, message: string, level: LintProblem['level'] = 'error'): void {
    this.out.push({ rule, ...this.pos(off), message, level });
  }
}

function tokenRules(text: string, events: Event[], out: LintProblem[]): void {
  const at = new Place(text, out);
  const { mask, keys } = structureRules(at, events);
  const s = commentRules(at, mask);
  colonRules(at, s, keys);
  hyphenRules(at, s);
  flowRules(at, s);
}

/**
 * Walks the parser's events: truthy values and block indentation. Returns the text with every scalar,
 * anchor, tag and alias blanked out (newlines kept): what is left is structure, so a # there starts a
 * comment and a comma or a bracket is YAML's; and where each mapping key ends.
 */
function structureRules(at: Place, events: Event[]): { mask: string; keys: Array<{ end: number }> } {
  const { text } = at;
  const mask = text.split('');
  const blank = (from: number, to: number) => {
    for (let i = Math.max(0, from); i < Math.min(to, mask.length); i++) if (mask[i] !== '\n' && mask[i] !== '\r') mask[i] = 'x';
  };
  const keys: Array<{ end: number }> = [];
  const frames: Frame[] = [];
  const indent = new Indentation(at);
  for (const ev of events) {
    const top = frames[frames.length - 1];
    if (ev.type === EVENT_ID.DOCUMENT) {
      frames.push({ kind: 'doc', flow: false, col: 0, expectKey: false, keyCol: 0 });
      continue;
    }
    if (ev.type === EVENT_ID.POP) {
      frames.pop();
      continue;
    }
    if (ev.type === EVENT_ID.ALIAS) {
      blank(ev.anchorStart - 1, ev.anchorEnd);
      if (top?.kind === 'map') top.expectKey = !top.expectKey;
      continue;
    }
    if (ev.anchorStart >= 0) blank(ev.anchorStart - 1, ev.anchorEnd);
    if (ev.tagStart >= 0) blank(ev.tagStart - 1, ev.tagEnd);
    if (ev.type === EVENT_ID.SCALAR) scalar(at, ev, top, blank, keys);
    else frames.push(indent.collection(ev, top));
    if (top?.kind === 'map') top.expectKey = !top.expectKey;
  }
  return { mask: mask.join(''), keys };
}

/** A scalar: blanked out, its end recorded when it is a key, and the truthy rule. */
function scalar(at: Place, ev: ScalarEvent, top: Frame | undefined, blank: (from: number, to: number) => void, keys: Array<{ end: number }>): void {
  const quoted = ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED;
  const start = quoted ? ev.valueStart - 1 : ev.valueStart;
  const end = quoted ? ev.valueEnd + 1 : ev.valueEnd;
  blank(start, end);
  const isKey = top?.kind === 'map' && top.expectKey;
  if (isKey && ev.valueEnd > ev.valueStart) {
    keys.push({ end });
    if (!top.flow) top.keyCol = at.pos(start).column - 1;
  }
  if (ev.style === SCALAR_STYLE.PLAIN && ev.tagStart < 0 && TRUTHY.has(at.text.slice(ev.valueStart, ev.valueEnd)))
    at.add('truthy', ev.valueStart, 'truthy value should be one of [false, true]', 'warning');
}

/** The indentation rule: one width for the whole file, learnt from the first indented collection. */
class Indentation {
  private width: number | undefined;

  constructor(private readonly at: Place) {}

  /** Checks a mapping's or a sequence's column under its parent; returns its frame. */
  collection(ev: MappingEvent | SequenceEvent, top: Frame | undefined): Frame {
    const flow = ev.style === 2 || Boolean(top?.flow);
    const col = this.at.pos(ev.start).column - 1;
    if (!flow && top && !this.afterHyphen(ev.start)) this.check(ev, top, col);
    return { kind: ev.type === EVENT_ID.MAPPING ? 'map' : 'seq', flow, col, expectKey: true, keyCol: col };
  }

  private check(ev: MappingEvent | SequenceEvent, top: Frame, col: number): void {
    if (top.kind === 'doc') this.expect(col, [0], ev.start);
    else if (top.kind === 'map' && !top.expectKey) {
      if (this.width === undefined && col > top.keyCol) this.width = col - top.keyCol;
      const deeper = top.keyCol + (this.width ?? 2);
      this.expect(col, ev.type === EVENT_ID.SEQUENCE ? [top.keyCol, deeper] : [deeper], ev.start);
    } else if (top.kind === 'seq') {
      if (this.width === undefined && col > top.col) this.width = col - top.col;
      this.expect(col, [top.col + (this.width ?? 2)], ev.start);
    }
  }

  private expect(col: number, expected: number[], off: number): void {
    if (expected.includes(col)) return;
    this.at.add('indentation', off, `wrong indentation: expected ${expected[expected.length - 1]} but found ${col}`);
  }

  // A block collection that starts right after a list hyphen on its line ("- key: v") is not checked:
  // its column follows from the hyphen, which the hyphens rule checks.
  private afterHyphen(off: number): boolean {
    return /^\s*(?:-[ \t]+)+$/.test(this.at.text.slice(this.at.starts[this.at.lineOf(off)], off));
  }
}

/** Comments: every # left in the structure is one. Returns the structure with them blanked too, for the punctuation rules. */
function commentRules(at: Place, m: string): string {
  const plain = m.split('');
  for (let l = 0; l < at.starts.length; l++) {
    const from = at.starts[l];
    const to = at.lineEnd(l, m.length);
    const line = m.slice(from, to);
    const hash = line.indexOf('#');
    if (hash < 0) continue;
    const before = line.slice(0, hash);
    if (before.trim()) {
      const spaces = before.length - before.trimEnd().length;
      if (spaces < 2) at.add('comments', from + hash, 'too few spaces before comment: expected 2');
    }
    let j = hash;
    while (line[j] === '#') j++;
    const next = line[j];
    const shebang = l === 0 && hash === 0 && at.text[from + 1] === '!';
    if (next !== undefined && next !== ' ' && next !== '\r' && !shebang) at.add('comments', from + hash + 1, 'missing starting space in comment');
    for (let k = from + hash; k < to; k++) plain[k] = ' ';
  }
  return plain.join('');
}

/** Colons after keys: none before, at most one after (when the value is on the same line). */
function colonRules(at: Place, s: string, keys: Array<{ end: number }>): void {
  for (const k of keys) {
    let i = k.end;
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (s[i] !== ':') continue;
    if (i > k.end) at.add('colons', k.end, 'too many spaces before colon');
    let j = i + 1;
    while (s[j] === ' ' || s[j] === '\t') j++;
    if (j - i - 1 > 1 && s[j] !== '\n' && s[j] !== '\r' && j < s.length) at.add('colons', j - 1, 'too many spaces after colon');
  }
}

/** Hyphens: at most one space after each list hyphen that starts a line (or follows one on it). */
function hyphenRules(at: Place, s: string): void {
  for (let l = 0; l < at.starts.length; l++) {
    const to = at.lineEnd(l, s.length);
    const re = /^([ \t]*)((?:-[ \t]+)+)/.exec(s.slice(at.starts[l], to));
    if (!re) continue;
    let off = at.starts[l] + re[1].length;
    for (const h of re[2].match(/-[ \t]+/g) ?? []) {
      const rest = s.slice(off + h.length, to);
      if (h.length - 1 > 1 && rest.trim()) at.add('hyphens', off + h.length - 1, 'too many spaces after hyphen');
      off += h.length;
    }
  }
}

/** Braces, brackets and commas, inside flow collections. */
function flowRules(at: Place, s: string): void {
  const stack: Array<{ open: string; at: number }> = [];
  const spacesAfter = (i: number) => {
    let j = i + 1;
    while (s[j] === ' ' || s[j] === '\t') j++;
    return { n: j - i - 1, next: s[j], at: j };
  };
  const spacesBefore = (i: number) => {
    let j = i - 1;
    while (s[j] === ' ' || s[j] === '\t') j--;
    return { n: i - j - 1, prev: s[j] };
  };
  const lineGoesOn = (c: string | undefined) => c !== '\n' && c !== '\r' && c !== undefined;
  const what = (c: string) => (c === '{' || c === '}' ? 'braces' : 'brackets');
  const opening = (c: string, i: number) => {
    stack.push({ open: c, at: i });
    const a = spacesAfter(i);
    const closing = c === '{' ? '}' : ']';
    if (a.next === closing) {
      if (a.n > 0) at.add(what(c), i + 1, `too many spaces inside empty ${what(c)}`);
    } else if (a.n > 0 && lineGoesOn(a.next)) at.add(what(c), i + 1, `too many spaces inside ${what(c)}`);
  };
  const closing = (c: string, i: number) => {
    const open = stack.pop()!;
    const b = spacesBefore(i);
    const empty = s.slice(open.at + 1, i).trim() === '';
    if (!empty && b.n > 0 && b.prev !== '\n') at.add(what(c), i - b.n, `too many spaces inside ${what(c)}`);
  };
  const comma = (i: number) => {
    const b = spacesBefore(i);
    if (b.n > 0 && b.prev !== '\n') at.add('commas', i - b.n, 'too many spaces before comma');
    const a = spacesAfter(i);
    if (!lineGoesOn(a.next) || a.next === close(stack)) return;
    if (a.n === 0) at.add('commas', i + 1, 'too few spaces after comma');
    else if (a.n > 1) at.add('commas', i + 1, 'too many spaces after comma');
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '{' || c === '[') opening(c, i);
    else if ((c === '}' || c === ']') && stack.length) closing(c, i);
    else if (c === ',' && stack.length) comma(i);
  }
}

const close = (stack: Array<{ open: string }>) => (stack[stack.length - 1]?.open === '{' ? '}' : ']');
