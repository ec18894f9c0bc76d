// A small evaluator for GitHub Actions expressions (`${{ … }}`), enough to give a workflow's `with:`,
// `env:` and `if:` their local values: literals, context lookups, the operators and the usual functions.
// Anything that only GitHub can know (secrets, vars, matrix, needs, hashFiles, a step that is not one of
// ours) raises Unevaluable, so the caller can ask for the value with --input instead of guessing.

export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

/** Thrown when an expression needs something only GitHub has. `what` names it, e.g. "secrets.GL_TOKEN". */
export class Unevaluable extends Error {
  constructor(readonly what: string) {
    super(`${what} can only be evaluated by GitHub`);
  }
}

/** Thrown for an expression that is not valid syntax. */
export class ExpressionSyntaxError extends Error {}

/**
 * A context is a plain value, or a function for contexts that are partly unknown: it gets the property
 * path (e.g. ["outputs", "sarif-file"]) and returns a value or throws Unevaluable.
 */
export type Contexts = Record<string, Value | ((path: string[]) => Value)>;

type Token = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'id'; v: string } | { t: 'op'; v: string };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      // Strings use single quotes; '' is a quote inside one.
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new ExpressionSyntaxError(`unterminated string in "${src}"`);
        if (src[i] === "'") {
          if (src[i + 1] === "'") {
            s += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        s += src[i++];
      }
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? '') && !['num', 'str', 'id'].includes(out.at(-1)?.t ?? ''))) {
      const m = /^-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(src.slice(i))!;
      out.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('!<>()[].,*'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else throw new ExpressionSyntaxError(`unexpected "${c}" in "${src}"`);
    }
  }
  return out;
}

const toNumber = (v: Value): number => {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return NaN;
};

export const truthy = (v: Value): boolean => !(v === null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));

/** How GitHub turns a value into the string an input gets. */
export function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return JSON.stringify(v, null, 2);
}

// GitHub's loose equality: same types compare directly (strings case-insensitively), others as numbers.
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (a !== null && b !== null && typeof a === 'object') return a === b;
  if (typeof a === typeof b && a !== null && typeof a !== 'object') return a === b;
  if (a === null && b === null) return true;
  return toNumber(a) === toNumber(b);
}

function compare(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return toNumber(a) - toNumber(b);
}

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  contains: ([hay, needle]) => (Array.isArray(hay) ? hay.some((x) => equal(x, needle)) : toText(hay).toLowerCase().includes(toText(needle).toLowerCase())),
  startswith: ([s, p]) => toText(s).toLowerCase().startsWith(toText(p).toLowerCase()),
  endswith: ([s, p]) => toText(s).toLowerCase().endsWith(toText(p).toLowerCase()),
  format: ([f, ...args]) => toText(f).replace(/\{\{|\}\}|\{(\d+)\}/g, (m, n: string | undefined) => (m === '{{' ? '{' : m === '}}' ? '}' : toText(args[Number(n)] ?? null))),
  join: ([a, sep]) => (Array.isArray(a) ? a.map(toText).join(sep === undefined ? ',' : toText(sep)) : toText(a)),
  tojson: ([v]) => JSON.stringify(v, null, 2),
  fromjson: ([v]) => {
    try {
      return JSON.parse(toText(v)) as Value;
    } catch {
      throw new ExpressionSyntaxError(`fromJSON got text that is not JSON: ${toText(v).slice(0, 40)}`);
    }
  },
  // Locally every earlier stage ran and nothing was cancelled; a failed stage does not stop the later ones.
  success: () => true,
  always: () => true,
  failure: () => false,
  cancelled: () => false,
};

class Parser {
  private i = 0;
  constructor(
    private readonly toks: Token[],
    private readonly ctx: Contexts,
    private readonly src: string,
  ) {}

  parse(): Value {
    const v = this.or();
    if (this.i < this.toks.length) throw new ExpressionSyntaxError(`unexpected "${(this.toks[this.i] as { v: unknown }).v}" in "${this.src}"`);
    return v;
  }

  private peek(v: string): boolean {
    const t = this.toks[this.i];
    return t?.t === 'op' && t.v === v;
  }

  private expect(v: string): void {
    if (!this.peek(v)) throw new ExpressionSyntaxError(`expected "${v}" in "${this.src}"`);
    this.i++;
  }

  // `a || b` and `a && b` short-circuit: an unknown right side does not matter when the left decides.
  private or(): Value {
    let v = this.and();
    while (this.peek('||')) {
      this.i++;
      if (truthy(v)) this.skip(() => this.and());
      else v = this.and();
    }
    return v;
  }

  private and(): Value {
    let v = this.eq();
    while (this.peek('&&')) {
      this.i++;
      if (!truthy(v)) this.skip(() => this.eq());
      else v = this.eq();
    }
    return v;
  }

  /** Parses an operand whose value does not matter: unknown contexts in it read as null. */
  private skipping = 0;
  private skip(f: () => Value): void {
    this.skipping++;
    try {
      f();
    } finally {
      this.skipping--;
    }
  }

  private eq(): Value {
    let v = this.cmp();
    while (this.peek('==') || this.peek('!=')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      const r = this.cmp();
      v = op === '==' ? equal(v, r) : !equal(v, r);
    }
    return v;
  }

