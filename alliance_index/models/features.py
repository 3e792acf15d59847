"""Feature construction for the classification models.

Two sources of features, one set of transformations:

* the dyad-year builder's output (:func:`alliance_index.sources.build_dyad_years`):
  :func:`historical_features` — structural closeness (UN voting, IGOs, trade,
  arms, rivals, alliance portfolios) plus, in the ``"full"`` specification,
  geography and power covariates that observation files do not carry;
* a :class:`~alliance_index.panel.Panel` of observations (bundled or the
  user's): :func:`panel_historical_features` gives the same ``"indicators"``
  features, and :func:`commitment_nodes` the curated-indicator features of
  the commitment model.

Region pairs are derived from COW codes (so from any dyad id): Americas
(COW 2–199), Europe (200–399), Africa (400–626), Middle East (630–699),
Asia and Oceania (700–999).
"""
from __future__ import annotations

import warnings
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from .. import countries
from ..catalog import catalog as _catalog
from ..errors import CoverageWarning, MissingColumnError

REGIONS: tuple[str, ...] = ("americas", "europe", "africa", "mideast", "asia")
#: region-pair dummies (all 15; the fit picks the reference category, see ``fit_historical``)
REGION_PAIRS: tuple[str, ...] = tuple(
    f"reg_{REGIONS[a]}_{REGIONS[b]}" for a in range(5) for b in range(a, 5)
)

#: catalog indicators with a long-run real series (what an observation file can carry)
HISTORICAL_INDICATORS: tuple[str, ...] = (
    "unga_agreement", "unga_ideal_point_distance", "shared_igo_memberships", "trade_usd",
    "trade_dependence", "arms_transfers_tiv", "shared_rivals", "alliance_portfolio_similarity",
)
#: indicators through which alliance membership itself leaks (DESIGN.md): IGO counts include
#: NATO/Warsaw Pact/CSTO, portfolio similarity is built from the same ATOP ties
LEAKY_INDICATORS: tuple[str, ...] = ("shared_igo_memberships", "alliance_portfolio_similarity")
#: builder covariates used only by the ``"full"`` specification
COVARIATES: tuple[str, ...] = ("contiguity", "mindist", "major_powers", "joint_democracy",
                               "capability_ratio", "strategic_rivalry")

_IND_FEATURES = {  # feature name -> (source column, transform)
    "unga_agreement": ("unga_agreement", "none"),
    "ideal_distance": ("unga_ideal_point_distance", "none"),
    "log_igos": ("shared_igo_memberships", "log1p"),
    "log_trade": ("trade_usd", "log1p"),
    "log_trade_dep": ("trade_dependence", "log1p"),
    "log_arms": ("arms_transfers_tiv", "log1p"),
    "shared_rivals": ("shared_rivals", "none"),
    "portfolio_s": ("alliance_portfolio_similarity", "none"),
}


def region_of(cow) -> np.ndarray:
    """Region index (0–4, see :data:`REGIONS`) of COW codes, vectorised."""
    c = np.asarray(cow, dtype=float)
    out = np.select([c < 200, c < 400, c < 630, c < 700], [0, 1, 2, 3], 4).astype(float)
    out[np.isnan(c)] = np.nan
    return out


def region_pairs(cow1, cow2) -> pd.DataFrame:
    """Dummies for the (unordered) region pair of each dyad; columns :data:`REGION_PAIRS`."""
    r1, r2 = region_of(cow1), region_of(cow2)
    lo, hi = np.fmin(r1, r2), np.fmax(r1, r2)
    cols = {}
    for name in REGION_PAIRS:
        a, b = (REGIONS.index(x) for x in name[4:].split("_"))
        cols[name] = np.where(np.isnan(lo), np.nan, ((lo == a) & (hi == b)).astype(float))
    return pd.DataFrame(cols)


def feature_names(spec: Literal["full", "indicators"] = "full", leaky: bool = True) -> list[str]:
    """Names of the historical features of a specification, in model order."""
    ind = [f for f, (src, _) in _IND_FEATURES.items() if leaky or src not in LEAKY_INDICATORS]
    cov = ["log_mindist", "contig_land", "contig_any", "major_powers", "joint_democracy",
           "log_cap_ratio", "strategic_rivalry"] if spec == "full" else []
    return ind + cov + list(REGION_PAIRS)


def _transform(x: np.ndarray, how: str) -> np.ndarray:
    return np.log1p(np.clip(x, 0, None)) if how == "log1p" else x


