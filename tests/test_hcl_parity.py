"""tree-sitter reads `.tf` files exactly as python-hcl2 did (issue 28, Deliver 3).

The checker parses native HCL with tree-sitter (`checker.source.hcl_syntax`) into
the shape python-hcl2 8 gives with `with_comments=False, preserve_heredocs=False`,
which everything downstream reads. python-hcl2 stays the oracle here: every `.tf`
file of the repository (corpus stacks, `tap_stack.tf`, examples, the vendored
community modules, fixtures) must give the same dict. Where python-hcl2 itself
differs from Terraform the two may differ; each such case is listed in
`KNOWN_DIFFERENCES` with its reason, and for a file it would be compared by what
the evaluator sees (`checker.source.raw.parse_raw`). Then the edges one by one.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.source.hcl import _clean
from checker.source.hcl_syntax import parse_hcl, top_level_items

ROOT = Path(__file__).resolve().parents[1]


def _oracle(text: str) -> dict[str, Any]:
    import hcl2
    from hcl2 import SerializationOptions

    options = SerializationOptions(with_comments=False, preserve_heredocs=False)
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=options)
    return parsed


def _tf_files() -> list[Path]:
    """Every `.tf` file of the repository, outside hidden directories (.venv, .terraform, .git)."""
    found = []
    for path in ROOT.rglob("*.tf"):
        parts = path.relative_to(ROOT).parts
        if not any(part.startswith(".") for part in parts[:-1]):
            found.append(path)
    return sorted(found)


FILES = _tf_files()

# Files where python-hcl2 differs from Terraform, compared by what the evaluator sees
# (path relative to the repository -> why). None today.
FILE_DIFFERENCES: dict[str, str] = {}


def test_the_corpus_is_there() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in FILES}
    assert "tap_stack.tf" in names
    assert any(name.startswith("tests/stacks/community/modules/") for name in names)
    assert len(FILES) >= 50


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(ROOT).as_posix() for p in FILES])
def test_every_tf_file_parses_as_python_hcl2_parsed_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    ours, theirs = parse_hcl(path, text), _oracle(text)
    if path.relative_to(ROOT).as_posix() in FILE_DIFFERENCES:
        from checker.source.raw import parse_raw

        assert parse_raw(_clean(ours)) == parse_raw(_clean(theirs))
    else:
        assert ours == theirs  # raw, `__is_block__` included: stricter than after `_clean`


# Edges, each compared with python-hcl2.
SAME = {
    "parentheses": 'a = (1)\nb = (true)\nc = ([1, "x"])\nd = (x).y\ne = -(1)\nf = (x.y)\n',
    "numbers": "a = -1\nb = -1.5\nc = 1.5e3\nd = -x\ne = f(-1, 1.50, 007)\nf = -1.5e3\ng = 0.0\n",
    "object keys": 'a = {1 = 2, "k" = 3, (x) = 4, x.y = 5, true = 6, 1.5 = 7, "${x}" = 9}\n'
    'b = f({1 = 2, "k" = 3, (x) = 4, x.y = 5, true = 6})\nc = {a: 1, "b" : 2}\n',
    "calls": "a = f(x...)\nb = f(x, y,)\nc = f()\nd = provider::aws::arn_parse(x).region\n",
    "directives": 'a = "${a} %{if b}c%{else}d%{endif} %{~for x in y~}z%{endfor}"\n'
    'b = "%{ for k, v in m }${k}=${v} %{ endfor }"\n'
    'c = "%{if x}a%{else}%{if y}b%{endif}%{endif}"\n',
    "heredoc": 'a = <<EOT\n  x "q" \\ ${a["b"]}\n\nEOT\nb = <<EOT\nEOT\n'
    "c = <<EOT\n${x} %{if y}z%{endif}\nEOT\nd = f(<<EOT\nx\nEOT\n)\n",
    "indented heredoc": "a = <<-EOT\n    x\n  y\n\tz\n  EOT\nb = <<-EOT\n\n    x\n\n    y\n    EOT\n"
    'c = <<-EOT\n  {\n    "a": "${b}"\n  }\n  EOT\n',
    "escapes": 'a = "é\\u00e9 \\"q\\" \\\\ \\n $${x} %%{y}"\nb = "a\\tb"\nc = "$$"\nd = "a$b%c"\n'
    'e = "\\\\${x}"\nf = "a\\"b${c}"\ng = "$${x} }"\n',
    "nested quotes": 'a = "${f("x")}"\nb = "${x["y"]}"\nc = "${ x }"\nd = "${jsonencode({a = "b"})}"\n'
    'e = "${replace(x, "}", "")}"\nf = "${x ? "a" : "b"}"\n',
    "for expressions": 'a = {for k, v in m : k => {a = v}... if v}\nb = [for x in y : x if x != "a"]\n'
    'c = [for k, v in x : "${k}=${v}"]\nd = ({for s in x : s => s})\n',
    "traversals": "a = x.0\nb = x.0.y\nc = x[0][1]\nd = x[*].y\ne = x.*.y[0]\nf = x[*]\ng = x.*\n"
    "h = f(x)[0].y\ni = [1, 2][0]\nj = {a = 1}.a\n",
    "operators": "a = 1 + 2 * (3 - x) == y && !z || w % 2 >= 1\nb = true ? [1] : null\n"
    "c = x ? y ? 1 : 2 : 3\nd = !(x && y)\ne = -x + -1\n",
    "blocks": 'block "a" b {\n c = 1\n}\nblock "x" "y" {}\nother {}\nlocals {\n  a = 1\n}\n'
    'locals {\n  b = 2\n}\ndynamic "x" {\n  for_each = var.y\n  content {\n    a = x.value\n  }\n}\n',
    "comments": 'a = "x"  # c\n// d\n/* e\n f */\nb = [ # c\n 1, # d\n 2\n]\nc = "# not a comment"\n',
    "collections": "a = [\n  1,\n  2,\n]\nb = {\n  x = 1\n  y = 2\n}\nc = {x = 1, y = 2,}\n"
    'd = {a = {b = [1, {c = "d"}]}}\ne = f({a = 1, b = [1, 2]}, [x, "y"], {})\n',
    "crlf": 'a = 1\r\nb = <<EOT\r\nx\r\ny\r\nEOT\r\nc = "q"\r\nd {\r\n  e = [1,\r\n  2]\r\n}\r\n',
    "empty": "",
    "only a comment": "# only\n",
}


@pytest.mark.fast
@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_an_edge_parses_as_python_hcl2_parses_it(text: str) -> None:
    assert parse_hcl("x.tf", text) == _oracle(text)


# Where python-hcl2 differs from Terraform (or tree-sitter-hcl from both): input -> why.
KNOWN_DIFFERENCES = {
    'a = "$${x "}"\n': "python-hcl2 lets `$${` run to the next `}`, quotes included; "
    "Terraform and tree-sitter end the string at the quote (a syntax error here)",
    "a = <<EOT\nx\nEOT  \nEOT\n": "python-hcl2 closes a heredoc only at a marker without "
    "trailing spaces; Terraform and tree-sitter close it at `EOT  `",
    "ü = 1\n": "python-hcl2 knows ASCII identifiers only; HCL's are Unicode (ID_Start)",
    "a = {\n  for k in x :\n  k => 1\n}\n": "python-hcl2 fails (TypeError) on a for "
    "expression written over several lines; Terraform reads it",
    "a = x\n  .y\n": "tree-sitter lets a traversal continue on the next line; Terraform and "
    "python-hcl2 do not",
    "a = 1E3\n": "tree-sitter-hcl 1.2 has no upper-case exponent; Terraform and python-hcl2 do",
}


@pytest.mark.fast
@pytest.mark.parametrize("text", KNOWN_DIFFERENCES, ids=range(len(KNOWN_DIFFERENCES)))
def test_known_differences_are_still_different(text: str) -> None:
    """When one of these starts to agree, drop it from the list."""
    try:
        ours: object = parse_hcl("x.tf", text)
    except InputError:
        ours = "error"
    try:
        theirs: object = _oracle(text)
    except Exception:  # lark's errors of many kinds, python-hcl2's TypeError
        theirs = "error"
    assert ours != theirs


@pytest.mark.fast
def test_values_of_the_edges() -> None:
    parsed = parse_hcl(
        "x.tf",
        'a = "$${x} %{ if b ~}c%{ endif }"\nb = <<-EOT\n    "q" ${x}\n      y\n    EOT\n'
        "c = (true)\nd = -1\ne = 1.5e3\nf = [for x in y : x]\n",
    )
    assert parsed == {
        "a": '"$${x} %{ if b ~}c%{ endif }"',
        "b": '"\\"q\\" ${x}\\n  y"',
        "c": "${(True)}",  # python-hcl2's str() of the parenthesized value, kept
        "d": -1,
        "e": "${1.5e3}",
        "f": "${[for x in y : x]}",
    }


@pytest.mark.fast
def test_unicode_bom_and_crlf() -> None:
    assert parse_hcl("x.tf", 'a = "żółw 🐢"\n') == {"a": '"żółw 🐢"'}
    assert parse_hcl("x.tf", '\ufeffa = "x"\r\n') == {"a": '"x"'}  # python-hcl2 fails on a BOM
    assert parse_hcl("x.tf", "a = <<EOT\r\nx\r\ny\r\nEOT\r\n") == _oracle(
        "a = <<EOT\r\nx\r\ny\r\nEOT\r\n"
    )


@pytest.mark.fast
@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('resource "x" {\n', "line 2, column 1 (missing })"),
        ('a = 1\nb = "żółw" +\nc = 2\n', "line 3, column 3"),
        ('a = 1\n  b = "żółw" = 3\n', "line 2, column 14"),
        ("a = [x...]\n", "line 1, column"),
        ("a = 1\nb = 2 3\n", "line 2, column 7"),
        # tree-sitter accepts these; Terraform and python-hcl2 do not, nor does the checker
        ("a = 1\nb = <<EOT junk\nx\nEOT\n", "line 2, column 7 (a heredoc's marker"),
        ("a = 1 b = 2\n", "line 1, column 7 (each attribute and block starts on its own"),
        ("x {\n} y {\n}\n", "line 2, column 3 (each attribute"),
    ],
)
def test_a_syntax_error_names_file_line_and_column_never_the_content(text: str, where: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_hcl(Path("dir/main.tf"), text)
    message = str(raised.value)
    assert message.startswith(f"{Path('dir/main.tf')}: HCL does not parse at {where}"), message
    assert "żółw" not in message and "resource" not in message and "junk" not in message


@pytest.mark.fast
def test_deep_nesting_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"does not parse|nested too deeply"):
        parse_hcl("x.tf", "a = " + "[" * 5000 + "]" * 5000 + "\n")


@pytest.mark.fast
def test_top_level_items_have_lines_and_bytes() -> None:
    text = 'a = 1\n\nresource "x" "y" {\n  b = <<EOT\nz\nEOT\n}\nlocals {}\n'
    items = top_level_items(text)
    assert items is not None
    assert [(i.keyword, i.is_block, i.line, i.end_line) for i in items] == [
        ("a", False, 1, 1),
        ("resource", True, 3, 7),
        ("locals", True, 8, 8),
    ]
    assert [text.encode()[i.start_byte : i.end_byte][:8] for i in items] == [
        b"a = 1",
        b"resource",
        b"locals {",
    ]
    assert top_level_items('resource "x" {\n') is None


def test_tree_sitter_is_faster_on_tap_stack() -> None:
    """The point of the switch; a generous bound (measured: about fifteen times faster)."""
    text = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
    parse_hcl("x.tf", text)
    _oracle(text)
    start = time.perf_counter()
    parse_hcl("x.tf", text)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    _oracle(text)
    theirs = time.perf_counter() - start
    assert ours < theirs
