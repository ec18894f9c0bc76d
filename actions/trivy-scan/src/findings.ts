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
  const out: Finding[] = [];
  // The file each language package came from (its lockfile), for licence findings that only name the package.
  const pkgFile = new Map<string, string>();
  for (const r of report.results)
    if (str(r.Class) === 'lang-pkgs') for (const p of arr(r.Packages)) if (!pkgFile.has(str(p.Name))) pkgFile.set(str(p.Name), str(p.FilePath) || str(r.Target));
  const common = { tool: 'trivy' } as const;
  for (const r of report.results) {
    // trivy names an --input image by the absolute path it was given: show the path the caller wrote.
    const resultTarget = target.arg !== target.value ? str(r.Target).split(target.arg).join(target.value) : str(r.Target);
    const inRepo = repoPath(target, resultTarget);
    const fallback = target.value;
    const where = inRepo ? '' : inside(resultTarget);
    // Package lines in lockfiles: trivy records them on the package, not on the vulnerability.
    const pkgLines = new Map<string, { start?: number; end?: number }>();
    for (const p of arr(r.Packages)) {
      const loc = arr(p.Locations)[0];
      const uid = str(obj(p.Identifier).UID) || `${str(p.Name)}@${str(p.Version)}`;
      if (loc) pkgLines.set(uid, { start: num(loc.StartLine), end: num(loc.EndLine) });
    }
    for (const v of arr(r.Vulnerabilities)) {
      const id = str(v.VulnerabilityID);
      const pkg = str(v.PkgName);
      const installed = str(v.InstalledVersion);
      const fixed = str(v.FixedVersion);
      const ident = obj(v.PkgIdentifier);
      const lines = pkgLines.get(str(ident.UID) || `${pkg}@${installed}`);
      const pkgPath = str(v.PkgPath);
      const path = repoPath(target, pkgPath) ?? inRepo;
      const url = str(v.PrimaryURL) || undefined;
      const title = str(v.Title) || id;
      const sev = trivySeverity(v.Severity);
      out.push(
        withMeta(
          {
            ...common,
            ruleId: id,
            severity: sev,
            title: title.slice(0, 300),
            // The advisory's title and text are in the rule (once per advisory), not repeated per result.
            message: `${pkg} ${installed}${path ? '' : inside(pkgPath || resultTarget)} is affected by ${id} (${sev})${fixed ? `; fixed in ${fixed}` : '; no fixed version yet'}.`,
            location: { path: path ?? fallback, startLine: path ? lines?.start : undefined, endLine: path ? lines?.end : undefined },
            fingerprint: fingerprint('trivy', target.label, 'vuln', id, pkg, pkgPath || resultTarget),
            // Kept lean: SARIF carries help once per rule, and a 10,000-finding report must stay well
            // under GitHub's size limit without trimming.
            help: {
              text: `${title}${fixed ? ` Fixed in ${fixed}.` : ' No fix yet.'}`,
              markdown: `**${title}**\n\n${clipText(str(v.Description), 400)}\n\n| Package | Installed | Fixed |\n| --- | --- | --- |\n| ${pkg} | ${installed} | ${fixed || 'no fix yet'} |${url ? `\n\n[${id}](${url})` : ''}`,
              uri: url,
            },
            tags: ['vulnerability', str(r.Class) === 'os-pkgs' ? 'os-package' : 'library'],
          },
          {
            kind: 'vulnerability',
            target: target.label,
            package: pkg,
            installed,
            fixed,
            purl: str(ident.PURL) || undefined,
            // The path inside the target, for ignore-file paths, when the location does not already say it.
            trivyPath: path ? undefined : pkgPath || resultTarget,
          },
        ),
      );
    }
    for (const m of arr(r.Misconfigurations)) {
      if (str(m.Status) && str(m.Status) !== 'FAIL') continue;
      const id = str(m.ID) || str(m.AVDID);
      const cause = obj(m.CauseMetadata);
      const url = str(m.PrimaryURL) || undefined;
      const sev = trivySeverity(m.Severity);
      const resource = str(cause.Resource);
      out.push(
        withMeta(
          {
            ...common,
            ruleId: id,
            severity: sev,
            title: str(m.Title) || id,
            message: `${str(m.Message) || str(m.Title)}${resource ? ` (${resource})` : ''}${where}. ${str(m.Resolution)}`.trim(),
            location: { path: inRepo ?? fallback, startLine: inRepo ? num(cause.StartLine) : undefined, endLine: inRepo ? num(cause.EndLine) : undefined },
            fingerprint: fingerprint('trivy', target.label, 'misconfig', id, resultTarget, resource),
            help: {
              text: `${str(m.Description)} ${str(m.Resolution)}`.trim() || str(m.Title),
              markdown: `${str(m.Description)}\n\n**Fix:** ${str(m.Resolution)}${url ? `\n\n[${id}](${url})` : ''}`,
              uri: url,
            },
            tags: ['misconfiguration', str(m.Type) || str(r.Type)].filter(Boolean),
          },
          { kind: 'misconfiguration', target: target.label, trivyPath: resultTarget },
        ),
      );
    }
    for (const s of arr(r.Secrets)) {
      const id = str(s.RuleID);
      const sev = trivySeverity(s.Severity);
      out.push(
        withMeta(
          {
            ...common,
            ruleId: `secret:${id}`,
            severity: sev,
            title: str(s.Title) || id,
            message: `${str(s.Title) || id} (${str(s.Category) || 'secret'})${where}; value not shown. Rotate the credential: removing it from the code does not revoke it.`,
            location: { path: inRepo ?? fallback, startLine: inRepo ? num(s.StartLine) : undefined, endLine: inRepo ? num(s.EndLine) : undefined },
            fingerprint: fingerprint('trivy', target.label, 'secret', id, resultTarget, num(s.StartLine)),
            help: {
              text: 'A credential in the code. Rotate it where it was issued, then read it from a secret store.',
              markdown:
                '**Rotate the credential first**: deleting it from the code or from history does not revoke it. Then read it from a secret store (for example GitHub Actions secrets).',
            },
            tags: ['secret', str(s.Category)].filter(Boolean),
          },
          { kind: 'secret', target: target.label, trivyPath: resultTarget, ignoreId: id },
        ),
      );
    }
    for (const l of arr(r.Licenses)) {
      const name = str(l.Name);
      const forbidden = opts.forbiddenLicenses?.has(name.toLowerCase()) ?? false;
      const sev: Severity = forbidden ? 'critical' : trivySeverity(l.Severity);
      const pkg = str(l.PkgName);
      const file = str(l.FilePath) || pkgFile.get(pkg) || '';
      const subject = `${pkg ? `package ${pkg}` : file || resultTarget}${target.root ? '' : inside(file || resultTarget)}`;
      const path = repoPath(target, file);
      out.push(
        withMeta(
          {
            ...common,
            ruleId: `license:${name}`,
            severity: sev,
            title: forbidden ? `Forbidden licence ${name}` : `Licence ${name} (${str(l.Category) || 'unknown'})`,
            message: forbidden
              ? `${subject} is licensed ${name}, which forbidden-licenses lists.`
              : `${subject} is licensed ${name}; trivy classifies it as ${str(l.Category) || 'unknown'}.`,
            location: { path: path ?? fallback },
            fingerprint: fingerprint('trivy', target.label, 'license', name, pkg, file || resultTarget),
            help: { text: `Licence ${name}: check it is acceptable for how this software is distributed.`, uri: str(l.Link) || undefined },
            tags: ['license', str(l.Category)].filter(Boolean),
          },
          { kind: 'license', target: target.label, package: pkg || undefined, trivyPath: file || resultTarget, ignoreId: name, category: str(l.Category) },
        ),
      );
    }
  }
  return out;
}

/** Vulnerabilities with no fixed version (what ignore-unfixed leaves out). */
export const isUnfixed = (f: Finding): boolean => metas.get(f)?.kind === 'vulnerability' && !metas.get(f)?.fixed;
