// Run provisioned terraform / tofu in a throwaway root module. Plugin-free: no provider can be
// downloaded here, so roots use only built-ins (terraform_data, local-exec, backends).
// The environment is built from scratch (no ~/.terraformrc, no AWS profile, no IMDS), plus `env`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from './tools.js';

export type TfFlavor = 'terraform' | 'tofu';
export const tfFlavors: TfFlavor[] = ['terraform', 'tofu'];

interface TfResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for matching messages without caring which stream they went to. */
  output: string;
}

export interface TfRun {
  proc: ChildProcess;
  /** Signal the whole process group (terraform and e.g. a local-exec `sleep`), like a CI runner's tree kill. */
  killTree(signal: NodeJS.Signals): void;
  /** Output so far (stdout + stderr). */
  output(): string;
  /** Resolves when the output matches `re`; rejects if the process ends first or after `timeoutMs`. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<TfResult>;
}

export interface TfRoot {
  flavor: TfFlavor;
  bin: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Start `<bin> args` in the root without waiting. */
  start(args: string[], extraEnv?: Record<string, string>): TfRun;
  /** Run to completion (killed after `timeoutMs`). */
  run(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<TfResult>;
  /** Run and throw with the full output unless it exits 0. */
  ok(args: string[], opts?: { env?: Record<string, string>; timeoutMs?: number }): Promise<TfResult>;
  /** Kill anything still running from this root, then delete it. */
  cleanup(): void;
}

/** Path of the provisioned binary for `flavor`. */
const tfBin = (flavor: TfFlavor): string => toolBin(flavor);

/** Write `files` (relative path → content) into a fresh temp dir and return a runner bound to it. */
export function tfRoot(flavor: TfFlavor, files: Record<string, string>, env: Record<string, string> = {}): TfRoot {
  const bin = tfBin(flavor);
  const dir = mkdtempSync(join(tmpdir(), `pa-${flavor}-`));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  const home = join(dir, '.home');
  mkdirSync(home);
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    TMPDIR: process.env.TMPDIR ?? tmpdir(),
    HOME: home,
    // No CLI config file: avoids the "Unable to open CLI configuration file" warning and any plugin mirrors.
    TF_CLI_CONFIG_FILE: '/dev/null',
    TOFU_CLI_CONFIG_FILE: '/dev/null',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env,
  };

