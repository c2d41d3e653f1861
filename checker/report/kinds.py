"""The report formats, importable without loading any renderer (the CLI needs them at start-up)."""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"
    junit = "junit"
    markdown = "markdown"
    html = "html"
    codequality = "codequality"  # GitLab Code Quality
