"""Real plans of a stack's history, written by Terraform against moto: `./dev fixtures --history`.

For every mutation of `tests/mutations.py`, the mutated stack is applied, then planned twice:
- `tests/fixtures/real/history/<mutation>.inherited.json.gz`: the mutation kept, with one
  unrelated change (the function's memory size), so every finding of the mutation is
  inherited from the prior state;
- `tests/fixtures/real/history/<mutation>.fixed.json.gz`: the canonical stack, so the
  plan fixes every finding of the mutation.
The plan that introduces each mutation is `tests/fixtures/real/<mutation>.update.json.gz`
(planned against the applied clean stack, `tests.terraform.fixtures`). A mutation AWS
refuses to create (the incident itself: a deployment of an API without methods) has no
applied state; the index records the refusal instead.
`index.json` keys each pair by the digest of its inputs; a test fails when they drift.

Drift, made the way it happens: a stack applied, then changed outside Terraform through the
AWS API (moto's), then planned again (`--drift`):
- `drift-overwrites.json.gz`: the canonical stack with point-in-time recovery turned off
  and the function's log retention removed out of band; its configuration sets both, so
  the plan sets them back;
- `drift-keeps.json.gz`: `tap010-pitr-block-missing` applied (no recovery block), then
  recovery turned on out of band; the provider keeps an unset Optional+Computed block's
  value, so the plan keeps the drifted one.

The stack corpus (`tests/stacks/`, `--corpus [STACK ...]`): for every mutation of every
stack, the mutated files applied, then planned with one unrelated change (a `terraform_data`
resource added in a file of its own, so no file of the stack changes) and planned back to the
clean stack, written as `tests/fixtures/stacks/<stack>/<mutation>.inherited.json.gz` and
`.fixed.json.gz`, keyed in `tests/fixtures/stacks/history-index.json`; the plan that
introduces each is the corpus' own `<mutation>.update.json.gz`.

Each worker has its own moto server, reset before each mutation, so stacks never collide.

Run: `python -m tests.terraform.history [--only ID ...] [--jobs N] [--drift] [--corpus [STACK ...]]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.terraform.corpus import OUT as CORPUS_OUT
from tests.terraform.fixtures import (
    REAL,
    StackInputs,
    canonical_inputs,
    mutation_inputs,
    write_json,
)
from tests.terraform.harness import MotoServer, TerraformError, Workspace, build_mirror

HISTORY = REAL / "history"
INDEX = HISTORY / "index.json"
DRIFT_INDEX = HISTORY / "drift-index.json"
UNRELATED = ("  memory_size      = 256", "  memory_size      = 512")


def inherited_inputs(mutation_id: str) -> StackInputs:
    """The mutated stack with one change no rule judges."""
    mutated = mutation_inputs(mutation_id)
    old, new = UNRELATED
    assert old in mutated.tf, f"{mutation_id}: {old.strip()!r} not in the mutated stack"
    return StackInputs(mutated.tf.replace(old, new, 1), mutated.handler)


UNAPPLIABLE = "cannot be applied: "
# errors that are the incident itself, AWS refusing the mutated stack (not a flake)
REFUSALS = ("BadRequestException", "No integration defined for method")


def _refused(error: str) -> str:
    """The API's refusal in a failed apply, when it is one of `REFUSALS`."""
    for line in error.splitlines():
        if any(code in line for code in REFUSALS):
            return re.sub(r"RequestID: [^,]+, ", "", line.strip())[:300]
    return ""


def history_digest(mutation_id: str) -> str:
    """What the pair of plans depends on: the applied, the inherited and the fixed inputs."""
    parts = (
        mutation_inputs(mutation_id).digest(),
        inherited_inputs(mutation_id).digest(),
        canonical_inputs().digest(),
    )
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


