"""The scoring engine: one pass from raw indicator matrix to node, side and index scores.

Two interchangeable back ends compute the same numbers:

* ``numpy``: vectorised over all rows, node by node (the reference implementation;
  also the only one that does Copeland and the non-affine normalisations itself);
* ``numba`` (when numba is installed): a fused, multi-threaded kernel that reads
  each cell once — treatment, normalisation, weighting, node and side
  aggregation, index, breadth and coverage — in row blocks. Used for large inputs
  (``backend="auto"``: at least :data:`NUMBA_MIN_CELLS` cells) because a small
  input would pay the one-off compilation for nothing.

Internally every score is on [0, 1]; the estimator multiplies by its ``scale``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import MethodError
from .aggregate import AGGREGATORS, EPS, copeland_to_unit
from .normalise import NORMALISERS, log1p_columns

try:  # optional accelerator
    import numba as _nb
except ImportError:  # pragma: no cover - exercised when numba is absent
    _nb = None

HAVE_NUMBA = _nb is not None
NUMBA_MIN_CELLS = 2_000_000
_CODES = {"arithmetic": 0, "geometric": 1, "harmonic": 2, "generalised": 3}


@dataclass
class Plan:
    """Everything the engine needs, learned by ``CompositeIndex.fit``."""

    names: list
    log1p: np.ndarray            # (k,) bool
    wlo: np.ndarray              # (k,) winsor lower limits (after log1p), -inf = none
    whi: np.ndarray              # (k,)
    norm: str
    norm_params: dict
    col_node: np.ndarray         # (k,) int, -1 = in no node
    col_w: np.ndarray            # (k,) raw weights
    node_names: list
    node_agg: list
    node_p: np.ndarray
    grp_names: list
    node_grp: np.ndarray         # (G,) int
    node_gw: np.ndarray          # (G,)
    grp_agg: list
    grp_p: np.ndarray
    alliance: bool
    coop_dom: np.ndarray         # (4,) node indices of cooperation domains (alliance only)
    alpha: float
    eps: float
    core: np.ndarray             # (k,) bool: counts in coverage
    n_core_total: int
    extra: dict = field(default_factory=dict)

    @property
    def n_out(self) -> int:
        return len(self.node_names) + len(self.grp_names) + (3 if self.alliance else 0)


def _treat(V: np.ndarray, plan: Plan) -> np.ndarray:
    T = log1p_columns(V, plan.log1p) if plan.log1p.any() else np.array(V, dtype="float64", copy=True)
    if np.isfinite(plan.wlo).any() or np.isfinite(plan.whi).any():
        T = np.clip(T, plan.wlo, plan.whi)
    return T


def normalised(V: np.ndarray, plan: Plan) -> np.ndarray:
    """Treated and normalised matrix (n, k) on [0, 1]; NaN = unobserved."""
    return NORMALISERS[plan.norm].apply(_treat(V, plan), plan.norm_params)


def _agg(X, w, method, p, eps, groups):
    kw = {"eps": eps, "groups": groups}
    if method == "generalised":
        kw["p"] = p
    s = AGGREGATORS[method](X, w, **kw)
    if method == "copeland":
        return copeland_to_unit(s, groups)
    return np.clip(s, 0.0, 1.0)  # the engine works on [0, 1]; removes rounding excursions


def breadth(D: np.ndarray) -> np.ndarray:
    """Breadth of cooperation over domains: 1 - normalised Gini of the observed domain scores.

    ``D`` is (n, m) with NaN for unobserved domains. For the ``q >= 2`` observed
    scores :math:`c_1..c_q` with sum :math:`S > 0`:
    :math:`b = 1 - \\sum_{i<j}|c_i - c_j| / ((q - 1) S)`, which is 1 when
    cooperation is spread evenly and 0 when it sits in one domain. NaN when
    fewer than two domains are observed or all observed domains score 0.
    """
    D = np.asarray(D, dtype="float64")
    obs = ~np.isnan(D)
    q = obs.sum(axis=1)
    Dz = np.where(obs, D, 0.0)
    S = Dz.sum(axis=1)
    m = D.shape[1]
    tot = np.zeros(D.shape[0])
    for i in range(m):
        for j in range(i + 1, m):
            both = obs[:, i] & obs[:, j]
            tot += np.where(both, np.abs(Dz[:, i] - Dz[:, j]), 0.0)
    ok = (q >= 2) & (S > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = 1.0 - tot / ((q - 1) * S)
    return np.where(ok, np.clip(b, 0.0, 1.0), np.nan)


def overall(coop: np.ndarray, disc: np.ndarray, alpha: float) -> np.ndarray:
    """Overall index on [0, 1]: cooperation discounted by discord, ``c * (1 - d) ** alpha``."""
    with np.errstate(invalid="ignore"):
        return coop * np.clip(1.0 - disc, 0.0, 1.0) ** alpha


def run_numpy(V: np.ndarray, C: np.ndarray | None, plan: Plan, groups=None) -> np.ndarray:
    """Reference engine. Returns (n, n_out) on [0, 1] (last alliance column: observed core count)."""
    Z = normalised(V, plan)
    n = Z.shape[0]
    G = len(plan.node_names)
    if C is not None:
        Cf = np.where(np.isnan(C), 1.0, C)
    out = np.full((n, plan.n_out), np.nan)
    for g in range(G):  # loop over the (few) nodes, vectorised over rows
        cols = np.flatnonzero(plan.col_node == g)
        w = plan.col_w[cols]
        W = w * Cf[:, cols] if C is not None else w
        out[:, g] = _agg(Z[:, cols], W, plan.node_agg[g], plan.node_p[g], plan.eps, groups)
    for h in range(len(plan.grp_names)):
        idx = np.flatnonzero(plan.node_grp == h)
        out[:, G + h] = _agg(out[:, idx], plan.node_gw[idx], plan.grp_agg[h], plan.grp_p[h], plan.eps, groups)
    if plan.alliance:
        H = G + len(plan.grp_names)
        out[:, H] = overall(out[:, G], out[:, G + 1], plan.alpha)
        out[:, H + 1] = breadth(out[:, plan.coop_dom])
        out[:, H + 2] = (~np.isnan(V[:, plan.core])).sum(axis=1)
    return out


# --------------------------------------------------------------------------- numba kernel

if HAVE_NUMBA:

    @_nb.njit(cache=True, inline="always", error_model="numpy")
    def _fwd(z, code, p, eps):
        if code == 0:
            return z
        if code == 1:
            return math.log(z + eps)
        if code == 2:
            return 1.0 / (z + eps)
        if p > 0:
            return z ** p
        return (z + eps) ** p

    @_nb.njit(cache=True, inline="always", error_model="numpy")
    def _inv0(m, code, p, eps):
        if code == 0:
            return m
        if code == 1:
            return math.exp(m) - eps
        if code == 2:
            return 1.0 / m - eps
        if p > 0:
            return m ** (1.0 / p)
        return m ** (1.0 / p) - eps

    @_nb.njit(cache=True, inline="always", error_model="numpy")
    def _inv(m, code, p, eps):
        return min(max(_inv0(m, code, p, eps), 0.0), 1.0)

    # error_model="numpy": no Python exception checks in the hot loop (every division is guarded)
    @_nb.njit(parallel=True, cache=True, error_model="numpy")
    def _kernel(V, C, use_c, logm, wlo, whi, lo, sc, clip, ncols, nptr, col_w, core,
                node_code, node_p, node_grp, node_gw, grp_code, grp_p, eps,
                alliance, coop_dom, alpha, out):
        n = V.shape[0]
        G = node_code.shape[0]
        H = grp_code.shape[0]
        CH = 2048
        nch = (n + CH - 1) // CH
        for c in _nb.prange(nch):
            for i in range(c * CH, min(n, (c + 1) * CH)):
                cov = 0.0
                for g in range(G):  # indicator -> node
                    code = node_code[g]
                    pg = node_p[g]
                    num = 0.0
                    den = 0.0
                    for t in range(nptr[g], nptr[g + 1]):
                        j = ncols[t]
                        x = V[i, j]
                        ok = x == x
                        cov += core[j] if ok else 0.0
                        tt = x if ok else 0.0
                        if logm[j]:
                            tt = math.log1p(tt)
                        tt = min(max(tt, wlo[j]), whi[j])
                        z = (tt - lo[j]) * sc[j]
                        if clip:
                            z = min(max(z, 0.0), 1.0)
                        ww = col_w[j]
                        if use_c:
                            f = C[i, j]
                            if f == f:
                                ww = ww * f
                        fz = _fwd(z, code, pg, eps)
                        num += fz * ww if ok else 0.0
                        den += ww if ok else 0.0
                    out[i, g] = _inv(num / den, code, pg, eps) if den > 0 else np.nan
                for h in range(H):  # node -> side (or top)
                    sn = 0.0
                    sd = 0.0
                    for g in range(G):
                        if node_grp[g] == h:
                            v = out[i, g]
                            if v == v:
                                sn += _fwd(v, grp_code[h], grp_p[h], eps) * node_gw[g]
                                sd += node_gw[g]
                    out[i, G + h] = _inv(sn / sd, grp_code[h], grp_p[h], eps) if sd > 0 else np.nan
                if alliance:
                    base = G + H
                    cc = out[i, G]
                    dd = out[i, G + 1]
                    if cc == cc and dd == dd:
                        q = min(max(1.0 - dd, 0.0), 1.0)
                        out[i, base] = cc * q ** alpha
                    else:
                        out[i, base] = np.nan
                    q = 0
                    s = 0.0
                    tot = 0.0
                    for u in range(coop_dom.shape[0]):
                        vu = out[i, coop_dom[u]]
                        if vu == vu:
                            q += 1
                            s += vu
                            for v2 in range(u + 1, coop_dom.shape[0]):
                                vv = out[i, coop_dom[v2]]
                                if vv == vv:
                                    tot += abs(vu - vv)
                    if q >= 2 and s > 0:
                        b = 1.0 - tot / ((q - 1) * s)
                        out[i, base + 1] = min(max(b, 0.0), 1.0)
                    else:
                        out[i, base + 1] = np.nan
                    out[i, base + 2] = cov


def numba_applicable(plan: Plan) -> bool:
    """The fused kernel handles quasi-arithmetic aggregators (not Copeland)."""
    return HAVE_NUMBA and all(a in _CODES for a in plan.node_agg) and all(a in _CODES for a in plan.grp_agg)


def run_numba(V: np.ndarray, C: np.ndarray | None, plan: Plan) -> np.ndarray:
    """Fused kernel (see module docstring). Same output as :func:`run_numpy`."""
    if not numba_applicable(plan):
        raise MethodError("the numba back end needs numba installed and no Copeland aggregation; use backend='numpy'.")
    k = V.shape[1]
    affine = NORMALISERS[plan.norm].affine
    if affine:
        lo = np.asarray(plan.norm_params["lo"], dtype="float64")
        hi = np.asarray(plan.norm_params["hi"], dtype="float64")
        affine = bool(np.all(hi - lo > 0))  # constant columns (0.5 rule): let numpy normalise
    if affine:
        sc = 1.0 / (hi - lo)
        X = V
        logm, wlo, whi = plan.log1p.astype(np.bool_), plan.wlo, plan.whi
    else:
        X = normalised(V, plan)
        logm = np.zeros(k, dtype=np.bool_)
        wlo = np.full(k, -np.inf)
        whi = np.full(k, np.inf)
        lo = np.zeros(k)
        sc = np.ones(k)
    clip = True
    X = np.ascontiguousarray(X, dtype="float64")  # one compiled signature (row-major)
    use_c = C is not None
    Cm = np.ascontiguousarray(C, dtype="float64") if use_c else np.zeros((1, 1))
    out = np.empty((X.shape[0], plan.n_out))
    core = plan.core.astype("float64") if plan.alliance else np.zeros(k)
    order = np.argsort(plan.col_node, kind="stable")
    order = order[plan.col_node[order] >= 0].astype(np.int64)  # columns grouped by node
    nptr = np.searchsorted(plan.col_node[order], np.arange(len(plan.node_names) + 1)).astype(np.int64)
    _kernel(X, Cm, use_c, np.ascontiguousarray(logm), np.asarray(wlo, float), np.asarray(whi, float),
            np.asarray(lo, float), np.asarray(sc, float), clip, order, nptr,
            plan.col_w.astype("float64"), core,
            np.array([_CODES[a] for a in plan.node_agg], dtype=np.int64), plan.node_p.astype("float64"),
            plan.node_grp.astype(np.int64), plan.node_gw.astype("float64"),
            np.array([_CODES[a] for a in plan.grp_agg], dtype=np.int64), plan.grp_p.astype("float64"),
            float(plan.eps), bool(plan.alliance), plan.coop_dom.astype(np.int64), float(plan.alpha), out)
    return out


def run(V: np.ndarray, C: np.ndarray | None, plan: Plan, *, backend: str = "auto", groups=None) -> np.ndarray:
    """Dispatch to a back end (``"auto"``, ``"numpy"`` or ``"numba"``)."""
    if backend not in ("auto", "numpy", "numba"):
        from ..errors import suggest

        raise MethodError(f"Unknown backend {backend!r}.{suggest(str(backend), ('auto', 'numpy', 'numba'))}"
                          " Choose auto, numpy or numba.")
    if backend == "numba" or (backend == "auto" and numba_applicable(plan) and V.size >= NUMBA_MIN_CELLS):
        return run_numba(V, C, plan)
    return run_numpy(V, C, plan, groups=groups)
