"""Terraform's built-in functions and operators as Terraform evaluates them, for the evaluator.

Three outcomes are kept apart, because `try()` and `can()` choose between them:

- a value (possibly holding `Unknown` parts: a function of values known only
  after apply keeps what is known, such as a list's length or a map's keys);
- `EvalError`: Terraform would refuse the expression (an index out of range, a
  missing attribute or key, a value of the wrong type, `one()` of two items):
  `try()` moves on to its next argument and `can()` is false;
- `Unknown`: known only after apply, or a case this module does not evaluate
  (a function it does not implement, an argument it cannot convert exactly):
  never an error, so `try()` never skips a value it merely cannot see.

Each function follows the behaviour `terraform console` (Terraform 1.11) shows;
`tests/test_static_functions.py` holds its answers as a table and asks the
console again when Terraform is on PATH. Conversions follow Terraform's: a
number or bool where a string is wanted becomes its text, `"true"`/`"false"`
and decimal strings convert to bool and number, null is refused unless the
function accepts it.

The package holds one module per family of functions, each registering its own in
`table.FUNCTIONS`; importing the package registers them all.
"""

from __future__ import annotations

from checker.source.functions import (  # noqa: F401  (each registers its functions)
    collections,
    conversions,
    encoding,
    formatting,
    numeric,
    strings,
)
from checker.source.functions.encoding import json_encode
from checker.source.functions.operators import condition, extend_reference, index, operate
from checker.source.functions.table import FUNCTIONS
from checker.source.functions.values import (
    EvalError,
    TfSet,
    as_bool,
    equal,
    interpolation_text,
    refs_of,
    unified,
    unknown_call,
    unknown_from,
    wholly_known,
)
from checker.source.functions.variable_types import convert

__all__ = [
    "FUNCTIONS",
    "EvalError",
    "TfSet",
    "as_bool",
    "condition",
    "convert",
    "equal",
    "extend_reference",
    "index",
    "interpolation_text",
    "json_encode",
    "operate",
    "refs_of",
    "unified",
    "unknown_call",
    "unknown_from",
    "wholly_known",
]
