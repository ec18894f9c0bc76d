// The schema pipeline: packing the upstream description, the shipped file, and the validator.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCrdSchema } from '../src/crds.js';
import { node, type TypeNode } from '../src/schema/model.js';
import { packSchema, packVersions, stableJson, type Swagger } from '../src/schema/pack.js';
import { SchemaStore } from '../src/schema/store.js';
import { formatPath, validate } from '../src/schema/validate.js';
import { OUTPUT, PINNED, render } from '../scripts/gen-schemas.js';
import { openapiVersions, swaggerFor } from './helpers/kubeconform.js';

const names: string[] = [];
const idx = (n: string) => (names.includes(n) ? names.indexOf(n) : names.push(n) - 1);

describe('packing the OpenAPI v2 description', () => {
  test.each([
    [{ type: 'string' }, 's'],
    [{ type: 'string', format: 'int-or-string' }, 'ios'],
    [{ type: 'string', format: 'date-time' }, 'time'],
    [{ type: 'string', format: 'byte' }, 'b64'],
    [
      { type: 'string', enum: ['A', 'B'] },
      { e: ['A', 'B'], t: 's' },
    ],
    [{ type: 'integer', format: 'int32' }, 'i'],
    [{ type: 'number', format: 'double' }, 'n'],
    [{ type: 'boolean' }, 'b'],
    [{ type: 'array', items: { type: 'string' } }, { a: 's' }],
    [{ type: 'object', additionalProperties: { type: 'string' } }, { m: 's' }],
    [{ type: 'object' }, 'o'],
    [{}, '*'],
    [{ $ref: '#/definitions/io.k8s.api.core.v1.Container' }, idx('io.k8s.api.core.v1.Container')],
    [
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
      { p: { a: 's' }, r: ['a'] },
    ],
  ])('%j → %j', (schema, packed) => {
    expect(packSchema(schema, idx)).toEqual(packed);
  });

  test('Quantity is recognised by its definition name', () => {
    expect(packSchema({ type: 'string' }, idx, 'io.k8s.apimachinery.pkg.api.resource.Quantity')).toBe('qty');
  });

  test('identical types are stored once across versions; kinds, scope and deprecation notes are kept', () => {
    const swagger = (extra: boolean): Swagger => ({
      definitions: {
        'io.k8s.api.x.v1.Thing': {
          type: 'object',
          description: 'A thing. Deprecated: use Other.',
          properties: { apiVersion: { type: 'string' }, spec: { $ref: '#/definitions/io.k8s.api.x.v1.Spec' } },
          'x-kubernetes-group-version-kind': [{ group: 'x.k8s.io', version: 'v1', kind: 'Thing' }],
        },
        'io.k8s.api.x.v1.Spec': { type: 'object', properties: extra ? { a: { type: 'string' }, b: { type: 'integer' } } : { a: { type: 'string' } } },
      },
      paths: { '/apis/x.k8s.io/v1/things': { post: { 'x-kubernetes-group-version-kind': { group: 'x.k8s.io', version: 'v1', kind: 'Thing' } } } },
    });
    const p = packVersions([
      { version: '1.1.0', source: 'a', swagger: swagger(false) },
      { version: '1.2.0', source: 'b', swagger: swagger(true) },
    ]);
    expect(p.types).toHaveLength(3); // Thing (shared), Spec v1, Spec v2
    expect(p.versions.map((v) => v.minor)).toEqual(['1.1', '1.2']);
    expect(p.versions[0].kinds).toEqual([['x.k8s.io/v1', 'Thing', p.names.indexOf('io.k8s.api.x.v1.Thing')]]);
    expect(Object.values(p.versions[0].deprecated)).toEqual(['use Other.']);
    expect(p.versions[0].cluster).toEqual(['x.k8s.io/v1/Thing']);
    expect(JSON.parse(render(p))).toEqual(p);
  });
});

