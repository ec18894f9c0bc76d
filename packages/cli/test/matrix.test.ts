// strategy.matrix expanded as GitHub documents it ("Expanding or adding matrix configurations",
// "Excluding matrix configurations"), as a table.
import { describe, expect, it } from '@jest/globals';
import { expandMatrix, matrixName } from '../src/matrix.js';

describe('expandMatrix', () => {
  it.each([
    ['no matrix', null, [{}]],
    ['one axis', { python: ['3.9', '3.11'] }, [{ python: '3.9' }, { python: '3.11' }]],
    [
      'two axes, every combination in order',
      { os: ['a', 'b'], v: [1, 2] },
      [
        { os: 'a', v: 1 },
        { os: 'a', v: 2 },
        { os: 'b', v: 1 },
        { os: 'b', v: 2 },
      ],
    ],
    [
      'exclude matches on the keys it names',
      { os: ['a', 'b'], v: [1, 2], exclude: [{ os: 'b', v: 2 }] },
      [
        { os: 'a', v: 1 },
        { os: 'a', v: 2 },
        { os: 'b', v: 1 },
      ],
    ],
    [
      // GitHub's documented example: the include adds color to every combination it does not contradict.
      'include adds keys to the combinations it fits, or becomes its own',
      {
        fruit: ['apple', 'pear'],
        animal: ['cat', 'dog'],
        include: [{ color: 'green' }, { color: 'pink', animal: 'cat' }, { fruit: 'apple', shape: 'circle' }, { fruit: 'banana' }, { fruit: 'banana', animal: 'cat' }],
      },
      [
        { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
        { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
        { fruit: 'pear', animal: 'cat', color: 'pink' },
        { fruit: 'pear', animal: 'dog', color: 'green' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    ],
    ['include only', { include: [{ a: 1 }, { a: 2 }] }, [{ a: 1 }, { a: 2 }]],
    ['everything excluded', { v: [1], exclude: [{ v: 1 }] }, []],
  ])('%s', (_what, matrix, want) => {
    expect(expandMatrix(matrix as never)).toEqual(want);
  });

  it.each([
    ['a list', [1], 'strategy.matrix must be a mapping'],
    ['an axis that is not a list', { v: '3.11' }, 'strategy.matrix.v must be a list'],
    ['include that is not a list of mappings', { v: [1], include: ['x'] }, 'strategy.matrix.include must be a list of mappings'],
  ])('rejects %s', (_what, matrix, message) => {
    expect(() => expandMatrix(matrix as never)).toThrow(message);
  });

  it('names a combination as GitHub does', () => {
    expect(matrixName('tests', { python: '3.11', db: { v: 15 } })).toBe('tests (3.11, {"v":15})');
    expect(matrixName('tests', {})).toBe('tests');
  });
});
