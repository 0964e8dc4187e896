#!/usr/bin/env python3
"""backup against `redis-cli --rdb` on the same server, in one run (Benchmarks/bench.sh --backup).

A fresh Redis 7.0 (apt redis-server, loopback, no persistence, diskless replication without
delay) is loaded with the benchmark dump (`--preset`, default `million`: make_bench_rdb.py's mixed
dataset of 1,000,000 keys, made once into the data folder), then
  1. `redis-cli --rdb FILE` and `rdbkit backup URL -o DIR` take a snapshot each, alternately,
     `--runs` times (median wall time, MB/s, peak RSS by GNU time; the two files' sizes);
  2. with `--follow-seconds S`: `rdbkit backup --follow --rotate-size 64MB` runs while
     `redis-benchmark` writes for S seconds (SET/INCR/LPUSH/HSET/ZADD on 100,000 random keys, 16
     clients, pipelined); the follower's RSS is sampled every second (/proc/PID/status VmRSS) and
     reported as first, peak and last; then the load stops, the follower is stopped with SIGTERM
     (exit 0), and its set is validated.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import ensure_dump  # noqa: E402  (one home for how the dumps are made)
from restore_bench import GNU_TIME, Server, timed  # noqa: E402  (the loopback server and the timer)


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def snapshots(args, server, work):
    rdb = os.path.join(work, "cli.rdb")
    ours, theirs, sizes = [], [], {}
    for run in range(args.runs):
        wall, rss, _ = timed(["redis-cli", "-p", str(server.port), "--rdb", rdb])
        theirs.append((wall, rss))
        sizes["redis-cli --rdb"] = os.path.getsize(rdb)
        os.unlink(rdb)
        folder = os.path.join(work, f"backup{run}")
        wall, rss, _ = timed([args.bin, "backup", f"redis://127.0.0.1:{server.port}", "-o", folder, "-q", "--json"])
        ours.append((wall, rss))
        dump = os.path.join(folder, os.listdir(folder)[0])
        sizes["rdbkit backup"] = os.path.getsize(dump)
        shutil.rmtree(folder)
    out = {}
    for name, runs in (("redis-cli --rdb", theirs), ("rdbkit backup", ours)):
        wall = statistics.median(w for w, _ in runs)
        out[name] = {"seconds": wall, "mb_per_s": sizes[name] / wall / 1e6, "peak_rss_mib": max(r for _, r in runs),
                     "bytes": sizes[name]}
    return out


def follow(args, server, work):
    folder = os.path.join(work, "follow")
    follower = subprocess.Popen([args.bin, "backup", f"redis://127.0.0.1:{server.port}", "-o", folder, "--follow",
                                 "--rotate-size", "64MB", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(600):
        if "slave0:" in server.cli("INFO", "replication") and "state=online" in server.cli("INFO", "replication"):
            break
        time.sleep(0.1)
    load = subprocess.Popen(["redis-benchmark", "-p", str(server.port), "-c", "16", "-P", "16", "-r", "100000",
                             "-n", "1000000000", "-q", "-t", "set,incr,lpush,hset,zadd"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    began = time.time()
    while time.time() - began < args.follow_seconds:
        time.sleep(1)
        rss = rss_mib(follower.pid)
        if rss is not None:
            samples.append(rss)
    load.send_signal(signal.SIGINT)
    load.wait()
    offset = server.cli("INFO", "replication")
    time.sleep(2)  # the follower catches up and acknowledges
    follower.send_signal(signal.SIGTERM)
    _, err = follower.communicate(timeout=60)
    sets = [os.path.join(folder, n) for n in os.listdir(folder) if n.startswith("set-")]
    check = subprocess.run([args.bin, "validate", sets[0]], capture_output=True, text=True) if sets else None
    written = sum(os.path.getsize(os.path.join(s, n)) for s in sets for n in os.listdir(s) if n.endswith(".incr.aof"))
    return {"seconds": args.follow_seconds, "rss_first_mib": samples[0] if samples else None,
            "rss_peak_mib": max(samples) if samples else None, "rss_last_mib": samples[-1] if samples else None,
            "samples": len(samples), "rss_every_30s_mib": samples[::30], "exit": follower.returncode, "sets": len(sets), "incr_bytes": written,
            "valid": bool(check and check.returncode == 0),
            "master_repl_offset": int(offset.split("master_repl_offset:")[1].split()[0]) if "master_repl_offset:" in offset else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", default=os.environ.get("RDBKIT_BENCH_DATA", ".bench-data"))
    ap.add_argument("--preset", default="million")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--follow-seconds", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not all(shutil.which(t) for t in ("redis-server", "redis-cli", "redis-benchmark")) or not os.path.exists(GNU_TIME):
        sys.exit("bench: needs redis-server, redis-cli, redis-benchmark and GNU time")
    os.makedirs(args.data, exist_ok=True)
    dump = ensure_dump(args.data, args.preset)
    work = tempfile.mkdtemp(prefix="rdbkit-backup-bench-")
    server = Server(["--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--dbfilename", "dump.rdb"], dump=dump)
    try:
        keyspace = [line for line in server.cli("INFO", "keyspace").splitlines() if line.startswith("db")]
        keys = sum(int(line.split("keys=")[1].split(",")[0]) for line in keyspace)
        results = {"keys": keys, "snapshot": snapshots(args, server, work)}
        if args.follow_seconds > 0:
            results["follow"] = follow(args, server, work)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"dump": dump, "results": results}))
        return
    snap = results["snapshot"]
    print(f"backup benchmark: {dump} ({results['keys']} keys) loaded into Redis 7.0 on loopback")
    for name, r in snap.items():
        print(f"  {name:18s} {r['seconds']:7.2f} s {r['mb_per_s']:8.1f} MB/s  peak RSS {r['peak_rss_mib']:6.1f} MiB  {r['bytes']} bytes")
    print(f"  rdbkit backup takes {snap['rdbkit backup']['seconds'] / snap['redis-cli --rdb']['seconds']:.2f}x the time of redis-cli --rdb")
    if "follow" in results:
        f = results["follow"]
        print(f"  --follow under redis-benchmark for {f['seconds']} s: RSS first {f['rss_first_mib']:.1f} MiB, peak {f['rss_peak_mib']:.1f} MiB,"
              f" last {f['rss_last_mib']:.1f} MiB; {f['incr_bytes']} bytes of commands written, exit {f['exit']},"
              f" set {'valid' if f['valid'] else 'NOT VALID'}")
        print("  RSS every 30 s (MiB): " + " ".join(f"{r:.1f}" for r in f["rss_every_30s_mib"]))


if __name__ == "__main__":
    main()
