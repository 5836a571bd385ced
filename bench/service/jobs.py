#!/usr/bin/env python3
"""Memory of `bindscan serve` over many jobs, for bench/service.sh.

  jobs.py --port P --pid PID --secret-file F --bodies DIR --jobs 1000 --batch 100

Posts signed push deliveries (unique X-GitHub-Delivery ids; the bodies in
DIR/*.json taken in turn, so jobs alternate commits and branches) in batches
of --batch. After each batch it waits until /metrics counts that many more
finished job attempts (bindscan_job_attempts_total: uploaded + failed), then
reads VmRSS and VmHWM of PID from /proc. Prints one line per batch:
  JOBS done=N uploaded=U failed=F rss_kb=R hwm_kb=H threads=T seconds=S
Exits 1 if a batch does not finish within --timeout seconds.
"""
import argparse
import glob
import hashlib
import hmac
import http.client
import re
import sys
import time


def post(port, secret, delivery, body):
    signature = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/webhook", body, {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/bench",
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature,
        })
        return conn.getresponse().status
    finally:
        conn.close()


def attempts(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    found = dict(re.findall(r'^bindscan_job_attempts_total\{result="(\w+)"\} (\d+)', text, re.M))
    return int(found.get("uploaded", 0)), int(found.get("failed", 0)), int(found.get("retry", 0))


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else ""
    return int(fields["VmRSS"]), int(fields["VmHWM"]), int(fields["Threads"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--secret-file", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--prefix", default="mem")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    with open(args.secret_file, "rb") as f:
        secret = f.read().rstrip(b"\n")
    bodies = [open(p, "rb").read() for p in sorted(glob.glob(args.bodies + "/*.json"))]
    if not bodies:
        sys.exit("no bodies in " + args.bodies)
    start = time.monotonic()
    rss, hwm, threads = proc_status(args.pid)
    print("JOBS done=0 uploaded=0 failed=0 rss_kb=%d hwm_kb=%d threads=%d seconds=0" % (rss, hwm, threads),
          flush=True)
    posted = 0
    while posted < args.jobs:
        n = min(args.batch, args.jobs - posted)
        for i in range(posted, posted + n):
            status = post(args.port, secret, "%s-%d" % (args.prefix, i), bodies[i % len(bodies)])
            if status != 202:
                sys.exit("delivery %d: HTTP %d, expected 202" % (i, status))
        posted += n
        until = time.monotonic() + args.timeout
        while True:
            uploaded, failed, _ = attempts(args.port)
            if uploaded + failed >= posted:
                break
            if time.monotonic() > until:
                sys.exit("timed out: %d of %d jobs finished" % (uploaded + failed, posted))
            time.sleep(0.2)
        rss, hwm, threads = proc_status(args.pid)
        print("JOBS done=%d uploaded=%d failed=%d rss_kb=%d hwm_kb=%d threads=%d seconds=%.1f"
              % (uploaded + failed, uploaded, failed, rss, hwm, threads, time.monotonic() - start), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
