"""Terraform's functions and expressions as Terraform evaluates them (issue 25, Deliver 1).

`TABLE` holds, for each expression, what Terraform 1.11's `terraform console -plan`
answered for `jsonencode(EXPRESSION)` in a configuration (`CONFIG`) with counted,
keyed and single `terraform_data` resources: the JSON text, `UNKNOWN` (known only
after apply) or `ERROR` (Terraform refused it). The static evaluator must give the
same answer on the same configuration: an error is kept apart from an unknown
value, so `try()` and `can()` choose as Terraform does. The functions and the
expression forms are the ones the terraform-aws-modules s3-bucket (with its
notification submodule), dynamodb-table and kms modules use, plus those the issue
names (`try`, `can`, `coalesce`, `one`, `lookup`, `element`, `index`, splats,
conditionals). `test_the_table_is_terraforms_answers` asks the console again (one
call) when Terraform is on PATH; CI (CI=true) must have it. What `jsonencode`
cannot show (which references an unknown result keeps, the shape of an unknown
conditional) is asserted below the table.

Where the evaluator knows less than Terraform it says unknown, never a value:
Terraform knows the type of a value it cannot see yet (so `[0]` of an unknown
string already fails inside `try()`), the evaluator does not; `1 / 0` is
infinity to Terraform, unknown here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.plan.values import Unknown
from checker.source.evaluator import StaticEvaluator
from checker.source.files import source_files
from checker.source.functions import EvalError, json_encode, refs_of, wholly_known
from checker.source.hcl import load_module
from checker.source.parse import parse_hcl_expression
from checker.source.static_model import build_static_model

pytestmark = pytest.mark.fast

CONFIG = """\
variable "obj" {
  default = {
    a      = "x"
    n      = 1
    list   = ["p", "q"]
    nested = { k = "v" }
  }
}

variable "nothing" {
  default = null
}

locals {
  m      = { a = 1, b = 2 }
  unknown = terraform_data.single.id
}

resource "terraform_data" "single" {
  input = "s"
}

resource "terraform_data" "one" {
  count = 1
  input = "x"
}

resource "terraform_data" "two" {
  count = 2
  input = "y"
}

resource "terraform_data" "none" {
  count = 0
  input = "x"
}

