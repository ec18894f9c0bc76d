#!/usr/bin/env bash
# Generate the offline trivy DB from advisories.yaml with our dbgen program, into
#   $PA_CACHE/tools/trivy-db/<hash>/{db/trivy.db, db/metadata.json, db.tar.gz, advisories.json}
# <hash> covers the advisories and the generator source, so editing either makes a new DB; an
# existing one is reused at once. trivy-db.ts computes the same hash to find it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PA_CACHE="${PA_CACHE:-$HOME/.cache/platform-actions}"
source "$here/../provision/lib.sh"

# Keep this file list and order in sync with dbHash() in ../trivy-db.ts.
hash="$(cat "$here/advisories.yaml" "$here/dbgen/go.mod" "$here/dbgen/go.sum" "$here/dbgen/main.go" | sha256sum | cut -c1-16)"
final="$(tool_dir trivy-db "$hash")"
if [ -f "$final/db.tar.gz" ]; then echo "trivy-db: $final (cached)"; exit 0; fi

stage="$(stage_dir trivy-db "$hash")"
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
(cd "$here/dbgen" && CGO_ENABLED=0 nice -n 5 go build -trimpath -o "$stage/dbgen" .)
"$stage/dbgen" -advisories "$here/advisories.yaml" -out "$stage/db"
mv "$stage/db/advisories.json" "$stage/advisories.json"
# The OCI layer trivy downloads: a gzip'd tar with trivy.db and metadata.json at its root.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$stage/db" -cf - trivy.db metadata.json | gzip -n > "$stage/db.tar.gz"
rm "$stage/dbgen"
commit_dir trivy-db "$hash" "$stage"
trap - EXIT
echo "trivy-db: $final"
