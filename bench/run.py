#!/usr/bin/env python3
"""`make bench` / `make bench-quick`: sandbox against Terraform + hashicorp/aws and against an aws-cli script.

Everything runs against ONE local moto endpoint started here (Tests/moto_launcher.py on 127.0.0.1, a free
port, --count-requests) and stopped by its PID when this script ends, also on failure or Ctrl-C.
Each figure is the median of N runs; the two commands of a pair are measured alternately in the same
session (the one that goes first alternates too). Per command: wall time, peak RSS (ru_maxrss of the
measured process tree from os.wait4, i.e. the largest single process in it) and the HTTP requests moto
received (counter reset before the command, read right after it).

Python 3.11 stdlib + boto3 only. Benchmarks are not tests: nothing here fails on a slow figure; the exit
status is non-zero only when a command failed or cleanup left data behind.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
STACK = REPO / "Stacks" / "aws-provider-tests.yaml"
LAUNCHER = REPO / "Tests" / "moto_launcher.py"
TF_SOURCE = BENCH / "terraform"
PROVIDER_MIRROR = Path("/opt/tf-plugins")
PROVIDER_VERSION = "5.100.0"
PROVIDER_BINARY = (PROVIDER_MIRROR / "registry.terraform.io/hashicorp/aws" / PROVIDER_VERSION / "linux_amd64"
                   / f"terraform-provider-aws_v{PROVIDER_VERSION}_x5")

# Obvious sentinel credentials: moto accepts anything; nothing real is ever needed or read.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"

# Targets (reported PASS/MISS, never asserted).
LIFECYCLE_TARGETS = {"plan": 25, "apply": 50, "noop": 25, "destroy": 20}
RSS_TARGET = 20            # sandbox peak RSS <= 1/20 of Terraform's
CLEANUP_SPEED_TARGET = 30  # for the 2,000-object run
REQUEST_SLACK = 8          # "+ ~8" fixed requests (STS, versioning, uploads, verification, database)
FLAT_MEMORY = 1.25         # peak RSS at the largest scaling size <= 1.25x the smallest

SEED_THREADS = 16


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- moto

class Moto:
    """moto via Tests/moto_launcher.py: started once, stopped by PID (also from atexit / signal handlers)."""

    def __init__(self, python: str, logfile: Path):
        self.logfile = logfile
        self.err = open(logfile, "wb")
        self.proc = subprocess.Popen(
            [python, str(LAUNCHER), "--port", "0", "--parent-pid", str(os.getpid()), "--count-requests"],
            stdout=subprocess.PIPE, stderr=self.err, stdin=subprocess.DEVNULL, cwd=REPO)
        self.port = None
        found: list[str] = []

        def read():
            for raw in self.proc.stdout:
                line = raw.decode(errors="replace").strip()
                if line.startswith("READY "):
                    found.append(line.split()[1])
                    return
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout=90)
        if not found:
            self.stop()
            tail = logfile.read_text(errors="replace")[-2000:]
            raise SystemExit(f"moto did not start within 90 s; log {logfile}:\n{tail}")
        self.port = int(found[0])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never a proxy

    def _call(self, method: str, path: str) -> dict:
        req = urllib.request.Request(self.endpoint + path, method=method, data=b"" if method == "POST" else None)
        with self.opener.open(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def reset_counter(self) -> None:
        self._call("POST", "/_sandbox/requests/reset")

    def counts(self) -> dict:
        return self._call("GET", "/_sandbox/requests")

    def server_errors(self) -> int:
        """Tracebacks moto logged so far ("Error on request": it answered HTTP 500)."""
        self.err.flush()
        try:
            return self.logfile.read_text(errors="replace").count("Error on request")
        except OSError:
            return 0

    def reset_state(self) -> None:
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST", data=b"")
        self.opener.open(req, timeout=30).close()

    def stop(self) -> None:
        proc, self.proc = getattr(self, "proc", None), None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # by PID: Popen.terminate sends SIGTERM to exactly this process
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        self.err.close()


# --------------------------------------------------------------------------- measuring

class Sample:
    def __init__(self, wall: float, rss_kb: int, requests: int, rc: int, by_key: dict):
        self.wall, self.rss_kb, self.requests, self.rc, self.by_key = wall, rss_kb, requests, rc, by_key
        self.server_errors = 0  # moto answered HTTP 500 (a moto bug, see RESULTS.md) and the client retried
        self.cpu = 0.0  # user+sys seconds of the command's process tree (what it waited for)
        self.critical_path = 0  # latency section: the most requests that ran one after another

    def as_json(self) -> dict:
        return {"wall_s": round(self.wall, 4), "rss_kb": self.rss_kb, "requests": self.requests}


class CommandFailed(Exception):
    def __init__(self, label: str, rc: int, logfile: Path):
        tail = logfile.read_text(errors="replace")[-1500:] if logfile.exists() else ""
        super().__init__(f"{label}: exit {rc} (log {logfile})\n{tail}")
        self.label, self.rc, self.logfile, self.tail = label, rc, logfile, tail


# The measuring helper (python -S -I -c, so it stays ~9 MiB): spawn the command, wait4 it, write wall time, peak RSS
# and exit code as JSON. ru_maxrss of a waited-for child is the largest RSS of it or of any descendant it waited for
# (not a sum): for terraform that is the provider plugin, for the aws-cli script the largest `aws` process.
MEASURE_EXEC = """
import json, os, sys, time
result, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
try:
    pid = os.posix_spawnp(cmd[0], cmd, os.environ)
except OSError as exc:
    sys.stderr.write(f"bench: cannot run {cmd[0]}: {exc}\\n")
    sys.exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(result, "w") as f:
    json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss, "rc": os.waitstatus_to_exitcode(status)}, f)
