// tf-lock-check: Terraform/OpenTofu state locking, statically (lint) and live (status, wait, recover).
import { core, exec, failUnlessClean, gate, inputs, InputError, parseFailOn, publish, reportPath, runAction, UserError, workspace, writeSummary } from '@platform-actions/kit';
import { relative } from 'node:path';
import { credentialsFromEnv } from './aws.js';
import { type HclValue, initHcl, parseHclFile } from './hcl.js';
import { backoff, describeLock, formatAge, type HeldLock, isStale, lockTargets, readLocks, releaseStale } from './lock.js';
import { type PgLockHolder, pgConnection, readPgLocks } from './pg.js';
import { partial, scanRepo } from './repo.js';
import { lint } from './rules.js';
import { parseVersion, type Version } from './versions.js';

const NAME = 'tf-lock-check';
const COMMANDS = ['lint', 'status', 'wait', 'recover'] as const;

async function main(): Promise<void> {
  // Inputs, all validated before any work.
  const command = inputs.oneOf('command', COMMANDS, { default: 'lint' });
  const dirAbs = inputs.path('working-directory', { default: '.', mustExist: 'dir' }) as string;
  const dir = relative(workspace(), dirAbs).split('\\').join('/');
  // Say what is starting before the parser's WebAssembly is compiled, so the log shows progress at once.
  core.info(`${NAME}: ${command} in ${dir || '.'}`);
  await initHcl();
  if (command === 'lint') return runLint(dir);
  return runLive(command, dir);
}

async function runLint(dir: string): Promise<void> {
  const failOn = parseFailOn('fail-on', inputs.string('fail-on', { default: 'high' })!);
  const flavor = inputs.oneOf('flavor', ['auto', 'terraform', 'tofu'] as const, { default: 'auto' });
  const versionText = inputs.string('terraform-version');
  const wantComment = inputs.boolean('comment', { default: false });
  const token = inputs.secret('token');
  let terraformVersion: Version | undefined;
  if (versionText) {
    terraformVersion = parseVersion(versionText);
    if (!terraformVersion) throw new InputError('terraform-version', 'must be a version such as 1.11.4', versionText);
  } else if (flavor !== 'tofu') terraformVersion = await binaryVersion();

  const repo = scanRepo(workspace(), { scope: dir || undefined });
  const findings = lint(repo, { flavor, terraformVersion });
  core.info(`Checked ${[...repo.modules.values()].filter((m) => m.backend).length} root module(s), ${repo.envs.length} backend environment(s) and ${repo.commands.length} terraform/tofu command(s) in workflows and scripts.`);
  const g = gate({ findings, failOn });
  await publish({
    action: NAME,
    title: 'Terraform state locking',
    gate: g,
    sarif: { path: inputs.string('sarif-file') || reportPath('tf-lock-check.sarif'), runs: [{ tool: { name: NAME }, category: NAME, findings: g.active }] },
    comment: wantComment ? { token } : undefined,
  });
  failUnlessClean(NAME, g, failOn);
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

async function runLive(command: 'status' | 'wait' | 'recover', dir: string): Promise<void> {
  const ws = inputs.string('workspace', { default: process.env.TF_WORKSPACE || 'default' })!;
  const failIfLocked = inputs.boolean('fail-if-locked', { default: false });
  const timeoutMs = inputs.duration('timeout', { default: '10m', minMs: 0, maxMs: 6 * 3_600_000 });
  const staleAfterMs = inputs.duration('stale-after', { default: '2h', minMs: 1000 });
  const force = inputs.boolean('force-unlock-stale', { default: false });
  const extra = inputs.list('backend-config', { separators: 'newline' });

  const repo = scanRepo(workspace(), { scope: dir || undefined });
  const mod = repo.modules.get(dir);
  if (!mod?.backend) throw new InputError('working-directory', 'must be a root module with a backend block', dir || '.');
  if (mod.backend.type !== 's3' && mod.backend.type !== 'pg') throw new UserError(`live ${command} supports the s3 (lockfile, DynamoDB) and pg backends; ${dir || '.'} uses "${mod.backend.type}"`);
  const config = Object.fromEntries(Object.values(mod.backend.body.attributes).map((a) => [a.name, a.value]));
  for (const v of extra) {
    const p = partial(v, dir, new Map(), (rel) => {
      try {
        return parseHclFile(`${workspace()}/${rel}`, rel);
      } catch (e) {
        if (e instanceof UserError) throw e;
        return undefined;
      }
    });
    if (!p) throw new InputError('backend-config', 'must list .tfbackend files (relative to working-directory) or key=value lines', v);
    Object.assign(config, p.kv);
  }
  if (mod.backend.type === 'pg') return runPg(command, dir, ws, config, { failIfLocked, timeoutMs });
  const targets = lockTargets(config, ws);
  const creds = credentialsFromEnv();

  let locks = await readLocks(targets, creds);
  if (command === 'wait') locks = await waitForRelease(locks, () => readLocks(targets, creds), describeLock, timeoutMs, (held) => setLockOutputs(held, staleAfterMs));
  setLockOutputs(locks, staleAfterMs);

  const rows = locks.map((l) => `| ${l.store} | \`${l.info.ID}\` | ${l.info.Operation ?? ''} | ${l.info.Who ?? ''} | ${l.info.Version ?? ''} | ${l.info.Created ?? ''} | ${l.ageMs === undefined ? '' : formatAge(l.ageMs)} | ${isStale(l, staleAfterMs) ? 'yes' : 'no'} |`);
  let md = `## Terraform state lock: ${dir || '.'} (workspace ${ws})\n\n`;
  md += locks.length ? `| store | ID | operation | who | version | created | age | stale |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n` : 'Not locked.\n';

  let released = false;
  if (command === 'recover' && locks.length) {
    const stale = locks.every((l) => isStale(l, staleAfterMs));
    if (!stale) {
      core.info(`Lock is younger than stale-after (${formatAge(staleAfterMs)}): not touched. ${describeLock(locks[0])}`);
      md += `\nThe lock is younger than stale-after (${formatAge(staleAfterMs)}), so it was left alone.\n`;
    } else if (!force) {
      core.warning(`Stale lock: ${describeLock(locks[0])}. Set force-unlock-stale: true to release it by its ID.`);
      md += `\nThe lock is stale. Set \`force-unlock-stale: true\` to release it (by its exact ID).\n`;
    } else {
      const r = await releaseStale(targets, locks[0].info.ID, staleAfterMs, creds);
      if (r.refused.length) {
        const why = r.refused.map((x) => x.reason).join('; ');
        md += `\nNot released: ${why}.\n`;
        await writeSummary(md);
        throw new UserError(`stale lock ${locks[0].info.ID} was not released: on re-reading, ${why}`);
      }
      released = true;
      core.notice(`Released stale lock ${locks[0].info.ID} (${r.released.map((l) => l.where).join(', ')}), held by ${locks[0].info.Who ?? 'unknown'} since ${locks[0].info.Created ?? 'unknown'}.`);
      md += `\n**Released** stale lock \`${locks[0].info.ID}\` from ${r.released.map((l) => l.where).join(' and ')} at ${new Date().toISOString()} (re-read just before release; older than ${formatAge(staleAfterMs)}).\n`;
    }
  }
  core.setOutput('released', String(released));
  await writeSummary(md);
  if (locks.length && !released) core.info(`Locked by ${describeLock(locks[0])}`);
  else if (!locks.length) core.info('Not locked.');
  if (failIfLocked && locks.length && !released) throw new UserError(`state is locked by ${describeLock(locks[0])}`);
}

/** Polls with backoff until nothing is held; past `timeoutMs` fails naming the holder. */
async function waitForRelease<T>(held: T[], read: () => Promise<T[]>, describe: (l: T) => string, timeoutMs: number, onTimeout: (held: T[]) => void): Promise<T[]> {
  const started = Date.now();
  for (let attempt = 0; held.length > 0; attempt++) {
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) {
      onTimeout(held);
      throw new UserError(`state still locked after ${formatAge(timeoutMs)}: held by ${describe(held[0])}`);
    }
    const pause = Math.min(backoff(attempt), left);
    core.info(`Locked by ${describe(held[0])}; checking again in ${Math.round(pause / 1000)}s`);
    await new Promise((r) => setTimeout(r, pause));
    held = await read();
  }
  core.info(`Unlocked after ${formatAge(Date.now() - started)}.`);
  return held;
}

