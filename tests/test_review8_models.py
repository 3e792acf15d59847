"""s8 review findings on the historical and formation models (notes/s8/review.md 3, 4, 5, 6, 12, 15)."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import ObservationsError
from alliance_index.models.formation import fit_formation
from alliance_index.models.historical import HistoricalResults, fit_historical

FITTED = __import__("pathlib").Path(__file__).resolve().parent.parent / "alliance_index" / "models" / "fitted"


def _panel(n: int = 3000, n_groups: int = 300, seed: int = 0):
    """Synthetic 'dyad-year' data with a shared dyad effect (so clustering matters)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_groups, n)
    u = rng.normal(size=n_groups)[g]
    X = pd.DataFrame({"a": rng.normal(size=n) + u, "b": rng.normal(size=n)})
    eta = np.column_stack([np.zeros(n), -1 + X["a"] + u, -2 + 0.5 * X["b"] + u])
    P = np.exp(eta)
    P /= P.sum(1, keepdims=True)
    y = np.array(["none", "other", "defense"])[(P.cumsum(1) > rng.random(n)[:, None]).argmax(1)]
    return X, y, np.char.add("D", g.astype(str))


# ---------------------------------------------------------------- finding 6: dyad-clustered covariance

def test_fit_historical_groups_gives_statsmodels_cluster_covariance():
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_cluster

    X, y, g = _panel()
    iid = fit_historical(X, y)
    clu = fit_historical(X, y, groups=g)
    assert iid.meta["cov_type"] == "nonrobust (rows treated as independent)"
    assert clu.meta["cov_type"] == "cluster: 300 groups"
    np.testing.assert_allclose(clu.params.to_numpy(), iid.params.to_numpy(), rtol=0, atol=1e-12)
    # the same sandwich computed independently by statsmodels on the same design
    D = sm.add_constant(((X - X.mean()) / X.std()).to_numpy())
    codes = pd.Categorical(y, categories=["none", "other", "defense"]).codes
    ref = sm.MNLogit(codes, D).fit(disp=False)
    np.testing.assert_allclose(clu.cov, cov_cluster(ref, pd.factorize(g)[0]), rtol=1e-6, atol=1e-12)
    assert not np.allclose(clu.bse.to_numpy(), iid.bse.to_numpy(), rtol=0.02)
    # bse, conf_int and draw_params all read the cluster covariance
    np.testing.assert_allclose(clu.bse.to_numpy().ravel(order="F"), np.sqrt(np.diag(clu.cov)))
    ci = clu.conf_int()
    np.testing.assert_allclose((ci["upper"] - ci["lower"]).to_numpy(),
                               2 * 1.959963984540054 * clu.bse.stack().to_numpy(), rtol=1e-9)
    d = clu.draw_params(20000, np.random.default_rng(1))
    np.testing.assert_allclose(d.std(axis=0), clu.bse.to_numpy(), rtol=0.05)
    assert "cluster" in str(clu.summary())
    # the choice survives the JSON round trip
    back = HistoricalResults.from_dict(json.loads(json.dumps(clu.to_dict())))
    assert back.meta["cov_type"] == "cluster: 300 groups"
    np.testing.assert_allclose(back.cov, clu.cov)


def test_fit_formation_groups_gives_statsmodels_cluster_covariance():
    import statsmodels.api as sm

    X, y, g = _panel(seed=3)
    onset = (y == "defense").astype(float)
    onset[:50] = np.nan  # dropped rows take their group with them
    iid = fit_formation(X, onset)
    clu = fit_formation(X, onset, groups=g)
    assert iid.meta["cov_type"].startswith("nonrobust")
    assert clu.meta["cov_type"].startswith("cluster: ")
    np.testing.assert_allclose(clu.params.to_numpy(), iid.params.to_numpy(), atol=1e-10)
    keep = ~np.isnan(onset)
    Xk = X[keep]
    D = sm.add_constant(((Xk - Xk.mean()) / Xk.std()).to_numpy())
    ref = sm.Logit(onset[keep], D).fit(disp=False, cov_type="cluster", cov_kwds={"groups": pd.factorize(g[keep])[0]})
    np.testing.assert_allclose(clu.cov, ref.cov_params(), rtol=1e-6, atol=1e-12)


