#!/usr/bin/env python3
"""Start moto's HTTP server for sandbox integration tests.

Usage: moto_launcher.py [--port N] [--parent-pid PID] [--count-requests] [--enforce-iam ADMIN_KEY_ID]

Prints "READY <port>" on stdout once the server answers HTTP (so --port 0 works).
Adds the AWS Budgets actions stock moto 5.2.1 lacks (see patch_budgets): DescribeSubscribersForNotification,
CreateSubscriber, DeleteSubscriber, UpdateBudget, TagResource, UntagResource, ListTagsForResource (+ CreateBudget ResourceTags),
and makes S3's conditional writes (If-Match, If-None-Match) atomic as they are on S3.

--enforce-iam (opt-in, the least-privilege lane): every request is authorized against the caller's IAM policies
(moto's INITIAL_NO_AUTH_ACTION_COUNT=0) the way AWS authorizes it (see patch_enforce_iam); user ADMIN_KEY_ID with
secret $SANDBOX_ENFORCE_ADMIN_SECRET holds Action * on Resource *. GET /_sandbox/iam-calls lists every
(key, action, resource, s3:prefix, allowed) decided; POST /_sandbox/iam-calls/reset clears it.
"""

import argparse
import json
import logging
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from helper_watchdog import watch  # noqa: E402  (Tests/, next to this script)

if "--enforce-iam" in sys.argv:
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"  # read by moto.settings at import

# Fake credentials so nothing in moto ever looks for real ones.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from werkzeug.serving import make_server  # noqa: E402

from copy import deepcopy  # noqa: E402

from moto.budgets.exceptions import BudgetMissingLimit, DuplicateRecordException, NotFoundException  # noqa: E402
from moto.budgets.models import BudgetsBackend  # noqa: E402
from moto.budgets.responses import BudgetsResponse  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402


# --------------------------------------------------------------------------- Budgets

def _same_notification(a, b):
    # moto compares notification dicts verbatim; AWS identifies a notification by
    # these fields (ThresholdType defaults to PERCENTAGE, NotificationState is output-only).
    def key(n):
        return (n.get("NotificationType"), n.get("ComparisonOperator"),
                float(n.get("Threshold", 0)), n.get("ThresholdType", "PERCENTAGE"))
    return key(a) == key(b)


def patch_s3_conditional_writes():
    """moto checks If-Match / If-None-Match and then writes without a lock, so two concurrent conditional PUTs can
    both pass (seen as two runners minting one run id). S3 makes the check and the write atomic; so does this."""
    from moto.s3.responses import S3Response
    lock = threading.Lock()
    for name in ("put_object", "delete_object"):
        def guarded(self, _original=getattr(S3Response, name)):
            if self.headers.get("If-Match") or self.headers.get("If-None-Match"):
                with lock:
                    return _original(self)
            return _original(self)
        setattr(S3Response, name, guarded)


