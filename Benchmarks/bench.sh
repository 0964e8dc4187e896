#!/usr/bin/env bash
# The benchmark command: rdbkit's verbs and the peers installed on this machine, timed in one run on
# the benchmark dumps (made once, then cached): `large` and `bigkeys` by ../shared/bench/make_bench_rdb.py,
# `tiny` (5M short strings and small hashes) by Benchmarks/make_tiny_keys.py, `bigstring-lzf` and
# `bigstring-plain` (one 512 MiB string, compressible or not) and `bigstring-aof` (an AOF whose SET
# carries a 512 MiB bulk) by Benchmarks/make_big_string_rdb.sh, `bigelements-lzf` and
# `bigelements-plain` (a 100 MiB element in a hash, set, sorted set and list) by
# Benchmarks/make_big_elements_rdb.sh.
#
# usage: Benchmarks/bench.sh [--preset large|bigkeys|tiny|bigstring-lzf|bigstring-plain|bigstring-aof|
#                                      bigelements-lzf|bigelements-plain|all] [--data DIR] [--runs N]
#                            [--peer-seconds S] [--no-peers] [--json]
#   --data DIR         where the dumps are cached (default: $RDBKIT_BENCH_DATA or .bench-data/)
#   --runs N           runs per job; the median is reported (default 3)
#   --peer-seconds S   stop a peer's run after S seconds and rate it by how far it read (default 60)
#   RDBKIT_BIN         use this binary instead of building .build/release/rdbkit
#   --restore [--preset small|million] [--cluster]  instead: `restore` vs `redis-cli --pipe` of
#                      `convert --to resp` on a live Redis 7.0 (and a 3-primary cluster), keys/s and
#                      peak RSS (restore_bench.py)
#   --backup [--preset million] [--runs N] [--follow-seconds S]  instead: `backup` vs `redis-cli --rdb`
#                      on a live Redis 7.0, and --follow's RSS under redis-benchmark (backup_bench.py)
# Peers: redis-check-rdb (apt redis-tools), rdb-py and rdbtools (PyPI; Benchmarks/install_peers.sh
# puts them in .bench-data/peers), librdb's rdb-cli when on PATH or named by RDB_CLI.
# Needs GNU time (apt `time`) for peak RSS. Exits 0 whatever the figures; non-zero when a command fails.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
if [ -z "${RDBKIT_BIN:-}" ]; then
  swift build -c release --product rdbkit >&2
  RDBKIT_BIN=.build/release/rdbkit
fi
if [ "${1:-}" = "--restore" ]; then
  # restore vs redis-cli --pipe on a live server: Benchmarks/restore_bench.py [--cluster] [--json]
  shift
  exec python3 Benchmarks/restore_bench.py --bin "$RDBKIT_BIN" "$@"
fi
if [ "${1:-}" = "--backup" ]; then
  shift
  exec python3 Benchmarks/backup_bench.py --bin "$RDBKIT_BIN" "$@"
fi
exec python3 Benchmarks/bench.py --bin "$RDBKIT_BIN" "$@"
