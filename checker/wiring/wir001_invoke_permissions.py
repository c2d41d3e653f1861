"""WIR001: every AWS service a stack configures to invoke a Lambda function may invoke it.

Why: incidents 1 and 7 as a class. A service told to call a function (an S3 notification, an
SNS subscription, an EventBridge target, a CloudWatch Logs subscription filter, an ALB target,
a Cognito trigger, an IoT rule, an HTTP API integration) calls Lambda's Invoke as its service principal, sending the
ARN of the resource the call comes from as aws:SourceArn. Lambda lets it only through a
permission on that function ARN (and qualifier) for that principal whose source_arn matches;
without one the resource deploys and the events never arrive. Where the service validates the
permission when the resource is created (S3, CloudWatch Logs, Elastic Load Balancing), the
resource must also be created after it.

Anti-pattern: no aws_lambda_permission for the service; one for another principal, another
source or another qualifier; one without source_arn (any resource of that service, in any
account, may then invoke); or, where AWS validates at creation, no depends_on.
Best practice: aws_lambda_permission with the service's principal, the function ARN the
resource invokes, source_arn = the source resource's ARN (as the service sends it), and
depends_on = [that permission] where AWS validates at creation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from checker.api import (
    Instance,
    Result,
    Rule,
    RuleContext,
    RuleMeta,
    RuleModel,
    Severity,
    Unknown,
    checked,
    show,
)
from checker.rules.ec2_write_grants import globs_intersect
from checker.rules.ec2_writers import HOLE
from checker.rules.lambda_targets import (
    INVOKE,
    TOKEN,
    Granted,
    Invoked,
    Target,
    allows_invoke,
    arn_like,
    arn_of,
    attribute_text,
    has_token,
    other_qualifier,
    permissions_by_target,
    text_of_arn,
)
from checker.rules.lambda_targets import invoked as invoked_by
from checker.wiring.invokers import (
    HTTP_API,
    INVOKERS,
    Invoker,
    Path,
    built_arn,
    http_api_calls,
)

META = RuleMeta(
    id="WIR001",
    title="Every service configured to invoke a Lambda function has the permission AWS requires",
    severity=Severity.HIGH,
    incident=1,
    rationale=(
        "A service invokes a function only through a Lambda permission for its service "
        "principal, on the function ARN it calls, scoped to the resource it calls from; "
        "otherwise the resource deploys and nothing is ever delivered."
    ),
    remediation=(
        'Add aws_lambda_permission with action "lambda:InvokeFunction", the service\'s '
        "principal (s3, sns, events, logs, elasticloadbalancing, cognito-idp, iot, "
        "apigateway .amazonaws.com), function_name = the function ARN the resource invokes and "
        "source_arn = the source resource's ARN; where AWS validates at creation (S3 "
        "notifications, Logs subscription filters, ALB target attachments) add depends_on = "
        "[that permission]."
    ),
    resource_types=(*(i.type for i in INVOKERS), "aws_lambda_permission"),
    aws_model=(
        "The service calls Invoke on the ARN the resource names (the function, a version or "
        "an alias) as <service>.amazonaws.com with aws:SourceArn = the source resource's ARN "
        "(S3: the bucket; SNS: the topic; EventBridge: the rule; CloudWatch Logs: the log "
        "group's ARN followed by :*; Elastic Load Balancing: the target group; Cognito: the "
        "user pool; IoT: the topic rule; an HTTP API: its execution ARN followed by "
        "/STAGE/METHOD/PATH of the route called). Lambda's resource policy allows the call only "
        "through a statement on that same ARN (a permission without qualifier covers only "
        "the unqualified ARN) whose principal is the service, whose action allows "
        "lambda:InvokeFunction and whose source_arn matches under ArnLike. S3, CloudWatch "
        "Logs and Elastic Load Balancing check the permission when the notification, filter "
        "or target registration is created."
    ),
    letter_vs_aws=(
        "AWS also accepts a permission without source_arn (any resource of the service, in "
        "any account, may then invoke: the confused-deputy hole); the rule fails it, as the "
        "seed's fix for S3 does. CloudWatch Logs also accepts the regional principal "
        "logs.<region>.amazonaws.com, which passes."
    ),
    limits=(
        "source_account is not compared with the source's account; functions outside the "
        "plan (a literal ARN of another stack) are not judged. A source ARN only apply tells "
        "(a resource of another configuration) against a literal pattern is unknown. An HTTP "
        "API's ANY route (the method is the request's) is unknown against a source_arn "
        "naming a method. REST APIs are TAP007's (the seed's own rule)."
    ),
    references=(
        "AWS Lambda API Reference, AddPermission (Principal, SourceArn, Qualifier) "
        "(https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html)",
        "AWS Lambda Developer Guide, Granting function access to AWS services "
        "(https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html)",
        "Terraform AWS provider, aws_cloudwatch_log_group arn: the :* suffix the API adds is "
        "removed (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/"
        "resources/cloudwatch_log_group)",
        *(i.doc for i in INVOKERS),
    ),
    needs_person=(
        "which permission grants the invoke (a new one, or the one that names another "
        "source, principal or qualifier) is a person's choice"
    ),
)

REGIONAL_PRINCIPALS = ("logs",)  # services whose regional principal Lambda also accepts


def _principal_ok(principal: object, invoker: Invoker, region: str | None) -> bool | None:
    if not isinstance(principal, str):
        return None
    if principal == invoker.principal:
        return True
    if invoker.service in REGIONAL_PRINCIPALS and region is not None:
        return principal == f"{invoker.service}.{region}.amazonaws.com"
    return False


def source_like(pattern: str, sent: str) -> bool | None:
    """Does a permission's source_arn pattern match the ARN the service sends (ArnLike)?
    Either side may hold a token for a piece only apply tells: the same resource's token
    matches itself; a token against literal text is None."""
    if sent.count(":") >= 5 and pattern.count(":") >= 5:
        like = arn_like(pattern, sent)
        if like is None and not has_token(pattern):
            # no value of the hidden pieces (an account, an ID) can make the texts meet
            return None if globs_intersect(pattern, TOKEN.sub(HOLE, sent)) else False
        return like
    if fnmatchcase(sent, pattern.replace("[", "[[]")):
        return True
    tokens = TOKEN.findall(sent)
    if tokens and all(f"\u0002{kind}|{where}\u0002" in pattern for kind, where in tokens):
        return False  # the same resource's ARN, in another shape (`${arn}` for `${arn}:*`)
    if has_token(pattern) and not any(c in TOKEN.sub("", pattern) for c in "*?"):
        return False  # another resource's ARN
    return None


@dataclass(frozen=True)
class Sent:
    """A source resource and the ARN its service sends (None: hidden). Where the plan hides
    the ARN whole, `built` is also AWS's ARN format filled by the source's names: a pattern
    naming the resource is read against the ARN's token, any other against `built`."""

    source: Instance
    arn: str | None
    built: str | None = None

    def like(self, pattern: str) -> bool | None:
        if self.arn is not None and self.built is not None:
            named = any(f"\u0002{k}|{w}\u0002" in pattern for k, w in TOKEN.findall(self.arn))
            return source_like(pattern, self.arn if named else self.built)
        sent = self.arn if self.arn is not None else self.built
        return None if sent is None else source_like(pattern, sent)


