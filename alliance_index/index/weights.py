"""Weighting methods: how much each indicator counts within its node.

Every method shares one signature (SALib style, chosen by name from :data:`WEIGHTERS`)::

    f(Z, *, nodes, base) -> ndarray (k,)

``Z`` is the ``(n, k)`` normalised matrix (NaN = not observed), ``nodes`` a
list of column-index arrays (one per node of the hierarchy), ``base`` the
``(k,)`` catalog default weights. The result holds one raw weight per column;
weights are renormalised within each node (and over the observed entries of
each row) when aggregating, so only ratios within a node matter.

Notes
-----
* ``catalog`` (default): the catalog's ``default_weight`` (commitment
  indicators weigh 2, see :mod:`alliance_index.catalog`).
* ``equal``: 1 for every indicator.
* ``pca``: per node, the squared loadings of the first principal component of
  the indicators' correlation matrix (pairwise-complete observations, at least 3
  rows observed together), :math:`w_j = v_{1j}^2` with :math:`\\sum_j v_{1j}^2 = 1`:
  first principal component, squared loadings, a one-factor simplification of
  the OECD/JRC Handbook (2008) factor-analysis weights (the Handbook keeps several
  factors, rotates them by varimax and weights them by explained variance;
  COINr's ``get_PCA`` uses the signed first-component loadings). A node of one
  indicator gets weight 1. An indicator whose correlations are undefined
  (unobserved or constant, or never observed together with the others) cannot be
  weighted by PCA: indicators are set aside one at a time, the one with the most
  undefined correlations first (among equals, the one with the fewest observed
  values), until the remaining block is fully defined; the
  :math:`u` set aside keep an equal share :math:`1/m` of the node (:math:`m`
  indicators) and the others share :math:`(m-u)/m` by their squared loadings on
  the defined block. When the leading eigenvalue of that block is not unique
  (:math:`\\lambda_1 - \\lambda_2 \\le 10^{-9}\\lambda_1`, e.g. uncorrelated
  indicators) there is no first component and the node uses equal weights. Both
  cases issue a :class:`~alliance_index.errors.DataQualityWarning` naming the node
  and indicators.
* ``balance``: per node, the weights on the simplex that make the
  indicators' correlations with the node's (arithmetic) score as equal as
  possible, in the spirit of COINr's ``get_opt_weights(optype = "balance")``,
  which balances the correlations with the index rather than the node and
  minimises a different objective (so the weights differ when equal correlations
  cannot be reached). Here the objective is
  :math:`\\sum_j (r_j - \\bar r)^2`, where
  :math:`r_j = (\\Sigma w)_j / \\sqrt{\\Sigma_{jj}\\, w^\\top \\Sigma w}` from the
  pairwise-complete covariance matrix :math:`\\Sigma` of the node's indicators.
  Solved by L-BFGS-B over softmax coordinates starting from equal weights
  (deterministic). Nodes where the problem is undefined keep equal weights.
* evidence-confidence weighting (``evidence=True`` in :class:`CompositeIndex`, or
  ``weights="confidence"`` = catalog weights with evidence): each cell's weight is
  multiplied by its evidence factor
  (:data:`alliance_index.observations.CONFIDENCE_FACTORS`: ``confirmed`` 1,
  ``reported`` 0.75, ``alleged`` 0.5, ``denied`` 0.25) before the weights are
  renormalised over the node's observed cells. Within a node the factor acts only
  relative to the other observed cells of the same node: a denied cell counts a
  quarter as much as a confirmed cell of the same base weight beside it. When a
  node has one observed cell, or all its observed cells carry the same
  confidence, the factors cancel within the node. In addition, each domain
  node's weight in cooperation / discord is multiplied by the node's evidence
  factor :math:`e = \\sum_j w_j f_j / \\sum_j w_j` over its observed cells, so a
  node resting only on a denied report counts a quarter as much as a node of
  confirmed ones (also when it has one observed cell). When every node of a side
  carries the same factor, the side score is unchanged: evidence weighting
  re-weights evidence against other evidence; it does not shrink a score.
"""
from __future__ import annotations

from typing import Callable, Literal, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from .aggregate import check_method, check_weight_vector

WeightsName = Literal["catalog", "equal", "pca", "balance", "confidence"]


def weights_catalog(Z, *, nodes, base) -> np.ndarray:
    """Catalog default weights."""
    return np.asarray(base, dtype="float64").copy()


