"""UN General Assembly votes (Voeten's data as packaged by the R package unvotes).

Erik Voeten, Anton Strezhnev and Michael Bailey, "United Nations General Assembly
Voting Data", Harvard Dataverse; R package ``unvotes`` 0.3.0 (D. Robinson, MIT).

Quirks handled here (each cost someone a wrong number):

* country codes are ISO 3166 alpha-2, not COW; Namibia is ``NA``, so the file is
  read with ``keep_default_na=False``;
* West Germany, North Yemen and Zanzibar have empty codes and are matched by
  name (:data:`~alliance_index.sources._codes.UN_NAME_TO_COW`);
* before 1971 the Chinese seat is held by the Republic of China, coded ``TW``:
  its votes go to Taiwan (COW 713) from 1950 and to China (COW 710) in 1946–49,
  when COW counts the Republic of China as China;
* year = session + 1945.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, DataSourceError
from typing import Literal

from ..similarity import UNGA_VOTE_CODES, pairwise_agreement, pairwise_similarity
from ._base import OnUnknown, check_unique, read_table, resolve_path
from ._codes import ISO2_TO_COW, UN_NAME_TO_COW

__all__ = ["read_un_votes", "read_un_roll_calls", "read_un_issues", "un_vote_agreement",
           "UN_VOTE_YEARS"]

#: coverage of the packaged data (sessions 1–74)
UN_VOTE_YEARS = (1946, 2019)


def read_un_roll_calls(path=None) -> pd.DataFrame:
    """Roll-call metadata: ``rcid, session, year`` (+ ``date, importantvote, unres, short, descr``)."""
    p = resolve_path(path, "unvotes/unvotes_un_roll_calls.csv", "UN roll calls")
    df = read_table(p, {"rcid": "int", "session": "int"},
                    optional={"importantvote": "float", "date": "str", "unres": "str",
                              "short": "str", "descr": "str"}, what="UN roll calls")
    check_unique(df, ["rcid"], path=p, what="UN roll calls")
    df.insert(2, "year", df["session"] + 1945)
    return df


def read_un_issues(path=None) -> pd.DataFrame:
    """Issue tags of roll calls: ``rcid, short_name, issue`` (several rows per rcid possible)."""
    p = resolve_path(path, "unvotes/unvotes_un_roll_call_issues.csv", "UN roll-call issues")
    df = read_table(p, {"rcid": "int", "short_name": "str", "issue": "str"}, what="UN roll-call issues")
    check_unique(df, ["rcid", "short_name"], path=p, what="UN roll-call issues")
    return df


def read_un_votes(path=None, roll_calls=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Every recorded UNGA vote, on COW codes.

    Parameters
    ----------
    path : path-like, optional
        ``un_votes`` file (``rcid, country, country_code, vote``).
    roll_calls : path-like or DataFrame, optional
        Roll-call file or the output of :func:`read_un_roll_calls` (gives the session).
    on_unknown : {"raise", "warn"}
        A country code (or, for empty codes, name) the table does not know: error,
        or a DataQualityWarning with the count of rows left out.

    Returns
    -------
    DataFrame ``rcid, session, year, ccode, vote, value`` with ``value`` = 1 yes,
    0.5 abstain, 0 no.
    """
    p = resolve_path(path, "unvotes/unvotes_un_votes.csv.gz", "UN votes")
    df = read_table(p, {"rcid": "int", "country": "cat", "country_code": "cat", "vote": "cat"},
                    keep_default_na=False, what="UN votes")
    # work on the few distinct values, then spread with the category codes
    vcat = df["vote"].cat
    vnorm = pd.Index(vcat.categories.astype(str)).str.strip().str.lower()
    vval = np.array([UNGA_VOTE_CODES.get(x, np.nan) for x in vnorm] + [np.nan])
    value = vval[vcat.codes.to_numpy()]
    bad = np.isnan(value)
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        raise DataSourceError(
            f"UN votes: column 'vote' of {str(p)!r} must be yes / no / abstain; line {line} has "
            f"{df['vote'].iloc[line - 2]!r} ({int(bad.sum())} such row(s))")
    labels = ["abstain", "no", "yes"]
    vcode = np.array([labels.index(x) if x in labels else -1 for x in vnorm] + [-1])
    vote = pd.Categorical.from_codes(vcode[vcat.codes.to_numpy()], categories=labels)
    ccat, ncat = df["country_code"].cat, df["country"].cat
    cstr = pd.Index(ccat.categories.astype(str)).str.strip()
    cmap = np.array([ISO2_TO_COW.get(x, np.nan) for x in cstr] + [np.nan], dtype=float)
    cempty = np.array([x == "" for x in cstr] + [True])
    nmap = np.array([UN_NAME_TO_COW.get(str(x), np.nan) for x in ncat.categories] + [np.nan])
    cc_codes, nm_codes = ccat.codes.to_numpy(), ncat.codes.to_numpy()
    cc = np.where(cempty[cc_codes], nmap[nm_codes], cmap[cc_codes])
    unk = np.isnan(cc)
    keep = ~unk
    if unk.any():
        which = (df.loc[unk, "country"].astype(str) + " (" + df.loc[unk, "country_code"].astype(str)
                 + ")").value_counts()
        msg = (f"UN votes: {int(unk.sum())} row(s) of {str(p)!r} carry country codes with no COW "
               f"number: {', '.join(f'{k}: {v}' for k, v in which.head(6).items())}")
        if on_unknown == "raise":
            raise DataSourceError(msg + "; add them or pass on_unknown='warn' to leave them out")
        if on_unknown == "warn":
            warnings.warn(msg + "; left out", DataQualityWarning, stacklevel=2)
    if isinstance(roll_calls, pd.DataFrame):
        rc = roll_calls
    else:
        rc = read_un_roll_calls(roll_calls)
    rpos = pd.Index(rc["rcid"].to_numpy()).get_indexer(df["rcid"].to_numpy())
    session = np.where(rpos >= 0, rc["session"].to_numpy(dtype=float)[rpos], np.nan)
    nos = np.isnan(session) & keep
    if nos.any():
        raise DataSourceError(
            f"UN votes: {int(nos.sum())} row(s) of {str(p)!r} have an rcid missing from the roll-call "
            f"file (first: {int(df['rcid'].to_numpy()[nos][0])}); use the roll calls of the same release")
    out = pd.DataFrame(copy=False, data={"rcid": df["rcid"].to_numpy()[keep],
                        "session": session[keep].astype("int64"),
                        "ccode": cc[keep].astype("int64"),
                        "vote": vote[keep], "value": value[keep]})
    out.insert(2, "year", out["session"] + 1945)
    tw = (out["ccode"].to_numpy() == 713) & (out["year"].to_numpy() < 1950)
    out.loc[tw, "ccode"] = 710  # Republic of China = China in COW until Dec 1949
    check_unique(out, ["rcid", "ccode"], path=p, what="UN votes")
    return out


