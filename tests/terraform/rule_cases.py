"""Real create plans of the rule cases (`tests/rules/TAPnnn/*.toml`), written by Terraform against moto.

Run: `python -m tests.terraform.rule_cases [--rule TAP002] [--only NAME ...] [--jobs N]`.
Each rule folder's plans go to `tests/fixtures/rules/TAPnnn/` with an `index.json`
of the digests of their inputs (one index per rule, so rules are planned apart).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.rules.cases import PLANS_DIR, RuleCase, rule_cases
from tests.terraform.fixtures import Session, StackInputs, canonical_inputs, write_json
from tests.terraform.harness import TerraformError


def index_path(rule: str) -> Path:
    return PLANS_DIR / rule / "index.json"


def read_index(rule: str) -> dict[str, str]:
    path = index_path(rule)
    data: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    return data


def case_inputs(case: RuleCase) -> StackInputs:
    base = canonical_inputs()
    return StackInputs(case.source(base.tf), case.handler_source(base.handler))


def regenerate(rule: str | None, only: list[str], jobs: int) -> int:
    base = canonical_inputs()
    cases = [c for c in rule_cases(rule) if not only or c.name in only]
    stale = [c for c in cases if read_index(c.rule).get(c.name) != c.digest(base.tf, base.handler)]
    todo = cases if only else stale
    failures: list[str] = []
    written: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="checker-rule-cases-") as tmp:
        session = Session(Path(tmp))

        def one(case: RuleCase) -> None:
            inputs = case_inputs(case)
            try:
                plan = session.workspace(f"{case.rule}-{case.name}", inputs).plan()
            except TerraformError as error:
                failures.append(f"{case.id}: {str(error)[:800]}")
                return
            write_json(case.plan_path(), plan)
            written.setdefault(case.rule, {})[case.name] = inputs.digest()
            print(f"wrote {case.id}", file=sys.stderr)

        try:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                list(pool.map(one, todo))
        finally:
            session.close()
    for rule_id in {c.rule for c in cases}:
        index = read_index(rule_id)
        index.update(written.get(rule_id, {}))
        names = {c.name for c in rule_cases(rule_id)}
        index = {k: v for k, v in sorted(index.items()) if k in names}
        index_path(rule_id).parent.mkdir(parents=True, exist_ok=True)
        index_path(rule_id).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rule", help="one rule's folder (TAP002)")
    parser.add_argument("--only", nargs="*", default=[], help="case names to plan again")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sys.exit(regenerate(args.rule, args.only, args.jobs))


if __name__ == "__main__":
    main()
