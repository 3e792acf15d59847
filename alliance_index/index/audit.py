"""Statistical audit of a fitted :class:`CompositeIndex` (OECD/JRC Handbook, step 4 and 7).

Notes
-----
* Indicator–score correlations: Pearson correlation, over the rows where both
  are observed, of each normalised indicator with its node score, its top
  score (cooperation / discord, or the generic index) and, in alliance mode,
  the overall index. An indicator that correlates negatively with its own
  node measures something else (or the wrong way round).
* Cronbach's alpha of each node's normalised indicators:
  :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_j \\Sigma_{jj}}{\\sum_{j,l}\\Sigma_{jl}}\\right)`,
  with :math:`\\Sigma` the pairwise-complete covariance matrix (at least 3
  joint observations per pair; otherwise NaN) of the node's indicators that
  are observed at least 3 times and vary. Conventional reading: > 0.7
  is a coherent scale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _engine


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~np.isnan(a) & ~np.isnan(b)
    if ok.sum() < 3:
        return np.nan
    x, y = a[ok], b[ok]
    sx, sy = x.std(), y.std()
    if sx == 0 or sy == 0:
        return np.nan
    return float(np.mean((x - x.mean()) * (y - y.mean())) / (sx * sy))


def cronbach_alpha(Z: np.ndarray) -> float:
    """Cronbach's alpha of the columns of ``Z`` (pairwise-complete covariance)."""
    Z = np.asarray(Z, dtype="float64")
    if Z.shape[1]:
        n_obs = (~np.isnan(Z)).sum(axis=0)
        with np.errstate(invalid="ignore"):
            var = np.nanvar(np.where(n_obs >= 3, Z, 0.0), axis=0) if Z.shape[0] else np.zeros(Z.shape[1])
        Z = Z[:, (n_obs >= 3) & (var > 0)]  # indicators that vary (others carry no information)
    k = Z.shape[1]
    if k < 2:
        return np.nan
    S = pd.DataFrame(Z).cov(min_periods=3).to_numpy()
    if not np.all(np.isfinite(S)):
        return np.nan
    tot = S.sum()
    if tot <= 0:
        return np.nan
    return float(k / (k - 1) * (1.0 - np.trace(S) / tot))


def audit(est, X):
    """Audit ``est`` on ``X``; see :meth:`CompositeIndex.audit`."""
    from .composite import Audit

    inp, out, _ = est._raw(X)
    pl = est.plan_
    V, _, _ = est._impute(inp)
    Z = _engine.normalised(V, pl)
    G, H = len(pl.node_names), len(pl.grp_names)
    rows = []
    for j, nm in enumerate(pl.names):
        g = pl.col_node[j]
        if g < 0:
            continue
        h = pl.node_grp[g]
        rec = {"indicator": nm, "node": pl.node_names[g], "top": pl.grp_names[h],
               "r_node": _corr(Z[:, j], out[:, g]), "r_top": _corr(Z[:, j], out[:, G + h])}
        if pl.alliance:
            rec["r_index"] = _corr(Z[:, j], out[:, G + H])
        rows.append(rec)
    corr = pd.DataFrame(rows).set_index("indicator")
    alpha = pd.Series({nn: cronbach_alpha(Z[:, pl.col_node == g]) for g, nn in enumerate(pl.node_names)},
                      name="cronbach_alpha")
    alpha.index.name = "node"
    return Audit(correlations=corr, cronbach_alpha=alpha)
