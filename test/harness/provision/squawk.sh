#!/usr/bin/env bash
# squawk from npm `squawk-cli`: its per-platform optionalDependency (@squawk-cli/<os>-<arch>) carries
# the native binary; bin/squawk links straight to it so no Node wrapper sits in between.
set -euo pipefail
v="${SQUAWK_VERSION:?SQUAWK_VERSION pin missing}"
have_tool squawk "$v" squawk && { echo "squawk $v already provisioned"; exit 0; }
stage="$(stage_dir squawk "$v")"
trap 'rm -rf "$stage"' EXIT
npm install --prefix "$stage" --no-audit --no-fund --no-save --loglevel=error "squawk-cli@$v"
platform="$(node -p 'process.platform + "-" + process.arch')"
native="node_modules/@squawk-cli/$platform/bin/squawk"
[ -x "$stage/$native" ] || { echo "squawk: npm did not install $native (no binary for $platform?)" >&2; exit 1; }
mkdir -p "$stage/bin" && ln -s "../$native" "$stage/bin/squawk"
[ "$("$stage/bin/squawk" --version)" = "squawk $v" ] || { echo "squawk: binary does not report $v" >&2; exit 1; }
commit_dir squawk "$v" "$stage"
echo "squawk $v -> $(tool_dir squawk "$v")/bin/squawk"
