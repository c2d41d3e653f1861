"""The long fuzzing run: `.venv/bin/python -m benchmarks.fuzz --count 100000 --jobs 2`.

Mutates valid plans of several shapes (drop keys, wrong types, nulls, huge
strings, deep nesting, truncation) and feeds each to the loader, the model and
the fifteen rules. Every input must end in a report or a clean refusal
(`CheckerError`, exit 2 in the CLI); any other exception is a crash, printed
with the seed that reproduces it.
"""

from __future__ import annotations

import argparse
import random
import time
import traceback
from collections import Counter
from multiprocessing import Pool

from tests.fuzzing import check_bytes, mutate, serialise
from tests.support.shapes import SHAPES

BASE_NAMES = (
    "format_0_1",
    "format_1_2",
    "module_count",
    "deleted_replaced_moved_forgotten",
    "explicit_nulls",
)
_BASES: dict[str, dict[str, object]] = {}


def _one(seed: int) -> tuple[str, int, str]:
    if not _BASES:
        _BASES.update({name: SHAPES[name]() for name in BASE_NAMES})
    rng = random.Random(seed)
    base = _BASES[BASE_NAMES[seed % len(BASE_NAMES)]]
    try:
        outcome = check_bytes(serialise(mutate(base, rng, rng.randint(1, 8)), rng))  # type: ignore[arg-type]
        return outcome, seed, ""
    except Exception:
        return "crash", seed, traceback.format_exc(limit=3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    crashes: list[tuple[int, str]] = []
    with Pool(args.jobs) as pool:
        for outcome, seed, detail in pool.imap_unordered(
            _one, range(args.start, args.start + args.count), chunksize=64
        ):
            outcomes[outcome] += 1
            if outcome == "crash" and len(crashes) < 20:
                crashes.append((seed, detail))
    elapsed = time.perf_counter() - started
    print(
        f"{args.count} inputs in {elapsed:.0f} s: {outcomes['report']} reported, "
        f"{outcomes['refused']} refused with a clear error, {outcomes['crash']} crashes"
    )
    for seed, detail in crashes:
        print(f"--- crash, seed {seed}\n{detail}")
    raise SystemExit(1 if outcomes["crash"] else 0)


if __name__ == "__main__":
    main()