class Worker:
    """One moto server and one Terraform mirror for one thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.cli_config = build_mirror(folder)
        self.moto = MotoServer()
        self.moto.start(folder / "moto.log")

    def workspace(self, name: str, inputs: StackInputs) -> Workspace:
        workspace = Workspace(inputs.write(self.folder / name), self.cli_config, self.moto)
        workspace.init()
        return workspace

    def history(self, mutation_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(inherited plan, fixed plan) of the applied mutation."""
        self.moto.reset()
        applied = self.workspace(f"{mutation_id}-applied", mutation_inputs(mutation_id))
        applied.plan()
        applied.apply("tfplan")
        state = (applied.directory / "terraform.tfstate").read_bytes()
        plans = []
        for kind, inputs in (
            ("inherited", inherited_inputs(mutation_id)),
            ("fixed", canonical_inputs()),
        ):
            workspace = self.workspace(f"{mutation_id}-{kind}", inputs)
            (workspace.directory / "terraform.tfstate").write_bytes(state)
            plans.append(workspace.plan())
        return plans[0], plans[1]


DRIFTS = {
    "overwrites": (
        None,
        "dynamodb update_continuous_backups PointInTimeRecoveryEnabled=False; "
        "logs delete_retention_policy of the function's log group",
    ),
    "keeps": ("tap010-pitr-block-missing", "dynamodb update_continuous_backups enabled=True"),
}


def drift_digest(name: str) -> str:
    mutation, action = DRIFTS[name]
    inputs = mutation_inputs(mutation) if mutation else canonical_inputs()
    return hashlib.sha256(f"{inputs.digest()}\0{action}".encode()).hexdigest()[:16]


def _drift_outside_terraform(worker: Worker, name: str, state: dict[str, Any]) -> None:
    """The out-of-band change of drift `name`, through the AWS API."""
    resources = {r["type"]: r for r in state["resources"] if r["mode"] == "managed"}
    table = resources["aws_dynamodb_table"]["instances"][0]["attributes"]["name"]
    dynamodb = worker.moto.client("dynamodb")
    enabled = name == "keeps"
    dynamodb.update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": enabled},
    )
    if name == "overwrites":
        groups = [r for r in state["resources"] if r["type"] == "aws_cloudwatch_log_group"]
        for group in groups:
            attributes = group["instances"][0]["attributes"]
            if attributes["name"].startswith("/aws/lambda/"):
                worker.moto.client("logs").delete_retention_policy(logGroupName=attributes["name"])


def regenerate_drift(folder: Path) -> int:
    worker = Worker(folder / "drift")
    index: dict[str, str] = {}
    try:
        for name, (mutation, _action) in DRIFTS.items():
            worker.moto.reset()
            inputs = mutation_inputs(mutation) if mutation else canonical_inputs()
            applied = worker.workspace(f"drift-{name}", inputs)
            applied.plan()
            applied.apply("tfplan")
            state = json.loads((applied.directory / "terraform.tfstate").read_text())
            _drift_outside_terraform(worker, name, state)
            write_json(HISTORY / f"drift-{name}.json.gz", applied.plan("drifted"))
            index[name] = drift_digest(name)
            print(f"wrote drift-{name}", file=sys.stderr, flush=True)
    finally:
        worker.moto.stop()
    DRIFT_INDEX.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n")
    return 0


@dataclass(frozen=True)
class Job:
    """One mutation to apply and plan twice: its index key, its plans' digest, where the
    inherited and fixed plans go, and how a worker makes them."""

    key: str
    digest: str
    inherited: Path
    fixed: Path
    plans: Callable[[Worker], tuple[dict[str, Any], dict[str, Any]]]


