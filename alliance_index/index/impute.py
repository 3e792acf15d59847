"""Imputation of unobserved cells within each dyad's time series.

Methods (:data:`IMPUTERS`, chosen by name; all share one signature)::

    f(V, *, groups, years, max_gap, conf=None) -> (V_filled, imputed_mask, conf_filled)

``V`` is ``(n, k)``, one row per (group, year) in any order; ``groups`` holds
one label per row (the dyad; any sortable labels) and ``years`` one integer year
per row; NaN = not observed. The rows are put in (group, year) order by a
stable sort, imputed, and returned in the input order, so the result does not
depend on the row order. Nothing is ever
filled across two dyads, and nothing is extrapolated before a dyad's first
or after its last observation of an indicator (except ``locf``, which by
definition carries the last value forward).

Notes
-----
* ``none`` (default): nothing is filled.
* ``linear``: within-dyad linear interpolation in the year,
  :math:`v_t = v_a + (v_b - v_a)(t - a)/(b - a)` between the nearest observed
  years :math:`a < t < b`, when the run of missing years :math:`b - a - 1`
  is at most ``max_gap`` (``None`` = no limit). Evidence factor of the filled
  cell: the smaller of the two endpoints' factors.
* ``locf``: last observation carried forward, :math:`v_t = v_a` for the last
  observed year :math:`a < t` with :math:`t - a \\le` ``max_gap``; the filled
  cell keeps the endpoint's evidence factor.

Imputed cells are flagged (``imputed_mask``); ``coverage`` still counts only
cells that were actually observed, and the number of imputed cells is
reported next to it.
"""
from __future__ import annotations

from typing import Callable, Literal

import numpy as np

from ..errors import MethodError
from .aggregate import check_method

ImputationName = Literal["none", "linear", "locf"]


def _neighbours(V: np.ndarray, groups: np.ndarray):
    n = V.shape[0]
    obs = ~np.isnan(V)
    rows = np.arange(n)[:, None]
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1] if n else np.zeros(0, dtype=np.int64)
    ends = np.r_[starts[1:] - 1, n - 1] if n else np.zeros(0, dtype=np.int64)
    gid = np.cumsum(np.r_[0, np.diff(groups) != 0]) if n else np.zeros(0, dtype=np.int64)
    gstart = starts[gid][:, None]
    gend = ends[gid][:, None]
    prev = np.maximum.accumulate(np.where(obs, rows, -1), axis=0)
    nxt = np.minimum.accumulate(np.where(obs, rows, n)[::-1], axis=0)[::-1]
    has_prev = prev >= gstart
    has_next = nxt <= gend
    return obs, prev, nxt, has_prev, has_next


def _check(V, groups, years, max_gap):
    """Validate and sort: return ``V``, group codes and years in (group, year) order, and the order.

    ``order`` is the stable argsort of the rows by (group, year): row ``i`` of the sorted
    arrays is input row ``order[i]``; results are scattered back with ``out[order] = sorted``.
    """
    V = np.asarray(V, dtype="float64")
    groups = np.asarray(groups)
    years = np.asarray(years)
    if V.ndim != 2 or groups.ndim != 1 or years.ndim != 1 \
            or groups.shape[0] != V.shape[0] or years.shape[0] != V.shape[0]:
        raise MethodError("imputation needs a 2-D array with one group label and one year per row.")
    try:
        yf = years.astype("float64")
    except (TypeError, ValueError):
        raise MethodError("imputation needs integer years; the years given are not numbers.") from None
    if not (np.isfinite(yf).all() and np.all(yf == np.round(yf))):
        i = int(np.flatnonzero(~(np.isfinite(yf) & (yf == np.round(yf))))[0])
        raise MethodError(f"imputation needs integer years; row {i} has year {years[i]!r}.")
    years = yf.astype("int64")
    if max_gap is not None and (not np.isfinite(max_gap) or max_gap < 0):
        raise MethodError(f"max_gap must be None or a number >= 0, got {max_gap!r}.")
    labels, g = np.unique(groups, return_inverse=True)
    g = g.ravel().astype(np.int64)
    order = np.lexsort((years, g))  # stable: by group code, then year
    gs, ys = g[order], years[order]
    dup = (np.diff(gs) == 0) & (np.diff(ys) == 0)
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise MethodError(
            f"imputation needs one row per dyad-year; group {labels[gs[i]].item()!r} has year {int(ys[i])} "
            f"more than once (rows {int(order[i])} and {int(order[i + 1])}). Drop or aggregate the duplicates."
        )
    return V[order], gs, ys, order


