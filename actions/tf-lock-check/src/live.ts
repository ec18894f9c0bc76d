// The live lock of one root: status (read it), wait (poll until released), recover (report a stale
// lock and, only when asked, release exactly that lock). s3 (lockfile and/or DynamoDB) and pg backends.
import { cell, core, inputs, InputError, PolicyError, UserError, workspace, writeSummary } from '@platform-actions/kit';
import { credentialsFromEnv } from './aws.js';
import { initHcl } from './hcl.js';
import { backoff, describeLock, formatAge, type HeldLock, isStale, lockTargets, readLocks, releaseStale } from './lock.js';
import { type PgLockHolder, pgConnection, readPgLocks } from './pg.js';
import { type Backend, type Module, scanRepo } from './repo.js';
import { workspaceName } from './settings.js';
import { backendSettings, type BackendSettings } from './backend.js';
import { ACTION } from './action.js';

/** Below this, force-unlock-stale needs allow-short-stale-after: true. */
const STALE_FLOOR_MS = 5 * 60_000;

/** Why the S3 and DynamoDB copies of one double lock do not match, or undefined when they do. */
export function disagreement(locks: HeldLock[]): string | undefined {
  const s3 = locks.find((l) => l.store === 's3');
  const ddb = locks.find((l) => l.store === 'dynamodb');
  if (!s3 || !ddb) return undefined;
  if (s3.info.ID !== ddb.info.ID) return `S3 holds ID ${s3.info.ID}, DynamoDB holds ID ${ddb.info.ID}`;
  if ((s3.info.Created ?? '') !== (ddb.info.Created ?? '')) return `same ID, but S3 says created ${s3.info.Created ?? 'unknown'} and DynamoDB ${ddb.info.Created ?? 'unknown'}`;
  return undefined;
}

export async function runLive(command: 'status' | 'wait' | 'recover', dir: string): Promise<void> {
  const ws = workspaceName();
  const opts = liveInputs();
  await initHcl();
  const repo = await core.group(`${ACTION}: reading ${dir || '.'}`, async () => scanRepo(workspace(), { scope: dir || undefined }));
  const backend = liveBackend(repo.modules.get(dir), dir, command);
  const settings = backendSettings(backend, opts.extra, dir);
  if (backend.type === 'pg') return runPg(command, dir, ws, settings, opts);
  const targets = lockTargets(settings.values, ws, process.env, settings.from);
  const creds = credentialsFromEnv();

  let locks = await core.group(`${ACTION}: reading the lock`, () => readLocks(targets, creds));
  if (command === 'wait')
    locks = await waitForRelease(
      locks,
      () => readLocks(targets, creds),
      describeLock,
      opts.timeoutMs,
      (held) => setLockOutputs(held, opts.staleAfterMs),
    );
  setLockOutputs(locks, opts.staleAfterMs);

  let md = lockTable(locks, dir, ws, opts.staleAfterMs);
  let released = false;
  if (command === 'recover' && locks.length) {
    const r = await recover(locks, targets, creds, opts, md);
    released = r.released;
    md = r.md;
  }
  core.setOutput('released', String(released));
  await writeSummary(md);
  if (locks.length && !released) core.info(`Locked by ${describeLock(locks[0])}`);
  else if (!locks.length) core.info('Not locked.');
  if (opts.failIfLocked && locks.length && !released) throw new PolicyError(`state is locked by ${describeLock(locks[0])}`);
}

interface LiveInputs {
  failIfLocked: boolean;
  timeoutMs: number;
  staleAfterMs: number;
  force: boolean;
  extra: string[];
}

