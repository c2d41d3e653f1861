"""`--format html`: one self-contained page. Failures first, filters by status and severity.

No network fetch (inline CSS and script, no external URL), every value
HTML-escaped; the page's own script reads only the data-* attributes it wrote.
"""

from __future__ import annotations

from html import escape as _escape_html

from checker.report.escape import xml
from checker.report.model import Finding, Report, change_text
from checker.results import Status


def escape(text: str) -> str:
    """HTML-escaped, with the control characters XML and browsers should not see written out."""
    return _escape_html(xml(text))


ORDER = {Status.FAILED: 0, Status.UNKNOWN: 1, Status.WAIVED: 2, Status.PASSED: 3}
# Fits a 1,280 px screen whatever the addresses: the table is laid out to the page width
# (fixed layout, column shares below) and long unbroken text (module addresses, paths,
# ARNs) wraps anywhere instead of pushing the page sideways.
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24;max-width:100%}
h1{font-size:1.4rem}.gate-failed{color:#b42318}.gate-passed{color:#067647}.gate-error{color:#b42318}
p{overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #d0d7de;padding:.4rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.word,th.word{overflow-wrap:normal;word-break:keep-all;white-space:nowrap}
col.status{width:7%}col.rule{width:6%}col.severity{width:7%}col.resource{width:24%}
col.finding{width:26%}col.fix{width:23%}col.engine{width:7%}
th{background:#f6f8fa}.status-failed{color:#b42318;font-weight:600}.status-unknown{color:#9a6700}
.status-waived{color:#57606a}.status-passed{color:#067647}code{font-size:12px}
.filters{margin:1rem 0}.filters label{margin-right:1rem}
"""
SCRIPT = """
(function(){
  var rows=document.querySelectorAll('tbody tr');
  function apply(){
    var s=document.getElementById('f-status').value, v=document.getElementById('f-severity').value;
    rows.forEach(function(r){
      var ok=(s==='all'||r.dataset.status===s)&&(v==='all'||r.dataset.severity===v);
      r.style.display=ok?'':'none';
    });
  }
  document.getElementById('f-status').addEventListener('change',apply);
  document.getElementById('f-severity').addEventListener('change',apply);
})();
"""


def _row(finding: Finding, many_stacks: bool = False) -> str:
    location = escape(f"{finding.file}:{finding.line}") if finding.file else escape(finding.input)
    # a passed row needs no fix; a waived one shows its waiver
    detail = (
        finding.waiver
        if finding.status == Status.WAIVED
        else ""
        if finding.status == Status.PASSED
        else finding.remediation
    )
    change = f"<br><small>{escape(change_text(finding))}</small>" if finding.change else ""
    if finding.status == Status.FAILED and finding.fix == "available":
        detail = f"{detail} (run `checker fix` to write it)"
    if finding.trace:
        steps = "".join(f"<li>{escape(step.text())}</li>" for step in finding.trace)
        change += f"<details><summary>where the value came from</summary><ol>{steps}</ol></details>"
    return (
        f'<tr data-status="{escape(finding.status)}" data-severity="{escape(finding.severity)}">'
        f'<td class="word status-{escape(finding.status)}">{escape(finding.status)}</td>'
        f'<td class="word">{escape(finding.rule_id)}</td>'
        f'<td class="word">{escape(finding.severity)}</td>'
        f"<td><code>{escape(finding.scoped_address() if many_stacks else finding.address)}</code><br><small>{location}</small></td>"
        f"<td>{escape(finding.message)}{change}</td><td>{escape(detail)}</td><td>{escape(finding.engine)}</td></tr>"
    )


def _options(name: str, values: list[str]) -> str:
    items = "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in ["all", *values])
    return f'<label>{escape(name)} <select id="f-{escape(name)}">{items}</select></label>'


def render(report: Report) -> str:
    gate = report.gate_result()
    counts = report.counts()
    findings = sorted(report.findings, key=lambda f: (ORDER[f.status], f.rule_id, f.address))
    inputs = ", ".join(escape(i.path) for i in report.inputs)
    warnings = "".join(f"<p><strong>Error:</strong> {escape(e)}</p>" for e in report.errors)
    warnings += "".join(f"<p><strong>Warning:</strong> {escape(w)}</p>" for w in report.warnings)
    if report.not_applicable:
        warnings = f"<p>{escape(report.not_applicable_line())}</p>" + warnings
    covered = "".join(
        f"<p>coverage: {escape(i.path)}: {escape(i.coverage.line())}</p>"
        for i in report.inputs
        if i.coverage is not None
    ) + "".join(
        f"<p>drift: {escape(i.path)}: {escape(d.line())}</p>"
        for i in report.inputs
        for d in i.drift
    )
    warnings = covered + warnings
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>checker report: gate {escape(gate)}</title><style>{STYLE}</style></head><body>"
        f'<h1 class="gate-{escape(gate)}">checker: gate {escape(gate.upper())}</h1>'
        f"<p>{escape(report.failed_phrase())}, {counts['unknown']} unknown, {counts['waived']} waived, "
        f"{counts['passed']} passed &middot; inputs: {inputs}</p>{warnings}"
        f'<div class="filters">{_options("status", ["failed", "unknown", "waived", "passed"])}'
        f"{_options('severity', ['critical', 'high', 'medium', 'low'])}</div>"
        '<table><colgroup><col class="status"><col class="rule"><col class="severity">'
        '<col class="resource"><col class="finding"><col class="fix"><col class="engine"></colgroup>'
        '<thead><tr><th class="word">status</th><th class="word">rule</th>'
        '<th class="word">severity</th><th>resource</th>'
        "<th>finding</th><th>fix</th><th>engine</th></tr></thead><tbody>"
        + "".join(_row(f, report.many_stacks()) for f in findings)
        + f"</tbody></table><script>{SCRIPT}</script></body></html>\n"
    )
