// Commands given as inputs ("poetry run alembic", "npx knex --knexfile db/knexfile.js") become argument
// arrays: words split on whitespace, with '…' and "…" quoting, and nothing else. There is no shell, so
// $VAR, globs, pipes and ; stay literal text and cannot turn an input into shell syntax.
import { InputError } from '@platform-actions/kit';

export function splitArgs(input: string, text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(input, `has an unclosed ${quote} quote`, text);
  if (inWord) out.push(cur);
  return out;
}
