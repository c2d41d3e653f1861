"""Reporters, the gate, waivers, baseline and redaction, through the command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from junitparser import JUnitXml
from typer.testing import CliRunner

from checker.cli import app
from checker.report import markdown
from checker.report.formats import ReportFormat, render
from checker.report.model import Finding, Report
from checker.results import Severity, Status
from tests.mutations import MUTATIONS
from tests.security.inputs import canonical_plan, change_of
from tests.support.builtin import BUILTIN_IDS
from tests.support.canonical_stack import FIXTURE, ROOT
from tests.support.scenario import write_scenario

RUNNER = CliRunner()
BY_ID = {m.id: m for m in MUTATIONS}
MULTITOOL = ROOT / ".tools" / "sarif" / "node_modules" / "@microsoft" / "sarif-multitool-linux"


@pytest.fixture(autouse=True)
def in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def invoke(*args: str) -> tuple[int, str, str]:
    result = RUNNER.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def failing_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("failing")
    write_scenario(folder, BY_ID["tap003-via-service-other-region"])
    return folder / "plan.json"


@pytest.mark.fast
@pytest.mark.parametrize("fmt", list(ReportFormat))
@pytest.mark.parametrize("which", ["canonical", "failing"])
def test_every_format_for_canonical_and_failing(
    fmt: ReportFormat, which: str, failing_plan: Path
) -> None:
    plan = FIXTURE if which == "canonical" else failing_plan
    code, out, _ = invoke("check", str(plan), "--format", fmt.value)
    assert code == (0 if which == "canonical" else 1)
    assert out.strip()
    if which == "failing" and fmt != ReportFormat.json:
        assert "TAP003" in out


def _validate_sarif(path: Path, tmp_path: Path) -> list[dict[str, object]]:
    result = tmp_path / "validation.sarif"
    subprocess.run(
        [str(MULTITOOL / "Sarif.Multitool"), "validate", str(path), "--output", str(result),
         "--level", "Error;Warning;Note"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    results = json.loads(result.read_text())["runs"][0]["results"]
    return [r for r in results if r.get("level", "warning") in ("error", "warning")]


@pytest.mark.parametrize("which", ["canonical", "failing", "plan-only"])
def test_sarif_passes_the_official_validator(
    which: str, failing_plan: Path, tmp_path: Path
) -> None:
    plan = {"canonical": FIXTURE, "failing": failing_plan}.get(which)
    if plan is None:
        plan = tmp_path / "plan.json"  # no sources: unknown results (kind review) in the log
        plan.write_text(FIXTURE.read_text())
        os.chdir(tmp_path)
    _, out, _ = invoke("check", str(plan), "--format", "sarif")
    sarif = tmp_path / "report.sarif"
    sarif.write_text(out)
    assert _validate_sarif(sarif, tmp_path) == []
    log = json.loads(out)
    assert log["version"] == "2.1.0" and len(log["runs"][0]["tool"]["driver"]["rules"]) == len(
        BUILTIN_IDS
    )
    if which == "failing":
        (result,) = log["runs"][0]["results"]
        assert result["ruleId"] == "TAP003" and result["level"] == "error"
        region = result["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"].endswith("tap_stack.tf")
        lines = (failing_plan.parent / "tap_stack.tf").read_text().splitlines()
        # the policy that is wrong, with the key's own line as the related location
        wrong = lines[region["region"]["startLine"] - 1]
        assert wrong.split("=")[0].strip() == "policy"
        related, *trace = result["relatedLocations"]
        line = related["physicalLocation"]["region"]["startLine"]
        assert lines[line - 1] == 'resource "aws_kms_key" "main" {'
        # then the chain the policy's value came through: the key's policy argument
        steps = [step["message"]["text"] for step in trace]
        assert steps[0] == (
            "the value comes through: aws_kms_key.main.policy <- "
            "data.aws_iam_policy_document.kms.json"
        ), steps
        assert (
            lines[trace[0]["physicalLocation"]["region"]["startLine"] - 1]
            .strip()
            .startswith("policy")
        )


def test_the_validator_does_flag_a_broken_log(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a b.tf"}, "region": {"startLine": 0}}}]}]}]}))  # fmt: skip
    assert _validate_sarif(broken, tmp_path)


@pytest.mark.fast
def test_junit_parses_with_a_junit_library(failing_plan: Path, tmp_path: Path) -> None:
    _, out, _ = invoke("check", str(failing_plan), "--format", "junit")
    target = tmp_path / "junit.xml"
    target.write_text(out)
    xml = JUnitXml.fromfile(str(target))
    suites = list(xml)
    assert len(suites) == len(BUILTIN_IDS)
    failures = [
        case
        for suite in suites
        for case in suite
        if case.result and case.result[0]._tag == "failure"
    ]
    assert [(c.classname, c.name) for c in failures] == [
        ("TAP003.native", "aws_kms_key.main [native]")
    ]


@pytest.mark.fast
def test_markdown_verdict_first_and_truncated_under_the_comment_limit() -> None:
    finding = Finding(
        rule_id="TAP011", engine="native", engine_check_id="TAP011", status=Status.FAILED, severity=Severity.LOW,
        incident=11, title="t", address="aws_s3_bucket.b", attribute="force_destroy",
        message="force_destroy is not set | pipe", remediation="set it", input="plan.json",
    )  # fmt: skip
    many = [
        Finding(**{**finding.to_dict(), "address": f"module.m[{i}].aws_s3_bucket.b"})
        for i in range(3000)
    ]
    text = markdown.render(Report(inputs=[], findings=many))
    assert text.startswith("## ❌ checker: gate FAILED")
    assert len(text.encode()) <= 60_000
    assert "_Truncated at 60 KB:" in text and "more rows are in the full report" in text
    assert "\\| pipe" in text


@pytest.mark.fast
def test_html_is_self_contained_and_failures_come_first(failing_plan: Path) -> None:
    _, out, _ = invoke("check", str(failing_plan), "--format", "html")
    assert "http://" not in out.replace("http-equiv", "") and "src=" not in out
    statuses = [line.split('data-status="')[1].split('"')[0] for line in out.split("<tr ")[1:]]
    assert statuses[0] == "failed" and set(statuses[1:]) == {"passed"}


@pytest.mark.fast
def test_html_offers_no_fix_on_passed_rows_and_never_breaks_short_words(failing_plan: Path) -> None:
    _, out, _ = invoke("check", str(failing_plan), "--format", "html")
    rows = out.split("<tr ")[1:]
    passed = [r for r in rows if r.startswith('data-status="passed"')]
    failed = [r for r in rows if r.startswith('data-status="failed"')]
    assert passed and failed
    # the fix column is the sixth cell: empty on passed rows, the remediation on failed ones
    assert all(r.split("<td")[6].startswith("></td>") for r in passed)
    assert all(len(r.split("<td")[6]) > len("></td>") for r in failed)
    assert 'class="word status-unknown"' in out or 'class="word status-passed"' in out
    assert "td.word,th.word{overflow-wrap:normal;word-break:keep-all;white-space:nowrap}" in out


def _hostile_report() -> Report:
    evil = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    finding = Finding(
        rule_id="TAP001", engine="native", engine_check_id="TAP001", status=Status.FAILED, severity=Severity.HIGH,
        incident=1, title="t", address=f"aws_s3_bucket_notification.{evil}", attribute="depends_on",
        message=f"found {evil}", remediation=evil, input="plan.json",
    )  # fmt: skip
    return Report(inputs=[], findings=[finding])


@pytest.mark.fast
def test_html_escapes_every_value() -> None:
    page = render(_hostile_report(), ReportFormat.html)
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert page.count("<script>") == 1  # the page's own filter script


def _dom(page: Path, tmp_path: Path, *options: str) -> str:
    """The DOM headless Chromium (Debian's package, installed by ./dev) makes of a page."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is installed by ./dev setup"
    done = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", *options,
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout


def test_html_scripts_in_names_are_inert_in_a_real_browser(tmp_path: Path) -> None:
    """Headless Chromium renders the hostile page: names stay text."""
    page = tmp_path / "report.html"
    page.write_text(render(_hostile_report(), ReportFormat.html))
    dom = _dom(page, tmp_path)
    assert "<title>checker report: gate failed</title>" in dom
    assert "pwned</title>" not in dom
    assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in dom


def test_html_fits_a_1280_pixel_screen(tmp_path: Path) -> None:
    """Long module addresses and paths wrap: at 1,280 px the page never scrolls sideways.

    The page is measured by headless Chromium; a copy of it gets one inline script
    (its CSP allows inline scripts) that writes the widths into the title."""
    from tests.support.layouts import LAYOUTS
    from tests.support.plan_builder import render_plan

    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(render_plan(LAYOUTS["for_each modules"](3))))
    _, out, _ = invoke("check", str(plan), str(FIXTURE), "--format", "html")
    assert "team-00002" in out
    probe = "<script>document.title='W'+document.documentElement.scrollWidth+'/'+window.innerWidth;</script>"
    page = tmp_path / "report.html"
    page.write_text(out.replace("</body>", probe + "</body>"))
    dom = _dom(page, tmp_path, "--hide-scrollbars", "--window-size=1280,900")
    found = re.search(r"<title>W(\d+)/(\d+)</title>", dom)
    assert found, dom[:500]
    scroll, width = int(found[1]), int(found[2])
    assert width == 1280 and scroll <= width, (scroll, width)


