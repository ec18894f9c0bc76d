// The static rules. Each has an id, a severity and help; each finding points at file:line.
import { type Finding, fingerprint, type Severity } from '@platform-actions/kit';
import { goDurationMs, unknownDir, writesState, WRITES_STATE } from './commands.js';
import { Expr, type HclValue, isTrue, str } from './hcl.js';
import { type BackendEnv, type Repo, type Source, stateIdentity } from './repo.js';
import { admitsAtLeast, cmpVersion, type Version } from './versions.js';
import type { CiCommand, JobRef } from './workflows.js';
import { ACTION } from './action.js';

export interface Rule {
  id: string;
  severity: Severity;
  title: string;
  help: string;
}

const rule = (id: string, severity: Severity, title: string, help: string): Rule => ({ id, severity, title, help });

export const RULES = {
  noLocking: rule(
    'TFLOCK001',
    'high',
    'S3 backend without state locking',
    'An s3 backend locks only with `use_lockfile = true` (Terraform ≥ 1.10, OpenTofu ≥ 1.10) or `dynamodb_table`. Without either, two runs can write the state at once. Add `use_lockfile = true` to the backend block or to every .tfbackend file.',
  ),
  dynamoDeprecated: rule(
    'TFLOCK002',
    'low',
    'DynamoDB-only locking is deprecated in Terraform 1.11+',
    'Terraform 1.11 deprecated `dynamodb_table` in favour of S3-native locking. Add `use_lockfile = true` and keep `dynamodb_table` while the migration runs (both locks are taken), then drop the table. OpenTofu has not deprecated it.',
  ),
  notEncrypted: rule(
    'TFLOCK003',
    'medium',
    'State not encrypted at rest',
    'Set `encrypt = true` (AES256, or `kms_key_id` for KMS) so the state and the .tflock object are encrypted server-side. State holds secrets in plain text.',
  ),
  sharedKey: rule(
    'TFLOCK004',
    'critical',
    'Two roots or environments share one state',
    "Two configurations resolve to the same state object: each apply overwrites the other's state, and they contend for one lock. Give every root and environment its own `key` (or prefix).",
  ),
  localApplied: rule(
    'TFLOCK005',
    'high',
    'Local state in a root that CI applies',
    'A CI runner is thrown away after the job, and the local lock only protects one machine. Configure a remote backend that locks (s3 with use_lockfile, gcs, azurerm, pg).',
  ),
  lockDisabled: rule(
    'TFLOCK006',
    'high',
    'State locking turned off',
    '`-lock=false` (any spelling Go accepts: `false`, `f`, `0`, also through `TF_CLI_ARGS` / `TF_CLI_ARGS_<command>`) on a command that writes state (apply, destroy, import, refresh, state mv/rm/push, taint) lets it write while another run holds the lock. Remove it; use `-lock-timeout` to wait for a lock instead. `plan -lock=false` only reads the state and is not reported.',
  ),
  noLockTimeout: rule(
    'TFLOCK007',
    'medium',
    'apply without -lock-timeout',
    'The default -lock-timeout is 0s: an apply or destroy that meets a held lock fails at once. Add `-lock-timeout=300s` (or longer than your longest plan; `TF_CLI_ARGS_apply` counts) so queued runs wait. Not raised for HCP Terraform / `remote` roots, which queue runs themselves.',
  ),
  noConcurrency: rule(
    'TFLOCK008',
    'high',
    'Applying job without a concurrency group',
    'Two runs of this job can apply at the same time (directly, or through a script or make target a `run:` step calls). Add a constant `concurrency:` group per root/environment (for example `concurrency: { group: terraform-prod, cancel-in-progress: false }`).',
  ),
  cancelInProgress: rule(
    'TFLOCK009',
    'high',
    'cancel-in-progress can kill an apply',
    '`cancel-in-progress: true` (or an expression that is true for an event that reaches the apply step) cancels a running apply when a newer run starts: the cancelled terraform may leave a half-applied change and a stale lock. Set `cancel-in-progress: false` for jobs that apply.',
  ),
  perRunGroup: rule(
    'TFLOCK010',
    'high',
    'Concurrency group unique per run',
    'This group is keyed on something unique per run (github.sha, run_id, run_number), so it serialises nothing. Key it on the root/environment only.',
  ),
  cannotLock: rule(
    'TFLOCK011',
    'high',
    'Backend cannot lock',
    'This backend configuration has no locking at all: an http backend needs `lock_address`, a consul backend needs `lock = true`, and some backends never lock. Use a backend that locks.',
  ),
  unreadableWorkflow: rule(
    'TFLOCK012',
    'low',
    'Workflow file could not be read',
    'The workflow file does not parse as YAML (GitHub would reject it too), so its terraform commands were not checked. Fix the line named; `actionlint` shows the same error.',
  ),
  unparsedTerraform: rule(
    'TFLOCK013',
    'low',
    'Terraform file could not be read',
    'A .tf, .tfbackend or -backend-config file that a root uses (or a CI command runs in) does not parse, so the backend settings in it were not checked; `terraform validate` rejects it too. Fix the line named. A file that does not parse and that nothing uses (a test fixture, an unrendered template) is only noted in the log.',
  ),
  partialNotChecked: rule(
    'TFLOCK014',
    'info',
    'Partial backend completed at init; not checked',
    'The backend block leaves settings (a bucket, a key) to `terraform init -backend-config=…`, and no init in CI names the file or values, so whether the completed backend locks cannot be told here. When shared .tfbackend files sit beside the root they are read as the likely completion: this notice names those that do not lock. Name the file in the CI init (or set `use_lockfile = true` in the backend block) to have it checked.',
  ),
  defaultWorkspaceKey: rule(
    'TFLOCK015',
    'low',
    'Same key in the default workspace',
    '`workspace_key_prefix` only applies to workspaces other than `default`: in the default workspace an s3 backend writes `key` itself, so roots with the same bucket and key write the same state object there, whatever their prefixes. Give each root its own `key` unless every one of them runs only in named workspaces.',
  ),
} as const;

