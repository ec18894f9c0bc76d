#!/usr/bin/env bash
# The one test command (README: `npm test`). From a fresh clone on a fresh machine it installs
# dependencies, provisions every tool and service the tests need (cached outside the repo), then runs
# lint, type checks, the repository checks, and all unit, smoke, integration and end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
human() { if [ "$1" -lt 60 ]; then echo "${1}s"; else printf '%dm%02ds\n' $(($1 / 60)) $(($1 % 60)); fi; }
current=""
phase() { current="$1"; echo; echo "=== $1 ($(human $((SECONDS - t0))) so far)"; }
# However the run ends, it ends with its wall time and then the plain count line (.build/test-counts.txt,
# written after the tests) that any CI reader understands.
rm -f .build/test-counts.txt
finish() {
  local rc=$?
  echo
  if [ "$rc" -eq 0 ]; then echo "npm test: passed in $(human $((SECONDS - t0)))"; else echo "npm test: FAILED (exit $rc; last phase: $current) after $(human $((SECONDS - t0)))"; fi
  if [ -f .build/test-counts.txt ]; then cat .build/test-counts.txt; fi
}
trap finish EXIT
status=0

phase "install dependencies"
# `npm install`, not `npm ci`: npm ci rejects our lock because the registry here has no
# @unrs/resolver-binding-* packages for other platforms (optional deps of jest's resolver), which npm ci
# counts as "missing from lock file". npm install still installs the locked versions.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi

phase "provision tools"
# One line per tool (what, from where, how long) and a total; tool output goes to the logs it names. A tool
# that fails is said in one line and the tests still run, so one run shows everything.
bash test/harness/provision.sh || status=1

phase "lint, format and type check"
npx eslint .
# No dead code: every export is imported somewhere (knip.json says where the entry points are).
npx knip --no-progress
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
for tier in unit integration e2e; do
  phase "tests: $tier"
  PA_SKIP_BUILD=1 node scripts/test-tier.mjs "$tier" --ci --json --outputFile=".build/jest-$tier.json" "$@" || status=1
done
node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0;
  for (const t of ["unit", "integration", "e2e"]) {
    const file = `.build/jest-${t}.json`;
    if (!fs.existsSync(file)) continue;
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests; s += r.numPendingTests;
  }
  fs.writeFileSync(".build/test-counts.txt", `${p} passed, ${f} failed, ${s} skipped\n`);
' || true
exit "$status"
