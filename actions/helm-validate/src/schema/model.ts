// The type model the validator walks. One shape serves both sources of schemas: the Kubernetes
// definitions we pack at build time (scripts/gen-schemas.ts) and CRD schemas compiled at run time.
// Only what validation needs is kept: types, properties, required, strictness, items, map values, enums.

export type Kind =
  | 'object' // properties (closed: unknown fields are errors, unless `values` or `open` says otherwise)
  | 'map' // any keys, each value of type `values`
  | 'array'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'any'
  | 'any-object' // an object with no declared properties (RawExtension, FieldsV1, preserve-unknown-fields)
  | 'int-or-string'
  | 'quantity' // resource.Quantity: a string in Kubernetes quantity syntax, or a number
  | 'date-time' // metav1.Time: RFC 3339
  | 'bytes'; // []byte: base64

/** Value checks CRD schemas may carry; core Kubernetes definitions carry none of them. */
export interface Constraints {
  pattern?: RegExp;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: TypeNode[];
  oneOf?: TypeNode[];
  allOf?: TypeNode[];
  not?: TypeNode;
}

/** A node of the compiled type graph. A class, so every node has the same shape (fast property access). */
export class TypeNode {
  kind: Kind = 'any';
  /** Null-prototype map of property name to type, for 'object'. */
  props: Record<string, TypeNode> | null = null;
  required: string[] | null = null;
  /** For 'object': the type of undeclared fields; null means they are rejected (unless `open`). */
  values: TypeNode | null = null;
  /** For 'object': undeclared fields are allowed and not checked (x-kubernetes-preserve-unknown-fields). */
  open = false;
  items: TypeNode | null = null;
  enumValues: ReadonlySet<unknown> | null = null;
  nullable = false;
  /** x-kubernetes-embedded-resource: apiVersion, kind and metadata are implied. */
  embedded = false;
  constraints: Constraints | null = null;
  /** Definition name, for messages about the type (e.g. io.k8s.api.core.v1.PodSecurityContext). */
  name = '';
}

export const node = (kind: Kind, init: Partial<TypeNode> = {}): TypeNode => Object.assign(new TypeNode(), { kind }, init);

// ---- The packed file format written by scripts/gen-schemas.ts and read by store.ts ----

/**
 * A packed type: a primitive code, a number (a reference to `names[n]`, resolved per version), or an object:
 * `p` properties (closed unless `o`), `r` required, `m` map value type, `a` array item type, `e` enum values
 * of the primitive `t`.
 */
export type Packed = PrimitiveCode | number | PackedObject;
export type PrimitiveCode = 's' | 'i' | 'n' | 'b' | '*' | 'o' | 'ios' | 'qty' | 'time' | 'b64';
export interface PackedObject {
  p?: Record<string, Packed>;
  r?: string[];
  m?: Packed;
  a?: Packed;
  e?: unknown[];
  t?: PrimitiveCode;
  o?: 1;
}

export interface PackedVersion {
  /** Minor line, e.g. "1.36". */
  minor: string;
  /** Exact release the schema came from, e.g. "1.36.3". */
  version: string;
  /** Where it came from, e.g. "k8s.io/kubernetes@v1.36.3 api/openapi-spec/swagger.json". */
  source: string;
  /** Flattened pairs [nameIndex, typeIndex, …]: the definitions of this version. */
  defs: number[];
  /** [apiVersion, kind, nameIndex]: the kinds this version serves. */
  kinds: Array<[string, string, number]>;
  /** nameIndex → the upstream "Deprecated: …" sentence of a served kind. */
  deprecated: Record<string, string>;
  /** "apiVersion/kind" of the cluster-scoped kinds (objects without a namespace). */
  cluster: string[];
}

export interface PackedSchemas {
  format: 1;
  names: string[];
  types: Packed[];
  versions: PackedVersion[];
}

export const PRIMITIVE_KIND: Record<PrimitiveCode, Kind> = {
  s: 'string',
  i: 'integer',
  n: 'number',
  b: 'boolean',
  '*': 'any',
  o: 'any-object',
  ios: 'int-or-string',
  qty: 'quantity',
  time: 'date-time',
  b64: 'bytes',
};
