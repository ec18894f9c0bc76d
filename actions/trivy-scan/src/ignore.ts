// .trivyignore and .trivyignore.yaml, applied by us rather than by trivy: trivy applies them only in some
// modes and never says what it suppressed. We apply every entry to every target, count what each one
// suppressed, and warn about expired entries (which then suppress nothing, as in trivy).
import { type Finding, globToRegExp, InputError, readRepoFile, UserError } from '@platform-actions/kit';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { metaOf } from './findings.js';

export type IgnoreKind = 'vulnerability' | 'misconfiguration' | 'secret' | 'license';
const YAML_SECTIONS: Record<string, IgnoreKind> = {
  vulnerabilities: 'vulnerability',
  misconfigurations: 'misconfiguration',
  secrets: 'secret',
  licenses: 'license',
};

export interface IgnoreEntry {
  id: string;
  /** Only findings of this kind (yaml sections); any kind for .trivyignore lines. */
  kind?: IgnoreKind;
  paths?: RegExp[];
  purls?: string[];
  expires?: string;
  statement?: string;
  /** file:line, for messages. */
  where: string;
}

export interface IgnoreFile {
  path: string;
  entries: IgnoreEntry[];
  expired: IgnoreEntry[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const today = (): string => new Date().toISOString().slice(0, 10);

/** The date an entry stops applying, from exp:YYYY-MM-DD or expired_at (date or RFC 3339 time). */
function parseDate(value: unknown, where: string, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
  if (!DATE.test(s) || Number.isNaN(Date.parse(s))) throw new UserError(`${where}: ${name} must be a date such as 2026-12-31; got ${JSON.stringify(String(value))}`);
  return s;
}

/** `.trivyignore`: one ID per line, optional ` exp:YYYY-MM-DD`, `#` comments. */
export function parseTrivyignore(text: string, file: string): IgnoreEntry[] {
  const out: IgnoreEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    const [id, ...rest] = line.split(/\s+/);
    let expires: string | undefined;
    for (const r of rest) {
      if (r.startsWith('exp:')) expires = parseDate(r.slice(4), where, 'exp:');
      else throw new UserError(`${where}: expected "ID" or "ID exp:YYYY-MM-DD"; got ${JSON.stringify(line)}`);
    }
    out.push({ id, expires, where });
  });
  return out;
}

