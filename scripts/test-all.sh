#!/usr/bin/env bash
# The one test command (README: `npm test`). From a fresh clone on a fresh machine it installs
# dependencies, provisions every tool and service the tests need (cached outside the repo), then runs
# lint, type checks, the repository checks, and all unit, smoke, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
phase() { echo; echo "=== $1 ($((SECONDS - t0))s)"; }

phase "install dependencies"
# `npm install`, not `npm ci`: npm ci rejects our lock because the registry here has no
# @unrs/resolver-binding-* packages for other platforms (optional deps of jest's resolver), which npm ci
# counts as "missing from lock file". npm install still installs the locked versions.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi

phase "provision tools"
bash test/harness/provision.sh

phase "lint, format and type check"
npx eslint .
npx prettier --check . --log-level warn
npx tsc -p tsconfig.json --noEmit

phase "repository checks"
node scripts/check-actions.mjs
node scripts/check-dist.mjs
# dist/ is current (checked above); the test-only actions are built into .build/.
node scripts/build.mjs --test-only

phase "tests"
mkdir -p .build
# Three tiers (scripts/test-tier.mjs): unit (no tools), integration (real tools and services), e2e (bundles
# through the runner). Every tier runs even when an earlier one fails, so one run shows everything.
status=0
for tier in unit integration e2e; do
  phase "tests: $tier"
  PA_SKIP_BUILD=1 node scripts/test-tier.mjs "$tier" --ci --json --outputFile=".build/jest-$tier.json" "$@" || status=1
done
# A plain closing line that any CI reader understands.
node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0;
  for (const t of ["unit", "integration", "e2e"]) {
    const file = `.build/jest-${t}.json`;
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests;
  }
  console.log(`${p} passed, ${f} failed, ${s} skipped`);
' || true
[ "$status" -eq 0 ] || exit "$status"

phase "done"