def historical_features(dy: pd.DataFrame, spec: Literal["full", "indicators"] = "full",
                        leaky: bool = True) -> pd.DataFrame:
    """Historical model features from the dyad-year builder's output.

    Parameters
    ----------
    dy : DataFrame
        Output of :func:`~alliance_index.sources.build_dyad_years` (``ccode1, ccode2``
        and the indicator / covariate columns).
    spec : {"full", "indicators"}
        ``"indicators"``: only catalog indicators with a real series (what an
        observation file can carry) plus region pairs; ``"full"`` adds distance,
        contiguity, major powers, joint democracy, capability ratio and rivalry.
    leaky : bool
        Include shared IGOs and alliance-portfolio similarity, through which
        alliance membership partly leaks.

    Returns
    -------
    DataFrame
        One row per row of ``dy`` (same index), NaN where the source is unknown.

    Notes
    -----
    Transformations: :math:`\\log(1+x)` for IGO counts, trade ($m), trade
    dependence (%), SIPRI TIV, minimum distance (km); :math:`\\log` of the
    capability ratio (capped at :math:`10^6`); contiguity as two dummies
    (land, any up to 150 miles of water).
    """
    names = feature_names(spec, leaky)
    out = {}
    for f in names:
        if f in _IND_FEATURES:
            src, how = _IND_FEATURES[f]
            out[f] = _transform(dy[src].to_numpy(dtype=float), how) if src in dy else np.full(len(dy), np.nan)
    if spec == "full":
        def col(c):  # a source not built gives an all-NaN column (dropped by the fit)
            return dy[c].to_numpy(dtype=float) if c in dy else np.full(len(dy), np.nan)
        ct = col("contiguity")
        out["log_mindist"] = np.log1p(col("mindist"))
        out["contig_land"] = np.where(np.isnan(ct), np.nan, (ct == 1).astype(float))
        out["contig_any"] = np.where(np.isnan(ct), np.nan, ((ct >= 1) & (ct <= 4)).astype(float))
        out["major_powers"] = col("major_powers")
        out["joint_democracy"] = col("joint_democracy")
        out["log_cap_ratio"] = np.log(np.clip(col("capability_ratio"), 1, 1e6))
        out["strategic_rivalry"] = col("strategic_rivalry")
    rp = region_pairs(dy["ccode1"].to_numpy(), dy["ccode2"].to_numpy())
    for c in REGION_PAIRS:
        out[c] = rp[c].to_numpy()
    return pd.DataFrame(out, index=dy.index)[names]


def politically_relevant(dy: pd.DataFrame, *, stacklevel: int = 2) -> np.ndarray:
    """Contiguous (land or ≤ 150 miles of water, COW conttype 1–4) or at least one major power.

    Parameters
    ----------
    dy : DataFrame
        Dyad-years with ``contiguity`` and ``major_powers`` (builder sources
        ``contiguity`` and ``majors``).
    stacklevel : int
        Passed to the warning below (2 = the caller's line).

    Returns
    -------
    numpy.ndarray of bool
        False where the dyad-year cannot be classified: neither condition is known to
        hold and ``contiguity`` or ``major_powers`` is NaN. COW contiguity and major
        powers end in 2016 (their version cap), so every dyad-year after 2016 is such a
        row; a :class:`~alliance_index.errors.CoverageWarning` names their count and years.
        Frames within 1816–2016 have none.
    """
    miss = [c for c in ("contiguity", "major_powers") if c not in dy.columns]
    if miss:
        raise MissingColumnError(
            f"politically_relevant needs column(s) {miss}: build the frame with sources "
            "'contiguity' and 'majors' (build_dyad_years(..., sources=[..., 'contiguity', 'majors']))")
    from ..sources.build import relevance
    rel, unknown = relevance(dy["contiguity"].to_numpy(dtype=float), dy["major_powers"].to_numpy(dtype=float))
    if unknown.any():
        where = ""
        if "year" in dy.columns:
            yrs = np.unique(dy["year"].to_numpy()[unknown])
            where = f" in {int(yrs[0])}–{int(yrs[-1])}" if yrs.size > 1 else f" in {int(yrs[0])}"
        warnings.warn(
            f"politically_relevant: {int(unknown.sum())} dyad-year(s){where} have unknown contiguity "
            "or major powers (COW contiguity and major powers end in 2016) and are counted as not "
            "relevant; restrict the frame to years <= 2016, or fill both columns by your own rule",
            CoverageWarning, stacklevel=stacklevel)
    return rel