/** `.trivyignore.yaml`: sections vulnerabilities/misconfigurations/secrets/licenses of {id, paths, purls, expired_at, statement}. */
export async function parseTrivyignoreYaml(text: string, file: string): Promise<IgnoreEntry[]> {
  // Loaded on use: the YAML libraries are two thirds of the bundle, and most runs have no .trivyignore.yaml.
  const { readYaml, YamlError } = await import('@platform-actions/kit/yaml');
  let doc: unknown;
  try {
    doc = readYaml(text, { file }); // the kit's bounded reader: a bomb ends here, naming the file
  } catch (e) {
    if (!(e instanceof YamlError) || e.kind === 'limit') throw e;
    throw new UserError(`${file} is not valid YAML${e.line ? ` (line ${e.line})` : ''}: ${e.reason.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${file} must be a mapping with the sections ${Object.keys(YAML_SECTIONS).join(', ')}`);
  const out: IgnoreEntry[] = [];
  for (const [section, list] of Object.entries(doc as Record<string, unknown>)) {
    const kind = YAML_SECTIONS[section];
    if (!kind) throw new UserError(`${file}: unknown section "${section}" (expected ${Object.keys(YAML_SECTIONS).join(', ')})`);
    if (list === null) continue;
    if (!Array.isArray(list)) throw new UserError(`${file}: ${section} must be a list of entries with an id`);
    list.forEach((e: unknown, i) => {
      const where = `${file} ${section}[${i}]`;
      if (typeof e !== 'object' || e === null || typeof (e as Record<string, unknown>).id !== 'string' || !(e as Record<string, unknown>).id) {
        throw new UserError(`${where}: each entry needs an id (a string)`);
      }
      const r = e as Record<string, unknown>;
      const strings = (k: string): string[] | undefined => {
        if (r[k] === undefined || r[k] === null) return undefined;
        if (!Array.isArray(r[k]) || !(r[k] as unknown[]).every((x) => typeof x === 'string')) throw new UserError(`${where}: ${k} must be a list of strings`);
        return r[k] as string[];
      };
      const paths = strings('paths');
      out.push({
        id: r.id as string,
        kind,
        paths: paths?.map((p) => globToRegExp(p.replace(/^\.\//, ''))),
        purls: strings('purls'),
        expires: parseDate(r.expired_at, where, 'expired_at'),
        statement: typeof r.statement === 'string' ? r.statement : undefined,
        where,
      });
    });
  }
  return out;
}

/** The ignore files that apply: the input's, else .trivyignore.yaml and .trivyignore at the workspace root. */
export async function loadIgnoreFiles(input: string | undefined, workspace: string, now = today()): Promise<IgnoreFile[]> {
  const candidates = input ? [input] : ['.trivyignore.yaml', '.trivyignore.yml', '.trivyignore'].map((f) => join(workspace, f)).filter(existsSync);
  const files: IgnoreFile[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) throw new InputError('ignore-file', 'must name an existing file', path);
    const name = basename(path);
    // By real path inside the workspace (kit): a committed .trivyignore linked to a runner file is never read.
    const text = readRepoFile(path, { root: workspace, ...(input ? { input: 'ignore-file' } : { label: name }) });
    const all = /\.ya?ml$/i.test(path) ? await parseTrivyignoreYaml(text, name) : parseTrivyignore(text, name);
    files.push({ path, entries: all.filter((e) => !e.expires || e.expires >= now), expired: all.filter((e) => e.expires && e.expires < now) });
  }
  return files;
}

export interface Suppression {
  finding: Finding;
  reason: string;
}

/** Splits findings into kept and suppressed; counts how many each entry suppressed (by entry.where). */
export function applyIgnores(
  findings: readonly Finding[],
  files: readonly IgnoreFile[],
  /** Target label → its workspace-relative root, so `paths` may also be written relative to the target. */
  roots: ReadonlyMap<string, string | undefined> = new Map(),
): { kept: Finding[]; suppressed: Suppression[]; hits: Map<string, number> } {
  const entries = files.flatMap((f) => f.entries);
  const hits = new Map<string, number>();
  const kept: Finding[] = [];
  const suppressed: Suppression[] = [];
  for (const f of findings) {
    const m = metaOf(f);
    const kind = m?.kind;
    const ignoreId = m?.ignoreId ?? f.ruleId;
    // Workspace-relative location, and the path inside the target (target-relative, or inside an image).
    const targetRoot = roots.get(m?.target ?? '');
    const loc = f.location?.path;
    const inTarget = loc && targetRoot && targetRoot !== '.' && loc.startsWith(`${targetRoot}/`) ? loc.slice(targetRoot.length + 1) : undefined;
    const paths = [loc, inTarget, m?.trivyPath].filter((p): p is string => typeof p === 'string' && p !== '');
    const purl = m?.purl;
    const e = entries.find(
      (x) =>
        x.id === ignoreId &&
        (!x.kind || x.kind === kind) &&
        (!x.paths || x.paths.some((re) => paths.some((p) => re.test(p)))) &&
        (!x.purls || (purl !== undefined && x.purls.includes(purl))),
    );
    if (!e) {
      kept.push(f);
      continue;
    }
    hits.set(e.where, (hits.get(e.where) ?? 0) + 1);
    suppressed.push({ finding: f, reason: `${e.where}${e.statement ? `: ${e.statement}` : ''}` });
  }
  return { kept, suppressed, hits };
}
