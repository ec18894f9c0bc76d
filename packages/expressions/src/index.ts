// GitHub Actions expressions (`${{ … }}`), evaluated with GitHub's own engine, @actions/expressions (the
// lexer, parser and evaluator of actions/languageservices): its operators, loose equality, case-insensitive
// names and functions are GitHub's. What this module adds is contexts that are only partly known — a
// laptop has `github.event_name` but not `secrets.TOKEN`: a context is a plain value, or a function that
// gets the property path and returns a value or throws Unevaluable. Each `a.b['c']` chain is resolved only
// when the evaluator reaches it, so `x || secrets.TOKEN` with a true `x` never asks for the secret, as on
// GitHub. Shared by everything that gives a workflow's values their local meaning (the platform-actions
// CLI), and by static checks that ask what an expression can be before any run (tf-lock-check):
// `evaluateStatically` keeps what is not known as UNKNOWN instead of failing.
import { data, Evaluator, type Expr, ExpressionError, Lexer, Parser } from '@actions/expressions';
// Types only: the package exports its AST classes under a subpath that bundlers (ncc) cannot import.
import type { ContextAccess, ExprVisitor, IndexAccess, Literal, Logical } from '@actions/expressions/ast';

export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };

/** Thrown when an expression needs something only GitHub has. `what` names it, e.g. "secrets.GL_TOKEN". */
export class Unevaluable extends Error {
  constructor(readonly what: string) {
    super(`${what} can only be evaluated by GitHub`);
  }
}

/** What a static check cannot know before the run (evaluateStatically). */
export const UNKNOWN: unique symbol = Symbol('unknown');

/** Thrown for an expression that is not valid syntax (or calls a function GitHub does not have). */
export class ExpressionSyntaxError extends Error {}

/**
 * A context is a plain value, or a function for contexts that are partly unknown: it gets the property
 * path (e.g. ["outputs", "sarif-file"]) and returns a value or throws Unevaluable.
 */
export type Contexts = Record<string, Value | ((path: string[]) => Value)>;

/** Every context a workflow expression may name; those a caller does not give are unknown (Unevaluable). */
const CONTEXTS = ['github', 'env', 'vars', 'job', 'jobs', 'steps', 'runner', 'secrets', 'strategy', 'matrix', 'needs', 'inputs'];

/**
 * What the status functions say: `success()` (no earlier step, or no needed job, failed or was cancelled),
 * `failure()` (one failed) and `cancelled()`. A laptop that runs nothing before a check has the default;
 * `platform-actions check --run-steps` passes the job's real status as its steps run.
 */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}
const NOTHING_FAILED: Status = { success: true, failure: false, cancelled: false };

const STATUS_FUNCTIONS = ['success', 'always', 'failure', 'cancelled'];
type Fn = { name: string; minArgs: number; maxArgs: number; call: () => data.ExpressionData };
const constant = (name: string, v: boolean): Fn => ({ name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(v) });
const unknowable = (name: string, minArgs = 0, maxArgs = 0): Fn => ({
  name,
  minArgs,
  maxArgs,
  call: () => {
    throw new Unevaluable(`${name}(${maxArgs ? '…' : ''})`);
  },
});

// hashFiles reads the runner's workspace at run time. Before any run (a static check), whether an earlier
// step failed is not known either.
const hashFiles = unknowable('hashFiles', 1, 255);
/** The functions of a run whose earlier steps ended as `s` says. */
const functionsFor = (s: Status): Fn[] => [constant('success', s.success), constant('always', true), constant('failure', s.failure), constant('cancelled', s.cancelled), hashFiles];
const FUNCTIONS = functionsFor(NOTHING_FAILED);
const STATIC_FUNCTIONS = [unknowable('success'), constant('always', true), unknowable('failure'), unknowable('cancelled'), hashFiles];
const functionMap = (fns: Fn[]) => new Map(fns.map((f) => [f.name.toLowerCase(), f]));
const DEFAULT_FUNCTIONS = functionMap(FUNCTIONS);
const STATIC_FUNCTION_MAP = functionMap(STATIC_FUNCTIONS);

function toData(v: Value | undefined): data.ExpressionData {
  if (v === null || v === undefined) return new data.Null();
  if (typeof v === 'string') return new data.StringData(v);
  if (typeof v === 'number') return new data.NumberData(v);
  if (typeof v === 'boolean') return new data.BooleanData(v);
  if (Array.isArray(v)) return new data.Array(...v.map(toData));
  return new data.Dictionary(...Object.entries(v).map(([key, value]) => ({ key, value: toData(value) })));
}

