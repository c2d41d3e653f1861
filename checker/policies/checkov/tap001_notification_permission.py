"""CKV_TAP_001 (TAP001): each Lambda target of an S3 notification has an S3 permission the notification depends on."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

import tap_common as t

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class NotificationPermission(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="TAP001: S3 notification has a matching Lambda permission and depends on it",
            id="CKV_TAP_001",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_s3_bucket_notification"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        entries = t.blocks(conf, "lambda_function")
        if not entries:
            return t.PASSED
        functions = t.linked(self.graph, conf, "lambda_function", "aws_lambda_function")
        if not functions:  # targets written as known ARNs (an update plan)
            arns = {t.first(entry.get("lambda_function_arn")) for entry in entries}
            functions = [
                (a, fn)
                for a, fn in t.nodes(self.graph, "aws_lambda_function", near=conf)
                if t.first(fn.get("arn")) in arns and not t.is_unknown(t.first(fn.get("arn")))
            ]
        alias = alias_node(self.graph, conf, "lambda_function")
        if not functions and alias is not None:  # the target is an alias of a function
            functions = alias_function(self.graph, alias)
        if not functions:
            return t.UNKNOWN  # the targets are not resources of this plan, or hidden
        buckets = [a for a, _ in t.linked(self.graph, conf, "bucket", "aws_s3_bucket")]
        name = t.first(conf.get("bucket"))
        depends = t.depends_on(conf)
        verdict = t.PASSED
        for function, fn in functions:
            # the qualifier the notification invokes (one target: the common case)
            mine = (
                qualifier_of(
                    self.graph,
                    conf,
                    "lambda_function",
                    entries[0].get("lambda_function_arn"),
                    fn,
                    entries[0],
                )
                if len(entries) == 1
                else ""
            )
            verdicts = {
                address: self._grants(perm, buckets, name, mine, fn)
                for address, perm in t.nodes(self.graph, "aws_lambda_permission", near=conf)
                if t.first(perm.get("principal")) == "s3.amazonaws.com"
                and names_function(self.graph, perm, (function, fn))
            }
            permissions = [a for a, v in verdicts.items() if v == t.PASSED]
            maybe = [a for a, v in verdicts.items() if v == t.UNKNOWN]
            if not permissions and not maybe:
                return t.fail(
                    self,
                    f"no s3.amazonaws.com permission for {function} limited to this bucket "
                    "on the function ARN the notification invokes",
                    "an aws_lambda_permission with action lambda:InvokeFunction, the "
                    "notification's qualifier and source_arn = the bucket's ARN",
                )
            if depends is None:
                verdict = t.UNKNOWN  # a plain plan does not carry depends_on
            elif blocks(permissions) & blocks(depends):
                continue  # ordered after a permission that covers the call
            elif blocks(maybe) & blocks(depends):
                verdict = t.UNKNOWN  # ordered after one that may cover it
            elif {d for d in blocks(depends) if ".aws_lambda_permission." in f".{d}"} - blocks(
                list(verdicts)
            ):
                # ordered after a permission checkov's graph does not show for this module
                # call (two calls of one module source share its nodes): not judged here
                verdict = t.UNKNOWN
            else:
                return t.fail(
                    self,
                    f"depends_on does not name {(permissions or maybe)[0]}",
                    f"depends_on = [{(permissions or maybe)[0]}]",
                )
        return verdict

    def _grants(
        self, perm: dict[str, Any], buckets: list[str], name: Any, mine: str | None, fn: Any
    ) -> CheckResult:
        """Action, qualifier and source ARN of one permission against the notification."""
        verdicts = [
            {True: t.PASSED, False: t.FAILED, None: t.UNKNOWN}[invoke_allowed(perm.get("action"))],
            covered(mine, permission_qualifier(self.graph, perm, fn)),
            self._for_bucket(perm, buckets, name),
        ]
        if t.FAILED in verdicts:
            return t.FAILED
        return t.UNKNOWN if t.UNKNOWN in verdicts else t.PASSED

    def _for_bucket(self, perm: dict[str, Any], buckets: list[str], name: Any) -> CheckResult:
        raw = t.first(perm.get("source_arn"))
        if isinstance(raw, str) and "${" in raw:
            return self._pattern(perm, raw, buckets)
        if any(t.links_to(self.graph, perm, "source_arn", b) for b in buckets):
            return t.PASSED
        arn = t.first(perm.get("source_arn"))
        if arn is None or (isinstance(arn, str) and not t.is_unknown(arn)):
            if arn is not None and not (isinstance(name, str) and not t.is_unknown(name)):
                return t.UNKNOWN  # a known ARN against a bucket name the plan hides
            return t.PASSED if arn == f"arn:aws:s3:::{name}" else t.FAILED
        # hidden: another bucket's ARN is another bucket; anything else (a module's
        # `coalesce(var.bucket_arn, ...)`) is not decided here, nor is any bucket when the
        # notification's own is not linked (a local checkov's plan graph does not follow)
        if not buckets:
            return t.UNKNOWN
        origin = t.address_of(perm)
        others = [
            r
            for r in t.references(perm, "source_arn") + t.all_references(perm)
            if ".aws_s3_bucket." in f".{r}"
            and not any(t.same(origin, t.target(r), b) for b in buckets)
        ]
        return t.FAILED if others else t.UNKNOWN

    def _pattern(self, perm: dict[str, Any], raw: str, buckets: list[str]) -> CheckResult:
        """A source_arn template: S3 sends the bucket's ARN, matched with ArnLike, so
        `${bucket.arn}/*` never matches and `arn:aws:s3:::${bucket.bucket}` does."""
        origin = t.address_of(perm)
        hidden = False

        def piece(match: re.Match[str]) -> str:
            nonlocal hidden
            ref = match.group(1).strip()
            ours = any(t.same(origin, t.target(ref), b) for b in buckets)
            if ours and ref.endswith(".arn"):
                return "arn:aws:s3:::\u0002"
            if ours and ref.endswith((".bucket", ".id")):
                return "\u0002"
            if ".aws_s3_bucket." in f".{ref}" and ref.endswith(".arn"):
                return "arn:aws:s3:::\u0003"  # another bucket: another name
            hidden = True
            return "\u0004"

        text = re.sub(r"\$\{([^{}]*)\}", piece, raw)
        if hidden:
            return t.UNKNOWN
        want, have = text.split(":", 5), ["arn", "aws", "s3", "", "", "\x02"]
        if len(want) != 6:
            return t.FAILED
        like = all(fnmatchcase(h, w.replace("[", "[[]")) for w, h in zip(want, have, strict=True))
        return t.PASSED if like else t.FAILED


# ---- the ARN a permission covers and the ARN a caller invokes (Lambda compares both) ----
QUALIFIED = (".qualified_arn", ".qualified_invoke_arn")
ARN_NAME = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[^:]*:function:)?[^:]+(?::([^:/]+))?"
)
LATEST = "$LATEST"


def invoke_allowed(action: Any) -> bool | None:
    """Does a permission's action allow lambda:InvokeFunction (`lambda:*`, `*` do)?"""
    value = t.first(action)
    if not isinstance(value, str) or t.is_unknown(value) or "${" in value:
        return None
    return fnmatchcase("lambda:invokefunction", value.lower())


