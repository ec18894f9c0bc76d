// gitleaks-scan: secret scanning over exactly the commits the event brought. Reads like its table of
// contents: inputs → what to scan → gitleaks → findings → gate → reports → pass or fail.
import {
  core,
  currentEvent,
  type EventContext,
  failUnlessClean,
  type Finding,
  gate,
  type GateResult,
  isInside,
  keepToolError,
  publish,
  readRepoFile,
  resolveRepoPath,
  ToolError,
  workspace,
} from '@platform-actions/kit';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { extendedPath, type SettingsChange, settingsChanges, settingsFiles } from './changes.js';
import { chooseConfig, type ConfigChoice } from './gitleaks-config.js';
import { keepInReport, parseReport, toFinding } from './findings.js';
import { Git } from './git.js';
import { runGitleaks } from './gitleaks.js';
import { installGitleaks } from './install.js';
import { canRemergeDiff, fixMergePaths, mergesOwnLeaks } from './merges.js';
import { checkPayloadShas, commitsBrought, firstDeepenStep, readPayload } from './payload.js';
import { notScannedLine, scopeLine, scopeMarkdown, type ScopeFacts, settingsChangeLine } from './report.js';
import { resolveScope } from './resolve.js';
import { logOpts, REMERGE_DIFF_SINCE, revListArgs } from './scope.js';
import { readSettings, type Settings } from './settings.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // 1. Inputs and the event, all validated before any work (payload SHAs before any git call); the
  //    repository and the config that applies.
  const s = readSettings();
  const payload = readPayload();
  if (s.mode !== 'dir') checkPayloadShas(process.env.GITHUB_EVENT_NAME, payload);
  const event = currentEvent();
  const git = s.mode === 'dir' ? undefined : await Git.open(s.path);
  // Every path is reported relative to the repository root; in dir mode `path` may be a folder in it.
  const root = git?.root ?? (await repositoryRoot(s.path));
  const folder = s.mode === 'dir' ? relative(root, realpathSync(s.path)).split(sep).join('/') || '.' : '.';
  const config = chooseConfig({ input: s.config, env: process.env, root, folder, exists: existsSync, resolvePath: (p) => (isAbsolute(p) ? p : resolve(root, p)) });
  checkSettingsFiles(root, folder, config);
  core.info(`Config: ${config.label.replace(/`/g, '')}`);

  // 2–4. What to scan, gitleaks on it, findings from its redacted report. A tool error is kept, not
  // thrown, so it is reported everywhere (outputs, summary, comment) and nobody reads it as clean.
  const facts = initialFacts(s, event, root, folder, config);
  const toolErrors: string[] = [];
  let findings: Finding[] = [];
  let reported = false;
  try {
    if (git) await core.group(`${ACTION}: what to scan`, () => resolveWhatToScan(s, git, root, config, event, payload, facts));
    ({ findings, reported } = await scan(s, git, root, folder, config, facts));
  } catch (e) {
    keepToolError(ACTION, e, toolErrors);
  }

  // 5. Gate: baseline, threshold, tool errors, and a settings change when config-change is fail.
  const g = decide(s, findings, toolErrors, facts.settingsChanges ?? []);

  // 6. Reports. The kit's findings table would link each file at the head commit, where a secret from
  // history may be gone; our own table links it at the commit that added it, so the kit's stays unlinked.
  for (const c of facts.settingsChanges ?? []) core.warning(settingsChangeLine(c), { title: `${ACTION}: scan settings changed`, file: c.path });
  const notScanned = notScannedLine(facts.refs);
  if (notScanned) core.warning(notScanned, { title: `${ACTION}: not every ref was scanned` });
  await publish({
    action: ACTION,
    title: 'Secret scan (gitleaks)',
    gate: g,
    sarif: {
      path: s['sarif-file'],
      runs: [{ tool: { name: 'gitleaks', version: facts.tool?.version, informationUri: 'https://github.com/gitleaks/gitleaks' }, category: ACTION, findings: g.active }],
    },
    details: scopeMarkdown(facts, g.active),
    reports: reported ? { 'report-file': s['report-file'] } : {},
    comment: s.comment ? { token: s.token } : undefined,
    event: { ...event, sha: '', pr: event.pr && { ...event.pr, headSha: '' } },
  });

  // 7. Pass or fail.
  failUnlessClean(ACTION, g, s['fail-on']);
}

/**
 * In dir mode, the repository root: the git work tree that holds `path` when it lies in the workspace
 * (dir mode needs no git, so none is fine), else the workspace.
 */
async function repositoryRoot(path: string): Promise<string> {
  const ws = realpathSync(workspace());
  const top = await Git.toplevel(path);
  return top && isInside(ws, top) ? realpathSync(top) : ws;
}

/** The .gitleaksignore files gitleaks reads: the repository root's and, in dir mode, the scanned folder's. */
const ignoreFiles = (root: string, folder: string): string[] => [...new Set([join(root, '.gitleaksignore'), join(root, folder, '.gitleaksignore')])];

/** Entries in the .gitleaksignore files gitleaks reads. */
function ignoreEntries(root: string, folder: string): number | undefined {
  const files = ignoreFiles(root, folder).filter((f) => existsSync(f));
  if (!files.length) return undefined;
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.trim() && !l.trim().startsWith('#')).length;
}

/**
 * The files gitleaks reads by itself — a config it found (.gitleaks.toml, GITLEAKS_CONFIG), the file that
 * config extends, .gitleaksignore — stay inside the workspace by real path (kit): a committed symlink to a
 * runner file is refused in one line naming the link, before gitleaks could read it and quote it.
 */
function checkSettingsFiles(root: string, folder: string, config: ConfigChoice): void {
  const rel = (p: string) => relative(root, p) || p;
  if (config.path && config.origin !== 'input') {
    const label = config.origin === 'env-path' ? `GITLEAKS_CONFIG (${process.env.GITLEAKS_CONFIG})` : rel(config.path);
    resolveRepoPath(config.path, { label, allowRunnerTemp: config.origin === 'env-path' });
  }
  if (config.path) {
    const ext = extendedPath(readRepoFile(config.path, { allowRunnerTemp: true, label: rel(config.path) }));
    if (ext) resolveRepoPath(resolve(root, ext), { label: `${rel(config.path)} [extend] path "${ext}"` });
  }
  for (const ignore of ignoreFiles(root, folder)) if (existsSync(ignore) || isSymlink(ignore)) resolveRepoPath(ignore, { label: rel(ignore) });
}

const isSymlink = (p: string): boolean => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

function initialFacts(s: Settings, event: EventContext, root: string, folder: string, config: ConfigChoice): ScopeFacts {
  return {
    scope: { kind: 'dir', label: 'working tree', reason: 'mode: dir' },
    commits: [],
    commitCount: 0,
    deepenedBy: 0,
    fetched: 0,
    config,
    ignoreEntries: ignoreEntries(root, folder),
    baseline: s['baseline-path'] ? { path: s['baseline-path'].path, entries: s['baseline-path'].ids.size } : undefined,
    repoUrl: event.repoUrl,
  };
}

/** Resolves the scope (fetching and deepening as needed) and finds changes to the scan's own settings in it. */
async function resolveWhatToScan(
  s: Settings,
  git: Git,
  root: string,
  config: ConfigChoice,
  event: EventContext,
  payload: Record<string, unknown>,
  facts: ScopeFacts,
): Promise<void> {
  const firstStep = firstDeepenStep(commitsBrought(event.name, payload));
  const r = await resolveScope(git, event, s.mode, { remote: 'origin', deepenLimit: s['deepen-limit'], firstStep });
  Object.assign(facts, { scope: r.scope, commits: r.commits, commitCount: r.commitCount, deepenedBy: r.deepenedBy, fetched: r.fetched.length, refs: r.refs });
  if (r.deepenedBy) core.info(`Deepened by ${r.deepenedBy} commits in ${r.rounds} round trip(s), starting at ${firstStep}`);
  const gitVersion = await git.version();
  facts.merges = canRemergeDiff(gitVersion)
    ? { scanned: true }
    : { scanned: false, why: `git ${gitVersion ?? '(unknown version)'} cannot show them (--remerge-diff needs git ${REMERGE_DIFF_SINCE} or newer); use a newer git` };
  if (!facts.merges.scanned) core.warning(`Merge commits' own changes are not scanned: ${facts.merges.why}.`);
  if (r.scope.kind === 'range' && r.commitCount > 0) {
    facts.settingsChanges = await settingsChanges(git, revListArgs(r.scope), settingsFiles(root, config, s['baseline-path']?.path), facts.merges.scanned);
  }
}