def _scatter(order: np.ndarray, *arrays):
    """Put arrays computed in sorted order back into the input row order (None passes through)."""
    out = []
    for a in arrays:
        if a is None:
            out.append(None)
            continue
        b = np.empty_like(a)
        b[order] = a
        out.append(b)
    return tuple(out)


def impute_none(V, *, groups=None, years=None, max_gap=None, conf=None):
    """No imputation: returns ``V``, an all-False mask and ``conf`` unchanged."""
    V = np.asarray(V, dtype="float64")
    return V, np.zeros(V.shape, dtype=bool), conf


def impute_locf(V, *, groups, years, max_gap: float | None = 3, conf=None):
    """Last observation carried forward within each dyad, at most ``max_gap`` years."""
    V, groups, years, order = _check(V, groups, years, max_gap)
    if V.shape[0] == 0:
        return V, np.zeros(V.shape, dtype=bool), conf
    if conf is not None:
        conf = np.asarray(conf, dtype="float64")[order]
    obs, prev, _, has_prev, _ = _neighbours(V, groups)
    pc = np.clip(prev, 0, None)
    gap = years[:, None] - years[pc]
    fill = ~obs & has_prev
    if max_gap is not None:
        fill &= gap <= max_gap
    cols = np.broadcast_to(np.arange(V.shape[1]), V.shape)
    out = np.where(fill, V[pc, cols], V)
    c_out = None if conf is None else np.where(fill, conf[pc, cols], conf)
    return _scatter(order, out, fill, c_out)


def impute_linear(V, *, groups, years, max_gap: float | None = 3, conf=None):
    """Linear interpolation in the year between observed neighbours of the same dyad."""
    V, groups, years, order = _check(V, groups, years, max_gap)
    if V.shape[0] == 0:
        return V, np.zeros(V.shape, dtype=bool), conf
    if conf is not None:
        conf = np.asarray(conf, dtype="float64")[order]
    obs, prev, nxt, has_prev, has_next = _neighbours(V, groups)
    n = V.shape[0]
    pc = np.clip(prev, 0, n - 1)
    nc = np.clip(nxt, 0, n - 1)
    ya, yb = years[pc], years[nc]
    fill = ~obs & has_prev & has_next
    if max_gap is not None:
        fill &= (yb - ya - 1) <= max_gap
    cols = np.broadcast_to(np.arange(V.shape[1]), V.shape)
    va, vb = V[pc, cols], V[nc, cols]
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (years[:, None] - ya) / np.where(yb > ya, yb - ya, 1)
        val = va + (vb - va) * t
    out = np.where(fill, val, V)
    c_out = None if conf is None else np.where(fill, np.fmin(conf[pc, cols], conf[nc, cols]), conf)
    return _scatter(order, out, fill, c_out)


IMPUTERS: dict[str, Callable] = {"none": impute_none, "linear": impute_linear, "locf": impute_locf}


def impute(V, method: ImputationName = "none", *, groups=None, years=None, max_gap: float | None = 3, conf=None):
    """Impute by the named method. See the module Notes for the formulas.

    Examples
    --------
    >>> import numpy as np
    >>> V = np.array([[1.0], [np.nan], [3.0], [np.nan]])
    >>> out, flag, _ = impute(V, "linear", groups=[0, 0, 0, 1], years=[2000, 2001, 2002, 2000])
    >>> out.ravel().tolist(), flag.ravel().tolist()
    ([1.0, 2.0, 3.0, nan], [False, True, False, False])
    """
    check_method(method, IMPUTERS, "imputation")
    if method == "none":
        return impute_none(V, conf=conf)
    if groups is None or years is None:
        raise MethodError(
            f"imputation {method!r} needs the dyad and year of each row: pass a Panel or a DataFrame indexed "
            "by (dyad, year), or use imputation='none'."
        )
    return IMPUTERS[method](V, groups=groups, years=years, max_gap=max_gap, conf=conf)
