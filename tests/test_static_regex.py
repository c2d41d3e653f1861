"""`replace()` with a `/regex/` pattern, evaluated as Terraform evaluates it (issue 24).

Terraform reads a substring wrapped in slashes as an RE2 regular expression and
expands the replacement as Go's `regexp.Expand` (`checker.source.regex`). Each
row of `TABLE` is (id, string, substring, replacement, what Terraform 1.11.4's
`terraform console` answered), None where Terraform failed the call because RE2
rejects the pattern. `test_the_table_is_terraforms_answers` asks the console
again whenever Terraform is on PATH; CI (CI=true) must have it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from checker.source.regex import (
    CALL_WORK,
    MATCH_COST,
    TOTAL_WORK,
    Refused,
    RegexBudget,
    terraform_replace,
)
from checker.source.static_model import build_static_model

pytestmark = pytest.mark.fast

LIMIT = 1024 * 1024

TABLE: list[tuple[str, str, str, str, str | None]] = [
    ("brief-example-name-run", "a-b-c", "/(\\w)-/", "$1_", "c"),
    ("braced-group", "a-b-c", "/(\\w)-/", "${1}_", "a_b_c"),
    ("empty-match-after-match", "baaac", "/a*/", "-", "-b-c-"),
    ("empty-pattern", "abc", "//", "-", "-a-b-c-"),
    ("empty-pattern-empty-text", "", "//", "x", "x"),
    ("star-skips-empty-after-match", "abc", "/b*/", "-", "-a-c-"),
    ("unicode-letter-ends-name", "ab", "/(?P<x>a)/", "$x\xe9!", "!b"),
    ("angle-named-group", "ab", "/(?<n>a)/", "[$n]", "[a]b"),
    ("duplicate-names-first-matched", "xy", "/(?P<a>x)(?P<a>y)/", "[$a]", "[x]"),
    ("digit-led-name", "xy", "/(?P<1a>x)/", "[$1a]", "[x]y"),
    ("numbers-zero-out-of-range-leading-zero", "abc", "/(a)(b)(c)/", "$3$2$1$0$4$00$01", "cbaabc"),
    ("dollar-forms", "abc", "/(b)/", "$$|${1}x|$1x|$|${|${1|$!|${1}", "a$|bx||$|${|${1|$!|bc"),
    ("unmatched-groups-empty", "ab", "/(a)|(b)/", "[$1|$2]", "[a|][|b]"),
    ("optional-groups", "xyz", "/(x)(y)?(q)?z/", "<$1|$2|$3>", "<x|y|>"),
    ("swap-words", "one two", "/(\\w+) (\\w+)/", "$2 $1", "two one"),
    ("named-swap", "abc", "/(?P<first>a)(?P<second>b)/", "${second}${first}", "bac"),
    ("camel-to-snake", "CamelCaseName", "/([a-z])([A-Z])/", "${1}_${2}", "Camel_Case_Name"),
    ("arn-bucket", "arn:aws:s3:::bucket/key", "/^arn:aws:s3:::([^/]+).*$/", "$1", "bucket"),
    ("trim-both-ends", "  trim  ", "/^\\s+|\\s+$/", "", "trim"),
    ("squeeze-dashes", "a--b---c", "/-+/", "-", "a-b-c"),
    ("basename", "path/to/file.txt", "/^.*\\//", "", "file.txt"),
    ("extension", "file.tar.gz", "/\\.[^.]*$/", "", "file.tar"),
    ("slug", "Hello World", "/(?i)[^a-z0-9]+/", "-", "Hello-World"),
    ("leftmost-first-alternation", "abcabc", "/(a|ab)(c|bcd)/", "[$1,$2]", "[ab,c][ab,c]"),
    ("last-iteration-capture", "abab", "/(ab)+/", "[$1]", "[ab]"),
    ("re2-s-has-no-vt", "a\tb\x0bc d\x0ce\rf\ng", "/\\s/", "_", "a_b\x0bc_d_e_f_g"),
    ("posix-space-has-vt", "a\tb\x0bc d\re", "/[[:space:]]/", "_", "a_b_c_d_e"),
    ("posix-punct", "a.b-c", "/[[:punct:]]/", "_", "a_b_c"),
    ("negated-posix", "a_b-c", "/[[:^alpha:]]/", "#", "a#b#c"),
    ("ascii-digit-only", "x1\u0663", "/\\d/", "D", "xD\u0663"),
    ("ascii-word-only", "\xe9_a", "/\\w/", "W", "\xe9WW"),
    ("ascii-word-boundary", "\xe9 a", "/\\b/", "|", "\xe9 |a|"),
    ("not-boundary-on-empty", "", "/\\B/", "|", "|"),
    ("not-boundary", "foo bar", "/\\Bo/", "0", "f00 bar"),
    ("dollar-is-end-of-text", "a\n", "/a$/", "X", "a\n"),
    ("dollar-alone-before-newline", "\n", "/$/", "E", "\nE"),
    ("multiline-caret", "a\n", "/(?m)^/", "X", "Xa\nX"),
    ("multiline-dollar", "ab\nab", "/(?m)b$/", "_", "a_\na_"),
    ("multiline-dollar-crlf", "a\r\nb", "/(?m)$/", "E", "a\rE\nbE"),
    ("begin-text", "abab", "/\\Aab/", "_", "_ab"),
    ("end-text", "abab", "/ab\\z/", "_", "ab_"),
    ("dot-no-newline", "a\nb", "/./", "x", "x\nx"),
    ("dotall", "a\nb", "/(?s)./", "x", "xxx"),
    ("scoped-dotall", "a\nb", "/(?s:.)b|./", "x", "xx"),
    ("fold-negated-class", "aAb", "/(?i)[^a]/", "_", "aA_"),
    ("fold-scoped", "aXb", "/(?i:x)|B/", "_", "a_b"),
    ("fold-flag-ends-with-group", "Aa", "/((?i)a)a/", "_", "_"),
    ("fold-negated-flag", "AaB", "/(?i)a(?-i)b|B/", "x", "Aax"),
    ("fold-kelvin-in-pattern", "kK", "/(?i)\\x{212A}/", "x", "xx"),
    ("ungreedy-flag", "aaa", "/(?U)a+/", "_", "___"),
    ("ungreedy-flag-swapped", "ab", "/(?U)a+?|b+/", "_", "__"),
    ("lazy-range", "aaa", "/a{2,}?/", "_", "_a"),
    ("counted", "aaaa", "/a{1,2}/", "#", "##"),
    ("brace-literal-no-min", "aa{,2}", "/a{,2}/", "_", "a_"),
    ("brace-literal-leading-zero", "a{01}", "/a{01}/", "_", "_"),
    ("brace-literal-unclosed", "a{1,b", "/a{1,b/", "x", "x"),
    ("close-bracket-first", "a]b", "/[]a]/", "_", "__b"),
    ("dash-last", "a-b", "/[a-]/", "_", "__b"),
    ("dash-after-range", "a-c-e", "/[a-c-e]/", "_", "_____"),
    ("class-hex-range", "ab", "/[a-\\x{62}]/", "x", "xx"),
    ("octal", "a\nb", "/\\012/", "_", "a_b"),
    ("hex", "aSb", "/\\x53/", "_", "a_b"),
    ("hex-braced-astral", "a\U0001f600b", "/\\x{1F600}/", "x", "axb"),
    ("quoted-text", "a*b+", "/\\Q*b+/", "_", "a_"),
    ("repeat-after-flag-group", "a", "/a(?i)*/", "x", "x"),
    ("empty-flag-group", "a", "/(?)a/", "x", "x"),
    ("runes-not-bytes", "\u65e5\u672c\u8a9e", "/./", "x", "xxx"),
    ("nfc-result", "e_\u0301", "/_/", "", "\xe9"),
    ("slash-alone-is-text", "a/b", "/", "-", "a-b"),
    ("plain-text", "aaa", "a", "bb", "bbbbbb"),
    ("plain-empty", "abc", "", "-", "-a-b-c-"),
    ("plain-slashes-inside", "x/a/y", "a/", "-", "x/-y"),
    ("err-backslash-Z", "a", "/\\Z/", "x", None),
    ("err-nested-repeat", "a", "/a**/", "x", None),
    ("err-possessive", "a", "/a*+/", "x", None),
    ("err-lookahead", "a", "/(?=a)/", "x", None),
    ("err-lookbehind", "a", "/(?<=a)/", "x", None),
    ("err-backreference", "aa", "/(a)\\1/", "x", None),
    ("err-repeat-count", "x", "/x{1001}/", "_", None),
    ("err-bad-range", "x", "/[z-a]/", "_", None),
    ("err-unclosed-group", "a", "/(a/", "x", None),
    ("err-unexpected-paren", "a", "/a)/", "x", None),
    ("err-unclosed-class", "a", "/[a/", "x", None),
    ("err-trailing-backslash", "a", "/\\/", "x", None),
    ("err-unknown-flag", "a", "/(?x)a/", "x", None),
    ("err-missing-argument", "a", "/a|*/", "x", None),
    ("err-unknown-posix-class", "x", "/[[:foo:]]/", "y", None),
    ("err-backspace-in-class", "a", "/[\\b]/", "x", None),
    ("err-named-backreference", "a", "/(?P=a)/", "x", None),
    ("unknown-fold-non-ascii", "ab\u0130\u0131", "/(?i)i/", "x", "ab\u0130\u0131"),
    ("unknown-repeat-of-empty", "a", "/^*/", "x", "xax"),
    ("unknown-unicode-class", "a\xe91", "/\\pL/", "L", "LL1"),
    ("unknown-nested-repeat", "aaab", "/(a+)+b/", "x", "x"),
    ("unknown-alternation-repeated", "abcd", "/(ab|cd)+/", "x", "x"),
    ("unknown-long-text", "a" * 5000, "/a*b/", "x", "a" * 5000),  # True
]
# Valid RE2 this evaluator does not translate: unknown, never a value Terraform would not give.
NOT_EVALUATED = {row[0] for row in TABLE if row[0].startswith("unknown-")}
EVALUATED = [row for row in TABLE if row[4] is not None and row[0] not in NOT_EVALUATED]
REJECTED = [row for row in TABLE if row[4] is None]


def replace(text: str, substring: str, replacement: str) -> str | Refused:
    return terraform_replace(text, substring, replacement, RegexBudget(), LIMIT)


@pytest.mark.parametrize(
    ("text", "substring", "replacement", "answer"),
    [r[1:] for r in EVALUATED],
    ids=[r[0] for r in EVALUATED],
)
def test_replace_gives_terraforms_answer(
    text: str, substring: str, replacement: str, answer: str
) -> None:
    assert replace(text, substring, replacement) == answer


@pytest.mark.parametrize(
    ("text", "substring", "replacement"), [r[1:4] for r in REJECTED], ids=[r[0] for r in REJECTED]
)
def test_a_pattern_re2_rejects_is_unknown_and_says_terraform_fails(
    text: str, substring: str, replacement: str
) -> None:
    result = replace(text, substring, replacement)
    assert isinstance(result, Refused) and result.terraform_fails
    assert "Terraform fails on it" in result.note()


@pytest.mark.parametrize("row", sorted(NOT_EVALUATED))
def test_what_is_not_translated_is_unknown_never_a_guess(row: str) -> None:
    _id, text, substring, replacement, _answer = next(r for r in TABLE if r[0] == row)
    result = replace(text, substring, replacement)
    assert isinstance(result, Refused) and not result.terraform_fails
    assert "not evaluated" in result.note()


def hcl(text: str) -> str:
    """`text` as the body of an HCL quoted string."""
    out = []
    for char in text:
        if char in '\\"':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out).replace("${", "$${").replace("%{", "%%{")


def console(expression: str, folder: Path) -> str:
    """What `terraform console` prints for one expression, in an empty directory."""
    config = folder / "cli.tfrc"
    config.write_text("", encoding="utf-8")
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1"}
    done = subprocess.run(
        ["terraform", "console"],
        input=expression + "\n",
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def test_the_table_is_terraforms_answers(tmp_path: Path) -> None:
    """One console call: each row base64-encoded, `try(..., null)` where Terraform fails."""
    if shutil.which("terraform") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("terraform is not on PATH, and CI must compare with it")
        pytest.skip("terraform is not on PATH")
    calls = [
        f'try(base64encode(replace("{hcl(t)}", "{hcl(s)}", "{hcl(r)}")), null)'
        for _id, t, s, r, _answer in TABLE
    ]
    printed = console(f"jsonencode([{', '.join(calls)}])", tmp_path)
    assert printed.startswith('"') and printed.endswith('"'), printed
    values = json.loads(printed[1:-1].replace('\\"', '"'))  # base64 and null: no other escapes
    answers = [None if v is None else base64.b64decode(v).decode() for v in values]
    assert answers == [row[4] for row in TABLE]


def test_python_re_sub_would_differ() -> None:
    """Why Go's loop is followed: Python replaces an empty match right after a match."""
    import re

    assert re.sub("a*", "-", "baaac") == "-b--c-"
    assert replace("baaac", "/a*/", "-") == "-b-c-"


