"""`tap_stack.tf` deployed to moto with real Terraform: the seed's fixes hold on the result.

One test, in the order a deployment lives: apply, inspect with boto3, show that a
second notification resource really replaces the first (incident 9) and that
the checker catches it, then destroy with versioned objects and delete markers
in both buckets (incident 11).

moto evaluates a bucket policy's `Deny` statements without their conditions,
so with the TLS-only policy every `PutObject` is refused over HTTP and HTTPS
alike; the test lifts the policy for its writes and puts it back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.run import CheckOptions, check_inputs
from tests.support.scenario import CONFIG
from tests.terraform.fixtures import StackInputs, canonical_inputs
from tests.terraform.harness import MotoServer, Workspace

SECOND_NOTIFICATION = """
resource "aws_s3_bucket_notification" "second" {
  bucket = aws_s3_bucket.content.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.processor.arn
    events              = ["s3:ObjectRemoved:*"]
  }
  depends_on = [aws_lambda_permission.s3]
}
"""


def client(moto: MotoServer, service: str) -> Any:
    return moto.client(service)


def outputs(workspace: Workspace) -> dict[str, str]:
    raw = json.loads(workspace.run("output", "-json"))
    return {name: value["value"] for name, value in raw.items()}


def statements(policy: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(policy)["Statement"]
    return found


def assert_fixes(moto: MotoServer, out: dict[str, str]) -> None:
    s3, lam = client(moto, "s3"), client(moto, "lambda")
    bucket, function_arn = out["content_bucket_name"], out["lambda_function_arn"]
    # Incident 1: the notification targets the function, which lets S3 invoke it from that bucket.
    config = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert [c["LambdaFunctionArn"] for c in config["LambdaFunctionConfigurations"]] == [
        function_arn
    ]
    function_policy = statements(lam.get_policy(FunctionName=out["lambda_function_name"])["Policy"])
    by_principal = {str(s["Principal"].get("Service")): s for s in function_policy}
    s3_grant = by_principal["s3.amazonaws.com"]
    assert s3_grant["Action"] == "lambda:InvokeFunction"
    assert s3_grant["Condition"]["ArnLike"]["AWS:SourceArn"] == out["content_bucket_arn"]
    # Incident 7: AWS_PROXY integration and a permission for the route.
    api = client(moto, "apigateway")
    resources = api.get_resources(restApiId=out["api_id"])["items"]
    process = next(r for r in resources if r.get("path") == "/process")
    integration = api.get_integration(
        restApiId=out["api_id"], resourceId=process["id"], httpMethod="POST"
    )
    assert integration["type"] == "AWS_PROXY"
    api_grant = by_principal["apigateway.amazonaws.com"]
    assert api_grant["Condition"]["ArnLike"]["AWS:SourceArn"].endswith("/*/POST/process")
    # Incident 10: point-in-time recovery.
    backups = client(moto, "dynamodb").describe_continuous_backups(
        TableName=out["dynamodb_table_name"]
    )
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    # Incident 8: log groups carry the CMK and a retention.
    groups = client(moto, "logs").describe_log_groups()["logGroups"]
    assert groups and all(g.get("kmsKeyId") == out["kms_key_arn"] for g in groups)
    assert all(g.get("retentionInDays") for g in groups)
    # Incident 3: the key policy names the logs and Lambda services, Lambda via ViaService.
    key_policy = statements(
        client(moto, "kms").get_key_policy(KeyId=out["kms_key_id"], PolicyName="default")["Policy"]
    )
    services = {
        str(s["Principal"].get("Service")): s for s in key_policy if "Service" in s["Principal"]
    }
    assert "logs.us-east-1.amazonaws.com" in services
    lambda_grant = services["lambda.amazonaws.com"]
    assert "lambda.us-east-1.amazonaws.com" in json.dumps(lambda_grant["Condition"])
    # Incidents 4 and 5: TLS-only bucket policies, versioning, public-access blocks.
    for name in (bucket, out["logs_bucket_name"]):
        deny = statements(s3.get_bucket_policy(Bucket=name)["Policy"])[0]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"]["Bool"]["aws:SecureTransport"] == "false"
        assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        assert all(block.values()) and len(block) == 4


def write_versions(moto: MotoServer, bucket: str) -> None:
    """Two versions and a delete marker, written with the bucket policy lifted (moto's limit)."""
    s3 = client(moto, "s3")
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    s3.delete_bucket_policy(Bucket=bucket)
    for body in (b"one", b"two"):
        s3.put_object(Bucket=bucket, Key="uploads/proof.txt", Body=body)
    s3.delete_object(Bucket=bucket, Key="uploads/proof.txt")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    listed = s3.list_object_versions(Bucket=bucket)
    assert len(listed["Versions"]) == 2 and len(listed["DeleteMarkers"]) == 1


def test_the_stack_deployed_keeps_every_fix_and_destroys_cleanly(
    workspace_for: Callable[[Path], Workspace], moto: MotoServer, tmp_path: Path
) -> None:
    moto.reset()
    base = canonical_inputs()
    workspace = workspace_for(base.write(tmp_path / "stack"))
    workspace.plan()
    workspace.apply("tfplan")
    out = outputs(workspace)
    assert_fixes(moto, out)

    # Incident 9: a second notification resource on the bucket replaces the first one's config.
    StackInputs(base.tf + SECOND_NOTIFICATION, base.handler).write(workspace.directory)
    plan = workspace.plan()
    plan_path = tmp_path / "second.plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    report = check_inputs([str(plan_path)], CheckOptions(source=workspace.directory), CONFIG)
    assert {(f.rule_id, f.status) for f in report.findings if f.rule_id == "TAP009"} == {
        ("TAP009", "failed")
    }
    workspace.apply("tfplan")
    s3 = client(moto, "s3")
    config = s3.get_bucket_notification_configuration(Bucket=out["content_bucket_name"])
    events = [c["Events"] for c in config["LambdaFunctionConfigurations"]]
    assert events == [["s3:ObjectRemoved:*"]], "the last notification applied wins the bucket"

    # Incident 11: destroy succeeds with versions and delete markers in both buckets.
    for bucket in (out["content_bucket_name"], out["logs_bucket_name"]):
        write_versions(moto, bucket)
    workspace.destroy()
    assert client(moto, "s3").list_buckets()["Buckets"] == []
