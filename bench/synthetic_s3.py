#!/usr/bin/env python3
"""A fast synthetic S3 on loopback for cleanup at scale: S3's XML for ListObjectsV2 (with StartAfter), ListObjectVersions,
ListMultipartUploads, GetBucketVersioning, DeleteObjects and DeleteObject, plus STS GetCallerIdentity (Content-MD5 or x-amz-checksum-* required), HTTP/1.1
keep-alive, optional per-request latency and S3's per-prefix DELETE limit as a token bucket (a 1,000-key
DeleteObjects takes 1,000 tokens; an empty bucket answers 503 SlowDown). Glue holds no databases: GetDatabases lists none, every other Glue call answers EntityNotFound.

Control (not S3): POST /_seed?bucket=B&prefix=P&count=N&fanout=F creates N keys under P spread over F common
prefixes (F=0: straight under P); GET /_stats returns request, SlowDown and key counts as JSON. Usage:
  synthetic_s3.py --port 0 [--latency-ms 30] [--delete-rate 3500]   (prints "PORT <n>" when listening)
"""
import argparse, base64, bisect, hashlib, json, re, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qsl, quote, unquote

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
KEY_RE = re.compile(rb"<Key>(.*?)</Key>", re.S)


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_unescape(text):
    if "&" not in text:
        return text
    return (text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'")
            .replace("&#13;", "\r").replace("&#10;", "\n").replace("&amp;", "&"))


