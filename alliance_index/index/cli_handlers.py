"""Handlers of ``alliance-index score`` and ``alliance-index compare`` (contract §6).

Each takes the parsed ``argparse`` namespace and returns the text to print.
Expected attributes: ``dyads`` (list of DYAD strings), ``year`` (int or None),
``format`` (``table`` | ``json`` | ``csv``), ``data`` (list of observation
files, or None for the bundled panel). Errors are raised as library errors
(subclasses of ValueError); the command line prints them on one line and
exits with status 2.

``score`` without ``--year`` scores each dyad in its latest year with an
observation; ``compare`` without ``--year`` uses the latest year common to
all the dyads.

Both commands add the classification (``p_de_jure`` with its 95% simulation interval and
the verdict, :func:`alliance_index.models.classify.attach_classification`,
seed 0) and, per dyad, the trend of ``p_de_jure`` over the observed years
(:func:`alliance_index.scenarios.trend.trend_test`: OLS slope with a 90% interval whose
degrees of freedom come from the effective sample size of Nychka et al. (2000) → ``rising`` / ``flat`` / ``falling``, or ``insufficient`` with fewer
than 4 observed years). The trend appears
as ``trend`` in the JSON and as its direction in the table and CSV.
"""
from __future__ import annotations

import json

import pandas as pd

from .composite import SCORE_COLUMNS, compare, score, to_json_records

TABLE_COLUMNS = ("dyad", "year", "index", "cooperation", "discord", "hostility", "breadth", "coverage",
                 "p_de_jure", "p_de_jure_lo", "p_de_jure_hi", "verdict", "known_status", "trend")