def alias_node(graph: Any, conf: dict[str, Any], attribute: str) -> dict[str, Any] | None:
    aliases = t.linked(graph, conf, attribute, "aws_lambda_alias")
    return aliases[0][1] if len(aliases) == 1 else None


def alias_function(graph: Any, alias: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = t.linked(graph, alias, "function_name", "aws_lambda_function")
    if found:
        return found
    name = t.first(alias.get("function_name"))
    return [
        (a, fn)
        for a, fn in t.nodes(graph, "aws_lambda_function", near=alias)
        if isinstance(name, str) and t.first(fn.get("function_name")) == name
    ]


def referenced(conf: dict[str, Any], attribute: str) -> str | None:
    """The one Lambda function or alias attribute a hidden value references (checkov's
    `references_`); None when none or several."""
    qualifier = (".version", ".name")
    refs = {
        r
        for r in t.all_references(conf)
        if any(f".{kind}." in f".{r}" for kind in ("aws_lambda_function", "aws_lambda_alias"))
        and t.target(r) != r
        and r.endswith(qualifier) == (attribute == "qualifier")
    }
    return refs.pop() if len(refs) == 1 else None


def qualifier_of(
    graph: Any,
    conf: dict[str, Any],
    attribute: str,
    value: Any,
    function: dict[str, Any],
    refs: dict[str, Any] | None = None,
) -> str | None:
    """The qualifier a function-ARN value (written in `conf.attribute`) names: "" none, a
    version or alias name, "version" (the version this apply publishes); None when hidden.
    `refs`: where checkov lists the references of a hidden value (a block), else `conf`."""
    raw = t.first(value)
    if raw is None or raw == t.AFTER_UNKNOWN:  # hidden: what checkov says it references
        raw = referenced(refs if refs is not None else conf, attribute)
    if not isinstance(raw, str):
        return None
    text = t.unwrap_interpolation(raw)
    if t.is_reference(text) and "${" not in text:
        alias = alias_node(graph, conf, attribute)
        if alias is not None:
            name = t.first(alias.get("name"))
            return name if isinstance(name, str) and not t.is_unknown(name) else None
        if text.endswith(QUALIFIED):
            return "version" if t.first(function.get("publish")) is True else LATEST
        if text.endswith(".version"):
            return "version"
        return ""
    if "${" in raw:
        return None
    match = re.search(r"/functions/(.+)/invocations$", raw)
    arn = ARN_NAME.match(match.group(1) if match else raw)
    return (arn.group(1) or "") if arn else None


def covered(mine: str | None, theirs: str | None) -> CheckResult:
    """Does a permission on qualifier `theirs` cover calls through qualifier `mine`?"""
    if mine is None or theirs is None or {mine, theirs} == {"", LATEST}:
        return t.UNKNOWN if mine != theirs else t.PASSED
    if mine == theirs:
        return t.PASSED
    if "version" in (mine, theirs) and "" not in (mine, theirs) and LATEST not in (mine, theirs):
        return t.UNKNOWN
    return t.FAILED


def permission_qualifier(graph: Any, perm: dict[str, Any], function: dict[str, Any]) -> str | None:
    qualifier = t.first(perm.get("qualifier"))
    if qualifier in (None, ""):
        return qualifier_of(graph, perm, "function_name", perm.get("function_name"), function)
    literal = isinstance(qualifier, str) and not t.is_unknown(qualifier) and "${" not in qualifier
    # a version or alias name (Lambda: [a-zA-Z0-9$_-]+); `each.value.qualifier` is a reference
    if literal and re.fullmatch(r"[A-Za-z0-9$_-]+", str(qualifier)):
        return str(qualifier)
    if literal:
        return None
    return qualifier_of(graph, perm, "qualifier", qualifier, function)


def names_function(graph: Any, perm: dict[str, Any], function: tuple[str, dict[str, Any]]) -> bool:
    """The permission's function_name names the function, directly or through an alias."""
    if t.names_function(graph, perm, "function_name", function):
        return True
    alias = alias_node(graph, perm, "function_name")
    return alias is not None and function[0] in [a for a, _ in alias_function(graph, alias)]


def blocks(addresses: list[str]) -> set[str]:
    """The resource blocks addresses name: depends_on names a block (all its instances),
    never an instance key (`allow["csv"]` is ordered by `depends_on = [allow]`)."""
    return {re.sub(r"\[[^\]]*\]$", "", a) for a in addresses}


check = NotificationPermission()
