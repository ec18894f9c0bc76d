// Test-only action: reads findings from a file and sends them through the kit's gate and reporters.
import { readFileSync } from 'node:fs';
import { core, failUnlessClean, type Finding, gate, inputs, parseFailOn, publish, reportPath, runAction, UserError } from '@platform-actions/kit';

async function main(): Promise<void> {
  const file = inputs.path('findings-file', { required: true, mustExist: 'file', allowOutsideWorkspace: true }) as string;
  const failOnText = inputs.string('fail-on', { default: 'high' }) as string;
  const failOn = parseFailOn('fail-on', failOnText);
  const wantComment = inputs.boolean('comment', { default: false });
  const token = inputs.secret('token');
  let findings: Finding[];
  try {
    findings = JSON.parse(readFileSync(file, 'utf8')) as Finding[];
  } catch {
    throw new UserError(`input "findings-file" must be a JSON array of findings; ${file} is not valid JSON`);
  }
  core.info(`first line of work: ${findings.length} findings (node ${process.version})`);
  const g = gate({ findings, failOn });
  await publish({
    action: 'kit-probe',
    title: 'kit-probe',
    gate: g,
    sarif: { path: inputs.string('sarif-file') || reportPath('kit-probe.sarif'), runs: [{ tool: { name: 'kit-probe' }, category: 'kit-probe', findings: g.active }] },
    comment: wantComment ? { token } : undefined,
  });
  core.saveState('probe-started', String(Date.now()));
  failUnlessClean('kit-probe', g, failOn);
}

async function post(): Promise<void> {
  core.info(`post step ran; main saved probe-started=${core.getState('probe-started') ? 'yes' : 'no'}`);
}

await runAction({ name: 'kit-probe', main, post });
