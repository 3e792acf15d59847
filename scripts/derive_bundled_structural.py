#!/usr/bin/env python
"""Derive the historical-source indicators of the bundled dyads from the real data.

Computes, with :func:`alliance_index.sources.build_dyad_years`, for the bundled
dyads and 2010–2025 (only the years each source covers — nothing outside, no
zeros for unknown):

==============================  ==========================================  ========
indicator                       source                                      years
==============================  ==========================================  ========
unga_agreement                  UNGA votes (Voeten; R unvotes 0.3.0)         to 2019
unga_ideal_point_distance       ideal points, July 2025 release (.dta)       to 2024
shared_igo_memberships          COW IGO 3.0                                  to 2014
shared_rivals                   Thompson, Sakuwa & Suhas rivalries           to 2020
alliance_portfolio_similarity   ATOP 5.1 (S over ties with third states)     to 2018
arms_transfers_tiv              SIPRI (both directions summed)               to 2021
trade_usd, trade_dependence     COW Trade 4.0                                to 2014
==============================  ==========================================  ========

and writes them in the observations format (contract §2) to
``data/observations/derived_real.csv`` (``confidence`` = confirmed, ``source``
= dataset, version, file and "derived by scripts/derive_bundled_structural.py").
A (dyad, year, indicator) already present in another bundled observations file
is not written (the curated value stands); the count is printed.

Usage::

    python scripts/derive_bundled_structural.py [--data-dir DIR] [--out FILE]
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import _cli  # noqa: E402
from alliance_index import sources as S  # noqa: E402
from alliance_index.errors import CoverageWarning, DataQualityWarning  # noqa: E402
from alliance_index.observations import read_observations, write_observations  # noqa: E402

#: the bundled dyads: one curated file per dyad in data/observations (named by canonical id)
DYADS = sorted(f.stem for f in (REPO / "data" / "observations").glob("*.csv") if f.stem != "derived_real")
INDICATORS = ["unga_agreement", "unga_ideal_point_distance", "shared_igo_memberships",
              "shared_rivals", "alliance_portfolio_similarity", "arms_transfers_tiv",
              "trade_usd", "trade_dependence"]
SOURCES = ["unvotes", "idealpoints", "igo", "rivalries", "atop", "sipri", "trade"]
START, END = 2010, 2025
TAG = "derived by scripts/derive_bundled_structural.py"


def derive(data_dir: Path | None = None) -> pd.DataFrame:
    if data_dir is not None:
        S.set_data_dir(data_dir)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dy = S.build_dyad_years(START, END, sources=SOURCES, rivalries="tss")
    for w in caught:
        if issubclass(w.category, (DataQualityWarning, CoverageWarning)):
            print(f"note: {w.message}", file=sys.stderr)
    obs = S.to_observations(dy, INDICATORS)
    obs = obs[obs["dyad"].isin(DYADS)].copy()
    missing = sorted(set(DYADS) - set(obs["dyad"]))
    if missing:
        raise SystemExit(f"dyads not found in the built frame: {missing}")
    # 10 decimals: far below the sources' precision, and stable across BLAS builds
    obs["value"] = obs["value"].round(10)
    obs["source"] = obs["source"] + "; " + TAG
    cov = dy.attrs["coverage"]
    src_of = S.build.INDICATOR_SOURCE
    obs["note"] = obs["indicator"].map(
        lambda i: f"source years {cov[src_of[i]][0]}-{cov[src_of[i]][1]}; missing-data rule: "
                  f"alliance_index.sources.SOURCE_RULES['{src_of[i]}']")
    return obs.sort_values(["dyad", "indicator", "year"], ignore_index=True)


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=_cli.existing_dir, default=None,
                    help="real-data folder (default: $ALLIANCE_INDEX_REAL_DATA or ../shared/data/real)")
    ap.add_argument("--out", type=_cli.output_file((".csv",)),
                    default=REPO / "data" / "observations" / "derived_real.csv",
                    help="observations CSV to write (default: data/observations/derived_real.csv)")
    args = ap.parse_args(argv)
    try:
        obs = derive(args.data_dir)
    except ValueError as e:  # the library's errors (DataSourceError, ...) all subclass ValueError
        return _cli.fail(e)
    # do not duplicate curated rows of the other bundled files
    others = [f for f in sorted(args.out.parent.glob("*.csv")) if f.resolve() != args.out.resolve()]
    if others:
        cur = pd.concat([read_observations(f) for f in others], ignore_index=True)
        key = ["dyad", "year", "indicator"]
        clash = obs.merge(cur[key].drop_duplicates(), on=key, how="left", indicator=True)["_merge"].eq("both")
        if clash.any():
            print(f"skipped {int(clash.sum())} row(s) already curated in {args.out.parent}", file=sys.stderr)
        obs = obs[~clash.to_numpy()].reset_index(drop=True)
    try:
        write_observations(obs, args.out)  # writes a temporary file and renames it
    except OSError as e:
        return _cli.fail(f"cannot write {args.out}: {e}")
    summary = obs.groupby("indicator")["year"].agg(["min", "max", "count"])
    print(f"wrote {len(obs)} rows to {args.out}\n{summary.to_string()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
