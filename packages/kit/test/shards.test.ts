// Splitting work into balanced shards, and the durations file the next run balances by.
import { describe, expect, test } from '@jest/globals';
import { formatDurations, moduleSources, parseDurations, parseNameStatus, splitIntoShards, type WorkItem } from '@platform-actions/kit';

const item = (name: string, size: number): WorkItem => ({ id: `charts:${name}`, kind: 'charts', path: name, input: name, size, reasons: [] });
const largest = (s: ReturnType<typeof splitIntoShards>) => Math.max(...s.shards.map((x) => x.cost));

describe('splitIntoShards', () => {
  test('sizes: largest first to the lightest shard, within 1.3 × total / N for many uneven items', () => {
    // 120 charts from 3 to 60 files, a deterministic spread.
    const items = Array.from({ length: 120 }, (_, i) => item(`c${String(i).padStart(3, '0')}`, 3 + ((i * 37) % 58)));
    const total = items.reduce((n, i) => n + i.size, 0);
    for (const n of [3, 4, 8]) {
      const s = splitIntoShards(items, n);
      expect(s.shards).toHaveLength(n);
      expect(s.shards.flatMap((x) => x.items)).toHaveLength(120);
      expect(largest(s)).toBeLessThanOrEqual((1.3 * total) / n);
      expect(s.basis).toBe('size');
    }
  });

  test('never more shards than items; no items, no shards; the same plan splits the same way', () => {
    expect(splitIntoShards([item('a', 1), item('b', 1)], 8).shards.map((s) => s.items.map((i) => i.path))).toEqual([['a'], ['b']]);
    expect(splitIntoShards([], 4).shards).toEqual([]);
    const items = [item('a', 5), item('b', 5), item('c', 5), item('d', 5)];
    expect(splitIntoShards(items, 2)).toEqual(splitIntoShards([...items].reverse(), 2));
  });

  test('a shard never holds more than maxItems: more shards than asked for when needed', () => {
    const items = Array.from({ length: 45 }, (_, i) => item(`i${i}`, 1 + (i % 3)));
    const s = splitIntoShards(items, 2, undefined, 20);
    expect(s.shards).toHaveLength(3);
    expect(Math.max(...s.shards.map((x) => x.items.length))).toBeLessThanOrEqual(20);
    expect(s.shards.flatMap((x) => x.items)).toHaveLength(45);
    expect(splitIntoShards(items.slice(0, 10), 4, undefined, 20).shards).toHaveLength(4);
  });

  test('recorded durations win over sizes; unrecorded items are scaled by the recorded ones', () => {
    // By size, a (10) and b (10) would go to different shards with c and d (1 each) — but a took 9 s and b 1 s.
    const items = [item('a', 10), item('b', 10), item('c', 1), item('d', 1)];
    const durations = new Map([
      ['charts:a', 9000],
      ['charts:b', 1000],
      ['charts:c', 100],
    ]);
    const s = splitIntoShards(items, 2, durations);
    expect(s.basis).toBe('durations');
    expect(s.recorded).toBe(3);
    // d is unrecorded: size 1 × the median ms per unit of a (900), b (100), c (100) = 100 ms.
    expect(s.shards.map((x) => [x.items.map((i) => i.path), x.cost])).toEqual([
      [['a'], 9000],
      [['b', 'c', 'd'], 1200],
    ]);
  });
});

describe('durations file', () => {
  test('written sorted and rounded; read back; anything else is a reason, not a crash', () => {
    const text = formatDurations(
      new Map([
        ['charts:b', 12.6],
        ['charts:a', 3],
      ]),
    );
    expect(text).toBe('{\n  "schema": "platform-actions/durations@1",\n  "items": {\n    "charts:a": 3,\n    "charts:b": 13\n  }\n}\n');
    expect(parseDurations(text)).toEqual({
      durations: new Map([
        ['charts:a', 3],
        ['charts:b', 13],
      ]),
    });
    expect(parseDurations('{')).toEqual({ problem: 'is not JSON' });
    expect(parseDurations('{"schema":"other"}')).toEqual({ problem: 'is not a platform-actions/durations@1 file' });
    expect(parseDurations('{"schema":"platform-actions/durations@1","items":{"a":-1,"b":"x","c":5}}')).toEqual({ durations: new Map([['c', 5]]) });
  });
});