@pytest.mark.fast
def test_report_command_rerenders_a_saved_report(failing_plan: Path, tmp_path: Path) -> None:
    saved = tmp_path / "report.json"
    code, _, err = invoke("check", str(failing_plan), "--format", "json", "--output", str(saved))
    assert code == 1 and err.startswith("checker: gate FAILED")
    direct = Report.from_dict(json.loads(saved.read_text()))
    for fmt in ReportFormat:
        rcode, out, _ = invoke("report", str(saved), "--format", fmt.value)
        assert rcode == 1
        assert out == render(direct, fmt)
    assert invoke("report", str(tmp_path / "missing.json"))[0] == 2
    (tmp_path / "other.json").write_text('{"format_version": "1.2"}')
    code, _, err = invoke("report", str(tmp_path / "other.json"))
    assert code == 2 and "not a checker JSON report" in err


@pytest.mark.fast
@pytest.mark.parametrize(
    ("args", "code", "gate"),
    [
        ((), 1, "failed"),
        (("--fail-on", "critical"), 1, "failed"),
        (("--fail-on", "high"), 1, "failed"),
    ],
)
def test_gate_matches_exit_code(
    failing_plan: Path, args: tuple[str, ...], code: int, gate: str
) -> None:
    rc, out, _ = invoke("check", str(failing_plan), "--format", "json", *args)
    assert rc == code and json.loads(out)["summary"]["gate"] == gate


