// tf-lock-check end to end: the bundled action under Node 24 through the local runner, reading real
// locks that real terraform and tofu hold in the harness's S3 (moto, conditional PUT) and DynamoDB.
// A holder `apply` parks in a local-exec provisioner until the test drops a `release` file.
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../test/harness/net.js';
import { startPostgres, type Postgres } from '../../../test/harness/services/postgres.js';
import { startLockStores, type LockStores } from '../../../test/harness/services/lockstores.js';
import { HOLDER, holdLock, s3Backend, tfFlavors, tfRoot, type TfFlavor, type TfRoot } from '../../../test/harness/terraform.js';
import { sarifSchemaErrors } from '../../../test/helpers/sarif-schema.js';
import { runBundledAction } from '../../../test/runner/runner.js';
import { lockTargets, readLocks, releaseStale } from '../src/lock.js';
import { repoWith } from './helpers.js';
import { receivedLocation, startTap, type Tap } from './storetap.js';

jest.setTimeout(300_000);

const BUCKET = 'tfstate';
const TABLE = 'tflock';
const NO_COLOR = ['-no-color', '-input=false'];

let stores: LockStores;
let pg: Postgres;
const roots: TfRoot[] = [];

const backend = (key: string, locking: string, s3Endpoint = stores.s3Endpoint) => s3Backend(stores, { bucket: BUCKET, key, locking, encrypt: true, s3Endpoint });

function newRoot(flavor: TfFlavor, main: string): TfRoot {
  const r = tfRoot(flavor, { 'main.tf': main }, stores.env);
  roots.push(r);
  return r;
}

const live = (root: TfRoot, inputs: Record<string, string>, env: Record<string, string> = stores.env) =>
  runBundledAction({ action: 'tf-lock-check', workspace: root.dir, inputs: { 'working-directory': '.', ...inputs }, env });

const failure = (r: Awaited<ReturnType<typeof runBundledAction>>) => r.main.annotations.filter((a) => a.level === 'error').map((a) => a.message);

beforeAll(async () => {
  // Build this action's bundle first, so an edit is never tested against a stale one. Other suites
  // rebuild the same bundle (dist/ is shared), so one collision is retried once.
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--only', 'tf-lock-check'], { stdio: 'pipe', timeout: 300_000 });
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
  expect(existsSync('dist/tf-lock-check/index.js')).toBe(true);
  expect(existsSync('dist/tf-lock-check/tree-sitter-hcl.wasm')).toBe(true); // the build-assets step
  [stores, pg] = await Promise.all([startLockStores(), startPostgres()]);
  await stores.createBucket(BUCKET);
  await stores.createLockTable(TABLE);
});
afterAll(async () => {
  for (const r of roots) r.cleanup();
  await Promise.all([stores?.stop(), pg?.stop()]);
});

