// Issue 24, tf-lock-check: each item with a positive fixture (the rule fires, the apply is seen) and a
// negative one (no false alarm). Item 1 (the shell reader) is in shell.test.ts; the whole corpus, with
// its false-alarm and miss counts, in corpus.integration.test.ts.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { initHcl } from '../src/hcl.js';
import { scanRepo } from '../src/repo.js';
import { lint } from '../src/rules.js';
import { initShell } from '../src/shell.js';
import { parseMakefile } from '../src/wrappers.js';
import { repoWith, s3Root } from './helpers.js';

beforeAll(() => Promise.all([initHcl(), initShell()]));

const opts = { flavor: 'auto' as const, terraformVersion: [1, 11, 4] as [number, number, number] };
const run = (files: Record<string, string>) => lint(scanRepo(repoWith(files)), opts);
const ids = (files: Record<string, string>) =>
  run(files)
    .map((f) => `${f.ruleId} ${f.location?.path}:${f.location?.startLine}`)
    .sort();

const GROUP = 'concurrency:\n  group: terraform\n  cancel-in-progress: false\n';
/** A push workflow with one job whose steps are `steps` (YAML, indented 6). */
const wf = (steps: string, top = '', on = 'push:\n    branches: [main]') => `name: wf\non:\n  ${on}\n${top}jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n${steps}`;
const INFRA = { 'infra/main.tf': s3Root('infra') };

describe('2. terragrunt applies', () => {
  const unit = { 'live/prod/app/terragrunt.hcl': 'include "root" {\n  path = find_in_parent_folders("root.hcl")\n}\n' };
  const root = (args: string) =>
    `remote_state {\n  backend = "s3"\n  config = {\n    bucket = "b"\n    key    = "\${path_relative_to_include()}/terraform.tfstate"\n  }\n}\n\nterraform {\n  extra_arguments "locking" {\n    commands  = get_terraform_commands_that_need_locking()\n    arguments = [${args}]\n  }\n}\n`;
  test('positive: run-all apply with no -lock-timeout and no group; -lock=false passed through', () => {
    expect(ids({ ...unit, 'root.hcl': root(''), '.github/workflows/a.yml': wf('      - run: terragrunt run-all apply --terragrunt-working-dir live/prod\n') })).toEqual([
      'TFLOCK007 .github/workflows/a.yml:9',
      'TFLOCK008 .github/workflows/a.yml:6',
    ]);
    const f = run({
      ...unit,
      'root.hcl': root(''),
      '.github/workflows/a.yml': wf('      - run: terragrunt run --all --working-dir live/prod -- apply -lock=false -lock-timeout=5m\n', GROUP),
    });
    expect(f.map((x) => x.message)).toEqual(['`terragrunt run --all apply` runs with -lock=false in live/prod.']);
  });
  test("negative: a -lock-timeout in root.hcl's extra_arguments counts for the units below it; a terragrunt unit is not local state", () => {
    expect(
      ids({ ...unit, 'root.hcl': root('"-lock-timeout=20m"'), '.github/workflows/a.yml': wf('      - run: terragrunt run-all apply --terragrunt-working-dir live/prod\n', GROUP) }),
    ).toEqual([]);
    expect(
      ids({
        ...unit,
        'root.hcl': root(''),
        'live/prod/app/main.tf': 'resource "terraform_data" "x" {}\n',
        '.github/workflows/a.yml': wf('      - run: cd live/prod/app && terragrunt apply -lock-timeout=1m\n', GROUP),
      }),
    ).toEqual([]);
  });
  test('positive: -lock=false in extra_arguments is named where it is set', () => {
    const f = run({
      ...unit,
      'root.hcl': root('"-lock=false"'),
      '.github/workflows/a.yml': wf('      - run: terragrunt run-all apply --terragrunt-working-dir live/prod -lock-timeout=5m\n', GROUP),
    });
    expect(f.map((x) => x.message)).toEqual(['`terragrunt run-all apply` runs with -lock=false (set in root.hcl extra_arguments "locking") in live/prod.']);
  });
});

