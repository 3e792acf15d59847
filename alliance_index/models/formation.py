"""Formation (onset) model: will a defence pact begin within ``h`` years?

A discrete-time hazard model (Beck, Katz & Tucker 1998; Carter & Signorino
2010) on dyad-years *without* a defence pact: the outcome is that one begins
in years :math:`t+1 … t+h`; duration dependence enters as a cubic in the
years since the dyad last had a defence pact (or since it entered the data,
left-censored at the frame's first year).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._wald import WaldResultsMixin

__all__ = ["onset_frame", "duration_terms", "FormationResults", "fit_formation"]


def onset_frame(dy: pd.DataFrame, h: int = 5, last_year: int | None = None) -> pd.DataFrame:
    """Onset outcome and duration for every dyad-year of the builder's output.

    Parameters
    ----------
    dy : DataFrame
        ``ccode1, ccode2, year, atop_label`` (non-directed builder output).
    h : int
        Horizon in years.
    last_year : int, optional
        Last year with known labels (default: last year with a non-missing ``atop_label``).

    Returns
    -------
    DataFrame (same index as ``dy``)
        ``at_risk`` (no defence pact at *t*), ``onset`` (1.0 if a defence pact is in
        force in some year *t+1 … t+h*, 0.0 if not, NaN when *t+h* is past
        ``last_year`` or the dyad is not at risk), ``duration`` (years since the last
        defence-pact year, or since the dyad's first year in ``dy``), ``ever_defense``.
    """
    from ..errors import MethodError, MissingColumnError
    if isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, np.integer)) or h < 1:
        raise MethodError(f"onset_frame: h must be an integer number of years >= 1, not {h!r} (h=5: a defence pact "
                          "begins within the next 5 years).")
    absent = [c for c in ("ccode1", "ccode2", "year", "atop_label") if c not in dy.columns]
    if absent:
        raise MissingColumnError(f"onset_frame: dy lacks the column(s) {absent}; pass the non-directed output of "
                                 "build_dyad_years built with the 'atop' source (it gives atop_label).")
    y = dy["year"].to_numpy(dtype=np.int64)
    lab = dy["atop_label"].astype(object).to_numpy()
    known = pd.notna(lab) & (lab != "") & (lab != "nan")
    dfn = (lab == "defense") & known
    if last_year is None:
        if not known.any():
            raise MissingColumnError("onset_frame: atop_label is NaN in every row, so no onset is known; ATOP "
                                     "covers 1815-2018: build years inside that range.")
        last_year = int(y[known].max())
    pair = dy["ccode1"].to_numpy(dtype=np.int64) * 1000 + dy["ccode2"].to_numpy(dtype=np.int64)
    key = pair * 10000 + y
    dkeys = np.sort(key[dfn])
    fut = np.zeros(len(dy), dtype=bool)
    for k in range(1, h + 1):  # h vectorised look-ups
        pos = np.searchsorted(dkeys, key + k)
        fut |= (pos < len(dkeys)) & (dkeys[np.minimum(pos, len(dkeys) - 1)] == key + k)
    at_risk = known & ~dfn
    onset = np.where(at_risk & (y + h <= last_year), fut.astype(float), np.nan)
    # duration since last defence year (vectorised within dyad via groupby cummax)
    order = np.lexsort((y, pair))
    s = pd.DataFrame({"pair": pair[order], "year": y[order],
                      "dyear": np.where(dfn[order], y[order], -10**6)})
    lastdef = s.groupby("pair")["dyear"].cummax().to_numpy()
    first = s.groupby("pair")["year"].transform("min").to_numpy()
    dur_sorted = np.where(lastdef > -10**6, s["year"].to_numpy() - lastdef, s["year"].to_numpy() - first)
    ever_sorted = (lastdef > -10**6).astype(float)
    dur = np.empty(len(dy))
    ever = np.empty(len(dy))
    dur[order] = dur_sorted
    ever[order] = ever_sorted
    return pd.DataFrame({"at_risk": at_risk, "onset": onset, "duration": dur, "ever_defense": ever},
                        index=dy.index)


def duration_terms(duration, ever) -> pd.DataFrame:
    """Cubic duration polynomial (Carter & Signorino), in decades, plus ``ever_defense``."""
    d = np.asarray(duration, dtype=float) / 10.0
    return pd.DataFrame({"dur": d, "dur2": d ** 2, "dur3": d ** 3,
                         "ever_defense": np.asarray(ever, dtype=float)})


@dataclass
class FormationResults(WaldResultsMixin):
    """Fitted discrete-time hazard (logit) of defence-pact onset within ``h`` years.

    ``params`` (Series) and ``cov`` on the standardised design (``const`` first,
    missing dummies last); ``summary()`` from statsmodels when in memory. ``cov`` is
    cluster-robust by dyad when fitted with ``groups`` (the shipped model is), else it
    treats every dyad-year as independent; ``meta["cov_type"]`` says which.
    """

    params: pd.Series
    cov: np.ndarray
    means: pd.Series
    scales: pd.Series
    missing_cols: list[str]
    h: int
    meta: dict = field(default_factory=dict)
    sm_results: object = None

    @property
    def features(self) -> list[str]:
        return list(self.means.index)

    def summary(self):
        """statsmodels summary when in memory, else a plain table; both state the covariance type."""
        if self.sm_results is not None:
            return self.sm_results.summary(yname=f"onset within {self.h} years")
        return (f"onset of a defence pact within {self.h} years; covariance: {self.meta.get('cov_type', 'not recorded')}\n"
                + pd.DataFrame({"coef": self.params, "std err": self.bse}).to_string())

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of onset within ``h`` years.

        ``X`` must carry every feature column of the model (:class:`~alliance_index.errors.MissingColumnError`
        otherwise); NaN in a feature without a missing dummy is set to the training mean
        with a :class:`~alliance_index.errors.CoverageWarning`.
        """
        from .historical import _design, _predict_features
        Xf = _predict_features(X, self.means, self.missing_cols, "FormationResults.predict", 3)
        eta = _design(Xf, self.means, self.scales, self.missing_cols) @ self.params.to_numpy()
        return 1.0 / (1.0 + np.exp(-eta))

    def to_dict(self) -> dict:
        return {"model": f"discrete-time hazard logit, onset of a defence pact within {self.h} years",
                "h": self.h, "terms": list(self.params.index), "params": self.params.tolist(),
                "cov": np.asarray(self.cov).tolist(), "feature_means": self.means.to_dict(),
                "feature_scales": self.scales.to_dict(), "missing_cols": self.missing_cols, "meta": self.meta}

    @classmethod
    def from_dict(cls, d: dict) -> "FormationResults":
        return cls(params=pd.Series(d["params"], index=d["terms"]), cov=np.asarray(d["cov"]),
                   means=pd.Series(d["feature_means"], dtype=float),
                   scales=pd.Series(d["feature_scales"], dtype=float),
                   missing_cols=list(d["missing_cols"]), h=int(d["h"]), meta=d.get("meta", {}))

    def save(self, path) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh, indent=1)


