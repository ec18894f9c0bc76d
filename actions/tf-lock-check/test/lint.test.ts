// Every static rule with a positive and a negative fixture, on repositories the tests write.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { goDurationMs } from '../src/commands.js';
import { findTfCommands, initShell } from '../src/shell.js';
import { HclSyntaxError, initHcl, parseHcl } from '../src/hcl.js';
import { scanRepo } from '../src/repo.js';
import { lint, type LintOptions } from '../src/rules.js';
import { admitsAtLeast } from '../src/versions.js';
import { repoWith, s3Root } from './helpers.js';

beforeAll(() => Promise.all([initHcl(), initShell()]));

const run = (files: Record<string, string>, opts: LintOptions = { flavor: 'auto' }) => lint(scanRepo(repoWith(files)), opts);
const ids = (files: Record<string, string>, opts?: LintOptions) =>
  run(files, opts)
    .map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine}`)
    .sort();

const goodWorkflow = `name: apply
on: push
concurrency:
  group: terraform-prod
  cancel-in-progress: false
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - run: terraform -chdir=infra apply -auto-approve -lock-timeout=300s
`;

describe('HCL', () => {
  test('attributes, blocks, objects and escapes become values with lines', () => {
    const b = parseHcl(
      'main.tf',
      'terraform {\n  backend "s3" {\n    key = "a\\"b"\n    endpoints = { s3 = "http://x", "dynamodb" = "http://y" }\n    n = 3\n    k = var.x\n  }\n}\n',
    );
    const be = b.blocks[0].body.blocks[0];
    expect(be.labels).toEqual(['s3']);
    expect(be.line).toBe(2);
    expect(be.body.attributes.key).toMatchObject({ value: 'a"b', line: 3 });
    expect(be.body.attributes.endpoints.value).toEqual({ s3: 'http://x', dynamodb: 'http://y' });
    expect(be.body.attributes.n.value).toBe(3);
    expect(be.body.attributes.k.value).toMatchObject({ source: 'var.x' });
  });
  test('a syntax error names file and line', () => {
    expect(() => parseHcl('envs/x.tf', 'terraform {\n  backend "s3" {\n    bucket = \n  }\n')).toThrow(HclSyntaxError);
    expect(() => parseHcl('envs/x.tf', 'terraform {\n  backend "s3" {\n    bucket = \n  }\n')).toThrow(/^envs\/x\.tf:\d+:\d+: HCL does not parse/);
  });
});

describe('parser limits are configuration errors naming the file', () => {
  test('a .tf file over 8 MB', () => {
    const big = 'locals {\n  a = "x"\n}\n'.repeat(500_000);
    expect(() => parseHcl('huge/main.tf', big)).toThrow(/^huge\/main\.tf: 10\.0 MB of HCL, more than the 8 MB tf-lock-check reads from one file/);
  });
  test('nesting deeper than 400 levels, and 100 levels still read', () => {
    expect(() => parseHcl('deep/main.tf', `locals {\n  x = ${'['.repeat(10_000)}1${']'.repeat(10_000)}\n}\n`)).toThrow(/^deep\/main\.tf:2: nested more than 400 levels deep/);
    expect(parseHcl('ok/main.tf', `locals {\n  x = ${'['.repeat(100)}1${']'.repeat(100)}\n}\n`).blocks[0].type).toBe('locals');
  });
});

describe('rules', () => {
  test('clean repository: no findings', () => {
    expect(ids({ 'infra/main.tf': s3Root('infra.tfstate'), '.github/workflows/apply.yml': goodWorkflow })).toEqual([]);
  });
  test('TFLOCK001 s3 without locking, also when only the .tfbackend could have added it', () => {
    expect(ids({ 'infra/main.tf': s3Root('a', 'encrypt = true') })).toEqual(['TFLOCK001 infra/main.tf:3']);
    expect(ids({ 'infra/main.tf': s3Root('a', 'encrypt = true'), 'infra/prod.tfbackend': 'use_lockfile = true\n' })).toEqual([]);
  });
  test('TFLOCK002 DynamoDB-only is deprecated on terraform ≥ 1.11, not on tofu nor < 1.11', () => {
    const dyn = 'dynamodb_table = "locks"\n    encrypt = true';
    expect(ids({ 'a/main.tf': s3Root('a', dyn, 'required_version = ">= 1.11"') })).toEqual(['TFLOCK002 a/main.tf:7']);
    expect(ids({ 'a/main.tf': s3Root('a', dyn, 'required_version = "~> 1.9.0"') })).toEqual([]);
    expect(ids({ 'a/main.tf': s3Root('a', dyn) }, { flavor: 'tofu' })).toEqual([]);
    expect(ids({ 'a/main.tf': s3Root('a', dyn) }, { flavor: 'terraform', terraformVersion: [1, 10, 5] })).toEqual([]);
    expect(ids({ 'a/main.tf': s3Root('a', `${dyn}\n    use_lockfile = true`) }, { flavor: 'terraform', terraformVersion: [1, 11, 4] })).toEqual([]);
    // auto: a root that CI runs with tofu is an OpenTofu root.
    const tofuWf = goodWorkflow.replace('terraform -chdir=infra', 'tofu -chdir=a');
    expect(ids({ 'a/main.tf': s3Root('a', dyn), '.github/workflows/apply.yml': tofuWf })).toEqual([]);
  });
  test('TFLOCK003 encrypt not true', () => {
    expect(ids({ 'a/main.tf': s3Root('a', 'use_lockfile = true') })).toEqual(['TFLOCK003 a/main.tf:3']);
    expect(ids({ 'a/main.tf': s3Root('a', 'use_lockfile = true\n    encrypt = false') })).toEqual(['TFLOCK003 a/main.tf:8']);
  });
  test('TFLOCK004 two environments share a key through .tfbackend files; distinct keys do not', () => {
    const base = s3Root('placeholder').replace('    key    = "placeholder"\n', '');
    const shared = ids({ 'app/main.tf': base, 'app/envs/dev.tfbackend': 'key = "app/terraform.tfstate"\n', 'app/envs/prod.tfbackend': '# prod\nkey = "app/terraform.tfstate"\n' });
    expect(shared).toEqual(['TFLOCK004 app/envs/dev.tfbackend:1', 'TFLOCK004 app/envs/prod.tfbackend:2']);
    expect(ids({ 'app/main.tf': base, 'app/envs/dev.tfbackend': 'key = "app/dev.tfstate"\n', 'app/envs/prod.tfbackend': 'key = "app/prod.tfstate"\n' })).toEqual([]);
    const f = run({ 'a/main.tf': s3Root('same'), 'b/main.tf': s3Root('same') });
    expect(f.map((x) => x.message)).toContain('a (backend block) writes s3://tfstate/same, the same state as b (backend block).');
  });
  test('TFLOCK004 with -backend-config files named by a workflow, relative to the working directory', () => {
    const base = s3Root('x').replace('    key    = "x"\n', '');
    const wf = goodWorkflow.replace(
      'run: terraform -chdir=infra apply',
      'working-directory: stacks\n        run: |\n          terraform -chdir=net init -backend-config=../config/net.hcl\n          terraform -chdir=dns init -backend-config=../config/dns.hcl -backend-config=region=us-east-1\n          terraform -chdir=net apply',
    );
    expect(
      ids({
        'stacks/net/main.tf': base,
        'stacks/dns/main.tf': base,
        'stacks/config/net.hcl': 'key = "k"\n',
        'stacks/config/dns.hcl': 'key = "k"\n',
        '.github/workflows/apply.yml': wf,
      }),
    ).toEqual(expect.arrayContaining(['TFLOCK004 stacks/config/dns.hcl:1', 'TFLOCK004 stacks/config/net.hcl:1']));
  });
  test('TFLOCK004 through a matrix: -backend-config (../config/$ENV.hcl, ENV from ${{ matrix.env }})', () => {
    const base = s3Root('x').replace('    key    = "x"\n', '');
    const wf = goodWorkflow
      .replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        env: [staging, production]\n')
      .replace(
        '      - run: terraform -chdir=infra apply -auto-approve -lock-timeout=300s',
        '      - env:\n          ENV: ${{ matrix.env }}\n        run: |\n          terraform -chdir=infra init -backend-config="../config/$ENV.hcl"\n          terraform -chdir=infra apply -auto-approve -lock-timeout=300s',
      );
    const files = { 'infra/main.tf': base, 'config/staging.hcl': 'key = "same"\n', 'config/production.hcl': 'key = "same"\n', '.github/workflows/apply.yml': wf };
    // The files live outside the root: only the expanded init command ties them to it.
    expect(ids(files)).toEqual(['TFLOCK004 config/production.hcl:1', 'TFLOCK004 config/staging.hcl:1']);
    expect(ids({ ...files, 'config/production.hcl': 'key = "prod"\n' })).toEqual([]);
  });
  test('TFLOCK005 local state in a root CI applies; not when nothing applies it', () => {
    const wf = goodWorkflow.replace('-chdir=infra', '-chdir=local');
    expect(ids({ 'infra/main.tf': s3Root('a'), 'local/main.tf': 'resource "terraform_data" "x" {}\n', '.github/workflows/apply.yml': wf })).toEqual([
      'TFLOCK005 .github/workflows/apply.yml:10',
    ]);
    expect(ids({ 'infra/main.tf': s3Root('a'), 'local/main.tf': 'resource "terraform_data" "x" {}\n' })).toEqual([]);
  });
  test('TFLOCK006/007 -lock=false on a command that writes state, and apply without -lock-timeout, in workflows and scripts', () => {
    // `plan -lock=false` only reads the state: not a finding. `import -lock=false` writes it.
    const wf = goodWorkflow
      .replace(' -lock-timeout=300s', '')
      .replace(
        '      - run: terraform',
        '      - run: terraform -chdir=infra plan -lock=false\n      - run: terraform -chdir=infra import -lock=false aws_s3_bucket.b b\n      - run: terraform',
      );
    expect(
      ids({
        'infra/main.tf': s3Root('a'),
        '.github/workflows/apply.yml': wf,
        'scripts/deploy.sh': '#!/bin/sh\ncd infra && \\\n  terraform apply -auto-approve -lock-timeout=0s\n',
      }),
    ).toEqual(['TFLOCK006 .github/workflows/apply.yml:11', 'TFLOCK007 .github/workflows/apply.yml:12', 'TFLOCK007 scripts/deploy.sh:3']);
  });
  test('TFLOCK008/009/010 concurrency: missing, cancel-in-progress, per-run group', () => {
    const noConc = goodWorkflow.replace(/concurrency:\n.*\n.*\n/, '');
    expect(ids({ 'infra/main.tf': s3Root('a'), '.github/workflows/apply.yml': noConc })).toEqual(['TFLOCK008 .github/workflows/apply.yml:4']);
    const cancel = goodWorkflow.replace('cancel-in-progress: false', 'cancel-in-progress: true');
    expect(ids({ 'infra/main.tf': s3Root('a'), '.github/workflows/apply.yml': cancel })).toEqual(['TFLOCK009 .github/workflows/apply.yml:5']);
    const perRun = goodWorkflow.replace('group: terraform-prod', 'group: tf-${{ github.sha }}');
    expect(ids({ 'infra/main.tf': s3Root('a'), '.github/workflows/apply.yml': perRun })).toEqual(['TFLOCK010 .github/workflows/apply.yml:3']);
    // A job-level group wins over none at workflow level.
    const jobLevel = noConc.replace('    runs-on: ubuntu-latest\n', '    runs-on: ubuntu-latest\n    concurrency: prod\n');
    expect(ids({ 'infra/main.tf': s3Root('a'), '.github/workflows/apply.yml': jobLevel })).toEqual([]);
  });
  test('TFLOCK011 backends that cannot lock', () => {
    expect(ids({ 'h/main.tf': 'terraform {\n  backend "http" {\n    address = "https://x/state"\n  }\n}\n' })).toEqual(['TFLOCK011 h/main.tf:2']);
    expect(ids({ 'h/main.tf': 'terraform {\n  backend "http" {\n    address = "https://x/state"\n    lock_address = "https://x/lock"\n  }\n}\n' })).toEqual([]);
    expect(ids({ 'c/main.tf': 'terraform {\n  backend "consul" {\n    path = "x"\n    lock = false\n  }\n}\n' })).toEqual(['TFLOCK011 c/main.tf:2']);
  });
  test('TFLOCK012 a workflow that is not YAML is reported, the rest still checked', () => {
    expect(ids({ 'infra/main.tf': s3Root('a'), '.github/workflows/bad.yml': 'jobs: [\n', '.github/workflows/apply.yml': goodWorkflow })).toEqual([
      'TFLOCK012 .github/workflows/bad.yml:1',
    ]);
  });
  test('TFLOCK001 negative: dynamodb_table alone is locking', () => {
    expect(ids({ 'a/main.tf': s3Root('a', 'dynamodb_table = "t"\n    encrypt = true') }, { flavor: 'tofu' })).toEqual([]);
  });
  test('a working-directory without Terraform files is a one-line user error', () => {
    expect(() => scanRepo(repoWith({ 'README.md': 'x' }), { scope: 'infra' })).toThrow(/^input "working-directory" must be a folder that holds Terraform files/);
  });
  test('TFLOCK013 a .tf file a root uses does not parse; one nothing uses is a notice, and the rest is still checked (issue 24, item 4)', () => {
    const broken = 'resource "terraform_data" "x" {\n  input =\n}\n';
    // In a root: the finding names file and line.
    const inRoot = run({ 'infra/main.tf': s3Root('a'), 'infra/broken.tf': broken });
    expect(inRoot.map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine}`)).toEqual(['TFLOCK013 infra/broken.tf:2']);
    expect(inRoot[0].message).toMatch(/^infra\/broken\.tf:2:\d+: HCL does not parse here: the backend settings in this file were not checked\.$/);
    // In a module a root uses (transitively), and in a folder CI applies: findings too.
    expect(
      ids({
        'infra/main.tf': `${s3Root('a')}module "m" {\n  source = "../modules/m"\n}\n`,
        'modules/m/main.tf': 'module "n" {\n  source = "../n"\n}\n',
        'modules/n/main.tf': broken,
        'tools/main.tf': broken,
        '.github/workflows/apply.yml': goodWorkflow.replace('-chdir=infra', '-chdir=tools'),
      }),
    ).toEqual(['TFLOCK013 modules/n/main.tf:2', 'TFLOCK013 tools/main.tf:2']);
    // A fixture nothing uses: a notice, and the other roots are still checked.
    const repo = scanRepo(repoWith({ 'infra/main.tf': s3Root('a', 'encrypt = true'), 'test/fixtures/bad/main.tf': 'terraform {\n  backend "s3" {\n' }));
    expect(lint(repo, { flavor: 'auto' }).map((f) => f.ruleId)).toEqual(['TFLOCK001']);
    expect(repo.notices).toEqual([
      expect.stringMatching(/^Skipped 1 Terraform file\(s\) that do not parse and that no root uses nor CI applies \(test\/fixtures\/bad\/main\.tf:\d+\)/),
    ]);
  });
});

