"""Public classification API: :func:`classify`, :func:`attach_classification`, :func:`load_fitted`."""
from __future__ import annotations

import json
import os
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from ..errors import CoverageWarning, MethodError, ObservationsError
from .combine import summarise
from .commitment import (CommitmentModel, _coop_discord, history_pool, panel_frame, predict_draws, row_keys,
                         simulate_features)
from .historical import HistoricalResults
from .verdict import FEW_HOSTILITY, verdict_reasons, verdicts

#: below this share of the model's indicators observed, a dyad-year gets a CoverageWarning
MIN_COVERAGE: float = 0.2

FITTED_DIR = Path(__file__).resolve().parent / "fitted"

__all__ = ["classify", "attach_classification", "compare_p_de_jure", "explain_p_de_jure", "discord_split",
           "load_fitted", "load_historical", "MIN_COVERAGE"]


@lru_cache(maxsize=4)
def _load(dirpath: str) -> tuple[HistoricalResults, CommitmentModel]:
    d = Path(dirpath)
    hp, cp = d / "historical.json", d / "commitment.json"
    for p, script in ((hp, "scripts/fit_historical.py"), (cp, "scripts/fit_commitment.py")):
        if not p.is_file():
            raise FileNotFoundError(f"fitted model {p} not found: run {script} (or reinstall alliance_index)")
    with open(hp, encoding="utf-8") as fh:
        hist = HistoricalResults.from_dict(json.load(fh))
    with open(cp, encoding="utf-8") as fh:
        com = CommitmentModel.from_dict(json.load(fh))
    return hist, com


def load_historical(path: str | os.PathLike | None = None) -> HistoricalResults:
    """The shipped historical model alone (``historical.json``)."""
    p = Path(path) if path is not None else FITTED_DIR
    with open(p / "historical.json", encoding="utf-8") as fh:
        return HistoricalResults.from_dict(json.load(fh))


def load_fitted(path: str | os.PathLike | None = None) -> tuple[HistoricalResults, CommitmentModel]:
    """The shipped fitted models: ``(historical, commitment)``.

    Parameters
    ----------
    path : path-like, optional
        Folder with ``historical.json`` and ``commitment.json`` (default: the
        package's ``alliance_index/models/fitted``).

    Examples
    --------
    >>> hist, com = load_fitted()
    >>> list(com.params.index)[:2]
    ['const', 'structural_logodds']
    """
    return _load(str(Path(path) if path is not None else FITTED_DIR))


def _as_obs(obs) -> pd.DataFrame:
    from ..observations import load_panel, read_observations, validate_observations
    if obs is None:
        return load_panel()
    if isinstance(obs, (str, os.PathLike)):
        return read_observations(obs)
    if isinstance(obs, pd.DataFrame):
        return validate_observations(obs)
    raise TypeError(f"obs must be None, a path or an observations DataFrame, not {type(obs).__name__}")


def _rows_incomplete(o: pd.DataFrame, V: pd.DataFrame) -> np.ndarray:
    """Boolean per row of ``V``: the dyad-year is coded only to date in ``o``."""
    from ..observations import is_incomplete
    return is_incomplete(o, V.index.get_level_values("dyad"), V.index.get_level_values("year"))