describe('module sources', () => {
  test('literal sources of top-level module blocks; nested blocks, templates and other attributes are not sources', () => {
    const hcl = [
      'module "a" {',
      '  source = "./a"',
      '  providers = { aws = aws.east }',
      '  settings = { source = "./not-a-module" }',
      '  dynamic "x" { content { source = "./nor-this" } }',
      '}',
      'module "b" { source = "../b" }',
      'module "c" {',
      '  source = "${path.module}/c"',
      '}',
      'resource "x" "y" { source = "./resource-attr" }',
      'module "d" {',
      '  # source = "./commented"',
      '  source = "git::https://example.com/d.git?ref=v1"',
      '}',
    ].join('\n');
    expect(moduleSources(hcl)).toEqual(['./a', '../b', 'git::https://example.com/d.git?ref=v1']);
  });

  test('an unterminated heredoc or comment ends the file, not the parser', () => {
    expect(moduleSources('module "a" { source = "./a" }\nlocals { x = <<EOT\nmodule "b" { source = "./b" }\n')).toEqual(['./a']);
    expect(moduleSources('module "a" { source = "./a" }\n/* module "b" { source = "./b" }')).toEqual(['./a']);
  });

  test.each<[string, string, string[]]>([
    ['two labels', 'module "a" "b" { source = "./ab" }', ['./ab']],
    ['a bare label', 'module a { source = "./ident-label" }', ['./ident-label']],
    ['the brace on the next line', 'module "a"\n{ source = "./next-line" }', ['./next-line']],
    ['no label: not a module block', 'module { source = "./no-label" }', []],
    ['module and source as top-level attributes', 'module = "x"\nsource = "./top"', []],
    ['labels and no block', 'module "a" "b" "c"', []],
    ['a module block inside another block', 'locals { module "x" { source = "./nested" } }', []],
    ['source without =', 'module "a" { source "./no-eq" }', []],
    ['source == …', 'module "a" { source == "./eqeq" }', []],
    ['source from a variable', 'module "a" { source = var.x }', []],
    ['a %{…} template', 'module "a" { source = "%{ if true }x%{ endif }" }', []],
    ['an unterminated string', 'module "a" { source = "./u\n}', []],
    ['source after a nested block closes', 'module "a" {\n  x = {\n  }\n  source = "./after-nested"\n}', ['./after-nested']],
    ['every source of a block', 'module "a" {\n  source = "./a"\n  source = "./a2"\n}', ['./a', './a2']],
    ['stray closing braces', 'module "a" { source = "./a" }\n}\n}\nmodule "b" { source = "./b" }', ['./a', './b']],
    ['an escape kept as written', 'module "a" { source = "./with \\" quote" }', ['./with \\" quote']],
    ['<< that is not a heredoc', 'module "a" { x = 1 << 2\n source = "./shift" }', ['./shift']],
    ['a source inside a heredoc', 'module "a" { x = <<-EOT\n  source = "./in-heredoc"\n  EOT\n source = "./after-heredoc" }', ['./after-heredoc']],
    ['a // comment', 'module "a" {\n // source = "./c"\n source = "./real" }', ['./real']],
    ['a trailing module keyword', 'module "a" { source = "./a" } module "b" source', ['./a']],
  ])('%s', (_name, hcl, sources) => {
    expect(moduleSources(hcl)).toEqual(sources);
  });
});

test('git diff --name-status -z: renames and copies carry their origin', () => {
  expect(parseNameStatus('M\0a/x\0R087\0old/y\0new/y\0D\0gone\0A\0added\0C100\0src\0copy\0T\0link\0')).toEqual([
    { path: 'a/x', status: 'modified' },
    { path: 'new/y', status: 'renamed', from: 'old/y' },
    { path: 'gone', status: 'deleted' },
    { path: 'added', status: 'added' },
    { path: 'copy', status: 'copied', from: 'src' },
    { path: 'link', status: 'type-changed' },
  ]);
});
