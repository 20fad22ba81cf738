#!/usr/bin/env python3
"""Apply the scaffold-shaped configuration in this directory against a local moto endpoint.

Usage: apply.py --endpoint http://127.0.0.1:PORT --out STATE_FILE [--work DIR]

Copies the *.tf files to a scratch directory, runs `terraform init` (providers only from the filesystem mirror
/opt/tf-plugins, never the network) and `terraform apply`, and copies terraform.tfstate to STATE_FILE.
Exits 3 when terraform or the hashicorp/aws mirror is missing (the caller then uses the committed state).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIRROR = Path("/opt/tf-plugins")
PROVIDER = MIRROR / "registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5"
VARIABLES = {"owner": "platform-team", "budget_email": "alerts@example.com", "enable_access_key_user": "true",
             "common_tags": '{CostCenter = "qa-1234"}'}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--work")
    args = p.parse_args()
    terraform = shutil.which("terraform")
    if not terraform or not PROVIDER.exists():
        print("terraform or the hashicorp/aws 5.100.0 mirror is not on this machine", file=sys.stderr)
        return 3
    work = Path(args.work or tempfile.mkdtemp(prefix="scaffold-"))
    work.mkdir(parents=True, exist_ok=True)
    for f in HERE.glob("*.tf"):
        shutil.copy(f, work / f.name)
    (work / "terraform.tfrc").write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{MIRROR}"\n  }}\n}}\ndisable_checkpoint = true\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(work / "terraform.tfrc"), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1", TF_INPUT="0",
               TF_VAR_endpoint=args.endpoint, AWS_CONFIG_FILE=str(work / "none"), AWS_SHARED_CREDENTIALS_FILE=str(work / "none"))
    for name, value in VARIABLES.items():
        env[f"TF_VAR_{name}"] = value
    for command in (["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]):
        done = subprocess.run([terraform, *command], cwd=work, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            print(f"terraform {command[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}", file=sys.stderr)
            return 1
    shutil.copy(work / "terraform.tfstate", args.out)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