def _by_completeness(V: pd.DataFrame, target: np.ndarray, prov: np.ndarray, seed, run) -> np.ndarray:
    """``run(V_sub, target_sub, rng)`` (an array whose axis 1 runs over the target rows), with the
    donors a row may draw its missing cells from restricted by completeness.

    A complete year's missing cells are drawn only from the dyad's complete years, so adding a
    year in progress (:func:`alliance_index.observations.incomplete_years`) leaves every complete
    year's result unchanged; a year in progress draws from all of the dyad's years. Both runs use
    the same random stream (common random numbers), so their draws pair up as in a single run,
    and with no year in progress this is exactly ``run(V, target, default_rng(seed))``."""
    import copy

    target = np.asarray(target, dtype=bool)
    prov = np.asarray(prov, dtype=bool)
    rng = np.random.default_rng(seed)
    if not (prov & target).any():
        keep = ~prov
        return run(V[keep], target[keep], rng)
    state = copy.deepcopy(rng.bit_generator.state)
    col = np.cumsum(target) - 1  # column of each target row in the result
    out, first = None, True
    for rows, tsel in ((~prov, target & ~prov), (np.ones(len(V), dtype=bool), target & prov)):
        if not tsel.any():
            continue
        if first:
            r = rng
        else:
            r = np.random.Generator(type(rng.bit_generator)())
            r.bit_generator.state = copy.deepcopy(state)
        part = run(V[rows], tsel[rows], r)
        if out is None:
            out = np.empty((part.shape[0], int(target.sum())) + part.shape[2:], dtype=part.dtype)
        out[:, col[tsel]] = part
        first = False
    return out


def _mark_provisional(reasons, mask: np.ndarray, yr) -> np.ndarray:
    """Append the incomplete-year caveat to the ``verdict_reason`` of the masked rows."""
    r = np.asarray(reasons, dtype=object).copy()
    yr = np.asarray(yr)
    for i in np.flatnonzero(mask):  # only the few incomplete rows
        r[i] = f"{r[i]} ({int(yr[i])} coded only to date: provisional)"
    return r


def _examples(out: pd.DataFrame, mask: np.ndarray, count: np.ndarray | None = None) -> str:
    """Up to five of the masked rows as "DYAD YEAR" (with "(count)" when given), for a warning."""
    rows = [f"{d} {y}" for d, y in zip(out["dyad"][mask][:5], out["year"][mask][:5])]
    if count is not None:
        rows = [f"{r} ({k})" for r, k in zip(rows, count[mask][:5])]
    return ", ".join(rows) + (" …" if mask.sum() > 5 else "")


def _check_n_sims(n_sims) -> None:
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 2:
        raise MethodError(f"n_sims must be an integer >= 2, got {n_sims!r} (e.g. n_sims=1000)")


def _years(year, caller: str = "classify") -> list[int] | None:
    """``year`` (one year or an iterable of years) as a list of ints; one clear MethodError for a
    string, a fraction or anything else that is not a whole year (a string is not iterated)."""
    from ..index.composite import _year_arg

    if year is None:
        return None
    if isinstance(year, (str, bytes, int, np.integer, float, np.floating, bool, np.bool_)):
        return [_year_arg(year, caller)]
    try:
        items = list(year)
    except TypeError:
        raise MethodError(f"{caller}: year must be an integer such as 2023 or a list of them, got {year!r} "
                          f"({type(year).__name__}).") from None
    return [_year_arg(y, caller) for y in items]


def _prepare(obs, year, fitted, caller: str):
    """Shared start of :func:`classify` and :func:`explain_p_de_jure`: the fitted models, the
    observations, their raw wide values, the rows of the requested years, and one warning
    (attributed to the caller's caller) listing the indicators the classifier ignores."""
    hist, com = load_fitted(fitted)
    o = _as_obs(obs)
    V, ignored = panel_frame(o, com.indicators)
    yrs = _years(year, caller)
    target = np.ones(len(V), dtype=bool) if yrs is None else np.isin(V.index.get_level_values("year"), yrs)
    if yrs is not None and not target.any():
        raise ObservationsError(f"no observations for year(s) {yrs}; years present: "
                                f"{sorted(set(V.index.get_level_values('year')))}")
    if ignored:
        warnings.warn(f"{caller}: indicator(s) not used by the classifier and ignored: {', '.join(ignored)}",
                      CoverageWarning, stacklevel=3)
    return hist, com, o, V, ignored, target