/** The inputs of status, wait and recover, checked before any work. */
function liveInputs(): LiveInputs {
  const failIfLocked = inputs.boolean('fail-if-locked', { default: false });
  const timeoutMs = inputs.duration('timeout', { default: '10m', minMs: 0, maxMs: 6 * 3_600_000 });
  const staleAfterMs = inputs.duration('stale-after', { default: '2h', minMs: 1000 });
  const force = inputs.boolean('force-unlock-stale', { default: false });
  // A floor on stale-after when releasing: a typo like "5s" must not release a lock a running apply holds.
  if (force && staleAfterMs < STALE_FLOOR_MS && !inputs.boolean('allow-short-stale-after', { default: false })) {
    throw new InputError(
      'stale-after',
      `must be at least ${formatAge(STALE_FLOOR_MS)} when force-unlock-stale is true (set allow-short-stale-after: true to go lower)`,
      inputs.string('stale-after'),
    );
  }
  const extra = inputs.list('backend-config', { separators: 'newline' });
  return { failIfLocked, timeoutMs, staleAfterMs, force, extra };
}

/** The root's backend, when its lock is one we read (s3, pg); else one line saying why not. */
function liveBackend(mod: Module | undefined, dir: string, command: string): Backend {
  if (mod?.cloud)
    throw new UserError(
      `${dir || '.'} runs on HCP Terraform / a remote backend (${mod.cloud.file}:${mod.cloud.line}), which holds and shows its own workspace lock; live ${command} reads s3 and pg locks`,
    );
  if (!mod?.backend) throw new InputError('working-directory', 'must be a root module with a backend block', dir || '.');
  if (mod.backend.type !== 's3' && mod.backend.type !== 'pg')
    throw new UserError(`live ${command} supports the s3 (lockfile, DynamoDB) and pg backends; ${dir || '.'} uses "${mod.backend.type}"`);
  return mod.backend;
}

/** The summary's table of the held lock(s), and a warning when the S3 and DynamoDB copies disagree. */
function lockTable(locks: HeldLock[], dir: string, ws: string, staleAfterMs: number): string {
  const rows = locks.map(
    (l) =>
      `| ${l.store} | ${cell(l.info.ID)} | ${cell(l.info.Operation)} | ${cell(l.info.Who)} | ${cell(l.info.Version)} | ${cell(l.info.Created)} | ${l.ageMs === undefined ? '' : formatAge(l.ageMs)} | ${isStale(l, staleAfterMs) ? 'yes' : 'no'} |`,
  );
  let md = `## Terraform state lock: ${dir || '.'} (workspace ${ws})\n\n`;
  md += locks.length
    ? `| store | ID | operation | who | version | created | age | stale |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n`
    : 'Not locked.\n';
  const disagree = disagreement(locks);
  if (disagree) {
    core.warning(`The S3 and DynamoDB locks disagree: ${disagree}.`);
    md += `\n**The S3 and DynamoDB locks disagree:** ${cell(disagree)}. Only a lock whose ID is the same in both stores is released.\n`;
  }
  return md;
}

/** recover: a lock younger than stale-after is left alone; a stale one is reported, and released by its ID only with force-unlock-stale. */
async function recover(
  locks: HeldLock[],
  targets: ReturnType<typeof lockTargets>,
  creds: ReturnType<typeof credentialsFromEnv>,
  opts: LiveInputs,
  md: string,
): Promise<{ released: boolean; md: string }> {
  const { staleAfterMs } = opts;
  if (!locks.every((l) => isStale(l, staleAfterMs))) {
    core.info(`Lock is younger than stale-after (${formatAge(staleAfterMs)}): not touched. ${describeLock(locks[0])}`);
    return { released: false, md: md + `\nThe lock is younger than stale-after (${formatAge(staleAfterMs)}), so it was left alone.\n` };
  }
  if (!opts.force) {
    core.warning(`Stale lock: ${describeLock(locks[0])}. Set force-unlock-stale: true to release it by its ID.`);
    return { released: false, md: md + `\nThe lock is stale. Set \`force-unlock-stale: true\` to release it (by its exact ID).\n` };
  }
  const r = await releaseStale(targets, locks[0].info.ID, staleAfterMs, creds);
  if (r.failure) {
    await writeSummary(md + `\n**${r.released.length ? 'Released only in part' : 'Not released'}:** ${cell(r.failure.message)}.\n`);
    throw r.failure;
  }
  if (r.gone) {
    core.info(`Lock ${locks[0].info.ID} was gone when re-read just before the release: nothing to release.`);
    return { released: false, md: md + `\nThe lock was gone when re-read just before the release (its holder released it): nothing was released.\n` };
  }
  core.notice(
    `Released stale lock ${locks[0].info.ID} (${r.released.map((l) => l.where).join(', ')}), held by ${locks[0].info.Who ?? 'unknown'} since ${locks[0].info.Created ?? 'unknown'}.`,
  );
  return {
    released: true,
    md:
      md +
      `\n**Released** stale lock \`${locks[0].info.ID}\` from ${r.released.map((l) => l.where).join(' and ')} at ${new Date().toISOString()} (re-read just before release; older than ${formatAge(staleAfterMs)}).\n`,
  };
}

