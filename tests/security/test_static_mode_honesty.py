"""Static mode (`checker check DIR`) has no plan: no finding or note may speak of one.

Issue 24: in static mode TAP012 said "the plan only has the hash of user_data",
which is false there. Every text a rule writes in static mode names the
configuration and what would settle the value, and `replace()` with a
`/regex/` pattern is evaluated as Terraform evaluates it (a pull request cannot
hide a change behind a regex the checker reads as plain text).

Each case runs the real command line on the canonical stack copied into a
temporary directory, edited where the case says, and asserts on the JSON report.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
STACK = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
# "the plan", "this plan", "that plan": a plan spoken of as if there were one.
SPEAKS_OF_A_PLAN = re.compile(r"\b(?:the|this|that|its)\s+plan\b", re.IGNORECASE)
TEXT_FIELDS = ("title", "message", "found", "expected", "note", "remediation")
Edit = tuple[re.Pattern[str] | str, str]  # (old text or pattern, new text) of tap_stack.tf

USER_DATA = re.compile(r"  user_data = <<-EOT\n.*?\n  EOT\n", re.DOTALL)
EXTERNAL = "arn:aws:iam::123456789012"

# Values the .tf files alone cannot settle, and resources this configuration does not
# declare: every rule's "unknown" texts for them, and the failures naming the scope.
HIDDEN_EDITS: tuple[Edit, ...] = (
    (USER_DATA, "  user_data = var.proof_script\n"),
    (
        "    lambda_function_arn = aws_lambda_function.processor.arn",
        "    lambda_function_arn = var.function_arn",
    ),
    (
        "  policy                  = data.aws_iam_policy_document.kms.json",
        "  policy                  = var.key_policy",
    ),
    (
        "  uri                     = aws_lambda_function.processor.invoke_arn",
        '  uri                     = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/'
        'functions/arn:aws:lambda:us-east-1:123456789012:function:external/invocations"',
    ),
    (
        "    destination_arn = aws_cloudwatch_log_group.api.arn",
        '    destination_arn = "arn:aws:logs:us-east-1:123456789012:log-group:external"',
    ),
)
HIDDEN_EXTRA = f"""
variable "proof_script" {{
  type = string
}}

variable "function_arn" {{
  type = string
}}

variable "key_policy" {{
  type = string
}}

resource "aws_instance" "external" {{
  ami                  = "ami-12345678"
  instance_type        = "t3.micro"
  iam_instance_profile = "external-profile"
  user_data            = "#!/bin/bash\\naws s3 cp /tmp/x s3://external-bucket/x\\n"
}}