describe.each(tfFlavors)('%s', (flavor) => {
  test('double locking (lockfile + DynamoDB): status, wait, fresh lock kept, stale lock after SIGKILL released, then plan works', async () => {
    const key = `e2e/${flavor}/double/terraform.tfstate`;
    const root = newRoot(flavor, backend(key, `use_lockfile = true\n    dynamodb_table = "${TABLE}"`));
    await root.ok(['init', ...NO_COLOR]);

    const unlocked = await live(root, { command: 'status' });
    expect(unlocked.main.exitCode).toBe(0);
    expect(unlocked.outputs).toMatchObject({ locked: 'false', 'lock-id': '' });

    // A running apply holds both locks with one ID: status reports the holder from both stores.
    const held = await holdLock(root);
    const lock = JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!);
    const item = await stores.getLockItem(TABLE, `${BUCKET}/${key}`);
    expect(JSON.parse(item!.Info).ID).toBe(lock.ID);
    const status = await live(root, { command: 'status', 'fail-if-locked': 'true' });
    expect(status.main.exitCode).toBe(1);
    expect(status.outputs.outcome).toBe('policy-failure'); // the caller's policy, not a bad input
    expect(status.outputs).toMatchObject({ locked: 'true', 'lock-id': lock.ID, 'lock-holder': lock.Who, 'lock-operation': 'OperationTypeApply', stale: 'false' });
    expect(Number(status.outputs['lock-age-seconds'])).toBeLessThan(120);
    expect(failure(status)).toEqual([
      expect.stringMatching(
        new RegExp(`^tf-lock-check: state is locked by ${lock.Who.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(OperationTypeApply, v${lock.Version}, ID ${lock.ID}, created`),
      ),
    ]);
    expect(status.summary).toContain('| s3 |');
    expect(status.summary).toContain('| dynamodb |');

    // wait: times out naming the holder; returns once the apply finishes.
    const short = await live(root, { command: 'wait', timeout: '2s' });
    expect(short.main.exitCode).toBe(1);
    expect(short.outputs.outcome).toBe('policy-failure');
    expect(failure(short)[0]).toMatch(/^tf-lock-check: state still locked after 2s: held by .*OperationTypeApply/);
    // recover never releases a fresh lock, even with force.
    const fresh = await live(root, { command: 'recover', 'stale-after': '1h', 'force-unlock-stale': 'true' });
    expect(fresh.main.exitCode).toBe(0);
    expect(fresh.outputs).toMatchObject({ locked: 'true', stale: 'false', released: 'false' });
    expect(JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!).ID).toBe(lock.ID);

    const waiting = live(root, { command: 'wait', timeout: '90s' });
    await new Promise((r) => setTimeout(r, 3000));
    held.release();
    expect((await held.run.done).code).toBe(0);
    const waited = await waiting;
    expect(waited.main.exitCode).toBe(0);
    expect(waited.outputs.locked).toBe('false');
    expect(waited.main.log).toMatch(/Unlocked after/);

    // SIGKILL leaves both locks behind; recover without opt-in only reports; with opt-in releases by ID.
    const victim = await holdLock(root);
    victim.run.killTree('SIGKILL');
    await victim.run.done;
    const stale = JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!);
    expect((await root.run(['plan', '-lock-timeout=0s', ...NO_COLOR])).code).not.toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    const report = await live(root, { command: 'recover', 'stale-after': '2s' });
    expect(report.outputs).toMatchObject({ locked: 'true', stale: 'true', released: 'false', 'lock-id': stale.ID });
    expect(report.main.annotations.some((a) => a.level === 'warning' && /force-unlock-stale: true/.test(a.message))).toBe(true);
    // A stale-after below the 5m floor needs the explicit override to release.
    const floor = await live(root, { command: 'recover', 'stale-after': '2s', 'force-unlock-stale': 'true' });
    expect(failure(floor)).toEqual([
      'tf-lock-check: input "stale-after" must be at least 5m when force-unlock-stale is true (set allow-short-stale-after: true to go lower); got "2s"',
    ]);
    expect(floor.outputs.outcome).toBe('config-error');
    expect(JSON.parse((await stores.getObject(BUCKET, `${key}.tflock`))!).ID).toBe(stale.ID);
    const recovered = await live(root, { command: 'recover', 'stale-after': '2s', 'force-unlock-stale': 'true', 'allow-short-stale-after': 'true' });
    expect(recovered.main.exitCode).toBe(0);
    expect(recovered.outputs).toMatchObject({ released: 'true', 'lock-id': stale.ID });
    expect(recovered.summary).toContain(`**Released** stale lock \`${stale.ID}\``);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull();
    expect(await stores.getLockItem(TABLE, `${BUCKET}/${key}`)).toBeNull();
    writeFileSync(join(root.dir, 'release'), '');
    await root.ok(['plan', '-lock-timeout=0s', ...NO_COLOR]);
  });
});

test('DynamoDB-only lock held by terraform is read from the item', async () => {
  const key = 'e2e/dynamodb-only/terraform.tfstate';
  const root = newRoot('terraform', backend(key, `dynamodb_table = "${TABLE}"`));
  await root.ok(['init', ...NO_COLOR]);
  const held = await holdLock(root);
  const item = JSON.parse((await stores.getLockItem(TABLE, `${BUCKET}/${key}`))!.Info);
  const r = await live(root, { command: 'status' });
  held.release();
  await held.run.done;
  expect(r.outputs).toMatchObject({ locked: 'true', 'lock-id': item.ID, 'lock-operation': 'OperationTypeApply' });
  expect(r.summary).not.toContain('| s3 |');
});

