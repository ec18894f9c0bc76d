// Names from the repository in Markdown: they stay text, whatever they contain.
import { describe, expect, test } from '@jest/globals';
import { codeBlock, inlineCode, oneLineText, proseText } from '../src/md.js';

describe('inlineCode', () => {
  test.each([
    ['config/app.ini', '`config/app.ini`'],
    ['a`b', '``a`b``'],
    ['`x', '`` `x ``'],
    ['x\n# ✅ no secrets found', '`x\\n# ✅ no secrets found`'],
    ['::error::forged\r\n', '`::error::forged\\r\\n`'],
    ['esc\u001b[31m', '`esc\\u001b[31m`'],
  ])('%j → %s', (text, want) => expect(inlineCode(text)).toBe(want));

  test('no line of the result starts a block: a name is always one line', () => {
    expect(inlineCode('a\n\n## heading\n```\n<img src=x>').split('\n')).toHaveLength(1);
  });
});

describe('codeBlock', () => {
  test('a fence no line can close, and one line per entry', () => {
    const md = codeBlock(['c:a.ini:rule:3', 'c:x\n```\n# ✅ no secrets found:rule:1', 'c:````:rule:2']);
    expect(md.startsWith('`````\n')).toBe(true);
    expect(md.endsWith('\n`````\n')).toBe(true);
    expect(md.split('\n')).toHaveLength(6);
    expect(md).not.toMatch(/^# /m);
  });
});

describe('proseText', () => {
  test('HTML and inline markup are neutralised, a newline is shown as \\n (its backslash escaped too)', () => {
    expect(proseText('push to <b>x</b> *y* [l](u) a|b\n# h')).toBe('push to &lt;b&gt;x&lt;/b&gt; \\*y\\* \\[l\\]\\(u\\) a\\|b\\\\n\\# h');
  });
  test('control characters become visible escapes', () => {
    expect(oneLineText('a\tb\u0000')).toBe('a\\tb\\u0000');
  });
});
