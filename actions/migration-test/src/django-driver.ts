// The django preset's moves over the generic Driver, all read from the app's plan (AppPlan in django.ts):
// - state: which of the app's migrations are applied (`[X]` in the plan), never the greatest name;
// - one step up: `migrate <app> <next in plan>`; one step down: the target that unapplies the last applied
//   one, then whatever sibling branch Django took with it is applied again;
// - after every move, the plan must show exactly the expected migrations applied, else it is a tool error
//   (a run that silently re-tested one migration would report clean what it never applied);
// - before the first snapshot, the apps this app depends on are migrated, so `migrate <app> zero` leaving
//   them in place is not a trace.
import { ToolError } from '@platform-actions/kit';
import { AppPlan, nodeKey, parsePlan } from './django.js';
import { type CommandOutcome, type Driver, keyLine } from './execute.js';

export interface DjangoIo {
  /** Runs `manage.py <args>` (with the irreversible check applied). */
  run(args: readonly string[]): Promise<CommandOutcome>;
  /** The stdout of `manage.py <args>`; throws a ToolError when it fails. */
  read(args: readonly string[]): Promise<string>;
  planArgs: string[];
}

export function djangoMoves(app: string, io: DjangoIo): Required<Pick<Driver, 'prepare' | 'current' | 'up' | 'upOne' | 'downOne'>> {
  let cached: AppPlan | undefined;
  const plan = async () => (cached ??= new AppPlan(parsePlan(await io.read(io.planArgs)), app));
  const migrate = async (args: readonly string[]) => {
    cached = undefined;
    return io.run(['migrate', ...args, '--no-input']);
  };
  const names = (p: AppPlan, k: number) => p.mine.slice(0, k).map((n) => n.name);
  /** The app's applied migrations must be the first `k` of its plan. */
  const expect = async (k: number, what: string) => {
    const p = await plan();
    if (p.prefix() === k) return;
    const applied = p.mine.filter((n) => n.applied).map((n) => n.name);
    throw new ToolError(
      `django: after ${what} the applied migrations of ${app} are ${applied.join(', ') || 'none'}, not ${names(p, k).join(', ') || 'none'} (the first ${k} of its plan)`,
    );
  };
  const position = async () => {
    const p = await plan();
    const k = p.prefix();
    if (k < 0) throw new ToolError(`django: the applied migrations of ${app} (${p.label()}) are not the first ones of its plan; start from an empty database`);
    return { p, k };
  };
  const combine = (parts: CommandOutcome[]): CommandOutcome => ({
    ok: parts.every((x) => x.ok),
    output: parts
      .map((x) => x.output)
      .filter(Boolean)
      .join('\n'),
    durationMs: parts.reduce((t, x) => t + x.durationMs, 0),
    irreversible: parts.find((x) => x.irreversible)?.irreversible,
  });

  return {
    async prepare() {
      for (const t of (await plan()).dependencyTargets()) {
        const r = await migrate([t.app, t.name]);
        if (!r.ok) throw new ToolError(`django: migrating ${app}'s dependency ${t.app} to ${t.name} failed: ${keyLine(r.output)}`, r.output);
      }
      const missing = (await plan()).dependencyTargets();
      if (missing.length) throw new ToolError(`django: ${missing.map(nodeKey).join(', ')} still not applied after migrating ${app}'s dependencies`);
    },
    current: async () => (await plan()).label(),
    async up() {
      const r = await migrate([app]);
      if (r.ok) await expect((await plan()).mine.length, `migrate ${app}`);
      return r;
    },
    async upOne() {
      const { p, k } = await position();
      if (k === p.mine.length) return migrate([app]); // at head: a no-op, as "+1" is for other tools
      const target = p.mine[k].name;
      const r = await migrate([app, target]);
      if (r.ok) await expect(k + 1, `migrate ${app} ${target}`);
      return r;
    },
    async downOne() {
      const { p, k } = await position();
      if (k === 0) return migrate([app, 'zero']);
      const { target, unapplies } = p.downTarget(k);
      const parts = [await migrate([app, target])];
      if (!parts[0].ok) return parts[0];
      // Django took the sibling branch down too: apply it again, so only the last migration is undone.
      if (unapplies.length > 1) {
        for (const name of names(p, k - 1)) {
          const now = await plan();
          if (now.mine.find((n) => n.name === name)?.applied) continue;
          const r = await migrate([app, name]);
          parts.push(r.ok ? r : { ...r, output: `re-applying ${name} after unapplying ${p.mine[k - 1].name} (Django unapplies a whole branch) failed:\n${r.output}` });
          if (!r.ok) return combine(parts);
        }
      }
      await expect(k - 1, `unapplying ${p.mine[k - 1].name} (migrate ${app} ${target})`);
      return combine(parts);
    },
  };
}
