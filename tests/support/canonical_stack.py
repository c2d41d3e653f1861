"""A description of `tap_stack.tf` that our own code renders into plan JSON.

Retired as the source of test plans: every plan the rule tests read is written
by real Terraform (`tests/terraform/fixtures.py`, `./dev fixtures`). It stays
for what Terraform 1.11 cannot write or what would take hours to plan:
`tests/support/shapes.py` renders it in the older `format_version`s (0.1 to
1.1) and shapes of older Terraform versions, and `tests/support/layouts.py`
multiplies it into synthetic plans of 1k-50k resources. `tests/terraform/test_realism.py`
holds the rendered plan to the facts real plans show, so it cannot drift again.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from tests.support.plan_builder import (
    ARCHIVE,
    UNKNOWN,
    Block,
    Expr,
    Output,
    Resource,
    Stack,
    Variable,
    policy_document_json,
    sha1_hex,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "plans" / "tap_stack.plan.json"
HANDLER = ROOT / "lambda" / "index.py"

ACCOUNT = "123456789012"
REGION = "us-east-1"
SUFFIX = "dev"
STACK = f"tap-{SUFFIX}"
FUNCTION = f"tap-processor-{SUFFIX}"
TAGS = {"Project": "tap", "ManagedBy": "terraform"}

ACCOUNT_REF = "data.aws_caller_identity.current.account_id"
REGION_REF = "data.aws_region.current.name"


def local(name: str, value: Any) -> Expr:
    """A value computed from `local.NAME` (Terraform references the local)."""
    return Expr.of(value, f"local.{name}")


def unknown(*refs: str) -> Expr:
    return Expr.of(UNKNOWN, *refs)


def statement(**attrs: Any) -> dict[str, Any]:
    """One `statement` block of an `aws_iam_policy_document`."""
    out = dict(attrs)
    for key in ("principals", "condition"):
        if key in out and not isinstance(out[key], Block):
            out[key] = Block(out[key])
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Expr):
        return _plain(value.value)
    if isinstance(value, Block):
        return [_plain(v) for v in value.items]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def policy_document(name: str, statements: list[dict[str, Any]], readable: bool) -> Resource:
    """An `aws_iam_policy_document` data source.

    `readable` documents depend only on values known at plan time, so
    Terraform reads them during planning and they sit in `prior_state`; the
    others embed an ARN of a resource being created and are read at apply.
    """
    address = f"data.aws_iam_policy_document.{name}"
    attrs = {"statement": Block(statements)}
    if not readable:
        return Resource(address, attrs)
    plain = [_plain(s) for s in statements]
    document = policy_document_json(plain)
    read = {
        "id": str(int(hashlib.sha256(document.encode()).hexdigest()[:8], 16)),
        "json": document,
        "minified_json": json.dumps(json.loads(document), separators=(",", ":")),
        "statement": plain,
        "version": "2012-10-17",
    }
    return Resource(address, attrs, read_values=read)


def archive_bytes(source: str) -> bytes:
    """A deterministic zip of the inlined handler (fixed timestamp and mode)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo("index.py", date_time=(2049, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, source)
    return buffer.getvalue()


def user_data_script(bucket: str, alias: str) -> str:
    return (
        "#!/bin/bash\n"
        "set -u\n"
        'echo "proof from $(hostname) at $(date -u +%FT%TZ)" > /tmp/proof.txt\n'
        f'aws s3 cp /tmp/proof.txt "s3://{bucket}/uploads/proof.txt" --region {REGION} \\\n'
        f'  || aws s3api put-object --bucket "{bucket}" --key uploads/proof.txt \\\n'
        "       --body /tmp/proof.txt --server-side-encryption aws:kms \\\n"
        f'       --ssekms-key-id "{alias}" --region {REGION}\n'
    )


def _bucket_resources(kind: str) -> list[Resource]:
    bucket = f"aws_s3_bucket.{kind}"
    name = f"{STACK}-{kind}-{ACCOUNT}"
    bucket_id = unknown(f"{bucket}.id")
    return [
        Resource(
            bucket,
            {
                "bucket": Expr.of(name, "local.stack_name", "local.account_id"),
                "force_destroy": True,
                "tags": None,
            },
        ),
        Resource(
            f"aws_s3_bucket_server_side_encryption_configuration.{kind}",
            {
                "bucket": bucket_id,
                "expected_bucket_owner": None,
                "rule": Block(
                    [
                        {
                            "apply_server_side_encryption_by_default": Block(
                                [
                                    {
                                        "sse_algorithm": "aws:kms",
                                        "kms_master_key_id": unknown("aws_kms_key.main.arn"),
                                    }
                                ]
                            ),
                            "bucket_key_enabled": True,
                        }
                    ]
                ),
            },
        ),
        Resource(
            f"aws_s3_bucket_versioning.{kind}",
            {
                "bucket": bucket_id,
                "expected_bucket_owner": None,
                "mfa": None,
                "versioning_configuration": Block([{"status": "Enabled", "mfa_delete": UNKNOWN}]),
            },
        ),
        Resource(
            f"aws_s3_bucket_public_access_block.{kind}",
            {
                "bucket": bucket_id,
                "block_public_acls": True,
                "block_public_policy": True,
                "ignore_public_acls": True,
                "restrict_public_buckets": True,
            },
        ),
        policy_document(
            f"{kind}_bucket",
            [
                statement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=["s3:*"],
                    resources=unknown(f"{bucket}.arn"),
                    principals=[{"type": "*", "identifiers": ["*"]}],
                    condition=[
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
                    ],
                )
            ],
            readable=False,
        ),
        Resource(
            f"aws_s3_bucket_policy.{kind}",
            {
                "bucket": bucket_id,
                "policy": unknown(f"data.aws_iam_policy_document.{kind}_bucket.json"),
            },
            depends_on=[f"aws_s3_bucket_public_access_block.{kind}"],
        ),
    ]


