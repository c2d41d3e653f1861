"""The model of what exists before the plan: its `prior_state`, judged like the planned one.

An update plan carries the refreshed state its changes start from. Rules judge a model
built from it the same way as the planned model, and comparing the two verdicts tells a
finding the plan introduces from one it inherits or fixes (`checker.history`).

The prior model holds values only. The configuration the state was applied from is not
in the plan: Terraform writes only the new one, and it even rewrites a no-op resource's
stored dependencies from it before writing `prior_state` (terraform
internal/terraform/node_resource_plan_instance.go: "If this plan resulted in a NoOp ...
we can write them out now"). Data sources in `prior_state` are this plan's reads, made
with the new configuration: they are marked as read by the plan (evidence `plan`), so a
verdict that leans on them or on configuration is told apart from one that rests on the
prior state alone (`checker.history.Prior.trusted`).
"""

from __future__ import annotations

from dataclasses import replace

from checker.plan.build import module_resources, values_instance
from checker.plan.instances import Instance, OutputInfo
from checker.plan.model import PlanModel
from checker.plan.models import PlanDocument
from checker.plan.values import Value

# planned actions that leave an instance as it was
UNCHANGED = frozenset({"no-op", "read"})


def build_prior_model(doc: PlanDocument, planned: PlanModel) -> PlanModel | None:
    """The prior state as a model, or None when nothing managed exists before the plan
    (a create plan: every finding it has, it introduces)."""
    state = doc.prior_state.values if doc.prior_state is not None else None
    if state is None:
        return None
    resources = list(module_resources(state.root_module))
    if not any(res.mode == "managed" for res in resources):
        return None
    instances: list[Instance] = [
        values_instance(res, "read" if res.mode == "data" else "no-op", {}) for res in resources
    ]
    outputs = {
        name: OutputInfo(
            name=name, value=output.value, sensitive=output.sensitive, expression_references=()
        )
        for name, output in state.outputs.items()
    }
    return replace(
        planned,
        instances=instances,
        configs={},
        outputs=outputs,
        module_outputs={},
        module_inputs={},
        has_configuration=False,
        source=None,
    )


def changed_addresses(planned: PlanModel) -> frozenset[str]:
    """Instances the plan creates, updates, replaces or deletes."""
    return frozenset(i.address for i in planned.instances if i.action not in UNCHANGED)


def drifted_values(doc: PlanDocument) -> dict[str, tuple[dict[str, Value], dict[str, Value]]]:
    """Address -> (values as Terraform last stored them, values refreshed from the provider)
    of each managed resource `resource_drift` says changed outside Terraform."""
    out: dict[str, tuple[dict[str, Value], dict[str, Value]]] = {}
    for drift in doc.resource_drift:
        if drift.address is None or drift.change is None or drift.mode != "managed":
            continue
        before, after = drift.change.before, drift.change.after
        if isinstance(before, dict) and isinstance(after, dict):
            out[drift.address] = (before, after)
    return out


def stored_model(
    prior: PlanModel, drifted: dict[str, tuple[dict[str, Value], dict[str, Value]]]
) -> PlanModel:
    """The prior model with each drifted resource's values as Terraform last stored them."""
    instances = [
        replace(inst, values=drifted[inst.address][0]) if inst.address in drifted else inst
        for inst in prior.instances
    ]
    return replace(prior, instances=instances)