def _enrich(df: pd.DataFrame, obs: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Attach p_de_jure, interval, verdict and the per-dyad p_de_jure trend."""
    from ..models.classify import attach_classification
    from ..scenarios.trend import trend_records, trend_test

    df = attach_classification(df, obs)
    dyads = list(pd.unique(df["dyad"]))
    trends = trend_records(trend_test(obs, dyads=dyads, measure="p_de_jure"))
    df["trend"] = [trends.get(d, {}).get("direction") for d in df["dyad"]]
    return df, trends


def _obs(args):
    from ..cli import load_obs

    return load_obs(getattr(args, "data", None))


def _render(df: pd.DataFrame, fmt: str, trends: dict | None = None) -> str:
    if fmt == "json":
        recs = to_json_records(df)
        for r in recs:
            r["trend"] = (trends or {}).get(r["dyad"])
        return json.dumps(recs, ensure_ascii=False, indent=2)
    if fmt == "csv":
        # ``provisional`` (0.3.1) after ``trend``, so every earlier column keeps its position
        cols = ([c for c in SCORE_COLUMNS if c != "provisional"] + (["trend"] if "trend" in df.columns else [])
                + ["provisional"])
        return df[cols].to_csv(index=False, lineterminator="\n").rstrip("\n")
    if fmt != "table":
        from ..errors import MethodError

        raise MethodError(f"unknown format {fmt!r}; choose table, json or csv.")
    t = df[list(TABLE_COLUMNS)].copy()
    for c in ("index", "cooperation", "discord", "hostility"):
        t[c] = t[c].round(1)
    for c in ("breadth", "coverage", "p_de_jure", "p_de_jure_lo", "p_de_jure_hi"):
        t[c] = t[c].round(2)
    t["trend"] = t["trend"].fillna("—")
    t["verdict"] = t["verdict"].fillna("—")
    t["known_status"] = t["known_status"].fillna("unknown")
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        return t.to_string(index=False, na_rep="—")


def _provisional_line(df: pd.DataFrame, obs) -> str:
    """Table footer naming the shown dyad-years that are coded only to date ('' if none)."""
    from ..observations import is_incomplete

    hit = is_incomplete(obs, df["dyad"], df["year"])
    if not hit.any():
        return ""
    names = ", ".join(f"{d} {int(y)}" for d, y in zip(df["dyad"][hit], df["year"][hit]))
    return (f"\nprovisional: {names} coded only to date (a year in progress): flows counted over the year "
            "(trade, meetings, exercises, incidents) are unobserved")


def _flags(df: pd.DataFrame) -> dict[str, list[str]]:
    """The caveats of a classified scores frame as text, one string per flagged row.

    ``fragile``: a ``rivalry`` resting on :data:`~alliance_index.models.verdict.FEW_HOSTILITY`
    or fewer observed hostility indicators (column ``n_hostility`` from
    :func:`~alliance_index.models.attach_classification`). ``low_coverage``: the index's
    ``coverage`` or the classifier's (``classifier_coverage``) below
    :data:`~alliance_index.models.classify.MIN_COVERAGE`.
    """
    import numpy as np

    from ..models.classify import MIN_COVERAGE
    from ..models.verdict import FEW_HOSTILITY

    nan = np.full(len(df), np.nan)
    n = df["n_hostility"].to_numpy(dtype=float) if "n_hostility" in df.columns else nan
    verdict = df["verdict"].to_numpy(dtype=object) if "verdict" in df.columns else np.full(len(df), None)
    cov = df["coverage"].to_numpy(dtype=float) if "coverage" in df.columns else nan
    ccov = df["classifier_coverage"].to_numpy(dtype=float) if "classifier_coverage" in df.columns else nan
    dy, yr = df["dyad"].astype(str).to_numpy(), df["year"].to_numpy(dtype="int64")

    def share(x):
        return "—" if np.isnan(x) else f"{x:.2f}"

    return {
        "fragile": [f"{dy[i]} {yr[i]} rivalry rests on {int(n[i])} hostility indicator{'' if n[i] == 1 else 's'}"
                    for i in np.flatnonzero((verdict == "rivalry") & (n <= FEW_HOSTILITY))],
        "low_coverage": [f"{dy[i]} {yr[i]} ({share(cov[i])} of the core indicators, {share(ccov[i])} of the "
                         "classifier's observed)"
                         for i in np.flatnonzero((cov < MIN_COVERAGE) | (ccov < MIN_COVERAGE))],
    }


def _caveat_lines(df: pd.DataFrame) -> str:
    """Table footer lines for fragile rivalries and low coverage ('' if none), like ``provisional:``."""
    from ..models.classify import MIN_COVERAGE
    from ..models.verdict import FEW_HOSTILITY

    f = _flags(df)
    out = ""
    if f["fragile"]:
        out += (f"\nfragile: {'; '.join(f['fragile'])} (a rivalry on {FEW_HOSTILITY} or fewer is fragile; "
                "observations of incidents, protests, sanctions or disputes would firm it up)")
    if f["low_coverage"]:
        out += (f"\nlow coverage: {'; '.join(f['low_coverage'])}, below {MIN_COVERAGE:.0%}: the scores and "
                "p_de_jure rest on few observations (the p_de_jure interval is wide)")
    return out


def _quiet(func, *a, **k):
    """``func(*a, **k)`` without CoverageWarnings: the table's footer lines carry them (stderr is for errors)."""
    import warnings

    from ..errors import CoverageWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        return func(*a, **k)


def cmd_score(args) -> str:
    """``alliance-index score DYAD... [--year Y] [--format F] [--data FILE]...``"""
    obs = _obs(args)
    df = _quiet(score, obs, year=args.year, dyads=list(args.dyads), latest=args.year is None)
    df, trends = _enrich(df, obs)
    out = _render(df, args.format, trends)
    return out + (_provisional_line(df, obs) + _caveat_lines(df) if args.format == "table" else "")


def cmd_compare(args) -> str:
    """``alliance-index compare DYAD DYAD... [--year Y] [--format F] [--data FILE]...``"""
    obs = _obs(args)
    df = _quiet(compare, list(args.dyads), obs=obs, year=args.year)
    df, trends = _enrich(df, obs)
    out = _render(df, args.format, trends)
    if args.format == "table" and len(df) == 2 and df["p_de_jure"].notna().all():
        out += "\n" + _paired_line(df, obs)
    return out + (_provisional_line(df, obs) + _caveat_lines(df) if args.format == "table" else "")


def _paired_line(df: pd.DataFrame, obs) -> str:
    """Footer of a two-dyad table: the paired p_de_jure difference (same coefficient draws)."""
    from ..models.classify import compare_p_de_jure

    a, b, year = str(df["dyad"].iloc[0]), str(df["dyad"].iloc[1]), int(df["year"].iloc[0])
    r = compare_p_de_jure(a, b, year, obs).iloc[0]
    return (f"p_de_jure {a} - {b}, paired on the same coefficient draws: {r['diff']:+.2f} "
            f"[{r['diff_lo']:+.2f}, {r['diff_hi']:+.2f}]; {a} higher in {r['p_a_greater']:.0%} of draws")
