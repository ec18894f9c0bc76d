#!/usr/bin/env bash
# about: golang-migrate CLI, for migration-test's custom-preset tests
# cold-build-seconds: 120
# golang-migrate's CLI: the official release when its host answers (sha256 pinned in versions.env; it has
# every driver, postgres among them), else built from the Go module proxy with only the postgres driver and
# file source (the build tags the project documents).
set -euo pipefail
v="${GOLANG_MIGRATE_VERSION:?GOLANG_MIGRATE_VERSION pin missing}"
have_tool golang-migrate "$v" migrate && { announce golang-migrate "$v" cached cached; exit 0; }
stage="$(stage_dir golang-migrate "$v")"
trap 'rm -rf "$stage"' EXIT
if ! fetch_release golang-migrate "$v" "$stage"; then
  build_instead golang-migrate "$v"
  # go install leaves the version "dev" unless it is stamped the way the project's release build does.
  GOBIN="$stage/bin" CGO_ENABLED=0 nice -n 5 go install -tags 'postgres' -ldflags "-X main.Version=$v" "github.com/golang-migrate/migrate/v4/cmd/migrate@v$v"
fi
[[ "$("$stage/bin/migrate" -version 2>&1)" == *"$v"* ]] || { echo "golang-migrate: binary does not report $v" >&2; exit 1; }
trap - EXIT
commit_dir golang-migrate "$v" "$stage"
echo "golang-migrate $v -> $(tool_dir golang-migrate "$v")/bin/migrate"
