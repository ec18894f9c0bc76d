// Running trivy: one JSON scan per target with every severity and no --exit-code gating (our gate decides),
// in a clean environment (no GitHub token, no stray trivy.yaml or .trivyignore), and DB downloads.
import { core, describeExit, exec, type ExecResult, signalReason, tail, ToolError } from '@platform-actions/kit';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseReport, type TrivyReport } from './findings.js';
import type { Target } from './targets.js';

const ANSI = /\u001b\[[0-9;]*m/g;
/** Tokens trivy never needs: GitHub's (it would send it to api.github.com for VEX) and the runner's. */
const DROPPED_ENV = /^(GITHUB_TOKEN|GH_TOKEN|GH_ENTERPRISE_TOKEN|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_ID_TOKEN_REQUEST_URL|INPUT_.*)$/;
/**
 * trivy reads every flag from TRIVY_<FLAG> too; the ones that would change what our run means are
 * dropped so the report always has every severity, every finding and JSON. Registry credentials
 * (TRIVY_USERNAME, TRIVY_PASSWORD, TRIVY_REGISTRY_TOKEN) and proxies stay.
 */
const OVERRIDDEN_TRIVY_ENV =
  /^TRIVY_(SEVERITY|EXIT_CODE|EXIT_ON_EOL|FORMAT|OUTPUT|TEMPLATE|IGNOREFILE|IGNORE_UNFIXED|IGNORE_STATUS|IGNORE_POLICY|CONFIG|SCANNERS|QUIET|CACHE_DIR|DB_REPOSITORY|JAVA_DB_REPOSITORY|SKIP_DB_UPDATE|SKIP_JAVA_DB_UPDATE|REPORT|LIST_ALL_PKGS|SHOW_SUPPRESSED|PKG_TYPES|VEX)$/;

/** The complete environment trivy runs with (exec gets replaceEnv, so nothing else leaks in). */
export function trivyEnv(base: NodeJS.ProcessEnv = process.env, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !DROPPED_ENV.test(k) && !OVERRIDDEN_TRIVY_ENV.test(k)) env[k] = v;
  env.TRIVY_DISABLE_VEX_NOTICE = 'true';
  env.TRIVY_NO_PROGRESS = 'true';
  return { ...env, ...extra };
}

/**
 * The environment for one target: only a `repo` target on this GitHub host gets the token, because
 * trivy needs it to clone a private repository there; no other scan ever sees it.
 */
