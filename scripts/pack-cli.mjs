// The CLI package's pack step (packages/cli `prepack` / `postpack`): `npm pack` in packages/cli gives a
// tarball that runs with nothing of this repository around it.
//   prepare  bundle the CLI (src/ → lib/index.js, no runtime dependencies), copy each action's action.yml
//            and its bundle (dist/<name>/, as `npm run build` left it) and our callable workflows
//            (.github/workflows → workflows/), and record the version and commit in build-info.json
//   clean    remove all of that again, so the checkout runs its sources
//   pack <dir>  the same in a copy of packages/cli, packed into <dir> (prints the tarball's path): the
//            checkout is never touched, so tests running from it meanwhile see no half-packed package
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bundle } from './bundle.mjs';
import { actionTargets, root } from './targets.mjs';

const cli = join(root, 'packages', 'cli');
const MADE = ['lib', 'actions', 'dist', 'workflows', 'build-info.json', 'LICENSE'];

function clean(target = cli) {
  for (const m of MADE) rmSync(join(target, m), { recursive: true, force: true });
}

function git(...args) {
  return execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
}

/** Fills `target` (packages/cli, or a copy of it) with what the package carries besides its own files. */
function prepare(target = cli) {
  clean(target);
  const actions = actionTargets();
  const missing = actions.filter((a) => !existsSync(join(a.out, 'index.js'))).map((a) => a.name);
  if (missing.length) {
    console.error(`pack-cli: no bundle for ${missing.join(', ')} in dist/; run npm run build first`);
    process.exit(2);
  }
  bundle(join(cli, 'src', 'index.ts'), join(target, 'lib'));
  for (const a of actions) {
    mkdirSync(join(target, 'actions', a.name), { recursive: true });
    cpSync(join(a.actionDir, 'action.yml'), join(target, 'actions', a.name, 'action.yml'));
    cpSync(a.out, join(target, 'dist', a.name), { recursive: true });
  }
  const wfDir = join(root, '.github', 'workflows');
  mkdirSync(join(target, 'workflows'));
  for (const f of readdirSync(wfDir).filter((f) => /\.ya?ml$/.test(f))) {
    // Only the reusable ones (`on: workflow_call`): this repository's own CI and release are not for callers.
    if (/^\s{2,}workflow_call:/m.test(readFileSync(join(wfDir, f), 'utf8'))) cpSync(join(wfDir, f), join(target, 'workflows', f));
  }
  cpSync(join(root, 'LICENSE'), join(target, 'LICENSE'));
  const version = JSON.parse(readFileSync(join(cli, 'package.json'), 'utf8')).version;
  const info = { version, commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  writeFileSync(join(target, 'build-info.json'), JSON.stringify(info, null, 2) + '\n');
  console.error(`pack-cli: @platform-actions/cli ${version} from ${info.commit}${info.dirty ? ' (with uncommitted changes)' : ''}: ${actions.length} actions`);
}

/** `npm pack` of a prepared copy of packages/cli into `dest`; returns the tarball's path. */
function packCopy(dest) {
  const stage = join(mkdtempSync(join(tmpdir(), 'pack-cli-')), 'cli');
  try {
    mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'bin', 'schema', 'examples']) cpSync(join(cli, f), join(stage, f), { recursive: true });
    prepare(stage);
    mkdirSync(dest, { recursive: true });
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', resolve(dest)], { cwd: stage, stdio: ['ignore', 'pipe', 'inherit'] })
      .toString()
      .trim()
      .split('\n')
      .at(-1);
    return join(resolve(dest), out);
  } finally {
    rmSync(join(stage, '..'), { recursive: true, force: true });
  }
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === 'prepare') prepare();
else if (cmd === 'clean') clean();
else if (cmd === 'pack' && arg) console.log(packCopy(arg));
else {
  console.error('usage: node scripts/pack-cli.mjs prepare|clean|pack <dir>');
  process.exit(2);
}
