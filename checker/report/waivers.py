"""Waivers: a failure someone owns, for a reason, until a date.

    waivers:                        # .checker-waivers.yaml (or TOML with [[waivers]])
      - rule: TAP011
        address: "aws_s3_bucket.logs*"   # exact address or glob
        owner: platform-team
        reason: logs bucket is kept on destroy until the audit ends
        expires: 2027-01-31

Parsed safely: YAML with the safe loader (no tags that construct objects). A
malformed file is an input error naming the line at fault.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.report.model import Finding
from checker.rules.base import Status

DEFAULT_FILE = ".checker-waivers.yaml"
REQUIRED = ("rule", "address", "owner", "reason", "expires")
MAX_WAIVER_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Waiver:
    rule: str
    address: str
    owner: str
    reason: str
    expires: dt.date
    line: int

    def matches(self, finding: Finding) -> bool:
        return finding.rule_id == self.rule and fnmatch.fnmatchcase(finding.address, self.address)

    def describe(self) -> str:
        return (
            f"{self.rule} {self.address} (owner {self.owner}, expires {self.expires.isoformat()})"
        )


def _yaml_entries(path: Path, text: str) -> list[tuple[Any, int]]:
    import yaml

    try:
        _refuse_aliases(path, text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "unknown line"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputError(f"{path}: invalid YAML at {where}: {problem}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("waivers"), list):
        raise InputError(f"{path}: line 1: expected a mapping with a 'waivers' list")
    items = next(v for k, v in root.value if k.value == "waivers").value  # type: ignore[union-attr]
    return [
        (entry, node.start_mark.line + 1)
        for entry, node in zip(data["waivers"], items, strict=True)
    ]


def _refuse_aliases(path: Path, text: str) -> None:
    """Anchors and aliases have no use in a waiver file and are how YAML bombs are built."""
    import yaml

    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            line = event.start_mark.line + 1 if event.start_mark is not None else 1
            raise InputError(f"{path}: line {line}: YAML anchors and aliases are not allowed")


def _toml_entries(path: Path, text: str) -> list[tuple[Any, int]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: invalid TOML: {str(error)[:200]}") from None
    except RecursionError:
        raise InputError(f"{path}: TOML is nested too deeply") from None
    entries = data.get("waivers", [])
    if not isinstance(entries, list):
        raise InputError(f"{path}: line 1: expected [[waivers]] tables")
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "[[waivers]]"]
    return [(entry, lines[i] if i < len(lines) else 1) for i, entry in enumerate(entries)]


def _parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_waivers(path: Path, inside: Path | None = None) -> list[Waiver]:
    """The waivers of `path`; `inside`: the tree a file found there (not named) must stay in."""
    from checker.reader import read_text

    text = read_text(path, MAX_WAIVER_BYTES, "waiver file", inside)
    entries = _toml_entries(path, text) if path.suffix == ".toml" else _yaml_entries(path, text)
    waivers: list[Waiver] = []
    for entry, line in entries:
        if not isinstance(entry, dict):
            raise InputError(
                f"{path}: line {line}: a waiver must be a mapping of {', '.join(REQUIRED)}"
            )
        missing = [key for key in REQUIRED if entry.get(key) in (None, "")]
        if missing:
            raise InputError(f"{path}: line {line}: waiver lacks {', '.join(missing)}")
        extra = [str(key)[:40] for key in entry if key not in REQUIRED]
        if extra:
            raise InputError(f"{path}: line {line}: unknown waiver field {extra[0]!r}")
        for key in REQUIRED:
            value = entry[key]
            if not isinstance(value, str) and not (key == "expires" and isinstance(value, dt.date)):
                raise InputError(f"{path}: line {line}: waiver field {key!r} must be a string")
        expires = _parse_date(entry["expires"])
        if expires is None:
            raise InputError(f"{path}: line {line}: expires must be a date (YYYY-MM-DD)")
        waivers.append(
            Waiver(
                rule=str(entry["rule"]),
                address=str(entry["address"]),
                owner=str(entry["owner"]),
                reason=str(entry["reason"]),
                expires=expires,
                line=line,
            )
        )
    return waivers


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date
) -> tuple[list[Finding], list[str]]:
    """Waive the failures live waivers cover; warn about expired and unmatched ones."""
    warnings: list[str] = []
    used: set[int] = set()
    out: list[Finding] = []
    live = [w for w in waivers if w.expires >= today]
    for waiver in waivers:
        if waiver.expires < today:
            warnings.append(
                f"waiver expired on {waiver.expires.isoformat()}, no longer waives: {waiver.describe()}"
            )
    for finding in findings:
        match = next(
            (
                w
                for w in live
                if finding.status in (Status.FAILED, Status.UNKNOWN) and w.matches(finding)
            ),
            None,
        )
        if match is None:
            out.append(finding)
            continue
        used.add(id(match))
        out.append(
            replace(
                finding,
                status=Status.WAIVED.value,
                waiver=f"waived by {match.owner} until {match.expires.isoformat()}: {match.reason}",
            )
        )
    for waiver in live:
        if id(waiver) not in used and not any(waiver.matches(f) for f in findings):
            warnings.append(f"waiver matches no finding: {waiver.describe()}")
    return out, warnings
