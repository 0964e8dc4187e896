#!/usr/bin/env bash
# The benchmark command: MB/s and peak RSS of `rdbkit validate` and `rdbkit export --format jsonl`
# on realistic dumps made by ../shared/bench/make_bench_rdb.py (generated once, then cached).
#
# usage: Benchmarks/bench.sh [--preset large|bigkeys|all] [--data DIR] [--runs N] [--json]
#   --data DIR   where the dumps are cached (default: $RDBKIT_BENCH_DATA or .bench-data/)
#   RDBKIT_BIN   use this binary instead of building .build/release/rdbkit
# Peak RSS is read with GNU time (Debian package `time`) when installed.
# Targets (issue 2): validate >= 500 MB/s, export jsonl >= 150 MB/s, peak RSS <= 64 MiB.
# Prints a report and exits 0 whatever the figures; non-zero only when a command fails.
set -euo pipefail
cd "$(dirname "$0")/.."

preset=all
data=${RDBKIT_BENCH_DATA:-.bench-data}
runs=3
json=0
while [ $# -gt 0 ]; do
  case "$1" in
    --preset) preset=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --json) json=1; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$preset" in
  all) presets=(large bigkeys) ;;
  large|bigkeys) presets=("$preset") ;;
  *) echo "bench: unknown preset $preset (large, bigkeys, all)" >&2; exit 2 ;;
esac

if [ -z "${RDBKIT_BIN:-}" ]; then
  swift build -c release --product rdbkit >&2
  RDBKIT_BIN=.build/release/rdbkit
fi

generator=../shared/bench/make_bench_rdb.py
mkdir -p "$data"
for p in "${presets[@]}"; do
  if [ ! -f "$data/$p.rdb" ]; then
    if [ ! -f "$generator" ]; then
      echo "bench: $data/$p.rdb is missing and $generator is not there to make it" >&2
      exit 2
    fi
    echo "bench: generating $data/$p.rdb (once; takes minutes)" >&2
    python3 "$generator" "$p" --port "$((7100 + RANDOM % 100))" --out "$data/$p.rdb" >&2
  fi
done

files=()
for p in "${presets[@]}"; do files+=("$data/$p.rdb"); done

# Times each command (best of N wall-clock runs, page cache warm) and reads its peak RSS.
python3 - "$RDBKIT_BIN" "$runs" "$json" "${files[@]}" <<'PY'
import json, os, resource, subprocess, sys, time

binary, runs, as_json, files = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4:]
targets = {"validate": 500.0, "export": 150.0, "export, every key filtered out": None, "inspect": None}
rss_target_mib = 64.0

GNU_TIME = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None

def measure(cmd):
    """Best wall time of `runs` runs and the peak RSS in MiB. The RSS comes from GNU time when it is
    installed (a small C parent); a child forked from this Python would count Python's own pages."""
    best, peak = None, 0
    for _ in range(runs):
        wrapped = [GNU_TIME, "-f", "%M"] + cmd if GNU_TIME else cmd
        start = time.perf_counter()
        done = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
        best = elapsed if best is None else min(best, elapsed)
        if GNU_TIME:
            peak = max(peak, int(done.stderr.decode().strip().splitlines()[-1]))
        else:
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return best, peak / 1024

rows = []
for path in files:
    size = os.path.getsize(path)
    with open(path, "rb") as f:  # warm the page cache
        while f.read(1 << 24):
            pass
    for verb, cmd in [("validate", [binary, "validate", path]),
                      ("export", [binary, "export", path, "--format", "jsonl", "-o", "/dev/null"]),
                      ("export, every key filtered out", [binary, "export", path, "--key", "no-such-prefix:*", "-o", "/dev/null"]),
                      ("inspect", [binary, "inspect", path])]:
        seconds, rss = measure(cmd)
        mbps = size / 1e6 / seconds
        target = targets[verb]
        rows.append({"file": os.path.basename(path), "size_mb": round(size / 1e6, 1), "verb": verb,
                     "seconds": round(seconds, 3), "mb_per_s": round(mbps, 1), "peak_rss_mib": round(rss, 1),
                     "target_mb_per_s": target,
                     "pass": None if target is None else (mbps >= target and rss <= rss_target_mib)})
    if subprocess.run(["which", "redis-check-rdb"], capture_output=True).returncode == 0:
        seconds, rss = measure([subprocess.check_output(["which", "redis-check-rdb"]).decode().strip(), path])
        rows.append({"file": os.path.basename(path), "size_mb": round(size / 1e6, 1), "verb": "redis-check-rdb (reference)",
                     "seconds": round(seconds, 3), "mb_per_s": round(size / 1e6 / seconds, 1),
                     "peak_rss_mib": round(rss, 1), "target_mb_per_s": None, "pass": None})

if as_json:
    print(json.dumps(rows, indent=2))
else:
    print(f"{'file':<14}{'MB':>8}  {'verb':<32}{'s':>8}{'MB/s':>9}{'RSS MiB':>9}  target")
    for r in rows:
        verdict = "" if r["pass"] is None else ("PASS" if r["pass"] else "FAIL")
        target = "" if r["target_mb_per_s"] is None else f">= {r['target_mb_per_s']:.0f} MB/s, <= 64 MiB {verdict}"
        print(f"{r['file']:<14}{r['size_mb']:>8}  {r['verb']:<32}{r['seconds']:>8}{r['mb_per_s']:>9}{r['peak_rss_mib']:>9}  {target}")
PY
