"""CKV_TAP_008 (TAP008): functions have their log group first (logging_config.log_group, else
/aws/lambda/<name>); every log group is encrypted with a key ARN and has a retention."""

from __future__ import annotations

import re
from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

# CreateLogGroup takes kmsKeyId as a key ARN: a key ID or an alias is refused at apply.
KEY_ARN = re.compile(r"^arn:aws[\w-]*:kms:[^:]*:[^:]*:key/.+$")
MODULE_OUTPUT = re.compile(r"^module\.[\w-]+(?:\[[^\]]*\])?\.[\w-]+$")
KEY_REFERENCE = re.compile(
    r"(?:^|\.)(aws_kms_key|aws_kms_replica_key|aws_kms_alias)\.[\w-]+(?:\[[^\]]*\])?\.(\w+)$"
)
ARN_ATTRIBUTES = {
    "aws_kms_key": "arn",
    "aws_kms_replica_key": "arn",
    "aws_kms_alias": "target_key_arn",
}


class LogGroups(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP008: Log groups exist first, are CMK-encrypted and have retention",
            id="CKV_TAP_008",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_lambda_function", "aws_cloudwatch_log_group"],
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        if entity_type == "aws_cloudwatch_log_group":
            return self._group(conf)
        return self._function(conf)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:  # pragma: no cover - unused
        return self._function(conf)

    def _group(self, conf: dict[str, Any]) -> CheckResult:
        key = t.first(conf.get("kms_key_id"))
        retention = t.first(conf.get("retention_in_days"))
        if key in (None, ""):
            return t.fail(self, "no kms_key_id", "kms_key_id = a customer-managed key")
        # `module.kms.key_arn`: a module output the plan view names, not a value
        module_output = isinstance(key, str) and MODULE_OUTPUT.match(key) is not None
        literal = (
            isinstance(key, str)
            and not module_output
            and not t.is_unknown(key)
            and not t.unrendered(key)
        )
        if literal and not KEY_ARN.match(key):
            return t.fail(self, f"kms_key_id = {t.shown(key)}, not a key ARN", "the key's ARN")
        template = isinstance(key, str) and "${" in key  # the sources' template of it
        if template and KEY_ARN.match(key):
            wrong = None  # arn:aws:kms:<region>:<account>:key/${...key_id}
        else:
            wrong = self._not_an_arn(conf) if not literal else None
        if wrong:
            return t.fail(self, f"kms_key_id = {wrong}, not a key ARN", "the key's ARN")
        if retention in (None, 0):
            return t.fail(self, f"retention_in_days = {t.shown(retention)}", "a retention > 0")
        if module_output and not self._is_an_arn(conf):
            return t.UNKNOWN  # what the module's output holds is not in the plan checkov reads
        return t.UNKNOWN if t.is_unknown(retention) else t.PASSED

    @staticmethod
    def _is_an_arn(conf: dict[str, Any]) -> bool:
        """kms_key_id references a key's ARN attribute (through the module's own references)."""
        for ref in t.all_references(conf):
            found = KEY_REFERENCE.search(ref)
            if found is not None and ARN_ATTRIBUTES[found.group(1)] == found.group(2):
                return True
        return False

    @staticmethod
    def _not_an_arn(conf: dict[str, Any]) -> str | None:
        """A reference kms_key_id reads that holds a key ID or an alias, not a key ARN (the
        plan hides the value; the group's only key references are kms_key_id's)."""
        wrong: list[str] = []
        for ref in t.all_references(conf):
            found = KEY_REFERENCE.search(ref)
            if found is None:
                continue
            if ARN_ATTRIBUTES[found.group(1)] == found.group(2):
                return None
            wrong.append(ref)
        return wrong[0] if wrong else None

    def _function(self, conf: dict[str, Any]) -> CheckResult:
        origin = t.address_of(conf)
        custom = t.first((t.block(conf, "logging_config") or {}).get("log_group"))
        name = t.first(conf.get("function_name"))
        if isinstance(custom, str) and custom and not t.is_unknown(custom):
            wanted, name = custom, custom  # Lambda logs to the group logging_config names
        else:
            wanted = f"/aws/lambda/{name}"
            custom = None
        groups = [
            address
            for address, group in t.nodes(self.graph, "aws_cloudwatch_log_group", near=conf)
            if t.first(group.get("name")) == wanted
            or (custom is None and t.links_to(self.graph, group, "name", origin))
        ]
        if not groups:
            if not isinstance(name, str) or t.is_unknown(name) or t.unrendered(name):
                return t.UNKNOWN
            return t.fail(self, f"no log group {wanted}", "one, created first")
        links = t.links(conf)
        if links is not None:
            edges = {a for targets in links.values() for a in targets}
        else:
            edges = set(t.depends_on(conf) or []) | {
                f"{t.module_prefix(origin)}.{t.target(r)}".lstrip(".")
                for r in t.all_references(conf)
            }
        if set(groups) & edges:
            return t.PASSED
        if links is None and t.depends_on(conf) is None:
            return t.UNKNOWN
        return t.fail(self, f"nothing orders it after {groups[0]}", f"depends_on = [{groups[0]}]")


check = LogGroups()
