#!/usr/bin/env bash
# about: npm cache warmed from the React example's lockfile, for the act pipeline runs (node-ci's npm ci, offline)
# cold-build-seconds: 60
# node-ci.yml runs `npm ci` after actions/setup-node with `cache: npm`, which on GitHub restores npm's cache.
# This script fills such a cache once: `npm ci` of examples/flask-react-app/frontend/package-lock.json with
# --cache pointed into $PA_CACHE (the node_modules it installs are thrown away). The act runs then set
# npm_config_cache to it with npm_config_offline=true, so their `npm ci` installs exactly the lockfile, from here.
# The pin is the lockfile's hash: a changed lockfile needs FRONTEND_NPM_VERSION updated (printed below).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$here/../../examples/flask-react-app/frontend"
v="${FRONTEND_NPM_VERSION:?FRONTEND_NPM_VERSION pin missing}"
hash="$(sha256sum "$project/package-lock.json" | cut -c1-12)"
[ "$v" = "$hash" ] || { echo "frontend-npm: $project/package-lock.json changed; set FRONTEND_NPM_VERSION=$hash in test/harness/versions.env" >&2; exit 1; }
dir="$(tool_dir frontend-npm "$v")"
[ -f "$dir/complete" ] && { announce frontend-npm "$v" cached cached; exit 0; }
announce frontend-npm "$v" npm "npm ci of the example's lockfile into an npm cache (~1 min)"
stage="$(stage_dir frontend-npm "$v")"
trap 'rm -rf "$stage"' EXIT
cp "$project/package.json" "$project/package-lock.json" "$stage/"
(cd "$stage" && npm ci --no-audit --no-fund --ignore-scripts --cache "$stage/npm-cache" --loglevel=error)
rm -rf "$stage/node_modules" "$stage/package.json" "$stage/package-lock.json"
touch "$stage/complete"
trap - EXIT
commit_dir frontend-npm "$v" "$stage"
echo "frontend-npm $v -> $dir/npm-cache"
