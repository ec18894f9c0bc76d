// The shell reader (shell.ts): commands behind every shell keyword, values followed as bash follows
// them, and — against real bash — the same terraform commands in the same directories.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initShell, scanShell, type ShellOptions, type Val } from '../src/shell.js';
import { repoWith } from './helpers.js';

beforeAll(initShell);

const args = (...xs: string[]): Val[] => xs.map((s) => ({ s, known: true }));
/** "line:tool sub @dir [nolock] [t=…]" for each command. */
const cmds = (script: string, opts: ShellOptions = {}) =>
  scanShell(script, opts).commands.map((c) => `${c.line}:${c.tool} ${c.sub} @${c.chdir}${c.lockDisabled ? ' nolock' : ''}${c.lockTimeout ? ` t=${c.lockTimeout}` : ''}`);

describe('commands behind shell keywords are read (issue 24, item 1)', () => {
  test.each([
    ['if terraform apply -lock=false; then echo applied; fi', ['1:terraform apply @ nolock']],
    ['if ! terraform destroy -auto-approve; then exit 1; fi', ['1:terraform destroy @']],
    ['for d in network app; do terraform -chdir=stacks/$d apply -auto-approve; done', ['1:terraform apply @stacks/network', '1:terraform apply @stacks/app']],
    ['while read -r d; do\n  terraform -chdir="$d" apply\ndone < roots.txt', ['2:terraform apply @$d']],
    ['until terraform apply -lock-timeout=5m; do sleep 10; done', ['1:terraform apply @ t=5m']],
    ['{ terraform init; terraform apply; } 2>&1 | tee apply.log', ['1:terraform init @', '1:terraform apply @']],
    ['! terraform destroy', ['1:terraform destroy @']],
    ['cd infra && terraform plan || terraform apply', ['1:terraform plan @infra', '1:terraform apply @infra']],
    ['(cd infra && terraform apply)\nterraform apply', ['1:terraform apply @infra', '2:terraform apply @']],
    ['case "$ENV" in\n  prod) terraform -chdir=prod apply ;;\n  *) terraform -chdir=dev apply ;;\nesac', ['2:terraform apply @prod', '3:terraform apply @dev']],
    ['deploy() {\n  terraform -chdir="$1" apply -lock=false\n}\ndeploy infra', ['2:terraform apply @infra nolock']],
    ['OUT=$(terraform -chdir=a output -raw id)', ['1:terraform output @a']],
    ['[[ -n "$(terraform -chdir=a output -raw id)" ]] && echo ok', ['1:terraform output @a']],
    ['time terraform apply; sudo -E tofu destroy; timeout 30m terraform apply -lock=0', ['1:terraform apply @', '1:tofu destroy @', '1:terraform apply @ nolock']],
    ['aws-vault exec prod -- terraform apply -lock=false', ['1:terraform apply @ nolock']],
    ['bash -c "cd infra && terraform apply -lock=false"', ['1:terraform apply @infra nolock']],
    ['eval "terraform -chdir=infra apply"', ['1:terraform apply @infra']],
    ['bash -e <<EOF\ncd infra\nterraform apply\nEOF', ['1:terraform apply @infra']],
    ['command -v terraform && terraform version', ['1:terraform version @']],
  ])('%s', (script, want) => {
    expect(cmds(script)).toEqual(want);
  });
  test('deep nesting stops the walk instead of the stack (10,000 subshells, 5,000 nested $( ))', () => {
    expect(cmds(`${'('.repeat(10_000)}terraform apply${')'.repeat(10_000)}\nterraform -chdir=after apply`)).toEqual(['2:terraform apply @after']);
    expect(() => cmds(`echo ${'$('.repeat(5_000)}x${')'.repeat(5_000)}`)).not.toThrow();
    expect(() => cmds(`[[ ${'( '.repeat(5_000)}a == b${' )'.repeat(5_000)} ]] && terraform apply`)).not.toThrow();
  });
  test('a GitHub expression is one word, kept as written when not resolved', () => {
    expect(cmds("terraform -chdir=${{ matrix.root == 'a b' && 'x' || 'y' }} apply -lock=false")).toEqual(["1:terraform apply @${{ matrix.root == 'a b' && 'x' || 'y' }} nolock"]);
    // A multi-line expression keeps the line numbers of what follows.
    expect(cmds('echo ${{\n  github.sha }}\nterraform apply')).toEqual(['3:terraform apply @']);
  });
});

