// Build time only (scripts/gen-schemas.ts): turns the upstream OpenAPI v2 description into the compact,
// deduplicated form the action ships. Descriptions, patch strategies and list types are dropped; what
// validation needs stays. Kept pure so the mapping is tested with a table.
import type { Packed, PackedObject, PackedSchemas, PackedVersion } from './model.js';

/** The subset of a Swagger 2.0 schema object that Kubernetes uses. */
export interface SwaggerSchema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, SwaggerSchema>;
  required?: string[];
  items?: SwaggerSchema;
  additionalProperties?: SwaggerSchema | boolean;
  enum?: unknown[];
  allOf?: SwaggerSchema[];
  'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }>;
}

export interface Swagger {
  definitions: Record<string, SwaggerSchema>;
  paths?: Record<string, Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string } }>>;
}

/** "apiVersion/kind" of every cluster-scoped kind: created by a POST to a path without {namespace}. */
function clusterScopedKinds(swagger: Swagger): string[] {
  const cluster = new Set<string>();
  for (const [path, ops] of Object.entries(swagger.paths ?? {})) {
    const gvk = ops.post?.['x-kubernetes-group-version-kind'];
    if (!gvk || path.includes('{namespace}') || path.includes('{name}')) continue;
    cluster.add(`${gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version}/${gvk.kind}`);
  }
  return [...cluster].sort();
}

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
// Listed under every group version; nobody applies them.
const NOT_APPLIED = new Set(['WatchEvent', 'DeleteOptions']);

