"""The command line's shared option types and choices (`checker.cli` uses them)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from checker.engines.names import ALL, EngineName


class RulesFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Level(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class UnknownPolicy(StrEnum):
    warn = "warn"
    fail = "fail"


class BinaryPlans(StrEnum):
    refuse = "refuse"
    convert = "convert"


EngineOption = Annotated[
    list[str],
    typer.Option(
        metavar=f"[{'|'.join([*EngineName, ALL])}]",
        help="Engine to run (repeatable).",
    ),
]
FailOnOption = Annotated[Level, typer.Option(help="Lowest severity that fails the gate.")]
UnknownOption = Annotated[UnknownPolicy, typer.Option(help="What an undecidable result costs.")]
BaselineOption = Annotated[
    Path | None, typer.Option(help="A previous JSON report: only new failures fail the gate.")
]
FailOnNewOption = Annotated[
    bool,
    typer.Option(
        "--fail-on-new",
        help="Fail only on findings the plan introduces (or whose change it cannot tell), "
        "not on those it inherits from its prior state.",
    ),
]
RequireCoverageOption = Annotated[
    bool,
    typer.Option(
        "--require-coverage",
        help="Fail when a resource of a type some rule knows went unchecked by every rule.",
    ),
]
PriorSourceOption = Annotated[
    Path | None,
    typer.Option(
        "--prior-source",
        help="The base revision's .tf files: settle what an update plan cannot tell "
        "(introduced or inherited, for findings that rest on configuration).",
    ),
]
NoColor = Annotated[
    bool, typer.Option("--no-color", help="No colour (also NO_COLOR=1 or TERM=dumb).")
]
