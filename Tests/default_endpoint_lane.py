#!/usr/bin/env python3
"""The default-endpoint lane: sandbox with NO endpoint override, talking to the real AWS host names.

Usage: unshare -m -n python3 default_endpoint_lane.py --sandbox BIN [--regions us-east-1,eu-west-1]

Must run inside a private mount + network namespace (it refuses otherwise, so it can never touch the machine's
/etc/hosts or trust store). Inside it brings up lo, bind-mounts a private /etc/hosts mapping the exact AWS host names
sandbox resolves (checked against `sandbox whoami --json`) plus the bucket's virtual-host names to 127.0.0.1, makes a
throwaway CA whose server certificate covers them, starts moto on loopback and a TLS terminator on 127.0.0.1:443 that
forwards with the Host header kept. Per region: whoami, apply, run new, boto3 seeds the run's objects and Glue database
through the same names, check, cleanup, destroy, each verified with boto3. The first region trusts the CA through
AWS_CA_BUNDLE, the second through the system store (the CA bind-mounted over /etc/ssl/certs/ca-certificates.crt,
AWS_CA_BUNDLE unset); in each, the other trust mode being absent is shown to fail. Prints one JSON summary line;
exits 1 naming the first failed step.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from tls_fixture import make_ca  # noqa: E402

ACCOUNT = "123456789012"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSENTINELKEY"
VARIABLES = ["--var", "owner=lane", "--var", "budget_email=a@example.com"]
STORE = "/etc/ssl/certs/ca-certificates.crt"


class LaneFailure(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise LaneFailure(message)


def bucket_name(region):
    return f"floe-provider-tests-{ACCOUNT}-{region}"


def host_names(regions):
    """Every name sandbox or boto3 resolves here; /etc/hosts has no wildcards, so each is listed."""
    names = ["iam.amazonaws.com", "budgets.amazonaws.com", "sts.amazonaws.com", "s3.amazonaws.com",
             f"{bucket_name('us-east-1')}.s3.amazonaws.com"]
    for region in regions:
        names += [f"sts.{region}.amazonaws.com", f"s3.{region}.amazonaws.com", f"glue.{region}.amazonaws.com",
                  f"{bucket_name(region)}.s3.{region}.amazonaws.com"]
    return list(dict.fromkeys(names))


def start(command, log_path):
    """Starts a helper that prints READY <port>; returns (process, port)."""
    log = open(log_path, "w")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        process.wait()
        raise LaneFailure(f"{command[1]} did not start: {open(log_path).read()[-2000:]}")
    return process, int(line.split()[1])


def mount_bind(source, target):
    subprocess.run(["mount", "--bind", source, target], check=True)


class Lane:
    def __init__(self, sandbox, regions, work):
        self.sandbox = sandbox
        self.regions = regions
        self.work = work
        self.ca_dir = os.path.join(work, "ca")
        self.names = host_names(regions)
        self.processes = []
        self.steps = []
        self.handshake_log = os.path.join(work, "terminator.log")

    # ------------------------------------------------------------------ setup

    def setup(self):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        hosts = os.path.join(self.work, "hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n::1 localhost\n")
            for name in self.names:
                f.write(f"127.0.0.1 {name}\n")
        mount_bind(hosts, "/etc/hosts")
        make_ca(self.ca_dir, self.names)
        self.ca = os.path.join(self.ca_dir, "ca.pem")
        make_ca(os.path.join(self.work, "other-ca"), self.names[:1])
        self.other_ca = os.path.join(self.work, "other-ca", "ca.pem")
        # The store the lane trusts: the throwaway CA only, so a pass proves this file was read.
        self.store = os.path.join(self.work, "store.pem")
        shutil.copy(self.ca, self.store)
        pid = str(os.getpid())
        moto, port = start([sys.executable, os.path.join(HERE, "moto_launcher.py"), "--port", "0", "--parent-pid", pid],
                           os.path.join(self.work, "moto.log"))
        self.processes.append(moto)
        terminator, _ = start([sys.executable, os.path.join(HERE, "tls_fixture.py"), "terminate",
                               "--cert", os.path.join(self.ca_dir, "server.pem"), "--key", os.path.join(self.ca_dir, "server.key"),
                               "--upstream", f"127.0.0.1:{port}", "--listen", "127.0.0.1:443", "--log", self.handshake_log,
                               "--parent-pid", pid], os.path.join(self.work, "terminator.err"))
        self.processes.append(terminator)

    def stop(self):
        for process in self.processes:
            process.kill()
            process.wait()

    def server_names(self):
        try:
            with open(self.handshake_log) as f:
                return {line.split()[1] for line in f if line.startswith("sni ")}
        except FileNotFoundError:
            return set()

    def handshakes(self, outcome):
        try:
            with open(self.handshake_log) as f:
                return sum(1 for line in f if line.startswith(f"handshake {outcome}"))
        except FileNotFoundError:
            return 0

    # ------------------------------------------------------------------ running things

    def environment(self, home, region, bundle):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
            "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.path.join(home, "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "aws-credentials"),
            "SANDBOX_LOG": "warn", "SANDBOX_HTTP_TIMEOUT": "20",
        }
        if bundle:
            env["AWS_CA_BUNDLE"] = bundle
        if os.environ.get("LLVM_PROFILE_FILE"):
            env["LLVM_PROFILE_FILE"] = os.environ["LLVM_PROFILE_FILE"]
        return env

    def sandbox_run(self, step, arguments, env, cwd, status=0):
        started = time.monotonic()
        result = subprocess.run([self.sandbox] + arguments, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
        self.steps.append({"step": step, "status": result.returncode, "seconds": round(time.monotonic() - started, 2)})
        expect(result.returncode == status,
               f"{step}: sandbox {' '.join(arguments)} exited {result.returncode}, expected {status}: "
               f"stdout: {result.stdout[-1500:]} stderr: {result.stderr[-1500:]}")
        expect(SECRET not in result.stdout + result.stderr, f"{step}: the secret key appeared in sandbox's output")
        return result

    def boto(self, region):
        import boto3
        session = boto3.session.Session(aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET, region_name=region)
        # No endpoint_url: boto3 resolves the same real names, and trusts the throwaway CA.
        return lambda service: session.client(service, verify=self.ca)

    # ------------------------------------------------------------------ the lifecycle

    def region_lifecycle(self, region, trust):
        home = os.path.join(self.work, f"home-{region}")
        os.makedirs(os.path.join(home, "Stacks"))
        shutil.copy(os.path.join(ROOT, "Stacks", "aws-provider-tests.yaml"), os.path.join(home, "Stacks"))
        bundle = self.ca if trust == "AWS_CA_BUNDLE" else None
        env = self.environment(home, region, bundle)
        client = self.boto(region)
        bucket = bucket_name(region)

        # The other trust mode alone must fail: proves which one made this region's calls trusted.
        untrusted = self.environment(home, region, None if bundle else self.other_ca)
        failed_before = self.handshakes("failed")
        if bundle:
            self.sandbox_run(f"{region} whoami without AWS_CA_BUNDLE", ["whoami"], untrusted, home, status=4)
        else:
            # A bundle replaces the store: another CA's bundle must not be trusted even though the store would be.
            self.sandbox_run(f"{region} whoami with another CA's bundle", ["whoami"], untrusted, home, status=4)
        expect(self.handshakes("failed") > failed_before, f"{region}: the untrusted whoami never reached the terminator")

        ok_before = self.handshakes("ok")
        whoami = json.loads(self.sandbox_run(f"{region} whoami", ["whoami", "--json"], env, home).stdout)
        expect(whoami.get("account") == ACCOUNT and whoami.get("region") == region, f"{region} whoami: {whoami}")
        endpoints = self.endpoint_hosts(whoami)
        expect(endpoints, f"{region} whoami --json lists no endpoints: {whoami}")
        missing = sorted(set(endpoints) - set(self.names))
        expect(not missing, f"{region}: sandbox resolves {missing}, which the lane's /etc/hosts does not map")

        self.sandbox_run(f"{region} apply", ["apply", "--auto-approve"] + VARIABLES, env, home)
        # Only sandbox has talked so far in this region: it addressed the bucket virtual-host style, by its real name.
        asked = self.server_names()
        expect(f"{bucket}.s3.{region}.amazonaws.com" in asked, f"{region}: sandbox never asked for the bucket's virtual host: {sorted(asked)}")
        used = {f"sts.{region}.amazonaws.com", "iam.amazonaws.com", "budgets.amazonaws.com"}
        expect(used <= asked, f"{region}: whoami and apply never connected to {sorted(used - asked)}")
        named = self.sandbox_run(f"{region} output", ["output", "FLOE_AWS_TEST_BUCKET"], env, home).stdout.strip()
        expect(named == bucket, f"{region}: bucket is {named!r}, expected {bucket!r}")
        s3 = client("s3")
        expect(s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") in ((None if region == "us-east-1" else region), region),
               f"{region}: the bucket is not in {region}")

        run = self.sandbox_run(f"{region} run new", ["run", "new"] + VARIABLES, env, home).stdout
        exported = dict(line.replace("export ", "", 1).split("=", 1) for line in run.splitlines() if "=" in line)
        run_id = exported.get("FLOE_PROVIDER_SPIKE_RUN", "").strip("'\"")
        expect(run_id, f"{region}: run new printed no run id: {run}")
        prefix = f"runs/{run_id}/"
        # The name real Glue stores (it lowercases); cleanup must find it from the run id alone.
        database = ("floe_provider_" + run_id.replace("-", "_")).lower()
        for i in range(20):
            s3.put_object(Bucket=bucket, Key=f"{prefix}table_{i % 2}/part-{i:03d}.parquet", Body=b"x" * 64)
        s3.put_object(Bucket=bucket, Key="runs/other-run/keep.parquet", Body=b"keep")
        glue = client("glue")
        glue.create_database(DatabaseInput={"Name": database})
        glue.create_table(DatabaseName=database, TableInput={"Name": "table_0"})

        check = self.sandbox_run(f"{region} check", ["check", "--json"] + VARIABLES, env, home)
        expect(json.loads(check.stdout).get("checks"), f"{region}: check printed no checks")

        cleanup = self.sandbox_run(f"{region} cleanup", ["cleanup", "--run", run_id, "--json"], env, home)
        left = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount", 0)
        expect(left == 0, f"{region}: {left} objects left under {prefix} after cleanup: {cleanup.stdout[-800:]}")
        expect(s3.list_objects_v2(Bucket=bucket, Prefix="runs/other-run/").get("KeyCount") == 1,
               f"{region}: cleanup deleted another run's object")
        names = [d["Name"] for d in glue.get_databases()["DatabaseList"]]
        expect(database not in names, f"{region}: database {database} left after cleanup")

        self.sandbox_run(f"{region} destroy", ["destroy", "--auto-approve", "--empty-bucket"], env, home)
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        expect(bucket not in buckets, f"{region}: bucket {bucket} left after destroy")
        policies = [p["PolicyName"] for p in client("iam").list_policies(Scope="Local")["Policies"]]
        expect("floe-provider-tests-permissions" not in policies, f"{region}: policy left after destroy: {policies}")
        budgets = client("budgets").describe_budgets(AccountId=ACCOUNT).get("Budgets", [])
        expect(not budgets, f"{region}: budgets left after destroy: {[b['BudgetName'] for b in budgets]}")
        return {"region": region, "trust": trust, "endpoints": sorted(endpoints),
                "handshakes": self.handshakes("ok") - ok_before, "run": run_id}

    @staticmethod
    def endpoint_hosts(whoami):
        """The host of every endpoint whoami lists, however the JSON nests them; each must be a default one."""
        from urllib.parse import urlsplit
        found = []

        def walk(value):
            if isinstance(value, dict):
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, str) and value.startswith(("http://", "https://")):
                url = urlsplit(value)
                expect(url.scheme == "https" and url.hostname.endswith(".amazonaws.com"),
                       f"whoami lists a non-default endpoint {value}")
                found.append(url.hostname)
        walk(whoami)
        return list(dict.fromkeys(found))


def inside_private_namespaces():
    """unshare execs this script, so the parent (the test process) still lives in the machine's namespaces."""
    try:
        return all(os.readlink(f"/proc/self/ns/{ns}") != os.readlink(f"/proc/{os.getppid()}/ns/{ns}") for ns in ("net", "mnt"))
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--regions", default="us-east-1,eu-west-1")
    args = parser.parse_args()
    if not inside_private_namespaces():
        print("default_endpoint_lane: refusing to run outside a private mount+network namespace "
              "(run it as: unshare -m -n python3 Tests/default_endpoint_lane.py --sandbox BIN)", file=sys.stderr)
        return 2
    # A timed-out test sends SIGTERM: leave through `finally`, which stops the helpers and removes the work directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    regions = args.regions.split(",")
    work = tempfile.mkdtemp(prefix="sandbox-lane-")
    lane = Lane(os.path.abspath(args.sandbox), regions, work)
    started = time.monotonic()
    summary = {"ok": False}
    try:
        lane.setup()
        results = []
        for index, region in enumerate(regions):
            trust = "AWS_CA_BUNDLE" if index % 2 == 0 else "system store"
            if trust == "system store":
                mount_bind(lane.store, STORE)
            try:
                results.append(lane.region_lifecycle(region, trust))
            finally:
                if trust == "system store":
                    subprocess.run(["umount", STORE], check=False)
        unmapped = sorted(lane.server_names() - set(lane.names))
        expect(not unmapped, f"TLS clients asked for names the lane does not map: {unmapped}")
        summary = {"ok": True, "regions": results, "server_names": sorted(lane.server_names())}
    except (LaneFailure, subprocess.SubprocessError, OSError) as e:
        summary = {"ok": False, "error": str(e)}
    except Exception as e:  # boto3's errors: report them as a failed step rather than a traceback
        summary = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    finally:
        lane.stop()
        summary["steps"] = lane.steps
        summary["seconds"] = round(time.monotonic() - started, 1)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
