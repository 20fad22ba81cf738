"""Credentials parity: seeded random environments, config and credentials files, each resolved by botocore (the AWS
CLI v1's engine) and by `sandbox whoami --json`; the access key that signs GetCallerIdentity, the region and every
service's endpoint must agree.

botocore runs in this process with every request answered by `answer()` before it is sent (a `before-send` hook), so
it never touches the network; sandbox really sends its requests, to a capturing endpoint on loopback that answers
with the same `answer()`: STS GetCallerIdentity (whose UserId is the key that signed and whose Arn names the address
the request reached), AssumeRole, AssumeRoleWithWebIdentity and SSO GetRoleCredentials, whose credentials are derived
from their inputs (role and signing key, role and token, account, role and bearer token), so a chain of exchanges
yields the same final key on both sides. Anything else sandbox might send goes to a refusing proxy on loopback.

Deliberate differences, modelled here as the README states them:
- AWS_REGION is honoured before AWS_DEFAULT_REGION (AWS CLI v2 and the other SDKs); botocore ignores it, so the
  oracle passes it as the region when no --region is given.
- --endpoint-url also carries the credential exchanges (AssumeRole, SSO); only the final request's endpoint is
  compared, and the derived credentials do not depend on where the exchange went.

Usage: credentials_parity.py --sandbox BIN [--cases N] [--seed S] [--jobs J]. Exit 0 when every case agrees; every
mismatch prints the case's files, environment and both results. Sentinel values only: nothing here is a credential.
"""

import argparse
import concurrent.futures
import hashlib
import http.server
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helper_watchdog  # noqa: E402

ACCOUNT = "123456789012"
SERVICES = ["s3", "iam", "sts", "glue", "budgets"]
PROFILE_NAMES = ["default", "dev", "ops", "base", "chain"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]


# ---------------------------------------------------------------- the answers both sides get

def derive(*parts):
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest().upper()
    return ("ASIA" + digest[:12] + "EXAMPLE", "SENTINELSECRET" + digest[12:40], "SENTINELTOKEN" + digest[40:64])


def signer_of(headers):
    auth = headers.get("authorization") or ""
    if "Credential=" not in auth:
        return None
    return auth.split("Credential=", 1)[1].split("/", 1)[0]


