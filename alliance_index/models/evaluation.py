"""Evaluation metrics for probabilistic classifiers (vectorised numpy).

ROC AUC (rank form), precision–recall AUC (average precision, the step-wise
area scikit-learn reports), Brier score, log loss, reliability table and
expected calibration error.

Compared with scikit-learn (``sklearn.metrics``, ``sklearn.calibration``) in the
tests on random, tied, rounded and constant predictions: ``roc_auc``, ``pr_auc``,
``brier`` and the reliability bins of ``calibration_curve`` (both strategies) agree.
Conventions that differ, by choice:

* ``log_loss`` clips p to :math:`[10^{-15}, 1 - 10^{-15}]`; scikit-learn (1.9) clips at
  the machine epsilon of p's dtype (:math:`2.2\\times10^{-16}` for float64), so an exact
  0 or 1 on the wrong side costs 34.5 here and 36.0 there;
* ``pr_auc`` is NaN when there is no positive (scikit-learn returns 0.0 with a warning),
  and ``roc_auc`` is NaN when a class is absent (as scikit-learn 1.9, which also warns);
* missing values are an error here (scikit-learn raises too): nothing is dropped silently.

Input rules (every function): ``y`` holds 0/1 labels or booleans; ``y`` and ``p`` have the
same length and no NaN; the probability metrics (``brier``, ``log_loss``,
``reliability_table``, ``ece``, ``evaluate_binary``) need p in [0, 1], while ``roc_auc``,
``pr_auc`` and ``cluster_bootstrap_auc`` accept any real scores. A breach raises
:class:`~alliance_index.errors.OutOfRangeError` (a ``ValueError``) that says how to recode.
"""
from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ..errors import DataQualityWarning, DataSourceError, MethodError, MissingColumnError, OutOfRangeError

__all__ = ["roc_auc", "pr_auc", "brier", "log_loss", "reliability_table", "ece", "evaluate_binary", "out_of_time",
           "cluster_bootstrap_auc"]

#: elements of one (replicates x distinct scores) block in :func:`cluster_bootstrap_auc`
_BOOT_BLOCK = 2 ** 21


def _as_float(x, name: str) -> np.ndarray:
    """1-d float array of ``x`` (pandas NA and None become NaN); non-numbers raise."""
    try:
        a = (x.to_numpy(dtype=float, na_value=np.nan) if hasattr(x, "to_numpy")  # pandas, incl. NA
             else np.asarray(x, dtype=float))
    except (TypeError, ValueError):
        ex = pd.unique(pd.Series(np.asarray(x, dtype=object).ravel()).astype(str))[:3]
        hint = ("recode the labels as 0/1 first, e.g. y = (labels == 'defense')" if name == "y"
                else "pass numeric probabilities or scores")
        raise OutOfRangeError(f"{name} is not numeric (values such as {', '.join(map(repr, ex))}); {hint}") from None
    return a.ravel()


