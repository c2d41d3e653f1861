"""TAP011: buckets can be destroyed by CI (force_destroy).

Why: `terraform destroy` failed with BucketNotEmpty on versioned buckets full
of object versions and delete markers (incident 11).

Anti-pattern: a bucket without `force_destroy = true` in an ephemeral environment.
Best practice: `force_destroy = true` on CI buckets. Production stacks usually
want the opposite: switch the rule off there (`enabled = false` under
`[tool.checker.rules.TAP011]` in the production config).
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.plan.values import Unknown, show
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, Severity

META = RuleMeta(
    id="TAP011",
    title="Buckets can be destroyed by CI (force_destroy)",
    severity=Severity.LOW,
    incident=11,
    rationale="Versioned buckets keep object versions that block destroy unless force_destroy is set.",
    remediation="Set force_destroy = true on the aws_s3_bucket (or disable TAP011 for production).",
    resource_types=("aws_s3_bucket",),
)


def check(ctx: RuleContext) -> Iterator[Result]:
    for bucket in ctx.model.resources("aws_s3_bucket"):
        value = bucket.get("force_destroy")
        if value is True:
            yield Result.passed(bucket.address, "force_destroy", "force_destroy = true")
        elif isinstance(value, Unknown):
            yield Result.unknown(
                bucket.address, "force_destroy", "force_destroy is only known after apply", "true"
            )
        else:
            yield Result.failed(
                bucket.address,
                "force_destroy",
                "force_destroy is not set" if value is None else f"force_destroy = {show(value)}",
                "force_destroy = true",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
