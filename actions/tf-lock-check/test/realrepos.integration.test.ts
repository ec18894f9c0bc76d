// Issue #12: the shapes real repositories use. Each numbered item of the issue has a positive fixture
// (the rule must fire, or the root must be seen) and a negative one (no false alarm), written here.
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { toolBin } from '../../../test/harness/tools.js';
import { findTfCommands, initShell, scanShell } from '../src/shell.js';
import { evaluate, UNKNOWN } from '../src/expr.js';
import { initHcl } from '../src/hcl.js';
import { disagreement } from '../src/live.js';
import { isRoot, scanRepo } from '../src/repo.js';
import { lint } from '../src/rules.js';
import { workingDirectory, workspaceName } from '../src/settings.js';
import { parseMakefile } from '../src/wrappers.js';
import { readWorkflow, reindentContinuations } from '../src/yamlread.js';
import { repoWith, s3Root } from './helpers.js';

beforeAll(() => Promise.all([initHcl(), initShell()]));

const opts = { flavor: 'auto' as const, terraformVersion: [1, 10, 5] as [number, number, number] };
const findings = (dir: string) => lint(scanRepo(dir), opts);
const ids = (dir: string) =>
  findings(dir)
    .map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine}`)
    .sort();
const idsOf = (files: Record<string, string>) => ids(repoWith(files));

// An environment layout many teams use: one root, a .tfbackend per environment.
const INFRA = {
  'infra/main.tf': s3Root('unused').replace('    key    = "unused"\n', ''),
  'infra/envs/staging.tfbackend': 'key = "app/staging.tfstate"\n',
  'infra/envs/production.tfbackend': 'key = "app/production.tfstate"\n',
};

const deployWorkflow = (run: string, extra = '') => `name: deploy
on:
  push:
    branches: [main]
${extra}jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - name: Deploy
        run: ${run}
`;
const SAFE = 'concurrency:\n  group: terraform-production\n  cancel-in-progress: false\n';

describe('1. applies through wrapper scripts and make targets belong to the job that runs them', () => {
  const script = `#!/usr/bin/env bash
# Usage: scripts/apply.sh <environment>
set -euo pipefail
ENVIRONMENT="\${1:?environment}"
terraform -chdir=infra init -input=false -backend-config="envs/\${ENVIRONMENT}.tfbackend"
terraform -chdir=infra apply -input=false -auto-approve -lock-timeout=10m
`;
  const makefile = `TF ?= terraform
TF_DIR := infra

.PHONY: init plan apply
init:
\t$(TF) -chdir=$(TF_DIR) init -input=false

plan: init
\t$(TF) -chdir=$(TF_DIR) plan -lock-timeout=5m

