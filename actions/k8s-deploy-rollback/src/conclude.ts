// The shared tail of every run: outputs, the GitHub deployment's final status and the webhook, the
// summary and annotations, then pass or fail.
import { core, currentEvent, failUnlessClean, type Finding, fingerprint, gate, publish, UserError } from '@platform-actions/kit';
import { finishGitHubDeployment, runUrl } from './github-deployment.js';
import { refId } from './manifests.js';
import { sendWebhook, shouldNotify, webhookText } from './notify.js';
import { renderDetails } from './report.js';
import { type Run, successResult, target } from './state.js';
import { ACTION } from './action.js';

/** Outputs, notifications, reports; then pass or fail. */
export async function conclude(run: Run): Promise<void> {
  const { s } = run;
  finish(run);
  await notify(run);
  const g = gate({ findings: findings(run), failOn: 'high', toolErrors: run.toolErrors, policyErrors: causeLine(run) });
  const title = `${s.mode === 'rollback' ? 'Rollback on demand' : 'Deploy'} (${target(s)})`;
  await publish({ action: ACTION, title, gate: g, details: renderDetails(run.facts) });
  if (run.rollbackError) core.error(`ROLLBACK FAILED: ${run.rollbackError}. The cluster may still run the failed revision; act now.`);
  failUnlessClean(ACTION, g, 'high');
}

/**
 * A run that ends before its reports (an input, a manifest or the cluster refused it, or a tool failed
 * outside the deploy): result and failure-reason say so as well as outcome, whatever was reached.
 */
export function endedEarly(run: Run | undefined, e: unknown): void {
  core.setOutput('result', 'failed');
  core.setOutput('failure-reason', e instanceof UserError ? 'ConfigError' : 'ToolError');
  core.setOutput('revisions-before', JSON.stringify(run?.revisionsBefore ?? {}));
  core.setOutput('revisions-after', JSON.stringify(run?.revisionsAfter ?? {}));
  core.setOutput('time-to-detect', '');
  core.setOutput('time-to-restore', '');
}

/** The cause, in the failure line itself (a policy error), so the step says why in one line. */
function causeLine(run: Run): string[] {
  const f = run.failure;
  if (!f || run.rollbackError) return [];
  if (run.s.mode === 'rollback') return [`rollback on demand failed (${f.reason}): ${f.message}${run.s.rollback ? ' — returned to the revisions before it' : ''}`];
  return [`deploy failed (${f.reason}): ${f.message}${run.facts.result === 'rolled-back' ? ' — rolled back to the recorded revisions' : ''}`];
}

function finish(run: Run): void {
  const f = run.facts;
  if (run.failure) f.cause = `${run.failure.reason}: ${run.failure.message}`;
  if (run.rollbackError) {
    f.result = 'failed';
    f.rollbackProblem = run.rollbackError;
  }
  if (run.toolErrors.length && f.result !== successResult(run.s)) f.result = 'failed';
  if (run.failure && run.applyStarted) f.timeToDetectS = (run.failure.detectedAt - run.applyStarted) / 1000;
  core.setOutput('result', run.toolErrors.length && !run.failure ? 'failed' : f.result);
  core.setOutput('revisions-before', JSON.stringify(run.revisionsBefore));
  core.setOutput('revisions-after', JSON.stringify(run.revisionsAfter));
  core.setOutput('failure-reason', run.failure ? run.failure.reason : run.toolErrors.length ? 'ToolError' : '');
  core.setOutput('time-to-detect', f.timeToDetectS !== undefined ? f.timeToDetectS.toFixed(1) : '');
  core.setOutput('time-to-restore', f.timeToRestoreS !== undefined ? f.timeToRestoreS.toFixed(1) : '');
}

export function findings(run: Pick<Run, 'failure' | 'rollbackError'>): Finding[] {
  const out: Finding[] = [];
  const mk = (ruleId: string, severity: Finding['severity'], title: string, message: string, object?: string): Finding => ({
    tool: ACTION,
    ruleId,
    severity,
    title,
    message,
    fingerprint: fingerprint(ACTION, ruleId, object),
    properties: object ? { object } : undefined,
  });
  if (run.failure) out.push(mk(run.failure.reason, 'high', `Deploy failed (${run.failure.stage})`, run.failure.message, run.failure.ref && refId(run.failure.ref)));
  if (run.rollbackError) out.push(mk('RollbackFailed', 'critical', 'Rollback failed', run.rollbackError));
  return out;
}

async function notify(run: Run): Promise<void> {
  const f = run.facts;
  await finishGitHubDeployment(run);
  const url = run.s['webhook-url'];
  if (url && shouldNotify(f.result === successResult(run.s), run.s['webhook-on'])) {
    const text = webhookText({
      action: ACTION,
      mode: run.s.mode,
      result: f.result,
      what: target(run.s),
      cause: f.cause ?? run.toolErrors[0],
      rollbackError: run.rollbackError,
      revisionsAfter: run.revisionsAfter,
      runUrl: runUrl(),
    });
    await sendWebhook(url, {
      text,
      result: f.result,
      cause: f.cause,
      rollbackError: run.rollbackError,
      revisionsBefore: run.revisionsBefore,
      revisionsAfter: run.revisionsAfter,
      timeToDetect: f.timeToDetectS,
      timeToRestore: f.timeToRestoreS,
      runUrl: runUrl(),
      repository: repository(),
    });
  }
}

const repository = (): string | undefined => {
  const e = currentEvent();
  return e.owner && e.repo ? `${e.owner}/${e.repo}` : undefined;
};
