#!/usr/bin/env bash
# kubeconform, built from the Go module proxy at the pinned release (version stamped for `-v`).
set -euo pipefail
v="${KUBECONFORM_VERSION:?KUBECONFORM_VERSION pin missing}"
have_tool kubeconform "$v" kubeconform && { echo "kubeconform $v already provisioned"; exit 0; }
stage="$(stage_dir kubeconform "$v")"
trap 'rm -rf "$stage"' EXIT
CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
  -ldflags "-s -w -X main.version=v$v" \
  "github.com/yannh/kubeconform/cmd/kubeconform@v$v"
[ "$("$stage/bin/kubeconform" -v)" = "v$v" ] || { echo "kubeconform: built binary does not report v$v" >&2; exit 1; }
commit_dir kubeconform "$v" "$stage"
echo "kubeconform $v -> $(tool_dir kubeconform "$v")/bin/kubeconform"