def un_vote_agreement(votes: pd.DataFrame, start: int | None = None, end: int | None = None,
                      progress: bool | None = None, *,
                      measure: Literal["agreement", "s", "kappa", "pi"] = "agreement",
                      rcids=None) -> pd.DataFrame:
    """UNGA vote agreement (or S, kappa, pi) of every pair of states that voted in a year.

    Parameters
    ----------
    votes : DataFrame
        Output of :func:`read_un_votes`.
    start, end : int, optional
        Inclusive year range.
    measure : {"agreement", "s", "kappa", "pi"}
        ``agreement`` (contract §4, column ``unga_agreement``) or a similarity measure of
        :func:`alliance_index.similarity.pairwise_similarity` on the codes no 0,
        abstain 0.5, yes 1 with absolute distance and d_max 1 (column ``unga_<measure>``;
        kappa and pi correct for chance agreement, Häge 2011).
    rcids : array-like, optional
        Keep only these roll calls (e.g. important votes, or one issue from
        :func:`read_un_issues`).

    Returns
    -------
    DataFrame ``ccode1 < ccode2, year, unga_agreement, unga_common_votes``; pairs with no
    roll call in common are left out (unknown, not zero).

    Notes
    -----
    Per year, a states × roll-calls matrix :math:`V` (yes 1, abstain 0.5, no 0, NaN
    absent) goes through :func:`alliance_index.similarity.pairwise_agreement`:
    the share of the roll calls on which both voted that they voted alike, abstain
    against yes/no counting half. Matrix products, no loop over dyads.
    """
    if measure not in ("agreement", "s", "kappa", "pi"):
        raise DataSourceError(f"measure must be 'agreement', 's', 'kappa' or 'pi', not {measure!r}")
    v = votes
    if rcids is not None:
        v = v[v["rcid"].isin(np.asarray(rcids))]
    if start is not None:
        v = v[v["year"] >= start]
    if end is not None:
        v = v[v["year"] <= end]
    years = np.unique(v["year"].to_numpy())
    from ._progress import blas_single_thread

    yr_all = v["year"].to_numpy()
    order = np.argsort(yr_all, kind="stable")
    bounds = np.searchsorted(yr_all[order], years.tolist() + [np.iinfo(np.int64).max])
    cc_all, rc_all, val_all = (v["ccode"].to_numpy()[order], v["rcid"].to_numpy()[order],
                               v["value"].to_numpy()[order])
    with blas_single_thread():
        frames = _agreement_years(years, bounds, cc_all, rc_all, val_all, progress, measure)
    col = "unga_agreement" if measure == "agreement" else f"unga_{measure}"
    names = ["ccode1", "ccode2", "year", col, "unga_common_votes"]
    if not frames:
        dt = ["int64", "int64", "int64", "float64", "int64"]
        return pd.DataFrame({n: np.array([], dtype=d) for n, d in zip(names, dt)})
    return pd.DataFrame({n: np.concatenate([f[i] for f in frames]) for i, n in enumerate(names)},
                        copy=False)


def _agreement_years(years, bounds, cc_all, rc_all, val_all, progress, measure="agreement"):
    from ._progress import progress_bar

    frames = []
    for i, y in enumerate(progress_bar(years, desc="UN vote agreement", enable=progress)):
        sl = slice(bounds[i], bounds[i + 1])
        states, r = np.unique(cc_all[sl], return_inverse=True)
        rcids, c = np.unique(rc_all[sl], return_inverse=True)
        V = np.full((states.size, rcids.size), np.nan)
        V[r, c] = val_all[sl]
        if measure == "agreement":
            A = pairwise_agreement(V)
        else:
            A = pairwise_similarity(V, measure=measure, distance="absolute", dmax=1.0,
                                    categories=[0.0, 0.5, 1.0])
        P = (~np.isnan(V)).astype(float)
        N = P @ P.T
        iu, ju = np.triu_indices(states.size, 1)
        ok = N[iu, ju] > 0
        frames.append((states[iu[ok]], states[ju[ok]], np.full(int(ok.sum()), y, dtype=np.int64),
                       A[iu[ok], ju[ok]], N[iu[ok], ju[ok]].astype("int64")))
    return frames
