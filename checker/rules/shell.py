"""Commands a shell script runs, read as shell (bashlex), not as text.

A fallback named only in a comment, an `echo`, or a heredoc is not a command.
Where bashlex cannot parse a script (it knows most of bash, not all), each line
is split with `shlex` with comments removed, which still ignores comments and
quoted text.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from checker.text_cache import cached_parse

MAX_SCRIPT = 256 * 1024  # user data is capped at 16 KB by EC2; anything far larger is not a script


def _walk(node: Any) -> Iterator[list[str]]:
    if getattr(node, "kind", None) == "command":
        words = [part.word for part in node.parts if getattr(part, "kind", None) == "word"]
        if words:
            yield words
    for attr in ("parts", "list"):
        children = getattr(node, attr, None)
        if isinstance(children, list):
            for child in children:
                yield from _walk(child)
    child = getattr(node, "command", None)
    if child is not None and hasattr(child, "kind"):
        yield from _walk(child)


def _fallback(script: str) -> list[list[str]]:
    out: list[list[str]] = []
    for line in script.splitlines():
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            continue
        words: list[str] = []
        for token in [*tokens, ";"]:
            if token and all(c in ";&|()<>" for c in token):
                if words:
                    out.append(words)
                words = []
            else:
                words.append(token)
    return out


def commands(script: str) -> list[list[str]]:
    """The words of every simple command in `script` (nested ones included)."""
    if len(script) > MAX_SCRIPT:
        return []
    return [list(words) for words in _commands(script)]


@lru_cache(maxsize=256)
def _commands(script: str) -> tuple[tuple[str, ...], ...]:
    """Parsed once per distinct script (many instances of one stack share their user
    data) and kept in the parse cache: importing bashlex alone costs 80 ms."""
    parsed = cached_parse(script, lambda: {"commands": _parse(script)}, kind="shell")
    found = parsed.get("commands")
    if not isinstance(found, list) or not all(
        isinstance(words, list) and all(isinstance(w, str) for w in words) for words in found
    ):
        found = _parse(script)  # an entry of another shape is not trusted
    return tuple(tuple(words) for words in found)


def _parse(script: str) -> list[list[str]]:
    import bashlex  # type: ignore[import-untyped]

    try:
        parts = bashlex.parse(script)
    except Exception:  # bashlex raises its own errors and, on odd input, plain ones
        return _fallback(script)
    return [words for part in parts for words in _walk(part)]


GLOBAL_WITH_VALUE = frozenset(
    {"--region", "--profile", "--endpoint-url", "--output", "--query", "--ca-bundle", "--color"}
    | {"--cli-read-timeout", "--cli-connect-timeout", "--cli-binary-format"}
)


WRAPPERS = frozenset(
    {"sudo", "env", "timeout", "nice", "nohup", "exec", "command", "time", "xargs"}
)


def _runs_next(word: str) -> bool:
    """A word that may precede the command it runs: a wrapper, its option or a number, VAR=x."""
    return (
        word.rsplit("/", 1)[-1] in WRAPPERS
        or word.startswith("-")
        or word.isdigit()
        or ("=" in word and word.split("=", 1)[0].isidentifier())
    )


def aws_call(words: list[str], service: str, operations: tuple[str, ...]) -> list[str] | None:
    """The arguments after `aws [GLOBAL OPTIONS] SERVICE OPERATION` when `words` run that.

    `aws` must be the command itself (possibly behind `sudo`, `timeout 60`, `env X=1`
    ...), not an argument of another command (`echo aws s3api put-object`).
    """
    for index, word in enumerate(words):
        if word.rsplit("/", 1)[-1] != "aws" or not all(_runs_next(w) for w in words[:index]):
            continue
        tail = words[index + 1 :]
        position = 0
        while position < len(tail) and tail[position].startswith("-"):
            position += 2 if tail[position] in GLOBAL_WITH_VALUE else 1
        command = tail[position : position + 2]
        if len(command) == 2 and command[0] == service and command[1] in operations:
            return tail[position + 2 :]
    return None


def option(arguments: list[str], name: str) -> str | None:
    """The value of `--name VALUE` or `--name=VALUE` among the arguments."""
    for index, word in enumerate(arguments):
        if word == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if word.startswith(f"{name}="):
            return word.split("=", 1)[1]
    return None