def patch_budgets():
    """moto dispatches X-Amz-Target 'AWSBudgetServiceGateway.FooBar' to BudgetsResponse.foo_bar."""
    orig_init = BudgetsBackend.__init__
    orig_create, orig_delete = BudgetsBackend.create_budget, BudgetsBackend.delete_budget
    orig_describe_notifications = BudgetsBackend.describe_notifications_for_budget

    def __init__(self, *a, **kw):
        orig_init(self, *a, **kw)  # also re-run by POST /moto-api/reset, which clears tags
        self.sandbox_tags = {}  # ResourceARN -> {Key: Value}

    def find_budget(self, account_id, budget_name):
        if budget_name not in self.budgets[account_id]:
            raise NotFoundException(f"Unable to get budget: {budget_name} - the budget doesn't exist.")
        return self.budgets[account_id][budget_name]

    def find_notification(self, account_id, budget_name, notification):
        for n in self.find_budget(account_id, budget_name).notifications:
            if _same_notification(n.details, notification):
                return n
        raise NotFoundException(f"Unable to find notification for budget: {budget_name}")

    def describe_subscribers_for_notification(self, account_id, budget_name, notification):
        return list(self.find_notification(account_id, budget_name, notification).subscribers)

    def create_subscriber(self, account_id, budget_name, notification, subscriber):
        n = self.find_notification(account_id, budget_name, notification)
        if subscriber in n.subscribers:
            raise DuplicateRecordException("subscriber", subscriber.get("Address", ""))
        n.subscribers = list(n.subscribers) + [subscriber]

    def delete_subscriber(self, account_id, budget_name, notification, subscriber):
        n = self.find_notification(account_id, budget_name, notification)
        if subscriber not in n.subscribers:
            raise NotFoundException("Unable to delete subscriber - the subscriber doesn't exist.")
        n.subscribers = [s for s in n.subscribers if s != subscriber]

    def update_budget(self, account_id, new_budget):
        # UpdateBudget (botocore budgets service-2.json: AccountId, NewBudget: Budget; empty response) replaces
        # every part of the budget except BudgetName and CalculatedSpend; notifications and subscribers stay.
        budget = self.find_budget(account_id, new_budget.get("BudgetName"))
        if "BudgetLimit" not in new_budget and "PlannedBudgetLimits" not in new_budget:
            raise BudgetMissingLimit()
        updated = deepcopy(new_budget)
        updated.pop("CalculatedSpend", None)
        updated.setdefault("TimePeriod", budget.budget.get("TimePeriod"))
        updated["LastUpdatedTime"] = time.time()
        budget.budget = updated

    def budget_for_arn(self, arn):
        # arn:aws:budgets::ACCOUNT:budget/NAME
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[2] != "budgets" or not parts[5].startswith("budget/"):
            raise NotFoundException(f"Invalid ResourceARN: {arn}")
        self.find_budget(parts[4], parts[5][len("budget/"):])
        return arn

    def tag_resource(self, arn, tags):
        self.sandbox_tags.setdefault(self.budget_for_arn(arn), {}).update(
            {t["Key"]: t["Value"] for t in tags})

    def untag_resource(self, arn, keys):
        current = self.sandbox_tags.get(self.budget_for_arn(arn), {})
        for k in keys:
            current.pop(k, None)

    def list_tags_for_resource(self, arn):
        return [{"Key": k, "Value": v} for k, v in self.sandbox_tags.get(self.budget_for_arn(arn), {}).items()]

    def describe_notifications_for_budget(self, account_id, budget_name):
        # Stock moto raises KeyError (HTTP 500, which SDKs retry) for a missing budget; AWS says NotFound.
        self.find_budget(account_id, budget_name)
        return orig_describe_notifications(self, account_id=account_id, budget_name=budget_name)

    def create_budget(self, account_id, budget, notifications, tags=None):
        orig_create(self, account_id=account_id, budget=budget, notifications=notifications)
        if tags:
            self.tag_resource(f"arn:aws:budgets::{account_id}:budget/{budget['BudgetName']}", tags)

    def delete_budget(self, account_id, budget_name):
        orig_delete(self, account_id=account_id, budget_name=budget_name)
        # AWS drops a budget's tags with it; a re-created budget starts untagged.
        self.sandbox_tags.pop(f"arn:aws:budgets::{account_id}:budget/{budget_name}", None)

    for f in (__init__, find_budget, find_notification, describe_subscribers_for_notification,
              create_subscriber, delete_subscriber, update_budget, budget_for_arn, tag_resource, untag_resource,
              list_tags_for_resource, describe_notifications_for_budget, create_budget, delete_budget):
        setattr(BudgetsBackend, f.__name__, f)

    # ---- response side: parse JSON params, return JSON bodies
    def r_create_budget(self):
        self.backend.create_budget(
            account_id=self._get_param("AccountId"), budget=self._get_param("Budget"),
            notifications=self._get_param("NotificationsWithSubscribers", []),
            tags=self._get_param("ResourceTags", []))
        return "{}"

    def r_describe_subscribers_for_notification(self):
        subs = self.backend.describe_subscribers_for_notification(
            self._get_param("AccountId"), self._get_param("BudgetName"), self._get_param("Notification"))
        # Simple offset pagination: NextToken is the stringified start index.
        start = int(self._get_param("NextToken") or 0)
        size = int(self._get_param("MaxResults") or 100)
        out = {"Subscribers": subs[start:start + size]}
        if start + size < len(subs):
            out["NextToken"] = str(start + size)
        return json.dumps(out)

    def r_create_subscriber(self):
        self.backend.create_subscriber(self._get_param("AccountId"), self._get_param("BudgetName"),
                                       self._get_param("Notification"), self._get_param("Subscriber"))
        return "{}"

    def r_delete_subscriber(self):
        self.backend.delete_subscriber(self._get_param("AccountId"), self._get_param("BudgetName"),
                                       self._get_param("Notification"), self._get_param("Subscriber"))
        return "{}"

    def r_update_budget(self):
        self.backend.update_budget(self._get_param("AccountId"), self._get_param("NewBudget"))
        return "{}"

    def r_tag_resource(self):
        self.backend.tag_resource(self._get_param("ResourceARN"), self._get_param("ResourceTags", []))
        return "{}"

    def r_untag_resource(self):
        self.backend.untag_resource(self._get_param("ResourceARN"), self._get_param("ResourceTagKeys", []))
        return "{}"

    def r_list_tags_for_resource(self):
        return json.dumps({"ResourceTags": self.backend.list_tags_for_resource(self._get_param("ResourceARN"))})

    for f in (r_create_budget, r_describe_subscribers_for_notification, r_create_subscriber,
              r_delete_subscriber, r_update_budget, r_tag_resource, r_untag_resource, r_list_tags_for_resource):
        setattr(BudgetsResponse, f.__name__[2:], f)


