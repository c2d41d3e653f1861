"""Whether a role allows one call of a function's code, on the resources it may name.

The request is the call's action on each resource it may act on (`checker.wiring.
wired_resources`): the one the environment variable its argument reads holds, or, when
no argument is read from the environment, every resource of that service the
environment wires (`guessed`: a refusal there is not a certain one). IAM evaluation is
`checker.rules.ec2_write_grants.request_allowed`: an explicit Deny wins, an Allow whose
resource or condition only apply tells leaves the answer open.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.core.address import designates, reference_target
from checker.plan.model import Instance
from checker.plan.values import Unknown
from checker.rules.ec2_write_grants import request_allowed
from checker.rules.ec2_write_targets import Target
from checker.rules.iam import Statement, Tri, action_covered, resource_entries
from checker.rules.links import linked
from checker.rules.queries import RuleModel
from checker.wiring.call_targets import CodeCall, CodeCalls
from checker.wiring.wir003_event_source_mappings import MAPPING, SOURCES
from checker.wiring.wired_resources import Wired, every_wired, target, wired

ALLOW_ALL = Statement("Allow", actions=["*"], resources=["*"])


@dataclass(frozen=True)
class Verdict:
    """One request of a call: its resource, and whether the role (and boundary) allow it."""

    target: Target | None
    shown: str  # the resource as a person reads it
    allowed: Tri = None
    bounded: Tri = None  # the permissions boundary's answer (None when there is none)
    guessed: bool = False  # the call's argument was not read: a candidate resource
    why: str = ""  # why the request cannot be judged at all


def _evaluate(
    call: CodeCall,
    found: Target,
    statements: list[Statement],
    boundary: list[Statement] | None,
    shown: str,
    guessed: bool = False,
) -> Verdict:
    allowed = request_allowed(statements, call.action, found)
    bounded = request_allowed(boundary, call.action, found) if boundary is not None else None
    if allowed is False and _key_open(call, found, statements):
        return Verdict(
            found,
            shown,
            why="the role allows it on some objects of the bucket, and the key is built at "
            "run time",
        )
    return Verdict(found, shown, allowed, bounded, guessed)


def judge_call(
    model: RuleModel,
    function: Instance,
    call: CodeCall,
    statements: list[Statement],
    boundary: list[Statement] | None,
) -> list[Verdict]:
    """The call's requests, each judged."""
    if not call.resource_types:
        star = Target(function, "*", {}, model)
        return [_evaluate(call, star, statements, boundary, '"*" (no resource-level permission)')]
    env = wired(model, function)
    hidden: list[str] = []
    exact: list[Verdict] = []
    for variable in call.variables if env is not None else ():
        holding = env.get(variable) if env is not None else None
        if holding is None:
            continue
        if holding.hidden:
            hidden.append(variable)
        for inst in holding.instances:
            found = target(model, inst, call.resource_types, call.key)
            if found is not None:
                shown = f"{inst.address} (${variable})"
                exact.append(_evaluate(call, found, statements, boundary, shown))
    if exact:
        return exact
    if hidden:
        why = f"${hidden[0]} holds a value only known after apply"
        return [Verdict(None, f"the resource in ${hidden[0]}", why=why)]
    candidates = _candidates(model, function, env)
    guessed = [
        _evaluate(call, found, statements, boundary, inst.address, guessed=True)
        for inst in candidates
        if (found := target(model, inst, call.resource_types, call.key)) is not None
    ]
    if guessed:
        return guessed
    why = "the resource it names is none the stack wires into the function's environment"
    return [Verdict(None, "its resource", why=why)]


def _candidates(
    model: RuleModel, function: Instance, env: dict[str, Wired] | None
) -> list[Instance]:
    """Every resource the environment wires, whichever variable holds it."""
    out = {inst.address: inst for inst in every_wired(model, function)}
    for holding in (env or {}).values():
        for inst in holding.instances:
            out.setdefault(inst.address, inst)
    return list(out.values())


def _key_open(call: CodeCall, found: Target, statements: list[Statement]) -> bool:
    """An S3 object whose key is built at run time, and an Allow of the action on some of
    that bucket's objects: whether it covers the key depends on the key."""
    if call.key is not None and "*" not in call.key:
        return False
    if "object" not in call.resource_types or found.instance.type != "aws_s3_bucket":
        return False
    bucket = found.attributes.get("arn", "")
    for stmt in statements:
        if not stmt.allows or action_covered(stmt, call.action) is False:
            continue
        for entry in resource_entries(stmt):
            if isinstance(entry, str) and entry.startswith(f"{bucket}/"):
                return True
            if isinstance(entry, Unknown) and any(
                (named := reference_target(ref)) is not None
                and designates(named[0], found.instance.address)
                for ref in entry.refs
            ):
                return True
    return False


def denied(
    statements: list[Statement], boundary: list[Statement] | None, action: str, found: Target
) -> bool:
    """An explicit Deny of the role or its boundary certainly applies (it decides even when
    some Allow is not readable)."""
    denies = [s for s in [*statements, *(boundary or [])] if s.denies]
    return bool(denies) and request_allowed([*denies, ALLOW_ALL], action, found) is False


def _mapped_actions(model: RuleModel, function: Instance) -> set[str]:
    """The actions Lambda needs to poll the function's event sources (WIR003's): granted for
    Lambda, not for the code."""
    out: set[str] = set()
    for mapping in model.resources(MAPPING):
        functions = linked(model, mapping, ("function_name",), ("aws_lambda_function",))
        if not any(f.address == function.address for f in functions):
            continue
        for source in SOURCES:
            if linked(model, mapping, ("event_source_arn",), (source.type,)):
                out.update(a.lower() for a in source.actions())
    return out


def granted_but_unused(
    model: RuleModel, function: Instance, statements: list[Statement], calls: CodeCalls
) -> list[str]:
    """Actions the role allows by name, of the services the code calls, that no call needs
    (nor Lambda's polling of the function's event sources)."""
    prefixes = {c.prefix for c in calls.calls}
    called = {c.action.lower() for c in calls.calls} | _mapped_actions(model, function)
    out: dict[str, None] = {}
    for stmt in statements:
        if not stmt.allows:
            continue
        for action in stmt.actions or []:
            if not isinstance(action, str) or "*" in action or "?" in action:
                continue
            prefix = action.split(":", 1)[0].lower()
            if prefix in prefixes and action.lower() not in called:
                out.setdefault(action)
    return sorted(out, key=str.lower)
