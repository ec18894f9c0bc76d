// Actions that apply. A `uses:` step runs no shell we can read, so the ones teams apply with are listed
// here with what they run (from each action's own source): the subcommand, the root they run in (an
// input), the lock flags they pass themselves, and the inputs that reach `init -backend-config`. An
// apply through one of them belongs to its job like any `run:` apply, so the job rules see it.
// Docker images whose entrypoint is terraform/tofu (`uses: docker://hashicorp/terraform:1.9`) run
// `args:` as a command line. Local actions (`uses: ./…`) are followed in workflows.ts.
import { cliArgs, imageEntrypoint, joinRel, terragruntCommand, tfCommand, type TfCommand, type Tool, WORKSPACE_MARK } from './commands.js';
import { scanShell } from './shell.js';

type With = Record<string, string>;

interface KnownAction {
  tool: Tool;
  /** The command lines the action runs, from its inputs; `dir` is workspace-relative. */
  run: (w: With) => Array<{ argv: string[]; dir: string }> | undefined;
  /** HCP Terraform / TFE runs: queued and locked by the service. */
  remote?: boolean;
}

// dflook/terraform-github-actions (image/entrypoints/*.sh, image/actions.sh): `init` with
// -backend-config from `backend_config_file` (workspace-relative paths) and `backend_config`, split
// on commas and blanks; then apply/destroy with a fixed -lock-timeout=300s. `destroy: true` on the
// apply action applies a destroy plan.
const list = (v: string | undefined) => (v ?? '').split(/[,\s]+/).filter(Boolean);
const dflook =
  (sub: 'apply' | 'destroy') =>
  (w: With): Array<{ argv: string[]; dir: string }> => {
    const dir = joinRel('', w.path ?? '.');
    const init = ['init', ...list(w.backend_config_file).map((f) => `-backend-config=${WORKSPACE_MARK}${f}`), ...list(w.backend_config).map((c) => `-backend-config=${c}`)];
    const verb = sub === 'apply' && w.destroy === 'true' ? 'destroy' : sub;
    return [
      { argv: init, dir },
      { argv: [verb, '-input=false', '-no-color', '-auto-approve', '-lock-timeout=300s'], dir },
    ];
  };

const KNOWN_ACTIONS: Record<string, KnownAction> = {
  'dflook/terraform-apply': { tool: 'terraform', run: dflook('apply') },
  'dflook/terraform-destroy': { tool: 'terraform', run: dflook('destroy') },
  'dflook/terraform-destroy-workspace': { tool: 'terraform', run: dflook('destroy') },
  'dflook/tofu-apply': { tool: 'tofu', run: dflook('apply') },
  'dflook/tofu-destroy': { tool: 'tofu', run: dflook('destroy') },
  'dflook/tofu-destroy-workspace': { tool: 'tofu', run: dflook('destroy') },
  // gruntwork-io/terragrunt-action: `terragrunt <tg_command>` in tg_dir (src/main.sh).
  'gruntwork-io/terragrunt-action': {
    tool: 'terragrunt',
    run: (w) => (w.tg_command ? [{ argv: cliArgs(w.tg_command), dir: joinRel('', w.tg_dir ?? '') }] : undefined),
  },
  // hashicorp/tfc-workflows-github: API-driven runs on HCP Terraform.
  'hashicorp/tfc-workflows-github/actions/apply-run': { tool: 'terraform', remote: true, run: () => [{ argv: ['apply'], dir: '$HCP_TERRAFORM_WORKSPACE' }] },
  'hashicorp/tfc-workflows-github/actions/create-run': {
    tool: 'terraform',
    remote: true,
    run: (w) => (w.plan_only === 'true' ? undefined : [{ argv: [w.is_destroy === 'true' ? 'destroy' : 'apply'], dir: '$HCP_TERRAFORM_WORKSPACE' }]),
  },
  // suzuki-shunsuke/tfaction: `terraform apply -auto-approve -no-color -input=false <plan>` in the
  // target its config picks at run time (src/actions/apply/terraform.ts); v1's `action: apply`, and
  // the older `tfaction/apply` action.
  'suzuki-shunsuke/tfaction': {
    tool: 'terraform',
    run: (w) =>
      w.action === 'apply' || (w.action ?? '').includes('${{') ? [{ argv: ['apply', '-auto-approve', '-no-color', '-input=false'], dir: '$TFACTION_WORKING_DIR' }] : undefined,
  },
  'suzuki-shunsuke/tfaction/apply': { tool: 'terraform', run: () => [{ argv: ['apply', '-auto-approve', '-no-color', '-input=false'], dir: '$TFACTION_WORKING_DIR' }] },
};

/** `owner/repo[/path]` of a `uses:` value, without the ref. */
const actionName = (uses: string): string => uses.replace(/@.*$/, '').toLowerCase();

/**
 * The commands a marketplace action or a `docker://` image runs, at the step's line; undefined when it
 * is not one we know. `env` is the step's environment (TF_CLI_ARGS reaches the tool inside).
 */
export function actionCommands(uses: string, w: With, env: Record<string, string>, line: number): TfCommand[] | undefined {
  if (uses.startsWith('docker://')) {
    const entry = w.entrypoint || imageEntrypoint(uses.slice('docker://'.length));
    return entry ? commandLine(entry, w.args ?? '', env, line, '') : undefined;
  }
  const name = actionName(uses);
  const known = KNOWN_ACTIONS[name];
  if (!known) return undefined;
  const runs = known.run(w);
  if (!runs) return [];
  return runs.map(({ argv, dir }) => {
    const cmd = known.tool === 'terragrunt' ? terragruntCommand(argv, line, dir, env) : tfCommand(known.tool, argv, line, dir, env);
    // Named by the action: `dflook/terraform-apply`, `dflook/terraform-apply (destroy)` for destroy: true.
    const verb = known.tool === 'terragrunt' ? ` (${cmd.label})` : name.endsWith(`-${cmd.sub}`) ? '' : ` (${cmd.sub})`;
    return { ...cmd, label: `${name}${verb}`, ...(known.remote ? { remote: true } : {}) };
  });
}

/** `entrypoint args…` as a container runs it (exec form: no shell), in the workspace. */
export function commandLine(entrypoint: string, args: string, env: Record<string, string>, line: number, dir: string): TfCommand[] {
  const text = [entrypoint, ...cliArgs(args)].map(quote).join(' ');
  return scanShell(text, { env, base: dir }).commands.map((c) => ({ ...c, line }));
}

/** Single-quotes a word for the shell reader (the values are already final). */
const quote = (s: string) => (/^[A-Za-z0-9_./=:,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
