// Version constraints as terraform's required_version writes them (">= 1.5, < 2.0", "~> 1.10.0").
// We only need to ask "can this root run on a version at or above X?", which we answer by testing
// candidate versions against every clause.

export type Version = [number, number, number];

export function parseVersion(v: string): Version | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
}

export const cmpVersion = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

function clauseAllows(clause: string, v: Version): boolean {
  const m = /^\s*(>=|<=|!=|~>|=|>|<)?\s*v?([\d.]+)/.exec(clause);
  if (!m) return true; // unknown syntax: do not guess it away
  const op = m[1] ?? '=';
  const parts = m[2].split('.').filter((p) => p !== '');
  const c = parseVersion(m[2])!;
  const d = cmpVersion(v, c);
  switch (op) {
    case '>=':
      return d >= 0;
    case '>':
      return d > 0;
    case '<=':
      return d <= 0;
    case '<':
      return d < 0;
    case '!=':
      return d !== 0;
    case '~>': {
      // ~> 1.10 allows 1.x >= 1.10; ~> 1.10.0 allows 1.10.x.
      if (d < 0) return false;
      return parts.length <= 2 ? v[0] === c[0] : v[0] === c[0] && v[1] === c[1];
    }
    default:
      return d === 0;
  }
}

const allows = (constraint: string, v: Version): boolean => constraint.split(',').every((c) => clauseAllows(c, v));

/** Whether some version at or above `min` satisfies the constraint (checked over a range of releases). */
export function admitsAtLeast(constraint: string, min: Version): boolean {
  // The versions the constraint names are the likeliest to satisfy it (e.g. "= 1.11.4").
  for (const m of constraint.matchAll(/\d+(?:\.\d+){0,2}/g)) {
    const v = parseVersion(m[0])!;
    if (cmpVersion(v, min) >= 0 && allows(constraint, v)) return true;
  }
  for (let major = min[0]; major <= min[0] + 1; major++) {
    for (let minor = major === min[0] ? min[1] : 0; minor <= 40; minor++) {
      for (const patch of [0, 1, 5, 9, 20]) {
        const v: Version = [major, minor, major === min[0] && minor === min[1] ? Math.max(patch, min[2]) : patch];
        if (allows(constraint, v)) return true;
      }
    }
  }
  return false;
}
