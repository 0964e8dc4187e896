#!/usr/bin/env bash
# Makes a dump whose containers each hold one 100 MiB element, as Redis 7.0 saves them: a hash
# field's value, a set member, a sorted-set member (each an RDB string in the hashtable or skiplist
# encoding) and a list element (a quicklist node holding a one-entry listpack), beside small keys.
# `compressible` (repeated text, which Redis stores LZF-compressed) or `incompressible` (random
# bytes, stored plain). usage: Benchmarks/make_big_elements_rdb.sh compressible|incompressible OUT.rdb [MiB]
set -euo pipefail
kind=$1
out=$2
mib=${3:-100}
. "$(dirname "$0")/scratch_redis.sh"
cli() { redis-cli -p "$port" "$@" >/dev/null; }
case "$kind" in
  compressible)
    # 44 bytes a repeat; the tail makes each element differ (a set and a hash may share none).
    big="string.rep('the quick brown fox jumps over the lazy dog ', math.floor($mib * 1048576 / 44))"
    cli eval "redis.call('hset', 'hash', 'big', $big .. 'h') redis.call('sadd', 'set', $big .. 's')
              redis.call('zadd', 'zset', 1.5, $big .. 'z') redis.call('rpush', 'list', $big .. 'l') return 1" 0 ;;
  incompressible)
    head -c $((mib << 20)) /dev/urandom > "$dir/blob"
    redis-cli -p "$port" -x hset hash big < "$dir/blob" >/dev/null
    redis-cli -p "$port" -x sadd set < "$dir/blob" >/dev/null
    redis-cli -p "$port" -x zadd zset 1.5 < "$dir/blob" >/dev/null
    redis-cli -p "$port" -x rpush list < "$dir/blob" >/dev/null
    rm "$dir/blob" ;;
  *) echo "make_big_elements_rdb: unknown kind $kind" >&2; exit 2 ;;
esac
cli hset hash small v
cli sadd set small
cli zadd zset 2 small
cli rpush list small
cli set small hello
cli save
mv "$dir/dump.rdb" "$out"
