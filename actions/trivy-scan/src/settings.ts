// Every input, validated before any work starts; each error names the input and what was expected.
// Field names equal the action.yml input names.
import { checkPath, type FailOn, InputError, inputs, runnerTemp, workspace } from '@platform-actions/kit';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_VERSION, MIN_VERSION, REFUSED_VERSIONS } from './install.js';
import { parseScanners, parseTargets, type Target } from './targets.js';

export const DEFAULT_DB_REPOSITORIES = ['mirror.gcr.io/aquasec/trivy-db:2', 'ghcr.io/aquasecurity/trivy-db:2', 'public.ecr.aws/aquasecurity/trivy-db:2'];
export const DEFAULT_JAVA_DB_REPOSITORIES = ['mirror.gcr.io/aquasec/trivy-java-db:1', 'ghcr.io/aquasecurity/trivy-java-db:1', 'public.ecr.aws/aquasecurity/trivy-java-db:1'];

export interface Settings {
  targets: Target[];
  'fail-on': FailOn;
  'ignore-unfixed': boolean;
  'ignore-file'?: string;
  baseline?: { path: string; ids: Set<string> };
  'forbidden-licenses': Set<string>;
  version: string;
  mirror?: string;
  'db-repositories': string[];
  'java-db': boolean;
  'java-db-repositories': string[];
  offline: boolean;
  'skip-db-update': boolean;
  'cache-dir': string;
  'sarif-file': string;
  'report-dir': string;
  'sbom-file'?: string;
  comment: boolean;
  token?: string;
  timeoutMs: number;
}

export const parseVersion = (value: string): string => inputs.releaseVersion('version', value, { tool: 'trivy', example: '0.74.0', min: MIN_VERSION, refused: REFUSED_VERSIONS });

/** A database repository as trivy takes it: host/path:tag or @digest, no scheme, no spaces. */
const DB_REPO = /^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)+(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$/;
export function parseRepositories(name: string, items: string[]): string[] {
  for (const r of items) if (!DB_REPO.test(r)) throw new InputError(name, 'must list OCI repositories such as ghcr.io/aquasecurity/trivy-db:2 (no scheme), one per line', r);
  return items;
}

/** A baseline: a SARIF file written by this action; its results' fingerprints are accepted. */
export function parseBaseline(text: string, name = 'baseline-path'): Set<string> {
  let doc: { runs?: Array<{ results?: Array<{ partialFingerprints?: Record<string, string> }> }> };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new InputError(name, 'must be a SARIF file written by trivy-scan (it is not JSON)');
  }
  if (!Array.isArray(doc?.runs)) throw new InputError(name, 'must be a SARIF file written by trivy-scan (no runs)');
  const ids = new Set<string>();
  for (const run of doc.runs)
    for (const r of run.results ?? []) {
      const fp = r.partialFingerprints?.['platformActionsFingerprint/v1'];
      if (fp) ids.add(fp);
    }
  return ids;
}

const toolCacheRoot = (): string => process.env.RUNNER_TOOL_CACHE || join(runnerTemp(), 'tool-cache');

export function readSettings(): Settings {
  const ws = workspace();
  const scanners = parseScanners(inputs.list('scanners').length ? inputs.list('scanners') : ['vuln', 'secret']);
  const targetLines = inputs.list('targets', { separators: 'newline' });
  const targets = parseTargets(targetLines.length ? targetLines : ['fs:.'], scanners, ws);
  const failOn = inputs.failOn('high');
  const ignoreUnfixed = inputs.boolean('ignore-unfixed', { default: false });
  const ignoreFile = inputs.path('ignore-file', { mustExist: 'file' });
  const baselinePath = inputs.path('baseline-path', { mustExist: 'file' });
  const baseline = baselinePath ? { path: baselinePath, ids: parseBaseline(readFileSync(baselinePath, 'utf8')) } : undefined;
  const forbidden = new Set(inputs.list('forbidden-licenses').map((l) => l.toLowerCase()));
  const version = parseVersion(inputs.toolVersion('version', DEFAULT_VERSION));
  const mirror = inputs.mirror();
  const dbRepos = inputs.list('db-repositories');
  const javaRepos = inputs.list('java-db-repositories');
  const offline = inputs.boolean('offline', { default: false });
  const sarifFile = inputs.outputFile('sarif-file', 'trivy-scan.sarif');
  const reportDirInput = inputs.string('report-dir');
  const reportDir = reportDirInput ? checkPath('report-dir', reportDirInput, { allowRunnerTemp: true }) : join(runnerTemp(), 'trivy-scan-reports');
  if (existsSync(reportDir) && !statSync(reportDir).isDirectory()) throw new InputError('report-dir', 'must be a folder', reportDirInput);
  const sbomFile = inputs.string('sbom-file') ? inputs.outputFile('sbom-file', 'sbom.cdx.json') : undefined;
  const comment = inputs.comment();
  if (sbomFile && targets.every((t) => t.type === 'config')) throw new InputError('sbom-file', 'needs a target other than config (an SBOM lists packages)');
  const cacheDirInput = inputs.string('cache-dir');
  return {
    targets,
    'fail-on': failOn,
    'ignore-unfixed': ignoreUnfixed,
    'ignore-file': ignoreFile,
    baseline,
    'forbidden-licenses': forbidden,
    version,
    mirror,
    'db-repositories': parseRepositories('db-repositories', dbRepos.length ? dbRepos : DEFAULT_DB_REPOSITORIES),
    'java-db': inputs.boolean('java-db', { default: false }),
    'java-db-repositories': parseRepositories('java-db-repositories', javaRepos.length ? javaRepos : DEFAULT_JAVA_DB_REPOSITORIES),
    offline,
    'skip-db-update': offline || inputs.boolean('skip-db-update', { default: false }),
    'cache-dir': cacheDirInput ? checkPath('cache-dir', resolve(ws, cacheDirInput), { allowOutsideWorkspace: true }) : join(toolCacheRoot(), 'trivy-scan', 'cache'),
    'sarif-file': sarifFile,
    'report-dir': reportDir,
    'sbom-file': sbomFile,
    comment: comment.enabled,
    token: comment.token,
    timeoutMs: inputs.duration('timeout', { default: '10m', minMs: 10_000, maxMs: 6 * 3_600_000 }),
  };
}
