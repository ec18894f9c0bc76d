// What `check --run-steps` does with a step that uses someone else's action. A few are mapped onto the
// laptop — checkout is the working tree, setup-python/-node/-go are the host's tool when its version
// matches (else one line says which version runs instead), docker/build-push-action is a `docker build`
// (never a push) when Docker runs here — and every other one is not run locally, with why. The table is
// data, like rules.ts; README "Run steps" documents each row.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onPath } from './local.js';

/** What a mapped step needs to know about the laptop. */
export interface Host {
  /** The working tree (GITHUB_WORKSPACE). */
  workspace: string;
  /** github.repository, for checkout's `repository`. */
  repository: string;
  /** PATH the step would see (GITHUB_PATH additions first). */
  path: string;
  /** Where a mapped step may put files (shims): the run's RUNNER_TEMP. */
  runnerTemp: string;
  /** Whether a Docker engine answers here (asked once per run). */
  docker(): boolean;
}

/** A mapped step: done here (notes say how), with outputs and PATH additions; or a command to run for it. */
export type Mapped =
  | { done: true; notes: string[]; outputs?: Record<string, string>; path?: string[] }
  | { done: true; command: { bin: string; args: string[]; iidfile?: string }; notes: string[] }
  | { done: false; notLocal: string };

type Handler = (w: Record<string, string>, host: Host) => Mapped;

const notLocal = (why: string): Mapped => ({ done: false, notLocal: why });

