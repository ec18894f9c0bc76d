// k8s-deploy-rollback's fingerprint recipe, pinned: a deploy failure is keyed on its reason and the
// workload, a failed rollback on the rule alone, never on a time, a pod name or a message.
import { test } from '@jest/globals';
import { expectPinnedFingerprints } from '../../../test/helpers/fingerprints.js';
import { findings } from '../src/conclude.js';

test('fingerprints stay what they were: a failed rollout of a workload, a failed rollback', () => {
  const [failure, rollback] = findings({
    failure: {
      stage: 'rollout',
      reason: 'ImagePullBackOff',
      message: 'pod web-7d4b9c-x2x1 cannot pull registry.example.com/web:1.1',
      ref: { kind: 'Deployment', namespace: 'prod', name: 'web' },
      failingPods: ['web-7d4b9c-x2x1'],
      detectedAt: 1_700_000_000_000,
    },
    rollbackError: 'kubectl rollout undo timed out',
  });
  expectPinnedFingerprints(
    { [failure.ruleId]: failure.fingerprint, [rollback.ruleId]: rollback.fingerprint },
    { ImagePullBackOff: '0ffa15147d965ebe0cbb52b66c23f29a', RollbackFailed: 'e3ada902e6cfc41b2f8d912cb0498298' },
  );
});
