#!/usr/bin/env bash
# Re-creates crates/oc-web/assets/dsfr/ from the npm package of the State
# design system (@gouvfr/dsfr): the minified CSS and JS, the woff2 fonts,
# the favicons and the icons the CSS refers to. The binary embeds that folder.
# Usage: scripts/vendor-dsfr.sh [VERSION]   (default 1.15.3)
set -euo pipefail
version="${1:-1.15.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/crates/oc-web/assets/dsfr"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
# The DSFR asks for its licence to be accepted at install time.
DSFR_ACCEPT_LICENSE=1 npm pack --silent "@gouvfr/dsfr@$version" >/dev/null
tar xzf gouvfr-dsfr-*.tgz
dist="$work/package/dist"
rm -rf "$out"
mkdir -p "$out/fonts" "$out/favicon"
cp "$dist/dsfr.min.css" "$dist/dsfr.module.min.js" "$dist/dsfr.nomodule.min.js" "$out/"
cp "$dist"/fonts/*.woff2 "$out/fonts/"
cp "$dist"/favicon/favicon.svg "$dist"/favicon/favicon.ico "$dist"/favicon/apple-touch-icon.png "$out/favicon/"
cp "$work/package/LICENSE.md" "$out/LICENSE.md"
# Icons referenced by the stylesheet.
grep -o 'url([^)"]*\.svg)' "$dist/dsfr.min.css" | sed 's/^url(//; s/)$//' | sort -u | while read -r icon; do
  mkdir -p "$out/$(dirname "$icon")"
  cp "$dist/$icon" "$out/$icon"
done
echo "$version" > "$out/VERSION"
du -sh "$out"
