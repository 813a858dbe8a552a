#!/usr/bin/env bash
# Fetch the dashboard's charting library from the npm registry at a pinned version and copy its
# browser build and licence into the package's static files (committed: a checkout needs no npm).
set -euo pipefail

CHARTJS_VERSION="4.6.1"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$HERE/src/vitals/dashboard/static/vendor"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

command -v npm > /dev/null || { echo "npm is needed to vendor the charting library (apt-get install npm)" >&2; exit 1; }
(cd "$TMP" && npm pack --silent "chart.js@$CHARTJS_VERSION" > /dev/null)
tar -xzf "$TMP/chart.js-$CHARTJS_VERSION.tgz" -C "$TMP"
mkdir -p "$DEST"
cp "$TMP/package/dist/chart.umd.min.js" "$DEST/chart.umd.min.js"
cp "$TMP/package/LICENSE.md" "$DEST/chart.js-LICENSE.md"
echo "chart.js@$CHARTJS_VERSION" > "$DEST/VERSIONS"
echo "vendored chart.js $CHARTJS_VERSION into $DEST"
