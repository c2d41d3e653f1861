"""The abstract values of the handler reader: the boto3 objects a name may hold (modules,
factories, sessions, clients, resources, paginators, waiters, functions, containers).
"""

from __future__ import annotations

from dataclasses import dataclass

# ------------------------------------------------------------------ abstract objects


@dataclass(frozen=True)
class Module:
    name: str  # "boto3", "boto3.session", "botocore", "botocore.session"


@dataclass(frozen=True)
class Factory:
    kind: str  # "client", "resource", "Session"


@dataclass(frozen=True)
class Session:
    pass


@dataclass(frozen=True)
class Client:
    service: str | None  # None: named at run time


@dataclass(frozen=True)
class ServiceResource:
    service: str | None


@dataclass(frozen=True)
class SubResource:
    service: str
    type: str  # "Table"


@dataclass(frozen=True)
class Collection:
    service: str
    operation: str | None


@dataclass(frozen=True)
class Paginator:
    service: str | None
    operation: str | None
    name: str | None


@dataclass(frozen=True)
class Waiter:
    service: str | None
    operation: str | None
    name: str | None


@dataclass(frozen=True)
class BatchWriter:
    service: str


@dataclass(frozen=True)
class Meta:
    service: str | None


@dataclass(frozen=True)
class Function:
    key: int  # id of its def node
    method: bool  # defined in a class body: called through an attribute, `self` is bound


@dataclass(frozen=True)
class Method:
    owner: Obj
    name: str | None  # None: named at run time (`getattr(client, name)`)
    through_attribute: bool = True


@dataclass(frozen=True)
class Box:
    items: frozenset[Obj]


Obj = (
    Module
    | Factory
    | Session
    | Client
    | ServiceResource
    | SubResource
    | Collection
    | Paginator
    | Waiter
    | BatchWriter
    | Meta
    | Function
    | Method
    | Box
)
AWS_OBJECTS = (
    Client,
    ServiceResource,
    SubResource,
    Collection,
    Paginator,
    Waiter,
    BatchWriter,
)
Values = frozenset[Obj]
EMPTY: Values = frozenset()
MODULES = {"boto3": "boto3", "boto3.session": "boto3.session", "botocore.session": "botocore"}
FACTORIES = {
    "boto3": {"client": "client", "resource": "resource", "Session": "Session"},
    "boto3.session": {"Session": "Session"},
    "botocore.session": {"get_session": "Session", "Session": "Session"},
}
SUBMODULES = {"boto3": {"session": "boto3.session"}, "botocore": {"session": "botocore.session"}}
COLLECTION_METHODS = {"all", "filter", "limit", "page_size", "pages"}
