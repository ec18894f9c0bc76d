// The one bounded YAML reader: hostile documents end fast, in a YamlError naming the file.
import { describe, expect, test } from '@jest/globals';
import { readYaml, readYamlAll, readYamlDocuments, UserError, YAML_LIMITS, YamlError, yamlValue } from '@platform-actions/kit';

/** A billion-laughs document: `levels` anchors, each a list of nine aliases of the one before. */
function yamlBomb(levels = 9): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return lines.join('\n') + '\n';
}

const timed = <T>(fn: () => T): { ms: number; error?: unknown } => {
  const t0 = Date.now();
  try {
    fn();
    return { ms: Date.now() - t0 };
  } catch (error) {
    return { ms: Date.now() - t0, error };
  }
};

describe('readYaml', () => {
  test('reads YAML 1.2 core: on is a key, yes is a string, anchors within bounds expand', () => {
    expect(readYaml('on: push\nx: yes\nd: &d {a: 1}\ne: *d\n', { file: 'w.yml' })).toEqual({ on: 'push', x: 'yes', d: { a: 1 }, e: { a: 1 } });
  });
  test('an empty or comment-only text is null; two documents are an error naming the file', () => {
    expect(readYaml('', { file: 'a.yml' })).toBeNull();
    expect(readYaml('# nothing\n', { file: 'a.yml' })).toBeNull();
    expect(() => readYaml('a: 1\n---\nb: 2\n', { file: 'a.yml' })).toThrow('a.yml is not valid YAML: holds 2 documents (separated by ---); expected one');
  });
  test('a syntax error names the file and the line', () => {
    const e = timed(() => readYaml('a: 1\nb: [unclosed\n', { file: 'conf/x.yml' })).error as YamlError;
    expect(e).toBeInstanceOf(YamlError);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe('syntax');
    expect(e.message).toMatch(/^conf\/x\.yml:\d+ is not valid YAML: /);
  });
  test('duplicate keys are an error unless json is set (last wins)', () => {
    expect(() => readYaml('a: 1\na: 2\n', { file: 'd.yml' })).toThrow(/d\.yml:2 is not valid YAML: duplicated mapping key/);
    expect(readYaml('a: 1\na: 2\n', { file: 'd.yml', json: true })).toEqual({ a: 2 });
  });
});

describe('the bounds', () => {
  test('a billion-laughs document ends in well under a second with a limit error naming the file', () => {
    const r = timed(() => readYaml(yamlBomb(), { file: 'bomb.yaml' }));
    expect(r.ms).toBeLessThan(1000);
    expect(r.error).toBeInstanceOf(YamlError);
    expect((r.error as YamlError).kind).toBe('limit');
    expect((r.error as Error).message).toBe('bomb.yaml expands through its aliases to more than 1,000,000 extra nodes (a YAML bomb?); it is not read');
  });
  test('a wider bomb (ten aliases a level, of a mapping) is counted the same way', () => {
    const lines = ['k0: &k0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `k${i}: &k${i} [${Array(10)
          .fill(`*k${i - 1}`)
          .join(', ')}]`,
      );
    expect(() => readYamlAll(lines.join('\n'), { file: 'm.yaml' })).toThrow(/m\.yaml expands through its aliases/);
  });
  test('every alias counts, across the document (many aliases of one big anchor)', () => {
    const big = `big: &big [${Array(2000).fill('x').join(',')}]\n`;
    const uses = Array.from({ length: 600 }, (_, i) => `u${i}: *big`).join('\n');
    expect(() => readYaml(big + uses, { file: 'many.yaml' })).toThrow(/many\.yaml expands through its aliases/);
    // …and a document well inside the bound reads.
    expect(() => readYaml(big + uses.split('\n').slice(0, 100).join('\n'), { file: 'ok.yaml' })).not.toThrow();
  });
  test('a recursive alias is refused (it would make a cyclic value)', () => {
    expect(() => readYaml('a: &a [1, *a]\n', { file: 'r.yaml' })).toThrow('r.yaml has a recursive alias (*a inside the node &a names); it is not read');
  });
  test.each([
    ['flow', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['block mappings', Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1'],
    ['compact sequences', `${'- '.repeat(5000)}x`],
  ])('10,000-deep %s: a limit error at once, never a stack overflow', (_k, text) => {
    const r = timed(() => readYaml(text, { file: 'deep.yaml' }));
    expect(r.ms).toBeLessThan(2000);
    expect((r.error as Error).message).toBe(`deep.yaml nests collections deeper than ${YAML_LIMITS.maxDepth} levels; it is not read`);
  });
  test('nesting up to the limit reads', () => {
    const n = YAML_LIMITS.maxDepth - 1;
    expect(() => readYaml(`${'['.repeat(n)}${']'.repeat(n)}`, { file: 'ok.yaml' })).not.toThrow();
  });
  test('a reader whose text is bounded where it is produced may raise the size bound (helm output), not the others', () => {
    const text = `a: "${'x'.repeat(YAML_LIMITS.maxChars)}"\n`;
    expect(readYaml(text, { file: 'rendered', maxChars: 64 * 1024 * 1024 })).toEqual({ a: 'x'.repeat(YAML_LIMITS.maxChars) });
    expect(() => readYaml(`${text}${yamlBomb()}`, { file: 'rendered', maxChars: 64 * 1024 * 1024 })).toThrow(/rendered expands through its aliases/);
  });
  test('a text over the size bound is refused before parsing', () => {
    const r = timed(() => readYaml(`a: "${'x'.repeat(YAML_LIMITS.maxChars)}"\n`, { file: 'huge.yaml' }));
    expect(r.ms).toBeLessThan(1000);
    expect((r.error as Error).message).toBe('huge.yaml is larger than 16 MiB; it is not read');
  });
});

describe('readYamlDocuments (the yaml package, for readers that need source ranges)', () => {
  test('returns documents with their own syntax errors for the caller to word', () => {
    const docs = readYamlDocuments('a: 1\n---\nb: [x\n', { file: 'm.yaml' });
    expect(docs).toHaveLength(2);
    expect(docs[0].errors).toEqual([]);
    expect(docs[1].errors.length).toBeGreaterThan(0);
    expect(yamlValue(docs[0], 'm.yaml')).toEqual({ a: 1 });
  });
  test('refuses a bomb and deep nesting before the yaml package sees them', () => {
    expect(() => readYamlDocuments(yamlBomb(), { file: 'b.yaml' })).toThrow(/b\.yaml expands through its aliases/);
    expect(() => readYamlDocuments(`${'['.repeat(10_000)}${']'.repeat(10_000)}`, { file: 'd.yaml' })).toThrow(/d\.yaml nests collections deeper than/);
  });
  test('a text only the yaml package reads still has an alias bound (its own), as a YamlError', () => {
    // A tab before a value: js-yaml refuses it, the yaml package accepts it.
    const text = `${yamlBomb()}x:\t1\n`;
    let docs: ReturnType<typeof readYamlDocuments> = [];
    try {
      docs = readYamlDocuments(text, { file: 'lenient.yaml' });
    } catch (e) {
      // Either reader may stop it first; both ways it is a YamlError naming the file.
      expect((e as Error).message).toMatch(/^lenient\.yaml /);
      return;
    }
    expect(() => yamlValue(docs[0], 'lenient.yaml')).toThrow(/^lenient\.yaml expands through its aliases/);
  });
});
