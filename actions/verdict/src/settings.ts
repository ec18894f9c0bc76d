// Every input, validated before any work starts; each error names the input and what was expected.
import { InputError, inputs, parsePlanDocument, type PlanDocument, runnerTemp, ToolError } from '@platform-actions/kit';
import { join } from 'node:path';

export interface Settings {
  plan: PlanDocument;
  /** Folder of run reports (absolute). */
  reports: string;
  name: string;
  title: string;
  'sarif-file': string;
  'durations-file': string;
  comment: boolean;
  token?: string;
}

export function readSettings(): Settings {
  const raw = inputs.string('plan');
  // An empty plan in an always() job means the plan job itself failed or was skipped: nothing is known.
  if (!raw) throw new ToolError('the plan input is empty: the plan job failed or was skipped, so no shard is known to have been checked');
  const parsed = parsePlanDocument(raw);
  if ('problem' in parsed) throw new InputError('plan', parsed.problem);
  const plan = parsed.plan;
  // It names a comment marker and files: anything else than letters, digits, ".", "_" and "-" becomes "-"
  // (a GitHub environment name such as "prod eu" is a fine name for a terraform verdict).
  const name = inputs
    .string('name', { default: plan.kind })!
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 64);
  const { enabled, token } = inputs.comment();
  return {
    plan,
    reports: inputs.path('reports', { default: join(runnerTemp(), 'platform-actions-reports'), allowRunnerTemp: true })!,
    name,
    title: inputs.string('title', { default: `${plan.kind}: verdict of ${plan.shards.length} shard${plan.shards.length === 1 ? '' : 's'}` })!,
    'sarif-file': inputs.outputFile('sarif-file', `verdict-${name}.sarif`),
    'durations-file': inputs.outputFile('durations-file', `platform-actions-durations-${name}.json`),
    comment: enabled,
    token,
  };
}
