"""Evaluating HCL expression nodes (`checker.source.parse.Node`): templates, operators,
conditionals, `for`, splats and function calls. References and modules are the
evaluator's (`checker.source.evaluator.StaticEvaluator`), which extends this class."""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from checker.plan.sensitive import CycleError, TaintedMemo
from checker.plan.values import UNKNOWN, Unknown, Value
from checker.source.files import SourceFiles
from checker.source.functions import (
    FUNCTIONS,
    EvalError,
    condition,
    interpolation_text,
    operate,
    unified,
    unknown_call,
    unknown_from,
    wholly_known,
)
from checker.source.hcl import (
    SourceModule,
)
from checker.source.parse import (
    NONE,
    BinaryExpr,
    CallExpr,
    CondExpr,
    ExpandArg,
    ForExpr,
    IndexExpr,
    Lit,
    Node,
    ObjectExpr,
    OpaqueExpr,
    SplatExpr,
    SplatItem,
    TemplateExpr,
    Traversal,
    TupleExpr,
    UnaryExpr,
    parse_hcl_expression,
)
from checker.source.raw import split_template
from checker.source.references import expand_refs, node_refs, references_of, text_refs
from checker.source.regex import Refused, RegexBudget, terraform_replace
from checker.source.value_ops import (
    FILE_FUNCTIONS,
    FILE_HASHES,
    MAX_INSTANCES,
    MAX_PARTS,
    MAX_STEPS,
    MAX_VALUE,
    SPLAT_ITEM,
    Scope,
    as_value,
    either,
    index_of,
    iteration_pairs,
    replace_argument,
)


