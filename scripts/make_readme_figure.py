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
sys.path.insert(0, str(REPO / "scripts"))

import _cli  # noqa: E402
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
    # no timestamp in the PNG metadata, so re-running gives the same file; written to a temporary
    # file and renamed, so a failed run leaves no half-written figure
    _cli.atomic_write(out, lambda tmp: fig.savefig(tmp, format="png", dpi=100, facecolor="white",
                                                   metadata={"Software": None}))
    return out


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=_cli.output_file((".png",)),
                    default=REPO / "docs" / "figures" / "russia_belarus_vs_iran.png",
                    help="PNG file to write (default: docs/figures/russia_belarus_vs_iran.png)")
    ap.add_argument("--year", type=int, default=2023, help="year of the domain profile (default 2023)")
    a = ap.parse_args(argv)
    try:
        print(f"wrote {make(a.out, a.year)}")
    except (ValueError, OSError) as e:  # e.g. a year outside the panel (the library's errors are ValueErrors)
        return _cli.fail(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
