"""Aggregation methods: combine the normalised indicators of one node into one score.

Every aggregator has the same signature (SALib style, chosen by name from
:data:`AGGREGATORS`)::

    f(X, w, *, p=0.5, eps=0.01, groups=None) -> ndarray of shape (n,)

``X`` is an ``(n, k)`` float array whose NaN entries are *not observed*;
``w`` is a ``(k,)`` vector of weights, or an ``(n, k)`` array of per-cell
weights (evidence-confidence weighting). Weights are renormalised over the
observed entries of each row; a row with no observed entry (or whose
observed entries all carry weight 0) gets NaN, never 0.

Notes
-----
With :math:`W_{ij} = w_{ij}\\,[x_{ij}\\ \\text{observed}]` and
:math:`S_i = \\sum_j W_{ij}`:

* arithmetic: :math:`\\sum_j W_{ij} x_{ij} / S_i`;
* geometric ("safe at zero", shifted geometric mean):
  :math:`\\exp\\big(\\sum_j W_{ij}\\log(x_{ij}+\\varepsilon)/S_i\\big)-\\varepsilon`;
* harmonic (shifted): :math:`S_i / \\sum_j W_{ij}/(x_{ij}+\\varepsilon) - \\varepsilon`;
* generalised (shifted power) mean of order ``p``:
  :math:`M_p = (\\sum_j W_{ij}(x_{ij}+\\varepsilon)^p/S_i)^{1/p}-\\varepsilon` for every
  ``p != 0``, and its limit, the shifted geometric mean, for ``p == 0`` (and
  ``|p| < 1e-100``, where the two agree to far below double precision). The one form
  for all ``p`` makes :math:`M_p` continuous and non-decreasing in ``p`` (the
  power-mean inequality for the positive :math:`x+\\varepsilon`), so ``p`` is a
  compensability knob: ``p = 1`` is the arithmetic mean (the shift cancels),
  ``p = 0`` the shifted geometric and ``p = -1`` the shifted harmonic mean, and
  larger ``p`` compensates more. (Up to 0.5.0, ``p > 0`` used the unshifted
  power mean, which jumps at ``p = 0`` and collapses to 0 for small ``p > 0``
  when an input is 0.) Computed as
  :math:`\\exp(\\log1p(\\bar m)/p)-\\varepsilon` with
  :math:`\\bar m = \\sum_j W_{ij}\\,\\mathrm{expm1}(p\\log(x_{ij}+\\varepsilon))/S_i`,
  for ``|p| < 1`` (accurate for ``p`` near 0), the power form itself for ``|p| > 1``;
* copeland: for every pair of units ``(i, l)`` in the same group, the weighted
  outranking margin :math:`d_{il}=\\sum_j w_j\\,\\mathrm{sign}(x_{ij}-x_{lj})` over
  indicators observed for both; the score is :math:`\\sum_l \\mathrm{sign}(d_{il})`
  (wins minus losses), in ``[-(m-1), m-1]``. This is the classical Copeland (1951)
  count, as in the non-compensatory aggregation of the OECD/JRC Handbook (2008,
  after Munda & Nardo), not COINr's ``a_copeland``, which sums the weighted pairwise
  outranking shares (ties 1/2) and gives a pair's unobserved-indicator weight to the
  other unit; here an indicator counts only when both units observe it. The
  estimator maps the count to [0, 1] (:func:`copeland_to_unit`) and, in
  ``transform``, scores every unit against the *fitted* sample of its year
  (:func:`copeland_reference`), so a unit's score does not depend on which other
  units are transformed with it.

Why the shift. A plain geometric (or harmonic) mean is 0 as soon as one
input is 0, so one missing-in-practice activity would erase a whole domain.
Shifting by :math:`\\varepsilon` (default 0.01, i.e. one point on the 0–100
scale) keeps the strong penalty for unbalanced profiles but stays finite.
Each shifted mean is a quasi-arithmetic mean of ``x + eps`` minus ``eps``, so it
lies between the smallest and largest observed input (bounds are kept: inputs
in [0, 1] give a score in [0, 1]), it is strictly increasing in every input,
and it equals ``x`` when all inputs equal ``x``.

Geometric, harmonic and generalised means need non-negative inputs
(use a bounded normalisation); a negative input raises :class:`MethodError`.

Examples
--------
>>> import numpy as np
>>> from alliance_index.index.aggregate import aggregate
>>> X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
>>> aggregate(X, [1, 1], "copeland").tolist()
[-1.0, -1.0, 2.0]
>>> aggregate(np.array([[0.2, np.nan]]), [1, 1], "arithmetic").tolist()
[0.2]
"""
from __future__ import annotations

