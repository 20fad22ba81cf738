#!/usr/bin/env python3
"""Signs requests with botocore so the Swift signer can be checked against it.

Reads a JSON array from stdin; each element is an object with
  method, url, headers (object), body (base64), accessKey, secret, token (or null),
  region, service, timestamp ("YYYYMMDDTHHMMSSZ").
Prints a JSON array with one object per request, in order:
  {"authorization": "...", "canonicalRequest": "..."}

botocore signs exactly the headers given (plus host and its own x-amz-* ones): the request is
built directly, so no User-Agent or other client header is added. Its clock is pinned by
replacing botocore.auth.get_current_datetime, which add_auth calls for the signing time.

Exits 3 with a message on stderr when botocore cannot be imported (the Swift test skips then).
"""
import base64
import datetime
import json
import sys

try:
    import botocore.auth
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"botocore is not installed: {error}", file=sys.stderr)
    sys.exit(3)


class _Pinned:
    now = None


def _pinned_datetime(remove_tzinfo=True):
    return _Pinned.now


botocore.auth.get_current_datetime = _pinned_datetime


def _capturing(base):
    class Capturing(base):
        canonical = ""

        def canonical_request(self, request):
            text = super().canonical_request(request)
            self.canonical = text
            return text

    return Capturing


CapturingSigV4 = _capturing(SigV4Auth)
CapturingS3SigV4 = _capturing(S3SigV4Auth)


def sign(item):
    _Pinned.now = datetime.datetime.strptime(item["timestamp"], "%Y%m%dT%H%M%SZ")
    credentials = Credentials(item["accessKey"], item["secret"], item.get("token"))
    cls = CapturingS3SigV4 if item["service"] == "s3" else CapturingSigV4
    signer = cls(credentials, item["service"], item["region"])
    request = AWSRequest(
        method=item["method"],
        url=item["url"],
        headers=dict(item["headers"]),
        data=base64.b64decode(item["body"]),
    )
    signer.add_auth(request)
    return {"authorization": request.headers["Authorization"], "canonicalRequest": signer.canonical}


def main():
    items = json.load(sys.stdin)
    json.dump([sign(item) for item in items], sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
