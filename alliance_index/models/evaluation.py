"""Evaluation metrics for probabilistic classifiers (vectorised numpy).

ROC AUC (rank form), precision–recall AUC (average precision, the step-wise
area scikit-learn reports), Brier score, log loss, reliability table and
expected calibration error. Tested against scikit-learn.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

__all__ = ["roc_auc", "pr_auc", "brier", "log_loss", "reliability_table", "ece", "evaluate_binary", "out_of_time",
           "cluster_bootstrap_auc"]


def _check(y, p) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError(f"y has {y.size} values but p has {p.size}")
    keep = ~(np.isnan(y) | np.isnan(p))
    return y[keep], p[keep]


def roc_auc(y, p) -> float:
    """Area under the ROC curve, :math:`(\\bar r_1 - (n_1+1)/2) / n_0`.

    Notes
    -----
    With :math:`\\bar r_1` the mean mid-rank of the positives among all scores
    (ties counted half), :math:`AUC = (\\sum r_1 - n_1(n_1+1)/2)/(n_1 n_0)`,
    the probability that a random positive outscores a random negative.
    NaN when a class is absent.
    """
    y, p = _check(y, p)
    n1 = y.sum()
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def pr_auc(y, p) -> float:
    """Average precision :math:`\\sum_k (R_k - R_{k-1}) P_k` over distinct thresholds."""
    y, p = _check(y, p)
    if y.sum() == 0:
        return float("nan")
    order = np.argsort(-p, kind="mergesort")
    ys, ps = y[order], p[order]
    tp = np.cumsum(ys)
    fp = np.cumsum(1 - ys)
    last = np.r_[np.flatnonzero(np.diff(ps) != 0), ys.size - 1]  # end of each tie block
    tp, fp = tp[last], fp[last]
    prec = tp / (tp + fp)
    rec = tp / y.sum()
    return float(np.sum(np.diff(np.r_[0.0, rec]) * prec))


def brier(y, p) -> float:
    """Brier score :math:`\\frac1n\\sum (p_i - y_i)^2`."""
    y, p = _check(y, p)
    return float(np.mean((p - y) ** 2))


def log_loss(y, p, eps: float = 1e-15) -> float:
    """Log loss :math:`-\\frac1n\\sum y\\log p + (1-y)\\log(1-p)` (p clipped to [eps, 1-eps])."""
    y, p = _check(y, p)
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def reliability_table(y, p, n_bins: int = 10, strategy: str = "quantile") -> pd.DataFrame:
    """Reliability (calibration) table.

    Parameters
    ----------
    y, p : array-like
        Outcomes (0/1) and predicted probabilities.
    n_bins : int
        Number of bins (at most; empty bins are left out).
    strategy : {"quantile", "uniform"}
        Equal-count bins (default) or equal-width bins on [0, 1].

    Returns
    -------
    DataFrame
        ``bin, p_lo, p_hi, n, mean_predicted, observed_rate, gap`` per non-empty bin; ``bin``
        is the bin's position among the ``n_bins`` bins.

    Raises
    ------
    ValueError
        No rows, ``n_bins`` not a positive integer, or an unknown ``strategy``.

    Notes
    -----
    The bins follow scikit-learn's ``calibration_curve``: edges
    :math:`e_0 \\le \\dots \\le e_K` (``K = n_bins``) are the quantiles of ``p`` at
    :math:`k/K` (``"quantile"``) or :math:`k/K` itself (``"uniform"``); a prediction falls in
    bin :math:`b = \\#\\{k = 1..K-1 : e_k < p\\}`, i.e. bins are :math:`(e_b, e_{b+1}]` and the
    first one is closed below. Quantile edges are not de-duplicated: predictions tied at a
    repeated edge stay together in the lowest bin that edge closes, the bins between repeated
    edges are empty and dropped, so a block of tied predictions is its own bin and constant
    predictions give one bin. The edges come from ``np.quantile(p, k/K)``; scikit-learn computes
    ``np.percentile(p, 100 k/K)``, which can differ in the last bit when an edge falls exactly on a
    prediction, and then moves that one prediction to the neighbouring bin.
    """
    y, p = _check(y, p)
    if y.size == 0:
        raise ValueError("reliability_table: no rows to bin (y and p are empty)")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, not {n_bins!r}")
    if strategy == "quantile":
        edges = np.quantile(p, np.linspace(0, 1, n_bins + 1))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise ValueError(f"strategy must be 'quantile' or 'uniform', not {strategy!r}")
    b = np.searchsorted(edges[1:-1], p, side="left")  # bins (lo, hi], first one [lo, hi] (as scikit-learn)
    n = np.bincount(b, minlength=n_bins)
    sp = np.bincount(b, weights=p, minlength=n_bins)
    sy = np.bincount(b, weights=y, minlength=n_bins)
    keep = n > 0
    mp, oy = sp[keep] / n[keep], sy[keep] / n[keep]
    return pd.DataFrame({"bin": np.arange(n_bins)[keep], "p_lo": edges[:-1][keep], "p_hi": edges[1:][keep],
                         "n": n[keep], "mean_predicted": mp, "observed_rate": oy, "gap": oy - mp})


def ece(y, p, n_bins: int = 10, strategy: str = "quantile") -> float:
    """Expected calibration error :math:`\\sum_b (n_b/n)\\,|\\bar y_b - \\bar p_b|`."""
    t = reliability_table(y, p, n_bins, strategy)
    return float(np.sum(t["n"] / t["n"].sum() * t["gap"].abs()))


def evaluate_binary(y, p) -> dict[str, float]:
    """All scalar metrics at once: n, positives, ROC AUC, PR AUC, Brier, log loss, ECE."""
    yy, pp = _check(y, p)
    if yy.size == 0:
        raise ValueError("evaluate_binary: no rows to evaluate (y and p are empty)")
    return {"n": int(yy.size), "positives": int(yy.sum()), "roc_auc": roc_auc(yy, pp),
            "pr_auc": pr_auc(yy, pp), "brier": brier(yy, pp), "log_loss": log_loss(yy, pp),
            "ece": ece(yy, pp)}


def cluster_bootstrap_auc(y, p, groups, *, n_boot: int = 2000, level: float = 0.95, seed=0) -> dict:
    """ROC AUC with a percentile interval from resampling whole groups (e.g. dyads) with replacement.

    Parameters
    ----------
    y, p : array-like
        Labels (0/1) and scores; rows with NaN are dropped.
    groups : array-like
        Cluster of each row. Rows of one cluster are not independent evidence (the years of one
        dyad), so the bootstrap draws clusters, not rows.
    n_boot : int
        Bootstrap replicates (vectorised: one weight matrix of shape ``(n_boot, n)``).
    level : float
        Coverage of the percentile interval.
    seed : int, Generator or None

    Returns
    -------
    dict
        ``auc`` (on the data), ``lo``, ``hi``, ``n_boot`` (replicates with both classes present)
        and ``n_groups``.

    Notes
    -----
    Replicate *b* gives each row the weight :math:`w_i` = number of times its cluster was drawn;
    :math:`AUC_b = \\sum_{i:y_i=1}\\sum_{j:y_j=0} w_i w_j\\,[1(p_i>p_j) + \\tfrac12 1(p_i=p_j)]
    / (\\sum_{y_i=1} w_i \\sum_{y_j=0} w_j)`, computed over the distinct score values.
    """
    y = np.asarray(y, dtype=float).ravel()
    p = np.asarray(p, dtype=float).ravel()
    g = np.asarray(groups, dtype=object).ravel()
    if not (y.shape == p.shape == g.shape):
        raise ValueError(f"y, p and groups must have the same length, got {y.size}, {p.size}, {g.size}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    keep = ~(np.isnan(y) | np.isnan(p))
    y, p, g = y[keep], p[keep], g[keep]
    rng = np.random.default_rng(seed)
    codes, gi = np.unique(g, return_inverse=True)
    G = codes.size
    counts = np.zeros((n_boot, G))
    draws = rng.integers(0, G, size=(n_boot, G))
    np.add.at(counts, (np.repeat(np.arange(n_boot), G), draws.ravel()), 1.0)
    W = counts[:, gi]  # (B, n) row weights
    u, ui = np.unique(p, return_inverse=True)
    E = np.zeros((p.size, u.size))
    E[np.arange(p.size), ui] = 1.0
    pos = (y == 1)
    Wp = W[:, pos] @ E[pos]  # (B, U) positive weight at each distinct score
    Wn = W[:, ~pos] @ E[~pos]
    below = np.cumsum(Wn, axis=1) - Wn  # negative weight strictly below each score
    num = np.sum(Wp * (below + 0.5 * Wn), axis=1)
    den = Wp.sum(axis=1) * Wn.sum(axis=1)
    ok = den > 0
    aucs = num[ok] / den[ok]
    a = (1 - level) / 2
    return {"auc": roc_auc(y, p), "lo": float(np.quantile(aucs, a)) if aucs.size else float("nan"),
            "hi": float(np.quantile(aucs, 1 - a)) if aucs.size else float("nan"),
            "n_boot": int(aucs.size), "n_groups": int(G)}


def out_of_time(dy: pd.DataFrame, *, train: tuple[int, int] = (1950, 1995), test: tuple[int, int] = (1996, 2014),
                spec: str = "full", leaky: bool = True, method: str = "mnlogit",
                sample: str = "relevant", seed=0) -> dict:
    """Out-of-time evaluation of the historical model on the builder's output.

    Parameters
    ----------
    dy : DataFrame
        :func:`~alliance_index.sources.build_dyad_years` output (needs ``atop_label``,
        ``contiguity`` and ``major_powers`` for the relevant-dyad sample).
    train, test : (int, int)
        Inclusive year ranges.
    spec, leaky :
        Feature specification (:func:`~alliance_index.models.features.historical_features`).
    method : {"mnlogit", "boosting"}
        statsmodels multinomial logit or :class:`~alliance_index.models.AllianceClassifier`.
    sample : {"relevant", "all"}
        Fit and test on politically relevant dyads, or on all dyads.

    Returns
    -------
    dict
        ``defense`` (metrics of :func:`evaluate_binary` for defence pact vs rest),
        ``defense_vs_other`` (ROC AUC among dyad-years with a pact), ``reliability``
        (table), ``model`` (the fitted results or estimator).
    """
    from .features import historical_features, politically_relevant
    from .historical import AllianceClassifier, fit_historical, p_defense_vs_other
    yr = dy["year"].to_numpy()
    lab = dy["atop_label"].astype(object).to_numpy()
    keep = politically_relevant(dy) if sample == "relevant" else np.ones(len(dy), dtype=bool)
    tr = keep & (yr >= train[0]) & (yr <= train[1])
    te = keep & (yr >= test[0]) & (yr <= test[1])
    X = historical_features(dy, spec, leaky)
    if method == "mnlogit":
        model = fit_historical(X[tr], lab[tr])
        P = model.predict_proba(X[te])
    elif method == "boosting":
        model = AllianceClassifier(random_state=seed).fit(X[tr], lab[tr])
        P = pd.DataFrame(model.predict_proba(X[te]), columns=model.classes_)
    else:
        raise ValueError(f"method must be 'mnlogit' or 'boosting', not {method!r}")
    y = (lab[te] == "defense").astype(float)
    p = P["defense"].to_numpy()
    pact = lab[te] != "none"
    return {"defense": evaluate_binary(y, p),
            "defense_vs_other": roc_auc(y[pact], p_defense_vs_other(P)[pact]),
            "reliability": reliability_table(y, p), "model": model}
