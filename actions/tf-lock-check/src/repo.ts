// Reads a repository: every directory with .tf files, its backend block, the *.tfbackend partial
// configurations, and the terraform/tofu commands in workflows and scripts. Then merges each backend
// with the partial configuration it is initialised with, one "environment" per combination, because
// that merged configuration (not the HCL alone) is what terraform locks with.
import { InputError } from '@platform-actions/kit';
import { joinRel } from './commands.js';
import { join } from 'node:path';
import { listFiles, real } from './files.js';
import { type Body, HclSyntaxError, type HclValue, parseHcl, str } from './hcl.js';
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
}

export interface Repo {
  modules: Map<string, Module>;
  envs: BackendEnv[];
  commands: CiCommand[];
  /** Workflow files that did not parse: reported with their line, not fatal. */
  unreadable: Array<{ file: string; line: number; reason: string }>;
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
  const files = repo.files.filter((f) => inScope(f) || f.startsWith('.github/'));
  const modules = new Map<string, Module>();
  const tfbackends = new Map<string, Body>();
  const commands: CiCommand[] = [];
  const unreadable: Repo['unreadable'] = [];
  const notices: string[] = [];
  const templates: string[] = [];
  const terragrunt: string[] = [];
  const scripts: string[] = [];
  const called = new Set<string>();
  const callers: Callers = new Map();

  const parseOrTemplate = (f: string, text: string): Body | undefined => {
    try {
      return f.endsWith('.json') ? parseTfJson(f, text) : parseHcl(f, text);
    } catch (e) {
      // A template folder (cookiecutter, Jinja) is not Terraform until it is rendered: skip it, say so.
      if (e instanceof HclSyntaxError && TEMPLATE.test(text)) {
        templates.push(f);
        return undefined;
      }
      throw e;
    }
  };

  const tfFilesOf = new Map<string, string[]>();
  for (const f of files) {
    if (f.endsWith('.tf') || f.endsWith('.tf.json')) {
      const body = parseOrTemplate(f, repo.read(f));
      if (!body) continue;
      const dir = dirOf(f);
      tfFilesOf.set(dir, [...(tfFilesOf.get(dir) ?? []), f]);
      const mod = modules.get(dir) ?? { dir };
      modules.set(dir, mod);
      for (const tb of body.blocks.filter((b) => b.type === 'terraform')) {
        const rv = tb.body.attributes.required_version;
        if (rv && typeof rv.value === 'string') mod.requiredVersion = { constraint: rv.value, file: f, line: rv.line };
        for (const b of tb.body.blocks) {
          if (b.type === 'backend' && b.labels[0] === 'remote') mod.cloud = { file: f, line: b.line };
          else if (b.type === 'backend') mod.backend = { type: b.labels[0] ?? '', file: f, line: b.line, body: b.body };
          if (b.type === 'cloud') mod.cloud = { file: f, line: b.line };
        }
      }
    } else if (f.endsWith('.tfbackend')) {
      const body = parseOrTemplate(f, repo.read(f));
      if (body) tfbackends.set(f, body);
    } else if (/(^|\/)terragrunt\.hcl$/.test(f)) {
      terragrunt.push(f);
    } else if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(f)) {
      try {
        commands.push(...workflowCommands(f, repo.read(f), repo, called, callers));
      } catch (e) {
        if (!(e instanceof WorkflowSyntaxError)) throw e;
        unreadable.push({ file: f, line: e.line, reason: e.message });
      }
    } else if (f.endsWith('.sh')) {
      scripts.push(f);
    }
  }
  // A folder that only holds files other roots link to (shared/backend.tf) is a library of files, not a root.
  if (repo.linkTargets.size) {
    for (const [dir, tfs] of tfFilesOf) {
      if (tfs.every((f) => !repo.isLink(f) && repo.linkTargets.has(real(join(repo.root, f)) ?? ''))) modules.delete(dir);
    }
  }
  // A reusable workflow's job with no group of its own is serialised when every caller in this repository
  // runs it under a concurrency group (the caller's group covers the whole called workflow).
  for (const c of commands) {
    const file = c.via?.file ?? c.file;
    const list = callers.get(file);
    if (!c.job?.reusable || c.job.concurrency?.group || !list?.length) continue;
    if (list.every((x) => x.concurrency?.group)) c.job = { ...c.job, concurrency: list[0].concurrency, cancels: list.some((x) => x.concurrency?.cancelInProgress !== false) };
  }
  // A script a workflow calls was read in the job that calls it (with that job's directory and env).
  for (const f of scripts) if (!called.has(f)) commands.push(...scriptCommands(f, repo.read(f), repo));

  const roots = [...modules.values()].filter(isRoot);
  if (roots.length === 0) {
    if (terragrunt.length)
      notices.push(`Terragrunt: ${terragrunt.length} terragrunt.hcl file(s) found. Their remote_state blocks are not analysed; only backend blocks in .tf files are (none here).`);
    else if (modules.size)
      notices.push(
        `No root module with a backend or cloud block under ${opts.scope || 'the repository'}: ${modules.size} module folder(s) read as a module repository (local state). Commands that apply them are still checked.`,
      );
    else if (opts.scope) throw new InputError('working-directory', 'must be a folder that holds Terraform files (.tf, .tf.json)', opts.scope);
    else if (!templates.length) notices.push('No Terraform files (.tf, .tf.json) in the repository: nothing to check.');
  } else if (terragrunt.length)
    notices.push(`Terragrunt: ${terragrunt.length} terragrunt.hcl file(s) not analysed (their remote_state blocks are not read); the .tf backends were.`);
  if (templates.length)
    notices.push(`Skipped ${templates.length} template file(s) that are not HCL until rendered (${templates.slice(0, 3).join(', ')}${templates.length > 3 ? ', …' : ''}).`);
  const outside = repo.skippedLinks.filter(inScope);
  if (outside.length)
    notices.push(
      `Skipped ${outside.length} symbolic link(s) that point outside the workspace or nowhere (${outside.slice(0, 3).join(', ')}${outside.length > 3 ? ', …' : ''}); they were not read.`,
    );
  // -backend-config files with other names (config/prod.hcl) are read when an init names them.
  const readPartial = (rel: string): Body | undefined => (repo.has(rel) ? parseHcl(rel, repo.read(rel)) : undefined);
  return { modules, envs: mergeEnvs(modules, tfbackends, commands, readPartial), commands, unreadable, notices };
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
  const v: HclValue = raw === 'true' ? true : raw === 'false' ? false : raw;
  return { kv: { [k]: v }, sources: {} };
}