apply: init
\t@echo "applying $(TF_DIR)"
\t$(TF) -chdir=$(TF_DIR) apply -auto-approve \\
\t  -lock-timeout=5m
`;
  test.each([
    ['bash scripts/apply.sh production', { 'scripts/apply.sh': script }, 'scripts/apply.sh:6'],
    ['./scripts/apply.sh production', { 'scripts/apply.sh': script }, 'scripts/apply.sh:6'],
    ['sh -e scripts/apply.sh production', { 'scripts/apply.sh': script }, 'scripts/apply.sh:6'],
    ['make apply', { Makefile: makefile }, 'Makefile:13'],
    ['make -C ops deploy', { 'ops/Makefile': 'deploy:\n\t./deploy.sh\n', 'ops/deploy.sh': 'cd ../infra\nterraform apply -auto-approve -lock-timeout=5m\n' }, 'ops/deploy.sh:2'],
  ])('positive: `%s` without a concurrency group → TFLOCK008 on the job', (run, extra, applyAt) => {
    const dir = repoWith({ ...INFRA, ...extra, '.github/workflows/deploy.yml': deployWorkflow(run) });
    expect(ids(dir)).toEqual(['TFLOCK008 .github/workflows/deploy.yml:6']);
    const repo = scanRepo(dir);
    const apply = repo.commands.find((c) => c.sub === 'apply')!;
    expect(`${apply.file}:${apply.line}`).toBe(applyAt);
    expect(apply).toMatchObject({ dir: 'infra', job: { id: 'deploy' }, via: { file: '.github/workflows/deploy.yml', line: 13 } });
    expect(findings(dir)[0].message).toMatch(/^job "deploy" runs `terraform apply` through \S+ but has no concurrency group/);
  });
  test('negative: the same wrappers under a constant concurrency group, and a make target that only plans', () => {
    expect(idsOf({ ...INFRA, 'scripts/apply.sh': script, '.github/workflows/deploy.yml': deployWorkflow('bash scripts/apply.sh production', SAFE) })).toEqual([]);
    expect(idsOf({ ...INFRA, Makefile: makefile, '.github/workflows/deploy.yml': deployWorkflow('make plan') })).toEqual([]);
  });
  test('the init in the script ties envs/*.tfbackend to infra, and a script outside the workspace is not followed', () => {
    const dir = repoWith({
      ...INFRA,
      'scripts/apply.sh': script,
      '.github/workflows/deploy.yml': deployWorkflow('bash ../../etc/apply.sh && bash scripts/apply.sh production', SAFE),
    });
    const repo = scanRepo(dir);
    expect(repo.commands.map((c) => `${c.file}:${c.line} ${c.sub}`)).toEqual(['scripts/apply.sh:5 init', 'scripts/apply.sh:6 apply']);
    // make VAR=value overrides the Makefile's own assignment, as make does.
    const envMk = 'ENV ?= dev\nROOT := envs/$(ENV)\napply:\n\tterraform -chdir=$(ROOT) apply -auto-approve -lock-timeout=5m\n';
    const overridden = scanRepo(
      repoWith({ 'envs/production/main.tf': s3Root('p'), Makefile: envMk, '.github/workflows/deploy.yml': deployWorkflow('make apply ENV=production', SAFE) }),
    );
    expect(overridden.commands.map((c) => `${c.file}:${c.line} ${c.sub} in ${c.dir}`)).toEqual(['Makefile:4 apply in envs/production']);
    expect(parseMakefile(makefile).rules.get('apply')).toMatchObject({
      prerequisites: ['init'],
      recipe: [{ line: 12 }, { text: expect.stringContaining('-chdir=infra apply'), line: 13 }],
    });
  });
});

describe('1b. applies inside a local composite action belong to the job that uses it', () => {
  const action = `name: terraform apply
description: Init and apply one root
inputs:
  working-directory:
    description: Root to apply
    required: true
  lock-timeout:
    description: How long to wait for the state lock
    default: 10m
runs:
  using: composite
  steps:
    - shell: bash
      run: terraform -chdir=\${{ inputs.working-directory }} init -input=false
    - shell: bash
      run: |
        terraform -chdir=\${{ inputs.working-directory }} apply -input=false -auto-approve \\
          -lock-timeout=\${{ inputs.lock-timeout }}
    - shell: bash
      run: \${{ github.action_path }}/notify.sh
`;
  const wf = (extra: string, withLines = '') => `name: deploy
on: push
${extra}jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/tf-apply
        with:
          working-directory: infra
${withLines}`;
  const notify = 'cd "$GITHUB_WORKSPACE"\nterraform -chdir=infra output -json > outputs.json\n';
  test('positive: no concurrency group on the job, and a lock-timeout of 0s passed in', () => {
    const dir = repoWith({
      ...INFRA,
      '.github/actions/tf-apply/action.yml': action,
      '.github/actions/tf-apply/notify.sh': notify,
      '.github/workflows/deploy.yml': wf('', '          lock-timeout: 0s\n'),
    });
    expect(ids(dir)).toEqual(['TFLOCK007 .github/actions/tf-apply/action.yml:17', 'TFLOCK008 .github/workflows/deploy.yml:4']);
    const cmds = scanRepo(dir).commands.map((c) => `${c.file}:${c.line} ${c.sub} in ${c.dir} via ${c.via?.file}:${c.via?.line}`);
    expect(cmds).toEqual([
      '.github/actions/tf-apply/action.yml:14 init in infra via .github/workflows/deploy.yml:8',
      '.github/actions/tf-apply/action.yml:17 apply in infra via .github/workflows/deploy.yml:8',
      '.github/actions/tf-apply/notify.sh:2 output in infra via .github/workflows/deploy.yml:8',
    ]);
  });
  test('negative: under a concurrency group with the default lock-timeout', () => {
    expect(idsOf({ ...INFRA, '.github/actions/tf-apply/action.yml': action, '.github/workflows/deploy.yml': wf(SAFE) })).toEqual([]);
  });
});

describe('1c. a reusable workflow is serialised by the group of the jobs that call it', () => {
  const reusable = `name: apply (reusable)
