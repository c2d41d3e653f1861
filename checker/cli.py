"""The command line: parse arguments, call, print, exit. Everything else lives elsewhere."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from checker.errors import CheckerError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Policy-as-code checks for Terraform plans of the TAP stack shape (TAP001-TAP015).",
)


class Engine(StrEnum):
    native = "native"
    checkov = "checkov"
    compliance = "compliance"
    all = "all"


class Format(StrEnum):
    text = "text"
    json = "json"


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


def _fail(error: CheckerError) -> NoReturn:
    for line in error.lines():
        typer.echo(line, err=True)
    raise typer.Exit(error.exit_code)


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Plan JSON files ('-' for stdin).")],
    engine: Annotated[list[Engine], typer.Option(help="Engine to run (repeatable).")] = [  # noqa: B006
        Engine.native
    ],
    format: Annotated[
        Format | None, typer.Option(help="Report format (default: text on a TTY, else json).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to FILE; summary to stderr.")
    ] = None,
    fail_on: Annotated[
        Level, typer.Option(help="Lowest severity that fails the gate.")
    ] = Level.low,
    unknown: Annotated[
        UnknownPolicy, typer.Option(help="What an undecidable result costs.")
    ] = UnknownPolicy.warn,
    source: Annotated[
        Path | None, typer.Option(help="HCL sources for values the plan hides.")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Rule options file (default: [tool.checker] in pyproject.toml)."),
    ] = None,
) -> None:
    """Check plans against every documented fix and exit with the gate's verdict."""
    from checker.config import load_config
    from checker.report.model import Gate, exit_code
    from checker.rules.base import Severity
    from checker.run import CheckOptions, check_inputs

    try:
        conf = load_config(config)
        engines: tuple[str, ...] = (
            ("native", "checkov", "compliance")
            if Engine.all in engine
            else tuple(dict.fromkeys(e.value for e in engine))
        )
        options = CheckOptions(
            engines=engines,
            source=source.resolve() if source else None,
            gate=Gate(fail_on=Severity(fail_on.value), unknown=unknown.value),
        )
        report = check_inputs(paths, options, conf)
    except CheckerError as error:
        _fail(error)
    except Exception as error:  # never a traceback for input we could not read
        typer.echo(
            f"error: the input could not be checked ({type(error).__name__}: {str(error)[:200]})",
            err=True,
        )
        typer.echo(
            "hint: pass the unmodified JSON printed by 'terraform show -json PLAN'", err=True
        )
        raise typer.Exit(2) from None
    chosen = format or (Format.text if sys.stdout.isatty() else Format.json)
    text = _render(report, chosen, colour=output is None and sys.stdout.isatty())
    if output is not None:
        output.write_text(text, encoding="utf-8")
        from checker.report.text import summary_line

        typer.echo(summary_line(report), err=True)
    else:
        sys.stdout.write(text)
    raise typer.Exit(exit_code(report.gate_result()))


def _render(report: object, chosen: Format, colour: bool) -> str:
    from checker.report import json_format, text
    from checker.report.model import Report

    assert isinstance(report, Report)
    match chosen:
        case Format.text:
            return text.render(report, colour=colour)
        case Format.json:
            return json_format.render(report)


@app.command()
def rules(
    format: Annotated[RulesFormat, typer.Option(help="Catalogue format.")] = RulesFormat.text,
) -> None:
    """List the rule catalogue."""
    from checker.rules.catalogue import render_catalogue

    sys.stdout.write(render_catalogue(format.value))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
