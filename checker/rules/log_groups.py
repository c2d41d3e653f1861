"""Where a Lambda function's logs go: the log group `logging_config` names, else Lambda's
default `/aws/lambda/<name>`, found among the plan's groups (for TAP008 and TAP015).
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.plan.model import Instance
from checker.rules.links import linked
from checker.rules.queries import RuleModel

DEFAULT_GROUP = "/aws/lambda/{}"


@dataclass(frozen=True)
class LogDestination:
    """Where a function's logs go: the group's name (None when hidden) and the group."""

    name: str | None
    group: Instance | None
    custom: bool  # named by `logging_config { log_group }`, not Lambda's default
    hidden: str = ""  # why the name is not known


def function_log_group(model: RuleModel, function: Instance) -> LogDestination:
    """The group the function writes to: `logging_config.log_group` when the configuration
    sets it (Lambda then logs there, not to /aws/lambda/<name>), else /aws/lambda/<name>."""
    custom = _custom_group(model, function)
    if custom is not None:
        return custom
    name = function.get("function_name")
    if isinstance(name, str):
        wanted = DEFAULT_GROUP.format(name)
        return LogDestination(wanted, _group_named(model, function, wanted), custom=False)
    return LogDestination(None, None, False, "the function name is only known after apply")


def _custom_group(model: RuleModel, function: Instance) -> LogDestination | None:
    path = ("logging_config", 0, "log_group")
    written = model.written(function, *path)
    if written is None or written == "":
        return None  # not set: the provider computes Lambda's default group
    groups = linked(model, function, path, ("aws_cloudwatch_log_group",))
    value = function.get(*path)
    name = value if isinstance(value, str) else written if isinstance(written, str) else None
    if groups:
        return LogDestination(name or groups[0].address, groups[0], custom=True)
    if name is not None:
        return LogDestination(name, _group_named(model, function, name), custom=True)
    return LogDestination(None, None, True, "logging_config.log_group is only known after apply")


def _group_named(model: RuleModel, near: Instance, name: str) -> Instance | None:
    """The log group of that name, the one in the function's own module first."""
    local = model.view(_groups_by_module).get((near.module_address, name))
    found = local or model.by_value("aws_cloudwatch_log_group", "name", name)
    return found[0] if found else None


def _groups_by_module(model: RuleModel) -> dict[tuple[str, str], list[Instance]]:
    """(module instance, known name) -> log groups: one lookup per function, not a scan."""
    index: dict[tuple[str, str], list[Instance]] = {}
    for group in model.resources("aws_cloudwatch_log_group"):
        name = group.get("name")
        if isinstance(name, str):
            index.setdefault((group.module_address, name), []).append(group)
    return index