/** Runs gitleaks on the resolved scope and parses the report. */
async function scan(s: Settings, git: Git | undefined, root: string, folder: string, config: ConfigChoice, facts: ScopeFacts): Promise<{ findings: Finding[]; reported: boolean }> {
  core.info(`Scanning ${scopeLine(facts)}`);
  core.setOutput('scan-mode', facts.scope.kind === 'nothing' ? 'range' : facts.scope.kind);
  core.setOutput('scan-range', scopeLine(facts));
  core.setOutput('commits-scanned', facts.commitCount);

  const sc = facts.scope;
  if (sc.kind === 'nothing' || (sc.kind === 'range' && facts.commitCount === 0)) return { findings: [], reported: false };
  const tool = await installGitleaks(s.version, s.mirror);
  facts.tool = { version: tool.version, source: tool.source };
  const run = await runGitleaks(
    tool.path,
    {
      subcommand: sc.kind === 'dir' ? 'dir' : 'git',
      source: root,
      folder,
      logOpts: sc.kind === 'dir' ? undefined : logOpts(sc, { remergeDiff: facts.merges?.scanned ?? false }),
      config: config.path,
      reportPath: s['report-file'],
    },
    config,
    s.timeout,
  );
  facts.scanned = run.log.scanned;
  // Parsed from the report, never inferred from the exit code.
  const leaks = parseReport(run.report);
  if (!leaks) throw new ToolError('gitleaks wrote a report that is not a JSON array of findings');
  // The platform-actions CLI says so when the range is commits that have not been pushed (its pre-push
  // check): their findings must not tell the user that others may already have the secret.
  const unpushed = sc.kind === 'range' && process.env.PLATFORM_ACTIONS_UNPUSHED === 'true';
  const finding = (l: (typeof leaks)[number]) => toFinding(l, unpushed);
  if (!git || !facts.merges?.scanned) return { findings: leaks.map(finding), reported: true };
  // A merge is blamed only for what it introduced, everywhere (report file, counts, SARIF, summary).
  await fixMergePaths(git, leaks);
  const { own, inherited } = await mergesOwnLeaks(git, leaks);
  facts.merges.inherited = inherited.length;
  if (inherited.length) keepInReport(s['report-file'], run.report, leaks, own);
  return { findings: own.map(finding), reported: true };
}

/**
 * The gate over the findings; with `config-change: fail`, a change to the scan's own settings fails the
 * run as policy even when no secret is found. It is not a secret, so it is not a finding (not in the
 * counts or the SARIF): it is a policy error, said in words in the failure line and the summary.
 */
function decide(s: Settings, findings: Finding[], toolErrors: string[], changes: SettingsChange[]): GateResult {
  const policyErrors = s['config-change'] === 'fail' ? changes.map(settingsChangeLine) : [];
  return gate({ findings, failOn: s['fail-on'], baseline: s['baseline-path']?.ids, toolErrors, policyErrors });
}