# --------------------------------------------------------------------------- IAM enforcement (opt-in)

IAM_CALLS = []
IAM_CALLS_LOCK = threading.Lock()

S3_BUCKET_GET = {"versioning": "GetBucketVersioning", "tagging": "GetBucketTagging", "lifecycle": "GetLifecycleConfiguration",
                 "encryption": "GetEncryptionConfiguration", "publicAccessBlock": "GetBucketPublicAccessBlock",
                 "location": "GetBucketLocation", "uploads": "ListBucketMultipartUploads", "versions": "ListBucketVersions",
                 "policy": "GetBucketPolicy", "acl": "GetBucketAcl"}
S3_BUCKET_PUT = {"versioning": "PutBucketVersioning", "tagging": "PutBucketTagging", "lifecycle": "PutLifecycleConfiguration",
                 "encryption": "PutEncryptionConfiguration", "publicAccessBlock": "PutBucketPublicAccessBlock",
                 "policy": "PutBucketPolicy"}
BUDGETS_ACTIONS = {"DescribeBudget": "ViewBudget", "DescribeBudgets": "ViewBudget", "DescribeNotificationsForBudget": "ViewBudget",
                   "DescribeSubscribersForNotification": "ViewBudget", "CreateBudget": "ModifyBudget", "UpdateBudget": "ModifyBudget",
                   "DeleteBudget": "ModifyBudget", "CreateNotification": "ModifyBudget", "DeleteNotification": "ModifyBudget",
                   "CreateSubscriber": "ModifyBudget", "DeleteSubscriber": "ModifyBudget", "TagResource": "TagResource",
                   "UntagResource": "UntagResource", "ListTagsForResource": "ListTagsForResource"}


def _iam_match(pattern, text, case_sensitive=True):
    import fnmatch
    import re
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, 0 if case_sensitive else re.IGNORECASE) is not None


def _as_list(v):
    return v if isinstance(v, list) else [v]


