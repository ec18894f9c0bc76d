// Smoke tests after the rollout: HTTP checks with bounded retries and backoff, and/or a command run as
// an argument array. A failure counts as a failed deploy.
import { describeExit, exec, InputError, redactUrl, requestFor, tail } from '@platform-actions/kit';

export interface HttpCheck {
  url: string;
  status: number;
  /** Regular expression the body must match. */
  body?: RegExp;
  retries: number;
  timeoutMs: number;
}

export interface SmokeResult {
  ok: boolean;
  /** One line per check: what passed, or why it failed. */
  lines: string[];
}

/** Backoff before attempt n (1-based): 1 s, 2 s, 4 s, … capped at 10 s, so retries stay bounded in time too. */
export const backoffMs = (attempt: number, baseMs = 1000): number => Math.min(10_000, baseMs * 2 ** (attempt - 1));

export function parseCommand(value: string | undefined): string[] | undefined {
  if (!value) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InputError('smoke-command', 'must be a JSON array of strings (the program and its arguments), e.g. ["./smoke.sh", "--env", "staging"]', value);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((x) => typeof x === 'string' && x !== '')) {
    throw new InputError('smoke-command', 'must be a non-empty JSON array of non-empty strings', value);
  }
  return parsed as string[];
}

export async function httpCheck(c: HttpCheck, baseBackoffMs = 1000): Promise<{ ok: boolean; line: string }> {
  let last = '';
  const shown = redactUrl(c.url);
  const req = requestFor(c.url); // credentials in the URL go in a header (kit)
  for (let attempt = 1; attempt <= c.retries + 1; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, baseBackoffMs)));
    try {
      const res = await fetch(req.url, { headers: req.headers, signal: AbortSignal.timeout(c.timeoutMs), redirect: 'manual' });
      const text = await res.text();
      if (res.status !== c.status) {
        last = `HTTP ${res.status} (expected ${c.status})`;
        continue;
      }
      if (c.body && !c.body.test(text)) {
        last = `HTTP ${res.status} but the body does not match /${c.body.source}/`;
        continue;
      }
      return { ok: true, line: `GET ${shown}: HTTP ${res.status}${c.body ? `, body matches /${c.body.source}/` : ''} (attempt ${attempt})` };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      last = err.name === 'TimeoutError' ? `no answer within ${c.timeoutMs / 1000}s` : (err.cause?.code ?? err.message);
    }
  }
  return { ok: false, line: `GET ${shown}: ${last} after ${c.retries + 1} attempts` };
}

export async function commandCheck(cmd: string[], timeoutMs: number, cwd: string): Promise<{ ok: boolean; line: string; output: string }> {
  const r = await exec(cmd[0], cmd.slice(1), { cwd, timeoutMs });
  const shown = cmd.join(' ');
  if (r.timedOut) return { ok: false, line: `${shown}: ${describeExit(r)}`, output: tail(r.stdout + r.stderr, 20) };
  if (r.exitCode !== 0)
    return {
      ok: false,
      line: `${shown}: ${describeExit(r)}${tail(r.stderr || r.stdout, 1) ? ` (${tail(r.stderr || r.stdout, 1)})` : ''}`,
      output: tail(r.stdout + r.stderr, 20),
    };
  return { ok: true, line: `${shown}: exit code 0`, output: tail(r.stdout + r.stderr, 20) };
}