on:
  workflow_call:
    inputs:
      root:
        type: string
        required: true
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: terraform -chdir=\${{ inputs.root }} apply -auto-approve -lock-timeout=10m
`;
  const caller = (name: string, concurrency: string) => `name: ${name}
on:
  push:
    branches: [main]
jobs:
  production:
${concurrency}    uses: ./.github/workflows/_apply.yml
    with:
      root: infra
`;
  test('negative: every caller sets a group', () => {
    expect(
      idsOf({
        ...INFRA,
        '.github/workflows/_apply.yml': reusable,
        '.github/workflows/deploy.yml': caller('deploy', '    concurrency:\n      group: terraform-production\n      cancel-in-progress: false\n'),
      }),
    ).toEqual([]);
  });
  test('positive: a caller without a group, or with cancel-in-progress, is reported where it matters', () => {
    const noGroup = findings(
      repoWith({
        ...INFRA,
        '.github/workflows/_apply.yml': reusable,
        '.github/workflows/deploy.yml': caller('deploy', '    concurrency: terraform-production\n'),
        '.github/workflows/hotfix.yml': caller('hotfix', ''),
      }),
    );
    expect(noGroup.map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine}`)).toEqual(['TFLOCK008 .github/workflows/_apply.yml:9']);
    expect(noGroup[0].message).toContain('It is a reusable workflow: a group on every calling job serialises it too.');
    expect(
      idsOf({
        ...INFRA,
        '.github/workflows/_apply.yml': reusable,
        '.github/workflows/deploy.yml': caller('deploy', '    concurrency:\n      group: terraform-production\n      cancel-in-progress: true\n'),
      }),
    ).toEqual(['TFLOCK009 .github/workflows/deploy.yml:9']);
  });
});

describe('2. an expression is one word, resolved where the workflow says what it is', () => {
  const wf = (cmd: string) => `name: apply
on:
  workflow_dispatch:
    inputs:
      dir:
        type: string
        default: infra
env:
  DIR: infra
concurrency: terraform
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - run: ${cmd}
`;
  test('positive: env, inputs and unknown expressions before the subcommand keep the subcommand and flags', () => {
    const fromEnv = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': wf('terraform -chdir=${{ env.DIR }} apply -lock=false') }));
    expect(fromEnv.map((f) => f.ruleId).sort()).toEqual(['TFLOCK006', 'TFLOCK007']);
    expect(fromEnv.find((f) => f.ruleId === 'TFLOCK006')!.message).toBe('`terraform apply` runs with -lock=false in infra; it also has no -lock-timeout.');
    const unknown = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': wf('terraform -chdir=${{ vars.TF_ROOT }} apply -auto-approve') }));
    expect(unknown.map((f) => f.message)).toEqual([
      '`terraform apply` in a directory not known before run time (${{ vars.TF_ROOT }}) has no -lock-timeout, so it fails at once when the state is locked.',
    ]);
    // ${{ github.workspace }} and $GITHUB_WORKSPACE are the repository root.
    const ws = scanRepo(repoWith({ ...INFRA, '.github/workflows/a.yml': wf('cd "$GITHUB_WORKSPACE/infra" && terraform -chdir=${{ github.workspace }}/infra plan') })).commands;
    expect(ws.map((x) => [x.sub, x.dir])).toEqual([['plan', 'infra']]);
    const c = findTfCommands("terraform -chdir=${{ matrix.root == 'a b' && 'x' || 'y' }} apply -lock=false");
    expect(c[0]).toMatchObject({ sub: 'apply', lockDisabled: true, chdir: "${{ matrix.root == 'a b' && 'x' || 'y' }}" });
  });
  test('negative: an inputs default and an env value resolve to the root; no garbled subcommand', () => {
    const dir = repoWith({ ...INFRA, '.github/workflows/a.yml': wf('terraform -chdir=${{ inputs.dir }} apply -auto-approve -lock-timeout=5m') });
    expect(ids(dir)).toEqual([]);
    expect(scanRepo(dir).commands[0]).toMatchObject({ sub: 'apply', dir: 'infra' });
  });
});