describe('the shipped schema file', () => {
  test('covers the pinned releases and is what gen-schemas.ts makes from the upstream descriptions', () => {
    expect(openapiVersions()).toEqual(PINNED); // the harness provisions exactly what the generator pins
    const fresh = render(packVersions(PINNED.map((v) => ({ version: v, source: `k8s.io/kubernetes@v${v} api/openapi-spec/swagger.json`, swagger: swaggerFor(v) }))));
    // If this fails: npx tsx actions/helm-validate/scripts/gen-schemas.ts, and commit schemas/kubernetes.json.
    expect(readFileSync(OUTPUT, 'utf8') === fresh).toBe(true);
    expect(Buffer.byteLength(fresh)).toBeLessThan(1024 * 1024);
  });

  const store = SchemaStore.load(join(fileURLToPath(new URL('..', import.meta.url)), 'schemas', 'kubernetes.json'));
  test('looks kinds up per version, with scope and upstream deprecation notes', () => {
    expect(store.versions).toEqual(PINNED);
    const s = store.get('1.37')!;
    expect(s.lookup('apps/v1', 'Deployment')?.name).toBe('io.k8s.api.apps.v1.Deployment');
    expect(s.lookup('networking.k8s.io/v1beta1', 'ServiceCIDR')).toBeUndefined();
    expect(store.get('1.36')!.lookup('networking.k8s.io/v1beta1', 'ServiceCIDR')).toBeDefined();
    expect(s.isClusterScoped('rbac.authorization.k8s.io/v1', 'ClusterRole')).toBe(true);
    expect(s.isClusterScoped('apps/v1', 'Deployment')).toBe(false);
    expect(s.deprecationOf('v1', 'Endpoints')).toMatch(/deprecated in v1\.33\+/);
    expect(s.apiVersionsOf('Ingress')).toContain('networking.k8s.io/v1');
    expect(store.get('1.20')).toBeUndefined();
    expect(store.get('v1.35.0')?.version).toBe('1.35.4');
  });

  test('a recursive definition (JSONSchemaProps) links without looping', () => {
    const crd = store.get('1.37')!.lookup('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!;
    const schema = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'a.b' },
      spec: {
        group: 'b',
        names: { kind: 'A', plural: 'as' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { x: { type: 'string', bogus: 1 } } } } } },
          },
        ],
      },
    };
    expect(validate(schema, crd).map((i) => i.path)).toEqual(['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.x.bogus']);
  });
});

