"""Render a declarative stack description into a `terraform show -json` plan.

Terraform and the AWS provider cannot run on our machines, so plan fixtures are
rendered from a description that says, per attribute, what Terraform would
know at plan time:

- a plain Python value is a literal in the configuration (`constant_value`);
- `Expr(value, refs)` is an expression whose references are `refs` and whose
  value Terraform knows at plan time (a variable, a local, a configured name);
- `Expr(UNKNOWN, refs)` is an expression Terraform only knows after apply
  (anything built from an ARN or ID of a resource being created);
- `Block([...])` is a list of nested blocks, each a dict of the above.

Attributes a resource type computes at apply (`COMPUTED`) are added as unknown.
The renderer writes `planned_values`, `resource_changes` (with `after_unknown`
and `after_sensitive`), `prior_state` for data sources readable at plan time,
deferred reads for data sources whose configuration is unknown, `configuration`
with `expressions`, `references` and `depends_on`, `variables` and
`output_changes`, in format_version 1.2 as Terraform 1.9 writes it.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"

    def __deepcopy__(self, memo: dict[int, Any]) -> _Unknown:
        return self

    def __copy__(self) -> _Unknown:
        return self


UNKNOWN: Any = _Unknown()

AWS = "registry.terraform.io/hashicorp/aws"
ARCHIVE = "registry.terraform.io/hashicorp/archive"

# Attributes each type computes at apply time (unknown in a plan for a create).
COMPUTED: dict[str, tuple[str, ...]] = {
    "aws_kms_key": ("arn", "id", "key_id", "tags_all"),
    "aws_kms_alias": ("arn", "id", "name_prefix", "target_key_arn"),
    "aws_s3_bucket": (
        "acceleration_status",
        "arn",
        "bucket_domain_name",
        "bucket_regional_domain_name",
        "hosted_zone_id",
        "id",
        "region",
        "tags_all",
    ),
    "aws_s3_bucket_server_side_encryption_configuration": ("id",),
    "aws_s3_bucket_versioning": ("id",),
    "aws_s3_bucket_public_access_block": ("id",),
    "aws_s3_bucket_policy": ("id",),
    "aws_s3_bucket_notification": ("id",),
    "aws_dynamodb_table": ("arn", "id", "stream_arn", "stream_label", "tags_all"),
    "aws_iam_role": ("arn", "create_date", "id", "unique_id", "tags_all"),
    "aws_iam_role_policy": ("id",),
    "aws_iam_role_policy_attachment": ("id",),
    "aws_iam_instance_profile": ("arn", "create_date", "id", "unique_id", "tags_all"),
    "aws_cloudwatch_log_group": ("arn", "id", "tags_all"),
    "aws_lambda_function": (
        "arn",
        "id",
        "invoke_arn",
        "last_modified",
        "qualified_arn",
        "qualified_invoke_arn",
        "signing_job_arn",
        "source_code_size",
        "tags_all",
        "version",
    ),
    "aws_lambda_permission": ("id",),
    "aws_api_gateway_rest_api": (
        "arn",
        "created_date",
        "execution_arn",
        "id",
        "root_resource_id",
        "tags_all",
    ),
    "aws_api_gateway_resource": ("id", "path"),
    "aws_api_gateway_method": ("id",),
    "aws_api_gateway_integration": ("id", "cache_namespace", "timeout_milliseconds"),
    "aws_api_gateway_deployment": ("created_date", "id"),
    "aws_api_gateway_stage": ("arn", "execution_arn", "id", "invoke_url", "tags_all"),
    "aws_api_gateway_account": ("id", "throttle_settings"),
    "aws_instance": (
        "arn",
        "id",
        "private_ip",
        "public_ip",
        "public_dns",
        "primary_network_interface_id",
        "subnet_id",
        "vpc_security_group_ids",
        "tags_all",
    ),
    "aws_iam_policy_document": ("id", "json", "minified_json"),
    "archive_file": (
        "id",
        "output_base64sha256",
        "output_base64sha512",
        "output_md5",
        "output_sha",
        "output_sha256",
        "output_sha512",
        "output_size",
    ),
}


# Values the provider fills in when the configuration leaves them out.
DEFAULTS: dict[str, dict[str, Any]] = {
    "aws_kms_key": {
        "bypass_policy_lockout_safety_check": False,
        "customer_master_key_spec": "SYMMETRIC_DEFAULT",
        "is_enabled": True,
        "key_usage": "ENCRYPT_DECRYPT",
    },
    "aws_iam_role": {"force_detach_policies": False, "max_session_duration": 3600, "path": "/"},
    "aws_iam_instance_profile": {"path": "/"},
    "aws_s3_bucket": {"force_destroy": False},
    "aws_dynamodb_table": {"point_in_time_recovery": UNKNOWN},
    "aws_s3_bucket_notification": {"eventbridge": False, "queue": [], "topic": []},
    "aws_lambda_function": {
        "package_type": "Zip",
        "publish": False,
        "reserved_concurrent_executions": -1,
    },
    "aws_api_gateway_method": {"api_key_required": False},
    "aws_api_gateway_integration": {"connection_type": "INTERNET"},
    "aws_cloudwatch_log_group": {"skip_destroy": False},
    "aws_instance": {"user_data_replace_on_change": False},
}


@dataclass(frozen=True)
class Expr:
    """A configuration expression: its value at plan time and what it references."""

    value: Any
    refs: tuple[str, ...] = ()

    @staticmethod
    def of(value: Any, *refs: str) -> Expr:
        return Expr(value, tuple(refs))


@dataclass
class Block:
    """Nested blocks of a resource: a list of dicts of attribute values."""

    items: list[dict[str, Any]]


@dataclass
class Resource:
    """One resource or data source of the stack description."""

    address: str  # "aws_s3_bucket.content" or "data.aws_iam_policy_document.kms"
    attrs: dict[str, Any]
    depends_on: list[str] = field(default_factory=list)
    provider: str = AWS
    # Values of a data source after reading it (prior_state); None = read at apply.
    read_values: dict[str, Any] | None = None
    # Attribute values Terraform stores differently from the configuration.
    stored: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    sensitive_attrs: tuple[str, ...] = ()

    @property
    def mode(self) -> str:
        return "data" if self.address.startswith("data.") else "managed"

    @property
    def type(self) -> str:
        parts = self.address.split(".")
        return parts[1] if self.mode == "data" else parts[0]

    @property
    def name(self) -> str:
        return self.address.split(".")[-1]


@dataclass
class Output:
    name: str
    expr: Any
    sensitive: bool = False


@dataclass
class Variable:
    name: str
    default: Any
    value: Any = None
    sensitive: bool = False
    description: str = ""


@dataclass
class Stack:
    """A whole root module (child modules come from `modules`)."""

    variables: list[Variable]
    resources: list[Resource]
    outputs: list[Output]
    provider_region: Expr
    locals_refs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    terraform_version: str = "1.9.8"
    modules: dict[str, Stack] = field(default_factory=dict)
    module_inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    # for_each keys (str) or count indexes (int) of a module call; absent = one instance
    module_keys: dict[str, list[str | int]] = field(default_factory=dict)
    # a module call's depends_on (addresses such as "module.base")
    module_depends_on: dict[str, list[str]] = field(default_factory=dict)

    def resource(self, address: str) -> Resource:
        for res in self.resources:
            if res.address == address:
                return res
        raise KeyError(address)

    def copy(self) -> Stack:
        return copy.deepcopy(self)


# ----------------------------------------------------------------- references


def expand_refs(refs: Iterable[str]) -> list[str]:
    """Terraform lists a traversal and then the object it starts from."""
    out: list[str] = []
    for ref in refs:
        parts = ref.split(".")
        out.append(ref)
        if parts[0] == "data" and len(parts) > 3:
            out.append(".".join(parts[:3]))
        elif parts[0] not in ("var", "local", "data", "module", "path", "count", "each") and (
            len(parts) > 2
        ):
            out.append(".".join(parts[:2]))
    seen: dict[str, None] = {}
    for ref in out:
        seen.setdefault(ref, None)
    return list(seen)


# --------------------------------------------------------------------- values


def _plan_value(value: Any) -> Any:
    """The value Terraform knows at plan time, with UNKNOWN leaves kept."""
    if isinstance(value, Expr):
        return _plan_value(value.value)
    if isinstance(value, Block):
        return [_plan_value(item) for item in value.items]
    if isinstance(value, dict):
        return {k: _plan_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plan_value(v) for v in value]
    return value


def _known(value: Any) -> Any:
    """`after`: unknown leaves dropped from objects, null in lists."""
    if value is UNKNOWN:
        return None
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if v is not UNKNOWN}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


def _unknown_shape(value: Any) -> Any:
    """`after_unknown`: true for unknown leaves, structure for collections."""
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return {k: _unknown_shape(v) for k, v in value.items() if _is_collection_or_unknown(v)}
    if isinstance(value, list):
        return [_unknown_shape(v) if _is_collection_or_unknown(v) else False for v in value]
    return False


def _sensitive_shape(value: Any, sensitive: tuple[str, ...] = ()) -> Any:
    if isinstance(value, dict):
        out = {k: _sensitive_shape(v) for k, v in value.items() if isinstance(v, dict | list)}
        for key in sensitive:
            out[key] = True
        return out
    if isinstance(value, list):
        return [_sensitive_shape(v) if isinstance(v, dict | list) else False for v in value]
    return False


def _is_collection_or_unknown(value: Any) -> bool:
    return value is UNKNOWN or isinstance(value, dict | list)


def _has_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_unknown(v) for v in value)
    return False


def _expressions(attrs: dict[str, Any]) -> dict[str, Any]:
    """Expressions of the attributes set in the configuration (not null, not computed)."""
    return {k: _expression(v) for k, v in attrs.items() if v is not None and v is not UNKNOWN}


def _expression(value: Any) -> Any:
    """The `expressions` entry of one attribute or nested block."""
    if isinstance(value, Block):
        return [_expressions(item) for item in value.items]
    refs = list(_all_refs(value))
    if isinstance(value, Expr) or refs:
        return {"references": expand_refs(refs)} if refs else {}
    return {"constant_value": value}


# ------------------------------------------------------------ policy documents


def policy_document_json(statements: list[dict[str, Any]]) -> str:
    """Render `aws_iam_policy_document` statement blocks as the provider does."""
    rendered: list[dict[str, Any]] = []
    for stmt in statements:
        out: dict[str, Any] = {}
        if stmt.get("sid"):
            out["Sid"] = stmt["sid"]
        out["Effect"] = stmt.get("effect") or "Allow"
        for key, json_key in (("actions", "Action"), ("not_actions", "NotAction")):
            if stmt.get(key):
                values = sorted(stmt[key], reverse=True)
                out[json_key] = values[0] if len(values) == 1 else values
        for key, json_key in (("resources", "Resource"), ("not_resources", "NotResource")):
            if stmt.get(key):
                values = sorted(stmt[key], reverse=True)
                out[json_key] = values[0] if len(values) == 1 else values
        for key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            blocks = stmt.get(key) or []
            if blocks:
                if len(blocks) == 1 and blocks[0]["type"] == "*":
                    out[json_key] = "*"
                else:
                    principal: dict[str, Any] = {}
                    for block in blocks:
                        ids = sorted(block["identifiers"], reverse=True)
                        principal[block["type"]] = ids[0] if len(ids) == 1 else ids
                    out[json_key] = principal
        conditions = stmt.get("condition") or []
        if conditions:
            cond: dict[str, dict[str, Any]] = {}
            for block in conditions:
                values = block["values"]
                cond.setdefault(block["test"], {})[block["variable"]] = (
                    values[0] if len(values) == 1 else values
                )
            out["Condition"] = cond
        rendered.append(out)
    return json.dumps({"Version": "2012-10-17", "Statement": rendered}, indent=2)


def sha1_hex(text: str) -> str:
    """How the AWS provider stores `aws_instance.user_data` in state and plans."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------- renderer


