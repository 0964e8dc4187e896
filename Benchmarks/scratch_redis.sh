# Sourced by the make_big_*.sh scripts: starts a throw-away Redis (REDIS_SERVER, default apt's
# 7.0) on a random loopback port with its files in a temporary directory, both removed on exit.
# Sets $dir and $port.
server=${REDIS_SERVER:-/usr/bin/redis-server}
dir=$(mktemp -d)
port=$((7300 + RANDOM % 500))
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$server" --port "$port" --bind 127.0.0.1 --dir "$dir" --dbfilename dump.rdb --save '' --appendonly no \
  --daemonize yes --logfile "$dir/log" --proto-max-bulk-len 1gb
for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