describe('3. symbolic links', () => {
  test('positive: a shared backend.tf linked into each environment makes each a root (inside the workspace)', () => {
    const dir = repoWith({
      'common/backend.tf': s3Root('x', 'encrypt = true').replace('    key    = "x"\n', ''),
      'envs/dev/main.tf': 'locals {}\n',
      'envs/prod/main.tf': 'locals {}\n',
    });
    symlinkSync('../../common/backend.tf', join(dir, 'envs/dev/backend.tf'));
    symlinkSync('../../common/backend.tf', join(dir, 'envs/prod/backend.tf'));
    const repo = scanRepo(dir);
    // common/ only holds the linked file: a library of files, not a root of its own.
    expect(
      [...repo.modules.values()]
        .filter(isRoot)
        .map((m) => m.dir)
        .sort(),
    ).toEqual(['envs/dev', 'envs/prod']);
    // The linked block leaves the key to init, and no init names it: a notice per root (issue 24, item 5).
    expect(ids(dir)).toEqual(['TFLOCK014 envs/dev/backend.tf:3', 'TFLOCK014 envs/prod/backend.tf:3']);
  });
  test('negative: without the links the environments have no backend (and the shared folder is a root)', () => {
    const dir = repoWith({ 'common/backend.tf': s3Root('x'), 'envs/dev/main.tf': 'locals {}\n' });
    expect([...scanRepo(dir).modules.values()].filter(isRoot).map((m) => m.dir)).toEqual(['common']);
  });
  test('negative: a link that points outside the workspace is never read and its content never printed', () => {
    const outside = mkdtempSync(join(tmpdir(), 'tflc-outside-'));
    writeFileSync(join(outside, 'backend.tf'), 'terraform {\n  backend "s3" {\n    bucket = "OUTSIDE-SECRET-BUCKET"\n  }\n}\n');
    const dir = repoWith({ 'infra/main.tf': s3Root('a') });
    symlinkSync(join(outside, 'backend.tf'), join(dir, 'infra/outside.tf'));
    symlinkSync(outside, join(dir, 'linked-dir'));
    const repo = scanRepo(dir);
    expect([...repo.modules.keys()]).toEqual(['infra']);
    expect(repo.notices.join('\n')).toMatch(
      /Skipped 2 symbolic link\(s\) that point outside the workspace or nowhere \((infra\/outside\.tf|linked-dir), (infra\/outside\.tf|linked-dir)\)/,
    );
    expect(JSON.stringify({ n: repo.notices, f: lint(repo, opts) })).not.toContain('OUTSIDE-SECRET-BUCKET');
  });
});

describe('4. TF_CLI_ARGS and TF_CLI_ARGS_<command>', () => {
  const wf = (envs: { wf?: string; job?: string; step?: string }, cmd = 'terraform -chdir=infra apply -auto-approve') => `on: push
${envs.wf ? `env:\n  ${envs.wf}\n` : ''}concurrency: terraform
jobs:
  apply:
    runs-on: ubuntu-latest
${envs.job ? `    env:\n      ${envs.job}\n` : ''}    steps:
      - run: ${cmd}
${envs.step ? `        env:\n          ${envs.step}\n` : ''}`;
  test.each([
    [{ wf: 'TF_CLI_ARGS: "-lock=false"' }, 'TF_CLI_ARGS'],
    [{ job: 'TF_CLI_ARGS_apply: -lock=f -lock-timeout=5m' }, 'TF_CLI_ARGS_apply'],
    [{ step: 'TF_CLI_ARGS_apply: "-lock=0"' }, 'TF_CLI_ARGS_apply'],
    [{ step: 'TF_CLI_ARGS_apply: "--lock=False -lock-timeout=5m"' }, 'TF_CLI_ARGS_apply'],
  ])('positive: %j disables locking', (envs, from) => {
    const f = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': wf(envs) }));
    expect(f.find((x) => x.ruleId === 'TFLOCK006')?.message).toContain(`-lock=false (set in ${from})`);
  });
  const envFile = (line: string) => `on: push
concurrency: terraform
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - run: ${line}
      - run: terraform -chdir=infra apply -auto-approve
`;
  test('positive: a variable a step writes to $GITHUB_ENV reaches the later apply', () => {
    const f = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': envFile('echo "TF_CLI_ARGS_apply=-lock=false -lock-timeout=5m" >> "$GITHUB_ENV"') }));
    expect(f.map((x) => x.message)).toEqual(['`terraform apply` runs with -lock=false (set in TF_CLI_ARGS_apply) in infra.']);
  });
  test('negative: a lock-timeout through $GITHUB_ENV is seen; $GITHUB_OUTPUT is not the environment', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/a.yml': envFile('echo TF_CLI_ARGS_apply=-lock-timeout=10m >>$GITHUB_ENV') })).toEqual([]);
    expect(idsOf({ ...INFRA, '.github/workflows/a.yml': envFile('echo "TF_CLI_ARGS_apply=-lock=false" >> "$GITHUB_OUTPUT"') })).toEqual(['TFLOCK007 .github/workflows/a.yml:8']);
  });
  test('positive: export in a script, and the lock spellings Go accepts', () => {
    expect(findTfCommands('export TF_CLI_ARGS_apply="-lock=F"\nterraform apply')[0].lockDisabled).toBe(true);
    expect(findTfCommands('TF_CLI_ARGS=-lock=FALSE terraform destroy')[0]).toMatchObject({ lockDisabled: true, lockFrom: 'TF_CLI_ARGS' });
    expect(['-lock=false', '-lock=f', '-lock=0', '-lock=F', '-lock=False', '-lock=FALSE'].every((a) => findTfCommands(`terraform apply ${a}`)[0].lockDisabled)).toBe(true);
  });
  test('negative: a -lock-timeout set in TF_CLI_ARGS_apply is seen; -lock=true and TF_CLI_ARGS_plan do not disable apply', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/a.yml': wf({ job: 'TF_CLI_ARGS_apply: "-lock-timeout=10m"' }) })).toEqual([]);
    expect(idsOf({ ...INFRA, '.github/workflows/a.yml': wf({ wf: 'TF_CLI_ARGS_plan: "-lock=false"', step: 'TF_CLI_ARGS: "-lock=true -lock-timeout=300s"' }) })).toEqual([]);
    expect(['-lock=true', '-lock=1', '-lock=t', '-lock'].some((a) => findTfCommands(`terraform apply ${a}`)[0].lockDisabled)).toBe(false);
  });
});

