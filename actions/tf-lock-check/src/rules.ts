// The static rules. Each has an id, a severity and help; each finding points at file:line.
import { type Finding, fingerprint, type Severity } from '@platform-actions/kit';
import { goDurationMs, unknownDir, WRITES_STATE } from './commands.js';
import { Expr, isTrue, str } from './hcl.js';
import { type BackendEnv, type Repo, type Source, stateIdentity } from './repo.js';
import { admitsAtLeast, cmpVersion, type Version } from './versions.js';
import type { CiCommand } from './workflows.js';

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
    '`-lock=false` (any spelling Go accepts: `false`, `f`, `0`, also through `TF_CLI_ARGS` / `TF_CLI_ARGS_<command>`) lets this command write the state while another run holds the lock. Remove it; use `-lock-timeout` to wait for a lock instead.',
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
} as const;

const TOOL = 'tf-lock-check';

function finding(r: Rule, loc: Source, message: string, key: string, properties?: Finding['properties']): Finding {
  return {
    tool: TOOL,
    ruleId: r.id,
    severity: r.severity,
    title: r.title,
    message,
    location: { path: loc.file, startLine: loc.line },
    fingerprint: fingerprint(TOOL, r.id, loc.file, key),
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

  for (const env of repo.envs) {
    const c = env.config;
    const at = (k: string): Source => env.sources[k] ?? { file: env.backend.file, line: env.backend.line };
    const block: Source = { file: env.backend.file, line: env.backend.line };
    const where = env.name === 'backend block' ? '' : ` (with ${env.name})`;
    const props = { root: env.root || '.', environment: env.name };
    if (env.backend.type === 's3') {
      const lockfile = isTrue(c.use_lockfile) || c.use_lockfile instanceof Expr;
      const table = c.dynamodb_table !== undefined && c.dynamodb_table !== null && c.dynamodb_table !== '';
      if (!lockfile && !table) {
        out.push(
          finding(
            RULES.noLocking,
            block,
            `s3 backend of ${env.root || '.'}${where} has neither use_lockfile = true nor dynamodb_table, so its state is never locked.`,
            `${env.root}/${env.name}`,
            props,
          ),
        );
      } else if (table && !lockfile && flavorOf(env.root, cmdsFor(env.root), opts) === 'terraform' && deprecatedHere(env, repo, opts)) {
        out.push(
          finding(
            RULES.dynamoDeprecated,
            at('dynamodb_table'),
            `${env.root || '.'}${where} locks only with DynamoDB table ${JSON.stringify(str(c.dynamodb_table) ?? '…')}; on Terraform ≥ 1.11 add use_lockfile = true (keep dynamodb_table during the migration).`,
            `${env.root}/${env.name}`,
            props,
          ),
        );
      }
      if (!isTrue(c.encrypt) && !(c.encrypt instanceof Expr)) {
        out.push(
          finding(
            RULES.notEncrypted,
            c.encrypt === undefined ? block : at('encrypt'),
            `s3 backend of ${env.root || '.'}${where} does not set encrypt = true.`,
            `${env.root}/${env.name}`,
            props,
          ),
        );
      }
    }
    if (
      (env.backend.type === 'http' && !str(c.lock_address) && !(c.lock_address instanceof Expr)) ||
      (env.backend.type === 'consul' && c.lock === false) ||
      NO_LOCK_BACKENDS.has(env.backend.type)
    ) {
      out.push(
        finding(
          RULES.cannotLock,
          block,
          `${env.backend.type} backend of ${env.root || '.'}${where} cannot lock the state${env.backend.type === 'http' ? ' (no lock_address)' : env.backend.type === 'consul' ? ' (lock = false)' : ''}.`,
          `${env.root}/${env.name}`,
          props,
        ),
      );
    }
  }

  // Shared state: group environments by the state object they resolve to (workspace prefix included).
  const byState = new Map<string, BackendEnv[]>();
  for (const env of repo.envs) {
    const id = stateIdentity(env);
    if (!id) continue;
    const prefix = str(env.config.workspace_key_prefix) ?? '';
    const k = `${id}\u0000${prefix}`;
    byState.set(k, [...(byState.get(k) ?? []), env]);
  }
  for (const [k, group] of byState) {
    if (group.length < 2) continue;
    for (const env of group) {
      const others = group.filter((o) => o !== env).map((o) => `${o.root || '.'} (${o.name})`);
      const keySrc = env.sources.key ?? env.sources.prefix ?? { file: env.backend.file, line: env.backend.line };
      out.push(
        finding(RULES.sharedKey, keySrc, `${env.root || '.'} (${env.name}) writes ${k.split('\u0000')[0]}, the same state as ${others.join(', ')}.`, `${env.root}/${env.name}`, {
          root: env.root || '.',
          environment: env.name,
          state: k.split('\u0000')[0],
        }),
      );
    }
  }

  // Commands in workflows, scripts and Makefiles. HCP Terraform roots queue runs themselves: no lock
  // timeout or concurrency advice for them. A command in a directory we cannot resolve counts as a
  // cloud run only when every root of the repository is one.
  const roots = [...repo.modules.values()].filter((m) => m.backend || m.cloud);
  const allCloud = roots.length > 0 && roots.every((m) => m.cloud);
  const isCloud = (cmd: CiCommand) => (unknownDir(cmd.dir) ? allCloud : Boolean(repo.modules.get(cmd.dir)?.cloud));
  const seenJobs = new Set<string>();
  for (const cmd of repo.commands) {
    const loc = { file: cmd.file, line: cmd.line };
    const what = `${cmd.tool} ${cmd.sub}`.trim();
    const where = unknownDir(cmd.dir) ? `a directory not known before run time (${cmd.dir})` : cmd.dir || '.';
    const via = cmd.via ? ` (run from ${cmd.via.file}:${cmd.via.line})` : '';
    const writes = WRITES_STATE.has(cmd.sub);
    const noTimeout = cmd.lockTimeout === undefined || goDurationMs(cmd.lockTimeout) === 0;
    const cloud = isCloud(cmd);
    if (cmd.lockDisabled) {
      const from = cmd.lockFrom ? ` (set in ${cmd.lockFrom})` : '';
      const also = writes && noTimeout && !cloud ? '; it also has no -lock-timeout' : '';
      out.push(finding(RULES.lockDisabled, loc, `\`${what}\` runs with -lock=false${from} in ${where}${via}${also}.`, `${cmd.dir}/${what}`));
    }
    if (writes && !cloud && noTimeout) {
      const t = cmd.lockTimeout === undefined ? 'no -lock-timeout' : `-lock-timeout=${cmd.lockTimeout}${cmd.timeoutFrom ? ` (from ${cmd.timeoutFrom})` : ''}`;
      out.push(finding(RULES.noLockTimeout, loc, `\`${what}\` in ${where}${via} has ${t}, so it fails at once when the state is locked.`, `${cmd.dir}/${what}`));
    }
    const mod = unknownDir(cmd.dir) ? undefined : repo.modules.get(cmd.dir);
    if (writes && mod && !mod.cloud && (!mod.backend || mod.backend.type === 'local')) {
      out.push(
        finding(RULES.localApplied, loc, `\`${what}\` applies ${cmd.dir || '.'}${via}, whose state is local${mod.backend ? '' : ' (no backend block)'}.`, `${cmd.dir}/${what}`),
      );
    }
    const wfFile = cmd.via?.file ?? cmd.file;
    if (cmd.job && writes && !cloud && !seenJobs.has(`${wfFile}#${cmd.job.id}`)) {
      seenJobs.add(`${wfFile}#${cmd.job.id}`);
      const jl = { file: wfFile, line: cmd.job.line };
      const conc = cmd.job.concurrency;
      const how = cmd.via ? `runs \`${what}\` through ${cmd.file}` : `runs \`${what}\``;
      if (!conc || !conc.group) {
        const reusable = cmd.job.reusable ? ' It is a reusable workflow: a group on every calling job serialises it too.' : '';
        out.push(finding(RULES.noConcurrency, jl, `job "${cmd.job.id}" ${how} but has no concurrency group (job or workflow level).${reusable}`, cmd.job.id));
      } else {
        const concFile = conc.file ?? wfFile;
        const cl = { file: concFile, line: conc.line };
        if (cmd.job.cancels) {
          out.push(
            finding(
              RULES.cancelInProgress,
              { file: concFile, line: conc.cancelLine ?? conc.line },
              `job "${cmd.job.id}" applies under concurrency group ${JSON.stringify(conc.group)} with cancel-in-progress: ${String(conc.cancelInProgress)}${typeof conc.cancelInProgress === 'string' ? ', which can be true for an event that reaches the apply' : ''}.`,
              cmd.job.id,
            ),
          );
        }
        if (/github\.(sha|run_id|run_number|run_attempt)|github\.event\.pull_request\.head\.sha/.test(conc.group)) {
          out.push(finding(RULES.perRunGroup, cl, `job "${cmd.job.id}" applies under concurrency group ${JSON.stringify(conc.group)}, which differs on every run.`, cmd.job.id));
        }
      }
    }
  }
  for (const u of repo.unreadable)
    out.push(finding(RULES.unreadableWorkflow, { file: u.file, line: u.line }, `${u.file}: ${u.reason}; its terraform commands were not checked.`, u.file));
  return dedupe(out);
}

/** One finding per rule and line: a backend block shared by several environments is one fix, not several. */
function dedupe(findings: Finding[]): Finding[] {
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