describe('terragrunt (item 2)', () => {
  test.each([
    ['terragrunt apply -auto-approve', 'terragrunt apply', 'apply', '', false, undefined],
    ['terragrunt run-all apply -lock=false --terragrunt-non-interactive', 'terragrunt run-all apply', 'apply', '', true, undefined],
    ['terragrunt run --all apply -lock-timeout=10m', 'terragrunt run --all apply', 'apply', '', false, '10m'],
    ['terragrunt run --all --working-dir live/prod -- destroy -lock=false', 'terragrunt run --all destroy', 'destroy', 'live/prod', true, undefined],
    ['terragrunt --terragrunt-working-dir live/dev --terragrunt-log-level debug apply-all', 'terragrunt run-all apply', 'apply', 'live/dev', false, undefined],
    ['terragrunt run-all plan', 'terragrunt run-all plan', 'plan', '', false, undefined],
  ])('%s', (script, label, sub, dir, lockDisabled, lockTimeout) => {
    expect(scanShell(script).commands[0]).toMatchObject({ tool: 'terragrunt', label, sub, chdir: dir, lockDisabled, lockTimeout });
  });
  test('TF_CLI_ARGS reaches the terraform that terragrunt runs', () => {
    expect(scanShell('TF_CLI_ARGS_apply=-lock=false terragrunt run-all apply').commands[0]).toMatchObject({ lockDisabled: true, lockFrom: 'TF_CLI_ARGS_apply' });
  });
});

