// What to scan: `type:value` lines → targets, each with the trivy subcommand, the scanners that apply to
// it and a SARIF category of its own (so one target's upload never replaces another's).
import { checkPath, InputError } from '@platform-actions/kit';
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';

export const TARGET_TYPES = ['image', 'image-input', 'fs', 'config', 'repo', 'sbom'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];
export const SCANNERS = ['vuln', 'secret', 'misconfig', 'license'] as const;
export type Scanner = (typeof SCANNERS)[number];
/** trivy's own aliases, accepted so a copied trivy command line works. */
const SCANNER_ALIASES: Record<string, Scanner> = { vulnerability: 'vuln', misconf: 'misconfig', config: 'misconfig' };

/** Which scanners each subcommand supports (trivy config only checks misconfigurations). */
const SUPPORTED: Record<TargetType, readonly Scanner[]> = {
  image: SCANNERS,
  'image-input': SCANNERS,
  fs: SCANNERS,
  repo: SCANNERS,
  sbom: ['vuln', 'license'],
  config: ['misconfig'],
};

export interface Target {
  type: TargetType;
  /** As written by the caller (reference, URL or workspace-relative path). */
  value: string;
  /** What trivy is given: the reference, URL or absolute path. */
  arg: string;
  /** Workspace-relative folder that file paths in trivy's report are relative to; undefined for images and remote repos. */
  root?: string;
  scanners: Scanner[];
  /** Short, unique, SARIF-category-safe label, e.g. "fs-app" or "image-ghcr.io-acme-web-1.4.2". */
  label: string;
  /** 1-based position in the targets input. */
  index: number;
}

/**
 * An image reference as a registry understands it: [host[:port]/]path[:tag][@sha256:digest]. Anything
 * else (spaces, shell metacharacters, options) is refused before trivy ever sees it.
 */
const IMAGE_REF =
  /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const REMOTE_REPO = /^(?:https?:\/\/|git@|ssh:\/\/)[A-Za-z0-9@:/._~-]+$/;

export function parseScanners(items: readonly string[], input = 'scanners'): Scanner[] {
  const out: Scanner[] = [];
  for (const raw of items) {
    const s = raw.trim().toLowerCase();
    const v = (SCANNERS as readonly string[]).includes(s) ? (s as Scanner) : SCANNER_ALIASES[s];
    if (!v) throw new InputError(input, `must list scanners from ${SCANNERS.join(', ')}`, raw);
    if (!out.includes(v)) out.push(v);
  }
  if (!out.length) throw new InputError(input, `must name at least one of ${SCANNERS.join(', ')}`);
  return out;
}

const slug = (s: string): string =>
  s
    .replace(/^https?:\/\//, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'root';

/** Parses the targets input; paths are checked against the workspace. */
export function parseTargets(lines: readonly string[], scanners: readonly Scanner[], workspace: string): Target[] {
  if (!lines.length) throw new InputError('targets', 'must name at least one target as type:value, e.g. fs:.');
  const targets: Target[] = [];
  const labels = new Set<string>();
  lines.forEach((line, i) => {
    const colon = line.indexOf(':');
    const type = (colon < 0 ? line : line.slice(0, colon)).trim().toLowerCase();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (!(TARGET_TYPES as readonly string[]).includes(type)) {
      throw new InputError('targets', `must use the types ${TARGET_TYPES.join(', ')} (one type:value per line)`, line);
    }
    if (!value) throw new InputError('targets', `has "${type}:" without a value (e.g. ${type === 'image' ? 'image:ghcr.io/acme/web:1.4.2' : `${type}:.`})`, line);
    const t = type as TargetType;
    let arg = value;
    let root: string | undefined;
    if (t === 'image') {
      if (!IMAGE_REF.test(value)) throw new InputError('targets', 'image: must be an image reference such as ghcr.io/acme/web:1.4.2 or name@sha256:<digest>', line);
    } else if (t === 'repo' && REMOTE_REPO.test(value)) {
      arg = value;
    } else {
      if (value.startsWith('-')) throw new InputError('targets', `${t}: must be a path, not an option`, line);
      arg = checkPath('targets', value, { mustExist: true });
      const st = statSync(arg);
      if ((t === 'fs' || t === 'config' || t === 'repo') && !st.isDirectory()) throw new InputError('targets', `${t}: must name a folder in the workspace`, line);
      if (t === 'sbom' && !st.isFile()) throw new InputError('targets', 'sbom: must name a CycloneDX or SPDX file', line);
      if (t === 'image-input' && st.isDirectory() && !existsSync(`${arg}/index.json`)) {
        throw new InputError('targets', 'image-input: must be a docker-save tarball or an OCI image layout folder (with index.json)', line);
      }
      root = st.isDirectory() ? relative(workspace, arg).replace(/\\/g, '/') || '.' : undefined;
    }
    let label = `${t}-${slug(value === '.' ? 'root' : value)}`;
    for (let n = 2; labels.has(label); n++) label = `${t}-${slug(value)}-${n}`;
    labels.add(label);
    targets.push({ type: t, value, arg, root: t === 'image-input' ? undefined : root, scanners: scannersFor(t, scanners), label, index: i + 1 });
  });
  return targets;
}

/** config always checks misconfigurations; sbom falls back to vuln when none of the chosen scanners applies. */
function scannersFor(t: TargetType, chosen: readonly Scanner[]): Scanner[] {
  if (t === 'config') return ['misconfig'];
  const s = chosen.filter((x) => SUPPORTED[t].includes(x));
  return s.length ? s : ['vuln'];
}

/** Whether any target needs the vulnerability database. */
export const needsDb = (targets: readonly Target[]): boolean => targets.some((t) => t.scanners.includes('vuln'));