def classify(obs=None, year: int | Iterable[int] | None = None, *, n_sims: int = 1000, seed=0,
             fitted: str | os.PathLike | None = None) -> pd.DataFrame:
    """Calibrated probability of a mutual-defence treaty, its interval and a verdict, per dyad-year.

    Parameters
    ----------
    obs : DataFrame, path or None
        Observations (contract §2); ``None`` = the bundled panel. Any dyad works:
        nothing depends on a dyad being bundled.
    year : int or iterable of int, optional
        Keep these years (default: every dyad-year in ``obs``). Other years of the
        same dyad still serve as donors for its missing indicators.
    n_sims : int
        Simulation draws.
    seed : int, Generator or None
        The one source of randomness.
    fitted : path-like, optional
        Folder of fitted models (default: shipped ones).

    Returns
    -------
    DataFrame
        ``dyad, year, p_de_jure, p_de_jure_lo, p_de_jure_hi, verdict, verdict_reason, known_status,
        coverage, ignored_indicators, cooperation, discord, hostility, hedging, n_hostility`` — ``coverage`` is the
        share of the classifier's indicators (``load_fitted()[1].indicators``) observed in
        the dyad-year; ``ignored_indicators`` lists indicators present in ``obs`` that
        the classifier does not use; ``known_status`` comes from ``status.csv``
        (``None`` for dyads it does not cover); ``n_hostility`` is the number of hostility
        indicators observed in the dyad-year — a ``rivalry`` resting on one or two is fragile
        (its ``verdict_reason`` says so, and a ``CoverageWarning`` lists such rows).

    Warns
    -----
    CoverageWarning
        For dyad-years with coverage below :data:`MIN_COVERAGE` (their interval is wide),
        once listing ignored indicators, and for ``rivalry`` verdicts resting on
        :data:`~alliance_index.models.verdict.FEW_HOSTILITY` or fewer observed hostility indicators;
        and for dyad-years coded only to date (a year in progress, whose rows' notes begin
        ``"<year> to date"``: :func:`~alliance_index.observations.incomplete_years`), whose
        ``verdict_reason`` also ends "(<year> coded only to date: provisional)".

    Notes
    -----
    :math:`p_{de\\,jure} = \\Lambda(\\beta_0 + \\beta_h \\tilde h + \\beta_n' \\tilde n)`, simulated over
    parameter and missing-indicator uncertainty (see :mod:`alliance_index.models.combine`).

    Examples
    --------
    >>> import alliance_index as ai
    >>> from alliance_index.models import classify
    >>> r = classify(ai.load_panel(["Russia-Belarus"]), year=2023, n_sims=200)
    >>> r[["dyad", "year"]].values.tolist()
    [['BLR-RUS', 2023]]
    """
    from ..observations import known_status
    _check_n_sims(n_sims)
    hist, com, o, V, ignored, target = _prepare(obs, year, fitted, "classify")
    prov = _rows_incomplete(o, V)
    draws = _by_completeness(V, target, prov, seed,
                             lambda Vs, ts, rng: predict_draws(com, Vs, hist, n_sims, rng, target=ts))
    idx = V.index[target]
    out = summarise(draws)
    out.insert(0, "year", idx.get_level_values("year").to_numpy(dtype="int64"))
    out.insert(0, "dyad", idx.get_level_values("dyad").to_numpy(dtype=object))
    cov = V[target].notna().mean(axis=1).to_numpy()
    cd = _coop_discord(o).reindex(idx)
    vin = (out["p_de_jure"].to_numpy(), cd["cooperation"].to_numpy(), cd["discord"].to_numpy(),
           cd["hostility"].to_numpy())
    n_host = cd["n_hostility"].fillna(0).to_numpy(dtype="int64")
    out["verdict"] = verdicts(*vin)
    inc = prov[target]  # out's rows are V's target rows, in order
    out["verdict_reason"] = _mark_provisional(verdict_reasons(*vin, n_hostility=n_host), inc, out["year"])
    out["known_status"] = known_status(out["dyad"].to_numpy(), out["year"].to_numpy())
    out["coverage"] = cov
    out["ignored_indicators"] = [list(ignored)] * len(out)
    out["cooperation"] = cd["cooperation"].to_numpy()
    out["discord"] = cd["discord"].to_numpy()
    out["hostility"] = cd["hostility"].to_numpy()
    out["hedging"] = cd["hedging"].to_numpy()
    out["n_hostility"] = n_host
    thin = (out["verdict"] == "rivalry").to_numpy() & (n_host <= FEW_HOSTILITY)
    if thin.any():
        warnings.warn(f"classify: {int(thin.sum())} `rivalry` verdict(s) rest on {FEW_HOSTILITY} or fewer observed "
                      f"hostility indicators ({_examples(out, thin, n_host)}): fragile. Add observations of "
                      "incidents, protests, sanctions or disputes for those years to firm them up.",
                      CoverageWarning, stacklevel=2)
    low = cov < MIN_COVERAGE
    if low.any():
        warnings.warn(f"classify: {int(low.sum())} dyad-year(s) have fewer than {MIN_COVERAGE:.0%} of the "
                      f"classifier's {len(com.indicators)} indicators observed ({_examples(out, low)});"
                      " their p_de_jure rests mostly on imputed draws and its interval is wide. "
                      "Add observations of the commitment indicators to narrow it.",
                      CoverageWarning, stacklevel=2)
    if inc.any():
        warnings.warn(f"classify: {int(inc.sum())} dyad-year(s) are coded only to date, a year still in progress "
                      f"({_examples(out, inc)}): only indicators that describe a state are observed; "
                      "flows counted over the year (trade, meetings, exercises, incidents) are drawn from the "
                      "dyad's other years. Read them as provisional.",
                      CoverageWarning, stacklevel=2)
    return out.reset_index(drop=True)


