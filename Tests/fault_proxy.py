#!/usr/bin/env python3
"""A fault-injecting HTTP proxy in front of moto, for sandbox reliability tests (loopback only).

Usage: fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--parent-pid PID] [--max-seconds S]
                      [--seed N] [--rate R] [--kinds K,K,...] [--delay S]

Prints "READY <port>" on stdout once it listens. Every request is forwarded to the upstream unchanged, except
that with probability --rate it gets one of these faults instead (chosen by a seeded RNG):

  500       HTTP 500 InternalError/InternalFailure/InternalServiceException, before or after forwarding
  503       HTTP 503: S3 SlowDown (S3 XML), ServiceUnavailable in the Query/JSON forms for other services
  throttle  HTTP 400 Throttling (Query XML) or ThrottlingException (JSON __type); S3 gets 503 SlowDown
  reset     TCP reset (SO_LINGER 0), before or after forwarding
  timeout   forwards, then holds the answer for --delay seconds (past the client's timeout)
  truncate  forwards, then sends the headers with the full Content-Length, half the body, and closes

Malformed answers (never chosen at random, only by rules: a client cannot retry its way past them):

  garbage   forwards, then answers 200 with the body cut in half (well-framed: invalid XML or JSON)
  html      forwards, then answers 200 text/html with a proxy's sign-in page
  empty     forwards, then answers 200 with an empty document (`<R/>` or `{}`): every field missing
  huge      forwards, then answers 200 with 24 MiB of the document's first byte repeated
  wrongtype forwards, then answers 200 with the body as application/octet-stream, gzip-encoded bytes

The decision for a request depends only on the seed, the request (method, path, query, body, X-Amz-Target) and how
many identical requests came before, not on arrival order, so a seed reproduces the same faults under concurrency.

Control endpoints (never forwarded, never faulted):
  GET  /_fault/stats    {"requests": N, "faults": {kind: N}, "held": bool, "log": [...]}
  POST /_fault/config   JSON {seed, rate, kinds, delay, hold_at, hold_phase, rules}; resets the counters and any hold
  POST /_fault/release  lets a held request go: it is dropped (the connection closed) without an answer

hold_at N holds the N-th request (1-based, counting from the last config) until released or 60 s pass;
hold_phase "before" holds it before forwarding (never applied), "after" after forwarding (applied, unanswered).
rules are targeted faults tried first: [{"match": "CreatePolicy", "kind": "reset", "phase": "after", "times": 1}]
matches "METHOD service operation" (operation: X-Amz-Target, the Query Action or the path and its query keys, as in
"GET s3 /bucket ?list-type&prefix"); "regex": true makes match
a regular expression, "skip": N lets the first N matching requests through.
The proxy exits by itself after --max-seconds, or when --parent-pid is gone.
"""

import argparse
import hashlib
import json
import random
import re
import socket
import struct
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

from helper_watchdog import watch  # Tests/, next to this script
from http_relay import QuietServer, forward, loopback_upstream, read_body, serve_until_terminated

KINDS = ["500", "503", "throttle", "reset", "timeout", "truncate"]
MALFORMED = ["garbage", "html", "empty", "huge", "wrongtype"]


class Settings:
    def __init__(self, seed=0, rate=0.0, kinds=None, delay=3.0, hold_at=0, hold_phase="after", rules=None):
        self.seed, self.rate, self.delay = int(seed), float(rate), float(delay)
        # Targeted faults, tried before the random ones: {"match": text in "METHOD service operation", "kind": K,
        # "phase": "before"|"after", "times": N}.
        # "regex": true makes match a regular expression; "skip": N lets N matching requests through first.
        self.rules = [dict(r, times=int(r.get("times", 1)), skip=int(r.get("skip", 0))) for r in (rules or []) if r.get("kind") in KINDS + MALFORMED]
        self.kinds = [k for k in (kinds or KINDS) if k in KINDS] or KINDS
        self.hold_at, self.hold_phase = int(hold_at or 0), hold_phase if hold_phase in ("before", "after") else "after"


