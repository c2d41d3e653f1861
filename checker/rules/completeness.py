"""What a rule carries to be one unit, and what of it is published.

A rule is its module: the metadata (`RuleMeta`, with what each external engine's
checks assert of it or why they leave it out), its options model, its check and a
docstring with three sections -- `Why:`, `Anti-pattern:` and `Best practice:` (or
`Fix:`) -- that `checker rules --format markdown` publishes beside the metadata.
`missing_parts` names what a rule lacks; the tests ask it of every loaded rule, so a
new rule is told what to add rather than rejected by a count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal, get_args, get_origin

from pydantic.fields import FieldInfo

from checker.results import EXTERNAL_ENGINES
from checker.rules.base import Rule

SECTIONS = {"why": ("Why:",), "anti_pattern": ("Anti-pattern:",), "fix": ("Best practice:", "Fix:")}
OPTION = re.compile(r"^`\w+`:")  # a docstring line that starts an option's description
HEADING = re.compile(r"^(Why|Anti-pattern|Best practice|Fix):\s*", re.M)


@dataclass(frozen=True)
class RuleDoc:
    """The published sections of a rule's docstring (each '' when absent)."""

    summary: str
    why: str
    anti_pattern: str
    fix: str


def rule_doc(rule: Rule) -> RuleDoc:
    text = rule.doc.strip()
    summary, _, _rest = text.partition("\n")
    pieces = HEADING.split(text)
    found: dict[str, str] = {}
    for heading, body in zip(pieces[1::2], pieces[2::2], strict=False):
        key = next(k for k, names in SECTIONS.items() if f"{heading}:" in names)
        found[key] = " ".join(body.split())
    return RuleDoc(
        summary=summary.strip(),
        why=found.get("why", ""),
        anti_pattern=found.get("anti_pattern", ""),
        fix=found.get("fix", ""),
    )


@dataclass(frozen=True)
class OptionDoc:
    name: str
    type: str
    default: str
    text: str


def option_docs(rule: Rule) -> list[OptionDoc]:
    """Each option of the rule's options model: its type, default and description (the
    field's `description`, else the line of the model's docstring naming it)."""
    model_doc = rule.options.__doc__ or ""
    out: list[OptionDoc] = []
    for name, info in rule.options.model_fields.items():
        out.append(
            OptionDoc(name, _type_name(info), _default(info), _describe(name, info, model_doc))
        )
    return out


def _type_name(info: FieldInfo) -> str:
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return "one of " + ", ".join(json.dumps(v) for v in get_args(annotation))
    text = str(annotation) if get_args(annotation) else getattr(annotation, "__name__", "")
    return text.replace("typing.", "")


def _default(info: FieldInfo) -> str:
    """The default as a TOML reader would write it."""
    value = info.default_factory() if info.default_factory is not None else info.default  # type: ignore[call-arg]
    return json.dumps(value)


def _describe(name: str, info: FieldInfo, model_doc: str) -> str:
    """The field's description, else the docstring paragraph that names it first."""
    if info.description:
        return info.description
    lines = [line.strip() for line in model_doc.splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith(f"`{name}`")), None)
    if start is None:
        return ""
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i] or OPTION.match(lines[i])),
        len(lines),
    )
    text = " ".join(lines[start:end])
    return text.split(":", 1)[1].strip() if text.startswith(f"`{name}`:") else text


def missing_parts(rule: Rule, builtin: bool) -> list[str]:
    """What `rule` lacks to be one unit (none: []); a built-in rule also states the AWS
    behaviour it models, the documents it follows and every external engine's coverage."""
    meta = rule.meta
    lacking: list[str] = []
    doc = rule_doc(rule)
    for part, text in (("docstring Why:", doc.why), ("docstring Anti-pattern:", doc.anti_pattern)):
        if not text:
            lacking.append(part)
    if not doc.fix:
        lacking.append("docstring Best practice: (or Fix:)")
    lacking += [f"option {o.name}: a description" for o in option_docs(rule) if not o.text]
    if builtin:
        lacking += [name for name, value in (("aws_model", meta.aws_model),) if not value]
        lacking += ["references"] if not meta.references else []
        lacking += ["needs_person (why a failure without an edit needs a person)"] * (
            not meta.needs_person
        )
        declared = {c.engine: c for c in meta.engines}
        for engine in EXTERNAL_ENGINES:
            note = declared.get(engine)
            if note is None or not (note.asserts or note.why):
                lacking.append(f"engines: {engine} (what its checks assert, or why none does)")
    return lacking