describe('3. applies through actions', () => {
  const partial = {
    'infra/prod/main.tf': 'terraform {\n  backend "s3" {\n    key = "prod.tfstate"\n  }\n}\n',
    'infra/backends/prod.tfbackend': 'bucket = "b"\nregion = "us-east-1"\nencrypt = true\n',
  };
  const dflook = (action: string, extra = '') =>
    `      - uses: dflook/${action}@v2\n        with:\n          path: infra/prod\n          backend_config_file: infra/backends/prod.tfbackend\n${extra}`;
  test('dflook: an apply with a -lock-timeout of its own; backend_config_file completes the backend (here without locking)', () => {
    const f = run({ ...partial, '.github/workflows/a.yml': wf(dflook('terraform-apply')) });
    expect(f.map((x) => `${x.ruleId} ${x.location?.path}:${x.location?.startLine}`)).toEqual(['TFLOCK001 infra/prod/main.tf:2', 'TFLOCK008 .github/workflows/a.yml:6']);
    expect(f[0].message).toContain('(with infra/backends/prod.tfbackend)');
    expect(f[1].message).toBe('job "deploy" runs `dflook/terraform-apply` but has no concurrency group (job or workflow level).');
  });
  test('dflook: destroy, destroy: true, tofu; TF_CLI_ARGS in the step env reaches the tool inside', () => {
    const lockfile = { ...partial, 'infra/backends/prod.tfbackend': 'bucket = "b"\nuse_lockfile = true\nencrypt = true\n' };
    expect(ids({ ...lockfile, '.github/workflows/a.yml': wf(dflook('tofu-destroy')) })).toEqual(['TFLOCK008 .github/workflows/a.yml:6']);
    expect(run({ ...lockfile, '.github/workflows/a.yml': wf(dflook('terraform-apply', '          destroy: true\n')) })[0].message).toContain('`dflook/terraform-apply (destroy)`');
    const env = run({ ...lockfile, '.github/workflows/a.yml': wf(`${dflook('terraform-apply')}        env:\n          TF_CLI_ARGS_apply: -lock=false\n`, GROUP) });
    expect(env.map((x) => x.message)).toEqual(['`dflook/terraform-apply` runs with -lock=false (set in TF_CLI_ARGS_apply) in infra/prod.']);
  });
  test('negative: dflook/terraform-plan and an action we do not know apply nothing', () => {
    expect(
      ids({ ...INFRA, '.github/workflows/a.yml': wf('      - uses: dflook/terraform-plan@v2\n        with:\n          path: infra\n      - uses: acme/whatever@v1\n') }),
    ).toEqual([]);
  });
  test('gruntwork-io/terragrunt-action: tg_command in tg_dir', () => {
    const f = run({
      'live/terragrunt.hcl': 'inputs = {}\n',
      '.github/workflows/a.yml': wf('      - uses: gruntwork-io/terragrunt-action@v3\n        with:\n          tg_dir: live\n          tg_command: run --all apply\n'),
    });
    expect(f.map((x) => x.message)).toEqual([
      '`gruntwork-io/terragrunt-action (terragrunt run --all apply)` in live has no -lock-timeout, so it fails at once when the state is locked.',
      'job "deploy" runs `gruntwork-io/terragrunt-action (terragrunt run --all apply)` but has no concurrency group (job or workflow level).',
    ]);
  });
  test('HCP Terraform runs (tfc-workflows-github) queue themselves; tfaction applies', () => {
    const tfc =
      '      - uses: hashicorp/tfc-workflows-github/actions/create-run@v1.3.2\n        with:\n          workspace: w\n      - uses: hashicorp/tfc-workflows-github/actions/apply-run@v1.3.2\n        with:\n          run: x\n';
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf(tfc) })).toEqual([]);
    const tfaction = (action: string) => `      - uses: suzuki-shunsuke/tfaction@v2.1.0\n        with:\n          action: ${action}\n`;
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf(tfaction('apply')) })).toEqual(['TFLOCK007 .github/workflows/a.yml:9', 'TFLOCK008 .github/workflows/a.yml:6']);
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf(tfaction('plan')) })).toEqual([]);
  });
  test('docker:// terraform images run `args:`', () => {
    expect(
      ids({
        ...INFRA,
        '.github/workflows/a.yml': wf(
          '      - uses: docker://hashicorp/terraform:1.11.4\n        with:\n          args: -chdir=infra apply -auto-approve -lock-timeout=5m\n',
          GROUP,
        ),
      }),
    ).toEqual([]);
    expect(
      ids({ ...INFRA, '.github/workflows/a.yml': wf('      - uses: docker://hashicorp/terraform:1.11.4\n        with:\n          args: -chdir=infra apply -lock=0\n', GROUP) }),
    ).toEqual(['TFLOCK006 .github/workflows/a.yml:12', 'TFLOCK007 .github/workflows/a.yml:12']);
  });
  test('a local Docker action: its entrypoint script runs with runs.args, inputs substituted; a composite inside a composite uses a known action', () => {
    const action = {
      'terraform-apply/action.yml':
        'name: apply\ndescription: d\ninputs:\n  root:\n    description: r\nruns:\n  using: docker\n  image: Dockerfile\n  args:\n    - ${{ inputs.root }}\n',
      'terraform-apply/Dockerfile': 'FROM hashicorp/terraform:1.11.4\nCOPY apply.sh /usr/local/bin/apply.sh\nENTRYPOINT ["/usr/local/bin/apply.sh"]\n',
      'terraform-apply/apply.sh': '#!/bin/sh\nterraform -chdir="$1" apply -auto-approve -lock=false\n',
    };
    const f = run({ ...INFRA, ...action, '.github/workflows/a.yml': wf('      - uses: ./terraform-apply\n        with:\n          root: infra\n', GROUP) });
    expect(f.map((x) => `${x.ruleId} ${x.location?.path}:${x.location?.startLine} ${x.message}`)).toEqual([
      'TFLOCK006 terraform-apply/apply.sh:2 `terraform apply` runs with -lock=false in infra (run from .github/workflows/a.yml:12); it also has no -lock-timeout.',
      'TFLOCK007 terraform-apply/apply.sh:2 `terraform apply` in infra (run from .github/workflows/a.yml:12) has no -lock-timeout, so it fails at once when the state is locked.',
    ]);
    const composite = 'name: c\ndescription: d\nruns:\n  using: composite\n  steps:\n    - uses: dflook/terraform-apply@v2\n      with:\n        path: infra\n';
    expect(ids({ ...INFRA, '.github/actions/c/action.yml': composite, '.github/workflows/a.yml': wf('      - uses: ./.github/actions/c\n') })).toEqual([
      'TFLOCK008 .github/workflows/a.yml:6',
    ]);
  });
});

