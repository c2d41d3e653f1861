"""The benchmark: `./dev bench` (or `.venv/bin/python -m benchmarks.run`).

In one run, on the same files, for every layout users put many copies of a
stack in (`tests/support/layouts.py`: `for_each` module instances, many
`module` blocks, a flat root) at 1k, 10k and 50k resources:

- two floors: the standard library's `json.loads` of the plan (every ratio is to it)
  and orjson's (the C parser the checker reads plans with);
- the native engine end to end in process (load + model + 15 rules + JSON
  report), from the plan alone and with the layout's `.tf` sources bound (the
  parse cache cold, then warm as in a repeated CI run);
- the peak RSS of a cold `checker check` process;
- checkov with the custom checks, on the 1k plans.

Then the canonical plan through a cold CLI process (alone, with sources,
static mode, `checker --version`, and the slowest imports of a cold check from
`python -X importtime`), conftest's published anchor reproduced in shape (a
generated 60 MB plan of 15,000 resources, checked end to end by a cold process),
and static mode over a repository of many stack directories, cold and warm
cache. Results print as Markdown, with the targets. `--parts` runs some of them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.layouts import LAYOUTS, PER_COPY, write_sources
from tests.support.plan_builder import render_plan

ROOT = Path(__file__).resolve().parents[1]
CHECKER = [sys.executable, "-m", "checker"]  # the script's entry (`checker.entry`)
CANONICAL = ROOT / "tests" / "fixtures" / "plans" / "tap_stack.plan.json"
# the working directory of every timed process: an empty folder outside any repository (the
# checker refuses a cache directory inside the tree it runs in, and "/" holds every path)
NEUTRAL = tempfile.mkdtemp(prefix="checker-bench-cwd-")


def _timed(command: list[str], timeout: float, env: dict[str, str] | None = None) -> float:
    """Wall seconds of a child process; inf on timeout, nan when it fails."""
    start = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=timeout, check=False, cwd=NEUTRAL, env=env
        )
    except subprocess.TimeoutExpired:
        return float("inf")
    wall = time.perf_counter() - start
    return wall if done.returncode in (0, 1) else float("nan")


def _peak_rss(command: list[str]) -> int:
    """Peak RSS in bytes of one process, measured in a fresh child."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip()) * 1024