describe('the validator', () => {
  const s = SchemaStore.load().get('1.37')!;
  const deploy = s.lookup('apps/v1', 'Deployment')!;
  const base = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  });
  type D = ReturnType<typeof base> & Record<string, unknown>;
  const issues = (mutate: (d: D) => void) => {
    const d = base() as D;
    mutate(d);
    return validate(d, deploy).map((i) => `${i.code} ${i.path}`);
  };

  test.each<[string, (d: D) => void, string[]]>([
    ['a valid object (null means unset)', () => {}, []],
    ['issues come in document order', (d) => Object.assign(d.spec, { paused: 'no', replicas: 'x' }), ['wrong-type spec.paused', 'wrong-type spec.replicas']],
    ['unknown field', (d) => ((d.spec as Record<string, unknown>).replica = 2), ['unknown-field spec.replica']],
    [
      'container-only field at pod level',
      (d) => ((d.spec.template.spec as Record<string, unknown>).securityContext = { privileged: true }),
      ['unknown-field spec.template.spec.securityContext.privileged'],
    ],
    ['wrong type: string for integer', (d) => ((d.spec as Record<string, unknown>).replicas = '3'), ['wrong-type spec.replicas']],
    ['wrong type: YAML 1.1 boolean label', (d) => ((d.metadata.labels as Record<string, unknown>).x = true), ['wrong-type metadata.labels.x']],
    ['wrong type: object for array', (d) => ((d.spec.template.spec as Record<string, unknown>).containers = { name: 'x' }), ['wrong-type spec.template.spec.containers']],
    ['missing required field', (d) => delete (d.spec.template.spec.containers[0] as Record<string, unknown>).name, ['missing-required spec.template.spec.containers[0].name']],
    ['required field null', (d) => ((d.spec.template.spec.containers[0] as Record<string, unknown>).name = null), ['missing-required spec.template.spec.containers[0].name']],
    ['null array item', (d) => (d.spec.template.spec.containers as unknown[]).push(null), ['wrong-type spec.template.spec.containers[1]']],
    ['int-or-string accepts both', (d) => ((d.spec as Record<string, unknown>).strategy = { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } }), []],
    [
      'int-or-string rejects a float',
      (d) => ((d.spec as Record<string, unknown>).strategy = { rollingUpdate: { maxSurge: 1.5 } }),
      ['wrong-type spec.strategy.rollingUpdate.maxSurge'],
    ],
    [
      'quantity: number and suffixes pass',
      (d) => ((d.spec.template.spec.containers[0] as Record<string, unknown>).resources = { limits: { cpu: 1, memory: '1.5Gi' }, requests: { cpu: '250m', memory: '1e3' } }),
      [],
    ],
    [
      'quantity: 512MB is not a quantity',
      (d) => ((d.spec.template.spec.containers[0] as Record<string, unknown>).resources = { limits: { memory: '512MB' } }),
      ['invalid-value spec.template.spec.containers[0].resources.limits.memory'],
    ],
    ['date-time', (d) => ((d.metadata as Record<string, unknown>).creationTimestamp = 'yesterday'), ['invalid-value metadata.creationTimestamp']],
    ['keys with dots are quoted in paths', (d) => ((d.metadata as Record<string, unknown>).annotations = { 'a.b/c': 1 }), ['wrong-type metadata.annotations["a.b/c"]']],
  ])('%s', (_name, mutate, expected) => {
    expect(issues(mutate)).toEqual(expected);
  });

  test('Secret data must be base64', () => {
    const secret = s.lookup('v1', 'Secret')!;
    expect(validate({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGVsbG8=', bad: 'hello!' } }, secret).map((i) => i.path)).toEqual(['data.bad']);
  });

  test('messages name the path, what was expected and the type that lacks the field', () => {
    const d = base() as D;
    (d.spec as Record<string, unknown>).replicas = 'three';
    (d.spec.template.spec as Record<string, unknown>).securityContext = { allowPrivilegeEscalation: false };
    expect(validate(d, deploy).map((i) => i.message)).toEqual([
      'spec.template.spec.securityContext.allowPrivilegeEscalation: unknown field "allowPrivilegeEscalation" (not in core/v1 PodSecurityContext)',
      'spec.replicas: expected integer, got string "three"',
    ]);
  });

  test('formatPath', () => {
    expect(formatPath(['spec', 'containers', 0, 'env', 'a b'])).toBe('spec.containers[0].env["a b"]');
  });
});

describe('CRD schemas', () => {
  const t = compileCrdSchema({
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'integer', minimum: 1, maximum: 10 },
          color: { type: 'string', enum: ['red', 'green'] },
          name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          tags: { type: 'array', maxItems: 2, items: { type: 'string' } },
          opt: { type: 'string', nullable: true },
          either: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
        },
      },
    },
  });
  const paths = (v: unknown) => validate(v, t).map((i) => `${i.code} ${i.path}`);

  test.each<[string, unknown, string[]]>([
    ['valid', { spec: { size: 3, color: 'red', name: 'abc', port: 'http', free: { anything: [1] }, tags: ['a'], opt: null, either: { a: 'x' } } }, []],
    ['unknown field in a closed object', { spec: { size: 1, colour: 'red' } }, ['unknown-field spec.colour']],
    ['required', { spec: {} }, ['missing-required spec.size']],
    ['minimum and maximum', { spec: { size: 0 } }, ['invalid-value spec.size']],
    ['enum', { spec: { size: 1, color: 'blue' } }, ['invalid-value spec.color']],
    ['pattern and maxLength', { spec: { size: 1, name: 'ABCDEFG' } }, ['invalid-value spec.name', 'invalid-value spec.name']],
    ['maxItems', { spec: { size: 1, tags: ['a', 'b', 'c'] } }, ['invalid-value spec.tags']],
    ['oneOf', { spec: { size: 1, either: { a: 'x', b: 'y' } } }, ['invalid-value spec.either']],
    ['int-or-string', { spec: { size: 1, port: true } }, ['wrong-type spec.port']],
  ])('%s', (_n, v, expected) => {
    expect(paths(v)).toEqual(expected);
  });

  test('a schema-less node accepts anything', () => {
    const any: TypeNode = node('any');
    expect(validate({ a: [1, { b: null }] }, any)).toEqual([]);
  });

  test('stableJson sorts keys', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('no credential reaches a message', () => {
  test('wrong-typed values in Secrets and env values are not shown', async () => {
    const { checkObject } = await import('../src/check.js');
    const { CustomKinds } = await import('../src/crds.js');
    const store = SchemaStore.load();
    const all = store.versions.map((v) => store.get(v)!);
    const secret = {
      source: '',
      streamLine: 1,
      apiVersion: 'v1',
      kind: 'Secret',
      name: 's',
      namespace: 'd',
      duplicates: [],
      value: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { token: 918273645 } },
    };
    const issues = checkObject(secret, store.get('1.37')!, all, new CustomKinds(), 'notice');
    expect(issues.map((i) => i.message)).toEqual(['stringData.token: expected string, got integer (value not shown)']);
    expect(JSON.stringify(issues)).not.toContain('918273645');
  });
});