describe('manual runs: every option of a choice input', () => {
  const dispatch = 'workflow_dispatch:\n    inputs:\n      command:\n        type: choice\n        options: [plan, apply]\n        default: plan';
  test('positive: the default is plan, but a person can pick apply', () => {
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf('      - run: terraform -chdir=infra ${{ inputs.command }} -lock-timeout=5m\n', '', dispatch) })).toEqual([
      'TFLOCK008 .github/workflows/a.yml:10',
    ]);
  });
  test('negative: options that only plan', () => {
    const planOnly = dispatch.replace('[plan, apply]', '[plan, validate]');
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf('      - run: terraform -chdir=infra ${{ inputs.command }} -lock-timeout=5m\n', '', planOnly) })).toEqual([]);
  });
});

describe('5. partial backends', () => {
  const stack = (name: string) => ({ [`stacks/${name}/main.tf`]: `terraform {\n  backend "s3" {\n    key = "${name}.tfstate"\n  }\n}\n` });
  const shared = (lock: string) => ({
    'backends/dev.tfbackend': `bucket = "d"\n${lock}encrypt = true\n`,
    'backends/prod.tfbackend': 'bucket = "p"\nuse_lockfile = true\nencrypt = true\n',
  });
  test('negative: shared .tfbackend files beside the roots all lock: clean, with no init naming them', () => {
    expect(ids({ ...stack('a'), ...stack('b'), ...shared('use_lockfile = true\n') })).toEqual([]);
  });
  test('a shared file that does not lock: a notice naming it, never a high', () => {
    const f = run({ ...stack('a'), ...shared('') });
    expect(f.map((x) => [x.ruleId, x.severity, x.message])).toEqual([
      [
        'TFLOCK014',
        'info',
        's3 backend of stacks/a leaves bucket to terraform init; no init in CI names the file that completes it; of the shared .tfbackend files beside it, backends/dev.tfbackend sets neither use_lockfile nor dynamodb_table.',
      ],
    ]);
  });
  test('none in the repository: a notice; the block itself locking: nothing; an init that names the file: checked for real', () => {
    expect(run(stack('a')).map((x) => [x.ruleId, x.severity, x.message])).toEqual([
      ['TFLOCK014', 'info', 's3 backend of stacks/a leaves bucket to terraform init; no init in CI names the file or values that complete it, so its locking is not checked.'],
    ]);
    expect(ids({ 'stacks/a/main.tf': 'terraform {\n  backend "s3" {\n    key = "a"\n    use_lockfile = true\n  }\n}\n' })).toEqual([]);
    const init = wf('      - run: terraform -chdir=stacks/a init -backend-config=../../backends/dev.tfbackend\n');
    expect(ids({ ...stack('a'), ...shared(''), '.github/workflows/a.yml': init })).toEqual(['TFLOCK001 stacks/a/main.tf:2']);
  });
  test('-backend-config values not known before run time are neither true nor false', () => {
    const init = (v: string) => wf(`      - run: terraform -chdir=stacks/a init -backend-config="bucket=b" -backend-config="use_lockfile=${v}" -backend-config="encrypt=true"\n`);
    expect(ids({ ...stack('a'), '.github/workflows/a.yml': init('$USE_LOCKFILE') })).toEqual([]);
    expect(ids({ ...stack('a'), '.github/workflows/a.yml': init('false') })).toEqual(['TFLOCK001 stacks/a/main.tf:2']);
  });
  test('a key taken from the shared file is not a key the roots share', () => {
    const keyless = (n: string) => ({ [`stacks/${n}/main.tf`]: 'terraform {\n  backend "s3" {}\n}\n' });
    expect(ids({ ...keyless('a'), ...keyless('b'), 'backends/all.tfbackend': 'bucket = "x"\nkey = "k"\nuse_lockfile = true\nencrypt = true\n' })).toEqual([]);
  });
});

