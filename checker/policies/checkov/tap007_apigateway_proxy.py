"""CKV_TAP_007 (TAP007): Lambda integrations are AWS_PROXY with POST and a matching apigateway permission."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class ApiGatewayProxy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP007: API Gateway invokes Lambda through AWS_PROXY with a matching permission",
            id="CKV_TAP_007",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_api_gateway_integration"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        functions = t.linked(self.graph, conf, "uri", "aws_lambda_function")
        alias = alias_node(self.graph, conf, "uri")
        if not functions and alias is not None:  # an alias's invoke_arn
            functions = alias_function(self.graph, alias)
        uri = t.first(conf.get("uri"))
        lambda_uri = isinstance(uri, str) and ":lambda:" in uri
        if not functions and alias is None and not lambda_uri:
            return t.PASSED
        if t.first(conf.get("type")) != "AWS_PROXY":
            return t.fail(self, f"type = {t.shown(conf.get('type'))}", 'type = "AWS_PROXY"')
        if t.first(conf.get("integration_http_method")) != "POST":
            found = f"integration_http_method = {t.shown(conf.get('integration_http_method'))}"
            return t.fail(self, found, 'integration_http_method = "POST"')
        if not functions:
            return t.UNKNOWN
        method = t.first(conf.get("http_method"))
        function = functions[0]
        mine = qualifier_of(self.graph, conf, "uri", conf.get("uri"), function[1])
        permissions = [
            perm
            for _address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
            if t.first(perm.get("principal")) == "apigateway.amazonaws.com"
            and names_function(self.graph, perm, function)
        ]
        if not permissions:
            return t.fail(
                self,
                f"no apigateway.amazonaws.com permission for {function[0]}",
                "an aws_lambda_permission with source_arn = <execution_arn>/*/<method>/<path>",
            )
        apis = t.linked(self.graph, conf, "rest_api_id", "aws_api_gateway_rest_api")
        api_id = t.first(apis[0][1].get("id")) if apis else None
        verdicts = [self._grants(p, method, api_id, mine, function[1]) for p in permissions]
        if t.PASSED in verdicts:
            return t.PASSED
        if t.UNKNOWN in verdicts:
            return t.UNKNOWN
        found = ", ".join(t.shown(p.get("source_arn")) for p in permissions)
        return t.fail(
            self,
            f"source_arn {found}, or the action or the qualifier, does not cover the call",
            f"<execution_arn>/*/{method}/<path>, lambda:InvokeFunction on the ARN the uri calls",
        )

    def _grants(
        self, permission: dict[str, Any], method: Any, api_id: Any, mine: str | None, fn: Any
    ) -> CheckResult:
        """Action, qualifier and route of one permission against the integration's call."""
        verdicts = [
            {True: t.PASSED, False: t.FAILED, None: t.UNKNOWN}[
                invoke_allowed(permission.get("action"))
            ],
            covered(mine, permission_qualifier(self.graph, permission, fn)),
            self._source_arn(permission, method, api_id),
        ]
        if t.FAILED in verdicts:
            return t.FAILED
        return t.UNKNOWN if t.UNKNOWN in verdicts else t.PASSED

    def _stage(self, permission: dict[str, Any], reference: str) -> str | None:
        """The stage name of a stage whose execution_arn heads the source_arn."""
        origin = t.address_of(permission)
        for address, stage in t.nodes(self.graph, "aws_api_gateway_stage", near=permission):
            if t.same(origin, t.target(reference), address):
                name = t.first(stage.get("stage_name"))
                return name if isinstance(name, str) and not t.is_unknown(name) else None
        return None

    def _source_arn(self, permission: dict[str, Any], method: Any, api_id: Any) -> CheckResult:
        value = t.first(permission.get("source_arn"))
        if value is None:
            return t.FAILED
        if not isinstance(value, str) or value == t.AFTER_UNKNOWN:
            return t.UNKNOWN
        known = re.match(r"^arn:aws[\w-]*:execute-api:[^:]*:[^:]*:([^/]+)(/.*)?$", value)
        if known is not None:  # an update plan: the API's ARN is known
            if isinstance(api_id, str) and not t.is_unknown(api_id) and known.group(1) != api_id:
                return t.FAILED
            suffix = known.group(2) or ""
        else:
            value = t.unwrap_interpolation(value)
            match = t.REFERENCE.match(value)
            if match is None or not match.group(0).endswith(".execution_arn"):
                if match is not None and ".aws_api_gateway_rest_api." in f".{match.group(0)}":
                    return t.FAILED  # `.arn` or `.id`: the wrong shape whatever its value
                return t.UNKNOWN if t.is_unknown(value) else t.FAILED
            suffix = re.sub(r"\$\{[^{}]*\}", "*", value[match.end() :])
            stage_arn = ".aws_api_gateway_stage." in f".{match.group(0)}"
            if stage_arn and suffix:  # the API's execution_arn/STAGE, then the route
                stage = self._stage(permission, match.group(0))
                if stage is None:
                    return t.UNKNOWN
                suffix = f"/{stage}{suffix}"
        if suffix == "":
            return t.UNKNOWN  # the plan keeps only the reference: the route pattern is hidden
        parts = suffix.lstrip("/").split("/", 2)
        if len(parts) < 2:
            return t.PASSED if suffix in ("/*",) else t.FAILED
        wanted = method if isinstance(method, str) and not t.is_unknown(method) else None
        if wanted is None:
            return t.UNKNOWN
        return t.PASSED if fnmatchcase(wanted, parts[1]) else t.FAILED