@pytest.mark.fast
def test_low_failure_passes_a_high_gate(tmp_path: Path) -> None:
    write_scenario(tmp_path, BY_ID["tap011-force-destroy-false"])
    for args, code in (((), 1), (("--fail-on", "medium"), 0), (("--fail-on", "low"), 1)):
        rc, out, _ = invoke("check", str(tmp_path / "plan.json"), "--format", "json", *args)
        assert rc == code and json.loads(out)["summary"]["gate"] == ("failed" if code else "passed")


# ------------------------------------------------------------------ waivers


@pytest.fixture()
def low_failure(tmp_path: Path) -> Path:
    write_scenario(tmp_path, BY_ID["tap011-force-destroy-false"])
    return tmp_path / "plan.json"


def _waivers(tmp_path: Path, body: str, name: str = "waivers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


WAIVER = """waivers:
  - rule: TAP011
    address: "aws_s3_bucket.lo*"
    owner: platform-team
    reason: logs are kept until the audit ends
    expires: {expires}
"""


@pytest.mark.fast
def test_live_waiver_waives_the_failure(low_failure: Path, tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, WAIVER.format(expires="2999-01-01"))
    code, out, _ = invoke("check", str(low_failure), "--format", "json", "--waivers", str(waivers))
    report = json.loads(out)
    assert code == 0 and report["summary"]["gate"] == "passed" and report["summary"]["waived"] == 1
    (waived,) = [f for f in report["findings"] if f["status"] == "waived"]
    assert waived["address"] == "aws_s3_bucket.logs"
    assert (
        waived["waiver"]
        == "waived by platform-team until 2999-01-01: logs are kept until the audit ends"
    )


@pytest.mark.fast
def test_expired_waiver_no_longer_waives_and_is_reported(low_failure: Path, tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, WAIVER.format(expires="2020-01-01"))
    code, out, err = invoke(
        "check", str(low_failure), "--format", "json", "--waivers", str(waivers)
    )
    report = json.loads(out)
    assert code == 1 and report["summary"]["waived"] == 0
    assert any("expired on 2020-01-01" in w for w in report["warnings"])
    assert "warning: waiver expired on 2020-01-01" in err


@pytest.mark.fast
def test_unmatched_waiver_is_warned_about(tmp_path: Path) -> None:
    waivers = _waivers(tmp_path, WAIVER.format(expires="2999-01-01").replace("lo*", "nothing"))
    code, out, err = invoke("check", str(FIXTURE), "--format", "json", "--waivers", str(waivers))
    assert code == 0
    assert "waiver matches no finding: TAP011 aws_s3_bucket.nothing" in err
    assert json.loads(out)["warnings"]


@pytest.mark.fast
def test_default_waiver_file_is_picked_up(
    low_failure: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _waivers(tmp_path, WAIVER.format(expires="2999-01-01"), ".checker-waivers.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, _ = invoke("check", str(low_failure), "--format", "json")
    assert code == 0 and json.loads(out)["summary"]["waived"] == 1


@pytest.mark.fast
def test_toml_waivers(low_failure: Path, tmp_path: Path) -> None:
    body = ('[[waivers]]\nrule = "TAP011"\naddress = "aws_s3_bucket.logs"\nowner = "o"\n'
            'reason = "r"\nexpires = 2999-01-01\n')  # fmt: skip
    waivers = _waivers(tmp_path, body, "waivers.toml")
    code, out, _ = invoke("check", str(low_failure), "--format", "json", "--waivers", str(waivers))
    assert code == 0 and json.loads(out)["summary"]["waived"] == 1


@pytest.mark.fast
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("waivers:\n  - rule: TAP011\n    address: [unclosed\n", "invalid YAML at line 3"),
        (
            WAIVER.format(expires="2999-01-01").replace("    owner: platform-team\n", ""),
            "line 2: waiver lacks owner",
        ),
        (WAIVER.format(expires="next week"), "line 2: expires must be a date"),
        (
            'waivers:\n  - !!python/object/apply:os.system ["echo pwned"]\n',
            "invalid YAML at line 2",
        ),
        ("- just a list\n", "line 1: expected a mapping with a 'waivers' list"),
    ],
)
def test_malformed_waiver_file_is_exit_2_with_the_line(
    tmp_path: Path, body: str, message: str
) -> None:
    waivers = _waivers(tmp_path, body)
    code, out, err = invoke("check", str(FIXTURE), "--waivers", str(waivers))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


# ----------------------------------------------------------------- baseline


@pytest.mark.fast
def test_baseline_fails_only_new_failures(tmp_path: Path) -> None:
    old_folder, new_folder = tmp_path / "old", tmp_path / "new"
    old_folder.mkdir()
    new_folder.mkdir()
    write_scenario(old_folder, BY_ID["tap011-force-destroy-false"])
    baseline = tmp_path / "baseline.json"
    invoke("check", str(old_folder / "plan.json"), "--format", "json", "--output", str(baseline))
    code, out, _ = invoke(
        "check", str(old_folder / "plan.json"), "--format", "json", "--baseline", str(baseline)
    )
    report = json.loads(out)
    assert code == 0 and report["summary"]["baselined"] == 1 and report["summary"]["failed"] == 1
    write_scenario(new_folder, BY_ID["tap010-pitr-disabled"])
    code, out, _ = invoke(
        "check", str(new_folder / "plan.json"), "--format", "json", "--baseline", str(baseline)
    )
    assert code == 1
    failing = [
        f for f in json.loads(out)["findings"] if f["status"] == "failed" and not f.get("baselined")
    ]
    assert [(f["rule_id"], f["address"]) for f in failing] == [
        ("TAP010", "aws_dynamodb_table.main")
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert invoke("check", str(FIXTURE), "--baseline", str(bad))[0] == 2


@pytest.mark.fast
def test_baselined_and_new_failures_are_counted_apart_in_the_headlines(tmp_path: Path) -> None:
    write_scenario(tmp_path, BY_ID["tap011-force-destroy-false"])
    plan = str(tmp_path / "plan.json")
    baseline = tmp_path / "baseline.json"
    invoke("check", plan, "--format", "json", "--output", str(baseline))
    for fmt, headline in (
        ("text", "1 failed (0 new, 1 baselined), "),
        ("markdown", "**1 failed (0 new, 1 baselined)**, "),
    ):
        code, out, _ = invoke("check", plan, "--format", fmt, "--baseline", str(baseline))
        assert code == 0 and headline in out, out[:400]
    code, out, _ = invoke("check", plan, "--format", "text")
    assert code == 1 and out.startswith("checker: gate FAILED: 1 failed, ")


# ------------------------------------------------------------------- merging


@pytest.mark.fast
def test_report_merges_the_reports_of_two_stacks(failing_plan: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    invoke("check", str(FIXTURE), "--format", "json", "--output", str(first))
    invoke("check", str(failing_plan), "--format", "json", "--output", str(second))
    a, b = (Report.from_dict(json.loads(p.read_text())) for p in (first, second))
    code, out, _ = invoke("report", str(first), str(second), "--format", "json")
    merged = json.loads(out)
    assert code == 1 and merged["summary"]["gate"] == "failed"
    assert [i["path"] for i in merged["inputs"]] == [str(FIXTURE), str(failing_plan)]
    assert {(f["rule_id"], f["address"], f["status"], f["input"]) for f in merged["findings"]} == {
        (f.rule_id, f.address, f.status, f.input) for f in [*a.findings, *b.findings]
    }
    assert merged["summary"]["failed"] == a.counts()["failed"] + b.counts()["failed"] > 0
    code, out, _ = invoke("report", str(first), str(second), "--format", "markdown")
    assert code == 1 and out.count("checker: gate FAILED") == 1
    assert markdown._cell(str(FIXTURE)) in out and markdown._cell(str(failing_plan)) in out
    code, out, _ = invoke("report", str(first), str(second), "--format", "sarif")
    assert len(json.loads(out)["runs"]) == 1
    assert invoke("report", str(first), str(first), "--format", "json")[0] == 0


@pytest.mark.fast
def test_merging_reports_of_different_gates_applies_the_strictest(
    failing_plan: Path, tmp_path: Path
) -> None:
    lenient, strict = tmp_path / "lenient.json", tmp_path / "strict.json"
    invoke(
        "check",
        str(failing_plan),
        "--format",
        "json",
        "--fail-on",
        "critical",
        "--output",
        str(lenient),
    )
    invoke("check", str(FIXTURE), "--format", "json", "--unknown", "fail", "--output", str(strict))
    code, out, _ = invoke("report", str(lenient), str(strict), "--format", "json")
    merged = json.loads(out)
    assert (merged["summary"]["fail_on"], merged["summary"]["unknown_policy"]) == ("low", "fail")
    assert merged["warnings"][0].startswith("the reports used different gates")
    assert code == 1


@pytest.mark.fast
def test_markdown_says_one_check_not_one_checks(tmp_path: Path) -> None:
    code, out, _ = invoke("check", str(FIXTURE), "--format", "markdown")
    assert code == 0
    passed = [line for line in out.splitlines() if line.startswith("- TAP")]
    assert passed and not any(line.endswith("(1 checks)") for line in passed)
    assert any(line.endswith("(1 check)") for line in passed)


# ---------------------------------------------------------------- redaction

MARKERS = ("SECRET-FN-7f3a9c", "SECRET-VAR-41b2d8", "SECRET-OUT-9e0c55", "SECRET-TAG-c4d1e2")


def _sensitive_plan(path: Path) -> None:
    """The real canonical plan with sensitive values where a pull request could put them."""
    plan = canonical_plan()
    function = change_of(plan, "aws_lambda_function.processor")
    function["after"]["function_name"] = MARKERS[0]
    function["after_sensitive"]["function_name"] = True
    plan["variables"]["api_token"] = {"value": MARKERS[1]}
    plan["configuration"]["root_module"]["variables"]["api_token"] = {"sensitive": True}
    plan["planned_values"].setdefault("outputs", {})["token"] = {
        "sensitive": True,
        "value": MARKERS[2],
    }
    plan["output_changes"]["token"] = {
        "actions": ["create"],
        "before": None,
        "after": MARKERS[2],
        "after_unknown": False,
        "before_sensitive": False,
        "after_sensitive": True,
    }
    logs = change_of(plan, "aws_s3_bucket.logs")
    logs["after"]["force_destroy"] = False
    logs["after"]["tags"] = {"Owner": MARKERS[3]}
    logs["after_sensitive"]["tags"] = True
    path.write_text(json.dumps(plan))


@pytest.mark.fast
@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_sensitive_values_never_reach_any_format(fmt: ReportFormat, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    _sensitive_plan(plan)
    raw = plan.read_text()
    assert all(marker in raw for marker in MARKERS)
    code, out, err = invoke("check", str(plan), "--format", fmt.value, "--engine", "native")
    assert code == 1
    for marker in MARKERS:
        assert marker not in out and marker not in err
    if fmt in (ReportFormat.text, ReportFormat.json):
        assert "(sensitive)" in out  # the message that named it was redacted, not dropped


TABLE_ONLY = """
resource "aws_dynamodb_table" "t" {
  name         = "t"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
}
"""


@pytest.mark.fast
@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_rules_with_nothing_to_check_are_listed_in_every_format(
    fmt: ReportFormat, tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(TABLE_ONLY, encoding="utf-8")
    code, out, _ = invoke("check", str(tmp_path), "--format", "json")
    data = json.loads(out)
    absent = [i for i in BUILTIN_IDS if i != "TAP010"]
    assert code == 0
    assert data["summary"]["not_applicable"] == absent
    assert {(f["rule_id"], f["status"]) for f in data["findings"]} == {("TAP010", "passed")}
    code, out, _ = invoke("check", str(tmp_path), "--format", fmt.value)
    if fmt == ReportFormat.sarif:
        assert json.loads(out)["runs"][0]["properties"]["notApplicable"] == absent
    elif fmt == ReportFormat.codequality:
        assert json.loads(out) == []  # GitLab's widget lists issues only: nothing to fix here
    elif fmt == ReportFormat.junit:
        skipped = [
            c.name for s in JUnitXml.fromstring(out) for c in s if "not applicable" in s.name
        ]
        assert skipped == absent
    elif fmt != ReportFormat.json:
        listed = re.search(r"nothing to check\\?\): ((?:TAP\d{3}(?:, )?)+)", out)
        assert listed is not None and listed.group(1).split(", ") == absent


@pytest.mark.fast
def test_a_saved_report_keeps_its_not_applicable_rules() -> None:
    report = Report(inputs=[], findings=[], not_applicable=["TAP009"])
    again = Report.from_dict(report.to_dict())
    assert again.not_applicable == ["TAP009"]


@pytest.mark.fast
def test_engine_coverage_is_said_once_in_text_and_markdown_and_kept_in_json() -> None:
    """With external engines the report says once which rules each asserts (issue 27)."""
    from checker.run import engine_coverage

    lines = engine_coverage(("native", "checkov", "compliance"))
    assert [line.split(" ", 1)[0] for line in lines] == ["checkov", "compliance"]
    assert "not TAP002" in lines[0] and "in part TAP005" in lines[1]
    assert engine_coverage(("native",)) == []
    report = Report(inputs=[], findings=[], engine_coverage=lines)
    text = render(report, ReportFormat.text)
    assert text.count("coverage: checkov asserts") == 1
    assert render(report, ReportFormat.markdown).count("_coverage: compliance asserts") == 1
    saved = json.loads(render(report, ReportFormat.json))
    assert Report.from_dict(saved).engine_coverage == lines
