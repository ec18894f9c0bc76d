// A job's `strategy.matrix` as GitHub expands it: every combination of the values of its keys, less the
// `exclude` entries (an entry matches a combination when every key it names matches), then each `include`
// entry merged into every combination it does not contradict on an original key (added keys may be
// overwritten), or appended as a combination of its own when it fits none (an include-only matrix is one
// combination per entry). Pure, for a table of tests.
import type { Value } from '@platform-actions/expressions';

export type Combination = Record<string, Value>;

const same = (a: Value, b: Value): boolean => JSON.stringify(a) === JSON.stringify(b);
const matches = (combo: Combination, entry: Combination): boolean => Object.entries(entry).every(([k, v]) => k in combo && same(combo[k], v));

/** The combinations of an evaluated matrix (an object); one empty combination when it has no keys. A problem is thrown as Error. */
export function expandMatrix(matrix: Value): Combination[] {
  if (matrix === null || matrix === undefined) return [{}];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) throw new Error('strategy.matrix must be a mapping');
  const { include, exclude, ...axes } = matrix as Record<string, Value>;
  const list = (v: Value, what: string): Combination[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || Array.isArray(e))) throw new Error(`strategy.matrix.${what} must be a list of mappings`);
    return v as Combination[];
  };
  let combos: Combination[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new Error(`strategy.matrix.${key} must be a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  const original = Object.keys(axes);
  if (original.length === 0) combos = [];
  combos = combos.filter((c) => !list(exclude, 'exclude').some((e) => matches(c, e)));
  // Only the combinations of the axes take include entries in; an entry appended as its own stays as it is.
  const base = [...combos];
  for (const inc of list(include, 'include')) {
    let fitted = false;
    for (const c of base) {
      if (Object.entries(inc).some(([k, v]) => original.includes(k) && !same(c[k], v))) continue;
      Object.assign(c, inc);
      fitted = true;
    }
    if (!fitted) combos.push({ ...inc });
  }
  return combos.length ? combos : original.length ? [] : [{}];
}

/** How GitHub names one combination of a job: `name (v1, v2)`. */
export function matrixName(job: string, combo: Combination): string {
  const values = Object.values(combo).map((v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v)));
  return values.length ? `${job} (${values.join(', ')})` : job;
}
