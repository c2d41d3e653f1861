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

from checker.plan.model import Instance
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity
from checker.rules.links import link_is_undecided, linked

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
)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_bucket: dict[str, list[Instance]] = defaultdict(list)
    for notification in model.resources("aws_s3_bucket_notification"):
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        if buckets:
            by_bucket[buckets[0].address].append(notification)
            continue
        name = notification.get("bucket")
        if isinstance(name, str):
            by_bucket[f"bucket:{name}"].append(notification)
        elif link_is_undecided(model, notification, ("bucket",)):
            yield Result.unknown(
                notification.address, "bucket", "the bucket is only known after apply"
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
