"""What outputs must expose (for TAP015): the kinds of value CI needs, and the system's
resources they belong to (the function and what feeds it, its table, key, API, instance).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checker.core.address import (
    reference_target,
)
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value
from checker.rules.iam import resource_entries
from checker.rules.links import ReverseIndex, link_is_undecided, linked, role_policies
from checker.rules.log_groups import function_log_group
from checker.rules.queries import RuleModel

BUCKET = "aws_s3_bucket"
TABLE = "aws_dynamodb_table"
FUNCTION = "aws_lambda_function"
ALIAS = "aws_lambda_alias"
API = "aws_api_gateway_rest_api"
STAGE = "aws_api_gateway_stage"
DEPLOYMENT = "aws_api_gateway_deployment"
KEY = "aws_kms_key"
KMS_ALIAS = "aws_kms_alias"
INSTANCE = "aws_instance"
EIP = "aws_eip"
LOG_GROUP = "aws_cloudwatch_log_group"
SSE = "aws_s3_bucket_server_side_encryption_configuration"
WHOLE = "*"  # an output of the whole resource: any attribute of it


@dataclass(frozen=True)
class Kind:
    """One value CI needs: of which part of the system, which attributes show it."""

    role: str  # the system's part: bucket, table, function, api, key, instance
    label: str
    types: tuple[str, ...]  # resource types whose attributes expose it
    attributes: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "bucket_name": Kind("bucket", "name", (BUCKET,), ("bucket", "id")),
    "bucket_arn": Kind("bucket", "ARN", (BUCKET,), ("arn",)),
    "table_name": Kind("table", "name", (TABLE,), ("name", "id")),
    "table_arn": Kind("table", "ARN", (TABLE,), ("arn",)),
    "function_name": Kind("function", "name", (FUNCTION,), ("function_name", "id")),
    "function_arn": Kind("function", "ARN", (FUNCTION,), ("arn", "qualified_arn")),
    "api_id": Kind("api", "ID", (API,), ("id",)),
    "api_url": Kind("api", "invoke URL", (STAGE, DEPLOYMENT), ("invoke_url",)),
    "kms_key_id": Kind("key", "key ID", (KEY,), ("key_id", "id")),
    "kms_key_arn": Kind("key", "ARN", (KEY,), ("arn",)),
    "instance_id": Kind("instance", "ID", (INSTANCE,), ("id",)),
    "instance_public_ip": Kind(
        "instance", "public IP", (INSTANCE, EIP), ("public_ip", "public_dns")
    ),
}
ROLE_TYPE = {
    "bucket": BUCKET,
    "table": TABLE,
    "function": FUNCTION,
    "api": API,
    "key": KEY,
    "instance": INSTANCE,
}


# ------------------------------------------------------------------ the system's resources


@dataclass(frozen=True)
class Part:
    """A resource CI needs, and the link that makes it the system's."""

    inst: Instance
    why: str


@dataclass
class System:
    """The system's resources by role (address -> part), and the indexes that find the
    invoke URLs of an API and the Elastic IPs of an instance."""

    parts: dict[str, dict[str, Part]] = field(default_factory=dict)
    # role -> the attribute whose link the plan hides (a local, a value known after apply)
    undecided: dict[str, str] = field(default_factory=dict)
    urls: list[ReverseIndex] = field(default_factory=list)
    eips: ReverseIndex | None = None

    def add(self, role: str, inst: Instance, why: str) -> None:
        self.parts.setdefault(role, {}).setdefault(inst.address, Part(inst, why))

    def hide(
        self, model: RuleModel, inst: Instance, path: tuple[str | int, ...], *roles: str
    ) -> None:
        """The link at `inst.path` cannot be made from what is bound: `roles` stay open."""
        if link_is_undecided(model, inst, path):
            where = f"{inst.address}.{'.'.join(map(str, path))}"
            for role in roles:
                self.undecided.setdefault(role, where)

    def of(self, role: str) -> list[Part]:
        return list(self.parts.get(role, {}).values())


def _functions(model: RuleModel, inst: Instance, path: tuple[str | int, ...]) -> list[Instance]:
    """The functions an ARN-valued attribute invokes (through an alias too)."""
    found = linked(model, inst, path, (FUNCTION,))
    for alias in linked(model, inst, path, (ALIAS,)):
        found.extend(f for f in linked(model, alias, ("function_name",), (FUNCTION,)))
    return found


def _keys(model: RuleModel, inst: Instance, path: tuple[str | int, ...]) -> list[Instance]:
    """The CMKs an attribute names, directly or through an alias."""
    found: list[Instance] = []
    for target in linked(model, inst, path, (KEY, KMS_ALIAS)):
        if target.type == KEY:
            found.append(target)
        else:
            found.extend(linked(model, target, ("target_key_id",), (KEY,)))
    return found


def _tables(model: RuleModel, function: Instance) -> list[Instance]:
    """The tables a function is wired to: an environment variable referencing (or naming)
    one, or a Resource of its role's Allow statements designating one."""
    found = [t for t, _ in model.referenced(function, "environment", types=(TABLE,))]
    variables = function.get("environment", 0, "variables")
    if isinstance(variables, dict):
        for value in variables.values():
            found.extend(model.by_value(TABLE, "name", value))
    for role in linked(model, function, ("role",), ("aws_iam_role",)):
        statements, _complete, _why = role_policies(model).statements(role)
        for stmt in statements:
            if stmt.allows:
                for entry in resource_entries(stmt):
                    found.extend(_designated_tables(model, entry, role.module_address))
    return found