def canonical_stack() -> Stack:
    """The whole of `tap_stack.tf` as Terraform sees it while planning."""
    handler_source = HANDLER.read_text(encoding="utf-8")
    archive = archive_bytes(handler_source)
    archive_b64sha256 = base64.b64encode(hashlib.sha256(archive).digest()).decode()
    output_path = "./build/lambda.zip"
    kms_arn = unknown("aws_kms_key.main.arn")
    alias = f"alias/{STACK}"
    content_bucket = f"{STACK}-content-{ACCOUNT}"
    table_name = f"{STACK}-records"
    service_principal = "Service"

    resources: list[Resource] = [
        Resource(
            "data.aws_caller_identity.current",
            {},
            read_values={
                "account_id": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/ci",
                "id": ACCOUNT,
                "user_id": "AIDAEXAMPLEUSERID0001",
            },
        ),
        Resource(
            "data.aws_region.current",
            {},
            read_values={
                "description": "US East (N. Virginia)",
                "endpoint": f"ec2.{REGION}.amazonaws.com",
                "id": REGION,
                "name": REGION,
            },
        ),
        Resource(
            "data.aws_ami.amazon_linux",
            {
                "most_recent": True,
                "owners": ["amazon"],
                "filter": Block([{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}]),
            },
            read_values={
                "architecture": "x86_64",
                "id": "ami-0fff1b9a61dec8a5f",
                "image_id": "ami-0fff1b9a61dec8a5f",
                "most_recent": True,
                "name": "al2023-ami-2023.6.20241121.0-kernel-6.1-x86_64",
                "owner_id": "137112412989",
                "owners": ["amazon"],
                "filter": [{"name": "name", "values": ["al2023-ami-2023.*-x86_64"]}],
                "root_device_name": "/dev/xvda",
            },
        ),
        policy_document(
            "kms",
            [
                statement(
                    sid="AccountRootAdministers",
                    effect="Allow",
                    actions=["kms:*"],
                    resources=["*"],
                    principals=[
                        {
                            "type": "AWS",
                            "identifiers": Expr.of(
                                [f"arn:aws:iam::{ACCOUNT}:root"], "local.account_id"
                            ),
                        }
                    ],
                ),
                statement(
                    sid="CloudWatchLogsUseKey",
                    effect="Allow",
                    actions=[
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    resources=["*"],
                    principals=[
                        {
                            "type": service_principal,
                            "identifiers": Expr.of(
                                [f"logs.{REGION}.amazonaws.com"], "local.region"
                            ),
                        }
                    ],
                    condition=[
                        {
                            "test": "ArnLike",
                            "variable": "kms:EncryptionContext:aws:logs:arn",
                            "values": Expr.of(
                                [f"arn:aws:logs:{REGION}:{ACCOUNT}:*"],
                                "local.region",
                                "local.account_id",
                            ),
                        }
                    ],
                ),
                statement(
                    sid="LambdaUseKey",
                    effect="Allow",
                    actions=[
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    resources=["*"],
                    principals=[
                        {"type": service_principal, "identifiers": ["lambda.amazonaws.com"]}
                    ],
                ),
                statement(
                    sid="LambdaCreateGrantViaService",
                    effect="Allow",
                    actions=["kms:CreateGrant"],
                    resources=["*"],
                    principals=[
                        {"type": service_principal, "identifiers": ["lambda.amazonaws.com"]}
                    ],
                    condition=[
                        {
                            "test": "StringEquals",
                            "variable": "kms:ViaService",
                            "values": Expr.of([f"lambda.{REGION}.amazonaws.com"], "local.region"),
                        },
                        {
                            "test": "Bool",
                            "variable": "kms:GrantIsForAWSResource",
                            "values": ["true"],
                        },
                    ],
                ),
            ],
            readable=True,
        ),
    ]
    kms_doc = resources[-1].read_values
    assert kms_doc is not None
    resources += [
        Resource(
            "aws_kms_key.main",
            {
                "description": local("stack_name", f"CMK for the {STACK} stack"),
                "enable_key_rotation": True,
                "deletion_window_in_days": 7,
                "policy": Expr.of(kms_doc["json"], "data.aws_iam_policy_document.kms.json"),
                "multi_region": UNKNOWN,
                "tags": None,
            },
        ),
        Resource(
            "aws_kms_alias.main",
            {
                "name": local("stack_name", alias),
                "target_key_id": unknown("aws_kms_key.main.key_id"),
            },
        ),
    ]
    resources += _bucket_resources("content")
    resources += _bucket_resources("logs")
    resources += [
        Resource(
            "aws_dynamodb_table.main",
            {
                "name": local("stack_name", table_name),
                "billing_mode": "PAY_PER_REQUEST",
                "hash_key": "pk",
                "range_key": "sk",
                "attribute": Block([{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}]),
                "point_in_time_recovery": Block([{"enabled": True}]),
                "server_side_encryption": Block([{"enabled": True, "kms_key_arn": kms_arn}]),
                "deletion_protection_enabled": None,
                "stream_enabled": None,
                "tags": None,
            },
        ),
        Resource(
            "data.archive_file.lambda",
            {
                "type": "zip",
                "output_path": Expr.of(output_path, "path.module"),
                "source": Block(
                    [{"content": Expr.of(handler_source, "path.module"), "filename": "index.py"}]
                ),
            },
            provider=ARCHIVE,
            read_values={
                "exclude_symlink_directories": None,
                "excludes": None,
                "id": hashlib.sha1(archive).hexdigest(),
                "output_base64sha256": archive_b64sha256,
                "output_base64sha512": base64.b64encode(hashlib.sha512(archive).digest()).decode(),
                "output_file_mode": None,
                "output_md5": hashlib.md5(archive).hexdigest(),
                "output_path": output_path,
                "output_sha": hashlib.sha1(archive).hexdigest(),
                "output_sha256": hashlib.sha256(archive).hexdigest(),
                "output_sha512": hashlib.sha512(archive).hexdigest(),
                "output_size": len(archive),
                "source": [{"content": handler_source, "filename": "index.py"}],
                "source_content": None,
                "source_content_filename": None,
                "source_dir": None,
                "source_file": None,
                "type": "zip",
            },
        ),
        _assume_role_document("lambda_assume", "lambda.amazonaws.com"),
        Resource(
            "aws_iam_role.lambda",
            {
                "name": local("function_name", f"{FUNCTION}-role"),
                "assume_role_policy": Expr.of(
                    _assume_json("lambda.amazonaws.com"),
                    "data.aws_iam_policy_document.lambda_assume.json",
                ),
                "tags": None,
            },
        ),
        policy_document(
            "lambda",
            [
                statement(
                    sid="TableReadWrite",
                    effect="Allow",
                    actions=[
                        "dynamodb:GetItem",
                        "dynamodb:PutItem",
                        "dynamodb:UpdateItem",
                        "dynamodb:DeleteItem",
                        "dynamodb:Query",
                        "dynamodb:Scan",
                    ],
                    resources=unknown("aws_dynamodb_table.main.arn"),
                ),
                statement(
                    sid="WriteOwnLogs",
                    effect="Allow",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=unknown("aws_cloudwatch_log_group.lambda.arn"),
                ),
                statement(
                    sid="UseStackKey",
                    effect="Allow",
                    actions=[
                        "kms:Decrypt",
                        "kms:Encrypt",
                        "kms:GenerateDataKey*",
                        "kms:DescribeKey",
                    ],
                    resources=unknown("aws_kms_key.main.arn"),
                ),
            ],
            readable=False,
        ),
        Resource(
            "aws_iam_role_policy.lambda",
            {
                "name": local("function_name", f"{FUNCTION}-policy"),
                "role": unknown("aws_iam_role.lambda.id"),
                "policy": unknown("data.aws_iam_policy_document.lambda.json"),
            },
        ),
        Resource(
            "aws_cloudwatch_log_group.lambda",
            {
                "name": local("function_name", f"/aws/lambda/{FUNCTION}"),
                "retention_in_days": 14,
                "kms_key_id": kms_arn,
                "log_group_class": UNKNOWN,
                "tags": None,
            },
        ),
        Resource(
            "aws_lambda_function.processor",
            {
                "function_name": local("function_name", FUNCTION),
                "role": unknown("aws_iam_role.lambda.arn"),
                "handler": "index.handler",
                "runtime": "python3.12",
                "timeout": 30,
                "memory_size": 256,
                "filename": Expr.of(output_path, "data.archive_file.lambda.output_path"),
                "source_code_hash": Expr.of(
                    archive_b64sha256, "data.archive_file.lambda.output_base64sha256"
                ),
                "kms_key_arn": kms_arn,
                "environment": Block(
                    [
                        {
                            "variables": Expr.of(
                                {"TABLE_NAME": table_name}, "aws_dynamodb_table.main.name"
                            )
                        }
                    ]
                ),
                "tags": None,
            },
            depends_on=["aws_cloudwatch_log_group.lambda", "aws_iam_role_policy.lambda"],
        ),
        Resource(
            "aws_lambda_permission.s3",
            {
                "statement_id": "AllowContentBucketInvoke",
                "action": "lambda:InvokeFunction",
                "function_name": Expr.of(FUNCTION, "aws_lambda_function.processor.function_name"),
                "principal": "s3.amazonaws.com",
                "source_arn": unknown("aws_s3_bucket.content.arn"),
                "source_account": local("account_id", ACCOUNT),
                "qualifier": None,
            },
        ),
        Resource(
            "aws_s3_bucket_notification.content",
            {
                "bucket": unknown("aws_s3_bucket.content.id"),
                "lambda_function": Block(
                    [
                        {
                            "lambda_function_arn": unknown("aws_lambda_function.processor.arn"),
                            "events": ["s3:ObjectCreated:*"],
                            "filter_prefix": "uploads/",
                            "filter_suffix": None,
                            "id": UNKNOWN,
                        }
                    ]
                ),
            },
            depends_on=["aws_lambda_permission.s3"],
        ),
    ]
    resources += _api_resources(kms_arn)
    resources += _proof_resources(content_bucket, alias, kms_arn)

    variables = [
        Variable("aws_region", REGION, description="AWS region of the whole stack."),
        Variable(
            "environment_suffix",
            SUFFIX,
            description="Suffix that keeps the names of several environments apart.",
        ),
        Variable("tags", TAGS, description="Tags applied to every resource."),
    ]
    outputs = [
        Output("environment_suffix", Expr.of(SUFFIX, "var.environment_suffix")),
        Output("stack_name", local("stack_name", STACK)),
        Output("content_bucket_name", Expr.of(content_bucket, "aws_s3_bucket.content.bucket")),
        Output("content_bucket_arn", unknown("aws_s3_bucket.content.arn")),
        Output(
            "logs_bucket_name",
            Expr.of(f"{STACK}-logs-{ACCOUNT}", "aws_s3_bucket.logs.bucket"),
        ),
        Output("dynamodb_table_name", Expr.of(table_name, "aws_dynamodb_table.main.name")),
        Output("dynamodb_table_arn", unknown("aws_dynamodb_table.main.arn")),
        Output(
            "lambda_function_name",
            Expr.of(FUNCTION, "aws_lambda_function.processor.function_name"),
        ),
        Output("lambda_function_arn", unknown("aws_lambda_function.processor.arn")),
        Output("api_id", unknown("aws_api_gateway_rest_api.main.id")),
        Output("api_url", unknown("aws_api_gateway_stage.main.invoke_url")),
        Output("kms_key_id", unknown("aws_kms_key.main.key_id")),
        Output("kms_key_arn", unknown("aws_kms_key.main.arn")),
        Output("ec2_instance_id", unknown("aws_instance.proof.id")),
        Output("ec2_public_ip", unknown("aws_instance.proof.public_ip")),
    ]
    return Stack(
        variables=variables,
        resources=resources,
        outputs=outputs,
        provider_region=Expr.of(REGION, "var.aws_region"),
    )


def _assume_json(service: str) -> str:
    return policy_document_json(
        [
            {
                "effect": "Allow",
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": [service]}],
            }
        ]
    )


def _assume_role_document(name: str, service: str) -> Resource:
    return policy_document(
        name,
        [
            statement(
                effect="Allow",
                actions=["sts:AssumeRole"],
                principals=[{"type": "Service", "identifiers": [service]}],
            )
        ],
        readable=True,
    )


def _api_resources(kms_arn: Expr) -> list[Resource]:
    api_id = unknown("aws_api_gateway_rest_api.main.id")
    resource_id = unknown("aws_api_gateway_resource.process.id")
    access_format = json.dumps(
        {
            "requestId": "$context.requestId",
            "sourceIp": "$context.identity.sourceIp",
            "httpMethod": "$context.httpMethod",
            "resourcePath": "$context.resourcePath",
            "status": "$context.status",
            "responseLength": "$context.responseLength",
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    role = "aws_iam_role.apigateway_cloudwatch"
    return [
        Resource(
            "aws_api_gateway_rest_api.main",
            {
                "name": local("stack_name", f"{STACK}-api"),
                "endpoint_configuration": Block(
                    [{"types": ["REGIONAL"], "vpc_endpoint_ids": UNKNOWN}]
                ),
                "put_rest_api_mode": None,
                "tags": None,
            },
        ),
        Resource(
            "aws_api_gateway_resource.process",
            {
                "rest_api_id": api_id,
                "parent_id": unknown("aws_api_gateway_rest_api.main.root_resource_id"),
                "path_part": "process",
            },
        ),
        Resource(
            "aws_api_gateway_method.process_post",
            {
                "rest_api_id": api_id,
                "resource_id": resource_id,
                "http_method": "POST",
                "authorization": "NONE",
            },
        ),
        Resource(
            "aws_api_gateway_integration.process_post",
            {
                "rest_api_id": api_id,
                "resource_id": resource_id,
                "http_method": Expr.of("POST", "aws_api_gateway_method.process_post.http_method"),
                "type": "AWS_PROXY",
                "integration_http_method": "POST",
                "uri": unknown("aws_lambda_function.processor.invoke_arn"),
                "passthrough_behavior": UNKNOWN,
            },
        ),
        Resource(
            "aws_lambda_permission.api",
            {
                "statement_id": "AllowApiGatewayInvoke",
                "action": "lambda:InvokeFunction",
                "function_name": Expr.of(FUNCTION, "aws_lambda_function.processor.function_name"),
                "principal": "apigateway.amazonaws.com",
                "source_arn": unknown("aws_api_gateway_rest_api.main.execution_arn"),
                "qualifier": None,
            },
        ),
        Resource(
            "aws_api_gateway_deployment.main",
            {
                "rest_api_id": api_id,
                "triggers": unknown(
                    "aws_api_gateway_resource.process.id",
                    "aws_api_gateway_method.process_post.id",
                    "aws_api_gateway_integration.process_post.id",
                ),
                "description": None,
            },
            depends_on=["aws_api_gateway_integration.process_post"],
        ),
        Resource(
            "aws_cloudwatch_log_group.api",
            {
                "name": local("stack_name", f"/aws/apigateway/{STACK}-api"),
                "retention_in_days": 14,
                "kms_key_id": kms_arn,
                "log_group_class": UNKNOWN,
                "tags": None,
            },
        ),
        _assume_role_document("apigateway_assume", "apigateway.amazonaws.com"),
        Resource(
            role,
            {
                "name": local("stack_name", f"{STACK}-apigw-cloudwatch"),
                "assume_role_policy": Expr.of(
                    _assume_json("apigateway.amazonaws.com"),
                    "data.aws_iam_policy_document.apigateway_assume.json",
                ),
                "tags": None,
            },
        ),
        Resource(
            "aws_iam_role_policy_attachment.apigateway_cloudwatch",
            {
                "role": Expr.of(f"{STACK}-apigw-cloudwatch", f"{role}.name"),
                "policy_arn": "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
            },
        ),
        Resource(
            "aws_api_gateway_account.main",
            {"cloudwatch_role_arn": unknown(f"{role}.arn"), "reset_on_delete": None},
            depends_on=["aws_iam_role_policy_attachment.apigateway_cloudwatch"],
        ),
        Resource(
            "aws_api_gateway_stage.main",
            {
                "rest_api_id": api_id,
                "deployment_id": unknown("aws_api_gateway_deployment.main.id"),
                "stage_name": "v1",
                "access_log_settings": Block(
                    [
                        {
                            "destination_arn": unknown("aws_cloudwatch_log_group.api.arn"),
                            "format": Expr.of(access_format),
                        }
                    ]
                ),
                "cache_cluster_enabled": None,
                "xray_tracing_enabled": None,
                "tags": None,
            },
            depends_on=["aws_api_gateway_account.main"],
        ),
    ]


def _proof_resources(content_bucket: str, alias: str, kms_arn: Expr) -> list[Resource]:
    script = user_data_script(content_bucket, alias)
    return [
        _assume_role_document("ec2_assume", "ec2.amazonaws.com"),
        Resource(
            "aws_iam_role.proof",
            {
                "name": local("stack_name", f"{STACK}-proof"),
                "assume_role_policy": Expr.of(
                    _assume_json("ec2.amazonaws.com"),
                    "data.aws_iam_policy_document.ec2_assume.json",
                ),
                "tags": None,
            },
        ),
        policy_document(
            "proof",
            [
                statement(
                    sid="WriteProofObjects",
                    effect="Allow",
                    actions=["s3:PutObject"],
                    resources=unknown("aws_s3_bucket.content.arn"),
                ),
                statement(
                    sid="EncryptWithStackKey",
                    effect="Allow",
                    actions=["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    resources=unknown("aws_kms_key.main.arn"),
                ),
            ],
            readable=False,
        ),
        Resource(
            "aws_iam_role_policy.proof",
            {
                "name": local("stack_name", f"{STACK}-proof-policy"),
                "role": unknown("aws_iam_role.proof.id"),
                "policy": unknown("data.aws_iam_policy_document.proof.json"),
            },
        ),
        Resource(
            "aws_iam_instance_profile.proof",
            {
                "name": local("stack_name", f"{STACK}-proof"),
                "role": Expr.of(f"{STACK}-proof", "aws_iam_role.proof.name"),
                "tags": None,
            },
        ),
        Resource(
            "aws_instance.proof",
            {
                "ami": Expr.of("ami-0fff1b9a61dec8a5f", "data.aws_ami.amazon_linux.id"),
                "instance_type": "t3.micro",
                "iam_instance_profile": Expr.of(
                    f"{STACK}-proof", "aws_iam_instance_profile.proof.name"
                ),
                "associate_public_ip_address": True,
                "metadata_options": Block(
                    [
                        {
                            "http_tokens": "required",
                            "http_endpoint": UNKNOWN,
                            "http_put_response_hop_limit": UNKNOWN,
                        }
                    ]
                ),
                "user_data": Expr.of(
                    script,
                    "aws_s3_bucket.content.bucket",
                    "local.region",
                    "aws_kms_alias.main.name",
                ),
                "tags": None,
            },
            stored={"user_data": sha1_hex(script)},
            depends_on=["aws_iam_role_policy.proof"],
        ),
    ]


def refresh_derived(stack: Stack) -> Stack:
    """Recompute what Terraform derives from edited attributes: policy JSON, user_data hash."""
    documents: dict[str, str] = {}
    for res in stack.resources:
        if res.type == "aws_iam_policy_document" and res.read_values is not None:
            fresh = policy_document(res.name, res.attrs["statement"].items, readable=True)
            res.read_values = fresh.read_values
            assert fresh.read_values is not None
            documents[f"{res.address}.json"] = fresh.read_values["json"]
    for res in stack.resources:
        for key, value in res.attrs.items():
            if isinstance(value, Expr) and value.refs and value.refs[0] in documents:
                res.attrs[key] = Expr(documents[value.refs[0]], value.refs)
        user_data = res.attrs.get("user_data")
        if (
            res.type == "aws_instance"
            and isinstance(user_data, Expr)
            and isinstance(user_data.value, str)
        ):
            res.stored["user_data"] = sha1_hex(user_data.value)
    return stack