def compare_p_de_jure(dyad_a: str, dyad_b: str, year: int, obs=None, *, n_sims: int = 1000, seed=0,
                      level: float = 0.95, fitted: str | os.PathLike | None = None) -> pd.DataFrame:
    """Paired comparison of two dyads' ``p_de_jure`` in one year: the difference, draw by draw.

    ``classify`` gives each dyad its own interval; two intervals can overlap while one dyad is
    above the other in nearly every simulation, because most of the width is the uncertainty of
    the shared coefficients (``docs/models.md`` §7, part D). Here both dyad-years are simulated
    with the *same* parameter draws (and their own hot-deck draws), so the interval of
    :math:`p_a - p_b` shows what the data say about the ordering.

    Parameters
    ----------
    dyad_a, dyad_b : str
        Dyads, any spelling (contract §1).
    year : int
        The year compared; both dyads need observations in it.
    obs : DataFrame, path or None
        Observations (``None`` = bundled panel).
    n_sims, seed, level, fitted
        As in :func:`classify`; ``level`` is the interval's coverage.

    Returns
    -------
    DataFrame
        One row: ``dyad_a, dyad_b, year, p_a, p_b, diff, diff_lo, diff_hi, p_a_greater``
        (the share of draws in which ``dyad_a``'s probability is the larger).

    Examples
    --------
    >>> r = compare_p_de_jure("Russia-Belarus", "Russia-Iran", 2023, n_sims=300)
    >>> r[["dyad_a", "dyad_b"]].values.tolist()
    [['BLR-RUS', 'IRN-RUS']]
    """
    from ..countries import dyad_id
    _check_n_sims(n_sims)
    if not 0 < level < 1:
        raise MethodError(f"level must be between 0 and 1, got {level!r} (e.g. level=0.95)")
    a, b = dyad_id(dyad_a), dyad_id(dyad_b)
    if a == b:
        raise MethodError(f"compare two different dyads (both are {a}).")
    hist, com = load_fitted(fitted)
    o = _as_obs(obs)
    o = o[o["dyad"].isin([a, b])]
    V, _ = panel_frame(o, com.indicators)
    idx = V.index
    pos, missing = [], []
    for d in (a, b):
        hit = np.flatnonzero((idx.get_level_values("dyad") == d) & (idx.get_level_values("year") == int(year)))
        if hit.size:
            pos.append(int(hit[0]))
            continue
        have = sorted(set(idx.get_level_values("year")[idx.get_level_values("dyad") == d].tolist()))
        missing.append(f"{d} (years with data: {f'{have[0]}–{have[-1]}' if have else 'none'})")
    if missing:
        raise ObservationsError(f"no observations in {int(year)} for {' and '.join(missing)}; "
                                "choose a year both dyads have.")
    target = np.zeros(len(V), dtype=bool)
    target[pos] = True
    draws = _by_completeness(V, target, _rows_incomplete(o, V), seed,
                             lambda Vs, ts, rng: predict_draws(com, Vs, hist, n_sims, rng, target=ts))
    order = np.cumsum(target) - 1  # column of each target row in ``draws``
    pa, pb = draws[:, order[pos[0]]], draws[:, order[pos[1]]]
    d = pa - pb
    t = (1 - level) / 2
    return pd.DataFrame({"dyad_a": [a], "dyad_b": [b], "year": [int(year)], "p_a": [pa.mean()], "p_b": [pb.mean()],
                         "diff": [d.mean()], "diff_lo": [np.quantile(d, t)], "diff_hi": [np.quantile(d, 1 - t)],
                         "p_a_greater": [float((d > 0).mean())]})


