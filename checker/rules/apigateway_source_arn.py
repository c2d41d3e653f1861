"""What a Lambda permission's `source_arn` says of an API (for TAP007): the part after the API's
(or a stage's) execution ARN, why it has the wrong shape, and which routes it matches.
"""

from __future__ import annotations

import fnmatch

from checker.core.address import reference_target, split_address
from checker.plan.instances import qualified_refs
from checker.plan.model import Instance
from checker.plan.values import Unknown
from checker.rules.apigateway_paths import path_of
from checker.rules.links import ReverseIndex, linked
from checker.rules.queries import RuleModel


def source_arn_suffix(
    model: RuleModel, permission: Instance, api: Instance
) -> tuple[str | None, str]:
    """The source_arn after the API's execution ARN; (None, why) when not decidable."""
    value = permission.get("source_arn")
    execution = api.get("execution_arn")
    arn = api.get("arn")
    if isinstance(value, str) and isinstance(arn, str) and value.startswith(arn):
        return None, WRONG_ATTRIBUTE
    if isinstance(value, str) and isinstance(execution, str):
        return (value[len(execution) :], "") if value.startswith(execution) else (None, "other API")
    if isinstance(value, str) and ":execute-api:" in value:
        api_id = api.get("id")
        if isinstance(api_id, str):
            resource = value.split(":", 5)[-1]
            if resource.startswith(api_id + "/"):
                return resource[len(api_id) :], ""
            return None, "other API"
    settled = model.written(permission, "source_arn")
    if not isinstance(settled, Unknown):
        return None, "source_arn does not name this API"
    if settled.parts:
        first, tail = settled.parts[0], settled.parts[1:]
        if isinstance(first, Unknown) and first.reference is not None:
            stage = _stage_head(model, first.reference, api)
            head = "" if stage is None else stage[0]
            if head is None:
                return None, stage[1] if stage is not None else ""
            shape = None if stage is not None else _shape(model, first.reference, api)
            if shape is not None:
                return None, shape
            texts = [p if isinstance(p, str) else _settled_text(model, p) for p in tail]
            if all(isinstance(t, str) for t in texts):
                return head + "".join(t for t in texts if isinstance(t, str)), ""
    if settled.reference is not None:
        stage = _stage_head(model, settled.reference, api)
        if stage is not None:
            return stage
        shape = _shape(model, settled.reference, api)
        return (None, shape) if shape is not None else ("", "")
    if settled.parts is not None or settled.expression is not None:
        return None, "source_arn is built from values only known after apply"
    return None, "source_arn is only known after apply and no source settles it"


def _settled_text(model: RuleModel, part: Unknown) -> str | None:
    """The text of a reference in a source_arn template that the configuration settles:
    a method's `http_method`, a resource's `path` (rebuilt from its path parts)."""
    if part.reference is None:
        return None
    target = reference_target(part.reference)
    found = model.designated(part)
    if target is None or len(found) != 1 or len(target[1]) != 1:
        return None
    inst, attribute = found[0], target[1][0]
    if inst.type == "aws_api_gateway_resource" and attribute == "path":
        return path_of(model, inst)
    value = model.settle(inst, attribute)
    return value if isinstance(value, str) else None


WRONG_ATTRIBUTE = "names the API's ARN, not its execution_arn"


def _shape(model: RuleModel, reference: str, api: Instance) -> str | None:
    """Why a reference at the head of source_arn has the wrong shape whatever its value:
    another attribute of this API (`.arn`, `.id`), or another API; None when it is
    this API's execution_arn or names something else (decided by its value)."""
    if model.points_at(reference, api, "execution_arn"):
        return None
    if model.points_at(reference, api):
        return WRONG_ATTRIBUTE
    target = reference_target(reference)
    if target is not None and split_address(target[0])[-2] == api.type:
        return "other API"
    return None


def route_matches(suffix: str, stages: list[str], method: str, path: str) -> bool:
    if suffix in ("", "/*", "*"):
        return True
    pattern = suffix if suffix.startswith("/") else "/" + suffix
    return any(
        fnmatch.fnmatchcase(f"/{stage}/{method}{path}", pattern) for stage in stages or ["stage"]
    )


def names_api(model: RuleModel, permission: Instance, api: Instance) -> bool:
    """Does the permission's source_arn expression reference the API?"""
    refs = qualified_refs(permission, permission.references("source_arn"))
    return any(model.points_at(ref, api) for ref in refs)


def stage_names(model: RuleModel, stages: ReverseIndex, api: Instance) -> list[str]:
    return [n for s in stages.get(api) if isinstance(n := model.settle(s, "stage_name"), str)]


STAGE = "aws_api_gateway_stage"


def _stage_head(model: RuleModel, reference: str, api: Instance) -> tuple[str | None, str] | None:
    """A source_arn that starts with a stage's `execution_arn` ("{API execution_arn}/{stage
    name}", aws_api_gateway_stage): the stage's part of the suffix, or why not; None when
    the reference is not a stage's execution_arn."""
    target = reference_target(reference)
    if target is None or split_address(target[0])[-2] != STAGE:
        return None
    if target[1][:1] != ("execution_arn",):
        return None, WRONG_ATTRIBUTE
    stages = model.designated(Unknown.of_reference(reference), (STAGE,))
    if len(stages) != 1:
        return None, f"{reference} designates {len(stages)} stages"
    stage = stages[0]
    if api not in linked(model, stage, ("rest_api_id",), ("aws_api_gateway_rest_api",)):
        return None, "other API"
    name = model.settle(stage, "stage_name")
    if not isinstance(name, str):
        return None, f"{stage.address} stage_name is only known after apply"
    return f"/{name}", ""
