"""Errors that end a run with one of the contract's exit codes."""

from __future__ import annotations


class CheckerError(Exception):
    """An error shown to the user as one or two plain lines, never a traceback."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        return [f"error: {self.message}"] + ([f"hint: {self.hint}"] if self.hint else [])


class InputError(CheckerError):
    """Unusable input or usage (exit 2)."""

    exit_code = 2


class EngineError(CheckerError):
    """An engine or terraform could not run (exit 3)."""

    exit_code = 3