class State:
    """Counters and the current settings, shared by the handler threads."""

    def __init__(self, settings):
        self.lock = threading.Lock()
        self.configure(settings)

    def configure(self, settings):
        with getattr(self, "lock", threading.Lock()):
            old = getattr(self, "release_event", None)
            self.settings = settings
            self.requests = 0
            self.seen = {}
            self.faults = {k: 0 for k in KINDS + MALFORMED}
            self.log = []
            self.held = False
            self.release_event = threading.Event()
        if old is not None:
            old.set()  # a request held under the old settings goes (dropped)

    def next_request(self, key):
        """Returns (index, occurrence of this exact request, settings, release event)."""
        with self.lock:
            self.requests += 1
            self.seen[key] = self.seen.get(key, 0) + 1
            return self.requests, self.seen[key], self.settings, self.release_event

    def scripted(self, settings, what):
        """The first targeted rule matching this request, used up one time at a time."""
        with self.lock:
            for rule in settings.rules:
                pattern = rule.get("match", "")
                matched = re.search(pattern, what) if rule.get("regex") else pattern in what
                if rule["times"] > 0 and matched:
                    if rule["skip"] > 0:
                        rule["skip"] -= 1
                        continue
                    rule["times"] -= 1
                    forced = rule["kind"] in ["timeout", "truncate"] + MALFORMED  # these need an answer to change
                    return rule["kind"], "after" if forced else rule.get("phase", "after")
        return None

    def record(self, index, kind, phase, what):
        with self.lock:
            self.faults[kind] += 1
            if len(self.log) < 500:
                self.log.append(f"#{index} {what}: {kind} ({phase})")

    def snapshot(self):
        with self.lock:
            return {"requests": self.requests, "faults": dict(self.faults), "held": self.held, "log": list(self.log),
                    "seed": self.settings.seed, "rate": self.settings.rate}


def decide(settings, key, occurrence):
    """(kind, phase) or None; a pure function of the seed, the request and its occurrence."""
    if settings.rate <= 0:
        return None
    digest = hashlib.sha256(f"{settings.seed}|{key}|{occurrence}".encode()).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    if rng.random() >= settings.rate:
        return None
    kind = rng.choice(settings.kinds)
    phase = "after" if kind in ("timeout", "truncate") else rng.choice(["before", "after"]) if kind in ("500", "reset") else "before"
    return kind, phase


def classify(headers):
    """(service, protocol) from the SigV4 credential scope and X-Amz-Target."""
    service = "unsigned"
    auth = headers.get("Authorization", "")
    if "Credential=" in auth:
        scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        if len(scope) >= 4:
            service = scope[3]
    if headers.get("X-Amz-Target"):
        return service, "json"
    if service in ("iam", "sts"):
        return service, "query"
    return service, "rest-xml"


