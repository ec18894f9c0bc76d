// helm's release record, read and rewritten: base64 of gzipped JSON (inside a Secret's own base64, or
// as a ConfigMap's string), status label and modifiedAt set as helm's storage driver sets them, and every
// other field of the release kept as it was. The real round trip — helm reading what this wrote — is in
// helm.e2e.test.ts.
import { expect, test } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { decodeRelease, markedFailed, storageKind } from '../src/helm-record.js';

const release = {
  name: 'trading',
  info: { first_deployed: '2026-01-01T00:00:00Z', status: 'deployed', description: 'Upgrade complete', notes: 'x' },
  config: { replicas: 2, image: { tag: '1.1.0' } },
  manifest: '---\nkind: Deployment\n',
  version: 2,
  namespace: 'team',
};
const helmEncoded = (rel: unknown): string => gzipSync(Buffer.from(JSON.stringify(rel))).toString('base64');

test.each([
  ['', 'secret'],
  ['secrets', 'secret'],
  ['ConfigMap', 'configmap'],
  ['sql', undefined],
  ['memory', undefined],
])('HELM_DRIVER=%j is stored as %s', (driver, kind) => expect(storageKind(driver)).toBe(kind));

test('a Secret record: status and description changed, everything else kept, labels as helm sets them', () => {
  const obj = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'helm.sh/release.v1',
    metadata: { name: 'sh.helm.release.v1.trading.v2', resourceVersion: '42', labels: { name: 'trading', owner: 'helm', status: 'deployed', version: '2' } },
    data: { release: Buffer.from(helmEncoded(release)).toString('base64') },
  };
  const out = markedFailed(obj, 'Upgrade "trading" failed: ImagePullBackOff: …', Date.UTC(2026, 0, 2) + 999);
  expect(out.metadata).toEqual({ ...obj.metadata, labels: { name: 'trading', owner: 'helm', status: 'failed', version: '2', modifiedAt: String(Date.UTC(2026, 0, 2) / 1000) } });
  expect(out.type).toBe('helm.sh/release.v1');
  const back = decodeRelease(Buffer.from(out.data!.release, 'base64').toString('utf8'));
  expect(back).toEqual({ ...release, info: { ...release.info, status: 'failed', description: 'Upgrade "trading" failed: ImagePullBackOff: …' } });
});

test('a ConfigMap record holds helm’s string itself; an old uncompressed record is read too', () => {
  const plain = Buffer.from(JSON.stringify(release)).toString('base64');
  const out = markedFailed({ kind: 'ConfigMap', metadata: { name: 'sh.helm.release.v1.trading.v2' }, data: { release: plain } }, 'Release "trading" failed: x');
  expect(decodeRelease(out.data!.release).info).toMatchObject({ status: 'failed', description: 'Release "trading" failed: x' });
  expect(out.metadata.labels).toMatchObject({ status: 'failed' });
});

test('a record without a release is an error (reported as a warning by recordFailed)', () => {
  expect(() => markedFailed({ kind: 'Secret', metadata: { name: 's' }, data: {} }, 'x')).toThrow(/holds no release/);
});