describe('shell commands and versions', () => {
  test.each([
    ['terraform apply -auto-approve', 'apply', '', false, undefined],
    ['cd envs/prod && tofu apply -lock-timeout=5m', 'apply', 'envs/prod', false, '5m'],
    ['TF_LOG=1 terraform -chdir=a/b plan -lock=false', 'plan', 'a/b', true, undefined],
    ['/usr/bin/terraform "-chdir=x y" destroy --lock-timeout=10s # comment', 'destroy', 'x y', false, '10s'],
    ['(cd infra && terraform apply -lock=false)', 'apply', 'infra', true, undefined],
    ['ID=$(terraform -chdir=a output -raw id)', 'output', 'a', false, undefined],
    ['cd\nterraform apply', 'apply', '$HOME', false, undefined],
  ])('%s', (script, sub, chdir, disabled, timeout) => {
    expect(findTfCommands(script)[0]).toMatchObject({ sub, chdir, lockDisabled: disabled, lockTimeout: timeout });
  });
  test('go durations and constraints', () => {
    expect(goDurationMs('1m30s')).toBe(90_000);
    expect(goDurationMs('0s')).toBe(0);
    expect(admitsAtLeast('>= 1.5, < 1.11', [1, 11, 0])).toBe(false);
    expect(admitsAtLeast('~> 1.10', [1, 11, 0])).toBe(true);
    expect(admitsAtLeast('~> 1.10.0', [1, 11, 0])).toBe(false);
    expect(admitsAtLeast('1.11.4', [1, 11, 0])).toBe(true);
  });
});

test('the README rules table is current (npm run docs)', async () => {
  const { readFileSync } = await import('node:fs');
  const { readmePath, readmeIsCurrent, rulesTableOf } = await import('../../../scripts/rules-tables.js');
  expect(readmeIsCurrent('tf-lock-check')).toBe(true);
  const readme = readFileSync(readmePath(rulesTableOf('tf-lock-check')), 'utf8');
  expect(readme).toContain('| `TFLOCK012` | low |');
});
