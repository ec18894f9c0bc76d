#!/usr/bin/env bash
# Print the CHANGELOG.md section of one version (release notes); fail when there is none.
#   bash .github/release-notes.sh v1.2.0
set -euo pipefail
tag="${1:?usage: release-notes.sh vX.Y.Z}"
version="${tag#v}"
notes="$(awk -v v="$version" '
  /^## / { if (found) exit; if ($2 == "[" v "]" || $2 == v) { found = 1; next } }
  found { print }
' "$(dirname "$0")/../CHANGELOG.md")"
[ -n "${notes//[[:space:]]/}" ] || { echo "release-notes: CHANGELOG.md has no '## $version' section" >&2; exit 1; }
printf '%s\n' "$notes"
