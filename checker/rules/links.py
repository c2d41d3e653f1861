"""Joins between resources: by reference first, by equal known value second.

A link built here costs one pass over the linking type, so a rule joining two
types stays O(n). Value matching is what makes plans of existing stacks (where
ARNs and IDs are known and references may be absent) work as well.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from checker.aws import managed
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value, is_known
from checker.rules.base import checked
from checker.rules.iam import Policy, Statement, policy_at, statements_from_object
from checker.rules.queries import RuleModel

# The attributes whose known value identifies an instance of a type.
IDENTITY_ATTRS: dict[str, tuple[str, ...]] = {
    "aws_s3_bucket": ("bucket", "id", "arn"),
    "aws_lambda_function": ("function_name", "arn", "invoke_arn", "qualified_arn", "id"),
    "aws_iam_role": ("name", "arn", "id"),
    "aws_iam_policy": ("arn", "id"),
    "aws_kms_key": ("arn", "key_id", "id"),
    "aws_kms_alias": ("name", "arn", "target_key_arn"),
    "aws_cloudwatch_log_group": ("arn", "name", "id"),
    "aws_api_gateway_rest_api": ("id", "execution_arn", "arn"),
    "aws_api_gateway_resource": ("id",),
    "aws_api_gateway_deployment": ("id",),
    "aws_iam_instance_profile": ("name", "arn", "id"),
    "aws_dynamodb_table": ("name", "arn", "id"),
}


def linked(
    model: RuleModel, inst: Instance, path: tuple[str | int, ...], types: tuple[str, ...]
) -> list[Instance]:
    """Instances of `types` that the attribute at `path` of `inst` designates."""
    found = [target for target, _ in model.referenced(inst, *path, types=types)]
    if found:
        return found
    value = inst.get(*path)
    if not is_known(value) and model.source is not None:
        found = model.designated(model.settle(inst, *path), types)
        if found:
            return found
    if value is None or isinstance(value, Unknown):
        return []
    values = value if isinstance(value, list) else [value]
    out: dict[str, Instance] = {}
    for item in values:
        if not isinstance(item, str):
            continue
        for type_ in types:
            for attr in IDENTITY_ATTRS.get(type_, ("id", "arn", "name")):
                for target in model.by_value(type_, attr, item):
                    out.setdefault(target.address, target)
            # "arn:aws:s3:::bucket/*" and "arn:aws:s3:::bucket" designate the bucket too
            if type_ == "aws_s3_bucket" and item.startswith("arn:aws:s3:::"):
                name = item[len("arn:aws:s3:::") :].split("/", 1)[0]
                for target in model.by_value(type_, "bucket", name):
                    out.setdefault(target.address, target)
    return list(out.values())


def alike_unknown(
    model: RuleModel, inst: Instance, path: tuple[str | int, ...], type_: str, attr: str
) -> list[Instance]:
    """Instances of `type_` whose `attr` is the same unknown as `inst`'s value at `path`
    (`"tap-logs-${data.aws_caller_identity.current.account_id}"` on both sides): the same
    text around the same references is the same value, whatever they turn out to be. Only
    references count; two calls of a function (uuid()) may differ. One pass over `type_`."""
    value = model.settle(inst, *path)
    if not _fixed_shape(value):
        return []
    return [target for target in model.resources(type_) if model.settle(target, attr) == value]


def _fixed_shape(value: Value) -> bool:
    if not isinstance(value, Unknown) or value.expression is not None:
        return False
    if value.reference is not None:
        return True
    return value.parts is not None and all(
        isinstance(part, str) or (part.reference is not None and part.expression is None)
        for part in value.parts
    )


def link_is_undecided(model: RuleModel, inst: Instance, path: tuple[str | int, ...]) -> bool:
    """The attribute is unknown and references nothing resolvable: a join can't be made."""
    if not isinstance(inst.get(*path), Unknown) or model.referenced(inst, *path):
        return False
    return model.source is None or not model.designated(model.settle(inst, *path))


@dataclass
class ReverseIndex:
    """target address -> instances of `source_type` whose `attr` designates the target."""

    by_target: dict[str, list[Instance]]

    @classmethod
    def build(
        cls,
        model: RuleModel,
        source_type: str,
        path: tuple[str | int, ...],
        target_types: tuple[str, ...],
    ) -> ReverseIndex:
        index: dict[str, list[Instance]] = defaultdict(list)
        for inst in model.resources(source_type):
            for target in linked(model, inst, path, target_types):
                index[target.address].append(inst)
        return cls(dict(index))

    def get(self, target: Instance) -> list[Instance]:
        return self.by_target.get(target.address, [])


def permissions_by_function(model: RuleModel) -> ReverseIndex:
    """aws_lambda_permission instances per function they name (a view: built once per model)."""
    return model.view(_permissions_by_function)


