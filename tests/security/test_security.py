"""Every case of `cases.py`, run as a pull request's CI job would run it: a child process.

Limits per run: 20 s and 1.5 GB of address space (the promise of docs/security.md).
Asserted on raw bytes: the exit code, stdout, stderr and every file written.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.cases import CASES, Case
from tests.support.canonical_stack import ROOT

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")
TIME_LIMIT = 20
MEMORY_LIMIT = 1536 * 1024 * 1024


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(case: Case, folder: Path, extra: tuple[str, ...]) -> subprocess.CompletedProcess[bytes]:
    args = [a.replace("{dir}", str(folder)) for a in (*case.args, *extra)]
    env = {**os.environ, **case.env, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("CHECKER_TERRAFORM", None)
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIME_LIMIT,
        preexec_fn=_limit,
        check=False,
    )


def _assert_safe(case: Case, done: subprocess.CompletedProcess[bytes], written: bytes) -> None:
    everything = done.stdout + done.stderr + written
    assert done.returncode == case.exit, (done.returncode, done.stderr[-600:])
    assert b"Traceback" not in done.stderr
    for marker in case.forbidden:
        assert marker.encode() not in everything, marker
    for text in case.required:
        assert text.encode() in done.stdout + done.stderr, (text, done.stderr[-400:])
    if case.exit == 2:
        assert 1 <= len(done.stderr.decode().strip().splitlines()) <= 2, done.stderr


MARKDOWN_ACTIVE = ("![", "](", "<img", "<a ", "@admin", "https://")


def _format_checks(fmt: str, out: bytes) -> None:
    """What each format must never carry, whatever the input held."""
    text = out.decode("utf-8")
    assert "\x1b" not in text
    if fmt == "junit":
        import xml.etree.ElementTree as ElementTree

        ElementTree.fromstring(out)  # well-formed whatever the plan holds
    if fmt in ("json", "sarif"):
        json.loads(text)
    if fmt == "text":
        assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    if fmt == "markdown":
        assert not any(marker in text for marker in MARKDOWN_ACTIVE), text
    if fmt == "html":
        assert "<img" not in text


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "pr"
    folder.mkdir()
    case.builder(folder)
    formats = FORMATS if case.formats else ("json",)
    for fmt in formats:
        output = tmp_path / f"report.{fmt}"
        done = run(case, folder, ("--format", fmt, "--output", str(output)))
        written = output.read_bytes() if output.exists() else b""
        _assert_safe(case, done, written)
        if written:
            _format_checks(fmt, written)
        if fmt == "json" and case.check is not None:
            case.check(json.loads(written))
    if case.formats:  # and once to stdout, as a CI log shows it
        done = run(case, folder, ("--format", "text"))
        _assert_safe(case, done, b"")
        _format_checks("text", done.stdout)


def test_every_threat_class_has_cases() -> None:
    threats = {case.threat for case in CASES}
    assert threats == {
        "redaction",
        "confinement",
        "bounds",
        "config",
        "outputs",
        "data",
        "plans",
        "tap012",
    }
