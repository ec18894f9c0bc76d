// Django specifics: `manage.py migrate <app> <target>` moves to a named migration (there is no "+1"/"-1").
// The state and the steps come from the app's plan (`showmigrations <app> --plan -v 2`), by plan index:
// once migrations branch and merge, plan order is not name order. A RunPython without reverse_code or a
// RunSQL without reverse_sql makes Django refuse the downgrade (IrreversibleError) before it touches anything.
import type { Preset } from './presets.js';

/** One line of `manage.py showmigrations <app> --plan -v 2`: a migration, whether it is applied, its parents. */
export interface PlanNode {
  app: string;
  name: string;
  applied: boolean;
  /** "app.name" of each migration it depends on. */
  parents: string[];
}

export const nodeKey = (n: { app: string; name: string }): string => `${n.app}.${n.name}`;

/**
 * Parses `showmigrations <app> --plan -v 2`: the app's migrations and every migration they depend on, in the
 * order Django applies them, `[X]` when applied, " ... (parents)" after each.
 */
export function parsePlan(text: string): PlanNode[] {
  const out: PlanNode[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[([X ])\]\s+(\w+)\.(\w+)(?: \.\.\. \((.*)\))?\s*$/.exec(line);
    if (!m) continue;
    const parents = (m[4] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    out.push({ app: m[2], name: m[3], applied: m[1] === 'X', parents });
  }
  return out;
}

/** The app's state and steps, read from its plan. Steps go by plan index: branch order is not name order. */
export class AppPlan {
  readonly mine: PlanNode[];
  private readonly children = new Map<string, string[]>();
  private readonly byKey: Map<string, PlanNode>;

  constructor(
    readonly nodes: readonly PlanNode[],
    readonly app: string,
  ) {
    this.mine = nodes.filter((n) => n.app === app);
    this.byKey = new Map(nodes.map((n) => [nodeKey(n), n]));
    for (const n of nodes) for (const p of n.parents) this.children.set(p, [...(this.children.get(p) ?? []), nodeKey(n)]);
  }

  /** How many of the app's migrations are applied when they are the first ones of its plan; -1 when they are not. */
  prefix(): number {
    const k = this.mine.findIndex((n) => !n.applied);
    const count = k < 0 ? this.mine.length : k;
    return this.mine.slice(count).some((n) => n.applied) ? -1 : count;
  }

  /** The label the report uses: the last applied migration (plan order), '' at zero; several when not a prefix. */
  label(): string {
    const applied = this.mine.filter((n) => n.applied).map((n) => n.name);
    return this.prefix() >= 0 ? (applied.at(-1) ?? '') : applied.join(',');
  }

  /**
   * Other apps' migrations the first snapshot must already include: `migrate <app> 0001` also applies what
   * the app depends on (auth, contenttypes), which `migrate <app> zero` rightly leaves in place. Per app the
   * last unapplied migration (plan order) that does not itself depend on one of this app's.
   */
  dependencyTargets(): Array<{ app: string; name: string }> {
    const onApp = new Set<string>();
    for (const n of this.nodes) if (n.app === this.app || n.parents.some((p) => onApp.has(p))) onApp.add(nodeKey(n));
    const last = new Map<string, PlanNode>();
    for (const n of this.nodes) if (!onApp.has(nodeKey(n)) && !n.applied) last.set(n.app, n);
    return [...last.values()].map((n) => ({ app: n.app, name: n.name }));
  }

  private descendants(keys: readonly string[]): Set<string> {
    const out = new Set<string>();
    const stack = [...keys];
    while (stack.length) {
      const k = stack.pop()!;
      if (out.has(k)) continue;
      out.add(k);
      stack.push(...(this.children.get(k) ?? []));
    }
    return out;
  }

  /**
   * The `migrate <app> <target>` that unapplies the app's last applied migration (index k-1) and as little
   * else as possible. Django unapplies every applied descendant of the target's children in the app, so on a
   * branch the sibling branch may go too (`unapplies` says which); the driver re-applies it afterwards.
   */
  downTarget(k: number): { target: string; unapplies: string[] } {
    const x = this.mine[k - 1];
    const applied = new Set(this.mine.filter((n) => n.applied).map(nodeKey));
    const inApp = x.parents.filter((p) => this.byKey.get(p)?.app === this.app);
    if (!inApp.length) return { target: 'zero', unapplies: [...applied] };
    const options = inApp.map((p) => {
      const kids = (this.children.get(p) ?? []).filter((c) => this.byKey.get(c)?.app === this.app);
      const gone = this.mine.map(nodeKey).filter((d) => applied.has(d) && this.descendants(kids).has(d));
      return { target: this.byKey.get(p)!.name, unapplies: gone };
    });
    return options.sort((a, b) => a.unapplies.length - b.unapplies.length)[0];
  }
}

/** The migration Django refused to reverse ("… in shop.0003_backfill is not reversible"), if that is why it failed. */
export function irreversibleMigration(output: string): string | undefined {
  const m = /IrreversibleError: .*? in ([\w.]+?)\.(\w+) is not reversible/.exec(output);
  return m ? m[2] : undefined;
}

const APP_LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const validAppLabel = (app: string): boolean => APP_LABEL.test(app);

/** The app's plan with every migration's parents. */
const planArgs = (app: string): string[] => ['showmigrations', app, '--plan', '-v', '2'];

/** The django preset for one app label (already validated: it goes into commands as an argument). */
export function djangoPreset(app: string): Preset {
  return {
    name: 'django',
    program: ['python', 'manage.py'],
    up: ['migrate', app, '--no-input'],
    // The driver steps by the app's plan (AppPlan): the next migration in it, or the target that unapplies the last.
    upOne: ['migrate', app, '{next}', '--no-input'],
    downOne: ['migrate', app, '{previous}', '--no-input'],
    bookkeeping: ['django_migrations'],
    currentTable: 'django_migrations',
    djangoApp: app,
    listRevisions: { args: planArgs(app), parse: (out) => new AppPlan(parsePlan(out), app).mine.map((n) => n.name) },
    irreversible: irreversibleMigration,
    defaultDir: `${app}/migrations`,
  };
}
