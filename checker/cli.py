"""The command line: parse arguments, call, print, exit. Everything else lives elsewhere."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from checker.cli_options import (
    BaselineOption,
    BinaryPlans,
    EngineOption,
    FailOnNewOption,
    FailOnOption,
    Level,
    NoColor,
    PriorSourceOption,
    RequireCoverageOption,
    RulesFormat,
    UnknownOption,
    UnknownPolicy,
)
from checker.engines.names import EXTERNAL, EngineName, parse_engines
from checker.errors import CheckerError, InputError
from checker.report.kinds import ReportFormat

if TYPE_CHECKING:
    from checker.report.model import Gate

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Policy-as-code checks for Terraform plans of the TAP stack shape (the TAP rules).",
)


def _fail(error: CheckerError) -> NoReturn:
    from checker.report.escape import inert

    for line in error.lines():
        typer.echo(inert(line), err=True)
    raise typer.Exit(error.exit_code)


def _emit(
    report: object, fmt: ReportFormat | None, output: Path | None, no_color: bool = False
) -> None:
    """The report to stdout, or to --output with the summary line on stderr."""
    from checker.report.formats import render
    from checker.report.model import Report
    from checker.report.text import summary_line
    from checker.terminal import colour_wanted

    assert isinstance(report, Report)
    tty = sys.stdout.isatty()
    chosen = fmt or (ReportFormat.text if tty else ReportFormat.json)
    colour = output is None and chosen == ReportFormat.text and colour_wanted(sys.stdout, no_color)
    text = render(report, chosen, colour=colour)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise typer.Exit(_report_error(f"cannot write {output}: {error.strerror}")) from None
        typer.echo(summary_line(report), err=True)
    else:
        sys.stdout.write(text)
    from checker.report.escape import inert

    for warning in report.warnings:
        typer.echo(f"warning: {inert(warning)}", err=True)


def _engines(engine: list[str]) -> tuple[EngineName, ...]:
    return parse_engines(name for text in engine for name in text.split(",") if name)


def _gate(
    fail_on: Level, unknown: UnknownPolicy, new_only: bool = False, coverage: bool = False
) -> Gate:
    from checker.report.model import Gate
    from checker.results import Severity

    return Gate(
        fail_on=Severity(fail_on.value),
        unknown=unknown.value,
        new_only=new_only,
        require_coverage=coverage,
    )


def _directory(path: Path | None, option: str) -> Path | None:
    if path is not None and not path.is_dir():
        raise InputError(f"{option} {path}: not a directory", "pass the directory of .tf files")
    return path.resolve() if path is not None else None


def _report_error(message: str) -> int:
    typer.echo(f"error: {message}", err=True)
    return 2


@app.command()
def check(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH",
            help="Plan JSON files ('-' for stdin) or directories of .tf files.",
            show_default=False,
        ),
    ] = None,
    engine: EngineOption = [EngineName.NATIVE.value],  # noqa: B006
    format: Annotated[
        ReportFormat | None, typer.Option(help="Report format (default: text on a TTY, else json).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Write the report to FILE; summary to stderr.")
    ] = None,
    fail_on: FailOnOption = Level.low,
    unknown: UnknownOption = UnknownPolicy.warn,
    fail_on_new: FailOnNewOption = False,
    require_coverage: RequireCoverageOption = False,
    waivers: Annotated[
        Path | None, typer.Option(help="Waiver file (default: .checker-waivers.yaml if present).")
    ] = None,
    baseline: BaselineOption = None,
    source: Annotated[
        Path | None, typer.Option(help="HCL sources for values the plan hides.")
    ] = None,
    prior_source: PriorSourceOption = None,
    config: Annotated[
        Path | None,
        typer.Option(help="Rule options file (default: [tool.checker] in pyproject.toml)."),
    ] = None,
    jobs: Annotated[
        int, typer.Option(min=1, help="Processes checking many inputs at once (native engine).")
    ] = 1,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="A directory rule pack, or an optional pack of the checker's own by name "
            "(wiring), to load (repeatable).",
        ),
    ] = None,
    source_root: Annotated[
        Path | None,
        typer.Option(
            "--source-root",
            help="file(), templatefile() and modules may read inside DIR (default: the stack).",
        ),
    ] = None,
    no_color: NoColor = False,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="PATHS are changed files (as pre-commit passes them): check the stack "
            "directory of each .tf/.tfvars file and each plan file.",
        ),
    ] = False,
    binary_plans: Annotated[
        BinaryPlans | None,
        typer.Option(
            "--binary-plans",
            help="A binary plan file (terraform plan -out): refuse it, or convert it with "
            "terraform show -json in a directory the checker owns (default: CHECKER_BINARY_PLANS, "
            "else refuse in CI mode and convert outside it).",
        ),
    ] = None,
    plugin_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--plugin-dir",
            help="A trusted provider directory (HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/) for "
            "converting binary plans (repeatable; also CHECKER_TERRAFORM_PLUGIN_DIR).",
        ),
    ] = None,
) -> None:
    """Check plans (or directories of .tf files) and exit with the gate's verdict."""
    from checker.config import config_start, load_config
    from checker.report.model import exit_code
    from checker.run import CheckOptions, check_inputs
    from checker.terraform import binary_plan_policy

    paths = paths or []
    if not paths and changed:
        # an empty `git diff` (pre-commit with no matching file): nothing to check is a pass
        typer.echo("checker: nothing to check (no changed files)", err=True)
        return
    if not paths:
        typer.echo(
            "error: check needs at least one PATH (a plan JSON file, '-' or a directory)", err=True
        )
        raise typer.Exit(2)
    try:
        start = Path.cwd() if changed else config_start(paths)
        conf = load_config(config, start, tuple(rules or ()), source_root)
        if changed:
            from checker.changed import inputs_of_changes

            named = len(paths)
            paths = inputs_of_changes(paths, conf.stacks)
            if not paths:
                typer.echo(f"checker: no stack or plan among the {named} changed files", err=True)
                return
        options = CheckOptions(
            engines=_engines(engine),
            source=source.resolve() if source else None,
            gate=_gate(fail_on, unknown, fail_on_new, require_coverage),
            waivers=waivers,
            baseline=baseline,
            jobs=jobs,
            prior_source=_directory(prior_source, "--prior-source"),
            binary=binary_plan_policy(
                binary_plans.value if binary_plans else None, plugin_dir or (), named=not changed
            ),
        )
        from checker.terminal import progress

        with progress(
            sys.stderr, enabled=len(paths) > 1 or options.engines != (EngineName.NATIVE,)
        ):
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
    _emit(report, format, output, no_color)
    raise typer.Exit(exit_code(report.gate_result()))


