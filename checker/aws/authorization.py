"""The IAM Service Authorization Reference, from `data/service_authorization.json.gz`.

https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"An action with no resource types in the Resource types column does not support
resource-level permissions: specify `*` in the Resource element" (the reference's
introduction); a resource type marked required must be named for the action to be
allowed on it. Action names are case-insensitive in policies; this module answers
with AWS's spelling (`dynamodb:PartiQLSelect`).
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "service_authorization.json.gz"


@dataclass(frozen=True)
class ResourceType:
    """One resource type an action acts on; `required` as the reference marks it (`*`)."""

    name: str
    required: bool


@dataclass(frozen=True)
class Action:
    name: str  # "dynamodb:Query"
    resource_types: tuple[ResourceType, ...]
    condition_keys: tuple[str, ...]


@dataclass(frozen=True)
class Service:
    prefix: str
    name: str
    url: str
    actions: dict[str, Action]  # lower-case action name (no prefix) -> action
    arn_formats: dict[str, str]  # resource type -> ARN format
    condition_keys: tuple[str, ...]


@cache
def _raw() -> dict[str, object]:
    loaded = json.loads(gzip.decompress(DATA.read_bytes()))
    assert isinstance(loaded, dict)
    return loaded


def source() -> dict[str, str]:
    """The package and version the data was extracted from."""
    found = _raw()["source"]
    assert isinstance(found, dict)
    return {str(k): str(v) for k, v in found.items()}


def _services_raw() -> dict[str, dict[str, object]]:
    raw = _raw()["services"]
    assert isinstance(raw, dict)
    return raw


def _prefixes() -> tuple[str, ...]:
    return tuple(_services_raw())


@cache
def _built(prefix: str) -> Service | None:
    """One service, built on first use: a check asks for a handful of the 400-odd, and
    building all of them cost a cold check a fifth of a second."""
    data = _services_raw().get(prefix)
    return _service(prefix, data) if data is not None else None


def _service(prefix: str, data: dict[str, object]) -> Service:
    actions: dict[str, Action] = {}
    raw_actions = data["actions"]
    assert isinstance(raw_actions, dict)
    for name, (types, conditions) in raw_actions.items():
        actions[name.lower()] = Action(
            f"{prefix}:{name}",
            tuple(ResourceType(t.rstrip("*"), t.endswith("*")) for t in types),
            tuple(conditions),
        )
    resources = data["resources"]
    assert isinstance(resources, dict)
    conditions = data["conditions"]
    assert isinstance(conditions, list)
    return Service(
        prefix,
        str(data["name"]),
        str(data["url"]),
        actions,
        {str(k): str(v) for k, v in resources.items()},
        tuple(str(c) for c in conditions),
    )


def service_prefixes() -> tuple[str, ...]:
    return _prefixes()


def service(prefix: str) -> Service | None:
    return _built(prefix.lower())


def actions(prefix: str) -> tuple[str, ...]:
    """Every action of a service prefix, as `prefix:Name`; empty for an unknown prefix."""
    found = service(prefix)
    return tuple(a.name for a in found.actions.values()) if found else ()


def action(name: str) -> Action | None:
    """An action by its name in any case (`dynamodb:query`); None when AWS has no such action."""
    prefix, sep, rest = name.partition(":")
    found = service(prefix) if sep else None
    return found.actions.get(rest.lower()) if found else None


def action_exists(name: str) -> bool:
    return action(name) is not None


@cache
def expand(pattern: str) -> tuple[str, ...]:
    """The real actions an IAM action pattern matches (`*` any run, `?` one character,
    case-insensitive), as the policy language matches them; empty when none does."""
    prefix, sep, rest = pattern.partition(":")
    if not sep:
        return tuple(a for p in _prefixes() for a in actions(p)) if pattern == "*" else ()
    prefixes = [p for p in _prefixes() if fnmatch.fnmatchcase(p, prefix.lower())]
    wanted = rest.lower()
    return tuple(
        a.name
        for built in map(_built, prefixes)
        if built is not None
        for key, a in built.actions.items()
        if fnmatch.fnmatchcase(key, wanted)
    )


def resource_types(name: str) -> tuple[ResourceType, ...]:
    """The resource types an action acts on; empty when it has no resource-level permission."""
    found = action(name)
    return found.resource_types if found else ()


def supports_resource_level(name: str) -> bool:
    """False for an action whose policies must say `Resource: "*"` (`dynamodb:ListTables`)."""
    return bool(resource_types(name))


def condition_keys(name: str) -> tuple[str, ...]:
    found = action(name)
    return found.condition_keys if found else ()


def arn_format(prefix: str, resource_type: str) -> str | None:
    """`arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` for (dynamodb, table)."""
    found = service(prefix)
    return found.arn_formats.get(resource_type) if found else None


PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def filled_arn(prefix: str, resource_type: str, pieces: Mapping[str, str], hole: str) -> str | None:
    """A resource's ARN in AWS's format, each `${Placeholder}` from `pieces` by name
    (`Partition` is `aws` unless given) and `hole` for any other (an account or an ID only
    apply tells); None for a resource type AWS lists no format for."""
    form = arn_format(prefix, resource_type)
    if form is None:
        return None
    known = {"Partition": "aws", **pieces}
    return PLACEHOLDER.sub(lambda match: known.get(match.group(1), hole), form)
