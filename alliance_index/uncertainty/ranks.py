"""Exact per-unit rank percentiles over many weight draws, in bounded memory.

For a linear composite (scores ``X @ w``) with many weight vectors this is the
fast path of the uncertainty analysis: 20,000 dyads × 10,000 draws run in
chunks on one machine or on a Dask cluster.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import MethodError

__all__ = ["rank_percentiles", "draw_ranks"]


def _rank_dtype(n: int) -> np.dtype:
    return np.dtype(np.uint16) if n <= np.iinfo(np.uint16).max else np.dtype(np.uint32)


def _unique_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Distinct rows of ``X``, the map back and their counts (None, None when all rows differ)."""
    U, inv, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    if len(U) == len(X):
        return X, None, None
    return np.ascontiguousarray(U), inv.reshape(-1), counts


def _ranks(U: np.ndarray, inv: np.ndarray | None, counts: np.ndarray | None, W: np.ndarray) -> np.ndarray:
    """Min-ranks (1 = highest score) of the units ``U[inv]`` under each row of ``W``.

    ``U`` holds the distinct rows, ``counts`` how many units share each (``inv``
    and ``counts`` None: every unit is its own row). Identical units are scored
    once, so they tie exactly: the matrix product's floating-point result for a
    row can depend on the row's position (BLAS kernels), which would otherwise
    split them.
    """
    S = W @ U.T  # (c, u), rows contiguous
    c, u = S.shape
    n = u if inv is None else len(inv)
    dt = _rank_dtype(n)
    order = np.argsort(S, axis=1)  # ascending: the last position holds the highest score
    S.sort(axis=1)  # in place (S is ours and not needed unsorted): the values S[order], by a SIMD
    srt = S         # sort, cheaper than gathering them; np.sort would first copy the whole chunk
    ranks = np.empty((c, u), dtype=dt)
    if counts is None:
        tied = srt[:, 1:] == srt[:, :-1]  # positions p and p + 1 hold equal scores
        del srt
        seq = np.arange(u, 0, -1, dtype=dt)  # rank u for the lowest score ... 1 for the highest
        for d in range(c):  # one scatter per draw (cheaper than put_along_axis's index arrays)
            ranks[d, order[d]] = seq
        rows = np.flatnonzero(tied.any(axis=1))
        if rows.size == 0:
            return ranks
        # draws with ties: every member of a run of equal scores gets the rank of the run's last position
        end = np.ones((rows.size, u), dtype=bool)
        np.logical_not(tied[rows], out=end[:, :-1])
        last = np.where(end, np.arange(u, dtype=dt), dt.type(u))
        vals = (u - np.minimum.accumulate(last[:, ::-1], axis=1)[:, ::-1]).astype(dt, copy=False)
        for i, d in enumerate(rows):
            ranks[d, order[d]] = vals[i]
        return ranks
    # with repeated rows: cum[p] = units scoring <= the score at position p; rank = n + 1 - cum at the run's end
    end = np.ones((c, u), dtype=bool)
    np.not_equal(srt[:, 1:], srt[:, :-1], out=end[:, :-1])
    del srt
    it = np.int32 if n < np.iinfo(np.int32).max else np.int64
    cum = np.cumsum(np.take(counts.astype(it), order), axis=1, dtype=it)
    cum[~end] = n
    del end
    cum = np.minimum.accumulate(cum[:, ::-1], axis=1)[:, ::-1]
    vals = np.subtract(n + 1, cum, dtype=it).astype(dt, copy=False)
    for d in range(c):
        ranks[d, order[d]] = vals[d]
    return np.take(ranks, inv, axis=1)


