// gitleaks-scan: secret scanning over exactly the commits the event brought. Reads like its table of
// contents: inputs → what to scan → gitleaks → findings → gate → reports → pass or fail.
import { core, currentEvent, type EventContext, failUnlessClean, type Finding, gate, publish, runAction, ToolError } from '@platform-actions/kit';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { chooseConfig, type ConfigChoice } from './config.js';
import { parseReport, toFinding } from './findings.js';
import { Git } from './git.js';
import { runGitleaks } from './gitleaks.js';
import { installGitleaks } from './install.js';
import { scopeLine, scopeMarkdown, type ScopeFacts } from './report.js';
import { resolveScope } from './resolve.js';
import { logOpts } from './scope.js';
import { readSettings, type Settings } from './settings.js';

const ACTION = 'gitleaks-scan';

async function main(): Promise<void> {
  // 1. Inputs, all validated before any work; the repository and the config that applies.
  const s = readSettings();
  const event = currentEvent();
  const git = s.mode === 'dir' ? undefined : await Git.open(s.path);
  const root = git?.root ?? s.path;
  const config = chooseConfig({ input: s.config, env: process.env, root, exists: existsSync, resolvePath: (p) => (isAbsolute(p) ? p : resolve(root, p)) });
  core.info(`Config: ${config.label.replace(/`/g, '')}`);

  // 2–4. What to scan, gitleaks on it, findings from its redacted report. A tool error is kept, not
  // thrown, so it is reported everywhere (outputs, summary, comment) and nobody reads it as clean.
  const facts = initialFacts(s, event, root, config);
  const toolErrors: string[] = [];
  let findings: Finding[] = [];
  let reported = false;
  try {
    ({ findings, reported } = await scan(s, git, root, config, event, facts));
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    if (e.detail) {
      core.startGroup(`${ACTION}: tool output`);
      core.info(e.detail);
      core.endGroup();
    }
    toolErrors.push(e.message);
  }

  // 5. Gate: baseline, threshold, tool errors → one outcome.
  const g = gate({ findings, failOn: s.failOn, baseline: s.baseline?.ids, toolErrors });

  // 6. Reports. The kit's findings table would link each file at the head commit, where a secret from
  // history may be gone; our own table links it at the commit that added it, so the kit's stays unlinked.
  await publish({
    action: ACTION,
    title: 'Secret scan (gitleaks)',
    gate: g,
    sarif: { path: s.sarifFile, runs: [{ tool: { name: 'gitleaks', version: facts.tool?.version, informationUri: 'https://github.com/gitleaks/gitleaks' }, category: ACTION, findings: g.active }] },
    details: scopeMarkdown(facts, g.active),
    reports: reported ? { 'report-file': s.reportFile } : {},
    comment: s.comment ? { token: s.token } : undefined,
    event: { ...event, sha: '', pr: event.pr && { ...event.pr, headSha: '' } },
  });

  // 7. Pass or fail.
  failUnlessClean(ACTION, g, s.failOn);
}

function initialFacts(s: Settings, event: EventContext, root: string, config: ConfigChoice): ScopeFacts {
  const ignoreFile = join(root, '.gitleaksignore');
  return {
    scope: { kind: 'dir', label: 'working tree', reason: 'mode: dir' },
    commits: [],
    commitCount: 0,
    deepenedBy: 0,
    fetched: 0,
    config,
    ignoreEntries: existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).length : undefined,
    baseline: s.baseline ? { path: s.baseline.path, entries: s.baseline.ids.size } : undefined,
    repoUrl: event.repoUrl,
  };
}

/** Resolves the scope (fetching and deepening as needed), runs gitleaks on it and parses the report. */
async function scan(s: Settings, git: Git | undefined, root: string, config: ConfigChoice, event: EventContext, facts: ScopeFacts): Promise<{ findings: Finding[]; reported: boolean }> {
  if (git) {
    const firstStep = event.push?.commitCount ? event.push.commitCount + 1 : undefined;
    const r = await resolveScope(git, event, s.mode, { remote: 'origin', deepenLimit: s.deepenLimit, firstStep });
    Object.assign(facts, { scope: r.scope, commits: r.commits, commitCount: r.commitCount, deepenedBy: r.deepenedBy, fetched: r.fetched.length });
  }
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
    { subcommand: sc.kind === 'dir' ? 'dir' : 'git', source: root, logOpts: sc.kind === 'dir' ? undefined : logOpts(sc), config: config.path, reportPath: s.reportFile },
    config,
    s.timeoutMs,
  );
  facts.scanned = run.log.scanned;
  // Parsed from the report, never inferred from the exit code.
  const leaks = parseReport(run.report);
  if (!leaks) throw new ToolError('gitleaks wrote a report that is not a JSON array of findings');
  return { findings: leaks.map(toFinding), reported: true };
}

await runAction({ name: ACTION, main });
