// Custom resources: CRDs found in the rendered chart (crds/ via --include-crds, or templates), or given
// through the `schemas` input, compiled into the same type model as the core schemas. A structural
// schema prunes unknown fields and strict field validation rejects them, so objects with declared
// properties are closed unless x-kubernetes-preserve-unknown-fields says otherwise.
import { type Constraints, node, TypeNode } from './schema/model.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CustomKind {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  served: boolean;
  /** The CRD's deprecationWarning, or a default text when `deprecated: true`. */
  deprecated?: string;
  type: TypeNode;
  /** Where the definition came from, for messages. */
  origin: string;
}

/** Compiles an OpenAPI v3 (structural) schema into a TypeNode. */
export function compileCrdSchema(s: Json): TypeNode {
  const t = new TypeNode();
  if (s['x-kubernetes-int-or-string'] === true) t.kind = 'int-or-string';
  else if (s['x-kubernetes-preserve-unknown-fields'] === true && !s.properties && s.type !== 'array') t.kind = s.type === 'object' ? 'any-object' : 'any';
  else if (s.type === 'object' || s.type === undefined) objectType(t, s);
  else if (s.type === 'array') {
    t.kind = 'array';
    t.items = isObj(s.items) ? compileCrdSchema(s.items) : node('any');
  } else if (s.type === 'string') t.kind = s.format === 'date-time' ? 'date-time' : s.format === 'byte' ? 'bytes' : 'string';
  else if (s.type === 'integer' || s.type === 'number' || s.type === 'boolean') t.kind = s.type;
  else t.kind = 'any';
  if (t.kind === 'object' && t.required && !t.props) t.kind = 'any-object';
  t.nullable = s.nullable === true;
  t.embedded = s['x-kubernetes-embedded-resource'] === true;
  if (Array.isArray(s.enum)) t.enumValues = new Set(s.enum);
  const c = constraintsOf(s);
  if (Object.keys(c).length) t.constraints = c;
  return t;
}

/** `type: object` (or none): an object with properties, a map (additionalProperties), or any object. */
function objectType(t: TypeNode, s: Json): void {
  if (isObj(s.properties)) {
    t.kind = 'object';
    const props: Record<string, TypeNode> = Object.create(null);
    for (const [k, v] of Object.entries(s.properties)) if (isObj(v)) props[k] = compileCrdSchema(v);
    t.props = props;
    if (isObj(s.additionalProperties)) t.values = compileCrdSchema(s.additionalProperties);
    t.open = s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] === true;
  } else if (isObj(s.additionalProperties)) {
    t.kind = 'map';
    t.values = compileCrdSchema(s.additionalProperties);
  } else t.kind = s.type === 'object' ? 'any-object' : 'any';
  if (Array.isArray(s.required)) t.required = s.required.map(String);
}

/** Pattern, bounds, and the anyOf/oneOf/allOf/not branches. */
function constraintsOf(s: Json): Constraints {
  const c: Constraints = {};
  if (typeof s.pattern === 'string') {
    try {
      c.pattern = new RegExp(s.pattern, 'u');
    } catch {
      /* a pattern JavaScript cannot compile is left unchecked rather than guessed at */
    }
  }
  for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
    if (typeof s[k] === 'number') c[k] = s[k];
  }
  if (s.exclusiveMinimum === true) c.exclusiveMinimum = true;
  if (s.exclusiveMaximum === true) c.exclusiveMaximum = true;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = s[k];
    // Value-only branches (no type of their own) are checked against the value; typed branches only for anyOf/oneOf.
    if (Array.isArray(list) && list.length) c[k] = list.filter(isObj).map((x) => branch(x));
  }
  if (isObj(s.not)) c.not = branch(s.not);
  return c;
}

/** A branch of anyOf/oneOf/allOf: only what it states is checked (a branch without a type accepts any type). */
function branch(s: Json): TypeNode {
  const t = compileCrdSchema(s);
  if (!s.type && !s.properties && !s.items && t.kind !== 'int-or-string') t.kind = 'any';
  if (t.kind === 'object' && !s.additionalProperties) t.open = true; // branches constrain, they do not close
  return t;
}

