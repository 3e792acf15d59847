"""Treatment and normalisation of indicators.

Treatment (before normalisation)
--------------------------------
* ``log1p`` per catalog: indicators whose catalog ``transform`` is ``log1p``
  (money, event counts) are replaced by :math:`\\log(1+x)`; their goalposts are
  transformed the same way.
* winsorisation (optional): values are clipped to per-indicator quantiles
  learned on the fitting data (e.g. ``(0.01, 0.99)``), after ``log1p``.

Normalisation methods (:data:`NORMALISERS`)
-------------------------------------------
Each method is a pair of functions sharing one signature, so methods are
swapped by name (SALib style)::

    params = NORMALISERS[name].fit(X, *, goal_lo, goal_hi, reference)
    Z = NORMALISERS[name].apply(X, params)

The two stages let an estimator learn its bounds in ``fit`` and apply them
to new data in ``transform`` (a deviation from a one-call ``f(X, lo, hi)``:
within-sample methods must not re-learn their bounds on new data).
:func:`normalise` does both in one call. NaN (not observed) stays NaN.

Notes
-----
With :math:`x` an indicator value after treatment:

* ``goalposts`` (default): :math:`z = \\mathrm{clip}((x - lo)/(hi - lo), 0, 1)`
  with the catalog goalposts (UNDP/HDI style); the bounds are fixed, so with the
  default options of :class:`CompositeIndex` a dyad's score never depends on which
  other dyads are in the sample. Options that learn from the sample break this:
  ``winsorise=`` (quantiles learned in fit), data-driven weights
  (``weights="pca"`` or ``"balance"``), ``aggregation="copeland"`` (units ranked
  against each other), and the sample-based normalisations below
  (``minmax``, ``zscore``, ``rank``, and ``reference`` without goalposts);
* ``minmax``: the same with :math:`lo, hi` = the fitting sample's min and max
  (clipped to [0, 1] for new data outside them);
* ``zscore``: :math:`z = (x - \\bar x)/s` (sample mean and standard deviation,
  ``ddof=1``); with ``bounded=True`` (used inside :class:`CompositeIndex`) it is
  mapped to (0, 1) by the standard normal CDF :math:`\\Phi(z)` so that every
  aggregator and the 0–100 scale apply;
* ``rank``: percentile rank against the fitting sample,
  :math:`z = (\\#\\{x_i < x\\} + \\#\\{x_i \\le x\\}) / (2 n)` (mid-rank ECDF, in [0, 1]);
* ``reference``: distance to a reference dyad,
  :math:`z = \\mathrm{clip}((x - lo)/(x_{ref} - lo), 0, 1)` with ``lo`` the catalog
  lower goalpost (the sample minimum when there are no goalposts): the
  reference dyad scores 1 on every indicator where it is above ``lo``; where it
  is not (or is unobserved), the upper goalpost (sample maximum) is used.

All methods are non-decreasing in :math:`x`, so the index stays monotone.

An indicator that is unobserved or constant in the fitting data gives the
sample-based methods no scale (zero range for ``minmax`` and ``reference``,
zero or undefined standard deviation for ``zscore``, a single value for
``rank``): its normalised value is NaN (not observed) in every row, so it drops
out of the aggregation as COINr's ``n_minmax``/``n_zscore`` do for a zero range,
and a :class:`~alliance_index.errors.DataQualityWarning` names it: ``fit``
for a column that is constant there, scoring (``CompositeIndex.transform``)
for a column unobserved in fit whose values are observed in the data scored.
``goalposts`` are fixed and never affected.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Callable, Literal, NamedTuple, Sequence

import numpy as np
from scipy.special import ndtr

from ..errors import DataQualityWarning, MethodError
from .aggregate import check_method

NormalisationName = Literal["goalposts", "minmax", "zscore", "rank", "reference"]


class Normaliser(NamedTuple):
    """A normalisation method: ``fit`` learns parameters, ``apply`` uses them."""

    fit: Callable[..., dict]
    apply: Callable[[np.ndarray, dict], np.ndarray]
    affine: bool  #: apply is clip((x - lo) * scale, 0, 1) with params lo, hi


# --------------------------------------------------------------------------- treatment

def log1p_columns(X: np.ndarray, mask) -> np.ndarray:
    """Return a copy of ``X`` with ``log1p`` applied to the columns where ``mask`` is True."""
    X = np.array(X, dtype="float64", copy=True)
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        sub = X[:, mask]
        with np.errstate(invalid="ignore"):
            if (sub[~np.isnan(sub)] <= -1).any():
                raise MethodError("log1p treatment needs values > -1; found smaller values.")
        X[:, mask] = np.log1p(sub)
    return X


def fit_winsor(X: np.ndarray, limits: tuple[float, float] | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-column quantile limits ``(q_lo, q_hi)`` for winsorisation (``None`` → ±inf)."""
    k = X.shape[1]
    if limits is None:
        return np.full(k, -np.inf), np.full(k, np.inf)
    try:
        ql, qh = (float(q) for q in limits)
    except (TypeError, ValueError):
        raise MethodError(f"winsorise must be a pair of quantiles like (0.01, 0.99), got {limits!r}.") from None
    if not (0.0 <= ql < qh <= 1.0):
        raise MethodError(f"winsorise quantiles must satisfy 0 <= lo < hi <= 1, got {limits!r}.")
    lo = np.full(k, -np.inf)
    hi = np.full(k, np.inf)
    has = (~np.isnan(X)).any(axis=0)
    if has.any():
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q = np.nanquantile(X[:, has], [ql, qh], axis=0)
        lo[has], hi[has] = q[0], q[1]
    return lo, hi