def test_groups_must_match_rows():
    X, y, g = _panel(n=400, n_groups=40)
    with pytest.raises(ObservationsError, match="groups has 399 entries but X has 400 rows"):
        fit_historical(X, y, groups=g[:-1])
    bad = g.astype(object)
    bad[7] = None
    with pytest.raises(ObservationsError, match="groups is missing in 1 rows"):
        fit_historical(X, y, groups=bad)
    with pytest.raises(ObservationsError, match="groups is missing"):
        fit_formation(X, (y == "defense").astype(float), groups=bad)


@pytest.mark.parametrize("name", ["historical", "formation"])
def test_shipped_models_use_dyad_clustered_covariance(name):
    meta = json.loads((FITTED / f"{name}.json").read_text(encoding="utf-8"))["meta"]
    assert meta["cov_type"].startswith("cluster: ")
    assert int(meta["cov_type"].split()[1]) > 10000  # one cluster per dyad, not per dyad-year


# ---------------------------------------------------------------- finding 3: absent feature columns / NaN without dummy

def _fits():
    X, y, _ = _panel(n=1500, n_groups=150, seed=5)
    X = X.assign(c=np.where(np.arange(len(X)) % 2 == 0, np.nan, X["a"] * 0.3 + 1))  # c has a missing dummy
    h = fit_historical(X, y)
    f = fit_formation(X, (y == "defense").astype(float))
    return X, h, f


def test_predict_with_an_absent_feature_column_raises_naming_it():
    from alliance_index.errors import MissingColumnError

    X, h, f = _fits()
    assert h.missing_cols == ["c"]
    for call, name in ((h.predict_proba, "predict_proba"), (h.linear_predictor, "linear_predictor"),
                       (f.predict, "FormationResults.predict")):
        with pytest.raises(MissingColumnError, match=rf"{name}: X lacks the feature column\(s\) \['a'\]"):
            call(X.drop(columns=["a"]))
    with pytest.raises(MissingColumnError, match="Did you mean: A"):
        h.predict_proba(X.rename(columns={"a": "A"}))


def test_nan_in_a_feature_without_missing_dummy_warns_once_with_count_and_mean():
    from alliance_index.errors import CoverageWarning

    X, h, f = _fits()
    Xn = X.copy()
    Xn.loc[Xn.index[:3], "a"] = np.nan
    Xn.loc[Xn.index[:10], "c"] = np.nan  # c has a dummy: no warning for it
    for call in (h.predict_proba, h.linear_predictor, f.predict):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            call(Xn)
        cov = [x for x in w if issubclass(x.category, CoverageWarning)]
        assert len(cov) == 1, [str(x.message) for x in w]
        msg = str(cov[0].message)
        assert f"a is missing in 3 row(s), set to the training mean {h.means['a']:.4g}" in msg and "c is" not in msg
        assert cov[0].filename == __file__  # points at the caller's line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h.predict_proba(X)  # complete features: silent
        f.predict(X)


def test_structural_logodds_path_stays_silent():
    """commitment.structural_logodds calls _design directly; NaN there is the hot-deck's business."""
    from alliance_index.models.historical import _design

    X, h, _ = _fits()
    Xn = X.copy()
    Xn.loc[Xn.index[:3], "a"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        D = _design(Xn, h.means, h.scales, h.missing_cols)
    assert D.shape == (len(X), len(h.params))


# ---------------------------------------------------------------- finding 4: non-convergence and separation are reported

def _sep_data():
    rng = np.random.default_rng(0)
    n = 3000
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)})
    u = rng.random(n)
    y = np.where(u < 1 / (1 + np.exp(-1.5 * X["a"])) * .5, "defense", np.where(u < .7, "other", "none"))
    return X, y, rng


def test_non_convergence_warns():
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    X, y, _ = _sep_data()
    with pytest.warns(ConvergenceWarning, match=r"fit_historical: the Newton fit did not converge in maxiter=1"):
        h = fit_historical(X, y, maxiter=1)
    assert h.meta["converged"] is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit_historical(X, y)  # a regular fit is silent


