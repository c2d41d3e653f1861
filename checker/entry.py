"""The `checker` command's entry point: `checker --version` is answered before the command-line
library (typer, click, rich: about 0.1 s of imports) loads; everything else goes to
`checker.cli`.

When the command is done the process leaves without tearing the interpreter down: freeing
every module, model and cache one object at a time took 0.2 s of a 0.7 s check of the
canonical plan (and grows with the plan), for memory the operating system takes back at
once. Output is flushed and exit handlers run first, so nothing written is lost."""

from __future__ import annotations

import atexit
import os
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from checker import __version__
        from checker.engines.install import TOOLS, describe

        lines = [f"checker {__version__}", *(f"  {describe(tool)}" for tool in TOOLS.values())]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from checker.cli import main as command_line

    try:
        command_line()
    except SystemExit as stop:
        _leave(stop.code)
    _leave(0)


def _leave(code: object) -> None:
    """Exit with `code` as `SystemExit` would (a message is printed, status 1), skipping the
    interpreter's teardown."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`checker check ... | head`)
            status = status or 1
    os._exit(status)
