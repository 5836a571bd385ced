#!/usr/bin/env python3
"""Markdown tables for bench/service.sh from its scratch folder.

  report.py OUT_DIR BINARY BURST SECONDS WORKERS

OUT_DIR/rows has one line per wrk run ("name=... key=value ..."), written by
service.sh and bench/service/delivery.lua; each run's service log gives the
server-side reply times ("reply_ms" of every delivery line). OUT_DIR/memory.jobs
has the RSS series from jobs.py, OUT_DIR/overload.healthz the /healthz probes.
"""
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    values = sorted(values)
    return values[max(0, min(len(values) - 1, -(-len(values) * p // 100) - 1))]


def parse_rows(path):
    rows = []
    for line in open(path):
        rows.append(dict(field.split("=", 1) for field in line.split()))
    return rows


def server_reply_ms(log):
    """reply_ms of every 202 delivery in a service log."""
    out = []
    for line in open(log):
        if '"msg":"delivery"' not in line:
            continue
        doc = json.loads(line)
        if doc.get("status") == 202:
            out.append(float(doc["reply_ms"]))
    return out


def fmt(x, digits=1):
    return ("%." + str(digits) + "f") % x


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    return "%d cores (%s), Linux %s, load average %s at the end" % (os.cpu_count(), model, platform.release(), load)


def commit(binary):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        sha = subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        return sha + (" (with uncommitted changes in the tree)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    out, binary, burst, seconds, workers = sys.argv[1:6]
    rows = parse_rows(os.path.join(out, "rows")) if os.path.exists(os.path.join(out, "rows")) else []
    print("# `bindscan serve` under load (bench/service.sh)\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    where = os.path.abspath(binary)
    built = ("binary `%s`" % os.path.relpath(where, root) if where.startswith(root + os.sep)
             else "binary `%s` (BENCH_BINDSCAN, built outside this tree)" % where)
    print("%s UTC; %s; tree at commit %s; %s. Loopback only. Medians of runs on a shared, noisy machine."
          % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), machine(), commit(binary), built))
    print()

    if any(r["kind"] == "burst" for r in rows):
        reply_tables(rows, burst, seconds)
    if os.path.exists(os.path.join(out, "memory.jobs")):
        memory_table(out, workers)
    for r in rows:
        if r["kind"] == "overload":
            overload_table(out, r, seconds)
    return 0


def reply_tables(rows, burst, seconds):
    print("## Webhook reply time: bursts of %s signed push deliveries\n" % burst)
    print("wrk, 8 connections (one per wrk thread), each delivery a new `X-GitHub-Delivery` id, "
          "same body and signature. Jobs fail at once (clone URL on a closed port, "
          "`--workers 1 --max-attempts 1`). *Client* is what wrk measured (request written to reply "
          "read); *server* is the service's own `reply_ms` (handler start to reply ready).\n")
    print("| data dir | connection | runs | median ms | p99 ms | p99 range ms | max ms | server median ms | server p99 ms | 202 | p99 ≤ 10 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for r in rows:
        if r["kind"] == "burst":
            groups.setdefault((r["where"], r["fs"], r["close"]), []).append(r)
    for (where, fs, close), runs in groups.items():
        p50 = statistics.median(float(r["p50_ms"]) for r in runs)
        p99s = [float(r["p99_ms"]) for r in runs]
        p99 = statistics.median(p99s)
        server = [server_reply_ms(r["log"]) for r in runs]
        s50 = statistics.median(percentile(s, 50) for s in server if s)
        s99 = statistics.median(percentile(s, 99) for s in server if s)
        accepted = sum(int(r["s202"]) for r in runs)
        print("| %s (%s) | %s | %d | %s | %s | %s–%s | %s | %s | %s | %d of %d | %s |" % (
            where, fs, "new per delivery" if close == "1" else "keep-alive", len(runs), fmt(p50, 2), fmt(p99, 2),
            fmt(min(p99s), 1), fmt(max(p99s), 1), fmt(max(float(r["max_ms"]) for r in runs)),
            fmt(s50, 2), fmt(s99, 2), accepted, len(runs) * int(burst), "yes" if p99 <= 10 else "no"))
    floors = [r for r in rows if r["kind"] == "fsync"]
    if floors:
        print("\nThe floor under each 202, measured alone (bench/service/fsync_floor.py: a 1 KiB record "
              "written, fsynced, renamed, its folder fsynced; %s times, one after another): %s. Concurrent "
              "admissions write outside the job store's lock, so their fsyncs overlap; what the disk does "
              "with overlapping fsyncs is the rest of the server's time." % (floors[0]["n"], "; ".join("%s (%s) median %s ms, p99 %s ms" % (
                  r["where"], r["fs"], r["p50_ms"], r["p99_ms"]) for r in floors)))
    print()

    print("## Sustained: %s s, wrk 2 threads × 16 connections, a new connection per delivery\n" % seconds)
    print("| data dir | replies/s | median ms | p99 ms | max ms | 202 | 503 (queue full) | other | socket errors | RSS before → after MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["kind"] != "sustained":
            continue
        print("| %s (%s) | %s | %s | %s | %s | %s | %s | %s | %s | %s → %s |" % (
            r["where"], r["fs"], fmt(float(r["rps"]), 0), r["p50_ms"], r["p99_ms"], r["max_ms"], r["s202"],
            r["s503"], int(r["other"]) + int(r["s200"]), r["socket_errors"],
            fmt(int(r["rss0_kb"]) / 1024), fmt(int(r["rss1_kb"]) / 1024)))
    print()


def memory_table(out, workers):
    series = []
    for line in open(os.path.join(out, "memory.jobs")):
        if line.startswith("JOBS "):
            series.append(dict(field.split("=", 1) for field in line.split()[1:]))
    github = json.load(open(os.path.join(out, "memory.github")))
    print("## Memory over %s jobs\n" % series[-1]["done"])
    print("A real `git daemon` serving a Python repository (5 commits × 4 branches, findings in each), "
          "the fake GitHub API (bench/service/fake_github.py), `--workers %s`; deliveries posted in "
          "batches of 100, VmRSS read when a batch has finished. GitHub received %d uploads with %d "
          "results in all.\n" % (workers, github["uploads"], github["results"]))
    print("| jobs done | uploaded | failed | VmRSS MB | peak (VmHWM) MB | threads | elapsed s |")
    print("|---|---|---|---|---|---|---|")
    for s in series:
        print("| %s | %s | %s | %s | %s | %s | %s |" % (s["done"], s["uploaded"], s["failed"],
                                                    fmt(int(s["rss_kb"]) / 1024), fmt(int(s["hwm_kb"]) / 1024),
                                                    s["threads"], s["seconds"]))
    by_done = {int(s["done"]): int(s["rss_kb"]) for s in series}
    last = max(by_done)
    if 200 in by_done and last > 200:
        grow = (by_done[last] - by_done[200]) / 1024
        print("\nGrowth from 200 to %d jobs: %s MB (%s%%)." % (last, fmt(grow),
                                                             fmt(100 * grow * 1024 / by_done[200])))
    print()


def overload_table(out, r, seconds):
    probes = []
    for line in open(os.path.join(out, "overload.healthz")):
        code, took = line.split()
        probes.append((code, float(took) * 1000))
    bad = sum(1 for code, _ in probes if code != "200")
    times = [t for _, t in probes]
    print("## Overload: `--max-queue 20`, 2 workers whose uploads are held, %s s of wrk (16 connections)\n"
          % seconds)
    print("| deliveries replied | 202 | 503 | 503 without Retry-After | other | socket errors | /healthz probes | /healthz not 200 | /healthz median / max ms | RSS before → after MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("| %s | %s | %s | %s | %d | %s | %d | %d | %s / %s | %s → %s |" % (
        r["replies"], r["s202"], r["s503"], r["no_retry_after"], int(r["other"]) + int(r["s200"]),
        r["socket_errors"], len(probes), bad, fmt(statistics.median(times)), fmt(max(times)),
        fmt(int(r["rss0_kb"]) / 1024), fmt(int(r["rss1_kb"]) / 1024)))
    print("\n202s are bounded by the queue: at most 20 queued plus one taken by each of the 2 workers. "
          "Connections the kernel dropped meanwhile because a listen queue was full (whole machine, "
          "`ListenOverflows` in /proc/net/netstat): %s." % r["listen_overflows"])


if __name__ == "__main__":
    sys.exit(main())
