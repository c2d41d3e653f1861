"""`checker ci gate`: the plan gate as a CI job runs it, for the GitHub Action and the GitLab template.

Inputs arrive as the CI systems pass them, strings: plan paths and globs
separated by whitespace, engines separated by commas or spaces, extra `check`
arguments. The gate installs the engines it needs, runs `checker check` (or,
with reports, `checker report` to merge them) writing the JSON report, then
renders from that one report every file a CI system shows: SARIF (GitHub code
scanning), Markdown (the job summary and the pull-request comment), GitLab Code
Quality and JUnit. When the check cannot run (exit 2 or 3) the report written
holds that error (gate "error"), so the summary, the comment and a later merge
of every job's report say so instead of going silent. The exit code is the
check's, also written to `$GITHUB_OUTPUT`.

The check runs in this very process, never as `python -m checker` in the
checkout (where a pull request's `checker/` folder would be imported first);
file names always follow `--`; globs are expanded inside the checked tree
(`checker.workspace.expand_globs`). With `--expect-reports N` a merge that
finds fewer than N reports (a matrix job that died before writing one) is the
gate "error", never a pass by omission; with `--expect-reports "app data"`
(the jobs' or stacks' names) the error names the job whose report is missing.
A merge in which a job errored keeps every other job's findings and each
error's cause in every file it writes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from checker.engines.names import EngineName, parse_engines
from checker.errors import CheckerError, InputError
from checker.report.kinds import ReportFormat
from checker.report.model import Report
from checker.workspace import expand_globs

FILES = {
    ReportFormat.json: "report.json",
    ReportFormat.sarif: "report.sarif",
    ReportFormat.markdown: "report.md",
    ReportFormat.codequality: "codequality.json",
    ReportFormat.junit: "junit.xml",
}


@dataclass(frozen=True)
class GateInputs:
    plans: str = ""  # whitespace-separated paths or globs (plans, stack directories)
    reports: str = ""  # whitespace-separated JSON reports to merge instead of checking
    engines: str = "native"
    fail_on: str = "low"
    unknown: str = "warn"
    waivers: str = ""
    baseline: str = ""
    args: str = ""  # more `checker check` arguments, shell-quoted
    out: Path = field(default_factory=lambda: Path("checker-report"))
    # with reports: how many there must be (one per matrix job), or the jobs' (stacks') names,
    # each of which must name a report found (its folder or file name): "3", "app data"
    expect_reports: str = ""


def expand(patterns: str) -> list[str]:
    """Paths and globs (`**` included) of the checked tree; see `checker.workspace.expand_globs`."""
    return expand_globs(patterns)


def engines_of(text: str) -> tuple[EngineName, ...]:
    return parse_engines(e for e in re.split(r"[,\s]+", text.strip()) if e)


def _command(inputs: GateInputs, report: Path) -> list[str]:
    """The `checker` arguments of this gate; file names always after `--` (never options)."""
    target = ["--format", "json", "--output", str(report)]
    if inputs.reports.strip():
        return ["report", *target, "--", *expand(inputs.reports)]
    plans = expand(inputs.plans)
    if not plans:
        raise InputError("nothing to check: give plans (or reports to merge)")
    command = ["check", "--fail-on", inputs.fail_on, "--unknown", inputs.unknown]
    for engine in engines_of(inputs.engines):
        command += ["--engine", engine.value]
    if inputs.waivers:
        command += ["--waivers", inputs.waivers]
    if inputs.baseline:
        command += ["--baseline", inputs.baseline]
    try:
        extra = shlex.split(inputs.args)
    except ValueError as error:
        raise InputError(f"--args: {error}", "quote the arguments as a shell would") from None
    if "--" in extra:
        raise InputError("--args: file names are given with --plans, not after '--'")
    return [*command, *extra, *target, "--", *plans]


# the `checker` command line as a function of its arguments, given by the CLI that runs the
# gate (the gate sits below it and never imports it); it always ends with SystemExit
Command = Callable[[list[str]], object]


def _in_process(command: Command, argv: list[str]) -> tuple[int, str]:
    """`checker ARGV` run in this process (nothing is started from the checked tree):
    its exit code and what it wrote to stderr."""
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        try:
            command(argv)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    return code, errors.getvalue()


def expected_reports(text: str) -> tuple[int, list[str]]:
    """`--expect-reports`: a count ("3"; "0" or "" expects nothing) or names ("app, data")."""
    text = text.strip()
    if not text or text.isdigit():
        return int(text or "0"), []
    names = list(dict.fromkeys(n.strip("/") for n in re.split(r"[,\s]+", text) if n.strip("/")))
    for name in names:
        if name.startswith("-") or ".." in PurePath(name).parts:
            raise InputError(
                f"--expect-reports: {name[:40]!r} is neither a count nor a job name",
                "give a count (3) or the names of the jobs or stacks (app data, stacks/app)",
            )
    return len(names), names


def names_report(name: str, report: str) -> bool:
    """Does `name` (a job or stack: `app`, `stacks/app`) name this report path? It does when
    its parts stand in a row in the report's path, the file name counted without suffix
    (`reports/app/report.json`, `reports/stacks/app/report.json`, `reports/app.json`)."""
    path = PurePath(report)
    parts = [*path.parts[:-1], path.stem]
    wanted = list(PurePath(name).parts)
    return any(parts[i : i + len(wanted)] == wanted for i in range(len(parts) - len(wanted) + 1))


def _missing_reports(inputs: GateInputs) -> str:
    """The error of a merge that lacks a matrix job's report, naming it when the jobs are
    named, else ''."""
    count, names = expected_reports(inputs.expect_reports)
    if not inputs.reports.strip() or count <= 0:
        return ""
    found = expand(inputs.reports)
    if names:
        missing = [n for n in names if not any(names_report(n, r) for r in found)]
        if not missing:
            return ""
        return (
            f"no report of {', '.join(missing)} among the {len(found)} to merge: "
            f"{'that job' if len(missing) == 1 else 'those jobs'} wrote none "
            "(a plan step failed or was cancelled)"
        )
    if len(found) >= count:
        return ""
    return (
        f"expected {count} reports to merge, found {len(found)}: "
        f"{count - len(found)} job(s) wrote none (a plan step failed or was cancelled)"
    )


def _install_engines(inputs: GateInputs) -> None:
    from checker.engines.install import TOOLS, install

    if inputs.reports.strip():
        return
    chosen = engines_of(inputs.engines)
    for name, tool in TOOLS.items():
        if name in chosen and not tool.installed():
            if os.environ.get(tool.override):
                continue
            print(f"checker: installing {tool.package} {tool.pinned()}", file=sys.stderr)
            install(tool)


def could_not_run(inputs: GateInputs, code: int, errors: str) -> Report:
    """The report of a check that did not run: its error, so that the summary, the
    comment and a later merge of the CI jobs' reports all say so (gate "error")."""
    lines = [line.strip() for line in errors.strip().splitlines() if line.strip()]
    what = " ".join(inputs.plans.split()) or " ".join(inputs.reports.split()) or "the inputs"
    reason = "; ".join(line.removeprefix("error: ") for line in lines[-2:]) or "no message"
    return Report(
        inputs=[], findings=[], errors=[f"could not check {what} (exit {code}): {reason}"]
    )


