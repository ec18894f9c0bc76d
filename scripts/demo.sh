#!/usr/bin/env bash
# The demo (README: `npm run demo`): builds the actions, provisions what they need, and runs every action
# on the bundled examples through the local runner, printing what a PR author would see.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ]; then npm install --no-audit --no-fund; fi
# Node 24 runs the bundles; each demo step names the tools it needs (examples/demo.json "tools").
tools=$(node -e 'const s=require("./examples/demo.json");console.log([...new Set(s.flatMap(x=>(x.tools??[]).map(t=>t.split("/")[0])))].join(" "))')
bash test/harness/provision.sh node24 $tools >/dev/null
node scripts/build.mjs >/dev/null
npx tsx scripts/demo.ts "$@"
