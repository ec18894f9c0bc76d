// The pre-push hook: one check per pushed ref (prepush.ts says which commits each sends), on the pushed
// commit itself — in the working tree when it is HEAD, else in a temporary worktree of that commit, so a
// branch pushed from another checkout is checked as it is, not as the current branch is.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, type CheckOptions, type CheckResult, failedResult } from './check.js';
import { git } from './local.js';
import { parsePushedRefs, planPushedRef, pushedRefFromPreCommit, pushFacts, type PushedRef, ZERO } from './prepush.js';
import { type painter, renderReport, seconds } from './render.js';
import { type StageResult, verdictOf } from './results.js';

interface HookIo {
  remote?: string;
  stdin?: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  out: { write(s: string): void; isTTY: boolean };
  colour: boolean;
}

/** The refs to check: git's stdin, else pre-commit's variables, else (run by hand) the current branch. */
async function pushedRefs(repo: string, remote: string, io: HookIo): Promise<PushedRef[]> {
  const fromStdin = io.stdin ? parsePushedRefs(await io.stdin()) : [];
  if (fromStdin.length) return fromStdin;
  const fromPreCommit = pushedRefFromPreCommit(io.env, repo);
  if (fromPreCommit) return [fromPreCommit];
  const branch = git(repo, ['symbolic-ref', '--quiet', 'HEAD']);
  const head = git(repo, ['rev-parse', 'HEAD']);
  if (!branch || !head) return [];
  const remoteSha = git(repo, ['rev-parse', '--verify', '--quiet', `refs/remotes/${remote}/${branch.replace(/^refs\/heads\//, '')}`]) ?? ZERO;
  return [{ localRef: branch, localSha: head, remoteRef: branch, remoteSha }];
}

export async function prePush(o: CheckOptions, io: HookIo): Promise<CheckResult> {
  const started = Date.now();
  const remote = io.remote || io.env.PRE_COMMIT_REMOTE_NAME || 'origin';
  const refs = await pushedRefs(o.repo, remote, io);
  const facts = pushFacts(o.repo, remote);
  const head = git(o.repo, ['rev-parse', 'HEAD']);
  const results: Array<{ label: string; res: CheckResult }> = [];
  for (const r of refs) {
    const plan = planPushedRef(r, remote, facts);
    if (plan.kind === 'skip') {
      io.out.write(`${plan.why}\n`);
      continue;
    }
    io.out.write(`\nChecking ${plan.scope.label}\n`);
    // The pushed commit as it is: the working tree when it is HEAD, else a throwaway worktree of it.
    let workspace = o.repo;
    let worktree: string | undefined;
    if (r.localSha !== head) {
      worktree = join(mkdtempSync(join(tmpdir(), 'platform-actions-push-')), 'tree');
      if (git(o.repo, ['worktree', 'add', '--detach', '--quiet', worktree, r.localSha]) === undefined) {
        results.push({ label: plan.scope.label, res: failedResult(o.repo, [`pre-push: could not check out ${r.localSha} of ${r.localRef} to check it`]) });
        continue;
      }
      workspace = worktree;
    }
    try {
      // Paths in the report are the user's checkout's, not the throwaway worktree's.
      const res = { ...(await check({ ...o, repo: workspace, push: plan.scope, changed: false })), repo: o.repo };
      if (!res.errors.length) io.out.write(renderReport(res, io.colour));
      results.push({ label: plan.scope.label, res });
    } finally {
      if (worktree) {
        git(o.repo, ['worktree', 'remove', '--force', worktree]);
        rmSync(join(worktree, '..'), { recursive: true, force: true });
        git(o.repo, ['worktree', 'prune']);
      }
    }
  }
  return combine(o.repo, results, started);
}

/** One result for the whole push: every ref's stages (named after their ref when there are several). */
function combine(repo: string, results: Array<{ label: string; res: CheckResult }>, started: number): CheckResult {
  const many = results.length > 1;
  const stages: StageResult[] = results.flatMap(({ label, res }) => res.stages.map((s) => (many ? { ...s, name: `${label.split(' ')[0]} ${s.name}` } : s)));
  const errors = results.flatMap((r) => r.res.errors);
  const v = verdictOf([...stages.map((s) => s.outcome), ...results.map((r) => r.res.outcome)]);
  return {
    repo,
    event: 'push',
    scope: results.map((r) => r.label).join('; ') || 'nothing to check',
    workflows: [...new Set(results.flatMap((r) => r.res.workflows))],
    stages,
    notOurs: results[0]?.res.notOurs ?? [],
    notes: [...new Set(results.flatMap((r) => r.res.notes))],
    errors,
    ...v,
    durationMs: Date.now() - started,
    startedAt: new Date(started).toISOString(),
  };
}

/** The last line of a stopped push: what stopped it, and how to fix it or skip the check once. */
export function stopLine(res: CheckResult, p: ReturnType<typeof painter>): string {
  const findings = res.stages.reduce((n, s) => n + (s.outcome === 'policy-failure' ? s.findingsCount : 0), 0);
  const why =
    res.outcome === 'policy-failure'
      ? `${findings} finding${findings === 1 ? '' : 's'} at or above the workflows' fail-on`
      : `a ${res.outcome === 'tool-error' ? 'tool' : 'configuration'} error (see above)`;
  const fix = res.outcome === 'policy-failure' ? 'Fix them (in the commits that added them, for a secret)' : 'Fix it';
  return `${p.red('platform-actions: push stopped')}: ${why}, in ${seconds(res.durationMs)}. ${fix} and push again, or skip this check once with git push --no-verify.`;
}
