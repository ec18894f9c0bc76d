// The README's fail-fast rule table is the one generated from the code.
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesTable } from '../src/classify.js';
import { actionDir } from './helpers.js';

test('README rule table matches RULES in src/classify.ts', () => {
  const readme = readFileSync(join(actionDir, 'README.md'), 'utf8');
  const m = /<!-- rules:[^>]*-->\n([\s\S]*?)\n<!-- rules:end -->/.exec(readme);
  expect(m?.[1]).toBe(rulesTable());
});