def test_separated_term_warns_naming_it():
    from statsmodels.tools.sm_exceptions import ModelWarning

    X, y, rng = _sep_data()
    X["sep"] = np.where(y == "defense", 1.0, 0.0) + rng.normal(0, 1e-3, len(y))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fit_historical(X, y)
    ours = [x for x in w if issubclass(x.category, ModelWarning)]
    assert len(ours) == 1 and "sep[defense]" in str(ours[0].message) and "separated" in str(ours[0].message)
    assert ours[0].filename == __file__
    onset = np.where(X["a"] > 0, 1.0, 0.0)
    Xf = X[["a", "b"]].assign(sep=onset + rng.normal(0, 1e-3, len(y)))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        fit_formation(Xf, onset)
    ours = [x for x in w if issubclass(x.category, ModelWarning)]
    assert len(ours) == 1 and "fit_formation" in str(ours[0].message) and "sep" in str(ours[0].message)


# ---------------------------------------------------------------- finding 5: ±inf rejected, dropped features recorded

def test_inf_feature_is_rejected_naming_column_and_row():
    X, y, _ = _sep_data()
    X.loc[5, "a"] = -np.inf
    with pytest.raises(ObservationsError, match=r"fit_historical: feature 'a' is ±inf in 1 row\(s\) \(first: row 5\)"):
        fit_historical(X, y)
    with pytest.raises(ObservationsError, match=r"fit_formation: feature 'a' is ±inf"):
        fit_formation(X, (y == "defense").astype(float))
    X.loc[5, "a"] = 0.0
    h = fit_historical(X, y)
    X2 = X.copy()
    X2.loc[9, "b"] = np.inf
    with pytest.raises(ObservationsError, match=r"feature 'b' is ±inf in 1 row\(s\) \(first: row 9\)"):
        h.predict_proba(X2)


def test_every_dropped_feature_is_recorded_with_its_reason():
    X, y, _ = _sep_data()
    n = len(X)
    X["k"] = 2.0  # constant
    X["e"] = np.nan  # never observed
    X["reg_x"] = (np.arange(n) < 10).astype(float)  # 0/1 with sparse outcome cells: separating
    X["reg_y"] = (np.arange(n) >= 10).astype(float)
    h = fit_historical(X, y)
    dropped = h.meta["dropped_features"]
    assert dropped["k"] == "constant" and dropped["e"] == "all missing" and dropped["reg_x"] == "separating"
    assert "reg_x" in h.meta["dropped_separating_features"]  # kept for compatibility
    assert not set(dropped) & set(h.params.index)
    f = fit_formation(X, (y == "defense").astype(float))
    assert f.meta["dropped_features"]["k"] == "constant" and f.meta["dropped_features"]["reg_x"] == "separating"


# ---------------------------------------------------------------- finding 12: clear errors on common mistakes

def test_fit_historical_label_errors():
    X, y, _ = _sep_data()
    with pytest.raises(ObservationsError, match=r"y has no 'other' outcome; the multinomial logit needs all three"):
        fit_historical(X, np.where(y == "other", "none", y))
    with pytest.raises(ObservationsError, match=r"y has 2995 labels but X has 3000 rows"):
        fit_historical(X, y[:-5])
    ys = pd.Series(y, dtype="string")
    ys.iloc[4] = pd.NA
    with pytest.raises(ObservationsError, match=r"y is missing \(NaN\) in 1 row\(s\) \(first: row 4\).*after 2018.*drop"):
        fit_historical(X, ys)
    yo = y.astype(object)
    yo[[2, 3]] = np.nan
    with pytest.raises(ObservationsError, match=r"missing \(NaN\) in 2 row\(s\) \(first: row 2\)"):
        fit_historical(X, yo)
    yo = y.astype(object)
    yo[0] = "defence"
    with pytest.raises(ObservationsError, match=r"outcome 'defence' \(row 0.*Did you mean: defense"):
        fit_historical(X, yo)
    with pytest.raises(ObservationsError, match="not numeric"):
        fit_historical(X.assign(c="x"), y)
    Xn = X.astype("Float64")
    Xn.loc[0, "a"] = pd.NA  # nullable NA is read as NaN (a missing dummy), not an error
    hn = fit_historical(Xn, y)
    assert "a" in hn.params.index and np.isfinite(hn.params.to_numpy()).all()