def fit_formation(X: pd.DataFrame, onset, h: int = 5, meta: dict | None = None, *,
                  groups=None) -> FormationResults:
    """Fit the onset logit on at-risk dyad-years with a known outcome.

    Parameters
    ----------
    X : DataFrame
        Structural features plus :func:`duration_terms` and, typically, ``other_pact``.
    onset : array-like
        1/0 outcome (rows with NaN are dropped).
    h : int
        The horizon the outcome was built with.
    meta : dict, optional
        Recorded with the fit.
    groups : array-like, optional
        One cluster id per row of ``X`` (normally the dyad; rows whose outcome is NaN
        are dropped with their group). Given, the covariance (``bse``, ``conf_int()``,
        ``summary()``) is the cluster-robust sandwich by these groups (statsmodels
        ``cov_type="cluster"``); not given, it treats every dyad-year as an independent
        observation and its standard errors are too small on a panel.
        ``meta["cov_type"]`` records which one was used.

    Raises
    ------
    ObservationsError
        ``X`` not numeric or holding ±inf; ``onset`` of another length, not 0/1/NaN, or
        without both outcomes.

    Warns
    -----
    ConvergenceWarning, PerfectSeparationWarning (statsmodels)
        When the fit does not converge, or a term's standard error explodes, naming the terms.

    Notes
    -----
    Features constant in the fitted rows and sparse 0/1 features (fewer than
    :data:`~alliance_index.models.historical.MIN_CELL` onsets or non-onsets where the
    feature is 1) are dropped; ``meta["dropped_features"]`` gives each one's reason.

    :math:`P(\\text{onset in } t+1..t+h) = \\Lambda(\\alpha + x_t'\\beta + \\gamma_1 d + \\gamma_2 d^2 + \\gamma_3 d^3)`
    with :math:`d` the years since the last defence pact, in decades.
    """
    import statsmodels.api as sm
    from ..errors import MethodError, ObservationsError
    from .historical import (_cluster_groups, _cov_fit_kwargs, _design, _fit_checked, _float_features,
                             _missing_dummies, _screen_features)

    if isinstance(h, (bool, np.bool_)) or not isinstance(h, (int, np.integer)) or h < 1:
        raise MethodError(f"fit_formation: h must be an integer number of years >= 1, not {h!r}.")
    X = _float_features(X, "fit_formation")
    try:
        yv = (onset.astype("float64").to_numpy() if isinstance(onset, pd.Series)
              else np.asarray(onset, dtype=float))
    except (TypeError, ValueError):
        raise ObservationsError("fit_formation: onset must be 1/0 numbers (NaN where unknown), e.g. "
                                "onset_frame(dy)['onset'].") from None
    if yv.ndim != 1 or len(yv) != len(X):
        raise ObservationsError(f"fit_formation: onset has {len(yv)} values but X has {len(X)} rows; give one "
                                "outcome per row of X, in the same order.")
    bad = ~(np.isnan(yv) | np.isin(yv, (0.0, 1.0)))
    if bad.any():
        raise ObservationsError(f"fit_formation: onset is {float(yv[bad][0])!r} in row {X.index[np.argmax(bad)]!r} "
                                f"({int(bad.sum())} row(s) in all); it must be 1 (onset), 0 or NaN (unknown).")
    known = yv[~np.isnan(yv)]
    if len(np.unique(known)) < 2:
        raise ObservationsError(f"fit_formation: onset is {'never' if not known.any() else 'always'} 1 among the "
                                f"{len(known)} rows with a known outcome; the logit needs both onsets and non-onsets "
                                "(widen the years or sample).")
    gcodes = _cluster_groups(groups, X.index, "fit_formation")
    keep = ~np.isnan(yv)
    X, yv = X[keep], yv[keep]
    if gcodes is not None:
        gcodes = pd.factorize(gcodes[keep])[0]
    means, scales = X.mean(), X.std()
    ok, reasons, dropped = _screen_features(X, yv.astype(int), 2)
    means, scales = means[ok], scales[ok]
    missing_cols = _missing_dummies(X, means.index, yv.astype(int), 2)
    D = _design(X, means, scales, missing_cols)
    terms = ["const"] + list(means.index) + [f"{c}__missing" for c in missing_cols]
    fit_kw, cov_type = _cov_fit_kwargs(gcodes)
    res, converged = _fit_checked(sm.Logit(yv, pd.DataFrame(D, columns=terms)), "fit_formation", 100, fit_kw, terms)
    m = dict(meta or {})
    m.update({"cov_type": cov_type, "dropped_features": reasons, "dropped_sparse_features": dropped, "n_obs": int(len(yv)), "onsets": int(yv.sum()), "llf": float(res.llf),
              "converged": converged})
    return FormationResults(params=pd.Series(np.asarray(res.params), index=terms),
                            cov=np.asarray(res.cov_params()), means=means, scales=scales,
                            missing_cols=missing_cols, h=h, meta=m, sm_results=res)
