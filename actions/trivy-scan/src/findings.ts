// trivy's JSON report → the kit's findings. Only an allow-list of fields is read: a secret's Match and
// Code (masked by trivy anyway) never leave the report file.
import { type Finding, fingerprint, normaliseSeverity, type Severity } from '@platform-actions/kit';
import type { Target } from './targets.js';

/**
 * What this action needs to know about a finding beyond the kit's model (kind, target, package versions,
 * paths for ignore files). Kept beside the finding instead of in `properties`, which the kit copies into
 * every SARIF result: at 10,000 findings that copy is most of the rendering time and 20% of the file.
 */
export interface FindingMeta {
  kind: 'vulnerability' | 'misconfiguration' | 'secret' | 'license';
  /** Target label. */
  target: string;
  package?: string;
  installed?: string;
  fixed?: string;
  purl?: string;
  /** The path inside the target (image or remote repository), for ignore-file paths. */
  trivyPath?: string;
  /** The id .trivyignore entries name (rule id without our prefix, licence name). */
  ignoreId?: string;
  category?: string;
}
const metas = new WeakMap<Finding, FindingMeta>();
export const metaOf = (f: Finding): FindingMeta | undefined => metas.get(f);
const withMeta = (f: Finding, m: FindingMeta): Finding => (metas.set(f, m), f);

type Raw = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
const arr = (v: unknown): Raw[] => (Array.isArray(v) ? v.filter((x): x is Raw => typeof x === 'object' && x !== null) : []);
const clipText = (t: string, n: number): string => (t.length <= n ? t : `${t.slice(0, n - 1)}…`);
const obj = (v: unknown): Raw => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : {});

export interface TrivyReport {
  version: string;
  artifactName: string;
  artifactType: string;
  os?: string;
  results: Raw[];
}

/** Parses trivy's JSON report (schema 2); undefined when the text is not one. */
export function parseReport(text: string): TrivyReport | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const d = obj(doc);
  if (d.SchemaVersion !== 2) return undefined;
  const os = obj(obj(d.Metadata).OS);
  return {
    version: str(obj(d.Trivy).Version),
    artifactName: str(d.ArtifactName),
    artifactType: str(d.ArtifactType),
    os: os.Family ? `${str(os.Family)} ${str(os.Name)}`.trim() : undefined,
    results: arr(d.Results),
  };
}

/** trivy's UNKNOWN is our info: nothing is hidden, but it never fails a gate set to low. */
export const trivySeverity = (s: unknown): Severity => normaliseSeverity(str(s) || 'unknown');

