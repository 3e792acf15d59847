"""Print the figures quoted in docs/scenarios.md: the bundled scenario tables, the Monte Carlo
error across seeds, and the trend test. (Backtests: scripts/backtest_scenarios.py; benchmark:
benchmarks/bench_scenarios.py.)

Run:  python scripts/scenario_figures.py   (about a CPU-minute: three 2000-draw runs and the trend test)
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import _cli  # noqa: E402


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.parse_args(argv)  # no options: --help prints the help and exits, anything else is an error
    warnings.simplefilter("ignore")
    import pandas as pd

    from alliance_index._resources import data_dir
    from alliance_index.scenarios import Scenario
    from alliance_index.scenarios.trend import trend_test

    rev = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs", "--",
                          "alliance_index/models/fitted"], capture_output=True, text=True).stdout.strip()
    print(f"fitted classifier files: last changed in commit {rev or 'unknown'}\n")
    for f in ("russia_iran.yaml", "russia_belarus.yaml"):
        res = Scenario.from_yaml(data_dir() / "scenarios" / f).run()
        print(res.summary().split("\n\n-- ")[0])
        print()
    s = Scenario.from_yaml(data_dir() / "scenarios" / "russia_iran.yaml")
    print("Monte Carlo error (Russia-Iran, baseline at 2030; military_integration_and_backing difference):")
    for seed in (s.seed, 1, 2):
        r = s.run(seed=seed)
        b, m = r["baseline"], r["military_integration_and_backing"]
        se = b.mc_se()
        print(f"  seed {seed}: mean p_de_jure {b.draws['p_de_jure'][:, -1].mean():.4f} "
              f"(MC SE {se['p_de_jure_mean_at_horizon']:.4f}), p(alliance) {b.p_alliance_at_horizon:.4f} "
              f"(SE {se['p_alliance_at_horizon']:.4f}), d_p_de_jure {m.first_differences['d_p_de_jure'].iloc[-1]:.4f}")
    print("\nTrend of p_de_jure over the observed years (90% intervals, Nychka et al. effective sample size):")
    t = trend_test(dyads=["Russia-Iran", "Russia-Belarus", "Russia-North Korea", "Pakistan-Saudi Arabia",
                          "China-Iran"], measure="p_de_jure")
    with pd.option_context("display.width", 200):
        print(t[["dyad", "n_years", "slope", "se", "ci_lo", "ci_hi", "direction", "fitted_change"]]
              .round(4).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
