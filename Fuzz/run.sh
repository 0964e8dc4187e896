#!/usr/bin/env bash
# Builds the libFuzzer binary (the library sources and Fuzz/FuzzTargets.swift as one module, with
# -sanitize=fuzzer,address) and runs each target for --seconds N, seeded from Fixtures/, Fuzz/Seeds/
# and, when redis-server is installed, an AOF directory a throw-away server writes. Crashers are
# kept in Fuzz/Crashers/<target>/ (CrasherRegressionTests replays every file there).
#
# usage: Fuzz/run.sh [--seconds N] [--targets rdb,listpack,ziplist,intset,zipmap,json,resp,manifest,restore,replay,lzf,stream,array,keymeta]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=rdb,listpack,ziplist,intset,zipmap,json,resp,manifest,restore,replay,lzf,stream,array,keymeta
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
if [ ! -x "$binary" ] || [ -n "$(find Sources/RDBKit Fuzz/FuzzTargets.swift Sources/CCRC64Fold -newer "$binary" \( -name '*.swift' -o -name '*.c' -o -name '*.h' \) | head -1)" ]; then
  echo "fuzz: building $binary" >&2
  # From a copy, so a source saved during the two-minute build cannot fail it; the binary takes
  # the copy's time, so such a save still counts as newer on the next run.
  rm -rf "$work/src"
  mkdir -p "$work/src"
  touch "$work/src/.stamp"
  cp -R Sources/RDBKit Fuzz/FuzzTargets.swift "$work/src/"
  # The live-server layers (SwiftNIO) parse nothing from a file; leaving them out keeps this build
  # free of the package's dependencies. Nothing below them uses them.
  rm -rf "$work/src/RDBKit/Net" "$work/src/RDBKit/Backup" "$work/src/RDBKit/Restore"
  clang -O2 -fsanitize=address -c Sources/CCRC64Fold/crc64_fold.c -I Sources/CCRC64Fold/include -o "$work/crc64_fold.o"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name RDBKit \
    -I Sources/CLZF -I Sources/CZlib -I Sources/CZstd -I Sources/CLZ4 -I Sources/CXXHash -I Sources/CCRC64Fold/include \
    $(pkg-config --cflags liblzf | sed 's/-I/-Xcc -I/g') \
    $(find "$work/src" -name '*.swift' | sort) "$work/crc64_fold.o" -llzf -lz -lzstd -llz4 -lxxhash -o "$binary"
  touch -r "$work/src/.stamp" "$binary"
fi

# A real multi-part AOF directory, written once by a throw-away redis-server on a private Unix
# socket (no TCP port) in a temporary directory: manifests, incremental files, a RESP base and an
# RDB-preamble base, copied at two stages (a rewrite deletes the files it replaces).
server_seeds=$work/server-seeds
make_server_seeds() {
  [ -d "$server_seeds" ] && return 0
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null || return 0
  local dir pid sock
  dir=$(mktemp -d)
  sock=$dir/redis.sock
  redis-server --port 0 --unixsocket "$sock" --dir "$dir" --appendonly yes --appendfsync always \
    --aof-timestamp-enabled yes --aof-use-rdb-preamble no --save '' >"$dir/server.log" 2>&1 &
  pid=$!
  cli() { redis-cli -s "$sock" "$@" >/dev/null 2>&1 || true; }
  rewritten() {
    for _ in $(seq 100); do
      sleep 0.1
      if redis-cli -s "$sock" info persistence 2>/dev/null | grep -q 'aof_rewrite_in_progress:0'; then return 0; fi
    done
  }
  keep() {
    for f in "$dir"/appendonlydir/*; do
      if [ -f "$f" ]; then cp "$f" "$server_seeds/$1-$(basename "$f")"; fi
    done
  }
  for _ in $(seq 50); do
    if redis-cli -s "$sock" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  mkdir -p "$server_seeds"
  cli set greeting hello
  cli set counter 12345
  cli rpush list a b "c d" ""
  cli sadd set x y 1 2 3
  cli zadd zset 1 one 2.5 two -inf low
  cli hset hash f1 v1 f2 "$(printf 'bin\001\377')"
  cli xadd stream '*' field value
  cli pexpire greeting 100000
  cli bgrewriteaof
  rewritten
  printf 'MULTI\nSET t 1\nINCR t\nEXEC\nSELECT 3\nSET k v\nDEL counter\n' | redis-cli -s "$sock" >/dev/null 2>&1 || true
  keep resp-base
  cli config set aof-use-rdb-preamble yes
  cli bgrewriteaof
  rewritten
  cli set after-preamble 1
  keep rdb-base
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$dir"
}

cli=""
build_cli() {  # the command line, for seeds: the one `swift test` built, else one built apart from .build
  if [ -n "$cli" ]; then return; fi
  if [ -x .build/debug/rdbkit ]; then cli=.build/debug/rdbkit; return; fi
  if swift build --scratch-path "$work/cli" --product rdbkit >"$work/cli.log" 2>&1; then
    cli=$work/cli/debug/rdbkit
  else
    echo "fuzz: could not build the command line for seeds (see $work/cli.log)" >&2
  fi
}

seed() {  # seed corpus of a target
  local dir=$work/corpus/$1
  mkdir -p "$dir"
  if [ -d "Fuzz/Seeds/$1" ]; then cp Fuzz/Seeds/"$1"/* "$dir/"; fi
  case "$1" in
    rdb)
      for f in Fixtures/*/*.rdb; do
        cp "$f" "$dir/$(basename "$(dirname "$f")")-$(basename "$f")"
        gzip -9 -n -c "$f" > "$dir/$(basename "$(dirname "$f")")-$(basename "$f").gz"
      done
      for f in "$server_seeds"/*.rdb; do
        if [ -f "$f" ]; then cp "$f" "$dir/server-$(basename "$f")"; fi
      done ;;
    json)
      build_cli
      if [ -n "$cli" ]; then
        for f in Fixtures/*/*.rdb; do
          "$cli" export "$f" --with-meta 2>/dev/null | head -c 60000 > "$dir/$(basename "$(dirname "$f")")-$(basename "$f").jsonl" || true
        done
      fi ;;
    listpack) printf '\x0f\x00\x00\x00\x02\x00\x81a\x02\xf1\x01\x00\x03\xff' > "$dir/seed" ;;
    ziplist) printf '\x10\x00\x00\x00\x0c\x00\x00\x00\x02\x00\x00\x01a\x03\xf2\xff' > "$dir/seed" ;;
    intset) printf '\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x05\x00' > "$dir/seed" ;;
    zipmap) printf '\x01\x01a\x01\x00b\xff' > "$dir/seed" ;;
    lzf)  # expanded length (3 bytes LE), piece size - 1, then LZF: a run, literals, a literal and a reference
      printf '\x65\x00\x00\x07\x00a\xe0\x5b\x00' > "$dir/run"
      printf '\x0c\x00\x00\x02\x0bhello world!' > "$dir/literal"
      printf '\x0c\x00\x00\x00\x02abc\x80\x02\x02XYZ' > "$dir/reference" ;;
    resp|replay)
      if [ "$1" = replay ] && [ -d Fuzz/Seeds/resp ]; then cp Fuzz/Seeds/resp/* "$dir/"; fi
      for f in $(find Fixtures -name '*.aof' 2>/dev/null) "$server_seeds"/*.aof; do
        if [ -f "$f" ]; then cp "$f" "$dir/$(basename "$f")"; fi
      done ;;
    restore)
      # DUMP payloads of every fixture key, as restore-payload writes them for Redis 7.0.
      build_cli
      if [ -n "$cli" ]; then
        for f in Fixtures/*/*.rdb; do
          "$cli" restore-payload "$f" --target-version redis-7.0 2>/dev/null | head -n 40 | \
            python3 -c 'import sys, json, base64
