// Nothing a step starts outlives it: a grandchild that called setsid (left the tool's process group and
// session) is found by its tracking id and killed when its tool times out and when the step ends.
import { afterEach, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beginStep, describeExit, endStep, exec, expectNotKilled, run, ToolError, trackedPids, TRACKING_ENV } from '@platform-actions/kit';
import { type ActionEnv, actionEnv, captureStdout } from './env.js';

const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const waitFor = async (cond: () => boolean, ms = 5000): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
};
/** A shell command that starts `sleep` in a new session (setsid) and writes its pid to `pidFile`. */
const escaper = (pidFile: string) => `setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! > ${pidFile}`;

let env: ActionEnv | undefined;
let dir: string;
afterEach(() => {
  env?.restore();
  env = undefined;
  if (dir) {
    const f = join(dir, 'pid');
    if (existsSync(f)) {
      try {
        process.kill(Number(readFileSync(f, 'utf8')), 'SIGKILL');
      } catch {
        /* gone, as it should be */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('tracked processes', () => {
  test('a setsid grandchild survives the tool but not the end of the step', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-proc-'));
    const pidFile = join(dir, 'pid');
    beginStep();
    const r = await exec('sh', ['-c', escaper(pidFile)]);
    expect(r.exitCode).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    // It left the tool's session: a process-group kill would not reach it. Its environment still says whose it is.
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).toContain(`${TRACKING_ENV}=`);
    const killed = endStep();
    expect(killed).toContain(pid);
    expect(await waitFor(() => !alive(pid))).toBe(true);
  });

  test('run() ends the step: nothing the action started is left running', async () => {
    env = actionEnv();
    dir = mkdtempSync(join(tmpdir(), 'kit-proc-'));
    const pidFile = join(dir, 'pid');
    await captureStdout(() =>
      run('demo', async () => {
        await exec('sh', ['-c', escaper(pidFile)]);
      }),
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitFor(() => !alive(pid))).toBe(true);
  });

  test('a tool that times out takes its setsid grandchild with it, at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-proc-'));
    const pidFile = join(dir, 'pid');
    const r = await exec('sh', ['-c', `${escaper(pidFile)}; sleep 300`], { timeoutMs: 500, killGraceMs: 200 });
    expect(r.timedOut).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitFor(() => !alive(pid), 2000)).toBe(true);
  });

  test('another step’s processes are not touched', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kit-proc-'));
    const pidFile = join(dir, 'pid');
    const first = beginStep();
    await exec('sh', ['-c', escaper(pidFile)]);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    beginStep(); // a second step in the same process (tests do this)
    expect(endStep()).not.toContain(pid);
    expect(alive(pid)).toBe(true);
    expect(trackedPids(first)).toContain(pid);
  });
});

describe('describeExit', () => {
  const base = { command: 'trivy', args: [], stdout: '', stderr: '', truncated: false, durationMs: 1000 };
  test.each([
    [{ ...base, exitCode: null, signal: 'SIGKILL' as const, timedOut: false }, /^was killed by SIGKILL/],
    [{ ...base, exitCode: 137, signal: null, timedOut: false }, /^was killed by SIGKILL/],
    [{ ...base, exitCode: 3, signal: null, timedOut: false }, /^failed with exit code 3$/],
    [{ ...base, exitCode: null, signal: 'SIGTERM' as const, timedOut: true, durationMs: 45_400, timeoutMs: 10_000 }, /^timed out after 45s \(limit 10s\)$/],
  ])('%#: never "exit code null"; a timeout states the real time taken', (r, want) => {
    expect(describeExit(r)).toMatch(want);
    expect(describeExit(r)).not.toMatch(/null/);
  });
  test('expectNotKilled: a killed or timed-out tool is a ToolError whatever its exit code meant; an exit on its own is returned', async () => {
    const k = await exec('sh', ['-c', 'echo "error: the server rejected it" >&2; kill -KILL $$']);
    expect(() => expectNotKilled(k, 'kubectl apply --dry-run=server')).toThrow(ToolError);
    expect(() => expectNotKilled(k, 'kubectl apply --dry-run=server')).toThrow(/^kubectl apply --dry-run=server was killed by SIGKILL/);
    const e = await exec('sh', ['-c', 'exit 1']);
    expect(expectNotKilled(e).exitCode).toBe(1);
  });
  test('a real tool killed by SIGKILL, and a real timeout with its elapsed time', async () => {
    const k = await exec('sh', ['-c', 'kill -KILL $$']);
    expect(describeExit(k)).toMatch(/^was killed by SIGKILL/);
    const t = await exec('sh', ['-c', 'trap "" TERM; sleep 5'], { timeoutMs: 300, killGraceMs: 1200 });
    expect(describeExit(t)).toMatch(/^timed out after 1\.\ds \(limit 0\.3s\)$/);
  });
});
