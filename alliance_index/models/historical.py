"""The historical model: ATOP's three outcomes from structural dyad-year data.

Two faces of one model:

* :func:`fit_historical` — a statsmodels multinomial logit (outcomes ``none``,
  ``other`` formal pact, ``defense``) with a results object
  (:class:`HistoricalResults`: ``params``, ``bse``, ``conf_int()``,
  ``summary()``), serialisable to the shipped JSON file;
* :class:`AllianceClassifier` — a scikit-learn estimator over the same
  features (gradient boosting by default, or a penalised multinomial logit).

Missing features (documented): for the logit, a feature with missing values
in the training data gets a ``<name>__missing`` dummy and its NaN cells are set
to the training mean (the missing-indicator method), so "unknown" is never
read as zero; gradient boosting routes NaN natively.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

OUTCOMES: tuple[str, ...] = ("none", "other", "defense")
#: a 0/1 feature under which some outcome occurs fewer times than this is dropped (sparse cell)
MIN_CELL: int = 25
#: a standard error above this (standardised features) flags a (quasi-)separated term
MAX_SE: float = 100.0

__all__ = ["OUTCOMES", "HistoricalResults", "fit_historical", "AllianceClassifier", "p_defense_vs_other"]


def _sparse_binary(v: np.ndarray, codes: np.ndarray, n_classes: int) -> bool:
    """True when ``v`` is 0/1 and some outcome occurs fewer than MIN_CELL times where v == 1."""
    obs = v[~np.isnan(v)]
    if not np.isin(obs, (0.0, 1.0)).all():
        return False
    return bool((np.bincount(codes[v == 1], minlength=n_classes) < MIN_CELL).any())


def _screen_features(X: pd.DataFrame, codes: np.ndarray, n_classes: int) -> tuple[pd.Series, dict, list]:
    """Which features a fit keeps: ``keep`` (bool Series over ``X``'s columns), ``reasons`` for each
    dropped one (``"all missing"``, ``"constant"``, ``"separating"``) and the list of the separating
    (sparse 0/1) ones. Shared by :func:`fit_historical` and ``formation.fit_formation``."""
    scales = X.std()
    keep = (scales > 0) & scales.notna()
    reasons = {c: ("all missing" if X[c].notna().sum() == 0 else "constant") for c in X.columns[~keep.to_numpy()]}
    dropped = []
    for c in X.columns[keep.to_numpy()]:  # binary columns with a sparse outcome cell (quasi-)separate the data
        if _sparse_binary(X[c].to_numpy(dtype=float), codes, n_classes):
            keep[c] = False
            dropped.append(c)
            reasons[c] = "separating"
    return keep, reasons, dropped


def _missing_dummies(X: pd.DataFrame, features, codes: np.ndarray, n_classes: int) -> list[str]:
    """Features that get a missing-indicator dummy: some NaN, and the dummy itself not sparse."""
    return [c for c in features if X[c].isna().any()
            and not _sparse_binary(X[c].isna().to_numpy(dtype=float), codes, n_classes)]


def _fit_checked(model, who: str, maxiter: int, fit_kw: dict, se_index) -> tuple[object, bool]:
    """Newton fit of a statsmodels discrete model; statsmodels' own warnings are caught and its
    diagnoses re-issued by :func:`_warn_fit` at the caller's caller. Returns (results, converged)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = model.fit(method="newton", maxiter=maxiter, disp=False, **fit_kw)
    converged = bool(res.mle_retvals.get("converged", False))
    se = pd.Series(np.sqrt(np.abs(np.diag(np.asarray(res.cov_params())))), index=se_index)
    _warn_fit(who, converged, maxiter, se, caught, stacklevel=4)
    return res, converged


def _float_features(X, who: str) -> pd.DataFrame:
    """``X`` as a float64 frame (nullable NA → NaN); one clear error for a non-frame, text columns or ±inf."""
    from ..errors import ObservationsError
    if not isinstance(X, pd.DataFrame):
        raise ObservationsError(f"{who}: X must be a pandas DataFrame with one named column per feature, "
                                f"not {type(X).__name__}.")
    text = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if text:
        raise ObservationsError(f"{who}: feature column(s) {text} are not numeric (dtype {X[text[0]].dtype}); "
                                "convert them to numbers (NaN where unknown) or drop them.")
    Xf = X.astype("float64")
    inf = np.isinf(Xf.to_numpy())
    if inf.any():
        r, c = np.argwhere(inf)[0]
        cols = [str(k) for k in Xf.columns[inf.any(axis=0)]]
        raise ObservationsError(
            f"{who}: feature {str(Xf.columns[c])!r} is ±inf in {int(inf[:, c].sum())} row(s) (first: row {X.index[r]!r})"
            + (f"; also ±inf: {cols[1:]}" if len(cols) > 1 else "")
            + ". A log of zero or a ratio over zero? Replace ±inf by NaN (unknown) or a finite value.")
    return Xf


def _check_labels(y, index: pd.Index, who: str) -> np.ndarray:
    """ATOP outcome labels as an object array; one clear error for a length mismatch, NaN/NA, unknown labels
    or an outcome absent from ``y``."""
    from ..errors import ObservationsError, suggest
    yv = (y.astype(object).to_numpy() if isinstance(y, (pd.Series, pd.Index))
          else np.asarray(y, dtype=object))
    if yv.ndim != 1 or len(yv) != len(index):
        raise ObservationsError(f"{who}: y has {len(yv)} labels but X has {len(index)} rows; give one outcome per "
                                "row of X, in the same order.")
    na = pd.isna(yv)
    if na.any():
        raise ObservationsError(
            f"{who}: y is missing (NaN) in {int(na.sum())} row(s) (first: row {index[np.argmax(na)]!r}). "
            "atop_label is NaN for years ATOP does not cover (after 2018): drop those rows, e.g. "
            "keep = dy['atop_label'].notna(), then fit on X[keep] and y[keep].")
    yv = pd.Series(yv, dtype=object).map(str).to_numpy(dtype=object)
    bad = ~np.isin(yv, OUTCOMES)
    if bad.any():
        v = yv[bad][0]
        raise ObservationsError(f"{who}: outcome {v!r} (row {index[np.argmax(bad)]!r}, {int(bad.sum())} row(s) in all) "
                                f"is not one of {OUTCOMES}.{suggest(v, OUTCOMES)}")
    absent = [o for o in OUTCOMES if not (yv == o).any()]
    if absent:
        raise ObservationsError(
            f"{who}: y has no {' or '.join(repr(a) for a in absent)} outcome; the multinomial logit needs all three "
            f"outcomes {OUTCOMES} among the training rows (early years or a small subset may have no such pact): "
            "widen the training years or sample, or fit a binary model (AllianceClassifier) instead.")
    return yv


def _warn_fit(who: str, converged: bool, maxiter: int, bse: pd.Series, caught, stacklevel: int) -> None:
    """One warning when the fit did not converge or a term is (quasi-)separated (its SE explodes)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning
    big = bse[~(bse.to_numpy() <= MAX_SE)]  # also catches NaN
    sep = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    if converged and big.empty and not sep:
        return
    parts = []
    if not converged:
        parts.append(f"the Newton fit did not converge in maxiter={maxiter} iterations, so the estimates are not "
                     "the maximum-likelihood ones" + ("" if not big.empty else " (raise maxiter)"))
    if not big.empty:
        parts.append(f"the standard error exceeds {MAX_SE:g} (standardised scale) or is not finite for "
                     f"{', '.join(map(str, big.index))}: the outcome is (quasi-)separated, so these coefficients and "
                     "their intervals are meaningless (find the feature that (almost) determines the outcome and "
                     "drop or recode it)")
    elif sep:
        parts.append("statsmodels reports (quasi-)perfect separation: some coefficients are not identified")
    warnings.warn(f"{who}: " + "; ".join(parts) + ".", ConvergenceWarning if not converged else PerfectSeparationWarning,
                  stacklevel=stacklevel)


def _predict_features(X, means: pd.Series, missing_cols: Sequence[str], who: str, stacklevel: int) -> pd.DataFrame:
    """The model's features of ``X`` as floats: an error naming absent feature columns, and one
    ``CoverageWarning`` for NaN in a feature the model has no missing dummy for."""
    from ..errors import CoverageWarning, MissingColumnError, suggest
    if not isinstance(X, pd.DataFrame):
        _float_features(X, who)  # raises the not-a-frame error
    feats = list(means.index)
    absent = [c for c in feats if c not in X.columns]
    if absent:
        raise MissingColumnError(
            f"{who}: X lacks the feature column(s) {absent} the model was fitted on."
            f"{suggest(absent[0], [str(c) for c in X.columns if c not in feats])} Add them (NaN where a value is "
            "unknown): a typo or a frame built without a source would otherwise change the probabilities silently.")
    Xf = _float_features(X[feats], who)
    no_dummy = [c for c in feats if c not in set(missing_cols)]
    n_nan = Xf[no_dummy].isna().sum()
    n_nan = n_nan[n_nan > 0]
    if len(n_nan):
        what = "; ".join(f"{c} is missing in {int(k)} row(s), set to the training mean {means[c]:.4g}"
                         for c, k in n_nan.items())
        warnings.warn(f"{who}: {what}. The model was fitted without missing values in "
                      f"{'this feature' if len(n_nan) == 1 else 'these features'} (no missing dummy), so these rows "
                      "are scored as if the value were average; supply the values for a faithful probability.",
                      CoverageWarning, stacklevel=stacklevel)
    return Xf


def _cluster_groups(groups, index: pd.Index, who: str) -> np.ndarray | None:
    """Integer codes of ``groups`` (one id per row of the design), or None when not given."""
    if groups is None:
        return None
    from ..errors import ObservationsError
    g = groups.astype(object).to_numpy() if isinstance(groups, (pd.Series, pd.Index)) else np.asarray(groups, dtype=object)
    if g.ndim != 1 or len(g) != len(index):
        raise ObservationsError(f"{who}: groups has {len(g)} entries but X has {len(index)} rows; pass one cluster id "
                                "(e.g. the dyad) per row of X.")
    na = pd.isna(g)
    if na.any():
        raise ObservationsError(f"{who}: groups is missing in {int(na.sum())} rows (first: row {index[np.argmax(na)]!r}); "
                                "give every row its dyad id.")
    codes, uniq = pd.factorize(g)
    if len(uniq) < 2:
        raise ObservationsError(f"{who}: groups has {len(uniq)} distinct value; cluster-robust standard errors need at "
                                "least 2 clusters (pass groups=None for the independent-rows covariance).")
    return codes


def _cov_fit_kwargs(codes: np.ndarray | None) -> tuple[dict, str]:
    """statsmodels ``fit`` keywords and the ``meta["cov_type"]`` text for cluster codes (or None)."""
    if codes is None:
        return {}, "nonrobust (rows treated as independent)"
    return ({"cov_type": "cluster", "cov_kwds": {"groups": codes}},
            f"cluster: {int(codes.max()) + 1} groups")


def _design(X: pd.DataFrame, means: pd.Series, scales: pd.Series, missing_cols: Sequence[str]) -> np.ndarray:
    """Standardised design matrix with constant and missing dummies."""
    cols = list(means.index)
    V = X.reindex(columns=cols).to_numpy(dtype=float)
    miss = np.isnan(V)
    V = np.where(miss, means.to_numpy(), V)
    Z = (V - means.to_numpy()) / scales.to_numpy()
    dummies = [miss[:, cols.index(c)].astype(float) for c in missing_cols]
    return np.column_stack([np.ones(len(Z)), Z, *dummies]) if dummies else np.column_stack([np.ones(len(Z)), Z])


@dataclass
class HistoricalResults:
    """Fitted multinomial logit of ATOP outcome on structural features.

    Attributes
    ----------
    params : DataFrame
        Coefficients, rows ``const`` + features (standardised) + missing dummies,
        columns ``other`` and ``defense`` (``none`` is the base outcome).
    cov : ndarray
        Covariance of the stacked coefficients (column ``other`` first, then ``defense``):
        cluster-robust by dyad when fitted with ``groups`` (the shipped model is), else
        the inverse information matrix, which treats every dyad-year as independent;
        ``meta["cov_type"]`` says which.
    means, scales : Series
        Feature means and standard deviations of the training data (standardisation).
    missing_cols : list of str
        Features with a missing-indicator dummy.
    meta : dict
        Training years, sample, data versions, ``cov_type``, ``dropped_features``.
    sm_results : statsmodels results or None
        The statsmodels results object (not kept after loading from JSON).
    """

    params: pd.DataFrame
    cov: np.ndarray
    means: pd.Series
    scales: pd.Series
    missing_cols: list[str]
    meta: dict = field(default_factory=dict)
    sm_results: object = None

    @property
    def features(self) -> list[str]:
        return list(self.means.index)

    @property
    def bse(self) -> pd.DataFrame:
        se = np.sqrt(np.clip(np.diag(self.cov), 0, None))
        return pd.DataFrame(se.reshape(self.params.shape, order="F"), index=self.params.index,
                            columns=self.params.columns)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald intervals ``params ± z_{1-alpha/2} · bse``.

        Returns
        -------
        DataFrame
            Index: (term, outcome) MultiIndex (outcomes ``other``, ``defense``);
            columns ``lower``, ``upper``. The covariance is the one of ``meta["cov_type"]``.
        """
        from scipy.stats import norm
        z = norm.ppf(1 - alpha / 2)
        p, s = self.params.stack(), self.bse.stack()
        return pd.DataFrame({"lower": p - z * s, "upper": p + z * s})

    def summary(self):
        """statsmodels summary when the fit is in memory (equations named ``other`` and
        ``defense``, against ``none``), else a plain table; both state the covariance type."""
        if self.sm_results is not None:
            return self.sm_results.summary(yname="atop_label", yname_list=list(self.params.columns))
        t = pd.concat({"coef": self.params, "std err": self.bse}, axis=1)
        return (f"multinomial logit, base outcome 'none'; covariance: {self.meta.get('cov_type', 'not recorded')}\n"
                + t.to_string())

    def _eta(self, Xf: pd.DataFrame, params: np.ndarray | None = None) -> np.ndarray:
        D = _design(Xf, self.means, self.scales, self.missing_cols)
        B = self.params.to_numpy() if params is None else params
        return D @ B if B.ndim == 2 else np.einsum("nk,skj->snj", D, B)

    def linear_predictor(self, X: pd.DataFrame, params: np.ndarray | None = None) -> np.ndarray:
        """Log-odds against ``none``: shape ``(n, 2)``, or ``(s, n, 2)`` for ``s`` parameter draws.

        ``X`` must carry every feature column of the model (:class:`~alliance_index.errors.MissingColumnError`
        otherwise); NaN in a feature without a missing dummy is set to the training mean
        with a :class:`~alliance_index.errors.CoverageWarning`.
        """
        return self._eta(_predict_features(X, self.means, self.missing_cols, "linear_predictor", 3), params)

    def predict_proba(self, X: pd.DataFrame) -> pd.DataFrame:
        """Probabilities of ``none``, ``other``, ``defense`` (``X`` checked as in :meth:`linear_predictor`)."""
        eta = self._eta(_predict_features(X, self.means, self.missing_cols, "predict_proba", 3))
        e = np.column_stack([np.zeros(len(eta)), eta])
        e -= e.max(axis=1, keepdims=True)
        P = np.exp(e)
        P /= P.sum(axis=1, keepdims=True)
        return pd.DataFrame(P, index=X.index, columns=list(OUTCOMES))

    def draw_params(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws of the coefficient matrix from :math:`N(\\hat\\beta, \\hat V)`: ``(n, k, 2)``."""
        flat = self.params.to_numpy().ravel(order="F")
        d = rng.multivariate_normal(flat, self.cov, size=n, method="eigh")
        return d.reshape(n, *self.params.shape, order="F")

    def to_dict(self) -> dict:
        return {"model": "multinomial logit (statsmodels MNLogit), base outcome 'none'",
                "terms": list(self.params.index), "outcomes": list(self.params.columns),
                "params": self.params.to_numpy().tolist(), "cov": np.asarray(self.cov).tolist(),
                "feature_means": self.means.to_dict(), "feature_scales": self.scales.to_dict(),
                "missing_cols": list(self.missing_cols), "meta": self.meta}

    @classmethod
    def from_dict(cls, d: dict) -> "HistoricalResults":
        params = pd.DataFrame(d["params"], index=d["terms"], columns=d["outcomes"])
        return cls(params=params, cov=np.asarray(d["cov"], dtype=float),
                   means=pd.Series(d["feature_means"], dtype=float),
                   scales=pd.Series(d["feature_scales"], dtype=float),
                   missing_cols=list(d["missing_cols"]), meta=dict(d.get("meta", {})))

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, indent=1)


def fit_historical(X: pd.DataFrame, y: Sequence[str], *, groups: Sequence | None = None, meta: dict | None = None,
                   maxiter: int = 35) -> HistoricalResults:
    """Fit the multinomial logit of ATOP outcome on structural features.

    Parameters
    ----------
    X : DataFrame
        Features (e.g. :func:`~alliance_index.models.features.historical_features`), NaN = unknown.
    y : sequence of str
        ``"none"``, ``"other"`` or ``"defense"`` per row (the builder's ``atop_label``).
    groups : sequence, optional
        One cluster id per row of ``X``, normally the dyad. Given, the covariance
        (``bse``, ``conf_int()``, ``summary()``, ``draw_params()``) is the
        cluster-robust sandwich by these groups (statsmodels ``cov_type="cluster"``),
        which allows for the dependence of a dyad's years. Not given, the covariance
        is the inverse information matrix, which treats every row (dyad-year) as an
        independent observation: on a dyad-year panel its standard errors are then
        too small. ``meta["cov_type"]`` records which one was used.
    meta : dict, optional
        Recorded with the fit (training years, data versions).

    maxiter : int
        Newton iterations.

    Returns
    -------
    HistoricalResults

    Raises
    ------
    ObservationsError
        ``X`` is not a frame of numeric columns or holds ±inf; ``y`` has another length,
        NaN labels (ATOP ends in 2018), unknown labels, or lacks one of the three outcomes.

    Warns
    -----
    ConvergenceWarning, PerfectSeparationWarning (statsmodels)
        When the fit does not converge, or a term's standard error exceeds :data:`MAX_SE`
        (a separated term), naming the terms.

    Notes
    -----
    :math:`P(Y=j\\mid x) = e^{x'\\beta_j} / (1 + \\sum_{l} e^{x'\\beta_l})`, :math:`j \\in`
    {other, defense}, features standardised to mean 0, SD 1 on the training rows,
    missing cells at the mean plus a missing dummy. Features constant in the
    training data are dropped, and so are 0/1 features (region pairs) under which
    an outcome occurs fewer than :data:`MIN_CELL` times in the training data (they
    (quasi-)separate the data and their coefficient would diverge): those region pairs pool into the reference
    category (when none separates, the pair with the lowest defence share is the
    reference); ``meta["dropped_separating_features"]`` lists them, and
    ``meta["dropped_features"]`` maps every dropped feature to its reason
    (``"constant"``, ``"all missing"``, ``"separating"`` or ``"reference category"``).

    With ``groups`` (clusters :math:`g`), the covariance is
    :math:`\\hat V = c\\, H^{-1} \\big(\\sum_g s_g s_g'\\big) H^{-1}` with :math:`s_g` the sum of
    the score over cluster :math:`g`, :math:`H` the Hessian and
    :math:`c = \\frac{G}{G-1}\\frac{n-1}{n-k}` (statsmodels' small-sample correction).
    """
    import statsmodels.api as sm

    X = _float_features(X, "fit_historical")
    y = _check_labels(y, X.index, "fit_historical")
    gcodes = _cluster_groups(groups, X.index, "fit_historical")
    means, scales = X.mean(), X.std()
    codes = pd.Categorical(y, categories=list(OUTCOMES)).codes
    keep, reasons, dropped = _screen_features(X, codes, len(OUTCOMES))
    # region pairs: the dropped (separating) pairs form the reference category; if none was
    # dropped, the pair with the lowest defence share is the reference
    regs = [c for c in X.columns if c.startswith("reg_")]
    if regs and all(bool(keep[c]) for c in regs):
        share = [np.mean(codes[X[c].to_numpy() == 1] == 2) for c in regs]
        ref = regs[int(np.argmin(share))]
        keep[ref] = False
        dropped.append(ref)
        reasons[ref] = "reference category"
    means, scales = means[keep], scales[keep]
    missing_cols = _missing_dummies(X, means.index, codes, len(OUTCOMES))
    D = _design(X, means, scales, missing_cols)
    terms = ["const"] + list(means.index) + [f"{c}__missing" for c in missing_cols]
    fit_kw, cov_type = _cov_fit_kwargs(gcodes)
    outcomes = ["other", "defense"]
    res, converged = _fit_checked(sm.MNLogit(codes, pd.DataFrame(D, columns=terms)), "fit_historical", maxiter,
                                  fit_kw, [f"{t}[{o}]" for o in outcomes for t in terms])
    params = pd.DataFrame(np.asarray(res.params), index=terms, columns=outcomes)
    cov = np.asarray(res.cov_params())
    m = dict(meta or {})
    m.update({"cov_type": cov_type, "dropped_features": reasons,
              "dropped_separating_features": dropped, "n_obs": int(len(y)), "outcome_counts": {k: int((y == k).sum()) for k in OUTCOMES},
              "converged": converged, "llf": float(res.llf)})
    return HistoricalResults(params=params, cov=cov, means=means, scales=scales,
                             missing_cols=missing_cols, meta=m, sm_results=res)


def p_defense_vs_other(P: pd.DataFrame | np.ndarray) -> np.ndarray:
    """:math:`P(\\text{defense} \\mid \\text{any pact}) = p_d / (p_d + p_o)`."""
    P = P[["other", "defense"]].to_numpy() if isinstance(P, pd.DataFrame) else np.asarray(P)[:, -2:]
    return P[:, 1] / np.clip(P[:, 0] + P[:, 1], 1e-300, None)


class AllianceClassifier(ClassifierMixin, BaseEstimator):
    """scikit-learn classifier of alliance outcomes from structural features.

    Parameters
    ----------
    method : {"boosting", "logit"}
        Histogram gradient boosting (native NaN handling) or an L2-penalised
        multinomial logistic regression (standardised, missing-indicator method).
    max_iter : int
        Boosting iterations / logit solver iterations.
    learning_rate : float
        Boosting learning rate.
    C : float
        Inverse L2 penalty of the logit.
    random_state : int or None
        Seed of the boosting (early-stopping split and binning).

    Attributes
    ----------
    classes_ : ndarray
    n_features_in_ : int
    feature_names_in_ : ndarray (when fitted on a DataFrame)
    estimator_ : the fitted inner scikit-learn estimator

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = np.where(X[:, 0] > 0, "defense", "none")
    >>> AllianceClassifier(method="logit").fit(X, y).predict_proba(X).shape
    (200, 2)
    """

    def __init__(self, method: Literal["boosting", "logit"] = "boosting", max_iter: int = 300,
                 learning_rate: float = 0.05, C: float = 1.0, random_state: int | None = None):
        self.method = method
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.C = C
        self.random_state = random_state

    def _inner(self):
        if self.method == "boosting":
            from sklearn.ensemble import HistGradientBoostingClassifier
            return HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=self.learning_rate,
                                                  random_state=self.random_state)
        if self.method == "logit":
            from sklearn.linear_model import LogisticRegression
            return LogisticRegression(C=self.C, max_iter=max(self.max_iter, 100))
        from ..errors import MethodError, suggest
        raise MethodError(f"method must be 'boosting' or 'logit', not {self.method!r}."
                          f"{suggest(str(self.method), ('boosting', 'logit'))}")

    def _prep(self, X: np.ndarray, fit: bool, sample_weight=None) -> np.ndarray:
        if self.method != "logit":  # a column never observed carries no information: constant 0
            if fit:
                self.empty_ = np.isnan(X).all(0)
            return np.where(self.empty_, 0.0, X) if self.empty_.any() else X
        if fit:  # (weighted) mean and SD over the observed cells of each column
            w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
            obs = ~np.isnan(X)
            W = np.where(obs, w[:, None], 0.0)
            tot = W.sum(0)
            Xz = np.where(obs, X, 0.0)
            self.mean_ = np.where(tot > 0, (W * Xz).sum(0) / np.where(tot > 0, tot, 1), 0.0)
            sd = np.sqrt(np.where(tot > 0, (W * (Xz - self.mean_) ** 2 * obs).sum(0) / np.where(tot > 0, tot, 1), 0))
            self.scale_ = np.where((sd > 0) & np.isfinite(sd), sd, 1.0)
            self.missing_mask_ = np.isnan(X).any(0)
        miss = np.isnan(X)
        Z = (np.where(miss, self.mean_, X) - self.mean_) / self.scale_
        return np.column_stack([Z, miss[:, self.missing_mask_].astype(float)])

    def fit(self, X, y, sample_weight=None):
        """Fit on features ``X`` (NaN allowed) and labels ``y``; returns self."""
        inner = self._inner()
        na = pd.isna(np.asarray(y, dtype=object)) if y is not None else np.zeros(0, dtype=bool)
        if na.any():  # before validate_data, which fails on pandas NA with a bare TypeError
            from ..errors import ObservationsError
            raise ObservationsError(
                f"AllianceClassifier.fit: Input y contains NaN/NA in {int(na.sum())} label(s) (first at position "
                f"{int(np.argmax(na.ravel()))}). atop_label is NaN for years ATOP does not cover (after 2018): "
                "drop those rows before fitting.")
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=float)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"AllianceClassifier needs at least two classes in y; got 1 class: {self.classes_[0]!r}")
        est = inner.fit(self._prep(X, True, sample_weight), y, sample_weight=sample_weight)
        self.estimator_ = est
        self.n_iter_ = np.atleast_1d(np.asarray(getattr(est, "n_iter_", self.max_iter))).astype(int)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``."""
        check_is_fitted(self, "estimator_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=float)
        P = self.estimator_.predict_proba(self._prep(X, False))
        pos = np.searchsorted(self.classes_, self.estimator_.classes_)
        out = np.zeros((len(X), len(self.classes_)))
        out[:, pos] = P
        return out

    def predict(self, X) -> np.ndarray:
        """Most probable class."""
        check_is_fitted(self, "estimator_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
