// Downloads with a bounded number of retries and backoff. Retries what a retry can fix (429, 5xx, network
// errors, a body shorter than announced) and nothing else: a 404 or a checksum mismatch fails at once.
import * as core from '../core.js';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ToolError } from '../errors.js';
import { redactUrl, requestFor } from '../secrets.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 20_000 };

class Retryable extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Backoff before attempt `n` (1-based retry count): exponential with jitter, or the server's Retry-After. */
function backoffMs(n: number, policy: RetryPolicy, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const exp = policy.baseDelayMs * 2 ** (n - 1);
  return Math.min(policy.maxDelayMs, exp / 2 + Math.random() * (exp / 2));
}

function retryAfter(h: string | null): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Strips credentials (in any reading) and query strings from a URL before it is logged. */
export const safeUrl = (url: string): string => {
  try {
    const u = new URL(redactUrl(url));
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString();
  } catch {
    return '<invalid url>';
  }
};

async function attempt(url: string, dest: string, timeoutMs: number, headers: Record<string, string>): Promise<number> {
  let res: Response;
  // Credentials in the URL go in a header (and are registered secrets): fetch would refuse the URL and quote it.
  const req = requestFor(url);
  try {
    res = await fetch(req.url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow', headers: { ...req.headers, ...headers } });
  } catch (e) {
    throw new Retryable(`network error: ${(e as Error).message}`);
  }
  if (res.status === 429 || res.status >= 500) {
    await res.body?.cancel();
    throw new Retryable(`HTTP ${res.status}`, retryAfter(res.headers.get('retry-after')));
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new ToolError(`download of ${safeUrl(url)} failed: HTTP ${res.status}${res.status === 404 ? ' (no such file: check the version and the mirror)' : ''}`);
  }
  const expected = Number(res.headers.get('content-length') ?? NaN);
  let written = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (c: Buffer) => (written += c.length));
  try {
    await pipeline(body, createWriteStream(dest));
  } catch (e) {
    throw new Retryable(`transfer interrupted after ${written} bytes: ${(e as Error).message}`);
  }
  if (Number.isFinite(expected) && written !== expected) throw new Retryable(`truncated: got ${written} of ${expected} bytes`);
  return written;
}

/** Downloads `url` to `dest`. Returns the byte count. Throws ToolError when retries are exhausted. */
export async function download(url: string, dest: string, opts: { retry?: RetryPolicy; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<number> {
  const policy = opts.retry ?? DEFAULT_RETRY;
  let last = '';
  for (let n = 1; n <= policy.attempts; n++) {
    try {
      return await attempt(url, dest, opts.timeoutMs ?? 120_000, opts.headers ?? {});
    } catch (e) {
      await rm(dest, { force: true });
      if (!(e instanceof Retryable)) throw e;
      last = e.message;
      if (n === policy.attempts) break;
      const wait = backoffMs(n, policy, e.retryAfterMs);
      core.info(`download of ${safeUrl(url)}: ${e.message}; retry ${n}/${policy.attempts - 1} in ${Math.round(wait)} ms`);
      await sleep(wait);
    }
  }
  throw new ToolError(`download of ${safeUrl(url)} failed after ${policy.attempts} attempts: ${last}`);
}
