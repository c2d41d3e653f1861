"""TAP001: an S3 notification has a matching Lambda permission and depends on it.

Why: S3 validates the destination when the notification is created; without an
`aws_lambda_permission` for `s3.amazonaws.com` on that bucket the call fails or,
worse, events never fire. Terraform may also create the notification before the
permission unless the notification `depends_on` it (incident 1).

Anti-pattern: a notification whose function has no S3 permission, a permission
for another bucket, or no `depends_on`.
Best practice: `aws_lambda_permission` with `principal = "s3.amazonaws.com"`,
`source_arn = aws_s3_bucket.X.arn`, and `depends_on = [that permission]` on the
notification.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity, checked
from checker.rules.links import link_is_undecided, linked, permissions_by_function

META = RuleMeta(
    id="TAP001",
    title="S3 notification has a matching Lambda permission and depends on it",
    severity=Severity.HIGH,
    incident=1,
    rationale=(
        "S3 only delivers to a function that authorises s3.amazonaws.com for that bucket, "
        "and the permission must exist before the notification is created."
    ),
    remediation=(
        'Add aws_lambda_permission with action "lambda:InvokeFunction", principal '
        '"s3.amazonaws.com", function_name = the function and source_arn = the bucket ARN; '
        "add depends_on = [that permission] to the aws_s3_bucket_notification."
    ),
    resource_types=("aws_s3_bucket_notification", "aws_lambda_permission"),
)


def permission_matches(
    model: PlanModel, permission: Instance, function: Instance, bucket: Instance | None
) -> bool | None:
    """Does this permission let S3 (from this bucket) invoke this function?"""
    if permission.get("principal") != "s3.amazonaws.com":
        return False
    action = permission.get("action")
    if isinstance(action, str) and action.lower() not in ("lambda:invokefunction", "lambda:*"):
        return False
    targets = linked(model, permission, ("function_name",), ("aws_lambda_function",))
    if function not in targets:
        return False
    if bucket is None:
        return None
    buckets = linked(model, permission, ("source_arn",), ("aws_s3_bucket",))
    if bucket in buckets:
        return True
    if link_is_undecided(model, permission, ("source_arn",)):
        return None
    return False


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_function = permissions_by_function(model)
    for notification in model.resources("aws_s3_bucket_notification"):
        entries = notification.get("lambda_function")
        if not isinstance(entries, list) or not entries:
            continue
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        bucket = buckets[0] if buckets else None
        missing_depends: set[str] = set()  # one finding per permission not depended on
        for index, _entry in enumerate(entries):
            attribute = f"lambda_function[{index}]"
            functions = linked(
                model,
                notification,
                ("lambda_function", index, "lambda_function_arn"),
                ("aws_lambda_function",),
            )
            if not functions:
                arn = notification.get("lambda_function", index, "lambda_function_arn")
                if isinstance(arn, Unknown) or notification.references("lambda_function", index):
                    yield Result.unknown(
                        notification.address,
                        f"{attribute}.lambda_function_arn",
                        f"the target function cannot be identified in {checked(model)}",
                        f"a function of {checked(model)}",
                    )
                continue
            function = functions[0]
            permissions = by_function.get(function)
            verdicts = {
                p.address: permission_matches(model, p, function, bucket) for p in permissions
            }
            matching = [p for p in permissions if verdicts[p.address] is True]
            maybe = [p for p in permissions if verdicts[p.address] is None]
            if not matching and not maybe:
                yield Result.failed(
                    notification.address,
                    attribute,
                    f"no aws_lambda_permission lets s3.amazonaws.com invoke {function.address}"
                    + (f" from {bucket.address}" if bucket else ""),
                    "a permission with principal s3.amazonaws.com, that function and "
                    "source_arn = the bucket ARN",
                )
                continue
            candidates = matching or maybe
            depends = [p for p in candidates if model.depends_on_explicitly(notification, p)]
            if not depends:
                if candidates[0].address in missing_depends:
                    continue
                missing_depends.add(candidates[0].address)
                yield Result.failed(
                    notification.address,
                    "depends_on",
                    f"depends_on does not name {candidates[0].address}",
                    f"depends_on = [{candidates[0].config_address}]",
                )
            elif not matching:
                yield Result.unknown(
                    notification.address,
                    attribute,
                    f"{depends[0].address} targets {function.address}, but its source_arn is only "
                    "known after apply",
                    "source_arn = the bucket's ARN",
                )
            else:
                yield Result.passed(
                    notification.address,
                    attribute,
                    f"{depends[0].address} lets S3 invoke {function.address} and the notification "
                    "depends on it",
                )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
