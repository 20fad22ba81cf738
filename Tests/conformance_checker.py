"""Checks one recorded HTTP request against botocore's service models and signer (used by conformance_proxy.py).

The operation is identified from the wire: S3 (rest-xml) by method, path and query markers of the model's
`http.requestUri`; Query services (IAM, STS) by `Action=`; JSON services (Glue, Budgets) by `X-Amz-Target`. The
request is deserialized back to parameters per the model and validated with botocore's ParamValidator, plus what
ParamValidator leaves out (enums, patterns, maximum lengths and values). S3 also gets: the XML payload's root element
and namespace, Content-MD5 or an x-amz-checksum-* header where the model requires a checksum, and the payload hash.
Every request's SigV4 signature is recomputed with botocore's signer (same credentials, date and signed headers).

`Checker(credentials).check(request)` returns (operation, [violation, ...]); each violation names operation and member.
"""

import base64
import binascii
import datetime
import hashlib
import json
import re
import urllib.parse
import xml.etree.ElementTree as ElementTree
import zlib

try:  # the models' patterns are Java regular expressions (\p{L}, inline flags); `regex` reads them, `re` mostly
    import regex as pattern_engine
except ImportError:
    pattern_engine = re

import botocore.session
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials
from botocore.validate import ParamValidator

SERVICES = ("s3", "iam", "sts", "glue", "budgets")
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
GLOBAL_SERVICES = {"iam": "us-east-1", "budgets": "us-east-1"}
MAX_CLOCK_SKEW = datetime.timedelta(minutes=15)
PAYLOAD_MARKERS = {"UNSIGNED-PAYLOAD", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                   "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"}
CHECKSUM_HEADERS = ("x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1",
                    "x-amz-checksum-sha256")
MISSING = object()


class Request:
    """One request as it came over the wire: method, raw path and query, headers (in order, as sent), body."""

    def __init__(self, method, target, headers, body):
        self.method = method
        split = urllib.parse.urlsplit(target)
        self.path, self.query = split.path or "/", split.query
        self.headers = list(headers)
        self.lower = {}
        for name, value in self.headers:
            self.lower.setdefault(name.lower(), value)
        self.body = body or b""

    def header(self, name, default=None):
        return self.lower.get(name.lower(), default)


class Problems:
    """Violations of one request, each prefixed with its operation."""

    def __init__(self):
        self.operation = "?"
        self.items = []

    def add(self, member, message):
        self.items.append(f"{self.operation}: {member}: {message}")


