"""Suppressions are read from real comments only (issue 24, class 6).

`# checker:ignore` used to be found by a regex over every line, so the text of a
string or a heredoc (a user_data script, a policy) in one block could waive
another block's findings. The lexer (`checker.source.comments`) reads a file as
Terraform's scanner does; a suppression also needs tree-sitter, the parser
whose blocks the checker evaluates, to place its comment in the same block.
Unit tests of the lexer first, then the whole CLI on small stacks in static mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.source.comments import Item, real_comments, scan
from checker.source.suppressions import block_suppressions
from tests.support.canonical_stack import ROOT


def texts(source: str) -> list[tuple[int, str]]:
    return [(c.line, c.text) for c in real_comments(source)]


# The lexer


def test_strings_with_escapes_hide_hash_and_slashes() -> None:
    source = (
        'a = "x \\" # not a comment"  # one\n'
        'b = "http://example.com/#frag" // two\n'
        'c = "\\\\" # three\n'  # an escaped backslash, then the string ends
        'd = "/* not */ # not" /* four */\n'
    )
    assert texts(source) == [(1, "# one"), (2, "// two"), (3, "# three"), (4, "/* four */")]


def test_nested_interpolations_with_quotes_and_braces() -> None:
    source = (
        'a = "${join(",", ["}", "# not"])} # not" # one\n'
        'b = "${ "${ "#" }" } # not" # two\n'
        'c = "${ { k = "}" }["k"] } # not" // three\n'
        'd = "%{ if x == "}" }# not%{ else }// not%{ endif }" # four\n'
    )
    assert texts(source) == [(1, "# one"), (2, "# two"), (3, "// three"), (4, "# four")]


def test_a_comment_inside_an_interpolation_is_a_comment() -> None:
    """HCL: comments may begin inside an interpolation sequence; it runs to the end of
    the line, so the `}` after it does not close the sequence."""
    source = 'a = "${ x # one } # still the comment"\n  }"\nb = 1 # two\n'
    assert texts(source) == [(1, '# one } # still the comment"'), (3, "# two")]


def test_escaped_sequence_openers_are_literal_text() -> None:
    source = 'a = "$${ # not }" # one\nb = "%%{ # not }" # two\nc = "$$${ x } # not" # three\n'
    assert texts(source) == [(1, "# one"), (2, "# two"), (3, "# three")]


def test_heredocs_both_forms() -> None:
    source = (
        "a = <<EOT\n"
        "# not\n"
        "// not\n"
        "EOT\n"  # line 4: closes
        "b = <<-EOT\n"
        "    # not\n"
        "    EOT   \n"  # line 7: leading and trailing spaces, both allowed
        "c = <<EOT\n"
        "  # not\n"
        "  EOT\n"  # line 10: `<<EOT` closes at an indented marker too
        "# one\n"
    )
    assert texts(source) == [(11, "# one")]


def test_a_heredoc_ends_only_at_its_own_marker_on_a_line_of_its_own() -> None:
    source = "a = <<EOT\nEOT and more # not\nEOTX # not\nOTHER\n  EOT\nb = 1 # one\n"
    assert texts(source) == [(6, "# one")]


def test_heredoc_interpolations_hold_code_and_hide_marker_lines() -> None:
    """A marker inside a multi-line `${ }`, or after one closes on the same line, does
    not close the heredoc (the scanner checks only lines no sequence began on)."""
    source = (
        "a = <<EOT\n"
        "${ x # one\n"
        "EOT\n"  # inside the interpolation: an expression line, not the marker
        "}EOT\n"  # the sequence closed on this line: not the marker either
        "# not\n"
        "EOT\n"
        "# two\n"
    )
    assert texts(source) == [(2, "# one"), (7, "# two")]


def test_a_heredoc_in_a_string_in_a_heredoc() -> None:
    source = 'a = <<OUTER\n${ "${ <<INNER\nOUTER # not\nINNER\n}" }\n# not\nOUTER\n# one\n'
    assert texts(source) == [(8, "# one")]


def test_not_a_heredoc_without_a_newline_after_its_marker() -> None:
    assert texts("a = b <<EOT # one\nc = d < e / f # two\n") == [(1, "# one"), (2, "# two")]


def test_block_comments_span_lines_and_hide_what_they_hold() -> None:
    source = '/* one\n# not\n"not a string\n*/ # two\na = "/* not */"\n/* three */ b = 1\n'
    assert texts(source) == [
        (1, '/* one\n# not\n"not a string\n*/'),
        (4, "# two"),
        (6, "/* three */"),
    ]


def test_comments_inside_blocks_keep_their_lines() -> None:
    source = (
        'resource "aws_s3_bucket" "a" { # one\n'
        "  tags = {\n"
        '    note = "# not"  // two\n'
        "  }\n"
        "  /* three */\n"
        "} # four\n"
    )
    assert texts(source) == [(1, "# one"), (3, "// two"), (5, "/* three */"), (6, "# four")]


def test_crlf_line_endings() -> None:
    source = 'a = <<EOT\r\n# not\r\nEOT\r\nb = "# not" # one\r\n'
    assert texts(source) == [(4, "# one")]


def test_top_level_items() -> None:
    source = (
        "# above\n"
        'resource "aws_s3_bucket" "a" {\n'
        '  policy = <<EOT\n{\n}\nresource "x" "y" {\nEOT\n'
        "} # trailing\n"
        "locals { x = 1 }\n"
        "\n"
        'data "aws_caller_identity" "me" {}\n'
    )
    assert scan(source).items == (
        Item(line=2, end_line=8, keyword="resource"),
        Item(line=9, end_line=9, keyword="locals"),
        Item(line=11, end_line=11, keyword="data"),
    )


ADVERSARIAL = {  # about 30 kB each
    "brackets": "x = [" + "{[(" * 10_000,
    "unclosed strings": 'x = "\\"$${%%{\n' * 2_000,
    "nested sequences": 'x = "' + '${"' * 10_000,
    "heredoc openers": "x = <<A\n${<<B\n${<<C\n" * 1_500,
    "block comments": "/*" * 15_000,
    "operators": "x = " + "<<a" * 10_000,
    "comments": "# c\n" * 7_500,
}


def _events(text: str) -> int:
    """Python calls the scan makes: its steps, counted (deterministic, unlike time)."""
    count = 0

    def hook(_frame: object, event: str, _arg: object) -> None:
        nonlocal count
        count += event == "call"

    sys.setprofile(hook)
    try:
        scan(text)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_linear_in_the_size_of_the_text(shape: str) -> None:
    """Four times the text, at most a little over four times the steps; and about 1 MB
    of the worst shapes (the regular expressions' own work included) in seconds."""
    text = ADVERSARIAL[shape]
    assert _events(text * 4) <= 4.2 * _events(text) + 50
    started = time.perf_counter()
    scan(text * 32)
    assert time.perf_counter() - started < 10


# Suppressions through the lexer

IGNORE = "# checker:ignore TAP011 reason=x expires=2099-12-31"
LOGS = (
    'resource "aws_s3_bucket" "logs" {\n  bucket        = "acme-logs"\n  force_destroy = false\n}\n'
)
PROOF = 'resource "aws_instance" "proof" {\n  ami = "ami-123"\n'

# A heredoc whose text ends the block, holds the comment and a header, by the old line logic.
HEREDOC = (
    PROOF + "  user_data = <<-EOT\n"
    "    cat > /etc/motd <<'X'\n"
    "}\n"
    f"{IGNORE}\n"
    'resource "aws_s3_bucket" "logs" {\n'
    "X\n"
    "  EOT\n"
    "}\n\n" + LOGS
)
# A string in a one-line block right above the bucket (`owner=` takes the string's end).
STRING = f'locals {{ motd = "{IGNORE} owner=ops" }}\n' + LOGS
# Text of strings and heredocs that looks like malformed suppressions, then real ones.
REAL = (
    PROOF + "  user_data = <<-EOT\n"
    "    # checker:ignore TAP011 a malformed one, in a script\n"
    "  EOT\n"
    '  tags = { note = "# checker:ignore nonsense" }\n'
    "}\n\n"
    '// checker:ignore TAP011 reason="kept for the audit" expires=2099-12-31\n' + LOGS
)
# The two readers disagree on the items (issue 28: tree-sitter is the checker's parser;
# it agrees with Terraform where python-hcl2 did not, on `EOT ` and `$${`). tree-sitter
# skips the rest of a heredoc's opening line, where Terraform's scanner opens no heredoc
# and reads a comment above a decoy bucket; the checker's parser refuses such a file.
DIVERGING_HEREDOC = (
    PROOF + "  user_data = <<EOT }\n"
    f"{IGNORE}\n"
    'resource "aws_s3_bucket" "logs" {\n'
    "EOT\n"
    "}\n\n" + LOGS
)
# tree-sitter lets a block begin on the line another one ends on; Terraform's items end
# at a newline, so for it the comment sits in the `proof` block.
DIVERGING_LINE = PROOF + "} locals {\n" + f"{IGNORE}\n" + "}\n\n" + LOGS


def test_text_of_strings_and_heredocs_is_no_suppression() -> None:
    assert block_suppressions(HEREDOC, "main.tf") == {}
    assert block_suppressions(STRING, "main.tf") == {}
    found = block_suppressions(REAL, "main.tf")
    assert [(line, [s.line for s in items]) for line, items in found.items()] == [(10, [9])]


def test_only_line_comments_starting_with_the_marker_count() -> None:
    source = (
        "/* checker:ignore TAP011 reason=x expires=2099-12-31 */\n"
        "# a note // checker:ignore TAP011 reason=x expires=2099-12-31\n" + LOGS
    )
    assert block_suppressions(source, "main.tf") == {}


@pytest.mark.parametrize("source", [DIVERGING_HEREDOC, DIVERGING_LINE], ids=["heredoc", "line"])
def test_readers_that_disagree_refuse_the_suppression(source: str) -> None:
    with pytest.raises(InputError, match=r"^main\.tf:\d+: checker:ignore is refused: "):
        block_suppressions(source, "main.tf")


# The whole CLI, as a pull request's CI job runs it


CONFIG = ("--config", "checker.toml")  # empty: no [tool.checker] from anywhere else


def check(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    stack = folder / "stack"
    stack.mkdir()
    (stack / "main.tf").write_text(source, encoding="utf-8")
    (folder / "checker.toml").write_text("", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "CHECKER_CACHE_DIR": "off"}
    return subprocess.run(
        [sys.executable, "-m", "checker", "check", "stack", "--format", "json", *CONFIG],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tap011_of_logs(done: subprocess.CompletedProcess[str]) -> str:
    report = json.loads(done.stdout)
    (status,) = [
        f["status"]
        for f in report["findings"]
        if f["rule_id"] == "TAP011" and f["address"] == "aws_s3_bucket.logs"
    ]
    return str(status)


@pytest.mark.parametrize("source", [HEREDOC, STRING], ids=["heredoc", "string"])
def test_a_marker_in_another_blocks_text_does_not_waive(source: str, tmp_path: Path) -> None:
    done = check(tmp_path, source)
    assert done.returncode == 1, done.stderr
    assert tap011_of_logs(done) == "failed"
    assert "Traceback" not in done.stderr


def test_a_real_comment_still_waives(tmp_path: Path) -> None:
    done = check(tmp_path, REAL)
    assert done.returncode in (0, 1), done.stderr
    assert tap011_of_logs(done) == "waived"
    assert "kept for the audit" in done.stdout


@pytest.mark.parametrize("source", [DIVERGING_HEREDOC, DIVERGING_LINE], ids=["heredoc", "line"])
def test_a_comment_the_readers_place_apart_is_exit_2(source: str, tmp_path: Path) -> None:
    done = check(tmp_path, source)
    assert done.returncode == 2, done.stdout[-400:]
    lines = done.stderr.strip().splitlines()
    # the parser refuses the file before the suppression is placed
    refused = ("checker:ignore is refused", "HCL does not parse")
    assert 1 <= len(lines) <= 2 and any(text in lines[0] for text in refused), lines
    assert "Traceback" not in done.stderr
