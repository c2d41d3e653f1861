"""TAP015: outputs expose everything validation needs.

Why: CI could not find the table name, function ARN, API URL, bucket, CMK or
EC2 instance it had to check (incident 15).

Anti-pattern: a stack whose uploads bucket, table, function, API, key or proof
instance has no output that references its name/ID and ARN/URL/IP, even when
another resource of the same type (an access-log bucket, a second key) is output.
Best practice: one output per value, recognised here by what it references
(`aws_s3_bucket.X.arn`, `aws_api_gateway_stage.X.invoke_url`, ...), never by its name.

The system's resources are found by links, never names: the function(s) a bucket
notification or an API integration invokes; the bucket(s) whose notification invokes
one; the REST API(s) whose integration does; the table(s) a function is wired to (an
environment variable or a Resource of its role's policies); the KMS key(s) encrypting
those (bucket default encryption, table SSE, the function's environment and log group,
the stage's access-log group); the instance(s) whose user data names a bucket or key of
the system. Exposure is tracked per resource address, through locals (sources bound) and
module outputs (a reference inside a child module's output belongs to that module
instance); an output of a whole resource (`[for b in aws_s3_bucket.this : b.bucket]`)
exposes each of its instances. Where no link identifies a resource of a kind, any
resource of the type will do (the seed's letter); where a hidden link (a local the plan
does not show, a dynamic block) may name one, only outputs of every resource of the type
pass, else the kind is unknown, naming the attribute.

Scope: stacks of the TAP shape, that is plans with a Lambda function fed by a
bucket, a table or an API. A plan of unrelated resources is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, get_args

from pydantic import Field

from checker.core.address import (
    config_address_of,
    join,
    parse_reference,
    reference_target,
    split_address,
    strip_key,
)
from checker.plan.model import Instance, PlanModel
from checker.plan.values import Unknown, Value
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity
from checker.rules.iam import resource_entries
from checker.rules.links import ReverseIndex, link_is_undecided, linked, role_policies
from checker.rules.tap008_log_groups import function_log_group

META = RuleMeta(
    id="TAP015",
    title="Outputs expose everything validation needs",
    severity=Severity.LOW,
    incident=15,
    rationale="Tests and CI resolve endpoints and names from outputs; a missing output breaks validation.",
    remediation=(
        "Add outputs for the environment/stack name, bucket name and ARN, table name and ARN, "
        "function name and ARN, API id and invoke URL, CMK id and ARN, EC2 instance id and public IP."
    ),
    resource_types=(
        "aws_s3_bucket",
        "aws_dynamodb_table",
        "aws_lambda_function",
        "aws_api_gateway_rest_api",
        "aws_kms_key",
        "aws_instance",
    ),
    aws_model=(
        "Terraform exposes a value of the stack to its caller and to CI (terraform output) only "
        "through an output block; a child module's resources only through the module's own "
        "outputs. CI needs the values of the system it validates: the bucket whose "
        "aws_s3_bucket_notification invokes the function, the function a notification or an API "
        "integration invokes, the REST API integrating it and the invoke URL of its stage or "
        "deployment, the table the function is wired to (environment variable or its role's "
        "policy Resource), the KMS keys encrypting these (bucket default encryption, table SSE, "
        "the function's kms_key_arn and log group, the stage's access-log group), and the "
        "instance whose user data writes to the system's bucket. An output references a "
        "resource's attribute (or the whole resource, exposing every instance of it); a local "
        "is followed where the sources are bound, a child module output to the resources behind "
        "it in that module instance."
    ),
    letter_vs_aws=(
        "The seed lists kinds of value (bucket name and ARN, table name and ARN, ...). The rule "
        "asks for the system's own resources: an access-log bucket's name, a second table the "
        "function never touches or an unrelated key does not stand for the uploads bucket, the "
        "function's table or the CMK encrypting the system. That is stricter than the letter and "
        "what CI needs; where no link identifies a resource of a kind, the letter is kept (any "
        "resource of the type will do)."
    ),
    limits=(
        "Links are followed by reference or equal known value only (no name conventions). With "
        "no link for a kind (no notification or integration reaching a function of the plan, a "
        "function with no table in its environment or role policies, nothing encrypted with a "
        "key, an instance whose user data names no bucket or key of the system), any resource "
        "of the type satisfies it; where a link the plan hides may name one (a bucket or "
        "function through a local, a dynamic block, a value known only after apply), only "
        "outputs of every resource of the type pass, else unknown. A table only granted "
        "through a wildcard or a hidden policy is not linked. From the plan alone an output "
        "through a local is unknown (plans stop at local.NAME) unless its planned value is a "
        "known string, which is then compared with the resources' known values. The "
        "environment output is recognised by its value (a variable or a constant-name local), "
        "not by what CI does with it. An alias's target_key_arn counts as its key's ARN; no "
        "other attribute of another resource (a notification's bucket) counts."
    ),
    references=(
        "Terraform language: Output values (https://developer.hashicorp.com/terraform/language/"
        "values/outputs)",
        "Terraform language: Accessing child module outputs (https://developer.hashicorp.com/"
        "terraform/language/modules/syntax#accessing-module-output-values)",
        "Terraform CLI: terraform output (https://developer.hashicorp.com/terraform/cli/commands/"
        "output)",
        "Terraform JSON output format: values representation, output references "
        "(https://developer.hashicorp.com/terraform/internals/json-format)",
        "Terraform AWS provider, aws_s3_bucket_notification (https://registry.terraform.io/"
        "providers/hashicorp/aws/latest/docs/resources/s3_bucket_notification)",
        "Terraform AWS provider, aws_kms_alias: target_key_arn is the ARN of the target key "
        "(https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/kms_alias)",
        "Seed incident 15: CI could not find the values it had to check "
        "(shared/seeds/000_dd5df331be740de9.txt)",
    ),
)

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
        self, model: PlanModel, inst: Instance, path: tuple[str | int, ...], *roles: str
    ) -> None:
        """The link at `inst.path` cannot be made from what is bound: `roles` stay open."""
        if link_is_undecided(model, inst, path):
            where = f"{inst.address}.{'.'.join(map(str, path))}"
            for role in roles:
                self.undecided.setdefault(role, where)

    def of(self, role: str) -> list[Part]:
        return list(self.parts.get(role, {}).values())


def _functions(model: PlanModel, inst: Instance, path: tuple[str | int, ...]) -> list[Instance]:
    """The functions an ARN-valued attribute invokes (through an alias too)."""
    found = linked(model, inst, path, (FUNCTION,))
    for alias in linked(model, inst, path, (ALIAS,)):
        found.extend(f for f in linked(model, alias, ("function_name",), (FUNCTION,)))
    return found


def _keys(model: PlanModel, inst: Instance, path: tuple[str | int, ...]) -> list[Instance]:
    """The CMKs an attribute names, directly or through an alias."""
    found: list[Instance] = []
    for target in linked(model, inst, path, (KEY, KMS_ALIAS)):
        if target.type == KEY:
            found.append(target)
        else:
            found.extend(linked(model, target, ("target_key_id",), (KEY,)))
    return found


def _tables(model: PlanModel, function: Instance) -> list[Instance]:
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


def _designated_tables(model: PlanModel, entry: Value, near: str) -> list[Instance]:
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


def _feeds(model: PlanModel, system: System) -> None:
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


def _encryption(model: PlanModel, system: System, functions: list[Instance]) -> None:
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


def _instances(model: PlanModel, system: System) -> None:
    """Instances whose user data names a bucket or key of the system (the proof writer)."""
    ours = {p.inst.address for role in ("bucket", "key") for p in system.of(role)}
    for inst in model.resources(INSTANCE):
        for path in ("user_data", "user_data_base64"):
            named = model.referenced(inst, path, types=(BUCKET, KEY, KMS_ALIAS))
            hits = [t for t, _ in named if t.address in ours]
            if hits:
                system.add("instance", inst, f"the instance writing to {hits[0].address}")
                break


def system_of(model: PlanModel) -> System:
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


# ------------------------------------------------------------------ what the outputs expose


@dataclass(frozen=True)
class Leaves:
    """References an output reaches in one module instance."""

    module: str  # configuration path: where locals and module outputs are read
    instance: str  # module instance address (keys as written; none: every instance)
    refs: tuple[str, ...]


def _local_refs(model: PlanModel, module: str, ref: str) -> list[str] | None:
    """What `local.NAME` in `module` references, from the bound or static sources (the
    evaluator's `local()` reads the same `locals` blocks); None when no source tells.

    A plan's `references` stop at `local.NAME` (locals are not in a plan), so without
    sources the local stays a leaf. A local written as a constant string keeps its name as
    its leaf: it is a name, not a resource attribute.
    """
    parts = split_address(ref)
    if len(parts) < 2 or model.source is None:
        return None
    raw = model.source.local_references(module, parts[1])
    if raw is None:
        return None
    found = [r for r in raw if r != ref]
    return found or [ref]


def _named_module_outputs(refs: tuple[str, ...]) -> set[str]:
    """`module.a` beside `module.a.arn` in one list (Terraform lists both): the bare call
    stands for the named outputs only, not for every output of the module."""
    return {
        parts[1] for parts in map(split_address, refs) if parts[0] == "module" and len(parts) >= 3
    }


def _leaf_groups(
    model: PlanModel, module: str, instance: str, refs: tuple[str, ...], depth: int = 0
) -> list[Leaves]:
    """The references an output reaches, one group per module instance, through locals
    (when the sources are bound) and child-module outputs."""
    own: list[str] = []
    groups: list[Leaves] = []
    named = _named_module_outputs(refs)
    for ref in refs:
        parts = split_address(ref)
        followed = _local_refs(model, module, ref) if parts[0] == "local" else None
        if followed is not None and followed != [ref] and depth < 8:
            groups += _leaf_groups(model, module, instance, tuple(followed), depth + 1)
        elif parts[0] == "module" and len(parts) >= 2 and depth < 8:
            if len(parts) == 2 and parts[1] in named:
                continue
            child = join(module, f"module.{strip_key(parts[1])[0]}")
            child_instance = join(instance, f"module.{parts[1]}")
            outputs = model.module_outputs.get(child, {})
            names = [parts[2]] if len(parts) >= 3 else list(outputs)
            for name in names:
                inner = outputs.get(name, ())
                groups += _leaf_groups(model, child, child_instance, inner, depth + 1)
        else:
            own.append(ref)
    return [Leaves(module, instance, tuple(own)), *groups] if own else groups


def _exposed(refs: tuple[str, ...]) -> set[tuple[str, str]]:
    """(resource type, attribute) pairs among leaf references; "*" for a whole resource.

    `{ for k, b in aws_s3_bucket.this : k => b.bucket }` references the resource
    itself (Terraform's `references` say `aws_s3_bucket.this`): it may expose any
    attribute of it. Terraform also lists `aws_x.y` beside every `aws_x.y.attr`, so
    the whole resource counts only when no attribute of it is named.
    """
    parsed_refs = [p for p in map(parse_reference, refs) if p is not None]
    with_attribute = {p.local_address for p in parsed_refs if p.attribute}
    out: set[tuple[str, str]] = set()
    for parsed in parsed_refs:
        if not parsed.attribute and parsed.local_address in with_attribute:
            continue
        pieces = parsed.local_address.split(".")
        kind = pieces[1] if pieces[0] == "data" else pieces[0]
        out.add((kind, parsed.attribute[0] if parsed.attribute else WHOLE))
    return out


def _exposed_at(model: PlanModel, leaves: Leaves) -> dict[str, set[str]]:
    """Instance address -> attributes the leaves expose ("*": the whole resource).

    A reference without a key (`aws_s3_bucket.this.arn` of a `for_each` resource, in a `for`
    expression) names every instance; one made in a child module output names the
    instances of that module instance.
    """
    with_attribute = {
        config_address_of(target[0])
        for ref in leaves.refs
        if (target := reference_target(ref)) is not None and target[1]
    }
    out: dict[str, set[str]] = {}
    near = leaves.instance if "[" in leaves.instance or not leaves.instance else None
    for ref in leaves.refs:
        target = reference_target(ref)
        if target is None or (not target[1] and config_address_of(target[0]) in with_attribute):
            continue
        attribute = target[1][0] if target[1] else WHOLE
        for inst in model.designated_by(join(leaves.instance, target[0]), near=near):
            out.setdefault(inst.address, set()).add(attribute)
    return out


@dataclass
class Exposure:
    """What the outputs expose: by instance address, by (type, attribute) for the kinds no
    link identifies, the environment name, and the root locals no source follows."""

    by_address: dict[str, set[str]] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    names_only: bool = False
    # root locals no source follows, in outputs whose planned value is hidden (they may hold
    # anything) or wholly known (they hold only `texts`: the strings, and their prefixes up
    # to a "/", of those values: what an output through them shows, compared by value)
    hidden: set[str] = field(default_factory=set)
    known_locals: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)

    def shows(self, inst: Instance, attributes: tuple[str, ...]) -> bool:
        have = self.by_address.get(inst.address, set())
        return any(a in have for a in (*attributes, WHOLE))

    def shows_value(self, inst: Instance, attributes: tuple[str, ...]) -> bool:
        """Does an output through an unfollowed local hold this known attribute's value?"""
        values = (inst.get(a) for a in attributes)
        return any(isinstance(v, str) and v in self.texts for v in values)

    def local_value(self, value: Value, locals_: set[str]) -> None:
        """Record an output through unfollowed locals: hidden, or by its known strings."""
        texts: list[str] = []
        if _known_texts(value, texts):
            self.known_locals |= locals_
            for text in texts:
                self.texts.add(text)
                self.texts.update(text[:i] for i, c in enumerate(text) if c == "/" and i > 0)
        else:
            self.hidden |= locals_


def _known_texts(value: Value, out: list[str]) -> bool:
    """Collect the string of a wholly known value. Only a string or a number counts: the
    model keeps an output's known members without the unknown ones (`after_unknown`), so a
    known-looking object or list may hide a member."""
    if isinstance(value, str):
        out.append(value)
        return True
    return isinstance(value, int | float | bool)


def _exposure(model: PlanModel) -> Exposure:
    exposure = Exposure()
    for output in model.outputs.values():
        for leaves in _leaf_groups(model, "", "", output.references):
            exposure.pairs |= _exposed(leaves.refs)
            for address, attributes in _exposed_at(model, leaves).items():
                exposure.by_address.setdefault(address, set()).update(attributes)
            # a variable in the value (`stack = var.name` in an object output), or a local
            # that is a constant name (locals that reference something were followed)
            locals_ = [r for r in leaves.refs if r.startswith("local.")]
            unfollowed = {r for r in locals_ if _local_refs(model, "", r) is None}
            if unfollowed:
                exposure.local_value(output.value, unfollowed)
            if any(r.startswith("var.") for r in leaves.refs) or set(locals_) - unfollowed:
                exposure.names_only = True
        if not output.references and isinstance(output.value, str):
            exposure.names_only = True
    _through_aliases(model, exposure)
    return exposure


def _through_aliases(model: PlanModel, exposure: Exposure) -> None:
    """An alias's `target_key_arn` is its key's ARN (aws_kms_alias attributes): an output of
    it exposes the key's ARN. Its `arn` is the alias's own ARN, which CI cannot use as one."""
    for address, attributes in list(exposure.by_address.items()):
        alias = model.instance(address)
        if alias is None or alias.type != KMS_ALIAS or "target_key_arn" not in attributes:
            continue
        for key in linked(model, alias, ("target_key_id",), (KEY,)):
            exposure.by_address.setdefault(key.address, set()).add("arn")
            exposure.pairs.add((KEY, "arn"))


# ------------------------------------------------------------------ verdicts


OutputKind = Literal[
    "environment",
    "bucket_name",
    "bucket_arn",
    "table_name",
    "table_arn",
    "function_name",
    "function_arn",
    "api_id",
    "api_url",
    "kms_key_id",
    "kms_key_arn",
    "instance_id",
    "instance_public_ip",
]


class Options(RuleOptions):
    """`required_outputs`: the outputs validation needs (default: every kind the seed lists).

    Each kind is asserted only when the plan has what it describes (no bucket, no
    bucket outputs); a kind left out is not asserted at all.
    """

    required_outputs: list[OutputKind] = Field(default_factory=lambda: list(get_args(OutputKind)))


def _hidden(kind: str, hidden: set[str]) -> Result:
    """A plan's `references` stop at `local.NAME`: what the local holds is only in the
    configuration, so an output through it may well expose `kind`."""
    names = ", ".join(sorted(hidden))
    return Result.unknown(
        "outputs",
        kind,
        f"outputs reference {names}; the plan alone does not say what a local holds",
        f"bind the configuration (--source DIR) so that {names} can be followed",
    )


def _environment(exposure: Exposure) -> Result:
    if exposure.names_only:
        return Result.passed(
            "outputs", "environment", "an output exposes the environment/stack name"
        )
    if exposure.hidden or exposure.known_locals:
        return _hidden("environment", exposure.hidden | exposure.known_locals)
    return Result.failed(
        "outputs",
        "environment",
        "no output exposes the environment or stack name",
        "an output referencing the environment variable or stack-name local",
    )


def _part_shown(system: System, exposure: Exposure, kind: Kind, inst: Instance) -> bool:
    """Does an output expose `kind` of this resource (an API's URL through its stages or
    deployments, an instance's public IP through its Elastic IPs too)?"""
    holders = [inst]
    if kind.role == "api" and kind.types != (API,):
        holders = [h for index in system.urls for h in index.get(inst)]
    elif kind.role == "instance" and EIP in kind.types and system.eips is not None:
        holders += system.eips.get(inst)
    return any(
        exposure.shows(h, kind.attributes) or exposure.shows_value(h, kind.attributes)
        for h in holders
    )


def _attribute_shape(kind: Kind, inst: Instance) -> str:
    if kind.types == (STAGE, DEPLOYMENT):
        return f"{STAGE}.<name>.invoke_url of a stage of {inst.address}"
    return f"{inst.address}.{kind.attributes[0]}"


def _linked_result(
    model: PlanModel, name: str, kind: Kind, parts: list[Part], system: System, exposure: Exposure
) -> Result:
    missing = [p for p in parts if not _part_shown(system, exposure, kind, p.inst)]
    undecided = system.undecided.get(kind.role)
    if not missing and undecided is not None and not _every_shown(model, kind, system, exposure):
        return _undecided(name, kind, undecided)
    if not missing:
        shown = ", ".join(p.inst.address for p in parts[:3]) + (", ..." if len(parts) > 3 else "")
        return Result.passed("outputs", name, f"an output exposes the {kind.label} of {shown}")
    if exposure.hidden:
        return _hidden(name, exposure.hidden)
    first = missing[0]
    more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    return Result.failed(
        "outputs",
        name,
        f"no output exposes the {kind.label} of {first.inst.address}, {first.why}{more}",
        f"an output whose value references {_attribute_shape(kind, first.inst)}",
    )


def _every_shown(model: PlanModel, kind: Kind, system: System, exposure: Exposure) -> bool:
    """Is `kind` exposed for every resource of the role's type (whichever a hidden link
    names)?"""
    candidates = model.resources(ROLE_TYPE[kind.role])
    return all(_part_shown(system, exposure, kind, c) for c in candidates)


def _undecided(name: str, kind: Kind, undecided: str) -> Result:
    return Result.unknown(
        "outputs",
        name,
        f"outputs do not expose the {kind.label} of every {kind.role}, and which one the "
        f"system uses is hidden: {undecided} is only known after apply or through a local",
        f"bind the configuration (--source DIR) so that {undecided} can be followed",
    )


def _any_result(
    model: PlanModel, name: str, kind: Kind, system: System, exposure: Exposure
) -> Result:
    """No link identifies the system's resource of this kind: any of the type will do,
    unless a link the plan hides may name one: then only every one of the type will."""
    label = name.replace("_", " ")
    undecided = system.undecided.get(kind.role)
    if any((t, a) in exposure.pairs for t in kind.types for a in (*kind.attributes, WHOLE)):
        if undecided is None or _every_shown(model, kind, system, exposure):
            return Result.passed("outputs", name, f"an output exposes {label}")
        return _undecided(name, kind, undecided)
    if exposure.hidden:
        return _hidden(name, exposure.hidden)
    if any(
        exposure.shows_value(i, kind.attributes) for t in kind.types for i in model.resources(t)
    ):
        return Result.passed("outputs", name, f"an output exposes {label} (by its value)")
    shapes = " or ".join(f"{t}.<name>.{a}" for t in kind.types for a in kind.attributes[:1])
    return Result.failed(
        "outputs",
        name,
        f"no output exposes {label}",
        f"an output whose value references {shapes}",
    )


def _required(model: PlanModel, name: str, kind: Kind) -> bool:
    """A kind is asserted only when the plan has what it describes."""
    return bool(model.resources(ROLE_TYPE[kind.role]))


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    wanted: set[str] = set(
        ctx.options.required_outputs if isinstance(ctx.options, Options) else get_args(OutputKind)
    )
    shape = (BUCKET, TABLE, API)
    if not model.resources(FUNCTION) or not any(model.resources(t) for t in shape):
        return
    exposure = _exposure(model)
    system = system_of(model)
    if "environment" in wanted:
        yield _environment(exposure)
    for name, kind in KINDS.items():
        if name not in wanted or not _required(model, name, kind):
            continue
        parts = system.of(kind.role)
        if parts:
            yield _linked_result(model, name, kind, parts, system, exposure)
        else:
            yield _any_result(model, name, kind, system, exposure)


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=Options)