@app.command()
def report(
    report_files: Annotated[
        list[Path],
        typer.Argument(help="JSON reports written by 'checker check' (several are merged)."),
    ],
    format: Annotated[ReportFormat, typer.Option(help="Format to render.")] = ReportFormat.text,
    output: Annotated[Path | None, typer.Option(help="Write it to FILE.")] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="A directory rule pack (or an optional pack by name, wiring) whose findings "
            "the report holds.",
        ),
    ] = None,
    no_color: NoColor = False,
) -> None:
    """Re-render saved JSON reports in another format, merged into one, without checking again."""
    from checker.config import load_rules, pack_arguments
    from checker.report.merge import merge_reports, without_stacks
    from checker.report.model import exit_code, load_report

    saved = []
    for report_file in report_files:
        try:
            directories, packs = pack_arguments(tuple(rules or ()))
            known = {r.meta.id for r in load_rules(tuple(p.resolve() for p in directories), packs)}
            saved.append(without_stacks(load_report(report_file, known), str(report_file)))
        except CheckerError as error:
            _fail(error)
        except Exception as error:  # never a traceback for a report we could not read
            raise typer.Exit(
                _report_error(
                    f"{report_file}: not a usable checker report ({type(error).__name__})"
                )
            ) from None
    merged = merge_reports(saved)
    _emit(merged, format, output, no_color)
    raise typer.Exit(exit_code(merged.gate_result()))


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def apply(
    ctx: typer.Context,
    engine: EngineOption = [EngineName.NATIVE.value],  # noqa: B006
    format: Annotated[
        ReportFormat, typer.Option(help="Format of the printed report.")
    ] = ReportFormat.text,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Keep the JSON report in FILE.")
    ] = None,
    fail_on: FailOnOption = Level.low,
    unknown: UnknownOption = UnknownPolicy.warn,
    fail_on_new: FailOnNewOption = False,
    require_coverage: RequireCoverageOption = False,
    waivers: Annotated[Path | None, typer.Option(help="Waiver file.")] = None,
    baseline: BaselineOption = None,
    source: Annotated[
        Path | None, typer.Option(help="HCL sources (default: the working directory).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Rule options file.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Keep the checked (and applied) plan in FILE; the report names it."),
    ] = None,
    no_color: NoColor = False,
) -> None:
    """terraform plan, check that saved plan, and apply it only when the gate passes.

    Arguments after -- go to terraform plan, e.g. checker apply -- -var env=prod.
    """
    from checker.apply import plan_check_apply
    from checker.config import load_config
    from checker.report.formats import render
    from checker.report.model import Report, exit_code
    from checker.run import CheckOptions
    from checker.terminal import colour_wanted

    def announce(report: Report) -> None:
        colour = format == ReportFormat.text and colour_wanted(sys.stdout, no_color)
        sys.stdout.write(render(report, format, colour=colour))
        if report_file is not None:
            try:
                report_file.write_text(render(report, ReportFormat.json), encoding="utf-8")
            except OSError as error:
                raise InputError(
                    f"cannot write the report to {report_file}: {error.strerror}; not applying"
                ) from None
        verdict = (
            "applying the checked plan" if report.gate_result() == "passed" else "not applying"
        )
        typer.echo(f"checker: gate {report.gate_result().upper()}: {verdict}", err=True)

    try:
        if report_file is not None and not report_file.parent.is_dir():
            raise InputError(f"--report {report_file}: its directory does not exist")
        if out is not None and not out.resolve().parent.is_dir():
            raise InputError(f"--out {out}: its directory does not exist")
        options = CheckOptions(
            engines=_engines(engine),
            gate=_gate(fail_on, unknown, fail_on_new, require_coverage),
            waivers=waivers,
            baseline=baseline,
            source=source.resolve() if source else None,
        )
        result = plan_check_apply(
            list(ctx.args),
            options,
            load_config(config),
            announce=announce,
            out=out,
            colour=colour_wanted(sys.stdout, no_color),
        )
    except CheckerError as error:
        _fail(error)
    raise typer.Exit(exit_code(result.report.gate_result()))