describe('values: positional parameters, variables, conditions (item 8)', () => {
  // The shape of a real setup script: the third argument picks plan or apply.
  const setup = `#!/usr/bin/env bash
set -euo pipefail
ENV="\${1:?env}"
REGION="\${2:-eu-west-1}"
ACTION="\${3:-plan}"
cd "$(dirname "$0")/../envs/$ENV"
terraform init -backend-config="$REGION.tfbackend"
if [ "$ACTION" = "apply" ]; then
  terraform apply -auto-approve -lock-timeout=10m
else
  terraform plan -lock=false
fi
`;
  test('literal arguments pick the branch bash takes', () => {
    const o = { self: 'scripts/setup.sh' };
    expect(cmds(setup, { ...o, args: args('prod', 'eu-west-1', 'plan') })).toEqual(['7:terraform init @envs/prod', '11:terraform plan @envs/prod nolock']);
    expect(cmds(setup, { ...o, args: args('prod', 'us-east-1', 'apply') })).toEqual(['7:terraform init @envs/prod', '9:terraform apply @envs/prod t=10m']);
    // Defaults: no third argument is plan.
    expect(cmds(setup, { ...o, args: args('dev') })).toEqual(['7:terraform init @envs/dev', '11:terraform plan @envs/dev nolock']);
    // Not known (the script read on its own): both branches, in a directory not known.
    expect(cmds(setup, o)).toEqual(['7:terraform init @envs/${1:?env}', '9:terraform apply @envs/${1:?env} t=10m', '11:terraform plan @envs/${1:?env} nolock']);
    expect(scanShell(setup, { ...o, args: args('prod', 'eu', 'plan') }).commands[0].backendConfig).toEqual(['eu.tfbackend']);
  });
  test.each([
    ['case "$1" in\n  apply|destroy) terraform "$1" -auto-approve ;;\n  *) terraform plan ;;\nesac', ['destroy'], ['2:terraform destroy @']],
    ['case "$1" in\n  apply|destroy) terraform "$1" -auto-approve ;;\n  *) terraform plan ;;\nesac', ['plan'], ['3:terraform plan @']],
    ['[ "$1" = plan ] && exit 0\nterraform apply', ['plan'], []],
    ['[[ $1 == app* ]] || exit 0\nterraform apply', ['apply'], ['2:terraform apply @']],
    ['if [ -z "$2" ]; then terraform plan; else terraform "$2"; fi', ['x', 'apply'], ['1:terraform apply @']],
    ['ENV=$1; shift; terraform -chdir=envs/$ENV "$@"', ['prod', 'apply', '-auto-approve'], ['1:terraform apply @envs/prod']],
    ['set -- destroy\nterraform "$@"', ['apply'], ['2:terraform destroy @']],
    ['for a in "$@"; do terraform -chdir="$a" apply; done', ['x', 'y'], ['1:terraform apply @x', '1:terraform apply @y']],
    ['main() { terraform "$1"; }\nmain "$@"', ['plan'], ['1:terraform plan @']],
    ['test "$1" != apply || terraform apply', ['apply'], ['1:terraform apply @']],
  ])('%s with %j', (script, a, want) => {
    expect(cmds(script, { args: args(...a) })).toEqual(want);
  });
  test('variables: defaults, case changes, suffix removal, branches that disagree', () => {
    expect(cmds('TF="${TF_BIN:-terraform}"\n$TF -chdir=infra apply')).toEqual(['2:terraform apply @infra']);
    expect(cmds('ROOT=Stacks/App/\ncd "${ROOT,,}" && terraform apply')).toEqual(['2:terraform apply @stacks/app']);
    expect(cmds('F=envs/prod/main.tf\nterraform -chdir="${F%/*}" apply')).toEqual(['2:terraform apply @envs/prod']);
    expect(cmds('if [ -d infra ]; then cd infra; fi\nterraform apply')).toEqual(['2:terraform apply @$PWD']);
    expect(cmds('if [ "$X" = a ]; then D=one; else D=two; fi\nterraform -chdir=$D apply', { env: { X: 'a' } })).toEqual(['2:terraform apply @one']);
    expect(cmds('if [ "$X" = a ]; then D=one; else D=two; fi\nterraform -chdir=$D apply')).toEqual(['2:terraform apply @$D']);
  });
  test('$0, BASH_SOURCE, $GITHUB_WORKSPACE and $(cd … && pwd) are repository paths', () => {
    const o = { self: 'ops/bin/deploy.sh', base: 'somewhere/else' };
    expect(cmds('HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"\ncd "$HERE/../../infra"\nterraform apply', o)).toEqual(['3:terraform apply @infra']);
    expect(cmds('cd "${0%/*}/../../infra" && terraform apply', o)).toEqual(['1:terraform apply @infra']);
    expect(cmds('cd "$GITHUB_WORKSPACE/infra"; terraform apply', o)).toEqual(['1:terraform apply @infra']);
    expect(cmds('cd "$(git rev-parse --show-toplevel)/infra"; terraform apply', o)).toEqual(['1:terraform apply @infra']);
  });
  test('calls carry their arguments; unknown ones stay unknown', () => {
    const r = scanShell('./scripts/tf.sh prod apply && bash -eu setup.sh a b "$X" && make -C ops apply ENV=prod');
    expect(r.calls.map((c) => [c.kind, c.path, c.args?.map((a) => (a.known ? a.s : `?${a.s}`)), c.targets])).toEqual([
      ['script', 'scripts/tf.sh', ['prod', 'apply'], []],
      ['script', 'setup.sh', ['a', 'b', '?$X'], []],
      ['make', 'ops', undefined, ['apply']],
    ]);
  });
});