function fromData(d: data.ExpressionData): Value {
  switch (d.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.String:
    case data.Kind.Number:
    case data.Kind.Boolean:
      return (d as data.StringData | data.NumberData | data.BooleanData).value;
    case data.Kind.Array:
      return (d as data.Array).values().map(fromData);
    default:
      return Object.fromEntries((d as data.Dictionary).pairs().map((p) => [p.key, fromData(p.value)]));
  }
}

type Node = { kind: 'context'; n: ContextAccess } | { kind: 'index'; n: IndexAccess } | { kind: 'literal'; n: Literal } | { kind: 'logical'; n: Logical } | { kind: 'other' };
const other = (): Node => ({ kind: 'other' });
/** What kind of node an expression is (asked through its own visitor interface). */
const NODE: ExprVisitor<Node> = {
  visitContextAccess: (n) => ({ kind: 'context', n }),
  visitIndexAccess: (n) => ({ kind: 'index', n }),
  visitLiteral: (n) => ({ kind: 'literal', n }),
  visitLogical: (n) => ({ kind: 'logical', n }),
  visitUnary: other,
  visitBinary: other,
  visitGrouping: other,
  visitFunctionCall: other,
};

/** The literal property path of `a.b['c'][0]`, or undefined when a part is computed or a `*`. */
function pathOf(e: Expr): string[] | undefined {
  const node = e.accept(NODE);
  if (node.kind === 'context') return [node.n.name.lexeme];
  if (node.kind !== 'index') return undefined;
  let index: Node;
  try {
    index = node.n.index.accept(NODE);
  } catch {
    return undefined; // `*`, whose node has no visitor method
  }
  if (index.kind !== 'literal') return undefined;
  const k = index.n.literal;
  const base = pathOf(node.n.expr);
  return base && (k.kind === data.Kind.String || k.kind === data.Kind.Number) ? [...base, k.coerceString()] : undefined;
}

// Property names are case-insensitive in expressions; a missing one is null, as on GitHub.
function lookup(v: Value, key: string): Value {
  if (Array.isArray(v)) return /^\d+$/.test(key) ? (v[Number(key)] ?? null) : null;
  if (v === null || typeof v !== 'object') return null;
  if (key in v) return v[key];
  const k = Object.keys(v).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? null : v[k];
}

/** The value of a context path: from the plain value, or by asking the context's function. */
function resolve(path: string[], ctx: Contexts): Value {
  const [name, ...rest] = path;
  const c = Object.entries(ctx).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (c === undefined) throw new Unevaluable(path.join('.'));
  if (typeof c === 'function') return c(rest);
  return rest.reduce<Value>((v, k) => lookup(v, k), c);
}

/**
 * GitHub's evaluator, with each literal context path resolved when (and only when) it is evaluated. A
 * static one (before any run) also lets `&&` and `||` look past an operand that is not known: an operand
 * that decides the result (a falsy one for `&&`, a truthy one for `||`) decides it whatever the unknown
 * ones are; otherwise the result is not known either.
 */
class LocalEvaluator extends Evaluator {
  private readonly statically: boolean;

  constructor(
    expr: Expr,
    private readonly ctx: Contexts,
    status: Status | 'static',
  ) {
    super(expr, new data.Dictionary(), status === 'static' ? STATIC_FUNCTION_MAP : status === NOTHING_FAILED ? DEFAULT_FUNCTIONS : functionMap(functionsFor(status)));
    this.statically = status === 'static';
  }

  protected override eval(n: Expr): data.ExpressionData {
    if (this.statically) {
      const node = n.accept(NODE);
      if (node.kind === 'logical') return this.logical(node.n);
    }
    const path = pathOf(n);
    return path ? toData(resolve(path, this.ctx)) : super.eval(n);
  }

  private logical(n: Logical): data.ExpressionData {
    const decides = n.operator.lexeme === '&&' ? (v: data.ExpressionData) => !truthy(fromData(v)) : (v: data.ExpressionData) => truthy(fromData(v));
    let unknown: Unevaluable | undefined;
    let last: data.ExpressionData | undefined;
    for (const arg of n.args) {
      try {
        last = this.eval(arg);
      } catch (e) {
        unknown ??= unevaluable(e);
        if (!unknown) throw e;
        continue;
      }
      if (decides(last)) return last;
    }
    if (unknown) throw unknown;
    return last!;
  }
}

/** The Unevaluable behind an error (GitHub's evaluator wraps one met in a computed index `a[b]`). */
const unevaluable = (e: unknown): Unevaluable | undefined => (e instanceof Unevaluable ? e : e instanceof Error && e.cause instanceof Unevaluable ? e.cause : undefined);