def _check(y, p, *, probability: bool = False, who: str = "metric") -> tuple[np.ndarray, np.ndarray]:
    """Validated float copies of labels ``y`` (0/1) and predictions ``p``.

    ``probability=True`` also requires p in [0, 1]. NaN in either is an error.
    """
    y = _as_float(y, "y")
    p = _as_float(p, "p")
    if y.shape != p.shape:
        raise ValueError(f"{who}: y has {y.size} values but p has {p.size}; pass one prediction per label")
    ny, np_ = np.isnan(y), np.isnan(p)
    if ny.any() or np_.any():
        k = int((ny | np_).sum())
        raise OutOfRangeError(
            f"{who}: {k} of {y.size} rows have a missing value (y: {int(ny.sum())} NaN, p: {int(np_.sum())} NaN); "
            "nothing is dropped silently: drop those rows first, e.g. keep = ~(np.isnan(y) | np.isnan(p)) "
            "(an unknown label, such as atop_label after ATOP's last year 2018, is not a negative)")
    bad = (y != 0) & (y != 1)
    if bad.any():
        vals = np.unique(y)
        shown = ", ".join(f"{v:g}" for v in vals[:6]) + (", …" if vals.size > 6 else "")
        fix = (f"e.g. y = (y == {vals[-1]:g}) if {vals[-1]:g} marks the positive class"
               if vals.size == 2 else "map the positive class to 1 and the rest to 0")
        raise OutOfRangeError(
            f"{who}: y must hold 0/1 labels (or booleans), but {int(bad.sum())} of {y.size} values are not 0 or 1 "
            f"(distinct values: {shown}); codings such as {{-1, 1}} or {{1, 2}} must be recoded first: {fix}")
    if probability:
        out = (p < 0) | (p > 1)
        if out.any():
            raise OutOfRangeError(
                f"{who}: p must be probabilities in [0, 1], but {int(out.sum())} of {p.size} values lie outside "
                f"(min {p.min():g}, max {p.max():g}); pass the predicted probability of the positive class, "
                "not a score or log-odds (roc_auc and pr_auc accept any scores)")
    return y, p


def _nonempty(y: np.ndarray, who: str) -> None:
    if y.size == 0:
        raise ValueError(f"{who}: no rows to evaluate (y and p are empty)")


def roc_auc(y, p) -> float:
    """Area under the ROC curve, :math:`(\\bar r_1 - (n_1+1)/2) / n_0`.

    Parameters
    ----------
    y : array-like
        0/1 labels (or booleans).
    p : array-like
        Scores (any real numbers; higher = more likely positive).

    Notes
    -----
    With :math:`\\bar r_1` the mean mid-rank of the positives among all scores
    (ties counted half), :math:`AUC = (\\sum r_1 - n_1(n_1+1)/2)/(n_1 n_0)`,
    the probability that a random positive outscores a random negative.
    NaN when a class is absent (also for empty input), as scikit-learn 1.9 returns (with a warning).
    """
    y, p = _check(y, p, who="roc_auc")
    n1 = y.sum()
    n0 = y.size - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def pr_auc(y, p) -> float:
    """Average precision :math:`\\sum_k (R_k - R_{k-1}) P_k` over distinct thresholds.

    Notes
    -----
    :math:`P_k` and :math:`R_k` are precision and recall when every score at or above
    the k-th highest distinct score is called positive (tied scores enter together), as
    scikit-learn's ``average_precision_score``. NaN when there is no positive (also for
    empty input): recall is undefined; scikit-learn returns 0.0 with a warning instead.
    """
    y, p = _check(y, p, who="pr_auc")
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
    """Brier score :math:`\\frac1n\\sum (p_i - y_i)^2` (p must be probabilities in [0, 1])."""
    y, p = _check(y, p, probability=True, who="brier")
    _nonempty(y, "brier")
    return float(np.mean((p - y) ** 2))


