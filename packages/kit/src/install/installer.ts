// Tool installer: `system` (use PATH, check the version) or a pinned release: tool cache first, else the
// official archive (or the same file from a mirror, for GHES and air-gapped runners), verified by SHA-256
// before anything is extracted or run, then cached.
import * as core from '../core.js';
import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { ToolError, UserError } from '../errors.js';
import { exec, signalReason, tail } from '../exec.js';
import { parseChecksums, verifySha256 } from './checksum.js';
import { download, type RetryPolicy } from './download.js';

interface ReleaseAsset {
  /** Path of the archive below the release base URL, e.g. `v8.30.1/gitleaks_8.30.1_linux_x64.tar.gz`. */
  path: string;
  /** A digest pinned in our code; preferred over the checksums file. */
  sha256?: string;
  /** Path of the release's checksums file below the base URL, used when no digest is pinned. */
  checksumsPath?: string;
}

export interface ToolRelease {
  tool: string;
  version: string;
  /** Official base URL, e.g. https://github.com/gitleaks/gitleaks/releases/download */
  baseUrl: string;
  asset: ReleaseAsset;
  /** Executables inside the archive (relative paths); for a bare binary download, the name to give it. */
  binaries: string[];
}

export interface InstallOptions {
  /** Replaces `baseUrl` with the same layout on another host. */
  mirror?: string;
  retry?: RetryPolicy;
  timeoutMs?: number;
}

export interface InstalledTool {
  dir: string;
  bin: Record<string, string>;
  version: string;
  source: 'cache' | 'download' | 'system';
}

const archKey = (): string => process.arch;

function resolveBins(dir: string, binaries: string[], label: string): Record<string, string> {
  const bin: Record<string, string> = {};
  for (const b of binaries) {
    const p = join(dir, b);
    if (!existsSync(p)) throw new ToolError(`${label}: the archive has no ${b}`);
    chmodSync(p, 0o755);
    bin[basename(b)] = p;
  }
  return bin;
}

/** An exact version (1.2.3, 1.2.3-rc.1): the one form whose tool-cache folder is its own name. */
const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/**
 * The tool cache's folder for an exact release, read the way @actions/tool-cache's `find` reads it
 * (`<RUNNER_TOOL_CACHE>/<tool>/<version>/<arch>` with a `.complete` marker beside it) but without loading
 * tool-cache, whose HTTP stack (undici: 1.3 MB of chunks) cost every cache hit ~140 ms of CPU at start-up
 * (measured on trivy-scan with node --cpu-prof). undefined when not there, or not an exact version.
 */
function findCachedRelease(tool: string, version: string, arch = archKey()): string | undefined {
  const root = process.env.RUNNER_TOOL_CACHE;
  if (!root || !EXACT_VERSION.test(version)) return undefined;
  const dir = join(root, tool, version, arch);
  return existsSync(dir) && existsSync(`${dir}.complete`) ? dir : undefined;
}