function finding(r: Rule, loc: Source, message: string, key: string, properties?: Finding['properties']): Finding {
  return {
    tool: ACTION,
    ruleId: r.id,
    severity: r.severity,
    title: r.title,
    message,
    location: { path: loc.file, startLine: loc.line },
    fingerprint: fingerprint(ACTION, r.id, loc.file, key),
    help: { text: r.help, markdown: r.help },
    properties,
  };
}

export interface LintOptions {
  /** 'auto' decides per root from the commands that run it (tofu if any does, else terraform). */
  flavor: 'terraform' | 'tofu' | 'auto';
  /** Version of the terraform binary, when one was found. */
  terraformVersion?: Version;
}

const DEPRECATED_IN: Version = [1, 11, 0];
const NO_LOCK_BACKENDS = new Set(['artifactory', 'etcd', 'manta', 'swift']);

export function lint(repo: Repo, opts: LintOptions): Finding[] {
  const out: Finding[] = [];
  const cmdsFor = (dir: string) => repo.commands.filter((c) => c.dir === dir);

  backendRules(repo, opts, cmdsFor, out);
  sharedStateRules(repo, out);
  commandRules(repo, out);
  for (const u of repo.unreadable)
    out.push(finding(RULES.unreadableWorkflow, { file: u.file, line: u.line }, `${u.file}: ${u.reason}; its terraform commands were not checked.`, u.file));
  for (const u of repo.unparsed)
    out.push(
      finding(
        RULES.unparsedTerraform,
        { file: u.file, line: u.line },
        `${u.reason.replace(/; fix the syntax.*$/, '')}: the backend settings in this file were not checked.`,
        u.file,
      ),
    );
  return mergeSameRuleAndLine(out);
}

const locks = (c: Record<string, HclValue>): boolean =>
  isTrue(c.use_lockfile) || c.use_lockfile instanceof Expr || (c.dynamodb_table !== undefined && c.dynamodb_table !== null && c.dynamodb_table !== '');

