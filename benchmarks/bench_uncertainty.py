"""Benchmark: per-dyad rank percentiles for 20,000 dyads × 34 indicators × 10,000 weight draws.

Run from the repository root::

    /work/venv/bin/python benchmarks/bench_uncertainty.py            # full size
    /work/venv/bin/python benchmarks/bench_uncertainty.py --quick    # 1/10 of the draws

It times, side by side in the same process and with the same chunks,

* the lower bound: the matrix product of the indicator matrix with the weight
  vectors plus one argsort per draw (nothing kept), and
* :func:`alliance_index.uncertainty.rank_percentiles` (ranks of every draw
  kept as uint16, then exact 5/50/95 percentiles, mean, min, max per dyad),

alternating them ``--repeat`` times and comparing the fastest run of each
(the machine is shared). Peak memory is measured with ``tracemalloc`` (numpy
reports its buffers to it) around each call, and as the process's maximum RSS.
Targets: time ratio <= 2, peak memory < 2 GB.
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance_index.uncertainty import WeightPerturbation  # noqa: E402
from alliance_index.uncertainty.ranks import lower_bound_pass, rank_percentiles  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dyads", type=int, default=20_000)
    ap.add_argument("--indicators", type=int, default=34)
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=1.0e9, help="memory_budget of rank_percentiles (bytes)")
    ap.add_argument("--quick", action="store_true", help="1/10 of the draws")
    ap.add_argument("--seed", type=int, default=2023)
    a = ap.parse_args()
    if a.quick:
        a.draws //= 10
    rng = np.random.default_rng(a.seed)
    X = rng.random((a.dyads, a.indicators))
    wp = WeightPerturbation("weights", dict.fromkeys([f"i{j}" for j in range(a.indicators)], 1.0), concentration=50.0)
    t = time.perf_counter()
    W = wp.from_unit(rng.random((a.draws, a.indicators)))
    t_w = time.perf_counter() - t
    print(f"problem: {a.dyads} dyads x {a.indicators} indicators x {a.draws} weight draws "
          f"(Dirichlet, concentration 50; drawing them took {t_w:.2f} s)")

    # the chunk size rank_percentiles chooses, reused for the lower bound
    store = a.dyads * a.draws * 2
    chunk = int(max(1, min(a.draws, ((a.budget - store) / 2) // (a.dyads * 26))))
    lb_times, en_times, lb_cpu, en_cpu, lb_peak, en_peak = [], [], [], [], 0, 0
    res = None
    for r in range(a.repeat):
        tracemalloc.start()
        t, c = time.perf_counter(), time.process_time()
        lower_bound_pass(X, W, chunk)
        lb_times.append(time.perf_counter() - t)
        lb_cpu.append(time.process_time() - c)
        lb_peak = max(lb_peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()

        tracemalloc.start()
        t, c = time.perf_counter(), time.process_time()
        res = rank_percentiles(X, W, (5, 50, 95), chunk_size=chunk, memory_budget=a.budget)
        en_times.append(time.perf_counter() - t)
        en_cpu.append(time.process_time() - c)
        en_peak = max(en_peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        print(f"  repeat {r + 1}: lower bound {lb_times[-1]:.2f} s, rank_percentiles {en_times[-1]:.2f} s "
              f"(ratio {en_times[-1] / lb_times[-1]:.2f})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    lb, en = min(lb_times), min(en_times)
    print(f"chunk: {chunk} draws")
    print(f"lower bound (X @ W.T + one argsort per draw): {lb:.2f} s  (peak traced {lb_peak / 1e9:.3f} GB)")
    print(f"rank_percentiles (5/50/95, mean, min, max):    {en:.2f} s  (peak traced {en_peak / 1e9:.3f} GB)")
    print(f"time ratio (best of {a.repeat}, wall): {en / lb:.2f}  [target <= 2]")
    print(f"CPU-time ratio (best of {a.repeat}): {min(en_cpu) / min(lb_cpu):.2f} "
          f"(lower bound {min(lb_cpu):.2f} s, rank_percentiles {min(en_cpu):.2f} s CPU)")
    print(f"peak memory: traced {en_peak / 1e9:.3f} GB beyond inputs; process max RSS {rss / 1e9:.3f} GB "
          f"[target < 2 GB]")
    assert res is not None
    print("first dyads:\n" + res.head(3).round(1).to_string())
    ok = en / lb <= 2.0 and max(en_peak, rss) < 2e9
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