describe('5. .tf.json roots', () => {
  const cdktf = (locking: string) =>
    JSON.stringify(
      {
        '//': { metadata: { backend: 's3', stackName: 'app', version: '0.20.0' } },
        terraform: {
          backend: { s3: { bucket: 'acme-tfstate', key: 'cdktf/app.tfstate', region: 'eu-west-1', encrypt: true, ...(locking ? { use_lockfile: true } : {}) } },
          required_providers: { aws: { source: 'aws', version: '5.0.0' } },
        },
        resource: { aws_s3_bucket: { b: { bucket: 'x' } } },
      },
      null,
      2,
    );
  test('positive: a CDKTF stack without locking is a root and gets TFLOCK001 at its backend line', () => {
    const dir = repoWith({ 'cdktf.out/stacks/app/cdk.tf.json': cdktf('') });
    expect(ids(dir)).toEqual(['TFLOCK001 cdktf.out/stacks/app/cdk.tf.json:10']);
  });
  test('negative: with use_lockfile it is a clean, counted root', () => {
    const dir = repoWith({ 'cdktf.out/stacks/app/cdk.tf.json': cdktf('yes') });
    expect(ids(dir)).toEqual([]);
    expect([...scanRepo(dir).modules.values()].filter(isRoot)).toHaveLength(1);
  });
});

describe('6. repositories without a backend', () => {
  const moduleRepo = {
    'main.tf': 'variable "name" {}\nresource "aws_s3_bucket" "this" {\n  bucket = var.name\n}\n',
    'examples/basic/main.tf': 'module "b" {\n  source = "../.."\n  name = "x"\n}\n',
  };
  test('negative: a module repository is clean, with a notice (no working-directory blame)', () => {
    const repo = scanRepo(repoWith(moduleRepo));
    expect(lint(repo, opts)).toEqual([]);
    expect(repo.notices).toEqual([expect.stringMatching(/^No root module with a backend or cloud block under the repository: 2 module folder\(s\) read as a module repository/)]);
  });
  test('negative: a Terragrunt repository gets a notice that it is not analysed', () => {
    const repo = scanRepo(
      repoWith({
        'live/prod/vpc/terragrunt.hcl': 'include "root" {\n  path = find_in_parent_folders()\n}\n',
        'live/terragrunt.hcl': 'remote_state {\n  backend = "s3"\n}\n',
        'modules/vpc/main.tf': 'resource "null_resource" "x" {}\n',
      }),
    );
    expect(lint(repo, opts)).toEqual([]);
    expect(repo.notices).toEqual([expect.stringMatching(/^Terragrunt: 2 terragrunt\.hcl \/ root\.hcl file\(s\) found\. Their remote_state blocks are not analysed/)]);
  });
  test('positive: local-state roots that CI applies still get TFLOCK005', () => {
    const wf = deployWorkflow('terraform -chdir=examples/basic apply -auto-approve -lock-timeout=5m', SAFE);
    expect(idsOf({ ...moduleRepo, '.github/workflows/deploy.yml': wf })).toEqual(['TFLOCK005 .github/workflows/deploy.yml:16']);
  });
});