for i, line in enumerate(sys.stdin):
    open(sys.argv[1] + "-%d" % i, "wb").write(base64.b64decode(json.loads(line)["payload"]["base64"]))' \
            "$dir/$(basename "$(dirname "$f")")-$(basename "$f")" || true
        done
      fi ;;
    stream|array|keymeta)
      # What follows a stream's or array's key (a stream: its layout selector first), or a key
      # metadata opcode, in the Redis 8.6/8.8 fixtures: keys found by the names their
      # expected content lists.
      python3 - "$1" "$dir" Fixtures/redis-8.6 Fixtures/redis-8.8 <<'PY'
import json, sys
target, out = sys.argv[1], sys.argv[2]
n = 0
for folder in sys.argv[3:]:
    data = open(folder + '/types.rdb', 'rb').read()
    meta = [json.loads(l) for l in open(folder + '/types.meta.jsonl')]
    for rec in (json.loads(l) for l in open(folder + '/types.expected.jsonl')):
        key = rec['key'].encode() if isinstance(rec['key'], str) else b''
        if not key or len(key) > 63: continue
        for t in range(29):
            at = data.find(bytes([t, len(key)]) + key)
            if at < 0: continue
            if target == 'stream' and t in (26, 27):
                seed = bytes([t - 26]) + data[at + 2 + len(key):][:6000]
            elif target == 'array' and t == 28:
                seed = data[at + 2 + len(key):][:6000]
            elif target == 'keymeta' and any(m['key'] == rec['key'] and m.get('keymeta') for m in meta):
                opcode = data.rfind(b'\xf3', max(0, at - 200), at)
                if opcode < 0: continue
                seed = data[opcode + 1:][:3000]
            else:
                continue
            n += 1
            open('%s/%s-%d' % (out, target, n), 'wb').write(seed)
PY
      ;;
    manifest)
      for f in "$server_seeds"/*.manifest; do
        if [ -f "$f" ]; then cp "$f" "$dir/server-$(basename "$f")"; fi
      done ;;
  esac
  echo "$dir"
}

case ",$targets," in
  *,resp,*|*,manifest,*|*,rdb,*|*,replay,*) make_server_seeds ;;
esac

status=0
for t in ${targets//,/ }; do
  corpus=$(seed "$t")
  mkdir -p "Fuzz/Crashers/$t"
  dict=()
  if [ -f "Fuzz/Seeds/$t.dict" ]; then dict=(-dict="Fuzz/Seeds/$t.dict"); fi
  echo "fuzz: $t for ${seconds}s" >&2
  # -timeout makes a hang a crasher within seconds; -rss_limit_mb and -malloc_limit_mb make an
  # allocation the input cannot justify one too.
  if ! RDBKIT_FUZZ_TARGET=$t "$binary" "$corpus" "${dict[@]}" -max_total_time="$seconds" -max_len=200000 \
       -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
       -artifact_prefix="Fuzz/Crashers/$t/" -print_final_stats=1 2>"$work/$t.log"; then
    echo "fuzz: $t found a crash (see $work/$t.log and Fuzz/Crashers/$t/)" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units" "$work/$t.log" | sed "s/^/fuzz: $t /" >&2 || true
done
exit $status
