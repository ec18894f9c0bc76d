// helm 3 and 4, argument arrays and timeouts. The release revision to return to comes from
// `helm history` (the last `deployed` one), read before the upgrade.
import { exec, type ExecResult, expectNotKilled, tail, ToolError, UserError } from '@platform-actions/kit';
import type { HelmRevision } from './plan.js';

export interface HelmOptions {
  bin: string;
  env: NodeJS.ProcessEnv;
  release: string;
  namespace: string;
}

export interface UpgradeArgs {
  chart: string;
  valuesFiles: string[];
  set: string[];
  version?: string;
  dryRun?: boolean;
}

export class Helm {
  constructor(readonly o: HelmOptions) {}

  private run(args: string[], timeoutMs: number): Promise<ExecResult> {
    return exec(this.o.bin, [...args, '--namespace', this.o.namespace], { env: this.o.env, timeoutMs, killGraceMs: 5_000 });
  }

  /** The release's history, oldest first; empty when it does not exist yet. */
  async history(): Promise<HelmRevision[]> {
    const r = await this.run(['history', this.o.release, '--max', '256', '-o', 'json'], 60_000);
    if (r.exitCode !== 0) {
      if (/not found/i.test(r.stderr)) return [];
      throw new ToolError(`helm history ${this.o.release} failed: ${tail(r.stderr, 1)}`, tail(r.stderr, 20));
    }
    return JSON.parse(r.stdout || '[]') as HelmRevision[];
  }

  upgradeArgs(u: UpgradeArgs): string[] {
    return [
      'upgrade',
      '--install',
      this.o.release,
      u.chart,
      ...(u.version ? ['--version', u.version] : []),
      ...u.valuesFiles.flatMap((f) => ['--values', f]),
      ...u.set.flatMap((s) => ['--set', s]),
      ...(u.dryRun ? ['--dry-run=server'] : []),
    ];
  }

  /** Dry run against the server: renders and validates, installs nothing. A failure is the chart's or values' fault. */
  async dryRun(u: UpgradeArgs): Promise<void> {
    const r = expectNotKilled(await this.run(this.upgradeArgs({ ...u, dryRun: true }), 180_000), 'helm upgrade --dry-run=server');
    if (r.exitCode !== 0) throw new UserError(`chart: helm upgrade --dry-run=server rejected ${u.chart}: ${tail(r.stderr, 1)}`);
  }

  /** helm upgrade --install without --wait: we watch the workloads ourselves, with fail-fast rules. */
  upgrade(u: UpgradeArgs, timeoutMs: number): Promise<ExecResult> {
    return this.run([...this.upgradeArgs(u), '--timeout', `${Math.max(30, Math.round(timeoutMs / 1000))}s`], timeoutMs + 10_000);
  }

  async rollback(revision: number, timeoutMs: number): Promise<void> {
    const r = await this.run(['rollback', this.o.release, String(revision), '--timeout', `${Math.max(30, Math.round(timeoutMs / 1000))}s`], timeoutMs + 10_000);
    if (r.exitCode !== 0) throw new ToolError(`helm rollback ${this.o.release} ${revision} failed: ${tail(r.stderr, 1)}`, tail(r.stderr, 20));
  }

  async uninstall(timeoutMs: number): Promise<void> {
    const r = await this.run(['uninstall', this.o.release, '--timeout', `${Math.max(30, Math.round(timeoutMs / 1000))}s`], timeoutMs + 10_000);
    if (r.exitCode !== 0) throw new ToolError(`helm uninstall ${this.o.release} failed: ${tail(r.stderr, 1)}`, tail(r.stderr, 20));
  }

  /** The rendered manifest of the release's current revision. */
  async manifest(): Promise<string> {
    const r = await this.run(['get', 'manifest', this.o.release], 60_000);
    if (r.exitCode !== 0) throw new ToolError(`helm get manifest ${this.o.release} failed: ${tail(r.stderr, 1)}`, tail(r.stderr, 20));
    return r.stdout;
  }
}