def iam_decide(documents, action, resource, context):
    """AWS's order for identity policies: an explicit Deny wins, then any Allow; StringEquals/StringLike on s3:prefix
    (a key the request lacks fails them); any other condition fails closed."""
    allowed = False
    for doc in documents:
        for st in _as_list(json.loads(doc).get("Statement", [])):
            if "Action" in st:
                hit = any(_iam_match(a, action, False) for a in _as_list(st["Action"]))
            else:
                hit = not any(_iam_match(a, action, False) for a in _as_list(st.get("NotAction", [])))
            if not hit:
                continue
            if "Resource" in st:
                hit = any(_iam_match(r, resource) for r in _as_list(st["Resource"]))
            elif "NotResource" in st:
                hit = not any(_iam_match(r, resource) for r in _as_list(st["NotResource"]))
            else:
                hit = False
            if not hit:
                continue
            holds = True
            for op, tests in (st.get("Condition") or {}).items():
                for key, values in tests.items():
                    value = context.get(key.lower())
                    if op == "StringEquals" and key.lower() == "s3:prefix":
                        holds = holds and value is not None and value in _as_list(values)
                    elif op == "StringLike" and key.lower() == "s3:prefix":
                        holds = holds and value is not None and any(_iam_match(v, value) for v in _as_list(values))
                    else:
                        holds = False
            if not holds:
                continue
            if st.get("Effect") == "Deny":
                return False
            allowed = True
    return allowed


def aws_authorizations(req):
    """(action, resource, context) tuples AWS authorizes for one request, from the request itself (IAM service
    authorization reference): S3 by method, path and sub-resource (DeleteObjects per key), Glue on the catalog,
    database and table ARNs the body names, Budgets on the budget ARN, IAM on the policy ARN."""
    from urllib.parse import parse_qs, unquote, urlsplit
    service, region, account = req._service, req._region, req.account_id
    if service == "s3":
        split = urlsplit(req._path)
        parts = unquote(split.path).lstrip("/").split("/", 1)
        bucket, key = parts[0], (parts[1] if len(parts) > 1 else "")
        query = parse_qs(split.query, keep_blank_values=True)
        barn, oarn = f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/{key}"
        method = req._method
        if not bucket:
            return [("s3:ListAllMyBuckets", "*", {})]
        if not key:
            sub = next((k for k in query if k in S3_BUCKET_GET or k in S3_BUCKET_PUT or k == "delete"), None)
            if method in ("GET", "HEAD"):
                if sub in ("versions", None) and method == "GET":
                    ctx = {"s3:prefix": query.get("prefix", [""])[0]}
                    return [(f"s3:{'ListBucketVersions' if sub else 'ListBucket'}", barn, ctx)]
                if method == "HEAD":
                    return [("s3:ListBucket", barn, {})]
                return [(f"s3:{S3_BUCKET_GET[sub]}", barn, {})]
            if method == "PUT":
                return [(f"s3:{S3_BUCKET_PUT.get(sub, 'CreateBucket')}", barn, {})]
            if method == "DELETE":
                return [(f"s3:{S3_BUCKET_PUT[sub] if sub in ('tagging', 'lifecycle', 'encryption', 'publicAccessBlock') else 'DeleteBucket'}", barn, {})]
            if method == "POST" and sub == "delete":
                import xml.etree.ElementTree as ET
                out = []
                for obj in ET.fromstring(req._body or b"<Delete/>").iter():
                    if obj.tag.endswith("Object"):
                        k = next((c.text or "" for c in obj if c.tag.endswith("Key")), "")
                        v = next((c.text for c in obj if c.tag.endswith("VersionId")), None)
                        out.append((f"s3:{'DeleteObjectVersion' if v else 'DeleteObject'}", f"arn:aws:s3:::{bucket}/{k}", {}))
                return out
            return [(f"s3:{req._action.split(':', 1)[1]}", barn, {})]
        if method in ("GET", "HEAD"):
            if "uploadId" in query:
                return [("s3:ListMultipartUploadParts", oarn, {})]
            if "tagging" in query:
                return [("s3:GetObjectTagging", oarn, {})]
            return [(f"s3:{'GetObjectVersion' if 'versionId' in query else 'GetObject'}", oarn, {})]
        if method in ("PUT", "POST"):
            return [("s3:PutObject", oarn, {})]
        if method == "DELETE":
            if "uploadId" in query:
                return [("s3:AbortMultipartUpload", oarn, {})]
            return [(f"s3:{'DeleteObjectVersion' if 'versionId' in query else 'DeleteObject'}", oarn, {})]
    if service == "glue":
        op = (req._headers.get("X-Amz-Target") or "").split(".")[-1]
        body = json.loads(req._body or b"{}") if req._body else {}
        catalog = f"arn:aws:glue:{region}:{account}:catalog"
        db = body.get("DatabaseName") or body.get("Name") or (body.get("DatabaseInput") or {}).get("Name")
        res = [catalog]
        if op == "GetDatabases":
            res.append(f"arn:aws:glue:{region}:{account}:database/*")
        elif db:
            res.append(f"arn:aws:glue:{region}:{account}:database/{db}")
            if op == "DeleteDatabase":
                res += [f"arn:aws:glue:{region}:{account}:table/{db}/*", f"arn:aws:glue:{region}:{account}:userDefinedFunction/{db}/*"]
            elif op == "BatchDeleteTable":
                res += [f"arn:aws:glue:{region}:{account}:table/{db}/{t}" for t in body.get("TablesToDelete", [])]
            elif op in ("GetTables",):
                res.append(f"arn:aws:glue:{region}:{account}:table/{db}/*")
            elif "TableInput" in body or op in ("GetTable", "DeleteTable"):
                name = (body.get("TableInput") or {}).get("Name") or body.get("Name")
                res.append(f"arn:aws:glue:{region}:{account}:table/{db}/{name}")
        return [(f"glue:{op}", r, {}) for r in res]
    if service == "budgets":
        op = (req._headers.get("X-Amz-Target") or "").split(".")[-1]
        body = json.loads(req._body or b"{}") if req._body else {}
        name = body.get("BudgetName") or (body.get("Budget") or body.get("NewBudget") or {}).get("BudgetName")
        arn = body.get("ResourceARN") or (f"arn:aws:budgets::{account}:budget/{name}" if name else "*")
        return [(f"budgets:{BUDGETS_ACTIONS.get(op, op)}", arn, {})]
    if service == "iam":
        data = req._data or {}
        def first(k):
            v = data.get(k)
            return v[0] if isinstance(v, list) and v else v
        arn = first("PolicyArn") or (f"arn:aws:iam::{account}:user/{first('UserName')}" if first("UserName") else "*")
        return [(req._action, arn, {})]
    return [(req._action, "*", {})]