# ---- the ARN a permission covers and the ARN a caller invokes (Lambda compares both) ----
QUALIFIED = (".qualified_arn", ".qualified_invoke_arn")
ARN_NAME = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[^:]*:function:)?[^:]+(?::([^:/]+))?"
)
LATEST = "$LATEST"


def invoke_allowed(action: Any) -> bool | None:
    """Does a permission's action allow lambda:InvokeFunction (`lambda:*`, `*` do)?"""
    value = t.first(action)
    if not isinstance(value, str) or t.is_unknown(value) or "${" in value:
        return None
    return fnmatchcase("lambda:invokefunction", value.lower())


def alias_node(graph: Any, conf: dict[str, Any], attribute: str) -> dict[str, Any] | None:
    aliases = t.linked(graph, conf, attribute, "aws_lambda_alias")
    return aliases[0][1] if len(aliases) == 1 else None


def alias_function(graph: Any, alias: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = t.linked(graph, alias, "function_name", "aws_lambda_function")
    if found:
        return found
    name = t.first(alias.get("function_name"))
    return [
        (a, fn)
        for a, fn in t.nodes(graph, "aws_lambda_function", near=alias)
        if isinstance(name, str) and t.first(fn.get("function_name")) == name
    ]


def referenced(conf: dict[str, Any], attribute: str) -> str | None:
    """The one Lambda function or alias attribute a hidden value references (checkov's
    `references_`); None when none or several."""
    qualifier = (".version", ".name")
    refs = {
        r
        for r in t.all_references(conf)
        if any(f".{kind}." in f".{r}" for kind in ("aws_lambda_function", "aws_lambda_alias"))
        and t.target(r) != r
        and r.endswith(qualifier) == (attribute == "qualifier")
    }
    return refs.pop() if len(refs) == 1 else None


def qualifier_of(
    graph: Any,
    conf: dict[str, Any],
    attribute: str,
    value: Any,
    function: dict[str, Any],
    refs: dict[str, Any] | None = None,
) -> str | None:
    """The qualifier a function-ARN value (written in `conf.attribute`) names: "" none, a
    version or alias name, "version" (the version this apply publishes); None when hidden.
    `refs`: where checkov lists the references of a hidden value (a block), else `conf`."""
    raw = t.first(value)
    if raw is None or raw == t.AFTER_UNKNOWN:  # hidden: what checkov says it references
        raw = referenced(refs if refs is not None else conf, attribute)
    if not isinstance(raw, str):
        return None
    text = t.unwrap_interpolation(raw)
    if t.is_reference(text) and "${" not in text:
        alias = alias_node(graph, conf, attribute)
        if alias is not None:
            name = t.first(alias.get("name"))
            return name if isinstance(name, str) and not t.is_unknown(name) else None
        if text.endswith(QUALIFIED):
            return "version" if t.first(function.get("publish")) is True else LATEST
        if text.endswith(".version"):
            return "version"
        return ""
    if "${" in raw:
        return None
    match = re.search(r"/functions/(.+)/invocations$", raw)
    arn = ARN_NAME.match(match.group(1) if match else raw)
    return (arn.group(1) or "") if arn else None


def covered(mine: str | None, theirs: str | None) -> CheckResult:
    """Does a permission on qualifier `theirs` cover calls through qualifier `mine`?"""
    if mine is None or theirs is None or {mine, theirs} == {"", LATEST}:
        return t.UNKNOWN if mine != theirs else t.PASSED
    if mine == theirs:
        return t.PASSED
    if "version" in (mine, theirs) and "" not in (mine, theirs) and LATEST not in (mine, theirs):
        return t.UNKNOWN
    return t.FAILED


def permission_qualifier(graph: Any, perm: dict[str, Any], function: dict[str, Any]) -> str | None:
    qualifier = t.first(perm.get("qualifier"))
    if qualifier in (None, ""):
        return qualifier_of(graph, perm, "function_name", perm.get("function_name"), function)
    literal = isinstance(qualifier, str) and not t.is_unknown(qualifier) and "${" not in qualifier
    # a version or alias name (Lambda: [a-zA-Z0-9$_-]+); `each.value.qualifier` is a reference
    if literal and re.fullmatch(r"[A-Za-z0-9$_-]+", str(qualifier)):
        return str(qualifier)
    if literal:
        return None
    return qualifier_of(graph, perm, "qualifier", qualifier, function)


def names_function(graph: Any, perm: dict[str, Any], function: tuple[str, dict[str, Any]]) -> bool:
    """The permission's function_name names the function, directly or through an alias."""
    if t.names_function(graph, perm, "function_name", function):
        return True
    alias = alias_node(graph, perm, "function_name")
    return alias is not None and function[0] in [a for a, _ in alias_function(graph, alias)]


check = ApiGatewayProxy()