"""


class Bench:
    def __init__(self, args, work: Path, moto: Moto):
        self.args, self.work, self.moto = args, work, moto
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.samples: dict[str, list[Sample]] = {}
        self.errors: dict[str, str] = {}
        self.notes: list[str] = []
        self.seq = 0
        self.seed_rates: list[float] = []  # objects/s while seeding (untimed): how fast moto itself is here

    def run(self, key: str, cmd: list[str], env: dict, cwd: Path, ok=(0,), count=True, timeout=1800) -> Sample:
        """Runs one command; records wall time, peak RSS of its process tree and moto requests under `key`.

        The command is started by a small helper process (MEASURE_EXEC), not from here: Linux
        carries the exec-ing process's old memory high-water mark into the child's ru_maxrss, and Python spawns
        with vfork, so a command started directly from this (boto3-laden, ~100 MiB) process would report at
        least this process's peak. The helper is ~10 MiB (the `true` row in section 4 shows that floor)."""
        self.seq += 1
        logfile = self.logs / f"{self.seq:04d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', key)}.log"
        result = self.work / "measure.json"
        result.unlink(missing_ok=True)
        if count:
            self.moto.reset_counter()
        errors_before = self.moto.server_errors()
        with open(logfile, "wb") as out:
            helper = subprocess.Popen([sys.executable, "-S", "-I", "-c", MEASURE_EXEC, str(result), *cmd],
                                      stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                                      process_group=0)
            self.current_group = helper.pid
            try:
                helper.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(helper.pid, signal.SIGKILL)  # the helper's own process group: the command and its children
                helper.wait()
            finally:
                self.current_group = None
        counts = self.moto.counts() if count else {"total": 0, "by_key": {}}
        if not result.exists():
            raise CommandFailed(key, helper.returncode, logfile)
        measured = json.loads(result.read_text())
        sample = Sample(measured["wall"], measured["maxrss_kb"], counts["total"], measured["rc"], counts.get("by_key", {}))
        sample.server_errors = self.moto.server_errors() - errors_before if count else 0
        sample.cpu = measured.get("cpu", 0.0)
        sample.output = logfile.read_text(errors="replace") if key.startswith("lifecycle/apply/") else ""
        if sample.rc not in ok:
            raise CommandFailed(key, sample.rc, logfile)
        self.samples.setdefault(key, []).append(sample)
        return sample

    def kill_current(self) -> None:
        if getattr(self, "current_group", None):
            try:
                os.killpg(self.current_group, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def quiet(self, cmd: list[str], env: dict, cwd: Path, ok=(0,), timeout=1800) -> str:
        """An unmeasured helper command (setup/teardown); returns its output."""
        self.seq += 1
        logfile = self.logs / f"{self.seq:04d}-setup.log"
        p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        logfile.write_bytes(p.stdout)
        if p.returncode not in ok:
            raise CommandFailed(" ".join(cmd[:3]), p.returncode, logfile)
        return p.stdout.decode(errors="replace")

    # ---- statistics
    def med(self, key: str, field: str):
        xs = [getattr(s, field) for s in self.samples.get(key, [])]
        return statistics.median(xs) if xs else None

    def n(self, key: str) -> int:
        return len(self.samples.get(key, []))


# --------------------------------------------------------------------------- environments

def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "SANDBOX_", "TF_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_REGION=REGION, AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true",
        NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost",
    )
    return env


def sandbox_env(endpoint: str, work: Path) -> dict:
    env = clean_env()
    if os.environ.get("BENCH_SANDBOX_LOG"):  # e.g. debug: per-request timings land in the kept logs (--keep-work)
        env["SANDBOX_LOG"] = os.environ["BENCH_SANDBOX_LOG"]
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_CONFIG_FILE=str(work / "no-aws-config"),
               AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
               SANDBOX_VAR_owner="bench-team", SANDBOX_VAR_budget_email="alerts@example.com")
    return env


def awscli_env(work: Path) -> dict:
    env = clean_env()  # the endpoint goes on the command line (--endpoint-url), as a team's script would
    env.update(AWS_CONFIG_FILE=str(work / "no-aws-config"), AWS_SHARED_CREDENTIALS_FILE=str(work / "no-aws-credentials"),
               AWS_PAGER="")
    return env


# --------------------------------------------------------------------------- Terraform

class Terraform:
    def __init__(self, bench: Bench, endpoint: str, name: str = "terraform"):
        self.bench = bench
        self.dir = bench.work / name
        self.binary = shutil.which("terraform")
        self.available = False
        self.reason = ""
        self.version = "not available"
        self.provider_version = "not available"
        self.with_budget = True
        self.budget_note = ""
        self.lifecycle_waits: list[str] = []
        self.env = clean_env()
        self.env.update(TF_CLI_CONFIG_FILE=str(bench.work / "terraform.tfrc"), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                        TF_INPUT="0", TF_VAR_endpoint=endpoint, TF_VAR_with_budget="true",
                        AWS_CONFIG_FILE=str(bench.work / "no-aws-config"),
                        AWS_SHARED_CREDENTIALS_FILE=str(bench.work / "no-aws-credentials"))

    def setup(self) -> None:
        if not self.binary:
            self.reason = "terraform not on PATH"
            return
        if not PROVIDER_BINARY.exists():
            self.reason = f"hashicorp/aws {PROVIDER_VERSION} not in the filesystem mirror {PROVIDER_MIRROR}"
            return
        try:
            out = subprocess.run([self.binary, "version", "-json"], capture_output=True, text=True, env=self.env, timeout=60)
            self.version = json.loads(out.stdout).get("terraform_version", "?")
        except Exception as exc:  # noqa: BLE001 - any failure means "not available"
            self.reason = f"terraform version failed: {exc}"
            return
        (self.bench.work / "terraform.tfrc").write_text(
            "# bench-local CLI config: providers only from the filesystem mirror, never the network\n"
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{PROVIDER_MIRROR}"\n  }}\n}}\n'
            "disable_checkpoint = true\n")
        self.dir.mkdir()
        for f in TF_SOURCE.glob("*.tf"):
            shutil.copy(f, self.dir / f.name)
        try:
            self.bench.quiet([self.binary, "init", "-input=false", "-no-color"], self.env, self.dir, timeout=600)
        except (CommandFailed, subprocess.TimeoutExpired) as exc:
            self.reason = f"terraform init failed: {str(exc).splitlines()[0]}"
            return
        lock = (self.dir / ".terraform.lock.hcl").read_text()
        m = re.search(r'provider "registry.terraform.io/hashicorp/aws" \{\s*version\s*=\s*"([^"]+)"', lock)
        self.provider_version = m.group(1) if m else "?"
        self.available = True

    def cmd(self, *args: str) -> list[str]:
        return [self.binary, *args, "-input=false", "-no-color"]

    def reset_state(self) -> None:
        for f in self.dir.glob("terraform.tfstate*"):
            f.unlink()

    def force_destroy(self) -> None:
        try:
            self.bench.quiet(self.cmd("destroy", "-auto-approve"), self.env, self.dir, timeout=900)
        except Exception as exc:  # noqa: BLE001
            log(f"terraform destroy (teardown) failed: {str(exc).splitlines()[0]}")
        self.reset_state()


