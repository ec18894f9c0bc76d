// The vulnerability database (and the Java DB when asked): restored from the Actions cache (one key per
// day), kept in a cache folder that self-hosted runners keep between jobs, and otherwise downloaded from
// an ordered list of repositories with bounded rounds of retries and backoff on 429/5xx/network errors.
// A warm run downloads nothing. trivy then always scans with --skip-db-update.
import { core, Deadline, describeExit, exec, type ExecResult, tail, ToolError, UserError } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QUIET_NETWORK, trivyError } from './trivy.js';

export interface DbKind {
  /** Folder under the cache dir and the flags trivy uses for it. */
  name: 'db' | 'java-db';
  label: string;
  schema: number;
  downloadFlag: string;
  repositoryFlag: string;
}
export const VULN_DB: DbKind = { name: 'db', label: 'vulnerability database', schema: 2, downloadFlag: '--download-db-only', repositoryFlag: '--db-repository' };
export const JAVA_DB: DbKind = { name: 'java-db', label: 'Java database', schema: 1, downloadFlag: '--download-java-db-only', repositoryFlag: '--java-db-repository' };

export interface RetryRounds {
  /** Passes over the whole repository list (bounded). */
  rounds: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest one download may take. */
  timeoutMs: number;
}
export const DEFAULT_ROUNDS: RetryRounds = { rounds: 3, baseDelayMs: 1000, maxDelayMs: 30_000, timeoutMs: 300_000 };

export interface DbState {
  present: boolean;
  version?: number;
  updatedAt?: string;
  downloadedAt?: string;
  nextUpdate?: string;
}

/** What metadata.json says about the DB in `<cacheDir>/<kind>`. */
export function dbState(cacheDir: string, kind: DbKind): DbState {
  const dir = join(cacheDir, kind.name);
  const dbFile = join(dir, kind.name === 'db' ? 'trivy.db' : 'trivy-java.db');
  const meta = join(dir, 'metadata.json');
  if (!existsSync(dbFile) || !existsSync(meta)) return { present: false };
  try {
    const m = JSON.parse(readFileSync(meta, 'utf8')) as Record<string, unknown>;
    const s = (v: unknown): string | undefined => (typeof v === 'string' && !v.startsWith('0001-') ? v : undefined);
    return {
      present: true,
      version: typeof m.Version === 'number' ? m.Version : undefined,
      updatedAt: s(m.UpdatedAt),
      downloadedAt: s(m.DownloadedAt),
      nextUpdate: s(m.NextUpdate),
    };
  } catch {
    return { present: false };
  }
}

/** Current: our schema, and either not due for an update or fetched within the last day (the cache key's lifetime). */
export function isFresh(s: DbState, kind: DbKind, now = Date.now()): boolean {
  if (!s.present || s.version !== kind.schema) return false;
  if (s.nextUpdate && Date.parse(s.nextUpdate) > now) return true;
  return Boolean(s.downloadedAt && now - Date.parse(s.downloadedAt) < 24 * 3_600_000);
}

