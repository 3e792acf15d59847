"""Foreign-policy similarity: S, Cohen's kappa, Scott's pi and Kendall's tau-b.

Two kinds of entry points share one set of formulas:

* scalar functions for one pair of profiles — :func:`s_score`, :func:`kappa`,
  :func:`scott_pi`, :func:`tau_b`;
* matrix functions over every pair of rows of a states × items matrix (all
  dyads of a year at once, vectorised with matrix products) —
  :func:`pairwise_similarity`, :func:`pairwise_tau_b`, :func:`pairwise_agreement`.

Profiles are ordinal codes (ATOP-style alliance ties 0–3, or UN votes
``no = 0, abstain = 0.5, yes = 1``); ``NaN`` marks an item a state did not
take part in (not a member, absent from a vote). Items are compared only where
both states are observed.

References
----------
Signorino, C. S. and Ritter, J. M. (1999). Tau-b or not tau-b: measuring the
similarity of foreign policy positions. *International Studies Quarterly* 43(1).

Häge, F. M. (2011). Choice or circumstance? Adjusting measures of foreign
policy similarity for chance agreement. *Political Analysis* 19(3).
"""
from __future__ import annotations

from typing import Literal

import numpy as np

from .errors import MethodError

__all__ = [
    "s_score",
    "kappa",
    "scott_pi",
    "tau_b",
    "pairwise_similarity",
    "pairwise_tau_b",
    "pairwise_agreement",
    "UNGA_VOTE_CODES",
]

Distance = Literal["absolute", "squared"]
Measure = Literal["s", "kappa", "pi"]

#: Codes for UN votes in :func:`pairwise_agreement` (contract §4: abstain vs yes/no is half agreement).
UNGA_VOTE_CODES = {"yes": 1.0, "abstain": 0.5, "no": 0.0}

_MEASURES = ("s", "kappa", "pi")
_DISTANCES = ("absolute", "squared")
_MAX_CATEGORIES = 64