function parse(expr: string, functions: Fn[] = FUNCTIONS): Expr {
  try {
    const lexed = new Lexer(expr).lex();
    return new Parser(lexed.tokens, CONTEXTS, functions).parse();
  } catch (e) {
    const m = (e as Error).message;
    if (e instanceof ExpressionError || /Unexpected|Unrecognized|Too (few|many)|Exceeded|unexpected/i.test(m)) throw new ExpressionSyntaxError(`${m} in "${expr.trim()}"`);
    throw e;
  }
}

/** Evaluates one expression (the text between `${{` and `}}`). */
export function evaluate(expr: string, ctx: Contexts, status: Status = NOTHING_FAILED): Value {
  const tree = parse(expr);
  return fromData(new LocalEvaluator(tree, ctx, status).evaluate());
}

/**
 * What an expression is before any run, for a static check: its value where the contexts given decide it,
 * else UNKNOWN (a context the caller does not give or cannot know — its function throws Unevaluable —,
 * `hashFiles()`, and the job status functions `success()`, `failure()` and `cancelled()`; `always()` is
 * true). Unknowns never become a safe answer: `&&` and `||` give a value only when a known operand decides
 * it (`unknown || true` is true, `unknown && false` is false). Throws ExpressionSyntaxError.
 */
export function evaluateStatically(expr: string, ctx: Contexts): Value | typeof UNKNOWN {
  const tree = parse(expr, STATIC_FUNCTIONS);
  try {
    return fromData(new LocalEvaluator(tree, ctx, 'static').evaluate());
  } catch (e) {
    if (unevaluable(e)) return UNKNOWN;
    throw e;
  }
}

/** Whether an expression calls success(), always(), failure() or cancelled() anywhere. */
const CALLS_STATUS: ExprVisitor<boolean> = {
  visitFunctionCall: (n) => STATUS_FUNCTIONS.includes(n.functionName.lexeme.toLowerCase()) || n.args.some((a) => a.accept(CALLS_STATUS)),
  visitLogical: (n) => n.args.some((a) => a.accept(CALLS_STATUS)),
  visitBinary: (n) => n.left.accept(CALLS_STATUS) || n.right.accept(CALLS_STATUS),
  visitUnary: (n) => n.expr.accept(CALLS_STATUS),
  visitGrouping: (n) => n.group.accept(CALLS_STATUS),
  visitIndexAccess: (n) => {
    try {
      return n.expr.accept(CALLS_STATUS) || n.index.accept(CALLS_STATUS);
    } catch {
      return n.expr.accept(CALLS_STATUS); // `*`, whose node has no visitor method
    }
  },
  visitContextAccess: () => false,
  visitLiteral: () => false,
};

/** How GitHub turns a value into the string an input gets. */
export function toText(v: Value): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return new data.NumberData(v).coerceString();
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

/** GitHub's truthiness: null, false, 0, NaN and '' are false; everything else is true. */
export const truthy = (v: Value): boolean => !(v === null || v === false || v === 0 || v === '' || (typeof v === 'number' && Number.isNaN(v)));

/**
 * Evaluates a YAML value the way GitHub does: a string that is exactly one `${{ }}` keeps the expression's
 * type; other strings get each expression's text spliced in; non-strings pass through.
 */
export function interpolate(value: unknown, ctx: Contexts, status: Status = NOTHING_FAILED): Value {
  if (typeof value !== 'string') return (value ?? null) as Value;
  const whole = /^\s*\$\{\{(.*?)\}\}\s*$/s.exec(value);
  if (whole && !whole[1].includes('}}')) return evaluate(whole[1], ctx, status);
  return value.replace(/\$\{\{(.*?)\}\}/gs, (_m, e: string) => toText(evaluate(e, ctx, status)));
}

/**
 * An `if:` condition: GitHub wraps bare text in `${{ }}` and evaluates it as a boolean, and one that calls
 * none of the status functions holds only while `success()` does (GitHub's implicit `success() && …`).
 */
export function condition(text: unknown, ctx: Contexts, status: Status = NOTHING_FAILED): boolean {
  if (text === undefined || text === null || text === '') return status.success;
  if (typeof text === 'boolean') return status.success && text;
  const s = String(text).trim();
  const inner = /^\$\{\{(.*)\}\}$/s.exec(s);
  const expr = inner ? inner[1] : s;
  const tree = parse(expr);
  if (!tree.accept(CALLS_STATUS) && !status.success) return false;
  return truthy(fromData(new LocalEvaluator(tree, ctx, status).evaluate()));
}