/** Each backend as terraform sees it after init: locking, encryption, backends that cannot lock. */
function backendRules(repo: Repo, opts: LintOptions, cmdsFor: (dir: string) => CiCommand[], out: Finding[]): void {
  partialBackendNotices(repo, out);
  for (const env of repo.envs) {
    if (env.completion) continue;
    const where = env.name === 'backend block' ? '' : ` (with ${env.name})`;
    if (env.backend.type === 's3') s3Rules(env, where, repo, opts, cmdsFor, out);
    if (cannotLock(env)) {
      const why = env.backend.type === 'http' ? ' (no lock_address)' : env.backend.type === 'consul' ? ' (lock = false)' : '';
      out.push(
        finding(
          RULES.cannotLock,
          { file: env.backend.file, line: env.backend.line },
          `${env.backend.type} backend of ${env.root || '.'}${where} cannot lock the state${why}.`,
          `${env.root}/${env.name}`,
          { root: env.root || '.', environment: env.name },
        ),
      );
    }
  }
}

/** Partial backends completed by a file no init names: one notice per root, never a high finding. */
function partialBackendNotices(repo: Repo, out: Finding[]): void {
  const guessed = new Map<string, BackendEnv[]>();
  for (const env of repo.envs) if (env.completion) guessed.set(env.root, [...(guessed.get(env.root) ?? []), env]);
  for (const [root, envs] of guessed) {
    const env = envs[0];
    if (env.backend.type !== 's3' || locks(env.config)) continue;
    const missing = (env.missing ?? []).join(' and ');
    const open = env.completion === 'unseen' ? envs : envs.filter((e) => !locks(e.config));
    if (open.length === 0) continue;
    const which =
      env.completion === 'unseen'
        ? 'no init in CI names the file or values that complete it, so its locking is not checked'
        : `no init in CI names the file that completes it; of the shared .tfbackend files beside it, ${open.map((e) => e.name).join(', ')} ${open.length === 1 ? 'sets' : 'set'} neither use_lockfile nor dynamodb_table`;
    out.push(
      finding(RULES.partialNotChecked, { file: env.backend.file, line: env.backend.line }, `s3 backend of ${root || '.'} leaves ${missing} to terraform init; ${which}.`, root, {
        root: root || '.',
      }),
    );
  }
}

/** An s3 backend: no locking, DynamoDB-only locking where it is deprecated, no encryption. */
function s3Rules(env: BackendEnv, where: string, repo: Repo, opts: LintOptions, cmdsFor: (dir: string) => CiCommand[], out: Finding[]): void {
  const c = env.config;
  const at = (k: string): Source => env.sources[k] ?? { file: env.backend.file, line: env.backend.line };
  const block: Source = { file: env.backend.file, line: env.backend.line };
  const props = { root: env.root || '.', environment: env.name };
  const key = `${env.root}/${env.name}`;
  const lockfile = isTrue(c.use_lockfile) || c.use_lockfile instanceof Expr;
  const table = c.dynamodb_table !== undefined && c.dynamodb_table !== null && c.dynamodb_table !== '';
  if (!lockfile && !table) {
    out.push(
      finding(RULES.noLocking, block, `s3 backend of ${env.root || '.'}${where} has neither use_lockfile = true nor dynamodb_table, so its state is never locked.`, key, props),
    );
  } else if (table && !lockfile && flavorOf(env.root, cmdsFor(env.root), opts) === 'terraform' && deprecatedHere(env, repo, opts)) {
    out.push(
      finding(
        RULES.dynamoDeprecated,
        at('dynamodb_table'),
        `${env.root || '.'}${where} locks only with DynamoDB table ${JSON.stringify(str(c.dynamodb_table) ?? '…')}; on Terraform ≥ 1.11 add use_lockfile = true (keep dynamodb_table during the migration).`,
        key,
        props,
      ),
    );
  }
  if (!isTrue(c.encrypt) && !(c.encrypt instanceof Expr)) {
    out.push(finding(RULES.notEncrypted, c.encrypt === undefined ? block : at('encrypt'), `s3 backend of ${env.root || '.'}${where} does not set encrypt = true.`, key, props));
  }
}