resource "terraform_data" "each" {
  for_each = { a = "x", b = "y" }
  input    = each.value
}
"""

UNKNOWN = "UNKNOWN"
ERROR = "ERROR"

TABLE: list[tuple[str, str]] = [
    ('try(terraform_data.one[0].id, "")', "UNKNOWN"),
    ('try(terraform_data.none[0].id, "")', '""'),
    ("try(terraform_data.none[0].id, terraform_data.one[0].id)", "UNKNOWN"),
    ('try(terraform_data.none[0].id, terraform_data.two[9].id, "z")', '"z"'),
    ('try(terraform_data.each["c"].id, "d")', '"d"'),
    ('try(terraform_data.each["a"].input, "d")', '"x"'),
    ('try(terraform_data.two[5].id, "z")', '"z"'),
    ('try(terraform_data.two[1].input, "z")', '"y"'),
    ('try(var.obj.missing, "d")', '"d"'),
    ('try(var.obj.a, "d")', '"x"'),
    ('try(var.obj["nested"]["k"], null)', '"v"'),
    ('try(var.obj.nested.missing, "d")', '"d"'),
    ("try(local.m.c, 0)", "0"),
    ('try(local.m["a"], 0)', "1"),
    ('try(tobool("Enabled"), "no")', '"no"'),
    ('try(tobool("true") ? "Enabled" : "Disabled", "x")', '"Enabled"'),
    ('try(tobool("Enabled") ? "Enabled" : "Disabled", title(lower("ENABLED")))', '"Enabled"'),
    ('try(jsondecode("not json"), "raw")', '"raw"'),
    ('try(jsondecode("{\\"a\\":1}"), {})', '{"a":1}'),
    ('try(1, "a")', "1"),
    ('try(null, "a")', "null"),
    ('try(lookup({}, "a"))', "ERROR"),
    ('try(["a"][1], "z")', '"z"'),
    ("try({a = 1}.b, 2)", "2"),
    ('try(element([], 0), "e")', '"e"'),
    ('try("${terraform_data.one[0].id}/x", "")', "UNKNOWN"),
    ('try(terraform_data.none[0].id == "" ? "a" : "b", "c")', '"c"'),
    ('try(local.unknown, "c")', "UNKNOWN"),
    ('try(var.nothing.a, "n")', '"n"'),
    ('try(var.nothing, "n")', "null"),
    ("can(terraform_data.none[0].id)", "false"),
    ("can(terraform_data.one[0].id)", "UNKNOWN"),
    ("can(var.obj.a)", "true"),
    ("can(var.obj.zz)", "false"),
    ('can(tobool("x"))', "false"),
    ("can(local.unknown)", "UNKNOWN"),
    ('terraform_data.one[0].id == "" ? "a" : "b"', "UNKNOWN"),
    ('true ? "a" : terraform_data.none[0].id', '"a"'),
    ('false ? terraform_data.none[0].id : "b"', '"b"'),
    ('local.unknown == "" ? "a" : terraform_data.none[0].id', "UNKNOWN"),
    ('"true" ? 1 : 2', "1"),
    ('"false" ? 1 : 2', "2"),
    ('"yes" ? 1 : 2', "ERROR"),
    ("null ? 1 : 2", "ERROR"),
    ("1 ? 1 : 2", "ERROR"),
    ('false ? "a" : 1', '"1"'),
    ("true ? 1 : null", "1"),
    ('var.obj.n > 0 ? "pos" : "neg"', '"pos"'),
    ('"1" + 1', "2"),
    ("1 + true", "ERROR"),
    ('"a" + 1', "ERROR"),
    ("5 / 2", "2.5"),
    ("4 / 2", "2"),
    ("-5 % 3", "-2"),
    ("5 % -3", "2"),
    ("7 % 2", "1"),
    ("2 * 3.5", "7"),
    ("true == 1", "false"),
    ('"1" == 1', "false"),
    ("1 == 1.0", "true"),
    ("null == null", "true"),
    ("[1] == [1]", "true"),
    ("{a = 1} == {a = 1}", "true"),
    ('"a" != "b"', "true"),
    ('"2" < 3', "true"),
    ('"a" < "b"', "ERROR"),
    ('!"true"', "false"),
    ("!1", "ERROR"),
    ("false && null", "ERROR"),
    ('true && "true"', "true"),
    ('false || "false"', "false"),
    ('-"1"', "-1"),
    ('local.unknown == "x"', "UNKNOWN"),
    ("!local.unknown", "UNKNOWN"),
    ("local.unknown + 1", "UNKNOWN"),
    ('["a", "b"][1]', '"b"'),
    ('["a"][1]', "ERROR"),
    ('["a"]["0"]', '"a"'),
    ('["a"][-1]', "ERROR"),
    ('{a = 1}["b"]', "ERROR"),
    ("{a = 1}.a", "1"),
    ('"abc"[0]', "ERROR"),
    ("var.nothing[0]", "ERROR"),
    ("var.obj.list[1]", '"q"'),
    ('var.obj["list"][5]', "ERROR"),
    ("var.obj.zz", "ERROR"),
    ("terraform_data.two[1].input", '"y"'),
    ("terraform_data.none[0]", "ERROR"),
    ("terraform_data.none[0].id", "ERROR"),
    ('terraform_data.each["a"].input', '"x"'),
    ('terraform_data.each["zz"]', "ERROR"),
    ("terraform_data.one[0].id", "UNKNOWN"),
    ("terraform_data.single.input", '"s"'),
    ("terraform_data.single.id", "UNKNOWN"),
    ("terraform_data.two[*].input", '["y","y"]'),
    ("terraform_data.none[*].id", "[]"),
    ("terraform_data.two[*].id", "UNKNOWN"),
    ("length(terraform_data.two[*].id)", "2"),
    ("length(terraform_data.none)", "0"),
    ("length(terraform_data.each)", "2"),
    ("var.obj.list[*]", '["p","q"]'),
    ("var.obj[*].a", '["x"]'),
    ("var.nothing[*]", "[]"),
    ("[{a = 1}, {a = 2}][*].a", "[1,2]"),
    ("[{a = 1}, {a = 2}].*.a", "[1,2]"),
    ("[{a = [1, 2]}, {a = [3]}][*].a[0]", "[1,3]"),
    ("[{a = [1, 2]}, {a = [3]}].*.a[0]", "[1,2]"),
    ("terraform_data.each[*].input", "ERROR"),
    ("values(terraform_data.each)[*].input", '["x","y"]'),
    ("[{a = 1}, {b = 2}][*].a", "ERROR"),
    ("terraform_data.single[*].input", '["s"]'),
    ('coalesce("", "a")', '"a"'),
    ('coalesce(null, "b")', '"b"'),
    ('coalesce(1, "a")', '"1"'),
    ('coalesce("a", 1)', '"a"'),
    ('coalesce(null, "")', "ERROR"),
    ("coalesce()", "ERROR"),
    ('coalesce(local.unknown, "x")', "UNKNOWN"),
    ('coalesce("x", local.unknown)', '"x"'),
    ('coalesce("", local.unknown)', "UNKNOWN"),
    ("coalesce(null, null, 3)", "3"),
    ('coalescelist([], ["a"])', '["a"]'),
    ("coalescelist([], [])", "ERROR"),
    ('coalescelist(["x"], terraform_data.two[*].id)', '["x"]'),
    ('coalescelist(terraform_data.none[*].id, ["y"])', '["y"]'),
    ("one([])", "null"),
    ('one(["a"])', '"a"'),
    ('one(["a", "b"])', "ERROR"),
    ("one(null)", "ERROR"),
    ("one(toset([]))", "null"),
    ("one([local.unknown])", "UNKNOWN"),
    ("one(terraform_data.none[*].id)", "null"),
    ("one(terraform_data.one[*].input)", '"x"'),
    ("one({a = 1})", "ERROR"),
    ('lookup({a = 1}, "a")', "1"),
    ('lookup({a = 1}, "b", 2)', "2"),
    ('lookup({a = 1}, "b")', "ERROR"),
    ('lookup({a = 1}, "b", null)', "null"),
    ('lookup(var.obj, "a", "d")', '"x"'),
    ('lookup(var.obj, "zz", "d")', '"d"'),
    ('lookup({a = local.unknown}, "b", "d")', '"d"'),
    ('lookup({a = local.unknown}, "a", "d")', "UNKNOWN"),
    ('lookup(null, "a", 1)', "ERROR"),
    ("lookup({a = 1}, local.unknown, 2)", "UNKNOWN"),
    ('element(["a", "b"], 3)', '"b"'),
    ("element([], 0)", "ERROR"),
    ('element(["a", "b"], -1)', "ERROR"),
    ('element(["a"], "0")', '"a"'),
    ("element(terraform_data.two[*].id, 1)", "UNKNOWN"),
    ('element(["a", "b"], 1.7)', "ERROR"),
    ('index(["a", "b"], "b")', "1"),
    ('index(["a"], "z")', "ERROR"),
    ("index([1, 2], 2)", "1"),
    ('index(["a", local.unknown], "a")', "0"),
    ('index(["1", "2"], 2)', "ERROR"),
    ('length("héllo")', "5"),
    ("length([1, 2])", "2"),
    ("length({a = 1})", "1"),
    ("length(null)", "ERROR"),
    ("length(5)", "ERROR"),
    ("length(terraform_data.one[0].id)", "UNKNOWN"),
    ("length(terraform_data.two)", "2"),
    ('flatten([["a", ["b"]], "c"])', '["a","b","c"]'),
    ("flatten([])", "[]"),
    ('flatten("a")', "ERROR"),
    ("flatten([[], [[]]])", "[]"),
    ('flatten([terraform_data.two[*].id, ["x"]])', "UNKNOWN"),
    ('title("hello world")', '"Hello World"'),
    ('title("ELB-region")', '"ELB-Region"'),
    ("lower(5)", '"5"'),
    ("lower(null)", "ERROR"),
    ('lower("ÀB")', '"àb"'),
    ('upper("é")', '"É"'),
    ('tobool("true")', "true"),
    ('tobool("false")', "false"),
    ('tobool("Enabled")', "ERROR"),
    ("tobool(true)", "true"),
    ("tobool(null)", "null"),
    ("tobool(1)", "ERROR"),
    ("tostring(1.5)", '"1.5"'),
    ("tostring(true)", '"true"'),
    ("tostring(null)", "null"),
    ("tostring([1])", "ERROR"),
    ("tostring(10)", '"10"'),
    ("tostring(100000000000000000000)", '"100000000000000000000"'),
    ('tonumber("1e2")', "100"),
    ('tonumber("0x10")', "ERROR"),
    ("tonumber(null)", "null"),
    ("tonumber(true)", "ERROR"),
    ('tonumber("1.50")', "1.5"),
    ('tonumber(" 1")', "ERROR"),
    ("merge({a = 1}, {b = 2})", '{"a":1,"b":2}'),
    ("merge(null, {a = 1})", '{"a":1}'),
    ("merge({a = 1}, {a = 2})", '{"a":2}'),
    ("merge()", "{}"),
    ('merge({a = 1}, ["x"])', "ERROR"),
    ("merge({a = 1}, {b = local.unknown})", "UNKNOWN"),
    ("keys({b = 1, a = 2})", '["a","b"]'),
    ("values({b = 1, a = 2})", "[2,1]"),
    ("keys(var.obj)", '["a","list","n","nested"]'),
    ("keys([1])", "ERROR"),
    ("keys({b = local.unknown, a = 1})", '["a","b"]'),
    ('format("%s-%d", "a", 3)', '"a-3"'),
    ('format("%d", 3.5)', "ERROR"),
    ('format("%v", true)', '"true"'),
    ('format("%q", "a")', '"\\"a\\""'),
    ('format("%5s|%-5s|%05d", "a", "b", 42)', '"    a|b    |00042"'),
    ('format("%.2f", 3.14159)', '"3.14"'),
    ('format("%s", ["a"])', "ERROR"),
    ('format("%s", null)', "UNKNOWN"),
    ('format("%s", 1)', '"1"'),
    ('format("%d", "3")', '"3"'),
    ('format("%s %s", "a")', "ERROR"),
    ('format("%%")', '"%"'),
    ('format("%t", true)', '"true"'),
    ('format("%s", 1.5)', '"1.5"'),
    ('format("%v", 1e20)', '"1e+20"'),
    ('format("%x", 255)', '"ff"'),
    ('format("%s/*", local.unknown)', "UNKNOWN"),
    ('format("arn:%s:s3:::%s", "aws", "b")', '"arn:aws:s3:::b"'),
    ('jsondecode("{\\"b\\":[1,true,null]}")', '{"b":[1,true,null]}'),
    ('jsondecode("not json")', "ERROR"),
    ('jsondecode("1")', "1"),
    ('jsondecode("null")', "null"),
    ('jsondecode(["x"])', "ERROR"),
    ("jsonencode({b = 1, a = [true, null]})", '"{\\"a\\":[true,null],\\"b\\":1}"'),
    ('jsonencode("<a&b>")', '"\\"\\\\u003ca\\\\u0026b\\\\u003e\\""'),
    ('jsonencode("é")', '"\\"é\\""'),
    ("jsonencode(1.5)", '"1.5"'),
    ("jsonencode(100)", '"100"'),
    ("jsonencode({a = local.unknown})", "UNKNOWN"),
    ("max(1, 2, 3)", "3"),
    ('max("3", 2)', "3"),
    ("max()", "ERROR"),
    ("max([1, 5]...)", "5"),
    ("min(2, -1)", "-1"),
    ('compact(["a", "", null])', '["a"]'),
    ("compact([])", "[]"),
    ('compact(["a", local.unknown])', "UNKNOWN"),
    ('toset(["b", "a", "b"])', '["a","b"]'),
    ("toset([2, 1, 10])", "[1,2,10]"),
    ('toset(["a", 1])', '["1","a"]'),
    ('tolist(toset(["b", "a"]))', '["a","b"]'),
    ("tomap({a = 1})", '{"a":1}'),
    ('tomap({a = 1, b = "x"})', '{"a":"1","b":"x"}'),
    ('distinct(["b", "a", "b"])', '["b","a"]'),
    ('distinct([1, "1"])', '["1"]'),
    ("concat([1], [2])", "[1,2]"),
    ("concat()", "ERROR"),
    ("concat(null, [1])", "ERROR"),
    ('concat(["a"], "b")', "ERROR"),
    ("concat([[1], [2]]...)", "[1,2]"),
    ("merge([{a = 1}, {b = 2}]...)", '{"a":1,"b":2}'),
    ('contains(["a"], "a")', "true"),
    ('contains(["a"], "b")', "false"),
    ('contains(["a", local.unknown], "a")', "true"),
    ('contains(["b", local.unknown], "a")', "UNKNOWN"),
    ('contains([1], "1")', "false"),
    ('join(",", ["a", "b"])', '"a,b"'),
    ('join(",", [])', '""'),
    ('join(",", ["a", 1, true])', '"a,1,true"'),
    ('join(",", [null])', "ERROR"),
    ('join(",", "a")', "ERROR"),
    ('join(",", ["a"], ["b"])', '"a,b"'),
    ('split(",", "a,b")', '["a","b"]'),
    ('split(",", "")', '[""]'),
    ('trimspace("  a \\n")', '"a"'),
    ('startswith("abc", "a")', "true"),
    ('endswith("abc", "bc")', "true"),
    ("abs(-1.5)", "1.5"),
    ('sha1("a")', '"86f7e437faa5a7fce15d1ddcb9eaeaea377667b8"'),
    ('sha256("a")', '"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"'),
    ('md5("a")', '"0cc175b9c0f1b6a831c399e269772661"'),
    ('base64encode("é")', '"w6k="'),
    ('base64decode("aGk=")', '"hi"'),
    ('base64decode("!")', "ERROR"),
    ("range(3)", "[0,1,2]"),
    ("range(1, 4)", "[1,2,3]"),
    ("range(0, 6, 2)", "[0,2,4]"),
    ("range(-1)", "[0]"),
    ("range(3, 0)", "[3,2,1]"),
    ('substr("hello", 1, 3)', '"ell"'),
    ('substr("hello", -3, -1)', '"llo"'),
    ('substr("hi", 5, 1)', '""'),
    ('slice(["a", "b", "c"], 1, 3)', '["b","c"]'),
    ('slice(["a"], 2, 3)', "ERROR"),
    ("reverse([1, 2])", "[2,1]"),
    ('sort(["b", "a", "10"])', '["10","a","b"]'),
    ("sum([1, 2.5])", "3.5"),
    ("sum([])", "ERROR"),
    ("alltrue([])", "true"),
    ("anytrue([])", "false"),
    ('alltrue([true, "true"])', "true"),
    ('zipmap(["a", "b"], [1, 2])', '{"a":1,"b":2}'),
    ('zipmap(["a"], [1, 2])', "ERROR"),
    ('trimprefix("hello", "he")', '"llo"'),
    ('trimsuffix("hello", "lo")', '"hel"'),
    ('trim("?!a?!", "!?")', '"a"'),
    ('chomp("a\\n\\n")', '"a"'),
    ('strrev("abc")', '"cba"'),
    ('formatlist("%s-x", ["a", "b"])', '["a-x","b-x"]'),
    ('formatlist("%s=%s", ["a", "b"], "v")', '["a=v","b=v"]'),
    ("ceil(1.2)", "2"),
    ("floor(-1.2)", "-2"),
    ('parseint("ff", 16)', "255"),
    ('parseint("zz", 10)', "ERROR"),
    ("pow(2, 3)", "8"),
    ("signum(-3)", "-1"),
    ("log(8, 2)", "3"),
    ('[for x in ["a", "b"] : upper(x)]', '["A","B"]'),
    ("{for k, v in {a = 1} : v => k}", '{"1":"a"}'),
    ('[for x in toset(["b", "a"]) : x]', '["a","b"]'),
    ('{for x in ["a", "b"] : x => x}', '{"a":"a","b":"b"}'),
    ('[for i, x in ["a", "b"] : i]', "[0,1]"),
    ("[for x in [1, 2, 3] : x if x > 1]", "[2,3]"),
    ('{for x in ["a", "a"] : x => x}', "ERROR"),
    ('{for k, v in toset(["b", "a"]) : k => v}', '{"a":"a","b":"b"}'),
    ("[for x in terraform_data.two[*].id : x]", "UNKNOWN"),
    ('[for k, v in local.m : "${k}=${v}"]', '["a=1","b=2"]'),
    ('"${1 + 1}"', "2"),
    ('"a${true}"', '"atrue"'),
    ('"${null}"', "null"),
    ('"${[1]}"', "[1]"),
    ('"x${terraform_data.none[0].id}"', "ERROR"),
    ('"${var.obj.n}-${var.obj.a}"', '"1-x"'),
    ('format("%v", 1000000)', '"1e+06"'),
    ('format("%v", 123456789012)', '"1.23456789012e+11"'),
    ('format("%v", 0.000001)', '"1e-06"'),
    ('format("%v", [1])', '"[1]"'),
    ('format("%#v", {a = 1})', '"{\\"a\\":1}"'),
    ('format("%s %s", "a", "b", "c")', "ERROR"),
    ('format("%[2]s %[1]s", "a", "b")', '"b a"'),
    ('format("%5.1f|%e|%g", 3.14159, 1234.5, 0.00001)', '"  3.1|1.234500e+03|1e-05"'),
    ('format("%+d|% d|%x|%X|%o|%b", 5, 5, 255, 255, 8, 5)', '"+5| 5|ff|FF|10|101"'),
    ('format("%q", "a\\"b\\n")', '"\\"a\\\\\\"b\\\\n\\""'),
    ('format("%-8q|", "é")', '"\\"é\\"     |"'),
    ('format("%.2s", "abcdef")', '"ab"'),
    ('format("%d", true)', "ERROR"),
    ('format("%t", "true")', '"true"'),
    ('format("%05s", "a")', '"0000a"'),
    ("try(terraform_data.one[0].id, terraform_data.none[0].id)", "UNKNOWN"),
    ('try(values(terraform_data.each)[0].id, "")', "UNKNOWN"),
    ('try(one(terraform_data.none[*].id), "")', "null"),
    ('coalesce(try(terraform_data.none[0].id, ""), "fallback")', '"fallback"'),
    ('lookup(terraform_data.each, "a", null) == null', "false"),
    ("element(terraform_data.two[*].input, 3)", '"y"'),
    ("[for k, v in terraform_data.each : v.input]", '["x","y"]'),
    ('{for k, v in terraform_data.each : k => v.input if k != "b"}', '{"a":"x"}'),
    ("length([for v in terraform_data.two : v.id])", "2"),
    ('var.obj.nested["k"]', '"v"'),
    ("var.obj.nested.k", '"v"'),
    ('var.obj["nested"].k', '"v"'),
    ("var.obj.list.1", '"q"'),
    ('try([local.unknown][3], "d")', '"d"'),
    ('try({a = local.unknown}.b, "d")', '"d"'),
    ("try(tobool(local.unknown) ? 1 : 2, 3)", UNKNOWN),
    ('try(upper([local.unknown]), "d")', '"d"'),
    ('try(element([], 0) == local.unknown, "d")', '"d"'),
    ("can([local.unknown][3])", "false"),
    ('["a", "b"].1', '"b"'),
]


@pytest.fixture(scope="module")
def evaluator(tmp_path_factory: pytest.TempPathFactory) -> StaticEvaluator:
    folder = tmp_path_factory.mktemp("functions")
    (folder / "main.tf").write_text(CONFIG, encoding="utf-8")
    return StaticEvaluator(load_module(folder, source_files(folder, None)), {})


def evaluate(evaluator: StaticEvaluator, expression: str) -> object:
    return evaluator.node(parse_hcl_expression(expression), "", None)


def answer(evaluator: StaticEvaluator, expression: str) -> str:
    """What `jsonencode(expression)` is here, in the table's terms."""
    try:
        value = evaluate(evaluator, expression)
    except EvalError:
        return ERROR
    return json_encode(value) if wholly_known(value) else UNKNOWN