/** The kinds one CRD object defines (one per version with a schema). `meta` is ObjectMeta of the target version. */
function kindsFromCrd(crd: Json, origin: string, meta: TypeNode | undefined): CustomKind[] {
  const spec = isObj(crd.spec) ? crd.spec : {};
  const names = isObj(spec.names) ? spec.names : {};
  const group = String(spec.group ?? '');
  const kind = String(names.kind ?? '');
  if (!group || !kind) return [];
  const namespaced = spec.scope !== 'Cluster';
  const out: CustomKind[] = [];
  const legacySchema = isObj(spec.validation) && isObj(spec.validation.openAPIV3Schema) ? spec.validation.openAPIV3Schema : undefined;
  const versions: Json[] = Array.isArray(spec.versions) ? spec.versions.filter(isObj) : spec.version ? [{ name: spec.version, served: true }] : [];
  for (const v of versions) {
    const schema = isObj(v.schema) && isObj(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : legacySchema;
    out.push({
      apiVersion: `${group}/${String(v.name)}`,
      kind,
      namespaced,
      served: v.served !== false,
      ...(v.deprecated === true ? { deprecated: typeof v.deprecationWarning === 'string' ? v.deprecationWarning : `${group}/${String(v.name)} ${kind} is deprecated` } : {}),
      type: rootType(schema, meta),
      origin,
    });
  }
  return out;
}

/** The root of a custom resource: apiVersion, kind and metadata are implied; metadata is checked as ObjectMeta. */
function rootType(schema: Json | undefined, meta: TypeNode | undefined): TypeNode {
  if (!schema) return node('any-object');
  const t = compileCrdSchema(schema);
  if (t.kind !== 'object') return t;
  const props: Record<string, TypeNode> = Object.assign(Object.create(null), t.props);
  props.apiVersion = node('string');
  props.kind = node('string');
  props.metadata = meta ?? node('any-object');
  t.props = props;
  return t;
}

/** CRD kinds by apiVersion/kind, plus JSON Schemas given by the user. Later additions do not replace earlier ones. */
export class CustomKinds {
  private readonly byKey = new Map<string, CustomKind>();

  add(k: CustomKind): void {
    const key = `${k.apiVersion}/${k.kind}`;
    if (!this.byKey.has(key)) this.byKey.set(key, k);
    // Schema catalogs name files by lower-case kind; keep a case-insensitive fallback.
    const lower = `${k.apiVersion}/${k.kind.toLowerCase()}`;
    if (!this.byKey.has(lower)) this.byKey.set(lower, k);
  }

  addCrd(crd: Json, origin: string, meta: TypeNode | undefined): void {
    for (const k of kindsFromCrd(crd, origin, meta)) this.add(k);
  }

  get(apiVersion: string, kind: string): CustomKind | undefined {
    return this.byKey.get(`${apiVersion}/${kind}`) ?? this.byKey.get(`${apiVersion}/${kind.toLowerCase()}`);
  }

  /** A copy, so a chart's own CRDs do not leak into the next chart. */
  clone(): CustomKinds {
    const c = new CustomKinds();
    for (const [k, v] of this.byKey) c.byKey.set(k, v);
    return c;
  }

  get size(): number {
    return this.byKey.size;
  }
}

/** A JSON Schema file for one kind: `x-kubernetes-group-version-kind` at its root, or the catalog path <group>/<kind>_<version>.json. */
export function kindsFromJsonSchema(schema: Json, relPath: string, origin: string, meta: TypeNode | undefined): CustomKind[] {
  const gvks: Json[] = Array.isArray(schema['x-kubernetes-group-version-kind'])
    ? (schema['x-kubernetes-group-version-kind'] as unknown[]).filter(isObj)
    : isObj(schema['x-kubernetes-group-version-kind'])
      ? [schema['x-kubernetes-group-version-kind']]
      : [];
  if (!gvks.length) {
    const m = /(?:^|\/)([^/]+)\/([^/_]+)_([^/_]+)\.json$/.exec(relPath);
    if (m) gvks.push({ group: m[1], kind: m[2], version: m[3] });
  }
  return gvks.map((g) => ({
    apiVersion: g.group ? `${String(g.group)}/${String(g.version)}` : String(g.version),
    kind: String(g.kind),
    namespaced: true,
    served: true,
    type: rootType(schema, meta),
    origin,
  }));
}
