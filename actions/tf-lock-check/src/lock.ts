// The live lock of one S3 backend: where it lives (the .tflock object and/or the DynamoDB item),
// what it says (terraform's LockInfo JSON), how old it is, and a release that only ever removes the
// exact lock that was judged stale.
import { PolicyError, ToolError, UserError } from '@platform-actions/kit';
import { type DdbTarget, ddbDeleteIfInfo, ddbGetInfo, LockChanged, s3DeleteIfMatch, s3Get, type S3Target } from './aws.js';
import { SettingError } from './backend.js';
import { type HclValue, isTrue, str } from './hcl.js';
import { checkedBucket, checkedEndpoint, checkedRegion, dynamoLockId, lockObjectKey, s3Uri, statePath } from './s3path.js';
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

/** Where the locks of this backend configuration live, refused before any request when a setting could
 * point them elsewhere. Config endpoints win over AWS_ENDPOINT_URL_*. `from` says where each setting
 * came from, for the error line. */
export function lockTargets(config: Record<string, HclValue>, workspace: string, env: NodeJS.ProcessEnv = process.env, from: Record<string, string> = {}): LockTargets {
  const bucket = checkedBucket(config, from);
  const region = str(config.region)
    ? checkedRegion(str(config.region)!, 'region', from.region)
    : env.AWS_REGION
      ? checkedRegion(env.AWS_REGION, 'region', 'AWS_REGION')
      : env.AWS_DEFAULT_REGION
        ? checkedRegion(env.AWS_DEFAULT_REGION, 'region', 'AWS_DEFAULT_REGION')
        : undefined;
  if (!region) throw new UserError('no AWS region: set "region" in the backend, or AWS_REGION');
  const endpoints = (typeof config.endpoints === 'object' && config.endpoints !== null && !Array.isArray(config.endpoints) ? config.endpoints : {}) as Record<string, HclValue>;
  const endpoint = (service: 's3' | 'dynamodb', envName: string): string | undefined => {
    const own = str(endpoints[service]);
    if (own) return checkedEndpoint(own, `endpoints.${service}`, from.endpoints);
    for (const name of [envName, 'AWS_ENDPOINT_URL']) if (env[name]) return checkedEndpoint(env[name]!, service === 's3' ? 'endpoints.s3' : 'endpoints.dynamodb', name);
    return undefined;
  };
  const path = statePath(config, workspace, from);
  const out: LockTargets = {};
  const table = str(config.dynamodb_table);
  if (isTrue(config.use_lockfile)) {
    out.s3 = {
      endpoint: endpoint('s3', 'AWS_ENDPOINT_URL_S3') ?? `https://s3.${region}.amazonaws.com`,
      pathStyle: isTrue(config.use_path_style) || isTrue(config.force_path_style),
      region,
      bucket,
      key: lockObjectKey(path),
    };
  }
  if (table) {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table))
      throw new SettingError('dynamodb_table', from.dynamodb_table, 'must be a DynamoDB table name: 3 to 255 letters, digits, "_", "-" and "."', table);
    out.ddb = { endpoint: endpoint('dynamodb', 'AWS_ENDPOINT_URL_DYNAMODB') ?? `https://dynamodb.${region}.amazonaws.com`, region, table, lockId: dynamoLockId(bucket, path) };
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
    out.push({ store: 's3', where: s3Uri(t.s3.bucket, t.s3.key), info, ageMs: lockAge(info, now), token: obj.etag });
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
  /** What was removed, in order. */
  released: HeldLock[];
  /** The lock was already gone when re-read: nothing to release. */
  gone?: boolean;
  /**
   * Why the lock was not released, or only in part: one line that says exactly which store still holds
   * it. A policy failure when the lock changed (another ID, younger, replaced mid-release), a tool
   * error when a store cannot release it safely or answers with an error.
   */
  failure?: PolicyError | ToolError;
}

/**
 * Releases the stale lock `id`: re-reads every store right before, checks all of them first (a lock
 * with another ID, one younger than the threshold, or an S3 lock without an ETag stops the release
 * before anything is removed), then removes each conditionally on what was just read — S3 first, then
 * DynamoDB, terraform's own order. S3 and DynamoDB cannot be changed in one transaction: if the
 * second removal fails, the result says the first was released and the second still holds the state.
 */
export async function releaseStale(t: LockTargets, id: string, staleAfterMs: number, creds: Credentials, now = () => Date.now()): Promise<Release> {
  const fresh = await readLocks(t, creds, now());
  if (fresh.length === 0) return { released: [], gone: true };
  const noEtag = fresh.find((l) => l.store === 's3' && !l.token);
  if (noEtag)
    return {
      released: [],
      failure: new ToolError(
        `stale lock ${id} was not released: the S3 store sent no ETag for ${noEtag.where}, so it cannot be deleted on the condition that it is still the lock judged stale (If-Match), and an unconditional DELETE could remove a newer lock; nothing was released`,
      ),
    };
  const refused: string[] = [];
  for (const l of fresh) {
    if (l.info.ID !== id) refused.push(`${l.where} now holds ID ${l.info.ID}, not ${id}`);
    else if (!isStale(l, staleAfterMs)) refused.push(`${l.where} is younger than stale-after (${l.ageMs === undefined ? 'no created time' : formatAge(l.ageMs)})`);
  }
  if (refused.length) return { released: [], failure: new PolicyError(`stale lock ${id} was not released: on re-reading, ${refused.join('; ')}; nothing was released`) };

  const released: HeldLock[] = [];
  for (const l of fresh) {
    try {
      if (l.store === 's3' && t.s3) await s3DeleteIfMatch(t.s3, t.s3.key, l.token!, creds);
      if (l.store === 'dynamodb' && t.ddb) await ddbDeleteIfInfo(t.ddb, t.ddb.lockId, l.token ?? '', creds);
    } catch (e) {
      if (!(e instanceof LockChanged) && !(e instanceof ToolError)) throw e;
      const why = e instanceof LockChanged ? 'it changed between the check and the release' : e.message;
      const msg = released.length
        ? `stale lock ${id} was released only in part: ${released.map((r) => r.where).join(' and ')} was released, but ${l.where} was not (${why}), so the state is still locked; run recover again or terraform force-unlock ${id}`
        : `stale lock ${id} was not released: ${l.where}: ${why}; nothing was released`;
      return { released, failure: e instanceof LockChanged ? new PolicyError(msg) : new ToolError(msg, e instanceof ToolError ? e.detail : undefined) };
    }
    released.push(l);
  }
  return { released };
}
