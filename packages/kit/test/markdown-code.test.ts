// Untrusted text as code (report/markdown.ts): a fenced block that no line of the body can close, whichever
// fence characters it holds, checked with CommonMark's closing-fence rule.
import { describe, expect, test } from '@jest/globals';
import { codeBlock, inlineCode } from '../src/index.js';

/** CommonMark: the lines inside the block a fence opens, up to the first line that closes it. */
function fencedBody(md: string): { info: string; body: string[]; rest: string[] } {
  const lines = md.split('\n');
  const open = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(lines[0]);
  if (!open) throw new Error('no opening fence');
  const [ch, n] = [open[1][0], open[1].length];
  const closes = (l: string) => new RegExp(`^ {0,3}\\${ch}{${n},}[ \\t]*$`).test(l);
  const end = lines.findIndex((l, i) => i > 0 && closes(l));
  return { info: open[2], body: lines.slice(1, end < 0 ? undefined : end), rest: end < 0 ? [] : lines.slice(end + 1) };
}

describe('codeBlock', () => {
  test('a body holding both ``` and ~~~~ (and longer runs) stays inside the block, line for line', () => {
    const body = ['--- expected', '```', '~~~~', 'x ````` y', '~~~', '+ after'];
    const md = codeBlock(body, 'diff');
    const parsed = fencedBody(md);
    expect(parsed.info).toBe('diff');
    expect(parsed.body).toEqual(body);
    expect(parsed.rest).toEqual(['']); // the block ends the text
  });

  test('a plain body gets the shortest fence; the info string cannot carry a fence or a space', () => {
    expect(codeBlock(['a'], 'text')).toBe('```text\na\n```\n');
    expect(fencedBody(codeBlock(['a'], 'te`x t')).info).toBe('text');
  });

  test('control characters are made visible, so a body line never becomes two', () => {
    expect(fencedBody(codeBlock(['a\n```', 'b'])).body).toEqual(['a\\n```', 'b']);
  });
});

test('inlineCode: a span no backtick run inside it can end', () => {
  expect(inlineCode('a``b')).toBe('```a``b```');
  expect(inlineCode('`x')).toBe('`` `x ``');
});
