// A small, fast validator over the compiled type graph (model.ts). It implements the subset of JSON
// Schema that Kubernetes' own decoding enforces: unknown fields (strict), types, required fields,
// enums, and the value syntax of quantities, timestamps and base64 bytes. It collects every problem
// in one pass and builds a path string only when there is something to report.
import type { TypeNode } from './model.js';

export type IssueCode = 'unknown-field' | 'wrong-type' | 'missing-required' | 'invalid-value';

export interface SchemaIssue {
  code: IssueCode;
  /** Dotted path to the offending field, e.g. spec.template.spec.containers[0].securityContext.privileged */
  path: string;
  /** The same path as segments. */
  segments: Array<string | number>;
  message: string;
  /** The offending value, for wrong types and invalid values. */
  value?: unknown;
}

// Kubernetes resource.Quantity: <signedNumber><suffix>, suffix binary SI, decimal SI or an exponent.
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/;
// RFC 3339, as metav1.Time parses it.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Renders path segments the way kubectl does: a.b[0].c, and ["x.y"] for keys with dots or spaces. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let s = '';
  for (const seg of segments) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(seg)) s += s ? `.${seg}` : seg;
    else s += `[${JSON.stringify(seg)}]`;
  }
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Walker {
  readonly issues: SchemaIssue[] = [];
  private readonly path: Array<string | number> = [];

  report(code: IssueCode, message: string, extra?: string | number, value?: unknown): void {
    const segments = extra === undefined ? [...this.path] : [...this.path, extra];
    const path = formatPath(segments);
    this.issues.push({ code, path, segments, message: `${path || '(root)'}: ${message}`, ...(value !== undefined ? { value } : {}) });
  }

  /** Reports a value of the wrong type; false, for the caller that stops there. */
  private wrongType(expected: string, v: unknown): false {
    this.report(
      'wrong-type',
      `expected ${expected}, got ${typeName(v)}${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? ` ${JSON.stringify(v)}` : ''}`,
      undefined,
      v,
    );
    return false;
  }

  check(v: unknown, t: TypeNode): void {
    if (v === null) {
      if (!t.nullable && t.kind !== 'any') this.wrongType(expectedOf(t), v);
      return;
    }
    if (!this.shape(v, t)) return;
    // Branches of anyOf/oneOf often only say `required: [...]`, without properties of their own.
    if (t.required && t.kind !== 'object' && isObject(v)) {
      for (const r of t.required) if (v[r] === undefined || v[r] === null) this.report('missing-required', 'required field is missing', r);
    }
    if (t.enumValues && !t.enumValues.has(v) && v !== '') {
      this.report('invalid-value', `${JSON.stringify(v)} is not one of ${[...t.enumValues].map((e) => JSON.stringify(e)).join(', ')}`, undefined, v);
    }
    if (t.constraints) this.constraints(v, t);
  }

  /** The value against the node's kind, into collections; false when it is of the wrong type (nothing more to check). */
  private shape(v: unknown, t: TypeNode): boolean {
    if (t.kind === 'object' || t.kind === 'map') {
      if (!isObject(v)) return (this.wrongType('object', v), false);
      if (t.kind === 'object') this.object(v, t);
      else this.map(v, t.values!);
      return true;
    }
    if (t.kind === 'array') {
      if (!Array.isArray(v)) return (this.wrongType('array', v), false);
      this.array(v, t.items!);
      return true;
    }
    const k = SCALARS[t.kind];
    if (!k) return true; // any
    if (!k.is(v)) return (this.wrongType(k.expected, v), false);
    const invalid = typeof v === 'string' ? k.invalid?.(v) : undefined;
    if (invalid) this.report('invalid-value', invalid, undefined, k.showValue ? v : undefined);
    return true;
  }

  private map(v: Record<string, unknown>, values: TypeNode): void {
    for (const k in v) {
      const x = v[k];
      if (x === null) continue; // a null map value decodes to the zero value
      this.path.push(k);
      this.check(x, values);
      this.path.pop();
    }
  }

  private array(v: unknown[], items: TypeNode): void {
    for (let i = 0; i < v.length; i++) {
      this.path.push(i);
      this.check(v[i], items);
      this.path.pop();
    }
  }

  private object(v: Record<string, unknown>, t: TypeNode): void {
    const props = t.props!;
    const required = t.required;
    for (const k in v) {
      const p = props[k];
      const x = v[k];
      if (p !== undefined) {
        // null means "unset" to Kubernetes; only a required field may not be null (reported below).
        if (x === null) continue;
        this.path.push(k);
        this.check(x, p);
        this.path.pop();
      } else if (t.values) {
        if (x === null) continue;
        this.path.push(k);
        this.check(x, t.values);
        this.path.pop();
      } else if (!t.open && !(t.embedded && (k === 'apiVersion' || k === 'kind' || k === 'metadata'))) {
        this.report('unknown-field', `unknown field ${JSON.stringify(k)}${t.name ? ` (not in ${shortName(t.name)})` : ''}`, k);
      }
    }
    if (required) {
      for (const r of required) {
        if (v[r] === undefined || v[r] === null) this.report('missing-required', 'required field is missing', r);
      }
    }
  }

  private constraints(v: unknown, t: TypeNode): void {
    const c = t.constraints!;
    for (const problem of sizeProblems(v, c)) this.report('invalid-value', problem);
    const passes = (s: TypeNode) => validate(v, s).length === 0;
    if (c.allOf) for (const s of c.allOf) this.check(v, s);
    if (c.anyOf && !c.anyOf.some(passes)) this.report('invalid-value', 'does not match any of the allowed forms (anyOf)');
    if (c.oneOf && c.oneOf.filter(passes).length !== 1) this.report('invalid-value', 'must match exactly one of the allowed forms (oneOf)');
    if (c.not && passes(c.not)) this.report('invalid-value', 'matches a form that is not allowed (not)');
  }
}

