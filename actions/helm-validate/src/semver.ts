// Chart versions. helm and chart-testing compare them with Masterminds/semver, which also reads loose
// forms (v1.2, 1.2); a chart version should still be strict SemVer 2 (helm 4's lint says so, and chart
// repositories and OCI registries sort by it). Precedence follows semver.org: a pre-release sorts before
// its release, numeric identifiers compare as numbers, build metadata is ignored.
export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

const STRICT =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;
const LOOSE = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** True for a strict SemVer 2 version such as 1.2.3 or 1.2.3-rc.1+build.5. */
export const isStrictSemVer = (v: string): boolean => STRICT.test(v);

/** A version as Masterminds/semver reads it (v prefix and missing minor or patch allowed), or undefined. */
export function parseSemVer(v: string): SemVer | undefined {
  const m = LOOSE.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), prerelease: m[4] ? m[4].split('.') : [] };
}

function compareIdent(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Math.sign(Number(a) - Number(b));
  if (na !== nb) return na ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

/** -1, 0 or 1, by SemVer precedence. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return Math.sign(a[k] - b[k]);
  if (!a.prerelease.length || !b.prerelease.length) return a.prerelease.length === b.prerelease.length ? 0 : a.prerelease.length ? -1 : 1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    if (i >= a.prerelease.length) return -1;
    if (i >= b.prerelease.length) return 1;
    const c = compareIdent(a.prerelease[i], b.prerelease[i]);
    if (c) return c;
  }
  return 0;
}