def log_loss(y, p, eps: float = 1e-15) -> float:
    """Log loss :math:`-\\frac1n\\sum y\\log p + (1-y)\\log(1-p)`.

    Parameters
    ----------
    y, p : array-like
        0/1 labels and probabilities in [0, 1].
    eps : float
        p is clipped to :math:`[\\epsilon, 1-\\epsilon]` so that an exact 0 or 1 on the wrong
        side costs :math:`-\\log\\epsilon` (34.5 for the default :math:`10^{-15}`) instead of
        infinity. Recent scikit-learn (1.9) clips at the machine epsilon of p's dtype
        (:math:`2.2\\times10^{-16}`, a cost of 36.0), so the two differ only when some p is
        within :math:`10^{-15}` of 0 or 1; pass ``eps=np.finfo(float).eps`` to match it.
    """
    y, p = _check(y, p, probability=True, who="log_loss")
    _nonempty(y, "log_loss")
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def reliability_table(y, p, n_bins: int = 10, strategy: Literal["quantile", "uniform"] = "quantile") -> pd.DataFrame:
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
    y, p = _check(y, p, probability=True, who="reliability_table")
    if y.size == 0:
        raise ValueError("reliability_table: no rows to bin (y and p are empty)")
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise MethodError(f"reliability_table: n_bins must be a positive integer, not {n_bins!r}")
    if strategy == "quantile":
        edges = np.quantile(p, np.linspace(0, 1, n_bins + 1))
    elif strategy == "uniform":
        edges = np.linspace(0, 1, n_bins + 1)
    else:
        raise MethodError(f"reliability_table: strategy must be 'quantile' or 'uniform', not {strategy!r}")
    b = np.searchsorted(edges[1:-1], p, side="left")  # bins (lo, hi], first one [lo, hi] (as scikit-learn)
    n = np.bincount(b, minlength=n_bins)
    sp = np.bincount(b, weights=p, minlength=n_bins)
    sy = np.bincount(b, weights=y, minlength=n_bins)
    keep = n > 0
    mp, oy = sp[keep] / n[keep], sy[keep] / n[keep]
    return pd.DataFrame({"bin": np.arange(n_bins)[keep], "p_lo": edges[:-1][keep], "p_hi": edges[1:][keep],
                         "n": n[keep], "mean_predicted": mp, "observed_rate": oy, "gap": oy - mp})


def ece(y, p, n_bins: int = 10, strategy: Literal["quantile", "uniform"] = "quantile") -> float:
    """Expected calibration error :math:`\\sum_b (n_b/n)\\,|\\bar y_b - \\bar p_b|`.

    Over the non-empty bins of :func:`reliability_table` (same arguments, same input rules);
    constant predictions form one bin, so their ECE is :math:`|\\bar y - p|`.
    """
    t = reliability_table(y, p, n_bins, strategy)
    return float(np.sum(t["n"] / t["n"].sum() * t["gap"].abs()))


