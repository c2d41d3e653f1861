"""Real plans of the stack corpus and the wiring families (`tests/stacks/`), written by
Terraform against moto.

For each stack: `clean.create` (planned from nothing), `clean.update` (planned
again after a real apply: prior state, refresh), and for each mutation
`<id>.create` and `<id>.update` (the mutated files planned against the applied
clean stack). `index.json` keys each plan by the digest of its files.

Run: `python -m tests.terraform.corpus [--stack NAME ...] [--jobs N]`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.stacks.corpus import CORPUS, Stack, StackMutation
from tests.stacks.families import FAMILIES
from tests.terraform.fixtures import ROOT, write_json
from tests.terraform.harness import MotoServer, TerraformError, Workspace, build_mirror

OUT = ROOT / "tests" / "fixtures" / "stacks"
INDEX = OUT / "index.json"


def plan_key(stack: Stack, mutation: StackMutation | None) -> str:
    return f"{stack.name}/{mutation.id if mutation else 'clean'}"


def generate(stack: Stack, folder: Path, cli: Path, moto: MotoServer, jobs: int) -> dict[str, str]:
    """Every plan of one stack; the index entries written."""
    written: dict[str, str] = {}

    def workspace(name: str, mutation: StackMutation | None) -> Workspace:
        directory = stack.write(folder / name, mutation)
        space = Workspace(directory, cli, moto)
        space.init()
        return space

    s3 = moto.client("s3")
    for bucket, key, file in stack.published:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=(stack.directory / file).read_bytes())
    applied = workspace("applied", None)
    write_json(OUT / stack.name / "clean.create.json.gz", applied.plan())
    applied.apply("tfplan")
    state = applied.directory / "terraform.tfstate"
    write_json(OUT / stack.name / "clean.update.json.gz", applied.plan("again"))
    written[plan_key(stack, None)] = stack.digest()

    def one(mutation: StackMutation) -> None:
        created = workspace(f"{mutation.id}-create", mutation).plan()
        update = workspace(f"{mutation.id}-update", mutation)
        shutil.copyfile(state, update.directory / "terraform.tfstate")
        updated = update.plan()
        write_json(OUT / stack.name / f"{mutation.id}.create.json.gz", created)
        write_json(OUT / stack.name / f"{mutation.id}.update.json.gz", updated)
        written[plan_key(stack, mutation)] = stack.digest(mutation)
        print(f"wrote {plan_key(stack, mutation)}", file=sys.stderr)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, stack.mutations))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", nargs="*", default=[], help="stack names (default: all)")
    parser.add_argument("--jobs", type=int, default=3)
    args = parser.parse_args()
    index: dict[str, Any] = json.loads(INDEX.read_text()) if INDEX.exists() else {}
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="checker-corpus-") as tmp:
        cli = build_mirror(Path(tmp))
        moto = MotoServer()
        moto.start(Path(tmp) / "moto.log")
        try:
            for stack in (*CORPUS, *FAMILIES):
                if args.stack and stack.name not in args.stack:
                    continue
                index = {k: v for k, v in index.items() if not k.startswith(f"{stack.name}/")}
                try:
                    index.update(generate(stack, Path(tmp) / stack.name, cli, moto, args.jobs))
                except TerraformError as error:
                    failures.append(f"{stack.name}: {str(error)[:1500]}")
                print(f"stack {stack.name} done", file=sys.stderr)
        finally:
            moto.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    INDEX.write_text(json.dumps(dict(sorted(index.items())), indent=1) + "\n", encoding="utf-8")
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
