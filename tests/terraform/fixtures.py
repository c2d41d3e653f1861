"""Real plans for the tests, written by Terraform against moto: `./dev fixtures`.

- `tests/fixtures/plans/tap_stack.plan.json`: the create plan of `tap_stack.tf`.
- `tests/fixtures/plans/tap_stack.update.plan.json`: an update plan after a real
  apply (`prior_state`, `resource_drift` after refresh, an update, a replace and
  a delete): the applied stack has one extra log group and the planned one
  renames the table and changes a retention.
- `tests/fixtures/real/<mutation>.create.json.gz` and `.update.json.gz`: every
  mutation of `tests/mutations.py` applied to the HCL only, planned from nothing
  and planned against the applied clean stack. `index.json` keys each by the
  digest of its `.tf` and handler inputs; a test fails when they drift.

Run: `python -m tests.terraform.fixtures [--only ID ...] [--jobs N]`.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.terraform.harness import MotoServer, TerraformError, Workspace, build_mirror

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "tests" / "fixtures" / "plans"
REAL = ROOT / "tests" / "fixtures" / "real"
CREATE_FIXTURE = PLANS / "tap_stack.plan.json"
UPDATE_FIXTURE = PLANS / "tap_stack.update.plan.json"
INDEX = REAL / "index.json"

EXTRA_LOG_GROUP = """
resource "aws_cloudwatch_log_group" "retired" {
  name              = "/tap/${local.stack_name}/retired"
  retention_in_days = 7
  kms_key_id        = aws_kms_key.main.arn
}
"""
UPDATE_EDITS = (
    ("retention_in_days = 14", "retention_in_days = 30"),
    ('name         = "${local.stack_name}-records"', 'name         = "${local.stack_name}-items"'),
)


@dataclass(frozen=True)
class StackInputs:
    """The files of one stack variant: `tap_stack.tf` and the handler."""

    tf: str
    handler: str

    def digest(self) -> str:
        return hashlib.sha256(f"{self.tf}\0{self.handler}".encode()).hexdigest()[:16]

    def write(self, folder: Path) -> Path:
        (folder / "lambda").mkdir(parents=True, exist_ok=True)
        (folder / "tap_stack.tf").write_text(self.tf, encoding="utf-8")
        (folder / "lambda" / "index.py").write_text(self.handler, encoding="utf-8")
        return folder


def canonical_inputs() -> StackInputs:
    return StackInputs(
        (ROOT / "tap_stack.tf").read_text(encoding="utf-8"),
        (ROOT / "lambda" / "index.py").read_text(encoding="utf-8"),
    )


def mutation_inputs(mutation_id: str) -> StackInputs:
    from tests.mutations import MUTATIONS

    mutation = next(m for m in MUTATIONS if m.id == mutation_id)
    base = canonical_inputs()
    return StackInputs(mutation.source(base.tf), mutation.handler_source(base.handler))


def update_inputs() -> StackInputs:
    base = canonical_inputs()
    text = base.tf
    for old, new in UPDATE_EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    return StackInputs(text, base.handler)


def fixture_digests() -> dict[str, str]:
    """Index keys of the two canonical plans (the update one depends on what was applied too)."""
    applied = hashlib.sha256(EXTRA_LOG_GROUP.encode()).hexdigest()[:16]
    return {
        "(canonical)": canonical_inputs().digest(),
        "(update)": f"{update_inputs().digest()}+{applied}",
    }


PROVIDER_BLOCK = """provider "aws" {
  region = var.aws_region
  default_tags {
    tags = var.tags
  }
}
"""
ROOT_MODULE = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.6"
    }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = { Project = "tap", ManagedBy = "terraform" }
  }
}

module "tap" {
  source = "./tap"
%s}

output "tap" {
  value = module.tap
}
"""
# (name, instance arguments of the module block, mutation or None)
MODULE_SCENARIOS: tuple[tuple[str, str, str | None], ...] = (
    ("single", "", None),
    (
        "for-each",
        '  for_each           = toset(["blue", "green"])\n  environment_suffix = each.key\n',
        None,
    ),
    ("count", '  count              = 2\n  environment_suffix = "c${count.index}"\n', None),
    ("single-tap010-pitr-disabled", "", "tap010-pitr-disabled"),
    (
        "for-each-tap001-no-depends-on",
        '  for_each           = toset(["blue", "green"])\n  environment_suffix = each.key\n',
        "tap001-no-depends-on",
    ),
    (
        "count-tap009-counted-notification",
        '  count              = 2\n  environment_suffix = "c${count.index}"\n',
        "tap009-counted-notification",
    ),
    (
        "for-each-tap003-via-service-other-region",
        '  for_each           = toset(["a"])\n  environment_suffix = each.key\n',
        "tap003-via-service-other-region",
    ),
)


@dataclass(frozen=True)
class ModuleStack:
    """The stack (or a mutation of it) as a child module, called once, by for_each or by count."""

    name: str
    arguments: str
    inner: StackInputs

    def digest(self) -> str:
        root = ROOT_MODULE % self.arguments
        return hashlib.sha256(f"{root}\0{self.inner.digest()}".encode()).hexdigest()[:16]

    def write(self, folder: Path) -> Path:
        child = self.inner.tf.replace(PROVIDER_BLOCK, "", 1)
        StackInputs(child, self.inner.handler).write(folder / "tap")
        (folder / "main.tf").write_text(ROOT_MODULE % self.arguments, encoding="utf-8")
        return folder


