// Manifest loading, substitution and the placeholder guard, over files written here.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSources, imageMatches, imageName, loadFiles, parseDocuments, parseImageRules, parsePlaceholders, placeInNamespace, substitute } from '../src/manifests.js';
import { placeholderHits } from '../src/placeholders.js';

let ws: string;
const deploy = (name: string, image: string, extra = ''): string =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n${extra}spec:\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;

beforeAll(() => {
  ws = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
  mkdirSync(join(ws, 'k8s', 'base'), { recursive: true });
  mkdirSync(join(ws, 'kust'), { recursive: true });
  writeFileSync(
    join(ws, 'k8s', 'base', 'api.yaml'),
    `${deploy('api', 'ghcr.io/acme/api:VERSION_PLACEHOLDER')}---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n---\n`,
  );
  writeFileSync(join(ws, 'k8s', 'worker.yml'), deploy('worker', 'worker:1.0', '  namespace: jobs\n'));
  writeFileSync(join(ws, 'k8s', 'notes.txt'), 'not yaml');
  writeFileSync(join(ws, 'kust', 'kustomization.yaml'), 'resources: []\n');
});
afterAll(() => rmSync(ws, { recursive: true, force: true }));

describe('findSources', () => {
  test('directories recurse in name order, globs match, kustomize directories are one source, duplicates collapse', () => {
    const s = findSources(['k8s', 'k8s/**/*.yaml', 'kust'], ws);
    expect(s.map((x) => `${x.kind}:${x.path.slice(ws.length + 1)}`)).toEqual(['file:k8s/base/api.yaml', 'file:k8s/worker.yml', 'kustomize:kust']);
  });
  test.each([
    [[], /at least one/],
    [['missing.yaml'], /existing file/],
    [['k8s/**/*.json'], /matched no/],
    [['../outside.yaml'], /inside the workspace/],
  ])('%j is an input error', (entries, re) => {
    expect(() => findSources(entries, ws)).toThrow(re);
  });
});

describe('parseDocuments', () => {
  test('multi-document streams, empty documents and Lists', () => {
    const objs = parseDocuments(`---\n${deploy('a', 'x')}---\n---\nkind: List\napiVersion: v1\nitems:\n  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}}\n`, 'f.yaml');
    expect(objs.map((o) => `${o.obj.kind}/${o.obj.metadata.name}@${o.doc}`)).toEqual(['Deployment/a@1', 'ConfigMap/c@3']);
  });
  test.each([
    ['key: [unclosed\n', /f.yaml:\d+ is not valid YAML/],
    ['a: 1\na: 2\n', /not valid YAML/],
    ['- just\n- a list\n', /is not a Kubernetes object/],
    ['kind: ConfigMap\nmetadata: {name: x}\n', /has no apiVersion/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n', /has no metadata.name/],
  ])('%j is rejected with one line naming the file', (text, re) => {
    expect(() => parseDocuments(text, 'f.yaml')).toThrow(re);
  });
});

describe('images', () => {
  test.each([
    ['ghcr.io/acme/api:1.0', 'ghcr.io/acme/api'],
    ['localhost:5000/api:1.0', 'localhost:5000/api'],
    ['localhost:5000/api', 'localhost:5000/api'],
    ['api@sha256:abc', 'api'],
    ['acme/api:1.0@sha256:abc', 'acme/api'],
  ])('imageName(%s) = %s', (ref, name) => expect(imageName(ref)).toBe(name));
  test.each([
    ['api', 'ghcr.io/acme/api:1.0', true],
    ['acme/api', 'ghcr.io/acme/api:1.0', true],
    ['ghcr.io/acme/api', 'ghcr.io/acme/api:1.0', true],
    ['pi', 'ghcr.io/acme/api:1.0', false],
    ['api', 'ghcr.io/acme/api-worker:1.0', false],
  ])('rule %s matches %s: %s', (rule, ref, want) => expect(imageMatches(rule, ref)).toBe(want));
  test.each([['api'], ['=x:1'], ['api:1.0=x:2'], ['api=x y']])('bad images entry %s', (e) => expect(() => parseImageRules([e])).toThrow(/input "images"/));
});

describe('substitute and the placeholder guard', () => {
  test('placeholders and images are replaced; nothing is left', () => {
    const loaded = loadFiles(findSources(['k8s'], ws), ws);
    const sub = substitute(loaded, parseImageRules(['worker=registry.local/worker:2.0']), parsePlaceholders(['VERSION_PLACEHOLDER=v1.4.2']));
    const images = sub.objects
      .filter((o) => o.obj.kind === 'Deployment')
      .map((o) => (o.obj.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0].image);
    expect(images).toEqual(['ghcr.io/acme/api:v1.4.2', 'registry.local/worker:2.0']);
    expect(sub.imagesReplaced).toEqual([{ rule: 'worker', object: 'Deployment/jobs/worker', container: 'app', from: 'worker:1.0', to: 'registry.local/worker:2.0' }]);
    expect(placeholderHits(sub.objects, ['VERSION_PLACEHOLDER'])).toEqual([]);
    // The originals are untouched.
    expect(JSON.stringify(loaded)).toContain('VERSION_PLACEHOLDER');
  });
  test('an unreplaced placeholder is named with file, document, object and path', () => {
    const loaded = loadFiles(findSources(['k8s/base/api.yaml'], ws), ws);
    expect(placeholderHits(loaded, [])).toEqual([
      { object: 'k8s/base/api.yaml document 1 (Deployment/api)', field: 'spec.template.spec.containers[0].image', token: 'VERSION_PLACEHOLDER' },
    ]);
    const sub = substitute(loaded, [], parsePlaceholders(['OTHER_TOKEN=1']));
    expect(placeholderHits(sub.objects, ['OTHER_TOKEN'])).toHaveLength(1);
  });
  test.each([['=1'], ['TOKEN='], ['has space=1']])('bad placeholders entry %s', (e) => expect(() => parsePlaceholders([e])).toThrow(/input "placeholders"/));
});

test('placeInNamespace never overrides a declared namespace and skips cluster-scoped kinds', () => {
  const objs = parseDocuments(
    `${deploy('a', 'x')}---\n${deploy('b', 'x', '  namespace: other\n')}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {}\n`,
    'f',
  );
  const refs = placeInNamespace(objs, 'team', (o) => o.kind === 'Namespace');
  expect(objs.map((o) => o.obj.metadata.namespace)).toEqual(['team', 'other', undefined, 'team']);
  expect(refs).toEqual([
    { kind: 'Deployment', namespace: 'team', name: 'a' },
    { kind: 'Deployment', namespace: 'other', name: 'b' },
    { kind: 'StatefulSet', namespace: 'team', name: 's' },
  ]);
});
