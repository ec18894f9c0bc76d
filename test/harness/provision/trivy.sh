#!/usr/bin/env bash
# about: vulnerability and IaC scanner, for trivy-scan (plus its offline test database)
# cold-build-seconds: 900
# trivy into $PA_CACHE/tools/trivy/<v>/bin/trivy: the official release when its host answers (sha256
# pinned in versions.env), else built from the Go module proxy; then the offline vulnerability DB is
# generated from our advisories fixture (see trivy/README.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${TRIVY_VERSION:?TRIVY_VERSION pin missing (test/harness/versions.env)}"
source "$here/lib.sh"

v="${TRIVY_VERSION#v}"
if have_tool trivy "$TRIVY_VERSION" trivy; then
  binary=cached # said below, once the DB is known to be current too: "cached" means ready to use
else
  stage="$(stage_dir trivy "$TRIVY_VERSION")"
  trap 'rm -rf "$stage"' EXIT
  if ! fetch_release trivy "$v" "$stage"; then
    build_instead trivy "$v"
    # `go install mod@version` cannot be used: the proxy refuses trivy's version list (403), which
    # go install reads for deprecation notices. A throwaway wrapper module that requires the pinned
    # release as a tool builds it with exactly trivy's own dependency versions (it has no replaces).
    mkdir -p "$stage/src"
    (
      cd "$stage/src"
      go mod init pa.local/trivy-build >/dev/null 2>&1
      nice -n 5 go get -tool "github.com/aquasecurity/trivy/cmd/trivy@$TRIVY_VERSION"
      # As trivy's own release build: jsonv2 experiment (it imports encoding/json/v2), static, and -X
      # stamps the version that `trivy --version` and JSON reports print.
      CGO_ENABLED=0 GOEXPERIMENT=jsonv2 nice -n 5 go build -trimpath -o "$stage/bin/trivy" \
        -ldflags "-s -w -X github.com/aquasecurity/trivy/pkg/version/app.ver=${TRIVY_VERSION#v}" \
        github.com/aquasecurity/trivy/cmd/trivy
    )
    rm -rf "$stage/src"
  fi
  [[ "$("$stage/bin/trivy" --version)" == *"Version: ${TRIVY_VERSION#v}"* ]] || { echo "trivy: binary does not report ${TRIVY_VERSION#v}" >&2; exit 1; }
  commit_dir trivy "$TRIVY_VERSION" "$stage"
  trap - EXIT
fi
got="$("$(tool_dir trivy "$TRIVY_VERSION")/bin/trivy" --version)"
echo "${got%%$'\n'*}"

# The offline DB (trivy.db + metadata.json), cached by a hash of the advisories and the generator.
db="$(bash "$here/../trivy/gen-db.sh")"
echo "$db"
if [ "${binary:-}" = cached ]; then
  if [[ "$db" == *"(cached)"* ]]; then announce trivy "$v" cached cached; else announce trivy "$v" go-build "cached; offline DB regenerated from advisories.yaml"; fi
fi
