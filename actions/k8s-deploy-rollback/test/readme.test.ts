// The README's fail-fast rule table is the one generated from the code.
import { expect, test } from '@jest/globals';
import { readmeIsCurrent } from '../../../scripts/rules-tables.js';

test('README rule table matches RULES in src/classify.ts (npm run docs)', () => {
  expect(readmeIsCurrent('k8s-deploy-rollback')).toBe(true);
});
