#!/usr/bin/env bash
# golang-migrate's CLI built from the Go module proxy with only the postgres driver and file source
# (the build tags the project documents), for migration-test's custom-preset tests.
set -euo pipefail
v="${GOLANG_MIGRATE_VERSION:?GOLANG_MIGRATE_VERSION pin missing}"
have_tool golang-migrate "$v" migrate && { echo "golang-migrate $v already provisioned"; exit 0; }
stage="$(stage_dir golang-migrate "$v")"
trap 'rm -rf "$stage"' EXIT
# go install leaves the version "dev" unless it is stamped the way the project's release build does.
GOBIN="$stage/bin" CGO_ENABLED=0 nice -n 5 go install -tags 'postgres' -ldflags "-X main.Version=$v" "github.com/golang-migrate/migrate/v4/cmd/migrate@v$v"
"$stage/bin/migrate" -version 2>&1 | grep -q "$v" || { echo "golang-migrate: binary does not report $v" >&2; exit 1; }
trap - EXIT
commit_dir golang-migrate "$v" "$stage"
echo "golang-migrate $v -> $(tool_dir golang-migrate "$v")/bin/migrate"