describe('7. HCP Terraform / Terraform Cloud roots', () => {
  const cloudRoots = {
    'workspaces/network/main.tf': 'terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n      name = "network"\n    }\n  }\n}\n',
    'workspaces/dns/main.tf': 'terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n      tags = ["dns"]\n    }\n  }\n}\n',
    'workspaces/legacy/main.tf': 'terraform {\n  backend "remote" {\n    organization = "acme"\n    workspaces {\n      prefix = "legacy-"\n    }\n  }\n}\n',
  };
  const wf = (dir: string) => `on: push
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - run: |
          terraform -chdir=${dir} init
          terraform -chdir=${dir} apply -auto-approve
`;
  test('negative: no concurrency or lock-timeout findings for cloud and remote roots, and they count as roots', () => {
    const dir = repoWith({
      ...cloudRoots,
      '.github/workflows/a.yml': wf('workspaces/network'),
      '.github/workflows/b.yml': wf('workspaces/legacy'),
      '.github/workflows/c.yml': wf('${{ matrix.ws }}'),
    });
    expect(ids(dir)).toEqual([]);
    expect([...scanRepo(dir).modules.values()].filter(isRoot)).toHaveLength(3);
  });
  test('positive: the same workflow on an s3 root', () => {
    expect(idsOf({ ...cloudRoots, 'infra/main.tf': s3Root('a'), '.github/workflows/a.yml': wf('infra') })).toEqual([
      'TFLOCK007 .github/workflows/a.yml:8',
      'TFLOCK008 .github/workflows/a.yml:3',
    ]);
  });
});

