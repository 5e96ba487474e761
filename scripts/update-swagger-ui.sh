#!/usr/bin/env bash
# Refreshes Tocsin's copy of Swagger UI (npm's swagger-ui-dist) that /docs serves: the bundle, its
# stylesheet and licence. Run by hand when upgrading; nothing fetches it at run time.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "swagger-ui-dist@$version" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
target=src/tocsin/web/static/swagger-ui
cp "$work/package/swagger-ui-bundle.js" "$work/package/swagger-ui.css" \
  "$work/package/swagger-ui-bundle.js.LICENSE.txt" "$target/"
cp "$work/package/LICENSE" "$target/LICENSE.txt"
cp "$work/package/NOTICE" "$target/NOTICE.txt"
node -e 'console.log(require(process.argv[1]).version)' "$work/package/package.json" > "$target/VERSION.txt"
echo "swagger-ui-dist $(cat "$target/VERSION.txt") in $target"
