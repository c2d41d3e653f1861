"""Whether an instance role's identity policies allow a write's request, as IAM evaluates
them, including resource patterns that only partly hide behind unknown values.
"""

from __future__ import annotations

from functools import cache, lru_cache

from checker.core.address import designates, reference_target
from checker.core.iam import resource_match
from checker.plan.values import Unknown
from checker.rules.ec2_write_targets import Target
from checker.rules.ec2_writers import HOLE
from checker.rules.iam import Statement, Tri, action_covered, any_true, resource_entries

# ------------------------------------------------------------------ IAM evaluation


def request_allowed(statements: list[Statement], action: str, target: Target) -> Tri:
    """May these identity statements make the request? An explicit Deny wins; an Allow or
    a Deny whose conditions the plan cannot evaluate leaves the answer open (IAM
    policy evaluation logic, within one account)."""
    allows: list[Tri] = []
    denied: list[Tri] = []
    for stmt in statements:
        applies = _applies(stmt, action, target)
        if applies is False:
            continue
        conditional = bool(stmt.conditions) or not isinstance(stmt.conditions, list)
        verdict: Tri = None if conditional else applies
        (allows if stmt.allows else denied).append(verdict)
    if True in denied:
        return False
    allowed = any_true(allows)
    if allowed is True and None in denied:
        return None
    return allowed


def _applies(stmt: Statement, action: str, target: Target) -> Tri:
    covered = action_covered(stmt, action)
    if covered is False:
        return False
    if stmt.resources is not None:
        resource = any_true([_entry_matches(e, target) for e in resource_entries(stmt)])
    elif isinstance(stmt.not_resources, list):
        excluded = any_true([_entry_matches(e, target) for e in stmt.not_resources])
        resource = None if excluded is None else not excluded
    else:
        resource = None if stmt.not_resources is not None else False
    if resource is False:
        return False
    return True if covered and resource else None


FOREIGN = "\x01"  # a reference to another resource: the entry names something else


def _entry_matches(entry: object, target: Target) -> Tri:
    """Does one Resource entry cover the target's ARN (IAM wildcards)?"""
    tied = False
    if isinstance(entry, Unknown) and entry.parts is None and entry.reference is None:
        return _shape_hidden(entry, target)
    if isinstance(entry, str):
        pattern = entry
    elif isinstance(entry, Unknown):
        pieces = entry.parts if entry.parts is not None else (entry,)
        out: list[str] = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            stands = _stands_for(piece, target)
            if stands is None or stands == FOREIGN:
                return None if stands is None else False
            tied = True
            out.append(stands)
        pattern = "".join(out)
    else:
        return False
    if resource_match(pattern, target.arn):
        return True
    if HOLE in target.arn and not tied:  # some value of the hidden parts may match
        return None if globs_intersect(pattern, target.arn) else False
    return False


@lru_cache(maxsize=4096)
def globs_intersect(pattern: str, value: str) -> bool:
    """Can one string match the IAM pattern (`*`, `?`) and the value, where HOLE stands
    for a name, an account or an ID (text without ':' or '/')? Memoised; ARNs are short."""

    @cache
    def walk(i: int, j: int) -> bool:
        if i == len(pattern) and j == len(value):
            return True
        a = pattern[i] if i < len(pattern) else ""
        b = value[j] if j < len(value) else ""
        if a == "*" and (walk(i + 1, j) or (b != "" and walk(i, j + 1))):
            return True
        if b == HOLE and (walk(i, j + 1) or (a not in ("", ":", "/") and walk(i + 1, j))):
            return True
        if a in ("", "*") or b in ("", HOLE):
            return False
        return (a == b or a == "?") and walk(i + 1, j + 1)

    return walk(0, 0)


def _shape_hidden(entry: Unknown, target: Target) -> Tri:
    """An entry the plan shows only by its references (`"${aws_s3_bucket.b.arn}/*"` and
    `aws_s3_bucket.b.arn` look alike there): read as the one reference it names, a match
    stands (nothing written around an ARN narrows it to another); a miss may be the
    template's text, so it is open. References to other resources only: no match."""
    refs = set(entry.refs)
    named = [r for r in refs if not any(o.startswith(f"{r}.") for o in refs)]
    stands = [_stands_for(Unknown.of_reference(r), target) for r in named]
    if named and all(s == FOREIGN for s in stands):
        return False
    if len(named) == 1 and stands[0] not in (None, FOREIGN):
        return True if resource_match(stands[0], target.arn) else None
    return None


def _stands_for(piece: Unknown, target: Target) -> str | None:
    """The text a reference stands for when it names the target; FOREIGN when it names
    another resource; None when it cannot be told (a variable, a data source, a call)."""
    if piece.reference is None:
        return None
    behind = target.model.output_targets(piece.reference) if target.model is not None else []
    if behind:  # a module's output: the resources behind it
        hits = [a for inst, a in behind if inst.address == target.instance.address]
        if not hits:
            return FOREIGN
        return target.attributes.get(hits[0][0]) if hits[0] else None
    found = reference_target(piece.reference)
    if found is None:
        return None
    address, attribute = found
    if not designates(address, target.instance.address):
        return None if address.startswith("data.") or ".data." in address else FOREIGN
    return target.attributes.get(attribute[0]) if attribute else None
