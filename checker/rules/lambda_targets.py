"""What a Lambda ARN invokes, compared as Lambda compares it: the function *and* its qualifier.

A Lambda permission covers only the ARN it was granted on: one added without a
qualifier covers calls through the function's unqualified ARN, one added with a
qualifier (or on a version or alias ARN) covers only calls through that version or
alias ARN ("If you use a qualifier, the invoker must use the full ARN of that
version or alias", AddPermission). So "which function does this ARN point at"
(`links.linked`) is not the question a permission answers; this module reads an
ARN-valued attribute (a function name, a function, version or alias ARN, an
invocation URI) as the text AWS would see, with a stable token where the plan
knows only which resource a piece comes from, and splits it into the function
and the qualifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

from checker.core.address import reference_target
from checker.plan.model import Instance
from checker.plan.values import Unknown, Value, is_known
from checker.rules.links import linked
from checker.rules.queries import RuleModel

FUNCTION = "aws_lambda_function"
ALIAS = "aws_lambda_alias"
BUCKET = "aws_s3_bucket"
PERMISSION = "aws_lambda_permission"
LATEST = "$LATEST"

# arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations
INVOCATION_URI = re.compile(
    r"^arn:[^:]+:apigateway:[^:]*:lambda:path/2015-03-31/functions/(?P<function>.+)/invocations$"
)
# a function name, ARN or partial ARN, a version or alias appended (AddPermission FunctionName)
FUNCTION_REF = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[^:]*:function:)?(?P<name>[^:]+)(?::(?P<qual>[^:]+))?$"
)
# a piece known only by where it comes from: \x02kind|address\x02 (":" kept out of the address)
TOKEN = re.compile("\u0002(\\w+)\\|([^\u0002]*)\u0002")


@dataclass(frozen=True)
class Target:
    """A function and the qualifier a caller uses on it ("" unqualified); `qualifier` is None
    when it cannot be told, and `hidden` says why."""

    function: Instance
    qualifier: str | None
    hidden: str = ""


@dataclass
class _Text:
    """An ARN's text with a token for each piece known only by where it comes from."""

    model: RuleModel
    origin: Instance
    # a full ARN whose function's own ARN is only known after apply: take the function of
    # that name (account and region unchecked); off, it is a function outside the plan
    by_name: bool = False

    @staticmethod
    def token(kind: str, inst: Instance, attribute: str = "") -> str:
        where = inst.address + (f"#{attribute}" if attribute else "")
        return f"\u0002{kind}|{where.replace(':', chr(3))}\u0002"

    def piece(self, match: re.Match[str]) -> tuple[str, Instance | None]:
        return match.group(1), self.model.instance(match.group(2).replace(chr(3), ":"))

    def render(self, value: Value) -> str | None:
        """The text of a value; None where a piece is hidden."""
        if isinstance(value, str):
            return value
        if not isinstance(value, Unknown):
            return None
        if value.reference is not None:
            return self.reference(value.reference)
        if value.parts is not None:
            texts = [p if isinstance(p, str) else self.render(p) for p in value.parts]
            if any(t is None for t in texts):
                return None
            return "".join(t for t in texts if t is not None)
        return None

    def reference(self, ref: str) -> str | None:
        target = reference_target(ref)
        if target is None:
            found = self.model.output_targets(ref)
        else:
            near = self.model.designated_by(target[0], near=self.origin.module_address)
            found = [(inst, target[1]) for inst in near if inst.exists]
        if len(found) != 1:
            return None
        inst, attribute = found[0]
        return self.attribute(inst, attribute[:1])

    def attribute(self, inst: Instance, attribute: tuple[str, ...]) -> str | None:
        """The text of `inst.attribute` for the attributes that name a Lambda function."""
        known = inst.get(*attribute) if attribute else None
        if inst.type == FUNCTION:
            return self._function(inst, attribute)
        if inst.type == ALIAS:
            return self._alias(inst, attribute)
        if inst.type == BUCKET and attribute in (("arn",), ("id",), ("bucket",)):
            name = self.render(self.model.settle(inst, "bucket"))
            text = name if name is not None else self.token("bucket", inst)
            return f"arn:aws:s3:::{text}" if attribute == ("arn",) else text
        if isinstance(known, str) or not attribute:
            return known if isinstance(known, str) else None
        # a value only apply tells (an account ID): the same token wherever it is used
        return self.token("value", inst, ".".join(attribute))

    def _function(self, inst: Instance, attribute: tuple[str, ...]) -> str | None:
        name = self.token("function", inst)
        arn = f"arn:aws:lambda:-:-:function:{name}"
        version = self.version(inst)
        qualified = None if version is None else f"{arn}:{version}"
        texts: dict[tuple[str, ...], str | None] = {
            (): name,
            ("function_name",): name,
            ("id",): name,
            ("arn",): arn,
            ("invoke_arn",): _invocation(arn),
            ("qualified_arn",): qualified,
            ("qualified_invoke_arn",): None if qualified is None else _invocation(qualified),
            ("version",): version,
        }
        if attribute in texts:
            return texts[attribute]
        known = inst.get(*attribute)
        return known if isinstance(known, str) else None

    def version(self, inst: Instance) -> str | None:
        """The version `qualified_arn` names: $LATEST unless `publish`, else the version
        this apply publishes (one token per function: the same on both sides)."""
        known = inst.get("version")
        if isinstance(known, str):
            return known
        publish = self.model.settle(inst, "publish")
        if publish is None or publish is False:
            return LATEST
        if publish is True:
            return self.token("version", inst)
        return None

    def _alias(self, inst: Instance, attribute: tuple[str, ...]) -> str | None:
        name = self.model.settle(inst, "name")
        alias = name if isinstance(name, str) else self.token("alias", inst)
        if attribute == ("name",):
            return alias
        function = self.render(self.model.settle(inst, "function_name"))
        if function is None:
            return None
        match = INVOCATION_URI.match(function)
        arn = match.group("function") if match else function  # a name or an ARN
        texts = {("arn",): f"{arn}:{alias}", ("invoke_arn",): _invocation(f"{arn}:{alias}")}
        if attribute in texts:
            return texts[attribute]
        if attribute == ("function_name",):
            return function
        known = inst.get(*attribute)
        return known if isinstance(known, str) else None

    def instance(self, text: str) -> Instance | None:
        """The function a function-name token stands for, or the function of that name."""
        match = TOKEN.fullmatch(text)
        if match is not None:
            kind, inst = self.piece(match)
            return inst if kind == "function" else None
        if TOKEN.search(text):
            return None
        attribute = "arn" if text.startswith("arn:") else "function_name"
        found = self.model.by_value(FUNCTION, attribute, text)
        if not found and attribute == "arn" and self.by_name:
            name = text.rsplit(":function:", 1)[-1]
            found = self.model.by_value(FUNCTION, "function_name", name)
        return found[0] if len(found) == 1 else None

    def plain(self, text: str) -> str:
        """A qualifier as a finding shows it."""

        def name(match: re.Match[str]) -> str:
            kind, inst = self.piece(match)
            where = inst.address if inst is not None else "?"
            return {"version": f"the version {where} publishes", "alias": f"{where}.name"}.get(
                kind, where
            )

        return TOKEN.sub(name, text)


