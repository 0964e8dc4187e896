#!/usr/bin/env python3
"""The "tiny keys" benchmark dump: millions of short strings and small hashes, the shape of a session
store or a cache, where the cost is per key rather than per byte.

usage: Benchmarks/make_tiny_keys.py --out .bench-data/tiny.rdb [--strings N] [--hashes N] [--port P]

Starts a private redis-server on a loopback port, feeds it generated commands through
`redis-cli --pipe` (far faster than a client library), SAVEs and copies dump.rdb to --out.
The content is a pure function of the counts and --seed: 70% of the strings are 4-16 byte tokens,
30% small integers (Redis stores those integer-encoded); each hash holds 2-4 short fields
(listpack-encoded). 10% of the keys have a TTL far in the future. A manifest (<out>.json)
records the counts and the file size, as ../shared/bench/make_bench_rdb.py does.
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time

PXAT_BASE = 2_000_000_000_000  # 2033: nothing expires while the dump is read


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        b = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(b), b))
    return b"".join(out)


def commands(strings, hashes, seed):
    rng = random.Random(seed)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789"
    tokens = bytes(rng.choice(alphabet) for _ in range(1 << 16))
    fields = [b"n", b"ts", b"uid", b"st", b"v"]
    chunk = []
    for i in range(strings):
        if rng.random() < 0.3:
            value = str(rng.randrange(0, 100_000)).encode()
        else:
            start, length = rng.randrange(0, len(tokens) - 16), rng.randint(4, 16)
            value = tokens[start:start + length]
        if rng.random() < 0.1:
            chunk.append(resp(b"SET", b"s:%d" % i, value, b"PXAT", PXAT_BASE + i))
        else:
            chunk.append(resp(b"SET", b"s:%d" % i, value))
        if len(chunk) >= 10_000:
            yield b"".join(chunk)
            chunk = []
    for i in range(hashes):
        args = [b"HSET", b"h:%d" % i]
        for f in rng.sample(fields, rng.randint(2, 4)):
            args += [f, str(rng.randrange(0, 1_000_000)).encode()]
        chunk.append(resp(*args))
        if rng.random() < 0.1:
            chunk.append(resp(b"PEXPIREAT", b"h:%d" % i, PXAT_BASE + i))
        if len(chunk) >= 10_000:
            yield b"".join(chunk)
            chunk = []
    yield b"".join(chunk)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--strings", type=int, default=4_000_000)
    ap.add_argument("--hashes", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--port", type=int, default=7100 + random.randrange(100))
    ap.add_argument("--redis-server", default=shutil.which("redis-server") or "/usr/bin/redis-server")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tinykeys-")
    server = subprocess.Popen([a.redis_server, "--port", str(a.port), "--bind", "127.0.0.1", "--dir", work,
                               "--save", "", "--appendonly", "no", "--logfile", os.path.join(work, "redis.log")],
                              stdin=subprocess.DEVNULL)
    cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(a.port)]
    try:
        for _ in range(200):
            if subprocess.run(cli + ["PING"], capture_output=True).stdout.strip() == b"PONG":
                break
            time.sleep(0.05)
        else:
            raise SystemExit("redis-server did not come up")
        pipe = subprocess.Popen(cli + ["--pipe"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
        for block in commands(a.strings, a.hashes, a.seed):
            pipe.stdin.write(block)
        pipe.stdin.close()
        if pipe.wait() != 0:
            raise SystemExit("redis-cli --pipe failed")
        keys = int(subprocess.run(cli + ["DBSIZE"], capture_output=True, check=True).stdout)
        subprocess.run(cli + ["SAVE"], capture_output=True, check=True)
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        shutil.copyfile(os.path.join(work, "dump.rdb"), a.out)
    finally:
        subprocess.run(cli + ["SHUTDOWN", "NOSAVE"], capture_output=True)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    manifest = {"preset": "tiny", "seed": a.seed, "strings": a.strings, "hashes": a.hashes,
                "total_keys": keys, "file_bytes": os.path.getsize(a.out)}
    with open(a.out + ".json", "w") as f:
        json.dump(manifest, f, indent=2)
    print(json.dumps(manifest, indent=2))


if __name__ == "__main__":
    main()
