#!/usr/bin/env bash
# about: the official SARIF 2.1.0 JSON schema, for validating every SARIF file the tests write
# cold-build-seconds: 40
# The official SARIF 2.1.0 JSON schema, used by tests to validate every SARIF file we write.
# It ships inside @microsoft/sarif-multitool-linux (~95 MB); we keep only the schema file.
set -euo pipefail
v="$SARIF_SCHEMA_VERSION"
[ -f "$(tool_dir sarif-schema "$v")/bin/sarif-2.1.0.json" ] && { announce sarif-schema "$v" cached cached; exit 0; }
announce sarif-schema "$v" npm "from npm @microsoft/sarif-multitool-linux (~95 MB, ~30 s)"
stage="$(stage_dir sarif-schema "$v")"
trap 'rm -rf "$stage"' EXIT
( cd "$stage" && npm pack --silent "@microsoft/sarif-multitool-linux@$v" >/dev/null )
tgz="$(ls "$stage"/*.tgz)"
member="$(tar -tzf "$tgz" | grep -E '/sarif-2\.1\.0\.json$' || true)"
member="${member%%$'\n'*}"   # the first; not `| head`, whose early exit can SIGPIPE tar under pipefail
[ -n "$member" ] || { echo "sarif-schema: sarif-2.1.0.json not found in $tgz" >&2; exit 1; }
mkdir -p "$stage/out/bin"
tar -xzf "$tgz" -C "$stage/out" "$member"
mv "$stage/out/$member" "$stage/out/bin/sarif-2.1.0.json"
rm -rf "$stage/out/package" "$tgz"
commit_dir sarif-schema "$v" "$stage/out"