def module_stacks() -> list[ModuleStack]:
    return [
        ModuleStack(name, arguments, mutation_inputs(mutation) if mutation else canonical_inputs())
        for name, arguments, mutation in MODULE_SCENARIOS
    ]


def write_json(path: Path, plan: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(plan, indent=1, sort_keys=False) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        path.write_text(text, encoding="utf-8")


def read_plan(path: Path) -> dict[str, Any]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    plan: dict[str, Any] = json.loads(data)
    return plan


class Session:
    """One moto server, one mirror, and the applied clean stack whose state update plans use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cli_config = build_mirror(folder)
        self.moto = MotoServer()
        self.moto.start(folder / "moto.log")
        self.applied_state: Path | None = None

    def workspace(self, name: str, inputs: StackInputs) -> Workspace:
        directory = inputs.write(self.folder / name)
        workspace = Workspace(directory, self.cli_config, self.moto)
        workspace.init()
        return workspace

    def apply_clean(self, extra: str = "") -> Path:
        """Apply the canonical stack (plus `extra` HCL); keep its state for update plans."""
        base = canonical_inputs()
        workspace = self.workspace("applied", StackInputs(base.tf + extra, base.handler))
        workspace.plan()
        workspace.apply("tfplan")
        self.applied_state = workspace.directory / "terraform.tfstate"
        return self.applied_state

    def plans(self, name: str, inputs: StackInputs) -> tuple[dict[str, Any], dict[str, Any]]:
        """(create plan, update plan against the applied clean stack)."""
        created = self.workspace(f"{name}-create", inputs).plan()
        update = self.workspace(f"{name}-update", inputs)
        assert self.applied_state is not None
        shutil.copyfile(self.applied_state, update.directory / "terraform.tfstate")
        return created, update.plan()

    def close(self) -> None:
        self.moto.stop()


def finish(index: dict[str, Any], failures: list[str]) -> int:
    """Write the index, report what Terraform could not plan; the exit code."""
    INDEX.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n", encoding="utf-8")
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def regenerate_modules(jobs: int) -> int:
    """Create plans of the stack as a child module (once, for_each, count), some mutated."""
    index: dict[str, Any] = json.loads(INDEX.read_text()) if INDEX.exists() else {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="checker-fixtures-") as tmp:
        session = Session(Path(tmp))

        def one(stack: ModuleStack) -> None:
            folder = stack.write(Path(tmp) / f"module-{stack.name}")
            workspace = Workspace(folder, session.cli_config, session.moto)
            try:
                workspace.init()
                write_json(REAL / "modules" / f"{stack.name}.create.json.gz", workspace.plan())
            except TerraformError as error:
                failures.append(f"{stack.name}: {str(error)[:800]}")
                return
            index[f"module:{stack.name}"] = stack.digest()
            print(f"wrote module {stack.name}", file=sys.stderr)

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, module_stacks()))
        finally:
            session.close()
    return finish(index, failures)


def regenerate(only: list[str], jobs: int) -> int:
    from tests.mutations import MUTATIONS

    index: dict[str, Any] = json.loads(INDEX.read_text()) if INDEX.exists() and only else {}
    wanted = [m.id for m in MUTATIONS if not only or m.id in only]
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="checker-fixtures-") as tmp:
        session = Session(Path(tmp))
        try:
            if not only:
                session.apply_clean(EXTRA_LOG_GROUP)
                write_json(
                    CREATE_FIXTURE, session.workspace("canonical", canonical_inputs()).plan()
                )
                updated = session.workspace("canonical-update", update_inputs())
                shutil.copyfile(
                    session.applied_state or Path(), updated.directory / "terraform.tfstate"
                )
                write_json(UPDATE_FIXTURE, updated.plan())
                index.update(fixture_digests())
                print("wrote the canonical create and update plans", file=sys.stderr)
            session.moto.reset()
            session.apply_clean()

            def one(mutation_id: str) -> None:
                inputs = mutation_inputs(mutation_id)
                try:
                    created, updated = session.plans(mutation_id, inputs)
                except TerraformError as error:
                    failures.append(f"{mutation_id}: {str(error)[:800]}")
                    return
                write_json(REAL / f"{mutation_id}.create.json.gz", created)
                write_json(REAL / f"{mutation_id}.update.json.gz", updated)
                index[mutation_id] = inputs.digest()
                print(f"wrote {mutation_id}", file=sys.stderr)

            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, wanted))
        finally:
            session.close()
    return finish(index, failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="mutation IDs to regenerate")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--modules", action="store_true", help="only the module scenarios")
    args = parser.parse_args()
    if args.modules:
        sys.exit(regenerate_modules(args.jobs))
    code = regenerate(args.only, args.jobs)
    sys.exit(code or (regenerate_modules(args.jobs) if not args.only else 0))


if __name__ == "__main__":
    main()
