// Which commits to scan: the kit's range planning (packages/kit/src/git/range.ts, shared with the plan
// action), under the names this action's code and tests use, plus what only gitleaks needs: its
// --log-opts and the git release that shows merge commits' own changes.
import { type RangeScope } from '@platform-actions/kit';

export {
  RANGE_MODES as MODES,
  type RangeMode as Mode,
  type RangeFacts as Facts,
  type RangeScope,
  type CommitScope as Scope,
  planRange as planScan,
  revListArgs,
} from '@platform-actions/kit';

/**
 * `--log-opts` for gitleaks, which runs `git log -p -U0 <these>`. It splits the value on single spaces
 * with no quoting, so only SHAs and flags go in, and the SHAs go after `--end-of-options`.
 *
 * `remergeDiff` adds `--remerge-diff` (git 2.36+): a merge commit is shown as the difference between
 * what git would have merged on its own and what was committed, which is exactly what the merge itself
 * introduced (a conflict resolution, an "evil" change). Without it `git log -p` prints no patch for a
 * merge at all, so a secret added in a merge commit is invisible.
 */
export function logOpts(scope: RangeScope | { kind: 'full' }, opts: { remergeDiff: boolean } = { remergeDiff: true }): string {
  const parts = ['--full-history', '--diff-filter=tuxdb', ...(opts.remergeDiff ? ['--remerge-diff'] : [])];
  if (scope.kind === 'full') parts.push('--all', '--end-of-options');
  else {
    for (const c of [...scope.tips, ...scope.excludes]) {
      if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(c)) throw new Error(`refusing a non-SHA revision in --log-opts: ${JSON.stringify(c)}`);
    }
    parts.push('--end-of-options', ...scope.tips, ...scope.excludes.map((e) => `^${e}`));
  }
  return parts.join(' ');
}

/** git learned --remerge-diff in 2.36. */
export const REMERGE_DIFF_SINCE = '2.36.0';