test('lint on the example repository: every problem at its file and line, SARIF valid', async () => {
  const r = await runBundledAction({ action: 'tf-lock-check', workspace: resolve('examples/sentiment-terraform'), inputs: { command: 'lint', 'terraform-version': '1.11.4' } });
  expect(r.main.exitCode).toBe(1);
  expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '8', 'critical-count': '2', 'high-count': '3' });
  const got = r.main.annotations.filter((a) => a.file).map((a) => `${a.title?.split(':')[0]} ${a.file}:${a.line}`);
  expect(got).toEqual([
    'CRITICAL TFLOCK004 infra/envs/production.tfbackend:2',
    'CRITICAL TFLOCK004 infra/envs/staging.tfbackend:1',
    'HIGH TFLOCK010 .github/workflows/deploy.yml:5',
    'HIGH TFLOCK009 .github/workflows/deploy.yml:7',
    // The nightly job applies through scripts/network.sh, with no concurrency group.
    'HIGH TFLOCK008 .github/workflows/nightly.yml:9',
    'MEDIUM TFLOCK007 .github/workflows/deploy.yml:29',
    'MEDIUM TFLOCK003 network/main.tf:2',
    'LOW TFLOCK002 infra/main.tf:9',
  ]);
  // `plan -lock=false` (deploy.yml:14) only reads the state: not a finding since issue 24.
  expect(failure(r).at(-1)).toBe('tf-lock-check: 5 findings at or above "high" (see the annotations and the job summary)');
  expect(sarifSchemaErrors(JSON.parse(readFileSync(r.outputs['sarif-file'], 'utf8')))).toEqual([]);
  expect(r.summary).toContain('TFLOCK004');
});