class Store:
    def __init__(self, latency, delete_rate):
        self.lock = threading.Lock()
        self.keys = {}          # bucket -> sorted list of keys, some of them deleted
        self.dead = {}          # bucket -> set of deleted keys still in the list (compacted when they are half of it)
        self.latency = latency
        self.delete_rate = delete_rate
        self.tokens = {}        # partition -> (tokens, last refill)
        self.stats = {"requests": 0, "slowdowns": 0, "deleted": 0, "lists": 0, "ranged_lists": 0, "deletes": 0}

    def seed(self, bucket, prefix, count, fanout):
        width = len(str(max(count - 1, 0)))
        # fanout 0: every key straight under the prefix (a flat run prefix, nothing to fan out over by delimiter)
        new = [f"{prefix}{f't{(i % fanout):03d}/' if fanout else ''}part-{str(i).zfill(width)}.parquet" for i in range(count)]
        with self.lock:
            keys = set(self.keys.get(bucket, [])) - self.dead.pop(bucket, set())
            keys.update(new)
            self.keys[bucket] = sorted(keys)

    def remove(self, bucket, keys):
        """Marks keys deleted (O(batch), not O(bucket)); caller holds the lock. Returns how many were live."""
        live = self.keys.get(bucket, [])
        dead = self.dead.setdefault(bucket, set())
        gone = 0
        for key in keys:
            i = bisect.bisect_left(live, key)
            if i < len(live) and live[i] == key and key not in dead:
                dead.add(key)
                gone += 1
        if len(dead) > 10_000 and len(dead) * 2 > len(live):
            self.keys[bucket] = [k for k in live if k not in dead]
            dead.clear()
        return gone

    def remaining(self):
        return sum(len(v) - len(self.dead.get(b, ())) for b, v in self.keys.items())

    def take(self, key, n):
        """Per-prefix partition token bucket: the partition is the key up to its second '/' (runs/RUN/)."""
        if not self.delete_rate:
            return True
        parts = key.split("/")
        partition = "/".join(parts[:2])
        now = time.monotonic()
        with self.lock:
            tokens, last = self.tokens.get(partition, (self.delete_rate, now))
            tokens = min(self.delete_rate, tokens + (now - last) * self.delete_rate)
            if tokens < n:
                self.tokens[partition] = (tokens, now)
                return False
            self.tokens[partition] = (tokens - n, now)
            return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store = None

    def log_message(self, *args):
        pass

    def send(self, status, body=b"", ctype="application/xml"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "synthetic")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        self.send(status, f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>synthetic</RequestId></Error>')

    def prologue(self):
        st = self.store
        with st.lock:
            st.stats["requests"] += 1
        if st.latency:
            time.sleep(st.latency)
        parts = urlsplit(self.path)
        return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))

    def do_GET(self):
        path, q = self.prologue()
        st = self.store
        if path == "/_stats":
            with st.lock:
                body = dict(st.stats, remaining=st.remaining())
            return self.send(200, json.dumps(body), "application/json")
        bucket = path.strip("/").split("/")[0]
        if "versioning" in q:
            return self.send(200, f'<?xml version="1.0" encoding="UTF-8"?><VersioningConfiguration xmlns="{NS}"/>')
        if "uploads" in q:
            return self.send(200, f'<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="{NS}"><Bucket>{bucket}</Bucket><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>')
        if q.get("list-type") == "2" or "versions" in q:
            return self.list(bucket, q, versions="versions" in q)
        self.error(400, "NotImplemented", "synthetic S3 does not implement this request")

    def list(self, bucket, q, versions):
        st = self.store
        prefix = q.get("prefix", "")
        delimiter = q.get("delimiter")
        maximum = min(int(q.get("max-keys", "1000")), 1000)
        start = q.get("key-marker") if versions else q.get("continuation-token")
        after = None if versions or start else q.get("start-after")  # S3 ignores StartAfter next to a token
        with st.lock:
            st.stats["lists"] += 1
            keys = st.keys.get(bucket, [])
            dead = st.dead.get(bucket, ())
            if after:
                st.stats["ranged_lists"] += 1
                i = max(bisect.bisect_right(keys, after), bisect.bisect_left(keys, prefix))
            elif start and delimiter and start.endswith(delimiter):
                i = bisect.bisect_left(keys, start + "\U0010ffff")  # resume after a common prefix, not inside it
            else:
                i = bisect.bisect_right(keys, start) if start else bisect.bisect_left(keys, prefix)
            contents, prefixes, last, truncated = [], [], None, False
            while i < len(keys):
                key = keys[i]
                if not key.startswith(prefix):
                    break
                if key in dead:
                    i += 1
                    continue
                if len(contents) + len(prefixes) >= maximum:
                    truncated = True
                    break
                rest = key[len(prefix):]
                if delimiter and delimiter in rest:
                    common = prefix + rest[:rest.index(delimiter) + 1]
                    prefixes.append(common)
                    last = common
                    # Skip every key under this common prefix (the next key after it sorts past "common\xff").
                    i = bisect.bisect_left(keys, common + "\U0010ffff")
                    continue
                contents.append(key)
                last = key
                i += 1
        enc = lambda k: quote(k, safe="/")
        out = ['<?xml version="1.0" encoding="UTF-8"?>']
        if versions:
            out.append(f'<ListVersionsResult xmlns="{NS}"><Name>{bucket}</Name><Prefix>{enc(prefix)}</Prefix><MaxKeys>{maximum}</MaxKeys><EncodingType>url</EncodingType><IsTruncated>{"true" if truncated else "false"}</IsTruncated>')
            if truncated:
                out.append(f"<NextKeyMarker>{enc(last)}</NextKeyMarker><NextVersionIdMarker>null</NextVersionIdMarker>")
            for k in contents:
                out.append(f'<Version><Key>{enc(k)}</Key><VersionId>null</VersionId><IsLatest>true</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Version>')
            tail = "</ListVersionsResult>"
        else:
            out.append(f'<ListBucketResult xmlns="{NS}"><Name>{bucket}</Name><Prefix>{enc(prefix)}</Prefix><KeyCount>{len(contents) + len(prefixes)}</KeyCount><MaxKeys>{maximum}</MaxKeys><EncodingType>url</EncodingType><IsTruncated>{"true" if truncated else "false"}</IsTruncated>')
            if truncated:
                out.append(f"<NextContinuationToken>{xml_escape(last)}</NextContinuationToken>")
            for k in contents:
                out.append(f'<Contents><Key>{enc(k)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>')
            tail = "</ListBucketResult>"
        for p in prefixes:
            out.append(f"<CommonPrefixes><Prefix>{enc(p)}</Prefix></CommonPrefixes>")
        out.append(tail)
        self.send(200, "".join(out))

    def do_DELETE(self):
        """DeleteObject, one key (aws s3 rm sends these): one token of the partition's bucket."""
        path, q = self.prologue()
        st = self.store
        bucket, _, key = path.lstrip("/").partition("/")
        key = unquote(key)
        if not st.take(key, 1):
            with st.lock:
                st.stats["slowdowns"] += 1
            return self.error(503, "SlowDown", "Please reduce your request rate.")
        with st.lock:
            st.stats["deletes"] += 1
            st.stats["deleted"] += st.remove(bucket, [key])
        self.send(204)

    def do_POST(self):
        path, q = self.prologue()
        st = self.store
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if path == "/_seed":
            st.seed(q["bucket"], q.get("prefix", ""), int(q.get("count", "0")), max(0, int(q.get("fanout", "1"))))
            return self.send(200, "{}", "application/json")
        if b"Action=GetCallerIdentity" in body:  # `sandbox cleanup` asks who it is before it deletes anything
            return self.send(200, '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                             '<Arn>arn:aws:iam::123456789012:user/synthetic</Arn><UserId>AIDASYNTHETIC</UserId><Account>123456789012</Account>'
                             '</GetCallerIdentityResult><ResponseMetadata><RequestId>synthetic</RequestId></ResponseMetadata></GetCallerIdentityResponse>', "text/xml")
        target = self.headers.get("X-Amz-Target", "")
        if target == "AWSGlue.GetDatabases":
            return self.send(200, json.dumps({"DatabaseList": []}), "application/x-amz-json-1.1")
        if target.startswith("AWSGlue."):
            return self.send(400, json.dumps({"__type": "EntityNotFoundException", "Message": "synthetic: no Glue"}), "application/x-amz-json-1.1")
        bucket = path.strip("/").split("/")[0]
        if "delete" not in q:
            return self.error(400, "NotImplemented", "synthetic S3 does not implement this request")
        md5 = self.headers.get("Content-MD5")
        if md5 is None and not any(h.lower().startswith("x-amz-checksum-") for h in self.headers.keys()):
            return self.error(400, "InvalidRequest", "Missing required header for this request: Content-MD5")
        if md5 is not None and md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
            return self.error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        keys = [xml_unescape(k.decode()) for k in KEY_RE.findall(body)]
        if len(keys) > 1000:
            return self.error(400, "MalformedXML", "more than 1,000 keys")
        if keys and not st.take(keys[0], len(keys)):
            with st.lock:
                st.stats["slowdowns"] += 1
            return self.error(503, "SlowDown", "Please reduce your request rate.")
        with st.lock:
            st.stats["deletes"] += 1
            st.stats["deleted"] += st.remove(bucket, keys)
        self.send(200, f'<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="{NS}"></DeleteResult>')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--delete-rate", type=float, default=0, help="DELETE keys a second per prefix partition (0: no limit)")
    args = ap.parse_args()
    Handler.store = Store(args.latency_ms / 1000, args.delete_rate)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
