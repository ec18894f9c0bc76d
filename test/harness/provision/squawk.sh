#!/usr/bin/env bash
# about: PostgreSQL migration linter, the peer migration-test's tests compare against
# cold-build-seconds: 20
# squawk from npm `squawk-cli`: its per-platform optionalDependency (@squawk-cli/<os>-<arch>) carries
# the native binary; bin/squawk links straight to it so no Node wrapper sits in between.
set -euo pipefail
v="${SQUAWK_VERSION:?SQUAWK_VERSION pin missing}"
have_tool squawk "$v" squawk && { announce squawk "$v" cached cached; exit 0; }
announce squawk "$v" npm "the native binary inside npm squawk-cli (~15 s)"
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
