#!/usr/bin/env python3
"""Cleanup at scale (issue 16): sandbox cleanup, s5cmd and `aws s3 rm --recursive` side by side against
bench/synthetic_s3.py on loopback, plus an "idle wait" row (one request answered after 2 s).

Every tool runs as a child reaped with os.wait4, so CPU seconds (user+sys) and peak RSS are the child's own;
requests, 503s and keys left come from the synthetic server's /_stats. The server's own capacity is measured
first with a tight keep-alive client, so a row whose tool is faster than the server says so.
Usage: scale.py --sandbox BIN [--scale-keys 100000,1000000] [--tools sandbox,s5cmd,awscli] [--out FILE]
"""
import argparse, base64, hashlib, http.client, json, os, shutil, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
STACK = REPO / "Stacks" / "aws-provider-tests.yaml"
BUCKET = "bench-scale-bucket"
ROOT = "runs/"
FANOUT = 8
ACCESS_KEY, SECRET_KEY, REGION = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"
FLOOR_RATE = 3500


def log(msg):
    print(f"[scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Server:
    """One synthetic S3 process, started here and stopped by its PID."""

    def __init__(self, latency_ms=0, delete_rate=0):
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "synthetic_s3.py"), "--port", "0",
                                      "--latency-ms", str(latency_ms), "--delete-rate", str(delete_rate)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"synthetic_s3.py did not start: {line!r}")
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def call(self, method, path):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        c.request(method, path)
        body = c.getresponse().read()
        c.close()
        return json.loads(body or b"{}")

    def seed(self, prefix, count):
        step = 200_000
        for start in range(0, count, step):  # seed in slices: one huge request would hold the server's lock for long
            n = min(step, count - start)
            self.call("POST", f"/_seed?bucket={BUCKET}&prefix={prefix}s{start // step:02d}/&count={n}&fanout={FANOUT}")

    def stats(self):
        return self.call("GET", "/_stats")

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait()