def run_jobs(jobs: list[Job], index_path: Path, workers_count: int) -> int:
    """Each job on a worker of its own thread (its own moto), the index written as plans
    land; a refusal that is the incident itself is recorded, any other error reported."""
    index: dict[str, str] = json.loads(index_path.read_text()) if index_path.exists() else {}
    failures: list[str] = []
    local = threading.local()
    workers: list[Worker] = []
    lock = threading.Lock()

    def record(key: str, value: str) -> None:
        with lock:
            index[key] = value
            index_path.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n")

    with tempfile.TemporaryDirectory(prefix="checker-history-") as tmp:

        def one(job: Job) -> None:
            if not hasattr(local, "worker"):
                with lock:
                    local.worker = Worker(Path(tmp) / f"worker-{len(workers)}")
                    workers.append(local.worker)
            try:
                inherited, fixed = job.plans(local.worker)
            except TerraformError as error:
                refused = _refused(str(error))
                if refused:  # AWS (moto) refuses the mutated stack: there is no applied state
                    record(job.key, f"{job.digest} {UNAPPLIABLE}{refused}")
                    print(f"{job.key}: cannot be applied: {refused}", file=sys.stderr)
                    return
                failures.append(f"{job.key}: {str(error)[:800]}")
                return
            write_json(job.inherited, inherited)
            write_json(job.fixed, fixed)
            record(job.key, job.digest)
            print(f"wrote {job.key}", file=sys.stderr, flush=True)

        try:
            with ThreadPoolExecutor(max_workers=workers_count) as pool:
                list(pool.map(one, jobs))
        finally:
            for worker in workers:
                worker.moto.stop()
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def regenerate(only: list[str], jobs: int) -> int:
    from tests.mutations import MUTATIONS

    wanted = [
        Job(
            m.id,
            history_digest(m.id),
            HISTORY / f"{m.id}.inherited.json.gz",
            HISTORY / f"{m.id}.fixed.json.gz",
            partial(Worker.history, mutation_id=m.id),
        )
        for m in MUTATIONS
        if not only or m.id in only
    ]
    return run_jobs(wanted, INDEX, jobs)


CORPUS_INDEX = CORPUS_OUT / "history-index.json"
# the inherited plan's one unrelated change: a resource no rule judges, in a file of its own
UNRELATED_FILE = "zz_history_unrelated.tf"
UNRELATED_RESOURCE = 'resource "terraform_data" "unrelated" {\n  input = "history"\n}\n'


def corpus_history_digest(stack: Stack, mutation: StackMutation) -> str:
    parts = (stack.digest(mutation), UNRELATED_RESOURCE, stack.digest())
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def corpus_key(stack: Stack, mutation: StackMutation) -> str:
    return f"{stack.name}/{mutation.id}"


def corpus_history(
    worker: Worker, stack: Stack, mutation: StackMutation
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(inherited plan, fixed plan) of one applied corpus mutation, in one workspace."""
    worker.moto.reset()
    s3 = worker.moto.client("s3")
    for bucket, key, file in stack.published:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=(stack.directory / file).read_bytes())
    directory = stack.write(worker.folder / f"{stack.name}-{mutation.id}", mutation)
    workspace = Workspace(directory, worker.cli_config, worker.moto)
    workspace.init()
    workspace.plan()
    workspace.apply("tfplan")
    unrelated = directory / UNRELATED_FILE
    unrelated.write_text(UNRELATED_RESOURCE, encoding="utf-8")
    inherited = workspace.plan("inherited")
    unrelated.unlink()
    stack.write(directory, None)
    fixed = workspace.plan("fixed")
    return inherited, fixed


def regenerate_corpus(stacks: list[str], jobs: int, only: list[str]) -> int:
    folder = CORPUS_OUT
    wanted = [
        Job(
            corpus_key(stack, mutation),
            corpus_history_digest(stack, mutation),
            folder / stack.name / f"{mutation.id}.inherited.json.gz",
            folder / stack.name / f"{mutation.id}.fixed.json.gz",
            partial(corpus_history, stack=stack, mutation=mutation),
        )
        for stack in CORPUS
        if not stacks or stack.name in stacks
        for mutation in stack.mutations
        if not only or mutation.id in only
    ]
    return run_jobs(wanted, CORPUS_INDEX, jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="mutation IDs to regenerate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--drift", action="store_true", help="only the drift plans")
    parser.add_argument(
        "--corpus", nargs="*", default=None, help="the stack corpus' mutations (stack names)"
    )
    args = parser.parse_args()
    if args.corpus is not None:
        sys.exit(regenerate_corpus(args.corpus, args.jobs, args.only))
    if args.drift:
        with tempfile.TemporaryDirectory(prefix="checker-drift-") as tmp:
            sys.exit(regenerate_drift(Path(tmp)))
    sys.exit(regenerate(args.only, args.jobs))


if __name__ == "__main__":
    main()
