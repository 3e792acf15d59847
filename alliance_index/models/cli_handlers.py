"""Handler of ``alliance-index explain`` (an addition to contract §6).

``explain DYAD... [--year Y]`` prints, for each dyad in one year (default: its
latest year with an observation), every feature's contribution to the
commitment model's log-odds (:func:`alliance_index.models.explain_p_de_jure`,
seed 0): what makes its ``p_de_jure`` high or low. ``--format json`` gives one
object per dyad-year with the point log-odds, the point probability and its
``terms``; ``csv`` the long table.
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from ..errors import CoverageWarning, ObservationsError, suggest


def _explain_frame(obs: pd.DataFrame, dyads: list[str], year: int | None) -> pd.DataFrame:
    from ..countries import dyad_id
    from .classify import explain_p_de_jure

    want = list(dict.fromkeys(dyad_id(d) for d in dyads))
    have = obs.loc[obs["value"].notna(), ["dyad", "year"]]
    years = have.groupby("dyad")["year"].agg(lambda s: sorted(set(s.tolist())))
    missing = [d for d in want if d not in years.index]
    if missing:
        hint = suggest(missing[0], list(years.index)) if len(missing) == 1 else ""
        raise ObservationsError(f"no observations for dyad(s) {', '.join(missing)} in the data.{hint} "
                                "Bring observations with --data.")
    if year is not None:
        lacking = [d for d in want if int(year) not in years[d]]
        if lacking:
            spans = ", ".join(f"{d} ({years[d][0]}–{years[d][-1]})" for d in lacking)
            raise ObservationsError(f"no observations in {int(year)} for {spans}; choose another --year.")
    parts = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)  # ignored indicators are expected (events, blocs, …)
        for d in want:  # each dyad with its own donors (its other years), in its own year
            y = int(year) if year is not None else int(years[d][-1])
            e = explain_p_de_jure(obs[obs["dyad"] == d], year=y, seed=0)
            parts.append(e)
    return pd.concat(parts, ignore_index=True)


def _records(df: pd.DataFrame) -> list[dict]:
    recs = []
    for (d, y), g in df.groupby(["dyad", "year"], sort=False):
        t = g.set_index("term")
        terms = []
        for term, r in t.drop("total").iterrows():
            terms.append({"term": term, **{c: (None if pd.isna(r[c]) else float(r[c]))
                                           for c in ("value", "observed", "z", "coef", "contribution")}})
        recs.append({"dyad": d, "year": int(y), "log_odds": float(t.loc["total", "contribution"]),
                     "p_point": float(t.loc["total", "value"]), "terms": terms})
    return recs


def cmd_explain(args) -> str:
    """``alliance-index explain DYAD... [--year Y] [--format F] [--data FILE]...``"""
    from ..cli import load_obs

    obs = load_obs(getattr(args, "data", None))
    df = _explain_frame(obs, list(args.dyads), args.year)
    if args.format == "json":
        return json.dumps(_records(df), ensure_ascii=False, indent=2)
    if args.format == "csv":
        return df.to_csv(index=False, lineterminator="\n").rstrip("\n")
    t = df.copy()
    for c, k in (("value", 3), ("observed", 2), ("z", 2), ("coef", 3), ("contribution", 3)):
        t[c] = t[c].round(k)
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        out = t.to_string(index=False, na_rep="—")
    note = ("contribution = coef × z on the log-odds scale; the terms of a dyad-year add up to 'total', whose value "
            "is the point probability (classify's p_de_jure also averages over coefficient uncertainty); "
            "observed = share of the feature's indicators observed, the rest imputed.")
    from ..index.cli_handlers import _provisional_line

    out = out + "\n" + note if np.isfinite(df["contribution"]).all() else out
    return out + _provisional_line(df.drop_duplicates(["dyad", "year"]), obs) + _low_coverage_line(df, obs)


def _low_coverage_line(df: pd.DataFrame, obs: pd.DataFrame) -> str:
    """Table footer naming the explained dyad-years with less than MIN_COVERAGE of the classifier's
    indicators observed ('' if none), like the ``provisional:`` line (stderr is for errors only)."""
    from .classify import MIN_COVERAGE, load_fitted
    from .commitment import panel_frame

    keys = df.drop_duplicates(["dyad", "year"])
    _, com = load_fitted()
    V, _ = panel_frame(obs[obs["dyad"].isin(set(keys["dyad"]))], com.indicators)
    cov = V.notna().mean(axis=1).reindex(pd.MultiIndex.from_arrays([keys["dyad"], keys["year"]])).to_numpy()
    low = cov < MIN_COVERAGE
    if not low.any():
        return ""
    rows = "; ".join(f"{d} {int(y)} ({c:.2f} of the classifier's {len(com.indicators)} indicators observed)"
                     for d, y, c in zip(keys["dyad"][low], keys["year"][low], cov[low]))
    return (f"\nlow coverage: {rows}, below {MIN_COVERAGE:.0%}: the terms rest mostly on imputed values "
            "(p_de_jure's interval is wide)")
