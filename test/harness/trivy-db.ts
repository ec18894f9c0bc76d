// The offline trivy DB (generated from trivy/advisories.yaml by provision/trivy.sh), fixtures that
// install the vulnerable packages it names, and a small runner for the real trivy binary.
//   const cache = await mkdtemp(...); await installTrivyDb(cache);
//   const dir = await mkdtemp(...); await writeLangFixture(dir);
//   const { report } = await runTrivy(['fs', ...offlineFlags(cache), dir]);
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, toolBin } from './tools.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Same inputs, same order as gen-db.sh: editing the advisories or the generator makes a new DB. */
function dbHash(): string {
  const h = createHash('sha256');
  for (const f of ['advisories.yaml', 'dbgen/go.mod', 'dbgen/go.sum', 'dbgen/main.go']) h.update(readFileSync(join(here, 'trivy', f)));
  return h.digest('hex').slice(0, 16);
}

export interface Affected {
  ecosystem: 'alpine' | 'debian' | 'npm' | 'pip';
  release?: string;
  package: string;
  fixed?: string;
  vulnerable?: string[];
  patched?: string[];
}
export interface Advisory {
  id: string;
  title: string;
  description: string;
  references?: string[];
  /** Severity by trivy-db source id (nvd, ghsa, alpine, debian). */
  severity: Record<string, string>;
  affected: Affected[];
}

export interface TrivyDb {
  /** Folder with trivy.db and metadata.json (what trivy expects at <cache-dir>/db). */
  dir: string;
  /** db.tar.gz: the OCI layer trivy downloads (trivy.db + metadata.json at its root). */
  archive: string;
  advisories: Advisory[];
}

export function trivyDb(): TrivyDb {
  const root = join(cacheRoot(), 'tools', 'trivy-db', dbHash());
  if (!existsSync(join(root, 'db.tar.gz'))) {
    throw new Error('test harness: the offline trivy DB for trivy/advisories.yaml is not generated; run: bash test/harness/provision.sh trivy');
  }
  const { vulnerabilities } = JSON.parse(readFileSync(join(root, 'advisories.json'), 'utf8')) as { vulnerabilities: Advisory[] };
  return { dir: join(root, 'db'), archive: join(root, 'db.tar.gz'), advisories: vulnerabilities };
}

/** The advisory for `ecosystem` (the fixture has one per ecosystem). */
export function advisoryFor(ecosystem: Affected['ecosystem']): { advisory: Advisory; affected: Affected } {
  for (const advisory of trivyDb().advisories) {
    const affected = advisory.affected.find((a) => a.ecosystem === ecosystem);
    if (affected) return { advisory, affected };
  }
  throw new Error(`test harness: trivy/advisories.yaml has no ${ecosystem} advisory`);
}

/** Copy the DB into `<cacheDir>/db` so trivy can run with --skip-db-update (0600 like a real download). */
export async function installTrivyDb(cacheDir: string): Promise<void> {
  const { dir } = trivyDb();
  await mkdir(join(cacheDir, 'db'), { recursive: true });
  for (const f of ['trivy.db', 'metadata.json']) {
    await copyFile(join(dir, f), join(cacheDir, 'db', f));
    await chmod(join(cacheDir, 'db', f), 0o600);
  }
}

/** Flags for a fully offline, quiet, JSON scan against an installed DB. */
export const offlineFlags = (cacheDir: string): string[] => [
  '--skip-db-update',
  '--offline-scan',
  '--skip-version-check',
  '--disable-telemetry',
  '--cache-dir',
  cacheDir,
  '--scanners',
  'vuln',
  '--format',
  'json',
  '--quiet',
];

/**
 * A project with lock files naming the vulnerable npm and pip versions from advisories.yaml, plus
 * one unaffected package each (lodash 4.17.20 < 4.17.21, Jinja2 3.1.2 < 3.1.3).
 */
export async function writeLangFixture(dir: string): Promise<void> {
  const lock = {
    name: 'fixture-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'fixture-app', version: '1.0.0', dependencies: { lodash: '^4.17.20', ms: '^2.1.3' } },
      'node_modules/lodash': { version: '4.17.20', resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz', license: 'MIT' },
      'node_modules/ms': { version: '2.1.3', resolved: 'https://registry.npmjs.org/ms/-/ms-2.1.3.tgz', license: 'MIT' },
    },
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'fixture-app', version: '1.0.0', dependencies: lock.packages[''].dependencies }, null, 2));
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await writeFile(join(dir, 'requirements.txt'), 'Jinja2==3.1.2\nMarkupSafe==2.1.5\n');
}

/** A minimal Alpine 3.22 root filesystem whose apk database lists busybox 1.37.0-r18 (vulnerable) and musl. */
export async function writeAlpineRootfs(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc'), { recursive: true });
  await mkdir(join(dir, 'lib', 'apk', 'db'), { recursive: true });
  await writeFile(join(dir, 'etc', 'alpine-release'), '3.22.2\n');
  await writeFile(join(dir, 'etc', 'os-release'), 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.22.2\nPRETTY_NAME="Alpine Linux v3.22"\nHOME_URL="https://alpinelinux.org/"\n');
  // apk's installed-database format: one stanza per package, single-letter keys, blank line between.
  const pkg = (name: string, version: string, origin: string, desc: string, license: string): string =>
    [`P:${name}`, `V:${version}`, 'A:x86_64', `T:${desc}`, `L:${license}`, `o:${origin}`, ''].join('\n');
  await writeFile(
    join(dir, 'lib', 'apk', 'db', 'installed'),
    [
      pkg('musl', '1.2.5-r10', 'musl', 'the musl c library (libc) implementation', 'MIT'),
      pkg('busybox', '1.37.0-r18', 'busybox', 'Size optimized toolbox of many common UNIX utilities', 'GPL-2.0-only'),
    ].join('\n'),
  );
}

// Only the report fields the harness reads (trivy pkg/types/report.go).
export interface TrivyVulnerability {
  VulnerabilityID: string;
  PkgName: string;
  InstalledVersion: string;
  FixedVersion?: string;
  Severity: string;
  SeveritySource?: string;
  Title?: string;
  DataSource?: { ID: string; Name: string };
}
export interface TrivyReport {
  SchemaVersion: number;
  Trivy?: { Version: string };
  ArtifactType: string;
  Metadata?: { OS?: { Family: string; Name: string } };
  Results?: { Target: string; Class: string; Type: string; Vulnerabilities?: TrivyVulnerability[] }[];
}

export const allVulns = (r: TrivyReport): TrivyVulnerability[] => (r.Results ?? []).flatMap((x) => x.Vulnerabilities ?? []);

export interface TrivyRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed JSON report, when stdout is one. */
  report?: TrivyReport;
}

/**
 * Run the provisioned trivy. TRIVY_* variables from the caller's environment are dropped and the
 * working directory is a temp dir, so no stray trivy.yaml / .trivyignore changes the result.
 */
export function runTrivy(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<TrivyRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TRIVY_')));
  return new Promise((resolve) => {
    execFile(
      toolBin('trivy'),
      args,
      { env: { ...env, ...opts.env }, cwd: opts.cwd ?? tmpdir(), timeout: opts.timeoutMs ?? 110_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        let report: TrivyReport | undefined;
        try {
          report = JSON.parse(stdout) as TrivyReport;
        } catch {
          report = undefined;
        }
        resolve({ code, stdout, stderr, report });
      },
    );
  });
}
