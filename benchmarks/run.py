"""The benchmark: `./dev bench` (or `.venv/bin/python -m benchmarks.run`).

For plans of 1k, 10k and 50k resources shaped like the canonical stack it
measures, in one run and on the same files: the native engine end to end as a
cold CLI process (load + model + 15 rules + JSON report), its peak memory, a
bare `json.loads` of the file (the floor), and checkov with the custom checks.
It also times the canonical plan through the CLI and the import time of
`checker --help`. Results go to stdout as a Markdown table, with the targets.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import write_plan

ROOT = Path(__file__).resolve().parents[1]
CHECKER = [sys.executable, "-m", "checker.cli"]
CANONICAL = ROOT / "tests" / "fixtures" / "plans" / "tap_stack.plan.json"


def _timed(command: list[str], timeout: float) -> tuple[float, int, int]:
    """Wall seconds, exit code and peak RSS (KiB) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False, cwd="/")
        code = done.returncode
    except subprocess.TimeoutExpired:
        return float("inf"), -1, 0
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, code, max(after, before)


def _peak_rss(command: list[str]) -> int:
    """Peak RSS of one process, measured in a fresh child (ru_maxrss of children is a max)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


def _bare_parse(path: Path, repeat: int = 3) -> float:
    best = float("inf")
    data = path.read_bytes()
    for _ in range(repeat):
        start = time.perf_counter()
        json.loads(data)
        best = min(best, time.perf_counter() - start)
    return best


def _native(path: Path, repeat: int) -> float:
    """Load + model + 15 rules + JSON report, in process (interpreter start excluded)."""
    from checker.config import CheckerConfig
    from checker.report.formats import ReportFormat, render
    from checker.run import CheckOptions, check_inputs

    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        report = check_inputs([str(path)], CheckOptions(), CheckerConfig())
        render(report, ReportFormat.json)
        best = min(best, time.perf_counter() - start)
    return best


def _checkov(path: Path, timeout: float) -> float:
    from checker.engines.checkov import CHECKS, find_checkov, policies_dir

    command = [
        find_checkov(), "--file", str(path), "--framework", "terraform_plan",
        "--external-checks-dir", str(policies_dir()), "--check", ",".join(CHECKS),
        "--output", "json", "--skip-download", "--compact", "--quiet",
    ]  # fmt: skip
    env_prefix = [
        "env",
        "EVAL_TF_PLAN_AFTER_UNKNOWN=1",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK=1",
        "BC_SKIP_MAPPING=TRUE",
    ]
    wall, code, _ = _timed([*env_prefix, *command], timeout)
    if wall == float("inf"):
        return wall  # timed out: reported as "> timeout"
    return wall if code in (0, 1) else float("nan")


def _fmt(seconds: float) -> str:
    if seconds == float("inf"):
        return "timeout"
    if seconds != seconds:
        return "failed"
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkov-timeout", type=float, default=1800)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--workdir", default=str(ROOT / ".benchmarks"))
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    canonical = min(
        _timed([*CHECKER, "check", str(CANONICAL), "--format", "json", "--config", os.devnull], 60)[
            0
        ]
        for _ in range(5)
    )
    help_time = min(_timed([*CHECKER, "--help"], 60)[0] for _ in range(5))
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}"
    )
    print(f"Canonical plan, cold CLI process, native engine: {_fmt(canonical)} (target < 0.5 s)")
    print(f"`checker --help`, cold process: {_fmt(help_time)}")
    print()
    print(
        "| resources | file | json.loads (floor) | native end to end | ratio to floor | peak RSS | RSS / file | checkov | checkov / native |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        path = write_plan(size, workdir)
        floor = _bare_parse(path)
        native = _native(path, args.repeat)
        rss = (
            _peak_rss([*CHECKER, "check", str(path), "--format", "json", "--config", os.devnull])
            * 1024
        )
        file_size = path.stat().st_size
        checkov = float("nan") if args.no_checkov else _checkov(path, args.checkov_timeout)
        rows.append((size, native))
        print(
            f"| {size:,} | {file_size / 1e6:.1f} MB | {_fmt(floor)} | {_fmt(native)} | {native / floor:.1f}x "
            f"| {rss / 1e6:.0f} MB | {rss / file_size:.1f}x | "
            + (
                f"> {args.checkov_timeout:.0f} s (timeout) | > {args.checkov_timeout / native:.0f}x |"
                if checkov == float("inf")
                else f"{_fmt(checkov)} | {checkov / native:.0f}x |"
            )
        )
        sys.stdout.flush()
    for (small, t_small), (large, t_large) in itertools.pairwise(rows):
        print(
            f"\nTime ratio {small:,} -> {large:,}: {t_large / t_small:.1f}x for {large / small:.0f}x resources"
        )


if __name__ == "__main__":
    main()
