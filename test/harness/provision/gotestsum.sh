#!/usr/bin/env bash
# gotestsum (JUnit XML from `go test`, with --rerun-fails) and go-junit-report (the other common converter),
# built from the Go module proxy at the pinned releases, for test-report's fixtures. GO_JUNIT_REPORT_VERSION
# pins the second one; both land in this tool's bin/.
set -euo pipefail
v="${GOTESTSUM_VERSION:?GOTESTSUM_VERSION pin missing}"
gjr="${GO_JUNIT_REPORT_VERSION:?GO_JUNIT_REPORT_VERSION pin missing}"
have_tool gotestsum "$v" go-junit-report && { echo "gotestsum $v already provisioned"; exit 0; }
stage="$(stage_dir gotestsum "$v")"
trap 'rm -rf "$stage"' EXIT
CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath "gotest.tools/gotestsum@v$v"
CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath "github.com/jstemmer/go-junit-report/v2@v$gjr"
"$stage/bin/gotestsum" --version | grep -q "$v" || { echo "gotestsum: built binary does not report $v" >&2; exit 1; }
commit_dir gotestsum "$v" "$stage"
echo "gotestsum $v, go-junit-report $gjr -> $(tool_dir gotestsum "$v")/bin"
