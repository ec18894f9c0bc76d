// Finds terraform/tofu invocations in shell text (workflow `run:` scripts, *.sh files, Makefile recipes).
// This is a word splitter for shell, not a shell: it honours quotes, backslash-newline continuations,
// `&&`/`;`/`|` separators, `cd dir`, `export VAR=…` and `VAR=… cmd`, and keeps a GitHub expression
// `${{ … }}` as one word (its spaces are not shell word breaks: the runner substitutes it before bash
// runs). It also reports calls to scripts and `make` targets, which the caller follows (wrappers.ts).

export interface TfCommand {
  tool: 'terraform' | 'tofu';
  /** Subcommand, e.g. "apply"; "" when none was found. */
  sub: string;
  args: string[];
  /** 1-based line in the script text where the command starts. */
  line: number;
  /** Directory the command runs in, relative to the script's start directory ("" = same). */
  chdir: string;
  lockDisabled: boolean;
  lockTimeout?: string;
  /** Where -lock=false / -lock-timeout came from when not on the command line (TF_CLI_ARGS_apply, …). */
  lockFrom?: string;
  timeoutFrom?: string;
  /** -backend-config values: a file path or key=value. */
  backendConfig: string[];
}

/** A script or make target the shell text runs; followed so the applies inside count for the job. */
export interface Call {
  kind: 'script' | 'make';
  /** Script path, or the Makefile's directory for make (relative to the start directory). */
  path: string;
  /** make: -f file, if given. */
  makefile?: string;
  /** make: targets (empty = the default goal). */
  targets: string[];
  /** make: VAR=value arguments, which override the Makefile's own assignments. */
  overrides?: Record<string, string>;
  line: number;
  /** Directory the call runs in, relative to the start directory. */
  cwd: string;
  /** Environment the callee inherits (exported variables known at the call). */
  env: Record<string, string>;
}

interface Word {
  text: string;
  line: number;
  /** A control operator (&&, ||, ;, |, newline) rather than a word. */
  op?: boolean;
}

export function shellWords(script: string): Word[] {
  const out: Word[] = [];
  let line = 1;
  let cur = '';
  let curLine = 1;
  let inWord = false;
  const flush = () => {
    if (inWord) out.push({ text: cur, line: curLine });
    cur = '';
    inWord = false;
  };
  const start = () => {
    if (!inWord) {
      inWord = true;
      curLine = line;
    }
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === '\\' && script[i + 1] === '\n') {
      i++;
      line++;
      continue;
    }
    // A GitHub expression is one word, whatever it contains.
    if (c === '$' && script.startsWith('${{', i)) {
      const end = script.indexOf('}}', i + 3);
      const stop = end < 0 ? script.length : end + 2;
      start();
      cur += script.slice(i, stop);
      line += (script.slice(i, stop).match(/\n/g) ?? []).length;
      i = stop - 1;
      continue;
    }
    // Parentheses (a subshell, `$(…)`) separate commands like `;` does, so the command inside is read
    // too. A subshell's `cd` leaks out here, which only matters for a later command in the same script.
    if (c === '(' || c === ')') {
      if (c === '(' && cur.endsWith('$')) cur = cur.slice(0, -1);
      flush();
      out.push({ text: c, line, op: true });
      continue;
    }
    if (c === '\n' || c === ';' || c === '&' || c === '|') {
      flush();
      if (c === '\n') line++;
      if ((c === '&' || c === '|') && script[i + 1] === c) i++;
      out.push({ text: c, line, op: true });
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      flush();
      continue;
    }
    if (c === '#' && !inWord) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
      continue;
    }
    start();
    if (c === "'") {
      const end = script.indexOf("'", i + 1);
      const stop = end < 0 ? script.length : end;
      cur += script.slice(i + 1, stop);
      line += (script.slice(i + 1, stop).match(/\n/g) ?? []).length;
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '$' && script.startsWith('${{', j)) {
          const end = script.indexOf('}}', j + 3);
          const stop = end < 0 ? script.length : end + 2;
          cur += script.slice(j, stop);
          j = stop;
          continue;
        }
        if (script[j] === '\\' && j + 1 < script.length) j++;
        if (script[j] === '\n') line++;
        cur += script[j];
        j++;
      }
      i = j;
    } else if (c === '\\' && i + 1 < script.length) {
      cur += script[++i];
    } else cur += c;
  }
  flush();
  return out;
}

const TOOLS = new Set(['terraform', 'tofu']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'ksh']);
const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);
const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;

/** Substitutes $VAR / ${VAR} for variables we know; the rest stays as written. */
export function shellExpand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (all, a?: string, b?: string) => vars[(a ?? b)!] ?? all);
}

