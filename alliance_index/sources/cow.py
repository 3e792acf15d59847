"""Readers for Correlates of War files and companions (states, NMC, trade, IGOs,
contiguity, distance, major powers, rivalries, democracy).

Every reader takes the path of the user's downloaded file (``None`` = the file
of the same name in :func:`~alliance_index.sources.get_data_dir`), validates the
columns and their types (a :class:`~alliance_index.errors.DataSourceError` names
the file and the column), checks code columns against the COW state list and
returns a tidy frame with ``int64`` codes and years.

Sources: Correlates of War Project (state system 2016, National Material
Capabilities 7.0, Trade 4.0, IGO 3.0, Direct Contiguity 3.2, Major Powers 2016);
minimum distance and strategic rivalries as packaged by the R package
peacesciencer (Miller 2022); democracy scores as packaged by the R package isard.
"""
from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, DataSourceError
from ._base import OnUnknown, check_codes, check_unique, read_table, resolve_path, spells_to_years

__all__ = [
    "read_cow_states", "read_isard_system", "system_years", "read_nmc", "read_trade_dyadic",
    "read_trade_national", "read_igo_dyadic", "read_contiguity", "read_mindist",
    "read_major_powers", "read_rivalries", "read_democracy",
]

_COW_MISSING = -9  # COW's code for a missing value in NMC and trade


def _na_sentinel(df: pd.DataFrame, cols) -> pd.DataFrame:
    for c in cols:
        v = df[c].to_numpy(dtype=float, copy=True)
        v[v == _COW_MISSING] = np.nan
        df[c] = v
    return df


def read_cow_states(path=None) -> pd.DataFrame:
    """COW state-system membership spells (``states2016.csv`` format).

    Returns
    -------
    DataFrame with ``ccode, abb, name, start_year, end_year`` (one row per spell).
    """
    p = resolve_path(path, "cow/cow_states_2016.csv", "COW state system")
    df = read_table(p, {"stateabb": "str", "ccode": "code", "statenme": "str",
                        "styear": "int", "endyear": "int"}, what="COW state system")
    _check_spells(df, "styear", "endyear", p, "COW state system")
    return pd.DataFrame({"ccode": df["ccode"], "abb": df["stateabb"], "name": df["statenme"],
                         "start_year": df["styear"], "end_year": df["endyear"]})


def read_isard_system(path=None) -> pd.DataFrame:
    """Extended COW system membership (``isard`` ``cw_system`` format, dates).

    Returns the same columns as :func:`read_cow_states`.
    """
    p = resolve_path(path, "cow/isard_cw_system.csv", "isard COW system")
    df = read_table(p, {"ccode": "code", "cw_abb": "str", "cw_name": "str",
                        "start": "date", "end": "date"}, what="isard COW system")
    out = pd.DataFrame({"ccode": df["ccode"], "abb": df["cw_abb"], "name": df["cw_name"],
                        "start_year": df["start"].dt.year.astype("int64"),
                        "end_year": df["end"].dt.year.astype("int64")})
    _check_spells(out, "start_year", "end_year", p, "isard COW system")
    return out


def _check_spells(df, s, e, path, what):
    bad = (df[e] < df[s]).to_numpy()
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        raise DataSourceError(f"{what}: {int(bad.sum())} spell(s) of {str(path)!r} end before "
                              f"they start (first: line {line}); fix {s!r}/{e!r}")


