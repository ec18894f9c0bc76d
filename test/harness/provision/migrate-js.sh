#!/usr/bin/env bash
# about: node-pg-migrate, knex and dbmate, for migration-test's JavaScript presets
# cold-build-seconds: 40
# JavaScript migration tools for migration-test's presets, from npm into one folder: node-pg-migrate, knex
# (both drive PostgreSQL through `pg`) and dbmate (a Go binary shipped as an npm optionalDependency).
# MIGRATE_JS_VERSION lists the exact packages; bin/ links each CLI.
set -euo pipefail
v="${MIGRATE_JS_VERSION:?MIGRATE_JS_VERSION pin missing}"
have_tool migrate-js "$v" dbmate && { announce migrate-js "$v" cached cached; exit 0; }
announce migrate-js "$v" npm "npm install (~30 s)"
stage="$(stage_dir migrate-js "$v")"
trap 'rm -rf "$stage"' EXIT
IFS=, read -r -a pkgs <<< "$v"
npm install --prefix "$stage" --no-audit --no-fund --no-save --loglevel=error "${pkgs[@]}"
mkdir -p "$stage/bin"
for b in node-pg-migrate knex dbmate; do
  [ -e "$stage/node_modules/.bin/$b" ] || { echo "migrate-js: npm did not install the $b CLI" >&2; exit 1; }
  ln -s "../node_modules/.bin/$b" "$stage/bin/$b"
done
"$stage/bin/dbmate" --version >/dev/null
trap - EXIT
commit_dir migrate-js "$v" "$stage"
echo "migrate-js $v -> $(tool_dir migrate-js "$v")/bin"