def draw_ranks(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Ranks of the rows of ``X`` under each weight vector of ``W``.

    Returns an array ``(n_draws, n_units)`` (uint16 when ``n_units <= 65535``):
    rank 1 = highest score ``X @ w``; ties share the lowest rank (``"min"``,
    as in :func:`~alliance_index.uncertainty.rank_within_year` and
    :func:`monte_carlo`), so the ranks do not depend on the order of the rows.

    Notes
    -----
    :math:`r_{id} = 1 + \\#\\{j : s_{jd} > s_{id}\\}` with :math:`s_d = X w_d`,
    computed per draw from one argsort of the scores: position :math:`p` of
    the ascending order gets rank :math:`n - p`, and in draws with ties every
    member of a run of equal sorted scores gets the rank of the run's last
    position. Identical rows of ``X`` are scored once (their count carried
    along), so they tie exactly: the matrix product alone can give two
    identical rows scores one ulp apart, depending on where they sit in ``X``.
    """
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    W = np.ascontiguousarray(np.asarray(W, dtype=np.float64))
    _check_finite(X, W)
    return _ranks(*_unique_rows(X), W)


def _check_finite(X: np.ndarray, W: np.ndarray, labels: pd.Index | None = None) -> None:
    if X.ndim != 2 or W.ndim != 2 or X.shape[1] != W.shape[1]:
        raise MethodError(
            f"X {X.shape} and W {W.shape} must be 2-D with the same number of columns (indicators)."
        )
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MethodError(
            f"X has non-finite values in row {labels[i] if labels is not None else i!r} "
            f"({int(bad.sum())} rows): impute or drop them first."
        )
    if not np.isfinite(W).all():
        raise MethodError(f"W has non-finite weights in draw {int(np.flatnonzero(~np.isfinite(W).all(axis=1))[0])}.")


def rank_percentiles(
    X: np.ndarray | pd.DataFrame,
    W: np.ndarray | pd.DataFrame,
    percentiles: Sequence[float] = (5, 50, 95),
    *,
    chunk_size: int | None = None,
    memory_budget: float = 1.0e9,
    client: Any = None,
) -> pd.DataFrame:
    """Per-unit percentiles of the rank over weight draws, chunked over draws.

    Parameters
    ----------
    X : array or DataFrame, shape (n_units, k)
        Normalised indicators (finite). Row labels are kept when a DataFrame.
    W : array or DataFrame, shape (n_draws, k)
        One weight vector per row (columns matched by name when both are DataFrames).
    percentiles : sequence of float, default (5, 50, 95)
    chunk_size : int, optional
        Draws per chunk (default: as many as fit ``memory_budget / 8`` of
        temporaries, about 500 for 20,000 units).
    memory_budget : float, default 1e9
        Bytes the computation may use beyond its inputs: the rank store
        (``n_draws × n_units`` × 2 bytes) plus chunk temporaries. A budget
        below the rank store is an error (use fewer draws per call).
    client : dask.distributed.Client, optional
        Compute chunks of draws on the cluster; identical results.

    Returns
    -------
    DataFrame
        Rows = units; columns ``rank_p5``, ``rank_p50``, ``rank_p95`` (per
        ``percentiles``), ``rank_mean``, ``rank_min``, ``rank_max``.

    Notes
    -----
    For draw :math:`d`, scores :math:`s_d = X w_d` and ranks :math:`r_{id} =
    1 + \\#\\{j : s_{jd} > s_{id}\\}` (1 = highest score; ties share the
    lowest rank, as in :func:`monte_carlo`, so the result does not depend on
    the order of the rows; see :func:`draw_ranks`).
    Ranks of every draw are kept as unsigned 16-bit integers (20,000 × 10,000
    draws = 400 MB), filled one chunk of draws at a time; the percentiles are
    then exact (numpy's default linear interpolation between order
    statistics), computed over blocks of units, each transposed and
    radix-sorted (numpy's stable sort of 16-bit integers). Peak memory ≈ rank store + one chunk of
    scores (8 bytes), argsort indices (8 bytes), sorted scores (8 bytes) and
    ranks, + one block of units for the percentile step.
    """
    if isinstance(X, pd.DataFrame) and isinstance(W, pd.DataFrame):
        missing = [c for c in X.columns if c not in W.columns]
        if missing:
            raise MethodError(f"W has no column for indicator '{missing[0]}' of X.")
        W = W[list(X.columns)]
    labels = X.index if isinstance(X, pd.DataFrame) else pd.RangeIndex(np.shape(X)[0], name="unit")
    Xa = np.ascontiguousarray(np.asarray(X, dtype=np.float64))
    Wa = np.ascontiguousarray(np.asarray(W, dtype=np.float64))
    _check_finite(Xa, Wa, labels)
    q = np.asarray(percentiles, dtype=float)
    if q.size == 0 or ((q < 0) | (q > 100)).any():
        raise MethodError(f"percentiles={list(percentiles)!r} must lie in [0, 100].")
    n, D = Xa.shape[0], Wa.shape[0]
    dt = _rank_dtype(n)
    store = n * D * dt.itemsize
    if store > memory_budget:
        raise MethodError(
            f"memory_budget={memory_budget:.3g} bytes is below the rank store of {store:.3g} bytes "
            f"({D} draws × {n} units): raise the budget or split the draws."
        )
    spare = memory_budget - store
    if chunk_size is None:
        per_draw = n * (8 + 8 + 8 + 2 + 3 * dt.itemsize)  # scores, argsort, sorted scores, tie flags, ranks
        chunk_size = int(max(1, min(D, (spare / 2) // per_draw)))
    U, inv, counts = _unique_rows(Xa)  # once, not per chunk
    ranks = np.empty((D, n), dtype=dt)
    slices = [slice(i, min(D, i + chunk_size)) for i in range(0, D, chunk_size)]
    if client is None:
        for s in slices:
            ranks[s] = _ranks(U, inv, counts, Wa[s])
    else:
        [uf, invf, cf] = client.scatter([U, inv, counts], broadcast=True)
        futs = [client.submit(_ranks, uf, invf, cf, Wa[s], pure=False) for s in slices]
        for s, fut in zip(slices, futs):
            ranks[s] = fut.result()
            fut.release()
    # percentiles over blocks of units: transpose a block to (b, D), radix-sort it (uint16/uint32,
    # kind="stable"), read the order statistics and interpolate linearly (numpy's default method)
    b = int(max(1, min(n, (spare / 2) // (D * 2 * dt.itemsize))))
    h = (D - 1) * q / 100.0
    k0 = np.floor(h).astype(np.int64)
    k1 = np.minimum(k0 + 1, D - 1)
    frac = h - k0
    out = np.empty((n, q.size + 3))
    for j in range(0, n, b):
        blk = np.sort(np.ascontiguousarray(ranks[:, j: j + b].T), axis=1, kind="stable")  # (b, D)
        lo = blk[:, k0].astype(np.float64)
        hi = blk[:, k1].astype(np.float64)
        out[j: j + b, : q.size] = lo + (hi - lo) * frac
        out[j: j + b, q.size] = blk.sum(axis=1, dtype=np.int64) / D
        out[j: j + b, q.size + 1] = blk[:, 0]
        out[j: j + b, q.size + 2] = blk[:, -1]
    cols = [f"rank_p{x:g}" for x in q] + ["rank_mean", "rank_min", "rank_max"]
    return pd.DataFrame(out, index=labels, columns=cols)


def lower_bound_pass(X: np.ndarray, W: np.ndarray, chunk_size: int) -> None:
    """The benchmark's lower bound: the product ``X @ W.T`` plus one argsort per draw (same chunks)."""
    D = W.shape[0]
    for i in range(0, D, chunk_size):
        S = W[i: i + chunk_size] @ X.T
        np.argsort(S, axis=1)

