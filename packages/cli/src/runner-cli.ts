// The runner's own command line (`npx tsx test/runner/cli.ts …`, kept for the tests' habits and the README):
//   <action> [--event pull_request] [--payload event.json] [--workspace dir] [--input name=value ...] [--env NAME=value ...]
// Prints what a PR author would see: the log, annotations, outputs and the job summary.
// `platform-actions run` is the friendlier front end for the same runner.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runBundledAction } from './runner.js';

function parseArgs(argv: string[]) {
  const o = {
    action: '',
    event: 'workflow_dispatch',
    payload: undefined as string | undefined,
    workspace: undefined as string | undefined,
    inputs: {} as Record<string, string>,
    env: {} as Record<string, string>,
  };
  const kv = (s: string, flag: string) => {
    const i = s.indexOf('=');
    if (i < 1) throw new Error(`${flag} expects name=value; got "${s}"`);
    return [s.slice(0, i), s.slice(i + 1)] as const;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--event') o.event = next();
    else if (a === '--payload') o.payload = next();
    else if (a === '--workspace')
      o.workspace = resolve(next()); // GITHUB_WORKSPACE is absolute on GitHub
    else if (a === '--input') {
      const [k, v] = kv(next(), a);
      o.inputs[k] = v;
    } else if (a === '--env') {
      const [k, v] = kv(next(), a);
      o.env[k] = v;
    } else if (!a.startsWith('--') && !o.action) o.action = a;
    else throw new Error(`unknown argument "${a}"`);
  }
  if (!o.action) throw new Error('usage: cli.ts <action> [--event name] [--payload file] [--workspace dir] [--input k=v]... [--env K=V]...');
  return o;
}

/** Runs the runner's command line; returns the exit code (the step's, or 2 for a usage error). */
export async function runnerCli(argv: string[], defaults: { node?: string } = {}): Promise<number> {
  try {
    const o = parseArgs(argv);
    const payload = o.payload ? (JSON.parse(readFileSync(o.payload, 'utf8')) as Record<string, unknown>) : {};
    const r = await runBundledAction({ action: o.action, inputs: o.inputs, event: { name: o.event, payload }, workspace: o.workspace, env: o.env, node: defaults.node });
    const rule = (t: string) => console.log(`\n── ${t} ${'─'.repeat(Math.max(0, 70 - t.length))}`);
    rule(`${o.action}: log`);
    console.log(r.main.log.trimEnd());
    if (r.post) {
      rule('post step');
      console.log(r.post.log.trimEnd());
    }
    rule('annotations');
    for (const a of r.main.annotations) console.log(`${a.level.toUpperCase()} ${a.file ?? ''}${a.line ? `:${a.line}` : ''} ${a.title ? `[${a.title}] ` : ''}${a.message}`);
    rule('outputs');
    for (const [k, v] of Object.entries(r.outputs)) console.log(`${k}=${v}`);
    rule('job summary');
    console.log(r.summary.trimEnd());
    rule(`exit code ${r.main.exitCode}`);
    return r.main.exitCode ?? 1;
  } catch (e) {
    const msg = (e as Error).message;
    console.error(msg.startsWith('runner: ') ? msg : `runner: ${msg}`);
    return 2;
  }
}