def weights_equal(Z, *, nodes, base) -> np.ndarray:
    """Equal weights."""
    return np.ones(np.asarray(Z).shape[1])


def _pairwise(Z: np.ndarray, cols: np.ndarray, what: str) -> np.ndarray:
    df = pd.DataFrame(np.asarray(Z)[:, cols])
    M = (df.corr(min_periods=3) if what == "corr" else df.cov(min_periods=3)).to_numpy(dtype="float64")
    return M


def _per_node(Z, nodes, what: Literal["corr", "cov"],
              node_weights: Callable[[np.ndarray, int, np.ndarray], np.ndarray | None]) -> np.ndarray:
    """Loop shared by the data-driven weighters.

    Every column starts at weight 1; for each node of two or more columns,
    ``node_weights(M, i, cols)`` receives the node's pairwise-complete correlation or
    covariance matrix ``M`` (``what``), the node's position ``i`` in ``nodes`` and its
    column indices, and returns the node's weights, or ``None`` to leave them at 1.
    """
    Z = np.asarray(Z, dtype="float64")
    w = np.ones(Z.shape[1])
    for i, cols in enumerate(nodes):
        cols = np.asarray(cols, dtype=np.int64)
        if len(cols) < 2:
            continue
        wn = node_weights(_pairwise(Z, cols, what), i, cols)
        if wn is not None:
            w[cols] = wn
    return w


#: leading eigenvalues closer than this (relative) count as tied: the first component is not unique
PCA_TIE_RTOL = 1e-9


def _pca_node(R: np.ndarray, n_obs: np.ndarray | None = None) -> tuple[np.ndarray | None, np.ndarray]:
    """PCA weights of one node from its pairwise-complete correlation matrix ``R`` (m × m).

    ``n_obs`` (m,) counts each indicator's observed rows (breaks ties when setting aside).

    Returns ``(w, undefined)``: ``w`` sums to 1, or is ``None`` when the leading eigenvalue
    of the defined block is tied (no unique first component); ``undefined`` flags the
    indicators left out of the PCA because their correlations are undefined (they get 1/m).
    """
    m = R.shape[0]
    R = np.array(R, dtype="float64", copy=True)
    np.fill_diagonal(R, np.where(np.isfinite(np.diag(R)), 1.0, np.nan))
    undefined = np.zeros(m, dtype=bool)
    n_obs = np.zeros(m) if n_obs is None else np.asarray(n_obs, dtype="float64")
    # set aside, one at a time, the indicator with the most undefined correlations (among equals
    # the one with the fewest observed rows, then the first) until the rest have every correlation
    # defined; loops over the node's indicators, not rows
    while True:
        keep = np.flatnonzero(~undefined)
        bad = (~np.isfinite(R[np.ix_(keep, keep)])).sum(axis=0)
        if keep.size == 0 or not bad.any():
            break
        undefined[keep[np.lexsort((np.arange(keep.size), n_obs[keep], -bad))[0]]] = True
    w = np.full(m, 1.0 / m)  # the indicators left out keep an equal share of the node
    if keep.size < 2:  # no correlation defined at all: no PCA in this node
        return w, np.ones(m, dtype=bool)
    vals, vecs = np.linalg.eigh(R[np.ix_(keep, keep)])
    if vals[-1] - vals[-2] <= PCA_TIE_RTOL * abs(vals[-1]):
        return None, undefined
    v = vecs[:, -1]
    w[keep] = (keep.size / m) * v ** 2 / np.sum(v ** 2)
    return w, undefined


