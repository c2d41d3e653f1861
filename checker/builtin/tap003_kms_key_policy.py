"""TAP003: the CMK policy lets CloudWatch Logs and Lambda use the key, with ViaService-scoped grants.

Why: a key policy that only trusts the account root blocks the regional logs
service and Lambda: log groups cannot be encrypted and data keys fail
intermittently (incident 3).

Anti-pattern: no statement for `logs.<region>.amazonaws.com`; Lambda allowed
`kms:CreateGrant` without `kms:ViaService` and `kms:GrantIsForAWSResource`; a
region other than the provider's; a policy that drops the account root.
Best practice: keep the root statement, allow `logs.<region>.amazonaws.com` and
`lambda.amazonaws.com` Encrypt/Decrypt/GenerateDataKey*/DescribeKey, and let
Lambda `CreateGrant` only with `kms:ViaService = lambda.<region>.amazonaws.com`
and `kms:GrantIsForAWSResource = true`.
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
    Severity,
    Status,
    checked,
)
from checker.core.iam import HIDDEN
from checker.core.key_policy import KeyUse, judge_key_policy
from checker.core.matching import HOLE, visible
from checker.rules.iam import (
    Hidden,
    Policy,
    policy_at,
)
from checker.rules.links import ReverseIndex, link_is_undecided, linked

META = RuleMeta(
    id="TAP003",
    title="CMK policy lets CloudWatch Logs and Lambda use the key (ViaService-scoped grants)",
    severity=Severity.CRITICAL,
    incident=3,
    rationale=(
        "Log groups and Lambda encrypted with a CMK need the key policy to trust the regional "
        "logs service and Lambda; grants must be scoped to Lambda acting for AWS resources."
    ),
    remediation=(
        "In the key policy keep the account-root statement; allow Service "
        '"logs.<region>.amazonaws.com" and "lambda.amazonaws.com" kms:Encrypt, kms:Decrypt, '
        "kms:GenerateDataKey*, kms:DescribeKey; allow lambda.amazonaws.com kms:CreateGrant with "
        'StringEquals kms:ViaService = "lambda.<region>.amazonaws.com" and Bool '
        "kms:GrantIsForAWSResource = true."
    ),
    resource_types=("aws_kms_key", "aws_kms_key_policy"),
    aws_model=(
        "The key policy is evaluated as KMS does (checker/core/evaluation.py, a key policy must "
        "allow service principals directly): for each log group the key encrypts, "
        "logs.<region>.amazonaws.com calling Encrypt, Decrypt, GenerateDataKey and DescribeKey "
        "with kms:EncryptionContext:aws:logs:arn = that log group's ARN must be allowed; "
        "lambda.amazonaws.com calling the same must be allowed; CreateGrant by Lambda via "
        "lambda.<region>.amazonaws.com for an AWS resource must be allowed, and without "
        "kms:ViaService, via another service, or not for an AWS resource must not be. Explicit "
        "Denies, IfExists operators and encryption-context conditions count as AWS counts them."
    ),
    letter_vs_aws=(
        "The seed's fix also requires the account root to administer the key (kms:*): AWS only "
        "warns of an unmanageable key, the rule keeps the seed's stricter demand. The seed names "
        "lambda.amazonaws.com as a key-policy principal; the rule follows the seed."
    ),
    limits=(
        "Grants and IAM policies of other principals are not evaluated; conditions on keys the "
        "stack cannot know (kms:CallerAccount of another account, source IPs) give unknown; "
        "the logs principal is regional and checked for the provider's region only."
    ),
    references=(
        "AWS KMS condition keys: kms:ViaService, kms:GrantIsForAWSResource "
        "(https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html)",
        "Encrypt log data in CloudWatch Logs using AWS KMS "
        "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)",
        "Key policies in AWS KMS (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)",
        "IAM condition operators, ...IfExists "
        "(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html)",
    ),
    needs_person=(
        "a key policy is its owner's document: the statement the finding names is added by whoever owns the key"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_kms_key` (its policy, or the `aws_kms_key_policy` that carries it): root"
                " admin; one Logs region and Lambda allowed "
                "Encrypt/Decrypt/GenerateDataKey*/DescribeKey; every Lambda `CreateGrant` pinned "
                "to `kms:ViaService = lambda.<region>` and `kms:GrantIsForAWSResource = true` "
                "(the Logs principal's region stands for the provider's)"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why=(
                "the key policy is a JSON document; steps cannot evaluate principals, actions and"
                " conditions inside it"
            ),
        ),
    ),
)


def keys_in_use(model: RuleModel) -> dict[str, Instance]:
    """Every aws_kms_key a log group or a Lambda function uses."""
    keys: dict[str, Instance] = {}
    for type_, attr in (
        ("aws_cloudwatch_log_group", "kms_key_id"),
        ("aws_lambda_function", "kms_key_arn"),
    ):
        for inst in model.resources(type_):
            for key in linked(model, inst, (attr,), ("aws_kms_key",)):
                keys.setdefault(key.address, key)
            for alias in linked(model, inst, (attr,), ("aws_kms_alias",)):
                for key in linked(model, alias, ("target_key_id",), ("aws_kms_key",)):
                    keys.setdefault(key.address, key)
    return keys


def hidden_key_links(model: RuleModel) -> list[str]:
    """Where a log group's or function's key is unknown and references nothing this model can
    follow (`kms_key_id = local.key_arn` in a plan without sources): "ADDRESS (REFS)" each.

    Any key of the plan may be the one it uses, so no key may pass silently for it.
    """
    hidden: list[str] = []
    for type_, attr in (
        ("aws_cloudwatch_log_group", "kms_key_id"),
        ("aws_lambda_function", "kms_key_arn"),
    ):
        for inst in model.resources(type_):
            if link_is_undecided(model, inst, (attr,)):
                refs = ", ".join(inst.references(attr)) or "a value known after apply"
                hidden.append(f"{inst.address}.{attr} ({refs})")
    return hidden


def key_policy(model: RuleModel, key: Instance) -> Policy:
    for attached in model.resources("aws_kms_key_policy"):
        if key in linked(model, attached, ("key_id",), ("aws_kms_key",)):
            return policy_at(model, attached, "policy")
    return policy_at(model, key, "policy")


def _log_groups_by_key(model: RuleModel) -> ReverseIndex:
    """Log groups per key they are encrypted with (a view: one pass over the log groups)."""
    return ReverseIndex.build(model, "aws_cloudwatch_log_group", ("kms_key_id",), ("aws_kms_key",))


def key_use(model: RuleModel, key: Instance, region: str) -> KeyUse:
    """The key's ARN, its account and the ARNs of the log groups encrypted with it."""
    identities = model.data("aws_caller_identity")
    known = [a for a in (d.get("account_id") for d in identities) if isinstance(a, str)]
    # the account as the policy's own template names it when the plan hides it
    named = [f"${{{d.address}.account_id}}" for d in identities if not d.module]
    account = known[0] if known else named[0] if len(named) == 1 else HOLE
    groups: list[str] = []
    for group in model.view(_log_groups_by_key).get(key):
        name = group.get("name")
        shown = (
            name if isinstance(name, str) else visible(name) if isinstance(name, Hidden) else HOLE
        )
        groups.append(f"arn:aws:logs:{region}:{account}:log-group:{shown}")
    arn = key.get("arn")
    return KeyUse(
        arn if isinstance(arn, str) else HIDDEN,
        account,
        region,
        tuple(groups) or (f"arn:aws:logs:{region}:{account}:log-group:{HOLE}",),
    )


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    in_use = keys_in_use(model)
    hidden = hidden_key_links(model)
    yield from _judge_keys(model, list(in_use.values()))
    if not hidden:
        return
    # A key no visible link reaches may be the one behind a hidden link: a policy that would
    # break it is unknown (not failed: it may serve nothing), one that is fine passes.
    maybe = [k for k in model.resources("aws_kms_key") if k.address not in in_use]
    for result in _judge_keys(model, maybe):
        if result.status == Status.FAILED:
            yield Result.unknown(
                result.address,
                result.attribute,
                f"{result.found}; which key {hidden[0]} designates is hidden",
                f"{result.expected}, if the key serves it (bind the configuration with "
                "--source DIR to follow the reference)",
            )
        else:
            yield result


