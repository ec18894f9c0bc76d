#!/usr/bin/env bash
# about: simulated nodes and the local control plane runner, for the Kubernetes cluster service
# cold-build-seconds: 240
# kwok (simulated kubelets/nodes) and kwokctl (runs a local control plane from our own binaries) into
# $PA_CACHE/tools/kwok/$KWOK_VERSION/bin/: the official releases when their host answers (sha256 pinned
# in versions.env), else built from the Go module proxy.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
type stage_dir >/dev/null 2>&1 || source "$here/lib.sh"
: "${KWOK_VERSION:?KWOK_VERSION pin missing}"
have_tool kwok "$KWOK_VERSION" kwok && have_tool kwok "$KWOK_VERSION" kwokctl && { announce kwok "$KWOK_VERSION" cached cached; exit 0; }

export GOWORK=off GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
stage="$(stage_dir kwok "$KWOK_VERSION")"
trap 'rm -rf "$stage"' EXIT   # gone after commit_dir; removes a half-built stage on failure
if ! fetch_release kwok "$KWOK_VERSION" "$stage"; then
  build_instead kwok "$KWOK_VERSION"
  # kwok's go.mod has no replace directives, so plain `go install pkg@version` works.
  GOBIN="$stage/bin" nice -n 5 go install -trimpath -ldflags "-s -w" \
    "sigs.k8s.io/kwok/cmd/kwok@v${KWOK_VERSION#v}" "sigs.k8s.io/kwok/cmd/kwokctl@v${KWOK_VERSION#v}"
fi
got="$("$stage/bin/kwokctl" --version)"
[[ "$got" == *"${KWOK_VERSION#v}"* ]] || { echo "kwok: unexpected version: $got" >&2; exit 1; }
commit_dir kwok "$KWOK_VERSION" "$stage"
