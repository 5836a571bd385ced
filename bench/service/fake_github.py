#!/usr/bin/env python3
"""A fake GitHub code-scanning API on 127.0.0.1 for bench/service.sh.

Answers what webhook/github/github_client.cpp calls:
  POST /repos/OWNER/REPO/code-scanning/sarifs       -> 202 {"id": ..., "url": ...}
  GET  /repos/OWNER/REPO/code-scanning/sarifs/ID    -> 200 {"processing_status": "complete"}
  GET  /_stats                                      -> counts, for the bench's report
Each upload's `sarif` (base64 of gzip of JSON) is decoded and its results
counted, so the bench can show that jobs really scanned something.

  fake_github.py PORT_FILE [--hold SECONDS]

binds 127.0.0.1 on a free port, writes the port to PORT_FILE and serves
until SIGTERM. --hold makes every upload wait that long before answering
(the overload run: workers stay busy, jobs stay queued).
"""
import argparse
import base64
import gzip
import http.server
import itertools
import json
import os
import signal
import sys
import threading
import time

lock = threading.Lock()
stats = {"uploads": 0, "results": 0, "bad_uploads": 0, "polls": 0}
ids = itertools.count(1)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hold = 0.0

    def log_message(self, *args):
        pass

    def reply(self, status, doc):
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = self.path.strip("/").split("/")
        if len(parts) != 5 or parts[0] != "repos" or parts[3:] != ["code-scanning", "sarifs"]:
            return self.reply(404, {"message": "Not Found"})
        if self.hold:
            time.sleep(self.hold)
        try:
            sarif = json.loads(gzip.decompress(base64.b64decode(json.loads(body)["sarif"])))
            results = sum(len(run.get("results", [])) for run in sarif["runs"])
        except (ValueError, KeyError, TypeError, OSError):
            with lock:
                stats["bad_uploads"] += 1
            return self.reply(400, {"message": "sarif is not base64 of gzip of SARIF JSON"})
        with lock:
            stats["uploads"] += 1
            stats["results"] += results
            sarif_id = "sarif-%d" % next(ids)
        self.reply(202, {"id": sarif_id, "url": "http://%s:%d%s/%s" % (*self.server.server_address, self.path, sarif_id)})

    def do_GET(self):
        if self.path == "/_stats":
            with lock:
                return self.reply(200, dict(stats))
        if "/code-scanning/sarifs/" in self.path:
            with lock:
                stats["polls"] += 1
            return self.reply(200, {"processing_status": "complete"})
        self.reply(404, {"message": "Not Found"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("--hold", type=float, default=0.0)
    args = parser.parse_args()
    Handler.hold = args.hold
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    with open(args.port_file + ".part", "w") as out:
        out.write("%d\n" % server.server_address[1])
    os.replace(args.port_file + ".part", args.port_file)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
