#!/usr/bin/env bash
# Installs the benchmark's PyPI peers into a virtual environment the bench finds by itself
# (default .bench-data/peers): rdb-py (a Rust RDB parser with Python bindings, RDB 1-13) and
# rdbtools (redis-rdb-tools, pure Python, RDB <= 9) with python-lzf, which rdbtools uses when present.
# redis-check-rdb comes with Debian's redis-tools (Scripts/setup.sh). librdb's rdb-cli is not on a
# registry: build it from its public source outside this repository and put it on PATH (or RDB_CLI).
#
# usage: Benchmarks/install_peers.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-${RDBKIT_BENCH_DATA:-.bench-data}/peers}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q rdb-py rdbtools python-lzf
echo "bench peers installed in $venv" >&2