def test_formation_input_errors():
    from alliance_index.errors import MethodError, MissingColumnError
    from alliance_index.models.formation import onset_frame

    dy = pd.DataFrame({"ccode1": [2, 2, 2], "ccode2": [20, 20, 20], "year": [2000, 2001, 2002],
                       "atop_label": ["none", "none", "defense"]})
    with pytest.raises(MissingColumnError, match=r"lacks the column\(s\) \['atop_label'\].*'atop' source"):
        onset_frame(dy.drop(columns=["atop_label"]))
    for bad in (0, -1, 2.5, "5"):
        with pytest.raises(MethodError, match="h must be an integer number of years >= 1"):
            onset_frame(dy, h=bad)
    assert onset_frame(dy, h=1)["onset"].tolist()[:2] == [0.0, 1.0]
    X, y, _ = _sep_data()
    with pytest.raises(ObservationsError, match="onset has 10 values but X has 3000 rows"):
        fit_formation(X, np.zeros(10))
    with pytest.raises(ObservationsError, match=r"onset is 2.0 in row 0"):
        fit_formation(X, np.r_[2.0, np.zeros(len(X) - 1)])
    with pytest.raises(ObservationsError, match="onset is never 1"):
        fit_formation(X, np.zeros(len(X)))
    with pytest.raises(MethodError, match="h must be"):
        fit_formation(X, (y == "defense").astype(float), h=0)


# ---------------------------------------------------------------- finding 15: names in summary, conf_int shape

def test_summary_names_the_equations_and_conf_int_shape():
    X, y, g = _panel(n=800, n_groups=80)
    h = fit_historical(X, y, groups=g)
    s = str(h.summary())
    assert "atop_label" in s and " other " in s and " defense " in s and "y=1" not in s
    ci = h.conf_int()
    assert list(ci.columns) == ["lower", "upper"]
    assert list(ci.index)[:2] == [("const", "other"), ("const", "defense")]
    plain = HistoricalResults.from_dict(h.to_dict()).summary()
    assert "covariance: cluster: 80 groups" in plain
    f = fit_formation(X, (y == "defense").astype(float), groups=g)
    assert "onset within 5 years" in str(f.summary())
    assert "(term, outcome) MultiIndex" in HistoricalResults.conf_int.__doc__


def test_alliance_classifier_na_labels_give_one_clear_error():
    from alliance_index.models import AllianceClassifier

    X = np.random.default_rng(0).normal(size=(20, 2))
    y = pd.Series(["none", "defense"] * 10, dtype="string")
    y[3] = pd.NA
    for yy in (y, y.astype(object).to_numpy(), np.where(np.arange(20) == 3, np.nan, 1.0)):
        with pytest.raises(ObservationsError, match=r"Input y contains NaN/NA in 1 label\(s\) \(first at position 3\).*after 2018"):
            AllianceClassifier(method="logit").fit(X, yy)


def test_dyad_ids_and_historical_training_rows():
    """The shared dyad ids and training-row mask of the historical model's scripts (fit, sensitivity, experiment)."""
    from alliance_index.models.realdata import dyad_ids, historical_training_rows
    # Russia-Iran (bundled) in both orders, Cuba-US (not bundled) in three years, a COW code with no ISO3 (9999)
    dy = pd.DataFrame({"ccode1": [365, 630, 40, 2, 2, 9999], "ccode2": [630, 365, 2, 40, 40, 2],
                       "year": [1990, 1991, 1949, 1990, 2019, 1990],
                       "atop_label": ["none", "other", "none", "defense", np.nan, "none"]})
    ids = dyad_ids(dy)
    assert list(ids) == ["IRN-RUS", "IRN-RUS", "CUB-USA", "CUB-USA", "CUB-USA", "?-USA"]
    # bundled dyads, years outside (1950, 2018) and unknown labels are left out
    want = [False, False, False, True, False, True]
    assert list(historical_training_rows(dy, (1950, 2018))) == want
    assert list(historical_training_rows(dy, (1950, 2018), ids)) == want
    assert list(historical_training_rows(dy, (1940, 2020))) == [False, False, True, True, False, True]