/** A short reason for a failed download, and whether trying again later can help. */
export function classify(stderr: string, r?: ExecResult): { reason: string; retryable: boolean; retryAfterMs?: number } {
  const text = stderr.replace(/\u001b\[[0-9;]*m/g, '');
  const ra = /retry-after:\s*([\d.]+)/i.exec(text);
  const retryAfterMs = ra ? Math.round(Number(ra[1]) * 1000) : undefined;
  // Timed out or killed: the kit's words, with the real time taken and the signal.
  if (r && (r.timedOut || r.exitCode === null)) return { reason: describeExit(r), retryable: true };
  if (/TOOMANYREQUESTS|\b429\b|Too Many Requests/i.test(text)) return { reason: '429 Too Many Requests', retryable: true, retryAfterMs };
  const five = /\b(50[0-4])\b|(Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout)/.exec(text);
  if (five) return { reason: five[1] ? `HTTP ${five[1]}` : five[2], retryable: true };
  if (/connection refused/i.test(text)) return { reason: 'connection refused', retryable: true };
  if (/connection reset|i\/o timeout|TLS handshake timeout|unexpected EOF|context deadline exceeded/i.test(text)) return { reason: 'network error', retryable: true };
  if (/no such host|server misbehaving/i.test(text)) return { reason: 'host not found', retryable: true };
  if (/MANIFEST_UNKNOWN|NAME_UNKNOWN|\b404\b|not found/i.test(text)) return { reason: 'not found (404)', retryable: false };
  if (/UNAUTHORIZED|DENIED|\b401\b|\b403\b/i.test(text)) return { reason: 'access denied', retryable: false };
  return { reason: (trivyError(text) ?? 'download failed').slice(0, 200), retryable: false };
}

export interface DownloadFacts {
  repository: string;
  /** Every attempt, in order: repository and what went wrong. */
  failures: Array<{ repository: string; reason: string }>;
}

/**
 * Downloads one database from the first repository that serves it. Each round tries every repository
 * that has not failed for good (404, denied) in order; a later round waits with exponential backoff
 * (honouring a registry's retry-after). The whole of it — every repository, retry and backoff — stays
 * within `deadline`: each attempt gets what is left, and a repository the time ran out for says so.
 * Throws ToolError naming every repository and what it did.
 */
export async function downloadDb(
  bin: string,
  kind: DbKind,
  repositories: readonly string[],
  cacheDir: string,
  env: Record<string, string>,
  policy: RetryRounds = DEFAULT_ROUNDS,
  deadline: Deadline = new Deadline(policy.timeoutMs * policy.rounds * Math.max(1, repositories.length), 'the download rounds'),
): Promise<DownloadFacts> {
  const failures: DownloadFacts['failures'] = [];
  const lastReason = new Map<string, string>();
  const permanent = new Set<string>();
  rounds: for (let round = 0; round < policy.rounds; round++) {
    let waitMs = 0;
    for (const repo of repositories) {
      if (permanent.has(repo)) continue;
      if (deadline.expired()) break rounds;
      core.info(`${kind.label}: downloading from ${repo}${round ? ` (round ${round + 1} of ${policy.rounds})` : ''}`);
      const r: ExecResult = await exec(bin, ['image', kind.downloadFlag, kind.repositoryFlag, repo, '--cache-dir', cacheDir, ...QUIET_NETWORK], {
        env,
        replaceEnv: true,
        timeoutMs: Math.max(1, deadline.within(policy.timeoutMs)),
        killGraceMs: 2_000,
      });
      if (r.exitCode === 0 && !r.timedOut) {
        core.info(`${kind.label}: downloaded from ${repo}`);
        return { repository: repo, failures };
      }
      const c = classify(r.stderr, r);
      core.info(`${kind.label}: ${repo}: ${c.reason}${c.retryable ? '' : ' (not retried)'}`);
      core.debug(tail(r.stderr, 10));
      failures.push({ repository: repo, reason: c.reason });
      lastReason.set(repo, c.reason);
      if (!c.retryable) permanent.add(repo);
      else if (c.retryAfterMs) waitMs = Math.max(waitMs, c.retryAfterMs);
    }
    if (permanent.size === repositories.length || round === policy.rounds - 1) break;
    const delay = Math.min(policy.maxDelayMs, Math.max(waitMs, policy.baseDelayMs * 2 ** round));
    if (delay >= deadline.remainingMs()) break; // the next round would start after the budget: stop now
    core.info(`${kind.label}: every repository failed; trying again in ${(delay / 1000).toFixed(1)}s`);
    await deadline.sleep(delay);
  }
  const spent = deadline.expired() ? ` within ${deadline.describe()}` : '';
  const tried = repositories.map((r) => `${r} (${lastReason.get(r) ?? (spent ? 'not tried: no time left' : 'not tried')})`).join('; ');
  throw new ToolError(
    `could not download the ${kind.label} from any repository${spent}: ${tried}. Set db-repositories to a reachable mirror, or offline: true with a cached database`,
  );
}

// ---- the Actions cache (@actions/cache), loaded only when the cache service is there ----

/** The Actions cache service is reachable from this job (not on a local run). */
export const cacheServiceAvailable = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean((env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL) && env.ACTIONS_RUNTIME_TOKEN);

/** One key per day: the first job of the day downloads and saves, later ones restore. */
export function cacheKey(kinds: readonly DbKind[], day = new Date().toISOString().slice(0, 10)): { key: string; restoreKeys: string[] } {
  const prefix = `trivy-scan-${kinds.map((k) => k.name).join('+')}-${process.platform}-`;
  return { key: `${prefix}${day}`, restoreKeys: [prefix] };
}

const withTimeout = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what} took longer than ${ms / 1000}s`)), ms).unref())]);

/** Restores the databases; returns the key restored, or undefined. Never fails the run. */
export async function restoreCache(paths: string[], key: { key: string; restoreKeys: string[] }): Promise<string | undefined> {
  if (!cacheServiceAvailable()) {
    core.debug('Actions cache service not available (ACTIONS_CACHE_URL/ACTIONS_RESULTS_URL or ACTIONS_RUNTIME_TOKEN unset): databases are kept in cache-dir only');
    return undefined;
  }
  try {
    const cache = await import('@actions/cache');
    const hit = await withTimeout(cache.restoreCache(paths, key.key, key.restoreKeys), 180_000, 'restoring the database cache');
    if (hit) core.info(`databases restored from the Actions cache (${hit})`);
    return hit;
  } catch (e) {
    core.warning(`Could not restore the database cache: ${(e as Error).message}`);
    return undefined;
  }
}

/** Saves the databases under today's key. Never fails the run. */
export async function saveCache(paths: string[], key: string): Promise<void> {
  if (!cacheServiceAvailable()) return;
  try {
    const cache = await import('@actions/cache');
    await withTimeout(cache.saveCache(paths, key), 300_000, 'saving the database cache');
    core.info(`databases saved to the Actions cache (${key})`);
  } catch (e) {
    // Another job of the same day saved first: that entry serves as well.
    core.info(`database cache not saved: ${(e as Error).message}`);
  }
}

export interface DbPlan {
  cacheDir: string;
  kinds: Array<{ kind: DbKind; repositories: string[] }>;
  /** Never download (offline or skip-db-update). */
  noUpdate: boolean;
  offline: boolean;
  policy?: RetryRounds;
  /** Bounds every download together (the step's timeout input). */
  deadline?: Deadline;
}

export interface DbFacts {
  /** Where each database came from, e.g. "downloaded from ghcr.io/…" or "local". */
  source: Record<string, string>;
  failures: DownloadFacts['failures'];
  updatedAt?: string;
  /** Save the cache after the scan (a database was downloaded and the service is there). */
  save?: { paths: string[]; key: string };
}

/** Makes each database present and current, or says why it cannot be. */
export async function ensureDatabases(bin: string, plan: DbPlan, env: Record<string, string>): Promise<DbFacts> {
  const facts: DbFacts = { source: {}, failures: [] };
  const paths = plan.kinds.map((k) => join(plan.cacheDir, k.kind.name));
  const key = cacheKey(plan.kinds.map((k) => k.kind));
  const allFresh = (): boolean => plan.kinds.every((k) => (plan.noUpdate ? dbState(plan.cacheDir, k.kind).present : isFresh(dbState(plan.cacheDir, k.kind), k.kind)));
  let restored: string | undefined;
  if (!allFresh()) restored = await restoreCache(paths, key);
  let downloaded = false;
  for (const { kind, repositories } of plan.kinds) {
    const before = dbState(plan.cacheDir, kind);
    if (plan.noUpdate) {
      if (!before.present) {
        throw new UserError(
          `${plan.offline ? 'offline' : 'skip-db-update'} is true but no ${kind.label} is cached in ${plan.cacheDir} or the Actions cache; run once without it, or put the database in cache-dir`,
        );
      }
      facts.source[kind.name] = restored ? 'actions-cache' : 'local';
    } else if (isFresh(before, kind)) {
      facts.source[kind.name] = restored ? 'actions-cache' : 'local';
    } else {
      if (!repositories.length) throw new UserError(`no ${kind.label} repositories given and none is cached`);
      const d = await downloadDb(bin, kind, repositories, plan.cacheDir, env, plan.policy, plan.deadline);
      facts.failures.push(...d.failures);
      facts.source[kind.name] = `downloaded from ${d.repository}`;
      downloaded = true;
    }
    if (kind.name === 'db') facts.updatedAt = dbState(plan.cacheDir, kind).updatedAt;
  }
  if (cacheServiceAvailable() && downloaded) facts.save = { paths, key: key.key };
  return facts;
}