class ExpressionEvaluator:
    """Evaluates expression nodes; bounded by a step budget and a size cap that turn runaway
    evaluation into unknown values with a note. References and modules are resolved by the
    subclass (`checker.source.evaluator.StaticEvaluator`)."""

    def __init__(self, files: SourceFiles) -> None:
        self.files = files
        self._memo = TaintedMemo()
        self._steps = 0
        self._in_template_file = False
        self._regex_budget = RegexBudget()
        self.functions: dict[str, Callable[..., object]] = {**FUNCTIONS, "replace": self.replace}

    def module(self, path: str) -> SourceModule | None:
        """The source of a module, by configuration path or module instance address."""
        raise NotImplementedError

    def reference(self, traversal: str, module: str, extra: Scope | None) -> Value:
        """The value of a traversal (`var.x`, `aws_s3_bucket.b.arn`, an iteration name)."""
        raise NotImplementedError

    # ------------------------------------------------------------- evaluation

    def raw(self, raw: Value, module: str, extra: Scope | None = None) -> Value:
        """Evaluate a python-hcl2 value in a module; unknown parts become UNKNOWN.

        The boundary of evaluation errors: an expression Terraform would refuse
        (`EvalError`, which `try()` and `can()` see inside it) leaves here as an
        unknown value naming the expression's references, never as a guess.
        """
        if isinstance(raw, list):
            return [self.raw(item, module, extra) for item in raw]
        if isinstance(raw, dict):
            return {key: self.raw(value, module, extra) for key, value in raw.items()}
        if not isinstance(raw, str):
            return raw
        try:
            if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
                return self.template(raw[1:-1], module, extra)
            if raw.startswith("${") and raw.endswith("}"):
                return self.node(parse_hcl_expression(raw[2:-1]), module, extra)
        except EvalError:
            return Unknown(refs=tuple(references_of(raw)))
        return raw

    def template(self, body: str, module: str, extra: Scope | None, escapes: bool = True) -> Value:
        """A string, or an `Unknown` keeping the known text and the unknown pieces in order."""
        out: list[str | Unknown] = []
        size = 0  # characters of known text plus one per unknown piece, kept as it grows
        pieces_of_body = split_template(body, escapes)
        if escapes and len(pieces_of_body) == 1 and pieces_of_body[0][0] == "expr":
            # `"${x}"` alone is x itself, of any type (HCL unwraps it)
            return self.node(parse_hcl_expression(pieces_of_body[0][1]), module, extra)
        for kind, piece in pieces_of_body:
            if kind == "text":
                value: Value = piece
            elif kind == "expr":
                value = self.node(parse_hcl_expression(piece), module, extra)
                if isinstance(value, dict | list) and not wholly_known(value):
                    raise EvalError("a list or map cannot be interpolated in a string")
            else:
                value = Unknown.of_expression("%{" + piece + "}", text_refs(piece))
            pieces = value.parts if isinstance(value, Unknown) and value.parts else (value,)
            for item in pieces:
                part = item if isinstance(item, Unknown) else interpolation_text(item)
                size += len(part) if isinstance(part, str) else 1
                if isinstance(part, str) and out and isinstance(out[-1], str):
                    out[-1] += part
                else:
                    out.append(part)
            if len(out) > MAX_PARTS or size > MAX_VALUE:
                self.note(f"a template larger than {MAX_VALUE} characters was not evaluated")
                return UNKNOWN
        if all(isinstance(part, str) for part in out):
            return "".join(p for p in out if isinstance(p, str))
        return Unknown.of_template(tuple(out))

    def note(self, text: str) -> None:
        self.files.note(text)

    def replace(self, text: Value, substring: Value, replacement: Value) -> Value:
        """`replace()` as Terraform evaluates it, `/regex/` patterns included
        (`checker.source.regex`); what it cannot evaluate is unknown, with a note."""
        result = terraform_replace(
            replace_argument(text),
            replace_argument(substring),
            replace_argument(replacement),
            self._regex_budget,
            MAX_VALUE,
        )
        if isinstance(result, Refused):
            self.note(result.note())
            return Unknown.of_expression("replace(...)", ())
        return result

    def bounded(self, value: Value) -> Value:
        """A value within the size cap, else UNKNOWN (with a note)."""
        if isinstance(value, Unknown) and value.parts is not None:
            size = sum(len(p) if isinstance(p, str) else 1 for p in value.parts)
            if len(value.parts) > MAX_PARTS or size > MAX_VALUE:
                self.note(f"a template larger than {MAX_VALUE} characters was not evaluated")
                return UNKNOWN
        if isinstance(value, str | list | dict) and len(value) > MAX_VALUE:
            self.note(f"a value larger than {MAX_VALUE} characters or items was not evaluated")
            return UNKNOWN
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4096:
            self.note("a number too large to be a Terraform value was not evaluated")
            return UNKNOWN
        return value

    def memoised(self, key: tuple[str, str, str], compute: Callable[[], Value]) -> Value:
        """Evaluate a local, variable or attribute once; a cycle makes it unknown."""
        try:
            result: Value = self._memo.get(key, compute)
            return result
        except CycleError:
            self.note(f"{key[1]}.{key[2]} in module '{key[0]}' depends on itself: unknown")
            return UNKNOWN

    def node(self, node: Node, module: str, extra: Scope | None) -> Value:
        self._steps += 1
        if self._steps > MAX_STEPS:
            if self._steps == MAX_STEPS + 1:
                self.note(f"evaluation stopped after {MAX_STEPS} steps; the rest is unknown")
            return UNKNOWN
        return self.bounded(self._node(node, module, extra))

    def _node(self, node: Node, module: str, extra: Scope | None) -> Value:
        """One node's value: every kind of the closed `Node` union, matched exhaustively."""
        match node:
            case Lit(value):
                return value
            case TemplateExpr(body):
                return self.template(body, module, extra)
            case Traversal(name):
                return self.reference(name, module, extra)
            case TupleExpr(items):
                return [self.node(n, module, extra) for n in items]
            case ForExpr():
                return self.for_expression(node, module, extra)
            case ObjectExpr(pairs):
                return self.object_value(pairs, module, extra)
            case IndexExpr(base, key):
                return index_of(self.node(base, module, extra), self.node(key, module, extra))
            case CallExpr():
                return self.call(node, module, extra)
            case CondExpr():
                return self.conditional(node, module, extra)
            case UnaryExpr(op, operand):
                return self.operation(op, (operand,), module, extra)
            case BinaryExpr(op, left, right):
                return self.operation(op, (left, right), module, extra)
            case SplatExpr():
                return self.splat(node, module, extra)
            case SplatItem():
                return (extra or {}).get(SPLAT_ITEM, UNKNOWN)
            case ExpandArg():
                raise EvalError("`...` expands only the last argument of a function call")
            case OpaqueExpr(text):
                return Unknown.of_expression(text, text_refs(text))
            case _:
                assert_never(node)

    def object_value(
        self, pairs: tuple[tuple[Node, Node], ...], module: str, extra: Scope | None
    ) -> Value:
        out: dict[str, Value] = {}
        for key_node, value_node in pairs:
            key = (
                key_node.value if isinstance(key_node, Lit) else self.node(key_node, module, extra)
            )
            if not wholly_known(key):
                return unknown_from(key)
            out[interpolation_text(key)] = self.node(value_node, module, extra)
        return out

    def operation(
        self, op: str, operands: tuple[Node, ...], module: str, extra: Scope | None
    ) -> Value:
        values = [self.node(n, module, extra) for n in operands]
        if not all(wholly_known(v) for v in values):
            return unknown_from(*values)
        try:
            return as_value(operate(op, [*values]))
        except (TypeError, ValueError, OverflowError):
            return UNKNOWN  # a number Terraform holds and Python does not (infinity)

    def for_expression(self, node: ForExpr, module: str, extra: Scope | None) -> Value:
        """`[for ...]` / `{for ...}` over a known collection (maps in key order, as
        Terraform iterates them); unknown, naming its references, when the collection,
        a condition or a key is unknown."""
        shape, names = node.shape, node.names
        collection_node, key_node, value_node = node.collection, node.key, node.value
        condition_node = node.condition
        collection = self.node(collection_node, module, extra)
        pairs = iteration_pairs(collection)
        if pairs is None:
            return unknown_from(collection)
        items: list[Value] = []
        keys: list[str] = []
        for key, value in pairs[:MAX_INSTANCES]:
            bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
            scope = {**(extra or {}), **bound}
            if condition_node is not NONE:
                test = self.node(condition_node, module, scope)
                if not wholly_known(test):
                    return unknown_from(test, collection)
                if not condition(test):
                    continue
            if shape == "object":
                item_key = self.node(key_node, module, scope)
                if not wholly_known(item_key):
                    return unknown_from(item_key, collection)
                item_key = interpolation_text(item_key)
                if item_key in keys:
                    raise EvalError(f"two items produced the key {item_key!r}")
                keys.append(item_key)
            items.append(self.node(value_node, module, scope))
        if shape == "object":
            return dict(zip(keys, items, strict=True))
        return items

    def conditional(self, node: CondExpr, module: str, extra: Scope | None) -> Value:
        """`c ? a : b`. A known condition picks one result (the other's errors do not count);
        an unknown one gives an unknown value that keeps what both results share: their
        shape where both are lists of one length or maps of the same keys, and their
        references, so graph rules still see the edges either way."""
        test = self.node(node.test, module, extra)
        if not wholly_known(test):
            # Terraform reports neither result's errors until the condition is known
            yes, no = (self.attempt(n, module, extra) for n in (node.yes, node.no))
            return either(yes, no)
        chosen, other = (node.yes, node.no) if condition(test) else (node.no, node.yes)
        value = self.node(chosen, module, extra)
        if _constant(other):
            # the results must have one type: `false ? "a" : 1` is "1", `true ? "a" : {}` fails
            value = as_value(unified([value, self.node(other, module, extra)])[0])
        return value

    def attempt(self, node: Node, module: str, extra: Scope | None) -> Value:
        """The node's value, or an unknown naming its references where it fails."""
        try:
            return self.node(node, module, extra)
        except EvalError:
            return Unknown(refs=tuple(expand_refs(node_refs(node))))

    def splat(self, node: SplatExpr, module: str, extra: Scope | None) -> Value:
        """`xs[*].a` (and the legacy `xs.*.a`): the steps applied to each element; a value that
        is not a list is one element, null none."""
        base = self.node(node.base, module, extra)
        if isinstance(base, Unknown):
            return unknown_from(base)
        if base is None:
            return []
        items = list(base) if isinstance(base, list) else [base]
        steps = node.each
        return [
            self.node(steps, module, {**(extra or {}), SPLAT_ITEM: item})
            for item in items[:MAX_INSTANCES]
        ]

    def call(self, node: CallExpr, module: str, extra: Scope | None) -> Value:
        """A function call: `try`/`can` see their arguments' errors, file functions read
        confined files, the rest are `checker.source.functions` (an error there is an
        `EvalError`, a case not evaluated is unknown, naming the calls it wraps)."""
        name = node.name
        if name in FILE_FUNCTIONS:
            return self.file_call(node, module, extra)
        if name == "try":
            return self.try_(node, module, extra)
        if name == "can":
            return self.can(node, module, extra)
        args = self.arguments(node, module, extra)
        function = self.functions.get(name)
        if isinstance(args, Unknown):
            return unknown_call(name, [args])
        if function is None:
            return unknown_call(name, [*args])
        try:
            return as_value(function(*args))
        except EvalError:
            raise
        except Exception:  # a case the function table does not evaluate exactly: unknown
            return unknown_call(name, [*args])

    def arguments(self, node: CallExpr, module: str, extra: Scope | None) -> list[Value] | Unknown:
        """The evaluated arguments, a last `list...` spread into them (unknown when it is)."""
        args = [self.node(a, module, extra) for a in node.args if not isinstance(a, ExpandArg)]
        last = node.args[-1] if node.args else None
        if isinstance(last, ExpandArg):
            spread = self.node(last.inner, module, extra)
            if isinstance(spread, Unknown):
                return unknown_from(*args, spread)
            if not isinstance(spread, list):
                raise EvalError("only a list, set or tuple can be expanded with `...`")
            args.extend(spread)
        return args

    def try_(self, node: CallExpr, module: str, extra: Scope | None) -> Value:
        """`try(a, b, ...)`: the first argument that does not fail, known or not.

        An argument Terraform can evaluate only after apply is returned as it is (its
        references kept): Terraform cannot tell yet whether it will fail, so neither
        does the checker, and a fallback is never taken for a value it cannot see.
        """
        for arg in node.args:
            try:
                return self.node(arg, module, extra)
            except EvalError:
                continue
        raise EvalError("try(): no expression succeeded")

    def can(self, node: CallExpr, module: str, extra: Scope | None) -> Value:
        """`can(x)`: false when x fails, true when it succeeds known, unknown until then."""
        if len(node.args) != 1:
            raise EvalError("can() takes one argument")
        try:
            value = self.node(node.args[0], module, extra)
        except EvalError:
            return False
        return True if wholly_known(value) else unknown_from(value)

    def file_call(self, node: CallExpr, module: str, extra: Scope | None) -> Value:
        """`file`, `templatefile`, `fileexists`, `filebase64` and the hashes of files.

        Paths resolve against the module's directory and stay inside the source
        root (see `checker.source.files`); a refused read is unknown with a note.
        """
        name = node.name
        path = self.node(node.args[0], module, extra) if node.args else UNKNOWN
        source = self.module(module)
        if not isinstance(path, str) or source is None:
            return UNKNOWN
        if name == "fileexists":
            exists = self.files.exists(source.directory, path)
            return UNKNOWN if exists is None else exists
        data = self.files.read_bytes(source.directory, path)
        if data is None:
            return UNKNOWN
        if name in FILE_HASHES:
            return FILE_HASHES[name](data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return UNKNOWN
        if name == "file":
            return text
        if self._in_template_file:
            self.note("templatefile() inside a template is not evaluated (Terraform refuses it)")
            return UNKNOWN
        variables = self.node(node.args[1], module, extra) if len(node.args) > 1 else {}
        if not isinstance(variables, dict):
            return UNKNOWN
        self._in_template_file = True
        try:
            return self.template(text, module, {**(extra or {}), **variables}, escapes=False)
        finally:
            self._in_template_file = False


def _constant(node: Node) -> bool:
    """An empty literal, tuple or object, or a template without interpolation: a result
    whose type the other result of a conditional is unified with."""
    match node:
        case Lit():
            return True
        case TupleExpr(items):
            return not items
        case ObjectExpr(pairs):
            return not pairs
        case TemplateExpr(body):
            return "${" not in body
        case _:
            return False
