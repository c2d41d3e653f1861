"""Text from plans, sources, waivers and saved reports made inert for each output.

Everything a report shows besides its own labels comes from a pull request.
A terminal must not receive escape sequences, a CI log no workflow command
(`::error`, `::add-mask`), a Markdown comment no image, link, HTML or mention,
an XML file no character XML 1.0 forbids.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode bidi controls that reorder what a reader sees.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_MARKDOWN_PUNCT = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def inert(text: str) -> str:
    """One line with every control character written as an escape (`\\n`, `\\x1b` ...)."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def no_workflow_commands(rendered: str) -> str:
    """No line of `rendered` can be read as a CI workflow command (`::name ...::`)."""
    lines = rendered.split("\n")
    return "\n".join(
        line.replace("::", ":\u200b:", 1) if line.lstrip().startswith("::") else line
        for line in lines
    )


def markdown(text: str) -> str:
    """Plain text inside a Markdown table cell: no markup, link, image, HTML or @mention."""
    cleaned = " ".join(inert(text).split())
    cleaned = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cleaned = _MARKDOWN_PUNCT.sub(r"\\\1", cleaned)
    return cleaned.replace("@", "@\u200b").replace("://", ":/\u200b/").replace("www.", "www\u200b.")


def xml(text: str) -> str:
    """Text XML 1.0 can hold (ElementTree escapes markup, not forbidden characters)."""
    return _XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
