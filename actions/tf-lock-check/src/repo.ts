// Reads a repository: every directory with .tf files, its backend block, the *.tfbackend partial
// configurations, and the terraform/tofu commands in workflows and scripts. Then merges each backend
// with the partial configuration it is initialised with, one "environment" per combination, because
// that merged configuration (not the HCL alone) is what terraform locks with.
import { InputError } from '@platform-actions/kit';
import { joinRel, unknownDir, WRITES_STATE } from './commands.js';
import { join } from 'node:path';
import { listFiles, real } from './files.js';
import { type Body, Expr, HclSyntaxError, type HclValue, parseHcl, str } from './hcl.js';
import { parseTfJson } from './tfjson.js';
import { type Callers, type CiCommand, scriptCommands, workflowCommands } from './workflows.js';
import { WorkflowSyntaxError } from './yamlread.js';

export interface Source {
  file: string;
  line: number;
}

export interface Backend {
  type: string;
  file: string;
  line: number;
  body: Body;
}

export interface Module {
  /** Repository-relative directory ("" = the repository root). */
  dir: string;
  backend?: Backend;
  /** `terraform { cloud {} }` or `backend "remote"`: HCP Terraform / TFE queues runs and locks the workspace itself. */
  cloud?: Source;
  requiredVersion?: { constraint: string } & Source;
  /** Local `module` sources (`../modules/vpc`), repository-relative: the folders this one uses. */
  uses?: string[];
}

/** One backend as terraform sees it after `init` with a given partial configuration. */
export interface BackendEnv {
  root: string;
  /** What selects this environment: a .tfbackend file, -backend-config pairs, or "backend block". */
  name: string;
  backend: Backend;
  config: Record<string, HclValue>;
  /** Where each merged key came from (the backend block or a partial configuration). */
  sources: Record<string, Source>;
  /**
   * How the partial configuration was found when no `init` in CI names it: "shared" — a .tfbackend file
   * beside the root or its parents that the root probably uses (a guess); "unseen" — none in the
   * repository, so what completes the backend at `init` cannot be checked.
   */
  completion?: 'shared' | 'unseen';
  /** For "shared" and "unseen": the attributes the backend block leaves to `init`. */
  missing?: string[];
}