@app.command()
def fix(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="Plan JSON files or directories of .tf files."),
    ],
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Only this rule's findings (repeatable).")
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Write the edits to the files.")] = False,
    source: Annotated[
        Path | None, typer.Option(help="The stack's .tf files (default: beside the plan).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Rule options file.")] = None,
) -> None:
    """Print (or --write) the edits of the .tf sources that fix the failed findings."""
    from checker.config import config_start, load_config
    from checker.fix.command import find_fixes, summary

    try:
        conf = load_config(config, config_start(paths))
        found = find_fixes(paths, source.resolve() if source else None, conf, set(rule or ()))
    except CheckerError as error:
        _fail(error)
    sys.stdout.write(found.diff())
    if write:
        found.write()
    for line in summary(found, written=write):
        typer.echo(line, err=True)


@app.command()
def rules(
    format: Annotated[RulesFormat, typer.Option(help="Catalogue format.")] = RulesFormat.text,
    packs: Annotated[
        list[Path] | None,
        typer.Option(
            "--rules",
            help="A directory rule pack, or an optional pack by name (wiring), to list too "
            "(repeatable).",
        ),
    ] = None,
    only_pack: Annotated[
        bool, typer.Option("--only-pack", help="List only the rules of the --rules packs.")
    ] = False,
) -> None:
    """List the rule catalogue: built-in rules and every loaded pack's."""
    from checker.config import load_rules, pack_arguments
    from checker.rules.catalogue import render_catalogue

    try:
        directories, names = pack_arguments(tuple(packs or ()))
        loaded = load_rules(tuple(p.resolve() for p in directories), names)
    except CheckerError as error:
        _fail(error)
    if only_pack:
        from checker.rules.registry import BUILTIN_PACK

        loaded = tuple(r for r in loaded if r.pack != BUILTIN_PACK)
    sys.stdout.write(render_catalogue(format.value, loaded, only_pack=only_pack))


def _version(value: bool) -> None:
    if not value:
        return
    from checker import __version__
    from checker.engines.install import TOOLS, describe

    typer.echo(f"checker {__version__}")
    for tool in TOOLS.values():
        typer.echo(f"  {describe(tool)}")
    raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_version,
            help="Print the checker's version and its engines', then exit.",
        ),
    ] = False,
) -> None:
    """Policy-as-code checks for Terraform plans of the TAP stack shape (the TAP rules)."""


engines_app = typer.Typer(
    no_args_is_help=False,
    invoke_without_command=True,
    help="The engines that are other programs (checkov, terraform-compliance): show, install.",
)
app.add_typer(engines_app, name="engines")


@engines_app.callback()
def engines_status(ctx: typer.Context) -> None:
    """Show each engine's version and where it runs from (or how to install it)."""
    if ctx.invoked_subcommand is not None:
        return
    from checker.engines.install import TOOLS, describe, engines_dir

    typer.echo("native: built in")
    for tool in TOOLS.values():
        typer.echo(f"{tool.name}: {describe(tool)}")
    typer.echo(f"environments: {engines_dir()}")