def explain_p_de_jure(obs=None, year: int | Iterable[int] | None = None, *, n_imputations: int = 200, seed=0,
                      fitted: str | os.PathLike | None = None) -> pd.DataFrame:
    """What drives each dyad-year's ``p_de_jure``: every feature's contribution to the log-odds.

    The commitment model is linear in its features on the log-odds scale, so its point
    prediction splits exactly into one term per feature: the coefficient times the
    feature's standardised value. The features are the structural log-odds and the node
    means of the curated indicators (``docs/models.md`` §3); a node's missing indicators are
    averaged over ``n_imputations`` hot-deck completions, keyed like :func:`classify`'s (so a
    dyad-year's explanation does not depend on the other rows in the call).

    Parameters
    ----------
    obs, year, seed, fitted
        As in :func:`classify`.
    n_imputations : int
        Hot-deck completions averaged per dyad-year.

    Returns
    -------
    DataFrame
        Long, one row per (dyad, year, term): ``dyad, year, term, value, observed, z, coef,
        contribution``. ``term`` is ``const``, each model feature, and ``total``.

        * ``value``: the feature (a node mean on 0–1 of goalpost-normalised indicators, or the
          structural log-odds), averaged over the completions; for ``total`` it is the point
          probability :math:`\\Lambda(\\text{total})`.
        * ``observed``: share of the feature's indicators observed in the dyad-year — within the
          model's window of years when it pools the dyad's history (``docs/models.md`` §3) — the
          rest is imputed; NaN for ``const`` and ``total``.
        * ``z``: standardised on the training panel, ``(value - mean) / scale``.
        * ``coef``: the fitted coefficient (per SD of the feature).
        * ``contribution``: ``coef * z`` (``coef`` for ``const``); for ``total``, their sum, the
          point log-odds.

    Notes
    -----
    :math:`\\eta = \\beta_0 + \\sum_k \\beta_k (x_k - m_k)/s_k`, evaluated at the estimates and at
    the completion-averaged features (the average of :math:`\\eta` over completions, since
    :math:`\\eta` is linear). The point probability :math:`\\Lambda(\\eta)` differs from
    ``classify``'s ``p_de_jure``, which also averages over the coefficients' sampling
    distribution; the terms say *why* a dyad scores high or low, the interval of ``classify``
    says how sure the model is.

    Examples
    --------
    >>> import alliance_index as ai
    >>> e = explain_p_de_jure(ai.load_panel(["Russia-Belarus"]), year=2023, n_imputations=20)
    >>> e["term"].tolist()[:2], e["term"].tolist()[-1]
    (['const', 'structural_logodds'], 'total')
    >>> t = e.set_index("term")["contribution"]
    >>> bool(abs(t.drop("total").sum() - t["total"]) < 1e-9)
    True
    """
    from .features import HISTORICAL_INDICATORS
    if isinstance(n_imputations, bool) or not isinstance(n_imputations, (int, np.integer)) or n_imputations < 1:
        raise MethodError(f"n_imputations must be an integer >= 1, got {n_imputations!r} (e.g. n_imputations=200)")
    hist, com, o, V, _, target = _prepare(obs, year, fitted, "explain_p_de_jure")
    base = int(np.random.default_rng(seed).integers(0, 2**63 - 1))
    F = _by_completeness(V, target, _rows_incomplete(o, V), None,
                         lambda Vs, ts, rng: simulate_features(history_pool(Vs, com.window), hist, com.pool,
                                                               n_imputations, rng, target=ts, nodes=com.nodes,
                                                               use_structural=com.use_structural,
                                                               keys=row_keys(Vs.index, base)))
    X = np.where(np.isnan(F), com.means, F).mean(axis=0)  # (n, k): what the model reads, averaged
    Z = (X - com.means) / com.scales
    b = com.params.to_numpy()
    contrib = np.column_stack([np.full(len(X), b[0]), Z * b[1:]])
    total = contrib.sum(axis=1)
    feats = com.features
    obs_v = history_pool(V, com.window)[target].notna()  # observed in the model's window of years
    groups = ({"structural_logodds": list(HISTORICAL_INDICATORS)} if com.use_structural else {})
    groups.update({k: list(v) for k, v in com.nodes.items()})
    observed = np.column_stack([obs_v[[c for c in groups[f] if c in obs_v.columns]].mean(axis=1).to_numpy()
                                for f in feats])
    n, k = X.shape
    nan = np.full((n, 1), np.nan)
    terms = ["const"] + feats + ["total"]
    val = np.column_stack([nan, X, 1.0 / (1.0 + np.exp(-total))[:, None]])
    obs_c = np.column_stack([nan, observed, nan])
    z = np.column_stack([nan, Z, nan])
    coef = np.broadcast_to(np.r_[b, np.nan], (n, k + 2))
    con = np.column_stack([contrib, total])
    idx = V.index[target]
    return pd.DataFrame({
        "dyad": np.repeat(idx.get_level_values("dyad").to_numpy(dtype=object), k + 2),
        "year": np.repeat(idx.get_level_values("year").to_numpy(dtype="int64"), k + 2),
        "term": np.tile(np.asarray(terms, dtype=object), n),
        "value": val.ravel(), "observed": obs_c.ravel(), "z": z.ravel(), "coef": coef.ravel(),
        "contribution": con.ravel()})


