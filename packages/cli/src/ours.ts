// Which `uses:` is ours. By repository identity, never by a file or action name alone: someone else's
// `other-org/lib/actions/trivy-scan@main` or `my-org/shared/.github/workflows/ci.yml@v3` is not ours,
// however it is named. Ours are:
//   - `<ours>/actions/<name>@ref` and `<ours>/.github/workflows/<file>@ref`, where <ours> is our canonical
//     owner/repo (package.json `repository`) or one the repository names in .platform-actions.yml (a fork,
//     an internal mirror);
//   - `$/actions/<name>` inside our own workflows (GitHub resolves `$/` to the workflow file's repository);
//   - `./.github/workflows/<file>` and `./<dir>` (a composite action) in the checked repository, when they
//     lead to ours — discovery reads them and keeps what they use of ours;
//   - `./actions/<name>` when the checked repository is ours (a checkout, fork or mirror of it).

type Uses =
  | { kind: 'action'; name: string; ref?: string }
  | { kind: 'workflow'; file: string; ref?: string }
  | { kind: 'local-workflow'; path: string }
  | { kind: 'local-action'; path: string }
  | { kind: 'not-ours'; why?: string };

export interface Identity {
  /** owner/repo names that are ours, lower-case (GitHub names are case-insensitive). */
  repositories: string[];
  actions: readonly string[];
  workflows: readonly string[];
}

const NAME = '[A-Za-z0-9._-]+';
const REMOTE = new RegExp(`^(${NAME})/(${NAME})/(.+?)(?:@(\\S+))?$`);

/**
 * Classifies one `uses:`. `inOurs`: the workflow holding it is one of ours (so `$/` means us).
 * `checkedIsOurs`: the repository being checked is ours (so `./actions/<name>` means us).
 */
export function classify(uses: string, id: Identity, where: { inOurs: boolean; checkedIsOurs: boolean }): Uses {
  const u = uses.trim();
  if (u.startsWith('docker://')) return { kind: 'not-ours' };
  if (u.startsWith('$/')) {
    if (!where.inOurs) return { kind: 'not-ours', why: '$/ in your own workflow names your own repository' };
    const rest = u.slice(2).replace(/\/$/, '');
    const wf = /^\.github\/workflows\/([^/]+\.ya?ml)$/.exec(rest);
    if (wf) return id.workflows.includes(wf[1]) ? { kind: 'workflow', file: wf[1] } : { kind: 'not-ours', why: `this version has no workflow ${wf[1]}` };
    const name = rest.replace(/^actions\//, '');
    return id.actions.includes(name) ? { kind: 'action', name } : { kind: 'not-ours', why: `this version has no action ${name}` };
  }
  if (u.startsWith('./')) {
    const path = u.slice(2).replace(/\/$/, '');
    if (/^\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return { kind: 'local-workflow', path };
    const mine = /^actions\/([^/]+)$/.exec(path);
    if (mine && where.checkedIsOurs && id.actions.includes(mine[1])) return { kind: 'action', name: mine[1] };
    return { kind: 'local-action', path };
  }
  const m = REMOTE.exec(u);
  if (!m || !id.repositories.includes(`${m[1]}/${m[2]}`.toLowerCase())) return { kind: 'not-ours' };
  const [, , , path, ref] = m;
  const wf = /^\.github\/workflows\/([^/]+\.ya?ml)$/.exec(path);
  if (wf) return id.workflows.includes(wf[1]) ? { kind: 'workflow', file: wf[1], ref } : { kind: 'not-ours', why: `this version has no workflow ${wf[1]}` };
  const act = /^actions\/([^/]+)$/.exec(path);
  if (act && id.actions.includes(act[1])) return { kind: 'action', name: act[1], ref };
  return { kind: 'not-ours', why: `this version has no ${path}` };
}

/** The part of a `uses:` that says what it is, without the ref: how a "not ours" is listed (once). */
export const withoutRef = (uses: string): string => uses.trim().replace(/@\S+$/, '');

/**
 * Whether a pinned ref is the build the checks run with: the full commit (or an abbreviation of it, 7+
 * hex digits) or the version's tag. Anything else — another commit, a branch, a moving major tag — is not
 * known to be the same code, so check says so.
 */
export function sameBuild(ref: string, build: { version: string; commit: string }): boolean {
  if (/^[0-9a-f]{7,40}$/i.test(ref)) return build.commit !== '' && build.commit.toLowerCase().startsWith(ref.toLowerCase());
  return ref === `v${build.version}` || ref === build.version;
}
