#!/usr/bin/env bash
# about: Rails and the pg driver, for migration-test's rails preset
# cold-build-seconds: 60
# Rails (railties + ActiveRecord) and the pg driver from Debian's apt packages (rubygems.org is out of reach
# here), for migration-test's rails preset. Idempotent: apt-get only runs when the pinned Rails is missing.
# $PA_CACHE/tools/rails/<version>/bin/ gets links to ruby and rails, so tests find them with toolBin.
set -euo pipefail
v="${RAILS_VERSION:?RAILS_VERSION pin missing}"
have_tool rails "$v" ruby && [ "$(rails --version 2>/dev/null)" = "Rails $v" ] && { announce rails "$v" cached cached; exit 0; }
announce rails "$v" apt "Debian packages ruby-rails, ruby-pg (~1 min)"

if [ "$(rails --version 2>/dev/null)" != "Rails $v" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends ruby-rails ruby-pg >/dev/null || { apt-get update -qq && apt-get install -y --no-install-recommends ruby-rails ruby-pg >/dev/null; }
fi
got="$(rails --version)"
[ "$got" = "Rails $v" ] || { echo "rails: apt gave $got, not Rails $v; update RAILS_VERSION in test/harness/versions.env" >&2; exit 1; }
ruby -e 'require "pg"; require "active_record"'

stage="$(stage_dir rails "$v")"
mkdir -p "$stage/bin"
ln -s "$(command -v ruby)" "$stage/bin/ruby"
ln -s "$(command -v rails)" "$stage/bin/rails"
commit_dir rails "$v" "$stage"
echo "rails $v provisioned (apt: ruby-rails, ruby-pg)"
