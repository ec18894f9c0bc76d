#!/usr/bin/env bash
# Build the pinned CNCF distribution registry (OCI distribution API server) from the Go module proxy
# into $PA_CACHE/tools/registry/<v>/bin/registry. Tests start it on loopback (services/registry.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${REGISTRY_VERSION:?REGISTRY_VERSION pin missing (test/harness/versions.env)}"
source "$here/lib.sh"

if ! have_tool registry "$REGISTRY_VERSION" registry; then
  stage="$(stage_dir registry "$REGISTRY_VERSION")"
  trap 'rm -rf "$stage"' EXIT
  pkg=github.com/distribution/distribution/v3
  # No replace directives in its go.mod, so go install builds the release as pinned; -X stamps the
  # version that `registry --version` prints.
  CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
    -ldflags "-s -w -X $pkg/version.version=$REGISTRY_VERSION" "$pkg/cmd/registry@$REGISTRY_VERSION"
  [[ "$("$stage/bin/registry" --version)" == *" $REGISTRY_VERSION"* ]] || { echo "registry: version stamp missing" >&2; exit 1; }
  commit_dir registry "$REGISTRY_VERSION" "$stage"
  trap - EXIT
fi
"$(tool_dir registry "$REGISTRY_VERSION")/bin/registry" --version
