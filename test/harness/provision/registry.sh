#!/usr/bin/env bash
# about: OCI registry serving trivy's database, for trivy-scan's tests
# cold-build-seconds: 120
# The pinned CNCF distribution registry (OCI distribution API server) into
# $PA_CACHE/tools/registry/<v>/bin/registry: the official release when its host answers (sha256 pinned in
# versions.env), else built from the Go module proxy. Tests start it on loopback (services/registry.ts).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${REGISTRY_VERSION:?REGISTRY_VERSION pin missing (test/harness/versions.env)}"
source "$here/lib.sh"

if have_tool registry "$REGISTRY_VERSION" registry; then
  announce registry "$REGISTRY_VERSION" cached cached
else
  stage="$(stage_dir registry "$REGISTRY_VERSION")"
  trap 'rm -rf "$stage"' EXIT
  if ! fetch_release registry "$REGISTRY_VERSION" "$stage"; then
    build_instead registry "$REGISTRY_VERSION"
    pkg=github.com/distribution/distribution/v3
    # No replace directives in its go.mod, so go install builds the release as pinned; -X stamps the
    # version that `registry --version` prints.
    CGO_ENABLED=0 GOBIN="$stage/bin" nice -n 5 go install -trimpath \
      -ldflags "-s -w -X $pkg/version.version=$REGISTRY_VERSION" "$pkg/cmd/registry@$REGISTRY_VERSION"
  fi
  [[ "$("$stage/bin/registry" --version)" == *" $REGISTRY_VERSION"* ]] || { echo "registry: binary does not report $REGISTRY_VERSION" >&2; exit 1; }
  commit_dir registry "$REGISTRY_VERSION" "$stage"
  trap - EXIT
fi
"$(tool_dir registry "$REGISTRY_VERSION")/bin/registry" --version