def permission_matches(
    model: RuleModel,
    grant: Granted,
    invoked: Invoked,
    target: Target,
    invoker: Invoker,
    sent: list[Sent],
) -> tuple[bool | None, str]:
    """Does this permission let the service (from this source) invoke the ARN the resource
    names? (verdict, why not)."""
    permission = grant.permission
    principal = model.settle(permission, "principal")
    ok = _principal_ok(principal, invoker, model.region_of(permission))
    if not ok:
        if ok is False:
            return False, f"{permission.address} principal is {show(principal)}"
        return None, f"{permission.address} principal is only known after apply"
    action = allows_invoke(model.settle(permission, "action"))
    if not action:
        found = f"{permission.address} action {show(permission.get('action'))}"
        if action is False:
            return False, f"{found} does not allow {INVOKE}"
        return None, f"{found} is only known after apply"
    other = other_qualifier(grant, invoked, target, f"the {invoker.service} resource")
    if other is not None:
        return other
    if permission.get("source_arn") is None and not permission.references("source_arn"):
        return False, f"{permission.address} has no source_arn (any source may invoke)"
    pattern = text_of_arn(model, permission, "source_arn")
    if pattern is None:
        return None, f"{permission.address} source_arn is only known after apply"
    if not sent:
        return None, "the resource the service calls from is not identified"
    verdicts = [(each.source, each.like(pattern)) for each in sent]
    shown = f"{permission.address} source_arn {show(model.settle(permission, 'source_arn'))}"
    if all(v is True for _, v in verdicts):
        return True, ""
    if any(v is False for _, v in verdicts):
        source = next(s for s, v in verdicts if v is False)
        return False, f"{shown} does not match the ARN {invoker.service} sends, {source.address}'s"
    return None, f"{shown} may or may not match the source's ARN: only apply tells"