resource "aws_lambda_function" "external" {{
  function_name = "external"
  role          = "{EXTERNAL}:role/external"
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "external.zip"
}}
"""
OUTSIDE_EDITS: tuple[Edit, ...] = (
    ('    actions   = ["s3:PutObject"]', '    actions   = ["s3:GetObject"]'),  # proof role
    (
        "  role             = aws_iam_role.lambda.arn",
        f'  role             = "{EXTERNAL}:role/external"',
    ),
    (
        "  cloudwatch_role_arn = aws_iam_role.apigateway_cloudwatch.arn",
        f'  cloudwatch_role_arn = "{EXTERNAL}:role/external"',
    ),
)
OUTSIDE_EXTRA = f"""
resource "aws_iam_role_policy_attachment" "external" {{
  role       = aws_iam_role.proof.name
  policy_arn = "{EXTERNAL}:policy/external"
}}
"""


def edited(edits: tuple[Edit, ...], extra: str) -> str:
    text = STACK
    for old, new in edits:
        if isinstance(old, re.Pattern):
            # `new` is HCL, not a re template: its backslashes stay as they are
            text, count = old.subn(new.replace("\\", "\\\\"), text)
        else:
            count = text.count(old)
            text = text.replace(old, new)
        assert count == 1, f"the canonical stack changed: {old!r} not found once"
    return text + extra


def check(folder: Path, stack: str, with_handler: bool = True) -> dict[str, Any]:
    """`checker check DIR --format json` on `stack` (and the handler) in `folder`."""
    folder.mkdir(exist_ok=True)
    (folder / "tap_stack.tf").write_text(stack, encoding="utf-8")
    if with_handler:
        shutil.copytree(ROOT / "lambda", folder / "lambda")
    done = subprocess.run(
        [sys.executable, "-m", "checker", "check", str(folder), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=folder,
    )
    assert done.returncode in (0, 1), done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["inputs"][0]["kind"] == "hcl"
    return report


def texts(report: dict[str, Any]) -> list[str]:
    out = [str(f.get(key, "")) for f in report["findings"] for key in TEXT_FIELDS]
    out += [note for entry in report["inputs"] for note in entry.get("notes", [])]
    return out


def speaking_of_a_plan(report: dict[str, Any]) -> list[str]:
    return [text for text in texts(report) if SPEAKS_OF_A_PLAN.search(text)]


def finding(report: dict[str, Any], rule: str, address: str, status: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [
        f
        for f in report["findings"]
        if (f["rule_id"], f["address"], f["status"]) == (rule, address, status)
    ]
    assert matches, f"no {status} {rule} finding on {address}"
    return matches[0]


def test_the_canonical_stack_alone_speaks_of_no_plan(tmp_path: Path) -> None:
    """Only tap_stack.tf, as the brief copies it: the handler file is missing."""
    report = check(tmp_path / "stack", STACK, with_handler=False)
    assert speaking_of_a_plan(report) == []
    unknown = finding(report, "TAP002", "aws_iam_role.lambda", "unknown")
    assert "not known from the .tf files" in unknown["found"]


def test_values_the_sources_do_not_settle_speak_of_no_plan(tmp_path: Path) -> None:
    report = check(tmp_path / "stack", edited(HIDDEN_EDITS, HIDDEN_EXTRA))
    assert speaking_of_a_plan(report) == []
    # Every edit reached the rule text it was written for.
    user_data = finding(report, "TAP012", "aws_instance.proof", "unknown")
    assert "user_data comes from var.proof_script" in user_data["found"]
    assert "--source" in user_data["found"]
    assert "this configuration" in str(
        finding(report, "TAP001", "aws_s3_bucket_notification.content", "unknown")["expected"]
    )
    key = finding(report, "TAP003", "aws_kms_key.main", "unknown")
    assert "readable in this configuration" in key["expected"]
    integration = "aws_api_gateway_integration.process_post"
    assert (
        "outside this configuration" in finding(report, "TAP007", integration, "unknown")["found"]
    )
    stage = finding(report, "TAP014", "aws_api_gateway_stage.main", "unknown")
    assert "not in this configuration" in stage["found"]
    profile = finding(report, "TAP012", "aws_instance.external", "failed")
    assert "a role of this configuration" in profile["found"]
    handler = finding(report, "TAP002", "aws_lambda_function.external", "unknown")
    # its handler is found (lambda/index.py); its role is not this configuration's
    assert "managed outside this configuration" in handler["found"]


def test_resources_managed_elsewhere_speak_of_no_plan(tmp_path: Path) -> None:
    report = check(tmp_path / "stack", edited(OUTSIDE_EDITS, OUTSIDE_EXTRA))
    assert speaking_of_a_plan(report) == []
    role = finding(report, "TAP002", "aws_lambda_function.processor", "unknown")
    assert "managed outside this configuration" in role["found"]
    account = finding(report, "TAP014", "aws_api_gateway_account.main", "unknown")
    assert "managed outside this configuration" in account["found"]
    proof = finding(report, "TAP012", "aws_iam_role.proof", "unknown")
    assert f"{EXTERNAL}:policy/external are not in this configuration" in proof["found"]


SCRIPT = (
    "#!/bin/bash\\naws s3 cp /tmp/p s3://b/p || aws s3api put-object --bucket b --key p "
    "--body /tmp/p --server-side-encryption aws:kms --ssekms-key-id alias/k\\n"
)
REGEX_CASES: dict[str, tuple[Edit, tuple[str, str, str]]] = {
    # Read as plain text the pattern matches nothing and the KMS fallback seems to stay;
    # Terraform cuts it off: the rule must fail.
    "tap012-fallback-cut-off": (
        (
            USER_DATA,
            f'  user_data = replace("{SCRIPT}", "/ \\\\|\\\\| aws s3api put-object.*/", "")\n',
        ),
        ("TAP012", "aws_instance.proof", "failed"),
    ),
    # Read as plain text nothing is removed and the method is not POST; Terraform
    # removes the suffix: the rule must pass.
    "tap007-method-is-post": (
        (
            '  integration_http_method = "POST"',
            '  integration_http_method = replace("POST-v2", "/-\\\\w+$/", "")',
        ),
        ("TAP007", "aws_api_gateway_integration.process_post", "passed"),
    ),
}


@pytest.mark.parametrize("case", sorted(REGEX_CASES))
def test_a_regex_replace_decides_a_rule(tmp_path: Path, case: str) -> None:
    edit, (rule, address, status) = REGEX_CASES[case]
    report = check(tmp_path / "stack", edited((edit,), ""))
    found = [f for f in report["findings"] if (f["rule_id"], f["address"]) == (rule, address)]
    assert [f["status"] for f in found] == [status], found
    assert speaking_of_a_plan(report) == []
