"""Formation (onset) model: will a defence pact begin within ``h`` years?

A discrete-time hazard model (Beck, Katz & Tucker 1998; Carter & Signorino
2010) on dyad-years *without* a defence pact: the outcome is that one begins
in years :math:`t+1 … t+h`; duration dependence enters as a cubic in the
years since the dyad last had a defence pact (or since it entered the data,
left-censored at the frame's first year).
"""
from __future__ import annotations

import json
import warnings
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
    y = dy["year"].to_numpy(dtype=np.int64)
    lab = dy["atop_label"].astype(object).to_numpy()
    known = pd.notna(lab) & (lab != "") & (lab != "nan")
    dfn = (lab == "defense") & known
    if last_year is None:
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
    missing dummies last); ``summary()`` from statsmodels when in memory.
    """

    params: pd.Series
    cov: np.ndarray
    means: pd.Series
    scales: pd.Series
    missing_cols: list[str]
    h: int
    meta: dict = field(default_factory=dict)
    sm_results: object = None

    def summary(self):
        if self.sm_results is not None:
            return self.sm_results.summary()
        return pd.DataFrame({"coef": self.params, "std err": self.bse}).to_string()

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Probability of onset within ``h`` years."""
        from .historical import _design
        eta = _design(X, self.means, self.scales, self.missing_cols) @ self.params.to_numpy()
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

    Notes
    -----
    :math:`P(\\text{onset in } t+1..t+h) = \\Lambda(\\alpha + x_t'\\beta + \\gamma_1 d + \\gamma_2 d^2 + \\gamma_3 d^3)`
    with :math:`d` the years since the last defence pact, in decades.
    """
    import statsmodels.api as sm
    from .historical import _cluster_groups, _cov_fit_kwargs, _design, _sparse_binary

    yv = np.asarray(onset, dtype=float)
    gcodes = _cluster_groups(groups, X.index, "fit_formation")
    keep = ~np.isnan(yv)
    X, yv = X[keep], yv[keep]
    if gcodes is not None:
        gcodes = pd.factorize(gcodes[keep])[0]
    means, scales = X.mean(), X.std()
    ok = (scales > 0) & scales.notna()
    reasons = {c: ("all missing" if X[c].notna().sum() == 0 else "constant") for c in X.columns[~ok.to_numpy()]}
    dropped = []
    for c in X.columns[ok.to_numpy()]:  # sparse 0/1 cells (quasi-)separate the data: drop them
        if _sparse_binary(X[c].to_numpy(dtype=float), yv.astype(int), 2):
            ok[c] = False
            dropped.append(c)
            reasons[c] = "separating"
    means, scales = means[ok], scales[ok]
    missing_cols = [c for c in means.index if X[c].isna().any()
                    and not _sparse_binary(X[c].isna().to_numpy(dtype=float), yv.astype(int), 2)]
    D = _design(X, means, scales, missing_cols)
    terms = ["const"] + list(means.index) + [f"{c}__missing" for c in missing_cols]
    fit_kw, cov_type = _cov_fit_kwargs(gcodes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.Logit(yv, pd.DataFrame(D, columns=terms)).fit(method="newton", maxiter=100, disp=False, **fit_kw)
    m = dict(meta or {})
    m.update({"cov_type": cov_type, "dropped_features": reasons, "dropped_sparse_features": dropped, "n_obs": int(len(yv)), "onsets": int(yv.sum()), "llf": float(res.llf),
              "converged": bool(res.mle_retvals.get("converged", False))})
    return FormationResults(params=pd.Series(np.asarray(res.params), index=terms),
                            cov=np.asarray(res.cov_params()), means=means, scales=scales,
                            missing_cols=missing_cols, h=h, meta=m, sm_results=res)
