#!/usr/bin/env python
"""Benchmark: full 1950–2014 non-directed dyad-year build with every source.

Reports the build time as a ratio to the time pandas needs merely to read the
same source files (``pd.read_csv`` / ``pd.read_stata`` with default options),
both measured in this run, alternating, best of ``--repeat``; and the build's
peak memory (tracemalloc peak of Python/numpy allocations in a separate run,
plus the process's maximum resident set size).

Usage::

    /work/venv/bin/python benchmarks/bench_build.py [--repeat 3] [--start 1950] [--end 2014]

Aim: ratio ≤ 2. The machine is shared, so single timings are noisy: compare the
ratio, not the seconds.
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from alliance_index import sources as S  # noqa: E402

FILES = [
    "cow/cow_states_2016.csv", "atop/atop5_1_directed_dyad_year.csv.gz", "cow/cow_trade_ndy_v4.csv.gz",
    "cow/cow_trade_sy_v4.csv", "cow/cow_igo_ndy.csv.gz", "cow/cow_contdir.csv",
    "cow/cow_mindist.csv.gz", "cow/cow_majors.csv", "democracy/isard_cw_democracy.csv",
    "cow/cow_nmc_v7.csv", "cow/td_rivalries.csv", "unvotes/unvotes_un_votes.csv.gz",
    "unvotes/unvotes_un_roll_calls.csv", "unga_idealpoints/IdealpointsJuly2025.dta",
    "sipri/sipri-exports-processed.csv", "icews/netify_icews_dyadyear_2002_2014.csv.gz",
]


def read_all(base: Path) -> float:
    t = time.perf_counter()
    for f in FILES:
        p = base / f
        if p.suffix == ".dta":
            pd.read_stata(p)
        else:
            pd.read_csv(p, low_memory=False)
    return time.perf_counter() - t


def build(start: int, end: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        dy = S.build_dyad_years(start, end, progress=False)
        return time.perf_counter() - t, dy


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--start", type=int, default=1950)
    ap.add_argument("--end", type=int, default=2014)
    args = ap.parse_args(argv)
    base = S.get_data_dir()
    if base is None:
        print("real data folder not found (set ALLIANCE_INDEX_REAL_DATA)", file=sys.stderr)
        return 2
    reads, builds = [], []
    shape = None
    steps = None
    for _ in range(args.repeat):
        gc.collect()
        reads.append(read_all(base))
        gc.collect()
        tb, dy = build(args.start, args.end)
        builds.append(tb)
        shape, steps = dy.shape, dy.attrs["timings"]
        del dy
    gc.collect()
    tracemalloc.start()
    _, dy = build(args.start, args.end)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    frame_mb = dy.memory_usage(deep=True).sum() / 2**20
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    r, b = min(reads), min(builds)
    print(f"dyad-years {args.start}-{args.end}: {shape[0]:,} rows x {shape[1]} columns")
    print(f"pandas read of the {len(FILES)} source files: best {r:.2f} s  (all: {', '.join(f'{x:.2f}' for x in reads)})")
    print(f"build_dyad_years, all sources:          best {b:.2f} s  (all: {', '.join(f'{x:.2f}' for x in builds)})")
    import statistics

    pair = statistics.median(x / y for x, y in zip(builds, reads))
    print(f"ratio build / read: {b / r:.2f} (best vs best); median of paired runs {pair:.2f}  (aim <= 2)")
    print(f"peak memory of the build (tracemalloc): {peak / 2**20:.0f} MiB; result frame {frame_mb:.0f} MiB; "
          f"process max RSS {rss:.0f} MiB")
    print("last build, seconds per step: " + ", ".join(f"{k} {v:.2f}" for k, v in steps.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
