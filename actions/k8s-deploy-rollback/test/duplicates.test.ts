// One object, one definition: the same object in two manifest files is applied once when the two
// definitions are equal (whatever their key order), and refused with both places named when they differ.
import { expect, test } from '@jest/globals';
import { objectKey, uniqueObjects } from '../src/duplicates.js';
import type { K8sObject, LoadedObject } from '../src/manifests.js';

const at = (source: string, doc: number, obj: K8sObject): LoadedObject => ({ source, doc, obj });
const cm = (name: string, data: Record<string, string>, extra: Partial<K8sObject['metadata']> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...extra },
  data,
});
const web = (image: string, apiVersion = 'apps/v1'): K8sObject => ({
  apiVersion,
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
});
const ns = (o: K8sObject): string => o.metadata.namespace ?? 'team';

test('identity: group (not version), kind, namespace, name; generateName objects are always new', () => {
  expect(objectKey(web('x'), 'team')).toBe(objectKey(web('x', 'apps/v1beta2'), 'team'));
  expect(objectKey(web('x'), 'team')).not.toBe(objectKey(web('x'), 'other'));
  expect(objectKey(cm('a', {}), 'team')).toBe('|ConfigMap|team|a');
  expect(objectKey({ apiVersion: 'batch/v1', kind: 'Job', metadata: { generateName: 'migrate-' } }, 'team')).toBeUndefined();
});

test('an identical repeat (keys in another order) is applied once and said so', () => {
  const lines: string[] = [];
  const a = at('k8s/app.yaml', 1, cm('settings', { a: '1', b: '2' }));
  const b = at('k8s/copy/app.yaml', 1, { data: { b: '2', a: '1' }, metadata: { name: 'settings' }, kind: 'ConfigMap', apiVersion: 'v1' });
  const c = at('k8s/app.yaml', 2, web('registry.example/web:1'));
  expect(uniqueObjects([a, c, b], ns, (l) => lines.push(l))).toEqual([a, c]);
  expect(lines).toEqual(['ConfigMap/team/settings is defined in both k8s/app.yaml document 1 and k8s/copy/app.yaml document 1, identically: applied once']);
});

test('two different definitions of one object: a configuration error naming both files', () => {
  expect(() => uniqueObjects([at('k8s/web.yaml', 1, web('registry.example/web:1')), at('k8s/web-v2.yaml', 3, web('registry.example/web:2'))], ns)).toThrow(
    'manifests: Deployment/team/web is defined twice with different content, in k8s/web.yaml document 1 and in k8s/web-v2.yaml document 3; nothing was applied (kubectl would apply both, the second over the first): keep one definition',
  );
});

test('the namespace decides: the same name in two namespaces is two objects; an object without one lands in the target', () => {
  const objs = [at('a.yaml', 1, cm('s', { a: '1' })), at('b.yaml', 1, cm('s', { a: '2' }, { namespace: 'other' }))];
  expect(uniqueObjects(objs, ns)).toEqual(objs);
  expect(() => uniqueObjects([at('a.yaml', 1, cm('s', { a: '1' })), at('b.yaml', 1, cm('s', { a: '2' }, { namespace: 'team' }))], ns)).toThrow(
    /ConfigMap\/team\/s is defined twice/,
  );
});
