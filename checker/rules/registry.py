"""The one registry of rules: an explicit list of modules, imported and validated on demand."""

from __future__ import annotations

import importlib
import re
from functools import cache

from checker.rules.base import Rule

RULE_MODULES = (
    "tap001_s3_notification_permission",
    "tap002_lambda_dynamodb_actions",
    "tap003_kms_key_policy",
    "tap004_bucket_tls_policy",
    "tap005_bucket_companion_resources",
    "tap006_lambda_package",
    "tap007_apigateway_lambda_proxy",
    "tap008_log_groups",
    "tap009_one_notification_per_bucket",
    "tap010_dynamodb_pitr",
    "tap011_bucket_force_destroy",
    "tap012_ec2_kms_writer",
    "tap013_creation_order",
    "tap014_apigateway_logging",
    "tap015_required_outputs",
)
RULE_ID = re.compile(r"^TAP\d{3}$")


class RegistryError(Exception):
    """A rule module is malformed: a duplicate ID, a bad ID, missing metadata."""


def validate(rules: list[Rule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        meta = rule.meta
        if not RULE_ID.match(meta.id):
            raise RegistryError(f"malformed rule id {meta.id!r}")
        if meta.id in seen:
            raise RegistryError(f"duplicate rule id {meta.id}")
        seen.add(meta.id)
        if not (meta.title and meta.rationale and meta.remediation and meta.resource_types):
            raise RegistryError(
                f"{meta.id}: title, rationale, remediation and resource types are required"
            )
        if meta.id != f"TAP{meta.incident:03d}":
            raise RegistryError(f"{meta.id}: incident {meta.incident} does not match its id")


@cache
def all_rules() -> tuple[Rule, ...]:
    rules = [importlib.import_module(f"checker.rules.{name}").RULE for name in RULE_MODULES]
    validate(rules)
    return tuple(sorted(rules, key=lambda r: r.meta.id))


def rule_by_id(rule_id: str) -> Rule | None:
    return next((r for r in all_rules() if r.meta.id == rule_id), None)
