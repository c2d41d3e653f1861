"""The catalogue as text, JSON or Markdown, generated from rule metadata (one source of truth)."""

from __future__ import annotations

import json

from checker.rules.base import Rule
from checker.rules.completeness import RuleDoc, option_docs, rule_doc
from checker.rules.registry import BUILTIN_PACK, all_rules


def render_catalogue(
    fmt: str, loaded: tuple[Rule, ...] | None = None, *, only_pack: bool = False
) -> str:
    """The catalogue of `loaded` (default: every rule of a run without options); a Markdown
    page names the command that writes it (`only_pack`: the packs' rules alone)."""
    chosen = loaded if loaded is not None else all_rules()
    rules = [r.meta for r in chosen]
    packs = {r.meta.id: r.pack for r in chosen}
    if fmt == "json":
        return (
            json.dumps(
                [
                    {
                        "id": m.id,
                        "title": m.title,
                        "severity": m.severity.value,
                        "incident": m.incident,
                        "rationale": m.rationale,
                        "remediation": m.remediation,
                        "resource_types": list(m.resource_types),
                        "pack": packs[m.id],
                    }
                    for m in rules
                ],
                indent=2,
            )
            + "\n"
        )
    if fmt == "markdown":
        return _markdown(chosen, only_pack)
    return "".join(
        f"{m.id}  {m.severity.value:<8}  {m.title}"
        + (f"  [{packs[m.id]}]" if packs[m.id] != BUILTIN_PACK else "")
        + "\n"
        for m in rules
    )


def _markdown(chosen: tuple[Rule, ...], only_pack: bool) -> str:
    rules = [r.meta for r in chosen]
    packs = sorted({r.pack for r in chosen if r.pack != BUILTIN_PACK})
    command = "checker rules --format markdown"
    if only_pack:
        command += "".join(f" --rules {p.split(' ', 1)[0]}" for p in packs) + " --only-pack"
    lines = [
        f"# Rules of {', '.join(packs)}" if only_pack else "# Rules",
        "",
        "Generated from the rules' modules (metadata, docstring, options model) by "
        f"`{command}`; "
        "a test fails when this file is stale.",
        "",
        "| ID | incident | title | severity |",
        "|---|---|---|---|",
    ]
    lines += [f"| {m.id} | {m.incident} | {m.title} | {m.severity.value} |" for m in rules]
    for rule in chosen:
        m = rule.meta
        doc = rule_doc(rule)
        lines += [
            "",
            f"## {m.id}: {m.title}",
            "",
            f"- Severity: {m.severity.value}",
            f"- Incident: {m.incident}",
            f"- Resource types: {', '.join(m.resource_types)}",
            f"- Why: {m.rationale}",
            f"- Fix: {m.remediation}",
        ]
        lines += [f"- AWS model: {m.aws_model}"] if m.aws_model else []
        lines += [f"- Letter and AWS: {m.letter_vs_aws}"] if m.letter_vs_aws else []
        lines += [f"- Not modelled: {m.limits}"] if m.limits else []
        lines += [f"- Needs a person: {m.needs_person}"] if m.needs_person else []
        lines += [f"- Follows: {ref}" for ref in m.references]
        lines += _sections(doc) + _options(rule) + _engines(rule)
    return "\n".join(lines) + "\n"


def _sections(doc: RuleDoc) -> list[str]:
    """The rule docstring's sections, as its module states them."""
    out = ["", "From the rule's module:", ""] if doc.why or doc.anti_pattern or doc.fix else []
    out += [f"- Why: {doc.why}"] if doc.why else []
    out += [f"- Anti-pattern: {doc.anti_pattern}"] if doc.anti_pattern else []
    out += [f"- Best practice: {doc.fix}"] if doc.fix else []
    return out


def _options(rule: Rule) -> list[str]:
    """The rule's options (`[tool.checker.rules.ID]`), from its options model."""
    out = ["", f"Options (`[tool.checker.rules.{rule.meta.id}]`):", ""]
    out += ["| option | type | default | meaning |", "|---|---|---|---|"]
    out += [
        f"| `{o.name}` | {o.type} | `{o.default}` | {_cell(o.text)} |" for o in option_docs(rule)
    ]
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _engines(rule: Rule) -> list[str]:
    """What each external engine's checks assert of the rule, or why none does."""
    if not rule.meta.engines:
        return []
    out = ["", "Engines:", ""]
    for note in rule.meta.engines:
        if note.asserts:
            text = note.asserts + (f"; not asserted: {note.partial}" if note.partial else "")
            out.append(f"- {note.engine}: {'in part: ' if note.partial else ''}{text}")
        else:
            out.append(f"- {note.engine}: not covered: {note.why}")
    return out
