"""CKV_TAP_010 (TAP010): DynamoDB tables have point-in-time recovery enabled."""

from __future__ import annotations

from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class DynamoDbPitr(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP010: DynamoDB tables have point-in-time recovery",
            id="CKV_TAP_010",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["aws_dynamodb_table"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        pitr = conf.get("point_in_time_recovery")
        if t.first(pitr) == t.AFTER_UNKNOWN:
            return t.UNKNOWN
        block = t.block(conf, "point_in_time_recovery")
        if block is None:
            if "__change_actions__" in conf and pitr is not None:
                return t.UNKNOWN
            return t.fail(self, "no point_in_time_recovery block", "enabled = true")
        enabled = t.first(block.get("enabled"))
        if enabled is True:
            return t.PASSED
        if t.is_unknown(enabled):
            return t.UNKNOWN
        return t.fail(self, f"enabled = {t.shown(enabled)}", "enabled = true")


check = DynamoDbPitr()