def test_work_is_bounded_without_a_timeout() -> None:
    """Quadratic backtracking on a long text is refused before it runs; every call and
    every match is charged to the evaluation's budget, which runs out."""
    started = time.monotonic()
    assert isinstance(replace("a" * LIMIT, "/a*b/", "x"), Refused)
    assert isinstance(replace("a" * LIMIT, "//", "-"), Refused)  # too many matches
    assert isinstance(replace("a" * LIMIT, "", "--"), Refused)  # the result is too large
    assert isinstance(replace("ab" * 300_000, "/a/", ""), Refused)
    assert replace("a" * LIMIT, "/[^a]/", "x") == "a" * LIMIT  # no repetition: linear
    assert isinstance(replace("a", "/a" + "(?i)+" * 800 + "/", "x"), Refused)  # a chain
    assert isinstance(replace("a", "/" + "(" * 101 + "a" + ")" * 101 + "/", "x"), Refused)
    assert isinstance(replace("a", "/" + "a" * 5000 + "/", "x"), Refused)  # too long
    budget = RegexBudget()
    calls = 0
    while not isinstance(terraform_replace("a" * 2_000, "/a*b/", "x", budget, LIMIT), Refused):
        calls += 1
    assert 0 < calls <= TOTAL_WORK // CALL_WORK * 10
    assert budget.remaining < CALL_WORK + MATCH_COST
    assert time.monotonic() - started < 20


def test_static_mode_evaluates_regex_replace_and_notes_what_it_cannot(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  prefix = replace("tap-prod-bucket", "/^tap-(\\\\w+)-.*$/", "$1")\n}\n'
        'resource "aws_s3_bucket" "b" {\n  bucket = "${local.prefix}-logs"\n}\n'
        'resource "aws_s3_bucket" "c" {\n  bucket = replace("x", "/(?=x)/", "y")\n}\n',
        encoding="utf-8",
    )
    model = build_static_model(tmp_path)
    assert model.static
    bucket = model.instance("aws_s3_bucket.b")
    assert bucket is not None and bucket.get("bucket") == "prod-logs"
    assert model.source is not None
    notes = "\n".join(model.source.notes)
    assert "replace() with a regular expression RE2 rejects" in notes
    assert "Terraform fails on it" in notes
