#!/usr/bin/env bash
# gitleaks v8, built from the Go module proxy at the pinned release; the version is stamped via
# -ldflags so that `gitleaks version` prints it (a plain go install prints a placeholder).
set -euo pipefail
v="${GITLEAKS_VERSION:?GITLEAKS_VERSION pin missing}"
have_tool gitleaks "$v" gitleaks && { echo "gitleaks $v already provisioned"; exit 0; }
stage="$(stage_dir gitleaks "$v")"
trap 'rm -rf "$stage"' EXIT
CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
  -ldflags "-s -w -X github.com/zricethezav/gitleaks/v8/version.Version=v$v" \
  "github.com/zricethezav/gitleaks/v8@v$v"
[ "$("$stage/bin/gitleaks" version)" = "v$v" ] || { echo "gitleaks: built binary does not report v$v" >&2; exit 1; }
commit_dir gitleaks "$v" "$stage"
echo "gitleaks $v -> $(tool_dir gitleaks "$v")/bin/gitleaks"
