#!/usr/bin/env bash
# Builds the libFuzzer binary (the library sources and Fuzz/FuzzTargets.swift as one module, with
# -sanitize=fuzzer,address) and runs each target for --seconds N, seeded from Fixtures/. Crashers
# are kept in Fuzz/Crashers/<target>/ (commit them with a regression test).
#
# usage: Fuzz/run.sh [--seconds N] [--targets rdb,listpack,ziplist,intset,zipmap,json]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=rdb,listpack,ziplist,intset,zipmap,json
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz: unknown argument $1" >&2; exit 2 ;;
  esac
done

work=.build-fuzz
binary=$work/rdbkit-fuzz
mkdir -p "$work"
sources=$(find Sources/RDBKit -name '*.swift' | sort)
if [ ! -x "$binary" ] || [ -n "$(find Sources/RDBKit Fuzz/FuzzTargets.swift -newer "$binary" -name '*.swift' | head -1)" ]; then
  echo "fuzz: building $binary" >&2
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name RDBKit \
    -I Sources/CLZF -I Sources/CZlib $(pkg-config --cflags liblzf | sed 's/-I/-Xcc -I/g') \
    $sources Fuzz/FuzzTargets.swift -llzf -lz -o "$binary"
fi

seed() {  # seed corpus of a target
  local dir=$work/corpus/$1
  mkdir -p "$dir"
  case "$1" in
    rdb) for f in Fixtures/*/*.rdb; do cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"; done ;;
    json)
      swift build --product rdbkit >/dev/null 2>&1 || true
      for f in Fixtures/*/*.rdb; do
        .build/debug/rdbkit export "$f" --with-meta 2>/dev/null | head -c 60000 > "$dir/$(basename "$(dirname "$f")")-$(basename "$f").jsonl" || true
      done ;;
    listpack) printf '\x0f\x00\x00\x00\x02\x00\x81a\x02\xf1\x01\x00\x03\xff' > "$dir/seed" ;;
    ziplist) printf '\x10\x00\x00\x00\x0c\x00\x00\x00\x02\x00\x00\x01a\x03\xf2\xff' > "$dir/seed" ;;
    intset) printf '\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x05\x00' > "$dir/seed" ;;
    zipmap) printf '\x01\x01a\x01\x00b\xff' > "$dir/seed" ;;
  esac
  echo "$dir"
}

status=0
for t in ${targets//,/ }; do
  corpus=$(seed "$t")
  mkdir -p "Fuzz/Crashers/$t"
  echo "fuzz: $t for ${seconds}s" >&2
  if ! RDBKIT_FUZZ_TARGET=$t "$binary" "$corpus" -max_total_time="$seconds" -max_len=200000 \
       -artifact_prefix="Fuzz/Crashers/$t/" -print_final_stats=1 2>"$work/$t.log"; then
    echo "fuzz: $t found a crash (see $work/$t.log and Fuzz/Crashers/$t/)" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units" "$work/$t.log" | sed "s/^/fuzz: $t /" >&2 || true
done
exit $status
