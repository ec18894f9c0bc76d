import { WORKSPACE_MARK } from './commands.js';

// GitHub Actions expressions (`${{ … }}`), as far as a static check can know them. Values we can know
// come from the workflow itself: `env` (workflow, job, step), `inputs` defaults (workflow_dispatch and
// workflow_call), `matrix` combinations and `github.event_name` for each event that triggers the
// workflow. Everything else is UNKNOWN, and the three-valued logic below never turns an unknown into a
// "safe" answer.

export const UNKNOWN = Symbol('unknown');
type Value = string | number | boolean | null | typeof UNKNOWN;

export interface ExprContext {
  env: Record<string, string>;
  inputs: Record<string, string>;
  matrix: Record<string, string>;
  /** github.event_name when the event is known (one evaluation per event). */
  eventName?: string;
  /** github.ref when it is one of the candidates being tried (see refCandidates in workflows.ts). */
  ref?: string;
}

/** Replaces every `${{ … }}` whose value is known; the others stay as written (one shell word each). */
export function substitute(text: string, ctx: ExprContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (all, inner: string) => {
    const v = evaluate(inner, ctx);
    if (v === UNKNOWN || v === null) return all;
    return String(v);
  });
}

/** Evaluates an expression (with or without the `${{ }}` wrapper). */
export function evaluate(text: string, ctx: ExprContext): Value {
  const t = text.trim();
  const inner = t.startsWith('${{') && t.endsWith('}}') && t.indexOf('${{', 3) < 0 ? t.slice(3, -2) : t;
  try {
    const p = new ExprParser(tokenize(inner), ctx);
    const v = p.or();
    return p.done() ? v : UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/** Truthiness as GitHub defines it; UNKNOWN stays unknown. */
export function truthy(v: Value): boolean | typeof UNKNOWN {
  if (v === UNKNOWN) return UNKNOWN;
  return !(v === false || v === null || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));
}

type Tok = { k: 'str' | 'num' | 'id' | 'op'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= s.length) throw new Error('unterminated string');
        if (s[j] === "'" && s[j + 1] === "'") {
          v += "'";
          j += 2;
        } else if (s[j] === "'") break;
        else v += s[j++];
      }
      out.push({ k: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^-?[0-9a-fA-Fx.eE+]+/.exec(s.slice(i))!;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      // A property path: github.event.inputs.dir, matrix['env'], env.X
      let m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(s.slice(i))![0];
      let j = i + m.length;
      for (;;) {
        const dot = /^\.([A-Za-z_*][A-Za-z0-9_-]*)/.exec(s.slice(j));
        const br = /^\[\s*'([^']*)'\s*\]/.exec(s.slice(j));
        if (dot) {
          m += `.${dot[1]}`;
          j += dot[0].length;
        } else if (br) {
          m += `.${br[1]}`;
          j += br[0].length;
        } else break;
      }
      out.push({ k: 'id', v: m });
      i = j;
    } else {
      const two = s.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        out.push({ k: 'op', v: two });
        i += 2;
      } else if ('!<>(),'.includes(c)) {
        out.push({ k: 'op', v: c });
        i++;
      } else throw new Error(`unexpected ${c}`);
    }
  }
  return out;
}

const eqVal = (a: Value, b: Value): boolean | typeof UNKNOWN => {
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  // GitHub compares strings case-insensitively, and coerces mixed types to numbers.
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (typeof a === typeof b) return a === b;
  return Number(a) === Number(b);
};

class ExprParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly ctx: ExprContext,
  ) {}
  done = () => this.i === this.toks.length;
  private peek = () => this.toks[this.i];
  private eat(v: string): boolean {
    if (this.peek()?.k === 'op' && this.peek().v === v) {
      this.i++;
      return true;
    }
    return false;
  }
  or(): Value {
    let l = this.and();
    while (this.eat('||')) {
      const r = this.and();
      const tl = truthy(l);
      // a || b is a when a is truthy, else b; unknown a with truthy b is truthy either way.
      if (tl === true) continue;
      if (tl === false) l = r;
      else l = truthy(r) === true ? r : UNKNOWN;
    }
    return l;
  }
  and(): Value {
    let l = this.cmp();
    while (this.eat('&&')) {
      const r = this.cmp();
      const tl = truthy(l);
      if (tl === false) continue;
      if (tl === true) l = r;
      else l = truthy(r) === false ? r : UNKNOWN;
    }
    return l;
  }
  cmp(): Value {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t?.k !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(t.v)) return l;
      this.i++;
      const r = this.unary();
      if (t.v === '==' || t.v === '!=') {
        const e = eqVal(l, r);
        l = e === UNKNOWN ? UNKNOWN : t.v === '==' ? e : !e;
      } else if (l === UNKNOWN || r === UNKNOWN) l = UNKNOWN;
      else {
        const a = Number(l);
        const b = Number(r);
        l = t.v === '<' ? a < b : t.v === '>' ? a > b : t.v === '<=' ? a <= b : a >= b;
      }
    }
  }
  unary(): Value {
    if (this.eat('!')) {
      const v = truthy(this.unary());
      return v === UNKNOWN ? UNKNOWN : !v;
    }
    return this.primary();
  }
  primary(): Value {
    const t = this.toks[this.i++];
    if (!t) throw new Error('unexpected end');
    if (t.k === 'op' && t.v === '(') {
      const v = this.or();
      if (!this.eat(')')) throw new Error('missing )');
      return v;
    }
    if (t.k === 'str') return t.v;
    if (t.k === 'num') return Number(t.v);
    if (t.k === 'op') throw new Error(`unexpected ${t.v}`);
    if (this.eat('(')) {
      const args: Value[] = [];
      if (!this.eat(')')) {
        do args.push(this.or());
        while (this.eat(','));
        if (!this.eat(')')) throw new Error('missing )');
      }
      return call(t.v.toLowerCase(), args);
    }
    return this.lookup(t.v);
  }
  private lookup(path: string): Value {
    if (path === 'true') return true;
    if (path === 'false') return false;
    if (path === 'null') return null;
    const [head, ...rest] = path.split('.');
    const key = rest.join('.');
    const known = (m: Record<string, string>) => (key in m ? m[key] : UNKNOWN);
    switch (head) {
      case 'env':
        return known(this.ctx.env);
      case 'inputs':
        return known(this.ctx.inputs);
      case 'matrix':
        return known(this.ctx.matrix);
      case 'github':
        if (key === 'event_name') return this.ctx.eventName ?? UNKNOWN;
        if (key === 'ref') return this.ctx.ref ?? UNKNOWN;
        if (key === 'workspace') return WORKSPACE_MARK; // the repository root, read by joinRel
        if (key.startsWith('event.inputs.')) {
          // Only workflow_dispatch carries event.inputs; its default is what a run without overrides gets.
          if (this.ctx.eventName && this.ctx.eventName !== 'workflow_dispatch') return null;
          return key.slice(13) in this.ctx.inputs ? this.ctx.inputs[key.slice(13)] : UNKNOWN;
        }
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }
}

function call(fn: string, args: Value[]): Value {
  const known = args.every((a) => a !== UNKNOWN);
  const s = (v: Value) => String(v).toLowerCase();
  switch (fn) {
    case 'contains':
      return known ? s(args[0]).includes(s(args[1])) : UNKNOWN;
    case 'startswith':
      return known ? s(args[0]).startsWith(s(args[1])) : UNKNOWN;
    case 'endswith':
      return known ? s(args[0]).endsWith(s(args[1])) : UNKNOWN;
    case 'format':
      return known ? String(args[0]).replace(/\{(\d+)\}/g, (_, n: string) => String(args[Number(n) + 1] ?? '')) : UNKNOWN;
    case 'always':
      return true;
    case 'success':
    case 'failure':
    case 'cancelled':
    default:
      return UNKNOWN;
  }
}