/** A path inside the target as a workspace-relative path (for annotations and SARIF), when it is one. */
function repoPath(target: Target, path: string): string | undefined {
  if (!target.root || !path) return undefined;
  const p = path.replace(/\\/g, '/').replace(/^\.\//, '');
  return target.root === '.' ? p : `${target.root}/${p}`;
}

/**
 * Where a finding points when it is not in a workspace file (an image, a remote repository): the target
 * as the caller wrote it (for image-input that is the tarball or layout in the workspace). Where inside
 * the artifact it was found goes into the message.
 */
const inside = (where: string): string => (where ? ` (in ${where})` : '');

export interface ToFindingsOptions {
  /** Lower-cased SPDX ids that are critical findings wherever they are found. */
  forbiddenLicenses?: ReadonlySet<string>;
}

/** Every finding in one target's report: vulnerabilities, misconfigurations, secrets, licences. */
export function toFindings(report: TrivyReport, target: Target, opts: ToFindingsOptions = {}): Finding[] {
  const lockfiles = lockfileByPackage(report.results);
  return report.results.flatMap((r) => {
    const ctx = resultContext(r, target, lockfiles, opts);
    return [
      ...arr(r.Vulnerabilities).map((v) => vulnerability(ctx, v)),
      ...arr(r.Misconfigurations)
        .filter((m) => !str(m.Status) || str(m.Status) === 'FAIL')
        .map((m) => misconfiguration(ctx, m)),
      ...arr(r.Secrets).map((s) => secret(ctx, s)),
      ...arr(r.Licenses).map((l) => license(ctx, l)),
    ];
  });
}

/** What every finding of one result needs: where the result is, in the workspace or inside the target. */
interface ResultContext {
  target: Target;
  result: Raw;
  /** The result's target as the caller wrote it. */
  resultTarget: string;
  /** The result's workspace path, when it is in the workspace. */
  inRepo?: string;
  /** " (in …)" for a message, when the result is not in the workspace. */
  where: string;
  /** Package lines in lockfiles, by package UID (or name@version). */
  pkgLines: Map<string, { start?: number; end?: number }>;
  lockfiles: Map<string, string>;
  opts: ToFindingsOptions;
}

function resultContext(r: Raw, target: Target, lockfiles: Map<string, string>, opts: ToFindingsOptions): ResultContext {
  // trivy names an --input image by the absolute path it was given: show the path the caller wrote.
  const resultTarget = target.arg !== target.value ? str(r.Target).split(target.arg).join(target.value) : str(r.Target);
  const inRepo = repoPath(target, resultTarget);
  return { target, result: r, resultTarget, inRepo, where: inRepo ? '' : inside(resultTarget), pkgLines: packageLines(r), lockfiles, opts };
}

/** The file each language package came from (its lockfile), for licence findings that only name the package. */
function lockfileByPackage(results: Raw[]): Map<string, string> {
  const pkgFile = new Map<string, string>();
  for (const r of results.filter((x) => str(x.Class) === 'lang-pkgs')) {
    for (const p of arr(r.Packages)) if (!pkgFile.has(str(p.Name))) pkgFile.set(str(p.Name), str(p.FilePath) || str(r.Target));
  }
  return pkgFile;
}

/** Package lines in lockfiles: trivy records them on the package, not on the vulnerability. */
function packageLines(r: Raw): Map<string, { start?: number; end?: number }> {
  const lines = new Map<string, { start?: number; end?: number }>();
  for (const p of arr(r.Packages)) {
    const loc = arr(p.Locations)[0];
    const uid = str(obj(p.Identifier).UID) || `${str(p.Name)}@${str(p.Version)}`;
    if (loc) lines.set(uid, { start: num(loc.StartLine), end: num(loc.EndLine) });
  }
  return lines;
}

/** A workspace path with its lines, or the target as the caller wrote it (no lines: they are inside an artifact). */
const located = (ctx: ResultContext, path: string | undefined, start?: number, end?: number): Finding['location'] => ({
  path: path ?? ctx.target.value,
  startLine: path ? start : undefined,
  endLine: path ? end : undefined,
});
const advisoryLink = (id: string, url: string | undefined): string => (url ? `\n\n[${id}](${url})` : '');

function vulnerability(ctx: ResultContext, v: Raw): Finding {
  const id = str(v.VulnerabilityID);
  const pkg = str(v.PkgName);
  const installed = str(v.InstalledVersion);
  const fixed = str(v.FixedVersion);
  const ident = obj(v.PkgIdentifier);
  const lines = ctx.pkgLines.get(str(ident.UID) || `${pkg}@${installed}`);
  const pkgPath = str(v.PkgPath);
  const path = repoPath(ctx.target, pkgPath) ?? ctx.inRepo;
  const insideTarget = pkgPath || ctx.resultTarget;
  const title = str(v.Title) || id;
  const sev = trivySeverity(v.Severity);
  const finding: Finding = {
    tool: 'trivy',
    ruleId: id,
    severity: sev,
    title: title.slice(0, 300),
    // The advisory's title and text are in the rule (once per advisory), not repeated per result.
    message: `${pkg} ${installed}${path ? '' : inside(insideTarget)} is affected by ${id} (${sev})${fixed ? `; fixed in ${fixed}` : '; no fixed version yet'}.`,
    location: located(ctx, path, lines?.start, lines?.end),
    fingerprint: fingerprint('trivy', ctx.target.label, 'vuln', id, pkg, insideTarget),
    help: vulnerabilityHelp(v, title, { id, pkg, installed, fixed }),
    tags: ['vulnerability', str(ctx.result.Class) === 'os-pkgs' ? 'os-package' : 'library'],
  };
  return withMeta(finding, {
    kind: 'vulnerability',
    target: ctx.target.label,
    package: pkg,
    installed,
    fixed,
    purl: str(ident.PURL) || undefined,
    // The path inside the target, for ignore-file paths, when the location does not already say it.
    trivyPath: path ? undefined : insideTarget,
  });
}

/**
 * Kept lean: SARIF carries help once per rule, and a 10,000-finding report must stay well under GitHub's
 * size limit without trimming.
 */
function vulnerabilityHelp(v: Raw, title: string, p: { id: string; pkg: string; installed: string; fixed: string }): Finding['help'] {
  const url = str(v.PrimaryURL) || undefined;
  return {
    text: `${title}${p.fixed ? ` Fixed in ${p.fixed}.` : ' No fix yet.'}`,
    markdown: `**${title}**\n\n${clipText(str(v.Description), 400)}\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n| ${p.pkg} | ${p.installed} | ${p.fixed || 'no fix yet'} |${advisoryLink(p.id, url)}`,
    uri: url,
  };
}

function misconfiguration(ctx: ResultContext, m: Raw): Finding {
  const id = str(m.ID) || str(m.AVDID);
  const cause = obj(m.CauseMetadata);
  const url = str(m.PrimaryURL) || undefined;
  const resource = str(cause.Resource);
  const finding: Finding = {
    tool: 'trivy',
    ruleId: id,
    severity: trivySeverity(m.Severity),
    title: str(m.Title) || id,
    message: `${str(m.Message) || str(m.Title)}${resource ? ` (${resource})` : ''}${ctx.where}. ${str(m.Resolution)}`.trim(),
    location: located(ctx, ctx.inRepo, num(cause.StartLine), num(cause.EndLine)),
    fingerprint: fingerprint('trivy', ctx.target.label, 'misconfig', id, ctx.resultTarget, resource),
    help: {
      text: `${str(m.Description)} ${str(m.Resolution)}`.trim() || str(m.Title),
      markdown: `${str(m.Description)}\n\n**Fix:** ${str(m.Resolution)}${advisoryLink(id, url)}`,
      uri: url,
    },
    tags: ['misconfiguration', str(m.Type) || str(ctx.result.Type)].filter(Boolean),
  };
  return withMeta(finding, { kind: 'misconfiguration', target: ctx.target.label, trivyPath: ctx.resultTarget });
}

function secret(ctx: ResultContext, s: Raw): Finding {
  const id = str(s.RuleID);
  const finding: Finding = {
    tool: 'trivy',
    ruleId: `secret:${id}`,
    severity: trivySeverity(s.Severity),
    title: str(s.Title) || id,
    message: `${str(s.Title) || id} (${str(s.Category) || 'secret'})${ctx.where}; value not shown. Rotate the credential: removing it from the code does not revoke it.`,
    location: located(ctx, ctx.inRepo, num(s.StartLine), num(s.EndLine)),
    fingerprint: fingerprint('trivy', ctx.target.label, 'secret', id, ctx.resultTarget, num(s.StartLine)),
    help: {
      text: 'A credential in the code. Rotate it where it was issued, then read it from a secret store.',
      markdown:
        '**Rotate the credential first**: deleting it from the code or from history does not revoke it. Then read it from a secret store (for example GitHub Actions secrets).',
    },
    tags: ['secret', str(s.Category)].filter(Boolean),
  };
  return withMeta(finding, { kind: 'secret', target: ctx.target.label, trivyPath: ctx.resultTarget, ignoreId: id });
}

function license(ctx: ResultContext, l: Raw): Finding {
  const name = str(l.Name);
  const category = str(l.Category);
  const pkg = str(l.PkgName);
  const file = str(l.FilePath) || ctx.lockfiles.get(pkg) || '';
  const insideTarget = file || ctx.resultTarget;
  const subject = `${pkg ? `package ${pkg}` : insideTarget}${ctx.target.root ? '' : inside(insideTarget)}`;
  const finding: Finding = {
    tool: 'trivy',
    ruleId: `license:${name}`,
    ...licenceVerdict(l, ctx.opts, subject),
    location: { path: repoPath(ctx.target, file) ?? ctx.target.value },
    fingerprint: fingerprint('trivy', ctx.target.label, 'license', name, pkg, insideTarget),
    help: { text: `Licence ${name}: check it is acceptable for how this software is distributed.`, uri: str(l.Link) || undefined },
    tags: ['license', category].filter(Boolean),
  };
  return withMeta(finding, { kind: 'license', target: ctx.target.label, package: pkg || undefined, trivyPath: insideTarget, ignoreId: name, category });
}

/** A forbidden licence is critical wherever it is found; any other keeps trivy's severity and category. */
function licenceVerdict(l: Raw, opts: ToFindingsOptions, subject: string): Pick<Finding, 'severity' | 'title' | 'message'> {
  const name = str(l.Name);
  if (opts.forbiddenLicenses?.has(name.toLowerCase())) {
    return { severity: 'critical', title: `Forbidden licence ${name}`, message: `${subject} is licensed ${name}, which forbidden-licenses lists.` };
  }
  const category = str(l.Category) || 'unknown';
  return { severity: trivySeverity(l.Severity), title: `Licence ${name} (${category})`, message: `${subject} is licensed ${name}; trivy classifies it as ${category}.` };
}

/** Vulnerabilities with no fixed version (what ignore-unfixed leaves out). */
export const isUnfixed = (f: Finding): boolean => metas.get(f)?.kind === 'vulnerability' && !metas.get(f)?.fixed;
