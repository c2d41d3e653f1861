"""CKV_TAP_007 (TAP007): Lambda integrations are AWS_PROXY with POST and a matching apigateway permission."""

from __future__ import annotations

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
        origin = t.address_of(conf)
        functions = [r for r in t.references(conf, "uri") if ".aws_lambda_function." in f".{r}"]
        uri = t.first(conf.get("uri"))
        if not functions and not (isinstance(uri, str) and ":lambda:" in uri):
            return t.PASSED
        if t.first(conf.get("type")) != "AWS_PROXY":
            return t.FAILED
        if t.first(conf.get("integration_http_method")) != "POST":
            return t.FAILED
        if not functions:
            return t.UNKNOWN
        method = t.first(conf.get("http_method"))
        permissions = [
            perm
            for _address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
            if t.first(perm.get("principal")) == "apigateway.amazonaws.com"
            and t.names_function(self.graph, origin, perm, "function_name", functions[0])
        ]
        if not permissions:
            return t.FAILED
        verdicts = [self._source_arn(p, method) for p in permissions]
        if t.PASSED in verdicts:
            return t.PASSED
        return t.UNKNOWN if t.UNKNOWN in verdicts else t.FAILED

    @staticmethod
    def _source_arn(permission: dict[str, Any], method: Any) -> CheckResult:
        value = t.first(permission.get("source_arn"))
        if value is None:
            return t.FAILED
        if not isinstance(value, str) or value == t.AFTER_UNKNOWN:
            return t.UNKNOWN
        value = t.unwrap_interpolation(value)
        match = t.REFERENCE.match(value)
        if match is None or not match.group(0).endswith(".execution_arn"):
            return t.UNKNOWN if t.is_unknown(value) else t.FAILED
        suffix = value[match.end() :]
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
