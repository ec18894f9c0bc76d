// kubeconform as the peer: strict JSON schemas built from the same upstream swagger.json our schemas come
// from (the way openapi2jsonschema --strict builds them: closed objects, nullable optional fields,
// int-or-string and quantity as oneOf), plus CRD schemas, in a local -schema-location folder, so it runs
// offline. Used by the parity test and the benchmark.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Swagger, SwaggerSchema } from '../../src/schema/pack.js';
import { pinnedVersion, toolBin, toolDir } from '../../../../test/harness/tools.js';

const run = promisify(execFile);
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
type Json = Record<string, unknown>;

/** The releases the harness provisioned swagger.json for (the same pin gen-schemas.ts uses). */
export const openapiVersions = (): string[] => pinnedVersion('k8s-openapi').split(',');

export function swaggerFor(version: string): Swagger {
  const p = join(toolDir('k8s-openapi'), version, 'swagger.json');
  if (!existsSync(p)) throw new Error(`test harness: ${p} is missing; run: bash test/harness/provision.sh k8s-openapi`);
  return JSON.parse(readFileSync(p, 'utf8')) as Swagger;
}

// Optional fields accept null, as in the published standalone schemas (whose inlined definitions
// become nullable too: `creationTimestamp: null` passes there).
function nullable(s: Json): Json {
  if (typeof s.type === 'string') return { ...s, type: [s.type, 'null'] };
  if (Array.isArray(s.oneOf)) return { ...s, oneOf: [...s.oneOf, { type: 'null' }] };
  if (s.$ref) return { oneOf: [s, { type: 'null' }] };
  return s;
}

function fromSwagger(s: SwaggerSchema, defName?: string): Json {
  if (defName === QUANTITY) return { oneOf: [{ type: 'string' }, { type: 'number' }] };
  if (defName === INT_OR_STRING || s.format === 'int-or-string') return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  if (s.$ref) return { $ref: `#/definitions/${s.$ref.replace('#/definitions/', '')}` };
  const out: Json = {};
  if (s.type) out.type = s.type;
  if (s.format === 'date-time') out.format = 'date-time';
  if (s.enum) out.enum = s.enum;
  if (s.items) out.items = fromSwagger(s.items);
  if (s.properties) {
    const props: Json = {};
    for (const [k, v] of Object.entries(s.properties)) {
      const c = fromSwagger(v);
      props[k] = s.required?.includes(k) ? c : nullable(c);
    }
    out.properties = props;
    if (s.required?.length) out.required = s.required;
    if (s.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'object' ? fromSwagger(s.additionalProperties) : s.additionalProperties;
  return out;
}

/** A CRD's openAPIV3Schema made strict the same way. */
function fromCrdSchema(s: Json): Json {
  if (s['x-kubernetes-int-or-string']) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'description') continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, fromCrdSchema(pv as Json)]));
    else if (k === 'items' && v && typeof v === 'object' && !Array.isArray(v)) out.items = fromCrdSchema(v as Json);
    else if ((k === 'anyOf' || k === 'oneOf' || k === 'allOf') && Array.isArray(v)) out[k] = v.map((x) => fromCrdSchema(x as Json));
    else if (k === 'additionalProperties' && v && typeof v === 'object') out.additionalProperties = fromCrdSchema(v as Json);
    else if (k === 'nullable') continue;
    else out[k] = v;
  }
  if (s.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

/** Every definition reachable from `name`, converted. */
function reachable(swagger: Swagger, name: string): Json {
  const defs: Json = {};
  const todo = [name];
  while (todo.length) {
    const n = todo.pop()!;
    if (defs[n] || !swagger.definitions[n]) continue;
    const c = fromSwagger(swagger.definitions[n], n);
    defs[n] = c;
    for (const m of JSON.stringify(c).matchAll(/"#\/definitions\/([^"]+)"/g)) todo.push(m[1]);
  }
  return defs;
}

/** The path kubeconform asks for, given our -schema-location template below. */
const fileFor = (dir: string, version: string, apiVersion: string, kind: string) => {
  const parts = apiVersion.split('/');
  return join(dir, `v${version}-strict`, parts[0], `${kind.toLowerCase()}_${parts[parts.length - 1]}.json`);
};

export const schemaLocation = (dir: string) => `${dir}/{{ .NormalizedKubernetesVersion }}{{ .StrictSuffix }}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`;

/** Writes kubeconform's strict schemas for one release (and the given CRD objects) under `dir`. */
export function writeKubeconformSchemas(dir: string, version: string, swagger: Swagger, crds: Json[] = []): void {
  for (const [name, def] of Object.entries(swagger.definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      const file = fileFor(dir, version, apiVersion, gvk.kind);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, JSON.stringify({ $schema: 'http://json-schema.org/schema#', $ref: `#/definitions/${name}`, definitions: reachable(swagger, name) }));
    }
  }
  for (const crd of crds) {
    const spec = crd.spec as Json;
    const names = spec.names as Json;
    for (const v of (spec.versions as Json[]) ?? []) {
      const schema = (v.schema as Json | undefined)?.openAPIV3Schema as Json | undefined;
      if (!schema) continue;
      const file = fileFor(dir, version, `${String(spec.group)}/${String(v.name)}`, String(names.kind));
      mkdirSync(join(file, '..'), { recursive: true });
      const root = fromCrdSchema(schema);
      // Every custom resource has apiVersion, kind and metadata, whether its schema lists them or not
      // (controller-gen always lists them; hand-written CRDs often do not).
      if (root.properties) root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(root.properties as Json) };
      writeFileSync(file, JSON.stringify({ $schema: 'http://json-schema.org/schema#', ...root }));
    }
  }
}

export interface KubeconformResult {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: string;
  msg: string;
  validationErrors?: Array<{ path: string; msg: string }>;
}

/** Runs `kubeconform -strict` on files; returns the non-valid resources it reports. */
export async function kubeconform(files: string[], version: string, dir: string, extra: string[] = []): Promise<KubeconformResult[]> {
  const args = ['-strict', '-output', 'json', '-kubernetes-version', version, '-schema-location', schemaLocation(dir), ...extra, ...files];
  const r = await run(toolBin('kubeconform'), args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }).catch((e: { stdout?: string; code?: number }) => {
    // Exit code 1 means "some resources are invalid"; the JSON is on stdout either way.
    if (e.code === 1 && e.stdout) return { stdout: e.stdout };
    throw e;
  });
  return (JSON.parse(r.stdout) as { resources: KubeconformResult[] }).resources;
}
