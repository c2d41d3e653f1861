"""Terraform's `replace(string, substring, replacement)`, regular expressions included.

Terraform treats a `substring` wrapped in forward slashes as a regular expression
in Go's RE2 syntax (`regexp.Compile`) and replaces with `ReplaceAllString`, whose
replacement expands `$1`, `${1}`, `$name` and `${name}` as `regexp.Expand` does
(https://developer.hashicorp.com/terraform/language/functions/replace,
https://pkg.go.dev/regexp#Regexp.Expand, https://github.com/google/re2/wiki/Syntax).
Go rejects what RE2 does not know (lookaround, backreferences, possessive
repetition, `\\Z`): Terraform then fails the call, so the value is unknown here.

How it is evaluated: the pattern is parsed the way Go's `regexp/syntax` parses it
(same escapes, classes, flags, repeat rules and errors), then written out as a
Python `re` pattern that says exactly the same thing: every character class
spelled out as code point ranges (ASCII `\\d \\s \\w \b`, RE2's `\\s` without
`\v`), `^ $ .` and case folding resolved from the flags in force, every group
a plain numbered group (names are kept aside for the replacement). The
replacement loop is Go's `replaceAll` (an empty match right after a match is not
replaced, unlike Python's `re.sub`), and the result is NFC-normalised as cty
normalises every string.

Bounded without a timeout. RE2 runs in linear time; Python's backtracking does
not, so a pattern is evaluated only when its backtracking is provably small:
- no repetition inside a repetition, no alternation inside a repetition (except
  single characters, which RE2 itself merges into a class), and nothing
  repeated that can match the empty string: these are refused outright;
- the remaining patterns backtrack over at most `(n + 1) * paths * size`
  steps for a text of n characters (`paths` multiplies, along the pattern, the
  number of counts each repetition can take; `size` counts the pattern's nodes),
  and each match found costs `MATCH_COST` more (Python's per-match overhead);
  that work must stay within `CALL_WORK` per call and within the evaluation's
  `RegexBudget` overall (about 0.2 s and 2 s of the slowest shapes measured).
Patterns longer than `MAX_PATTERN` characters, groups nested deeper than
`MAX_DEPTH`, Unicode classes (`\\p{...}`) and case-insensitive matching of
non-ASCII text are not evaluated either. Whatever is not evaluated is unknown,
with a note saying why.

The package: `limits` (the bounds, `Refused`), `charsets`, `syntax` (the parser), `bounds`
(the backtracking analysis), `pattern` (the Python translation), `replace` (the function).
"""

from __future__ import annotations

from checker.source.regex.limits import CALL_WORK, MATCH_COST, TOTAL_WORK, Refused, RegexBudget
from checker.source.regex.replace import compile_re2, terraform_replace

__all__ = [
    "CALL_WORK",
    "MATCH_COST",
    "TOTAL_WORK",
    "Refused",
    "RegexBudget",
    "compile_re2",
    "terraform_replace",
]