/** An http backend without lock_address, a consul one with lock = false, and backends that never lock. */
const cannotLock = (env: BackendEnv): boolean =>
  (env.backend.type === 'http' && !str(env.config.lock_address) && !(env.config.lock_address instanceof Expr)) ||
  (env.backend.type === 'consul' && env.config.lock === false) ||
  NO_LOCK_BACKENDS.has(env.backend.type);

/** Two environments that resolve to one state object; the same key in the default workspace. */
function sharedStateRules(repo: Repo, out: Finding[]): void {
  // A key taken from a shared file beside many roots is that file's, not theirs: no identity.
  const identity = (env: BackendEnv) => (env.completion === 'shared' && env.sources.key?.file === env.name ? undefined : stateIdentity(env));
  const byObject = new Map<string, BackendEnv[]>();
  for (const env of repo.envs) {
    const id = identity(env);
    if (id) byObject.set(id, [...(byObject.get(id) ?? []), env]);
  }
  const label = (o: BackendEnv) => `${o.root || '.'} (${o.name})`;
  for (const [id, all] of byObject) {
    // Group by workspace_key_prefix: the same prefix is the same state in every workspace.
    const byPrefix = new Map<string, BackendEnv[]>();
    for (const env of all) {
      const p = str(env.config.workspace_key_prefix) ?? '';
      byPrefix.set(p, [...(byPrefix.get(p) ?? []), env]);
    }
    for (const group of byPrefix.values()) {
      if (group.length < 2) continue;
      for (const env of group) {
        const others = group.filter((o) => o !== env).map(label);
        const keySrc = env.sources.key ?? env.sources.prefix ?? { file: env.backend.file, line: env.backend.line };
        out.push(
          finding(RULES.sharedKey, keySrc, `${env.root || '.'} (${env.name}) writes ${id}, the same state as ${others.join(', ')}.`, `${env.root}/${env.name}`, {
            root: env.root || '.',
            environment: env.name,
            state: id,
          }),
        );
      }
    }
    if (byPrefix.size < 2 || all[0].backend.type !== 's3') continue;
    for (const env of all) {
      const p = str(env.config.workspace_key_prefix) ?? '';
      const others = all.filter((o) => (str(o.config.workspace_key_prefix) ?? '') !== p).map(label);
      const keySrc = env.sources.key ?? { file: env.backend.file, line: env.backend.line };
      out.push(
        finding(
          RULES.defaultWorkspaceKey,
          keySrc,
          `${env.root || '.'} (${env.name}) and ${others.join(', ')} write ${id} in the default workspace: their workspace_key_prefix differs, but it only applies to other workspaces.`,
          `${env.root}/${env.name}`,
          { root: env.root || '.', environment: env.name, state: id },
        ),
      );
    }
  }
}

/**
 * Commands in workflows, scripts and Makefiles. HCP Terraform roots queue runs themselves: no lock
 * timeout or concurrency advice for them. Local-state roots get TFLOCK005 only: runners never contend
 * for a local lock. A command in a directory we cannot resolve counts as a cloud run only when every
 * root of the repository is one, and as a local-state run only when no module has a remote backend.
 */
function commandRules(repo: Repo, out: Finding[]): void {
  const { isCloud, isLocal } = stateKinds(repo);
  const applying = new Map<string, Applying>();
  for (const cmd of repo.commands) {
    const cloud = isCloud(cmd);
    const local = isLocal(cmd);
    lockFlagRules(cmd, cloud, local, out);
    const writes = WRITES_STATE.has(cmd.sub);
    // A script no workflow runs (an administrator's bootstrap) is not a runner that loses the state.
    if (writes && local && cmd.job && !unknownDir(cmd.dir)) {
      const mod = repo.modules.get(cmd.dir)!;
      const via = cmd.via ? ` (run from ${cmd.via.file}:${cmd.via.line})` : '';
      out.push(
        finding(
          RULES.localApplied,
          { file: cmd.file, line: cmd.line },
          `\`${labelOf(cmd)}\` applies ${cmd.dir || '.'}${via}, whose state is local${mod.backend ? '' : ' (no backend block)'}.`,
          `${cmd.dir}/${labelOf(cmd)}`,
        ),
      );
    }
    if (cmd.job && writes && !cloud && !local) {
      const file = cmd.via?.file ?? cmd.file;
      const k = `${file}#${cmd.job.id}`;
      const entry = applying.get(k) ?? { job: cmd.job, file, cmds: [] };
      entry.cmds.push(cmd);
      applying.set(k, entry);
    }
  }
  concurrencyRules(jobRules(applying.values(), out), out);
}

