"""TAP015: outputs expose everything validation needs.

Why: CI could not find the table name, function ARN, API URL, bucket, CMK or
EC2 instance it had to check (incident 15).

Anti-pattern: a stack with a bucket, table, function, API, key or instance but
no output that references its name/ID and ARN/URL/IP.
Best practice: one output per value, recognised here by what it references
(`aws_s3_bucket.X.arn`, `aws_api_gateway_stage.X.invoke_url`, ...), never by its name.

Scope: stacks of the TAP shape, that is plans with a Lambda function fed by a
bucket, a table or an API. A plan of unrelated resources is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, get_args

from pydantic import Field

from checker.core.address import join, parse_reference, split_address
from checker.plan.model import PlanModel
from checker.rules.base import Result, Rule, RuleContext, RuleMeta, RuleOptions, Severity

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
)

# kind -> (resource types whose presence requires it, attributes that satisfy it)
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bucket_name": (("aws_s3_bucket",), ("bucket", "id")),
    "bucket_arn": (("aws_s3_bucket",), ("arn",)),
    "table_name": (("aws_dynamodb_table",), ("name", "id")),
    "table_arn": (("aws_dynamodb_table",), ("arn",)),
    "function_name": (("aws_lambda_function",), ("function_name", "id")),
    "function_arn": (("aws_lambda_function",), ("arn", "qualified_arn")),
    "api_id": (("aws_api_gateway_rest_api",), ("id",)),
    "api_url": (("aws_api_gateway_stage", "aws_api_gateway_deployment"), ("invoke_url",)),
    "kms_key_id": (("aws_kms_key",), ("key_id", "id")),
    "kms_key_arn": (("aws_kms_key",), ("arn",)),
    "instance_id": (("aws_instance",), ("id",)),
    "instance_public_ip": (("aws_instance", "aws_eip"), ("public_ip", "public_dns")),
}
TRIGGER = {
    "api_url": "aws_api_gateway_rest_api",
    "instance_public_ip": "aws_instance",
}


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


def _leaf_groups(
    model: PlanModel, module: str, refs: tuple[str, ...], depth: int = 0
) -> list[list[str]]:
    """The references an output reaches, one group per output, through locals (when the
    sources are bound) and child-module outputs."""
    own: list[str] = []
    groups: list[list[str]] = []
    for ref in refs:
        parts = split_address(ref)
        followed = _local_refs(model, module, ref) if parts[0] == "local" else None
        if followed is not None and followed != [ref] and depth < 8:
            groups += _leaf_groups(model, module, tuple(followed), depth + 1)
        elif parts[0] == "module" and len(parts) >= 2 and depth < 8:
            child = join(module, f"module.{parts[1].split('[')[0]}")
            outputs = model.module_outputs.get(child, {})
            names = [parts[2]] if len(parts) >= 3 else list(outputs)
            for name in names:
                groups += _leaf_groups(model, child, outputs.get(name, ()), depth + 1)
        else:
            own.append(ref)
    return [own, *groups] if own else groups


def _exposed(refs: list[str]) -> set[tuple[str, str]]:
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
        out.add((kind, parsed.attribute[0] if parsed.attribute else "*"))
    return out


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


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    wanted: set[str] = set(
        ctx.options.required_outputs if isinstance(ctx.options, Options) else get_args(OutputKind)
    )
    shape = ("aws_s3_bucket", "aws_dynamodb_table", "aws_api_gateway_rest_api")
    if not model.resources("aws_lambda_function") or not any(model.resources(t) for t in shape):
        return
    exposed: set[tuple[str, str]] = set()
    names_only = False
    hidden: set[str] = set()  # root-module locals no source follows: they may hold anything
    for output in model.outputs.values():
        for leaves in _leaf_groups(model, "", output.references):
            exposed |= _exposed(leaves)
            # a variable in the value (`stack = var.name` in an object output), or a local
            # that is a constant name (locals that reference something were followed)
            locals_ = [r for r in leaves if r.startswith("local.")]
            unfollowed = {r for r in locals_ if _local_refs(model, "", r) is None}
            hidden |= unfollowed
            if any(r.startswith("var.") for r in leaves) or set(locals_) - unfollowed:
                names_only = True
        if not output.references and isinstance(output.value, str):
            names_only = True
    present = {t for kind in KINDS for t in KINDS[kind][0] if model.resources(t)}
    required = [
        kind
        for kind, (types, _) in KINDS.items()
        if kind in wanted
        and (TRIGGER[kind] in present if kind in TRIGGER else any(t in present for t in types))
    ]
    if "environment" in wanted and names_only:
        yield Result.passed(
            "outputs", "environment", "an output exposes the environment/stack name"
        )
    elif "environment" in wanted and hidden:
        yield _hidden("environment", hidden)
    elif "environment" in wanted:
        yield Result.failed(
            "outputs",
            "environment",
            "no output exposes the environment or stack name",
            "an output referencing the environment variable or stack-name local",
        )
    for kind in required:
        types, attrs = KINDS[kind]
        if any((t, a) in exposed for t in types for a in (*attrs, "*")):
            yield Result.passed("outputs", kind, f"an output exposes {kind.replace('_', ' ')}")
        elif hidden:
            yield _hidden(kind, hidden)
        else:
            shapes = " or ".join(f"{t}.<name>.{a}" for t in types for a in attrs[:1])
            yield Result.failed(
                "outputs",
                kind,
                f"no output exposes {kind.replace('_', ' ')}",
                f"an output whose value references {shapes}",
            )


RULE = Rule(meta=META, check=check, doc=__doc__ or "", options=Options)