def _sent(model: RuleModel, invoker: Invoker, inst: Instance) -> list[Sent]:
    """Each source resource and the ARN its service sends."""
    out: list[Sent] = []
    for source in invoker.sources(model, inst):
        if source.type == HTTP_API:
            base = attribute_text(model, source, "execution_arn")
            tails = http_api_calls(model, inst, source)
            if base is None or tails is None:
                out.append(Sent(source, None))
            else:
                out.extend(Sent(source, f"{base}/{tail}") for tail in tails)
            continue
        arn = arn_of(model, source)
        built = None
        if arn is None or TOKEN.fullmatch(arn):  # hidden whole: AWS's format, by name
            built = built_arn(model, source, _hole(source))
        suffix = invoker.suffix
        out.append(
            Sent(
                source,
                None if arn is None else arn + suffix,
                None if built is None else built + suffix,
            )
        )
    return out


def _hole(source: Instance) -> str:
    """A token for a piece of the source's ARN only apply tells (its account, an ID)."""
    return f"\u0002value|{source.address.replace(':', chr(3))}#part\u0002"


def check(ctx: RuleContext) -> Iterator[Result]:
    model = ctx.model
    by_function = permissions_by_target(model)
    for invoker in INVOKERS:
        for inst in model.resources(invoker.type):
            sent = _sent(model, invoker, inst)
            unordered: set[str] = set()  # one depends_on finding per instance
            for path in invoker.calls(inst):
                yield from _judge(model, by_function, invoker, inst, path, sent, unordered)


FUNCTION_TYPES = ("aws_lambda_function", "aws_lambda_alias")


def _names_another_service(model: RuleModel, inst: Instance, path: Path, value: object) -> bool:
    """Does the ARN name a resource that is no Lambda function (a topic, a queue, a state
    machine: the same attribute holds any target's ARN)?"""
    if isinstance(value, str):
        return ":lambda:" not in value
    named = [target for target, _ in model.referenced(inst, *path)]
    return bool(named) and not any(t.type in FUNCTION_TYPES for t in named)


def _attribute(path: Path) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def _judge(
    model: RuleModel,
    by_function: dict[str, list[Granted]],
    invoker: Invoker,
    inst: Instance,
    path: Path,
    sent: list[Sent],
    unordered: set[str],
) -> Iterator[Result]:
    attribute = _attribute(path)
    invoked = invoked_by(model, inst, path)
    if not invoked.targets:
        value = inst.get(*path)
        if _names_another_service(model, inst, path, value):
            return  # an EventBridge target or subscription endpoint that is no function
        if isinstance(value, Unknown) or inst.references(*path):
            yield Result.unknown(
                inst.address,
                attribute,
                f"the function {invoker.service} invokes cannot be identified in {checked(model)}",
                f"a function of {checked(model)}",
            )
        return
    target = invoked.targets[0]
    function = target.function
    grants = by_function.get(function.address, [])
    verdicts = {
        g.permission.address: permission_matches(model, g, invoked, target, invoker, sent)
        for g in grants
    }
    matching = [g.permission for g in grants if verdicts[g.permission.address][0] is True]
    maybe = [g.permission for g in grants if verdicts[g.permission.address][0] is None]
    if not matching and not maybe:
        reasons = [why for _, why in verdicts.values() if "principal is" not in why]
        yield Result.failed(
            inst.address,
            attribute,
            f"no aws_lambda_permission lets {invoker.principal} invoke {function.address}"
            + (f" from {sent[0].source.address}" if sent else "")
            + (f": {reasons[0]}" if reasons else ""),
            f"a permission with principal {invoker.principal}, action {INVOKE}, the function "
            "ARN the resource invokes and source_arn = the ARN the service sends",
        )
        return
    candidates = matching or maybe
    if invoker.ordered and not any(model.depends_on_explicitly(inst, p) for p in candidates):
        if unordered:
            return
        unordered.add(candidates[0].address)
        yield Result.failed(
            inst.address,
            "depends_on",
            f"{invoker.service} checks the permission when {inst.address} is created, and "
            f"depends_on does not name {candidates[0].address}",
            f"depends_on = [{candidates[0].config_address}]",
        )
        return
    if not matching:
        permission = maybe[0]
        yield Result.unknown(
            inst.address,
            attribute,
            f"{permission.address} may let {invoker.service} invoke {function.address}: "
            f"{verdicts[permission.address][1]}",
            "source_arn = the source's ARN, on the function ARN the resource invokes",
        )
        return
    yield Result.passed(
        inst.address,
        attribute,
        f"{matching[0].address} lets {invoker.principal} invoke {function.address}"
        + (" and the resource is created after it" if invoker.ordered else ""),
    )


RULE = Rule(meta=META, check=check, doc=__doc__ or "")
