// tf-lock-check: Terraform/OpenTofu state locking, statically (lint) and live (status, wait, recover).
// Reads like its table of contents: inputs → repository → rules → reports → pass or fail; the live
// commands are in live.ts.
import { core, escapeMarkdown, exec, failUnlessClean, gate, publish, workspace } from '@platform-actions/kit';
import { initHcl } from './hcl.js';
import { initShell } from './shell.js';
import { runLive } from './live.js';
import { isRoot, scanRepo } from './repo.js';
import { lint } from './rules.js';
import { readLintSettings, readSettings } from './settings.js';
import { parseVersion, type Version } from './versions.js';
import { ACTION } from './action.js';

export async function main(): Promise<void> {
  // Inputs, all validated before any work.
  const { command, dir } = readSettings();
  // Say what is starting before the parser's WebAssembly is compiled, so the log shows progress at once.
  core.info(`${ACTION}: ${command} in ${dir || '.'}`);
  if (command === 'lint') return runLint(dir);
  return runLive(command, dir);
}

async function runLint(dir: string): Promise<void> {
  // 1. Inputs.
  const { failOn, flavor, versionText, comment, sarifFile, terraformVersion: given } = readLintSettings();
  await Promise.all([initHcl(), initShell()]);
  const terraformVersion = versionText ? given : flavor !== 'tofu' ? await binaryVersion() : undefined;

  // 2. The repository: roots, backends merged with their partial configuration, commands in CI.
  const repo = await core.group(`${ACTION}: reading the repository`, async () => scanRepo(workspace(), { scope: dir || undefined }));
  const roots = [...repo.modules.values()].filter(isRoot);
  const cloud = roots.filter((m) => m.cloud).length;
  core.info(
    `Checked ${roots.length} root module(s)${cloud ? ` (${cloud} on HCP Terraform / remote, which lock and queue runs themselves)` : ''}, ${repo.envs.length} backend environment(s) and ${repo.commands.length} terraform/tofu command(s) in workflows, scripts and Makefiles.`,
  );
  for (const n of repo.notices) core.notice(n);

  // 3. Rules, gate and reports.
  const findings = lint(repo, { flavor, terraformVersion });
  const g = gate({ findings, failOn });
  await publish({
    action: ACTION,
    title: 'Terraform state locking',
    gate: g,
    sarif: { path: sarifFile, runs: [{ tool: { name: ACTION }, category: ACTION, findings: g.active }] },
    details: repo.notices.length ? repo.notices.map((n) => `- ${escapeMarkdown(n)}`).join('\n') : undefined,
    comment: comment.enabled ? { token: comment.token } : undefined,
  });

  // 4. Pass or fail.
  failUnlessClean(ACTION, g, failOn);
}

/** `terraform version -json` of the binary on PATH, if there is one (decides the 1.11 deprecation). */
async function binaryVersion(): Promise<Version | undefined> {
  try {
    const r = await exec('terraform', ['version', '-json'], { timeoutMs: 20_000, env: { CHECKPOINT_DISABLE: '1' } });
    if (r.exitCode !== 0) return undefined;
    const v = (JSON.parse(r.stdout) as { terraform_version?: string }).terraform_version;
    if (v) core.info(`terraform ${v} on PATH: using it for version-dependent rules`);
    return v ? parseVersion(v) : undefined;
  } catch {
    return undefined;
  }
}
