"""Attributes whose planned value is not what the plan will make true unless configured.

After a refresh, these Optional+Computed attributes hold what AWS has *now*:
the standalone resources (`aws_s3_bucket_policy`, `aws_iam_role_policy`,
`aws_iam_role_policy_attachment` ...) carry the planned change, and a block
removed from the configuration still shows its old value. Set nowhere in the
configuration, such an attribute is absent for every engine.
"""

from __future__ import annotations

UNLESS_CONFIGURED: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket": (
        "policy",
        "versioning",
        "server_side_encryption_configuration",
        "logging",
        "lifecycle_rule",
        "website",
        "replication_configuration",
        "object_lock_configuration",
    ),
    "aws_iam_role": ("inline_policy", "managed_policy_arns"),
    "aws_dynamodb_table": ("point_in_time_recovery",),
    "aws_lambda_function": ("source_code_hash",),
}


def unless_configured(resource_type: str) -> tuple[str, ...]:
    return UNLESS_CONFIGURED.get(resource_type, ())
