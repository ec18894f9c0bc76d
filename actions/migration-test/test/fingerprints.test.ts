// migration-test's fingerprint recipes, pinned: a revision's problem, a model difference (keyed on what
// differs, not on the head revision) and a squawk finding. Users' baselines and code-scanning alerts are
// keyed on them. (Django's makemigrations findings are pinned in django.integration.test.ts, with real Django.)
import { expect, test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { problemsToFindings } from '../src/findings.js';
import { squawkFindings } from '../src/lint.js';
import { alembicModelFindings } from '../src/models.js';

test('fingerprints stay what they were: a revision problem, an Alembic model difference, a squawk violation', () => {
  const [problem] = problemsToFindings(
    [
      {
        rule: 'downgrade-left-trace',
        revision: '3f2a1b9c0d4e',
        phase: 'down',
        message: 'downgrade of 3f2a1b9c0d4e left table audit_log behind',
        path: 'migrations/versions/3f2a_add_audit.py',
        line: 30,
      },
    ],
    () => undefined,
  );
  const diff = { op: 'add_column', schema: null, table: 'orders', name: 'discount', old: null, new: 'NUMERIC(10, 2)', file: null, line: null };
  const [model] = alembicModelFindings([diff], { head: '9e8d7c6b5a41' });
  // A new migration moves the head; the models' difference stays the same finding.
  expect(alembicModelFindings([diff], { head: 'a1b2c3d4e5f6' })[0].fingerprint).toBe(model.fingerprint);
  const [squawk] = squawkFindings(
    [
      {
        file: 'migrations/0002_index.sql',
        line: 0,
        column: 0,
        level: 'Warning',
        message: 'During normal index creation, table updates are blocked.',
        help: 'Use CONCURRENTLY.',
        rule_name: 'require-concurrent-index-creation',
      },
    ],
    [{ sqlPath: 'migrations/0002_index.sql', location: 'migrations/0002_index.sql', generated: false }],
  );
  expectPinnedFingerprints(
    { 'downgrade-left-trace': problem.fingerprint, 'models-differ (alembic)': model.fingerprint, 'squawk/require-concurrent-index-creation': squawk.fingerprint },
    {
      'downgrade-left-trace': '43d119ce799a37341602f982098f13ee',
      'models-differ (alembic)': 'ecb0b29cf2b7259825b433a4e5988efb',
      'squawk/require-concurrent-index-creation': '0d067c2803d6181acdea92dde0e7aeda',
    },
  );
});
