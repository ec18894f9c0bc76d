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

phase "lint and type check"
npx eslint .
npx tsc -p tsconfig.json --noEmit

phase "repository checks"
node scripts/check-actions.mjs
node scripts/check-dist.mjs
node scripts/build.mjs --test-only

phase "tests"
mkdir -p .build
set +e
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci --json --outputFile=.build/jest-results.json "$@"
status=$?
set -e
# A plain closing line that any CI reader understands.
node -e 'const r=require("./.build/jest-results.json");console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`)' || true
[ "$status" -eq 0 ] || exit "$status"

phase "done"