from typing import Callable, Literal

import numpy as np

from ..errors import MethodError, suggest

AggregationName = Literal["arithmetic", "geometric", "harmonic", "generalised", "copeland"]

#: Default shift of the geometric / harmonic means, on the [0, 1] scale.
EPS: float = 0.01
#: Default order of the generalised mean.
DEFAULT_P: float = 0.5
#: A generalised mean of order ``|p|`` below this is the shifted geometric mean (its ``p -> 0`` limit):
#: the two differ by about ``|p|`` relative, far below double precision, and ``p * log(x + eps)``
#: would be a subnormal number that has lost its precision.
P_ZERO: float = 1e-100


def _prepare(X, w) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype="float64")
    if X.ndim != 2:
        raise MethodError(f"aggregation needs a 2-D array (units x indicators); got shape {X.shape}.")
    w = np.asarray(w, dtype="float64")
    if w.ndim == 1:
        if w.shape[0] != X.shape[1]:
            raise MethodError(f"{w.shape[0]} weights given for {X.shape[1]} indicators; give one weight per indicator.")
        check_weight_vector(w)
        W = np.broadcast_to(w, X.shape)
    elif w.shape == X.shape:
        bad = np.isfinite(w) & (w < 0)
        if bad.any():
            raise MethodError(f"per-cell weights must be >= 0; found {int(bad.sum())} negative value(s).")
        W = w
    else:
        raise MethodError(f"weights of shape {w.shape} do not match the data of shape {X.shape}.")
    obs = ~np.isnan(X)
    W = np.where(obs & ~np.isnan(W), W, 0.0)
    S = W.sum(axis=1)
    return X, W, obs, S


def check_weight_vector(w, names=None, where: str = "") -> None:
    """Raise :class:`MethodError` unless ``w`` is finite, >= 0 and not all zero.

    ``names`` (indicator names) and ``where`` (e.g. ``"node military.cooperation"``)
    make the message name the culprit.
    """
    w = np.asarray(w, dtype="float64")
    loc = f" in {where}" if where else ""
    if w.size == 0:
        raise MethodError(f"no weights{loc}: the node has no indicators.")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        nm = f" for '{names[i]}'" if names is not None else f" at position {i}"
        raise MethodError(
            f"weight {w[i]!r}{nm}{loc} is negative or not finite; weights must be finite numbers >= 0."
        )
    if not (w > 0).any():
        raise MethodError(f"all weights are zero{loc}; give at least one indicator a positive weight.")


def _finish(num: np.ndarray, S: np.ndarray) -> np.ndarray:
    out = np.full(S.shape, np.nan)
    ok = S > 0
    out[ok] = num[ok] / S[ok]
    return out


def _nonneg(X: np.ndarray, obs: np.ndarray, name: str) -> None:
    with np.errstate(invalid="ignore"):
        neg = obs & (X < 0)
    if neg.any():
        raise MethodError(
            f"{name} aggregation needs inputs >= 0 but found {int(neg.sum())} negative value(s); "
            "use a bounded normalisation (goalposts, minmax, rank) or arithmetic aggregation."
        )


def arithmetic(X, w, *, p: float | None = None, eps: float = EPS, groups=None) -> np.ndarray:
    """Weighted arithmetic mean over observed entries (see module Notes)."""
    X, W, obs, S = _prepare(X, w)
    num = (np.where(obs, X, 0.0) * W).sum(axis=1)
    return _finish(num, S)


def geometric(X, w, *, p: float | None = None, eps: float = EPS, groups=None) -> np.ndarray:
    """Shifted weighted geometric mean, safe at zero (see module Notes)."""
    X, W, obs, S = _prepare(X, w)
    _nonneg(X, obs, "geometric")
    L = np.log(np.where(obs, X, 0.0) + eps)
    m = _finish((L * W).sum(axis=1), S)
    return np.maximum(np.exp(m) - eps, 0.0)  # >= 0 despite rounding (inputs are >= 0)


def harmonic(X, w, *, p: float | None = None, eps: float = EPS, groups=None) -> np.ndarray:
    """Shifted weighted harmonic mean, safe at zero (see module Notes)."""
    X, W, obs, S = _prepare(X, w)
    _nonneg(X, obs, "harmonic")
    R = 1.0 / (np.where(obs, X, 0.0) + eps)
    m = _finish((R * W).sum(axis=1), S)
    return np.maximum(1.0 / m - eps, 0.0)


