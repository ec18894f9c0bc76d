// test-report's fingerprint recipe, pinned: a failing or flaky test keeps its identity (report, class and
// name) across runs, whatever its message, time or line.
import { test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { toFinding } from '../src/findings.js';
import { parseJUnit } from '../src/junit.js';
import { foldAttempts } from '../src/results.js';

test('fingerprints stay what they were: a failed, an errored and a flaky test', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="pytest" tests="4">
    <testcase classname="tests.test_orders" name="test_total" file="tests/test_orders.py" line="11" time="0.2"><failure message="assert 3 == 4">AssertionError</failure></testcase>
    <testcase classname="tests.test_orders" name="test_db" time="0.1"><error message="connection refused">OperationalError</error></testcase>
    <testcase classname="tests.test_cache" name="test_warm" time="0.1"><failure message="timeout">TimeoutError</failure></testcase>
    <testcase classname="tests.test_cache" name="test_warm" time="0.1"/>
  </testsuite>
</testsuites>`;
  const results = foldAttempts(parseJUnit(xml, 'reports/junit.xml')).filter((r) => r.status !== 'passed' || r.flaky);
  expectPinnedFingerprints(
    Object.fromEntries(results.map((r) => [`${r.name} (${toFinding(r, undefined).ruleId})`, toFinding(r, { path: 'tests/x.py', startLine: 1 }).fingerprint])),
    {
      'test_total (test-failed)': '64b035096b39d5a205cb205557b59ad5',
      'test_db (test-error)': '10f5feb75ae6a793dd9f615d68e2566b',
      'test_warm (flaky-test)': 'a28ae5d4cbb393876f09f0c5c32b0ea2',
    },
  );
});
