"""WIR002: resources AWS keeps one of per parent are managed once.

Why: incidents 9 and 14 as a class. AWS keeps one of some settings per parent: one policy,
lifecycle, notification, versioning, encryption, public access block, CORS, ownership,
logging and website configuration per S3 bucket; one policy per SNS topic and SQS queue; one
asynchronous invocation configuration per Lambda function and qualifier; one statement per
ID in a function's resource policy; one API Gateway account setting per region; and
Terraform's aws_iam_policy_attachment owns every attachment of its policy across the
account. Each Terraform resource writes the whole setting, so two of them (or two instances
of one) for the same parent fight: the later apply silently replaces the other on every
apply, or the second create fails.

Anti-pattern: two aws_s3_bucket_policy (or lifecycle, notification...) resources for one
bucket; a count = 2 policy of one topic; two aws_lambda_permission with the same
statement_id on one function; two aws_api_gateway_account in one region; two
aws_iam_policy_attachment of one policy.
Best practice: one resource per parent holding every piece of the setting (every statement of
the policy, every rule of the lifecycle, every trigger of the notification), and a unique
statement_id per permission (or none: Terraform then generates one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from checker.api import (
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    Value,
    show,
)
from checker.rules.lambda_targets import invoked
from checker.rules.links import alike_unknown, linked
from checker.wiring.singletons import SINGLETONS, Parent, Singleton

META = RuleMeta(
    id="WIR002",
    title="Resources AWS keeps one of per parent are managed once",
    severity=Severity.HIGH,
    incident=9,
    rationale=(
        "AWS keeps one of these settings per parent and each write replaces it whole; two "
        "resources for the same parent erase each other on every apply, or the second "
        "create fails."
    ),
    remediation=(
        "Merge the resources of one parent into one (every statement, rule or trigger in it) "
        "and delete the others; give each aws_lambda_permission of a function its own "
        "statement_id (or leave it out); keep one aws_api_gateway_account per region and one "
        "aws_iam_policy_attachment per policy (or use aws_iam_role_policy_attachment)."
    ),
    resource_types=tuple(s.type for s in SINGLETONS),
    aws_model=(
        "Each of these resource types writes one setting of its parent through an API that "
        "replaces it (S3 Put*Bucket* and PutPublicAccessBlock, SNS SetTopicAttributes Policy, "
        "SQS SetQueueAttributes Policy, Lambda PutFunctionEventInvokeConfig, API Gateway "
        "UpdateAccount), so two instances for one parent leave only the last applied and show "
        "a perpetual diff; Lambda AddPermission refuses a statement ID already in the "
        "function's (or the version's or alias's) policy with ResourceConflictException; "
        "aws_iam_policy_attachment detaches its policy from every principal it does not list. "
        "The parent is the bucket, topic, queue or policy the instance names (by reference, "
        "else by the same unknown template as the parent's own name, else by its literal "
        "value), the function and qualifier (and statement ID) a Lambda ARN names, or the "
        "region of the instance's provider."
    ),
    letter_vs_aws=(
        "The seed's fix for incident 9 (every trigger of a bucket in one notification) is "
        "AWS's constraint, here for every such setting; the seed's comment is the team's "
        "habit and is not required. Two permissions with the same statement_id on different "
        "qualifiers (a version and an alias) are two policies and pass."
    ),
    limits=(
        "Settings written outside this plan (another stack, the console, a parent's own "
        "inline argument such as aws_s3_bucket.policy, aws_sns_topic.policy or "
        "aws_sqs_queue.policy, aws_iam_role.managed_policy_arns) are not compared; neither "
        "are aws_iam_policy_attachment and the role/user/group attachments of the same "
        "policy. An unqualified permission and one qualified $LATEST are keyed apart. "
        "Providers of one region in two accounts (assume_role) are taken as one account. A "
        "parent only apply tells is unknown."
    ),
    references=(
        *(s.doc for s in SINGLETONS),
        "Amazon S3 User Guide, Amazon S3 Event Notifications "
        "(https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html)",
    ),
    needs_person=(
        "which resource stays, with every statement, rule or trigger of the others merged into "
        "it, is a person's choice"
    ),
)


@dataclass(frozen=True)
class Key:
    """The parent an instance writes the setting of: `key` groups, `label` is shown."""

    key: str
    label: str
    doubt: str = ""  # why a lone one may still share its parent with another (unknown)


@dataclass(frozen=True)
class Hidden:
    """The parent cannot be told before apply: `attribute` and why. `near`: (prefix,
    suffix) of the keys it may share (a function known, its qualifier hidden); a lone
    instance of such a key is then unknown, not passed."""

    attribute: str
    why: str
    near: tuple[tuple[str, str], ...] = ()

    def may_share(self, key: str) -> bool:
        return any(key.startswith(pre) and key.endswith(post) for pre, post in self.near)


SOURCES = "the bound .tf sources settle it"


def _resource(model: RuleModel, entry: Singleton, inst: Instance) -> Key | Hidden:
    """The parent resource `entry.attribute` names (TAP009's join, for every type)."""
    path: tuple[str | int, ...] = (entry.attribute,)
    parents = linked(model, inst, path, (entry.parent_type,))
    if not parents:  # a name written as the parent's own template is its name
        parents = alike_unknown(model, inst, path, entry.parent_type, entry.identity)
    if parents:
        return Key(parents[0].address, parents[0].address)
    value = inst.get(entry.attribute)
    if isinstance(value, str):
        return Key(f"{entry.parent_type}:{value}", value)
    return Hidden(
        entry.attribute,
        f"{entry.attribute} is only known after apply ({SOURCES}): whether another "
        f"{entry.type} manages the {entry.setting} of the same {entry.parent_type} is unknown",
    )


def _function(model: RuleModel, entry: Singleton, inst: Instance) -> Key | Hidden:
    """The function and qualifier a Lambda ARN (and `qualifier`) names."""
    found = invoked(model, inst, (entry.attribute,), model.settle(inst, "qualifier"))
    if found.targets and found.targets[0].qualifier is not None:
        target = found.targets[0]
        qual = target.qualifier or ""
        shown = found.show(qual)
        return Key(f"{target.function.address}|{qual}", f"{target.function.address} ({shown})")
    value, qualifier = inst.get(entry.attribute), inst.get("qualifier")
    if not found.targets and isinstance(value, str) and not isinstance(qualifier, Unknown):
        shown = f"{value}:{qualifier}" if isinstance(qualifier, str) and qualifier else value
        return Key(f"function:{shown}", shown)
    hidden = found.targets[0].hidden if found.targets else f"{entry.attribute} {_hidden(value)}"
    return Hidden(
        entry.attribute,
        f"the function or qualifier is hidden: {hidden} ({SOURCES}); whether another "
        f"{entry.type} manages the {entry.setting} of the same function is unknown",
        tuple((f"{t.function.address}|", "") for t in found.targets),
    )


def _statement(model: RuleModel, entry: Singleton, inst: Instance) -> Key | Hidden | None:
    """The function, qualifier and statement ID; None when Terraform generates the ID."""
    if inst.declared("statement_id") in (None, ""):
        return None  # not configured: the provider generates a unique one
    statement = model.settle(inst, "statement_id")
    if not isinstance(statement, str):
        return Hidden(
            "statement_id",
            f"statement_id {_hidden(statement)} ({SOURCES}): whether another permission of "
            "the same function uses the same ID is unknown",
        )
    function = _function(model, entry, inst)
    if isinstance(function, Hidden):
        near = tuple((pre, f"|{statement}") for pre, _ in function.near)
        return Hidden(function.attribute, function.why, near)
    return Key(f"{function.key}|{statement}", f"statement {statement} of {function.label}")


def _region(model: RuleModel, entry: Singleton, inst: Instance) -> Key | Hidden:
    region = model.region_of(inst)
    if region is not None:
        return Key(f"region:{region}", f"region {region}")
    provider = inst.config.provider_key if inst.config is not None else ""
    why = (
        f"the region of its provider is only known after apply ({SOURCES}): whether another "
        f"{entry.type} manages the {entry.setting} of the same region is unknown"
    )
    if not provider:
        return Hidden("provider", why)
    # one provider configuration is one region, whichever it turns out to be
    return Key(f"provider:{provider}", f"the region of provider {provider}", why)


def parent_of(model: RuleModel, entry: Singleton, inst: Instance) -> Key | Hidden | None:
    """The parent whose setting the instance writes; None: it cannot clash."""
    if entry.parent is Parent.RESOURCE:
        return _resource(model, entry, inst)
    if entry.parent is Parent.FUNCTION:
        return _function(model, entry, inst)
    if entry.parent is Parent.STATEMENT:
        return _statement(model, entry, inst)
    return _region(model, entry, inst)


def _hidden(value: Value) -> str:
    if isinstance(value, Unknown):
        return value.describe()
    return f"is {show(value)}" if value is not None else "is not set"


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for entry in SINGLETONS:
        yield from _judge(model, entry)


def _judge(model: RuleModel, entry: Singleton) -> Iterator[Result]:
    groups: dict[str, list[Instance]] = defaultdict(list)
    labels: dict[str, str] = {}
    keys: dict[str, Key] = {}
    hidden: list[tuple[Instance, Hidden]] = []
    attribute = entry.attribute or "provider"
    for inst in model.resources(entry.type):
        parent = parent_of(model, entry, inst)
        if parent is None:
            yield Result.passed(
                inst.address, "statement_id", "no statement_id: the provider generates one"
            )
        elif isinstance(parent, Hidden):
            hidden.append((inst, parent))
            yield Result.unknown(inst.address, parent.attribute, parent.why)
        else:
            groups[parent.key].append(inst)
            labels[parent.key] = parent.label
            keys[parent.key] = parent
    doubts = [k for k in keys.values() if k.doubt]
    for key, instances in groups.items():
        label = labels[key]
        maybe = [i.address for i, h in hidden if h.may_share(key)]
        if len(instances) == 1 and doubts:
            yield Result.unknown(instances[0].address, attribute, doubts[0].doubt)
            continue
        if len(instances) == 1 and maybe:
            yield Result.unknown(
                instances[0].address,
                attribute,
                f"{', '.join(maybe)} may also manage the {entry.setting} of {label}: only "
                f"apply tells (or {SOURCES})",
            )
            continue
        if len(instances) == 1:
            yield Result.passed(
                instances[0].address, attribute, f"the only {entry.type} of {label}"
            )
            continue
        addresses = ", ".join(i.address for i in instances)
        for inst in instances:
            yield Result.failed(
                inst.address,
                attribute,
                f"{len(instances)} resources manage the {entry.setting} of {label}: {addresses}",
                f"one {entry.type} per {_parent_noun(entry)}",
            )


def _parent_noun(entry: Singleton) -> str:
    return {
        Parent.RESOURCE: entry.parent_type,
        Parent.FUNCTION: "function and qualifier",
        Parent.STATEMENT: "statement_id of a function and qualifier",
        Parent.REGION: "region",
    }[entry.parent]


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