# --------------------------------------------------------------------------- seeding (not timed)

class Data:
    """boto3 in a thread pool: moto closes every connection, so concurrency comes from threads, not keep-alive."""

    def __init__(self, endpoint: str):
        import boto3
        from botocore.config import Config
        cfg = Config(max_pool_connections=SEED_THREADS * 2, retries={"mode": "standard", "max_attempts": 10},
                     s3={"addressing_style": "path"}, connect_timeout=10, read_timeout=120)
        session = boto3.session.Session(aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION)
        self.s3 = session.client("s3", endpoint_url=endpoint, config=cfg)
        self.glue = session.client("glue", endpoint_url=endpoint, config=cfg)
        self.pool = ThreadPoolExecutor(SEED_THREADS)

    def seed(self, bucket: str, prefix: str, database: str, objects: int, tables: int) -> float:
        started = time.perf_counter()
        body = b"x" * 128
        keys = [f"{prefix}table_{i % max(tables, 1)}/part-{i:06d}.parquet" for i in range(objects)]
        for _ in self.pool.map(lambda k: self.s3.put_object(Bucket=bucket, Key=k, Body=body), keys):
            pass
        self.glue.create_database(DatabaseInput={"Name": database})
        def table(i):
            self.glue.create_table(DatabaseName=database, TableInput={
                "Name": f"table_{i}", "TableType": "EXTERNAL_TABLE",
                "StorageDescriptor": {"Location": f"s3://{bucket}/{prefix}table_{i}/"}})
        for _ in self.pool.map(table, range(tables)):
            pass
        return time.perf_counter() - started

    def leftovers(self, bucket: str, prefix: str, database: str) -> str | None:
        keys = self.s3.list_objects_v2(Bucket=bucket, Prefix=prefix, MaxKeys=5).get("KeyCount", 0)
        try:
            self.glue.get_database(Name=database)
            db = True
        except self.glue.exceptions.EntityNotFoundException:
            db = False
        if keys or db:
            return f"left behind: {keys}+ object(s) under s3://{bucket}/{prefix}, database {database} {'present' if db else 'gone'}"
        return None


# --------------------------------------------------------------------------- sections

def lifecycle(b: Bench, sandbox: str, tf: Terraform, runs: int, tf_runs: int) -> None:
    senv = sandbox_env(b.moto.endpoint, b.work)
    stages = [("plan", "plan (empty state)"), ("apply", "apply --auto-approve"), ("noop", "no-op plan"), ("destroy", "destroy --auto-approve")]
    sandbox_cmds = {
        "plan": ["plan"], "apply": ["apply", "--auto-approve"], "noop": ["plan", "--detailed-exitcode"],
        "destroy": ["destroy", "--auto-approve"],
    }
    tf_cmds = {
        "plan": ("plan",), "apply": ("apply", "-auto-approve"), "noop": ("plan", "-detailed-exitcode"),
        "destroy": ("destroy", "-auto-approve"),
    }
    tf_failures = 0
    for i in range(runs):
        state = b.work / f"lifecycle-{i}.sqlite"
        use_tf = tf.available and i < tf_runs
        tf_first = use_tf and i % 2 == 1
        if use_tf:
            tf.reset_state()
        log(f"lifecycle run {i + 1}/{runs}" + ("" if use_tf else " (sandbox only)"))
        for stage, _ in stages:
            order = ["terraform", "sandbox"] if tf_first else ["sandbox", "terraform"]
            for tool in order:
                if tool == "sandbox":
                    b.run(f"lifecycle/{stage}/sandbox", [sandbox, *sandbox_cmds[stage], "--stack", str(STACK), "--state", str(state)],
                          senv, b.work)
                elif use_tf:
                    try:
                        sample = b.run(f"lifecycle/{stage}/terraform", tf.cmd(*tf_cmds[stage]), tf.env, tf.dir)
                        if stage == "apply":
                            m = re.search(r"aws_s3_bucket_lifecycle_configuration\.lifecycle: Creation complete after (\S+)",
                                          sample.output)
                            if m:
                                tf.lifecycle_waits.append(m.group(1))
                    except CommandFailed as exc:
                        tf_failures += 1
                        if stage == "apply" and tf.with_budget and "budget" in exc.tail.lower():
                            errs = [ln.strip() for ln in exc.tail.splitlines() if "Error" in ln]
                            tf.with_budget = False
                            tf.env["TF_VAR_with_budget"] = "false"
                            tf.budget_note = ("aws_budgets_budget left out: the provider failed against moto: "
                                              + (" / ".join(errs[:3]) or exc.tail.strip().splitlines()[-1]))
                            b.notes.append(tf.budget_note)
                            log(tf.budget_note)
                        else:
                            b.errors[f"lifecycle/{stage}/terraform"] = str(exc).splitlines()[0]
                            log(str(exc))
                        tf.force_destroy()
                        use_tf = False  # this run's remaining Terraform stages are meaningless
                        if tf_failures >= 3:
                            tf.available = False
                            tf.reason = "terraform failed 3 times, see logs"
        if use_tf:
            tf.reset_state()
    if tf.available and tf.with_budget:
        b.notes.append("aws_budgets_budget is included: hashicorp/aws 5.100.0 creates, reads (DescribeBudget, "
                       "DescribeNotificationsForBudget, DescribeSubscribersForNotification, ListTagsForResource) and "
                       "deletes it against moto with Tests/moto_launcher.py's Budgets additions.")