def system_years(start: int, end: int, states: pd.DataFrame | None = None,
                 extend_to: int | None = None) -> pd.DataFrame:
    """States in the system each year: ``ccode, year`` (a state counts in every year
    a spell of it touches).

    Parameters
    ----------
    start, end : int
        Inclusive years.
    states : DataFrame, optional
        Output of :func:`read_cow_states` / :func:`read_isard_system` (default: read
        the COW states file of the data directory).
    extend_to : int, optional
        The system files end at a version cap (2016): spells that reach the file's
        last year are treated as continuing to ``extend_to``. Without it, years after
        the cap have no states.
    """
    st = states if states is not None else read_cow_states()
    s = st["start_year"].to_numpy()
    e = st["end_year"].to_numpy().copy()
    if extend_to is not None:
        cap = int(e.max())
        e[e == cap] = max(cap, int(extend_to))
    idx, yrs = spells_to_years(s, e, start, end)
    out = pd.DataFrame({"ccode": st["ccode"].to_numpy()[idx].astype("int64"), "year": yrs})
    return out.drop_duplicates().sort_values(["year", "ccode"], ignore_index=True)


def read_nmc(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """National Material Capabilities: ``ccode, year, milex, milper, irst, pec, tpop, upop, cinc``.

    ``-9`` (COW's missing code) becomes NaN.
    """
    p = resolve_path(path, "cow/cow_nmc_v7.csv", "COW NMC")
    cols = ["milex", "milper", "irst", "pec", "tpop", "upop", "cinc"]
    df = read_table(p, {"ccode": "code", "year": "int", "cinc": "float"},
                    optional={c: "float" for c in cols[:-1]}, what="COW NMC")
    check_codes(df, ["ccode"], path=p, what="COW NMC", on_unknown=on_unknown)
    check_unique(df, ["ccode", "year"], path=p, what="COW NMC")
    return _na_sentinel(df, [c for c in cols if c in df])


def read_trade_dyadic(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """COW dyadic trade (non-directed): ``ccode1, ccode2, year, flow1, flow2`` in
    millions of current US dollars (``flow1`` = imports of ``ccode1`` from ``ccode2``).

    Rows are put in ``ccode1 < ccode2`` order (flows swapped accordingly); ``-9``
    becomes NaN. Inside 1870–2014 a dyad-year absent from the file is a zero flow
    (the builder's rule); empty flows are unknown.
    """
    p = resolve_path(path, "cow/cow_trade_ndy_v4.csv.gz", "COW dyadic trade")
    df = read_table(p, {"ccode1": "code", "ccode2": "code", "year": "int",
                        "flow1": "float", "flow2": "float"},
                    optional={"smoothflow1": "float", "smoothflow2": "float"},
                    what="COW dyadic trade")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="COW dyadic trade", on_unknown=on_unknown)
    swap = (df["ccode1"] > df["ccode2"]).to_numpy()
    if swap.any():
        a, b = df["ccode1"].to_numpy(), df["ccode2"].to_numpy()
        df["ccode1"], df["ccode2"] = np.where(swap, b, a), np.where(swap, a, b)
        for x, y in (("flow1", "flow2"), ("smoothflow1", "smoothflow2")):
            if x in df:
                u, v = df[x].to_numpy(), df[y].to_numpy()
                df[x], df[y] = np.where(swap, v, u), np.where(swap, u, v)
    check_unique(df, ["ccode1", "ccode2", "year"], path=p, what="COW dyadic trade")
    return _na_sentinel(df, [c for c in df.columns if "flow" in c])


def read_trade_national(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """COW national trade totals: ``ccode, year, imports, exports`` ($m current)."""
    p = resolve_path(path, "cow/cow_trade_sy_v4.csv", "COW national trade")
    df = read_table(p, {"ccode": "code", "year": "int", "imports": "float", "exports": "float"},
                    what="COW national trade")
    check_codes(df, ["ccode"], path=p, what="COW national trade", on_unknown=on_unknown)
    check_unique(df, ["ccode", "year"], path=p, what="COW national trade")
    return _na_sentinel(df, ["imports", "exports"])


def _nondirected(df: pd.DataFrame) -> pd.DataFrame:
    a, b = df["ccode1"].to_numpy(), df["ccode2"].to_numpy()
    df["ccode1"], df["ccode2"] = np.minimum(a, b), np.maximum(a, b)
    return df


def read_igo_dyadic(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Shared IGO memberships per dyad-year: ``ccode1, ccode2, year, dyadigos``.

    Note: the count includes alliance organisations (NATO, Warsaw Pact, ...), so it
    partly encodes the alliance label; measure models with and without it.
    ``-9`` / negative values (IGO codes for missing) become NaN.
    """
    p = resolve_path(path, "cow/cow_igo_ndy.csv.gz", "COW IGO dyadic")
    df = read_table(p, {"ccode1": "code", "ccode2": "code", "year": "int", "dyadigos": "float"},
                    what="COW IGO dyadic")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="COW IGO dyadic", on_unknown=on_unknown)
    df = _nondirected(df)
    check_unique(df, ["ccode1", "ccode2", "year"], path=p, what="COW IGO dyadic")
    v = df["dyadigos"].to_numpy(copy=True)
    v[v < 0] = np.nan
    df["dyadigos"] = v
    return df


def read_contiguity(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Direct contiguity spells: ``ccode1, ccode2, conttype, start_year, end_year``.

    ``conttype`` 1 = land border, 2–5 = separated by at most 12 / 24 / 150 / 400
    miles of water; **0 means not contiguous** (such rows are kept as 0 and never
    count as contiguity). Dyads are put in ``ccode1 < ccode2`` order and duplicate
    directions merged.
    """
    p = resolve_path(path, "cow/cow_contdir.csv", "COW direct contiguity")
    df = read_table(p, {"ccode1": "code", "ccode2": "code", "conttype": "int",
                        "stdate": "date", "enddate": "date"}, what="COW direct contiguity")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="COW direct contiguity", on_unknown=on_unknown)
    bad = ~df["conttype"].isin([0, 1, 2, 3, 4, 5]).to_numpy()
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        raise DataSourceError(f"COW direct contiguity: 'conttype' must be 0–5; line {line} of "
                              f"{str(p)!r} has {df['conttype'].iloc[line - 2]!r}")
    out = pd.DataFrame({"ccode1": df["ccode1"], "ccode2": df["ccode2"], "conttype": df["conttype"],
                        "start_year": df["stdate"].dt.year.astype("int64"),
                        "end_year": df["enddate"].dt.year.astype("int64")})
    _check_spells(out, "start_year", "end_year", p, "COW direct contiguity")
    return _nondirected(out).drop_duplicates(ignore_index=True)


def read_mindist(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Minimum distance between two states, km: ``ccode1, ccode2, year, mindist``."""
    p = resolve_path(path, "cow/cow_mindist.csv.gz", "minimum distance")
    df = read_table(p, {"ccode1": "code", "ccode2": "code", "year": "int", "mindist": "float"},
                    what="minimum distance")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="minimum distance", on_unknown=on_unknown)
    df = _nondirected(df)
    key = (df["year"].to_numpy() * 1_000_000 + df["ccode1"].to_numpy() * 1000
           + df["ccode2"].to_numpy())
    dup = np.zeros(len(df), bool)
    if pd.Index(key).has_duplicates:
        dup = df.duplicated(["ccode1", "ccode2", "year"], keep=False).to_numpy()
    if dup.any():  # both directions listed: they must agree
        g = df[dup].groupby(["ccode1", "ccode2", "year"])["mindist"]
        spread = (g.max() - g.min()).max()
        if spread > 1e-6:
            raise DataSourceError(f"minimum distance: {str(p)!r} lists a dyad-year twice with "
                                  f"different distances (up to {spread:.3f} km apart)")
        df = df.drop_duplicates(["ccode1", "ccode2", "year"], ignore_index=True)
    return df


def read_major_powers(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """COW major-power spells: ``ccode, start_year, end_year``."""
    p = resolve_path(path, "cow/cow_majors.csv", "COW major powers")
    df = read_table(p, {"ccode": "code", "styear": "int", "endyear": "int"}, what="COW major powers")
    check_codes(df, ["ccode"], path=p, what="COW major powers", on_unknown=on_unknown)
    out = pd.DataFrame({"ccode": df["ccode"], "start_year": df["styear"], "end_year": df["endyear"]})
    _check_spells(out, "start_year", "end_year", p, "COW major powers")
    _warn_overlaps(out, ["ccode"], p, "COW major powers")
    return out


def _warn_overlaps(df, keys, path, what):
    idx, yrs = spells_to_years(df["start_year"], df["end_year"])
    k = df[keys].to_numpy()[idx]
    frame = pd.DataFrame(k, columns=keys).assign(year=yrs)
    n = int(frame.duplicated().sum())
    if n:
        warnings.warn(f"{what}: spells of {str(path)!r} overlap on {n} key-year(s); "
                      f"they are counted once", DataQualityWarning, stacklevel=3)


def read_rivalries(path=None, *, kind: Literal["td", "tss"] | None = None,
                   on_unknown: OnUnknown = "warn") -> pd.DataFrame:
    """Strategic rivalry spells: ``ccode1, ccode2, start_year, end_year, rivalry``.

    Parameters
    ----------
    kind : {"td", "tss"}, optional
        Thompson & Dreyer (``styear``/``endyear`` columns, default file
        ``td_rivalries.csv``) or Thompson, Sakuwa & Suhas (``start``/``end``,
        ``tss_rivalries.csv``). Detected from the columns when a path is given.
    on_unknown : default ``"warn"``
        Rivalries reach back before 1816 and include entities outside the COW
        list (e.g. code 324); such rows are kept with a DataQualityWarning and simply
        match no system state.
    """
    rel = "cow/tss_rivalries.csv" if kind == "tss" else "cow/td_rivalries.csv"
    p = resolve_path(path, rel, "strategic rivalries")
    header = pd.read_csv(p, nrows=0).columns.tolist()
    if kind is None:
        kind = "tss" if "start" in header and "styear" not in header else "td"
    s, e = ("styear", "endyear") if kind == "td" else ("start", "end")
    name = "rivalryname" if kind == "td" else "rivalry"
    df = read_table(p, {"ccode1": "code", "ccode2": "code", s: "int", e: "int"},
                    optional={name: "str"}, what=f"strategic rivalries ({kind})")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="strategic rivalries", on_unknown=on_unknown)
    out = pd.DataFrame({"ccode1": df["ccode1"], "ccode2": df["ccode2"], "start_year": df[s],
                        "end_year": df[e],
                        "rivalry": df[name] if name in df else pd.Series([""] * len(df))})
    _check_spells(out, "start_year", "end_year", p, "strategic rivalries")
    out = _nondirected(out)
    _warn_overlaps(out, ["ccode1", "ccode2"], p, "strategic rivalries")
    return out


def read_democracy(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Democracy scores: ``ccode, year, polity2`` (+ ``euds, aeuds, v2x_polyarchy`` when present)."""
    p = resolve_path(path, "democracy/isard_cw_democracy.csv", "democracy scores")
    df = read_table(p, {"ccode": "code", "year": "int", "polity2": "float"},
                    optional={"euds": "float", "aeuds": "float", "v2x_polyarchy": "float"},
                    what="democracy scores")
    check_codes(df, ["ccode"], path=p, what="democracy scores", on_unknown=on_unknown)
    check_unique(df, ["ccode", "year"], path=p, what="democracy scores")
    bad = (df["polity2"].abs() > 10).to_numpy()
    if bad.any():  # -66/-77/-88 Polity interruption codes
        warnings.warn(f"democracy scores: {int(bad.sum())} polity2 value(s) outside −10..10 in "
                      f"{str(p)!r} (Polity special codes) set to NaN", DataQualityWarning, stacklevel=2)
        v = df["polity2"].to_numpy(copy=True)
        v[bad] = np.nan
        df["polity2"] = v
    return df