def generalised(X, w, *, p: float | None = DEFAULT_P, eps: float = EPS, groups=None) -> np.ndarray:
    """Weighted shifted generalised (power) mean of order ``p`` (see module Notes).

    ``p == 1`` is :func:`arithmetic` and ``p == 0`` (``|p| <`` :data:`P_ZERO`) :func:`geometric`
    (exactly); for ``|p| < 1`` the mean is computed through ``expm1`` / ``log1p``, so that it
    stays accurate (and continuous) as ``p`` approaches 0.
    """
    p = DEFAULT_P if p is None else float(p)
    if not np.isfinite(p):
        raise MethodError(f"generalised mean: p must be a finite number, got {p!r}.")
    if abs(p) < P_ZERO:
        return geometric(X, w, eps=eps)
    if p == 1:
        return arithmetic(X, w, eps=eps)
    X, W, obs, S = _prepare(X, w)
    _nonneg(X, obs, "generalised")
    Y = np.where(obs, X, 0.0) + eps
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        if abs(p) < 1:  # (x + eps)**p - 1 through expm1 / log1p: accurate as p -> 0
            F = np.expm1(p * np.log(Y))
            m = _finish((np.where(W > 0, F, 0.0) * W).sum(axis=1), S)
            M = np.exp(np.log1p(m) / p)
        else:  # the power form (expm1 / log1p would cancel when every (x + eps)**p is small)
            F = Y ** p
            m = _finish((np.where(W > 0, F, 0.0) * W).sum(axis=1), S)
            M = m ** (1.0 / p)
    return np.maximum(M - eps, 0.0)


def copeland(X, w, *, p: float | None = None, eps: float = EPS, groups=None,
             block: int = 256) -> np.ndarray:
    """Copeland scores (wins minus losses of pairwise weighted-majority contests).

    Units are compared only with units of the same group (``groups``: array of
    labels, e.g. the year; ``None`` = one group), and only on indicators
    observed for both. Rows with no observed indicator get NaN and take part
    in no contest. Cost is quadratic in the group size (blocks of ``block``
    rows bound the memory).
    """
    X, W, obs, S = _prepare(X, w)
    n = X.shape[0]
    out = np.full(n, np.nan)
    if n == 0:
        return out
    wvec = np.asarray(w, dtype="float64")
    per_cell = wvec.ndim == 2
    grp = np.zeros(n, dtype=np.int64) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    valid = S > 0
    for g in np.unique(grp[valid]):  # loop over groups (e.g. years), never over rows
        idx = np.flatnonzero((grp == g) & valid)
        Xg = X[idx]
        Og = obs[idx]
        Wg = W[idx] if per_cell else np.broadcast_to(wvec, Xg.shape)
        score = np.zeros(len(idx))
        for a in range(0, len(idx), block):
            xa = Xg[a:a + block, None, :]
            both = Og[a:a + block, None, :] & Og[None, :, :]
            # weight of an indicator in a contest: mean of the two units' cell weights
            wab = 0.5 * (Wg[a:a + block, None, :] + Wg[None, :, :]) if per_cell else Wg[None, None, 0, :]
            with np.errstate(invalid="ignore"):
                sg = np.sign(xa - Xg[None, :, :])
            margin = np.where(both, sg * wab, 0.0).sum(axis=2)
            score[a:a + block] = np.sign(margin).sum(axis=1)
        out[idx] = score
    return out