@engines_app.command("install")
def engines_install(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            metavar=f"[{'|'.join(EXTERNAL)}]...", help="Engines to install (default: all)."
        ),
    ] = None,
) -> None:
    """Create the pinned, isolated environments of the engines in the user's cache directory."""
    from checker.engines.install import TOOLS, install

    try:
        chosen = [e for e in parse_engines(names or EXTERNAL) if e in EXTERNAL]
    except CheckerError as error:
        _fail(error)
    for name in chosen:
        tool = TOOLS[name]
        if not tool.installed():
            typer.echo(f"{tool.name}: installing {tool.package} {tool.pinned()} ...", err=True)
        try:
            built = install(tool)
        except CheckerError as error:
            _fail(error)
        state = "installed" if built else "already installed"
        typer.echo(f"{tool.name}: {state} at {tool.home()}")


ci_app = typer.Typer(
    no_args_is_help=True,
    help="What CI jobs run: the gate with every report file, and the pull-request comment.",
)
app.add_typer(ci_app, name="ci")


@ci_app.command("gate")
def ci_gate(
    plans: Annotated[str, typer.Option(help="Plans or stack directories: paths and globs.")] = "",
    reports: Annotated[
        str, typer.Option(help="JSON reports to merge instead of checking (paths and globs).")
    ] = "",
    engines: Annotated[str, typer.Option(help="Engines, comma or space separated.")] = "native",
    fail_on: FailOnOption = Level.low,
    unknown: UnknownOption = UnknownPolicy.warn,
    waivers: Annotated[str, typer.Option(help="Waiver file.")] = "",
    baseline: Annotated[str, typer.Option(help="A previous JSON report.")] = "",
    args: Annotated[str, typer.Option(help="More 'checker check' arguments, shell-quoted.")] = "",
    out: Annotated[Path, typer.Option(help="Folder for every report file.")] = Path(
        "checker-report"
    ),
    expect_reports: Annotated[
        str,
        typer.Option(
            metavar="N|NAMES",
            help="With --reports: how many reports there must be (one per matrix job), or "
            "the jobs' or stacks' names ('app data'), each naming a report's folder or file; "
            "a missing one is the gate 'error' naming it.",
        ),
    ] = "",
) -> None:
    """Run the gate as a CI job: install the engines it needs, check, write every report file."""
    from checker.ci.gate import GateInputs, expected_reports, run_gate

    try:
        expected_reports(expect_reports)
    except CheckerError as error:
        _fail(error)
    inputs = GateInputs(
        plans=plans,
        reports=reports,
        engines=engines,
        fail_on=fail_on.value,
        unknown=unknown.value,
        waivers=waivers,
        baseline=baseline,
        args=args,
        out=out,
        expect_reports=expect_reports,
    )
    try:
        code = run_gate(inputs, partial(app, prog_name="checker"))
    except CheckerError as error:
        _fail(error)
    raise typer.Exit(code)


@ci_app.command("comment")
def ci_comment(
    markdown_file: Annotated[Path, typer.Argument(help="The Markdown report 'ci gate' wrote.")],
    key: Annotated[
        str, typer.Option(help="Tells this gate's comment from another gate's on one PR.")
    ] = "gate",
) -> None:
    """Create or update the one pull-request (merge-request) comment; never fails the job."""
    import re

    from checker.ci.comment import post_comment

    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key):
        raise typer.Exit(_report_error("--key: letters, digits, '.', '_' or '-', at most 40"))
    try:
        text = markdown_file.read_text(encoding="utf-8")
    except OSError as error:
        raise typer.Exit(
            _report_error(f"{markdown_file}: cannot read ({error.strerror})")
        ) from None
    outcome = post_comment(text, key)
    prefix = "warning: " if outcome.action == "failed" else ""
    typer.echo(f"{prefix}checker: comment {outcome.action}: {outcome.detail}", err=True)


def _changed_without_separator(argv: list[str]) -> bool:
    """`check --changed` with file names not behind `--`: a file named `--rules=x.tf` would be
    read as an option, so pre-commit hooks end their args with `--` and this is enforced."""
    options = argv[: argv.index("--")] if "--" in argv else argv
    return bool(options) and options[0] == "check" and "--changed" in options and "--" not in argv


def main() -> None:
    argv = sys.argv[1:]
    if _changed_without_separator(argv):
        typer.echo("error: check --changed takes its file names after '--'", err=True)
        typer.echo(
            "hint: checker check --changed [OPTIONS] -- FILES (pre-commit: end args with '--')",
            err=True,
        )
        raise SystemExit(2)
    app(prog_name="checker")  # also under `python -m checker.cli`: completion names `checker`


if __name__ == "__main__":
    main()