test('pg backend: the session holding the advisory lock is reported; wait returns when it ends', async () => {
  const url = `${await pg.createDatabase('tflc_e2e')}?sslmode=disable`;
  const root = tfRoot('terraform', { 'main.tf': `terraform {\n  backend "pg" {}\n}\n${HOLDER}` }, { PG_CONN_STR: url });
  roots.push(root);
  await root.ok(['init', ...NO_COLOR]);
  const env = { PG_CONN_STR: url, PATH: process.env.PATH ?? '' };
  const before = await live(root, { command: 'status' }, env);
  expect(before.outputs).toMatchObject({ locked: 'false' });
  const held = await holdLock(root);
  const status = await live(root, { command: 'status', 'fail-if-locked': 'true' }, env);
  expect(status.main.exitCode).toBe(1);
  expect(status.outputs.locked).toBe('true');
  expect(status.outputs['lock-holder']).toMatch(/^postgres@127\.0\.0\.1 pid \d+$/);
  expect(failure(status)[0]).toMatch(/^tf-lock-check: state is locked by session pid \d+ \(postgres@127\.0\.0\.1/);
  expect(status.main.log).not.toContain(url);
  const waiting = live(root, { command: 'wait', timeout: '90s' }, env);
  await new Promise((r) => setTimeout(r, 2000));
  held.release();
  await held.run.done;
  const waited = await waiting;
  expect(waited.main.exitCode).toBe(0);
  expect(waited.outputs.locked).toBe('false');
  // Now the workspace row exists: the lock is on its id, not the creation lock.
  const again = await holdLock(root);
  const second = await live(root, { command: 'status' }, env);
  again.release();
  await again.run.done;
  expect(second.outputs.locked).toBe('true');
  expect(second.main.log).not.toContain('creating a workspace');
});

test('backend-config files and workspaces select the lock that is read', async () => {
  const root = newRoot('terraform', backend('e2e/base.tfstate', 'use_lockfile = true'));
  writeFileSync(join(root.dir, 'prod.tfbackend'), 'key = "e2e/prod.tfstate"\n');
  const id = '11111111-2222-4333-8444-555555555555';
  const info = {
    ID: id,
    Operation: 'OperationTypeApply',
    Info: '',
    Who: 'ci@runner-1',
    Version: '1.11.4',
    Created: new Date(Date.now() - 3_600_000).toISOString(),
    Path: `${BUCKET}/e2e/prod.tfstate`,
  };
  expect(await stores.putIfAbsent(BUCKET, 'e2e/prod.tfstate.tflock', JSON.stringify(info))).toBe(200);
  const r = await live(root, { command: 'status', 'backend-config': 'prod.tfbackend', 'stale-after': '30m' });
  expect(r.outputs).toMatchObject({ locked: 'true', 'lock-id': id, 'lock-holder': 'ci@runner-1', stale: 'true' });
  expect(Number(r.outputs['lock-age-seconds'])).toBeGreaterThanOrEqual(3600);
  expect((await live(root, { command: 'status' })).outputs.locked).toBe('false');
  expect((await live(root, { command: 'status', 'backend-config': 'key=e2e/prod.tfstate', workspace: 'blue' })).outputs.locked).toBe('false');

  // The release re-reads: a lock whose ID is not the one judged stale, or that is younger, stays.
  const targets = lockTargets(
    { bucket: BUCKET, key: 'e2e/prod.tfstate', region: stores.region, use_lockfile: true, use_path_style: true, endpoints: { s3: stores.s3Endpoint } },
    'default',
  );
  const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
  expect((await releaseStale(targets, 'another-id', 60_000, creds)).failure?.message).toBe(
    `stale lock another-id was not released: on re-reading, s3://${BUCKET}/e2e/prod.tfstate.tflock now holds ID ${id}, not another-id; nothing was released`,
  );
  expect((await releaseStale(targets, id, 2 * 3_600_000, creds)).failure?.message).toMatch(/ is younger than stale-after \(60m\d*s?\); nothing was released$/);
  expect(await readLocks(targets, creds)).toHaveLength(1);
  expect((await releaseStale(targets, id, 60_000, creds)).released).toHaveLength(1);
  expect(await stores.getObject(BUCKET, 'e2e/prod.tfstate.tflock')).toBeNull();
});

test('S3 and DynamoDB locks that disagree: named in the summary, and neither is released', async () => {
  const key = 'e2e/disagree/terraform.tfstate';
  const root = newRoot('terraform', backend(key, `use_lockfile = true\n    dynamodb_table = "${TABLE}"`));
  const old = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const info = (ID: string) => JSON.stringify({ ID, Operation: 'OperationTypeApply', Info: '', Who: 'ci@runner-7', Version: '1.11.4', Created: old, Path: `${BUCKET}/${key}` });
  expect(await stores.putIfAbsent(BUCKET, `${key}.tflock`, info('aaaaaaaa-0000-4000-8000-000000000001'))).toBe(200);
  await stores.putLockItem(TABLE, `${BUCKET}/${key}`, info('bbbbbbbb-0000-4000-8000-000000000002'));
  const r = await live(root, { command: 'recover', 'stale-after': '1h', 'force-unlock-stale': 'true' });
  expect(r.summary).toContain('**The S3 and DynamoDB locks disagree:** S3 holds ID aaaaaaaa-0000-4000-8000-000000000001, DynamoDB holds ID bbbbbbbb-0000-4000-8000-000000000002');
  expect(r.main.annotations.some((a) => a.level === 'warning' && a.message.startsWith('The S3 and DynamoDB locks disagree'))).toBe(true);
  expect(r.outputs.released).not.toBe('true');
  expect(await stores.getObject(BUCKET, `${key}.tflock`)).not.toBeNull();
  expect(await stores.getLockItem(TABLE, `${BUCKET}/${key}`)).not.toBeNull();
});

test('a workspace name that would point at another state is refused before any read', async () => {
  const root = newRoot('terraform', backend('e2e/ws.tfstate', 'use_lockfile = true'));
  const r = await live(root, { command: 'recover', workspace: '../../other-bucket/x', 'force-unlock-stale': 'true' });
  expect(failure(r)).toEqual([expect.stringMatching(/^tf-lock-check: input "workspace" must be a terraform workspace name: .*; got "\.\.\/\.\.\/other-bucket\/x"$/)]);
  expect(r.outputs.outcome).toBe('config-error');
});

describe('the lock the action touches is the lock terraform uses, byte for byte', () => {
  const VICTIM = 'victim-bucket';
  const victimKey = 'prod/terraform.tfstate.tflock';
  const victimLock = JSON.stringify({
    ID: 'dddddddd-0000-4000-8000-000000000001',
    Operation: 'OperationTypeApply',
    Info: '',
    Who: 'ci@other-team',
    Version: '1.11.4',
    Created: '2020-01-01T00:00:00Z',
    Path: `${VICTIM}/prod/terraform.tfstate`,
  });
  let tap: Tap;
  // Every request goes through the tap, which records what the store received.
  const tapped = (key: string, extra = '') => `
terraform {
  backend "s3" {
    bucket         = "${BUCKET}"
    key            = "${key}"
    region         = "${stores.region}"
    use_lockfile   = true
    dynamodb_table = "${TABLE}"
    use_path_style = true
    endpoints      = { s3 = "${tap.endpoint}", dynamodb = "${tap.endpoint}" }
    ${extra}
  }
}
`;
  const FORCE = { command: 'recover', 'stale-after': '1m', 'force-unlock-stale': 'true', 'allow-short-stale-after': 'true' };
  const DOTS = 'must not have "." or ".." path segments (a URL parser removes them, so the request would touch another object than the one named)';
  const SLASH = 'must not start or end with "/" (terraform refuses it)';
  beforeAll(async () => {
    await stores.createBucket(VICTIM);
    expect(await stores.putIfAbsent(VICTIM, victimKey, victimLock)).toBe(200);
    tap = await startTap(stores.s3Endpoint);
  });
  afterAll(() => tap?.close());
  beforeEach(() => {
    tap.seen = [];
    tap.stripEtag = false;
    tap.before = undefined;
  });

  test.each<[string, Record<string, string>, Record<string, string>, string]>([
    [
      'key=../victim-bucket/… (another bucket, path-style)',
      { 'backend-config': 'key=../victim-bucket/prod/terraform.tfstate' },
      {},
      `backend setting "key" (from the backend-config input) ${DOTS}; got "../victim-bucket/prod/terraform.tfstate"`,
    ],
    [
      'workspace_key_prefix=../../x',
      { 'backend-config': 'workspace_key_prefix=../../x', workspace: 'blue' },
      {},
      `backend setting "workspace_key_prefix" (from the backend-config input) ${DOTS}; got "../../x"`,
    ],
    [
      'bucket=..',
      { 'backend-config': 'bucket=..' },
      {},
      'backend setting "bucket" (from the backend-config input) must be an S3 bucket name: 3 to 63 lowercase letters, digits, "." and "-", beginning and ending with a letter or digit, no "..", not an IP address; got ".."',
    ],
    [
      'a key with ./ segments',
      { 'backend-config': 'key=./prod/./terraform.tfstate' },
      {},
      `backend setting "key" (from the backend-config input) ${DOTS}; got "./prod/./terraform.tfstate"`,
    ],
    ['an absolute key', { 'backend-config': 'key=/etc/x.tfstate' }, {}, `backend setting "key" (from the backend-config input) ${SLASH}; got "/etc/x.tfstate"`],
    ['a key with a trailing /', { 'backend-config': 'key=prod/' }, {}, `backend setting "key" (from the backend-config input) ${SLASH}; got "prod/"`],
    [
      'a key with //',
      { 'backend-config': 'key=prod//terraform.tfstate' },
      {},
      'backend setting "key" (from the backend-config input) must not contain "//" (terraform refuses it); got "prod//terraform.tfstate"',
    ],
    [
      'the key from a .tfbackend file',
      { 'backend-config': 'hostile.tfbackend' },
      { 'hostile.tfbackend': 'key = "../victim-bucket/prod/terraform.tfstate"\n' },
      `backend setting "key" (from hostile.tfbackend:1) ${DOTS}; got "../victim-bucket/prod/terraform.tfstate"`,
    ],
    ['the key in the backend block', {}, { 'main.tf': '' }, `backend setting "key" (from main.tf:5) ${DOTS}; got "../victim-bucket/prod/terraform.tfstate"`],
  ])('%s: one config-error line naming the setting and its file, and no request at all', async (_name, inputs, files, line) => {
    const key = files['main.tf'] === undefined ? 'e2e/hostile/terraform.tfstate' : '../victim-bucket/prod/terraform.tfstate';
    const root = newRoot('terraform', tapped(key));
    for (const [f, text] of Object.entries(files)) if (f !== 'main.tf') writeFileSync(join(root.dir, f), text);
    const r = await live(root, { ...FORCE, ...inputs });
    expect(failure(r)).toEqual([`tf-lock-check: ${line}`]);
    expect(r.outputs.outcome).toBe('config-error');
    expect(tap.seen).toEqual([]);
    expect(await stores.getObject(VICTIM, victimKey)).toBe(victimLock);
  });

  test('the location in the log and the summary is the object the store received', async () => {
    const key = 'e2e/loc/env:/a b/ünï=x@y.tfstate';
    const root = newRoot('terraform', tapped(key));
    const id = 'eeeeeeee-0000-4000-8000-000000000001';
    const info = JSON.stringify({
      ID: id,
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'ci@runner-3',
      Version: '1.11.4',
      Created: '2020-01-01T00:00:00Z',
      Path: `${BUCKET}/${key}`,
    });
    expect(await stores.putIfAbsent(BUCKET, `${key}.tflock`, info)).toBe(200);
    await stores.putLockItem(TABLE, `${BUCKET}/${key}`, info);
    const r = await live(root, FORCE);
    expect(r.outputs).toMatchObject({ released: 'true', outcome: 'clean' });
    const where = `s3://${BUCKET}/${key}.tflock`;
    expect(r.main.annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toEqual([
      `Released stale lock ${id} (${where}, dynamodb://${TABLE}/${BUCKET}/${key}), held by ci@runner-3 since 2020-01-01T00:00:00Z.`,
    ]);
    expect(r.summary).toContain(`from ${where} and dynamodb://`);
    const s3 = tap.seen.filter((x) => !x.op);
    expect(s3.map((x) => `${x.method} ${receivedLocation(x, `127.0.0.1:${tap.port}`)}`)).toEqual([`GET ${where}`, `GET ${where}`, `DELETE ${where}`]);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull();
  });

  test('a double lock released only in part says exactly which store still holds the state', async () => {
    const key = 'e2e/partial/terraform.tfstate';
    const root = newRoot('terraform', tapped(key));
    const id = 'ffffffff-0000-4000-8000-000000000001';
    const info = JSON.stringify({
      ID: id,
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'ci@runner-4',
      Version: '1.11.4',
      Created: '2020-01-01T00:00:00Z',
      Path: `${BUCKET}/${key}`,
    });
    expect(await stores.putIfAbsent(BUCKET, `${key}.tflock`, info)).toBe(200);
    await stores.putLockItem(TABLE, `${BUCKET}/${key}`, info);
    const newer = info.replace(id, '12121212-0000-4000-8000-000000000001');
    // Another client writes its DynamoDB lock just before our conditional DeleteItem arrives.
    tap.before = async (x) => {
      if (x.op === 'DeleteItem') await stores.putLockItem(TABLE, `${BUCKET}/${key}`, newer);
    };
    const r = await live(root, FORCE);
    const line = `stale lock ${id} was released only in part: s3://${BUCKET}/${key}.tflock was released, but dynamodb://${TABLE}/${BUCKET}/${key} was not (it changed between the check and the release), so the state is still locked; run recover again or terraform force-unlock ${id}`;
    expect(failure(r)).toEqual([`tf-lock-check: ${line}`]);
    expect(r.outputs.outcome).toBe('policy-failure');
    expect(r.summary).toContain(`**Released only in part:** ${line}`);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBeNull();
    expect((await stores.getLockItem(TABLE, `${BUCKET}/${key}`))!.Info).toBe(newer);
  });

  test('an S3 store that sends no ETag gets no DELETE', async () => {
    const key = 'e2e/noetag/terraform.tfstate';
    const root = newRoot('terraform', tapped(key));
    const id = '34343434-0000-4000-8000-000000000001';
    const info = JSON.stringify({
      ID: id,
      Operation: 'OperationTypeApply',
      Info: '',
      Who: 'ci@runner-5',
      Version: '1.11.4',
      Created: '2020-01-01T00:00:00Z',
      Path: `${BUCKET}/${key}`,
    });
    expect(await stores.putIfAbsent(BUCKET, `${key}.tflock`, info)).toBe(200);
    tap.stripEtag = true;
    const r = await live(root, FORCE);
    expect(failure(r)).toEqual([
      `tf-lock-check: stale lock ${id} was not released: the S3 store sent no ETag for s3://${BUCKET}/${key}.tflock, so it cannot be deleted on the condition that it is still the lock judged stale (If-Match), and an unconditional DELETE could remove a newer lock; nothing was released`,
    ]);
    expect(r.outputs.outcome).toBe('tool-error');
    expect(tap.seen.filter((x) => x.method === 'DELETE' || x.op === 'DeleteItem')).toEqual([]);
    expect(await stores.getObject(BUCKET, `${key}.tflock`)).toBe(info);
  });
});

test('pg backend: a schema_name that does not exist is a config error, even while an apply holds the creation lock', async () => {
  const url = `${await pg.createDatabase('tflc_schema')}?sslmode=disable`;
  const root = tfRoot('terraform', { 'main.tf': `terraform {\n  backend "pg" {\n    schema_name = "tf_state"\n  }\n}\n${HOLDER}` }, { PG_CONN_STR: url });
  roots.push(root);
  await root.ok(['init', ...NO_COLOR]);
  const env = { PG_CONN_STR: url, PATH: process.env.PATH ?? '' };
  // The first apply in a new workspace holds the database-wide creation lock for its whole run.
  const held = await holdLock(root);
  try {
    const typo = await live(root, { command: 'status', 'backend-config': 'schema_name=tf_stat' }, env);
    expect(failure(typo)).toEqual([
      'tf-lock-check: backend setting "schema_name" (from the backend-config input) must name a schema that exists in the database (terraform init creates it); got "tf_stat"',
    ]);
    expect(typo.outputs.outcome).toBe('config-error');
    const fromEnv = await live(root, { command: 'status' }, { ...env, PG_SCHEMA_NAME: 'nope' });
    expect(failure(fromEnv)).toEqual([]); // the backend block's schema_name wins over PG_SCHEMA_NAME, as in terraform
    expect(fromEnv.outputs.locked).toBe('true');
    const right = await live(root, { command: 'status' }, env);
    expect(right.outputs.locked).toBe('true');
    expect(right.main.log).toContain('creating a workspace');
  } finally {
    held.release();
    await held.run.done;
  }
  const other = tfRoot('terraform', { 'main.tf': 'terraform {\n  backend "pg" {}\n}\n' }, { PG_CONN_STR: url });
  roots.push(other);
  const missing = await live(other, { command: 'status' }, { ...env, PG_SCHEMA_NAME: 'absent_schema' });
  expect(failure(missing)).toEqual([
    'tf-lock-check: backend setting "schema_name" (from PG_SCHEMA_NAME) must name a schema that exists in the database (terraform init creates it); got "absent_schema"',
  ]);
});

describe('lint on repositories shaped like real ones', () => {
  test('a module repository is clean with a notice; nothing blames working-directory', async () => {
    const ws = repoWith({ 'main.tf': 'variable "name" {}\n', 'examples/basic/main.tf': 'module "m" {\n  source = "../.."\n  name   = "x"\n}\n' });
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs: { command: 'lint' } });
    expect(r.main.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ outcome: 'clean', 'findings-count': '0' });
    expect(r.main.annotations.map((a) => `${a.level}: ${a.message}`)).toEqual([
      expect.stringMatching(/^notice: No root module with a backend or cloud block under the repository: 2 module folder\(s\)/),
    ]);
  });
  test('a symlink that leads outside the workspace is never read or printed; one inside makes a root', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'tflc-out-'));
    writeFileSync(join(outside, 'backend.tf'), 'terraform {\n  backend "s3" {\n    bucket = "SECRET-OUTSIDE-VALUE"\n  }\n}\n');
    const ws = repoWith({
      'common/backend.tf': 'terraform {\n  backend "s3" {\n    bucket = "b"\n    region = "eu-west-1"\n    encrypt = true\n  }\n}\n',
      'envs/prod/main.tf': 'locals {}\n',
      'envs/dev/main.tf': 'locals {}\n',
    });
    symlinkSync('../../common/backend.tf', join(ws, 'envs/prod/backend.tf'));
    symlinkSync('../../common/backend.tf', join(ws, 'envs/dev/backend.tf'));
    symlinkSync(join(outside, 'backend.tf'), join(ws, 'envs/prod/evil.tf'));
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs: { command: 'lint', 'fail-on': 'none' } });
    expect(r.main.exitCode).toBe(0);
    expect(
      r.main.annotations
        .filter((a) => a.file)
        .map((a) => `${a.title?.split(':')[0]} ${a.file}:${a.line}`)
        .sort(),
    ).toEqual(['INFO TFLOCK014 envs/dev/backend.tf:2', 'INFO TFLOCK014 envs/prod/backend.tf:2']); // the linked block leaves the key to init
    expect(r.main.log).toMatch(/Skipped 1 symbolic link\(s\) that point outside the workspace or nowhere \(envs\/prod\/evil\.tf\)/);
    expect(`${r.main.log}${r.summary}${readFileSync(r.outputs['sarif-file'], 'utf8')}`).not.toContain('SECRET-OUTSIDE-VALUE');
    expect(r.main.log).not.toContain(outside);
  });
  test('a working-directory symlink that leads outside the workspace is a config error', async () => {
    const ws = repoWith({ 'infra/main.tf': 'terraform {\n  backend "s3" {}\n}\n' });
    symlinkSync(mkdtempSync(join(tmpdir(), 'tflc-out-')), join(ws, 'elsewhere'));
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs: { command: 'lint', 'working-directory': 'elsewhere' } });
    expect(failure(r)).toEqual([expect.stringMatching(/^tf-lock-check: input "working-directory" must be a (path|folder) inside the workspace/)]);
    expect(r.outputs.outcome).toBe('config-error');
  });
});

