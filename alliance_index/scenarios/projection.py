"""Projection of one indicator series from its history, with simulated paths.

Every method shares one signature (:func:`project`) and returns a
:class:`Projection`: the mean and median paths and ``n_paths`` simulated paths for the
years after the last observation up to the horizon, on the indicator's own
scale, clipped to its allowed range and rounded to its kind (counts stay
whole and non-negative, ordinals stay whole within their levels, binaries stay
0/1).

Methods
-------
``hold``
    Random walk ("hold the last value"): :math:`y_t = y_{t-1} + \\eta_t`,
    :math:`\\eta_t \\sim N(0, \\sigma^2)`. With observations at years
    :math:`t_1 < \\dots < t_n` (gaps allowed) the increments are independent
    :math:`N(0, g_i\\sigma^2)` with :math:`g_i = t_{i+1} - t_i`, so the MLE is
    :math:`\\hat\\sigma^2 = \\frac{1}{n-1}\\sum_i (y_{t_{i+1}} - y_{t_i})^2 / g_i`.
    This is the closed form of statsmodels' ``UnobservedComponents(level="random walk")``
    fit (same log-likelihood; checked in the tests), used because it is about 1000 times
    faster. The uncertainty of :math:`\\hat\\sigma^2` is carried into the paths: each path
    draws its own :math:`\\sigma^2 = \\hat\\sigma^2 \\nu / \\chi^2_\\nu` with
    :math:`\\nu = n - 1` (the posterior under the prior :math:`p(\\sigma^2) \\propto 1/\\sigma^2`),
    then its normal innovations, so the h-step predictive is the last value plus
    :math:`\\sqrt{h}\\,\\hat\\sigma\\, t_\\nu` (Student t; the plug-in normal with
    variance :math:`h\\hat\\sigma^2` under-covers with 5–16 points).
    For **binary** indicators ``hold`` is instead a two-state Markov chain: the
    yearly probabilities of switching out of 0 and out of 1 are estimated from
    consecutive observed years with a Jeffreys :math:`Beta(1/2, 1/2)` prior and
    drawn per path from their posterior (a random walk rounded to 0/1 would make
    a switch far too likely after one historical change).
``linear``
    Deterministic linear trend by OLS (statsmodels ``OLS``) on the observed
    years. Each path draws :math:`\\sigma^2 = \\hat\\sigma^2 \\nu / \\chi^2_\\nu`
    (:math:`\\nu = n - 2`), then the coefficients from
    :math:`N(\\hat\\beta, \\sigma^2 (X'X)^{-1})` and independent residual noise
    :math:`N(0, \\sigma^2)`. Each year's predictive is then the exact Student-t OLS
    prediction interval, :math:`x_f'\\hat\\beta \\pm t_{n-2}\\,\\hat\\sigma
    \\sqrt{1 + x_f'(X'X)^{-1}x_f}` (statsmodels ``get_prediction(...).conf_int(obs=True)``).
``holt``
    Damped additive trend (statsmodels ``ExponentialSmoothing(trend="add",
    damped_trend=True)``) on the annual series with interior gaps filled by
    linear interpolation; paths from its ``simulate`` (additive normal errors,
    plug-in parameters: no allowance for their estimation uncertainty, so the
    intervals are too narrow for short series; see ``docs/scenarios.md``).
``local_linear``
    Local linear trend state-space model (statsmodels ``UnobservedComponents(
    "local linear trend")``), which handles gaps natively. Paths are drawn
    from the final predicted state :math:`N(a_{T+1}, P_{T+1})` and propagated
    through the fitted system matrices (vectorised over paths); the variances
    are plug-in maximum-likelihood estimates (no allowance for their uncertainty,
    so the intervals are too narrow for short series).
``auto`` (the documented rule)
    1. binary and ordinal indicators -> ``hold`` (they move by discrete
       decisions; a change is a shock, not a trend);
    2. fewer than :data:`MIN_TREND_OBS` observed years -> ``hold`` (too short to estimate a trend);
    3. otherwise ``hold`` vs ``linear`` by rolling-origin one-step-ahead
       forecast error over the last ``min(5, n - 4)`` observations (both refit at
       each origin); ``linear`` is chosen only if its mean absolute error is at
       least :data:`AUTO_MARGIN` (10%) smaller, ties going to the simpler ``hold``.
       ``holt`` and ``local_linear`` are used only when asked for by name: on
       the 5–16 annual points of the bundled panel they cannot be told apart
       from a straight line or a random walk.

Indicators whose catalog transform is ``log1p`` (trade, investment, arms
transfers) are projected on the ``log1p`` scale (growth is multiplicative)
and transformed back. The back-transformed point forecast is then the
predictive *median* (:attr:`Projection.median`), not its mean: the mean of a
back-transformed Student-t predictive does not exist, so
:attr:`Projection.mean` is the mean of the simulated paths and is dominated by
their upper tail.

``linear``, ``holt`` and ``local_linear`` need enough data; with too few points
(``linear``: fewer than 3 observed years; ``holt``: fewer than 5 annual values or a
constant series; ``local_linear``: fewer than 4 observed years or a constant series)
they run ``hold`` instead, and :attr:`Projection.method` says so (the method asked
for is in :attr:`Projection.requested`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ..errors import MethodError, suggest

MIN_TREND_OBS = 6
AUTO_MARGIN = 0.10
METHODS: tuple[str, ...] = ("hold", "linear", "holt", "local_linear", "auto")
Method = Literal["hold", "linear", "holt", "local_linear", "auto"]


@dataclass
class Projection:
    """Result of :func:`project` for one series.

    Attributes
    ----------
    years : ndarray (h,)
        Projected years ``last_year + 1 .. horizon``.
    mean : ndarray (h,)
        Mean path on the indicator scale. The point forecast of the method (before clipping and
        rounding) for series projected on their own scale; for ``log1p`` series the mean of the
        simulated paths (after clipping and rounding), which a heavy upper tail dominates; for
        binaries (``hold``) the share of paths at 1.
    median : ndarray (h,)
        Median path: the working-scale point forecast transformed back (before clipping and rounding),
        i.e. the predictive median of every continuous method, also for ``log1p`` series; for binaries
        the median of the paths (0 or 1). The central path of a fan chart.
    lower, upper : ndarray (h,)
        90% prediction interval (5th and 95th percentiles of the simulated paths after clipping/rounding).
    paths : ndarray (n_paths, h)
        Simulated paths (clipped and rounded).
    method : str
        Method that ran (``auto`` resolved; ``hold`` when the requested method fell back to it).
    last_year : int
    last_value : float
    sigma : float
        Residual / innovation standard deviation on the working scale (point estimate).
    requested : str
        Method asked for (``auto`` resolved by its rule), before any fallback.
    """

    years: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    paths: np.ndarray
    method: str
    last_year: int
    last_value: float
    sigma: float
    median: np.ndarray | None = None
    requested: str | None = None


# --------------------------------------------------------------------------- kind handling

def conform(x: np.ndarray, kind: str, lo: float, hi: float) -> np.ndarray:
    """Clip to ``[lo, hi]`` and round to the indicator's kind (NaN stays NaN).

    Counts, ordinals and binaries are rounded to the nearest whole number with
    ``np.rint`` (exact halves go to the even neighbour: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2), then clipped.
    """
    x = np.asarray(x, dtype="float64")
    if kind in ("count", "ordinal", "binary"):
        x = np.rint(x)
    return np.clip(x, lo, hi)


# --------------------------------------------------------------------------- methods (working scale)

def _rw_fit(t: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Random-walk MLE: (sigma, loglik) from observations at years t (sorted, gaps allowed)."""
    if len(y) < 2:
        return 0.0, np.nan
    d = np.diff(y)
    g = np.diff(t).astype("float64")
    s2 = float(np.mean(d * d / g))
    if s2 <= 0:
        return 0.0, np.nan
    ll = float(-0.5 * np.sum(np.log(2 * np.pi * g * s2) + d * d / (g * s2)))
    return float(np.sqrt(s2)), ll


