// Parses the workflow commands an action prints (`::error file=a,line=1::msg`), as the runner does.
export interface ParsedAnnotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  title?: string;
}

export interface ParsedLog {
  annotations: ParsedAnnotation[];
  masks: string[];
  /** The log as a person would see it on GitHub: masks applied, commands hidden, groups marked. */
  display: string;
}

// Reverse of @actions/core's escaping.
const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',');

export function parseWorkflowCommands(stdout: string): ParsedLog {
  const annotations: ParsedAnnotation[] = [];
  const masks: string[] = [];
  const display: string[] = [];
  // `::stop-commands::<token>` turns command processing off until `::<token>::` (as GitHub's runner does).
  let stopToken: string | undefined;
  for (const line of stdout.split('\n')) {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      else display.push(line);
      continue;
    }
    const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (m && m[1] === 'stop-commands' && m[3]) {
      stopToken = m[3];
      continue;
    }
    if (!m) {
      display.push(line);
      continue;
    }
    const [, cmd, propText = '', data] = m;
    const props: Record<string, string> = {};
    for (const kv of propText.split(',').filter(Boolean)) {
      const i = kv.indexOf('=');
      props[kv.slice(0, i)] = unescapeProp(kv.slice(i + 1));
    }
    const message = unescapeData(data);
    if (cmd === 'add-mask') masks.push(message);
    else if (cmd === 'error' || cmd === 'warning' || cmd === 'notice') {
      annotations.push({
        level: cmd,
        message,
        file: props.file,
        line: props.line ? Number(props.line) : undefined,
        endLine: props.endLine ? Number(props.endLine) : undefined,
        col: props.col ? Number(props.col) : undefined,
        title: props.title,
      });
      display.push(`${cmd.toUpperCase()}${props.file ? ` ${props.file}${props.line ? `:${props.line}` : ''}` : ''}: ${props.title ? `${props.title}: ` : ''}${message}`);
    } else if (cmd === 'group') display.push(`▶ ${message}`);
    else if (cmd === 'endgroup') display.push('◀');
    else if (cmd === 'debug') continue;
    else display.push(line);
  }
  let text = display.join('\n');
  for (const m of masks.filter((x) => x.length > 0)) text = text.split(m).join('***');
  return { annotations, masks, display: text };
}

/** Parses GITHUB_OUTPUT / GITHUB_STATE files (`k=v` and `k<<EOF` heredocs). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}