def patch_enforce_iam(admin_key, admin_secret):
    from moto.iam.access_control import IAMRequestBase, S3IAMRequest
    from moto.iam.models import iam_backends

    iam = iam_backends["123456789012"]["aws"]
    iam.create_user("us-east-1", "sandbox-admin")
    iam.put_user_policy("sandbox-admin", "admin", json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    key = iam.create_access_key("sandbox-admin")
    key.access_key_id, key.secret_access_key = admin_key, admin_secret

    original_check_signature = IAMRequestBase.check_signature

    def check_signature(self):
        # moto re-signs S3 list queries with %2F decoded and so refuses correct signatures; only that check is skipped.
        query = self._path.partition("?")[2]
        if isinstance(self, S3IAMRequest) and ("%" in query or "/" in query):
            return
        # moto also re-encodes form bodies it re-signs (apply's IAM CreatePolicy); the administrator is not under test.
        if getattr(self._access_key, "_access_key_id", None) == admin_key:
            return
        original_check_signature(self)

    def check_action_permitted(self, resource):
        if self._action == "sts:GetCallerIdentity":
            return  # needs no permission on AWS
        documents = []
        for policy in self._access_key.collect_policies():
            if hasattr(policy, "versions"):
                documents.append(next(v.document for v in policy.versions if v.is_default))
            elif isinstance(policy, str):
                documents.append(policy)
            else:
                documents.append(policy["policy_document"])
        denied = False
        for action, arn, ctx in aws_authorizations(self):
            ok = iam_decide(documents, action, arn, {k.lower(): v for k, v in ctx.items()})
            with IAM_CALLS_LOCK:
                IAM_CALLS.append({"key": self._access_key._access_key_id, "action": action, "resource": arn,
                                  "prefix": ctx.get("s3:prefix"), "allowed": ok})
            denied = denied or not ok
        if denied:
            self._raise_access_denied()

    IAMRequestBase.check_signature = check_signature
    IAMRequestBase.check_action_permitted = check_action_permitted


# --------------------------------------------------------------------------- request counter

class RequestCounter:
    """WSGI middleware: owns /_sandbox/* (never forwarded to moto, which would treat it as an S3
    bucket) and, when enabled, counts every other request."""

    def __init__(self, app, enabled):
        self.app, self.enabled, self.lock, self.counts = app, enabled, threading.Lock(), Counter()

    @staticmethod
    def key(environ):
        # Service from the SigV4 credential scope (.../REGION/SERVICE/aws4_request), plus the
        # JSON-protocol action when there is one; query-protocol actions sit in the body, which we don't read.
        service = "unsigned"
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "Credential=" in auth:
            scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
            if len(scope) >= 4:
                service = scope[3]
        elif environ.get("PATH_INFO", "").startswith("/moto-api"):
            service = "moto-api"
        target = environ.get("HTTP_X_AMZ_TARGET")
        return f"{environ.get('REQUEST_METHOD')} {service}" + (f" {target}" if target else "")

    def reset(self):
        with self.lock:
            self.counts.clear()

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD")
        if path.startswith("/_sandbox/iam-calls"):
            if method == "POST":
                with IAM_CALLS_LOCK:
                    IAM_CALLS.clear()
                return self._json(start_response, "200 OK", {"calls": []})
            with IAM_CALLS_LOCK:
                return self._json(start_response, "200 OK", {"calls": list(IAM_CALLS)})
        if path.startswith("/_sandbox/"):
            if not self.enabled:
                return self._json(start_response, "404 Not Found", {"error": "start with --count-requests"})
            if path == "/_sandbox/requests" and method == "GET":
                with self.lock:
                    body = {"total": sum(self.counts.values()), "by_key": dict(self.counts)}
                return self._json(start_response, "200 OK", body)
            if path == "/_sandbox/requests/reset" and method == "POST":
                self.reset()
                return self._json(start_response, "200 OK", {"total": 0, "by_key": {}})
            return self._json(start_response, "404 Not Found", {"error": f"unknown {method} {path}"})
        if self.enabled:
            with self.lock:
                self.counts[self.key(environ)] += 1
        return self.app(environ, start_response)

    @staticmethod
    def _json(start_response, status, obj):
        data = json.dumps(obj).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


# --------------------------------------------------------------------------- main

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=5000, help="0 = pick a free port")
    p.add_argument("--parent-pid", type=int, help="exit when this process no longer exists")
    p.add_argument("--count-requests", action="store_true", help="enable GET /_sandbox/requests")
    p.add_argument("--enforce-iam", metavar="ADMIN_KEY_ID", help="authorize every request as AWS would (see the module doc)")
    args = p.parse_args()

    watch(args.parent_pid, name="moto_launcher")
    # No per-request access log: the Swift fixture keeps only a stderr tail, and errors stay visible.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    patch_budgets()
    patch_s3_conditional_writes()
    if args.enforce_iam:
        patch_enforce_iam(args.enforce_iam, os.environ.get("SANDBOX_ENFORCE_ADMIN_SECRET", ""))

    counter = RequestCounter(DomainDispatcherApplication(create_backend_app), args.count_requests)
    server = make_server("127.0.0.1", args.port, counter, threaded=True)
    port = server.server_port
    # moto builds some self-referencing URLs (e.g. SQS queue URLs) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    threading.Thread(target=server.serve_forever, daemon=True, name="moto").start()

    # Only claim readiness once a real moto route answers (any HTTP status counts).
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore http_proxy env vars
    deadline = time.time() + 20
    while True:
        try:
            opener.open(f"http://127.0.0.1:{port}/moto-api/reset", timeout=2).close()
            break
        except urllib.error.HTTPError:
            break  # GET /moto-api/reset answers 400 "Need to POST": the server is up
        except OSError:
            if time.time() > deadline:
                print("moto_launcher: server did not answer within 20s", file=sys.stderr)
                os._exit(1)
            time.sleep(0.05)
    counter.reset()  # don't count our own probe
    print(f"READY {port}", flush=True)

    try:
        threading.Event().wait()  # SIGTERM's default action ends the process
    except KeyboardInterrupt:
        pass
    os._exit(0)


if __name__ == "__main__":
    main()
