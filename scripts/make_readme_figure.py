#!/usr/bin/env python
"""Draw the README figure: Russia–Belarus vs Russia–Iran from the bundled panel.

    python scripts/make_readme_figure.py [--out docs/figures/russia_belarus_vs_iran.png] [--year 2023]

Left: domain profile (cooperation up, discord down) in ``--year``; right: the index over time.
Everything comes from :mod:`alliance_index.plotting` on the bundled observations.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from alliance_index import plotting as aip  # noqa: E402
from alliance_index.observations import load_panel  # noqa: E402

DYADS = ["Russia-Belarus", "Russia-Iran"]


def make(out: Path, year: int) -> Path:
    scores = aip.scores_for(load_panel())
    fig = Figure(figsize=(13, 5), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 1.15])
    aip.plot_domain_profile(scores, year=year, dyads=DYADS, ax=left)
    # p_de_jure on the right axis once the classifier fills it; no placeholder note in a README figure
    aip.plot_timeseries(scores, DYADS, ax=right, show_p=bool(scores["p_de_jure"].notna().any()))
    fig.suptitle("Russia–Belarus (a mutual-defence ally) and Russia–Iran: alliance or convenience?", fontsize=13)
    out.parent.mkdir(parents=True, exist_ok=True)
    # no timestamp in the PNG metadata, so re-running gives the same file
    fig.savefig(out, dpi=100, facecolor="white", metadata={"Software": None})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "figures" / "russia_belarus_vs_iran.png")
    ap.add_argument("--year", type=int, default=2023)
    a = ap.parse_args(argv)
    print(f"wrote {make(a.out, a.year)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