/** A job that writes state, and the commands that do. */
interface Applying {
  job: NonNullable<CiCommand['job']>;
  file: string;
  cmds: CiCommand[];
}

/** A concurrency block and the applying jobs under it. */
interface ConcurrencyBlock {
  at: Source;
  cancelAt: Source;
  conc: NonNullable<JobRef['concurrency']>;
  jobs: Array<{ id: string; verbs: string; cancels: boolean }>;
}

const labelOf = (cmd: CiCommand): string => cmd.label ?? `${cmd.tool} ${cmd.sub}`.trim();

/** Whether a command runs against HCP Terraform (which queues runs) or local state (no lock to contend for). */
function stateKinds(repo: Repo): { isCloud: (cmd: CiCommand) => boolean; isLocal: (cmd: CiCommand) => boolean } {
  const roots = [...repo.modules.values()].filter((m) => m.backend || m.cloud);
  const allCloud = roots.length > 0 && roots.every((m) => m.cloud);
  const allLocal = repo.modules.size > 0 && !repo.terragrunt.length && [...repo.modules.values()].every((m) => !m.cloud && (!m.backend || m.backend.type === 'local'));
  const isCloud = (cmd: CiCommand) => Boolean(cmd.remote) || (unknownDir(cmd.dir) ? allCloud : Boolean(repo.modules.get(cmd.dir)?.cloud));
  const isLocal = (cmd: CiCommand) => {
    if (cmd.tool === 'terragrunt' || cmd.remote) return false;
    if (unknownDir(cmd.dir)) return allLocal;
    const mod = repo.modules.get(cmd.dir);
    return Boolean(mod && !mod.cloud && (!mod.backend || mod.backend.type === 'local'));
  };
  return { isCloud, isLocal };
}

/** -lock=false on a command that writes state; an apply without -lock-timeout. */
function lockFlagRules(cmd: CiCommand, cloud: boolean, local: boolean, out: Finding[]): void {
  const loc = { file: cmd.file, line: cmd.line };
  const what = labelOf(cmd);
  const where = unknownDir(cmd.dir) ? `a directory not known before run time (${cmd.dir})` : cmd.dir || '.';
  const via = cmd.via ? ` (run from ${cmd.via.file}:${cmd.via.line})` : '';
  const writes = WRITES_STATE.has(cmd.sub);
  const noTimeout = cmd.lockTimeout === undefined || goDurationMs(cmd.lockTimeout) === 0;
  if (cmd.lockDisabled && !local && writesState(cmd)) {
    const from = cmd.lockFrom ? ` (set in ${cmd.lockFrom})` : '';
    const also = writes && noTimeout && !cloud ? '; it also has no -lock-timeout' : '';
    out.push(finding(RULES.lockDisabled, loc, `\`${what}\` runs with -lock=false${from} in ${where}${via}${also}.`, `${cmd.dir}/${what}`));
  }
  if (writes && !cloud && !local && noTimeout) {
    const t = cmd.lockTimeout === undefined ? 'no -lock-timeout' : `-lock-timeout=${cmd.lockTimeout}${cmd.timeoutFrom ? ` (from ${cmd.timeoutFrom})` : ''}`;
    out.push(finding(RULES.noLockTimeout, loc, `\`${what}\` in ${where}${via} has ${t}, so it fails at once when the state is locked.`, `${cmd.dir}/${what}`));
  }
}