def _best(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _bare_parse(path: Path) -> tuple[float, float]:
    """(standard library, orjson) seconds to parse the plan's bytes: the two floors."""
    import orjson

    data = path.read_bytes()
    return _best(lambda: json.loads(data), 3), _best(lambda: orjson.loads(data), 3)


def _native(path: Path, source: Path | None, repeat: int) -> tuple[float, float]:
    """(first run, best run) of load + model + 15 rules + JSON report, in process.

    With sources the first run parses them (the memory and disk caches empty) and
    the later runs read the disk cache, as a repeated CI run or pre-commit does.
    """
    from checker import text_cache as cache
    from checker.config import CheckerConfig
    from checker.report.formats import ReportFormat, render
    from checker.run import CheckOptions, check_inputs

    def once() -> None:
        cache._memory.clear()
        report = check_inputs([str(path)], CheckOptions(source=source), CheckerConfig())
        render(report, ReportFormat.json)

    folder = cache.cache_dir()
    if folder is not None:  # cold: no parse of an earlier layout's identical text may help
        shutil.rmtree(folder, ignore_errors=True)
    _clear_parse_memos()
    first = _best(once, 1)
    return first, min(first, _best(once, max(1, repeat - 1)))


def _clear_parse_memos() -> None:
    """The in-process memos of parsed text (templates, expressions, block lines, shell)."""
    from checker.rules import shell
    from checker.source import hcl, parse, raw

    for memo in (
        raw.split_template,
        parse.parse_hcl_expression,
        hcl._block_lines,
        shell._commands,
    ):
        memo.cache_clear()


def _checkov(path: Path, timeout: float) -> float:
    from checker.engines.checkov import _environment, find_checkov, policies_dir
    from checker.engines.checkov_checks import checks

    command = [
        find_checkov(), "--file", str(path), "--framework", "terraform_plan",
        "--external-checks-dir", str(policies_dir()), "--check", ",".join(checks()),
        "--output", "json", "--skip-download", "--compact", "--quiet",
    ]  # fmt: skip
    return _timed(command, timeout, _environment())


def _fmt(seconds: float) -> str:
    if seconds == float("inf"):
        return "timeout"
    if seconds != seconds:
        return "failed"
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def _plan(layout: str, size: int, workdir: Path) -> tuple[Path, Path]:
    """(plan, sources) of a layout at a size, written once."""
    copies = max(1, round(size / PER_COPY))
    folder = workdir / f"{layout.replace(' ', '-')}-{size}"
    plan = folder / "plans" / "plan.json"
    if not plan.exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_sources(layout, copies, folder)
        plan.parent.mkdir(parents=True)
        plan.write_text(json.dumps(render_plan(LAYOUTS[layout](copies))), encoding="utf-8")
    return plan, folder


def _layouts(args: argparse.Namespace, workdir: Path) -> None:
    print(
        "| layout | resources | plan | json.loads (floor) | orjson | native, plan only | ratio "
        "| with sources, cold | ratio (cold) | with sources, warm | ratio (warm) | peak RSS "
        "| RSS / plan | checkov |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    growth: dict[str, list[tuple[int, float]]] = {}
    for layout in [x.strip() for x in args.layouts.split(",")]:
        for size in (int(s) for s in args.sizes.split(",")):
            plan, sources = _plan(layout, size, workdir)
            floor, c_floor = _bare_parse(plan)
            repeat = args.repeat if size <= 10_000 else 1
            _first, alone = _native(plan, None, repeat)
            cold, warm = _native(plan, sources, max(2, repeat))
            rss = _peak_rss(
                [*CHECKER, "check", str(plan), "--format", "json", "--config", os.devnull]
            )
            file_size = plan.stat().st_size
            checkov = (
                _fmt(_checkov(plan, args.checkov_timeout))
                if size <= 1000 and not args.no_checkov
                else "—"
            )
            growth.setdefault(layout, []).append((size, alone))
            print(
                f"| {layout} | {size:,} | {file_size / 1e6:.1f} MB | {_fmt(floor)} "
                f"| {_fmt(c_floor)} | {_fmt(alone)} | {alone / floor:.1f}x | {_fmt(cold)} "
                f"| {cold / floor:.1f}x | {_fmt(warm)} | {warm / floor:.1f}x "
                f"| {rss / 1e6:.0f} MB | {rss / file_size:.1f}x | {checkov} |"
            )
            sys.stdout.flush()
    print()
    for layout, points in growth.items():
        (small, t_small), (large, t_large) = points[0], points[-1]
        factor = (t_large / t_small) / (large / small)
        print(f"- {layout}: {small:,} -> {large:,} resources took {factor:.2f}x linear")


def _static_repository(count: int, workdir: Path) -> None:
    """Static mode over `count` stack directories: one cold process, cache cold then warm."""
    repo = workdir / f"repository-{count}"
    if not repo.exists():
        for i in range(count):
            folder = repo / f"stack-{i:04d}"
            folder.mkdir(parents=True)
            text = (ROOT / "tap_stack.tf").read_text(encoding="utf-8")
            # each stack its own: a different default makes every file's text distinct
            text = text.replace('default     = "dev"', f'default     = "dev{i}"', 1)
            (folder / "main.tf").write_text(text, encoding="utf-8")
            shutil.copytree(ROOT / "lambda", folder / "lambda")
    dirs = [str(p) for p in sorted(repo.iterdir())]
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CHECKER_CACHE_DIR": cache}
        command = [*CHECKER, "check", *dirs, "--format", "json", "--config", os.devnull]
        cold = _timed(command, 1800, env)
        warm = _timed(command, 1800, env)
    print(
        f"Static mode, {count} stack directories in one process: cache cold {_fmt(cold)} "
        f"({cold / count * 1000:.0f} ms a stack), warm {_fmt(warm)} "
        f"({warm / count * 1000:.0f} ms a stack)"
    )


def _cold(command: list[str]) -> float:
    """A cold process with an empty parse cache: the first run on a new machine."""
    with tempfile.TemporaryDirectory() as cache:
        return _timed(command, 60, {**os.environ, "CHECKER_CACHE_DIR": cache})


def _canonical() -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CHECKER_CACHE_DIR": cache}
        base = ["--format", "json", "--config", os.devnull]
        plan = min(_timed([*CHECKER, "check", str(CANONICAL), *base], 60, env) for _ in range(5))
        _timed([*CHECKER, "check", str(ROOT), *base], 60, env)  # warms the parse cache
        sourced = min(
            _timed([*CHECKER, "check", str(CANONICAL), "--source", str(ROOT), *base], 60, env)
            for _ in range(5)
        )
        static = min(_timed([*CHECKER, "check", str(ROOT), *base], 60, env) for _ in range(5))
        sourced_cold = min(
            _cold([*CHECKER, "check", str(CANONICAL), "--source", str(ROOT), *base])
            for _ in range(3)
        )
        help_time = min(_timed([*CHECKER, "--help"], 60, env) for _ in range(5))
        version_time = min(_timed([*CHECKER, "--version"], 60, env) for _ in range(5))
        imports = _slowest_imports([*CHECKER, "check", str(CANONICAL), *base], env)
    print(f"Canonical plan, cold CLI process: {_fmt(plan)}")
    print(
        f"Canonical plan with its sources bound, cold process, warm cache: {_fmt(sourced)} (target < 0.3 s)"
    )
    print(
        f"Static mode on the canonical stack, cold process, warm cache: {_fmt(static)} (target < 0.5 s)"
    )
    print(f"Canonical plan with its sources bound, cold process, cold cache: {_fmt(sourced_cold)}")
    print(f"`checker --help`, cold process: {_fmt(help_time)}")
    print(f"`checker --version`, cold process: {_fmt(version_time)} (target < 60 ms)")
    print("Slowest imports of a cold check of the canonical plan (`-X importtime`, cumulative):")
    for name, micros in imports:
        print(f"  - {name}: {micros / 1000:.0f} ms")


def _slowest_imports(command: list[str], env: dict[str, str]) -> list[tuple[str, int]]:
    """The top-level imports of a cold process by cumulative time."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        capture_output=True,
        text=True,
        check=False,
        cwd=NEUTRAL,
        env=env,
    )
    top: list[tuple[str, int]] = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            top.append((parts[2].strip(), int(parts[1])))
    return sorted(top, key=lambda item: -item[1])[:8]


ANCHOR_RESOURCES, ANCHOR_BYTES = 15_000, 60_000_000


def _anchor(workdir: Path) -> None:
    """conftest's published figure in shape: 15,000 resources in a 60 MB plan (their plans
    carry larger attribute payloads than our stack: each resource gets tags to match),
    checked end to end by a cold `checker check` process, plan alone."""
    plan = workdir / "anchor" / "plan.json"
    if not plan.exists():
        plan.parent.mkdir(parents=True, exist_ok=True)
        copies = max(1, round(ANCHOR_RESOURCES / PER_COPY))
        document = render_plan(LAYOUTS["flat root"](copies))
        lean = len(json.dumps(document))
        changes = document["resource_changes"]
        pad = max(0, (ANCHOR_BYTES - lean) // (2 * max(1, len(changes))) - 40)
        for change in changes:
            after = change["change"].get("after")
            if isinstance(after, dict):
                after["tags"] = {"payload": "x" * pad}
        for resource in document["planned_values"]["root_module"].get("resources", []):
            resource["values"]["tags"] = {"payload": "x" * pad}
        plan.write_text(json.dumps(document), encoding="utf-8")
    floor, c_floor = _bare_parse(plan)
    command = [*CHECKER, "check", str(plan), "--format", "json", "--config", os.devnull]
    best = min(_timed(command, 600) for _ in range(3))
    resources = len(json.loads(plan.read_bytes())["resource_changes"])
    print(
        f"conftest's anchor in shape ({resources:,} resources, {plan.stat().st_size / 1e6:.0f} MB"
        f" plan): cold `checker check`, plan alone, JSON report: {_fmt(best)} (target < 1.2 s;"
        f" conftest published 1.7 s); floors json.loads {_fmt(floor)}, orjson {_fmt(c_floor)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--checkov-timeout", type=float, default=900)
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--stacks", type=int, default=200, help="directories for static mode")
    parser.add_argument(
        "--workdir",
        default=str(Path(tempfile.gettempdir()) / "tap-checker-bench"),
        help="generated plans and caches (outside the repository: a cache in it is refused)",
    )
    parser.add_argument(
        "--parts", default="canonical,anchor,static,layouts", help="which parts to run"
    )
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CHECKER_CACHE_DIR", str(workdir / "cache"))
    shutil.rmtree(os.environ["CHECKER_CACHE_DIR"], ignore_errors=True)
    # as on a user's machine, where pip compiled the modules at install: bytecode written
    # once (by this warm-up) and read by every timed process
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.chdir(NEUTRAL)
    _timed([*CHECKER, "check", str(CANONICAL), "--source", str(ROOT)], 120)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.platform()} ({usage.ru_maxrss // 1024} MB at start)"
    )
    print()
    parts = {p.strip() for p in args.parts.split(",")}
    if "canonical" in parts:
        _canonical()
    if "anchor" in parts:
        _anchor(workdir)
    if "static" in parts:
        _static_repository(args.stacks, workdir)
    print()
    if "layouts" in parts:
        _layouts(args, workdir)


if __name__ == "__main__":
    main()
