#!/usr/bin/env bash
# Makes a dump holding one 512 MiB string, as Redis 7.0 saves it: `compressible` (a repeated
# text, which Redis stores LZF-compressed) or `incompressible` (random bytes, stored plain);
# or `aof`: an append-only file of `SET big <512 MiB of random bytes>` and `SET small hello`,
# as Redis 7.0 (appendonly yes, no preamble) writes those commands.
# usage: Benchmarks/make_big_string_rdb.sh compressible|incompressible|aof OUT
set -euo pipefail
kind=$1
out=$2
if [ "$kind" = aof ]; then
  {
    printf '*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$%d\r\n' $((512 << 20))
    head -c $((512 << 20)) /dev/urandom
    printf '\r\n*3\r\n$3\r\nSET\r\n$5\r\nsmall\r\n$5\r\nhello\r\n'
  } > "$out.tmp"
  mv "$out.tmp" "$out"
  exit 0
fi
. "$(dirname "$0")/scratch_redis.sh"
case "$kind" in
  compressible)
    redis-cli -p "$port" eval "redis.call('set', 'big', string.rep('the quick brown fox jumps over the lazy dog ', 12201611) .. string.rep('x', 28)) return 1" 0 >/dev/null ;;
  incompressible)
    head -c $((512 << 20)) /dev/urandom > "$dir/blob"
    redis-cli -p "$port" -x set big < "$dir/blob" >/dev/null
    rm "$dir/blob" ;;
  *) echo "make_big_string_rdb: unknown kind $kind" >&2; exit 2 ;;
esac
redis-cli -p "$port" set small hello >/dev/null
redis-cli -p "$port" save >/dev/null
mv "$dir/dump.rdb" "$out"
