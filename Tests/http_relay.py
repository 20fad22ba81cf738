"""Shared by the test proxies (fault_proxy.py, conformance_proxy.py): read a request body, forward it to a loopback
upstream unchanged, and serve until SIGTERM. The proxies differ only in what they do between reading and relaying."""

import http.client
import os
import threading
import urllib.parse
from http.server import ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
              "te", "trailer", "transfer-encoding", "upgrade", "content-length"}


def loopback_upstream(parser, url):
    """The parsed --upstream URL; anything but loopback is a usage error (tests never leave the machine)."""
    upstream = urllib.parse.urlsplit(url)
    if upstream.hostname not in ("127.0.0.1", "localhost", "::1"):
        parser.error("--upstream must be a loopback address")
    return upstream


def read_body(handler):
    """The request body of a BaseHTTPRequestHandler, de-chunked when the client used chunked transfer encoding."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def forward(handler, upstream, body):
    """Sends the handler's request to `upstream`; returns (status, headers, body, head_length), where head_length is
    the Content-Length a HEAD answer declares for the body a GET would return (None for other methods)."""
    connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
    try:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(handler.command, handler.path,
                           body=body if body or handler.command in ("PUT", "POST") else None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        out = [(k, v) for k, v in response.getheaders()
               if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date")]
        head_length = response.getheader("Content-Length", "0") if handler.command == "HEAD" else None
        return response.status, out, data, head_length
    finally:
        connection.close()


class QuietServer(ThreadingHTTPServer):
    """Threads per connection; a client that hangs up mid-answer is the test's business, not a traceback."""
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


def serve_until_terminated(server):
    """Announces the port on stdout ("READY <port>", what the Swift fixtures wait for) and serves until SIGTERM."""
    threading.Thread(target=server.serve_forever, daemon=True, name="proxy").start()
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        threading.Event().wait()  # SIGTERM's default action ends the process
    except KeyboardInterrupt:
        pass
    os._exit(0)
