"""The custom checkov checks as data: which catalogue rule each asserts, on which resource
types. Read by the checkov engine and by coverage (`checker.engines.coverage`)."""

from __future__ import annotations

# check ID -> (catalogue ID, resource types it judges); tests/test_checkov.py keeps it
# equal to the checks in checker/policies/checkov.
CHECKS: dict[str, tuple[str, tuple[str, ...]]] = {
    "CKV_TAP_001": ("TAP001", ("aws_s3_bucket_notification",)),
    "CKV_TAP_003": ("TAP003", ("aws_kms_key",)),
    "CKV_TAP_005": ("TAP005", ("aws_s3_bucket",)),
    "CKV_TAP_007": ("TAP007", ("aws_api_gateway_integration",)),
    "CKV_TAP_008": ("TAP008", ("aws_lambda_function", "aws_cloudwatch_log_group")),
    "CKV_TAP_009": ("TAP009", ("aws_s3_bucket_notification",)),
    "CKV_TAP_010": ("TAP010", ("aws_dynamodb_table",)),
    "CKV_TAP_011": ("TAP011", ("aws_s3_bucket",)),
    "CKV_TAP_013": (
        "TAP013",
        ("aws_api_gateway_deployment", "aws_api_gateway_stage", "aws_api_gateway_method_settings"),
    ),
    "CKV_TAP_014": ("TAP014", ("aws_api_gateway_account", "aws_api_gateway_stage")),
}