const refName = (ref: string): string => ref.replace(/^#\/(definitions|components\/schemas)\//, '');

/** Packs one schema; `nameIndex` interns a definition name and returns its index. */
export function packSchema(s: SwaggerSchema, nameIndex: (name: string) => number, defName?: string): Packed {
  if (s.$ref) return nameIndex(refName(s.$ref));
  if (s.allOf?.length === 1 && s.allOf[0].$ref && !s.properties) return nameIndex(refName(s.allOf[0].$ref));
  if (defName === QUANTITY) return 'qty';
  const withEnum = (code: Packed): Packed => (s.enum?.length ? { e: s.enum, ...(typeof code === 'object' ? code : { t: code }) } : code) as Packed;
  switch (s.type) {
    case 'string':
      return STRING_FORMATS.get(s.format ?? '') ?? withEnum('s');
    case 'integer':
      return withEnum('i');
    case 'number':
      return withEnum('n');
    case 'boolean':
      return 'b';
    case 'array':
      return { a: s.items ? packSchema(s.items, nameIndex) : '*' };
    case 'object':
    case undefined:
      return packObject(s, nameIndex, defName);
    default:
      return '*';
  }
}

/** String formats with a type of their own. */
const STRING_FORMATS = new Map<string, Packed>([
  ['int-or-string', 'ios'],
  ['date-time', 'time'],
  ['byte', 'b64'],
]);

/** An object with properties (closed, open, or with a map of the rest), a map, or any object. */
function packObject(s: SwaggerSchema, nameIndex: (name: string) => number, defName?: string): Packed {
  if (s.properties) {
    const o: PackedObject = { p: {} };
    for (const [k, v] of Object.entries(s.properties)) {
      const described = defName ? describedEnum(defName, k, v) : undefined;
      o.p![k] = packSchema(described ? { ...v, enum: described } : v, nameIndex);
    }
    if (s.required?.length) o.r = [...s.required];
    if (s.additionalProperties === true) o.o = 1;
    else if (s.additionalProperties) o.m = packSchema(s.additionalProperties, nameIndex);
    return o;
  }
  if (s.additionalProperties && s.additionalProperties !== true) return { m: packSchema(s.additionalProperties, nameIndex) };
  return s.type === 'object' ? 'o' : '*';
}

/**
 * Enum fields of built-in kinds. Upstream's OpenAPI (v2 and v3 alike, 1.34–1.37) carries no `enum` for
 * them; the allowed values are only written in each field's description ("One of Always, Never,
 * IfNotPresent."). kubeconform therefore accepts `imagePullPolicy: IfNotPresnt`, and the API server
 * rejects it. For the fields listed here the values are read from the description of each release at
 * generation time (so a release that adds a value, such as Toleration.operator Lt/Gt in 1.37, gets it),
 * with the sentence that introduces the list. A field whose description no longer matches gets no enum
 * (never a wrong one), and test/schema.integration.test.ts pins the values read for each field.
 */
export const ENUM_FIELDS: ReadonlyArray<{ def: string; prop: string; list: RegExp }> = [
  { def: 'io.k8s.api.core.v1.Container', prop: 'imagePullPolicy', list: /One of ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.EphemeralContainer', prop: 'imagePullPolicy', list: /One of ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.PodSpec', prop: 'restartPolicy', list: /One of ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.PodSpec', prop: 'preemptionPolicy', list: /One of ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.PodSpec', prop: 'dnsPolicy', list: /Valid values are ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.ContainerPort', prop: 'protocol', list: /Must be ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.ServicePort', prop: 'protocol', list: /Supports ([^.]+)\./ },
  { def: 'io.k8s.api.networking.v1.NetworkPolicyPort', prop: 'protocol', list: /protocol \(([^)]+)\)/ },
  { def: 'io.k8s.api.core.v1.ServiceSpec', prop: 'type', list: /Valid options are ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.ServiceSpec', prop: 'sessionAffinity', list: /Supports ([^.]+)\./ },
  { def: 'io.k8s.api.apps.v1.DeploymentStrategy', prop: 'type', list: /Can be ([^.]+)\./ },
  { def: 'io.k8s.api.apps.v1.DaemonSetUpdateStrategy', prop: 'type', list: /Can be ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.Toleration', prop: 'operator', list: /Valid operators are ([^.]+)\./ },
  { def: 'io.k8s.api.core.v1.Toleration', prop: 'effect', list: /allowed values are ([^.]+)\./ },
  { def: 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement', prop: 'operator', list: /Valid operators are ([^.]+)\./ },
];

/** The values an ENUM_FIELDS entry lists in `s.description`, or undefined (not listed, or the sentence changed). */
export function describedEnum(def: string, prop: string, s: SwaggerSchema): string[] | undefined {
  if (s.type !== 'string' || s.enum) return undefined;
  const entry = ENUM_FIELDS.find((e) => e.def === def && e.prop === prop);
  const m = entry && entry.list.exec(s.description ?? '');
  if (!m) return undefined;
  const values = m[1]
    .split(/,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+/)
    .map((v) => v.trim().replace(/^["'`]|["'`]$/g, ''))
    .filter(Boolean);
  // Every item must look like an enum constant; prose means the description changed shape.
  return values.length >= 2 && values.every((v) => /^[A-Za-z][A-Za-z0-9]*$/.test(v)) ? values : undefined;
}

/** Stable JSON (sorted object keys), so equal types from different versions dedupe to one entry. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The first "Deprecated: …" sentence of a kind's description, e.g. core/v1 Endpoints since 1.33. */
function deprecationNote(description: string | undefined): string | undefined {
  const m = /Deprecated:\s*([^\n]*)/.exec(description ?? '');
  return m ? m[1].trim() : undefined;
}

export interface VersionInput {
  version: string;
  source: string;
  swagger: Swagger;
}

/** Packs several Kubernetes versions into one file; types and names are shared between versions. */
export function packVersions(inputs: VersionInput[]): PackedSchemas {
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  const intern = (n: string): number => {
    let i = nameIdx.get(n);
    if (i === undefined) {
      i = names.length;
      names.push(n);
      nameIdx.set(n, i);
    }
    return i;
  };
  const types: Packed[] = [];
  const typeIdx = new Map<string, number>();
  const versions: PackedVersion[] = [];
  for (const input of inputs) {
    const defs: number[] = [];
    const kinds: Array<[string, string, number]> = [];
    const deprecated: Record<string, string> = {};
    for (const name of Object.keys(input.swagger.definitions).sort()) {
      const def = input.swagger.definitions[name];
      const packed = packSchema(def, intern, name);
      const key = stableJson(packed);
      let t = typeIdx.get(key);
      if (t === undefined) {
        t = types.length;
        types.push(packed);
        typeIdx.set(key, t);
      }
      const n = intern(name);
      defs.push(n, t);
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        if (NOT_APPLIED.has(gvk.kind)) continue;
        kinds.push([gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind, n]);
        const note = deprecationNote(def.description);
        if (note) deprecated[String(n)] = note;
      }
    }
    const minor = input.version.split('.').slice(0, 2).join('.');
    versions.push({ minor, version: input.version, source: input.source, defs, kinds, deprecated, cluster: clusterScopedKinds(input.swagger) });
  }
  return { format: 1, names, types, versions };
}