def evaluate_binary(y, p) -> dict[str, float]:
    """All scalar metrics at once: n, positives, ROC AUC, PR AUC, Brier, log loss, ECE.

    Same input rules as the metrics (0/1 labels, probabilities in [0, 1], no NaN, not empty).
    """
    yy, pp = _check(y, p, probability=True, who="evaluate_binary")
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
        Labels (0/1 or bool) and scores (any real numbers); no NaN (drop those rows first).
    groups : array-like
        Cluster of each row. Rows of one cluster are not independent evidence (the years of one
        dyad), so the bootstrap draws clusters, not rows.
    n_boot : int
        Bootstrap replicates.
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

    Computation: the rows are first counted per (cluster, distinct score) and class, two sparse
    :math:`G \\times U` matrices with at most *n* entries; the cluster draws form a dense
    ``(n_boot, G)`` matrix of integers; their product gives each replicate's positive and negative
    weight at every distinct score, evaluated in blocks of replicates so that no block exceeds
    about 2 million (replicate, score) or (replicate, cluster) cells. Memory is thus
    :math:`O(n_{boot} G + n)` plus a fixed block, whatever the number of distinct scores, and
    time :math:`O(n_{boot}\\, n)` (348,641 rows, 18,000 clusters, 2,000 replicates: about 20 s
    and 0.4 GB). All weights are integers, so the result does not depend on the blocking.
    """
    import scipy.sparse as sps

    y_ = _as_float(y, "y")
    p_ = _as_float(p, "p")
    g = (groups.astype(object).to_numpy() if isinstance(groups, (pd.Series, pd.Index))
         else np.asarray(groups, dtype=object)).ravel()
    if not (y_.shape == p_.shape == g.shape):
        raise ValueError(f"y, p and groups must have the same length, got {y_.size}, {p_.size}, {g.size}")
    if not 0 < level < 1:
        raise MethodError(f"cluster_bootstrap_auc: level must be in (0, 1), got {level!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise MethodError(f"cluster_bootstrap_auc: n_boot must be a positive integer, not {n_boot!r}")
    y, p = _check(y_, p_, who="cluster_bootstrap_auc")
    _nonempty(y, "cluster_bootstrap_auc")
    rng = np.random.default_rng(seed)
    codes, gi = np.unique(g, return_inverse=True)
    G = codes.size
    draws = rng.integers(0, G, size=(n_boot, G))  # one call, so a seed gives the same draws as before
    u, ui = np.unique(p, return_inverse=True)
    U = u.size
    pos = y == 1
    # rows per (cluster, distinct score), one sparse matrix per class (duplicates are summed)
    Cp = sps.csr_array((np.ones(int(pos.sum())), (gi[pos], ui[pos])), shape=(G, U)).T.tocsr()
    Cn = sps.csr_array((np.ones(int((~pos).sum())), (gi[~pos], ui[~pos])), shape=(G, U)).T.tocsr()
    num = np.empty(n_boot)
    den = np.empty(n_boot)
    step = max(1, _BOOT_BLOCK // max(U, G))
    for s0 in range(0, n_boot, step):  # blocks of replicates bound the (block, U) and (block, G) matrices
        d = draws[s0:s0 + step]
        b = d.shape[0]
        C = np.bincount((d + (np.arange(b) * G)[:, None]).ravel(),
                        minlength=b * G).reshape(b, G).T.astype(float)  # (G, b): times each cluster is drawn
        Wp = (Cp @ C).T  # (b, U) positive weight at each distinct score
        Wn = (Cn @ C).T
        below = np.cumsum(Wn, axis=1) - Wn  # negative weight strictly below each score
        num[s0:s0 + step] = np.sum(Wp * (below + 0.5 * Wn), axis=1)
        den[s0:s0 + step] = Wp.sum(axis=1) * Wn.sum(axis=1)
    ok = den > 0
    aucs = num[ok] / den[ok]
    a = (1 - level) / 2
    return {"auc": roc_auc(y, p), "lo": float(np.quantile(aucs, a)) if aucs.size else float("nan"),
            "hi": float(np.quantile(aucs, 1 - a)) if aucs.size else float("nan"),
            "n_boot": int(aucs.size), "n_groups": int(G)}


def out_of_time(dy: pd.DataFrame, *, train: tuple[int, int] = (1950, 1995), test: tuple[int, int] = (1996, 2014),
                spec: Literal["full", "indicators"] = "full", leaky: bool = True,
                method: Literal["mnlogit", "boosting"] = "mnlogit",
                sample: Literal["relevant", "all"] = "relevant", seed=0) -> dict:
    """Out-of-time evaluation of the historical model on the builder's output.

    Parameters
    ----------
    dy : DataFrame
        :func:`~alliance_index.sources.build_dyad_years` output (needs ``year`` and
        ``atop_label``, and ``contiguity`` and ``major_powers`` for the relevant-dyad sample).
    train, test : (int, int)
        Inclusive year ranges.
    spec, leaky :
        Feature specification (:func:`~alliance_index.models.features.historical_features`).
    method : {"mnlogit", "boosting"}
        statsmodels multinomial logit or :class:`~alliance_index.models.AllianceClassifier`.
    sample : {"relevant", "all"}
        Fit and test on politically relevant dyads, or on all dyads.
    seed : int, Generator or None
        Passed to the boosting estimator.

    Returns
    -------
    dict
        ``defense`` (metrics of :func:`evaluate_binary` for defence pact vs rest),
        ``defense_vs_other`` (ROC AUC among dyad-years with a pact), ``reliability``
        (table), ``model`` (the fitted results or estimator) and ``dropped_unlabelled``
        (``{"train": k, "test": m}``: dyad-years of the sample left out because their
        ``atop_label`` is unknown).

    Raises
    ------
    MissingColumnError
        ``dy`` lacks ``year``/``atop_label``, or ``contiguity``/``major_powers`` with
        ``sample="relevant"``.
    DataSourceError
        No dyad-year with a known label in the training or the test years.

    Notes
    -----
    A dyad-year whose ``atop_label`` is NaN (a year outside ATOP 5.1's 1815–2018) has an
    unknown outcome, not "no pact": it is dropped from both the training and the test rows,
    with a :class:`~alliance_index.errors.DataQualityWarning` giving the counts.
    """
    from .features import historical_features, politically_relevant
    from .historical import AllianceClassifier, fit_historical, p_defense_vs_other
    if method not in ("mnlogit", "boosting"):
        raise MethodError(f"out_of_time: method must be 'mnlogit' or 'boosting', not {method!r}")
    if sample not in ("relevant", "all"):
        raise MethodError(f"out_of_time: sample must be 'relevant' or 'all', not {sample!r}")
    need = {"year": "the builder's year column", "atop_label": "builder source 'atop'"}
    if sample == "relevant":
        need.update(contiguity="builder source 'contiguity'", major_powers="builder source 'majors'")
    miss = [c for c in need if c not in dy.columns]
    if miss:
        fix = ("; or pass sample='all'" if any(c in ("contiguity", "major_powers") for c in miss) else "")
        raise MissingColumnError(
            f"out_of_time: dy has no column(s) {miss} ({', '.join(need[c] for c in miss)}); build it with "
            f"build_dyad_years(..., sources=[..., 'atop', 'contiguity', 'majors']){fix}")
    yr = dy["year"].to_numpy()
    lab = dy["atop_label"].astype(object).to_numpy()
    known = pd.notna(lab)
    in_tr = (yr >= train[0]) & (yr <= train[1])
    in_te = (yr >= test[0]) & (yr <= test[1])
    if sample == "relevant":  # judged on the train and test years only (COW's cap warns only if they pass 2016)
        keep = np.zeros(len(dy), dtype=bool)
        keep[in_tr | in_te] = politically_relevant(dy[in_tr | in_te], stacklevel=3)  # warn at the caller's line
        in_tr, in_te = in_tr & keep, in_te & keep
    dropped = {"train": int((in_tr & ~known).sum()), "test": int((in_te & ~known).sum())}
    tr, te = in_tr & known, in_te & known
    for part, rows, yrs in (("training", tr, train), ("test", te, test)):
        if not rows.any():
            k = dropped["train" if part == "training" else "test"]
            raise DataSourceError(
                f"out_of_time: no {sample} dyad-year with a known atop_label in the {part} years "
                f"{yrs[0]}–{yrs[1]} ({k} unlabelled); ATOP 5.1 labels 1815–2018: choose {part} years inside "
                "the frame's labelled years" + (" and build the frame with source 'atop'" if not known.any() else ""))
    if dropped["train"] or dropped["test"]:
        uy = np.unique(yr[(in_tr | in_te) & ~known])
        warnings.warn(
            f"out_of_time: {dropped['train']} training and {dropped['test']} test dyad-year(s) have no ATOP label "
            f"(atop_label NaN, years {int(uy[0])}–{int(uy[-1])}; ATOP 5.1 ends in 2018) and are left out, not "
            "counted as 'no pact'; result['dropped_unlabelled'] has the counts",
            DataQualityWarning, stacklevel=2)
    X = historical_features(dy, spec, leaky)
    if method == "mnlogit":
        model = fit_historical(X[tr], lab[tr])
        P = model.predict_proba(X[te])
    else:
        model = AllianceClassifier(random_state=seed).fit(X[tr], lab[tr])
        P = pd.DataFrame(model.predict_proba(X[te]), columns=model.classes_)
    y = (lab[te] == "defense").astype(float)
    p = P["defense"].to_numpy()
    pact = lab[te] != "none"
    return {"defense": evaluate_binary(y, p),
            "defense_vs_other": roc_auc(y[pact], p_defense_vs_other(P)[pact]),
            "reliability": reliability_table(y, p), "model": model, "dropped_unlabelled": dropped}