def discord_split(obs: pd.DataFrame) -> pd.DataFrame:
    """Discord split into ``hostility`` and ``hedging`` (0–100) per dyad-year.

    Each is computed like ``classify``'s ``discord`` (goalpost-normalised observed indicators,
    mean within domain, mean over observed domains, × 100) but over part of the discord
    indicators: ``hedging`` over :data:`~alliance_index.catalog.HEDGING_INDICATORS`,
    ``hostility`` over every other discord indicator (incidents, protests, sanctions,
    disputes, opposing sides, …). NaN where none of that part is observed. The ``rivalry``
    rule reads hostility, ``convenience`` total discord (``docs/verdicts.md``).
    """
    idx_all = pd.MultiIndex.from_arrays([obs["dyad"].astype(str), obs["year"].astype("int64")],
                                        names=["dyad", "year"]).unique()
    return _coop_discord(obs)[["hostility", "hedging"]].reindex(idx_all).sort_index()


def attach_classification(scores_df: pd.DataFrame, obs=None, *, n_sims: int = 1000, seed=0) -> pd.DataFrame:
    """Add ``p_de_jure, p_de_jure_lo, p_de_jure_hi, verdict, verdict_reason, known_status`` to a scores frame.

    Parameters
    ----------
    scores_df : DataFrame
        Output of ``score()``: one row per dyad-year with columns (or index levels)
        ``dyad`` and ``year``; if it has ``cooperation`` and ``discord`` (0–100) the
        verdict uses them, and its ``hostility`` too (``score()`` output has it; a frame
        without it gets the classifier's hostility from ``obs``), so the verdict agrees
        with the printed index.
    obs : DataFrame, path or None
        The observations the scores were computed from (``None`` = bundled panel).

    Returns
    -------
    DataFrame
        A copy of ``scores_df`` with the six columns added (row order kept); ``verdict_reason``
        names the rule that fired and the numbers it compared (:func:`~alliance_index.models.verdict_reasons`).
        Two more columns follow them (0.3.1), from the classifier: ``n_hostility`` (hostility
        indicators observed in the dyad-year; a ``rivalry`` on
        :data:`~alliance_index.models.verdict.FEW_HOSTILITY` or fewer is fragile) and
        ``classifier_coverage`` (share of the classifier's indicators observed; below
        :data:`MIN_COVERAGE` the ``p_de_jure`` interval is wide). NaN where the classifier
        has no row.

    Notes
    -----
    The ``CoverageWarning`` s of :func:`classify` are not passed on: they speak of the
    classifier's rows and verdicts, which may differ from the frame's (the verdict here reads
    the frame's cooperation, discord and hostility). Read the caveats from the columns instead
    (and ``provisional`` from ``score()``); the command line prints them as footer lines
    (``fragile:``, ``low coverage:``, ``provisional:``) and the HTML report as notices.
    """
    df = scores_df.copy()
    keys = df.reset_index() if ("dyad" not in df.columns and "dyad" in (df.index.names or [])) else df
    dy = keys["dyad"].astype(str).to_numpy()
    yr = keys["year"].to_numpy(dtype="int64")
    from ..observations import is_incomplete, known_status
    o = _as_obs(obs)
    o = o[o["dyad"].isin(set(dy))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        cl = classify(o, year=sorted(set(yr.tolist())), n_sims=n_sims, seed=seed)
    pos = pd.MultiIndex.from_arrays([cl["dyad"], cl["year"]]).get_indexer(pd.MultiIndex.from_arrays([dy, yr]))
    hit = pos >= 0

    def take(col, fill):
        v = cl[col].to_numpy(dtype=object if col in ("verdict", "known_status") else float)
        out = np.full(len(dy), fill, dtype=v.dtype)
        out[hit] = v[pos[hit]]
        return out

    for col, fill in (("p_de_jure", np.nan), ("p_de_jure_lo", np.nan), ("p_de_jure_hi", np.nan)):
        df[col] = take(col, fill)
    if "cooperation" in keys.columns and "discord" in keys.columns:
        # hostility from the scores when they carry it (score() does); else the classifier's own
        H = (keys["hostility"].to_numpy(dtype=float) if "hostility" in keys.columns else take("hostility", np.nan))
        vin = (df["p_de_jure"].to_numpy(), keys["cooperation"].to_numpy(dtype=float),
               keys["discord"].to_numpy(dtype=float), H)
        df["verdict"] = verdicts(*vin)
        df["verdict_reason"] = _mark_provisional(verdict_reasons(*vin, n_hostility=take("n_hostility", np.nan)),
                                                 is_incomplete(o, dy, yr), yr)
    else:
        df["verdict"] = take("verdict", None)
        df["verdict_reason"] = take("verdict_reason", None)
    df["known_status"] = known_status(dy, yr)
    df["n_hostility"] = take("n_hostility", np.nan)
    df["classifier_coverage"] = take("coverage", np.nan)
    return df