def error_response(kind, service, protocol, rng):
    """(status, content type, body) of a fault answer in the request's wire protocol."""
    request_id = "%032x" % rng.getrandbits(128)
    if kind == "throttle" and protocol == "rest-xml":
        kind = "503"  # S3 throttles with 503 SlowDown
    if protocol == "rest-xml":
        status, code, message = {"500": (500, "InternalError", "We encountered an internal error. Please try again."),
                                 "503": (503, "SlowDown", "Please reduce your request rate.")}[kind]
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
                f"<RequestId>{request_id[:16].upper()}</RequestId><HostId>fault-proxy</HostId></Error>")
        return status, "application/xml", body.encode()
    if protocol == "query":
        status, code, kind_of, message = {"500": (500, "InternalFailure", "Receiver", "An internal error occurred."),
                                          "503": (503, "ServiceUnavailable", "Receiver", "Service is unavailable."),
                                          "throttle": (400, "Throttling", "Sender", "Rate exceeded")}[kind]
        body = (f'<ErrorResponse xmlns="https://{service}.amazonaws.com/doc/2010-05-08/"><Error><Type>{kind_of}</Type>'
                f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return status, "text/xml", body.encode()
    status, code, message = {"500": (500, "InternalServiceException", "Internal service error"),
                             "503": (503, "ServiceUnavailableException", "Service unavailable"),
                             "throttle": (400, "ThrottlingException", "Rate exceeded")}[kind]
    # Both __type spellings AWS uses: bare and namespaced.
    type_name = code if rng.random() < 0.5 else f"com.amazonaws.{service}#{code}"
    return status, "application/x-amz-json-1.1", json.dumps({"__type": type_name, "message": message}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"

    def log_message(self, *args):  # quiet: the Swift fixture keeps only a stderr tail
        pass

    def do_GET(self):
        self.handle_any()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_GET

    # ---------------------------------------------------------------- plumbing

    def read_body(self):
        return read_body(self)

    def send(self, status, headers, body, declared_length=None):
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if declared_length is None else declared_length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def reset(self):
        """Abort the connection with a TCP RST."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def forward(self, body):
        status, headers, data, head_length = forward(self, self.server.upstream, body)
        if head_length is not None:  # no body, but the length of the one a GET would return
            headers.append(("X-Fault-Proxy-Head-Length", head_length))
        return status, headers, data

    # ---------------------------------------------------------------- control

    def control(self, body):
        state = self.server.state
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_fault/stats" and self.command == "GET":
            return self.reply_json(200, state.snapshot())
        if path == "/_fault/config" and self.command == "POST":
            try:
                settings = Settings(**json.loads(body or b"{}"))
            except (TypeError, ValueError) as error:
                return self.reply_json(400, {"error": str(error)})
            state.configure(settings)
            return self.reply_json(200, state.snapshot())
        if path == "/_fault/release" and self.command == "POST":
            with state.lock:
                state.release_event.set()
            return self.reply_json(200, state.snapshot())
        return self.reply_json(404, {"error": f"unknown {self.command} {path}"})

    def reply_json(self, status, obj):
        self.send(status, [("Content-Type", "application/json")], json.dumps(obj).encode())

    # ---------------------------------------------------------------- requests

    def handle_any(self):
        try:
            body = self.read_body()
            if self.path.startswith("/_fault/"):
                return self.control(body)
            self.proxy(body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            self.close_connection = True

    def proxy(self, body):
        state = self.server.state
        service, protocol = classify(self.headers)
        target = self.headers.get("X-Amz-Target", "")
        key = f"{self.command} {self.path} {target} {hashlib.sha256(body).hexdigest()}"
        index, occurrence, settings, release = state.next_request(key)
        split = urllib.parse.urlsplit(self.path)
        what = f"{self.command} {service} {target or split.path[:120]}"
        if split.query and not target:  # S3 operations differ by their query keys: ?list-type=2, ?versions, ?lifecycle
            what += " ?" + "&".join(sorted(k.split("=", 1)[0] for k in split.query.split("&")))
        if protocol == "query":
            action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
            what += f" {action}"

        if settings.hold_at and index == settings.hold_at:
            return self.hold(body, settings, release, index, what)

        decision = state.scripted(settings, what) or decide(settings, key, occurrence)
        if decision is None:
            return self.relay(*self.forward(body))
        kind, phase = decision
        state.record(index, kind, phase, what)
        rng = random.Random(f"{settings.seed}|{key}|{occurrence}|body")
        if phase == "after":
            status, headers, data = self.forward(body)
        if kind in ("500", "503", "throttle"):
            status, content_type, payload = error_response(kind, service, protocol, rng)
            return self.send(status, [("Content-Type", content_type), ("x-amzn-RequestId", "fault-proxy")], payload)
        if kind == "reset":
            return self.reset()
        if kind in MALFORMED:
            return self.malformed(kind, status, headers, data, protocol)
        if kind == "timeout":
            time.sleep(settings.delay)  # the client gave up by now; whatever we send goes nowhere
            self.close_connection = True
            return self.relay(status, headers, data)
        # truncate: promise the whole body, deliver half, hang up.
        if self.command == "HEAD" or len(data) < 2:
            return self.reset()
        self.close_connection = True
        self.send(status, headers, data[: len(data) // 2], declared_length=len(data))
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def malformed(self, kind, status, headers, data, protocol):
        """A 200 whose body the client cannot use, in place of the upstream's answer."""
        self.close_connection = True
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "application/xml")
        if kind == "garbage":
            body = data[: max(1, len(data) // 2)] if data else (b"{" if protocol == "json" else b"<")
        elif kind == "html":
            content_type, body = "text/html", b"<!DOCTYPE html><html><body><h1>Sign in to continue</h1></body></html>"
        elif kind == "empty":
            body = b"{}" if protocol == "json" else b'<?xml version="1.0" encoding="UTF-8"?><Response/>'
        elif kind == "huge":
            body = (data[:1] or b"<") * (24 << 20)
        else:
            import gzip
            content_type, body = "application/octet-stream", gzip.compress(data or b"?")
        out = [(k, v) for k, v in headers if k.lower() not in ("content-type", "etag", "x-fault-proxy-head-length")]
        self.send(200, out + [("Content-Type", content_type)], body)

    def relay(self, status, headers, data):
        head = [v for k, v in headers if k == "X-Fault-Proxy-Head-Length"]
        headers = [(k, v) for k, v in headers if k != "X-Fault-Proxy-Head-Length"]
        self.send(status, headers, data, declared_length=int(head[0]) if head else None)

    def hold(self, body, settings, release, index, what):
        state = self.server.state
        if settings.hold_phase == "after":
            self.forward(body)
        with state.lock:
            state.held = True
            if len(state.log) < 500:
                state.log.append(f"#{index} {what}: held ({settings.hold_phase})")
        release.wait(60)
        with state.lock:
            state.held = False
        self.reset()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of moto")
    p.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    p.add_argument("--parent-pid", type=int, help="exit when this process no longer exists")
    p.add_argument("--max-seconds", type=float, default=3600, help="exit after this long whatever happens")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rate", type=float, default=0.0)
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--delay", type=float, default=3.0)
    args = p.parse_args()

    upstream = loopback_upstream(p, args.upstream)
    watch(args.parent_pid, args.max_seconds, name="fault_proxy")
    server = QuietServer(("127.0.0.1", args.port), Handler)
    server.upstream = upstream
    server.state = State(Settings(args.seed, args.rate, args.kinds.split(","), args.delay))
    serve_until_terminated(server)


if __name__ == "__main__":
    main()
