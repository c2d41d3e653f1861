"""WIR004: a log group a service writes to exists before the service starts writing.

Why: incidents 8 and 13 as a class. API Gateway stages (REST and HTTP) writing access logs,
Step Functions state machines writing execution logs, ECS services whose containers use the
awslogs driver: each writes to a CloudWatch Logs group named in its configuration. When the
stack creates that group after the writer (nothing orders them), the writer's first records
are lost, or the service refuses the destination (ECS tasks fail to start without their
group). The writer must reference the group, or depend on it.

Anti-pattern: a destination written as a literal name or ARN of a group the stack creates,
with no reference and no depends_on.
Best practice: `aws_cloudwatch_log_group.x.arn` (or `.name`) as the destination, or
depends_on = [the group].
"""

from __future__ import annotations

import json
import re
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
    linked,
)

GROUP = "aws_cloudwatch_log_group"
HOLE = "\x00"  # a piece of a template only apply tells
ARN_NAME = re.compile(r"^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(?P<name>[^:]+)(:\*)?$")


@dataclass(frozen=True)
class Writer:
    """A resource type whose configuration names a log group the service writes to."""

    type: str
    path: tuple[str | int, ...]  # the attribute naming the group (an ARN, or a name)
    service: str
    doc: str


WRITERS = (
    Writer(
        "aws_api_gateway_stage",
        ("access_log_settings", 0, "destination_arn"),
        "API Gateway",
        "Amazon API Gateway Developer Guide, Set up CloudWatch logging for REST APIs "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html)",
    ),
    Writer(
        "aws_apigatewayv2_stage",
        ("access_log_settings", 0, "destination_arn"),
        "API Gateway",
        "Amazon API Gateway Developer Guide, Configure logging for HTTP APIs "
        "(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html)",
    ),
    Writer(
        "aws_sfn_state_machine",
        ("logging_configuration", 0, "log_destination"),
        "Step Functions",
        "AWS Step Functions Developer Guide, Logging in CloudWatch Logs "
        "(https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html)",
    ),
)

ECS_DOC = (
    "Amazon ECS Developer Guide, Send Amazon ECS logs to CloudWatch (the awslogs log "
    "driver: the log group must exist unless awslogs-create-group is true) "
    "(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html)"
)

META = RuleMeta(
    id="WIR004",
    title="Log groups a service writes to exist before it",
    severity=Severity.MEDIUM,
    incident=8,
    rationale=(
        "A service starts writing when it is created; a log group the stack creates later "
        "loses the first records, and ECS tasks whose awslogs group is missing fail to start."
    ),
    remediation=(
        "Name the group by reference (aws_cloudwatch_log_group.x.arn or .name) in the "
        "destination, or add depends_on = [the group] to the writer (for ECS: the service)."
    ),
    resource_types=(
        *(w.type for w in WRITERS),
        "aws_ecs_service",
        "aws_ecs_task_definition",
        GROUP,
    ),
    aws_model=(
        "API Gateway stages deliver access logs to the destination ARN from the moment the "
        "stage exists; Step Functions delivers execution logs to its log destination; the "
        "awslogs driver of an ECS container writes to awslogs-group when a task starts, and "
        "an ECS service starts tasks when it is created (without awslogs-create-group the "
        "group must exist). Terraform creates a resource after another only when it "
        "references it or depends on it."
    ),
    letter_vs_aws=(
        "A group created outside the stack is not judged (its existence is not in the "
        "plan); a Lambda function's own log group is TAP008's."
    ),
    limits=(
        "ECS task definitions run outside a service (RunTask) are not judged; a container "
        "definition the plan hides is unknown until the .tf sources are bound."
    ),
    references=(*(w.doc for w in WRITERS), ECS_DOC),
    needs_person=(
        "whether the writer names the group by reference or depends on it is the author's "
        "choice of idiom"
    ),
)


def _name_of(text: str) -> str:
    match = ARN_NAME.match(text)
    return match.group("name") if match else text


def _groups_named(model: RuleModel, name: str) -> list[Instance]:
    return model.by_value(GROUP, "name", name)


def _destination(
    model: RuleModel, writer: Instance, path: tuple[str | int, ...]
) -> tuple[list[Instance], str]:
    """The plan's log groups the destination names, and why it cannot be told ("")."""
    groups = linked(model, writer, path, (GROUP,))
    if groups:
        return groups, ""
    value = model.settle(writer, *path)
    if isinstance(value, str):
        return _groups_named(model, _name_of(value)), ""
    if isinstance(value, Unknown) and value.parts is not None:
        # an ARN whose region or account only apply tells still names its group
        match = ARN_NAME.match(value.render(HOLE))
        if match is not None and HOLE not in match.group("name"):
            return _groups_named(model, match.group("name")), ""
    if isinstance(value, Unknown):
        return [], f"{writer.address}.{'.'.join(str(p) for p in path)} {value.describe()}"
    return [], ""


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    for kind in WRITERS:
        for writer in model.resources(kind.type):
            if writer.get(*kind.path) is None and not writer.references(*kind.path):
                continue
            groups, hidden = _destination(model, writer, kind.path)
            attribute = ".".join(str(p) for p in kind.path).replace(".0.", "[0].")
            yield from _ordered(model, writer, attribute, groups, hidden, kind.service)
    yield from _ecs(model)


def _ordered(
    model: RuleModel,
    writer: Instance,
    attribute: str,
    groups: list[Instance],
    hidden: str,
    service: str,
) -> Iterator[Result]:
    if hidden:
        yield Result.unknown(
            writer.address, attribute, f"the log group cannot be identified: {hidden}"
        )
        return
    for group in {g.address: g for g in groups}.values():
        if model.ordered_after(writer, group):
            yield Result.passed(
                writer.address, attribute, f"{group.address} is created before {service} writes"
            )
        else:
            yield Result.failed(
                writer.address,
                attribute,
                f"{service} writes to {group.address}, and nothing orders "
                f"{writer.address} after it",
                f"the group by reference, or depends_on = [{group.config_address}]",
            )


def _ecs(model: RuleModel) -> Iterator[Result]:
    """Each ECS service: the awslogs groups of its task definition's containers."""
    for service in model.resources("aws_ecs_service"):
        for task in linked(model, service, ("task_definition",), ("aws_ecs_task_definition",)):
            found = _awslogs_groups(model, task)
            if isinstance(found, str):
                yield Result.unknown(service.address, "task_definition", found)
                continue
            for name in found:
                groups = _groups_named(model, name)
                yield from _ordered(
                    model, service, "task_definition", groups, "", f"ECS ({task.address})"
                )


def _awslogs_groups(model: RuleModel, task: Instance) -> list[str] | str:
    """The awslogs groups the task's containers write to (those ECS does not create), or
    why they cannot be read."""
    value = model.settle(task, "container_definitions")
    if not isinstance(value, str):
        return f"{task.address}.container_definitions is only known after apply"
    try:
        containers = json.loads(value)
    except ValueError:
        return f"{task.address}.container_definitions is not JSON"
    names: list[str] = []
    for container in containers if isinstance(containers, list) else []:
        config = container.get("logConfiguration") if isinstance(container, dict) else None
        if not isinstance(config, dict) or config.get("logDriver") != "awslogs":
            continue
        options = config.get("options")
        if not isinstance(options, dict) or str(options.get("awslogs-create-group")) == "true":
            continue
        group = options.get("awslogs-group")
        if isinstance(group, str) and group not in names:
            names.append(group)
    return names


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