class Checker:
    def __init__(self, credentials, now=None):
        """credentials: {access key id: (secret, session token or None)}; now: a clock for the skew check."""
        self.credentials = credentials
        self.now = now or (lambda: datetime.datetime.now(datetime.timezone.utc))
        session = botocore.session.get_session()
        self.models = {name: session.get_service_model(name) for name in SERVICES}
        self.validator = ParamValidator()
        self.s3_routes = [self._route(op) for op in (self.models["s3"].operation_model(n)
                                                     for n in self.models["s3"].operation_names)]
        self.patterns = {}
        self.uncheckable_patterns = set()

    # ------------------------------------------------------------------ entry point

    def check(self, request):
        problems = Problems()
        auth = self._authorization(request, problems)
        service = auth["service"] if auth else None
        if service not in self.models:
            problems.operation = f"{service or 'unsigned'} {request.method} {request.path}"
            problems.add("Authorization", f"no SigV4 signature for a known service (scope service {service!r})")
            return problems.operation, problems.items
        model = self.models[service]
        protocol = model.metadata["protocol"]
        if protocol == "query":
            operation, params = self._query(model, request, problems)
        elif protocol == "json":
            operation, params = self._json(model, request, problems)
        else:
            operation, params = self._rest_xml(model, request, problems)
        if operation is not None and params is not None:
            self._validate(operation, params, problems)
        self._signature(model, request, auth, problems)
        return problems.operation, problems.items

    # ------------------------------------------------------------------ Query protocol (IAM, STS)

    def _query(self, model, request, problems):
        problems.operation = f"{model.service_name} ?"
        pairs = urllib.parse.parse_qsl(request.query, keep_blank_values=True)
        if request.method == "POST":
            content_type = request.header("Content-Type", "")
            if not content_type.startswith("application/x-www-form-urlencoded"):
                problems.add("Content-Type", f"{content_type!r}, expected application/x-www-form-urlencoded")
            try:
                pairs += urllib.parse.parse_qsl(request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(request.body))
            except (UnicodeDecodeError, ValueError) as error:
                problems.add("body", f"not a URL-encoded form: {error}")
        flat = {}
        for key, value in pairs:
            if key in flat:
                problems.add(key, "sent twice")
            flat[key] = value
        action = flat.pop("Action", None)
        if action not in model.operation_names:
            problems.add("Action", f"{action!r} is not an operation of {model.service_name}")
            return None, None
        operation = model.operation_model(action)
        problems.operation = f"{model.service_name} {action}"
        version = flat.pop("Version", None)
        if version != model.api_version:
            problems.add("Version", f"{version!r}, expected {model.api_version!r}")
        used = set()
        params = {}
        if operation.input_shape is not None:
            params = self._query_value(operation.input_shape, "", flat, used, problems)
            if params is MISSING:
                params = {}
        for key in sorted(set(flat) - used):
            problems.add(key, "not a member of the input shape")
        return operation, params

    def _query_value(self, shape, prefix, flat, used, problems):
        kind = shape.type_name
        if kind == "structure":
            out = {}
            for name, member in shape.members.items():
                key = member.serialization.get("name", name)
                value = self._query_value(member, f"{prefix}.{key}" if prefix else key, flat, used, problems)
                if value is not MISSING:
                    out[name] = value
            return out if out or not prefix else MISSING
        if kind == "list":
            if shape.serialization.get("flattened"):
                base = prefix
                if shape.member.serialization.get("name"):
                    base = ".".join(prefix.split(".")[:-1] + [shape.member.serialization["name"]])
            else:
                base = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
            indices = self._indices(base, flat)
            if prefix in flat and flat[prefix] == "" and not indices:
                used.add(prefix)
                return []  # the Query form of an empty list
            if not indices:
                return MISSING
            if indices != list(range(1, len(indices) + 1)):
                problems.add(base, f"list indices {indices} are not 1..{len(indices)}")
            return [v for v in (self._query_value(shape.member, f"{base}.{i}", flat, used, problems) for i in indices)
                    if v is not MISSING]
        if kind == "map":
            base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
            key_name = shape.key.serialization.get("name", "key")
            value_name = shape.value.serialization.get("name", "value")
            indices = self._indices(base, flat)
            if not indices:
                return MISSING
            out = {}
            for i in indices:
                key = self._query_value(shape.key, f"{base}.{i}.{key_name}", flat, used, problems)
                value = self._query_value(shape.value, f"{base}.{i}.{value_name}", flat, used, problems)
                if key is MISSING:
                    problems.add(f"{base}.{i}", f"map entry without .{key_name}")
                    continue
                out[key] = None if value is MISSING else value
            return out
        if prefix not in flat:
            return MISSING
        used.add(prefix)
        return self._scalar(shape, flat[prefix], prefix, problems)

    @staticmethod
    def _indices(base, flat):
        found = set()
        for key in flat:
            if key.startswith(base + "."):
                head = key[len(base) + 1:].split(".", 1)[0]
                if head.isdigit():
                    found.add(int(head))
        return sorted(found)

    def _scalar(self, shape, text, where, problems):
        """A wire string (Query value, header, query string, XML text) as the Python value botocore's validator expects."""
        kind = shape.type_name
        try:
            if kind in ("integer", "long"):
                return int(text)
            if kind in ("float", "double"):
                return float(text)
            if kind == "boolean":
                if text not in ("true", "false"):
                    raise ValueError(f"{text!r} is not true or false")
                return text == "true"
            if kind == "blob":
                return base64.b64decode(text, validate=True)
        except (ValueError, binascii.Error) as error:
            problems.add(where, f"not a valid {kind}: {error}")
            return MISSING
        return text  # strings, and timestamps (the validator parses them)

    # ------------------------------------------------------------------ JSON protocol (Glue, Budgets)

    def _json(self, model, request, problems):
        problems.operation = f"{model.service_name} ?"
        target = request.header("X-Amz-Target", "")
        prefix, _, action = target.rpartition(".")
        if prefix != model.metadata.get("targetPrefix") or action not in model.operation_names:
            problems.add("X-Amz-Target", f"{target!r} is not {model.metadata.get('targetPrefix')}.<an operation>")
            return None, None
        operation = model.operation_model(action)
        problems.operation = f"{model.service_name} {action}"
        expected_type = f"application/x-amz-json-{model.metadata.get('jsonVersion', '1.0')}"
        if request.header("Content-Type", "").split(";")[0].strip() != expected_type:
            problems.add("Content-Type", f"{request.header('Content-Type')!r}, expected {expected_type}")
        if request.method != "POST":
            problems.add("method", f"{request.method}, expected POST")
        try:
            params = json.loads(request.body.decode("utf-8")) if request.body.strip() else {}
        except (UnicodeDecodeError, ValueError) as error:
            problems.add("body", f"not JSON: {error}")
            return None, None
        if not isinstance(params, dict):
            problems.add("body", "not a JSON object")
            return None, None
        return operation, params

    # ------------------------------------------------------------------ rest-xml (S3)

    @staticmethod
    def _route(operation):
        uri = operation.http["requestUri"]
        path, _, markers = uri.partition("?")
        pattern = re.escape(path)
        labels = re.findall(r"\\\{([A-Za-z0-9]+)(\\\+)?\\\}", pattern)
        for label, greedy in labels:
            group = f"(?P<{label}>.+)" if greedy else f"(?P<{label}>[^/]+)"
            pattern = pattern.replace(f"\\{{{label}{greedy}\\}}", group)
        if labels and not labels[-1][1] and pattern.endswith(")"):
            pattern += "/?"
        required = [tuple(m.split("=", 1)) if "=" in m else (m, None) for m in markers.split("&") if m]
        return operation, re.compile(f"^{pattern}$"), required

    def _rest_xml(self, model, request, problems):
        problems.operation = f"s3 {request.method} {request.path}"
        query = urllib.parse.parse_qsl(request.query, keep_blank_values=True)
        keys = {k for k, _ in query}
        candidates = []
        for operation, pattern, markers in self.s3_routes:
            if operation.http["method"] != request.method:
                continue
            match = pattern.match(request.path)
            if not match:
                continue
            if not all(k in keys and (v is None or (k, v) in query) for k, v in markers):
                continue
            members = operation.input_shape.members if operation.input_shape else {}
            known = {m.serialization.get("name", n) for n, m in members.items() if m.serialization.get("location") == "querystring"}
            known |= {k for k, _ in markers}
            unknown = keys - known
            required = operation.input_shape.required_members if operation.input_shape else []
            missing = sum(1 for n in required if not self._s3_member_present(members[n], request, keys))
            # Operations sharing a route (PutObject/CopyObject/UploadPart, the deprecated PutBucketLifecycle) differ
            # by their markers, their required headers and query members, and deprecation.
            rank = (len(markers), -len(unknown), -missing, not operation.deprecated)
            candidates.append((rank, operation, match, unknown))
        if not candidates:
            problems.add("request", "matches no S3 operation's method, requestUri and query markers")
            return None, None
        candidates.sort(key=lambda c: c[0], reverse=True)
        _, operation, match, unknown = candidates[0]
        problems.operation = f"s3 {operation.name}"
        for key in sorted(unknown):
            problems.add(f"?{key}", "not a query member of the operation")
        params = {}
        shape = operation.input_shape
        if shape is None:
            return operation, params
        payload = shape.serialization.get("payload")
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "uri":
                if wire in match.groupdict():
                    params[name] = urllib.parse.unquote(match.group(wire))
            elif location == "header":
                value = request.header(wire)
                if value is not None:
                    if member.type_name == "string" and member.serialization.get("jsonvalue"):
                        value = base64.b64decode(value).decode("utf-8", "replace")
                    converted = self._scalar(member, value, wire, problems)
                    if converted is not MISSING:
                        params[name] = converted
            elif location == "headers":
                found = {k[len(wire):]: v for k, v in request.lower.items() if k.startswith(wire.lower())}
                if found:
                    params[name] = found
            elif location == "querystring":
                values = [v for k, v in query if k == wire]
                if values:
                    if member.type_name == "list":
                        params[name] = [self._scalar(member.member, v, wire, problems) for v in values]
                    else:
                        converted = self._scalar(member, values[-1], wire, problems)
                        if converted is not MISSING:
                            params[name] = converted
            elif name == payload:
                value = self._s3_payload(operation, member, request, problems)
                if value is not MISSING:
                    params[name] = value
        self._s3_checksum(operation, request, problems)
        return operation, params

    @staticmethod
    def _s3_member_present(member, request, keys):
        location = member.serialization.get("location")
        wire = member.serialization.get("name")
        if location == "header":
            return request.header(wire) is not None
        if location == "querystring":
            return wire in keys
        return True

    def _s3_payload(self, operation, member, request, problems):
        body = self._decoded_body(request, problems)
        if member.type_name in ("blob", "string"):
            return body if body else MISSING
        if not body.strip():
            return MISSING
        root_name = member.serialization.get("name", member.name)
        namespace = (member.serialization.get("xmlNamespace") or {}).get("uri")
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError as error:
            problems.add(root_name, f"XML body does not parse: {error}")
            return MISSING
        ns, local = self._split_tag(root.tag)
        if local != root_name:
            problems.add(root_name, f"XML root element is <{local}>, expected <{root_name}>")
        if namespace and ns != namespace:
            problems.add(root_name, f"XML namespace is {ns or 'none'!r}, expected {namespace!r}")
        return self._xml_value(member, root, root_name, ns, problems)

    @staticmethod
    def _split_tag(tag):
        if tag.startswith("{"):
            ns, _, local = tag[1:].partition("}")
            return ns, local
        return None, tag

    def _xml_value(self, shape, element, where, namespace, problems):
        kind = shape.type_name
        if kind == "structure":
            out, expected = {}, set()
            for name, member in shape.members.items():
                wire = member.serialization.get("name", name)
                if member.serialization.get("xmlAttribute"):
                    attribute = next((v for k, v in element.attrib.items() if self._split_tag(k)[1] == wire.split(":")[-1]), None)
                    if attribute is not None:
                        out[name] = attribute
                    continue
                expected.add(wire)
                children = [c for c in element if self._split_tag(c.tag)[1] == wire]
                if not children:
                    continue
                if member.type_name == "list" and member.serialization.get("flattened"):
                    out[name] = [self._xml_value(member.member, c, f"{where}.{wire}", namespace, problems) for c in children]
                else:
                    if len(children) > 1:
                        problems.add(f"{where}.{wire}", "element appears more than once")
                    out[name] = self._xml_value(member, children[0], f"{where}.{wire}", namespace, problems)
            for child in element:
                ns, local = self._split_tag(child.tag)
                if local not in expected:
                    problems.add(f"{where}.{local}", "element is not a member of the shape")
                elif ns != namespace:
                    problems.add(f"{where}.{local}", f"element namespace {ns!r} differs from the root's {namespace!r}")
            return out
        if kind == "list":
            item = shape.member.serialization.get("name", "member")
            items = []
            for child in element:
                if self._split_tag(child.tag)[1] != item:
                    problems.add(f"{where}.{self._split_tag(child.tag)[1]}", f"list item element, expected <{item}>")
                    continue
                items.append(self._xml_value(shape.member, child, f"{where}.{item}", namespace, problems))
            return items
        if kind == "map":
            out = {}
            for entry in element:
                key = next((c.text or "" for c in entry if self._split_tag(c.tag)[1] == "key"), None)
                value = next((c for c in entry if self._split_tag(c.tag)[1] == "value"), None)
                if key is not None:
                    out[key] = self._xml_value(shape.value, value, f"{where}.{key}", namespace, problems) if value is not None else None
            return out
        if len(element):
            problems.add(where, f"a {kind} holds child elements")
        value = self._scalar(shape, element.text or "", where, problems)
        return None if value is MISSING else value

    def _decoded_body(self, request, problems):
        """The payload, with aws-chunked framing (and trailers) removed."""
        if "aws-chunked" not in request.header("Content-Encoding", "") and not request.header("x-amz-content-sha256", "").startswith("STREAMING-"):
            return request.body
        data, out = request.body, []
        while True:
            line, sep, rest = data.partition(b"\r\n")
            if not sep:
                problems.add("body", "aws-chunked framing is cut off")
                return b"".join(out)
            try:
                size = int(line.split(b";")[0], 16)
            except ValueError:
                problems.add("body", f"aws-chunked chunk header {line[:40]!r}")
                return b"".join(out)
            if size == 0:
                request.trailers = {k.strip().lower(): v.strip() for k, _, v in
                                    (t.decode("latin-1").partition(":") for t in rest.split(b"\r\n") if b":" in t)}
                return b"".join(out)
            out.append(rest[:size])
            data = rest[size + 2:]

    def _s3_checksum(self, operation, request, problems):
        required = operation.http_checksum_required or operation.http_checksum.get("requestChecksumRequired")
        body = self._decoded_body(request, Problems())
        trailers = getattr(request, "trailers", {})
        md5 = request.header("Content-MD5")
        given = {h: request.header(h) or trailers.get(h) for h in CHECKSUM_HEADERS if request.header(h) or trailers.get(h)}
        if required and md5 is None and not given:
            problems.add("Content-MD5", "the model requires a checksum: send Content-MD5 or an x-amz-checksum-* header")
        if md5 is not None and md5 != base64.b64encode(hashlib.md5(body).digest()).decode():
            problems.add("Content-MD5", "does not match the body")
        digests = {"x-amz-checksum-crc32": lambda b: (zlib.crc32(b) & 0xFFFFFFFF).to_bytes(4, "big"),
                   "x-amz-checksum-sha1": lambda b: hashlib.sha1(b).digest(),
                   "x-amz-checksum-sha256": lambda b: hashlib.sha256(b).digest()}
        for header, value in given.items():
            if header in digests and value != base64.b64encode(digests[header](body)).decode():
                problems.add(header, "does not match the body")
        algorithm = request.header("x-amz-sdk-checksum-algorithm")
        if algorithm and f"x-amz-checksum-{algorithm.lower()}" not in given:
            problems.add("x-amz-sdk-checksum-algorithm", f"{algorithm} named but no x-amz-checksum-{algorithm.lower()} sent")

    # ------------------------------------------------------------------ parameters

    def _validate(self, operation, params, problems):
        shape = operation.input_shape
        if shape is None:
            return
        report = self.validator.validate(params, shape)
        if report.has_errors():
            for line in report.generate_report().splitlines()[1:]:
                problems.add("params", line.strip())
        self._constraints(shape, params, "", problems)

    def _constraints(self, shape, value, where, problems):
        kind = shape.type_name
        meta = shape.metadata
        if value is None:
            return
        if kind == "structure" and isinstance(value, dict):
            for name, item in value.items():
                if name in shape.members:
                    self._constraints(shape.members[name], item, f"{where}.{name}" if where else name, problems)
        elif kind == "list" and isinstance(value, list):
            if "max" in meta and len(value) > meta["max"]:
                problems.add(where, f"{len(value)} items, at most {meta['max']} allowed")
            for i, item in enumerate(value):
                self._constraints(shape.member, item, f"{where}[{i}]", problems)
        elif kind == "map" and isinstance(value, dict):
            if "max" in meta and len(value) > meta["max"]:
                problems.add(where, f"{len(value)} entries, at most {meta['max']} allowed")
            for key, item in value.items():
                self._constraints(shape.key, key, f"{where} key {key!r}", problems)
                self._constraints(shape.value, item, f"{where}[{key!r}]", problems)
        elif kind == "string" and isinstance(value, str):
            if shape.enum and value not in shape.enum:
                problems.add(where, f"{value!r} is not one of the enum {shape.name}: {', '.join(shape.enum)}")
            if "max" in meta and len(value) > meta["max"]:
                problems.add(where, f"length {len(value)}, at most {meta['max']} allowed")
            pattern = self._pattern(meta.get("pattern"))
            if pattern is not None and not pattern.search(value):
                problems.add(where, f"{value[:80]!r} does not match the pattern {meta['pattern']}")
        elif kind == "blob" and isinstance(value, (bytes, str)):
            if "max" in meta and len(value) > meta["max"]:
                problems.add(where, f"{len(value)} bytes, at most {meta['max']} allowed")
        elif kind in ("integer", "long", "float", "double") and isinstance(value, (int, float)) and not isinstance(value, bool):
            if "max" in meta and value > meta["max"]:
                problems.add(where, f"{value} is above the maximum {meta['max']}")

    def _pattern(self, text):
        """The model's (Java) regular expression compiled for Python; None when absent or not translatable."""
        if not text:
            return None
        if text not in self.patterns:
            # Java writes supplementary characters as surrogate pairs; Python's re wants the code points.
            translated = text.replace("\\uD800\\uDC00-\\uDBFF\\uDFFF", "\\U00010000-\\U0010FFFF")
            try:
                self.patterns[text] = pattern_engine.compile(translated)
            except pattern_engine.error:
                self.patterns[text] = None
                self.uncheckable_patterns.add(text)
        return self.patterns[text]

    # ------------------------------------------------------------------ SigV4

    def _authorization(self, request, problems):
        header = request.header("Authorization")
        if not header:
            return None
        match = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})", header)
        if not match:
            problems.add("Authorization", f"not a SigV4 header: {header[:60]!r}")
            return None
        scope = match.group(1).split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            problems.add("Authorization", f"credential scope {match.group(1)!r} is not KEY/DATE/REGION/SERVICE/aws4_request")
            return None
        return {"key": scope[0], "date": scope[1], "region": scope[2], "service": scope[3],
                "signed": match.group(2).split(";"), "signature": match.group(3)}

    def _signature(self, model, request, auth, problems):
        service = model.service_name
        signing_name = model.metadata.get("signingName", model.metadata.get("endpointPrefix"))
        if auth["service"] != signing_name:
            problems.add("Authorization", f"signed for service {auth['service']!r}, the model's signing name is {signing_name!r}")
        if service in GLOBAL_SERVICES and auth["region"] != GLOBAL_SERVICES[service]:
            problems.add("Authorization", f"{service} is global: sign for {GLOBAL_SERVICES[service]}, not {auth['region']}")
        signed = auth["signed"]
        if signed != sorted(signed) or len(set(signed)) != len(signed):
            problems.add("SignedHeaders", f"{';'.join(signed)} is not sorted and unique")
        for name in ("host", "x-amz-date"):
            if name not in signed:
                problems.add("SignedHeaders", f"{name} is not signed")
        for name in request.lower:
            if name.startswith("x-amz-") and name not in signed:
                problems.add("SignedHeaders", f"{name} is sent but not signed")
        for name in signed:
            if name not in request.lower:
                problems.add("SignedHeaders", f"{name} is signed but not sent")
        amz_date = request.header("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            problems.add("X-Amz-Date", f"{amz_date!r} is not YYYYMMDDTHHMMSSZ")
            return
        if abs(self.now() - when) > MAX_CLOCK_SKEW:
            problems.add("X-Amz-Date", f"{amz_date} is more than 15 minutes off")
        if auth["date"] != amz_date[:8]:
            problems.add("Authorization", f"scope date {auth['date']} differs from X-Amz-Date {amz_date}")
        secret, token = self.credentials.get(auth["key"], (None, None))
        if secret is None:
            problems.add("Authorization", f"signed with an access key the checker was not given ({auth['key'][:4]}...)")
            return
        if token is not None and request.header("X-Amz-Security-Token") != token:
            problems.add("X-Amz-Security-Token", "missing or not the session token of the credentials in use")
        content_sha = request.header("X-Amz-Content-SHA256")
        if service == "s3" and content_sha is None:
            problems.add("X-Amz-Content-SHA256", "S3 needs the payload hash header")
        if content_sha is not None and content_sha not in PAYLOAD_MARKERS and content_sha != hashlib.sha256(request.body).hexdigest():
            problems.add("X-Amz-Content-SHA256", "is neither the body's SHA-256 nor UNSIGNED-PAYLOAD/STREAMING-*")

        base = S3SigV4Auth if service == "s3" else SigV4Auth

        class Exact(base):
            """botocore's signer over exactly the headers the request says it signed."""

            def headers_to_sign(self, aws_request):
                out = HTTPHeaders()
                for name in signed:
                    if name in aws_request.headers:
                        out[name] = aws_request.headers[name]
                return out

        signer = Exact(Credentials(auth["key"], secret, token), auth["service"], auth["region"])
        # What the server canonicalizes: the decoded path and query, encoded once the AWS way.
        path = urllib.parse.quote(urllib.parse.unquote(request.path), safe="/~") if service == "s3" else request.path
        aws_request = AWSRequest(method=request.method, url=f"http://{request.header('Host', 'localhost')}{path}",
                                 headers={n: request.header(n) for n in signed if request.header(n) is not None},
                                 data=request.body)
        aws_request.params = urllib.parse.parse_qsl(request.query, keep_blank_values=True)
        aws_request.context["timestamp"] = amz_date
        canonical = signer.canonical_request(aws_request)
        expected = signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
        if expected != auth["signature"]:
            problems.add("Authorization", "signature does not match botocore's for the same credentials, date and signed headers")