def _invocation(arn: str) -> str:
    return f"arn:aws:apigateway:-:lambda:path/2015-03-31/functions/{arn}/invocations"


def split(text: str) -> tuple[str, str] | None:
    """(function, qualifier) of a function name, ARN or invocation URI: the function as its
    name, or as its unqualified ARN when the text is a full ARN (a name alone would also
    match a function of that name in another account or region)."""
    match = INVOCATION_URI.match(text)
    if match is not None:
        text = match.group("function")
    ref = FUNCTION_REF.match(text)
    if ref is None:
        return None
    name, qualifier = ref.group("name"), ref.group("qual") or ""
    if text.startswith("arn:") and not has_token(name):
        return text[: ref.end("name")], qualifier
    return name, qualifier


@dataclass(frozen=True)
class Invoked:
    """What an ARN-valued attribute invokes, with the tokens that make its qualifier readable."""

    targets: list[Target]
    text: _Text

    def show(self, qualifier: str) -> str:
        if qualifier == "":
            return "the unqualified function ARN"
        return f"qualifier {self.text.plain(qualifier)}"


def invoked(
    model: RuleModel, inst: Instance, path: tuple[str | int, ...], qualifier: Value = None
) -> Invoked:
    """The functions (and qualifiers) `inst.path` invokes; `qualifier` is a separate
    qualifier attribute's value (aws_lambda_permission.qualifier), which wins when set.
    Where the exact ARN is hidden the functions it points at come with qualifier None."""
    value = model.settle(inst, *path)
    found = invoked_value(model, inst, value, qualifier)
    if found.targets:
        return found
    functions = linked(model, inst, path, (FUNCTION,))
    for alias in linked(model, inst, path, (ALIAS,)):
        functions.extend(f for f in alias_functions(model, alias) if f not in functions)
    why = f"the exact ARN of {inst.address}.{_dotted(path)} {_hidden(value)}"
    return Invoked([Target(f, None, why) for f in functions], found.text)


def invoked_value(
    model: RuleModel, origin: Instance, value: Value, qualifier: Value = None, by_name: bool = False
) -> Invoked:
    """What an ARN-valued value written in `origin` invokes, read from its text; no target
    when the text is hidden or names no function of the plan."""
    text = _Text(model, origin, by_name)
    rendered = text.render(value)
    parsed = split(rendered) if rendered is not None else None
    function = text.instance(parsed[0]) if parsed is not None else None
    if parsed is None or function is None:
        return Invoked([], text)
    extra = text.render(qualifier) if qualifier not in (None, "") else ""
    qual = parsed[1] if extra == "" else extra
    hidden = "" if qual is not None else f"{origin.address} qualifier {_hidden(qualifier)}"
    return Invoked([Target(function, qual, hidden)], text)


