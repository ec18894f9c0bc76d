#!/usr/bin/env bash
# about: lefthook, the hook manager the CLI end-to-end test installs
# cold-build-seconds: 5
# lefthook (https://lefthook.dev) from the npm registry (the lefthook package with its platform binary), for
# the CLI's end-to-end test of its lefthook example. bin/lefthook is the package's own launcher.
set -euo pipefail
v="${LEFTHOOK_VERSION:?LEFTHOOK_VERSION pin missing}"
have_tool lefthook "$v" lefthook && [ "$("$(tool_dir lefthook "$v")/bin/lefthook" version)" = "$v" ] && { echo "lefthook $v already provisioned"; exit 0; }
type announce >/dev/null 2>&1 && announce lefthook "$v" npm "the lefthook npm package with its platform binary (~5 s)"
stage="$(stage_dir lefthook "$v")"
trap 'rm -rf "$stage"' EXIT
# --ignore-scripts: the package's postinstall runs `lefthook install` in the folder npm was started from,
# which would put hooks into whatever git repository that is. The binary comes with lefthook-<os>-<arch>.
(cd "$stage" && npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$stage" "lefthook@$v" > /dev/null)
mkdir -p "$stage/bin"
ln -s ../node_modules/lefthook/bin/index.js "$stage/bin/lefthook"
[ "$("$stage/bin/lefthook" version)" = "$v" ] || { echo "lefthook: the installed binary does not report $v" >&2; exit 1; }
commit_dir lefthook "$v" "$stage"
echo "lefthook $v -> $(tool_dir lefthook "$v")/bin/lefthook"