describe('6. templates and placeholders', () => {
  const tpl = (bucket: string, key: string, extra = '') =>
    `terraform {\n  backend "s3" {\n    bucket = "${bucket}"\n    key    = "${key}"\n${extra}    use_lockfile = true\n    encrypt = true\n  }\n}\n`;
  test.each([
    ['UPDATE_ME', 'network.tfstate', ''],
    ['CHANGE-ME', 'network.tfstate', ''],
    ['your-state-bucket', 'network.tfstate', ''],
    ['<bucket>', 'network.tfstate', ''],
    ['acme', 'network.tfstate', '    workspace_key_prefix = "$name"\n'],
    ['acme', 'TODO', ''],
  ])('negative: alternative roots with %j / %j are not a shared state', (bucket, key, extra) => {
    expect(ids({ 'templates/hub/backend.tf': tpl(bucket, key, extra), 'templates/spoke/backend.tf': tpl(bucket, key, extra) })).toEqual([]);
  });
  test('positive: real values are still a shared state', () => {
    expect(ids({ 'a/backend.tf': tpl('acme', 'network.tfstate'), 'b/backend.tf': tpl('acme', 'network.tfstate') })).toEqual([
      'TFLOCK004 a/backend.tf:4',
      'TFLOCK004 b/backend.tf:4',
    ]);
  });
});

describe('7. local state', () => {
  const local = { 'tools/main.tf': 'resource "terraform_data" "x" {}\n' };
  test('a local-state root CI applies gets TFLOCK005 only (no lock timeout, no concurrency, no -lock=false)', () => {
    expect(ids({ ...INFRA, ...local, '.github/workflows/a.yml': wf('      - run: terraform -chdir=tools apply -auto-approve -lock=false\n') })).toEqual([
      'TFLOCK005 .github/workflows/a.yml:9',
    ]);
  });
  test('negative: a module repository applying examples in a loop; a bootstrap script no workflow runs', () => {
    const loop = '      - run: |\n          for d in examples/*/; do (cd "$d" && terraform init && terraform apply -auto-approve && terraform destroy -auto-approve); done\n';
    expect(ids({ 'main.tf': 'variable "x" {}\n', 'examples/a/main.tf': 'module "m" {\n  source = "../.."\n  x = 1\n}\n', '.github/workflows/a.yml': wf(loop) })).toEqual([]);
    expect(ids({ ...INFRA, 'bootstrap/main.tf': 'resource "terraform_data" "b" {}\n', 'scripts/bootstrap.sh': 'terraform -chdir=bootstrap apply\n' })).toEqual([]);
  });
  test('positive: the same loop in a repository that has a remote backend is not assumed local', () => {
    const loop = '      - run: for d in stacks/*/; do terraform -chdir="$d" apply -auto-approve; done\n';
    expect(ids({ ...INFRA, '.github/workflows/a.yml': wf(loop) })).toEqual(['TFLOCK007 .github/workflows/a.yml:9', 'TFLOCK008 .github/workflows/a.yml:6']);
  });
});

