// The CLI package's pack step (packages/cli `prepack` / `postpack`): `npm pack` in packages/cli gives a
// tarball that runs with nothing of this repository around it.
//   prepare  bundle the CLI (src/ → lib/index.js, no runtime dependencies), copy each action's action.yml
//            and its bundle (dist/<name>/, as `npm run build` left it) and our callable workflows
//            (.github/workflows → workflows/), and record the version and commit in build-info.json
//   clean    remove all of that again, so the checkout runs its sources
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';
import { actionTargets, root } from './targets.mjs';

const cli = join(root, 'packages', 'cli');
const MADE = ['lib', 'actions', 'dist', 'workflows', 'build-info.json', 'LICENSE'];

function clean() {
  for (const m of MADE) rmSync(join(cli, m), { recursive: true, force: true });
}

function git(...args) {
  return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
}

function prepare() {
  clean();
  const actions = actionTargets();
  const missing = actions.filter((a) => !existsSync(join(a.out, 'index.js'))).map((a) => a.name);
  if (missing.length) {
    console.error(`pack-cli: no bundle for ${missing.join(', ')} in dist/; run npm run build first`);
    process.exit(2);
  }
  bundle(join(cli, 'src', 'index.ts'), join(cli, 'lib'));
  for (const a of actions) {
    mkdirSync(join(cli, 'actions', a.name), { recursive: true });
    cpSync(join(a.actionDir, 'action.yml'), join(cli, 'actions', a.name, 'action.yml'));
    cpSync(a.out, join(cli, 'dist', a.name), { recursive: true });
  }
  const wfDir = join(root, '.github', 'workflows');
  mkdirSync(join(cli, 'workflows'));
  for (const f of readdirSync(wfDir).filter((f) => /\.ya?ml$/.test(f))) {
    // Only the reusable ones (`on: workflow_call`): this repository's own CI and release are not for callers.
    if (/^\s{2,}workflow_call:/m.test(readFileSync(join(wfDir, f), 'utf8'))) cpSync(join(wfDir, f), join(cli, 'workflows', f));
  }
  cpSync(join(root, 'LICENSE'), join(cli, 'LICENSE'));
  const version = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8')).version;
  const info = { version, commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  writeFileSync(join(cli, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
  console.error(`pack-cli: @platform-actions/cli ${version} from ${info.commit}${info.dirty ? ' (with uncommitted changes)' : ''}: ${actions.length} actions`);
}

const cmd = process.argv[2];
if (cmd === 'prepare') prepare();
else if (cmd === 'clean') clean();
else {
  console.error('usage: node scripts/pack-cli.mjs prepare|clean');
  process.exit(2);
}