def _written_report(path: Path, inputs: GateInputs, code: int, errors: str) -> Report:
    """The report this run wrote, whatever its gate: a merge with an errored job exits 3 yet
    holds every other job's findings and each error's cause, and a check whose engine failed
    still holds what the others found. Without one (exit 2, or 3 before any report), the
    report of a check that could not run."""
    if path.is_file():
        # written by this very run (emptied first): its rule IDs were validated then
        try:
            return Report.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, CheckerError):
            pass
    return could_not_run(inputs, code, errors)


def _publish(out: Path, code: int, sarif: bool) -> None:
    """The job summary and the step outputs, where the CI system provides them."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write((out / FILES[ReportFormat.markdown]).read_text(encoding="utf-8"))
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as handle:
            handle.write(f"exit-code={code}\n")
            handle.write(f"report-dir={out}\n")
            handle.write(f"sarif={out / FILES[ReportFormat.sarif] if sarif else ''}\n")


def _source_argument(args: str) -> Path | None:
    """The `--source DIR` among the gate's `--args`, where the check took its sources."""
    words = shlex.split(args)
    for index, word in enumerate(words):
        if word == "--source" and index + 1 < len(words):
            return Path(words[index + 1]).resolve()
        if word.startswith("--source="):
            return Path(word.split("=", 1)[1]).resolve()
    return None


def _fix_block(inputs: GateInputs) -> str:
    """The edits `checker fix` would make for the plans' fixable findings, as a folded diff
    for the pull-request comment ("" when there are none, or they cannot be computed: the
    gate's verdict never depends on them). Sources: `--source` in `--args`, else beside
    each plan, as the check took them."""
    from checker.config import config_start, load_config
    from checker.fix.command import find_fixes

    plans = expand(inputs.plans)
    try:
        source = _source_argument(inputs.args)
        found = find_fixes(plans, source, load_config(None, config_start(plans)), set())
    except (CheckerError, ValueError):
        return ""
    from checker.plan.sensitive import secrets_of

    diff = secrets_of(frozenset(found.sensitive)).hide(found.diff())
    if not diff:
        return ""
    fence = "`" * max(3, max((len(m) for m in re.findall(r"`+", diff)), default=0) + 1)
    return (
        f"\n<details><summary>checker fix: the edits for {len(found.fixed)} finding(s) "
        "(run `checker fix --write`)</summary>\n\n"
        f"{fence}diff\n{diff}{fence}\n\n</details>\n"
    )


def run_gate(inputs: GateInputs, command: Command) -> int:
    """Run the gate, write every report file into `inputs.out`; the check's exit code.
    `command` runs `checker ARGV` in this process (`checker.cli`)."""
    from checker.report.formats import render

    out = inputs.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"--out {out}: cannot be created ({error.strerror})") from None
    for name in FILES.values():
        (out / name).unlink(missing_ok=True)
    missing = ""
    try:
        _install_engines(inputs)
        argv = _command(inputs, out / FILES[ReportFormat.json])
        missing = _missing_reports(inputs)
    except CheckerError as error:
        code, errors = error.exit_code, "\n".join(error.lines())
    else:
        code, errors = _in_process(command, argv)
    sys.stderr.write(errors)
    report = _written_report(out / FILES[ReportFormat.json], inputs, code, errors)
    if missing:
        report = replace(report, errors=[*report.errors, missing])
        code = 3
        sys.stderr.write(f"error: {missing}\n")
    for fmt, name in FILES.items():
        (out / name).write_text(render(report, fmt), encoding="utf-8")
    if code == 1 and any(f.fix == "available" for f in report.findings):
        with open(out / FILES[ReportFormat.markdown], "a", encoding="utf-8") as handle:
            handle.write(_fix_block(inputs))
    sys.stdout.write(render(report, ReportFormat.text))
    # a report with findings is uploaded even when a job errored (its error is in the run's
    # notifications); one with none would only mark every open alert fixed
    _publish(out, code, code in (0, 1) or bool(report.findings))
    return code