/** One TFLOCK008 per applying job without a group; the others grouped by their concurrency block. */
function jobRules(applying: Iterable<Applying>, out: Finding[]): Map<string, ConcurrencyBlock> {
  const byBlock = new Map<string, ConcurrencyBlock>();
  for (const { job, file, cmds } of applying) {
    const first = cmds[0];
    const what = first.label ?? `${first.tool} ${first.sub}`;
    const conc = job.concurrency;
    if (!conc || !conc.group) {
      const how = first.via ? `runs \`${what}\` through ${first.file}` : `runs \`${what}\``;
      const reusable = job.reusable ? ' It is a reusable workflow: a group on every calling job serialises it too.' : '';
      out.push(finding(RULES.noConcurrency, { file, line: job.line }, `job "${job.id}" ${how} but has no concurrency group (job or workflow level).${reusable}`, job.id));
      continue;
    }
    const concFile = conc.file ?? file;
    const k = `${concFile}:${conc.line}`;
    const verbs = [...new Set(cmds.map((c) => (c.sub === 'destroy' ? 'destroy' : 'apply')))].sort().join(' and ');
    const block = byBlock.get(k) ?? { at: { file: concFile, line: conc.line }, cancelAt: { file: concFile, line: conc.cancelLine ?? conc.line }, conc, jobs: [] };
    block.jobs.push({ id: job.id, verbs, cancels: job.cancels });
    byBlock.set(k, block);
  }
  return byBlock;
}

/** TFLOCK009/010 per concurrency block, naming every job under it. */
function concurrencyRules(byBlock: Map<string, ConcurrencyBlock>, out: Finding[]): void {
  // `job "deploy" applies` / `jobs "deploy" (apply), "nightly" (destroy) run`.
  const names = (jobs: Array<{ id: string; verbs: string }>) =>
    jobs.length === 1
      ? `job "${jobs[0].id}" ${jobs[0].verbs.replace(/apply/, 'applies').replace(/destroy$/, 'destroys')}`
      : `jobs ${jobs.map((j) => `"${j.id}" (${j.verbs})`).join(', ')} run`;
  for (const { at, cancelAt, conc, jobs } of byBlock.values()) {
    const cancelling = jobs.filter((j) => j.cancels);
    if (cancelling.length) {
      out.push(
        finding(
          RULES.cancelInProgress,
          cancelAt,
          `${names(cancelling)} under concurrency group ${JSON.stringify(conc.group)} with cancel-in-progress: ${String(conc.cancelInProgress)}${typeof conc.cancelInProgress === 'string' ? ', which can be true for an event that reaches the apply' : ''}.`,
          cancelling.map((j) => j.id).join(','),
        ),
      );
    }
    if (/github\.(sha|run_id|run_number|run_attempt)|github\.event\.pull_request\.head\.sha/.test(conc.group!)) {
      out.push(
        finding(RULES.perRunGroup, at, `${names(jobs)} under concurrency group ${JSON.stringify(conc.group)}, which differs on every run.`, jobs.map((j) => j.id).join(',')),
      );
    }
  }
}

/** One finding per rule and line: a backend block shared by several environments is one fix, not several. */
function mergeSameRuleAndLine(findings: Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const f of findings) {
    const k = `${f.ruleId}\u0000${f.location?.path}\u0000${f.location?.startLine}`;
    const first = seen.get(k);
    if (!first) seen.set(k, f);
    else if (f.properties?.environment) first.properties = { ...first.properties, environment: `${String(first.properties?.environment)}, ${String(f.properties.environment)}` };
  }
  return [...seen.values()];
}

function flavorOf(dir: string, cmds: CiCommand[], opts: LintOptions): 'terraform' | 'tofu' {
  if (opts.flavor !== 'auto') return opts.flavor;
  return cmds.some((c) => c.tool === 'tofu') ? 'tofu' : 'terraform';
}

/** Deprecated when the terraform binary is ≥ 1.11, or (no binary) when required_version admits 1.11+. */
function deprecatedHere(env: BackendEnv, repo: Repo, opts: LintOptions): boolean {
  if (opts.terraformVersion) return cmpVersion(opts.terraformVersion, DEPRECATED_IN) >= 0;
  const rv = repo.modules.get(env.root)?.requiredVersion;
  return rv ? admitsAtLeast(rv.constraint, DEPRECATED_IN) : true;
}
