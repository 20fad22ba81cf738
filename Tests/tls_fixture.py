#!/usr/bin/env python3
"""TLS and proxy helpers for sandbox's transport tests (throwaway CA, TLS terminator, HTTP proxy).

Usage:
  tls_fixture.py ca DIR NAME...            writes DIR/ca.pem, DIR/server.pem, DIR/server.key (SANs: NAMEs, 127.0.0.1)
  tls_fixture.py terminate --cert C --key K --upstream HOST:PORT [--listen HOST:PORT] [--log FILE] [--parent-pid PID]
  tls_fixture.py proxy [--listen HOST:PORT] [--log FILE] [--parent-pid PID]

The servers print "READY <port>" once listening. The terminator decrypts and forwards bytes unchanged (the Host
header stays what the client sent) and logs one "handshake ok|failed" line per connection; the proxy tunnels CONNECT
and forwards absolute-form HTTP requests, logging "CONNECT host:port" or "GET url ua=User-Agent" per request.
"""

import argparse
import datetime
import os
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from helper_watchdog import watch  # noqa: E402

LOG_LOCK = threading.Lock()


def log(path, line):
    if not path:
        return
    with LOG_LOCK, open(path, "a") as f:
        f.write(line + "\n")


def make_ca(directory, names):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sandbox throwaway test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName(n) for n in names] + [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "ca.pem"), "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "server.pem"), "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(os.path.join(directory, "server.key"), "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


def pipe(a, b):
    """Copies both directions until either side closes."""
    def copy(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
    t = threading.Thread(target=copy, args=(b, a), daemon=True)
    t.start()
    copy(a, b)
    t.join()
    a.close()
    b.close()


def listen(address):
    host, _, port = address.rpartition(":")
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host or "127.0.0.1", int(port)))
    server.listen(128)
    print(f"READY {server.getsockname()[1]}", flush=True)
    return server


def terminate(args):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    # The name each client asked for (the default-endpoint lane checks which host names sandbox used).
    context.sni_callback = lambda _sock, name, _context: log(args.log, f"sni {name}")
    up_host, _, up_port = args.upstream.rpartition(":")
    server = listen(args.listen)

    def handle(raw):
        try:
            tls = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log(args.log, f"handshake failed {type(e).__name__}")
            raw.close()
            return
        log(args.log, "handshake ok")
        try:
            upstream = socket.create_connection((up_host, int(up_port)))
        except OSError:
            tls.close()
            return
        pipe(tls, upstream)

    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def proxy(args):
    server = listen(args.listen)

    def handle(client):
        try:
            head, rest = read_head(client)
            if head is None:
                client.close()
                return
            lines = head.split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if method == "CONNECT":
                log(args.log, f"CONNECT {target}")
                host, _, port = target.rpartition(":")
                upstream = socket.create_connection((host.strip("[]"), int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                pipe(client, upstream)
                return
            # Absolute-form request: forward it in origin form over a fresh connection, one request per connection.
            from urllib.parse import urlsplit
            url = urlsplit(target)
            log(args.log, f"{method} {target} ua={headers.get('user-agent', '')}")
            upstream = socket.create_connection((url.hostname, url.port or 80))
            path = url.path or "/"
            if url.query:
                path += "?" + url.query
            kept = [line for line in lines[1:] if not line.lower().startswith(("proxy-", "connection:"))]
            request = "\r\n".join([f"{method} {path} {version}"] + kept + ["Connection: close", "", ""]).encode("latin-1")
            upstream.sendall(request + rest)
            # The client may keep its connection open; answer this request and then close it.
            pipe(client, upstream)
        except (OSError, ValueError):
            client.close()

    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    ca = sub.add_parser("ca")
    ca.add_argument("directory")
    ca.add_argument("names", nargs="+")
    t = sub.add_parser("terminate")
    t.add_argument("--cert", required=True)
    t.add_argument("--key", required=True)
    t.add_argument("--upstream", required=True)
    t.add_argument("--listen", default="127.0.0.1:0")
    t.add_argument("--log")
    t.add_argument("--parent-pid", type=int)
    p = sub.add_parser("proxy")
    p.add_argument("--listen", default="127.0.0.1:0")
    p.add_argument("--log")
    p.add_argument("--parent-pid", type=int)
    args = parser.parse_args()
    if args.command == "ca":
        make_ca(args.directory, args.names)
        return
    watch(args.parent_pid, max_seconds=900, name=f"tls_fixture {args.command}")
    (terminate if args.command == "terminate" else proxy)(args)


if __name__ == "__main__":
    main()