def _full_address(module: str, res: Resource, index: int | None) -> str:
    base = f"{module}.{res.address}" if module else res.address
    return base if index is None else f"{base}[{index}]"


def _resource_values(res: Resource, default_tags: Any = None) -> tuple[dict[str, Any], bool]:
    """Planned values with UNKNOWN leaves, and whether a data read is deferred.

    Under the provider's `default_tags` (known at plan time) `tags_all` is known,
    as real Terraform writes it (`tests/terraform/test_realism.py`).
    """
    values = {k: _plan_value(v) for k, v in res.attrs.items()}
    values.update(res.stored)
    if res.mode == "data":
        if res.read_values is not None:
            return dict(res.read_values), False
        deferred = values
        for attr in COMPUTED.get(res.type, ()):
            deferred.setdefault(attr, UNKNOWN)
        return deferred, True
    for attr, default in DEFAULTS.get(res.type, {}).items():
        values.setdefault(attr, default)
    if isinstance(values.get("policy"), str) and values["policy"].startswith("{"):
        # The provider plans a resource's policy as minified, key-sorted JSON.
        parsed = json.loads(values["policy"])
        values["policy"] = json.dumps(parsed, separators=(",", ":"), sort_keys=True)
    if isinstance(default_tags, dict) and "tags_all" in COMPUTED.get(res.type, ()):
        own = values.get("tags")
        values.setdefault("tags_all", {**default_tags, **(own if isinstance(own, dict) else {})})
    for attr in COMPUTED.get(res.type, ()):
        values.setdefault(attr, UNKNOWN)
    return values, False


