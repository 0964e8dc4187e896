#!/usr/bin/env python3
"""restore against `redis-cli --pipe` on the same server, in one run (Benchmarks/bench.sh --restore).

For the `small` dump of ../shared/bench/make_bench_rdb.py (80,000 keys; `--preset million`: its mixed
dataset of 1,000,000 keys; made once into the data folder): a fresh Redis 7.0 (apt redis-server, loopback, no persistence) is loaded
  1. by `rdbkit restore small.rdb redis://…`, and
  2. by `redis-cli --pipe < small.resp`, the file `rdbkit convert small.rdb small.resp --to resp` wrote
     (the conversion timed apart),
and, when --cluster, a three-primary cluster (CLUSTER ADDSLOTSRANGE, CLUSTER MEET) by
  3. `rdbkit restore small.rdb redis://<one node>`.
Wall time, keys/s and the peak RSS of the loading client (GNU time) for each; the servers' DEBUG
DIGESTs after 1 and 2 must agree (a cluster's union is checked by key count).
"""
import argparse, json, os, shutil, socket, subprocess, sys, tempfile, time

GNU_TIME = "/usr/bin/time"
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import ensure_dump  # noqa: E402  (one home for how the dumps are made)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return port if port < 55000 else free_port()


class Server:
    """A loopback redis-server in a temporary folder; `dump` is copied there and loaded at start-up."""
    def __init__(self, extra=(), dump=None):
        self.dir = tempfile.mkdtemp(prefix="rdbkit-restore-bench-")
        if dump:
            shutil.copy(dump, os.path.join(self.dir, "dump.rdb"))
        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir, "--enable-debug-command", "local",
                                      "--logfile", os.path.join(self.dir, "log"), *extra])
        for _ in range(2400):  # a big dump takes a while to load
            if self.cli("PING") == "PONG":
                return
            time.sleep(0.05)
        sys.exit("bench: redis-server did not start")

    def cli(self, *args, stdin=None):
        out = subprocess.run(["redis-cli", "-p", str(self.port), *args], stdin=stdin, capture_output=True, text=True)
        return out.stdout.strip()

    def stop(self):
        self.cli("SHUTDOWN", "NOSAVE")
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def timed(cmd, stdin=None, ok=(0,)):
    start = time.perf_counter()
    done = subprocess.run([GNU_TIME, "-f", "%M", *cmd], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        sys.exit(f"bench: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-600:]}")
    rss_kib = int(done.stderr.decode().strip().splitlines()[-1])
    return elapsed, rss_kib / 1024, done.stdout.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--data", default=os.environ.get("RDBKIT_BENCH_DATA", ".bench-data"))
    ap.add_argument("--preset", default="small")
    ap.add_argument("--cluster", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not shutil.which("redis-server") or not shutil.which("redis-cli") or not os.path.exists(GNU_TIME):
        sys.exit("bench: needs redis-server, redis-cli and GNU time")
    os.makedirs(args.data, exist_ok=True)
    dump = ensure_dump(args.data, args.preset)
    results = {}

    server = Server()
    try:
        wall, rss, out = timed([args.bin, "restore", dump, f"redis://127.0.0.1:{server.port}", "--json", "-q"])
        summary = json.loads(out)
        digest = server.cli("DEBUG", "DIGEST")
        results["rdbkit restore"] = {"seconds": wall, "keys_per_s": summary["restored"] / wall, "peak_rss_mib": rss,
                                     "restored": summary["restored"], "failed": summary["failed"]}
        server.cli("FLUSHALL")
        resp = os.path.join(args.data, args.preset + ".resp")
        cwall, crss, _ = timed([args.bin, "convert", dump, resp, "--to", "resp", "--target-version", "redis-7.0", "-q"])
        with open(resp, "rb") as f:
            pwall, prss, pout = timed(["redis-cli", "-p", str(server.port), "--pipe"], stdin=f)
        os.unlink(resp)
        same = server.cli("DEBUG", "DIGEST") == digest
        results["convert --to resp"] = {"seconds": cwall, "peak_rss_mib": crss}
        results["redis-cli --pipe"] = {"seconds": pwall, "keys_per_s": summary["restored"] / pwall, "peak_rss_mib": prss,
                                       "same_digest_as_restore": same}
        results["convert + redis-cli --pipe"] = {"seconds": cwall + pwall, "keys_per_s": summary["restored"] / (cwall + pwall)}
    finally:
        server.stop()

    if args.cluster:
        nodes = [Server(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]) for _ in range(3)]
        try:
            for node, (lo, hi) in zip(nodes, [(0, 5460), (5461, 10922), (10923, 16383)]):
                node.cli("CLUSTER", "ADDSLOTSRANGE", str(lo), str(hi))
            for node in nodes[1:]:
                nodes[0].cli("CLUSTER", "MEET", "127.0.0.1", str(node.port))
            for _ in range(200):
                if all("cluster_state:ok" in n.cli("CLUSTER", "INFO") for n in nodes):
                    break
                time.sleep(0.05)
            # A cluster has database 0 only: the dump's databases 1 and 2 are folded into it (a
            # name in two databases is restored once, the others counted as skipped: exit 4).
            wall, rss, out = timed([args.bin, "restore", dump, f"redis://127.0.0.1:{nodes[0].port}", "--json", "-q",
                                    "--db-map", "1:0", "--db-map", "2:0"], ok=(0, 4))
            summary = json.loads(out)
            total = sum(int(n.cli("DBSIZE")) for n in nodes)
            results["rdbkit restore, 3-primary cluster"] = {"seconds": wall, "keys_per_s": summary["restored"] / wall,
                                                           "peak_rss_mib": rss, "restored": summary["restored"],
                                                           "skipped": summary["skipped"], "keys_on_nodes": total}
        finally:
            for n in nodes:
                n.stop()

    if args.json:
        print(json.dumps({"dump": dump, "results": results}))
        return
    print(f"restore benchmark: {dump} into Redis 7.0 on loopback")
    ours, pipe = results.get("rdbkit restore"), results.get("convert + redis-cli --pipe")
    if ours and pipe:
        print(f"  restore takes {ours['seconds'] / pipe['seconds']:.2f}x the time of convert --to resp + redis-cli --pipe"
              f" ({ours['seconds'] / results['redis-cli --pipe']['seconds']:.2f}x redis-cli --pipe alone)")
    for name, r in results.items():
        line = f"  {name:34s} {r['seconds']:7.2f} s"
        if "keys_per_s" in r:
            line += f" {r['keys_per_s']:10.0f} keys/s"
        if "peak_rss_mib" in r:
            line += f"  peak RSS {r['peak_rss_mib']:6.1f} MiB"
        if "same_digest_as_restore" in r:
            line += "  same DEBUG DIGEST" if r["same_digest_as_restore"] else "  DIGEST DIFFERS"
        if "keys_on_nodes" in r:
            line += f"  ({r['keys_on_nodes']} keys on the nodes, {r['skipped']} names in two databases skipped)"
        print(line)


if __name__ == "__main__":
    main()