/** The version a tool prints (`Python 3.11.7`, `v22.1.0`, `go version go1.22.1 linux/amd64`). */
function versionOf(bin: string, args: string[]): string | undefined {
  try {
    const out = execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString();
    return /(\d+\.\d+(?:\.\d+)?)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Whether a host version satisfies what a setup action asks for: `3.11` matches 3.11.7, `3.x` and `3` any
 * 3, `22.1.0` only itself. Anything else (ranges, `lts/*`, `pypy3.10`) cannot be compared here: undefined.
 */
export function versionMatches(wanted: string, actual: string): boolean | undefined {
  const w = wanted.trim().replace(/^v/, '');
  if (!/^\d+(\.(\d+|x|\*))*$/.test(w)) return undefined;
  const a = actual.split('.');
  return w.split('.').every((part, i) => part === 'x' || part === '*' || part === a[i]);
}

/** The version a setup action asks for: its version input, else the first line of its version file. */
function wantedVersion(w: Record<string, string>, input: string, fileInput: string, host: Host, parse: (text: string) => string | undefined = (t) => t): string | undefined {
  const given = (w[input] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  if (given) return given;
  const file = w[fileInput];
  if (!file) return undefined;
  const p = resolve(host.workspace, file);
  if (!existsSync(p)) return undefined;
  return parse(readFileSync(p, 'utf8'))
    ?.split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
}

/** A setup-<tool> action: the host's tool when its version matches what the step asks for. */
function setupTool(o: {
  tool: string;
  input: string;
  fileInput: string;
  /** Executables that may be the tool, best first, given the wanted version. */
  candidates: (wanted?: string) => string[];
  versionArgs: string[];
  /** Names the tool goes by on PATH after the step (shims are made for these when another binary matched). */
  names: string[];
  outputs: (version: string, path: string) => Record<string, string>;
  parseFile?: (text: string) => string | undefined;
}): Handler {
  return (w, host) => {
    const wanted = wantedVersion(w, o.input, o.fileInput, host, o.parseFile);
    const found = o.candidates(wanted).flatMap((c) => {
      const path = onPath(c, host.path);
      const version = path ? versionOf(path, o.versionArgs) : undefined;
      return path && version ? [{ path, version }] : [];
    });
    if (!found.length) return notLocal(`${o.tool} is not on this machine`);
    const hit = wanted ? found.find((f) => versionMatches(wanted, f.version)) : undefined;
    if (!hit) {
      const runs = found[0];
      const comparable = wanted === undefined || found.some((f) => versionMatches(wanted, f.version) !== undefined);
      const note = !wanted
        ? `no ${o.input} given: the steps after this use ${o.tool} ${runs.version} from PATH`
        : comparable
          ? `${o.tool} ${wanted} is not on this machine: the steps after this use ${o.tool} ${runs.version} (${runs.path})`
          : `${o.input} ${wanted} cannot be compared here: the steps after this use ${o.tool} ${runs.version} (${runs.path})`;
      return { done: true, notes: [note], outputs: o.outputs(runs.version, runs.path) };
    }
    // The matching binary is not what `python`/`node` finds on PATH: shims put it first, as setup-* does.
    const first = o.names.map((n) => onPath(n, host.path)).find(Boolean);
    let path: string[] | undefined;
    if (!first || versionOf(first, o.versionArgs) !== hit.version) {
      const dir = join(host.runnerTemp, `setup-${o.tool}-${hit.version}`);
      mkdirSync(dir, { recursive: true });
      for (const n of o.names) if (!existsSync(join(dir, n))) symlinkSync(hit.path, join(dir, n));
      if (o.tool === 'python' && !existsSync(join(dir, 'pip'))) writeFileSync(join(dir, 'pip'), `#!/bin/sh\nexec "${hit.path}" -m pip "$@"\n`, { mode: 0o755 });
      path = [dir];
    }
    return { done: true, notes: [`${o.tool} ${hit.version} from this machine (${hit.path})`], outputs: o.outputs(hit.version, hit.path), ...(path ? { path } : {}) };
  };
}

const lines = (v: string | undefined): string[] =>
  (v ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** docker/build-push-action as `docker build` of the same context, file, tags, build args and target: never pushed. */
const buildPush: Handler = (w, host) => {
  if (!host.docker()) return notLocal('needs Docker, which is not running here');
  const notes: string[] = [];
  const args = ['build'];
  if (w.file) args.push('--file', w.file);
  for (const t of lines(w.tags)) args.push('--tag', t);
  for (const b of (w['build-args'] ?? '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean))
    args.push('--build-arg', b);
  if (w.target) args.push('--target', w.target);
  const iidfile = join(host.runnerTemp, `iid-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  args.push('--iidfile', iidfile);
  // build-push-action's default context is the commit (a git URL); here it is the working tree.
  args.push(w.context || '.');
  if (w.push === 'true') notes.push('push: true is not done from a laptop: the image is only built here');
  if (lines(w.platforms).length > 1) notes.push(`built for this machine's platform only, not ${lines(w.platforms).join(', ')}`);
  return { done: true, command: { bin: 'docker', args, iidfile }, notes };
};

/** By `owner/repo[/path]` (without the ref). The first match wins; anything else is not run locally. */
const TABLE: Array<[RegExp, Handler]> = [
  [
    /^actions\/checkout$/i,
    (w, host) => {
      if (w.repository && w.repository.toLowerCase() !== host.repository.toLowerCase()) return notLocal(`checks out another repository (${w.repository})`);
      return {
        done: true,
        notes: [`the working tree${w.path ? ` (path: ${w.path} is not used: steps run in ${host.workspace})` : ''}${w.ref ? ` (ref: ${w.ref} is not checked out)` : ''}`],
      };
    },
  ],
  [
    /^actions\/setup-python$/i,
    setupTool({
      tool: 'python',
      input: 'python-version',
      fileInput: 'python-version-file',
      candidates: (wanted) => [...(/^\d+\.\d+$/.test(wanted ?? '') ? [`python${wanted}`] : []), 'python3', 'python'],
      versionArgs: ['--version'],
      names: ['python', 'python3'],
      outputs: (version, path) => ({ 'python-version': version, 'python-path': path }),
    }),
  ],
  [
    /^actions\/setup-node$/i,
    setupTool({
      tool: 'node',
      input: 'node-version',
      fileInput: 'node-version-file',
      candidates: () => ['node'],
      versionArgs: ['--version'],
      names: ['node'],
      outputs: (version) => ({ 'node-version': `v${version}` }),
    }),
  ],
  [
    /^actions\/setup-go$/i,
    setupTool({
      tool: 'go',
      input: 'go-version',
      fileInput: 'go-version-file',
      candidates: () => ['go'],
      versionArgs: ['version'],
      names: ['go'],
      outputs: (version) => ({ 'go-version': version }),
      // go.mod: the `go 1.22` directive.
      parseFile: (t) => /^go\s+(\S+)/m.exec(t)?.[1] ?? t,
    }),
  ],
  [/^docker\/build-push-action$/i, buildPush],
  [
    /^docker\/setup-buildx-action$/i,
    (_w, host) => (host.docker() ? { done: true, notes: ["this machine's docker builds the images"] } : notLocal('needs Docker, which is not running here')),
  ],
  [/^docker\/login-action$/i, () => notLocal('no registry login from a laptop')],
  [/^docker\/(setup-qemu|metadata)-action$/i, () => notLocal('only needed for images built and pushed on GitHub (its outputs are empty here)')],
  [/^actions\/cache(\/(save|restore))?$/i, () => notLocal('no cache on a laptop: the steps after it find what this machine has')],
  [/^actions\/(upload|download)-artifact$/i, () => notLocal('no artifacts from a laptop: the files stay where the steps wrote them')],
  [/^github\/codeql-action\/upload-sarif$/i, () => notLocal('nothing is uploaded to code scanning from a laptop (the stage reports its findings here)')],
  [/^github\/codeql-action\//i, () => notLocal('CodeQL runs on GitHub')],
  [/\/setup-[a-z0-9-]+$/i, () => notLocal('installs a tool on the runner: the steps after it use what this machine has')],
];

/** What to do here with `uses: <owner/repo[/path]>` and its evaluated `with:`. */
export function mapNotOurs(uses: string, w: Record<string, string>, host: Host): Mapped {
  const name = uses.trim().replace(/@\S+$/, '');
  if (name.startsWith('docker://')) return notLocal('a Docker container action');
  if (name.startsWith('./')) return notLocal('a local JavaScript or Docker action that is not ours');
  const hit = TABLE.find(([re]) => re.test(name));
  return hit ? hit[1](w, host) : notLocal(`someone else's action (${name}): its outputs are empty here`);
}

/** Whether a Docker engine answers (`docker version` reaches a server), within a few seconds. */
export function dockerAnswers(path = process.env.PATH ?? ''): boolean {
  const docker = onPath('docker', path);
  if (!docker) return false;
  try {
    execFileSync(docker, ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** A run: step that calls docker (docker build, docker compose …), which cannot work where no engine answers. */
export const callsDocker = (script: string): boolean => /(^|[\n;&|(`]|\b(?:then|do|else)\b)\s*(?:sudo\s+)?docker(?:\s|$)/.test(script);
