#!/usr/bin/env bash
# Print the CHANGELOG.md section of one version (release notes); fail when there is none.
#   bash .github/release-notes.sh v1.2.0 [CHANGELOG.md]
#   bash .github/release-notes.sh --release v1.2.0 [CHANGELOG.md]
# --release also checks that the commit is that release: the version's section is the newest one, and
# nothing is left under Unreleased (a release moves those entries into its section). Pins name a commit by
# the newest version in its CHANGELOG (workflows-templates/sync.mjs --pin), so the two must agree.
set -euo pipefail
release=false
if [ "${1:-}" = --release ]; then release=true; shift; fi
tag="${1:?usage: release-notes.sh [--release] vX.Y.Z [CHANGELOG.md]}"
changelog="${2:-$(dirname "$0")/../CHANGELOG.md}"
version="${tag#v}"
notes="$(awk -v v="$version" '
  /^## / { if (found) exit; if ($2 == "[" v "]" || $2 == v) { found = 1; next } }
  found { print }
' "$changelog")"
[ -n "${notes//[[:space:]]/}" ] || { echo "release-notes: CHANGELOG.md has no '## $version' section" >&2; exit 1; }
if $release; then
  [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "release-notes: $tag is not vX.Y.Z" >&2; exit 1; }
  newest="$(awk '/^## \[?[0-9]+\.[0-9]+\.[0-9]+\]?( |$)/ { gsub(/[][]/, "", $2); print $2; exit }' "$changelog")"
  [ "$newest" = "$version" ] || { echo "release-notes: the newest section of CHANGELOG.md is $newest, not $version" >&2; exit 1; }
  unreleased="$(awk '/^## / { if (found) exit; if (tolower($2) ~ /^\[?unreleased\]?$/) { found = 1; next } } found && /^[[:space:]]*[-*] / { print }' "$changelog")"
  [ -z "$unreleased" ] || { echo "release-notes: CHANGELOG.md still lists changes under Unreleased; move them into the $version section" >&2; exit 1; }
fi
printf '%s\n' "$notes"
