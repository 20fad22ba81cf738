#!/usr/bin/env python3
"""Recreate in moto what a scaffold state (Tests/Fixtures/scaffold.tfstate) records, with boto3, the way
hashicorp/aws would have created it: for machines without terraform, so the import test always runs.

Usage: seed.py STATE_FILE   (AWS_ENDPOINT_URL and sentinel credentials in the environment)
"""

import json
import sys

import boto3


def main() -> int:
    state = json.load(open(sys.argv[1]))
    s3, iam, budgets = boto3.client("s3"), boto3.client("iam"), boto3.client("budgets")
    by_type = {}
    for resource in state["resources"]:
        if resource.get("mode") == "managed":
            for instance in resource["instances"]:
                by_type.setdefault(resource["type"], []).append(instance["attributes"])
    tags = lambda a: [{"Key": k, "Value": v} for k, v in sorted((a.get("tags_all") or {}).items())]
    for a in by_type.get("aws_s3_bucket", []):
        s3.create_bucket(Bucket=a["bucket"])
        s3.put_bucket_tagging(Bucket=a["bucket"], Tagging={"TagSet": tags(a)})
    for a in by_type.get("aws_s3_bucket_public_access_block", []):
        s3.put_public_access_block(Bucket=a["bucket"], PublicAccessBlockConfiguration={
            "BlockPublicAcls": a["block_public_acls"], "IgnorePublicAcls": a["ignore_public_acls"],
            "BlockPublicPolicy": a["block_public_policy"], "RestrictPublicBuckets": a["restrict_public_buckets"]})
    for a in by_type.get("aws_s3_bucket_server_side_encryption_configuration", []):
        algorithm = a["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"]
        s3.put_bucket_encryption(Bucket=a["bucket"], ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]})
    for a in by_type.get("aws_s3_bucket_lifecycle_configuration", []):
        rules = [{"ID": r["id"], "Status": r["status"], "Filter": {"Prefix": r["filter"][0]["prefix"]},
                  "Expiration": {"Days": r["expiration"][0]["days"]},
                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": r["abort_incomplete_multipart_upload"][0]["days_after_initiation"]}}
                 for r in a["rule"]]
        s3.put_bucket_lifecycle_configuration(Bucket=a["bucket"], LifecycleConfiguration={"Rules": rules})
    for a in by_type.get("aws_iam_policy", []):
        iam.create_policy(PolicyName=a["name"], Path=a["path"], Description=a["description"], PolicyDocument=a["policy"], Tags=tags(a))
    for a in by_type.get("aws_iam_user", []):
        iam.create_user(UserName=a["name"], Path=a["path"], Tags=tags(a))
    for a in by_type.get("aws_iam_user_policy_attachment", []):
        iam.attach_user_policy(UserName=a["user"], PolicyArn=a["policy_arn"])
    for a in by_type.get("aws_budgets_budget", []):
        notifications = [{"Notification": {"NotificationType": n["notification_type"], "ComparisonOperator": n["comparison_operator"],
                                           "Threshold": float(n["threshold"]), "ThresholdType": n["threshold_type"]},
                          "Subscribers": [{"SubscriptionType": "EMAIL", "Address": e} for e in n["subscriber_email_addresses"]]}
                         for n in a["notification"]]
        budgets.create_budget(AccountId=a["account_id"], Budget={
            "BudgetName": a["name"], "BudgetType": a["budget_type"], "TimeUnit": a["time_unit"],
            "BudgetLimit": {"Amount": a["limit_amount"], "Unit": a["limit_unit"]}},
            NotificationsWithSubscribers=notifications, ResourceTags=tags(a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
