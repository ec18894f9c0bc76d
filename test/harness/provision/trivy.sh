#!/usr/bin/env bash
# Build the pinned trivy CLI from the Go module proxy into $PA_CACHE/tools/trivy/<v>/bin/trivy,
# then generate the offline vulnerability DB from our advisories fixture (see trivy/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${TRIVY_VERSION:?TRIVY_VERSION pin missing (test/harness/versions.env)}"
source "$here/lib.sh"

if ! have_tool trivy "$TRIVY_VERSION" trivy; then
  stage="$(stage_dir trivy "$TRIVY_VERSION")"
  trap 'rm -rf "$stage"' EXIT
  # `go install mod@version` cannot be used: the proxy refuses trivy's version list (403), which
  # go install reads for deprecation notices. A throwaway wrapper module that requires the pinned
  # release as a tool builds it with exactly trivy's own dependency versions (it has no replaces).
  mkdir -p "$stage/src"
  (
    cd "$stage/src"
    go mod init pa.local/trivy-build >/dev/null 2>&1
    nice -n 5 go get -tool "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION" >get.log 2>&1 || { cat get.log >&2; exit 1; }
    # As trivy's own release build: jsonv2 experiment (it imports encoding/json/v2), static, and -X
    # stamps the version that `trivy --version` and JSON reports print.
    CGO_ENABLED=0 GOEXPERIMENT=jsonv2 nice -n 5 go build -trimpath -o "$stage/bin/trivy" \
      -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
      github.com/aquasecurity/trivy/cmd/trivy
  )
  rm -rf "$stage/src"
  [[ "$("$stage/bin/trivy" --version)" == *"Version: ${TRIVY_VERSION#v}"* ]] || { echo "trivy: version stamp missing" >&2; exit 1; }
  commit_dir trivy "$TRIVY_VERSION" "$stage"
  trap - EXIT
fi
"$(tool_dir trivy "$TRIVY_VERSION")/bin/trivy" --version | head -1

# The offline DB (trivy.db + metadata.json), cached by a hash of the advisories and the generator.
bash "$here/../trivy/gen-db.sh"
