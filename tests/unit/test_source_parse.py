"""Unit tests of `checker.source.parse`: HCL expressions to `Node` trees.

Grammar and precedence follow the HCL native syntax specification,
https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md ("Operations",
"Conditional Operator", "For Expressions", "Splat Operators", "Functions").
"""

from __future__ import annotations

import pytest

from checker.source import parse as p
from checker.source.parse import NONE, Lit, Node, parse_hcl_expression

pytestmark = pytest.mark.fast


def node(kind: str, value: object = None, args: tuple[object, ...] = ()) -> Node:
    """An expected tree written compactly: `kind`, its value and its children."""
    a = [x for x in args if isinstance(x, Node)]
    match kind:
        case "lit":
            assert value is None or isinstance(value, bool | int | float | str)
            return p.Lit(value)
        case "ref":
            return p.Traversal(str(value))
        case "tmpl":
            return p.TemplateExpr(str(value))
        case "call":
            return p.CallExpr(str(value), tuple(a))
        case "expand":
            return p.ExpandArg(a[0])
        case "tuple":
            return p.TupleExpr(tuple(a))
        case "object":
            pairs = [x for x in args if isinstance(x, tuple)]
            return p.ObjectExpr(tuple((k, v) for k, v in pairs))
        case "unary":
            return p.UnaryExpr(str(value), a[0])
        case "binary":
            return p.BinaryExpr(str(value), a[0], a[1])
        case "cond":
            return p.CondExpr(a[0], a[1], a[2])
        case "index":
            return p.IndexExpr(a[0], a[1])
        case "for":
            assert isinstance(value, tuple)
            shape, names = value
            return p.ForExpr(shape, tuple(names), a[0], a[1], a[2], a[3])
        case "splat":
            return p.SplatExpr(value == "full", a[0], a[1])
        case "splat_item":
            return p.SplatItem()
        case "opaque":
            return p.OpaqueExpr(str(value))
    raise AssertionError(kind)


def lit(value: object) -> Node:
    return node("lit", value)


def ref(name: str) -> Node:
    return node("ref", name)


def tmpl(text: str) -> Node:
    return node("tmpl", text)


def binary(op: str, left: Node, right: Node) -> Node:
    return node("binary", op, (left, right))


def index(of: Node, key: Node) -> Node:
    return node("index", None, (of, key))


ITEM = node("splat_item")


# ----------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1", 1),
        ("42", 42),
        ("1.5", 1.5),
        ("1.0", 1.0),
        ("2e3", 2000.0),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_literals(text: str, value: object) -> None:
    parsed = parse_hcl_expression(text)
    assert parsed == lit(value)
    assert isinstance(parsed, Lit) and type(parsed.value) is type(value)


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_hcl_expression("  var.a  ") == ref("var.a")


# ---------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ('"plain"', "plain"),
        ('""', ""),
        ('"a${var.b}c"', "a${var.b}c"),
        ('"%{if a}x%{endif}"', "%{if a}x%{endif}"),
        ('"a\\"b"', 'a\\"b'),  # escapes are left for the evaluator
        # quotes inside an interpolation do not close the string
        ('"${module.b["k"].arn}/*"', '${module.b["k"].arn}/*'),
    ],
)
def test_a_quoted_string_is_a_template_of_its_raw_text(text: str, inner: str) -> None:
    assert parse_hcl_expression(text) == tmpl(inner)


# --------------------------------------------------------------- traversals


def test_attribute_steps_stay_one_reference() -> None:
    assert parse_hcl_expression("var.a") == ref("var.a")
    assert parse_hcl_expression("module.x.out") == ref("module.x.out")
    assert parse_hcl_expression("a.0") == ref("a.0")  # the legacy index form


def test_dashes_belong_to_identifiers() -> None:
    """HCL identifiers may hold `-`: `a-b` is one name, `a - b` a subtraction."""
    assert parse_hcl_expression("a-b") == ref("a-b")
    assert parse_hcl_expression("a - b") == binary("-", ref("a"), ref("b"))