def _check_option(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        from .errors import suggest

        raise MethodError(
            f"unknown {what} {value!r}; choose one of {', '.join(allowed)}.{suggest(value, allowed)}"
        )
    return value


def _as_matrix(X, name: str = "X") -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise MethodError(f"{name} must be a 2-D states × items matrix, got {X.ndim} dimension(s)")
    if np.isinf(X).any():
        raise MethodError(f"{name} contains infinite values; use NaN for 'not observed'")
    return X


def _categories(X: np.ndarray, categories) -> np.ndarray:
    if categories is None:
        cats = np.unique(X[~np.isnan(X)])
    else:
        cats = np.unique(np.asarray(categories, dtype=float))
        obs = X[~np.isnan(X)]
        bad = ~np.isin(obs, cats)
        if bad.any():
            raise MethodError(
                f"{int(bad.sum())} value(s) are not among the given categories {cats.tolist()} "
                f"(first: {obs[bad][0]!r}); add them to `categories` or recode the data"
            )
    if cats.size > _MAX_CATEGORIES:
        raise MethodError(
            f"{cats.size} distinct values: the similarity measures expect ordinal codes "
            f"(at most {_MAX_CATEGORIES} categories); bin continuous data first"
        )
    return cats


def _weights(weights, k: int) -> np.ndarray:
    if weights is None:
        return np.ones(k)
    w = np.asarray(weights, dtype=float)
    if w.shape != (k,):
        raise MethodError(f"weights must have one entry per item ({k}), got shape {w.shape}")
    if np.isnan(w).any() or (w < 0).any():
        raise MethodError("weights must be non-negative numbers (no NaN)")
    return w


def _delta(cats: np.ndarray, distance: str, dmax: float) -> np.ndarray:
    d = np.abs(cats[:, None] - cats[None, :]) / dmax
    if distance == "squared":
        d = d**2
    return d


def pairwise_similarity(
    X,
    weights=None,
    *,
    measure: Measure = "s",
    distance: Distance = "absolute",
    dmax: float | None = None,
    categories=None,
    exclude_pair: bool = False,
) -> np.ndarray:
    """Similarity of every pair of rows of a states × items matrix.

    Parameters
    ----------
    X : array-like, shape (n, k)
        Ordinal codes; NaN where a state is not observed on an item.
    weights : array-like, shape (k,), optional
        Item weights (e.g. capability shares of the third states); equal by default.
    measure : {"s", "kappa", "pi"}
        Signorino–Ritter S, Cohen's kappa or Scott's pi (Häge 2011).
    distance : {"absolute", "squared"}
        Per-item distance ``|a-b|/dmax`` or its square.
    dmax : float, optional
        Largest possible distance; defaults to the range of the categories (pass it
        explicitly when a year may not show the whole scale).
    categories : array-like, optional
        The possible codes (defaults to the values present in ``X``).
    exclude_pair : bool
        For square portfolios (item ``k`` is state ``k``): leave out items ``i`` and
        ``j`` when comparing states ``i`` and ``j``, so their tie with each other and
        with themselves does not count ("ties with third states").

    Returns
    -------
    numpy.ndarray, shape (n, n)
        Symmetric; NaN where two states share no observed item (or, for kappa/pi,
        where the expected disagreement is zero).

    Notes
    -----
    With indicator matrices :math:`E_a = [X = a]` and weights :math:`w`, the
    weighted joint counts of every pair are :math:`C_{ab} = E_a \\operatorname{diag}(w) E_b^T`.
    Then

    .. math::

        D_o = \\frac{\\sum_{ab} \\delta_{ab} C_{ab}}{\\sum_{ab} C_{ab}},\\qquad
        S = 1 - 2 D_o,\\qquad
        \\kappa,\\pi = 1 - D_o / D_e,

    with :math:`D_e = \\sum_{ab} p_a q_b \\delta_{ab}`, :math:`p_a = \\sum_b C_{ab}/\\sum C`,
    :math:`q_b = \\sum_a C_{ab}/\\sum C` (kappa) or both equal to :math:`(p+q)/2` (pi).
    Only items observed for both states enter. The sums are formed with matrix
    products, no loop over dyads: for absolute distances
    :math:`|a-b| = \\sum_t g_t\\,|[a>c_t]-[b>c_t]|` over the thresholds :math:`c_t`
    between adjacent categories (gaps :math:`g_t`), so
    :math:`\\sum_k w_k\\delta_k = \\sum_t g_t (A_t + A_t^T - 2B_t)/d_{max}` with
    :math:`A_t = G_t W M^T`, :math:`B_t = G_t W G_t^T`,
    :math:`G_t = [X > c_t] \\odot M` (0 where a cell is missing, whatever the sign of
    :math:`c_t`), :math:`M` the observed mask; for squared distances
    :math:`(x-y)^2 = x^2 + y^2 - 2xy`. Cost :math:`O(c\\,n^2 k)` for :math:`c` categories.

    Examples
    --------
    >>> X = [[3, 0, 0, 3], [0, 3, 1, 3]]
    >>> round(float(pairwise_similarity(X, dmax=3)[0, 1]), 4)
    -0.1667
    """
    _check_option(measure, _MEASURES, "similarity measure")
    _check_option(distance, _DISTANCES, "distance")
    X = _as_matrix(X)
    n, k = X.shape
    if exclude_pair and n != k:
        raise MethodError(
            f"exclude_pair needs a square states × states portfolio, got {n} × {k}"
        )
    w = _weights(weights, k)
    cats = _categories(X, categories)
    if dmax is None:
        dmax = float(cats.max() - cats.min()) if cats.size else 1.0
    if not dmax > 0:
        dmax = 1.0
    obs = ~np.isnan(X)
    M = obs.astype(float)
    Xf = np.where(obs, X, 0.0)
    Mw = M * w
    T = Mw @ M.T  # weighted count of items both observe
    # observed disagreement, summed: matrix products only
    complete = bool(obs.all())
    if distance == "absolute":
        # |a-b| = sum over thresholds t of gap_t * |[a>t] - [b>t]|
        Dsum = np.zeros((n, n))
        for t in range(cats.size - 1):
            G = ((Xf > cats[t]) & obs).astype(float)  # a missing cell is above no threshold
            Gw = G * w
            if complete:  # G W M^T is then the row sum, broadcast
                r = Gw.sum(axis=1)
                A = np.broadcast_to(r[:, None], (n, n))
            else:
                A = Gw @ M.T
            B = Gw @ G.T
            Dsum += (cats[t + 1] - cats[t]) / dmax * (A + A.T - 2.0 * B)
    else:
        A = (Xf**2 * w) @ M.T
        B = (Xf * w) @ Xf.T
        Dsum = (A + A.T - 2.0 * B) / dmax**2

    def _d(a, b):
        d = np.abs(a - b) / dmax
        return d**2 if distance == "squared" else d

    if exclude_pair:
        dg = np.diagonal(Xf)
        wd = w * np.diagonal(M)  # w_i [X_ii observed]
        T1 = wd[:, None] * M.T  # item i for pair (i, j)
        T2 = M * wd[None, :]  # item j
        T = T - T1 - T2
        Dsum = Dsum - T1 * _d(dg[:, None], Xf.T) - T2 * _d(Xf, dg[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        Do = Dsum / T
        if measure == "s":
            out = 1.0 - 2.0 * Do
        else:
            delta = _delta(cats, distance, dmax)
            P = np.empty((cats.size, n, n))
            for ia, a in enumerate(cats):
                Ea = ((Xf == a) & obs).astype(float)
                Pa = (Ea * w) @ M.T
                if exclude_pair:
                    Pa -= (wd * np.diagonal(Ea))[:, None] * M.T + Ea * wd[None, :]
                P[ia] = Pa
            p = P / T  # row state's distribution over the items both observe
            q = np.transpose(P, (0, 2, 1)) / T  # column state's distribution
            if measure == "pi":
                p = q = (p + q) / 2.0
            De = np.einsum("aij,bij,ab->ij", p, q, delta)
            out = 1.0 - Do / De
            out[~(De > 1e-12)] = np.nan
    out[~(T > 1e-12)] = np.nan
    if measure == "s":
        out = np.clip(out, -1.0, 1.0)
    if exclude_pair:
        np.fill_diagonal(out, np.nan)
    return out


def pairwise_agreement(V) -> np.ndarray:
    """UN General Assembly agreement of every pair of states (contract §4).

    Parameters
    ----------
    V : array-like, shape (n, k)
        Votes coded ``yes = 1``, ``abstain = 0.5``, ``no = 0`` (:data:`UNGA_VOTE_CODES`),
        NaN for absent / not a member.

    Returns
    -------
    numpy.ndarray, shape (n, n)
        Share of the roll calls on which both voted that they voted alike, with
        abstain against yes or no counting as half agreement; NaN where they share
        no roll call.

    Notes
    -----
    :math:`A_{ij} = 1 - D_o` with absolute distance and ``dmax = 1``:
    identical votes score 1, yes/no 0, abstain vs yes or no 0.5. Roll calls where
    either state is absent or not a member are left out (not counted as
    disagreement).

    Examples
    --------
    >>> V = [[1, 1, 0.5, 0], [1, 0, 0, float("nan")]]
    >>> round(float(pairwise_agreement(V)[0, 1]), 4)
    0.5
    """
    V = _as_matrix(V, "V")
    D = pairwise_similarity(V, measure="s", distance="absolute", dmax=1.0,
                            categories=[0.0, 0.5, 1.0])
    return (D + 1.0) / 2.0  # S = 1 - 2 Do  ->  1 - Do


def _pair(x, y) -> np.ndarray:
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise MethodError(f"the two profiles differ in length ({x.size} vs {y.size})")
    return np.vstack([x, y])


def s_score(x, y, weights=None, *, distance: Distance = "absolute",
            dmax: float | None = None, categories=None) -> float:
    """Signorino–Ritter S of two profiles: :math:`S = 1 - 2\\sum_k w_k\\delta_k / \\sum_k w_k`.

    Parameters
    ----------
    x, y : array-like, shape (k,)
        Ordinal codes of the two states' ties (NaN = not observed; such items are skipped).
    weights : array-like, optional
        Item weights (capability shares for the weighted S).
    distance : {"absolute", "squared"}
        :math:`\\delta_k = |x_k - y_k| / d_{max}` or its square.
    dmax : float, optional
        Largest possible distance (default: range of observed codes).
    categories : array-like, optional
        Possible codes.

    Returns
    -------
    float in [-1, 1]

    Examples
    --------
    >>> round(s_score([3, 0, 1], [3, 1, 1], dmax=3), 4)
    0.7778
    """
    return float(pairwise_similarity(_pair(x, y), weights, measure="s", distance=distance,
                                     dmax=dmax, categories=categories)[0, 1])


def kappa(x, y, weights=None, *, distance: Distance = "absolute",
          dmax: float | None = None, categories=None) -> float:
    """Cohen's kappa for two profiles (Häge 2011): :math:`1 - D_o / D_e`.

    :math:`D_e = \\sum_a\\sum_b p_a q_b\\,\\delta(a,b)` with :math:`p`, :math:`q` the two states'
    own (weighted) distributions over the codes. See :func:`pairwise_similarity`.

    Examples
    --------
    >>> round(kappa([1, 0, 0, 1], [1, 1, 0, 0]), 4)
    0.0
    """
    return float(pairwise_similarity(_pair(x, y), weights, measure="kappa", distance=distance,
                                     dmax=dmax, categories=categories)[0, 1])


def scott_pi(x, y, weights=None, *, distance: Distance = "absolute",
             dmax: float | None = None, categories=None) -> float:
    """Scott's pi for two profiles (Häge 2011): like :func:`kappa` with both
    distributions replaced by their average.

    Examples
    --------
    >>> round(scott_pi([1, 0, 0, 1], [1, 1, 0, 0]), 4)
    0.0
    """
    return float(pairwise_similarity(_pair(x, y), weights, measure="pi", distance=distance,
                                     dmax=dmax, categories=categories)[0, 1])


def tau_b(x, y) -> float:
    """Kendall's tau-b of two profiles (items where either is NaN are skipped).

    Notes
    -----
    :math:`\\tau_b = (n_c - n_d) / \\sqrt{(n_0 - n_1)(n_0 - n_2)}`; computed as
    :math:`\\sum_{k<l}\\operatorname{sgn}(x_k-x_l)\\operatorname{sgn}(y_k-y_l)` over the
    square root of the products of untied pairs.

    Examples
    --------
    >>> round(tau_b([1, 2, 3], [1, 3, 2]), 4)
    0.3333
    """
    P = _pair(x, y)
    P = P[:, ~np.isnan(P).any(axis=0)]
    return float(pairwise_tau_b(P)[0, 1])


def pairwise_tau_b(X) -> np.ndarray:
    """Kendall's tau-b of every pair of rows (no missing values allowed).

    Builds each row's matrix of signs :math:`\\operatorname{sgn}(x_k - x_l)` (``n × k²``
    numbers) and takes one matrix product, so memory grows as :math:`n k^2`.

    Returns
    -------
    numpy.ndarray, shape (n, n); NaN where a row is constant.
    """
    X = _as_matrix(X)
    if np.isnan(X).any():
        raise MethodError(
            "pairwise_tau_b needs complete profiles; drop items with NaN or use tau_b() per pair"
        )
    n, k = X.shape
    iu = np.triu_indices(k, 1)
    Sg = np.sign(X[:, iu[0]] - X[:, iu[1]])  # (n, k(k-1)/2)
    num = Sg @ Sg.T
    untied = np.abs(Sg).sum(axis=1)
    den = np.sqrt(np.outer(untied, untied))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = num / den
    out[den == 0] = np.nan
    return out
