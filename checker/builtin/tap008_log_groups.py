"""TAP008: log groups exist first, are CMK-encrypted and have retention.

Why: Lambda and API Gateway created their log groups themselves, before ours,
unencrypted and kept forever (incident 8).

Anti-pattern: no `aws_cloudwatch_log_group` for the group the function logs to
(`logging_config.log_group` when set, else `/aws/lambda/<function>`); a function
not ordered after it; a log group without `kms_key_id` (or with a key ID or an
alias there, which CloudWatch Logs refuses) or without `retention_in_days`.
Best practice: declare `/aws/lambda/<function name>` with `kms_key_id` = the
CMK ARN and a retention, and make the function `depends_on` it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from checker.api import (
    AddDependsOn,
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
)
from checker.core.address import reference_target, split_address
from checker.rules.fix_idioms import as_neighbours_write, customer_key_arn, written_text
from checker.rules.iam import Tri
from checker.rules.log_groups import function_log_group

META = RuleMeta(
    id="TAP008",
    title="Log groups exist first, are CMK-encrypted and have retention",
    severity=Severity.HIGH,
    incident=8,
    rationale=(
        "A log group the service creates on first write is unencrypted and never expires; "
        "it must exist, encrypted, before the function runs."
    ),
    remediation=(
        'Declare aws_cloudwatch_log_group "/aws/lambda/<function name>" with kms_key_id = the '
        "CMK ARN and retention_in_days, and add it to the function's depends_on; give every "
        "log group kms_key_id and retention_in_days."
    ),
    resource_types=("aws_lambda_function", "aws_cloudwatch_log_group"),
    aws_model=(
        "Lambda sends a function's logs to the group its logging_config.log_group names, else to "
        "/aws/lambda/<function name>, and CloudWatch Logs creates that group on first write, "
        "unencrypted and kept forever, unless it already exists: the rule finds that group (by "
        "reference or name) and requires the function to be ordered after it. CreateLogGroup "
        "takes kmsKeyId as the ARN of a KMS key: a key ID, an alias name or an alias ARN is "
        "refused at apply; a reference to aws_kms_key.arn, aws_kms_alias.target_key_arn or an "
        "ARN written out as arn:aws:kms:<region>:<account>:key/<id> is accepted. Every log group "
        "needs kms_key_id and a retention."
    ),
    letter_vs_aws=(
        "The seed declares /aws/lambda/<function name>; with a custom logging_config.log_group "
        "AWS logs elsewhere, so the rule follows AWS and requires the named group instead. "
        "'kms_key_id = the CMK ARN' is the letter and AWS's requirement alike. Retention on "
        "every group is the seed's (AWS keeps logs forever without it; stricter and safe)."
    ),
    limits=(
        "Whether the key policy lets logs.<region>.amazonaws.com use the key "
        "(TAP003), a key in another region or account, a group created outside this plan "
        "(it fails as missing), log groups API Gateway or other services create. From the plan "
        "alone a kms_key_id written as a template is unknown (only its references are shown)."
    ),
    references=(
        "CloudWatch Logs API Reference, CreateLogGroup "
        "(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html)",
        "CloudWatch Logs API Reference, AssociateKmsKey "
        "(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_AssociateKmsKey.html)",
        "AWS Lambda Developer Guide, Configuring CloudWatch log groups "
        "(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html)",
        "AWS Lambda API Reference, LoggingConfig "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html)",
        "Terraform AWS provider, aws_cloudwatch_log_group "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/cloudwatch_log_group)",
        "Terraform AWS provider, aws_lambda_function logging_config "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function)",
    ),
    needs_person=(
        "which group a function writes to, and a key or retention the module's other log "
        "groups do not settle, are the team's choices"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            asserts=(
                "on `aws_lambda_function`: the log group it logs to (`logging_config.log_group`, "
                "else `/aws/lambda/<name>`) it is ordered after; on `aws_cloudwatch_log_group`: "
                "`kms_key_id` a key ARN (not a key ID or an alias) and a retention"
            ),
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            asserts="log groups have a `kms_key_id` and a retention above 0",
            partial=(
                "the function to log group edge; that `kms_key_id` is a key ARN, not a key ID or "
                "an alias"
            ),
        ),
    ),
)


KEY_ARN = re.compile(r"^arn:aws[\w-]*:kms:[^:]*:[^:]*:key/.+$")
ALIAS = re.compile(r"^(arn:aws[\w-]*:kms:[^:]*:[^:]*:)?alias/.+$")
# What each attribute of a key or alias resource holds when a kms_key_id references it.
KEY_ARN_ATTRIBUTES: dict[str, dict[str, bool]] = {
    "aws_kms_key": {"arn": True, "key_id": False, "id": False},
    "aws_kms_replica_key": {"arn": True, "key_id": False, "id": False},
    "aws_kms_external_key": {"arn": True, "id": False},
    "aws_kms_alias": {"target_key_arn": True, "arn": False, "name": False, "id": False},
}


def key_arn_verdict(model: RuleModel, group: Instance) -> tuple[Tri, str]:
    """Is `kms_key_id` a KMS key ARN, as CreateLogGroup/AssociateKmsKey require?

    A key ID or an alias is refused by CloudWatch Logs at apply time.
    """
    value = model.settle(group, "kms_key_id")
    text = value if isinstance(value, str) else None
    if isinstance(value, Unknown) and value.parts is not None:
        text = value.render("HOLE")
    if text is not None:
        if KEY_ARN.match(text):
            return True, f"kms_key_id is the key ARN {text}"
        if ALIAS.match(text):
            return False, f"kms_key_id is the alias {text}, not a key ARN"
        if isinstance(value, str):
            return False, f"kms_key_id {text} is a key ID, not a key ARN"
    verdicts: list[Tri] = []
    named: list[str] = []
    settled = _settled_reference(value)
    if settled is not None:  # through locals and module outputs (`local.key` = module.kms.key_arn)
        held, shown = settled
        if held is not None:
            return held, f"kms_key_id is {shown}" + (", a key ARN" if held else ", not a key ARN")
    if not _one_reference(group):  # a template (`arn:...:key/${...key_id}`) the plan hides
        hidden = value.describe() if isinstance(value, Unknown) else "not known"
        return None, f"whether kms_key_id is a key ARN is {hidden}"
    for target, attribute in model.referenced(group, "kms_key_id"):
        held = KEY_ARN_ATTRIBUTES.get(target.type, {}).get(attribute[0] if attribute else "")
        if held is not None:
            verdicts.append(held)
            named.append(f"{target.address}.{'.'.join(attribute)}")
    if verdicts and all(verdicts):
        return True, f"kms_key_id is {named[0]}, a key ARN"
    if False in verdicts:
        wrong = named[verdicts.index(False)]
        return False, f"kms_key_id is {wrong}, not a key ARN"
    hidden = value.describe() if isinstance(value, Unknown) else "not known"
    return None, f"whether kms_key_id is a key ARN is {hidden}"


def _settled_reference(value: object) -> tuple[bool | None, str] | None:
    """What attribute of what resource type a value the sources settle to one reference holds."""
    if not isinstance(value, Unknown) or value.reference is None:
        return None
    target = reference_target(value.reference)
    if target is None or not target[1]:
        return None
    pieces = split_address(target[0])  # ["module", "kms", "aws_kms_key", "this[0]"]
    type_ = pieces[-2] if len(pieces) >= 2 else ""
    held = KEY_ARN_ATTRIBUTES.get(type_, {}).get(target[1][0])
    return held, value.reference


def _one_reference(group: Instance) -> bool:
    """Is kms_key_id written as exactly one reference (Terraform also lists the bare
    resource address beside `aws_kms_key.k.arn`), not a template of several?"""
    refs = set(group.references("kms_key_id"))
    return len([r for r in refs if not any(o.startswith(f"{r}.") for o in refs)]) == 1


def _group_settings(model: RuleModel, group: Instance) -> tuple[Tri, str, str]:
    key = group.get("kms_key_id")
    retention = group.get("retention_in_days")
    if key is None or key == "":
        return False, "kms_key_id", f"{group.address} has no kms_key_id"
    is_arn, why = key_arn_verdict(model, group)
    if is_arn is False:
        return False, "kms_key_id", f"{group.address}: {why}; CloudWatch Logs refuses it"
    if retention is None or retention == 0:
        return (
            False,
            "retention_in_days",
            f"{group.address} keeps logs forever (no retention_in_days)",
        )
    if is_arn is None:
        return None, "kms_key_id", f"{group.address}: {why}"
    if isinstance(retention, Unknown):
        return None, "retention_in_days", f"{group.address} retention is only known after apply"
    return True, "", ""


def _function_results(model: RuleModel, function: Instance) -> Iterator[Result]:
    where = function_log_group(model, function)
    if where.name is None and where.group is None:
        yield Result.unknown(function.address, "function_name", where.hidden)
        return
    attribute = "logging_config" if where.custom else "aws_cloudwatch_log_group"
    if where.group is None:
        yield Result.failed(
            function.address,
            attribute,
            f"no aws_cloudwatch_log_group named {where.name}: Lambda creates it on first write, "
            "unencrypted and kept forever",
            "the log group declared with kms_key_id and retention_in_days",
        ).needs_person(
            "the group's name, key and retention are choices: declare it, or point "
            "logging_config at the declared one"
        )
        return
    group = where.group
    if not model.ordered_after(function, group):
        yield Result.failed(
            function.address,
            "depends_on",
            f"the function is not ordered after {group.address}",
            f"depends_on = [{group.config_address}]",
        ).fixed_by(AddDependsOn(function.address, group.address))
        return
    yield Result.passed(
        function.address, "depends_on", f"created after its log group {group.address}"
    )


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for function in model.resources("aws_lambda_function"):
        yield from _function_results(model, function)
    for group in model.resources("aws_cloudwatch_log_group"):
        ok, attribute, why = _group_settings(model, group)
        if ok is False:
            failed = Result.failed(
                group.address, attribute, why, "kms_key_id = the CMK ARN and a retention_in_days"
            )
            edits = _group_edits(model, group)
            if isinstance(edits, str):
                yield failed.needs_person(edits)
            else:
                yield failed.fixed_by(*edits)
        elif ok is None:
            yield Result.unknown(group.address, attribute, why)
        else:
            yield Result.passed(
                group.address,
                "kms_key_id",
                f"CMK-encrypted (key ARN), retention {group.get('retention_in_days')} days",
            )


# the attribute of each key or alias type that holds the key ARN CloudWatch Logs requires
ARN_ATTRIBUTE = {
    t: next(a for a, arn in attrs.items() if arn) for t, attrs in KEY_ARN_ATTRIBUTES.items()
}


def _group_edits(model: RuleModel, group: Instance) -> list[SetValue] | str:
    """The edits that give a log group a key ARN and a retention, following the module's
    other log groups (or its one customer managed key); else why a person decides."""
    edits: list[SetValue] = []
    key = group.get("kms_key_id")
    if key is None or key == "":
        text = customer_key_arn(model, group, "kms_key_id")
        if text is None:
            return "which key encrypts the group is the team's choice (the module's log groups name none, or several keys)"
        edits.append(SetValue(group.address, ("kms_key_id",), text))
    elif key_arn_verdict(model, group)[0] is False:
        text = _arn_of_same_key(model, group)
        if text is None:
            return (
                "kms_key_id is written as a key ID or alias the edit cannot turn into the key's ARN"
            )
        edits.append(SetValue(group.address, ("kms_key_id",), text))
    retention = group.get("retention_in_days")
    if retention is None or retention == 0:
        days = as_neighbours_write(model, group, "retention_in_days")
        if days is None or group.computed_in_configuration("retention_in_days"):
            return "how long the group keeps logs is the team's choice (the module's log groups set no one retention)"
        edits.append(SetValue(group.address, ("retention_in_days",), days))
    return edits


def _arn_of_same_key(model: RuleModel, group: Instance) -> str | None:
    """`aws_kms_key.k.key_id` -> `aws_kms_key.k.arn`, `aws_kms_alias.a.arn` ->
    `aws_kms_alias.a.target_key_arn`: the same key, named by its ARN."""
    config = group.config
    text = written_text(config.expression("kms_key_id")) if config is not None else None
    targets = model.referenced(group, "kms_key_id")
    if text is None or len({t.type for t, _ in targets}) != 1:
        return None
    target, attribute = targets[0]
    wanted = ARN_ATTRIBUTE.get(target.type)
    if wanted is None or not attribute or not text.endswith(f".{attribute[0]}"):
        return None
    return f"{text[: -len(attribute[0])]}{wanted}"


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