export interface Repo {
  modules: Map<string, Module>;
  envs: BackendEnv[];
  commands: CiCommand[];
  /** Workflow files that did not parse: reported with their line, not fatal. */
  unreadable: Array<{ file: string; line: number; reason: string }>;
  /** Terraform files (.tf, .tfbackend, -backend-config files) a root uses that did not parse. */
  unparsed: Array<{ file: string; line: number; reason: string }>;
  /** terragrunt.hcl / root.hcl files (their remote_state blocks are not analysed). */
  terragrunt: string[];
  /** One-line notices for the log (module repository, Terragrunt, skipped links, templates). */
  notices: string[];
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

/** A module is a root when it has a backend or is an HCP Terraform workspace. */
export const isRoot = (m: Module): boolean => Boolean(m.backend || m.cloud);

// Template engines' markers (cookiecutter/Jinja, Go templates): a file that holds them is a template, not HCL.
const TEMPLATE = /\{\{|\{%/;

export function scanRepo(workspace: string, opts: { scope?: string } = {}): Repo {
  const repo = listFiles(workspace);
  const inScope = (f: string) => !opts.scope || f === opts.scope || f.startsWith(`${opts.scope}/`);
  const r = new RepoReader(repo);
  for (const f of repo.files) if (inScope(f) || f.startsWith('.github/')) r.read(f);
  r.dropLinkedFolders();
  inheritCallerConcurrency(r.commands, r.callers);
  // A script a workflow calls was read in the job that calls it (with that job's directory and env).
  for (const f of r.scripts) if (!r.called.has(f)) r.commands.push(...scriptCommands(f, repo.read(f), repo));
  if (r.terragrunt.length) terragruntArguments(r.commands, r.terragrunt, (f) => parseOrTemplateQuiet(f, repo.read(f)));

  const { modules, commands, broken } = r;
  const notices = [...rootNotices(r, opts.scope), ...skippedNotices(r.templates, repo.skippedLinks.filter(inScope))];
  // -backend-config files with other names (config/prod.hcl) are read when an init names them.
  const readPartial = (rel: string): Body | undefined => (repo.has(rel) ? r.parse(rel, repo.read(rel)) : undefined);
  const envs = mergeEnvs(modules, r.tfbackends, commands, readPartial);
  // Files that did not parse: a finding when a root uses them, else a notice.
  const used = usedFolders(modules, commands);
  const unparsed = broken.filter((b) => used(dirOf(b.file)) || (b.file.endsWith('.tfbackend') && ownerRoot(modules, b.file)));
  const ignored = broken.filter((b) => !unparsed.includes(b));
  if (ignored.length)
    notices.push(
      `Skipped ${ignored.length} Terraform file(s) that do not parse and that no root uses nor CI applies (${ignored
        .slice(0, 3)
        .map((b) => `${b.file}:${b.line}`)
        .join(', ')}${ignored.length > 3 ? ', …' : ''}); terraform would reject them too.`,
    );
  return { modules, envs, commands, unreadable: r.unreadable, unparsed, terragrunt: r.terragrunt, notices };
}

/** What one pass over the repository's files finds: modules and backends, partial configurations, CI commands. */
class RepoReader {
  readonly modules = new Map<string, Module>();
  readonly tfbackends = new Map<string, Body>();
  readonly commands: CiCommand[] = [];
  readonly unreadable: Repo['unreadable'] = [];
  readonly templates: string[] = [];
  readonly terragrunt: string[] = [];
  readonly scripts: string[] = [];
  readonly called = new Set<string>();
  readonly callers: Callers = new Map();
  readonly broken: Repo['unparsed'] = [];
  private readonly tfFilesOf = new Map<string, string[]>();

  constructor(private readonly repo: ReturnType<typeof listFiles>) {}

  read(f: string): void {
    if (f.endsWith('.tf') || f.endsWith('.tf.json')) this.terraformFile(f);
    else if (f.endsWith('.tfbackend')) {
      const body = this.parse(f, this.repo.read(f));
      if (body) this.tfbackends.set(f, body);
    } else if (/(^|\/)(terragrunt|root)\.hcl$/.test(f)) this.terragrunt.push(f);
    else if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(f)) this.workflow(f);
    else if (f.endsWith('.sh')) this.scripts.push(f);
  }

  /**
   * A file that does not parse is reported (a finding when a root uses it, else a notice) and the rest
   * of the repository is still read.
   */
  parse(f: string, text: string): Body | undefined {
    try {
      return f.endsWith('.json') ? parseTfJson(f, text) : parseHcl(f, text);
    } catch (e) {
      // A template folder (cookiecutter, Jinja) is not Terraform until it is rendered: skip it, say so.
      if (e instanceof HclSyntaxError && TEMPLATE.test(text)) {
        this.templates.push(f);
        return undefined;
      }
      // Only a syntax error: a file over the size or nesting limits is refused (a trap, not a typo).
      if (!(e instanceof HclSyntaxError)) throw e;
      this.broken.push({ file: f, line: e.line, reason: e.message });
      return undefined;
    }
  }

  /** A .tf or .tf.json file: its folder's backend, cloud block, required_version and local module sources. */
  private terraformFile(f: string): void {
    const body = this.parse(f, this.repo.read(f));
    if (!body) return;
    const dir = dirOf(f);
    this.tfFilesOf.set(dir, [...(this.tfFilesOf.get(dir) ?? []), f]);
    const mod = this.modules.get(dir) ?? { dir };
    this.modules.set(dir, mod);
    for (const tb of body.blocks.filter((b) => b.type === 'terraform')) terraformBlock(mod, f, tb.body);
    for (const m of body.blocks.filter((b) => b.type === 'module')) {
      const src = str(m.body.attributes.source?.value);
      if (src && /^\.\.?\//.test(src)) mod.uses = [...(mod.uses ?? []), joinRel(dir, src)];
    }
  }

  private workflow(f: string): void {
    try {
      this.commands.push(...workflowCommands(f, this.repo.read(f), this.repo, this.called, this.callers));
    } catch (e) {
      if (!(e instanceof WorkflowSyntaxError)) throw e;
      this.unreadable.push({ file: f, line: e.line, reason: e.message });
    }
  }

  /** A folder that only holds files other roots link to (shared/backend.tf) is a library of files, not a root. */
  dropLinkedFolders(): void {
    if (!this.repo.linkTargets.size) return;
    for (const [dir, tfs] of this.tfFilesOf) {
      if (tfs.every((f) => !this.repo.isLink(f) && this.repo.linkTargets.has(real(join(this.repo.root, f)) ?? ''))) this.modules.delete(dir);
    }
  }
}

/** A `terraform { }` block: required_version, and the backend or HCP Terraform (`cloud`, `backend "remote"`). */
function terraformBlock(mod: Module, f: string, tb: Body): void {
  const rv = tb.attributes.required_version;
  if (rv && typeof rv.value === 'string') mod.requiredVersion = { constraint: rv.value, file: f, line: rv.line };
  for (const b of tb.blocks) {
    if (b.type === 'backend' && b.labels[0] === 'remote') mod.cloud = { file: f, line: b.line };
    else if (b.type === 'backend') mod.backend = { type: b.labels[0] ?? '', file: f, line: b.line, body: b.body };
    if (b.type === 'cloud') mod.cloud = { file: f, line: b.line };
  }
}

/**
 * A reusable workflow's job with no group of its own is serialised when every caller in this repository
 * runs it under a concurrency group (the caller's group covers the whole called workflow).
 */
function inheritCallerConcurrency(commands: CiCommand[], callers: Callers): void {
  for (const c of commands) {
    const file = c.via?.file ?? c.file;
    const list = callers.get(file);
    if (!c.job?.reusable || c.job.concurrency?.group || !list?.length) continue;
    if (list.every((x) => x.concurrency?.group)) c.job = { ...c.job, concurrency: list[0].concurrency, cancels: list.some((x) => x.concurrency?.cancelInProgress !== false) };
  }
}

/** What the log says about the roots found: none (a module repository, Terragrunt, nothing at all), Terragrunt beside them. */
function rootNotices(r: RepoReader, scope: string | undefined): string[] {
  const { modules, terragrunt } = r;
  const roots = [...modules.values()].filter(isRoot);
  if (roots.length) {
    if (!terragrunt.length) return [];
    return [
      `Terragrunt: ${terragrunt.length} terragrunt.hcl / root.hcl file(s): their remote_state blocks are not read; the .tf backends and the terragrunt commands CI runs were.`,
    ];
  }
  if (terragrunt.length)
    return [
      `Terragrunt: ${terragrunt.length} terragrunt.hcl / root.hcl file(s) found. Their remote_state blocks are not analysed; only backend blocks in .tf files are (none here). The terragrunt commands CI runs are checked, with the lock flags of their extra_arguments.`,
    ];
  if (modules.size)
    return [
      `No root module with a backend or cloud block under ${scope || 'the repository'}: ${modules.size} module folder(s) read as a module repository (local state). Commands that apply them are still checked.`,
    ];
  if (scope && !r.broken.length) throw new InputError('working-directory', 'must be a folder that holds Terraform files (.tf, .tf.json)', scope);
  if (!r.templates.length && !r.broken.length) return ['No Terraform files (.tf, .tf.json) in the repository: nothing to check.'];
  return [];
}

/** What was skipped on purpose: template files, and symbolic links that lead outside the workspace or nowhere. */
function skippedNotices(templates: string[], outside: string[]): string[] {
  const some = (list: string[]) => `${list.slice(0, 3).join(', ')}${list.length > 3 ? ', …' : ''}`;
  const out: string[] = [];
  if (templates.length) out.push(`Skipped ${templates.length} template file(s) that are not HCL until rendered (${some(templates)}).`);
  if (outside.length) out.push(`Skipped ${outside.length} symbolic link(s) that point outside the workspace or nowhere (${some(outside)}); they were not read.`);
  return out;
}

/** Whether a folder is a root, is used by one (local module sources, transitively), or is one CI applies. */
function usedFolders(modules: Map<string, Module>, commands: CiCommand[]): (dir: string) => boolean {
  const used = new Set<string>();
  const visit = (d: string) => {
    if (used.has(d)) return;
    used.add(d);
    for (const u of modules.get(d)?.uses ?? []) visit(u);
  };
  for (const m of modules.values()) if (isRoot(m)) visit(m.dir);
  // Only applies: a fixture CI merely validates (and expects terraform to reject) is not in use.
  for (const c of commands) if (!unknownDir(c.dir) && WRITES_STATE.has(c.sub)) visit(c.dir);
  return (dir) => used.has(dir);
}

/** The root a .tfbackend file belongs to by place: the nearest root folder above it. */
function ownerRoot(modules: Map<string, Module>, file: string): Module | undefined {
  let d = dirOf(file);
  for (;;) {
    const m = modules.get(d);
    if (m?.backend) return m;
    if (d === '') return undefined;
    d = dirOf(d);
  }
}

// A terragrunt.hcl that does not parse is not ours to report: terragrunt is not analysed beyond this.
function parseOrTemplateQuiet(f: string, text: string): Body | undefined {
  try {
    return parseHcl(f, text);
  } catch {
    return undefined;
  }
}

/**
 * Terragrunt passes `terraform { extra_arguments "…" { commands = […] arguments = […] } }` to the
 * commands it runs: a -lock-timeout (or -lock=false) there counts for the terragrunt commands CI runs
 * in that folder (the configuration there and in the folders above it, which `include` reads; for
 * run-all / run --all, also the units below).
 */
function terragruntArguments(commands: CiCommand[], files: string[], parse: (f: string) => Body | undefined): void {
  const args = extraArguments(files, parse);
  for (const c of commands) {
    if (c.tool !== 'terragrunt' || unknownDir(c.dir)) continue;
    const all = /run-all|--all/.test(c.label ?? '') || c.args.includes('--all');
    const dirs = [...args.keys()].filter((d) => d === '' || c.dir === d || c.dir.startsWith(`${d}/`) || (all && (c.dir === '' || d.startsWith(`${c.dir}/`))));
    for (const d of dirs) for (const ea of args.get(d)!) if (appliesTo(ea, c.sub)) lockFlagsFrom(ea, c);
  }
}

interface ExtraArguments {
  file: string;
  name: string;
  commands: string[] | 'locking';
  arguments: string[];
}

/** The `extra_arguments` blocks of each folder's terragrunt configuration. */
function extraArguments(files: string[], parse: (f: string) => Body | undefined): Map<string, ExtraArguments[]> {
  const args = new Map<string, ExtraArguments[]>();
  for (const f of files) {
    const body = parse(f);
    if (!body) continue;
    for (const tb of body.blocks.filter((b) => b.type === 'terraform'))
      for (const ea of tb.body.blocks.filter((b) => b.type === 'extra_arguments')) {
        const cmds = ea.body.attributes.commands?.value;
        const argv = ea.body.attributes.arguments?.value;
        if (!Array.isArray(argv)) continue;
        const list: ExtraArguments = {
          file: f,
          name: ea.labels[0] ?? '',
          // get_terraform_commands_that_need_locking() and friends: every command that writes state.
          commands: Array.isArray(cmds) ? cmds.filter((c): c is string => typeof c === 'string') : 'locking',
          arguments: argv.filter((a): a is string => typeof a === 'string'),
        };
        args.set(dirOf(f), [...(args.get(dirOf(f)) ?? []), list]);
      }
  }
  return args;
}

/** Whether an extra_arguments block is passed to `sub`. */
function appliesTo(ea: ExtraArguments, sub: string): boolean {
  if (ea.commands !== 'locking') return ea.commands.includes(sub);
  return WRITES_STATE.has(sub) || ['plan', 'import', 'refresh', 'taint', 'untaint', 'state'].includes(sub);
}

/** A -lock-timeout or -lock=false among its arguments counts for the command, unless the command sets its own. */
function lockFlagsFrom(ea: ExtraArguments, c: CiCommand): void {
  const from = `${ea.file} extra_arguments "${ea.name}"`;
  for (const a of ea.arguments) {
    if (/^--?lock-timeout=/.test(a) && c.lockTimeout === undefined) Object.assign(c, { lockTimeout: a.slice(a.indexOf('=') + 1), timeoutFrom: from });
    if (/^--?lock=(false|f|0|F|FALSE|False)$/.test(a) && !c.lockDisabled) Object.assign(c, { lockDisabled: true, lockFrom: from });
  }
}

/** The partial configuration a `-backend-config` value adds: a file's attributes or one key=value. */
export function partial(
  value: string,
  cwd: string,
  tfbackends: Map<string, Body>,
  readFile?: (rel: string) => Body | undefined,
): { kv: Record<string, HclValue>; sources: Record<string, Source>; file?: string } | undefined {
  const asFile = joinRel(cwd, value);
  const body = tfbackends.get(asFile) ?? (value.includes('=') ? undefined : readFile?.(asFile));
  if (body) {
    const kv: Record<string, HclValue> = {};
    const sources: Record<string, Source> = {};
    for (const a of Object.values(body.attributes)) {
      kv[a.name] = a.value;
      sources[a.name] = { file: asFile, line: a.line };
    }
    return { kv, sources, file: asFile };
  }
  const eq = value.indexOf('=');
  if (eq <= 0) return undefined; // a file we cannot see (generated at run time, or a ${{ }} expression)
  const k = value.slice(0, eq).trim();
  const raw = value.slice(eq + 1).trim();
  // A value not known before run time (`use_lockfile=$USE_LOCKFILE`, `bucket=${{ vars.B }}`) is an
  // expression, as in HCL: neither true nor false, and no bucket to compare.
  const v: HclValue = raw === 'true' ? true : raw === 'false' ? false : raw.includes('$') ? new Expr(raw) : raw;
  return { kv: { [k]: v }, sources: {} };
}

// What a backend needs before it can find its state; without it, `init` must be given the rest.
const REQUIRED: Record<string, string[]> = { s3: ['bucket', 'key'], gcs: ['bucket'], azurerm: ['storage_account_name', 'container_name', 'key'] };

function mergeEnvs(modules: Map<string, Module>, tfbackends: Map<string, Body>, commands: CiCommand[], readPartial: (rel: string) => Body | undefined): BackendEnv[] {
  const envs = new Map<string, BackendEnv>();
  const claimed = initEnvs(modules, tfbackends, commands, readPartial, envs);
  placedEnvs(modules, tfbackends, claimed, envs);
  completedEnvs(modules, tfbackends, envs);
  return [...envs.values()];
}

/** A root's backend block alone, as the environment the partial configurations add to. */
function baseEnv(m: Module): BackendEnv {
  const config: Record<string, HclValue> = {};
  const sources: Record<string, Source> = {};
  for (const a of Object.values(m.backend!.body.attributes)) {
    config[a.name] = a.value;
    sources[a.name] = { file: m.backend!.file, line: a.line };
  }
  return { root: m.dir, name: 'backend block', backend: m.backend!, config, sources };
}

/** A .tfbackend file's attributes added to an environment. */
function addFile(env: BackendEnv, f: string, body: Body): void {
  for (const a of Object.values(body.attributes)) {
    env.config[a.name] = a.value;
    env.sources[a.name] = { file: f, line: a.line };
  }
}

/** 1. Every `init` in CI with -backend-config defines an environment of the root it runs in. Returns the files they name. */
function initEnvs(
  modules: Map<string, Module>,
  tfbackends: Map<string, Body>,
  commands: CiCommand[],
  readPartial: (rel: string) => Body | undefined,
  envs: Map<string, BackendEnv>,
): Set<string> {
  const claimed = new Set<string>();
  for (const c of commands) {
    const m = modules.get(c.dir);
    if (!m?.backend || c.sub !== 'init' || c.backendConfig.length === 0) continue;
    const env = baseEnv(m);
    const names: string[] = [];
    for (const v of c.backendConfig) {
      const p = partial(v, c.dir, tfbackends, readPartial);
      if (!p) continue;
      Object.assign(env.config, p.kv);
      Object.assign(env.sources, Object.fromEntries(Object.keys(p.kv).map((k) => [k, p.sources[k] ?? { file: c.file, line: c.line }])));
      if (p.file) claimed.add(p.file);
      names.push(p.file ?? v);
    }
    if (names.length === 0) continue; // only values we cannot see (e.g. "envs/$ENV.tfbackend"): the files speak for themselves
    env.name = names.join(' + ');
    envs.set(`${m.dir}\u0000${env.name}`, env);
  }
  return claimed;
}

/** 2. A .tfbackend file no init names belongs to the nearest root above it (envs/dev.tfbackend). */
function placedEnvs(modules: Map<string, Module>, tfbackends: Map<string, Body>, claimed: Set<string>, envs: Map<string, BackendEnv>): void {
  for (const [f, body] of tfbackends) {
    if (claimed.has(f)) continue;
    let d = dirOf(f);
    let m = modules.get(d);
    while (!m?.backend && d !== '') {
      d = dirOf(d);
      m = modules.get(d);
    }
    if (!m?.backend) continue;
    const env = baseEnv(m);
    env.name = f;
    addFile(env, f, body);
    envs.set(`${m.dir}\u0000${f}`, env);
  }
}

/**
 * 3. A root nothing above completes. A complete backend block is its own configuration. A partial one
 * (no bucket, say) is completed at `init` by a file no command here names: the shared .tfbackend files
 * beside the root or beside a folder above it are the likely ones (a guess, marked "shared"); with
 * none, it cannot be checked ("unseen").
 */
function completedEnvs(modules: Map<string, Module>, tfbackends: Map<string, Body>, envs: Map<string, BackendEnv>): void {
  const shared = [...tfbackends.keys()].filter((f) => !ownerRoot(modules, f));
  const within = (ancestor: string, d: string) => ancestor === '' || d === ancestor || d.startsWith(`${ancestor}/`);
  for (const m of [...modules.values()].filter((x) => x.backend)) {
    if ([...envs.values()].some((e) => e.root === m.dir)) continue;
    const missing = (REQUIRED[m.backend!.type] ?? []).filter((k) => m.backend!.body.attributes[k] === undefined);
    if (!missing.length) {
      envs.set(`${m.dir}\u0000`, baseEnv(m));
      continue;
    }
    const near = shared.filter((f) => within(dirOf(f), m.dir) || (dirOf(f) !== '' && within(dirOf(dirOf(f)), m.dir)));
    if (!near.length) envs.set(`${m.dir}\u0000`, { ...baseEnv(m), completion: 'unseen', missing });
    for (const f of near) {
      const env: BackendEnv = { ...baseEnv(m), name: f, completion: 'shared', missing };
      addFile(env, f, tfbackends.get(f)!);
      envs.set(`${m.dir}\u0000${f}`, env);
    }
  }
}

// A template's placeholder is not a real bucket or key: $name, ${var}, {{ var }}, %{, <name>, __NAME__,
// UPDATE_ME / CHANGE_ME / REPLACE_ME / CHANGEME / TODO, your-bucket-name.
const PLACEHOLDER = /\$[A-Za-z_{]|\{\{|\}\}|%\{|<[^<>]*>|__[A-Z][A-Z0-9_]*__|\b(?:update|change|replace|fill|edit|set)[-_]?me\b|^(?:todo|tbd|fixme|xxx+)$|\byour[-_]/i;

/** Whether a backend value is a template's placeholder. */
const isPlaceholder = (v: HclValue | undefined): boolean => typeof v === 'string' && PLACEHOLDER.test(v);

/** bucket/key identity of an environment's state, or undefined when not statically known. */
export function stateIdentity(env: BackendEnv): string | undefined {
  const c = env.config;
  // Roots of a template (alternatives a user picks from) share placeholder values, not a state.
  if (['bucket', 'key', 'prefix', 'storage_account_name', 'container_name', 'workspace_key_prefix'].some((k) => isPlaceholder(c[k]))) return undefined;
  switch (env.backend.type) {
    case 's3': {
      const bucket = str(c.bucket);
      const key = str(c.key);
      return bucket && key ? `s3://${bucket}/${key}` : undefined;
    }
    case 'gcs': {
      const bucket = str(c.bucket);
      return bucket ? `gs://${bucket}/${str(c.prefix) ?? ''}` : undefined;
    }
    case 'azurerm': {
      const acct = str(c.storage_account_name);
      const cont = str(c.container_name);
      const key = str(c.key);
      return acct && cont && key ? `azurerm://${acct}/${cont}/${key}` : undefined;
    }
    default:
      return undefined;
  }
}