def weights_pca(Z, *, nodes, base, names: Sequence[str] | None = None,
                node_names: Sequence[str] | None = None) -> np.ndarray:
    """Squared first-component loadings per node (module Notes give the fallbacks).

    Warns (:class:`~alliance_index.errors.DataQualityWarning`, naming the nodes and
    indicators) when an indicator's correlations are undefined, and when a node's first
    component is not unique and the node falls back to equal weights.
    """
    import warnings

    from ..errors import DataQualityWarning
    from .normalise import _user_stacklevel

    Z = np.asarray(Z, dtype="float64")
    names = list(names) if names is not None else [f"x{j}" for j in range(Z.shape[1])]
    undef_msgs, tie_msgs = [], []

    def node(R: np.ndarray, i: int, cols: np.ndarray) -> np.ndarray:
        nn = node_names[i] if node_names is not None else f"node {i}"
        wn, undefined = _pca_node(R, (~np.isnan(Z[:, cols])).sum(axis=0))
        if undefined.any():
            undef_msgs.append(f"{nn}: {', '.join(names[c] for c in cols[undefined])} (1/{len(cols)} each)")
        if wn is None:
            tie_msgs.append(nn)
            wn = np.full(len(cols), 1.0 / len(cols))
        return wn

    w = _per_node(Z, nodes, "corr", node)
    if undef_msgs:
        warnings.warn(
            "pca weights: indicators with undefined correlations within their node (unobserved or "
            "constant, or fewer than 3 rows observed together with the others) cannot be weighted by "
            "PCA; they keep an equal share of the node's weight and the node's other indicators share "
            f"the rest by PCA. {'; '.join(undef_msgs)}.",
            DataQualityWarning, stacklevel=_user_stacklevel(),
        )
    if tie_msgs:
        warnings.warn(
            "pca weights: the first principal component is not unique (tied leading eigenvalues, e.g. "
            f"uncorrelated indicators) in node(s) {', '.join(tie_msgs)}; these nodes use equal weights.",
            DataQualityWarning, stacklevel=_user_stacklevel(),
        )
    return w


def _balance_node(S: np.ndarray) -> np.ndarray | None:
    k = S.shape[0]
    d = np.diag(S)
    if not (np.all(np.isfinite(S)) and np.all(d > 0)):
        return None

    def corr(theta):
        e = np.exp(theta - theta.max())
        w = e / e.sum()
        Sw = S @ w
        v = float(w @ Sw)
        if v <= 0:
            return None, w
        return Sw / np.sqrt(d * v), w

    def obj(theta):
        r, _ = corr(theta)
        if r is None:
            return 1e6
        return float(np.sum((r - r.mean()) ** 2))

    res = minimize(obj, np.zeros(k), method="L-BFGS-B", options={"maxiter": 500})
    r, w = corr(res.x)
    if r is None:
        return None
    return w


def weights_balance(Z, *, nodes, base) -> np.ndarray:
    """Correlation-balanced weights per node (in the spirit of COINr's "balance"; see the module Notes)."""
    def node(S: np.ndarray, i: int, cols: np.ndarray) -> np.ndarray | None:
        wn = _balance_node(S)
        return None if wn is None else wn * S.shape[0]  # mean weight 1 within the node

    return _per_node(Z, nodes, "cov", node)


WEIGHTERS: dict[str, Callable[..., np.ndarray]] = {
    "catalog": weights_catalog,
    "equal": weights_equal,
    "pca": weights_pca,
    "balance": weights_balance,
    "confidence": weights_catalog,  # catalog weights; the estimator switches evidence weighting on
}


def compute_weights(Z, method: WeightsName | Sequence[float] | dict, *, nodes, base,
                    names: Sequence[str] | None = None, node_names: Sequence[str] | None = None) -> np.ndarray:
    """Raw weights by name, or user weights (array of k values, or dict name → weight).

    Raises :class:`MethodError` for an unknown name, and for weights that are
    negative, not finite, or all zero within a node (naming the node).
    """
    k = np.asarray(Z).shape[1]
    names = list(names) if names is not None else [f"x{j}" for j in range(k)]
    if isinstance(method, str):
        check_method(method, WEIGHTERS, "weights")
        if method == "pca":  # names the node and indicators in its warnings
            w = weights_pca(Z, nodes=nodes, base=base, names=names, node_names=node_names)
        else:
            w = WEIGHTERS[method](Z, nodes=nodes, base=base)
    elif isinstance(method, dict):
        from ..errors import MethodError, suggest

        w = np.asarray(base, dtype="float64").copy()
        pos = {n: i for i, n in enumerate(names)}
        for key, val in method.items():
            if key not in pos:
                raise MethodError(f"weights: unknown indicator {key!r}.{suggest(str(key), names)}")
            w[pos[key]] = float(val)
    else:
        from ..errors import MethodError

        w = np.asarray(method, dtype="float64")
        if w.shape != (k,):
            raise MethodError(f"weights: {w.size} values given for {k} indicators; give one weight per indicator.")
    check_weight_vector(w, names, "the weights")
    for i, cols in enumerate(nodes):
        cols = np.asarray(cols, dtype=np.int64)
        nn = node_names[i] if node_names is not None else f"node {i}"
        check_weight_vector(w[cols], [names[c] for c in cols], f"node {nn}")
    return w