def test_an_index_then_an_attribute() -> None:
    assert parse_hcl_expression("aws_s3_bucket.b[0].arn") == index(
        index(ref("aws_s3_bucket.b"), lit(0)), lit("arn")
    )


def test_a_string_key() -> None:
    assert parse_hcl_expression('a["k"].arn') == index(index(ref("a"), tmpl("k")), lit("arn"))


def test_indexing_a_tuple_and_an_attribute_of_a_template() -> None:
    pair = node("tuple", None, (lit(1), lit(2)))
    assert parse_hcl_expression("[1,2][0]") == index(pair, lit(0))
    assert parse_hcl_expression('"x".y') == index(tmpl("x"), lit("y"))


# -------------------------------------------------------------------- calls


def test_a_call_with_arguments() -> None:
    assert parse_hcl_expression('lookup(var.m, "k", null)') == node(
        "call", "lookup", (ref("var.m"), tmpl("k"), lit(None))
    )


def test_a_call_without_arguments_and_with_a_trailing_comma() -> None:
    assert parse_hcl_expression("f()") == node("call", "f", ())
    assert parse_hcl_expression("f(1,)") == node("call", "f", (lit(1),))


def test_an_expanded_last_argument() -> None:
    assert parse_hcl_expression("concat(a, b...)") == node(
        "call", "concat", (ref("a"), node("expand", None, (ref("b"),)))
    )


def test_nested_calls_and_collections() -> None:
    obj = node("object", None, ((lit("a"), node("tuple", None, (lit(1),))),))
    assert parse_hcl_expression("jsonencode({a = [1]})") == node("call", "jsonencode", (obj,))


# --------------------------------------------------------- tuples and objects


def test_tuples() -> None:
    assert parse_hcl_expression('[1, "x"]') == node("tuple", None, (lit(1), tmpl("x")))
    assert parse_hcl_expression("[1,]") == node("tuple", None, (lit(1),))
    assert parse_hcl_expression("[]") == node("tuple", None, ())


def test_object_keys_are_names_strings_or_expressions() -> None:
    assert parse_hcl_expression('{a = 1, "b" = 2, (var.k): 3}') == node(
        "object",
        None,
        ((lit("a"), lit(1)), (tmpl("b"), lit(2)), (ref("var.k"), lit(3))),
    )


def test_object_with_colons_and_without_commas() -> None:
    assert parse_hcl_expression("{a: 1}") == node("object", None, ((lit("a"), lit(1)),))
    assert parse_hcl_expression("{a = 1 b = 2}") == node(
        "object", None, ((lit("a"), lit(1)), (lit("b"), lit(2)))
    )
    assert parse_hcl_expression("{}") == node("object", None, ())


# ------------------------------------------------------ operators, precedence


def test_multiplication_binds_tighter_than_addition() -> None:
    assert parse_hcl_expression("1 + 2 * 3") == binary("+", lit(1), binary("*", lit(2), lit(3)))


def test_parentheses_group() -> None:
    assert parse_hcl_expression("(1 + 2) * 3") == binary("*", binary("+", lit(1), lit(2)), lit(3))


def test_logical_operators_and_not() -> None:
    not_a = node("unary", "!", (ref("a"),))
    assert parse_hcl_expression("!a && b || c") == binary(
        "||", binary("&&", not_a, ref("b")), ref("c")
    )


def test_binary_operators_of_one_level_associate_to_the_left() -> None:
    assert parse_hcl_expression("a == b != c") == binary(
        "!=", binary("==", ref("a"), ref("b")), ref("c")
    )
    assert parse_hcl_expression("a - b - c") == binary(
        "-", binary("-", ref("a"), ref("b")), ref("c")
    )


def test_comparison_binds_tighter_than_equality() -> None:
    assert parse_hcl_expression("a < b == c") == binary(
        "==", binary("<", ref("a"), ref("b")), ref("c")
    )


