#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests on the real data of
# ../shared/data, and the headless-Chromium tests. Installs Debian's
# chromium first when it is missing (as root; otherwise says how).
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
cargo test --workspace --locked
