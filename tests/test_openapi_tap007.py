"""TAP007 on REST APIs defined by an OpenAPI `body` (`checker.rules.openapi`), in every mode.

One small stack holds an API per case, each body written another way:
`jsonencode` (compliant), a YAML `templatefile` whose integration is `aws` (not
a proxy), a heredoc whose permission names another route, a JSON `templatefile`
whose permission is on the API's `arn` instead of its `execution_arn`, and a
`file()` with a literal function ARN (a body the plan knows, with
`x-amazon-apigateway-any-method`). Its real plans (create, and update after a
real apply, Terraform against moto: `tests/terraform/harness.py`) are checked
with sources bound and alone; static mode checks the `.tf` files.

The integration fields are those of the x-amazon-apigateway-integration object:
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-integration.html
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.config import CheckerConfig
from checker.plan.values import Unknown
from checker.report.model import Finding
from checker.rules.openapi import Routes, Unreadable, read_routes
from checker.run import CheckOptions, check_inputs
from tests.terraform.harness import (
    MotoServer,
    Workspace,
    build_mirror,
    copy_stack,
    require_terraform,
)

MAIN_TF = """\
variable "region" {
  type    = string
  default = "us-east-1"
}

provider "aws" {
  region = var.region
}

resource "aws_iam_role" "handler" {
  name = "tap-openapi-handler"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "handler" {
  function_name    = "tap-openapi-handler"
  role             = aws_iam_role.handler.arn
  runtime          = "python3.12"
  handler          = "index.handler"
  filename         = "${path.module}/handler.zip"
  source_code_hash = filebase64sha256("${path.module}/handler.zip")
}

resource "aws_api_gateway_rest_api" "compliant" {
  name = "tap-openapi-compliant"
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "compliant", version = "1" }
    paths = {
      "/process" = {
        post = {
          "x-amazon-apigateway-integration" = {
            type       = "aws_proxy"
            httpMethod = "POST"
            uri        = aws_lambda_function.handler.invoke_arn
          }
        }
      }
    }
  })
}

resource "aws_lambda_permission" "compliant" {
  statement_id  = "compliant"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.compliant.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_rest_api" "non_proxy" {
  name = "tap-openapi-non-proxy"
  body = templatefile("${path.module}/non_proxy.yaml", {
    region     = var.region
    lambda_arn = aws_lambda_function.handler.arn
  })
}

resource "aws_lambda_permission" "non_proxy" {
  statement_id  = "non-proxy"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.non_proxy.execution_arn}/*/POST/process"
}

resource "aws_api_gateway_rest_api" "other_route" {
  name = "tap-openapi-other-route"
  body = <<-JSON
    {
      "openapi": "3.0.1",
      "info": {"title": "other route", "version": "1"},
      "paths": {
        "/process": {
          "post": {
            "x-amazon-apigateway-integration": {
              "type": "AWS_PROXY",
              "httpMethod": "POST",
              "uri": "${aws_lambda_function.handler.invoke_arn}"
            }
          }
        }
      }
    }
  JSON
}

resource "aws_lambda_permission" "other_route" {
  statement_id  = "other-route"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.other_route.execution_arn}/*/GET/status"
}

resource "aws_api_gateway_rest_api" "wrong_arn" {
  name = "tap-openapi-wrong-arn"
  body = templatefile("${path.module}/wrong_arn.json.tftpl", {
    invoke_arn = aws_lambda_function.handler.invoke_arn
  })
}

resource "aws_lambda_permission" "wrong_arn" {
  statement_id  = "wrong-arn"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.wrong_arn.arn}/*/POST/process"
}

resource "aws_api_gateway_rest_api" "literal" {
  name = "tap-openapi-literal"
  body = file("${path.module}/literal.json")
}

resource "aws_lambda_permission" "literal" {
  statement_id  = "literal"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.handler.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.literal.execution_arn}/*/*"
}
"""

NON_PROXY_YAML = """\
openapi: "3.0.1"
info:
  title: non-proxy
  version: "1"
paths:
  /process:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${lambda_arn}/invocations
