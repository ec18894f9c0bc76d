// Django specifics: `manage.py migrate <app> <target>` moves to a named migration (there is no "+1"/"-1"),
// so one step up or down means "migrate to the next / previous name" in the app's plan from
// `showmigrations <app> --list`; `zero` is below the first. A RunPython without reverse_code or a RunSQL
// without reverse_sql makes Django refuse the downgrade (IrreversibleError) before it touches anything.
import type { Preset } from './presets.js';

/** Migration names of `app`, in plan order, from `manage.py showmigrations <app> --list`. */
export function parseShowMigrations(text: string, app: string): string[] {
  const names: string[] = [];
  let inApp = false;
  for (const line of text.split('\n')) {
    if (/^\S/.test(line)) {
      inApp = line.trim() === app;
      continue;
    }
    // " [X] 0001_initial" / " [ ] 0002_x" / " [-] 0003_y (2 squashed migrations)"
    const m = /^\s+\[[ X-]\]\s+(\S+)/.exec(line);
    if (inApp && m) names.push(m[1]);
  }
  return names;
}

/** The migration Django refused to reverse ("… in shop.0003_backfill is not reversible"), if that is why it failed. */
export function irreversibleMigration(output: string): string | undefined {
  const m = /IrreversibleError: .*? in ([\w.]+?)\.(\w+) is not reversible/.exec(output);
  return m ? m[2] : undefined;
}

const APP_LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const validAppLabel = (app: string): boolean => APP_LABEL.test(app);

/** The django preset for one app label (already validated: it goes into SQL as a literal). */
export function djangoPreset(app: string): Preset {
  return {
    name: 'django',
    program: ['python', 'manage.py'],
    up: ['migrate', app, '--no-input'],
    // Targets are filled in per step by the driver from the app's plan (see stepTargets).
    upOne: ['migrate', app, '{next}', '--no-input'],
    downOne: ['migrate', app, '{previous}', '--no-input'],
    bookkeeping: ['django_migrations'],
    currentTable: 'django_migrations',
    // Migration names start with their number (0001_…), so the greatest applied name is the current one.
    currentSql: `SELECT max(name) FROM django_migrations WHERE app = '${app}'`,
    listRevisions: { args: ['showmigrations', app, '--list'], parse: (out) => parseShowMigrations(out, app) },
    irreversible: irreversibleMigration,
    defaultDir: `${app}/migrations`,
  };
}

/** `{next}` / `{previous}` for the step from `current` (a name, or '' at base) in `plan`. */
export function stepTargets(plan: readonly string[], current: string): { next: string | undefined; previous: string } {
  const i = current ? plan.indexOf(current) : -1;
  return { next: plan[i + 1], previous: i > 0 ? plan[i - 1] : 'zero' };
}