def winsorise(X: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Clip each column to ``[lo, hi]`` (NaN stays NaN)."""
    return np.clip(X, lo, hi)


# --------------------------------------------------------------------------- methods

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _user_stacklevel() -> int:
    """``stacklevel`` for a warning raised by the caller of this function that points at the
    first frame outside the package (and outside scikit-learn's wrappers): the user's line."""
    f = sys._getframe(1)
    level = 1
    while f is not None and (f.f_code.co_filename.startswith(_PKG)
                             or f"{os.sep}sklearn{os.sep}" in f.f_code.co_filename):
        f = f.f_back
        level += 1
    return level


def _warn_uninformative(bad: np.ndarray, names: Sequence[str] | None, method: str,
                        observed: np.ndarray) -> None:
    """DataQualityWarning naming the columns observed in the fitting sample (``observed``) but
    constant in it.

    Columns with no observed value in the fitting sample are not named here: whether that
    matters depends on the data scored later (see :func:`warn_unscaled_observed`).
    """
    _warn_columns(np.asarray(bad, dtype=bool) & observed, names, lambda cols, one: (
        f"{method} normalisation: {cols} {'is' if one else 'are'} constant in the fitting data, so "
        f"the fit learns no scale for {'it' if one else 'them'}; {'its' if one else 'their'} normalised "
        "values are NaN (not observed) and drop out of the aggregation. Fit on data where they vary, "
        "drop them, or use goalposts normalisation."))


def _observed_among(cols: np.ndarray, X) -> np.ndarray:
    """The columns of the mask ``cols`` with an observed value in ``X`` (only those columns are read)."""
    out = np.zeros_like(cols)
    if cols.any():
        out[cols] = (~np.isnan(np.asarray(X, dtype="float64")[:, cols])).any(axis=0)
    return out


def _warn_columns(bad: np.ndarray, names: Sequence[str] | None, message) -> None:
    """One DataQualityWarning naming the columns of ``bad`` (``message(shown_names, one)``), at the user's line."""
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    lab = [str(names[i]) for i in idx] if names is not None else [f"column {i}" for i in idx]
    shown = ", ".join(lab[:8]) + (f" … ({len(lab)} in all)" if len(lab) > 8 else "")
    warnings.warn(message(shown, len(lab) == 1), DataQualityWarning, stacklevel=_user_stacklevel())


def no_scale(params: dict) -> np.ndarray:
    """Mask of the columns a fitted sample-based normaliser learned no scale for."""
    if "sorted" in params:
        return np.array([len(c) == 0 or c[0] == c[-1] for c in params["sorted"]], dtype=bool)
    if "sd" in params:
        sd = np.asarray(params["sd"], dtype="float64")
        return ~(np.isfinite(sd) & (sd > 0))
    return ~(np.asarray(params["hi"], dtype="float64") - np.asarray(params["lo"], dtype="float64") > 0)


def warn_unscaled_observed(X: np.ndarray, params: dict, method: str,
                           names: Sequence[str] | None = None) -> None:
    """DataQualityWarning for columns unobserved when the normaliser was fitted but observed in ``X``.

    Their values in ``X`` are not scored (NaN): the fit learned no scale for them.
    Constant columns were named when fitting and are not repeated.
    """
    fitted_obs = params.get("observed_in_fit")
    if fitted_obs is None:
        return
    bad = _observed_among(no_scale(params) & ~np.asarray(fitted_obs, dtype=bool), X)
    _warn_columns(bad, names, lambda cols, one: (
        f"{method} normalisation: {cols} {'was' if one else 'were'} unobserved in the fitting data, "
        f"so the fit learned no scale for {'it' if one else 'them'}; {'its' if one else 'their'} observed "
        "values here are not scored (NaN). Fit on data that include them, or use goalposts normalisation."))


def _affine_apply(X: np.ndarray, params: dict) -> np.ndarray:
    lo, hi = params["lo"], params["hi"]
    rng = hi - lo
    const = ~(rng > 0)
    scale = np.where(const, 0.0, 1.0 / np.where(const, 1.0, rng))
    Z = (np.asarray(X, dtype="float64") - lo) * scale
    Z = np.clip(Z, 0.0, 1.0)
    if const.any():  # no scale learned (unobserved or constant in fit): not observed
        Z[:, const] = np.nan
    return Z


def _fit_goalposts(X, *, goal_lo=None, goal_hi=None, reference=None, names=None) -> dict:
    if goal_lo is None or goal_hi is None:
        raise MethodError(
            "goalposts normalisation needs goalposts: the catalog gives them for dyad panels; for a plain "
            "array pass goalposts=(lo, hi) (arrays, one value per column) or choose normalisation='minmax'."
        )
    lo = np.asarray(goal_lo, dtype="float64").copy()
    hi = np.asarray(goal_hi, dtype="float64").copy()
    bad = ~(np.isfinite(lo) & np.isfinite(hi) & (hi > lo))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise MethodError(f"goalposts of column {i} are ({lo[i]}, {hi[i]}); they must be finite with lo < hi.")
    return {"lo": lo, "hi": hi}


def _observed(X: np.ndarray) -> np.ndarray:
    """Columns with at least one observed value."""
    X = np.asarray(X, dtype="float64")
    return (~np.isnan(X)).any(axis=0) if X.shape[0] else np.zeros(X.shape[1], dtype=bool)


def _colminmax(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype="float64")
    if X.shape[0] == 0:
        k = X.shape[1]
        return np.full(k, np.nan), np.full(k, np.nan)
    return np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)


def _fit_minmax(X, *, goal_lo=None, goal_hi=None, reference=None, names=None) -> dict:
    lo, hi = _colminmax(X)
    obs = _observed(X)
    _warn_uninformative(~(hi - lo > 0), names, "minmax", obs)
    return {"lo": lo, "hi": hi, "observed_in_fit": obs}


def _fit_reference(X, *, goal_lo=None, goal_hi=None, reference=None, names=None) -> dict:
    if reference is None:
        raise MethodError(
            "reference normalisation needs a reference: a dyad id (panels) or one value per indicator "
            "(pass reference=...)."
        )
    mn, mx = _colminmax(X)
    lo = mn if goal_lo is None else np.asarray(goal_lo, dtype="float64")
    top = mx if goal_hi is None else np.asarray(goal_hi, dtype="float64")
    ref = np.asarray(reference, dtype="float64").reshape(-1)
    if ref.shape[0] != np.shape(lo)[0]:
        raise MethodError(f"reference has {ref.shape[0]} values for {np.shape(lo)[0]} indicators.")
    hi = np.where(np.isfinite(ref) & (ref > lo), ref, top)
    lo = np.asarray(lo, dtype="float64")
    obs = _observed(X)
    _warn_uninformative(~(hi - lo > 0), names, "reference", obs)
    return {"lo": lo, "hi": hi, "observed_in_fit": obs}


def _fit_zscore(X, *, goal_lo=None, goal_hi=None, reference=None, bounded: bool = True,
                names=None) -> dict:
    X = np.asarray(X, dtype="float64")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(X, axis=0) if X.shape[0] else np.full(X.shape[1], np.nan)
        sd = np.nanstd(X, axis=0, ddof=1) if X.shape[0] > 1 else np.full(X.shape[1], np.nan)
    obs = _observed(X)
    _warn_uninformative(~(np.isfinite(sd) & (sd > 0)), names, "zscore", obs)
    return {"mean": mean, "sd": sd, "bounded": bounded, "observed_in_fit": obs}


def _apply_zscore(X, params) -> np.ndarray:
    sd = params["sd"]
    ok = np.isfinite(sd) & (sd > 0)
    Z = (np.asarray(X, dtype="float64") - params["mean"]) / np.where(ok, sd, 1.0)
    Z = np.where(ok, Z, np.nan)  # no spread learned (unobserved or constant in fit): not observed
    return ndtr(Z) if params.get("bounded", True) else Z


def _fit_rank(X, *, goal_lo=None, goal_hi=None, reference=None, names=None) -> dict:
    X = np.asarray(X, dtype="float64")
    srt = [np.sort(c[~np.isnan(c)]) for c in X.T]
    obs = _observed(X)
    _warn_uninformative(np.array([len(c) == 0 or c[0] == c[-1] for c in srt], dtype=bool), names, "rank", obs)
    return {"sorted": srt, "observed_in_fit": obs}


def _apply_rank(X, params) -> np.ndarray:
    X = np.asarray(X, dtype="float64")
    Z = np.full(X.shape, np.nan)
    for j, s in enumerate(params["sorted"]):  # loop over columns, vectorised over rows
        col = X[:, j]
        ok = ~np.isnan(col)
        if len(s) == 0 or s[0] == s[-1]:  # unobserved or constant in fit: not observed
            continue
        Z[ok, j] = (np.searchsorted(s, col[ok], "left") + np.searchsorted(s, col[ok], "right")) / (2.0 * len(s))
    return Z


NORMALISERS: dict[str, Normaliser] = {
    "goalposts": Normaliser(_fit_goalposts, _affine_apply, True),
    "minmax": Normaliser(_fit_minmax, _affine_apply, True),
    "zscore": Normaliser(_fit_zscore, _apply_zscore, False),
    "rank": Normaliser(_fit_rank, _apply_rank, False),
    "reference": Normaliser(_fit_reference, _affine_apply, True),
}


def normalise(X, method: NormalisationName = "goalposts", *, goal_lo=None, goal_hi=None,
              reference=None, bounded: bool = True, names: Sequence[str] | None = None) -> np.ndarray:
    """Normalise the columns of ``X`` by the named method, learning its parameters on ``X``.

    Parameters
    ----------
    X : array_like, shape (n, k)
        Treated indicator values; NaN = not observed.
    method : {"goalposts", "minmax", "zscore", "rank", "reference"}
    goal_lo, goal_hi : array_like, shape (k,), optional
        Goalposts (required by ``goalposts``; used as bounds by ``reference``).
    reference : array_like, shape (k,), optional
        The reference unit's values (``reference`` method).
    bounded : bool, default True
        ``zscore`` only: map z to (0, 1) by the normal CDF (False: raw z).
    names : sequence of str, optional
        Column names, used in the warning about columns the data give no scale for.

    Returns
    -------
    ndarray, shape (n, k)
        In [0, 1] (raw z for ``zscore`` with ``bounded=False``); NaN where X is NaN, and in
        every row of a column that is unobserved or constant in ``X`` (``minmax``, ``zscore``,
        ``rank``, and ``reference`` without goalposts).

    Warns
    -----
    DataQualityWarning
        When a column is constant in ``X`` under a sample-based method.

    Examples
    --------
    >>> import numpy as np
    >>> normalise(np.array([[0.0], [5.0], [20.0]]), "goalposts", goal_lo=[0], goal_hi=[10]).ravel().tolist()
    [0.0, 0.5, 1.0]
    """
    check_method(method, NORMALISERS, "normalisation")
    X = np.asarray(X, dtype="float64")
    if X.ndim != 2:
        raise MethodError(f"normalisation needs a 2-D array; got shape {X.shape}.")
    nm = NORMALISERS[method]
    if method == "zscore":
        params = _fit_zscore(X, bounded=bounded, names=names)
    else:
        params = nm.fit(X, goal_lo=goal_lo, goal_hi=goal_hi, reference=reference, names=names)
    return nm.apply(X, params)