"""

WRONG_ARN_JSON = """\
{
  "openapi": "3.0.1",
  "info": {"title": "wrong arn", "version": "1"},
  "paths": {
    "/process": {
      "post": {
        "x-amazon-apigateway-integration": {
          "type": "aws_proxy",
          "httpMethod": "POST",
          "uri": "${invoke_arn}"
        }
      }
    }
  }
}
"""

# moto's account; the function's ARN written out, so the plan knows the whole body
LITERAL_JSON = """\
{
  "openapi": "3.0.1",
  "info": {"title": "literal", "version": "1"},
  "paths": {
    "/items/{id}": {
      "x-amazon-apigateway-any-method": {
        "x-amazon-apigateway-integration": {
          "type": "aws_proxy",
          "httpMethod": "POST",
          "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tap-openapi-handler/invocations"
        }
      }
    }
  }
}
"""

API = "aws_api_gateway_rest_api."
# (status, text the finding's `found` holds) per API, wherever the body can be read
EXPECTED: dict[str, tuple[str, str]] = {
    API + "compliant": ("passed", "aws_lambda_permission.compliant allows POST /process"),
    API + "non_proxy": ("failed", 'x-amazon-apigateway-integration type: "aws"'),
    API + "other_route": ("failed", 'suffix "/*/GET/status" does not match POST /process'),
    API + "wrong_arn": ("failed", "names the API's ARN, not its execution_arn"),
    API + "literal": ("passed", "aws_lambda_permission.literal allows ANY /items/{id}"),
}
ROUTES = ["POST /process", "ANY /items/{id}", "GET /missing"]
CONFIG = CheckerConfig(rule_options={"TAP007": {"routes": ROUTES}})


def write_stack(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (folder / "non_proxy.yaml").write_text(NON_PROXY_YAML, encoding="utf-8")
    (folder / "wrong_arn.json.tftpl").write_text(WRONG_ARN_JSON, encoding="utf-8")
    (folder / "literal.json").write_text(LITERAL_JSON, encoding="utf-8")
    with zipfile.ZipFile(folder / "handler.zip", "w") as archive:
        info = zipfile.ZipInfo("index.py", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "def handler(event, context):\n    return {'statusCode': 200}\n")
    return folder


def tap007(findings: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule_id == "TAP007":
            out.setdefault(finding.address, []).append(finding)
    return out


def assert_judged(findings: list[Finding]) -> None:
    """Every API has exactly the expected verdict and reason; the missing route fails."""
    by_address = tap007(findings)
    for address, (status, text) in EXPECTED.items():
        (finding,) = by_address[address]
        assert (finding.status, finding.attribute) == (status, finding.attribute), finding
        assert text in finding.found, finding.found
        assert finding.attribute.startswith("body: ")
    (routes,) = by_address["aws_api_gateway_integration"]
    assert routes.status == "failed" and "GET /missing" in routes.found


# ------------------------------------------------------------------ static mode


@pytest.mark.fast
def test_static_mode_reads_every_body_form(tmp_path: Path) -> None:
    stack = write_stack(tmp_path / "stack")
    report = check_inputs([str(stack)], CheckOptions(), CONFIG)
    assert_judged(report.findings)


# ---------------------------------------------------------------- real plans


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The stack's create plan and, after a real apply, its update plan (moto)."""
    require_terraform()
    root = tmp_path_factory.mktemp("openapi")
    stack = write_stack(root / "stack")
    moto = MotoServer()
    moto.start(root / "moto.log")
    try:
        workspace = Workspace(copy_stack(stack, root / "work"), build_mirror(root / "tf"), moto)
        workspace.init()
        created = workspace.plan("create.tfplan")
        workspace.apply("create.tfplan")
        updated = workspace.plan("update.tfplan")
    finally:
        moto.stop()
    out = {"stack": stack}
    for name, plan in (("create", created), ("update", updated)):
        folder = root / name  # no .tf beside it: sources only when asked
        folder.mkdir()
        out[name] = folder / "plan.json"
        out[name].write_text(json.dumps(plan), encoding="utf-8")
    yield out
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.parametrize("phase", ["create", "update"])
def test_plan_with_sources_gives_the_static_verdicts(plans: dict[str, Path], phase: str) -> None:
    report = check_inputs([str(plans[phase])], CheckOptions(source=plans["stack"]), CONFIG)
    assert "HCL sources" in " ".join(report.inputs[0].notes)
    assert_judged(report.findings)


def test_update_plan_alone_reads_the_known_bodies(plans: dict[str, Path]) -> None:
    """After apply the function's ARNs are known, so is every body: the plan alone judges."""
    report = check_inputs([str(plans["update"])], CheckOptions(), CONFIG)
    assert_judged(report.findings)


def test_create_plan_alone_is_unknown_never_silent(plans: dict[str, Path]) -> None:
    """A body built from the function's ARN is hidden in a create plan: each API says
    unknown, naming the value and what settles it; nothing fails, nothing passes."""
    report = check_inputs([str(plans["create"])], CheckOptions(), CONFIG)
    by_address = tap007(report.findings)
    for address in EXPECTED:
        (finding,) = by_address[address]
        assert finding.status == "unknown", finding
    hidden = by_address[API + "compliant"][0]
    assert hidden.attribute == "body"
    assert "aws_lambda_function.handler.invoke_arn" in hidden.found
    assert "--source DIR" in hidden.expected
    literal = by_address[API + "literal"][0]  # the body is known; the permission is not
    assert literal.attribute == "body: ANY /items/{id}"
    assert "aws_lambda_permission.literal" in literal.found
    routes = by_address["aws_api_gateway_integration"]
    assert {f.attribute: f.status for f in routes} == {
        "routes: POST /process": "unknown",  # the bodies that could serve it are hidden
        "routes: GET /missing": "unknown",
    }


