// Every process a step starts ends with the step. A tool runs in its own process group (exec spawns it
// detached), so a timeout signals the tool and everything it started at once. A process that calls
// `setsid` leaves the group, though, and keeps running after the step (a migration command's daemon, a
// helper a tool forked): nothing signals it, and on a self-hosted runner it lives on between jobs.
//
// So every process we start also carries a tracking variable in its environment, which descendants
// inherit whatever group or session they move to (GitHub's runner does the same with RUNNER_TRACKING_ID
// to clean up after a job, and Jenkins with BUILD_ID). At the end of a step — and when a tool times out
// — every process carrying the id is killed. The ids nest: the CLI's runner gives the step one, the
// step gives each tool one, so each level can sweep its own. Finding them reads /proc (Linux); on other
// systems the process groups are still killed.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const TRACKING_ENV = 'PLATFORM_ACTIONS_TRACKING';

/** A new tracking id, e.g. `step-1f2e3d4c5b6a`. */
export const newTrackingId = (kind: string): string => `${kind}-${randomBytes(6).toString('hex')}`;

let currentStep: string | undefined;

/** Starts a step: processes started from now on carry its id. Returns the id. */
export function beginStep(): string {
  currentStep = newTrackingId('step');
  return currentStep;
}

/**
 * The environment for a process we start: `env` with the tracking ids of this process's caller, of the
 * current step and `extra` (a tool's own id) appended.
 */
export function trackedEnv(env: NodeJS.ProcessEnv, ...extra: string[]): NodeJS.ProcessEnv {
  const ids = [...(process.env[TRACKING_ENV] ?? '').split(' '), ...(env[TRACKING_ENV] ?? '').split(' '), currentStep, ...extra].filter((x): x is string => !!x);
  return { ...env, [TRACKING_ENV]: [...new Set(ids)].join(' ') };
}

/** The tracking ids in a /proc environ block, or undefined when it has none. */
function idsIn(environ: Buffer): string[] | undefined {
  const key = Buffer.from(`${TRACKING_ENV}=`);
  let at = environ.indexOf(key);
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(key, at + 1);
  if (at < 0) return undefined;
  const end = environ.indexOf(0, at);
  return environ
    .subarray(at + key.length, end < 0 ? undefined : end)
    .toString('utf8')
    .split(' ');
}

/** Processes (other than this one) whose environment carries `id`. Linux only; elsewhere empty. */
export function trackedPids(id: string): number[] {
  if (process.platform !== 'linux') return [];
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      if (idsIn(readFileSync(`/proc/${pid}/environ`))?.includes(id)) out.push(pid);
    } catch {
      /* gone, or another user's process */
    }
  }
  return out;
}

/** Signals the process group `pgid` (a detached child's pid); false when there is none. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Kills every process carrying `id`, and the group of each. A few passes, so a process forked between
 * the scan and the kill goes too. Returns the pids it found.
 */
export function killTracked(id: string): number[] {
  const seen = new Set<number>();
  for (let pass = 0; pass < 5; pass++) {
    const pids = trackedPids(id);
    if (!pids.length) break;
    for (const pid of pids) {
      seen.add(pid);
      killProcessGroup(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
  return [...seen];
}

/** Ends the current step: every process it started (and their descendants, in any session) is killed. */
export function endStep(): number[] {
  const id = currentStep;
  currentStep = undefined;
  return id ? killTracked(id) : [];
}
