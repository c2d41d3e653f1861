"""JSON read with positions: every property keeps its line, duplicate names are kept in order,
and nesting is bounded (a deeper document is refused, never a RecursionError).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TypeAlias

from checker.errors import InputError

# the standard library's string scanner (C-accelerated): JSON escapes exactly as `json` reads them
_scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
MAX_DEPTH = 200  # JSON nesting: deeper input is refused, never a RecursionError
# --------------------------------------------------------------------- JSON with positions


class Pair(NamedTuple):
    key: str
    line: int  # the line of the property name
    value: JsonNode


@dataclass(frozen=True, slots=True)
class JsonObject:
    pairs: tuple[Pair, ...]
    line: int


@dataclass(frozen=True, slots=True)
class JsonArray:
    items: tuple[JsonNode, ...]
    line: int


JsonNode: TypeAlias = JsonObject | JsonArray | str | int | float | bool | None

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_WORDS: dict[str, JsonNode] = {"true": True, "false": False, "null": None}


class _JsonError(Exception):
    def __init__(self, position: int, reason: str) -> None:
        super().__init__(reason)
        self.position = position
        self.reason = reason


@dataclass
class _JsonReader:
    """RFC 8259 JSON, keeping every object property in order (duplicates too) and lines."""

    text: str
    pos: int = 0
    newlines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", self.text)]

    def line(self, offset: int) -> int:
        return bisect_right(self.newlines, offset - 1) + 1

    def skip(self) -> None:
        self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def document(self) -> JsonNode:
        self.skip()
        value = self.value(0)
        self.skip()
        if self.pos != len(self.text):
            raise _JsonError(self.pos, "unexpected text after the JSON value")
        return value

    def value(self, depth: int) -> JsonNode:
        if depth > MAX_DEPTH:
            raise _JsonError(self.pos, f"nested deeper than {MAX_DEPTH} levels")
        text, at = self.text, self.pos
        char = text[at : at + 1]
        if char == "{":
            return self.object(depth)
        if char == "[":
            return self.array(depth)
        if char == '"':
            return self.string()
        number = _NUMBER.match(text, at)
        if number is not None:
            self.pos = number.end()
            return float(number[0]) if number[1] or number[2] else int(number[0])
        for word, meaning in _WORDS.items():
            if text.startswith(word, at):
                self.pos = at + len(word)
                return meaning
        raise _JsonError(at, "expected a JSON value")

    def string(self) -> str:
        try:
            value, self.pos = _scanstring(self.text, self.pos + 1, True)
        except json.JSONDecodeError as error:
            raise _JsonError(error.pos, error.msg) from None
        return value

    def object(self, depth: int) -> JsonObject:
        line = self.line(self.pos)
        self.pos += 1
        pairs: list[Pair] = []
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return JsonObject((), line)
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise _JsonError(self.pos, "expected a property name")
            key_line = self.line(self.pos)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise _JsonError(self.pos, "expected ':'")
            self.pos += 1
            self.skip()
            pairs.append(Pair(key, key_line, self.value(depth + 1)))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("}", self.pos):
                self.pos += 1
                return JsonObject(tuple(pairs), line)
            else:
                raise _JsonError(self.pos, "expected ',' or '}'")

    def array(self, depth: int) -> JsonArray:
        line = self.line(self.pos)
        self.pos += 1
        items: list[JsonNode] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return JsonArray((), line)
        while True:
            self.skip()
            items.append(self.value(depth + 1))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif self.text.startswith("]", self.pos):
                self.pos += 1
                return JsonArray(tuple(items), line)
            else:
                raise _JsonError(self.pos, "expected ',' or ']'")


def parse_json(path: Path, text: str) -> JsonNode:
    """The JSON document of `text`; an error names the file, line and column, never content."""
    reader = _JsonReader(text[1:] if text.startswith("\ufeff") else text)
    try:
        return reader.document()
    except _JsonError as error:
        line = reader.line(error.position)
        column = error.position - (reader.newlines[line - 2] if line > 1 else -1)
        raise InputError(
            f"{path}: JSON does not parse at line {line}, column {column} ({error.reason})",
            "run 'terraform validate' in that directory to see the error",
        ) from None
