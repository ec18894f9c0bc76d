// Fingerprints are a promise to users: baselines, ignore files and code-scanning alert identity (SARIF
// partialFingerprints) are keyed on them. Changing how an action computes one resets every user's
// baseline and reopens their dismissed alerts, so each action's recipe is pinned by literal values that
// change only together with a release note saying so.

/**
 * Fails, saying "baseline reset: needs a release note", when a fingerprint differs from its pinned
 * value. `got` and `pinned` map a case name to a fingerprint.
 */
export function expectPinnedFingerprints(got: Record<string, string | undefined>, pinned: Record<string, string>): void {
  const names = [...new Set([...Object.keys(pinned), ...Object.keys(got)])];
  const changed = names.filter((n) => got[n] !== pinned[n]);
  if (!changed.length) return;
  const lines = changed.map((n) => `  ${n}: pinned ${pinned[n] ?? '(none)'}, now ${got[n] ?? '(none)'}`);
  throw new Error(
    [
      'baseline reset: needs a release note.',
      'These fingerprints changed, so every baseline, ignore entry and code-scanning alert keyed on them resets:',
      ...lines,
      'If that is intended, update the pinned values here and say so in CHANGELOG.md.',
    ].join('\n'),
  );
}