class LatencyProxy:
    """bench/latency_proxy.py in front of moto: LATENCY_MS before every request; stopped by its PID."""

    def __init__(self, python: str, upstream: str, latency_ms: float):
        self.proc = subprocess.Popen([python, str(BENCH / "latency_proxy.py"), "--upstream", upstream, "--port", "0",
                                      "--latency-ms", str(latency_ms)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise SystemExit(f"latency_proxy.py did not start: {line!r}")
        self.endpoint = f"http://127.0.0.1:{int(line.split()[1])}"
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.latency_ms = latency_ms

    def call(self, method: str, path: str) -> dict:
        req = urllib.request.Request(self.endpoint + path, method=method, data=b"" if method == "POST" else None)
        with self.opener.open(req, timeout=30) as resp:
            return json.loads(resp.read() or b"{}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


LATENCY_STAGES = [("plan", "plan (empty state)"), ("apply", "apply --auto-approve"), ("noop", "no-op plan"),
                  ("destroy", "destroy --auto-approve")]
LATENCY_TARGET = 20  # apply and no-op plan >= 20x faster than Terraform under 30 ms a request


def latency_section(b: Bench, sandbox: str, python: str, runs: int, latency_ms: float) -> dict:
    """The reference stack's lifecycle through a proxy adding latency_ms to every request, sandbox and Terraform."""
    proxy = LatencyProxy(python, b.moto.endpoint, latency_ms)
    info = {"latency_ms": latency_ms, "tf_reason": ""}
    try:
        tf = Terraform(b, proxy.endpoint, name="terraform-latency")
        tf.setup()
        info["tf_reason"] = tf.reason
        senv = sandbox_env(proxy.endpoint, b.work)
        sandbox_cmds = {"plan": ["plan"], "apply": ["apply", "--auto-approve"], "noop": ["plan", "--detailed-exitcode"],
                        "destroy": ["destroy", "--auto-approve"]}
        tf_cmds = {"plan": ("plan",), "apply": ("apply", "-auto-approve"), "noop": ("plan", "-detailed-exitcode"),
                   "destroy": ("destroy", "-auto-approve")}
        for i in range(runs):
            state = b.work / f"latency-{i}.sqlite"
            log(f"latency run {i + 1}/{runs} ({latency_ms:.0f} ms a request)")
            tools = ["sandbox"] + (["terraform"] if tf.available else [])
            for tool in tools:
                if tool == "terraform":
                    tf.reset_state()
                for stage, _ in LATENCY_STAGES:
                    proxy.call("POST", "/_latency/reset")
                    key = f"latency/{stage}/{tool}"
                    try:
                        if tool == "sandbox":
                            sample = b.run(key, [sandbox, *sandbox_cmds[stage], "--stack", str(STACK), "--state", str(state)], senv, b.work)
                        else:
                            sample = b.run(key, tf.cmd(*tf_cmds[stage]), tf.env, tf.dir)
                    except CommandFailed as exc:
                        b.errors[key] = str(exc).splitlines()[0]
                        log(str(exc))
                        if tool == "terraform":
                            tf.force_destroy()
                        break
                    stats = proxy.call("GET", "/_latency/stats")
                    sample.critical_path = stats["critical_path"]
                    sample.requests = stats["requests"]
            if tf.available:
                tf.reset_state()
    finally:
        proxy.stop()
    return info


def render_latency(b: Bench, info: dict) -> list[str]:
    ms = info["latency_ms"]
    L = [f"## Lifecycle under {ms:.0f} ms a request (bench/latency_proxy.py in front of moto)", "",
         f"Every request waits {ms:.0f} ms in the proxy before moto answers. Critical path = the most requests that ran one "
         f"after another (so at least that many x {ms:.0f} ms of the wall time). Medians of n runs; CPU = user+sys seconds.", ""]
    if info["tf_reason"]:
        L += [f"Terraform: not available ({info['tf_reason']}).", ""]
    L += ["| command | n | sandbox wall | CPU s | requests | critical path | terraform wall | CPU s | requests | critical path | speed-up | target |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for stage, label in LATENCY_STAGES:
        sk, tk = f"latency/{stage}/sandbox", f"latency/{stage}/terraform"
        sw, tw = b.med(sk, "wall"), b.med(tk, "wall")
        target = f"≥ {LATENCY_TARGET}x: {verdict(tw / sw >= LATENCY_TARGET)}" if stage in ("apply", "noop") and sw and tw else "–"
        def cell(key, field, fmt):
            v = b.med(key, field)
            return fmt(v) if v is not None else "–"
        L.append(f"| {label} | {b.n(sk)} | {fmt_s(sw)} | {cell(sk, 'cpu', lambda v: f'{v:.2f}')} | {cell(sk, 'requests', lambda v: f'{v:.0f}')} | "
                 f"{cell(sk, 'critical_path', lambda v: f'{v:.0f}')} | {fmt_s(tw)} | {cell(tk, 'cpu', lambda v: f'{v:.2f}')} | "
                 f"{cell(tk, 'requests', lambda v: f'{v:.0f}')} | {cell(tk, 'critical_path', lambda v: f'{v:.0f}')} | "
                 f"{fmt_ratio(sw, tw)} | {target} |")
    return L + [""]


def run_id_factory():
    base = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    counter = iter(range(10**9))
    return lambda: "floe-provider-" + (base + dt.timedelta(seconds=next(counter))).strftime("%Y%m%dT%H%M%SZ")


class CleanupSetup:
    def __init__(self, b: Bench, sandbox: str):
        self.b, self.sandbox = b, sandbox
        self.env = sandbox_env(b.moto.endpoint, b.work)
        self.state = b.work / "cleanup.sqlite"
        self.reports = b.work / "reports"
        b.quiet([sandbox, "apply", "--auto-approve", "--stack", str(STACK), "--state", str(self.state)], self.env, b.work)
        out = lambda name: b.quiet([sandbox, "output", name, "--stack", str(STACK), "--state", str(self.state)],
                                   self.env, b.work).strip()
        self.bucket = out("FLOE_AWS_TEST_BUCKET")
        self.root = out("FLOE_AWS_TEST_PREFIX")
        self.glue_prefix = out("FLOE_AWS_GLUE_DATABASE_PREFIX")
        self.data = Data(b.moto.endpoint)
        self.next_id = run_id_factory()

    def new_run(self, objects: int, tables: int):
        run_id = self.next_id()
        prefix = f"{self.root}{run_id}/"
        database = (self.glue_prefix + run_id).lower().replace("-", "_")
        seconds = self.data.seed(self.bucket, prefix, database, objects, tables)
        self.b.seed_rates.append(objects / seconds)
        return run_id, prefix, database, seconds

    def measure_sandbox(self, key: str, objects: int, tables: int) -> Sample:
        run_id, prefix, database, _ = self.new_run(objects, tables)
        s = self.b.run(key, [self.sandbox, "cleanup", "--run", run_id, "--quiet", "--stack", str(STACK), "--state", str(self.state),
                             "--report-dir", str(self.reports)], self.env, self.b.work)
        self.check(key, prefix, database)
        return s

    def measure_awscli(self, key: str, objects: int, tables: int) -> Sample:
        run_id, prefix, database, _ = self.new_run(objects, tables)
        s = self.b.run(key, ["bash", str(BENCH / "aws_cli_cleanup.sh"), self.b.moto.endpoint, self.bucket, prefix, database],
                       awscli_env(self.b.work), self.b.work)
        self.check(key, prefix, database)
        return s

    def check(self, key: str, prefix: str, database: str) -> None:
        problem = self.data.leftovers(self.bucket, prefix, database)
        if problem:
            self.b.errors[key] = problem
            log(f"{key}: {problem}")

    def teardown(self) -> None:
        self.b.quiet([self.sandbox, "destroy", "--auto-approve", "--empty-bucket", "--stack", str(STACK), "--state", str(self.state)],
                     self.env, self.b.work)


def cleanup_section(b: Bench, setup: CleanupSetup, sizes, runs: int, awscli_runs: dict) -> None:
    for objects, tables in sizes:
        n_cli = awscli_runs.get(objects, runs)
        for i in range(runs):
            log(f"cleanup {objects:,} objects + {tables} tables: run {i + 1}/{runs}")
            order = ["awscli", "sandbox"] if i % 2 else ["sandbox", "awscli"]
            for tool in order:
                if tool == "sandbox":
                    setup.measure_sandbox(f"cleanup/{objects}/sandbox", objects, tables)
                elif i < n_cli:
                    setup.measure_awscli(f"cleanup/{objects}/awscli", objects, tables)


def scaling_section(b: Bench, setup: CleanupSetup, sizes, runs: int, reuse: dict) -> None:
    for objects, tables in sizes:
        if objects in reuse:
            b.samples[f"scaling/{objects}"] = b.samples.get(reuse[objects], [])
            continue
        for i in range(runs):
            log(f"scaling {objects:,} objects + {tables} tables: run {i + 1}/{runs}")
            setup.measure_sandbox(f"scaling/{objects}", objects, tables)


def startup_section(b: Bench, sandbox: str, tf: Terraform, runs: int) -> None:
    for i in range(runs):
        order = ["terraform", "sandbox"] if i % 2 else ["sandbox", "terraform"]
        for tool in order:
            if tool == "sandbox":
                b.run("startup/sandbox", [sandbox, "--version"], clean_env(), b.work, count=False)
            elif tf.binary:
                b.run("startup/terraform", [tf.binary, "version"], tf.env, b.work, count=False)
        b.run("startup/floor", ["true"], clean_env(), b.work, count=False)


# --------------------------------------------------------------------------- report

def fmt_s(x):
    if x is None:
        return "—"
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def fmt_cpu(b, key):
    """Median user+sys CPU seconds of the samples under key."""
    v = b.med(key, "cpu")
    return "—" if v is None else f"{v:.2f}"


def fmt_mib(kb):
    return "—" if kb is None else f"{kb / 1024:.1f} MiB"


def fmt_ratio(a, b):
    if a is None or b is None or a <= 0:
        return "—"
    return f"{b / a:.1f}x"


def fmt_req(total, errors):
    if total is None:
        return "—"
    text = f"{total:g}"
    return text + (f" (incl. {errors:g} retried after moto HTTP 500)" if errors else "")


def verdict(ok):
    return "—" if ok is None else ("PASS" if ok else "MISS")


def request_budget(objects: int, tables: int) -> int:
    return 2 * math.ceil(objects / 1000) + math.ceil(tables / 100) + REQUEST_SLACK


def render(b: Bench, ctx: dict) -> str:
    L: list[str] = []
    L.append(f"# sandbox benchmark ({'quick' if ctx['quick'] else 'full'})")
    L.append("")
    L.append(f"- Date: {ctx['date']}; total bench time {ctx['elapsed'] / 60:.1f} min")
    L.append(f"- Machine: {ctx['cores']} cores ({ctx['cpu']}), {ctx['mem_gib']:.1f} GiB memory, {ctx['kernel']}; "
             f"load average {ctx['load_start']} at start, {ctx['load_end']} at end")
    L.append(f"- Versions: sandbox {ctx['v_sandbox']} (swift build -c release), Terraform {ctx['v_tf']}, "
             f"hashicorp/aws {ctx['v_provider']}, moto {ctx['v_moto']}, {ctx['v_awscli']}, boto3 {ctx['v_boto3']}")
    L.append(f"- Endpoint: one moto server on 127.0.0.1 (Tests/moto_launcher.py --count-requests), started and stopped by the bench")
    L.append(f"- Method: median of n runs (n in each row); the two commands of a pair run alternately, the first one "
             f"alternating; peak RSS = ru_maxrss of the command's process tree (largest single process) from wait4; "
             f"requests = HTTP requests moto received during the command. Seeding is not timed. Rerun: `make bench` "
             f"(or `make bench-quick`).")
    L.append("- Terraform: bench/terraform/main.tf, the reference stack's resources with hashicorp/aws (names prefixed "
             "floe-tf-tests so both tools' resources can coexist; the stack's glue_database_prefix has no AWS object, so it is a "
             "local), provider endpoints on the same moto, fake credentials, a bench-local CLI config whose only provider source "
             "is the filesystem mirror /opt/tf-plugins; `terraform init` runs once and is not timed")
    if ctx["load_note"]:
        L.append(f"- **Noise:** {ctx['load_note']}")
    L.append("")

    # 1. lifecycle (each section only when --sections ran it)
    ran = lambda prefix: any(k.startswith(prefix) for k in b.samples) or any(k.startswith(prefix) for k in b.errors)
    if ran("lifecycle/"):
        render_lifecycle(b, ctx, L)
    if ran("cleanup/"):
        render_cleanup(b, ctx, L)
    if ran("scaling/"):
        render_scaling(b, ctx, L)
    if ran("startup/"):
        render_startup(b, L)
    render_notes(b, L)
    return "\n".join(L)


def render_lifecycle(b: Bench, ctx: dict, L: list) -> None:
    na = ctx["tf_reason"]
    L.append("## 1. Reference stack lifecycle: sandbox vs Terraform + hashicorp/aws")
    L.append("")
    if not ctx["tf_available"]:
        L.append(f"Terraform column: not available ({na}).")
        L.append("")
    L.append("| command | n | sandbox | CPU s | terraform | CPU s | speed-up | target | | sandbox RSS | terraform RSS | RSS ratio | target | | sandbox req | terraform req |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    worst_rss = []
    for stage, label in [("plan", "plan (empty state)"), ("apply", "apply --auto-approve"), ("noop", "no-op plan"), ("destroy", "destroy --auto-approve")]:
        sk, tk = f"lifecycle/{stage}/sandbox", f"lifecycle/{stage}/terraform"
        sw, tw = b.med(sk, "wall"), b.med(tk, "wall")
        sr, tr = b.med(sk, "rss_kb"), b.med(tk, "rss_kb")
        sq, tq = b.med(sk, "requests"), b.med(tk, "requests")
        target = LIFECYCLE_TARGETS[stage]
        if tw is None:
            tcol = "failed: " + b.errors[tk] if tk in b.errors else ("not available" if not ctx["tf_available"] else "—")
            L.append(f"| {label} | {b.n(sk)} | {fmt_s(sw)} | {fmt_cpu(b, sk)} | {tcol} | — | — | ≥{target}x | — | {fmt_mib(sr)} | not available | — | ≥{RSS_TARGET}x | — | "
                     f"{'—' if sq is None else int(sq)} | — |")
            continue
        speed = tw / sw if sw else None
        rss_ratio = tr / sr if sr else None
        worst_rss.append(rss_ratio)
        n = f"{b.n(sk)}/{b.n(tk)}" if b.n(sk) != b.n(tk) else str(b.n(sk))
        L.append(f"| {label} | {n} | {fmt_s(sw)} | {fmt_cpu(b, sk)} | {fmt_s(tw)} | {fmt_cpu(b, tk)} | {fmt_ratio(sw, tw)} | ≥{target}x | {verdict(speed >= target)} | "
                 f"{fmt_mib(sr)} | {fmt_mib(tr)} | {fmt_ratio(sr, tr)} | ≥{RSS_TARGET}x | {verdict(rss_ratio >= RSS_TARGET)} | "
                 f"{int(sq)} | {int(tq)} |")
    L.append("")
    for stage in ("plan", "apply", "noop", "destroy"):
        for tool in ("sandbox", "terraform"):
            got = b.samples.get(f"lifecycle/{stage}/{tool}")
            if got:
                L.append(f"- {tool} {stage} requests: " + ", ".join(f"{k} ×{v}" for k, v in sorted(got[-1].by_key.items())))
    L.append("")
    if ctx["tf_waits"]:
        L.append(f"Terraform apply includes hashicorp/aws's wait for aws_s3_bucket_lifecycle_configuration to read back "
                 f"consistently (it polls GetBucketLifecycleConfiguration until several reads in a row match; "
                 f"'Creation complete after' {', '.join(ctx['tf_waits'])} here). It does the same against AWS, so it is "
                 "counted: it is part of what `terraform apply` costs a team.")
        L.append("")
    L.append("Peak RSS is ru_maxrss: for Terraform the largest process is the provider plugin (terraform core runs beside it "
             "and is not added); for sandbox most of it is shared-library pages of the Swift runtime and Foundation "
             "(see the `--version` row in section 4), not heap.")
    L.append("")
    if ctx["tf_available"] and ctx["tf_runs"] < ctx["runs"]:
        L.append(f"Terraform ran {ctx['tf_runs']} lifecycle(s) here (its apply alone waits ~55 s, see notes), sandbox {ctx['runs']}: "
                 "n shows sandbox/terraform.")
        L.append("")



def render_cleanup(b: Bench, ctx: dict, L: list) -> None:
    L.append("## 2. Run cleanup: `sandbox cleanup --run ID --quiet` vs the aws-cli script (bench/aws_cli_cleanup.sh)")
    L.append("")
    L.append("| run | n | sandbox | CPU s | aws-cli | CPU s | speed-up | target | | sandbox RSS | aws-cli RSS | RSS ratio | sandbox req | request budget | | aws-cli req |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for objects, tables in ctx["cleanup_sizes"]:
        sk, ak = f"cleanup/{objects}/sandbox", f"cleanup/{objects}/awscli"
        if not b.n(sk) and not b.n(ak):
            continue  # section not run (--sections)
        sw, aw = b.med(sk, "wall"), b.med(ak, "wall")
        sr, ar = b.med(sk, "rss_kb"), b.med(ak, "rss_kb")
        sq, aq = b.med(sk, "requests"), b.med(ak, "requests")
        se, ae = b.med(sk, "server_errors"), b.med(ak, "server_errors")
        budget = request_budget(objects, tables)
        nets = [x.requests - x.server_errors for x in b.samples.get(sk, [])]
        s_net = statistics.median(nets) if nets else None
        is_target = objects == ctx["speed_target_size"]
        speed_ok = None if (not is_target or sw is None or aw is None) else aw / sw >= CLEANUP_SPEED_TARGET
        n = f"{b.n(sk)}/{b.n(ak)}" if b.n(sk) != b.n(ak) else str(b.n(sk))
        L.append(f"| {objects:,} objects + {tables} tables | {n} | {fmt_s(sw)} | {fmt_cpu(b, sk)} | {fmt_s(aw)} | {fmt_cpu(b, ak)} | {fmt_ratio(sw, aw)} | "
                 f"{f'≥{CLEANUP_SPEED_TARGET}x' if is_target else '—'} | {verdict(speed_ok)} | {fmt_mib(sr)} | {fmt_mib(ar)} | "
                 f"{fmt_ratio(sr, ar)} | {fmt_req(sq, se)} | ≤{budget} | {verdict(None if s_net is None else s_net <= budget)} | "
                 f"{fmt_req(aq, ae)} |")
    L.append("")
    if any(x.server_errors for o, _ in ctx["cleanup_sizes"] for x in b.samples.get(f"cleanup/{o}/sandbox", [])):
        L.append("moto 5.2.1 answers some ListObjectsV2 calls with HTTP 500 while a DeleteObjects on the same bucket runs "
                 "(moto/s3/utils.py `_iteritems` raises KeyError for a key deleted mid-iteration: its S3 backend is not "
                 "thread-safe). sandbox lists the next page while the previous batch is deleted, so it hits this and "
                 "retries (correctly; AWS has no such race). Those retries are counted in the request column, and the "
                 "budget verdict is judged on requests minus those retries.")
    L.append(f"Request budget = ceil(N/1000) lists + ceil(N/1000) deletes + ceil(T/100) + {REQUEST_SLACK}. "
             "The aws-cli script deletes one object per request (`aws s3 rm` uses DeleteObject) and starts one `aws` "
             "process per Glue table. Speed-up = aws-cli time / sandbox time.")
    if any(b.n(f"cleanup/{o}/awscli") < b.n(f"cleanup/{o}/sandbox") for o, _ in ctx["cleanup_sizes"]):
        L.append("Where n reads a/b, sandbox ran a times and aws-cli b times: one aws-cli run at 20,000 objects + 200 tables "
                 "takes minutes, so `make bench` runs it once to stay near 20 minutes (`make bench BENCH_ARGS=--awscli-runs-20k=5`).")
    for objects, _ in ctx["cleanup_sizes"]:
        s = b.samples.get(f"cleanup/{objects}/sandbox")
        if s:
            L.append(f"sandbox requests at {objects:,} objects: " + ", ".join(f"{k} ×{v}" for k, v in sorted(s[-1].by_key.items())) + ".")
    L.append("")



def render_scaling(b: Bench, ctx: dict, L: list) -> None:
    L.append("## 3. Scaling: sandbox cleanup (N objects + N/100 tables, at least 10)")
    L.append("")
    L.append("| objects | tables | n | wall | CPU s | objects/s | peak RSS | requests |")
    L.append("|---|---|---|---|---|---|---|---|")
    rss_points = []
    for objects, tables in ctx["scaling_sizes"]:
        k = f"scaling/{objects}"
        w, r, q = b.med(k, "wall"), b.med(k, "rss_kb"), b.med(k, "requests")
        if r is not None:
            rss_points.append(r)
        L.append(f"| {objects:,} | {tables} | {b.n(k)} | {fmt_s(w)} | {fmt_cpu(b, k)} | {'—' if not w else f'{objects / w:,.0f}'} | {fmt_mib(r)} | "
                 f"{fmt_req(q, b.med(k, 'server_errors'))} |")
    L.append("")
    if len(rss_points) >= 2:
        growth = rss_points[-1] / rss_points[0]
        first, last = ctx["scaling_sizes"][0][0], ctx["scaling_sizes"][-1][0]
        L.append(f"Memory flat {first:,}→{last:,} (peak RSS grows ≤{FLAT_MEMORY}x): {growth:.2f}x — {verdict(growth <= FLAT_MEMORY)}")
        L.append("")



def render_startup(b: Bench, L: list) -> None:
    L.append("## 4. Startup")
    L.append("")
    L.append("| command | n | wall (median) | min | CPU s | peak RSS |")
    L.append("|---|---|---|---|---|---|")
    for key, label in [("startup/sandbox", "sandbox --version"), ("startup/terraform", "terraform version (reference)"),
                       ("startup/floor", "`true` (the measurement's floor: RSS of the spawning helper)")]:
        if b.n(key):
            L.append(f"| {label} | {b.n(key)} | {fmt_s(b.med(key, 'wall'))} | {fmt_s(min(s.wall for s in b.samples[key]))} | "
                     f"{fmt_cpu(b, key)} | {fmt_mib(b.med(key, 'rss_kb'))} |")
    L.append("")


def render_notes(b: Bench, L: list) -> None:

    if b.seed_rates:
        b.notes.append(f"moto's own speed on this machine: seeding ran at a median {statistics.median(b.seed_rates):,.0f} "
                       f"PutObject/s (boto3, {SEED_THREADS} threads). Cleanup wall times of both tools are mostly moto's "
                       "server time (its ListObjectsV2 and DeleteObject handlers), so they scale with that number.")
    if b.notes or b.errors:
        L.append("## Notes")
        L.append("")
        for note in b.notes:
            L.append(f"- {note}")
        for key, err in b.errors.items():
            L.append(f"- FAILED {key}: {err}")
        L.append("")

    L.append("<details><summary>Raw samples (wall s / peak RSS KiB / requests / moto HTTP 500s)</summary>")
    L.append("")
    for key in sorted(b.samples):
        L.append(f"- `{key}`: " + "; ".join(f"{s.wall:.3f}/{s.rss_kb}/{s.requests}/{s.server_errors}" for s in b.samples[key]))
    L.append("")
    L.append("</details>")
    L.append("")


def versions(sandbox: str, python: str) -> dict:
    def out(cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=clean_env())
            return (p.stdout.strip() or p.stderr.strip()).splitlines()[0]
        except Exception:  # noqa: BLE001
            return "not available"
    return {
        "v_sandbox": out([sandbox, "--version"]),
        "v_moto": out([python, "-c", "import moto; print(moto.__version__)"]),
        "v_awscli": out(["aws", "--version"]) if shutil.which("aws") else "aws-cli not available",
        "v_boto3": out([python, "-c", "import boto3; print(boto3.__version__)"]),
    }


def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 1024 / 1024
    except OSError:
        mem = 0.0
    return {"cores": os.cpu_count(), "cpu": cpu, "mem_gib": mem, "kernel": f"{platform.system()} {platform.release()}"}


def loadavg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- main

def scale_section(args, sandbox: str, keys: str) -> int:
    """Cleanup at scale: its own synthetic S3 (not moto), s5cmd and `aws s3 rm` side by side, in bench/scale.py."""
    cmd = [args.python, str(BENCH / "scale.py"), "--sandbox", sandbox, "--scale-keys", keys,
           "--out", str(BENCH / "RESULTS-scale.md"), *args.scale_args.split()]
    log("scale section: " + " ".join(cmd[1:]))
    proc = subprocess.Popen(cmd)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        os.kill(proc.pid, signal.SIGTERM)  # scale.py stops its own servers and tools
        proc.wait()
        raise


def main() -> int:
    p = argparse.ArgumentParser(description="sandbox benchmark (see bench/RESULTS.md)")
    p.add_argument("--sandbox", required=True, help="the release sandbox binary")
    p.add_argument("--quick", action="store_true", help="3 runs, small sizes, no 20k; Terraform lifecycle once")
    p.add_argument("--runs", type=int, help="runs per figure (default 5, quick 3)")
    p.add_argument("--terraform-runs", type=int, help="Terraform lifecycles (default = runs, quick 1)")
    p.add_argument("--awscli-runs-20k", type=int, help="aws-cli runs at 20,000 objects (default 1, see RESULTS.md)")
    p.add_argument("--out", help="Markdown results (default bench/RESULTS.md, quick bench/RESULTS-quick.md)")
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--sections", default="startup,lifecycle,latency,cleanup,scaling,scale",
                   help="comma-separated subset of startup,lifecycle,latency,cleanup,scaling,scale (scale: bench/scale.py)")
    p.add_argument("--latency-ms", type=float, default=30, help="per-request latency of the latency section")
    p.add_argument("--keep-work", action="store_true", help="keep the scratch directory (logs, states)")
    p.add_argument("--scale-keys", help="cleanup-at-scale key counts against bench/synthetic_s3.py, e.g. 100000,1000000 "
                                        "(default 100000; quick: no scale section); writes bench/RESULTS-scale.md")
    p.add_argument("--scale-only", action="store_true", help="only the scale section (bench/scale.py)")
    p.add_argument("--scale-args", default="", help="extra bench/scale.py flags, e.g. \"--skip-models --scale-timeout 300\"")
    args = p.parse_args()

    sandbox = str(Path(args.sandbox).resolve())
    if not os.access(sandbox, os.X_OK):
        raise SystemExit(f"no sandbox binary at {sandbox}: run `swift build -c release` (make bench does)")
    runs = args.runs or (3 if args.quick else 5)
    tf_runs = args.terraform_runs if args.terraform_runs is not None else (1 if args.quick else runs)
    if args.quick:
        cleanup_sizes = [(500, 10)]
        scaling_sizes = [(500, 10), (1000, 10), (2000, 20)]
        speed_target_size = None
    else:
        cleanup_sizes = [(2000, 50), (20000, 200)]
        scaling_sizes = [(1000, 10), (5000, 50), (20000, 200)]
        speed_target_size = 2000
    # One aws-cli run at 20,000 objects takes minutes (20,000 single DeleteObject calls, 200 aws processes):
    # one by default keeps `make bench` near 20 minutes; raise with --awscli-runs-20k.
    awscli_runs = {} if args.quick else {20000: args.awscli_runs_20k or 1}
    out = Path(args.out) if args.out else BENCH / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    scale_keys = args.scale_keys or ("" if args.quick and not args.scale_only else "100000")
    if args.scale_only:
        return scale_section(args, sandbox, scale_keys)

    started = time.time()
    load_start = loadavg()
    work = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    moto = None
    b = None

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    status = 0
    try:
        log(f"scratch dir {work}; starting moto")
        moto = Moto(args.python, work / "moto.log")
        log(f"moto on {moto.endpoint} (pid {moto.proc.pid})")
        b = Bench(args, work, moto)
        tf = Terraform(b, moto.endpoint)
        tf.setup()
        if not tf.available:
            log(f"Terraform column: not available ({tf.reason})")
        if not shutil.which("aws"):
            raise SystemExit("aws-cli (`aws`) not on PATH: it is the cleanup baseline")

        sections = set(args.sections.split(","))
        if "startup" in sections:
            startup_section(b, sandbox, tf, max(runs, 5))
        if "lifecycle" in sections:
            moto.reset_state()
            lifecycle(b, sandbox, tf, runs, tf_runs)
        latency_info = None
        if "latency" in sections:
            moto.reset_state()
            latency_info = latency_section(b, sandbox, args.python, 1 if args.quick else min(runs, 3), args.latency_ms)
        if sections & {"cleanup", "scaling"}:
            moto.reset_state()
            setup = CleanupSetup(b, sandbox)
            try:
                if "cleanup" in sections:
                    cleanup_section(b, setup, cleanup_sizes, runs, awscli_runs)
                if "scaling" in sections:
                    reuse = {o: f"cleanup/{o}/sandbox" for o, t in cleanup_sizes if (o, t) in scaling_sizes and "cleanup" in sections}
                    scaling_section(b, setup, scaling_sizes, runs, reuse)
            finally:
                setup.teardown()

        ctx = dict(machine(), **versions(sandbox, args.python))
        load_end = loadavg()
        busy = max(float(x) for x in (load_start.split(" / ") + load_end.split(" / ")))
        ctx.update(quick=args.quick, date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), elapsed=time.time() - started,
                   load_start=load_start, load_end=load_end, tf_available=tf.available or bool(b.samples.get("lifecycle/plan/terraform")),
                   tf_reason=tf.reason, tf_waits=tf.lifecycle_waits, v_tf=tf.version, v_provider=tf.provider_version, runs=runs, tf_runs=min(tf_runs, runs),
                   cleanup_sizes=cleanup_sizes, scaling_sizes=scaling_sizes, speed_target_size=speed_target_size,
                   load_note=(f"load average reached {busy:.1f} on {ctx['cores']} cores during this run (other builds): "
                              "absolute times are inflated and noisy; rerun on a quiet machine for final numbers")
                   if busy > (ctx["cores"] or 1) * 0.75 else "")
        report = render(b, ctx)
        if latency_info:
            report += "\n" + "\n".join(render_latency(b, latency_info))
        out.write_text(report)
        print(report)
        log(f"wrote {out.relative_to(REPO) if out.is_relative_to(REPO) else out} in {(time.time() - started) / 60:.1f} min")
        if b.errors:
            status = 1
        if scale_keys and "scale" in sections:
            status = scale_section(args, sandbox, scale_keys) or status
    except CommandFailed as exc:
        log(f"FAILED: {exc}")
        status = 1
    except KeyboardInterrupt as exc:
        log(f"interrupted ({exc})")
        status = 130
    finally:
        if b is not None:
            b.kill_current()
        if moto is not None:
            moto.stop()
            log("moto stopped")
        if args.keep_work or status:
            log(f"scratch dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