def answer(method, url, headers, body):
    """(status, content type, body) for one request, and a record of it."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.netloc
    if isinstance(body, str):
        body = body.encode()
    body = body or b""
    headers = {k.lower(): v for k, v in headers.items()}
    signer = signer_of(headers)
    if parsed.path.rstrip("/").endswith("/federation/credentials"):
        query = urllib.parse.parse_qs(parsed.query)
        bearer = headers.get("x-amz-sso_bearer_token") or ""
        key, secret, token = derive("SSO", query.get("account_id", [""])[0], query.get("role_name", [""])[0], bearer)
        document = {"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret, "sessionToken": token,
                                        "expiration": 4102444800000}}
        return 200, "application/json", json.dumps(document).encode(), ("GetRoleCredentials", host, signer)
    form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
    action = form.get("Action", "")
    ns = "https://sts.amazonaws.com/doc/2011-06-15/"
    if action == "GetCallerIdentity":
        xml = (f'<GetCallerIdentityResponse xmlns="{ns}"><GetCallerIdentityResult>'
               f"<Arn>arn:aws:sts::{ACCOUNT}:assumed-role/parity/{host}</Arn><UserId>{signer}</UserId>"
               f"<Account>{ACCOUNT}</Account></GetCallerIdentityResult>"
               "<ResponseMetadata><RequestId>parity</RequestId></ResponseMetadata></GetCallerIdentityResponse>")
        return 200, "text/xml", xml.encode(), (action, host, signer)
    if action in ("AssumeRole", "AssumeRoleWithWebIdentity"):
        proof = signer if action == "AssumeRole" else form.get("WebIdentityToken", "")
        key, secret, token = derive(action, form.get("RoleArn", ""), proof or "")
        xml = (f'<{action}Response xmlns="{ns}"><{action}Result><Credentials><AccessKeyId>{key}</AccessKeyId>'
               f"<SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>"
               "<Expiration>2099-12-31T00:00:00Z</Expiration></Credentials>"
               f"<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId><Arn>arn:aws:sts::{ACCOUNT}:assumed-role/r/s</Arn>"
               f"</AssumedRoleUser></{action}Result><ResponseMetadata><RequestId>parity</RequestId></ResponseMetadata></{action}Response>")
        return 200, "text/xml", xml.encode(), (action, host, signer)
    xml = "<ErrorResponse><Error><Code>InvalidAction</Code><Message>not captured</Message></Error></ErrorResponse>"
    return 400, "text/xml", xml.encode(), (action or "?", host, signer)


class CaptureHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://{self.headers.get('Host')}{self.path}"
        status, content_type, payload, _ = answer(self.command, url, {k: v for k, v in self.headers.items()}, body)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", "parity")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _serve

    def log_message(self, *args):
        pass


def start_capture(count):
    servers = []
    for _ in range(count):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CaptureHandler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    return [s.server_address[1] for s in servers]


# ---------------------------------------------------------------- cases

class Case:
    def __init__(self, index):
        self.index = index
        self.env = {}
        self.files = {}  # path relative to home -> text
        self.args = []

    def describe(self, home):
        lines = [f"case {self.index}: sandbox whoami --json {' '.join(self.args)}", "environment:"]
        lines += [f"  {k}={v}" for k, v in sorted(self.env.items())]
        for name, text in sorted(self.files.items()):
            lines.append(f"--- ~/{name}")
            lines.append(text.rstrip("\n"))
        return "\n".join(lines).replace(home, "~")


def generate(rng, index, ports, home):
    case = Case(index)
    url = lambda: f"http://127.0.0.1:{rng.choice(ports)}"
    maybe = lambda p: rng.random() < p
    sep = lambda: rng.choice([" = ", " = ", "=", ": "])
    names = rng.sample(PROFILE_NAMES, rng.randint(1, 4))
    config, creds = {}, {}  # section header -> list of lines
    services = {}
    token_files = []

    def keyline(k, v):
        return f"{k}{sep()}{v}"

    def static_keys(profile, where):
        tag = f"{where}{profile}".upper().replace("_", "")
        return [keyline("aws_access_key_id", f"AKIA{tag}EXAMPLE"), keyline("aws_secret_access_key", f"SENTINEL{tag}SECRET")]

    for name in names:
        header = "default" if name == "default" and maybe(0.7) else f"profile {name}"
        lines = []
        roll = rng.random()
        if roll < 0.35:
            creds.setdefault(name, []).extend(static_keys(name, "creds"))
            if maybe(0.3):
                creds[name].append(keyline(rng.choice(["aws_session_token", "aws_security_token"]), f"SENTINELTOKEN{name.upper()}"))
        elif roll < 0.5:
            lines += static_keys(name, "config")
        elif roll < 0.55:  # a key id in one file and the secret in the other
            key, secret = static_keys(name, "split")
            if maybe(0.5):
                creds.setdefault(name, []).append(key); lines.append(secret)
            else:
                lines.append(key); creds.setdefault(name, []).append(secret)
        if maybe(0.2):
            expired = maybe(0.25)
            out = os.path.join(home, f"process-{name}.json")
            document = {"Version": 1, "AccessKeyId": f"AKIAPROC{name.upper()}EXAMPLE", "SecretAccessKey": "SENTINELPROCSECRET"}
            if expired:
                document.update({"SessionToken": "SENTINELPROCTOKEN", "Expiration": "2020-01-01T00:00:00Z"})
            elif maybe(0.5):
                document.update({"SessionToken": "SENTINELPROCTOKEN", "Expiration": "2099-01-01T00:00:00Z"})
            case.files[f"process-{name}.json"] = json.dumps(document)
            (creds.setdefault(name, []) if maybe(0.2) else lines).append(keyline("credential_process", f"cat {out}"))
        if maybe(0.3):
            lines.append(keyline("role_arn", f"arn:aws:iam::{ACCOUNT}:role/{name}-role"))
            pick = rng.random()
            if pick < 0.7:
                lines.append(keyline("source_profile", rng.choice(PROFILE_NAMES)))
            elif pick < 0.85:
                lines.append(keyline("credential_source", "Environment"))
            else:
                token = os.path.join(home, f"token-{name}")
                case.files[f"token-{name}"] = f"SENTINELOIDC{name.upper()}"
                lines.append(keyline("web_identity_token_file", token))
        if maybe(0.15):
            account, role = "111122223333", f"{name}-sso"
            lines += [keyline("sso_account_id", account), keyline("sso_role_name", role)]
            if maybe(0.5):
                session = f"corp{rng.randint(1, 2)}"
                lines.append(keyline("sso_session", session))
                config[f"sso-session {session}"] = [keyline("sso_start_url", f"https://{session}.awsapps.com/start"),
                                                    keyline("sso_region", "us-east-1"),
                                                    keyline("sso_registration_scopes", "sso:account:access")]
                cache_key = session
            else:
                start = f"https://legacy-{name}.awsapps.com/start"
                lines += [keyline("sso_start_url", start), keyline("sso_region", "eu-west-1")]
                cache_key = start
            digest = hashlib.sha1(cache_key.encode()).hexdigest()
            case.files[f".aws/sso/cache/{digest}.json"] = json.dumps(
                {"accessToken": f"SENTINELBEARER{cache_key.upper()}", "expiresAt": "2099-01-01T00:00:00Z"})
        if maybe(0.6):
            (creds.setdefault(name, []) if maybe(0.15) else lines).append(keyline("region", rng.choice(REGIONS)))
        if maybe(0.2):
            lines.append(keyline("endpoint_url", url()))
        if maybe(0.2):
            section = f"svc{rng.randint(1, 2)}"
            lines.append(keyline("services", section))
            services.setdefault(section, {})
        if maybe(0.1):
            lines.append(keyline("ignore_configured_endpoint_urls", rng.choice(["true", "false", "True"])))
        if lines or maybe(0.5):
            config[header] = lines
    for section in services:
        chosen = rng.sample(["sts", "s3", "iam", "sso", "glue"], rng.randint(1, 3))
        config[f"services {section}"] = [item for svc in chosen for item in (f"{svc} =", f"  endpoint_url = {url()}")]
    if maybe(0.05) and config:  # a duplicate key: both must refuse the file
        header = rng.choice(list(config))
        config[header] = config[header] + ["region = us-east-1", "region = eu-west-1"]

    def render(sections):
        return "".join(f"[{h}]\n" + "".join(l + "\n" for l in body) + "\n" for h, body in sections.items())

    env = case.env
    env["HOME"] = home
    config_path, creds_path = ".aws/config", ".aws/credentials"
    if maybe(0.25):
        config_path = "ci/config"
        env["AWS_CONFIG_FILE"] = rng.choice(["$HOME/ci/config", "${HOME}/ci/config", "~/ci/config", os.path.join(home, "ci/config")])
    if maybe(0.25):
        creds_path = "ci/credentials"
        env["AWS_SHARED_CREDENTIALS_FILE"] = rng.choice(["$HOME/ci/credentials", "~/ci/credentials"])
    if config:
        case.files[config_path] = render(config)
    if creds:
        case.files[creds_path] = render(creds)

    if maybe(0.3):
        env["AWS_ACCESS_KEY_ID"] = "AKIAENVIRONMENTEXAMPLE"
        if maybe(0.9):
            env["AWS_SECRET_ACCESS_KEY"] = "SENTINELENVSECRET"
        if maybe(0.3):
            env[rng.choice(["AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"])] = "SENTINELENVTOKEN"
    if maybe(0.15):
        case.files["token-env"] = "SENTINELOIDCENV"
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = os.path.join(home, "token-env")
        if maybe(0.85):
            env["AWS_ROLE_ARN"] = f"arn:aws:iam::{ACCOUNT}:role/oidc"
    if maybe(0.35):
        env["AWS_PROFILE"] = rng.choice(names if maybe(0.9) else ["missing"])
    if maybe(0.15):
        env["AWS_DEFAULT_PROFILE"] = rng.choice(names)
    if maybe(0.3):
        env["AWS_REGION"] = rng.choice(REGIONS)
    if maybe(0.3):
        env["AWS_DEFAULT_REGION"] = rng.choice(REGIONS)
    if maybe(0.3):
        env["AWS_ENDPOINT_URL"] = url()
    for svc in ["STS", "S3", "SSO", "IAM"]:
        if maybe(0.12):
            env[f"AWS_ENDPOINT_URL_{svc}"] = url()
    if maybe(0.1):
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = rng.choice(["true", "false"])
    if maybe(0.25):
        case.args += ["--profile", rng.choice(names)]
    if maybe(0.15):
        case.args += ["--region", rng.choice(REGIONS)]
    if maybe(0.08):
        case.args += ["--endpoint-url", url()]
    if not any(k in env for k in ("AWS_REGION", "AWS_DEFAULT_REGION")) and "--region" not in case.args and maybe(0.8):
        env["AWS_DEFAULT_REGION"] = rng.choice(REGIONS)
    return case


def flag(case, name):
    return case.args[case.args.index(name) + 1] if name in case.args else None


# ---------------------------------------------------------------- botocore, the reference

class Raw:
    def __init__(self, data):
        self._data = data

    def stream(self, **_):
        yield self._data

    def read(self, *_):
        return self._data


def botocore_resolve(case, loader, base_env):
    import botocore.credentials
    import botocore.session
    import botocore.tokens
    from botocore.awsrequest import AWSResponse

    os.environ.clear()
    os.environ.update(base_env)
    os.environ.update(case.env)
    cache_dir = os.path.join(case.env["HOME"], ".aws", "sso", "cache")
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = cache_dir
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = cache_dir
    records = []

    def before_send(request, **_):
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        status, content_type, payload, record = answer(request.method, request.url, headers, request.body)
        records.append((record[0], request.url, record[2]))
        return AWSResponse(request.url, status, {"Content-Type": content_type, "x-amzn-RequestId": "parity"}, Raw(payload))

    try:
        session = botocore.session.Session(profile=flag(case, "--profile"))
        session.register_component("data_loader", loader)
        session.register("before-send", before_send)
        # Documented difference: AWS_REGION first (AWS CLI v2, the SDKs); botocore reads AWS_DEFAULT_REGION only.
        region = flag(case, "--region") or case.env.get("AWS_REGION") or None
        endpoint = flag(case, "--endpoint-url")
        sts = session.create_client("sts", region_name=region, endpoint_url=endpoint)
        sts.get_caller_identity()
        endpoints = {}
        for service in SERVICES:
            client = sts if service == "sts" else session.create_client(service, region_name=region, endpoint_url=endpoint)
            endpoints[service] = client.meta.endpoint_url
        final = [r for r in records if r[0] == "GetCallerIdentity"][-1]
        return {"ok": True, "key": final[2], "region": sts.meta.region_name, "host": urllib.parse.urlsplit(final[1]).netloc,
                "endpoints": {k: normal(v) for k, v in endpoints.items()}, "records": records}
    except Exception as error:  # every botocore failure is an outcome to compare, not a crash
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300], "records": records}


def normal(url):
    parsed = urllib.parse.urlsplit(url)
    return "aws" if parsed.hostname and (parsed.hostname.endswith(".amazonaws.com") or parsed.hostname.endswith(".amazonaws.com.cn")) \
        else url.rstrip("/")


# ---------------------------------------------------------------- sandbox

def sandbox_resolve(binary, case, base_env, proxy_port):
    env = dict(base_env)
    env.update(case.env)
    # A request to anything but the capture endpoint hits a closed loopback port: nothing leaves the machine.
    env.update({"HTTPS_PROXY": f"http://127.0.0.1:{proxy_port}", "HTTP_PROXY": f"http://127.0.0.1:{proxy_port}",
                "https_proxy": f"http://127.0.0.1:{proxy_port}", "http_proxy": f"http://127.0.0.1:{proxy_port}",
                "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1", "SANDBOX_HTTP_TIMEOUT": "10", "SANDBOX_LOG": "off"})
    try:
        run = subprocess.run([binary, "whoami", "--json", "--max-attempts", "1"] + case.args, env=env, capture_output=True,
                             text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": "timed out"}
    if run.returncode != 0:
        return {"ok": False, "error": f"exit {run.returncode}: {run.stderr.strip()[:300]}"}
    document = json.loads(run.stdout)
    return {"ok": True, "key": document["userId"], "region": document["region"], "host": document["arn"].rsplit("/", 1)[-1],
            "endpoints": {k: normal(v) for k, v in document["endpoints"].items()}}


def compare(theirs, ours):
    if theirs["ok"] != ours["ok"]:
        return "outcome"
    if not theirs["ok"]:
        return None
    for field in ("key", "region", "host", "endpoints"):
        if theirs[field] != ours[field]:
            return field
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--cases", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--jobs", type=int, default=4)
    args = parser.parse_args()
    helper_watchdog.watch(parent_pid=os.getppid(), max_seconds=1800, name="credentials_parity")

    try:
        import botocore.loaders
    except ImportError as error:
        print(f"botocore is not installed ({error}); pip install botocore", file=sys.stderr)
        return 3
    loader = botocore.loaders.create_loader()
    ports = start_capture(3)
    closed = socket_closed_port()
    root = tempfile.mkdtemp(prefix="sandbox-parity-")
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "AWS_EC2_METADATA_DISABLED": "true",
                "LANG": "C.UTF-8"}
    saved = dict(os.environ)
    rng = random.Random(args.seed)
    cases, references = [], []
    try:
        for index in range(args.cases):
            home = os.path.join(root, f"case{index}")
            case = generate(rng, index, ports, home)
            for relative, text in case.files.items():
                path = os.path.join(home, relative)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w") as handle:
                    handle.write(text)
            reference = botocore_resolve(case, loader, base_env)
            # Without --endpoint-url, every exchange must reach loopback for sandbox to be able to answer: point the
            # services that went to AWS at the capture endpoint (or, when configured endpoints are ignored, use the flag).
            for _ in range(3):
                remote = {urllib.parse.urlsplit(r[1]).hostname for r in reference.get("records", [])} - {"127.0.0.1"}
                if not remote or "--endpoint-url" in case.args:
                    break
                for record in reference["records"]:
                    if urllib.parse.urlsplit(record[1]).hostname != "127.0.0.1":
                        service = "SSO" if record[0] == "GetRoleCredentials" else "STS"
                        case.env[f"AWS_ENDPOINT_URL_{service}"] = f"http://127.0.0.1:{ports[0]}"
                if any(urllib.parse.urlsplit(r[1]).hostname != "127.0.0.1" for r in reference["records"]) and \
                        case.env.get(f"AWS_ENDPOINT_URL_STS") and reference.get("patched"):
                    case.args += ["--endpoint-url", f"http://127.0.0.1:{ports[1]}"]
                reference = botocore_resolve(case, loader, base_env)
                reference["patched"] = True
            references.append(reference)
            cases.append(case)
        os.environ.clear()
        os.environ.update(saved)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda c: sandbox_resolve(args.sandbox, c, base_env, closed), cases))
        failures = 0
        outcomes = {"ok": 0, "error": 0}
        for case, theirs, ours in zip(cases, references, results):
            outcomes["ok" if theirs["ok"] else "error"] += 1
            field = compare(theirs, ours)
            if field:
                failures += 1
                print(f"MISMATCH ({field}) " + case.describe(case.env["HOME"]))
                print(f"botocore: {json.dumps({k: v for k, v in theirs.items() if k != 'records'})}")
                print(f"botocore requests: {theirs.get('records')}")
                print(f"sandbox:  {json.dumps(ours)}\n")
        kinds = sorted({r[0] for t in references for r in t.get("records", [])})
        refusals = {}
        for theirs in references:
            if not theirs["ok"]:
                name = theirs["error"].split(":", 1)[0]
                refusals[name] = refusals.get(name, 0) + 1
        print("botocore refusals: " + ", ".join(f"{k} {v}" for k, v in sorted(refusals.items(), key=lambda kv: -kv[1])))
        print(f"credentials parity: {len(cases)} cases (seed {args.seed}), {outcomes['ok']} resolved and {outcomes['error']} refused by botocore, "
              f"exchanges seen: {', '.join(kinds)}; {failures} mismatch(es)")
        return 1 if failures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def socket_closed_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