describe('bad input is one line', () => {
  test('missing credentials are named, never printed', async () => {
    const root = newRoot('terraform', backend('e2e/x.tfstate', 'use_lockfile = true'));
    const r = await live(root, { command: 'status' }, { AWS_REGION: 'us-east-1' });
    expect(failure(r)).toEqual([
      'tf-lock-check: AWS credentials are missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for a role), e.g. with aws-actions/configure-aws-credentials before this step',
    ]);
  });
  test('the secret key is masked', async () => {
    const root = newRoot('terraform', backend('e2e/y.tfstate', 'use_lockfile = true'));
    const r = await live(root, { command: 'status' }, { ...stores.env, AWS_SECRET_ACCESS_KEY: 'sekrit-value-42' });
    expect(r.main.exitCode).toBe(0);
    expect(r.main.log).not.toContain('sekrit-value-42');
  });
  test('unreachable endpoint', async () => {
    const port = await freePort(); // nothing listens there
    const root = newRoot('terraform', backend('e2e/z.tfstate', 'use_lockfile = true', `http://127.0.0.1:${port}`));
    const r = await live(root, { command: 'status' });
    expect(failure(r)).toEqual([
      `tf-lock-check: cannot reach S3 endpoint http://127.0.0.1:${port} (ECONNREFUSED); check the backend's endpoints / AWS_ENDPOINT_URL_* and the network`,
    ]);
    expect(r.outputs.outcome).toBe('tool-error'); // the store is down (or unreachable): not the caller's input
  });
  test('HCL that does not parse is named with its line, and the rest is still checked (issue 24)', async () => {
    const ws = repoWith({
      'fixtures/bad/main.tf': 'terraform {\n  backend "s3" {\n    bucket = \n  }\n',
      'infra/main.tf': 'terraform {\n  backend "s3" {\n    bucket = "b"\n    key = "k"\n    encrypt = true\n  }\n}\n',
    });
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: ws, inputs: { command: 'lint' } });
    expect(r.outputs).toMatchObject({ outcome: 'policy-failure', 'findings-count': '1' });
    expect(r.main.annotations.map((a) => `${a.level}: ${a.file ?? ''} ${a.message}`)).toEqual([
      'notice:  Skipped 1 Terraform file(s) that do not parse and that no root uses nor CI applies (fixtures/bad/main.tf:1); terraform would reject them too.',
      expect.stringMatching(/^error: infra\/main\.tf s3 backend of infra has neither use_lockfile/),
      'error:  tf-lock-check: 1 finding at or above "high" (see the annotations and the job summary)',
    ]);
  });
  test('a working-directory without Terraform files', async () => {
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: repoWith({ 'docs/README.md': 'hi' }), inputs: { command: 'lint', 'working-directory': 'docs' } });
    expect(failure(r)).toEqual(['tf-lock-check: input "working-directory" must be a folder that holds Terraform files (.tf, .tf.json); got "docs"']);
  });
  test('unknown command', async () => {
    const r = await runBundledAction({ action: 'tf-lock-check', workspace: repoWith({}), inputs: { command: 'unlock' } });
    expect(failure(r)).toEqual(['tf-lock-check: input "command" must be one of lint, status, wait, recover; got "unlock"']);
  });
});