def _permissions_by_function(model: RuleModel) -> ReverseIndex:
    return ReverseIndex.build(
        model, "aws_lambda_permission", ("function_name",), ("aws_lambda_function",)
    )


def role_policies(model: RuleModel) -> RolePolicies:
    """The policies of every role (a view: built once per model)."""
    return model.view(RolePolicies)


class RolePolicies:
    """Every policy attached to each role of the plan, built in one pass."""

    def __init__(self, model: RuleModel) -> None:
        self.model = model
        self.inline = ReverseIndex.build(model, "aws_iam_role_policy", ("role",), ("aws_iam_role",))
        self.attachments = ReverseIndex.build(
            model, "aws_iam_role_policy_attachment", ("role",), ("aws_iam_role",)
        )

    def managed_arns(self, role: Instance) -> list[str | None]:
        """ARNs of managed policies attached to the role (None: an unknown ARN)."""
        arns: list[str | None] = []
        for attachment in self.attachments.get(role):
            value = attachment.get("policy_arn")
            arns.append(value if isinstance(value, str) else None)
        listed = role.declared("managed_policy_arns")
        if isinstance(listed, list):
            arns.extend(a if isinstance(a, str) else None for a in listed)
        return arns

    def policies(self, role: Instance) -> list[Policy]:
        model = self.model
        out: list[Policy] = []
        for attached in self.inline.get(role):
            out.append(policy_at(model, attached, "policy"))
        inline_blocks = role.declared("inline_policy")
        if isinstance(inline_blocks, list):
            for index, block in enumerate(inline_blocks):
                if isinstance(block, dict) and block.get("policy") is not None:
                    out.append(policy_at(model, role, "inline_policy", index, "policy"))
        for attachment in self.attachments.get(role):
            policies = linked(model, attachment, ("policy_arn",), ("aws_iam_policy",))
            if policies:
                out.extend(policy_at(model, p, "policy") for p in policies)
                continue
            out.append(_attached(attachment.get("policy_arn"), attachment.address, model))
        out.extend(self._exclusive(role))
        return out

    def _exclusive(self, role: Instance) -> list[Policy]:
        """The policies of `managed_policy_arns` (the role's exclusive attachments)."""
        model = self.model
        listed = role.declared("managed_policy_arns")
        if listed is None:
            return []
        ours = linked(model, role, ("managed_policy_arns",), ("aws_iam_policy",))
        out = [policy_at(model, p, "policy") for p in ours]
        if not isinstance(listed, list):
            if not ours:
                out.append(Policy([], False, f"{role.address}: managed_policy_arns {HIDDEN}"))
            return out
        known = {arn for p in ours if isinstance(arn := p.get("arn"), str)}
        hidden = len(ours) - len(known)  # policies of this plan whose ARN is not known yet
        for arn in listed:
            if isinstance(arn, str) and arn in known:
                continue
            if not isinstance(arn, str) and hidden > 0:
                hidden -= 1
                continue
            out.append(_attached(arn, role.address, model))
        return out

    def boundary(self, role: Instance) -> Policy | None:
        """The role's permissions boundary (None: the role has none).

        "Permissions boundaries for IAM entities": an identity-based Allow counts only
        when the boundary allows too; a boundary the plan does not show is incomplete.
        """
        arn = role.get("permissions_boundary")
        if arn is None or arn == "":
            return None
        origin = f"{role.address}.permissions_boundary"
        for policy in linked(self.model, role, ("permissions_boundary",), ("aws_iam_policy",)):
            return policy_at(self.model, policy, "policy")
        return _attached(arn, origin, self.model)

    def statements(self, role: Instance) -> tuple[list[Statement], bool, list[str]]:
        """All statements, whether every policy was readable, and why not."""
        statements: list[Statement] = []
        complete = True
        reasons: list[str] = []
        for policy in self.policies(role):
            statements.extend(policy.statements)
            if not policy.complete:
                complete = False
                reasons.append(policy.reason)
        return statements, complete, reasons


HIDDEN = "is only known after apply"


def _attached(arn: Value, origin: str, model: RuleModel) -> Policy:
    """A policy attached by ARN that no aws_iam_policy of the plan is: an AWS managed policy
    by its full ARN (path included: AWS's published list, `checker.aws.managed`), else a
    policy whose statements this plan does not show."""
    if isinstance(arn, str) and (document := managed.document(arn)) is not None:
        parsed = statements_from_object(document, origin)
        if parsed is not None:
            return Policy(parsed, True, origins=[origin])
    if isinstance(arn, str) and managed.is_aws_managed(arn):
        return Policy(
            [],
            False,
            f"{origin}: AWS publishes no managed policy at {arn} (as of {managed.source()}): "
            "check its path; attaching it fails at apply",
        )
    if isinstance(arn, str):
        return Policy([], False, f"{origin}: the statements of {arn} are not in {checked(model)}")
    return Policy([], False, f"{origin}: the attached policy_arn {HIDDEN}")
