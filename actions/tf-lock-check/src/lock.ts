// The live lock of one S3 backend: where it lives (the .tflock object and/or the DynamoDB item),
// what it says (terraform's LockInfo JSON), how old it is, and a release that only ever removes the
// exact lock that was judged stale.
import { UserError } from '@platform-actions/kit';
import { type DdbTarget, ddbDeleteIfInfo, ddbGetInfo, s3DeleteIfMatch, s3Get, type S3Target } from './aws.js';
import { type HclValue, isTrue, str } from './hcl.js';
import type { Credentials } from './sigv4.js';

/** terraform's statemgr.LockInfo; the keys are Go field names. */
export interface LockInfo {
  ID: string;
  Operation?: string;
  Info?: string;
  Who?: string;
  Version?: string;
  Created?: string;
  Path?: string;
}

export interface HeldLock {
  store: 's3' | 'dynamodb';
  /** s3://bucket/key.tflock or dynamodb://table/LockID */
  where: string;
  info: LockInfo;
  ageMs?: number;
  /** What a conditional release needs: the ETag (S3) or the raw Info (DynamoDB). */
  token?: string;
}

export interface LockTargets {
  s3?: S3Target & { key: string };
  ddb?: DdbTarget & { lockId: string };
}

export function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as LockInfo;
    return v && typeof v === 'object' && typeof v.ID === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function lockAge(info: LockInfo, now: number): number | undefined {
  const t = info.Created ? Date.parse(info.Created) : NaN;
  return Number.isNaN(t) ? undefined : Math.max(0, now - t);
}

/** The state path for a workspace: default → key; others → <workspace_key_prefix>/<ws>/<key>. */
export function statePath(config: Record<string, HclValue>, workspace: string): string {
  const key = str(config.key);
  if (!key) throw new UserError('the s3 backend has no static "key"; pass it with the backend-config input (key=path/to/terraform.tfstate)');
  return workspace === 'default' ? key : `${str(config.workspace_key_prefix) ?? 'env:'}/${workspace}/${key}`;
}

/** Where the locks of this backend configuration live. Config endpoints win over AWS_ENDPOINT_URL_*. */
export function lockTargets(config: Record<string, HclValue>, workspace: string, env: NodeJS.ProcessEnv = process.env): LockTargets {
  const bucket = str(config.bucket);
  if (!bucket) throw new UserError('the s3 backend has no static "bucket"; pass it with the backend-config input (bucket=name)');
  const region = str(config.region) || env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) throw new UserError('no AWS region: set "region" in the backend, or AWS_REGION');
  const endpoints = (typeof config.endpoints === 'object' && config.endpoints !== null && !Array.isArray(config.endpoints) ? config.endpoints : {}) as Record<string, HclValue>;
  const path = statePath(config, workspace);
  const out: LockTargets = {};
  const lockfile = isTrue(config.use_lockfile);
  const table = str(config.dynamodb_table);
  if (lockfile) {
    const custom = str(endpoints.s3) || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
    out.s3 = { endpoint: custom || `https://s3.${region}.amazonaws.com`, pathStyle: isTrue(config.use_path_style), region, bucket, key: `${path}.tflock` };
  }
  if (table) {
    const custom = str(endpoints.dynamodb) || env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
    out.ddb = { endpoint: custom || `https://dynamodb.${region}.amazonaws.com`, region, table, lockId: `${bucket}/${path}` };
  }
  if (!out.s3 && !out.ddb)
    throw new UserError('this s3 backend has no locking (neither use_lockfile = true nor dynamodb_table), so there is no lock to read; run the lint command');
  return out;
}

/** Every lock currently held, from each configured store (double locking holds both, same ID). */
export async function readLocks(t: LockTargets, creds: Credentials, now = Date.now()): Promise<HeldLock[]> {
  const out: HeldLock[] = [];
  const [obj, item] = await Promise.all([t.s3 ? s3Get(t.s3, t.s3.key, creds) : null, t.ddb ? ddbGetInfo(t.ddb, t.ddb.lockId, creds) : null]);
  if (obj && t.s3) {
    const info = parseLockInfo(obj.body) ?? { ID: '(unreadable lock object)' };
    out.push({ store: 's3', where: `s3://${t.s3.bucket}/${t.s3.key}`, info, ageMs: lockAge(info, now), token: obj.etag });
  }
  if (item !== null && t.ddb) {
    const info = parseLockInfo(item) ?? { ID: '(unreadable lock item)' };
    out.push({ store: 'dynamodb', where: `dynamodb://${t.ddb.table}/${t.ddb.lockId}`, info, ageMs: lockAge(info, now), token: item });
  }
  return out;
}

export const describeLock = (l: HeldLock): string =>
  `${l.info.Who || 'unknown holder'} (${l.info.Operation || 'unknown operation'}, ${l.info.Version ? `v${l.info.Version}, ` : ''}ID ${l.info.ID}, created ${l.info.Created || 'unknown'}${l.ageMs !== undefined ? `, ${formatAge(l.ageMs)} ago` : ''}) in ${l.where}`;

export function formatAge(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 120 ? `${m}m${s % 60 ? `${s % 60}s` : ''}` : `${Math.floor(m / 60)}h${m % 60}m`;
}

/** Stale = older than the threshold by its own Created time. No Created time is never stale. */
export const isStale = (l: HeldLock, staleAfterMs: number): boolean => l.ageMs !== undefined && l.ageMs >= staleAfterMs;

/** Waits between polls: 1 s doubling to a 16 s cap, like terraform's own -lock-timeout retries. */
export function backoff(attempt: number, capMs = 16_000): number {
  return Math.min(capMs, 1000 * 2 ** Math.max(0, attempt));
}

export interface Release {
  released: HeldLock[];
  refused: Array<{ lock: HeldLock; reason: string }>;
}

/**
 * Releases the stale lock `id`: re-reads every store right before, and removes only a lock that still
 * has exactly that ID and is still older than the threshold, conditionally on what was just read.
 */
export async function releaseStale(t: LockTargets, id: string, staleAfterMs: number, creds: Credentials, now = () => Date.now()): Promise<Release> {
  const fresh = await readLocks(t, creds, now());
  const out: Release = { released: [], refused: [] };
  for (const l of fresh) {
    if (l.info.ID !== id) out.refused.push({ lock: l, reason: `its ID is now ${l.info.ID}, not ${id}` });
    else if (!isStale(l, staleAfterMs)) out.refused.push({ lock: l, reason: `it is younger than stale-after (${l.ageMs === undefined ? 'no created time' : formatAge(l.ageMs)})` });
  }
  if (out.refused.length) return out; // all or nothing: never leave half of a double lock
  for (const l of fresh) {
    if (l.store === 's3' && t.s3) await s3DeleteIfMatch(t.s3, t.s3.key, l.token, creds);
    if (l.store === 'dynamodb' && t.ddb) await ddbDeleteIfInfo(t.ddb, t.ddb.lockId, l.token ?? '', creds);
    out.released.push(l);
  }
  return out;
}
