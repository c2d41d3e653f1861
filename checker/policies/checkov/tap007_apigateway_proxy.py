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
        uri = t.first(conf.get("uri"))
        if not functions and not (isinstance(uri, str) and ":lambda:" in uri):
            return t.PASSED
        if t.first(conf.get("type")) != "AWS_PROXY":
            return t.fail(self, f"type = {t.shown(conf.get('type'))}", 'type = "AWS_PROXY"')
        if t.first(conf.get("integration_http_method")) != "POST":
            found = f"integration_http_method = {t.shown(conf.get('integration_http_method'))}"
            return t.fail(self, found, 'integration_http_method = "POST"')
        if not functions:
            return t.UNKNOWN
        method = t.first(conf.get("http_method"))
        permissions = [
            perm
            for _address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
            if t.first(perm.get("principal")) == "apigateway.amazonaws.com"
            and t.names_function(self.graph, perm, "function_name", functions[0])
        ]
        if not permissions:
            return t.fail(
                self,
                f"no apigateway.amazonaws.com permission for {functions[0][0]}",
                "an aws_lambda_permission with source_arn = <execution_arn>/*/<method>/<path>",
            )
        apis = t.linked(self.graph, conf, "rest_api_id", "aws_api_gateway_rest_api")
        api_id = t.first(apis[0][1].get("id")) if apis else None
        verdicts = [self._source_arn(p, method, api_id) for p in permissions]
        if t.PASSED in verdicts:
            return t.PASSED
        if t.UNKNOWN in verdicts:
            return t.UNKNOWN
        found = ", ".join(t.shown(p.get("source_arn")) for p in permissions)
        return t.fail(self, f"source_arn {found}", f"<execution_arn>/*/{method}/<path>")

    @staticmethod
    def _source_arn(permission: dict[str, Any], method: Any, api_id: Any) -> CheckResult:
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
        if suffix == "":
            return t.UNKNOWN  # the plan keeps only the reference: the route pattern is hidden
        parts = suffix.lstrip("/").split("/", 2)
        if len(parts) < 2:
            return t.PASSED if suffix in ("/*",) else t.FAILED
        wanted = method if isinstance(method, str) and not t.is_unknown(method) else None
        if wanted is None:
            return t.UNKNOWN
        return t.PASSED if fnmatchcase(wanted, parts[1]) else t.FAILED


check = ApiGatewayProxy()