function mergeEnvs(modules: Map<string, Module>, tfbackends: Map<string, Body>, commands: CiCommand[], readPartial: (rel: string) => Body | undefined): BackendEnv[] {
  const envs = new Map<string, BackendEnv>();
  const claimed = new Set<string>();
  const roots = [...modules.values()].filter((m) => m.backend);
  const base = (m: Module): BackendEnv => {
    const config: Record<string, HclValue> = {};
    const sources: Record<string, Source> = {};
    for (const a of Object.values(m.backend!.body.attributes)) {
      config[a.name] = a.value;
      sources[a.name] = { file: m.backend!.file, line: a.line };
    }
    return { root: m.dir, name: 'backend block', backend: m.backend!, config, sources };
  };
  // 1. Every `init` in CI with -backend-config defines an environment of the root it runs in.
  for (const c of commands) {
    const m = modules.get(c.dir);
    if (!m?.backend || c.sub !== 'init' || c.backendConfig.length === 0) continue;
    const env = base(m);
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
  // 2. A .tfbackend file no init names belongs to the nearest root above it (envs/dev.tfbackend).
  for (const [f, body] of tfbackends) {
    if (claimed.has(f)) continue;
    let d = dirOf(f);
    let m = modules.get(d);
    while (!m?.backend && d !== '') {
      d = dirOf(d);
      m = modules.get(d);
    }
    if (!m?.backend) continue;
    const env = base(m);
    env.name = f;
    for (const a of Object.values(body.attributes)) {
      env.config[a.name] = a.value;
      env.sources[a.name] = { file: f, line: a.line };
    }
    envs.set(`${m.dir}\u0000${f}`, env);
  }
  // 3. A root with no partial configuration at all is its backend block alone.
  for (const m of roots) if (![...envs.values()].some((e) => e.root === m.dir)) envs.set(`${m.dir}\u0000`, base(m));
  return [...envs.values()];
}

const PLACEHOLDER = /\$[A-Za-z_{]|\{\{|\}\}|%\{|<[A-Za-z_][A-Za-z0-9_-]*>|__[A-Z][A-Z0-9_]*__/;

/** bucket/key identity of an environment's state, or undefined when not statically known. */
export function stateIdentity(env: BackendEnv): string | undefined {
  const c = env.config;
  // A template's placeholder ($name, ${var}, {{ var }}, <name>, __NAME__) is not a real bucket or key.
  if (['bucket', 'key', 'prefix', 'storage_account_name', 'container_name'].some((k) => typeof c[k] === 'string' && PLACEHOLDER.test(c[k]))) return undefined;
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