  private cmp(): Value {
    let v = this.unary();
    while (this.peek('<') || this.peek('>') || this.peek('<=') || this.peek('>=')) {
      const op = (this.toks[this.i++] as { v: string }).v;
      const c = compare(v, this.unary());
      v = op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    return v;
  }

  private unary(): Value {
    if (this.peek('!')) {
      this.i++;
      return !truthy(this.unary());
    }
    return this.postfix();
  }

  private postfix(): Value {
    const t = this.toks[this.i];
    if (!t) throw new ExpressionSyntaxError(`unexpected end of "${this.src}"`);
    if (t.t === 'op' && t.v === '(') {
      this.i++;
      const v = this.or();
      this.expect(')');
      return this.members(v, undefined);
    }
    this.i++;
    if (t.t === 'num' || t.t === 'str') return t.v;
    if (t.t !== 'id') throw new ExpressionSyntaxError(`unexpected "${t.v}" in "${this.src}"`);
    const name = t.v;
    if (name === 'true' || name === 'false') return name === 'true';
    if (name === 'null') return null;
    if (this.peek('(')) {
      this.i++;
      const args: Value[] = [];
      while (!this.peek(')')) {
        args.push(this.or());
        if (!this.peek(')')) this.expect(',');
      }
      this.i++;
      const key = name.toLowerCase();
      const f = FUNCTIONS[key];
      if (!f && key !== 'hashfiles') throw new ExpressionSyntaxError(`unknown function ${name}() in "${this.src}"`);
      if (this.skipping) return this.members(null, undefined);
      if (!f) throw new Unevaluable(`hashFiles(…)`);
      return this.members(f(args), undefined);
    }
    const ctx = this.ctx[name];
    if (ctx === undefined && !this.skipping) throw new Unevaluable(this.pathText(name));
    if (ctx === undefined) return this.members(null, undefined);
    if (typeof ctx === 'function') {
      // Collect the literal property path first, then ask the context for it.
      const path: string[] = [];
      for (;;) {
        if (this.peek('.')) {
          const id = this.toks[this.i + 1];
          if (id?.t !== 'id') break;
          path.push(id.v);
          this.i += 2;
        } else if (this.peek('[') && this.toks[this.i + 1]?.t === 'str' && this.toks[this.i + 2]?.t === 'op' && (this.toks[this.i + 2] as { v: string }).v === ']') {
          path.push((this.toks[this.i + 1] as { v: string }).v);
          this.i += 3;
        } else break;
      }
      if (this.skipping) {
        try {
          return this.members(ctx(path), undefined);
        } catch (e) {
          if (e instanceof Unevaluable) return this.members(null, undefined);
          throw e;
        }
      }
      return this.members(ctx(path), undefined);
    }
    return this.members(ctx, name);
  }

  private pathText(name: string): string {
    let s = name;
    for (let j = this.i; j + 1 < this.toks.length && (this.toks[j] as { v: unknown }).v === '.' && this.toks[j + 1].t === 'id'; j += 2)
      s += `.${(this.toks[j + 1] as { v: string }).v}`;
    return s;
  }

  private members(v: Value, _name: string | undefined): Value {
    for (;;) {
      if (this.peek('.')) {
        this.i++;
        const id = this.toks[this.i++];
        if (id?.t === 'op' && id.v === '*') {
          v = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : [];
          continue;
        }
        if (id?.t !== 'id') throw new ExpressionSyntaxError(`expected a property name in "${this.src}"`);
        v = lookup(v, id.v);
      } else if (this.peek('[')) {
        this.i++;
        const k = this.or();
        this.expect(']');
        v = Array.isArray(v) ? (v[toNumber(k)] ?? null) : lookup(v, toText(k));
      } else return v;
    }
  }
}

// Property names are case-insensitive in expressions; a missing one is null, as on GitHub.
function lookup(v: Value, key: string): Value {
  if (Array.isArray(v)) return v.map((x) => lookup(x, key));
  if (v === null || typeof v !== 'object') return null;
  if (key in v) return v[key];
  const k = Object.keys(v).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? null : v[k];
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluate(expr: string, ctx: Contexts): Value {
  return new Parser(tokenize(expr), ctx, expr.trim()).parse();
}

/** The `${{ … }}` parts of a string. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\{(.*?)\}\}/gs)].map((m) => m[1].trim());
}

/**
 * Evaluates a YAML value the way GitHub does: a string that is exactly one `${{ }}` keeps the expression's
 * type; other strings get each expression's text spliced in; non-strings pass through.
 */
export function interpolate(value: unknown, ctx: Contexts): Value {
  if (typeof value !== 'string') return (value ?? null) as Value;
  const whole = /^\s*\$\{\{(.*?)\}\}\s*$/s.exec(value);
  if (whole && !whole[1].includes('}}')) return evaluate(whole[1], ctx);
  return value.replace(/\$\{\{(.*?)\}\}/gs, (_m, e: string) => toText(evaluate(e, ctx)));
}

/** An `if:` condition: GitHub wraps bare text in `${{ }}` and evaluates it as a boolean. */
export function condition(text: unknown, ctx: Contexts): boolean {
  if (text === undefined || text === null) return true;
  if (typeof text === 'boolean') return text;
  const s = String(text).trim();
  const inner = /^\$\{\{(.*)\}\}$/s.exec(s);
  return truthy(evaluate(inner ? inner[1] : s, ctx));
}