def _sigma_draws(sigma: float, nu: int, n_paths: int, rng) -> np.ndarray:
    """Per-path sigma from the scaled-inverse-chi-square posterior: sigma^2 = sigma_hat^2 nu / chi2_nu."""
    if nu < 1 or not sigma > 0:
        return np.full(n_paths, float(sigma))
    return sigma * np.sqrt(nu / rng.chisquare(nu, n_paths))


def _hold(t, y, steps, n_paths, rng):
    sigma, _ = _rw_fit(t, y)
    mean = np.full(steps, y[-1])
    s = _sigma_draws(sigma, len(y) - 1, n_paths, rng)
    eps = rng.standard_normal((n_paths, steps)) * s[:, None]
    return mean, y[-1] + np.cumsum(eps, axis=1), sigma, "hold"


def _markov(t, y, steps, n_paths, rng):
    """Two-state Markov chain for a 0/1 series ("hold" for binaries).

    Switching probabilities out of each state are estimated from consecutive-year
    pairs with a Jeffreys Beta(1/2, 1/2) prior and drawn per path from their
    posterior, so short histories carry their parameter uncertainty.
    """
    y = np.rint(y)
    cons = np.diff(t) == 1
    a, b = y[:-1][cons], y[1:][cons]
    n0, n1 = int((a == 0).sum()), int((a == 1).sum())
    s01, s10 = int(((a == 0) & (b == 1)).sum()), int(((a == 1) & (b == 0)).sum())
    p01 = rng.beta(s01 + 0.5, n0 - s01 + 0.5, n_paths)
    p10 = rng.beta(s10 + 0.5, n1 - s10 + 0.5, n_paths)
    u = rng.random((n_paths, steps))
    paths = np.empty((n_paths, steps))
    state = np.full(n_paths, y[-1])
    for s in range(steps):  # loop over horizon steps only; vectorised over paths
        flip = np.where(state == 1, u[:, s] < p10, u[:, s] < p01)
        state = np.where(flip, 1.0 - state, state)
        paths[:, s] = state
    return paths.mean(axis=0), paths, float(np.sqrt((s01 + s10 + 0.5) / max(n0 + n1 + 1, 1))), "hold"


