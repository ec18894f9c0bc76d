#!/usr/bin/env bash
# jest with the jest-junit reporter, from npm into one folder, for test-report's fixtures (tests write a
# small project and run jest on it; its coverage reporters write Cobertura and LCOV). TESTREPORT_JS_VERSION
# lists the exact packages; bin/jest links the CLI.
set -euo pipefail
v="${TESTREPORT_JS_VERSION:?TESTREPORT_JS_VERSION pin missing}"
have_tool testreport-js "$v" jest && { echo "testreport-js $v already provisioned"; exit 0; }
stage="$(stage_dir testreport-js "$v")"
trap 'rm -rf "$stage"' EXIT
IFS=, read -r -a pkgs <<< "$v"
npm install --prefix "$stage" --no-audit --no-fund --no-save --loglevel=error "${pkgs[@]}"
[ -e "$stage/node_modules/.bin/jest" ] || { echo "testreport-js: npm did not install the jest CLI" >&2; exit 1; }
[ -f "$stage/node_modules/jest-junit/index.js" ] || { echo "testreport-js: npm did not install jest-junit" >&2; exit 1; }
mkdir -p "$stage/bin" && ln -s ../node_modules/.bin/jest "$stage/bin/jest"
trap - EXIT
commit_dir testreport-js "$v" "$stage"
echo "testreport-js $v -> $(tool_dir testreport-js "$v")/bin/jest"
