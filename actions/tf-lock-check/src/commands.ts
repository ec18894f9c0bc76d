// Finds terraform/tofu invocations in shell text (workflow `run:` scripts and *.sh files). This is a
// word splitter for shell, not an HCL reader: it honours quotes, backslash-newline continuations,
// `&&`/`;`/`|` separators and `cd dir`, which is all a CI script needs to say which root it runs in.

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
  /** -backend-config values: a file path or key=value. */
  backendConfig: string[];
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
const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** Every terraform/tofu command in `script`, with the directory it runs in after any `cd`. */
export function findTfCommands(script: string): TfCommand[] {
  const words = shellWords(script);
  const cmds: TfCommand[] = [];
  let cwd = '';
  let i = 0;
  while (i < words.length) {
    // One simple command: words up to the next operator.
    const simple: Word[] = [];
    while (i < words.length && !words[i].op) simple.push(words[i++]);
    i++;
    if (simple.length === 0) continue;
    // Skip leading VAR=value assignments and wrappers that take the command as arguments.
    let k = 0;
    while (k < simple.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(simple[k].text) || ['env', 'time', 'exec', 'sudo', 'command'].includes(simple[k].text))) k++;
    const head = simple[k];
    if (!head) continue;
    if (head.text === 'cd') {
      const to = simple[k + 1]?.text ?? '';
      cwd = to.startsWith('/') ? to : joinRel(cwd, to);
      continue;
    }
    if (!TOOLS.has(base(head.text))) continue;
    const args = simple.slice(k + 1).map((w) => w.text);
    let chdir = cwd;
    let sub = '';
    const rest: string[] = [];
    for (const a of args) {
      if (!sub && a.startsWith('-chdir=')) chdir = joinRel(cwd, a.slice('-chdir='.length));
      else if (!sub && !a.startsWith('-')) sub = a;
      else rest.push(a);
    }
    const flag = (name: string) => rest.filter((a) => a === `-${name}` || a === `--${name}` || a.startsWith(`-${name}=`) || a.startsWith(`--${name}=`));
    const value = (a: string) => (a.includes('=') ? a.slice(a.indexOf('=') + 1) : 'true');
    const lockFlags = flag('lock').map(value);
    const timeout = flag('lock-timeout').map(value)[0];
    const backendConfig: string[] = [];
    rest.forEach((a, idx) => {
      if (a.startsWith('-backend-config=') || a.startsWith('--backend-config=')) backendConfig.push(value(a));
      else if ((a === '-backend-config' || a === '--backend-config') && rest[idx + 1]) backendConfig.push(rest[idx + 1]);
    });
    cmds.push({
      tool: base(head.text) as 'terraform' | 'tofu',
      sub,
      args,
      line: head.line,
      chdir,
      lockDisabled: lockFlags.some((v) => v.toLowerCase() === 'false' || v === '0'),
      lockTimeout: timeout,
      backendConfig,
    });
  }
  return cmds;
}

/** Joins relative POSIX paths and normalises `.`/`..`; "" means the start directory. */
export function joinRel(a: string, b: string): string {
  if (b.startsWith('/')) return b;
  const parts: string[] = [];
  for (const p of `${a}/${b}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

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