@pytest.mark.parametrize(("expression", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_evaluated_as_terraform_evaluates(
    evaluator: StaticEvaluator, expression: str, expected: str
) -> None:
    assert answer(evaluator, expression) == expected


def console(expressions: list[str], folder: Path) -> list[str]:
    """Terraform's answers, in one console call: each expression `try(jsonencode(...))`."""
    (folder / "main.tf").write_text(CONFIG, encoding="utf-8")
    (folder / "empty.tfrc").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
    env.update(TF_CLI_CONFIG_FILE=str(folder / "empty.tfrc"), CHECKPOINT_DISABLE="1")

    def terraform(*args: str, stdin: str = "") -> str:
        done = subprocess.run(
            ["terraform", *args, "-no-color"],
            input=stdin,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    terraform("init", "-input=false")
    calls = ", ".join(f'try(jsonencode({e}), "!ERROR")' for e in expressions)
    lines = terraform("console", "-plan", stdin=f"[{calls}]\n").strip().splitlines()
    assert lines[:1] == ["["] and lines[-1:] == ["]"], lines[:5]
    out: list[str] = []
    for line in lines[1:-1]:
        item = line.strip().removesuffix(",")
        if item == "(known after apply)":
            out.append(UNKNOWN)
            continue
        text = json.loads(item.replace("$${", "${").replace("%%{", "%{"))
        out.append(ERROR if text == "!ERROR" else text)
    return out


def test_the_table_is_terraforms_answers(tmp_path: Path) -> None:
    if shutil.which("terraform") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("terraform is not on PATH, and CI must compare with it")
        pytest.skip("terraform is not on PATH")
    answers = console([row[0] for row in TABLE], tmp_path)
    assert list(zip([row[0] for row in TABLE], answers, strict=True)) == TABLE


# ------------------------------------------------- what jsonencode cannot show

MODULE = """\
variable "create" {
  default = true
}

variable "settings" {
  type = object({
    name       = string
    tags       = optional(map(string), {})
    versioning = optional(bool)
    rules      = optional(list(object({ id = string, days = optional(number, 30) })), [])
  })
  default = { name = "b", rules = [{ id = "r" }] }
}

resource "aws_s3_bucket" "this" {
  count  = var.create ? 1 : 0
  bucket = var.settings.name
}

output "arn" {
  value = try(aws_s3_bucket.this[0].arn, "")
}

output "id" {
  value = try(aws_s3_bucket.this[0].id, aws_s3_bucket.other[0].id, "")
}

output "settings" {
  value = var.settings
}

variable "zones" {
  type    = set(string)
  default = ["b", "a", "b"]
}

output "zones" {
  value = [for zone in var.zones : zone]
}
"""

ROOT = """\
resource "terraform_data" "maybe" {
  count = length(terraform_data.single.id) > 0 ? 1 : 0
  input = "m"
}

module "bucket" {
  source = "./bucket"
}

module "absent" {
  source = "./bucket"
  create = false
}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> StaticEvaluator:
    folder = tmp_path_factory.mktemp("stack")
    (folder / "main.tf").write_text(CONFIG + ROOT, encoding="utf-8")
    (folder / "bucket").mkdir()
    (folder / "bucket" / "main.tf").write_text(
        MODULE + 'resource "aws_s3_bucket" "other" {\n  count = 0\n}\n', encoding="utf-8"
    )
    return StaticEvaluator(load_module(folder, source_files(folder, None)), {})


def reference(value: object) -> str | None:
    assert isinstance(value, Unknown), value
    return value.reference


def test_try_returns_an_unknown_value_with_its_reference(stack: StaticEvaluator) -> None:
    """The terraform-aws-modules outputs: `try(aws_s3_bucket.this[0].arn, "")` is the ARN."""
    assert reference(evaluate(stack, 'try(terraform_data.one[0].id, "")')) == (
        "terraform_data.one[0].id"
    )
    assert (
        reference(evaluate(stack, "module.bucket.arn")) == "module.bucket.aws_s3_bucket.this[0].arn"
    )
    assert (
        reference(evaluate(stack, "module.bucket.id")) == "module.bucket.aws_s3_bucket.this[0].id"
    )


def test_try_over_a_count_of_zero_falls_back(stack: StaticEvaluator) -> None:
    assert evaluate(stack, "module.absent.arn") == ""
    assert evaluate(stack, "module.absent.id") == ""


def test_try_over_an_unknown_count_is_unknown(stack: StaticEvaluator) -> None:
    value = evaluate(stack, 'try(terraform_data.maybe[0].id, "")')
    assert reference(value) == "terraform_data.maybe[0].id"
    assert isinstance(evaluate(stack, "can(terraform_data.maybe[0].id)"), Unknown)


def test_an_unknown_condition_keeps_both_results(stack: StaticEvaluator) -> None:
    either = evaluate(
        stack, 'local.unknown == "" ? terraform_data.one[0].id : terraform_data.two[1].id'
    )
    assert isinstance(either, Unknown)
    assert {"terraform_data.one[0].id", "terraform_data.two[1].id"} <= set(either.refs)
    shaped = evaluate(stack, 'local.unknown == "" ? ["a", terraform_data.one[0].id] : ["a", "b"]')
    assert isinstance(shaped, list) and shaped[0] == "a"
    assert isinstance(shaped[1], Unknown)
    assert {"terraform_data.one[0].id"} <= set(shaped[1].refs)
    keyed = evaluate(stack, 'local.unknown == "" ? {k = "v", x = 1} : {k = "v", x = 2}')
    assert isinstance(keyed, dict) and keyed["k"] == "v" and isinstance(keyed["x"], Unknown)


def test_splat_keeps_each_element(stack: StaticEvaluator) -> None:
    ids = evaluate(stack, "terraform_data.two[*].id")
    assert isinstance(ids, list)
    assert [reference(i) for i in ids] == ["terraform_data.two[0].id", "terraform_data.two[1].id"]
    assert "terraform_data.maybe" in set(refs_of(evaluate(stack, "terraform_data.maybe[*].id")))


def test_functions_of_unknowns_keep_what_is_known(stack: StaticEvaluator) -> None:
    assert reference(evaluate(stack, 'coalesce(terraform_data.one[0].id, "x")')) == (
        "terraform_data.one[0].id"
    )
    kept = evaluate(stack, 'compact(["", terraform_data.one[0].id, null, "a"])')
    assert isinstance(kept, list) and len(kept) == 2 and kept[1] == "a"
    assert reference(kept[0]) == "terraform_data.one[0].id"
    assert reference(evaluate(stack, "element(terraform_data.two[*].id, 3)")) == (
        "terraform_data.two[1].id"
    )
    assert reference(evaluate(stack, "one(terraform_data.one[*].id)")) == "terraform_data.one[0].id"
    assert reference(evaluate(stack, 'lookup({a = terraform_data.one[0].id}, "a")')) == (
        "terraform_data.one[0].id"
    )


def test_optional_attributes_are_filled_as_terraform_fills_them(stack: StaticEvaluator) -> None:
    assert evaluate(stack, "module.bucket.settings") == {
        "name": "b",
        "tags": {},
        "versioning": None,
        "rules": [{"id": "r", "days": 30}],
    }
    assert evaluate(stack, "module.bucket.zones") == ["a", "b"]  # a set: distinct, ordered


def test_an_error_outside_try_is_unknown_naming_its_references(stack: StaticEvaluator) -> None:
    value = stack.raw("${terraform_data.none[0].id}", "")
    assert isinstance(value, Unknown)
    assert "terraform_data.none" in value.refs


def test_static_model_keeps_module_outputs_apart(tmp_path: Path) -> None:
    """Two buckets behind terraform-aws-modules style outputs stay two unknown ARNs."""
    (tmp_path / "bucket").mkdir()
    (tmp_path / "bucket" / "main.tf").write_text(
        MODULE + 'resource "aws_s3_bucket" "other" {\n  count = 0\n}\n', encoding="utf-8"
    )
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./bucket"\n}\nmodule "b" {\n  source = "./bucket"\n}\n'
        'output "arns" {\n  value = [module.a.arn, module.b.arn]\n}\n',
        encoding="utf-8",
    )
    model = build_static_model(tmp_path)
    arns = model.outputs["arns"].value
    assert isinstance(arns, list)
    assert [reference(a) for a in arns] == [
        "module.a.aws_s3_bucket.this[0].arn",
        "module.b.aws_s3_bucket.this[0].arn",
    ]