describe('8. script arguments (workflow level)', () => {
  const script = '#!/bin/bash\nset -eu\ncd "envs/$2"\nif [ "$3" = apply ]; then\n  terraform apply -auto-approve -lock-timeout=5m\nelse\n  terraform plan\nfi\n';
  const envs = { 'envs/dev/main.tf': s3Root('dev'), 'setup.sh': script };
  test('negative: `bash setup.sh acme dev plan` plans, so a job without a group is fine', () => {
    expect(ids({ ...envs, '.github/workflows/a.yml': wf('      - run: bash setup.sh acme dev plan\n') })).toEqual([]);
  });
  test('positive: `apply` as the third argument, or an argument not known, applies', () => {
    expect(ids({ ...envs, '.github/workflows/a.yml': wf('      - run: bash setup.sh acme dev apply\n') })).toEqual(['TFLOCK008 .github/workflows/a.yml:6']);
    expect(ids({ ...envs, '.github/workflows/a.yml': wf('      - run: bash setup.sh acme dev "${{ vars.ACTION }}"\n') })).toEqual(['TFLOCK008 .github/workflows/a.yml:6']);
  });
});

describe('9. a workflow-level group names every job that applies or destroys', () => {
  const two = `name: wf\non: push\nconcurrency:\n  group: tf-\${{ github.sha }}\n  cancel-in-progress: true\njobs:\n  apply:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=infra apply -auto-approve -lock-timeout=5m\n  nightly:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=infra destroy -auto-approve -lock-timeout=5m\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terraform -chdir=infra plan\n`;
  test('TFLOCK009 and TFLOCK010 once each, naming both jobs (not the plan job)', () => {
    const f = run({ ...INFRA, '.github/workflows/a.yml': two });
    expect(f.map((x) => `${x.ruleId} ${x.location?.startLine} ${x.message}`)).toEqual([
      'TFLOCK009 5 jobs "apply" (apply), "nightly" (destroy) run under concurrency group "tf-${{ github.sha }}" with cancel-in-progress: true.',
      'TFLOCK010 3 jobs "apply" (apply), "nightly" (destroy) run under concurrency group "tf-${{ github.sha }}", which differs on every run.',
    ]);
  });
});

describe('10. the same key in the default workspace', () => {
  const root = (prefix: string, key = 'shared.tfstate') => s3Root(key, `use_lockfile = true\n    encrypt = true\n    workspace_key_prefix = "${prefix}"`);
  test('positive: same bucket and key, different workspace_key_prefix: a low note on each', () => {
    const f = run({ 'a/main.tf': root('a'), 'b/main.tf': root('b') });
    expect(f.map((x) => `${x.ruleId} ${x.severity} ${x.location?.path}:${x.location?.startLine}`)).toEqual(['TFLOCK015 low a/main.tf:5', 'TFLOCK015 low b/main.tf:5']);
    expect(f[0].message).toBe(
      'a (backend block) and b (backend block) write s3://tfstate/shared.tfstate in the default workspace: their workspace_key_prefix differs, but it only applies to other workspaces.',
    );
  });
  test('negative: the same prefix is TFLOCK004 (not also 015); different keys are nothing', () => {
    expect(ids({ 'a/main.tf': root('a'), 'b/main.tf': root('a') }).map((x) => x.split(' ')[0])).toEqual(['TFLOCK004', 'TFLOCK004']);
    expect(ids({ 'a/main.tf': root('a', 'a.tfstate'), 'b/main.tf': root('b', 'b.tfstate') })).toEqual([]);
  });
});

describe('Makefiles as real ones are written', () => {
  test('pattern rules ($* the stem), include, $(CURDIR), and ?= that keeps the environment', () => {
    const mk = parseMakefile('ENV ?= dev\napply-%:\n\tterraform -chdir=envs/$* apply\n', {}, { ENV: 'prod' });
    expect(mk.vars.ENV).toBe('prod');
    const files = {
      ...{ 'envs/prod/main.tf': s3Root('p') },
      Makefile: 'include mk/tf.mk\n',
      'mk/tf.mk': 'TF = terraform -chdir=$(CURDIR)/envs/$*\napply-%:\n\t$(TF) apply -auto-approve\n',
      '.github/workflows/a.yml': wf('      - run: make apply-prod\n', GROUP),
    };
    const repo = scanRepo(repoWith(files));
    expect(repo.commands.map((c) => `${c.file}:${c.line} ${c.sub} in ${c.dir}`)).toEqual(['mk/tf.mk:3 apply in envs/prod']);
  });
});
