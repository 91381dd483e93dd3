#!/usr/bin/env bash
# The whole test suite: the formatter and the lints first (as crates.io's
# and axum's CI do), then unit tests, integration tests on the real data
# of ../shared/data, and the headless-Chromium tests. Installs Debian's
# chromium first when it is missing (as root; otherwise says how), and
# axe-core from npm into target/axe for the accessibility test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian's chromium for the browser tests…" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
# axe-core (from npm) for the accessibility test, fetched once into target/axe.
if [ ! -f target/axe/package/axe.min.js ]; then
  command -v npm >/dev/null 2>&1 || { echo "the accessibility test needs axe-core from npm, and npm is missing: apt-get install npm" >&2; exit 1; }
  echo "fetching axe-core@4 from npm for the accessibility test…" >&2
  mkdir -p target/axe
  tarball=$(cd target/axe && npm pack --silent axe-core@4 | tail -n 1)
  tar -xzf "target/axe/$tarball" -C target/axe
  rm -f "target/axe/$tarball"
  test -f target/axe/package/axe.min.js
fi
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