def _instances(res: Resource) -> list[int | None]:
    return [None] if res.count is None else list(range(res.count))


def _render_module(
    stack: Stack, module: str, plan: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Return (planned module, prior-state module, configuration module)."""
    planned: dict[str, Any] = {"resources": []}
    prior: dict[str, Any] = {"resources": []}
    config: dict[str, Any] = {"resources": []}
    if module:
        planned["address"] = module
        prior["address"] = module
    for res in stack.resources:
        tags = next((v.default for v in stack.variables if v.name == "tags"), None)
        values, deferred = _resource_values(res, tags)
        for index in _instances(res):
            address = _full_address(module, res, index)
            entry: dict[str, Any] = {
                "address": address,
                "mode": res.mode,
                "type": res.type,
                "name": res.name,
            }
            if index is not None:
                entry["index"] = index
            entry["provider_name"] = res.provider
            entry["schema_version"] = 0
            if res.mode == "data" and not deferred:
                prior["resources"].append(
                    {
                        **entry,
                        "values": _known(values),
                        "sensitive_values": _sensitive_shape(values),
                    }
                )
                continue
            planned["resources"].append(
                {
                    **entry,
                    "values": _known(values),
                    "sensitive_values": _sensitive_shape(values, res.sensitive_attrs),
                }
            )
            change: dict[str, Any] = {
                "actions": ["read"] if deferred else ["create"],
                "before": None,
                "after": _known(values),
                "after_unknown": _unknown_shape(values),
                "before_sensitive": False,
                "after_sensitive": _sensitive_shape(values, res.sensitive_attrs),
            }
            rc: dict[str, Any] = {"address": address}
            if module:
                rc["module_address"] = module
            rc.update({k: v for k, v in entry.items() if k != "address"})
            rc["change"] = change
            if deferred:
                rc["action_reason"] = "read_because_config_unknown"
            plan["resource_changes"].append(rc)
        conf: dict[str, Any] = {
            "address": res.address,
            "mode": res.mode,
            "type": res.type,
            "name": res.name,
            "provider_config_key": "archive" if res.provider == ARCHIVE else "aws",
            "expressions": _expressions(res.attrs),
            "schema_version": 0,
        }
        if res.count is not None:
            conf["count_expression"] = {"constant_value": res.count}
        if res.depends_on:
            conf["depends_on"] = list(res.depends_on)
        config["resources"].append(conf)
    outputs_conf: dict[str, Any] = {}
    for out in stack.outputs:
        out_conf: dict[str, Any] = {"expression": _expression(out.expr)}
        if out.sensitive:
            out_conf["sensitive"] = True
        outputs_conf[out.name] = out_conf
    if outputs_conf:
        config["outputs"] = outputs_conf
    if stack.variables and module:
        config["variables"] = {
            v.name: {"default": v.default} if v.default is not None else {} for v in stack.variables
        }
    for name, child in stack.modules.items():
        base = f"{module}.module.{name}" if module else f"module.{name}"
        keys = stack.module_keys.get(name) or [None]
        child_config: dict[str, Any] = {}
        for key in keys:
            suffix = "" if key is None else (f"[{key}]" if isinstance(key, int) else f'["{key}"]')
            child_planned, child_prior, child_config = _render_module(child, base + suffix, plan)
            planned.setdefault("child_modules", []).append(child_planned)
            if child_prior["resources"]:
                prior.setdefault("child_modules", []).append(child_prior)
        call: dict[str, Any] = {
            "source": f"./modules/{name}",
            "expressions": {
                k: _expression(v) for k, v in stack.module_inputs.get(name, {}).items()
            },
            "module": child_config,
        }
        if stack.module_depends_on.get(name):
            call["depends_on"] = list(stack.module_depends_on[name])
        if name in stack.module_keys:
            first = stack.module_keys[name][0]
            if isinstance(first, int):
                call["count_expression"] = {"constant_value": len(stack.module_keys[name])}
            else:
                call["for_each_expression"] = {
                    "constant_value": {str(k): k for k in stack.module_keys[name]}
                }
        config.setdefault("module_calls", {})[name] = call
    return planned, prior, config


def render_plan(stack: Stack) -> dict[str, Any]:
    """Render the whole plan document."""
    plan: dict[str, Any] = {
        "format_version": "1.2",
        "terraform_version": stack.terraform_version,
        "variables": {},
        "planned_values": {},
        "resource_changes": [],
        "output_changes": {},
        "prior_state": {},
        "configuration": {},
    }
    for var in stack.variables:
        plan["variables"][var.name] = {"value": var.value if var.value is not None else var.default}
    planned_root, prior_root, config_root = _render_module(stack, "", plan)
    outputs_planned: dict[str, Any] = {}
    for out in stack.outputs:
        value = _plan_value(out.expr)
        unknown = _has_unknown(value)
        planned_out: dict[str, Any] = {"sensitive": out.sensitive}
        change: dict[str, Any] = {"actions": ["create"], "before": None}
        if not unknown:
            planned_out["value"] = value
            planned_out["type"] = "string" if isinstance(value, str) else "dynamic"
            change["after"] = value
        change["after_unknown"] = unknown
        change["before_sensitive"] = False
        change["after_sensitive"] = out.sensitive
        outputs_planned[out.name] = planned_out
        plan["output_changes"][out.name] = change
    plan["planned_values"] = {"outputs": outputs_planned, "root_module": planned_root}
    plan["prior_state"] = {
        "format_version": "1.0",
        "terraform_version": stack.terraform_version,
        "values": {"root_module": prior_root},
    }
    plan["configuration"] = {
        "provider_config": {
            "archive": {"name": "archive", "full_name": ARCHIVE, "version_constraint": "~> 2.6"},
            "aws": {
                "name": "aws",
                "full_name": AWS,
                "version_constraint": "~> 5.70",
                "expressions": {
                    "region": _expression(stack.provider_region),
                    "default_tags": [{"tags": {"references": ["var.tags"]}}],
                },
            },
        },
        "root_module": {
            **config_root,
            "variables": {
                v.name: {
                    **({"default": v.default} if v.default is not None else {}),
                    **({"description": v.description} if v.description else {}),
                    **({"sensitive": True} if v.sensitive else {}),
                }
                for v in stack.variables
            },
        },
    }
    plan["relevant_attributes"] = _relevant_attributes(stack)
    plan["timestamp"] = "2026-11-25T12:00:00Z"
    plan["applyable"] = True
    plan["complete"] = True
    plan["errored"] = False
    return plan


def _relevant_attributes(stack: Stack) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], None] = {}
    for res in stack.resources:
        for ref in _all_refs(res.attrs):
            parts = ref.split(".")
            if parts[0] in ("var", "local", "path"):
                continue
            if parts[0] == "data" and len(parts) >= 4:
                seen.setdefault((".".join(parts[:3]), parts[3]), None)
            elif len(parts) >= 3:
                seen.setdefault((".".join(parts[:2]), parts[2]), None)
    return [{"resource": r, "attribute": [a]} for r, a in sorted(seen)]


def _all_refs(value: Any) -> Iterable[str]:
    if isinstance(value, Expr):
        yield from value.refs
    elif isinstance(value, Block):
        for item in value.items:
            yield from _all_refs(item)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _all_refs(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_refs(v)


def dumps(plan: dict[str, Any]) -> str:
    return json.dumps(plan, indent=2, sort_keys=False) + "\n"
