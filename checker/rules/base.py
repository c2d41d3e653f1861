"""What a rule is: explicit metadata and a stateless check over the plan model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from checker.results import EngineName, Severity, Status

if TYPE_CHECKING:
    from checker.rules.queries import RuleModel

__all__ = [
    "EngineCoverage",
    "EngineName",
    "Result",
    "Rule",
    "RuleContext",
    "RuleMeta",
    "RuleOptions",
    "Severity",
    "Status",
]


@dataclass(frozen=True)
class EngineCoverage:
    """What an external engine's checks (checkov) or features (terraform-compliance) assert of
    the rule: `asserts` when they cover it (with `partial`: what they cannot assert, so the
    engine reports failures and never a pass), else `why` they leave it out. Which checks
    cover it comes from the checks and features themselves (`checker.engines.coverage`)."""

    engine: EngineName
    asserts: str = ""
    partial: str = ""
    why: str = ""


@dataclass(frozen=True, kw_only=True)
class RuleMeta:
    """Everything a report or a document says about a rule."""

    id: str
    title: str
    severity: Severity
    rationale: str
    remediation: str
    resource_types: tuple[str, ...] = ()
    incident: int = 0  # optional: the seed incident a built-in rule comes from
    # What AWS does that the rule models, where the fix's letter and AWS differ (and which the
    # rule follows), what it does not model, and the documents it follows (docs/rules.md).
    aws_model: str = ""
    letter_vs_aws: str = ""
    limits: str = ""
    references: tuple[str, ...] = ()
    # per external engine, what its checks assert of this rule or why they leave it out
    # (a built-in rule declares every engine; a pack's rules have no engine checks)
    engines: tuple[EngineCoverage, ...] = ()
    # why a failure the rule gives no edit for needs a person (`checker fix`): every failed
    # finding is then `fix: available` (its result's edits) or `manual: <this or its own>`
    needs_person: str = ""


@dataclass(frozen=True)
class SetValue:
    """A fix: write `expression` (HCL text) at `path` of the block of the resource at
    `address`: an argument (`("force_destroy",)`), or an argument of a nested block
    (`("point_in_time_recovery", "enabled")`), the block created when absent."""

    address: str
    path: tuple[str, ...]
    expression: str


@dataclass(frozen=True)
class AddDependsOn:
    """A fix: the block of the resource at `address` depends on the resource at `target`
    (an instance address in the same module), or on `local`, the reference of a block the
    same fix adds (`AddBlock`), which no plan holds yet."""

    address: str
    target: str = ""
    local: str = ""


@dataclass(frozen=True)
class AddBlock:
    """A fix: a new top-level block, `text` (formatted HCL whose references are local to the
    module), written after the block of the resource at `after`, in its file and module."""

    after: str
    text: str


@dataclass(frozen=True)
class RemoveBlock:
    """A fix: the nested block `path` of the resource at `address` removed (a setting that
    belongs in a resource of its own, which another edit of the same fix writes or which
    exists already)."""

    address: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class AddOutput:
    """A fix: `output "name" { value = value }` in the root module, after its last output
    (after the block of the resource at `near` when the module has none)."""

    name: str
    value: str
    near: str


@dataclass(frozen=True)
class AppendToList:
    """A fix: `items` (HCL texts) appended to the list written at `path` of the block of the
    resource at `address`; an int in `path` picks the nth nested block of the name before
    it (`("statement", 1, "actions")`)."""

    address: str
    path: tuple[str | int, ...]
    items: tuple[str, ...]


Edit = SetValue | AddDependsOn | AddBlock | RemoveBlock | AddOutput | AppendToList


@dataclass(frozen=True)
class NeedsPerson:
    """A failure no mechanical edit settles, and why (another team's key policy, a choice)."""

    reason: str


@dataclass(frozen=True)
class Result:
    """What a check yields for one resource; the engine turns it into a finding.

    A failed result says how it is fixed: `fix` holds the edits `checker fix` writes, or
    `NeedsPerson` with the reason; None when the rule says nothing of it."""

    status: Status
    address: str
    attribute: str
    found: str
    expected: str = ""
    remediation: str = ""
    note: str = ""
    # what is wrong, when it is not the resource's attribute itself: "ADDRESS" of another
    # block (a policy document), or "ADDRESS statement N" (`statement_origin`)
    origin: str = ""
    fix: tuple[Edit, ...] | NeedsPerson | None = None

    def fixed_by(self, *edits: Edit) -> Result:
        """This result with the edits that fix it."""
        return replace(self, fix=edits)

    def needs_person(self, reason: str) -> Result:
        """This result with the reason no edit fixes it."""
        return replace(self, fix=NeedsPerson(reason))

    @staticmethod
    def passed(address: str, attribute: str, found: str, note: str = "") -> Result:
        return Result(Status.PASSED, address, attribute, found, note=note)

    @staticmethod
    def failed(
        address: str,
        attribute: str,
        found: str,
        expected: str,
        remediation: str = "",
        *,
        origin: str = "",
    ) -> Result:
        return Result(
            Status.FAILED, address, attribute, found, expected, remediation, origin=origin
        )

    @staticmethod
    def unknown(
        address: str, attribute: str, found: str, expected: str = "", *, origin: str = ""
    ) -> Result:
        return Result(Status.UNKNOWN, address, attribute, found, expected, origin=origin)


def statement_origin(origin: str, index: int | None = None) -> str:
    """A result's `origin` for a policy statement: "ADDRESS statement N" (N from 0)."""
    if not origin:
        return ""
    return origin if index is None else f"{origin} statement {index}"


class RuleOptions(BaseModel):
    """A rule's options from `[tool.checker.rules.ID]`: typed, unknown keys refused.

    A rule with options subclasses this and names the subclass in `Rule.options`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    enabled: bool = Field(
        default=True, description="false: the rule is not run (named in every report)"
    )


@dataclass(frozen=True)
class RuleContext:
    """What a check may read: the model and this rule's validated options."""

    model: RuleModel
    options: RuleOptions = field(default_factory=RuleOptions)


CheckFunction = Callable[[RuleContext], Iterable[Result]]


def checked(model: RuleModel) -> str:
    """What a finding calls the thing checked: "this plan", or in static mode, where
    there is no plan (`RuleModel.static`), "this configuration"."""
    return "this configuration" if model.static else "this plan"


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: CheckFunction
    doc: str = ""
    options: type[RuleOptions] = RuleOptions
    pack: str = "tap (built-in)"  # set by the registry when the rule is loaded
