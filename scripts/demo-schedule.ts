// When each demo step runs: as soon as everything it needs (tools, its bundle) is ready, the earliest
// listed first among those that are; a step whose prerequisite failed is skipped, never waited for.
// Kept apart from demo.ts (which starts the real provisioning) so the order is unit-tested.

/** Prerequisites as they become ready or fail; `changed()` resolves at the next news. */
export class Prerequisites {
  private readonly state = new Map<string, { ok: boolean; why?: string }>();
  private wake: () => void = () => {};

  /** Records the outcome of `what`, once (later reports of the same thing are ignored). */
  settle(what: string, ok: boolean, why?: string): void {
    if (this.state.has(what)) return;
    this.state.set(what, { ok, why });
    this.wake();
  }

  ready(what: string): boolean {
    return this.state.get(what)?.ok === true;
  }

  /** Why `what` failed, or undefined while it is pending or when it is ready. */
  failure(what: string): string | undefined {
    const s = this.state.get(what);
    return s && !s.ok ? (s.why ?? `${what} failed`) : undefined;
  }

  known(what: string): boolean {
    return this.state.has(what);
  }

  changed(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }
}

export interface StepHooks {
  /** What step `i` needs. */
  needs(i: number): string[];
  /** Runs step `i` and reports it (it must not throw). */
  run(i: number): Promise<void>;
  /** Step `i` cannot run: `why` names the prerequisite that failed and its reason. */
  skip(i: number, why: string): void;
  /** Nothing can run yet; the earliest pending step `i` waits for `missing` (called once per change). */
  waiting(i: number, missing: string[]): void;
}

/**
 * Runs or skips every step in `pending` (indexes; removed from it as they are taken, so other code can see
 * which steps are still to come) and resolves when none is left.
 */
export async function runWhenReady(pending: number[], prereqs: Prerequisites, hooks: StepHooks): Promise<void> {
  let waitingFor = '';
  while (pending.length > 0) {
    const ready = pending.find((i) => hooks.needs(i).every((t) => prereqs.ready(t)));
    const blocked = pending.find((i) => hooks.needs(i).some((t) => prereqs.failure(t) !== undefined));
    if (ready === undefined && blocked === undefined) {
      const missing = hooks.needs(pending[0]).filter((t) => !prereqs.known(t));
      if (missing.join() !== waitingFor) hooks.waiting(pending[0], missing);
      waitingFor = missing.join();
      await prereqs.changed();
      continue;
    }
    const i = (ready ?? blocked) as number;
    pending.splice(pending.indexOf(i), 1);
    if (ready === i) await hooks.run(i);
    else
      hooks.skip(
        i,
        hooks
          .needs(i)
          .map((t) => prereqs.failure(t))
          .find((w) => w !== undefined) as string,
      );
  }
}
