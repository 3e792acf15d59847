"""The commitment model: mutual-defence status from curated indicators.

Fitted on the bundled panel's known status (``status.csv``'s
``mutual_defence``, never an input) and judged by leave-one-dyad-out
cross-validation (:func:`lodo`).

Features (:data:`FEATURES`), per dyad-year:

* ``structural_logodds`` — :math:`h = \\mathrm{logit}\\,P(\\text{defense})` from the
  shipped historical model (``"indicators"`` specification) on the dyad-year's
  structural indicators: closeness as ATOP history sees it;
* six node means of goalpost-normalised curated indicators
  (:data:`~alliance_index.models.features.COMMITMENT_NODES`): military,
  diplomatic, economic and regional cooperation, *hedging* (neutrality in the partner's
  conflicts, no help when attacked, ties with its rivals, recognition
  disputes, withheld arms, opposing sides) and *hostility* (incidents,
  protests, sanctions, disputes).

Each dyad-year's raw indicator values are first pooled over a trailing window of the dyad's own
years (:func:`history_pool`: the mean of the values observed in the last ``window`` years, that
year included; never a later year or another dyad). De jure status is a state that rarely
changes, and one year's coding is a noisy, often incomplete measurement of the relationship; the
window lets every year's evidence count. Model: logistic regression with an L2 penalty
:math:`\\lambda` on the standardised slopes (a N(0, 1/λ) prior; intercept unpenalised). The window
and λ are chosen from the declared grid :data:`HISTORY_GRID` (windows 1, 3, 5, 8, 16 years ×
λ 1–300) by dyad-grouped cross-validation on pooled log loss (:func:`select_specification`);
the leave-one-dyad-out evaluation repeats that choice inside every fold (variant ``shipped``), so
its score includes the choice. Through 0.3.0 the shipped specification was fixed a priori
(each year alone, λ = 1; variant ``year_alone_0.3``); ``docs/models.md`` compares them. Missing indicators are never zero: each missing cell is drawn from
the same dyad's observed values of that indicator in other years, or, when
the dyad has none, from the pooled observed values of the training panel
(hot-deck multiple imputation). The fit stacks ``n_imputations`` completed
copies with weight :math:`1/M` each; the covariance for simulation is the
dyad-clustered sandwich :math:`H^{-1} (\\sum_g s_g s_g') H^{-1} \\cdot G/(G-1)`
around the penalised Hessian :math:`H`, because dyad-years of one dyad are
not independent evidence.
"""
from __future__ import annotations

import json
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from ._wald import WaldResultsMixin
from ..catalog import catalog as _catalog
from .features import (COMMITMENT_INDICATORS, COMMITMENT_NODES, HISTORICAL_INDICATORS, commitment_nodes,
                       dyad_cow_codes, region_pairs)

FEATURES: tuple[str, ...] = ("structural_logodds",) + tuple(COMMITMENT_NODES)
#: every indicator the classifier reads (raw values)
MODEL_INDICATORS: tuple[str, ...] = tuple(dict.fromkeys(COMMITMENT_INDICATORS + HISTORICAL_INDICATORS))
L2_PENALTY = 1.0
N_IMPUTATIONS = 20

__all__ = ["FEATURES", "MODEL_INDICATORS", "CommitmentModel", "DonorPool", "simulate_features", "history_pool",
           "VARIANTS", "resolve_variant", "trailing_sums",
           "fit_commitment", "lodo", "lodo_report", "panel_frame", "SPEC_GRID", "FORMS", "HISTORY_GRID", "HISTORY_WINDOWS", "SpecSelection",
           "select_specification"]


# ------------------------------------------------------------------ raw panel

def panel_frame(obs: pd.DataFrame, indicators: Sequence[str] | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Wide raw values of ``indicators`` (default :data:`MODEL_INDICATORS`) per (dyad, year).

    Returns the frame (index ``(dyad, year)``, NaN = unobserved) and the sorted list of
    indicators present in ``obs`` that are not among ``indicators`` (ignored).
    """
    cols = list(MODEL_INDICATORS if indicators is None else dict.fromkeys(indicators))
    ind = obs["indicator"].astype(str).to_numpy()
    ignored = sorted(set(ind) - set(cols))
    keep = np.isin(ind, cols)
    sub = obs.loc[keep, ["dyad", "year", "indicator", "value"]]
    dy = obs["dyad"].astype(str).to_numpy()
    yr = obs["year"].to_numpy(dtype="int64")
    index = pd.MultiIndex.from_arrays([dy, yr], names=["dyad", "year"]).unique().sort_values()
    V = np.full((len(index), len(cols)), np.nan)
    r = index.get_indexer(pd.MultiIndex.from_arrays([sub["dyad"].astype(str).to_numpy(),
                                                     sub["year"].to_numpy(dtype="int64")]))
    c = pd.Index(cols).get_indexer(sub["indicator"].astype(str).to_numpy())
    V[r, c] = sub["value"].to_numpy(dtype=float)
    return pd.DataFrame(V, index=index, columns=cols), ignored


def trailing_sums(groups: np.ndarray, years: np.ndarray, X: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row ``i``: the sum of the observed values of ``X`` and their count over the rows of the
    same group whose year lies in ``years[i] - window + 1 .. years[i]`` (each (group, year) once).

    Sorted cumulative sums and one ``searchsorted``: memory of order ``X``, whatever the span of
    the years. Returns ``(S, N)``, both shaped like ``X``.
    """
    n = len(X)
    codes, g = np.unique(np.asarray(groups), return_inverse=True)
    yr = np.asarray(years, dtype=np.int64)
    y0 = int(yr.min()) if n else 0
    stride = (int(yr.max()) - y0 + window + 1) if n else 1
    key = g.astype(np.int64) * stride + (yr - y0)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    xs = X[order]
    obs = ~np.isnan(xs)
    cS = np.zeros((n + 1,) + X.shape[1:])
    cN = np.zeros_like(cS)
    np.cumsum(np.where(obs, xs, 0.0), axis=0, out=cS[1:])
    np.cumsum(obs, axis=0, out=cN[1:])
    lo = np.searchsorted(ks, ks - (window - 1), side="left")  # first row of the window (same group: stride)
    hi = np.arange(1, n + 1)
    S = np.empty_like(cS[1:])
    N = np.empty_like(cN[1:])
    S[order] = cS[hi] - cS[lo]
    N[order] = cN[hi] - cN[lo]
    return S, N


def history_pool(V: pd.DataFrame, window: int) -> pd.DataFrame:
    """Trailing mean of each dyad's own observed values over the ``window`` years ending at each year.

    Row ``(d, t)`` of the result holds, per indicator, the mean of the values observed for dyad
    ``d`` in the years ``t - window + 1 .. t`` that have a row in ``V`` (NaN when none was
    observed in that window). ``window = 1`` returns ``V`` unchanged. Only the dyad's own
    earlier years enter, never another dyad's or a later year's, so the transformation cannot
    leak a held-out dyad's label into a training fold.

    Notes
    -----
    With :math:`o_{d,s}` = 1 where the value :math:`x_{d,s}` is observed, the pooled value is
    :math:`\\sum_{t-w<s\\le t} x_{d,s}\\,o_{d,s} \\big/ \\sum_{t-w<s\\le t} o_{d,s}` (:func:`trailing_sums`);
    a gap year counts as a year without observations.
    """
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"history_pool: window must be a whole number of years >= 1, got {window!r}")
    window = int(window)
    if window == 1 or len(V) == 0:
        return V
    S, N = trailing_sums(V.index.get_level_values("dyad").to_numpy(dtype=object),
                         V.index.get_level_values("year").to_numpy(dtype="int64"), V.to_numpy(dtype=float), window)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(N > 0, S / np.where(N > 0, N, 1.0), np.nan)
    return pd.DataFrame(out, index=V.index, columns=V.columns)


