#!/usr/bin/env python3
"""The floor under a 202: what JobStore writes per admitted job, alone.

  fsync_floor.py DIR [N]

N times (default 200): write a 1 KiB temporary file, fsync it, rename it
to a new record name, fsync DIR (webhook/jobs/job_store.cpp's write_durably, one
new job). Removes what it wrote. Prints
"FSYNC n=N p50_ms=... p99_ms=... max_ms=..." for bench/service.sh.
"""
import os
import sys
import time


def main():
    folder = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    data = b"x" * 1024
    took = []
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i in range(n):
            temp = os.path.join(folder, ".tmp-%d" % i)
            record = os.path.join(folder, "record-%d.json" % i)
            start = time.perf_counter()
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, data)
            os.fsync(fd)
            os.close(fd)
            os.rename(temp, record)
            os.fsync(dir_fd)
            took.append((time.perf_counter() - start) * 1000)
    finally:
        os.close(dir_fd)
        for i in range(n):
            for name in ("record-%d.json" % i, ".tmp-%d" % i):
                try:
                    os.unlink(os.path.join(folder, name))
                except FileNotFoundError:
                    pass
    took.sort()
    print("FSYNC n=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
          % (n, took[n // 2], took[min(n - 1, -(-n * 99 // 100) - 1)], took[-1]))


if __name__ == "__main__":
    main()
