"""The `checker` command's entry point: `checker --version` is answered before the command-line
library (typer, click, rich: about 0.1 s of imports) loads; everything else goes to
`checker.cli`."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from checker import __version__
        from checker.engines.install import TOOLS, describe

        lines = [f"checker {__version__}", *(f"  {describe(tool)}" for tool in TOOLS.values())]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from checker.cli import main as command_line

    command_line()
