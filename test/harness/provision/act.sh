#!/usr/bin/env bash
# about: runs the example pipelines on the host, for the pipeline tests
# cold-build-seconds: 180
# nektos/act: the official release when its host answers (sha256 pinned in versions.env), else built from
# the Go module proxy at the pinned release (version stamped for `--version`).
# The pipeline tests run example workflows with it on the host (`-P ubuntu-latest=-self-hosted`, no Docker).
set -euo pipefail
v="${ACT_VERSION:?ACT_VERSION pin missing}"
have_tool act "$v" act && { announce act "$v" cached cached; exit 0; }
stage="$(stage_dir act "$v")"
trap 'rm -rf "$stage"' EXIT
if ! fetch_release act "$v" "$stage"; then
  build_instead act "$v"
  CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
    -ldflags "-s -w -X main.version=$v" \
    "github.com/nektos/act@v$v"
fi
[ "$("$stage/bin/act" --version)" = "act version $v" ] || { echo "act: binary does not report $v" >&2; exit 1; }
commit_dir act "$v" "$stage"
echo "act $v -> $(tool_dir act "$v")/bin/act"
