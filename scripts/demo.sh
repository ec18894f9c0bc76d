#!/usr/bin/env bash
# The demo (README: `npm run demo`): runs every action on the bundled examples through the local runner,
# printing what a PR author would see. scripts/demo.ts provisions what the steps need (in the background,
# cheapest first), builds the bundles, and prints each step's result as soon as it has run.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEMO_STARTED_AT="${DEMO_STARTED_AT:-$(date +%s)}"
if [ ! -d node_modules ]; then
  echo "demo: installing npm dependencies (~1 min)"
  npm install --no-audit --no-fund --loglevel=error
fi
exec npx tsx scripts/demo.ts "$@"