/** Polls with backoff until nothing is held; past `timeoutMs` fails naming the holder. */
async function waitForRelease<T>(held: T[], read: () => Promise<T[]>, describe: (l: T) => string, timeoutMs: number, onTimeout: (held: T[]) => void): Promise<T[]> {
  const started = Date.now();
  for (let attempt = 0; held.length > 0; attempt++) {
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) {
      onTimeout(held);
      throw new PolicyError(`state still locked after ${formatAge(timeoutMs)}: held by ${describe(held[0])}`);
    }
    const pause = Math.min(backoff(attempt), left);
    core.info(`Locked by ${describe(held[0])}; checking again in ${Math.round(pause / 1000)}s`);
    await new Promise((r) => setTimeout(r, pause));
    held = await read();
  }
  core.info(`Unlocked after ${formatAge(Date.now() - started)}.`);
  return held;
}

async function runPg(
  command: 'status' | 'wait' | 'recover',
  dir: string,
  ws: string,
  settings: BackendSettings,
  opts: { failIfLocked: boolean; timeoutMs: number },
): Promise<void> {
  const target = pgConnection(settings);
  const describe = (h: PgLockHolder) =>
    `session pid ${h.pid} (${h.user || 'unknown user'}@${h.client}${h.application ? `, ${h.application}` : ''}, session started ${h.sessionStart}, ${formatAge(h.ageMs)} ago)${h.creation ? ' creating a workspace' : ''}`;
  const setOutputs = (held: PgLockHolder[]) => {
    core.setOutput('locked', String(held.length > 0));
    core.setOutput('lock-id', ''); // pg stores no lock ID
    core.setOutput('lock-holder', held[0] ? `${held[0].user}@${held[0].client} pid ${held[0].pid}` : '');
    core.setOutput('lock-operation', '');
    core.setOutput('lock-age-seconds', held[0] ? String(Math.floor(held[0].ageMs / 1000)) : '');
    core.setOutput('stale', 'false');
    core.setOutput('released', 'false');
  };
  let held = await readPgLocks(target, ws);
  if (command === 'wait') held = await waitForRelease(held, () => readPgLocks(target, ws), describe, opts.timeoutMs, setOutputs);
  setOutputs(held);
  let md = `## Terraform state lock: ${dir || '.'} (pg, workspace ${ws})\n\n`;
  md += held.length
    ? `| pid | user | client | application | session started | age |\n| --- | --- | --- | --- | --- | --- |\n${held.map((h) => `| ${h.pid} | ${cell(h.user)} | ${cell(h.client)} | ${cell(h.application)} | ${cell(h.sessionStart)} | ${formatAge(h.ageMs)} |`).join('\n')}\n`
    : 'Not locked.\n';
  if (command === 'recover') md += '\nA pg lock is a session advisory lock: it ends with the session that holds it, so it is never stale and never force-released.\n';
  await writeSummary(md);
  core.info(held.length ? `Locked by ${describe(held[0])}` : 'Not locked.');
  if (opts.failIfLocked && held.length) throw new PolicyError(`state is locked by ${describe(held[0])}`);
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
