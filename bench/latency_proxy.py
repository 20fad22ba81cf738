#!/usr/bin/env python3
"""A latency-injecting HTTP proxy for the lifecycle benchmark (loopback only): every request waits --latency-ms
before it is forwarded to --upstream, as a round trip to a distant AWS region would. It records when each request
started and ended, so the benchmark can print the critical path: the most requests that ran one after another
(a chain of requests each starting after the previous ended; with L ms a request, wall >= chain x L).

Usage: latency_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--latency-ms 30]  (prints "PORT <n>")
Control (never forwarded): GET /_latency/stats -> {"requests": N, "critical_path": K}; POST /_latency/reset.
"""
import argparse, http.client, json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


class Log:
    def __init__(self):
        self.lock = threading.Lock()
        self.spans = []

    def add(self, start, end):
        with self.lock:
            self.spans.append((start, end))

    def stats(self):
        with self.lock:
            spans = sorted(self.spans, key=lambda s: s[1])
        chain, last_end = 0, float("-inf")
        for start, end in spans:  # greedy by end time: the longest chain of non-overlapping requests
            if start >= last_end:
                chain, last_end = chain + 1, end
        return {"requests": len(spans), "critical_path": chain}

    def reset(self):
        with self.lock:
            self.spans = []


class Proxy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    latency = 0.0
    log = Log()

    def log_message(self, *args):
        pass

    def control(self):
        if self.path.startswith("/_latency/stats"):
            body = json.dumps(self.log.stats()).encode()
        elif self.path.startswith("/_latency/reset"):
            self.log.reset()
            body = b"{}"
        else:
            return False
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return True

    def forward(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else None
        if self.control():
            return
        start = time.monotonic()
        time.sleep(self.latency)
        host, port = self.upstream
        conn = http.client.HTTPConnection(host, port, timeout=300)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in HOP and k.lower() != "content-length":
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.log.add(start, time.monotonic())

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = forward


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=30)
    args = ap.parse_args()
    up = urlsplit(args.upstream)
    Proxy.upstream = (up.hostname, up.port or 80)
    Proxy.latency = args.latency_ms / 1000
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Proxy)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