export function envFor(
  t: Target,
  env: Record<string, string>,
  token: string | undefined,
  serverUrl = process.env.GITHUB_SERVER_URL || 'https://github.com',
): Record<string, string> {
  if (t.type !== 'repo' || !token || !/^https:\/\//.test(t.arg)) return env;
  let host: string;
  try {
    host = new URL(serverUrl).host;
  } catch {
    return env;
  }
  return new URL(t.arg).host === host ? { ...env, GITHUB_TOKEN: token } : env;
}

/** Flags every trivy call gets: no version check, no telemetry, no progress bars. */
export const QUIET_NETWORK = ['--skip-version-check', '--disable-telemetry', '--no-progress'];

export interface ScanOptions {
  cacheDir: string;
  reportPath: string;
  /** An empty trivy.yaml and an empty ignore file, so nothing in the working directory changes the run. */
  neutralConfig: string;
  neutralIgnore: string;
  offline: boolean;
  /** The vulnerability DB is present and current (we downloaded or restored it). */
  dbReady: boolean;
  javaDb: boolean;
  timeoutMs: number;
}

const SUBCOMMAND: Record<Target['type'], string> = { image: 'image', 'image-input': 'image', fs: 'fs', config: 'config', repo: 'repo', sbom: 'sbom' };

/** The argument array for one target's scan. */
export function scanArgs(t: Target, o: ScanOptions): string[] {
  const args = [SUBCOMMAND[t.type]];
  args.push('--format', 'json', '--output', o.reportPath, '--exit-code', '0');
  args.push('--severity', 'UNKNOWN,LOW,MEDIUM,HIGH,CRITICAL');
  args.push('--cache-dir', o.cacheDir, '--config', o.neutralConfig, '--ignorefile', o.neutralIgnore);
  args.push('--skip-version-check', '--disable-telemetry', '--timeout', `${Math.max(1, Math.round(o.timeoutMs / 1000))}s`);
  // trivy config has no progress bar, scanners, database or package list.
  if (t.type !== 'config') {
    args.push('--no-progress', '--scanners', t.scanners.join(','));
    // The database is our job (downloaded with fallbacks, cached); trivy must not fetch it on its own.
    args.push('--skip-db-update', '--skip-java-db-update');
    // Full package list: lockfile line numbers for vulnerabilities, and what the SBOM is made from.
    args.push('--list-all-pkgs');
    // Image layers are analysed per run: a growing scan cache buys nothing on an ephemeral runner.
    args.push('--cache-backend', 'memory');
  }
  // Offline: the checks embedded in this trivy release, and no lookups of dependencies on the network.
  if (o.offline && t.scanners.includes('misconfig')) args.push('--skip-check-update');
  if (o.offline && t.type !== 'config') args.push('--offline-scan');
  if (t.type === 'image') args.push('--image-src', 'remote', t.arg);
  else if (t.type === 'image-input') args.push('--input', t.arg);
  else args.push(t.arg);
  return args;
}

export interface ScanRun {
  report: TrivyReport;
  durationMs: number;
}

/** Prints trivy's log as untrusted text (no line of it can act as a workflow command). */
const printLog = (r: ExecResult): void => {
  const text = r.stderr.replace(ANSI, '').trimEnd();
  if (text) core.untrusted(text);
};

/**
 * What went wrong, in trivy's words: its FATAL line (else its first ERROR line) without timestamp and
 * level, with the "* detail" lines of a multi-error that follow it, on one line.
 */
export function trivyError(stderr: string): string | undefined {
  const lines = stderr.replace(ANSI, '').split('\n');
  let i = lines.findIndex((l) => /\sFATAL\s/.test(l));
  if (i < 0) i = lines.findIndex((l) => /\sERROR\s/.test(l));
  if (i < 0)
    return lines
      .find((l) => l.trim())
      ?.trim()
      .slice(0, 500);
  let msg = lines[i]
    .replace(/^\S+\s+(FATAL|ERROR)\s+/, '')
    .replace(/^Fatal error\s+/, '')
    .replace(/^run error:\s*/, '');
  const details = lines
    .slice(i + 1)
    .filter((l) => /^\s*\*\s/.test(l))
    .map((l) => l.trim().replace(/^\*\s*/, ''));
  if (details.length) msg += ` ${details.join('; ')}`;
  return msg.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/**
 * How many scans may run at once. Scans that read the cache folder only (the database is opened shared,
 * layers stay in memory) overlap two at a time: trivy spends its first ~90 ms in single-threaded start-up
 * and an image scan waits on the registry, so an image and a folder finish together in about the time of
 * the longer one. A misconfiguration scan (trivy config included) may fetch the checks bundle into the
 * cache folder, and two of those must never write it at once, so such a run scans one target at a time.
 */
export function scanConcurrency(targets: readonly Target[], cpus = availableParallelism()): number {
  if (targets.some((t) => t.scanners.includes('misconfig'))) return 1;
  return Math.max(1, Math.min(2, cpus, targets.length));
}

/** Starts one scan; trivy's log is kept, so overlapping scans never mix (readScan prints each in target order). */
export function startScan(bin: string, t: Target, o: ScanOptions, env: Record<string, string>, cwd: string): Promise<ExecResult> {
  rmSync(o.reportPath, { force: true });
  core.info(`trivy ${t.type}:${t.value}: scanning`);
  return exec(bin, scanArgs(t, o), { cwd, env, replaceEnv: true, timeoutMs: o.timeoutMs + 30_000 });
}

/** Prints trivy's log for one finished scan and reads its report; throws ToolError (with trivy's words) when trivy failed or wrote no report. */
export function readScan(t: Target, o: ScanOptions, r: ExecResult): ScanRun {
  const what = `${t.type}:${t.value}`;
  core.startGroup(`trivy ${what}`);
  printLog(r);
  core.endGroup();
  if (r.timedOut) throw new ToolError(`trivy ${describeExit(r)} on ${what} (raise the timeout input)`, tail(r.stderr));
  // Killed by a signal (SIGKILL: out of memory?): the kit's words, never "exit code null".
  if (r.exitCode === null || signalReason(r.signal, r.exitCode)) throw new ToolError(`trivy ${describeExit(r)} while scanning ${what}`, tail(r.stderr, 30));
  if (r.exitCode !== 0) throw new ToolError(`trivy failed on ${what}: ${trivyError(r.stderr) ?? describeExit(r)}`, tail(r.stderr, 30));
  if (!existsSync(o.reportPath)) throw new ToolError(`trivy finished ${what} without writing its report`, tail(r.stderr));
  const report = parseReport(readFileSync(o.reportPath, 'utf8'));
  if (!report) throw new ToolError(`trivy wrote a report for ${what} that is not a schema-2 JSON report`, tail(r.stderr));
  return { report, durationMs: r.durationMs };
}

/** Re-renders a JSON report as a CycloneDX SBOM (trivy convert: no scan, no database). */
export async function convertToCycloneDx(bin: string, reportPath: string, out: string, env: Record<string, string>, cwd: string): Promise<void> {
  mkdirSync(join(out, '..'), { recursive: true });
  // convert reads the JSON only: no network, so no version-check or telemetry flags (it has none).
  const r = await exec(bin, ['convert', '--format', 'cyclonedx', '--output', out, reportPath], { cwd, env, replaceEnv: true, timeoutMs: 120_000 });
  if (r.exitCode !== 0 || !existsSync(out))
    throw new ToolError(
      `trivy convert could not write the SBOM: ${(r.exitCode !== null && !signalReason(r.signal, r.exitCode) && trivyError(r.stderr)) || describeExit(r)}`,
      tail(r.stderr),
    );
}

/** Writes the neutral trivy.yaml and ignore file into `dir`. */
export function neutralFiles(dir: string): { config: string; ignore: string } {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'trivy-scan.trivy.yaml');
  const ignore = join(dir, 'trivy-scan.trivyignore');
  writeFileSync(config, '# trivy-scan passes every setting as a flag.\n{}\n');
  writeFileSync(ignore, '# trivy-scan applies .trivyignore and .trivyignore.yaml itself and reports what they suppress.\n');
  return { config, ignore };
}