def _designated_tables(model: RuleModel, entry: Value, near: str) -> list[Instance]:
    """Tables a policy Resource names: by the references of a hidden ARN (the copy in the
    role's own module instance first), or by a known table ARN (its /index/... cut)."""
    if isinstance(entry, Unknown):
        found: list[Instance] = []
        for ref in (entry.reference,) if entry.reference is not None else entry.refs:
            target = reference_target(ref)
            if target is None:
                found.extend(i for i, _ in model.output_targets(ref) if i.type == TABLE)
            else:
                found.extend(
                    i for i in model.designated_by(target[0], near=near) if i.type == TABLE
                )
        return found
    if isinstance(entry, str) and ":table/" in entry and "*" not in entry:
        return model.by_value(TABLE, "arn", entry.split("/index/", 1)[0])
    return []


def _feeds(model: RuleModel, system: System) -> None:
    """Buckets notifying a function of the plan, APIs integrating one, and those functions."""
    for notification in model.resources("aws_s3_bucket_notification"):
        entries = notification.get("lambda_function")
        buckets = linked(model, notification, ("bucket",), (BUCKET,))
        for index in range(len(entries) if isinstance(entries, list) else 0):
            path = ("lambda_function", index, "lambda_function_arn")
            functions = _functions(model, notification, path)
            if not functions:
                system.hide(model, notification, path, "function", "bucket")
            elif not buckets:
                system.hide(model, notification, ("bucket",), "bucket")
            for function in functions:
                for bucket in buckets:
                    system.add("bucket", bucket, f"the bucket notifying {function.address}")
                    system.add("function", function, f"the function {bucket.address} notifies")
    for integration in model.resources("aws_api_gateway_integration"):
        apis = linked(model, integration, ("rest_api_id",), (API,))
        functions = _functions(model, integration, ("uri",))
        if not functions:
            system.hide(model, integration, ("uri",), "function", "api")
        elif not apis:
            system.hide(model, integration, ("rest_api_id",), "api")
        for function in functions:
            for api in apis:
                system.add("api", api, f"the REST API integrating {function.address}")
                system.add("function", function, f"the function {api.address} integrates")


def _encryption(model: RuleModel, system: System, functions: list[Instance]) -> None:
    """The keys encrypting the system's buckets, tables, functions and log groups."""
    by_bucket = ReverseIndex.build(model, SSE, ("bucket",), (BUCKET,))
    default = ("rule", 0, "apply_server_side_encryption_by_default", 0, "kms_master_key_id")
    for part in system.of("bucket"):
        for conf in by_bucket.get(part.inst):
            for key in _keys(model, conf, default):
                system.add("key", key, f"the key encrypting {part.inst.address}")
        legacy = ("server_side_encryption_configuration", 0, *default)
        for key in _keys(model, part.inst, legacy):
            system.add("key", key, f"the key encrypting {part.inst.address}")
    for part in system.of("table"):
        for key in _keys(model, part.inst, ("server_side_encryption", 0, "kms_key_arn")):
            system.add("key", key, f"the key encrypting {part.inst.address}")
    for function in functions:
        for key in _keys(model, function, ("kms_key_arn",)):
            system.add("key", key, f"the key encrypting {function.address}")
        group = function_log_group(model, function).group
        for key in _keys(model, group, ("kms_key_id",)) if group is not None else []:
            system.add("key", key, f"the key encrypting the log group of {function.address}")
    stages = system.urls[0]
    for part in system.of("api"):
        for stage in stages.get(part.inst):
            path = ("access_log_settings", 0, "destination_arn")
            for group in linked(model, stage, path, (LOG_GROUP,)):
                for key in _keys(model, group, ("kms_key_id",)):
                    system.add(
                        "key", key, f"the key encrypting the access logs of {part.inst.address}"
                    )


def _instances(model: RuleModel, system: System) -> None:
    """Instances whose user data names a bucket or key of the system (the proof writer)."""
    ours = {p.inst.address for role in ("bucket", "key") for p in system.of(role)}
    for inst in model.resources(INSTANCE):
        for path in ("user_data", "user_data_base64"):
            named = model.referenced(inst, path, types=(BUCKET, KEY, KMS_ALIAS))
            hits = [t for t, _ in named if t.address in ours]
            if hits:
                system.add("instance", inst, f"the instance writing to {hits[0].address}")
                break


def system_of(model: RuleModel) -> System:
    """The system CI validates (a view: one pass over each linking type)."""
    system = System()
    system.urls = [
        ReverseIndex.build(model, STAGE, ("rest_api_id",), (API,)),
        ReverseIndex.build(model, DEPLOYMENT, ("rest_api_id",), (API,)),
    ]
    system.eips = ReverseIndex.build(model, EIP, ("instance",), (INSTANCE,))
    _feeds(model, system)
    functions = [p.inst for p in system.of("function")] or model.resources(FUNCTION)
    for function in functions:
        for table in _tables(model, function):
            system.add("table", table, f"the table {function.address} is wired to")
    _encryption(model, system, functions)
    _instances(model, system)
    return system
