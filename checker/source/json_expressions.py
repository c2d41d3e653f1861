"""JSON values read as Terraform expressions in python-hcl2's shape: strings as templates,
literal values, references, keywords and type expressions, and block bodies.
"""

from __future__ import annotations

import re
from typing import Any

from checker.errors import InputError
from checker.source.json_reader import JsonArray, JsonNode, JsonObject, Pair

IDENTIFIER = re.compile(r"[^\W\d][\w-]*")


def quoted(text: str) -> str:
    return '"' + text + '"'


def _escape_text(text: str) -> str:
    """Literal template text as a quoted HCL string writes it."""
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def _sequence_end(text: str, start: int) -> int:
    """The index after the `}` closing the `${`/`%{` opened at `start`; -1 if unclosed.

    Braces of the expression count; strings inside it (with their backslash escapes and
    interpolations of their own) are skipped.
    """
    depth, i = 0, start + 2
    while i < len(text):
        char = text[i]
        if char == '"':
            i = _string_end(text, i)
            if i < 0:
                return -1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    return -1


def _string_end(text: str, start: int) -> int:
    """The index after the quote closing the HCL string opened at `start`; -1 if unclosed."""
    i = start + 1
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _sequence_end(text, i)
            if end < 0:
                return -1
            i = end
        elif text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        else:
            i += 1
    return -1


def template_pieces(text: str) -> list[tuple[bool, str]]:
    """A template's pieces in order: (False, literal text) or (True, `${...}` / `%{...}`).

    The escapes `$${` and `%%{` stay in the text as written (they mean the same in a quoted
    HCL string); an unclosed sequence is text (Terraform refuses it).
    """
    pieces: list[tuple[bool, str]] = []
    start = i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _sequence_end(text, i)
            if end > 0:
                if i > start:
                    pieces.append((False, text[start:i]))
                pieces.append((True, text[i:end]))
                start = i = end
                continue
        i += 1
    if start < len(text):
        pieces.append((False, text[start:]))
    return pieces


def has_template(text: str) -> bool:
    """Does a string mean something else as a template (a sequence or an escape in it)?"""
    return "${" in text or "%{" in text


def _template(text: str) -> str:
    """A JSON string in full expression mode -> python-hcl2's form of the same template."""
    if not has_template(text):
        return quoted(_escape_text(text))
    pieces = template_pieces(text)
    if len(pieces) == 1 and pieces[0][0] and pieces[0][1].startswith("${"):
        inner = pieces[0][1][2:-1]
        if not inner.startswith("~") and not inner.endswith("~"):
            return "${" + inner.strip() + "}"  # unwrapped: the expression's own value
    return quoted("".join(piece if code else _escape_text(piece) for code, piece in pieces))


def _literal_string(text: str) -> str:
    """A JSON string taken literally -> a quoted HCL string with the same value."""
    escaped = _escape_text(text).replace("${", "$${").replace("%{", "%%{")
    return quoted(escaped)


def expression(node: JsonNode) -> Any:
    """A JSON value in full expression mode."""
    if isinstance(node, str):
        return _template(node)
    if isinstance(node, JsonArray):
        return [expression(item) for item in node.items]
    if isinstance(node, JsonObject):
        return {
            (quoted(pair.key) if has_template(pair.key) else pair.key): expression(pair.value)
            for pair in node.pairs
        }
    return node


def literal(node: JsonNode) -> Any:
    """A JSON value taken literally (variable defaults, `.tfvars.json`, `terraform` settings)."""
    if isinstance(node, str):
        return _literal_string(node)
    if isinstance(node, JsonArray):
        return [literal(item) for item in node.items]
    if isinstance(node, JsonObject):
        return {pair.key: literal(pair.value) for pair in node.pairs}
    return node


def plain_reference(node: JsonNode) -> Any:
    """A reference written as a plain string (`"aws.dr"`, `"aws_iam_role.r"`)."""
    if not isinstance(node, str):
        return expression(node)
    text = node.strip()
    if text.startswith("${") and text.endswith("}"):
        text = text[2:-1].strip()
    return "${" + text + "}"


def plain_references(node: JsonNode) -> Any:
    if isinstance(node, JsonArray):
        return [plain_reference(item) for item in node.items]
    return plain_reference(node)


def keywords(node: JsonNode) -> Any:
    """Attribute names or keywords written as strings (`ignore_changes`, `when`)."""
    if isinstance(node, JsonArray):
        return [keywords(item) for item in node.items]
    return node if isinstance(node, str) else expression(node)


def type_expression(node: JsonNode) -> Any:
    if not isinstance(node, str):
        return literal(node)
    return node if IDENTIFIER.fullmatch(node) else "${" + node + "}"


def object_pairs(node: JsonNode, where: str) -> list[Pair]:
    """The properties of a body or a label level: an object, or an array of objects."""
    if node is None:
        return []
    if isinstance(node, JsonObject):
        return list(node.pairs)
    if isinstance(node, JsonArray):
        out: list[Pair] = []
        for item in node.items:
            if not isinstance(item, JsonObject):
                raise InputError(f"{where}: a JSON object is required in this array")
            out.extend(item.pairs)
        return out
    raise InputError(f"{where}: a JSON object or an array of objects is required")


def block_bodies(node: JsonNode, where: str) -> list[JsonObject | JsonArray]:
    """The block bodies after the labels: an object is one, an array one per element."""
    if node is None:
        return []
    if isinstance(node, JsonObject):
        return [node]
    if isinstance(node, JsonArray):
        bodies: list[JsonObject | JsonArray] = []
        for item in node.items:
            if item is None:
                continue
            if not isinstance(item, JsonObject | JsonArray):
                raise InputError(f"{where}: a JSON object is required for each block")
            bodies.append(item)
        return bodies
    raise InputError(f"{where}: a JSON object or an array of objects is required")


def is_blocks(node: JsonNode) -> bool:
    """Can the value be blocks (an object, an array of objects, null)? A provider version
    other than the schema's may have made a block an argument."""
    if isinstance(node, JsonArray):
        return all(isinstance(item, JsonObject) or item is None for item in node.items)
    return node is None or isinstance(node, JsonObject)