def _linear(t, y, steps, n_paths, rng):
    import statsmodels.api as sm

    if len(y) < 3:
        return _hold(t, y, steps, n_paths, rng)
    t0 = t[-1]
    X = sm.add_constant(t - t0, has_constant="add")
    res = sm.OLS(y, X).fit()
    fut = np.arange(1, steps + 1, dtype="float64")
    Xf = np.column_stack([np.ones(steps), fut])
    mean = Xf @ res.params
    sigma = float(np.sqrt(res.scale))
    xtx_inv = np.linalg.inv(X.T @ X)
    L = np.linalg.cholesky(xtx_inv + 1e-12 * np.eye(2))
    s = _sigma_draws(sigma, len(y) - 2, n_paths, rng)  # per-path sigma: the predictive is Student t(n-2)
    beta = res.params[None, :] + (rng.standard_normal((n_paths, 2)) @ L.T) * s[:, None]
    paths = beta @ Xf.T + rng.standard_normal((n_paths, steps)) * s[:, None]
    return mean, paths, sigma, "linear"


def _annual(t, y):
    """Annual series from t[0] to t[-1] with interior gaps linearly interpolated."""
    full = np.arange(t[0], t[-1] + 1)
    return full, np.interp(full, t, y)


def _holt(t, y, steps, n_paths, rng):
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    full, yi = _annual(t, y)
    if len(yi) < 5 or np.ptp(yi) == 0:
        return _hold(t, y, steps, n_paths, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ExponentialSmoothing(yi, trend="add", damped_trend=True, initialization_method="estimated").fit()
        mean = np.asarray(res.forecast(steps), dtype="float64")
        try:  # statsmodels >= 0.15 takes rng=, 0.14 random_state=
            sims = res.simulate(steps, repetitions=n_paths, anchor="end", error="add", rng=rng)
        except TypeError:
            sims = res.simulate(steps, repetitions=n_paths, anchor="end", error="add", random_state=rng)
        sims = np.asarray(sims)
    sims = sims.reshape(steps, n_paths).T
    sigma = float(np.sqrt(res.sse / max(len(yi) - 1, 1)))
    return mean, sims, sigma, "holt"


def _local_linear(t, y, steps, n_paths, rng):
    import statsmodels.api as sm

    full = np.arange(t[0], t[-1] + 1)
    ys = np.full(len(full), np.nan)
    ys[t - t[0]] = y
    if len(y) < 4 or np.ptp(y) == 0:
        return _hold(t, y, steps, n_paths, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.tsa.UnobservedComponents(ys, "local linear trend").fit(disp=False)
    m = res.model.ssm
    Z = np.asarray(m["design"])[:, :, 0] if np.ndim(m["design"]) == 3 else np.asarray(m["design"])
    H = float(np.asarray(m["obs_cov"]).reshape(-1)[0])
    T = np.asarray(m["transition"]).reshape(m.k_states, m.k_states)
    R = np.asarray(m["selection"]).reshape(m.k_states, -1)
    Q = np.asarray(m["state_cov"]).reshape(R.shape[1], R.shape[1])
    a = np.asarray(res.predicted_state)[:, -1]
    P = np.asarray(res.predicted_state_cov)[:, :, -1]
    k = len(a)
    LP = np.linalg.cholesky(P + 1e-12 * np.eye(k))
    LQ = np.linalg.cholesky(Q + 1e-14 * np.eye(Q.shape[0]))
    alpha = a[None, :] + rng.standard_normal((n_paths, k)) @ LP.T
    paths = np.empty((n_paths, steps))
    sh = np.sqrt(max(H, 0.0))
    for s in range(steps):  # loop over horizon steps only; vectorised over paths
        paths[:, s] = alpha @ Z[0] + rng.standard_normal(n_paths) * sh
        alpha = alpha @ T.T + (rng.standard_normal((n_paths, Q.shape[0])) @ LQ.T) @ R.T
    mean = np.asarray(res.forecast(steps), dtype="float64")
    sigma = float(np.sqrt(max(H, 0.0) + float(Q.sum())))
    return mean, paths, sigma, "local_linear"


def _rolling_mae(t, y, fn) -> float:
    n = len(y)
    k = min(5, n - 4)
    errs = []
    for i in range(n - k, n):
        tt, yy = t[:i], y[:i]
        g = int(t[i] - tt[-1])
        if fn == "hold":
            f = yy[-1]
        else:
            A = np.column_stack([np.ones(len(tt)), tt - tt[-1]])
            b, *_ = np.linalg.lstsq(A, yy, rcond=None)
            f = b[0] + b[1] * g
        errs.append(abs(y[i] - f))
    return float(np.mean(errs))


def choose_method(t: np.ndarray, y: np.ndarray, kind: str) -> str:
    """The ``auto`` rule (see the module notes)."""
    if kind in ("binary", "ordinal"):
        return "hold"
    if len(y) < MIN_TREND_OBS or np.ptp(y) == 0:
        return "hold"
    mh = _rolling_mae(t, y, "hold")
    ml = _rolling_mae(t, y, "linear")
    return "linear" if ml < (1 - AUTO_MARGIN) * mh else "hold"


_FUNCS = {"hold": _hold, "linear": _linear, "holt": _holt, "local_linear": _local_linear}


def project(
    years,
    values,
    horizon: int,
    *,
    method: Method = "auto",
    kind: str = "continuous",
    lo: float = -np.inf,
    hi: float = np.inf,
    log1p: bool = False,
    n_paths: int = 1000,
    seed=None,
) -> Projection:
    """Project one indicator series to ``horizon`` with simulated paths.

    Parameters
    ----------
    years, values : array_like
        Observed years and values (NaN values are dropped; years need not be contiguous).
    horizon : int
        Last year to project (must be >= the last observed year).
    method : {"auto", "hold", "linear", "holt", "local_linear"}
        See the module notes.
    kind : str
        Catalog kind (``count``, ``ordinal``, ``binary``, ``share``, ``percent``, ``continuous``, ``score``).
    lo, hi : float
        Allowed range.
    log1p : bool
        Project on the ``log1p`` scale.
    n_paths : int
        Number of simulated paths.
    seed : int, Generator or None
        Normalised by :func:`numpy.random.default_rng`.

    Returns
    -------
    Projection

    Examples
    --------
    >>> p = project([2019, 2020, 2021, 2022, 2023], [1, 2, 2, 3, 3], 2026, kind="count", lo=0, n_paths=200, seed=1)
    >>> p.method, p.years.tolist(), bool((p.paths == p.paths.round()).all())
    ('hold', [2024, 2025, 2026], True)
    """
    if method not in METHODS:
        raise MethodError(f"Unknown projection method {method!r}.{suggest(str(method), METHODS)} "
                          f"Choose one of {', '.join(METHODS)}.")
    rng = np.random.default_rng(seed)
    t = np.asarray(years, dtype="int64")
    v = np.asarray(values, dtype="float64")
    keep = ~np.isnan(v)
    t, v = t[keep], v[keep]
    if len(v) == 0:
        raise MethodError("cannot project a series with no observed value.")
    order = np.argsort(t, kind="stable")
    t, v = t[order], v[order]
    dup = t[1:][np.diff(t) == 0]
    if len(dup):
        yrs = ", ".join(str(int(x)) for x in np.unique(dup))
        raise MethodError(f"year(s) {yrs} appear more than once among the observed values of the series; "
                          "give one value per year (drop or aggregate the duplicates first).")
    last = int(t[-1])
    if horizon < last:
        raise MethodError(f"horizon {horizon} is before the last observed year {last}.")
    steps = int(horizon - last)
    y = np.log1p(v) if log1p else v
    used = choose_method(t, y, kind) if method == "auto" else method
    if steps == 0:
        empty = np.zeros((n_paths, 0))
        return Projection(np.zeros(0, dtype="int64"), np.zeros(0), np.zeros(0), np.zeros(0), empty, used,
                          last, float(v[-1]), 0.0, median=np.zeros(0), requested=used)
    binary_hold = used == "hold" and kind == "binary"
    fn = _markov if binary_hold else _FUNCS[used]
    center, paths, sigma, ran = fn(t, y, steps, n_paths, rng)
    if log1p:
        with np.errstate(over="ignore"):  # Student-t tails on the log scale can overflow: inf, then clipped
            center = np.expm1(center)
            paths = np.expm1(paths)
    paths = conform(paths, kind, lo, hi)
    if binary_hold:
        mean, median = center, np.median(paths, axis=0)
    else:
        median = np.clip(center, lo, hi)
        mean = paths.mean(axis=0) if log1p else median
    lower, upper = np.percentile(paths, [5, 95], axis=0)
    return Projection(np.arange(last + 1, horizon + 1), mean, lower, upper, paths, ran, last, float(v[-1]), sigma,
                      median=median, requested=used)