/** Every terraform/tofu command and every script/make call in `script`, with the directory each runs in. */
export function scanShell(script: string, env: Record<string, string> = {}): { commands: TfCommand[]; calls: Call[]; githubEnv: Record<string, string> } {
  const words = shellWords(script);
  const commands: TfCommand[] = [];
  const calls: Call[] = [];
  const githubEnv: Record<string, string> = {};
  // $GITHUB_WORKSPACE is the repository root: paths under it are repository paths.
  const vars: Record<string, string> = { GITHUB_WORKSPACE: WORKSPACE_MARK, ...env };
  let cwd = '';
  let i = 0;
  while (i < words.length) {
    // One simple command: words up to the next operator.
    const simple: Word[] = [];
    while (i < words.length && !words[i].op) simple.push(words[i++]);
    i++;
    if (simple.length === 0) continue;
    // Leading VAR=value assignments apply to this command only; wrappers take the command as arguments.
    const local: Record<string, string> = {};
    let k = 0;
    for (; k < simple.length; k++) {
      const m = ASSIGN.exec(simple[k].text);
      if (m) local[m[1]] = shellExpand(m[2], vars);
      else if (!['env', 'time', 'exec', 'sudo', 'command', 'nohup'].includes(simple[k].text)) break;
    }
    const head = simple[k];
    if (!head) {
      Object.assign(vars, local); // a bare assignment: a shell variable for later lines
      continue;
    }
    const rest = simple.slice(k + 1).map((w) => shellExpand(w.text, { ...vars, ...local }));
    const here = { ...vars, ...local };
    if (head.text === 'export' || head.text === 'declare' || head.text === 'typeset') {
      for (const w of rest) {
        const m = ASSIGN.exec(w);
        if (m) vars[m[1]] = m[2];
      }
      continue;
    }
    if (head.text === 'cd' || head.text === 'pushd') {
      // `cd` alone goes home, `cd -` back: neither is a folder of the repository.
      const to = rest.find((w) => !w.startsWith('-'));
      cwd = to === undefined ? (rest.includes('-') ? '$OLDPWD' : '$HOME') : to.startsWith('/') ? to : joinRel(cwd, to);
      continue;
    }
    const name = base(head.text);
    // `echo "TF_CLI_ARGS_apply=-lock=false" >> "$GITHUB_ENV"` sets a variable for the job's later steps.
    if ((name === 'echo' || name === 'printf') && simple.some((w) => /^\d?>>?\s*\$\{?GITHUB_ENV\b/.test(w.text) || w.text === '$GITHUB_ENV' || w.text === '${GITHUB_ENV}')) {
      for (const w of rest) {
        const m = ASSIGN.exec(w);
        if (m) githubEnv[m[1]] = m[2];
      }
      continue;
    }
    if (TOOLS.has(name)) {
      commands.push(tfCommand(name as 'terraform' | 'tofu', rest, head.line, cwd, here));
      continue;
    }
    if (name === 'make' || name === 'gmake') {
      calls.push({ kind: 'make', ...makeArgs(rest, cwd), line: head.line, cwd, env: here });
      continue;
    }
    let script: string | undefined;
    if (SHELLS.has(name) || head.text === 'source' || head.text === '.') {
      // bash [-eux] path args…  (not bash -c "…": that text is a string, read it as a script)
      const c = rest.indexOf('-c');
      if (c >= 0 && rest[c + 1]) {
        const inner = scanShell(rest[c + 1], here);
        for (const x of inner.commands) commands.push({ ...x, line: head.line, chdir: joinRel(cwd, x.chdir) });
        for (const x of inner.calls) calls.push({ ...x, line: head.line, cwd: joinRel(cwd, x.cwd), path: joinRel(cwd, x.path) });
        continue;
      }
      script = rest.find((w) => !w.startsWith('-'));
    } else if (head.text.includes('/') || head.text.endsWith('.sh')) script = head.text;
    if (script && !script.includes('$')) calls.push({ kind: 'script', path: joinRel(cwd, script), targets: [], line: head.line, cwd, env: here });
  }
  return { commands, calls, githubEnv };
}

/** `make -C dir -f file target…` → where the Makefile is and which targets run. */
function makeArgs(args: string[], cwd: string): { path: string; makefile?: string; targets: string[]; overrides: Record<string, string> } {
  let dir = cwd;
  let makefile: string | undefined;
  const targets: string[] = [];
  const overrides: Record<string, string> = {};
  for (let j = 0; j < args.length; j++) {
    const a = args[j];
    if (a === '-C' || a === '--directory') dir = joinRel(dir, args[++j] ?? '');
    else if (a.startsWith('--directory=')) dir = joinRel(dir, a.slice(12));
    else if (a.startsWith('-C') && a.length > 2) dir = joinRel(dir, a.slice(2));
    else if (a === '-f' || a === '--file' || a === '--makefile') makefile = args[++j];
    else if (a.startsWith('--file=') || a.startsWith('--makefile=')) makefile = a.slice(a.indexOf('=') + 1);
    else if (a === '-j' || a === '-l' || a === '-o' || a === '-W') j++;
    else if (ASSIGN.test(a)) {
      const m = ASSIGN.exec(a)!;
      overrides[m[1]] = m[2];
    } else if (!a.startsWith('-')) targets.push(a);
  }
  return { path: dir, makefile, targets, overrides };
}

// Go's strconv.ParseBool, which terraform's flag parsing uses: every spelling of false it accepts.
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Splits TF_CLI_ARGS the way terraform does (shell-like words). */
const cliArgs = (v: string | undefined): string[] =>
  v
    ? shellWords(v)
        .filter((w) => !w.op)
        .map((w) => w.text)
    : [];

/** One terraform/tofu command from its arguments; TF_CLI_ARGS and TF_CLI_ARGS_<sub> from `env` count. */
export function tfCommand(tool: 'terraform' | 'tofu', argv: string[], line: number, cwd: string, env: Record<string, string> = {}): TfCommand {
  let chdir = cwd;
  let sub = '';
  const rest: string[] = [];
  for (const a of argv) {
    if (!sub && a.startsWith('-chdir=')) chdir = joinRel(cwd, a.slice('-chdir='.length));
    else if (!sub && !a.startsWith('-')) sub = a;
    else rest.push(a);
  }
  // terraform inserts TF_CLI_ARGS, then TF_CLI_ARGS_<sub>, after the subcommand; later flags win.
  const fromEnv: Array<[string, string[]]> = [
    ['TF_CLI_ARGS', cliArgs(env.TF_CLI_ARGS)],
    [`TF_CLI_ARGS_${sub.replace(/-/g, '_')}`, cliArgs(sub ? env[`TF_CLI_ARGS_${sub.replace(/-/g, '_')}`] : undefined)],
  ];
  const all: Array<[string | undefined, string]> = [
    ...fromEnv.flatMap(([n, xs]) => xs.map((x) => [n, x] as [string, string])),
    ...rest.map((x) => [undefined, x] as [undefined, string]),
  ];
  const isFlag = (a: string, name: string) => a === `-${name}` || a === `--${name}` || a.startsWith(`-${name}=`) || a.startsWith(`--${name}=`);
  const value = (a: string) => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true');
  const lock = all.filter(([, a]) => isFlag(a, 'lock')).at(-1);
  const timeout = all.filter(([, a]) => isFlag(a, 'lock-timeout')).at(-1);
  const backendConfig: string[] = [];
  rest.forEach((a, idx) => {
    if (a.startsWith('-backend-config=') || a.startsWith('--backend-config=')) backendConfig.push(value(a));
    else if ((a === '-backend-config' || a === '--backend-config') && rest[idx + 1]) backendConfig.push(rest[idx + 1]);
  });
  const lockDisabled = lock !== undefined && FALSE.has(value(lock[1]));
  return {
    tool,
    sub,
    args: argv,
    line,
    chdir,
    lockDisabled,
    lockTimeout: timeout ? value(timeout[1]) : undefined,
    lockFrom: lockDisabled ? lock[0] : undefined,
    timeoutFrom: timeout?.[0],
    backendConfig,
  };
}

/** Back-compatible: only the terraform/tofu commands. */
export const findTfCommands = (script: string, env: Record<string, string> = {}): TfCommand[] => scanShell(script, env).commands;

/** What $GITHUB_WORKSPACE expands to: a marker that joinRel reads as "from the repository root". */
export const WORKSPACE_MARK = '\u0001';

/** Joins relative POSIX paths and normalises `.`/`..`; "" means the start directory. */
export function joinRel(a: string, b: string): string {
  if (b.startsWith(WORKSPACE_MARK)) return joinRel('', b.slice(WORKSPACE_MARK.length).replace(/^\/+/, ''));
  if (b.startsWith('/')) return b;
  const parts: string[] = [];
  for (const p of `${a}/${b}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** A directory we cannot know statically: an unresolved expression or shell variable, or outside the repository. */
export const unknownDir = (dir: string): boolean => dir.includes('${{') || dir.includes('$') || dir.startsWith('/') || dir === '..' || dir.startsWith('../');

/** Subcommands that write state and hold the lock for a long time. */
export const WRITES_STATE = new Set(['apply', 'destroy']);

/** Parses a Go duration as terraform's -lock-timeout takes it (e.g. 300s, 5m, 1m30s); undefined if malformed. */
export function goDurationMs(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let end = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * unit[m[2]];
    end = re.lastIndex;
  }
  if (text === '0') return 0;
  return end === text.length && end > 0 ? total : undefined;
}