describe('arrays and the commands other commands run', () => {
  test('a bash array of flags is expanded: "${ARGS[@]}", ARGS+=(…), ${#ARGS[@]}, ${ARGS[0]}', () => {
    expect(cmds('ARGS=(-input=false -lock-timeout=10m)\nARGS+=(-auto-approve)\nterraform apply "${ARGS[@]}"')).toEqual(['3:terraform apply @ t=10m']);
    expect(scanShell('A=(x "y z")\nterraform -chdir="${A[1]}" apply -lock=$((1-1))').commands[0]).toMatchObject({ chdir: 'y z' });
    expect(cmds('A=(a b)\nif [ "${#A[@]}" -eq 2 ]; then terraform apply; fi')).toEqual(['2:terraform apply @']);
    // An array a branch may or may not extend is unknown after it.
    expect(scanShell('A=()\nif [ -n "$X" ]; then A+=(-lock=false); fi\nterraform apply "${A[@]}"').commands[0].args).toEqual(['apply', '${A[@]}']);
  });
  test('xargs, find -exec and docker run', () => {
    expect(cmds('ls -d stacks/* | xargs -I{} terraform -chdir={} apply -lock-timeout=5m')).toEqual(['1:terraform apply @$XARGS_ITEM t=5m']);
    expect(cmds("find . -name backend.tf -execdir terraform apply -auto-approve ';'")).toEqual(['1:terraform apply @$FOUND_DIR']);
    expect(cmds('docker run --rm -v "$PWD:/w" -w /w/infra hashicorp/terraform:1.11.4 apply -lock=false', { base: 'ops' })).toEqual(['1:terraform apply @ops/infra nolock']);
    expect(cmds('docker run --rm -v "$GITHUB_WORKSPACE":/src -w /src ghcr.io/opentofu/opentofu:1.10.6 -chdir=infra destroy')).toEqual(['1:tofu destroy @infra']);
    expect(cmds('docker run --rm --entrypoint sh hashicorp/terraform:1.11.4 -c "terraform apply"')).toEqual(['1:terraform apply @$CONTAINER_WORKDIR']);
    expect(cmds('docker run --rm alpine:3 terraform apply')).toEqual([]);
  });
});

describe('$GITHUB_ENV and source', () => {
  test('echo, printf, a heredoc and a group write variables for the later steps', () => {
    const r = scanShell(
      'echo "TF_CLI_ARGS_apply=-lock=false" >> "$GITHUB_ENV"\nprintf \'%s\\n\' "A=1" >>$GITHUB_ENV\ncat <<EOF >> "$GITHUB_ENV"\nB=$ENV\nEOF\n{ echo C=3; echo D=4; } >> "$GITHUB_ENV"\necho E=5 >> "$GITHUB_OUTPUT"',
      { env: { ENV: 'prod' } },
    );
    expect(r.githubEnv).toEqual({ TF_CLI_ARGS_apply: '-lock=false', A: '1', B: 'prod', C: '3', D: '4' });
  });
  test('a sourced file runs in the same shell: its variables and functions, its commands at its own lines', () => {
    const files = { 'scripts/lib.sh': 'ROOT=infra\napply() {\n  terraform -chdir="$ROOT" apply -lock=false\n}\n' };
    const r = scanShell('source ./scripts/lib.sh\napply', { files: { has: (p) => p in files, read: (p) => files[p as keyof typeof files] } });
    expect(r.commands.map((c) => [c.file, c.line, c.chdir, c.lockDisabled, c.entryLine])).toEqual([['scripts/lib.sh', 3, 'infra', true, 2]]);
    expect(r.sourced).toEqual(['scripts/lib.sh']);
  });
  test('a script no workflow calls: functions it never calls are read too', () => {
    expect(cmds('destroy_all() { terraform destroy -auto-approve; }', { standalone: true })).toEqual(['1:terraform destroy @']);
    expect(cmds('destroy_all() { terraform destroy -auto-approve; }')).toEqual([]);
  });
});