  const running = new Set<TfRun>();
  const start = (args: string[], extraEnv: Record<string, string> = {}): TfRun => {
    // detached: its own process group, so killTree reaches provisioner children too.
    const proc = spawn(bin, args, { cwd: dir, env: { ...baseEnv, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killTree = (signal: NodeJS.Signals) => {
      try {
        process.kill(-proc.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    const onExit = () => killTree('SIGKILL');
    process.once('exit', onExit);
    let stdout = '';
    let stderr = '';
    let all = '';
    const listeners = new Set<() => void>();
    const onData = (which: 'out' | 'err') => (d: Buffer) => {
      const s = d.toString();
      if (which === 'out') stdout += s;
      else stderr += s;
      all += s;
      for (const l of listeners) l();
    };
    proc.stdout!.on('data', onData('out'));
    proc.stderr!.on('data', onData('err'));
    let ended = false;
    const done = new Promise<TfResult>((resolve, reject) => {
      proc.once('error', (e) => {
        ended = true;
        reject(e);
      });
      proc.once('close', (code, signal) => {
        process.removeListener('exit', onExit);
        // Set before the listeners run: a waitForOutput still waiting learns at once that nothing more comes.
        ended = true;
        resolve({ code, signal, stdout, stderr, output: all });
        for (const l of listeners) l();
      });
    });
    const waitForOutput = (re: RegExp, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (re.test(all)) finish(resolve);
          else if (ended) finish(() => reject(new Error(`${flavor} ${args.join(' ')} ended before printing ${re}:\n${all}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`${flavor} ${args.join(' ')}: no ${re} within ${timeoutMs} ms:\n${all}`))), timeoutMs);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    const handle: TfRun = { proc, killTree, output: () => all, waitForOutput, done };
    running.add(handle);
    void done.finally(() => running.delete(handle)).catch(() => undefined);
    return handle;
  };

  const run = async (args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}) => {
    const r = start(args, opts.env);
    const timer = setTimeout(() => r.killTree('SIGKILL'), opts.timeoutMs ?? 120_000);
    try {
      return await r.done;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    flavor,
    bin,
    dir,
    env: baseEnv,
    start,
    run,
    async ok(args, opts) {
      const r = await run(args, opts);
      if (r.code !== 0) throw new Error(`${flavor} ${args.join(' ')} exited ${r.code ?? r.signal}:\n${r.output}`);
      return r;
    },
    /** Kill anything still running from this root (e.g. a parked holder after a failed assertion), then delete it. */
    cleanup() {
      for (const r of running) r.killTree('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- holding a state lock on purpose ----------------------------------------------------------------------
/** A resource whose apply prints HOLDING-LOCK and parks until a `release` file appears in the root. */
export const HOLDER = `
resource "terraform_data" "hold" {
  triggers_replace = [timestamp()]
  provisioner "local-exec" {
    command = "echo HOLDING-LOCK; i=0; while [ ! -f release ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done"
  }
}
`;

/** The harness's S3/DynamoDB lock stores as an s3 backend block (path style, no AWS checks). */
export interface S3BackendStores {
  region: string;
  s3Endpoint: string;
  dynamodbEndpoint: string;
}

/** An s3 backend on the harness's stores, with HOLDER; `locking` is the lock lines (use_lockfile, dynamodb_table). */
export function s3Backend(stores: S3BackendStores, o: { bucket: string; key: string; locking: string; encrypt?: boolean; s3Endpoint?: string }): string {
  return `
terraform {
  backend "s3" {
    bucket    = "${o.bucket}"
    key       = "${o.key}"
    region    = "${stores.region}"${o.encrypt ? '\n    encrypt   = true' : ''}
    ${o.locking}
    endpoints = { s3 = "${o.s3Endpoint ?? stores.s3Endpoint}", dynamodb = "${stores.dynamodbEndpoint}" }
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
    skip_metadata_api_check     = true
    skip_region_validation      = true
    skip_s3_checksum            = true
  }
}
${HOLDER}`;
}

/**
 * Start an apply of a HOLDER root that holds the state lock until release(); resolves once it is inside
 * the provisioner. Nothing else holds the lock when a test calls this. Yet once, with two test files
 * running side by side on 2 cores, the apply failed at once on a DynamoDB lock an apply had created a
 * second before: most likely the store answered terraform's conditional PutItem late, the AWS SDK sent it
 * again, and the retry found the item its own first attempt had written (ConditionalCheckFailedException).
 * That is the SDK and the moto store under load, not what the tests check: such a lock is force-unlocked
 * and the apply started once more; a second failure fails the test.
 */
export async function holdLock(root: TfRoot, attempt = 1): Promise<{ run: TfRun; release: () => void }> {
  rmSync(join(root.dir, 'release'), { force: true });
  const run = root.start(['apply', '-auto-approve', '-no-color', '-input=false']);
  try {
    await run.waitForOutput(/HOLDING-LOCK/, 120_000);
  } catch (e) {
    const own = /Error acquiring the state lock[\s\S]*Lock Info:\s*\n\s*ID:\s+(\S+)/.exec(run.output());
    if (attempt > 1 || !own) throw e;
    console.log(`holdLock: the store kept a lock this apply's own retried request had written (${own[1]}); unlocking it and starting again`);
    await run.done;
    await root.ok(['force-unlock', '-force', '-no-color', own[1]]);
    return holdLock(root, attempt + 1);
  }
  return { run, release: () => writeFileSync(join(root.dir, 'release'), '') };
}
