"""The terminal: colour only where wanted, progress only where someone watches, completion.

The checker runs under a real pseudo-terminal (`pty`) where a test needs a
terminal, and with pipes where it needs none.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.canonical_stack import FIXTURE, ROOT

CHECKER = [sys.executable, "-m", "checker.cli"]
ESCAPE = "\x1b["
UPDATE = ROOT / "tests" / "fixtures" / "plans" / "tap_stack.update.plan.json"


def _on_terminal(args: list[str], env: dict[str, str], stdout_tty: bool = True) -> tuple[str, str]:
    """(what reached the terminal, what reached a pipe): the terminal is stderr, and stdout too
    when `stdout_tty`. A piped stdout goes to a file, so a report larger than a pipe's buffer
    never blocks the child while the terminal is read."""
    master, slave = pty.openpty()
    with tempfile.TemporaryFile() as piped_out:
        proc = subprocess.Popen(
            [*CHECKER, *args],
            stdin=subprocess.DEVNULL,
            stdout=slave if stdout_tty else piped_out,
            stderr=slave,
            env={**os.environ, **env},
            cwd=ROOT,
        )
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=60)
        os.close(master)
        piped_out.seek(0)
        piped = piped_out.read().decode()
    return seen.decode("utf-8", "replace"), piped


def _plain_env() -> dict[str, str]:
    return {"NO_COLOR": "", "TERM": "xterm-256color"}


def test_colour_on_a_terminal_and_never_when_asked_not_to() -> None:
    args = ["check", str(FIXTURE), "--format", "text"]
    coloured, _ = _on_terminal(args, _plain_env())
    assert ESCAPE in coloured and "checker: gate PASSED" in coloured
    for env, extra in (
        ({"NO_COLOR": "1", "TERM": "xterm-256color"}, []),
        ({"NO_COLOR": "", "TERM": "dumb"}, []),
        (_plain_env(), ["--no-color"]),
    ):
        plain, _ = _on_terminal([*args, *extra], env)
        assert "checker: gate PASSED" in plain and ESCAPE not in plain, (env, extra)


def test_progress_on_a_terminal_stderr_only() -> None:
    args = ["check", str(FIXTURE), str(UPDATE), "--format", "json"]
    terminal, report = _on_terminal(args, _plain_env(), stdout_tty=False)
    assert "checker: " in terminal and ("loading" in terminal or "running native" in terminal)
    assert report.lstrip().startswith("{") and ESCAPE not in report
    piped = subprocess.run(
        [*CHECKER, *args], capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, **_plain_env()},
    )  # fmt: skip
    assert piped.returncode == 0 and "loading" not in piped.stderr and ESCAPE not in piped.stderr
    dumb, _ = _on_terminal(args, {"NO_COLOR": "", "TERM": "dumb"}, stdout_tty=False)
    assert "checker: " not in dumb and ESCAPE not in dumb


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_is_offered_and_completes(shell: str) -> None:
    script = subprocess.run(
        [*CHECKER, "--show-completion", shell], capture_output=True, text=True, check=False,
        env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )  # fmt: skip
    assert script.returncode == 0 and "_CHECKER_COMPLETE" in script.stdout, script.stdout
    if shell == "fish":
        return  # fish asks through another protocol; the script above is what it installs
    words = {"bash": "complete_bash", "zsh": "complete_zsh"}[shell]
    env = {**os.environ, "_CHECKER_COMPLETE": words, "COMP_WORDS": "checker eng", "COMP_CWORD": "1",
           "_TYPER_COMPLETE_ARGS": "checker eng"}  # fmt: skip
    completed = subprocess.run([*CHECKER], capture_output=True, text=True, env=env, check=False)
    assert "engines" in completed.stdout, completed.stdout + completed.stderr


def test_stdin_says_why_sources_were_not_bound(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CHECKER, "check", "-", "--format", "json", "--config", os.devnull],
        input=FIXTURE.read_text(), capture_output=True, text=True, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0
    assert '"read from stdin: there is no plan directory' in done.stdout
    assert "pass --source DIR" in done.stdout
