"""TAP001: an S3 notification has a matching Lambda permission and depends on it.

Why: S3 validates the destination when the notification is created; without an
`aws_lambda_permission` for `s3.amazonaws.com` on that bucket the call fails or,
worse, events never fire. Terraform may also create the notification before the
permission unless the notification `depends_on` it (incident 1).

Anti-pattern: a notification whose function has no S3 permission, a permission
for another bucket or for the bucket's objects (`"${bucket.arn}/*"`: S3 sends the
bucket's ARN, which never matches), a permission on another qualifier than the
one the notification invokes (the function ARN, a version or an alias: a
permission covers only the ARN it was granted on), or no `depends_on`.
Best practice: `aws_lambda_permission` with `principal = "s3.amazonaws.com"`,
`source_arn = aws_s3_bucket.X.arn`, and `depends_on = [that permission]` on the
notification.
"""

from __future__ import annotations

from collections.abc import Iterator

from checker.api import (
    AddBlock,
    AddDependsOn,
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    Value,
    checked,
    show,
)
from checker.rules.fix_idioms import attribute_of_same, free_name, invoke_permission, written_text
from checker.rules.lambda_targets import (
    INVOKE,
    Granted,
    Invoked,
    Target,
    allows_invoke,
    arn_like,
    arn_of,
    other_qualifier,
    permissions_by_target,
    text_of_arn,
)
from checker.rules.lambda_targets import invoked as invoked_by
from checker.rules.links import linked

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
    aws_model=(
        "S3 invokes the function ARN the notification names (lambda_function_arn: the function, "
        "a version or an alias) as principal s3.amazonaws.com, with the bucket's ARN "
        "(arn:aws:s3:::BUCKET) as aws:SourceArn. Lambda allows it only through a permission "
        "granted on that same ARN (no qualifier covers only the unqualified ARN; a qualifier, "
        "or a version or alias ARN as function_name, covers only that version or alias), "
        "whose action allows lambda:InvokeFunction and whose source_arn matches the bucket "
        "ARN under ArnLike (so arn:aws:s3:::BUCKET/* never matches). S3 validates the "
        "destination when the notification is created, so the notification must depend on "
        "that permission."
    ),
    letter_vs_aws=(
        "The fix asks for source_arn = the bucket ARN; AWS also accepts a permission without "
        "source_arn (any bucket, of any account, may then invoke). The rule follows the fix "
        "there (stricter and safe) and fails it. A source_arn pattern that matches the bucket "
        "(arn:aws:s3:::${bucket}) passes, as AWS accepts it."
    ),
    limits=(
        "source_account and the bucket's account are not compared; cross-account functions "
        "are judged by name. A $LATEST-qualified function ARN (qualified_arn of a function "
        "without publish) with a function-level permission is unknown: AWS documents no "
        "permission scoped to $LATEST. From the plan alone at creation, source_arn and "
        "lambda_function_arn name only their references, not their shape (bucket.arn or "
        '"${bucket.arn}/*"): unknown until the .tf sources are bound.'
    ),
    references=(
        "AWS Lambda API Reference, AddPermission (Qualifier, SourceArn) "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html)",
        "AWS Lambda Developer Guide, Using Lambda aliases in event sources and permissions "
        "policies (https://docs.aws.amazon.com/lambda/latest/dg/using-aliases.html)",
        "AWS Lambda Developer Guide, Tutorial: Using an Amazon S3 trigger to invoke a Lambda "
        "function (https://docs.aws.amazon.com/lambda/latest/dg/with-s3-example.html)",
        "Amazon S3 User Guide, Granting permissions to publish event notification messages to "
        "a destination (https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
        "grant-destinations-permissions-to-s3.html)",
        "Terraform AWS provider, aws_lambda_permission (https://registry.terraform.io/"
        "providers/hashicorp/aws/latest/docs/resources/lambda_permission)",
        "Terraform AWS provider, aws_lambda_function qualified_arn (https://registry."
        "terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function)",
    ),
    needs_person=(
        "a permission that already names S3 or the bucket but is wrong (another bucket, "
        "principal or qualifier) is mended by a person: a second one beside it would hide it"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_s3_bucket_notification`: each target function has an `s3.amazonaws.com` "
                "permission allowing `lambda:InvokeFunction` on the same qualifier (version or "
                "alias) whose `source_arn` is the notification's bucket ARN (never `bucket/*`), "
                "and the notification's `depends_on` names it"
            ),
            partial=(
                "a bucket ARN or bucket a module computes from its inputs before apply (a "
                "notification submodule's `coalesce(var.bucket_arn, ...)` in a create plan): "
                "checkov's plan graph does not follow module variables"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why=(
                "needs a join (notification, function, permission for that bucket) and "
                "`depends_on`, which no step reads"
            ),
        ),
    ),
)


S3 = "s3.amazonaws.com"


def permission_matches(
    model: RuleModel, grant: Granted, invoked: Invoked, target: Target, bucket: Instance | None
) -> tuple[bool | None, str]:
    """Does this permission let S3 (from this bucket) invoke the notification's function ARN?
    (verdict, why not). Lambda compares the ARN called (function and qualifier) and the
    source ARN S3 sends, which is the bucket's ARN."""
    permission = grant.permission
    principal = permission.get("principal")
    if principal != S3:
        if isinstance(principal, str):
            return False, f"{permission.address} principal is {show(principal)}"
        return None, f"{permission.address} principal is only known after apply"
    action = allows_invoke(model.settle(permission, "action"))
    if not action:
        found = f"{permission.address} action {show(permission.get('action'))}"
        if action is False:
            return False, f"{found} does not allow {INVOKE}"
        return None, f"{found} is only known after apply"
    other = other_qualifier(grant, invoked, target, "the notification")
    if other is not None:
        return other
    if bucket is None:
        return None, "the notification's bucket is not identified"
    return _source(model, permission, bucket)


def _source(model: RuleModel, permission: Instance, bucket: Instance) -> tuple[bool | None, str]:
    """S3 sends the bucket's ARN as aws:SourceArn; the permission's source_arn must match it
    (ArnLike). No source_arn at all lets any bucket of any account invoke: the fix wants it."""
    if permission.get("source_arn") is None and not permission.references("source_arn"):
        return False, f"{permission.address} has no source_arn"
    pattern = text_of_arn(model, permission, "source_arn")
    arn = arn_of(model, bucket)
    if pattern is None or arn is None:
        hidden = model.settle(permission, "source_arn")
        where = f"{permission.address} source_arn" if pattern is None else f"{bucket.address} arn"
        return None, f"{where} {_describe(hidden) if pattern is None else 'is hidden'}"
    like = arn_like(pattern, arn)
    shown = f"{permission.address} source_arn {show(model.settle(permission, 'source_arn'))}"
    if like is True:
        return True, ""
    if like is None:
        return None, f"{shown} may or may not match {bucket.address}'s ARN: only apply tells"
    return False, f"{shown} does not match the ARN S3 sends, {bucket.address}'s ARN"


def _describe(value: Value) -> str:
    if isinstance(value, Unknown) and value.reference is None and value.parts is None:
        return (
            "is only known after apply and the plan names only its references, not its shape "
            "(bound .tf sources settle it)"
        )
    return value.describe() if isinstance(value, Unknown) else "cannot be read"


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_function = permissions_by_target(model)
    for notification in model.resources("aws_s3_bucket_notification"):
        entries = notification.get("lambda_function")
        if not isinstance(entries, list) or not entries:
            continue
        buckets = linked(model, notification, ("bucket",), ("aws_s3_bucket",))
        bucket = buckets[0] if buckets else None
        missing_depends: set[str] = set()  # one finding per permission not depended on
        for index, _entry in enumerate(entries):
            yield from _entry_results(
                model, by_function, notification, index, bucket, missing_depends
            )


def _entry_results(
    model: RuleModel,
    by_function: dict[str, list[Granted]],
    notification: Instance,
    index: int,
    bucket: Instance | None,
    missing_depends: set[str],
) -> Iterator[Result]:
    attribute = f"lambda_function[{index}]"
    path: tuple[str | int, ...] = ("lambda_function", index, "lambda_function_arn")
    invoked = invoked_by(model, notification, path)
    if not invoked.targets:
        arn = notification.get(*path)
        if isinstance(arn, Unknown) or notification.references("lambda_function", index):
            yield Result.unknown(
                notification.address,
                f"{attribute}.lambda_function_arn",
                f"the target function cannot be identified in {checked(model)}",
                f"a function of {checked(model)}",
            )
        return
    target = invoked.targets[0]
    function = target.function
    grants = by_function.get(function.address, [])
    verdicts = {
        g.permission.address: permission_matches(model, g, invoked, target, bucket) for g in grants
    }
    matching = [g.permission for g in grants if verdicts[g.permission.address][0] is True]
    maybe = [g.permission for g in grants if verdicts[g.permission.address][0] is None]
    if not matching and not maybe:
        reasons = [why for ok, why in verdicts.values() if "principal is" not in why]
        failed = Result.failed(
            notification.address,
            attribute,
            f"no aws_lambda_permission lets s3.amazonaws.com invoke {function.address}"
            + (f" from {bucket.address}" if bucket else "")
            + (f": {reasons[0]}" if reasons else ""),
            "a permission with principal s3.amazonaws.com, action lambda:InvokeFunction, "
            "that function (and the qualifier the notification invokes) and "
            "source_arn = the bucket ARN",
        )
        meant = [g for g in grants if _meant_for(model, g.permission, bucket)]
        edits = None if meant else _new_permission(model, notification, index)
        if edits is None:
            yield failed.needs_person(
                "which permission grants the invoke (a new one, or one scoped to another "
                "bucket or principal) is a person's choice"
            )
        else:
            yield failed.fixed_by(*edits)
        return
    candidates = matching or maybe
    depends = [p for p in candidates if model.depends_on_explicitly(notification, p)]
    if not depends:
        if candidates[0].address in missing_depends:
            return
        missing_depends.add(candidates[0].address)
        yield Result.failed(
            notification.address,
            "depends_on",
            f"depends_on does not name {candidates[0].address}",
            f"depends_on = [{candidates[0].config_address}]",
        ).fixed_by(AddDependsOn(notification.address, candidates[0].address))
    elif not matching:
        yield Result.unknown(
            notification.address,
            attribute,
            f"{depends[0].address} may let S3 invoke {function.address}: "
            f"{verdicts[depends[0].address][1]}",
            "source_arn = the bucket's ARN, on the function ARN the notification invokes",
        )
    else:
        yield Result.passed(
            notification.address,
            attribute,
            f"{depends[0].address} lets S3 invoke {function.address} and the notification "
            "depends on it",
        )


def _meant_for(model: RuleModel, permission: Instance, bucket: Instance | None) -> bool:
    """Is the permission written for S3 or for this bucket (so mending it is a choice, and a
    second permission beside it would hide the one that is wrong)?"""
    if permission.get("principal") == S3:
        return True
    named = model.referenced(permission, "source_arn")
    return bucket is None or any(target.address == bucket.address for target, _ in named)


def _new_permission(
    model: RuleModel, notification: Instance, index: int
) -> tuple[AddBlock, AddDependsOn] | None:
    """For a function no permission names at all: the permission S3 needs, scoped to the
    bucket, written after the notification, and the notification ordered after it. The
    function is named as the notification names it (its ARN, with any qualifier); None when
    the notification is repeated or names the bucket or function other than by reference."""
    config = notification.config
    if config is None or notification.index is not None:
        return None
    function = written_text(config.expression("lambda_function", index, "lambda_function_arn"))
    bucket = attribute_of_same(written_text(config.expression("bucket")), ("id", "bucket"), "arn")
    own = config.local_address.split(".", 1)[1]
    name = free_name(model, notification, "aws_lambda_permission", own, f"{own}_s3")
    if function is None or bucket is None or name is None:
        return None
    text = invoke_permission(name, "AllowS3Invoke", function, S3, bucket)
    return (
        AddBlock(notification.address, text),
        AddDependsOn(notification.address, local=f"aws_lambda_permission.{name}"),
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
