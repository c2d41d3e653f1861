"""TAP009: one notification resource per bucket.

Why: S3 keeps a single NotificationConfiguration per bucket; a second
`aws_s3_bucket_notification` for the same bucket silently replaced the first
(incident 9).

Anti-pattern: two `aws_s3_bucket_notification` resources (or instances) for one bucket.
Best practice: every trigger of a bucket in one resource, with a comment saying so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    Severity,
)
from checker.rules.links import alike_unknown, linked

META = RuleMeta(
    id="TAP009",
    title="One notification resource per bucket",
    severity=Severity.HIGH,
    incident=9,
    rationale="S3 stores one notification configuration per bucket; a second resource overwrites the first.",
    remediation=(
        "Merge every lambda_function, queue and topic entry of the bucket into a single "
        "aws_s3_bucket_notification and delete the others."
    ),
    resource_types=("aws_s3_bucket_notification",),
    aws_model=(
        "S3 keeps one NotificationConfiguration per bucket and "
        "PutBucketNotificationConfiguration replaces it whole: each aws_s3_bucket_notification "
        "writes every destination of the bucket, so two of them (or two instances of one) for "
        "the same bucket erase each other's triggers on every apply, with a perpetual diff. "
        "Notifications are joined to their bucket by reference, else by the bucket's name "
        "(known, or written as the same template as the bucket's own name)."
    ),
    letter_vs_aws=(
        "The seed's fix (every Lambda trigger of the bucket in one resource, with a comment) "
        "is AWS's constraint; the comment is the team's habit and is not required."
    ),
    limits=(
        "Notifications written outside this plan (another stack, SAM, the console) are "
        "overwritten by this one and are not seen; whether the destinations accept the events "
        "(TAP001 for Lambda), and filters that S3 refuses as overlapping within one "
        "configuration, are not judged. A notification whose bucket is only known after "
        "apply is unknown."
    ),
    references=(
        "Terraform AWS provider, aws_s3_bucket_notification "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket_notification)",
        "Amazon S3 API Reference, PutBucketNotificationConfiguration "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html)",
        "Amazon S3 User Guide, Amazon S3 Event Notifications "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html)",
    ),
    needs_person=(
        "which notification stays, with every destination merged into it, is a person's choice"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_s3_bucket_notification`: no other notification of the plan targets the "
                "same bucket"
            ),
            partial=(
                "notifications whose bucket a module computes from its inputs before apply (two "
                "notification submodules on one bucket in a create plan): checkov's plan graph "
                "does not follow module variables"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why="counting notifications per bucket needs a join",
        ),
    ),
)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_bucket: dict[str, list[Instance]] = defaultdict(list)
    for notification in model.resources("aws_s3_bucket_notification"):
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        if not buckets:  # a name written as the bucket's own template is its name
            buckets = alike_unknown(model, notification, ("bucket",), "aws_s3_bucket", "bucket")
        if buckets:
            by_bucket[buckets[0].address].append(notification)
            continue
        name = notification.get("bucket")
        if isinstance(name, str):
            by_bucket[f"bucket:{name}"].append(notification)
        else:
            yield Result.unknown(
                notification.address,
                "bucket",
                "the bucket is only known after apply: whether another notification "
                "writes the same bucket's configuration is unknown",
            )
    for bucket, notifications in by_bucket.items():
        label = bucket.removeprefix("bucket:")
        if len(notifications) > 1:
            others = ", ".join(n.address for n in notifications)
            for notification in notifications:
                yield Result.failed(
                    notification.address,
                    "bucket",
                    f"{len(notifications)} notification resources target {label}: {others}",
                    "one aws_s3_bucket_notification per bucket",
                )
        else:
            yield Result.passed(
                notifications[0].address, "bucket", f"the only notification of {label}"
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