# ------------------------------------------------------------------ completion by hot deck

@dataclass
class DonorPool:
    """Pooled observed values per indicator (the fallback donors)."""

    values: dict[str, np.ndarray]

    @classmethod
    def from_frame(cls, V: pd.DataFrame) -> "DonorPool":
        return cls({c: V[c].dropna().to_numpy(dtype=float) for c in V.columns})

    def to_dict(self) -> dict:
        out = {}
        for c, v in self.values.items():
            u, n = np.unique(np.round(v, 6), return_counts=True)
            out[c] = {"values": u.tolist(), "counts": n.tolist()}
        return out

    @classmethod
    def from_dict(cls, d: dict) -> "DonorPool":
        return cls({c: np.repeat(np.asarray(x["values"], float), np.asarray(x["counts"], int))
                    for c, x in d.items()})


#: the 64-bit golden-ratio increment of SplitMix64 (Weyl sequence step between draws)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix64(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays (wrapping arithmetic): a well-mixed hash of ``z``."""
    z = np.asarray(z, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def row_keys(index: pd.MultiIndex, base: int) -> np.ndarray:
    """A uint64 key per ``(dyad, year)`` row from ``base`` and the row's own labels only.

    Hot-deck uniforms drawn from these keys (:func:`complete_draws` with ``keys``) do not
    depend on which other rows are in the call, so a dyad-year gets the same ``p_de_jure``
    whether it is classified alone or with the whole panel.
    """
    dy = index.get_level_values("dyad").astype(str)
    codes, inv = np.unique(np.asarray(dy, dtype=object), return_inverse=True)
    dh = np.array([zlib.crc32(c.encode("utf-8")) for c in codes], dtype=np.uint64)[inv]
    yr = np.asarray(index.get_level_values("year"), dtype=np.int64).astype(np.uint64)
    return _mix64(_mix64(np.uint64(base) ^ _mix64(dh)) ^ _mix64(yr + _GOLDEN))


def _keyed_uniforms(keys: np.ndarray, column: str, n_draws: int) -> np.ndarray:
    """``(n_draws, len(keys))`` uniforms on [0, 1), a pure function of (key, column, draw)."""
    ch = _mix64(np.uint64(zlib.crc32(column.encode("utf-8"))))
    d = np.arange(n_draws, dtype=np.uint64)[:, None]
    with np.errstate(over="ignore"):
        z = _mix64((keys[None, :] ^ ch) + d * _GOLDEN)
    return (z >> np.uint64(11)).astype(np.float64) * 2.0 ** -53


def complete_draws(V: np.ndarray, groups: np.ndarray, columns: Sequence[str], pool: DonorPool,
                   n_draws: int, rng: np.random.Generator, target: np.ndarray | None = None,
                   keys: np.ndarray | None = None) -> np.ndarray:
    """``n_draws`` completions of ``V`` (n × m): missing cells drawn from the same group's
    observed values of the column (any row of ``V``), else from the pool; shape
    ``(n_draws, n_target, m)`` for the rows ``target`` (boolean mask, default all).

    With ``keys`` (one uint64 per row of ``V``, :func:`row_keys`) the uniforms behind each
    draw are a function of the row's key, the column and the draw number, and ``rng`` is not
    used: the completion of a row does not depend on the other rows in the call."""
    n, m = V.shape
    tgt = np.ones(n, dtype=bool) if target is None else np.asarray(target, dtype=bool)
    codes, g = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
    tpos = np.full(n, -1)
    tpos[tgt] = np.arange(tgt.sum())
    out = np.broadcast_to(V[tgt], (n_draws, int(tgt.sum()), m)).copy()
    G = len(codes)
    for j, col in enumerate(columns):  # loop over indicators (~40), vectorised over rows and draws
        x = V[:, j]
        miss = np.isnan(x)
        if not miss.any():
            continue
        oi = np.flatnonzero(~miss)
        order = oi[np.argsort(g[oi], kind="stable")]
        vals = x[order]
        cnt = np.bincount(g[oi], minlength=G)
        start = np.cumsum(cnt) - cnt
        mi = np.flatnonzero(miss & tgt)
        if not mi.size:
            continue
        gm = g[mi]
        U = rng.random((n_draws, mi.size)) if keys is None else _keyed_uniforms(keys[mi], col, n_draws)
        own = cnt[gm] > 0
        draw = np.full((n_draws, mi.size), np.nan)
        if own.any():
            k = start[gm[own]] + np.floor(U[:, own] * cnt[gm[own]]).astype(int)
            draw[:, own] = vals[k]
        ref = pool.values.get(col, np.empty(0))
        if (~own).any() and ref.size:
            draw[:, ~own] = ref[np.floor(U[:, ~own] * ref.size).astype(int)]
        out[:, tpos[mi], j] = draw
    return out


# ------------------------------------------------------------------ features per draw

def _goalposts(columns: Sequence[str]):
    cat = _catalog()
    cols = list(columns)
    log = (cat.loc[cols, "transform"] == "log1p").to_numpy()
    lo = cat.loc[cols, "goal_lo"].to_numpy(float)
    hi = cat.loc[cols, "goal_hi"].to_numpy(float)
    tlo = np.where(log, np.log1p(np.clip(lo, 0, None)), lo)
    thi = np.where(log, np.log1p(np.clip(hi, 0, None)), hi)
    return log, tlo, np.where(thi > tlo, thi - tlo, 1.0)


def _normalise(Vd: np.ndarray, columns: Sequence[str]) -> np.ndarray:
    log, tlo, span = _goalposts(columns)
    T = np.where(log, np.log1p(np.clip(Vd, 0, None)), Vd)
    return np.clip((T - tlo) / span, 0, 1)


def _hist_inputs(Vd: np.ndarray, columns: Sequence[str], regions: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
    """(s, n, m) raw values → (s, n, k) historical features in ``names`` order."""
    from .features import _IND_FEATURES
    cols = list(columns)
    s, n, _ = Vd.shape
    out = np.full((s, n, len(names)), np.nan)
    for k, f in enumerate(names):
        if f in _IND_FEATURES:
            src, how = _IND_FEATURES[f]
            if src in cols:
                v = Vd[..., cols.index(src)]
                out[..., k] = np.log1p(np.clip(v, 0, None)) if how == "log1p" else v
        elif f in regions:
            out[..., k] = regions[f].to_numpy()[None, :]
    return out


def structural_logodds(Vd: np.ndarray, columns: Sequence[str], dyads: Sequence[str], historical,
                       param_draws: np.ndarray | None = None) -> np.ndarray:
    """:math:`h = \\log p_d/(1-p_d)` of the historical model for completed draws ``Vd`` (s, n, m)."""
    from .historical import _design
    c1, c2 = dyad_cow_codes(dyads)
    regions = region_pairs(c1, c2)
    names = historical.features
    Xh = _hist_inputs(Vd, columns, regions, names)
    s, n, k = Xh.shape
    D = _design(pd.DataFrame(Xh.reshape(s * n, k), columns=names), historical.means, historical.scales,
                historical.missing_cols).reshape(s, n, -1)
    if param_draws is None:
        eta = D @ historical.params.to_numpy()
    else:
        eta = np.einsum("snk,skj->snj", D, param_draws)
    e = np.concatenate([np.zeros(eta.shape[:-1] + (1,)), eta], axis=-1)
    lse = np.logaddexp.reduce(e, axis=-1)
    log_pd = e[..., 2] - lse
    log_not = np.logaddexp(e[..., 0], e[..., 1]) - lse
    return np.clip(log_pd - log_not, -20, 20)


def completed_features(Vd: np.ndarray, columns: Sequence[str], dyads: Sequence[str], historical, *,
                       nodes: dict[str, Sequence[str]] | None = None, use_structural: bool = True,
                       hist_param_draws: np.ndarray | None = None) -> np.ndarray:
    """Model features ``(s, n, F)`` from completed raw values ``Vd`` (s, n, m) in ``columns`` order.

    ``F`` = the historical log-odds (when ``use_structural``; computed with ``hist_param_draws``,
    one per first-axis slice, or at the estimates) followed by the commitment-node means of the
    goalpost-normalised curated indicators (``nodes``, default :data:`COMMITMENT_NODES`). Shared by
    :func:`simulate_features` and the scenario simulator's classifier adapter.
    """
    cols = list(columns)
    nodes = dict(COMMITMENT_NODES if nodes is None else nodes)
    ccols = [c for c in dict.fromkeys(i for v in nodes.values() for i in v) if c in cols]
    Z = _normalise(Vd[..., [cols.index(c) for c in ccols]], ccols)
    N = commitment_nodes(Z, ccols, nodes)
    if not use_structural:
        return N
    h = structural_logodds(Vd, cols, dyads, historical, hist_param_draws)
    return np.concatenate([h[..., None], N], axis=-1)


def simulate_features(V: pd.DataFrame, historical, pool: DonorPool, n_draws: int, rng: np.random.Generator,
                      hist_param_draws: bool = False, target: np.ndarray | None = None,
                      nodes: dict[str, Sequence[str]] | None = None, use_structural: bool = True,
                      keys: np.ndarray | None = None) -> np.ndarray:
    """Completed feature draws ``(n_draws, n_target, len(FEATURES))`` for the rows ``target`` of ``V``
    (raw, wide; every row of ``V`` serves as a donor for its dyad). ``keys``: see :func:`complete_draws`."""
    cols = list(V.columns)
    dyads_all = V.index.get_level_values("dyad").to_numpy(dtype=object)
    Vd = complete_draws(V.to_numpy(dtype=float), dyads_all, cols, pool, n_draws, rng, target, keys=keys)
    dyads = dyads_all if target is None else dyads_all[np.asarray(target, dtype=bool)]
    pd_draws = historical.draw_params(n_draws, rng) if (hist_param_draws and use_structural) else None
    return completed_features(Vd, cols, dyads, historical, nodes=nodes, use_structural=use_structural,
                              hist_param_draws=pd_draws)


# ------------------------------------------------------------------ the penalised logit

def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


@dataclass
class CommitmentModel(WaldResultsMixin):
    """Fitted penalised logit of mutual-defence status on :data:`FEATURES`.

    ``params`` (Series: ``const`` + standardised features), ``cov`` (cluster-robust
    sandwich), ``cov_hessian`` (inverse penalised Hessian), ``means``/``scales``
    (standardisation), ``pool`` (donor values), ``meta``, ``window`` (years of the dyad's own
    history pooled into each dyad-year's raw values by :func:`history_pool` before the
    features are formed; 1 = the year alone).
    """

    params: pd.Series
    cov: np.ndarray
    cov_hessian: np.ndarray
    means: np.ndarray
    scales: np.ndarray
    pool: DonorPool
    meta: dict = field(default_factory=dict)
    nodes: dict = field(default_factory=lambda: dict(COMMITMENT_NODES))
    use_structural: bool = True
    window: int = 1

    @property
    def features(self) -> list[str]:
        return (["structural_logodds"] if self.use_structural else []) + list(self.nodes)

    @property
    def indicators(self) -> list[str]:
        """Raw indicators the model reads (its nodes', plus the structural ones)."""
        ind = [i for v in self.nodes.values() for i in v]
        return list(dict.fromkeys(ind + (list(HISTORICAL_INDICATORS) if self.use_structural else [])))

    def summary(self) -> str:
        t = pd.DataFrame({"coef": self.params, "std err (dyad-clustered)": self.bse,
                          "std err (Hessian)": np.sqrt(np.clip(np.diag(self.cov_hessian), 0, None))})
        head = (f"Commitment model: penalised logit (L2 = {self.meta.get('l2')}), "
                f"{self.meta.get('n_dyad_years')} dyad-years, {self.meta.get('n_dyads')} dyads, "
                f"{self.meta.get('n_positive')} with a mutual-defence instrument\n")
        return head + t.to_string(float_format=lambda v: f"{v:.3f}")

    def design(self, F: np.ndarray) -> np.ndarray:
        Z = (F - self.means) / self.scales
        return np.concatenate([np.ones(Z.shape[:-1] + (1,)), Z], axis=-1)

    def draw_params(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.multivariate_normal(self.params.to_numpy(), self.cov, size=n, method="eigh")

    def to_dict(self) -> dict:
        return {"model": "penalised logistic regression of status.csv mutual_defence",
                "features": self.features, "use_structural": self.use_structural,
                "terms": list(self.params.index), "params": self.params.tolist(),
                "cov": np.asarray(self.cov).tolist(), "cov_hessian": np.asarray(self.cov_hessian).tolist(),
                "feature_means": self.means.tolist(), "feature_scales": self.scales.tolist(),
                "nodes": {k: list(v) for k, v in self.nodes.items()}, "window": int(self.window),
                "pool": self.pool.to_dict(), "meta": self.meta}

    @classmethod
    def from_dict(cls, d: dict) -> "CommitmentModel":
        nodes = {k: tuple(v) for k, v in d["nodes"].items()}
        return cls(params=pd.Series(d["params"], index=d["terms"]), cov=np.asarray(d["cov"]),
                   cov_hessian=np.asarray(d["cov_hessian"]), means=np.asarray(d["feature_means"]),
                   scales=np.asarray(d["feature_scales"]), pool=DonorPool.from_dict(d["pool"]),
                   meta=d.get("meta", {}), nodes=nodes, use_structural=bool(d.get("use_structural", True)),
                   window=int(d.get("window", 1)))

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, indent=1)


def _penalised_logit(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, maxiter: int = 100):
    k = X.shape[1]
    P = np.eye(k) * l2
    P[0, 0] = 0.0
    b = np.zeros(k)
    for _ in range(maxiter):
        p = _sigmoid(X @ b)
        g = X.T @ (w * (y - p)) - P @ b
        H = (X * (w * p * (1 - p))[:, None]).T @ X + P
        step = np.linalg.solve(H, g)
        b += step
        if np.max(np.abs(step)) < 1e-9:
            break
    p = _sigmoid(X @ b)
    H = (X * (w * p * (1 - p))[:, None]).T @ X + P
    return b, H, p


def fit_commitment(V: pd.DataFrame, y: np.ndarray, historical, *, l2: float = L2_PENALTY,
                   n_imputations: int = N_IMPUTATIONS, seed=0, pool: DonorPool | None = None,
                   meta: dict | None = None, nodes: dict[str, Sequence[str]] | None = None,
                   use_structural: bool = True, window: int = 1) -> CommitmentModel:
    """Fit the commitment model on raw wide values ``V`` (index (dyad, year)) and labels ``y``.

    Parameters
    ----------
    V : DataFrame
        Raw values of :data:`MODEL_INDICATORS` (from :func:`panel_frame`), NaN = unobserved.
    y : array of 0/1
        Mutual defence in force (``observations.mutual_defence``).
    historical : HistoricalResults
        The shipped historical model (gives ``structural_logodds``).
    l2 : float
        Penalty on standardised slopes.
    n_imputations : int
        Stacked hot-deck completions.
    seed : int, Generator or None
    window : int
        Years of each dyad's own history pooled into its raw values (:func:`history_pool`)
        before the features are formed; recorded in the model, which pools the same way
        when it predicts. 1 = each year alone.

    Notes
    -----
    Maximises :math:`\\frac1M\\sum_{m}\\sum_i \\ell(y_i, x_i^{(m)}{}'\\beta) - \\frac{\\lambda}{2}\\|\\beta_{-0}\\|^2`.
    """
    rng = np.random.default_rng(seed)
    y = np.asarray(y, dtype=float)
    V = history_pool(V, window)
    pool = DonorPool.from_frame(V) if pool is None else pool
    nodes = dict(COMMITMENT_NODES if nodes is None else nodes)
    F = simulate_features(V, historical, pool, n_imputations, rng, nodes=nodes,
                          use_structural=use_structural)  # (M, n, p)
    M, n, p = F.shape
    Ff = F.reshape(M * n, p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a feature never observed in training: all-NaN column
        means = np.nan_to_num(np.nanmean(Ff, axis=0))  # never seen: centred at 0, so its slope stays 0
        scales = np.nanstd(Ff, axis=0)
    scales = np.where(scales > 0, scales, 1.0)  # NaN > 0 is False: never seen gets scale 1
    Z = np.where(np.isnan(Ff), 0.0, (Ff - means) / scales)
    X = np.column_stack([np.ones(M * n), Z])
    yy = np.tile(y, M)
    w = np.full(M * n, 1.0 / M)
    b, H, pr = _penalised_logit(X, yy, w, l2)
    Hinv = np.linalg.inv(H)
    # dyad-clustered scores of the penalised objective
    dyads = np.tile(V.index.get_level_values("dyad").to_numpy(dtype=object), M)
    codes, g = np.unique(dyads, return_inverse=True)
    S = X * (w * (yy - pr))[:, None]
    Sg = np.zeros((len(codes), X.shape[1]))
    np.add.at(Sg, g, S)
    G = len(codes)
    meat = Sg.T @ Sg * (G / max(G - 1, 1))
    cov = Hinv @ meat @ Hinv
    m = dict(meta or {})
    m.update({"l2": l2, "n_imputations": n_imputations, "n_dyad_years": int(n), "n_dyads": int(G),
              "n_positive": int(y.sum()), "dyads": list(map(str, codes))})
    feats = (["structural_logodds"] if use_structural else []) + list(nodes)
    return CommitmentModel(params=pd.Series(b, index=["const"] + feats), cov=cov, cov_hessian=Hinv,
                           means=means, scales=scales, pool=pool, meta=m, nodes=nodes,
                           use_structural=use_structural, window=int(window))


def predict_draws(model: CommitmentModel, V: pd.DataFrame, historical, n_sims: int, rng,
                  target: np.ndarray | None = None) -> np.ndarray:
    """Simulated :math:`p_{de\\,jure}` draws ``(n_sims, n_target)``: parameter draws of both models
    and hot-deck draws of the missing indicators.

    The parameter draws depend only on ``rng`` (shared by every row: common random numbers, so
    two dyads are compared draw by draw) and the hot-deck draws only on ``rng``'s first number
    and each row's own (dyad, year) (:func:`row_keys`): a dyad-year's result does not depend on
    which other rows are scored with it. ``V`` holds raw values; the model's :func:`history_pool`
    window is applied to it first (so ``V`` should carry the dyads' earlier years)."""
    V = history_pool(V, model.window)
    base = int(rng.integers(0, 2**63 - 1))
    keys = row_keys(V.index, base)
    F = simulate_features(V, historical, model.pool, n_sims, rng, hist_param_draws=True, target=target,
                          nodes=model.nodes, use_structural=model.use_structural, keys=keys)
    X = model.design(np.where(np.isnan(F), model.means, F))
    B = model.draw_params(n_sims, rng)
    return _sigmoid(np.einsum("snk,sk->sn", X, B))


# ------------------------------------------------------------------ specification choice

#: the two forms of the curated features: six node means, or every commitment indicator on its own
FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    "nodes": dict(COMMITMENT_NODES),
    "indicators": {i: (i,) for i in COMMITMENT_INDICATORS},
}
#: the declared grid the commitment model's specification is chosen from (form x L2 penalty)
SPEC_GRID: dict[str, dict] = {f"{form}/l2={l2:g}": {"nodes": FORMS[form], "use_structural": True, "l2": float(l2)}
                              for form in FORMS for l2 in (1, 3, 10, 30, 100, 300)}
#: trailing windows (years) of :func:`history_pool` in :data:`HISTORY_GRID`; 16 = the bundled panel's length
#: (2010-2025), i.e. every earlier year of the dyad
HISTORY_WINDOWS: tuple[int, ...] = (1, 3, 5, 8, 16)
#: the grid the shipped specification is chosen from (``scripts/fit_commitment.py``, and inside every fold of
#: the ``shipped`` LODO variant): node means, L2 penalty x trailing window of the dyad's own earlier years
#: (window 1 = the year alone, as shipped through 0.3.0). Declared in session 7 after a first look at two
#: windows, before the nested evaluation (``docs/models.md`` §3)
HISTORY_GRID: dict[str, dict] = {f"nodes/l2={l2:g}/w={w}": {"nodes": FORMS["nodes"], "use_structural": True,
                                                             "l2": float(l2), "window": w}
                                 for w in HISTORY_WINDOWS for l2 in (1, 3, 10, 30, 100, 300)}
#: folds of the inner, dyad-grouped cross-validation that chooses from :data:`SPEC_GRID`
SELECT_FOLDS = 5


@dataclass
class SpecSelection:
    """Result of :func:`select_specification`: the chosen grid entry and every entry's scores."""

    chosen: str
    spec: dict
    scores: pd.DataFrame
    n_folds: int

    def to_dict(self) -> dict:
        return {"chosen": self.chosen, "criterion": "pooled log loss, dyad-grouped cross-validation",
                "n_folds": self.n_folds, "scores": {k: {c: float(v) for c, v in r.items()}
                                                    for k, r in self.scores.to_dict("index").items()}}


def _point_draws(mdl: "CommitmentModel", V: pd.DataFrame, historical, target: np.ndarray,
                 rng: np.random.Generator, n_imputations: int) -> tuple[np.ndarray, np.ndarray]:
    """Predicted probabilities at the coefficient estimates, one per hot-deck completion
    ``(n_imputations, n_target)``, and the completed features they were computed from."""
    F = simulate_features(history_pool(V, mdl.window), historical, mdl.pool, n_imputations, rng, target=target,
                          nodes=mdl.nodes, use_structural=mdl.use_structural)
    X = mdl.design(np.where(np.isnan(F), mdl.means, F))
    return _sigmoid(X @ mdl.params.to_numpy()), F


def _point_predict(mdl: "CommitmentModel", V: pd.DataFrame, historical, target: np.ndarray,
                   rng: np.random.Generator, n_imputations: int) -> np.ndarray:
    """Mean over hot-deck completions of the predicted probability at the coefficient estimates."""
    return _point_draws(mdl, V, historical, target, rng, n_imputations)[0].mean(axis=0)


def select_specification(V: pd.DataFrame, y: np.ndarray, historical, *, grid: dict[str, dict] | None = None,
                         n_folds: int = SELECT_FOLDS, n_imputations: int = N_IMPUTATIONS,
                         seed=0) -> SpecSelection:
    """Choose the commitment model's specification from ``grid`` by dyad-grouped cross-validation.

    The dyads of ``V`` are shuffled (``seed``) and dealt into ``n_folds`` groups; every grid entry is
    fitted without each group and scored on it. The entry with the lowest pooled log loss wins
    (a proper scoring rule, so calibration counts as well as ranking).

    Notes
    -----
    Used inside every outer fold of :func:`lodo` (``select=True``), so the leave-one-dyad-out
    score measures the whole procedure, choice included (nested cross-validation).
    """
    from . import evaluation as ev
    rng = np.random.default_rng(seed)
    grid = SPEC_GRID if grid is None else grid
    y = np.asarray(y, dtype=float)
    dy = V.index.get_level_values("dyad").to_numpy(dtype=object)
    codes = np.unique(dy)
    if len(codes) < n_folds:
        raise ValueError(f"select_specification needs at least n_folds={n_folds} dyads, got {len(codes)}")
    fold_of = dict(zip(rng.permutation(codes), np.arange(len(codes)) % n_folds))
    fold = np.array([fold_of[d] for d in dy])
    rows = {}
    for name, spec in grid.items():
        p = np.full(len(y), np.nan)
        for k in range(n_folds):
            te = fold == k
            if y[~te].min() == y[~te].max():  # a training set with one class cannot be fitted
                continue
            mdl = fit_commitment(V[~te], y[~te], historical, l2=spec["l2"], n_imputations=n_imputations,
                                 seed=rng, nodes=spec["nodes"], use_structural=spec["use_structural"],
                                 window=spec.get("window", 1))
            p[te] = _point_predict(mdl, V, historical, te, rng, n_imputations)
        ok = ~np.isnan(p)
        rows[name] = {"log_loss": ev.log_loss(y[ok], p[ok]), "roc_auc": ev.roc_auc(y[ok], p[ok]),
                      "brier": ev.brier(y[ok], p[ok])}
    scores = pd.DataFrame.from_dict(rows, orient="index")
    chosen = str(scores["log_loss"].idxmin())
    return SpecSelection(chosen=chosen, spec=grid[chosen], scores=scores, n_folds=n_folds)


# ------------------------------------------------------------------ leave one dyad out

#: specifications compared leave-one-dyad-out.
#:
#: * ``shipped``: the shipped procedure (since 0.4.0): window and L2 chosen from :data:`HISTORY_GRID` by
#:   :func:`select_specification`, re-chosen inside every fold (nested), so the score includes the choice;
#: * ``shipped_spec``: the specification that procedure chose on the full panel, refitted without each
#:   dyad but not re-chosen (slightly optimistic; what the tests run, since nesting takes ~10 minutes);
#: * ``year_alone_0.3``: the specification shipped through 0.3.0 (each year alone, L2 = 1; fixed in
#:   session 1 before any was evaluated);
#: * ``no_structural``, ``key_indicators``, ``with_bloc_LEAK``: the shipped specification with other
#:   features (entries marked ``shipped_spec`` take the shipped model's L2 and window, see :func:`resolve_variant`).
VARIANTS: dict[str, dict] = {
    "shipped": {"select": True, "grid": HISTORY_GRID},
    "shipped_spec": {"shipped_spec": True},
    "year_alone_0.3": {"nodes": dict(COMMITMENT_NODES), "use_structural": True, "l2": 1.0, "window": 1},
    "no_structural": {"nodes": dict(COMMITMENT_NODES), "use_structural": False, "shipped_spec": True},
    "key_indicators": {"nodes": {i: (i,) for i in (
        "basing_access", "diplomatic_backing", "wartime_support", "partnership_level", "joint_exercises",
        "military_training", "defense_cooperation_agreements", "neutrality_in_partner_conflicts",
        "ties_with_partners_rivals", "recognition_disputes")}, "use_structural": True, "shipped_spec": True},
    "with_bloc_LEAK": {"nodes": dict(COMMITMENT_NODES, blocs=("bloc_memberships_shared",)),
                       "use_structural": True, "shipped_spec": True},
}


def resolve_variant(name: str, model: "CommitmentModel | None" = None) -> dict:
    """Keyword arguments of :func:`lodo` for :data:`VARIANTS` entry ``name``: an entry marked
    ``shipped_spec`` takes the L2 penalty and window of ``model`` (default: the shipped commitment
    model), and its nodes and structural term unless the entry sets them."""
    spec = dict(VARIANTS[name])
    if spec.pop("shipped_spec", False):
        if model is None:
            from .classify import load_fitted
            model = load_fitted()[1]
        spec.setdefault("nodes", dict(model.nodes))
        spec.setdefault("use_structural", model.use_structural)
        spec["l2"] = float(model.meta.get("l2", L2_PENALTY))
        spec["window"] = int(model.window)
    return spec


def bundled_panel_hash() -> str:
    """The version of the bundled panel that the commitment model reads, recorded in ``commitment.json``.

    First 16 hex digits of the SHA-256 of the observations' ``dyad, year, indicator, value`` (sorted,
    values to 10 significant digits) and the status table's ``dyad, start_year, end_year,
    mutual_defence``. Sources, notes and evidence grades are left out: re-sourcing a row does
    not change what the model is fitted on. So are the rows of years after
    :data:`~alliance_index.observations.PANEL_COMPLETE_THROUGH` (coded only to date), which the
    model is not fitted on either (:func:`bundled_training_data`).
    """
    import hashlib

    from ..observations import PANEL_COMPLETE_THROUGH, load_panel, load_status
    obs = load_panel()
    obs = obs.loc[obs["year"].to_numpy(dtype="int64") <= PANEL_COMPLETE_THROUGH,
                  ["dyad", "year", "indicator", "value"]].astype(
        {"dyad": str, "year": "int64", "indicator": str, "value": float})
    obs = obs.sort_values(["dyad", "year", "indicator"], kind="stable")
    st = load_status()[["dyad", "start_year", "end_year", "mutual_defence"]].astype({"dyad": str})
    st = st.sort_values(["dyad", "start_year"], kind="stable")
    h = hashlib.sha256()
    for part in (obs, st):
        h.update(part.to_csv(index=False, float_format="%.10g", lineterminator="\n").encode("utf-8"))
    return h.hexdigest()[:16]


def bundled_training_data(indicators: Sequence[str] | None = None):
    """Raw wide values and labels of the bundled panel (labels: status.csv mutual_defence).

    Complete years only: a year after :data:`~alliance_index.observations.PANEL_COMPLETE_THROUGH`
    is coded to date and without the flows counted over a year, so it is scored, never trained
    or judged on."""
    from ..observations import PANEL_COMPLETE_THROUGH, load_panel, mutual_defence
    obs = load_panel()
    V, _ = panel_frame(obs[obs["year"].to_numpy(dtype="int64") <= PANEL_COMPLETE_THROUGH], indicators)
    y = mutual_defence(V.index.get_level_values("dyad"), V.index.get_level_values("year"))
    return V, y


def lodo(V: pd.DataFrame, y: np.ndarray, historical, *, n_sims: int = 1000, seed=0,
         l2: float = L2_PENALTY, n_imputations: int = N_IMPUTATIONS,
         nodes: dict[str, Sequence[str]] | None = None, use_structural: bool = True,
         select: bool = False, grid: dict[str, dict] | None = None, window: int = 1) -> pd.DataFrame:
    """Leave-one-dyad-out: refit without each dyad, score its years.

    Returns a frame indexed (dyad, year) with ``y``, ``p_de_jure``, ``p_de_jure_lo``,
    ``p_de_jure_hi`` (2.5 % / 97.5 % of the simulation), ``coverage`` and ``spec`` (the
    specification that scored the row). The donor pool of each fold holds only the
    training dyads' values. With ``select=True`` the specification is chosen from ``grid``
    (default :data:`SPEC_GRID`) by :func:`select_specification` on each fold's training dyads
    (nested cross-validation); ``l2``, ``nodes``, ``use_structural`` and ``window`` are then ignored.
    ``window`` > 1 replaces each dyad-year's raw values by :func:`history_pool`'s trailing mean
    over that many years (a grid entry's ``"window"`` does the same inside the selection);
    ``coverage`` stays the share of the year's own cells observed.
    """
    rng = np.random.default_rng(seed)
    dy = V.index.get_level_values("dyad").to_numpy(dtype=object)
    y = np.asarray(y, dtype=float)
    parts = []
    for d in np.unique(dy):  # one refit per dyad
        tr = dy != d
        if select:
            sel = select_specification(V[tr], y[tr], historical, grid=grid, n_imputations=n_imputations, seed=rng)
            spec, name = sel.spec, sel.chosen
        else:
            spec = {"l2": l2, "nodes": nodes, "use_structural": use_structural, "window": window}
            name = "fixed"
        mdl = fit_commitment(V[tr], y[tr], historical, l2=spec["l2"], n_imputations=n_imputations, seed=rng,
                             nodes=spec["nodes"], use_structural=spec["use_structural"],
                             window=spec.get("window", 1))
        P = predict_draws(mdl, V[~tr], historical, n_sims, rng)
        parts.append(pd.DataFrame({"y": y[~tr], "p_de_jure": P.mean(0),
                                   "p_de_jure_lo": np.quantile(P, 0.025, axis=0),
                                   "p_de_jure_hi": np.quantile(P, 0.975, axis=0),
                                   "coverage": V[~tr].notna().mean(axis=1).to_numpy(),
                                   "spec": name},
                                  index=V.index[~tr]))
    return pd.concat(parts).sort_index()


def lodo_report(n_sims: int = 1000, seed=0, file=None, variants: Sequence[str] | None = None,
                subsets: dict[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Print the leave-one-dyad-out evaluation on the bundled panel; return the shipped variant's frame.

    Every variant in ``variants`` (default: all of :data:`VARIANTS`) is refitted without each dyad
    in turn; ``shipped`` is the procedure whose coefficients ship (its choice of specification
    repeated inside every fold). The per-dyad table, the dyad-bootstrap interval and the
    ``subsets`` rows (name → dyad ids: the same out-of-sample scores on those dyads only) are
    for ``shipped`` when it is among ``variants``, else for the first variant; so is the frame
    returned.
    """
    import sys
    from . import evaluation as ev
    from .classify import load_historical
    from .verdict import verdicts
    from ..observations import load_panel
    out = file or sys.stdout
    hist = load_historical()
    cd = _coop_discord(load_panel())
    print("B. Leave-one-dyad-out on the bundled panel (label: status.csv mutual_defence; each dyad scored "
          "by a commitment model refitted without it; donors for missing indicators from the training dyads "
          "and the dyad's own other years)", file=out)
    print(f"{'variant':<16}{'n':>5}{'treaty':>7}  ROC AUC  PR AUC   Brier logloss    ECE  "
          f"BLR-RUS 2023            IRN-RUS 2023", file=out)
    shipped = None
    names = list(variants or VARIANTS)
    main = "shipped" if "shipped" in names else names[0]
    for name in names:
        spec = resolve_variant(name)
        if spec.get("select"):
            inds = MODEL_INDICATORS
        else:
            inds = list(dict.fromkeys([i for v in spec["nodes"].values() for i in v] + list(HISTORICAL_INDICATORS)))
        V, y = bundled_training_data(inds)
        res = lodo(V, y, hist, n_sims=n_sims, seed=seed, **spec).join(cd)
        res["verdict"] = verdicts(res["p_de_jure"], res["cooperation"], res["discord"], res["hostility"])
        m = ev.evaluate_binary(res["y"], res["p_de_jure"])
        cells = []
        for d in ("BLR-RUS", "IRN-RUS"):
            r = res.loc[(d, 2023)]
            cells.append(f"{r['p_de_jure']:.2f} [{r['p_de_jure_lo']:.2f},{r['p_de_jure_hi']:.2f}] {r['verdict'][:5]}")
        print(f"{name:<16}{m['n']:>5}{m['positives']:>7}  {m['roc_auc']:7.3f} {m['pr_auc']:7.3f} {m['brier']:7.3f} "
              f"{m['log_loss']:7.3f} {m['ece']:6.3f}  {cells[0]:<24}{cells[1]}", file=out)
        if name == main:
            shipped = res
        if (res["spec"] != "fixed").any():
            per_fold = res.groupby(level=0)["spec"].first().value_counts()
            print(f"  {name}: specification chosen inside the outer folds (dyads scored by it): "
                  + ", ".join(f"{k} {v}" for k, v in per_fold.items()), file=out)
    if shipped is not None:
        bs = ev.cluster_bootstrap_auc(shipped["y"], shipped["p_de_jure"], shipped.index.get_level_values("dyad"),
                                      n_boot=2000, seed=seed)
        print(f"  {main}: ROC AUC {bs['auc']:.3f}, 95% interval [{bs['lo']:.3f}, {bs['hi']:.3f}] from resampling "
              f"the {bs['n_groups']} dyads ({bs['n_boot']} bootstrap replicates)", file=out)
    if shipped is not None and subsets:
        for label, ids in subsets.items():
            sub = shipped[shipped.index.get_level_values("dyad").isin(list(ids))]
            m = ev.evaluate_binary(sub["y"], sub["p_de_jure"])
            print(f"  {main}, {label}: n {m['n']}, treaty {m['positives']}, ROC AUC {m['roc_auc']:.3f}, "
                  f"PR AUC {m['pr_auc']:.3f}, Brier {m['brier']:.3f}", file=out)
    if shipped is not None:
        res = shipped
        print(f"\n{main} variant, per dyad (means over years): label share, p_de_jure, interval, "
              "share of the model's indicators observed, cooperation, discord, modal verdict", file=out)
        per = res.groupby(level=0).agg(label=("y", "mean"), p=("p_de_jure", "mean"), lo=("p_de_jure_lo", "mean"),
                                       hi=("p_de_jure_hi", "mean"), coverage=("coverage", "mean"),
                                       C=("cooperation", "mean"), D=("discord", "mean"),
                                       verdict=("verdict", lambda v: v.mode().iloc[0]))
        print(per.to_string(float_format=lambda v: f"{v:.3f}"), file=out)
        for d in ("BLR-RUS", "IRN-RUS"):
            r = res.loc[(d, 2023)]
            print(f"{d} 2023: p_de_jure {r['p_de_jure']:.3f} [{r['p_de_jure_lo']:.3f}, {r['p_de_jure_hi']:.3f}] "
                  f"cooperation {r['cooperation']:.1f} discord {r['discord']:.1f} verdict {r['verdict']} "
                  f"(label {int(r['y'])})", file=out)
        b, i = res.loc[("BLR-RUS", 2023)], res.loc[("IRN-RUS", 2023)]
        print(f"BLR-RUS above IRN-RUS: {b['p_de_jure'] > i['p_de_jure']}; intervals overlap: "
              f"{not (b['p_de_jure_lo'] > i['p_de_jure_hi'] or i['p_de_jure_lo'] > b['p_de_jure_hi'])}", file=out)
    return shipped


def _coop_discord(obs: pd.DataFrame) -> pd.DataFrame:
    """Cooperation, discord, hostility and hedging (0–100) per dyad-year.

    Arithmetic means of goalpost-normalised observed indicators within each domain × side,
    then across the observed domains (the index's default aggregation). ``hostility`` is the
    same over the discord indicators outside :data:`~alliance_index.catalog.HEDGING_INDICATORS`,
    ``hedging`` over those inside it; each is NaN where none of its indicators is observed.
    ``n_hostility`` counts the hostility indicators observed (what a ``rivalry`` verdict rests on).
    """
    from ..catalog import DOMAINS, HEDGING_INDICATORS
    cat = _catalog()
    known = obs[obs["indicator"].isin(cat.index)]
    idx = pd.MultiIndex.from_arrays([known["dyad"].astype(str), known["year"].astype("int64")], names=["dyad", "year"])
    wide = pd.DataFrame({"k": idx, "ind": known["indicator"].to_numpy(), "v": known["value"].to_numpy(float)})
    W = wide.pivot_table(index="k", columns="ind", values="v", aggfunc="first")
    W.index = pd.MultiIndex.from_tuples(W.index, names=["dyad", "year"])
    Z = _normalise(W.to_numpy(float), list(W.columns))
    dom = cat.loc[list(W.columns), "domain"].to_numpy()
    side = cat.loc[list(W.columns), "side"].to_numpy()
    hedge = np.isin(np.asarray(W.columns, dtype=object), HEDGING_INDICATORS)
    parts = {"cooperation": side == "cooperation", "discord": side == "discord",
             "hostility": (side == "discord") & ~hedge, "hedging": (side == "discord") & hedge}
    out = {}
    for name, sel in parts.items():
        doms = [_nanmean(Z[:, sel & (dom == d)]) for d in DOMAINS]
        out[name] = 100 * _nanmean(np.column_stack(doms))
    out["n_hostility"] = (~np.isnan(Z[:, parts["hostility"]])).sum(axis=1)
    return pd.DataFrame(out, index=W.index)


def _nanmean(A: np.ndarray) -> np.ndarray:
    n = np.sum(~np.isnan(A), axis=1)
    return np.where(n > 0, np.nansum(A, axis=1) / np.maximum(n, 1), np.nan)
