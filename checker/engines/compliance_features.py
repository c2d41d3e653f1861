"""The terraform-compliance features as data: the scenarios each `.feature` file declares,
with the catalogue rule (`@TAPnnn` tag) and resource type of each. Read by the
compliance engine and by coverage (`checker.engines.coverage`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from checker.engines.external import policies_root
from checker.errors import EngineError

TAG = re.compile(r"@(TAP\d{3})\b")
GIVEN = re.compile(r"^\s*Given I have (\S+) defined\s*$")


@dataclass(frozen=True)
class Scenario:
    feature: str
    name: str
    rule_id: str
    resource_type: str
    file: str

    @property
    def check_id(self) -> str:
        return f"{Path(self.file).stem}:{self.name}"


def features_dir() -> Path:
    directory = policies_root() / "compliance"
    if not any(directory.glob("*.feature")):
        raise EngineError(
            f"no .feature files in {directory}",
            "reinstall the checker, or point CHECKER_POLICIES at a copy",
        )
    return directory


def declared_scenarios(directory: Path) -> list[Scenario]:
    """The scenarios the feature files declare, with their catalogue tag and resource type."""
    out: list[Scenario] = []
    for path in sorted(directory.glob("*.feature")):
        feature = ""
        tags: list[str] = []
        feature_tags: list[str] = []
        pending: str | None = None
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("@"):
                tags += TAG.findall(stripped)
            elif stripped.startswith("Feature:"):
                feature = stripped.removeprefix("Feature:").strip()
                feature_tags, tags = tags, []
            elif stripped.startswith(("Scenario:", "Scenario Outline:")):
                pending = stripped.split(":", 1)[1].strip()
                rule = (tags or feature_tags or [""])[0]
                tags = []
                out.append(Scenario(feature, pending, rule, "", str(path)))
            elif pending is not None and (match := GIVEN.match(line)):
                last = out[-1]
                out[-1] = Scenario(last.feature, last.name, last.rule_id, match.group(1), last.file)
                pending = None
    return out
