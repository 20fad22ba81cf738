#!/usr/bin/env python3
"""A recording proxy in front of moto that checks every request against botocore's models and signer (loopback only).

Usage: CONFORMANCE_CREDENTIALS=KEY:SECRET[:TOKEN][,...] conformance_proxy.py --upstream http://127.0.0.1:PORT [--port 0]
                            [--parent-pid PID] [--max-seconds S]

The credentials the clients sign with come in the environment (never on the command line, where `ps` shows them).

Prints "READY <port>" on stdout once it listens. Every request is checked (conformance_checker.py) and then forwarded
unchanged; the answer is relayed unchanged. Control endpoints (never forwarded, never checked):
  GET  /_conformance/report  {"checked": N, "operations": {"s3 PutObject": N, ...}, "violations": [...],
                              "uncheckable_patterns": [...]}
  POST /_conformance/reset   forgets what was recorded
The proxy exits by itself after --max-seconds, or when --parent-pid is gone.
"""

import argparse
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conformance_checker import Checker, Request  # noqa: E402  (Tests/, next to this script)
from helper_watchdog import watch  # noqa: E402
from http_relay import QuietServer, forward, loopback_upstream, read_body, serve_until_terminated  # noqa: E402

MAX_VIOLATIONS = 2000


class Record:
    def __init__(self, checker):
        self.checker = checker
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.checked, self.operations, self.violations = 0, {}, []

    def check(self, request):
        try:
            operation, violations = self.checker.check(request)
        except Exception as error:  # a checker bug is a finding too, never a silent pass
            operation, violations = f"{request.method} {request.path}", [f"checker failed: {type(error).__name__}: {error}"]
        with self.lock:
            self.checked += 1
            self.operations[operation] = self.operations.get(operation, 0) + 1
            for violation in violations:
                if len(self.violations) < MAX_VIOLATIONS:
                    self.violations.append(f"#{self.checked} {violation}")

    def snapshot(self):
        with self.lock:
            return {"checked": self.checked, "operations": dict(self.operations), "violations": list(self.violations),
                    "uncheckable_patterns": sorted(self.checker.uncheckable_patterns)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "conformance-proxy"

    def log_message(self, *args):
        pass

    def do_GET(self):
        try:
            body = self.read_body()
            if self.path.startswith("/_conformance/"):
                return self.control()
            self.server.record.check(Request(self.command, self.path, self.headers.items(), body))
            self.relay(*self.forward(body))
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_GET

    def read_body(self):
        return read_body(self)

    def forward(self, body):
        return forward(self, self.server.upstream, body)

    def relay(self, status, headers, data, head_length=None):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", head_length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def control(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_conformance/report" and self.command == "GET":
            return self.reply(200, self.server.record.snapshot())
        if path == "/_conformance/reset" and self.command == "POST":
            self.server.record.reset()
            return self.reply(200, self.server.record.snapshot())
        return self.reply(404, {"error": f"unknown {self.command} {path}"})

    def reply(self, status, obj):
        self.relay(status, [("Content-Type", "application/json")], json.dumps(obj).encode())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of moto")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--parent-pid", type=int, help="exit when this process no longer exists")
    p.add_argument("--max-seconds", type=float, default=3600, help="exit after this long whatever happens")
    args = p.parse_args()

    upstream = loopback_upstream(p, args.upstream)
    credentials = {}
    for item in filter(None, os.environ.get("CONFORMANCE_CREDENTIALS", "").split(",")):
        key, _, rest = item.partition(":")
        secret, _, token = rest.partition(":")
        credentials[key] = (secret, token or None)
    watch(args.parent_pid, args.max_seconds, name="conformance_proxy")
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.upstream = upstream
    server.record = Record(Checker(credentials))
    serve_until_terminated(server)


if __name__ == "__main__":
    main()