def _judge_keys(model: RuleModel, keys: list[Instance]) -> Iterator[Result]:
    for key in keys:
        policy = key_policy(model, key)
        if not policy.complete:
            yield Result.unknown(
                key.address,
                "policy",
                policy.reason,
                f"a key policy readable in {checked(model)}",
            )
            continue
        region = model.region_of(key)
        if region is None:
            yield Result.unknown(
                key.address, "policy", f"the region of {key.address}'s provider is unknown"
            )
            continue
        if not policy.statements and key.get("policy") is None:
            yield Result.failed(
                key.address,
                "policy",
                "no key policy: the default policy trusts only the account root",
                "statements for CloudWatch Logs and Lambda",
            )
            continue
        verdict, found, expected = judge_key_policy(policy.statements, key_use(model, key, region))
        where = policy.origins[0] if policy.origins else key.address
        if verdict is False:
            yield Result.failed(key.address, "policy", f"{where}: {found}", expected, origin=where)
        elif verdict is None:
            yield Result.unknown(
                key.address, "policy", f"{found}: part of {where} is only known after apply"
            )
        else:
            yield Result.passed(
                key.address,
                "policy",
                f"key policy trusts the root, logs.{region}.amazonaws.com and Lambda with "
                "ViaService-scoped grants",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