def alias_functions(model: RuleModel, alias: Instance) -> list[Instance]:
    """The function an alias belongs to."""
    return linked(model, alias, ("function_name",), (FUNCTION,))


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def _hidden(value: Value) -> str:
    if isinstance(value, Unknown):
        if value.reference is None and value.parts is None and value.refs:
            return (
                f"is only known after apply (the plan names only its references, "
                f"{', '.join(value.refs[:2])}; the .tf sources settle its shape)"
            )
        return value.describe()
    return "is only known after apply" if not is_known(value) else "cannot be read"


def same_qualifier(a: str, b: str) -> bool | None:
    """Do two qualifiers name the same version or alias? None when only apply tells
    (a version this apply publishes against a literal version number)."""
    if a == b:
        return True
    if {a, b} == {"", LATEST}:
        return None  # see RuleMeta.limits of TAP001/TAP007
    if not TOKEN.search(a) and not TOKEN.search(b):
        return False
    if "" in (a, b) or LATEST in (a, b):
        return False
    return None


def has_token(text: str) -> bool:
    return TOKEN.search(text) is not None


def text_of_arn(model: RuleModel, inst: Instance, *path: str | int) -> str | None:
    """The text of an ARN-valued attribute, a token for each piece known only by the resource
    it comes from (a bucket whose name is only known after apply); None when hidden."""
    return _Text(model, inst).render(model.settle(inst, *path))


def arn_like(pattern: str, arn: str) -> bool | None:
    """IAM `ArnLike`: each of the six colon-separated parts matched on its own, with `*` and
    `?` wildcards. A token matches itself or a wildcard, and never another resource's token
    (two resources are two names); None when a token meets literal text (apply tells)."""
    want, have = pattern.split(":", 5), arn.split(":", 5)
    if len(want) != 6 or len(have) != 6:
        return False
    verdicts = [_part_like(w, h) for w, h in zip(want, have, strict=True)]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _part_like(pattern: str, part: str) -> bool | None:
    if fnmatchcase(part, pattern.replace("[", "[[]")):
        return True
    hidden = [m.group(0) for m in TOKEN.finditer(part)]
    if not hidden or any(token in pattern for token in hidden):
        return False
    if has_token(pattern) and not any(c in pattern for c in "*?"):
        return False
    return None


def arn_of(model: RuleModel, inst: Instance) -> str | None:
    """A resource's ARN as text, a token for a name only known after apply."""
    return _Text(model, inst).attribute(inst, ("arn",))


def attribute_text(model: RuleModel, inst: Instance, name: str) -> str | None:
    """An ARN-valued attribute of a resource as text (`execution_arn`), a token when only
    apply tells it."""
    return _Text(model, inst).attribute(inst, (name,))


INVOKE = "lambda:InvokeFunction"


def allows_invoke(action: Value) -> bool | None:
    """Does a permission's `action` allow lambda:InvokeFunction (`lambda:*`, `*` do; a
    different action such as lambda:InvokeFunctionUrl does not)? None when hidden."""
    if not isinstance(action, str):
        return None
    return fnmatchcase(INVOKE.lower(), action.lower())


@dataclass(frozen=True)
class Granted:
    """One aws_lambda_permission and what it covers."""

    permission: Instance
    target: Target
    invoked: Invoked


def permissions_by_target(model: RuleModel) -> dict[str, list[Granted]]:
    """aws_lambda_permission instances per function address (a view: built once per model)."""
    return model.view(_permissions_by_target)


def _permissions_by_target(model: RuleModel) -> dict[str, list[Granted]]:
    out: dict[str, list[Granted]] = {}
    for permission in model.resources(PERMISSION):
        found = invoked(
            model, permission, ("function_name",), model.settle(permission, "qualifier")
        )
        for target in found.targets:
            out.setdefault(target.function.address, []).append(Granted(permission, target, found))
    return out


def other_qualifier(
    grant: Granted, invoked: Invoked, target: Target, who: str
) -> tuple[bool | None, str] | None:
    """Why a permission does not cover the qualifier `who` invokes (False), or may not (None);
    None when it covers it."""
    ours, theirs = target.qualifier, grant.target.qualifier
    if ours is None or theirs is None:
        return None, (target.hidden if ours is None else grant.target.hidden)
    same = same_qualifier(ours, theirs)
    if same is True:
        return None
    why = (
        f"{grant.permission.address} covers {grant.invoked.show(theirs)}; {who} invokes "
        f"{invoked.show(ours)}"
    )
    if same is None and {ours, theirs} == {"", LATEST}:
        why += " (AWS documents no permission that covers a $LATEST-qualified ARN)"
    return same, why
