// Time budgets. A per-request timeout does not bound a phase: three mirrors × three rounds × a 300 s
// request is 45 minutes, whatever the step's `timeout` says. A Deadline is one limit for the whole phase
// (every repository, retry and backoff): each call gets what is left of it, a backoff never sleeps past
// it, and the message at the end states the limit and the time really spent.
import { formatSeconds } from './exec.js';

export class Deadline {
  readonly started = Date.now();
  constructor(
    /** The whole budget, in ms. */
    readonly limitMs: number,
    /** What it bounds, for messages: e.g. "the timeout input". */
    readonly what: string,
  ) {}

  elapsedMs(): number {
    return Date.now() - this.started;
  }

  remainingMs(): number {
    return Math.max(0, this.limitMs - this.elapsedMs());
  }

  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** A per-call limit inside the budget: `perCallMs`, or what is left when that is less. */
  within(perCallMs: number): number {
    return Math.min(perCallMs, this.remainingMs());
  }

  /** Sleeps `ms`, but never past the budget; false when the budget ran out first. */
  async sleep(ms: number): Promise<boolean> {
    const wait = Math.min(ms, this.remainingMs());
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    return !this.expired();
  }

  /** "the 30s limit of the timeout input (31s spent)". */
  describe(): string {
    return `the ${formatSeconds(this.limitMs)} limit of ${this.what} (${formatSeconds(this.elapsedMs())} spent)`;
  }
}
