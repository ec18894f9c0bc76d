// Reads a repository: every directory with .tf files, its backend block, the *.tfbackend partial
// configurations, and the terraform/tofu commands in workflows and scripts. Then merges each backend
// with the partial configuration it is initialised with, one "environment" per combination, because
// that merged configuration (not the HCL alone) is what terraform locks with.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '@platform-actions/kit';
import { joinRel } from './commands.js';
import { type Body, type HclValue, parseHcl, str } from './hcl.js';
import { type CiCommand, scriptCommands, workflowCommands } from './workflows.js';

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
  /** `terraform { cloud {} }`: HCP Terraform / TFE locks the workspace itself. */
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
  /** Workflow files that did not decode: reported, not fatal. */
  unreadable: Array<{ file: string; reason: string }>;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.terraform', '.terragrunt-cache']);

function walk(root: string, rel = '', out: string[] = []): string[] {
  for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) walk(root, p, out);
    } else if (e.isFile()) out.push(p);
  }
  return out;
}

const dirOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');

export function scanRepo(workspace: string, opts: { scope?: string } = {}): Repo {
  const files = walk(workspace).filter((f) => !opts.scope || f === opts.scope || f.startsWith(`${opts.scope}/`) || f.startsWith('.github/'));
  const read = (f: string) => readFileSync(join(workspace, f), 'utf8');
  const modules = new Map<string, Module>();
  const tfbackends = new Map<string, Body>();
  const commands: CiCommand[] = [];
  const unreadable: Repo['unreadable'] = [];

  for (const f of files) {
    if (f.endsWith('.tf')) {
      const dir = dirOf(f);
      const mod = modules.get(dir) ?? { dir };
      modules.set(dir, mod);
      for (const tb of parseHcl(f, read(f)).blocks.filter((b) => b.type === 'terraform')) {
        const rv = tb.body.attributes.required_version;
        if (rv && typeof rv.value === 'string') mod.requiredVersion = { constraint: rv.value, file: f, line: rv.line };
        for (const b of tb.body.blocks) {
          if (b.type === 'backend') mod.backend = { type: b.labels[0] ?? '', file: f, line: b.line, body: b.body };
          if (b.type === 'cloud') mod.cloud = { file: f, line: b.line };
        }
      }
    } else if (f.endsWith('.tfbackend')) {
      tfbackends.set(f, parseHcl(f, read(f)));
    } else if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(f)) {
      try {
        commands.push(...workflowCommands(f, read(f)));
      } catch (e) {
        unreadable.push({ file: f, reason: (e as Error).message.split('\n')[0] });
      }
    } else if (f.endsWith('.sh')) {
      commands.push(...scriptCommands(f, read(f)));
    }
  }
  if (![...modules.values()].some((m) => m.backend || m.cloud)) {
    throw new UserError(`input "working-directory": no Terraform root module (a directory whose .tf files have a backend or cloud block) under ${opts.scope || 'the repository'}`);
  }
  // -backend-config files with other names (config/prod.hcl) are read when an init names them.
  const readPartial = (rel: string): Body | undefined => (existsSync(join(workspace, rel)) && statSync(join(workspace, rel)).isFile() ? parseHcl(rel, read(rel)) : undefined);
  return { modules, envs: mergeEnvs(modules, tfbackends, commands, readPartial), commands, unreadable };
}

/** The partial configuration a `-backend-config` value adds: a file's attributes or one key=value. */
export function partial(value: string, cwd: string, tfbackends: Map<string, Body>, readFile?: (rel: string) => Body | undefined): { kv: Record<string, HclValue>; sources: Record<string, Source>; file?: string } | undefined {
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

/** bucket/key identity of an environment's state, or undefined when not statically known. */
export function stateIdentity(env: BackendEnv): string | undefined {
  const c = env.config;
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
