// A failed Helm revision, recorded the way helm records one. The action runs `helm upgrade` without
// helm's own wait (it watches the workloads itself, with fail-fast rules), so helm saw the upgrade
// succeed and wrote "deployed / Upgrade complete". When the rollout or a smoke test then fails, this
// rewrites that revision's record to what `helm upgrade --wait --rollback-on-failure` (helm 4; --atomic
// in helm 3) leaves: status `failed`, description `Upgrade "<release>" failed: <why>`. A later
// `helm rollback` keeps it failed (helm supersedes only deployed revisions), so `helm history` reads
// 1 superseded, 2 failed, 3 deployed "Rollback to 1" — as helm users know it.
//
// The record is helm's storage object (a Secret by default, a ConfigMap with HELM_DRIVER=configmap):
// base64 of the gzipped release JSON, labelled with its status. It holds the release's values, so it is
// only ever passed between kubectl calls, never printed. Best effort: a failure is a warning.
import { core, tail } from '@platform-actions/kit';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Kubectl } from './kubectl.js';

const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

interface StorageObject {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; [k: string]: unknown };
  data?: Record<string, string>;
  [k: string]: unknown;
}

interface ReleaseJson {
  info?: { status?: string; description?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** helm's storage kind for HELM_DRIVER, or undefined for one kept outside the cluster's objects (sql, memory). */
export function storageKind(driver = process.env.HELM_DRIVER ?? ''): 'secret' | 'configmap' | undefined {
  const d = driver.trim().toLowerCase();
  if (d === '' || d === 'secret' || d === 'secrets') return 'secret';
  if (d === 'configmap' || d === 'configmaps') return 'configmap';
  return undefined;
}

/** helm's encoding of a release: base64 of gzip of the JSON (plain JSON for very old records). */
export function decodeRelease(text: string): ReleaseJson {
  const bytes = Buffer.from(text, 'base64');
  const gz = GZIP_MAGIC.every((b, i) => bytes[i] === b);
  return JSON.parse((gz ? gunzipSync(bytes) : bytes).toString('utf8')) as ReleaseJson;
}

const encodeRelease = (rel: ReleaseJson): string => gzipSync(Buffer.from(JSON.stringify(rel)), { level: 9 }).toString('base64');

/** The storage object with the release marked failed, its status label and modifiedAt as helm sets them. */
export function markedFailed(obj: StorageObject, description: string, now = Date.now()): StorageObject {
  const secret = obj.kind === 'Secret';
  const stored = obj.data?.release;
  if (!stored) throw new Error(`${obj.kind} ${obj.metadata.name} holds no release`);
  const rel = decodeRelease(secret ? Buffer.from(stored, 'base64').toString('utf8') : stored);
  rel.info = { ...rel.info, status: 'failed', description };
  const encoded = encodeRelease(rel);
  return {
    ...obj,
    metadata: { ...obj.metadata, labels: { ...obj.metadata.labels, status: 'failed', modifiedAt: String(Math.floor(now / 1000)) } },
    data: { ...obj.data, release: secret ? Buffer.from(encoded).toString('base64') : encoded },
  };
}

/**
 * Marks revision `revision` of `release` failed with `description` (helm's words: `Upgrade "x" failed: …`
 * or `Release "x" failed: …`). The replace carries the resourceVersion read, so a concurrent writer wins
 * and this one only warns. Returns whether the record was changed.
 */
export async function recordFailed(k: Kubectl, o: { release: string; namespace: string; revision: number; description: string }): Promise<boolean> {
  const kind = storageKind();
  const name = `sh.helm.release.v1.${o.release}.v${o.revision}`;
  const warn = (why: string): false => {
    core.warning(`helm history still shows revision ${o.revision} of ${o.release} as helm left it (${why}); the deploy result is unchanged`);
    return false;
  };
  if (!kind) return warn(`HELM_DRIVER=${process.env.HELM_DRIVER} keeps releases outside the cluster's objects`);
  const got = await k.run(['get', kind, name, '-n', o.namespace, '-o', 'json'], { timeoutMs: 20_000 });
  if (got.exitCode !== 0) return warn(`kubectl get ${kind} ${name}: ${tail(got.stderr, 1) || 'failed'}`);
  let updated: StorageObject;
  try {
    updated = markedFailed(JSON.parse(got.stdout) as StorageObject, o.description.slice(0, 500));
  } catch (e) {
    return warn(`its record could not be read: ${(e as Error).message}`);
  }
  const put = await k.run(['replace', '-f', '-'], { input: JSON.stringify(updated), timeoutMs: 20_000 });
  if (put.exitCode !== 0) return warn(`kubectl replace ${kind} ${name}: ${tail(put.stderr, 1) || 'failed'}`);
  core.info(`helm history: revision ${o.revision} of ${o.release} recorded as failed (${o.description.slice(0, 200)})`);
  return true;
}