def copeland_reference(X, w, Xr, wr, *, groups=None, ref_groups=None, self_idx=None,
                       block: int = 256) -> np.ndarray:
    """Copeland scores of the rows of ``X`` against a fixed reference set ``Xr``, mapped to [0, 1].

    Each row of ``X`` contests every reference row of its group (``groups`` /
    ``ref_groups``: labels such as the year; ``None`` = one group) on the
    indicators observed for both, with the weighted majority rule of
    :func:`copeland`; the reference row ``self_idx[i]`` (``-1`` = none) is the
    row itself and is not an opponent. With :math:`c_i` the wins minus losses and
    :math:`n_i` the number of opponents (reference rows of the group with an
    observed indicator, other than itself), the score is
    :math:`(c_i + n_i) / (2 n_i)`; 0.5 when :math:`n_i = 0`; NaN for a row with no
    observed indicator. For a reference row scored against its own sample this
    is :func:`copeland` followed by :func:`copeland_to_unit`, bit for bit, so a
    fitted estimator reproduces its in-sample scores whatever other rows are
    transformed with it. ``w`` and ``wr`` are ``(k,)`` vectors (the same one) or
    per-cell ``(n, k)`` / ``(n_ref, k)`` arrays.
    """
    X, W, obs, S = _prepare(X, w)
    Xr, Wr, obsr, Sr = _prepare(Xr, wr)
    n, nr = X.shape[0], Xr.shape[0]
    out = np.full(n, np.nan)
    if n == 0:
        return out
    wvec = np.asarray(w, dtype="float64")
    per_cell = wvec.ndim == 2
    if groups is None or ref_groups is None:
        g, gr = np.zeros(n, dtype=np.int64), np.zeros(nr, dtype=np.int64)
    else:
        codes = np.unique(np.concatenate([np.asarray(groups), np.asarray(ref_groups)]), return_inverse=True)[1].ravel()
        g, gr = codes[:n], codes[n:]
    me = np.full(n, -1, dtype=np.int64) if self_idx is None else np.asarray(self_idx, dtype=np.int64)
    valid, validr = S > 0, Sr > 0
    for c in np.unique(g[valid]):  # loop over groups (e.g. years), never over rows
        idx = np.flatnonzero((g == c) & valid)
        ridx = np.flatnonzero((gr == c) & validr)
        Rg, Og = Xr[ridx], obsr[ridx]
        Wg = Wr[ridx] if per_cell else None
        for a in range(0, len(idx), block):
            rows = idx[a:a + block]
            xa = X[rows, None, :]
            both = obs[rows, None, :] & Og[None, :, :]
            wab = 0.5 * (W[rows, None, :] + Wg[None, :, :]) if per_cell else wvec[None, None, :]
            with np.errstate(invalid="ignore"):
                sg = np.sign(xa - Rg[None, :, :])
            margin = np.where(both, sg * wab, 0.0).sum(axis=2)
            is_self = ridx[None, :] == me[rows, None]
            score = np.where(is_self, 0.0, np.sign(margin)).sum(axis=1)
            n_opp = len(ridx) - is_self.any(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[rows] = np.where(n_opp > 0, (score + n_opp) / (2.0 * np.maximum(n_opp, 1)), 0.5)
    return out


AGGREGATORS: dict[str, Callable[..., np.ndarray]] = {
    "arithmetic": arithmetic,
    "geometric": geometric,
    "harmonic": harmonic,
    "generalised": generalised,
    "copeland": copeland,
}

#: Aggregators that are quasi-arithmetic means, f^{-1}(sum w f(x) / sum w): per-row, fusable.
QUASI_ARITHMETIC: tuple[str, ...] = ("arithmetic", "geometric", "harmonic", "generalised")


def check_method(name: str, family: dict, kind: str) -> str:
    """Return ``name`` if it is a key of ``family``, else raise :class:`MethodError` with a suggestion."""
    if not isinstance(name, str) or name not in family:
        hint = suggest(str(name), family) or ""
        raise MethodError(f"Unknown {kind} method {name!r}.{hint} Choose one of: {', '.join(family)}.")
    return name


def aggregate(X, w, method: AggregationName = "arithmetic", *, p: float | None = None,
              eps: float = EPS, groups=None) -> np.ndarray:
    """Aggregate the columns of ``X`` with weights ``w`` by the named method.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Normalised indicators; NaN = not observed.
    w : array_like, shape (k,) or (n, k)
        Weights (>= 0, not all zero).
    method : {"arithmetic", "geometric", "harmonic", "generalised", "copeland"}
    p : float, optional
        Order of the generalised mean (default 0.5).
    eps : float, default 0.01
        Shift of the geometric / harmonic means.
    groups : array_like, optional
        Copeland only: units are compared within groups (e.g. years).

    Returns
    -------
    ndarray, shape (n,)
        NaN where a row has no observed input.
    """
    check_method(method, AGGREGATORS, "aggregation")
    kw = {"eps": eps, "groups": groups}
    if method == "generalised":
        kw["p"] = DEFAULT_P if p is None else p
    return AGGREGATORS[method](X, w, **kw)


def copeland_to_unit(scores: np.ndarray, groups=None) -> np.ndarray:
    """Map Copeland scores to [0, 1]: ``(c + (m - 1)) / (2 (m - 1))``, m = units compared in the group.

    A group with a single comparable unit maps to 0.5.
    """
    c = np.asarray(scores, dtype="float64")
    n = c.shape[0]
    grp = np.zeros(n, dtype=np.int64) if groups is None else np.unique(np.asarray(groups), return_inverse=True)[1].ravel()
    valid = ~np.isnan(c)
    m = np.bincount(grp[valid], minlength=int(grp.max()) + 1 if n else 0)[grp] if n else np.zeros(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(m > 1, (c + (m - 1)) / (2.0 * np.maximum(m - 1, 1)), 0.5)
    return np.where(valid, u, np.nan)
