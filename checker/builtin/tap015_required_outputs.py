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
from typing import Literal, get_args

from pydantic import Field

from checker.api import (
    AddOutput,
    EngineCoverage,
    EngineName,
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    RuleOptions,
    Severity,
)
from checker.rules.output_exposure import Exposure, exposure_of
from checker.rules.output_targets import (
    API,
    BUCKET,
    DEPLOYMENT,
    EIP,
    FUNCTION,
    KINDS,
    ROLE_TYPE,
    STAGE,
    TABLE,
    WHOLE,
    Kind,
    Part,
    System,
    system_of,
)

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
    needs_person=(
        "an output of the value's name that gives something else, the environment's name, or "
        "a resource in a child module (a module output to name): a person names them"
    ),
    engines=(
        EngineCoverage(
            EngineName.CHECKOV,
            why="outputs are not resources: checkov's checks never see them",
        ),
        EngineCoverage(
            EngineName.COMPLIANCE,
            why=(
                "outputs are recognised by what they reference; steps see output values, not "
                "references"
            ),
        ),
    ),
)
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
    model: RuleModel, name: str, kind: Kind, parts: list[Part], system: System, exposure: Exposure
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
    failed = Result.failed(
        "outputs",
        name,
        f"no output exposes the {kind.label} of {first.inst.address}, {first.why}{more}",
        f"an output whose value references {_attribute_shape(kind, first.inst)}",
    )
    return _with_outputs(model, failed, name, kind, [p.inst for p in missing], system)


def _with_outputs(
    model: RuleModel, failed: Result, name: str, kind: Kind, missing: list[Instance], system: System
) -> Result:
    """The failure with one output per resource whose `kind` none exposes: named after the
    kind (and the resource, when several or the name is free no more), its value a
    reference from the root module. A person decides when an output of that name exists
    (it gives something else), or the resource lives in a child module (exposing it takes
    a module output)."""
    if name in model.outputs:
        return failed.needs_person(
            f"an output named {name} exists and gives something else: which value it "
            "gives is the stack's interface"
        )
    edits: list[AddOutput] = []
    for inst in missing:
        holder = _holder(kind, inst, system)
        if holder is None or holder.module_address or holder.config is None:
            return failed.needs_person(
                f"the {kind.label} of {inst.address} is exposed through its module's outputs, "
                "which a person names"
            )
        output = name if len(missing) == 1 else f"{name}_{holder.name}"
        if output in model.outputs:
            return failed.needs_person(f"an output named {output} exists and gives something else")
        edits.append(AddOutput(output, f"{holder.address}.{kind.attributes[0]}", holder.address))
    return failed.fixed_by(*edits)


def _holder(kind: Kind, inst: Instance, system: System) -> Instance | None:
    """The resource whose attribute exposes `kind` of `inst`: an API's stage for its URL."""
    if kind.role == "api" and kind.types != (API,):
        stages = system.urls[0].get(inst) if system.urls else []
        return stages[0] if stages else None
    return inst


def _every_shown(model: RuleModel, kind: Kind, system: System, exposure: Exposure) -> bool:
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
    model: RuleModel, name: str, kind: Kind, system: System, exposure: Exposure
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


def _required(model: RuleModel, name: str, kind: Kind) -> bool:
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
    exposure = exposure_of(model)
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