/** A scalar kind: what a value of it is, and what a string of it must look like. */
interface ScalarKind {
  expected: string;
  is: (v: unknown) => boolean;
  /** The problem with a string's format, if any. */
  invalid?: (s: string) => string | undefined;
  /** The problem names the value (for the location finder). */
  showValue?: boolean;
}

const SCALARS: Partial<Record<TypeNode['kind'], ScalarKind>> = {
  string: { expected: 'string', is: (v) => typeof v === 'string' },
  integer: { expected: 'integer', is: (v) => typeof v === 'number' && Number.isInteger(v) },
  number: { expected: 'number', is: (v) => typeof v === 'number' },
  boolean: { expected: 'boolean', is: (v) => typeof v === 'boolean' },
  'any-object': { expected: 'object', is: isObject },
  'int-or-string': { expected: 'integer or string', is: (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)) },
  quantity: {
    expected: 'quantity (string or number)',
    is: (v) => typeof v === 'number' || typeof v === 'string',
    invalid: (s) => (QUANTITY.test(s) ? undefined : `${JSON.stringify(s)} is not a valid quantity (examples: 500m, 1.5, 128Mi, 2Gi)`),
    showValue: true,
  },
  'date-time': {
    expected: 'date-time string',
    is: (v) => typeof v === 'string',
    invalid: (s) => (DATE_TIME.test(s) ? undefined : `${JSON.stringify(s)} is not an RFC 3339 date-time`),
    showValue: true,
  },
  bytes: {
    expected: 'base64 string',
    is: (v) => typeof v === 'string',
    invalid: (s) => (BASE64.test(s.replace(/[\r\n]/g, '')) ? undefined : 'is not valid base64 (use stringData for plain text)'),
  },
};

/** Length, range, item and property counts. */
function sizeProblems(v: unknown, c: NonNullable<TypeNode['constraints']>): string[] {
  const out: string[] = [];
  if (typeof v === 'string') {
    if (c.pattern && !c.pattern.test(v)) out.push(`${JSON.stringify(v)} does not match the pattern ${c.pattern.source}`);
    if (c.minLength !== undefined && [...v].length < c.minLength) out.push(`must be at least ${c.minLength} characters`);
    if (c.maxLength !== undefined && [...v].length > c.maxLength) out.push(`must be at most ${c.maxLength} characters`);
  } else if (typeof v === 'number') {
    if (c.minimum !== undefined && (c.exclusiveMinimum ? v <= c.minimum : v < c.minimum)) out.push(`${v} is below the minimum ${c.minimum}`);
    if (c.maximum !== undefined && (c.exclusiveMaximum ? v >= c.maximum : v > c.maximum)) out.push(`${v} is above the maximum ${c.maximum}`);
  } else if (Array.isArray(v)) {
    if (c.minItems !== undefined && v.length < c.minItems) out.push(`must have at least ${c.minItems} items`);
    if (c.maxItems !== undefined && v.length > c.maxItems) out.push(`must have at most ${c.maxItems} items`);
  } else if (isObject(v)) {
    const n = Object.keys(v).length;
    if (c.minProperties !== undefined && n < c.minProperties) out.push(`must have at least ${c.minProperties} properties`);
    if (c.maxProperties !== undefined && n > c.maxProperties) out.push(`must have at most ${c.maxProperties} properties`);
  }
  return out;
}

function expectedOf(t: TypeNode): string {
  switch (t.kind) {
    case 'map':
    case 'any-object':
      return 'object';
    case 'int-or-string':
      return 'integer or string';
    case 'quantity':
      return 'quantity (string or number)';
    case 'date-time':
    case 'bytes':
      return 'string';
    default:
      return t.kind;
  }
}

/** io.k8s.api.core.v1.PodSecurityContext → core/v1 PodSecurityContext */
function shortName(name: string): string {
  const m = /^io\.k8s\.api\.([^.]+)\.([^.]+)\.(\w+)$/.exec(name);
  return m ? `${m[1]}/${m[2]} ${m[3]}` : (name.split('.').pop() ?? name);
}

/** Every problem of `value` against `type`, in document order. */
export function validate(value: unknown, type: TypeNode): SchemaIssue[] {
  const w = new Walker();
  w.check(value, type);
  return w.issues;
}
