// GitHub workflow files and shell scripts: which terraform/tofu commands run where, and how the jobs
// that apply are serialised (`concurrency:`). YAML is decoded with js-yaml; lines are found by locating
// the job key and the script text in the file, which is enough for an annotation.
import { load } from 'js-yaml';
import { findTfCommands, joinRel, type TfCommand } from './commands.js';

export interface Concurrency {
  group?: string;
  /** true, false, or an expression string. */
  cancelInProgress: boolean | string;
  /** Where it was declared. */
  level: 'workflow' | 'job';
  line: number;
  /** Line of `cancel-in-progress:` (or of the block). */
  cancelLine?: number;
}

export interface CiCommand extends TfCommand {
  /** Repository-relative file (workflow or script). */
  file: string;
  /** Directory the command runs in, repository-relative ("" = repository root). */
  dir: string;
  job?: { id: string; line: number; concurrency?: Concurrency };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function lineOf(text: string, needle: string, from = 0): number {
  const at = needle ? text.indexOf(needle, from) : -1;
  return at < 0 ? 1 : text.slice(0, at).split('\n').length;
}

function jobLine(text: string, id: string): number {
  const lines = text.split('\n');
  const jobsAt = lines.findIndex((l) => l.trimEnd() === 'jobs:');
  for (let i = Math.max(jobsAt, 0); i < lines.length; i++) {
    const t = lines[i].trim();
    if ((t === `${id}:` || t === `"${id}":` || t === `'${id}':`) && lines[i].startsWith(' ')) return i + 1;
  }
  return 1;
}

function concurrencyOf(v: unknown, level: 'workflow' | 'job', line: number, text: string): Concurrency | undefined {
  if (typeof v === 'string') return { group: v, cancelInProgress: false, level, line };
  if (!isObj(v)) return undefined;
  const c = v['cancel-in-progress'];
  // Point at the cancel-in-progress line when there is one (the usual fix), else at the block.
  const lines = text.split('\n');
  const cl = c === undefined ? -1 : lines.findIndex((l, i) => i >= line - 1 && l.trim().startsWith('cancel-in-progress:'));
  return { group: typeof v.group === 'string' ? v.group : undefined, cancelInProgress: typeof c === 'boolean' || typeof c === 'string' ? c : false, level, line, cancelLine: cl >= 0 ? cl + 1 : line };
}

/** Terraform commands in one workflow file. Throws a plain Error with the YAML reason when it does not decode. */
export function workflowCommands(file: string, text: string): CiCommand[] {
  const doc = text.trim() ? load(text) : undefined;
  if (!isObj(doc) || !isObj(doc.jobs)) return [];
  const wfLine = text.split('\n').findIndex((l) => l.startsWith('concurrency:')) + 1;
  const wfConc = concurrencyOf(doc.concurrency, 'workflow', wfLine || 1, text);
  const wfDir = defaultsDir(doc);
  const out: CiCommand[] = [];
  for (const [id, job] of Object.entries(doc.jobs)) {
    if (!isObj(job) || !Array.isArray(job.steps)) continue;
    const jl = jobLine(text, id);
    const jobConc = concurrencyOf(job.concurrency, 'job', jl, text) ?? wfConc;
    const jobDir = defaultsDir(job) ?? wfDir ?? '';
    for (const step of job.steps) {
      if (!isObj(step) || typeof step.run !== 'string') continue;
      const firstLine = step.run.split('\n').find((l) => l.trim() !== '') ?? '';
      const base = lineOf(text, firstLine.trim(), text.indexOf(`${id}:`)) - 1;
      // One pass per matrix combination, so `-backend-config=envs/${{ matrix.env }}.tfbackend` (directly
      // or through a step env variable) names every file it can. Same-line duplicates fold in the rules.
      for (const combo of matrixCombos(job)) {
        const vars = { ...stringMap(doc.env, combo), ...stringMap(job.env, combo), ...stringMap(step.env, combo) };
        const script = expand(step.run, combo, vars);
        const wd = expand(typeof step['working-directory'] === 'string' ? step['working-directory'] : jobDir, combo, vars);
        for (const c of findTfCommands(script)) {
          out.push({ ...c, file, line: base + c.line, dir: joinRel(stripDot(wd), c.chdir), job: { id, line: jl, concurrency: jobConc } });
        }
      }
    }
  }
  return out;
}

const MAX_COMBOS = 64;

/** The job's matrix as a list of combinations (scalar values only); [{}] when there is none. */
export function matrixCombos(job: Obj): Array<Record<string, string>> {
  const m = isObj(job.strategy) ? job.strategy.matrix : undefined;
  if (!isObj(m)) return [{}];
  let combos: Array<Record<string, string>> = [{}];
  for (const [k, v] of Object.entries(m)) {
    if (k === 'include' || k === 'exclude' || !Array.isArray(v)) continue;
    const vals = v.filter((x) => ['string', 'number', 'boolean'].includes(typeof x)).map(String);
    if (vals.length === 0) continue;
    combos = combos.flatMap((c) => vals.map((x) => ({ ...c, [k]: x }))).slice(0, MAX_COMBOS);
  }
  if (Array.isArray(m.include)) {
    for (const inc of m.include) if (isObj(inc)) combos.push(Object.fromEntries(Object.entries(inc).filter(([, x]) => typeof x !== 'object').map(([k, x]) => [k, String(x)])));
  }
  return combos.slice(0, MAX_COMBOS);
}

const stringMap = (v: unknown, combo: Record<string, string>): Record<string, string> =>
  isObj(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => ['string', 'number', 'boolean'].includes(typeof x)).map(([k, x]) => [k, expand(String(x), combo, {})])) : {};

/** Substitutes `${{ matrix.k }}` and then `$VAR` / `${VAR}` for variables we know; the rest stays as written. */
export function expand(text: string, combo: Record<string, string>, vars: Record<string, string>): string {
  return text
    .replace(/\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g, (all, k: string) => combo[k] ?? all)
    .replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, a?: string, b?: string) => vars[(a ?? b)!] ?? all);
}

function defaultsDir(o: Obj): string | undefined {
  const d = o.defaults;
  if (!isObj(d) || !isObj(d.run)) return undefined;
  const w = d.run['working-directory'];
  return typeof w === 'string' ? w : undefined;
}

const stripDot = (p: string) => joinRel('', p);

/** Terraform commands in a shell script; CI runs scripts from the repository root, so paths start there. */
export function scriptCommands(file: string, text: string): CiCommand[] {
  return findTfCommands(text).map((c) => ({ ...c, file, dir: joinRel('', c.chdir) }));
}
