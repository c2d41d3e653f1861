"""Read a plan from a path or stdin and refuse, clearly, what is not a plan."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import ValidationError

from checker.errors import InputError
from checker.plan.models import PlanDocument

if TYPE_CHECKING:
    from checker.terraform import BinaryPlanPolicy

ZIP_MAGIC = b"PK\x03\x04"
SUPPORTED = "format_version 0.1 to 1.x (Terraform 0.12 to 1.x)"
MAX_PLAN_BYTES = 1024 * 1024 * 1024  # far above the plans of the benchmark's 50,000 resources


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan document and where it came from."""

    name: str
    document: PlanDocument
    raw: dict[str, Any]
    path: Path | None
    notes: tuple[str, ...] = ()


def read_bytes(name: str) -> tuple[bytes, Path | None]:
    """The plan's bytes through the confined reader (regular files only, at most
    `MAX_PLAN_BYTES`, never trusting `st_size`); stdin is capped the same way."""
    from checker.reader import read_regular, read_stream

    if name == "-":
        return read_stream(sys.stdin.buffer, MAX_PLAN_BYTES, "stdin"), None
    path = Path(name)
    try:
        return read_regular(path, MAX_PLAN_BYTES, "plan"), path
    except InputError as error:
        if error.message.endswith("plan not found"):
            raise InputError(
                f"{name}: no such file", "pass a plan written by 'terraform show -json'"
            ) from None
        if error.message.endswith("plan is a directory"):
            raise InputError(f"{name}: is a directory without .tf files") from None
        raise


def decode(name: str, data: bytes) -> str:
    """UTF-8 with or without BOM, or UTF-16 with BOM."""
    if data.startswith(ZIP_MAGIC):
        raise InputError(
            f"{name}: is a binary plan file, not JSON",
            f"run 'terraform show -json {name} > plan.json' and check plan.json",
        )
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data[3:].decode("utf-8")
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{name}: is not UTF-8 or UTF-16 text (byte {error.start})",
            "pass the JSON printed by 'terraform show -json PLAN'",
        ) from None


def parse_json(name: str, text: str) -> Any:
    """The plan's JSON, read by orjson (a C parser: 1.3-1.8x the standard library on our
    plans, measured in ./dev bench); anything orjson refuses is read again by the standard
    library, which refuses NaN/Infinity, reads integers beyond 64 bits and says where."""
    if not text.strip():
        raise InputError(
            f"{name}: is empty", "pass the JSON printed by 'terraform show -json PLAN'"
        )
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass  # the standard library says why, as it always did (NaN, depth, big integers)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except _NotJson as error:
        raise InputError(
            f"{name}: {error} is not JSON (Terraform never writes it)",
            "pass the JSON printed by 'terraform show -json PLAN'",
        ) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{name}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise InputError(f"{name}: JSON is nested too deeply to be a Terraform plan") from None


class _NotJson(ValueError):
    pass


def _refuse_constant(constant: str) -> Any:
    raise _NotJson(constant)


FORMAT_VERSION = re.compile(r"^(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})$")


def _classify(name: str, data: Any) -> None:
    if not isinstance(data, dict):
        raise InputError(f"{name}: is JSON but not a Terraform plan (top level is not an object)")
    if "lineage" in data and "serial" in data:
        raise InputError(
            f"{name}: is a Terraform state file, not a plan",
            "run 'terraform plan -out=tfplan' and 'terraform show -json tfplan'",
        )
    plan_keys = ("planned_values", "resource_changes", "configuration", "prior_state")
    if "values" in data and not any(k in data for k in plan_keys):
        raise InputError(
            f"{name}: is 'terraform show -json' of a state, not of a plan",
            "run 'terraform plan -out=tfplan' and 'terraform show -json tfplan'",
        )
    version = data.get("format_version")
    if version is None or not any(k in data for k in plan_keys):
        raise InputError(
            f"{name}: is JSON but not a Terraform plan (no format_version and planned_values)",
            "pass the JSON printed by 'terraform show -json PLAN'",
        )
    if not isinstance(version, str):
        raise InputError(f"{name}: format_version must be a string, found {type(version).__name__}")
    match = FORMAT_VERSION.match(version)
    if match is None:
        raise InputError(
            f"{name}: unreadable format_version {version[:20]!r}; supported: {SUPPORTED}"
        )
    major, minor = int(match.group(1)), int(match.group(2))
    if major >= 2 or (major == 0 and minor < 1):
        raise InputError(
            f"{name}: plan format_version {version} is not supported; supported: {SUPPORTED}",
            "upgrade the checker, or write the plan with a supported Terraform version",
        )
    if data.get("errored") is True:
        raise InputError(
            f"{name}: Terraform failed to make this plan (errored: true); it cannot be judged",
            "fix the errors 'terraform plan' printed, then plan again",
        )


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{where}: {first['msg']}"


def load_plan(
    name: str, data: bytes | None = None, binary: BinaryPlanPolicy | None = None
) -> LoadedPlan:
    """Load and validate one plan; raise InputError with one clear line otherwise.

    A binary plan file is refused or converted as `binary` says (default: from
    the environment, refused in CI mode); see `checker.terraform` for why the
    conversion runs only in a directory the checker owns.
    """
    path: Path | None = None
    notes: tuple[str, ...] = ()
    if data is None:
        data, path = read_bytes(name)
        if data.startswith(ZIP_MAGIC) and path is not None:
            from checker.terraform import binary_plan_policy, show_json

            data, note = show_json(name, path, data, binary or binary_plan_policy())
            notes = (note,)
    raw = parse_json(name, decode(name, data))
    _classify(name, raw)
    try:
        document = PlanDocument.model_validate(raw)
    except ValidationError as error:
        raise InputError(
            f"{name}: not a valid Terraform plan: {_first_error(error)}",
            "pass the unmodified JSON printed by 'terraform show -json PLAN'",
        ) from None
    except RecursionError:
        raise InputError(f"{name}: plan is nested too deeply to be a Terraform plan") from None
    return LoadedPlan(name=name, document=document, raw=raw, path=path, notes=notes)