// Real bash, with stand-in terraform/tofu/terragrunt executables (fakes: they only log their working
// directory and arguments) on PATH: the commands bash runs must be the commands the reader finds.
describe('against real bash', () => {
  const fake = `#!/bin/sh\nprintf '%s\\t%s\\t%s\\n' "$(basename "$0")" "$(pwd -P)" "$*" >> "$TF_FAKE_LOG"\n`;
  const scripts: Record<string, string> = {
    'scripts/setup.sh': `#!/usr/bin/env bash
set -euo pipefail
ENV="\${1:?env}"; REGION="\${2:-eu-west-1}"; ACTION="\${3:-plan}"
cd "$(dirname "$0")/../envs/$ENV"
terraform init -input=false -backend-config="$REGION.tfbackend"
if [ "$ACTION" = "apply" ]; then
  terraform apply -auto-approve -lock-timeout=10m
else
  terraform plan -lock=false
fi
`,
    'scripts/tf.sh': `#!/bin/bash
# Usage: tf.sh <env> <terraform args…>
ENV=$1; shift
case "$1" in
  apply|destroy) extra="-lock-timeout=5m" ;;
  *) extra="" ;;
esac
for stack in network app; do
  ( cd "envs/$ENV/$stack" && terraform "$@" $extra )
done
[[ "$1" == destroy ]] && exit 0
tofu -chdir="envs/$ENV" output
`,
    'scripts/tg.sh': `#!/bin/bash
set -e
run() {
  local dir=$1; shift
  terragrunt run --all --working-dir "live/$dir" -- "$@"
}
if [ "\${1:-}" = "--apply" ]; then run prod apply -lock-timeout=20m; else run prod plan; fi
`,
  };
  const dirs = ['envs/prod/network', 'envs/prod/app', 'envs/dev/network', 'envs/dev/app', 'live/prod'];
  const cases: Array<[string, string[]]> = [
    ['scripts/setup.sh', ['prod', 'us-east-1', 'apply']],
    ['scripts/setup.sh', ['dev']],
    ['scripts/tf.sh', ['prod', 'apply', '-auto-approve']],
    ['scripts/tf.sh', ['dev', 'destroy']],
    ['scripts/tf.sh', ['dev', 'plan']],
    ['scripts/tg.sh', ['--apply']],
    ['scripts/tg.sh', []],
  ];
  test.each(cases)('%s %j', (script, argv) => {
    const repo = repoWith(scripts);
    for (const d of dirs) mkdirSync(join(repo, d), { recursive: true });
    const bin = join(repo, '.fake-bin');
    mkdirSync(bin);
    for (const t of ['terraform', 'tofu', 'terragrunt']) {
      writeFileSync(join(bin, t), fake);
      chmodSync(join(bin, t), 0o755);
    }
    const log = join(repo, '.fake.log');
    writeFileSync(log, '');
    execFileSync('bash', [script, ...argv], { cwd: repo, env: { PATH: `${bin}:${process.env.PATH}`, TF_FAKE_LOG: log } });
    // What bash ran: the tool, its arguments, and the directory it acts on (where it stood, moved by
    // terraform's -chdir= or terragrunt's --working-dir).
    const real = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [tool, cwd, line] = l.split('\t');
        const moved = /(?:^| )-chdir=(\S+)|--working-dir (\S+)/.exec(line);
        const at = [cwd.slice(repo.length + 1), moved?.[1] ?? moved?.[2]].filter(Boolean).join('/');
        return `${tool} ${line} @${at}`;
      });
    const read = scanShell(scripts[script], { self: script, args: args(...argv) }).commands.map((c) => `${c.tool} ${c.args.join(' ')} @${c.chdir}`);
    expect(real.length).toBeGreaterThan(0);
    expect(read.sort()).toEqual(real.sort());
  });
});
