"""The catalogue as text, JSON or Markdown, generated from rule metadata (one source of truth)."""

from __future__ import annotations

import json

from checker.rules.base import Rule
from checker.rules.registry import BUILTIN_PACK, all_rules


def render_catalogue(fmt: str, loaded: tuple[Rule, ...] | None = None) -> str:
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
        lines = [
            "# Rules",
            "",
            "Generated from the rule metadata by `checker rules --format markdown`; "
            "a test fails when this file is stale.",
            "",
            "| ID | incident | title | severity |",
            "|---|---|---|---|",
        ]
        lines += [f"| {m.id} | {m.incident} | {m.title} | {m.severity.value} |" for m in rules]
        for m in rules:
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
            lines += [f"- Follows: {ref}" for ref in m.references]
        return "\n".join(lines) + "\n"
    return "".join(
        f"{m.id}  {m.severity.value:<8}  {m.title}"
        + (f"  [{packs[m.id]}]" if packs[m.id] != BUILTIN_PACK else "")
        + "\n"
        for m in rules
    )
