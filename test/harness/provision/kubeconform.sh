#!/usr/bin/env bash
# about: Kubernetes manifest validator, the peer helm-validate's tests compare against
# cold-build-seconds: 60
# kubeconform: the official release when its host answers (sha256 pinned in versions.env), else built from
# the Go module proxy at the pinned release (version stamped for `-v`).
set -euo pipefail
v="${KUBECONFORM_VERSION:?KUBECONFORM_VERSION pin missing}"
have_tool kubeconform "$v" kubeconform && { announce kubeconform "$v" cached cached; exit 0; }
stage="$(stage_dir kubeconform "$v")"
trap 'rm -rf "$stage"' EXIT
if ! fetch_release kubeconform "$v" "$stage"; then
  build_instead kubeconform "$v"
  CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
    -ldflags "-s -w -X main.version=v$v" \
    "github.com/yannh/kubeconform/cmd/kubeconform@v$v"
fi
[[ "$("$stage/bin/kubeconform" -v)" =~ ^v?${v//./\\.}$ ]] || { echo "kubeconform: binary does not report v$v" >&2; exit 1; }
commit_dir kubeconform "$v" "$stage"
echo "kubeconform $v -> $(tool_dir kubeconform "$v")/bin/kubeconform"