def dyad_cow_codes(dyads: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """COW codes of the two members of each canonical dyad id (vectorised over unique ids)."""
    dy = np.asarray(dyads, dtype=object)
    uniq, inv = np.unique(dy, return_inverse=True)
    c1 = np.full(len(uniq), np.nan)
    c2 = np.full(len(uniq), np.nan)
    for i, d in enumerate(uniq):  # one lookup per distinct dyad, not per row
        try:
            a, b = countries.parse_dyad(d)
            c1[i], c2[i] = countries.to_cow(a), countries.to_cow(b)
        except (ValueError, KeyError):
            pass
    return c1[inv], c2[inv]


def panel_historical_features(values: pd.DataFrame, leaky: bool = True) -> pd.DataFrame:
    """The ``"indicators"`` historical features from a wide panel (index ``(dyad, year)``).

    ``values`` holds raw indicator values (columns are catalog ids; absent
    columns count as unobserved). Region pairs come from the dyad ids.
    """
    names = feature_names("indicators", leaky)
    out = {}
    for f in names:
        if f in _IND_FEATURES:
            src, how = _IND_FEATURES[f]
            v = values[src].to_numpy(dtype=float) if src in values else np.full(len(values), np.nan)
            out[f] = _transform(v, how)
    c1, c2 = dyad_cow_codes(values.index.get_level_values("dyad"))
    rp = region_pairs(c1, c2)
    for c in REGION_PAIRS:
        out[c] = rp[c].to_numpy()
    return pd.DataFrame(out, index=values.index)[names]


# ------------------------------------------------------------------ commitment model

#: indicators of the commitment model, by feature (node). ``bloc_memberships_shared`` is left
#: out on purpose: it counts CSTO/NATO membership, i.e. the label's own instrument.
COMMITMENT_NODES: dict[str, tuple[str, ...]] = {
    "military_cooperation": ("joint_exercises", "defense_cooperation_agreements", "basing_access",
                             "defense_industrial_cooperation", "wartime_support", "military_training"),
    "diplomatic_cooperation": ("leader_meetings", "senior_official_visits", "partnership_level",
                               "diplomatic_backing"),
    "economic_cooperation": ("strategic_economic_projects", "financial_integration", "investment_usd"),
    "regional_cooperation": ("joint_conflict_operations",),
    "hedging": ("neutrality_in_partner_conflicts", "non_support_when_attacked",
                "ties_with_partners_rivals", "recognition_disputes", "arms_supply_withheld",
                "opposing_sides_conflicts"),
    "hostility": ("military_incidents", "diplomatic_protests", "sanctions_against_partner",
                  "economic_disputes"),
}
COMMITMENT_INDICATORS: tuple[str, ...] = tuple(i for v in COMMITMENT_NODES.values() for i in v)


def goalpost_normalise(values: pd.DataFrame) -> pd.DataFrame:
    """Raw indicator values → [0, 1] with the catalog's transform and default goalposts.

    Notes
    -----
    :math:`z = \\mathrm{clip}((T(x) - T(lo)) / (T(hi) - T(lo)), 0, 1)` with :math:`T`
    the catalog transform (``none`` or :math:`\\log(1+x)`); NaN stays NaN.
    """
    cat = _catalog()
    cols = [c for c in values.columns if c in cat.index]
    X = values[cols].to_numpy(dtype=float)
    log = (cat.loc[cols, "transform"] == "log1p").to_numpy()
    lo = cat.loc[cols, "goal_lo"].to_numpy(dtype=float)
    hi = cat.loc[cols, "goal_hi"].to_numpy(dtype=float)
    T = np.where(log, np.log1p(np.clip(X, 0, None)), X)
    tlo = np.where(log, np.log1p(np.clip(lo, 0, None)), lo)
    thi = np.where(log, np.log1p(np.clip(hi, 0, None)), hi)
    Z = np.clip((T - tlo) / np.where(thi > tlo, thi - tlo, 1.0), 0, 1)
    return pd.DataFrame(Z, index=values.index, columns=cols)


def commitment_nodes(Z: np.ndarray, columns: Sequence[str],
                     nodes: dict[str, Sequence[str]] | None = None) -> np.ndarray:
    """Node means of normalised indicators (vectorised over rows and, if 3-D, draws).

    ``Z`` has shape ``(..., n_indicators)`` with columns ``columns``; a node is the
    mean of its observed (non-NaN) indicators, NaN when none is observed. Returns
    ``(..., len(COMMITMENT_NODES))``.
    """
    cols = list(columns)
    out = []
    for node, inds in (COMMITMENT_NODES if nodes is None else nodes).items():
        idx = [cols.index(i) for i in inds if i in cols]
        if not idx:
            out.append(np.full(Z.shape[:-1], np.nan))
            continue
        sub = Z[..., idx]
        n = np.sum(~np.isnan(sub), axis=-1)
        s = np.nansum(sub, axis=-1)
        out.append(np.where(n > 0, s / np.maximum(n, 1), np.nan))
    return np.stack(out, axis=-1)


# ------------------------------------------------------------------ restricted cubic splines

#: Harrell's default knot quantiles (Regression Modeling Strategies, 2nd ed., table 2.3)
RCS_QUANTILES: dict[int, tuple[float, ...]] = {3: (0.10, 0.50, 0.90), 4: (0.05, 0.35, 0.65, 0.95),
                                               5: (0.05, 0.275, 0.50, 0.725, 0.95)}
#: continuous features of the historical model that may enter as splines
CONTINUOUS_FEATURES: tuple[str, ...] = ("unga_agreement", "ideal_distance", "log_igos", "log_trade",
                                        "log_trade_dep", "log_arms", "portfolio_s", "log_mindist",
                                        "log_cap_ratio")


def rcs_knots(x, n_knots: int) -> np.ndarray:
    """Knots of a restricted cubic spline at Harrell's default quantiles of the observed ``x``."""
    if n_knots not in RCS_QUANTILES:
        raise ValueError(f"n_knots must be one of {sorted(RCS_QUANTILES)}, not {n_knots!r}")
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        raise ValueError("rcs_knots: no observed values")
    return np.unique(np.quantile(v, RCS_QUANTILES[n_knots]))


def rcs_basis(x, knots) -> np.ndarray:
    """Nonlinear terms of a restricted (natural) cubic spline, shape ``(n, len(knots) - 2)``.

    Notes
    -----
    With knots :math:`t_1 < \\dots < t_k`, term :math:`j = 1, \\dots, k-2` is

    .. math:: \\frac{(x-t_j)_+^3 - (x-t_{k-1})_+^3\\frac{t_k-t_j}{t_k-t_{k-1}}
              + (x-t_k)_+^3\\frac{t_{k-1}-t_j}{t_k-t_{k-1}}}{(t_k-t_1)^2},

    so the fitted function :math:`\\beta_0 x + \\sum_j \\beta_j s_j(x)` is cubic between knots
    and linear beyond the outer ones (Harrell 2015, §2.4.5). NaN in ``x`` gives NaN terms.
    """
    x = np.asarray(x, dtype=float)
    t = np.asarray(knots, dtype=float)
    k = t.size
    if k < 3:
        return np.empty((x.size, 0))
    def p3(u):
        return np.clip(u, 0, None) ** 3
    tk, tk1, scale = t[-1], t[-2], (t[-1] - t[0]) ** 2
    cols = [(p3(x - t[j]) - p3(x - tk1) * (tk - t[j]) / (tk - tk1) + p3(x - tk) * (tk1 - t[j]) / (tk - tk1)) / scale
            for j in range(k - 2)]
    return np.column_stack(cols)


def add_splines(X: pd.DataFrame, knots: dict[str, np.ndarray],
                fill: dict[str, float] | None = None) -> pd.DataFrame:
    """``X`` plus the restricted-cubic-spline terms ``<col>__rcs<j>`` of the columns in ``knots``
    (knots fixed beforehand, e.g. on training rows with :func:`rcs_knots`).

    Where the column is NaN the terms are evaluated at ``fill[col]`` (default: the mean of its
    observed values in ``X``), so that the column's own missing dummy in the model is the only
    one: NaN spline terms would add a copy of that dummy per term (a singular design). The
    column itself stays NaN.
    """
    extra = {}
    for c, t in knots.items():
        x = X[c].to_numpy(dtype=float)
        at = (fill or {}).get(c, float(np.nanmean(x)) if np.isfinite(x).any() else 0.0)
        B = rcs_basis(np.where(np.isnan(x), at, x), t)
        for j in range(B.shape[1]):
            extra[f"{c}__rcs{j + 1}"] = B[:, j]
    return pd.concat([X, pd.DataFrame(extra, index=X.index)], axis=1) if extra else X