def test_unary_operators_bind_tighter_than_binary_ones_and_looser_than_traversals() -> None:
    assert parse_hcl_expression("-1") == node("unary", "-", (lit(1),))
    assert parse_hcl_expression("-a.b") == node("unary", "-", (ref("a.b"),))
    assert parse_hcl_expression("!a == b") == binary(
        "==", node("unary", "!", (ref("a"),)), ref("b")
    )


def test_modulo() -> None:
    assert parse_hcl_expression("x % 2") == binary("%", ref("x"), lit(2))


# -------------------------------------------------------------- conditional


def test_the_conditional_nests_to_the_right() -> None:
    inner = node("cond", None, (ref("c"), ref("d"), ref("e")))
    assert parse_hcl_expression("a ? b : c ? d : e") == node(
        "cond", None, (ref("a"), ref("b"), inner)
    )


def test_the_conditional_is_looser_than_every_binary_operator() -> None:
    assert parse_hcl_expression("a == 1 ? x + 1 : {}") == node(
        "cond",
        None,
        (binary("==", ref("a"), lit(1)), binary("+", ref("x"), lit(1)), node("object", None, ())),
    )


# ---------------------------------------------------------- for expressions


def test_a_tuple_for_with_a_condition() -> None:
    assert parse_hcl_expression("[for v in var.l : v.x if v.y]") == node(
        "for", ("tuple", ("v",)), (ref("var.l"), NONE, ref("v.x"), ref("v.y"))
    )


def test_a_tuple_for_with_index_and_value() -> None:
    assert parse_hcl_expression("[for i, v in l : v if v > 1]") == node(
        "for", ("tuple", ("i", "v")), (ref("l"), NONE, ref("v"), binary(">", ref("v"), lit(1)))
    )


def test_an_object_for() -> None:
    assert parse_hcl_expression("{for k, v in var.m : k => v}") == node(
        "for", ("object", ("k", "v")), (ref("var.m"), ref("k"), ref("v"), NONE)
    )


def test_a_grouping_object_for_is_opaque() -> None:
    text = "{for k, v in var.m : k => v...}"
    assert parse_hcl_expression(text) == node("opaque", text)


# -------------------------------------------------------------------- splats


def test_a_full_splat_takes_every_following_step() -> None:
    """`a[*].b[0]` is `[for x in a : x.b[0]]` (HCL, "Splat Operators")."""
    assert parse_hcl_expression("a[*].b[0]") == node(
        "splat", "full", (ref("a"), index(index(ITEM, lit("b")), lit(0)))
    )
    assert parse_hcl_expression("a[*]") == node("splat", "full", (ref("a"), ITEM))


def test_a_legacy_splat_takes_attribute_steps_only() -> None:
    """`a.*.b[0]` is `[for x in a : x.b][0]`: the index applies to the result."""
    assert parse_hcl_expression("a.*.b[0]") == index(
        node("splat", "attr", (ref("a"), index(ITEM, lit("b")))), lit(0)
    )
    assert parse_hcl_expression("a.*.b.c") == node(
        "splat", "attr", (ref("a"), index(index(ITEM, lit("b")), lit("c")))
    )


def test_a_splat_of_a_splat() -> None:
    assert parse_hcl_expression("a[*][*].b") == node(
        "splat", "full", (ref("a"), node("splat", "full", (ITEM, index(ITEM, lit("b")))))
    )


# --------------------------------------------------------- opaque fallbacks


@pytest.mark.parametrize(
    "text",
    ["<<EOF", "a b", "f(a b)", '"abc', "(a", "[for]", "for x in y", "${a}", ""],
    ids=[
        "heredoc",
        "two-names",
        "bad-call",
        "unterminated",
        "unclosed",
        "bad-for",
        "bare-for",
        "interpolation",
        "empty",
    ],
)
def test_what_the_parser_does_not_know_is_opaque_with_its_text(text: str) -> None:
    assert parse_hcl_expression(text) == node("opaque", text)


def test_parsing_is_cached_per_text() -> None:
    text = "merge(var.tags, {Name = local.name})"
    assert parse_hcl_expression(text) is parse_hcl_expression(text)
