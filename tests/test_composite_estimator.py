"""CompositeIndex follows scikit-learn's estimator contract (parametrize_with_checks)
and exposes learned state, effective weights and an audit."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

import alliance_index as ai
from alliance_index.index import CompositeIndex

# Generic mode (plain numeric arrays): the catalog goalposts do not exist, so the
# checks run with within-sample normalisations. Every check applies, Copeland's
# check_methods_subset_invariance included: transform scores each unit against the
# fitted sample, not against the other units transformed with it (review 9 finding 4).
EXPECTED_FAILED: dict = {}


def _expected_failed(est):
    return EXPECTED_FAILED


@parametrize_with_checks(
    [
        CompositeIndex(normalisation="minmax", weights="equal"),
        CompositeIndex(normalisation="rank", weights="pca", aggregation="geometric"),
        CompositeIndex(normalisation="zscore", weights="balance", aggregation="harmonic"),
        CompositeIndex(normalisation="minmax", weights="equal", aggregation="copeland"),
    ],
    expected_failed_checks=_expected_failed,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def panel():
    return ai.to_panel(ai.load_panel(), validate=False)


def test_learned_state_and_not_fitted(panel):
    est = CompositeIndex()
    with pytest.raises(NotFittedError):
        est.transform(panel)
    est.fit(panel)
    assert est.n_features_in_ == panel.values.shape[1]
    assert list(est.feature_names_in_) == list(panel.values.columns)
    assert est.weights_.shape == (est.n_features_in_,)
    cat = ai.catalog().loc[list(panel.values.columns)]
    # goalposts learned from the catalog, log1p-transformed where the catalog says so
    j = list(panel.values.columns).index("trade_usd")
    assert est.lo_[j] == pytest.approx(np.log1p(10)) and est.hi_[j] == pytest.approx(np.log1p(100000))
    np.testing.assert_allclose(est.weights_, cat["default_weight"].to_numpy())
    assert set(est.nodes_) == {f"{d}_{s}" for d in ("military", "economic", "diplomatic", "regional")
                               for s in ("cooperation", "discord")}


def test_effective_weights_sum_to_one_per_top(panel):
    est = CompositeIndex().fit(panel)
    ew = est.effective_weights_
    sums = ew.groupby("top")["effective"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0)
    # a weight-2 commitment indicator counts twice a weight-1 one of the same node
    assert ew.loc["wartime_support", "effective"] == pytest.approx(2 * ew.loc["joint_exercises", "effective"])
    # domain weights propagate
    est2 = CompositeIndex(domain_weights={"military": 2.0}).fit(panel)
    ew2 = est2.effective_weights_
    assert ew2.loc["wartime_support", "node_weight"] == pytest.approx(0.4)


def test_audit(panel):
    est = CompositeIndex().fit(panel)
    a = est.audit()
    assert {"r_node", "r_top", "r_index"} <= set(a.correlations.columns)
    assert set(a.cronbach_alpha.index) == set(est.nodes_)
    r = a.correlations["r_node"].dropna()
    assert len(r) > 10 and ((r >= -1) & (r <= 1)).all()
    assert "Cronbach" in a.summary()


def test_cronbach_alpha_known_value():
    from alliance_index.index import cronbach_alpha

    rng = np.random.default_rng(0)
    f = rng.normal(size=2000)
    Z = np.column_stack([f + rng.normal(scale=1.0, size=2000) for _ in range(4)])
    # 4 parallel items with reliability 0.5 each: alpha = 4*0.5/(1+3*0.5) = 0.8
    assert cronbach_alpha(Z) == pytest.approx(0.8, abs=0.03)


def test_backends_agree(panel):
    pytest.importorskip("numba")
    for opts in ({}, {"aggregation": "geometric"}, {"aggregation": "harmonic", "evidence": True},
                 {"aggregation": "generalised", "p": 2.0, "normalisation": "rank"},
                 {"normalisation": "minmax", "winsorise": (0.05, 0.95), "node_aggregation": {"cooperation": "geometric"}},
                 {"aggregation": "generalised", "p": -1.0, "weights": "pca"}):
        a = CompositeIndex(backend="numpy", **opts).fit(panel).transform(panel)
        b = CompositeIndex(backend="numba", **opts).fit(panel).transform(panel)
        np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), atol=1e-9, err_msg=str(opts))


def test_wide_frame_and_panel_give_same_scores(panel):
    a = CompositeIndex().fit(panel).transform(panel)
    b = CompositeIndex().fit(panel.values).transform(panel.values)
    np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float))


def test_methods_change_scores(panel):
    base = CompositeIndex().fit(panel).transform(panel)["index"]
    for opts in ({"normalisation": "minmax"}, {"weights": "equal"}, {"aggregation": "geometric"},
                 {"weights": "pca"}, {"weights": "balance"}, {"evidence": True},
                 {"imputation": "linear"}, {"normalisation": "reference", "reference": "Russia-Belarus"}):
        other = CompositeIndex(**opts).fit(panel).transform(panel)["index"]
        assert not np.allclose(base.to_numpy(), other.to_numpy(), equal_nan=True), opts


def test_imputation_flags_and_coverage(panel):
    est = CompositeIndex(imputation="locf", max_gap=2).fit(panel)
    res = est.transform(panel)
    plain = CompositeIndex().fit(panel).transform(panel)
    assert res["n_imputed"].sum() > 0
    # coverage counts only observed cells
    np.testing.assert_allclose(res["coverage"], plain["coverage"])


def test_reference_dyad_scores_top(panel):
    est = CompositeIndex(normalisation="reference", reference="BLR-RUS").fit(panel)
    assert np.all(est.hi_ >= est.lo_)


def test_vectorised_log_exp_accuracy():
    pytest.importorskip("numba")
    from alliance_index.index._engine import _vexp, _vlog

    x = np.concatenate([np.linspace(1e-18, 2.0, 200_001, endpoint=False), [0.01, 0.5, 1.0, np.sqrt(0.5)]])
    b = x.copy()
    _vlog(b, len(b))
    np.testing.assert_allclose(b, np.log(x), rtol=2e-15, atol=2e-15)
    y = np.linspace(-43, 0.7, 200_001)
    e = y.copy()
    _vexp(e, len(e))
    np.testing.assert_allclose(e, np.exp(y), rtol=1e-14)


def test_geometric_product_form_survives_underflow():
    # 30 indicators at zero with weight 8: prod (z + eps)^8 = 1e-480 would underflow without rescaling
    pytest.importorskip("numba")
    rng = np.random.default_rng(3)
    X = rng.random((50, 30))
    X[:10] = 0.0
    X[rng.random(X.shape) < 0.2] = np.nan
    kw = dict(normalisation="goalposts", goalposts=(np.zeros(30), np.ones(30)), weights=np.full(30, 8.0),
              aggregation="geometric", hierarchy={"a": list(range(20)), "b": list(range(20, 30))})
    a = CompositeIndex(backend="numpy", **kw).fit_transform(X)
    b = CompositeIndex(backend="numba", **kw).fit_transform(X)
    np.testing.assert_allclose(a, b, atol=1e-12)
    np.testing.assert_allclose(a[:10], 0.0, atol=1e-12)


def test_breadth_treats_rounding_noise_as_zero_cooperation():
    """A geometric mean of zeros may come out as 1e-16 in one backend and 0 in another; breadth is
    undefined (NaN) for both, not 1 for one and 0 for the other."""
    from alliance_index.index._engine import breadth

    b = breadth(np.array([[3e-17, 3e-17, np.nan, 0.0], [0.0, 0.0, 0.0, np.nan], [0.2, 0.2, 0.2, 0.2],
                          [0.4, 0.0, np.nan, np.nan]]))
    assert np.isnan(b[0]) and np.isnan(b[1])
    assert b[2] == pytest.approx(1.0) and b[3] == pytest.approx(0.0)


@pytest.mark.parametrize("opts", [{}, {"aggregation": "geometric", "weights": "pca"},
                                  {"imputation": "locf", "normalisation": "rank"}])
def test_hostility_is_discord_without_the_hedging_indicators(opts):
    """``hostility`` = the discord the same estimator gives when the hedging indicators are unobserved."""
    from alliance_index.catalog import HEDGING_INDICATORS

    obs = ai.load_panel()
    full = ai.to_panel(obs, validate=False)
    no_hedge = ai.to_panel(obs[~obs["indicator"].isin(HEDGING_INDICATORS)], validate=False)
    est = CompositeIndex(**opts).fit(full)
    a = est.transform(full)
    b = est.transform(no_hedge.values.reindex(columns=full.values.columns))
    np.testing.assert_allclose(a["hostility"].to_numpy(), b["discord"].reindex(a.index).to_numpy(), atol=1e-9)
    # the hedging indicators do move discord somewhere (else the test above proves nothing)
    assert (np.abs(a["discord"] - a["hostility"]) > 1).sum() > 50
    # and with no hedging indicator observed, hostility is discord
    np.testing.assert_allclose(b["hostility"].to_numpy(), b["discord"].to_numpy(), atol=1e-9)
    h = a["hostility"].dropna()
    assert len(h) > 0.9 * len(a) and h.between(0, 100).all()


def test_hostility_when_a_discord_node_holds_only_hedging_indicators():
    """A wide frame whose regional discord is only a hedging indicator: that node drops out of hostility."""
    from alliance_index.catalog import HEDGING_INDICATORS

    full = ai.to_panel(ai.load_panel(), validate=False).values
    keep = [c for c in full.columns if ai.catalog().loc[c, "domain"] != "regional" or
            ai.catalog().loc[c, "side"] == "cooperation" or c == "ties_with_partners_rivals"]
    X = full[keep]
    a = CompositeIndex().fit(X).transform(X)
    b = CompositeIndex().fit(X).transform(X.assign(**{c: np.nan for c in HEDGING_INDICATORS if c in X}))
    np.testing.assert_allclose(a["hostility"].to_numpy(), b["discord"].to_numpy(), atol=1e-9)
    assert a["hostility"].notna().any()