def test_the_plan_knows_a_body_without_computed_values(plans: dict[str, Path]) -> None:
    """Terraform writes a `file()` body into the create plan as it is (no after_unknown)."""
    plan = json.loads(plans["create"].read_text(encoding="utf-8"))
    (change,) = [c for c in plan["resource_changes"] if c["address"] == API + "literal"]
    assert change["change"]["after"]["body"] == LITERAL_JSON
    (hidden,) = [c for c in plan["resource_changes"] if c["address"] == API + "compliant"]
    assert hidden["change"]["after_unknown"]["body"] is True


# ------------------------------------------------------------ the body reader

UNKNOWN_ARN = Unknown.of_reference("aws_lambda_function.f.arn")
INVOKE = Unknown.of_reference("aws_lambda_function.f.invoke_arn")


def _only(read: object) -> tuple[str, str, object, object, object]:
    assert isinstance(read, Routes), read
    (route,) = read.routes
    assert route.integration is not None
    i = route.integration
    return route.method, route.path, i.type, i.http_method, i.uri


@pytest.mark.fast
def test_yaml_template_keeps_each_unknown_piece_in_place() -> None:
    parts = (
        "paths:\n  /process:\n    post:\n      x-amazon-apigateway-integration:\n"
        "        type: AWS_PROXY\n        httpMethod: POST\n"
        "        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/",
        UNKNOWN_ARN,
        "/invocations\n",
    )
    method, path, kind, http, uri = _only(read_routes(Unknown.of_template(parts)))
    assert (method, path, kind, http) == ("POST", "/process", "AWS_PROXY", "POST")
    assert isinstance(uri, Unknown) and uri.refs == ("aws_lambda_function.f.arn",)
    assert uri.text().endswith("functions/${aws_lambda_function.f.arn}/invocations")


@pytest.mark.fast
def test_json_template_with_a_whole_value_piece() -> None:
    """`"uri": ${jsonencode(x)}` (a piece standing as a JSON value) and a piece in a string."""
    parts = (
        '{"paths": {"/p": {"get": {"x-amazon-apigateway-integration": '
        '{"type": "aws_proxy", "httpMethod": "POST", "uri": ',
        INVOKE,
        "}}}}}",
    )
    method, path, _kind, _http, uri = _only(read_routes(Unknown.of_template(parts)))
    assert (method, path, uri) == ("GET", "/p", INVOKE)


@pytest.mark.fast
def test_jsonencode_with_unknown_parts_is_read_as_its_object() -> None:
    body = Unknown.of_json(
        {
            "paths": {
                "/p": {
                    "x-amazon-apigateway-any-method": {
                        "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": INVOKE}
                    }
                }
            }
        }
    )
    method, _path, _kind, http, uri = _only(read_routes(body))
    assert (method, http, uri) == ("ANY", None, INVOKE)


@pytest.mark.fast
def test_a_path_built_from_an_unknown_piece_is_not_known() -> None:
    parts = ("paths:\n  /", Unknown.of_reference("random_id.x.hex"), ":\n    get: {}\n")
    read = read_routes(Unknown.of_template(parts))
    assert isinstance(read, Routes)
    (route,) = read.routes
    assert route.path == "/${random_id.x.hex}" and not route.path_known
    assert route.integration is None


@pytest.mark.fast
def test_local_ref_to_an_integration_is_followed() -> None:
    body = json.dumps(
        {
            "paths": {"/p": {"post": {"x-amazon-apigateway-integration": {"$ref": "#/x/i"}}}},
            "x": {"i": {"type": "aws", "httpMethod": "POST", "uri": "u"}},
        }
    )
    assert _only(read_routes(body))[2:] == ("aws", "POST", "u")


@pytest.mark.fast
@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("paths: [unclosed", "neither JSON nor YAML"),
        ("- a\n- b\n", "not an object"),
        ('{"openapi": "3.0.1"}', "no `paths` object"),
        ("[" * 5000 + "]" * 5000, "nested deeper"),
    ],
    ids=["not-yaml", "a-list", "no-paths", "too-deep"],
)
def test_unreadable_bodies_say_why(body: str, why: str) -> None:
    read = read_routes(body)
    assert isinstance(read, Unreadable) and why in read.why


@pytest.mark.fast
def test_hidden_and_unset_bodies() -> None:
    hidden = Unknown(refs=("aws_lambda_function.f.invoke_arn",))
    assert read_routes(hidden) is hidden
    assert read_routes(None) is None


@pytest.mark.fast
def test_yaml_aliases_are_read_once_not_expanded() -> None:
    """A "billion laughs" document: nine levels of ten aliases each (10^9 leaves if expanded)."""
    lines = ['a0: &a0 ["x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    lines += ["paths:", "  /p:", "    get:", "      x-amazon-apigateway-integration:"]
    lines += ["        type: aws_proxy", "        bomb: *a9"]
    started = time.monotonic()
    read = read_routes("\n".join(lines) + "\n")
    assert time.monotonic() - started < 5
    assert _only(read)[2] == "aws_proxy"
