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

  private wrongType(expected: string, v: unknown): void {
    this.report(
      'wrong-type',
      `expected ${expected}, got ${typeName(v)}${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? ` ${JSON.stringify(v)}` : ''}`,
      undefined,
      v,
    );
  }

  check(v: unknown, t: TypeNode): void {
    if (v === null) {
      if (!t.nullable && t.kind !== 'any') this.wrongType(expectedOf(t), v);
      return;
    }
    switch (t.kind) {
      case 'object':
        if (!isObject(v)) return this.wrongType('object', v);
        this.object(v, t);
        break;
      case 'map':
        if (!isObject(v)) return this.wrongType('object', v);
        for (const k in v) {
          const x = v[k];
          if (x === null) continue; // a null map value decodes to the zero value
          this.path.push(k);
          this.check(x, t.values!);
          this.path.pop();
        }
        break;
      case 'array': {
        if (!Array.isArray(v)) return this.wrongType('array', v);
        const items = t.items!;
        for (let i = 0; i < v.length; i++) {
          this.path.push(i);
          this.check(v[i], items);
          this.path.pop();
        }
        break;
      }
      case 'string':
        if (typeof v !== 'string') return this.wrongType('string', v);
        break;
      case 'integer':
        if (typeof v !== 'number' || !Number.isInteger(v)) return this.wrongType('integer', v);
        break;
      case 'number':
        if (typeof v !== 'number') return this.wrongType('number', v);
        break;
      case 'boolean':
        if (typeof v !== 'boolean') return this.wrongType('boolean', v);
        break;
      case 'any-object':
        if (!isObject(v)) return this.wrongType('object', v);
        break;
      case 'int-or-string':
        if (typeof v === 'string') break;
        if (typeof v !== 'number' || !Number.isInteger(v)) return this.wrongType('integer or string', v);
        break;
      case 'quantity':
        if (typeof v === 'number') break;
        if (typeof v !== 'string') return this.wrongType('quantity (string or number)', v);
        if (!QUANTITY.test(v)) this.report('invalid-value', `${JSON.stringify(v)} is not a valid quantity (examples: 500m, 1.5, 128Mi, 2Gi)`, undefined, v);
        break;
      case 'date-time':
        if (typeof v !== 'string') return this.wrongType('date-time string', v);
        if (!DATE_TIME.test(v)) this.report('invalid-value', `${JSON.stringify(v)} is not an RFC 3339 date-time`, undefined, v);
        break;
      case 'bytes':
        if (typeof v !== 'string') return this.wrongType('base64 string', v);
        if (!BASE64.test(v.replace(/[\r\n]/g, ''))) this.report('invalid-value', 'is not valid base64 (use stringData for plain text)');
        break;
      case 'any':
        break;
    }
    // Branches of anyOf/oneOf often only say `required: [...]`, without properties of their own.
    if (t.required && t.kind !== 'object' && isObject(v)) {
      for (const r of t.required) if (v[r] === undefined || v[r] === null) this.report('missing-required', 'required field is missing', r);
    }
    if (t.enumValues && !t.enumValues.has(v) && v !== '') {
      this.report('invalid-value', `${JSON.stringify(v)} is not one of ${[...t.enumValues].map((e) => JSON.stringify(e)).join(', ')}`, undefined, v);
    }
    if (t.constraints) this.constraints(v, t);
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
    if (typeof v === 'string') {
      if (c.pattern && !c.pattern.test(v)) this.report('invalid-value', `${JSON.stringify(v)} does not match the pattern ${c.pattern.source}`);
      if (c.minLength !== undefined && [...v].length < c.minLength) this.report('invalid-value', `must be at least ${c.minLength} characters`);
      if (c.maxLength !== undefined && [...v].length > c.maxLength) this.report('invalid-value', `must be at most ${c.maxLength} characters`);
    } else if (typeof v === 'number') {
      if (c.minimum !== undefined && (c.exclusiveMinimum ? v <= c.minimum : v < c.minimum)) this.report('invalid-value', `${v} is below the minimum ${c.minimum}`);
      if (c.maximum !== undefined && (c.exclusiveMaximum ? v >= c.maximum : v > c.maximum)) this.report('invalid-value', `${v} is above the maximum ${c.maximum}`);
    } else if (Array.isArray(v)) {
      if (c.minItems !== undefined && v.length < c.minItems) this.report('invalid-value', `must have at least ${c.minItems} items`);
      if (c.maxItems !== undefined && v.length > c.maxItems) this.report('invalid-value', `must have at most ${c.maxItems} items`);
    } else if (isObject(v)) {
      const n = Object.keys(v).length;
      if (c.minProperties !== undefined && n < c.minProperties) this.report('invalid-value', `must have at least ${c.minProperties} properties`);
      if (c.maxProperties !== undefined && n > c.maxProperties) this.report('invalid-value', `must have at most ${c.maxProperties} properties`);
    }
    const passes = (s: TypeNode) => validate(v, s).length === 0;
    if (c.allOf) for (const s of c.allOf) this.check(v, s);
    if (c.anyOf && !c.anyOf.some(passes)) this.report('invalid-value', 'does not match any of the allowed forms (anyOf)');
    if (c.oneOf && c.oneOf.filter(passes).length !== 1) this.report('invalid-value', 'must match exactly one of the allowed forms (oneOf)');
    if (c.not && passes(c.not)) this.report('invalid-value', 'matches a form that is not allowed (not)');
  }
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
