// YAML the way Kubernetes reads it, and helm template output split into objects with their sources.
import { describe, expect, test } from '@jest/globals';
import { objectRef, splitManifests } from '../src/manifests.js';
import { findDuplicateKeys, parseYaml } from '../src/yaml.js';

describe('parseYaml (YAML 1.1, as sigs.k8s.io/yaml decodes it)', () => {
  test.each<[string, string, unknown]>([
    ['yes/no/on/off are booleans', 'a: yes\nb: off\nc: On', { a: true, b: false, c: true }],
    ['a leading zero is octal', 'mode: 0755', { mode: 493 }],
    ['timestamps stay strings', 'when: 2024-05-01T10:00:00Z', { when: '2024-05-01T10:00:00Z' }],
    ['quoted stays a string', 'a: "yes"', { a: 'yes' }],
    ['merge keys work', 'base: &b {x: 1}\nuse:\n  <<: *b\n  z: 2', { base: { x: 1 }, use: { x: 1, z: 2 } }],
    ['a plain y key is the boolean true, which Kubernetes turns into "true"', 'y: 1', { true: 1 }],
    ['~ and null are null', 'a: ~\nb: null\nc:', { a: null, b: null, c: null }],
  ])('%s', (_n, text, value) => {
    expect(parseYaml(text)).toEqual({ value, duplicates: [] });
  });

  test('an empty or comment-only document is null, not an error', () => {
    expect(parseYaml('')).toEqual({ value: null, duplicates: [] });
    expect(parseYaml('# Source: x/templates/a.yaml\n\n')).toEqual({ value: null, duplicates: [] });
  });

  test('every duplicate key is found with its path and line; the value keeps the last one', () => {
    const r = parseYaml('a: 1\nb:\n  c: 2\n  c: 3\nlist:\n  - x: 1\n    x: 2\na: 9\n');
    expect(r.value).toEqual({ a: 9, b: { c: 3 }, list: [{ x: 2 }] });
    expect(r.duplicates).toEqual([
      { path: 'b.c', key: 'c', line: 4 },
      { path: 'list[0].x', key: 'x', line: 7 },
      { path: 'a', key: 'a', line: 8 },
    ]);
    expect(findDuplicateKeys('a: 1\nb: 2\n')).toEqual([]);
  });

  test('not YAML: the reason and the line', () => {
    expect(parseYaml('a: [1,\nb: 2\n').error).toEqual({ message: expect.any(String), line: expect.any(Number) });
    expect(parseYaml('a: b: c').error?.line).toBe(1);
  });
});

describe('splitManifests', () => {
  const stream = [
    '---',
    '# Source: web/templates/sa.yaml',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: web',
    '---',
    '# Source: web/charts/billing/templates/cm.yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: cm',
    '  namespace: shop',
    'data:',
    '  a: "1"',
    '  a: "2"',
    '---',
    '# Source: web/templates/empty.yaml',
    '---',
    '# Source: web/templates/list.yaml',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- apiVersion: v1',
    '  kind: Secret',
    '  metadata: {name: s1}',
    '- apiVersion: v1',
    '  kind: Secret',
    '  metadata: {name: s2}',
    '---',
    '# Source: web/templates/bad.yaml',
    'metadata:',
    '  name: nokind',
    '---',
    '# Source: web/templates/broken.yaml',
    'a: [',
  ].join('\n');
  const { objects, broken } = splitManifests(stream);

  test('one object per document (List items expanded), each with its Source and first line', () => {
    expect(objects.map((o) => [o.source, o.kind, o.name, o.namespace, o.streamLine])).toEqual([
      ['web/templates/sa.yaml', 'ServiceAccount', 'web', '', 2],
      ['web/charts/billing/templates/cm.yaml', 'ConfigMap', 'cm', 'shop', 8],
      ['web/templates/list.yaml', 'Secret', 's1', '', 20],
      ['web/templates/list.yaml', 'Secret', 's2', '', 20],
    ]);
    expect(objects[2].listIndex).toBe(0);
  });

  test('duplicate keys travel with the object; the line is within the document', () => {
    expect(objects[1].duplicates).toEqual([{ path: 'data.a', key: 'a', line: 9 }]);
  });

  test('documents that are not objects, or not YAML, are reported with their source', () => {
    expect(broken.map((b) => [b.source, b.missing ?? b.message.length > 0])).toEqual([
      ['web/templates/bad.yaml', ['apiVersion', 'kind']],
      ['web/templates/broken.yaml', true],
    ]);
  });

  test('objectRef', () => {
    expect(objectRef({ kind: 'Deployment', namespace: 'prod', name: 'web' })).toBe('Deployment/prod/web');
    expect(objectRef({ kind: 'ClusterRole', namespace: '', name: 'view' })).toBe('ClusterRole/view');
  });
});