/** Installs a pinned release, from the tool cache when it is already there. */
export async function installRelease(rel: ToolRelease, opts: InstallOptions = {}): Promise<InstalledTool> {
  const label = `${rel.tool} ${rel.version}`;
  const fromCache = (dir: string): InstalledTool => {
    core.info(`${label}: using the tool cache (${dir})`);
    return { dir, bin: resolveBins(dir, rel.binaries, label), version: rel.version, source: 'cache' };
  };
  const hit = findCachedRelease(rel.tool, rel.version);
  if (hit) return fromCache(hit);
  // Loaded on use: a download needs tool-cache (extract, cacheDir), and so does a version range.
  const tc = await import('@actions/tool-cache');
  const cached = tc.find(rel.tool, rel.version, archKey());
  if (cached) return fromCache(cached);
  const base = (opts.mirror || rel.baseUrl).replace(/\/+$/, '');
  const work = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), `${rel.tool}-`));
  try {
    const archive = join(work, basename(rel.asset.path));
    const url = `${base}/${rel.asset.path}`;
    core.info(`${label}: downloading ${basename(rel.asset.path)}${opts.mirror ? ' from the mirror' : ''}`);
    await download(url, archive, { retry: opts.retry, timeoutMs: opts.timeoutMs });
    const expected = rel.asset.sha256 ?? (await checksumFromFile(rel, base, work, opts));
    await verifySha256(archive, expected, basename(rel.asset.path));
    core.info(`${label}: sha256 verified (${expected.slice(0, 12)}…)`);
    const extracted = await extract(tc, archive, work);
    const dir = await tc.cacheDir(extracted, rel.tool, rel.version, archKey());
    return { dir, bin: resolveBins(dir, rel.binaries, label), version: rel.version, source: 'download' };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function checksumFromFile(rel: ToolRelease, base: string, work: string, opts: InstallOptions): Promise<string> {
  if (!rel.asset.checksumsPath) throw new ToolError(`${rel.tool}: no pinned digest and no checksums file for ${rel.asset.path}`);
  const file = join(work, 'checksums.txt');
  await download(`${base}/${rel.asset.checksumsPath}`, file, { retry: opts.retry, timeoutMs: opts.timeoutMs });
  const sums = parseChecksums(readFileSync(file, 'utf8'));
  const want = sums.get(basename(rel.asset.path));
  if (!want) throw new ToolError(`${rel.tool}: the release's checksums file does not list ${basename(rel.asset.path)}`);
  return want;
}

async function extract(tc: typeof import('@actions/tool-cache'), archive: string, work: string): Promise<string> {
  const out = join(work, 'x');
  if (/\.(tar\.gz|tgz)$/.test(archive)) return tc.extractTar(archive, out);
  if (/\.zip$/.test(archive)) return tc.extractZip(archive, out);
  // A bare binary: the caller names it in `binaries`.
  mkdirSync(out, { recursive: true });
  copyFileSync(archive, join(out, basename(archive)));
  return out;
}

export interface SystemToolSpec {
  tool: string;
  /** Arguments that print the version, e.g. ['version']. */
  versionArgs: string[];
  /** First capture group is the version, e.g. /v?(\d+\.\d+\.\d+)/. */
  versionPattern: RegExp;
  /** Lowest acceptable version, e.g. '1.10.0'. */
  minVersion?: string;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/** Uses the tool on PATH and checks its version. */
export async function useSystemTool(spec: SystemToolSpec): Promise<InstalledTool> {
  if (!which(spec.tool)) {
    throw new UserError(`${spec.tool} is not on PATH; install it in an earlier step or set the version input to a release number`);
  }
  const r = await exec(spec.tool, spec.versionArgs, { timeoutMs: 30_000, killGraceMs: 2000 });
  // A tool that is there but hangs or crashes on `version` is a broken tool, not a missing one.
  if (r.timedOut) throw new ToolError(`${spec.tool} ${spec.versionArgs.join(' ')} hung (no answer in 30s); the ${spec.tool} on PATH (${which(spec.tool)}) looks broken`);
  if (r.exitCode !== 0) {
    throw new ToolError(
      `${spec.tool} ${spec.versionArgs.join(' ')} failed (${signalReason(r.signal, r.exitCode) ?? `exit code ${r.exitCode}`}); the ${spec.tool} on PATH (${which(spec.tool)}) looks broken`,
      tail(r.stderr || r.stdout),
    );
  }
  const m = spec.versionPattern.exec(`${r.stdout}\n${r.stderr}`);
  if (!m) throw new ToolError(`could not read the version of ${spec.tool} from: ${(r.stdout || r.stderr).trim().split('\n')[0]}`);
  const version = m[1];
  if (spec.minVersion && compareVersions(version, spec.minVersion) < 0) {
    throw new UserError(`${spec.tool} on PATH is ${version}; this action needs ${spec.minVersion} or newer`);
  }
  const path = which(spec.tool) ?? spec.tool;
  return { dir: dirname(path), bin: { [spec.tool]: path }, version, source: 'system' };
}

/** The first executable named `name` on PATH. */
function which(name: string): string | undefined {
  for (const d of (process.env.PATH ?? '').split(delimiter)) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}