async function runPg(command: 'status' | 'wait' | 'recover', dir: string, ws: string, config: Record<string, HclValue>, opts: { failIfLocked: boolean; timeoutMs: number }): Promise<void> {
  const { conn, schema } = pgConnection(config);
  const describe = (h: PgLockHolder) => `session pid ${h.pid} (${h.user || 'unknown user'}@${h.client}${h.application ? `, ${h.application}` : ''}, session started ${h.sessionStart}, ${formatAge(h.ageMs)} ago)${h.creation ? ' creating a workspace' : ''}`;
  const setOutputs = (held: PgLockHolder[]) => {
    core.setOutput('locked', String(held.length > 0));
    core.setOutput('lock-id', ''); // pg stores no lock ID
    core.setOutput('lock-holder', held[0] ? `${held[0].user}@${held[0].client} pid ${held[0].pid}` : '');
    core.setOutput('lock-operation', '');
    core.setOutput('lock-age-seconds', held[0] ? String(Math.floor(held[0].ageMs / 1000)) : '');
    core.setOutput('stale', 'false');
    core.setOutput('released', 'false');
  };
  let held = await readPgLocks(conn, schema, ws);
  if (command === 'wait') held = await waitForRelease(held, () => readPgLocks(conn, schema, ws), describe, opts.timeoutMs, setOutputs);
  setOutputs(held);
  let md = `## Terraform state lock: ${dir || '.'} (pg, workspace ${ws})\n\n`;
  md += held.length ? `| pid | user | client | application | session started | age |\n| --- | --- | --- | --- | --- | --- |\n${held.map((h) => `| ${h.pid} | ${h.user} | ${h.client} | ${h.application} | ${h.sessionStart} | ${formatAge(h.ageMs)} |`).join('\n')}\n` : 'Not locked.\n';
  if (command === 'recover') md += '\nA pg lock is a session advisory lock: it ends with the session that holds it, so it is never stale and never force-released.\n';
  await writeSummary(md);
  core.info(held.length ? `Locked by ${describe(held[0])}` : 'Not locked.');
  if (opts.failIfLocked && held.length) throw new UserError(`state is locked by ${describe(held[0])}`);
}

function setLockOutputs(locks: HeldLock[], staleAfterMs: number): void {
  const l = locks[0];
  core.setOutput('locked', String(locks.length > 0));
  core.setOutput('lock-id', l?.info.ID ?? '');
  core.setOutput('lock-holder', l?.info.Who ?? '');
  core.setOutput('lock-operation', l?.info.Operation ?? '');
  core.setOutput('lock-age-seconds', l?.ageMs === undefined ? '' : String(Math.floor(l.ageMs / 1000)));
  core.setOutput('stale', String(locks.length > 0 && locks.every((x) => isStale(x, staleAfterMs))));
}

await runAction({ name: NAME, main });