def capacity(keys=20_000):
    """Keep-alive ListObjectsV2 pages and DeleteObjects of 1,000 keys from one client thread and from four."""
    srv = Server()
    try:
        out = {}
        for threads in (1, 4):
            prefix = f"cap{threads}/"
            srv.call("POST", f"/_seed?bucket={BUCKET}&prefix={prefix}&count={keys}&fanout=1")
            pages = [[f"{prefix}t000/part-{str(i).zfill(len(str(keys - 1)))}.parquet" for i in range(s, min(s + 1000, keys))]
                     for s in range(0, keys, 1000)]
            lock = threading.Lock()
            work = list(range(len(pages)))

            def lister():
                c = http.client.HTTPConnection("127.0.0.1", srv.port)
                while True:
                    with lock:
                        if not work:
                            break
                        i = work.pop()
                    start = pages[i][0]
                    c.request("GET", f"/{BUCKET}?list-type=2&prefix={prefix}&start-after={start}&max-keys=1000")
                    c.getresponse().read()
                c.close()

            def deleter():
                c = http.client.HTTPConnection("127.0.0.1", srv.port)
                while True:
                    with lock:
                        if not work:
                            break
                        i = work.pop()
                    body = ("<Delete><Quiet>true</Quiet>" + "".join(f"<Object><Key>{k}</Key></Object>" for k in pages[i])
                            + "</Delete>").encode()
                    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
                    c.request("POST", f"/{BUCKET}?delete", body, {"Content-MD5": md5, "Content-Length": str(len(body))})
                    c.getresponse().read()
                c.close()

            for name, fn in (("list", lister), ("delete", deleter)):
                work[:] = range(len(pages))
                t0 = time.perf_counter()
                ts = [threading.Thread(target=fn) for _ in range(threads)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                out[f"{name}{threads}"] = keys / (time.perf_counter() - t0)
        return out
    finally:
        srv.stop()


def child(cmd, env, timeout):
    """Run cmd, reap it with wait4: (wall, cpu, maxrss KiB, rc, timed_out, stderr tail)."""
    # Peak RSS via GNU time's %M: wait4's ru_maxrss would report the forked Python parent's RSS for a small child.
    import tempfile
    errf = tempfile.TemporaryFile("w+")
    rssf = tempfile.NamedTemporaryFile("r", suffix=".rss")
    p = subprocess.Popen(["/usr/bin/time", "-q", "-f", "%M", "-o", rssf.name, *cmd], env=env,
                         stdout=subprocess.DEVNULL, stderr=errf, start_new_session=True)
    t0 = time.perf_counter()
    timed_out = False
    try:
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout and not timed_out:
                # Kill the tool, not GNU time: time then reaps it, so its CPU and RSS still reach our wait4.
                timed_out = True
                for tool_pid in Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split():
                    os.kill(int(tool_pid), 9)
            time.sleep(0.02)
    except BaseException:
        os.killpg(p.pid, 9)  # its own session: GNU time and the tool under it
        os.wait4(p.pid, 0)
        raise
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    tail = errf.read()[-400:].strip().splitlines()
    errf.close()
    rss_text = Path(rssf.name).read_text().strip().splitlines()
    rssf.close()
    rss = int(rss_text[-1]) if rss_text and rss_text[-1].isdigit() else 0
    return wall, ru.ru_utime + ru.ru_stime, rss, p.returncode, timed_out, (tail[-1] if tail else "")


def base_env(work):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SANDBOX_", "FLOE_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_REGION=REGION,
               AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="",
               AWS_CONFIG_FILE=str(work / "no-aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
               NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    return env


def tool_cmd(tool, args, srv, run_id, work):
    env = base_env(work)
    if tool == "sandbox":
        # The stateless path the scaffold's callers use: run id from FLOE_PROVIDER_SPIKE_RUN, no state file.
        env.update(FLOE_PROVIDER_SPIKE_RUN=run_id, FLOE_AWS_TEST_BUCKET=BUCKET, FLOE_AWS_TEST_PREFIX=ROOT,
                   SANDBOX_VAR_s3_bucket_name=BUCKET, SANDBOX_VAR_owner="bench-team",
                   SANDBOX_VAR_budget_email="alerts@example.com")
        return [args.sandbox, "cleanup", "--quiet", "--stack", str(STACK), "--state", str(work / "none.sqlite"),
                "--report-dir", str(work / "reports"), "--endpoint-url", srv.endpoint], env
    if tool == "s5cmd":
        return [shutil.which("s5cmd") or "s5cmd", "--endpoint-url", srv.endpoint, "rm", f"s3://{BUCKET}/{ROOT}{run_id}/*"], env
    if tool == "awscli":
        return ["aws", "s3", "rm", "--recursive", "--only-show-errors", "--endpoint-url", srv.endpoint,
                f"s3://{BUCKET}/{ROOT}{run_id}/"], env
    raise ValueError(tool)


def scenarios(args):
    out = []
    for n in args.scale_keys:
        out.append((f"{n:,} keys, no model", n, 0, 0))
    if not args.skip_models:
        n = args.scale_keys[0]
        out.append((f"{n:,} keys, 30 ms latency", n, 30, 0))
        out.append((f"{n:,} keys, 30 ms + {FLOOR_RATE:,} deletes/s", n, 30, FLOOR_RATE))
    return out


def scale_rows(args, work):
    rows = []
    counter = iter(range(10**6))
    for label, n, latency, rate in scenarios(args):
        for tool in args.tools:
            if tool == "awscli" and n > args.awscli_max_keys:
                rows.append(dict(scenario=label, tool=tool, skipped=f"skipped above {args.awscli_max_keys:,} keys"))
                continue
            srv = Server(latency, rate)
            try:
                run_id = f"floe-provider-20010101T{next(counter):06d}Z"
                srv.seed(f"{ROOT}{run_id}/", n)
                srv.call("POST", f"/_seed?bucket={BUCKET}&prefix={ROOT}{run_id}-neighbour/&count=10&fanout=1")
                before = srv.stats()
                cmd, env = tool_cmd(tool, args, srv, run_id, work)
                log(f"{label}: {tool}")
                limit = args.awscli_timeout if tool == "awscli" else args.scale_timeout
                wall, cpu, rss, rc, timed_out, tail = child(cmd, env, limit)
                after = srv.stats()
                left = after["remaining"] - 10
                neighbour_ok = after["remaining"] >= 10
                rows.append(dict(scenario=label, tool=tool, n=n, rate=rate, limit=limit, wall=wall, cpu=cpu, rss_kib=rss, rc=rc,
                                 timed_out=timed_out, requests=after["requests"] - before["requests"] - 1,
                                 slowdowns=after["slowdowns"] - before["slowdowns"], left=left,
                                 neighbour_ok=neighbour_ok, tail=tail if rc else ""))
                log(f"  {wall:.1f} s, rc {rc}, left {left}")
            finally:
                srv.stop()
    return rows


class SlowSTS(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    delay = 2.0

    def log_message(self, *a):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        time.sleep(self.delay)
        body = ('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>'
                '<Arn>arn:aws:iam::123456789012:user/bench</Arn><UserId>AIDAEXAMPLEBENCH</UserId><Account>123456789012</Account>'
                '</GetCallerIdentityResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata>'
                '</GetCallerIdentityResponse>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def idle_rows(args, work):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowSTS)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    env = base_env(work)
    cases = [
        ("sandbox whoami", [args.sandbox, "whoami", "--endpoint-url", url]),
        ("sandbox --version (start-up only)", [args.sandbox, "--version"]),
        ("curl, one POST", ["curl", "-s", "-o", "/dev/null", "-X", "POST", "-d", "Action=GetCallerIdentity&Version=2011-06-15", url]),
        ("boto3 get_caller_identity", [sys.executable, "-c", f"import boto3; boto3.client('sts', endpoint_url='{url}').get_caller_identity()"]),
        ("python3 -c 'import boto3' (start-up only)", [sys.executable, "-c", "import boto3; boto3.client('sts', endpoint_url='http://127.0.0.1:1')"]),
    ]
    rows = []
    try:
        for label, cmd in cases:
            samples = [child(cmd, env, 60) for _ in range(args.idle_runs)]
            samples.sort(key=lambda s: s[1])
            wall, cpu, rss, rc, _, tail = samples[len(samples) // 2]
            rows.append(dict(tool=label, wall=wall, cpu=cpu, rss_kib=rss, rc=rc, tail=tail if rc else ""))
    finally:
        server.shutdown()
        server.server_close()
    return rows


def render(cap, rows, idle, args, started):
    L = [f"## Cleanup at scale (bench/scale.py, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, "
         f"load average {os.getloadavg()[0]:.1f} at the end, {os.cpu_count()} cores)", ""]
    if cap:
        L += ["Synthetic S3 capacity (Python ThreadingHTTPServer, one process, keep-alive client, 1,000 keys a request):", "",
              "| | 1 client | 4 clients |", "| --- | --- | --- |",
              f"| ListObjectsV2 keys/s | {cap['list1']:,.0f} | {cap['list4']:,.0f} |",
              f"| DeleteObjects keys/s | {cap['delete1']:,.0f} | {cap['delete4']:,.0f} |", ""]
    L += ["| scenario | tool | wall | CPU s | keys/s | % of floor | peak RSS | requests | 503s | finished? |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        if "skipped" in r:
            L.append(f"| {r['scenario']} | {r['tool']} | | | | | | | | {r['skipped']} |")
            continue
        floor = r["n"] / FLOOR_RATE
        pct = f"{floor / r['wall'] * 100:.0f} % ({r['wall'] / floor:.2f}x floor {floor:.1f} s)" if r["rate"] and r["left"] == 0 else "–"
        fin = "yes" if r["left"] == 0 and r["rc"] == 0 else (
            f"no: cut off after {r['limit']:.0f} s, {r['left']:,} left" if r["timed_out"]
            else f"no: exit {r['rc']}, {r['left']:,} left" + (f" ({r['tail'][:120]})" if r["tail"] else ""))
        if r["left"] == 0 and r["rc"] != 0:
            fin = f"all gone, exit {r['rc']}" + (f" ({r['tail'][:120]})" if r["tail"] else "")
        if not r["neighbour_ok"]:
            fin += "; DELETED A NEIGHBOUR RUN'S KEYS"
        done = r["n"] - r["left"]
        L.append(f"| {r['scenario']} | {r['tool']} | {r['wall']:.2f} s | {r['cpu']:.2f} | {done / r['wall']:,.0f} | {pct} | "
                 f"{r['rss_kib'] / 1024:.1f} MiB | {r['requests']:,} | {r['slowdowns']:,} | {fin} |")
    if idle:
        L += ["", f"Idle wait: one STS GetCallerIdentity answered after 2 s (loopback, median of {args.idle_runs} by CPU):", "",
              "| | wall | CPU s (user+sys) | peak RSS | exit |", "| --- | --- | --- | --- | --- |"]
        for r in idle:
            L.append(f"| {r['tool']} | {r['wall']:.2f} s | {r['cpu']:.3f} | {r['rss_kib'] / 1024:.1f} MiB | {r['rc']} |")
    return "\n".join(L) + "\n"


def add_args(p):
    p.add_argument("--scale-keys", default="100000", help="comma-separated key counts for the no-model rows (e.g. 100000,1000000)")
    p.add_argument("--tools", default="sandbox,s5cmd,awscli")
    p.add_argument("--skip-models", action="store_true", help="only the no-model rows")
    p.add_argument("--no-idle", action="store_true")
    p.add_argument("--idle-runs", type=int, default=3)
    p.add_argument("--scale-timeout", type=float, default=600, help="seconds before a tool's row is cut off (reported as not finished)")
    p.add_argument("--awscli-timeout", type=float, default=600, help="the same for aws s3 rm (one DeleteObject a key)")
    p.add_argument("--awscli-max-keys", type=int, default=100_000, help="aws s3 rm deletes one key a request; skip it above this")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sandbox", required=True)
    p.add_argument("--out", help="also write the table here")
    add_args(p)
    args = p.parse_args()
    import signal

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)  # so every finally stops the servers and tools this started
    args.scale_keys = [int(x) for x in str(args.scale_keys).split(",") if x]
    args.tools = [t for t in args.tools.split(",") if t]
    started = time.time()
    import tempfile
    with tempfile.TemporaryDirectory(prefix="sandbox-scale-") as tmp:
        work = Path(tmp)
        cap = capacity() if args.scale_keys else {}
        log(f"capacity {cap}")
        idle = [] if args.no_idle else idle_rows(args, work)
        rows = scale_rows(args, work) if args.scale_keys else []
    text = render(cap, rows, idle, args, started)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
