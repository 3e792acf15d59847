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
  the indicators' correlation matrix (pairwise-complete observations),
  :math:`w_j = v_{1j}^2` with :math:`\\sum_j v_{1j}^2 = 1` (OECD/JRC Handbook, 2008,
  weights from factor loadings). A node of one indicator gets weight 1; undefined
  correlations (constant or never co-observed indicators) are taken as 0.
* ``balance``: per node, the weights on the simplex that make the
  indicators' correlations with the node's (arithmetic) score as equal as
  possible — COINr's ``get_opt_weights(optype = "balance")`` — minimising
  :math:`\\sum_j (r_j - \\bar r)^2`, where
  :math:`r_j = (\\Sigma w)_j / \\sqrt{\\Sigma_{jj}\\, w^\\top \\Sigma w}` from the
  pairwise-complete covariance matrix :math:`\\Sigma` of the node's indicators.
  Solved by L-BFGS-B over softmax coordinates starting from equal weights
  (deterministic). Nodes where the problem is undefined keep equal weights.
* evidence-confidence weighting (``evidence=True`` in :class:`CompositeIndex`, or
  ``weights="confidence"`` = catalog weights with evidence): each cell's weight is
  multiplied by its evidence factor
  (:data:`alliance_index.observations.CONFIDENCE_FACTORS`: ``confirmed`` 1,
  ``reported`` 0.75, ``alleged`` 0.5, ``denied`` 0.25), so a denied report
  moves a score a quarter as much as a confirmed one.
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
              node_weights: Callable[[np.ndarray], np.ndarray | None]) -> np.ndarray:
    """Loop shared by the data-driven weighters.

    Every column starts at weight 1; for each node of two or more columns,
    ``node_weights`` receives the node's pairwise-complete correlation or
    covariance matrix (``what``) and returns the node's weights, or ``None``
    to leave them at 1.
    """
    Z = np.asarray(Z, dtype="float64")
    w = np.ones(Z.shape[1])
    for cols in nodes:
        cols = np.asarray(cols, dtype=np.int64)
        if len(cols) < 2:
            continue
        wn = node_weights(_pairwise(Z, cols, what))
        if wn is not None:
            w[cols] = wn
    return w


def _pca_node(R: np.ndarray) -> np.ndarray:
    R = np.where(np.isfinite(R), R, 0.0)
    np.fill_diagonal(R, 1.0)
    vals, vecs = np.linalg.eigh(R)
    v = vecs[:, -1]
    return v ** 2 / np.sum(v ** 2)


def weights_pca(Z, *, nodes, base) -> np.ndarray:
    """Squared first-component loadings per node."""
    return _per_node(Z, nodes, "corr", _pca_node)


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
    """Correlation-balanced weights per node (COINr "balance")."""
    def node(S: np.ndarray) -> np.ndarray | None:
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
