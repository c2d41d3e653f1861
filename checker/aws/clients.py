"""What boto3 code calls, from botocore's and boto3's models (`data/botocore.json.gz`).

A client's method is its operation's name through `botocore.xform_name`
(`TransactWriteItems` -> `transact_write_items`); `get_paginator(name)` and
`get_waiter(name)` take such a name and call the operation the paginator or
waiter model names. A boto3 resource (`boto3.resource("dynamodb")`) has service
actions, sub-resources (`Table(name)`) whose actions call one operation each,
a `load` that lazy attributes trigger, waiters and collections; boto3 adds
`Table.batch_writer()` in code (its writes are `BatchWriteItem`).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "botocore.json.gz"


@dataclass(frozen=True)
class ClientModel:
    service: str  # the name given to boto3.client(...)
    prefix: str  # the IAM service prefix (its signing name)
    methods: dict[str, str]  # method -> operation
    paginators: dict[str, str]  # get_paginator(name) -> operation
    waiters: dict[str, str]  # get_waiter(name) -> operation


@dataclass(frozen=True)
class ResourceType:
    """One boto3 resource class (`Table`): every method that calls an operation."""

    name: str
    load: str | None
    actions: dict[str, str]
    waiters: dict[str, str]
    attributes: frozenset[str]  # lazily loaded through `load`
    collections: dict[str, str]
    injected: dict[str, str]  # methods boto3 adds in code (`batch_writer`)


@dataclass(frozen=True)
class ResourceModel:
    service: str
    actions: dict[str, str]
    has: dict[str, str]  # sub-resource constructor -> resource type
    collections: dict[str, str]
    types: dict[str, ResourceType]


@cache
def _raw() -> dict[str, object]:
    loaded = json.loads(gzip.decompress(DATA.read_bytes()))
    assert isinstance(loaded, dict)
    return loaded


def source() -> dict[str, str]:
    found = _raw()["source"]
    assert isinstance(found, dict)
    return {str(k): str(v) for k, v in found.items()}


def _clients() -> dict[str, dict[str, object]]:
    found = _raw()["clients"]
    assert isinstance(found, dict)
    return found


def client_services() -> tuple[str, ...]:
    return tuple(_clients())


def _strings(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


@cache
def client(service: str) -> ClientModel | None:
    """The client model of `boto3.client(service)`; None for a name botocore does not know."""
    data = _clients().get(service)
    if data is None:
        return None
    return ClientModel(
        service,
        str(data["prefix"]),
        _strings(data["methods"]),
        _strings(data["paginators"]),
        _strings(data["waiters"]),
    )


def operation(service: str, method: str) -> str | None:
    """The operation a client method calls (`dynamodb`, `query` -> `Query`)."""
    found = client(service)
    return found.methods.get(method) if found else None


def iam_action(service: str, operation_name: str) -> str:
    """The IAM action of an operation: `<prefix>:<Operation>` (DynamoDB's PartiQL operations
    are the exception, mapped by the caller from the statement)."""
    found = client(service)
    return f"{found.prefix if found else service}:{operation_name}"


@cache
def resource(service: str) -> ResourceModel | None:
    """boto3's resource model for `boto3.resource(service)`, when it is in the data."""
    models = _raw()["resources"]
    assert isinstance(models, dict)
    data = models.get(service)
    if not isinstance(data, dict):
        return None
    types: dict[str, ResourceType] = {}
    for name, spec in data["types"].items():
        types[name] = ResourceType(
            name,
            spec["load"],
            _strings(spec["actions"]),
            _strings(spec["waiters"]),
            frozenset(spec["attributes"]),
            _strings(spec["collections"]),
            _strings(spec["injected"]),
        )
    return ResourceModel(
        service,
        _strings(data["actions"]),
        _strings(data["has"]),
        _strings(data["collections"]),
        types,
    )