describe('8. cancel-in-progress expressions, evaluated for the events that reach the apply', () => {
  const wf = (jobIf: string, stepIf = '') => `on:
  push:
    branches: [main]
  pull_request:
concurrency:
  group: terraform-\${{ github.ref }}
  cancel-in-progress: \${{ github.event_name == 'pull_request' }}
jobs:
  terraform:
    runs-on: ubuntu-latest
${jobIf ? `    if: ${jobIf}\n` : ''}    steps:
      - run: terraform -chdir=infra plan -lock-timeout=5m
      - run: terraform -chdir=infra apply -auto-approve -lock-timeout=5m
${stepIf ? `        if: ${stepIf}\n` : ''}`;
  test('negative: the apply runs only on push (job if, or step if), where the expression is false', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': wf("github.event_name == 'push'") })).toEqual([]);
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': wf('', "github.event_name == 'push' && github.ref == 'refs/heads/main'") })).toEqual([]);
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': wf('', "${{ github.event_name != 'pull_request' }}") })).toEqual([]);
  });
  const byRef = (branches: string, jobIf: string) => `on:
  push:
    branches: ${branches}
  pull_request:
concurrency:
  group: terraform-\${{ github.ref }}
  cancel-in-progress: \${{ github.ref != 'refs/heads/main' }}
jobs:
  apply:
    if: ${jobIf}
    runs-on: ubuntu-latest
    steps:
      - run: terraform -chdir=infra apply -auto-approve -lock-timeout=5m
`;
  test('negative: cancel on other branches, apply only on main (github.ref compared in both)', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': byRef("[main, 'feature/**']", "github.ref == 'refs/heads/main' && github.event_name == 'push'") })).toEqual([]);
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': byRef('[main]', "github.event_name == 'push'") })).toEqual([]);
  });
  test('positive: a push to another branch reaches the apply with cancel-in-progress true', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': byRef('[main, develop]', "github.event_name == 'push'") })).toEqual(['TFLOCK009 .github/workflows/tf.yml:7']);
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': byRef('[main]', "startsWith(github.ref, 'refs/heads/')") })).toEqual(['TFLOCK009 .github/workflows/tf.yml:7']);
  });
  test('positive: an apply a pull_request reaches, or a condition we cannot evaluate', () => {
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': wf('') })).toEqual(['TFLOCK009 .github/workflows/tf.yml:7']);
    expect(idsOf({ ...INFRA, '.github/workflows/tf.yml': wf("github.actor == 'bot'") })).toEqual(['TFLOCK009 .github/workflows/tf.yml:7']);
    expect(evaluate("github.event_name == 'push' || github.ref == 'x'", { env: {}, inputs: {}, matrix: {}, eventName: 'pull_request' })).toBe(UNKNOWN);
    expect(evaluate("!(github.event_name == 'PUSH')", { env: {}, inputs: {}, matrix: {}, eventName: 'push' })).toBe(false);
  });
});

describe('9. template folders with placeholders', () => {
  const tpl = (key: string) =>
    `terraform {\n  backend "s3" {\n    bucket       = "acme-tfstate"\n    key          = "${key}"\n    region       = "eu-west-1"\n    encrypt      = true\n    use_lockfile = true\n  }\n}\n`;
  test('negative: $name, $${var}, <name> and {{ }} placeholders are not shared state; an unrendered Jinja file is skipped', () => {
    const dir = repoWith({
      'templates/service/backend.tf': tpl('$application_name/terraform.tfstate'),
      'templates/worker/backend.tf': tpl('$application_name/terraform.tfstate'),
      'templates/job/backend.tf': tpl('$${service}/terraform.tfstate'),
      'templates/cron/backend.tf': tpl('$${service}/terraform.tfstate'),
      'blueprints/a/backend.tf': tpl('<app>/terraform.tfstate'),
      'blueprints/b/backend.tf': tpl('<app>/terraform.tfstate'),
      '{{cookiecutter.name}}/backend.tf': 'terraform {\n  backend "s3" {\n    key = {{ cookiecutter.state_key }}\n  }\n}\n',
      '{{cookiecutter.name}}/envs/prod.tfbackend': 'key = {{ cookiecutter.prod_key }}\n',
    });
    const repo = scanRepo(dir);
    expect(lint(repo, opts)).toEqual([]);
    expect(repo.notices).toEqual([
      expect.stringMatching(
        /^Skipped 2 template file\(s\) that are not HCL until rendered \(\{\{cookiecutter\.name\}\}\/backend\.tf, \{\{cookiecutter\.name\}\}\/envs\/prod\.tfbackend\)/,
      ),
    ]);
  });
  test('positive: two real roots with one key', () => {
    expect(idsOf({ 'services/a/backend.tf': tpl('services/terraform.tfstate'), 'services/b/backend.tf': tpl('services/terraform.tfstate') })).toEqual([
      'TFLOCK004 services/a/backend.tf:4',
      'TFLOCK004 services/b/backend.tf:4',
    ]);
  });
});

describe('10. the workflow reader accepts what GitHub accepts', () => {
  // Continuation lines indented no deeper than their key: GitHub, actionlint and PyYAML accept these;
  // js-yaml and the YAML 1.2 spec do not ("deficient indentation").
  const lenient = `name: deploy
on: push
concurrency: terraform
jobs:
  apply:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with: {fetch-depth: 0,
        persist-credentials: false}
      - name: Apply
        run: "terraform -chdir=infra apply -auto-approve
          -lock=false"
        env: {TF_IN_AUTOMATION: "1",
        TF_INPUT: "0"}
`;
  test('positive: deficient indentation is read (same values, same lines) and its commands checked', () => {
    const dir = repoWith({ ...INFRA, '.github/workflows/deploy.yml': lenient });
    expect(ids(dir)).toEqual(['TFLOCK006 .github/workflows/deploy.yml:12', 'TFLOCK007 .github/workflows/deploy.yml:12']);
    const wf = readWorkflow(lenient);
    expect(wf.repaired).toBe(true);
    expect(wf.doc.toJS().jobs.apply.steps[1].env).toEqual({ TF_IN_AUTOMATION: '1', TF_INPUT: '0' });
    expect(reindentContinuations(lenient).split('\n')).toHaveLength(lenient.split('\n').length);
    // actionlint (what GitHub's parser accepts) reads the same file without a syntax error.
    const wfDir = mkdtempSync(join(tmpdir(), 'tflc-al-'));
    mkdirSync(join(wfDir, '.github/workflows'), { recursive: true });
    writeFileSync(join(wfDir, '.github/workflows/deploy.yml'), lenient);
    expect(execFileSync(toolBin('actionlint'), ['-no-color', '-shellcheck=', '-pyflakes=', '.github/workflows/deploy.yml'], { cwd: wfDir, encoding: 'utf8' })).toBe('');
  });
  test('negative: a file that truly does not parse is TFLOCK012 at its line, and the other workflows are still read', () => {
    const broken = 'on: push\njobs:\n  apply:\n    steps:\n      - run: terraform apply\n     oops: [\n';
    const dir = repoWith({
      ...INFRA,
      '.github/workflows/broken.yml': broken,
      '.github/workflows/ok.yml': deployWorkflow('terraform -chdir=infra apply -auto-approve -lock-timeout=5m', SAFE),
    });
    const f = findings(dir);
    expect(f.map((x) => `${x.ruleId} ${x.location?.path}:${x.location?.startLine}`)).toEqual(['TFLOCK012 .github/workflows/broken.yml:6']);
    expect(f[0].message).toMatch(/^\.github\/workflows\/broken\.yml: not valid YAML at line 6: /);
  });
});

describe('smaller items', () => {
  test('-lock=false on an apply also says there is no -lock-timeout; not when there is one', () => {
    const f = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': deployWorkflow('terraform -chdir=infra apply -auto-approve -lock=false', SAFE) }));
    expect(f.map((x) => x.ruleId).sort()).toEqual(['TFLOCK006', 'TFLOCK007']);
    const g = findings(repoWith({ ...INFRA, '.github/workflows/a.yml': deployWorkflow('terraform -chdir=infra apply -auto-approve -lock=false -lock-timeout=5m', SAFE) }));
    expect(g.map((x) => x.message)).toEqual(['`terraform apply` runs with -lock=false in infra.']);
  });
  test('S3 and DynamoDB locks that disagree are named; matching ones are not', () => {
    const l = (store: 's3' | 'dynamodb', ID: string, Created = '2026-11-26T10:00:00Z') => ({ store, where: '', info: { ID, Created } });
    expect(disagreement([l('s3', 'a'), l('dynamodb', 'b')])).toBe('S3 holds ID a, DynamoDB holds ID b');
    expect(disagreement([l('s3', 'a'), l('dynamodb', 'a', '2026-11-26T11:00:00Z')])).toBe('same ID, but S3 says created 2026-11-26T10:00:00Z and DynamoDB 2026-11-26T11:00:00Z');
    expect(disagreement([l('s3', 'a'), l('dynamodb', 'a')])).toBeUndefined();
    expect(disagreement([l('s3', 'a')])).toBeUndefined();
  });
  test('bash -c and source are followed like scripts', () => {
    expect(scanShell('bash -c "cd infra && terraform apply -lock=false"').commands[0]).toMatchObject({ chdir: 'infra', lockDisabled: true });
    expect(scanShell('source ./scripts/env.sh\n. scripts/x.sh').calls.map((c) => c.path)).toEqual(['scripts/env.sh', 'scripts/x.sh']);
  });
});

describe('contract: names and paths', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  test.each(['../../other-bucket/x', 'a/b', 'my ws', '..', '.hidden', ''.padEnd(91, 'x')])('workspace %j is a config error', (ws) => {
    process.env['INPUT_WORKSPACE'] = ws;
    expect(() => workspaceName()).toThrow(/^input "workspace" must be a terraform workspace name/);
  });
  test('valid workspace names pass; TF_WORKSPACE is checked too and named', () => {
    process.env['INPUT_WORKSPACE'] = 'prod-eu_1.blue';
    expect(workspaceName()).toBe('prod-eu_1.blue');
    delete process.env['INPUT_WORKSPACE'];
    process.env.TF_WORKSPACE = '../x';
    expect(() => workspaceName()).toThrow(/\(from TF_WORKSPACE\)/);
    delete process.env.TF_WORKSPACE;
    expect(workspaceName()).toBe('default');
  });
  test('working-directory: a symlink inside the workspace is followed; one leading outside is refused', () => {
    const outside = mkdtempSync(join(tmpdir(), 'tflc-out-'));
    const dir = repoWith({ 'stacks/prod/main.tf': s3Root('a') });
    symlinkSync('stacks/prod', join(dir, 'prod'));
    symlinkSync(outside, join(dir, 'elsewhere'));
    process.env.GITHUB_WORKSPACE = dir;
    process.env['INPUT_WORKING-DIRECTORY'] = 'prod';
    expect(workingDirectory()).toBe('prod');
    process.env['INPUT_WORKING-DIRECTORY'] = 'elsewhere';
    expect(() => workingDirectory()).toThrow(/^input "working-directory" must be a (path|folder) inside the workspace/);
    mkdirSync(dirname(join(dir, 'x/y')), { recursive: true });
  });
});
