"""TAP011: buckets can be destroyed by CI (force_destroy).

Why: `terraform destroy` failed with BucketNotEmpty on versioned buckets full
of object versions and delete markers (incident 11).

Anti-pattern: a bucket without `force_destroy = true` in an ephemeral environment; a
bucket whose Object Lock default retention is COMPLIANCE (no one, force_destroy included,
deletes a locked version before it expires; GOVERNANCE is bypassed by force_destroy).
Best practice: `force_destroy = true` on CI buckets. Production stacks usually
want the opposite: switch the rule off there (`enabled = false` under
`[tool.checker.rules.TAP011]` in the production config).
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import (
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    SetValue,
    Severity,
    Unknown,
    Value,
    show,
)
from checker.rules.links import ReverseIndex

META = RuleMeta(
    id="TAP011",
    title="Buckets can be destroyed by CI (force_destroy)",
    severity=Severity.LOW,
    incident=11,
    rationale="Versioned buckets keep object versions that block destroy unless force_destroy is set.",
    remediation="Set force_destroy = true on the aws_s3_bucket (or disable TAP011 for production).",
    resource_types=("aws_s3_bucket",),
    aws_model=(
        "S3 DeleteBucket fails with BucketNotEmpty while any object version or delete marker "
        "remains; with force_destroy = true the provider deletes every version (removing legal "
        "holds and bypassing governance-mode retention) before DeleteBucket. No one can delete "
        "an object version under compliance-mode retention before it expires, so a bucket "
        "whose object lock configuration defaults to COMPLIANCE cannot be destroyed by CI "
        "even with force_destroy."
    ),
    letter_vs_aws=(
        "The seed sets force_destroy = true on both buckets so CI cleanup is reliable; AWS "
        "would also delete an empty bucket without it, but a CI bucket is never known to be "
        "empty: the rule follows the seed. Production stacks want the opposite; the rule is "
        "switched off there."
    ),
    limits=(
        "force_destroy only takes effect after an apply has stored it in state (a destroy in "
        "the same run as the change ignores it); object versions locked by a per-object "
        "compliance retention written outside Terraform, lifecycle prevent_destroy and "
        "objects written after the destroy starts are not seen."
    ),
    references=(
        "Terraform AWS provider, aws_s3_bucket: force_destroy "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/s3_bucket)",
        "Amazon S3 API Reference, DeleteBucket "
        "(https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html)",
        "Amazon S3 User Guide, Locking objects with Object Lock: retention modes "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html)",
    ),
    needs_person=(
        "a value from an expression, or a COMPLIANCE lock: the stack's and the compliance team's choice"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_s3_bucket`: `force_destroy = true`, and no Object Lock default retention"
                " in COMPLIANCE mode (companion resource or inline block)"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts="buckets contain `force_destroy = true`",
            partial=(
                "an Object Lock default retention in COMPLIANCE mode, which force_destroy cannot "
                "delete (a step cannot join `aws_s3_bucket_object_lock_configuration` to its "
                "bucket)"
            ),
        ),
    ),
)


RETENTION = ("rule", 0, "default_retention", 0, "mode")


def _compliance_lock(model: RuleModel, bucket: Instance, locks: ReverseIndex) -> Value:
    """The default retention mode of the bucket's Object Lock configuration when it is
    COMPLIANCE (or unknown): no one, force_destroy included, deletes such versions before
    they expire. The companion resource and the legacy inline block both count."""
    modes = [model.settle(lock, *RETENTION) for lock in locks.get(bucket)]
    if model.written(bucket, "object_lock_configuration") not in (None, []):
        modes.append(model.settle(bucket, "object_lock_configuration", 0, *RETENTION))
    if "COMPLIANCE" in modes:
        return "COMPLIANCE"
    return next((mode for mode in modes if isinstance(mode, Unknown)), None)


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    locks = ReverseIndex.build(
        model, "aws_s3_bucket_object_lock_configuration", ("bucket",), ("aws_s3_bucket",)
    )
    for bucket in model.resources("aws_s3_bucket"):
        value = bucket.get("force_destroy")
        if value is True:
            yield _locked_or_passed(model, bucket, locks)
        elif isinstance(value, Unknown):
            yield Result.unknown(
                bucket.address, "force_destroy", "force_destroy is only known after apply", "true"
            )
        else:
            failed = Result.failed(
                bucket.address,
                "force_destroy",
                "force_destroy is not set" if value is None else f"force_destroy = {show(value)}",
                "force_destroy = true",
            )
            if bucket.computed_in_configuration("force_destroy"):
                yield failed.needs_person(
                    "force_destroy comes from an expression (a variable, a module input): "
                    "set what it reads, for the stacks CI destroys"
                )
            else:
                yield failed.fixed_by(SetValue(bucket.address, ("force_destroy",), "true"))


def _locked_or_passed(model: RuleModel, bucket: Instance, locks: ReverseIndex) -> Result:
    mode = _compliance_lock(model, bucket, locks)
    if mode == "COMPLIANCE":
        return Result.failed(
            bucket.address,
            "object_lock_configuration",
            "force_destroy = true, but Object Lock's default retention is COMPLIANCE: no one "
            "can delete the locked versions before they expire, so DeleteBucket fails",
            "no COMPLIANCE default retention on a bucket CI destroys (GOVERNANCE is bypassed "
            "by force_destroy)",
        ).needs_person("retention is a compliance decision: change the lock or the rule's scope")
    if isinstance(mode, Unknown):
        return Result.unknown(
            bucket.address,
            "object_lock_configuration",
            "the Object Lock default retention mode is only known after apply (COMPLIANCE "
            "would keep force_destroy from emptying the bucket)",
            "GOVERNANCE or no default retention",
        )
    return Result.passed(bucket.address, "force_destroy", "force_destroy = true")


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
