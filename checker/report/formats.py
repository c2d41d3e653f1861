"""The output formats and the one place that picks a renderer for each."""

from __future__ import annotations

from checker.report.kinds import ReportFormat
from checker.report.model import Report

__all__ = ["ReportFormat", "render"]


def render(report: Report, fmt: ReportFormat, colour: bool = False) -> str:
    match fmt:
        case ReportFormat.text:
            from checker.report import text

            return text.render(report, colour=colour)
        case ReportFormat.json:
            from checker.report import json_format

            return json_format.render(report)
        case ReportFormat.sarif:
            from checker.report import sarif

            return sarif.render(report)
        case ReportFormat.junit:
            from checker.report import junit

            return junit.render(report)
        case ReportFormat.markdown:
            from checker.report import markdown

            return markdown.render(report)
        case ReportFormat.html:
            from checker.report import html

            return html.render(report)
        case ReportFormat.codequality:
            from checker.report import codequality

            return codequality.render(report)
