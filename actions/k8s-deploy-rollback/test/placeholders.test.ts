// The placeholder guard: exact leftovers, and near misses of a configured placeholder or of the
// *_PLACEHOLDER convention (a typo, another case, another separator), over objects built here; and the
// values that must pass (ordinary words, tags, the substituted values themselves).
import { describe, expect, test } from '@jest/globals';
import type { LoadedObject } from '../src/manifests.js';
import { candidates, nearMiss, placeholderError, placeholderHits, typoDistance } from '../src/placeholders.js';

const object = (image: string, env: Record<string, string> = {}): LoadedObject => ({
  source: 'k8s/web.yaml',
  doc: 1,
  obj: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { 'app.kubernetes.io/version': 'v1.4.2' } },
    spec: { template: { spec: { containers: [{ name: 'app', image, env: Object.entries(env).map(([name, value]) => ({ name, value })) }] } } },
  },
});

test.each([
  ['VERSION_PLACEHOLDER', 'VERSION_PLACEHOLDR', 1],
  ['VERSION_PLACEHOLDER', 'VERSION_PLACEHOLEDR', 1], // transposition
  ['VERSION_PLACEHOLDER', 'VERSON_PLACEHOLDR', 2],
  ['VERSION_PLACEHOLDER', 'VERSION_PLACEHOLDER', 0],
  ['abc', 'xyz', 3],
])('typoDistance(%s, %s) = %i', (a, b, d) => expect(typoDistance(a, b, 5)).toBe(d));

test('typoDistance stops once the bound is passed', () => expect(typoDistance('VERSION_PLACEHOLDER', 'something-else-entirely', 2)).toBe(3));

test('candidates: every run and every slice of words, with or without the separators around it', () => {
  expect(candidates('registry.example.com/web:web-VERSION_PLACEHOLDR', 3)).toEqual(
    expect.arrayContaining(['registry.example.com', 'web', 'web-VERSION_PLACEHOLDR', 'VERSION_PLACEHOLDR', '-VERSION_PLACEHOLDR']),
  );
  expect(candidates('__VERSION__', 2)).toEqual(expect.arrayContaining(['VERSION', '__VERSION__']));
});

describe('nearMiss', () => {
  const tokens = ['VERSION_PLACEHOLDER', '__IMAGE_TAG__'];
  test.each([
    ['VERSION_PLACEHOLDR', 'VERSION_PLACEHOLDER'], // the typo from issue 25
    ['VERSION-PLACEHOLDER', 'VERSION_PLACEHOLDER'], // another separator
    ['version_placeholder', 'VERSION_PLACEHOLDER'], // another case
    ['Version.Placeholder', 'VERSION_PLACEHOLDER'],
    ['VERSIONPLACEHOLDER', 'VERSION_PLACEHOLDER'],
    ['VRESION-PLACEHOLDER', 'VERSION_PLACEHOLDER'], // a transposition and another separator
    ['__IMAGE_TGA__', '__IMAGE_TAG__'],
    ['__image-tag__', '__IMAGE_TAG__'],
    ['RELEASE_PLACEHOLDR', 'RELEASE_PLACEHOLDER'], // the convention, no token configured for it
    ['RELEASE-PLACEHOLDER', 'RELEASE_PLACEHOLDER'],
  ])('%s is a near miss of %s', (text, of) => expect(nearMiss(text, tokens)).toBe(of));

  test.each([
    'VERSION_PLACEHOLDER', // the token itself: an exact leftover, reported as such
    'RELEASE_PLACEHOLDER',
    'VRESION_PLACEHOLDER', // the convention itself: an exact leftover too
    'VERSION', // an ordinary word in a value (an env var named VERSION)
    '__IMAGE__',
    'version',
    'v1.4.2',
    'registry.example.com',
    'data-placeholder', // lower case is not the convention: an HTML attribute in a ConfigMap passes
    'IMAGE_TAG_RELEASE',
  ])('%s is not a near miss', (text) => expect(nearMiss(text, tokens)).toBeUndefined());

  test('short tokens: another case or separator counts, a typo does not', () => {
    expect(nearMiss('app-id', ['APP_ID'])).toBe('APP_ID');
    expect(nearMiss('APP_ENV', ['APP_ID'])).toBeUndefined();
    expect(nearMiss('tag-x', ['TAG_X'])).toBe('TAG_X');
    expect(nearMiss('TAG_Y', ['TAG_X'])).toBeUndefined(); // 5 characters: no typo counts
    expect(nearMiss('tag', ['TAG'])).toBeUndefined(); // under 4 characters: exact only
  });
});

describe('placeholderHits', () => {
  test('names the object, the field and the token of every near miss, after a clean substitution elsewhere', () => {
    const hits = placeholderHits([object('registry.example.com/web:VERSION_PLACEHOLDR', { RELEASE: 'version-placeholder', VERSION: 'v1.4.2' })], ['VERSION_PLACEHOLDER']);
    expect(hits).toEqual([
      { object: 'k8s/web.yaml document 1 (Deployment/web)', field: 'spec.template.spec.containers[0].image', token: 'VERSION_PLACEHOLDR', nearMissOf: 'VERSION_PLACEHOLDER' },
      {
        object: 'k8s/web.yaml document 1 (Deployment/web)',
        field: 'spec.template.spec.containers[0].env[0].value',
        token: 'version-placeholder',
        nearMissOf: 'VERSION_PLACEHOLDER',
      },
    ]);
  });

  test('a substituted manifest with ordinary values passes', () => {
    expect(placeholderHits([object('registry.example.com/web:v1.4.2', { VERSION: 'v1.4.2', MODE: 'placeholder-free' })], ['VERSION_PLACEHOLDER'])).toEqual([]);
  });

  test('the refusal is one line naming object, field, token and the placeholder it nearly is', () => {
    const e = placeholderError(placeholderHits([object('registry.example.com/web:VERSION_PLACEHOLDR')], ['VERSION_PLACEHOLDER']));
    expect(e.message).toBe(
      'manifests: 1 value(s) still hold a placeholder or a near miss of one, nothing was applied: k8s/web.yaml document 1 (Deployment/web): VERSION_PLACEHOLDR at spec.template.spec.containers[0].image (a near miss of the placeholder VERSION_PLACEHOLDER)',
    );
    expect(e.message).not.toContain('\n');
  });
});
