"""Unit tests of alliance_index.models (no real data needed; uses the shipped fitted files)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.utils.estimator_checks import parametrize_with_checks

import alliance_index as ai
from alliance_index.errors import CoverageWarning
from alliance_index.models import evaluation as ev
from alliance_index.models import verdict as vd
from alliance_index.models.classify import MIN_COVERAGE, attach_classification, classify, load_fitted
from alliance_index.models.commitment import DonorPool, complete_draws
from alliance_index.models.formation import fit_formation, onset_frame, duration_terms
from alliance_index.models.historical import AllianceClassifier, HistoricalResults, fit_historical


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Gradient boosting with one OpenMP thread: the test machine's cores are shared."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


# ------------------------------------------------------------------ metrics against scikit-learn

@pytest.fixture(scope="module")
def yp():
    rng = np.random.default_rng(1)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(float)
    p[:50] = np.round(p[:50], 1)  # ties
    return y, p


def test_metrics_match_sklearn(yp):
    y, p = yp
    assert ev.roc_auc(y, p) == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    assert ev.pr_auc(y, p) == pytest.approx(skm.average_precision_score(y, p), abs=1e-12)
    assert ev.brier(y, p) == pytest.approx(skm.brier_score_loss(y, p), abs=1e-12)
    assert ev.log_loss(y, p) == pytest.approx(skm.log_loss(y, p), abs=1e-9)


def test_reliability_matches_calibration_curve(yp):
    from sklearn.calibration import calibration_curve
    y, p = yp
    t = ev.reliability_table(y, p, n_bins=5, strategy="uniform")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=5, strategy="uniform")
    np.testing.assert_allclose(t["observed_rate"], prob_true, atol=1e-12)
    np.testing.assert_allclose(t["mean_predicted"], prob_pred, atol=1e-12)
    assert t["n"].sum() == len(y)
    e = ev.ece(y, p, 5, "uniform")
    assert e == pytest.approx(np.sum(t["n"] / len(y) * np.abs(prob_true - prob_pred)))


def test_metrics_perfect_and_degenerate():
    assert ev.roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert ev.pr_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert np.isnan(ev.roc_auc([1, 1], [0.2, 0.3]))
    assert ev.ece([0, 1], [0.0, 1.0]) == 0.0


# ------------------------------------------------------------------ historical model and estimator

def _synthetic(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    X.loc[rng.random(n) < 0.1, "b"] = np.nan
    eta_o = -1 + 0.8 * X["a"]
    eta_d = -1.5 + 1.5 * X["a"] + 1.0 * X["c"]
    e = np.column_stack([np.zeros(n), eta_o, eta_d])
    P = np.exp(e) / np.exp(e).sum(1, keepdims=True)
    y = np.array(["none", "other", "defense"])[(rng.random(n)[:, None] > P.cumsum(1)).sum(1)]
    return X, y


def test_fit_historical_results_object_and_roundtrip(tmp_path):
    X, y = _synthetic()
    res = fit_historical(X, y)
    assert list(res.params.columns) == ["other", "defense"]
    assert "b__missing" in res.params.index
    # recovers the sign and rough size of the defence slope on c (standardised, SD ~1)
    assert res.params.loc["c", "defense"] == pytest.approx(1.0, abs=0.25)
    assert (res.bse > 0).all().all()
    ci = res.conf_int()
    assert (ci["lower"] < ci["upper"]).all()
    assert "MNLogit" in str(res.summary())
    res.save(tmp_path / "h.json")
    import json
    back = HistoricalResults.from_dict(json.loads((tmp_path / "h.json").read_text()))
    np.testing.assert_allclose(back.predict_proba(X).to_numpy(), res.predict_proba(X).to_numpy(), atol=1e-12)
    assert np.allclose(res.predict_proba(X).sum(axis=1), 1)


def test_alliance_classifier_learns_and_handles_nan():
    X, y = _synthetic(800)
    for method in ("logit", "boosting"):
        clf = AllianceClassifier(method=method, random_state=0, max_iter=30).fit(X, y)
        P = clf.predict_proba(X)
        assert list(clf.classes_) == ["defense", "none", "other"]
        auc = ev.roc_auc(y == "defense", P[:, 0])
        assert auc > 0.75
        assert set(clf.predict(X)) <= set(clf.classes_)


def test_alliance_classifier_bad_method():
    X, y = _synthetic(200)
    with pytest.raises(ValueError, match="boosting"):
        AllianceClassifier(method="svm").fit(X, y)


@parametrize_with_checks([AllianceClassifier(method="logit"),
                          AllianceClassifier(method="boosting", max_iter=3, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ formation

def test_onset_frame_and_fit():
    rows = []
    for pair, start in ((1, 1960), (2, None), (3, 1975)):
        for yr in range(1950, 1991):
            lab = "defense" if (start is not None and yr >= start) else "none"
            rows.append((2, 100 + pair, yr, lab))
    dy = pd.DataFrame(rows, columns=["ccode1", "ccode2", "year", "atop_label"])
    on = onset_frame(dy, h=5)
    r = on[(dy["ccode2"] == 101).to_numpy()]
    y = dy.loc[(dy["ccode2"] == 101).to_numpy(), "year"].to_numpy()
    assert r["onset"][y == 1955].item() == 1.0  # pact in 1960, within 5 years
    assert r["onset"][y == 1954].item() == 0.0
    assert np.isnan(r["onset"][y == 1960].item())  # not at risk
    assert np.isnan(on["onset"][(dy["year"] == 1988).to_numpy()]).all()  # window past last year
    assert r["duration"][y == 1965].item() == 0  # pact in force: last pact year is this year
    X = duration_terms(on["duration"], on["ever_defense"]).assign(x=np.random.default_rng(0).normal(size=len(dy)))
    fr = fit_formation(X, on["onset"], h=5)
    p = fr.predict(X)
    assert np.all((p >= 0) & (p <= 1))


# ------------------------------------------------------------------ completion by hot deck

def test_complete_draws_prefers_own_dyad():
    V = np.array([[1.0], [np.nan], [5.0], [np.nan]])
    groups = np.array(["A", "A", "B", "C"], dtype=object)
    pool = DonorPool({"x": np.array([100.0, 200.0])})
    D = complete_draws(V, groups, ["x"], pool, 50, np.random.default_rng(0))
    assert D.shape == (50, 4, 1)
    assert np.all(D[:, 1, 0] == 1.0)  # own dyad's only other value
    assert set(np.unique(D[:, 3, 0])) <= {100.0, 200.0}  # no own value: pooled donors
    assert np.all(D[:, 0, 0] == 1.0) and np.all(D[:, 2, 0] == 5.0)  # observed cells untouched


# ------------------------------------------------------------------ classify

@pytest.fixture(scope="module")
def fitted():
    try:
        return load_fitted()
    except FileNotFoundError as exc:  # pragma: no cover
        pytest.skip(str(exc))


def test_interval_widens_with_fewer_indicators(fitted):
    full = ai.load_panel(["Russia-Belarus"])
    keep = ["leader_meetings", "trade_usd"]
    thin = full[full["indicator"].isin(keep)].copy()
    thin["dyad"] = "BLR-RUS"
    a = classify(full, year=2023, n_sims=600, seed=1)
    with pytest.warns(CoverageWarning, match="fewer than"):
        b = classify(thin, year=2023, n_sims=600, seed=1)
    wa = (a["p_de_jure_hi"] - a["p_de_jure_lo"]).item()
    wb = (b["p_de_jure_hi"] - b["p_de_jure_lo"]).item()
    assert wb > wa
    assert b["coverage"].item() < MIN_COVERAGE < a["coverage"].item()


def test_unknown_indicators_ignored_and_named(fitted):
    ai.register_indicator("my_secret_index", domain="military", side="cooperation", goalposts=(0, 10))
    try:
        base = ai.load_panel(["Russia-Iran"])
        extra = pd.DataFrame({"dyad": "IRN-RUS", "year": [2022, 2023], "indicator": "my_secret_index",
                              "value": [7.0, 9.0]})
        obs = pd.concat([base, extra], ignore_index=True)
        with pytest.warns(CoverageWarning, match="my_secret_index"):
            r = classify(obs, year=2023, n_sims=300, seed=3)
        r0 = classify(base, year=2023, n_sims=300, seed=3)
        assert "my_secret_index" in r["ignored_indicators"].item()
        assert r["p_de_jure"].item() == pytest.approx(r0["p_de_jure"].item())
    finally:
        ai.unregister_indicator("my_secret_index")


def test_dyad_not_bundled(fitted):
    rows = [("France-Germany", y, ind, v) for y in (2020, 2021) for ind, v in
            (("joint_exercises", 4), ("leader_meetings", 5), ("partnership_level", 3), ("diplomatic_backing", 2),
             ("basing_access", 1), ("unga_agreement", 0.9), ("trade_usd", 150000),
             ("neutrality_in_partner_conflicts", 0), ("diplomatic_protests", 0))]
    obs = pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value"])
    r = classify(obs, n_sims=300)
    assert list(r["dyad"]) == ["DEU-FRA", "DEU-FRA"]
    assert r["known_status"].isna().all()
    assert ((r["p_de_jure_lo"] <= r["p_de_jure"]) & (r["p_de_jure"] <= r["p_de_jure_hi"])).all()
    assert r["verdict"].isin(vd.VERDICTS).all()


def test_bad_options(fitted):
    obs = ai.load_panel(["Russia-Iran"])
    with pytest.raises(ValueError, match="n_sims"):
        classify(obs, n_sims=0)
    with pytest.raises(ValueError, match="year"):
        classify(obs, year=1850, n_sims=10)


def test_seed_reproducible(fitted):
    obs = ai.load_panel(["Russia-Iran"])
    a = classify(obs, year=2023, n_sims=200, seed=7)
    b = classify(obs, year=2023, n_sims=200, seed=7)
    pd.testing.assert_frame_equal(a, b)


def test_attach_classification_uses_scores_frame(fitted):
    sc = pd.DataFrame({"dyad": ["IRN-RUS", "BLR-RUS"], "year": [2023, 2023], "cooperation": [60.0, 70.0],
                       "discord": [30.0, 5.0], "index": [42.0, 66.0]})
    out = attach_classification(sc, None, n_sims=200)
    assert list(out.columns[:5]) == list(sc.columns)
    for c in ("p_de_jure", "p_de_jure_lo", "p_de_jure_hi", "verdict", "known_status"):
        assert c in out
    assert out["known_status"].tolist() == ["neutrality", "defense"]  # status.csv: 2001 treaty, CSTO
    # the frame has no hostility column: the classifier's own hostility (from the observations) is used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        cl = classify(None, year=2023, n_sims=200).set_index("dyad").loc[["IRN-RUS", "BLR-RUS"]]
    exp = vd.verdicts(out["p_de_jure"], sc["cooperation"], sc["discord"], cl["hostility"])
    assert out["verdict"].tolist() == exp.tolist()
    # with a hostility column, the verdict reads it: hostility above 50 and above cooperation is rivalry
    sc2 = sc.assign(discord=[55.0, 5.0], hostility=[65.0, 5.0])
    out2 = attach_classification(sc2, None, n_sims=200)
    assert out2["p_de_jure"].iloc[0] < vd.P_ALLIANCE  # Russia-Iran: no treaty profile, so rule 2 applies
    assert out2["verdict"].iloc[0] == "rivalry"
    assert attach_classification(sc2.assign(hostility=[10.0, 5.0]), None, n_sims=200)["verdict"].iloc[0] != "rivalry"


# ------------------------------------------------------------------ verdict rules at their thresholds

@pytest.mark.parametrize("p,c,d,h,expected", [
    (vd.P_ALLIANCE, 10, 90, 90, "rivalry"),   # since 0.4.0 open hostility comes before the record
    (vd.P_ALLIANCE, 10, 90, 40, "alliance"),  # hedging alone does not make a rivalry
    (np.nextafter(vd.P_ALLIANCE, 0), 60, 10, 10, "alignment"),
    (0.1, 40, vd.D_RIVALRY, vd.D_RIVALRY, "rivalry"),
    (0.1, 40, 30, vd.D_RIVALRY, "rivalry"),                        # hostility alone decides rivalry
    (0.1, 40, 80, np.nextafter(vd.D_RIVALRY, 0), "convenience"),   # hedging-heavy discord is not rivalry
    (0.1, 40, 80, np.nan, "convenience"),                          # no hostility observed: not rivalry
    (0.1, vd.D_RIVALRY + 1, vd.D_RIVALRY, vd.D_RIVALRY, "convenience"),  # H not above C
    (0.1, np.nextafter(vd.C_LIMITED, 0), 10, 10, "limited"),
    (0.1, vd.C_LIMITED, 10, 10, "alignment"),
    (0.1, 40, vd.D_CONVENIENCE, 0, "convenience"),
    (0.1, 40, np.nextafter(vd.D_CONVENIENCE, 0), 0, "alignment"),
])
def test_verdict_thresholds(p, c, d, h, expected):
    assert vd.verdicts([p], [c], [d], [h])[0] == expected


def test_verdict_nan_p():
    assert vd.verdicts([np.nan], [50], [10], [10])[0] is None


def test_verdict_with_discord_as_hostility_is_the_0_1_rule():
    """Passing discord as hostility gives the version-0.1.0 rivalry rule (on total discord), in the
    0.4.0 order (rivalry before alliance); the 0.1-0.3 order differs only where both rules hold."""
    rng = np.random.default_rng(5)
    p, C, D = rng.random(500), rng.uniform(0, 100, 500), rng.uniform(0, 100, 500)
    rival = (D >= 50) & (D > C)
    new = np.select([rival, p >= 0.5, C < 25, D >= 25], ["rivalry", "alliance", "limited", "convenience"],
                    "alignment")
    assert vd.verdicts(p, C, D, D).tolist() == new.tolist()
    old_order = np.select([p >= 0.5, rival, C < 25, D >= 25], ["alliance", "rivalry", "limited", "convenience"],
                          "alignment")
    differ = new != old_order
    assert differ.any() and np.array_equal(differ, rival & (p >= 0.5))


def test_restricted_cubic_spline_basis():
    from alliance_index.models.features import add_splines, rcs_basis, rcs_knots
    rng = np.random.default_rng(3)
    z = rng.normal(size=2000)
    t = rcs_knots(z, 5)
    assert len(t) == 5 and np.all(np.diff(t) > 0)
    x = np.linspace(-4, 4, 801)
    B = rcs_basis(x, t)
    assert B.shape == (801, 3)
    d2 = np.abs(np.diff(B, 2, axis=0))
    mid = x[1:-1]
    assert d2[mid < t[0] - 0.02].max() < 1e-12 and d2[mid > t[-1] + 0.02].max() < 1e-9   # linear tails
    assert d2[(mid > t[0]) & (mid < t[-1])].max() > 1e-6                                  # curved inside
    # natural-spline identity: any combination is representable; basis is 0 below the first knot
    assert np.all(B[x < t[0]] == 0)
    X = pd.DataFrame({"a": [0.0, np.nan, 1.0, 2.0], "b": [1.0, 2.0, 3.0, 4.0]})
    out = add_splines(X, {"a": np.array([0.0, 1.0, 2.0])}, fill={"a": 1.0})
    assert list(out.columns) == ["a", "b", "a__rcs1"]
    assert np.isnan(out.loc[1, "a"]) and out.loc[1, "a__rcs1"] == out.loc[2, "a__rcs1"]  # filled at x = 1
    with pytest.raises(ValueError, match="n_knots"):
        rcs_knots(z, 6)


def test_discord_split_into_hostility_and_hedging():
    """classify reports discord split by kind; each part is the same aggregation over its indicators."""

    from alliance_index.models.classify import discord_split
    from alliance_index.models.verdict import HEDGING_INDICATORS

    def obs(rows):
        return ai.validate_observations(pd.DataFrame(
            [("IRN-RUS", 2023, i, v, "confirmed", "test", "") for i, v in rows],
            columns=["dyad", "year", "indicator", "value", "confidence", "source", "note"]))

    only_hedge = obs([("recognition_disputes", 2.0), ("joint_exercises", 3.0)])
    only_host = obs([("diplomatic_protests", 2.0), ("joint_exercises", 3.0)])
    both = obs([("recognition_disputes", 2.0), ("diplomatic_protests", 2.0), ("joint_exercises", 3.0)])
    a, b, c = discord_split(only_hedge), discord_split(only_host), discord_split(both)
    assert np.isnan(a["hostility"].iloc[0]) and a["hedging"].iloc[0] == pytest.approx(100.0)
    assert np.isnan(b["hedging"].iloc[0]) and b["hostility"].iloc[0] == pytest.approx(50.0)
    assert c["hedging"].iloc[0] == pytest.approx(100.0) and c["hostility"].iloc[0] == pytest.approx(50.0)
    assert set(HEDGING_INDICATORS) <= set(ai.catalog().index[ai.catalog()["side"] == "discord"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = classify(both, n_sims=50, seed=0)
    assert {"hostility", "hedging", "n_hostility"} <= set(r.columns)
    assert r["n_hostility"].iloc[0] == 1  # diplomatic_protests; recognition_disputes is hedging
    assert r["discord"].iloc[0] == pytest.approx(75.0)  # recognition (diplomatic, 1.0) and protests (diplomatic, 0.5)


def test_cluster_bootstrap_auc():
    from alliance_index.models.evaluation import cluster_bootstrap_auc, roc_auc

    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(40), 10)
    y = np.repeat(np.arange(40) % 3 == 0, 10).astype(float)
    p = 0.3 * y + rng.normal(0, 0.3, g.size) + np.repeat(rng.normal(0, 0.2, 40), 10)
    r = cluster_bootstrap_auc(y, p, g, n_boot=1000, seed=1)
    assert r["auc"] == pytest.approx(roc_auc(y, p))
    assert r["lo"] < r["auc"] < r["hi"] and r["n_groups"] == 40 and r["n_boot"] == 1000
    assert r == cluster_bootstrap_auc(y, p, g, n_boot=1000, seed=1)  # seeded
    # clusters make the interval wider than treating the 400 rows as independent
    rows = cluster_bootstrap_auc(y, p, np.arange(g.size), n_boot=1000, seed=1)
    assert (r["hi"] - r["lo"]) > (rows["hi"] - rows["lo"])
    # perfect separation stays perfect in every replicate
    s = cluster_bootstrap_auc(y, y + 0.1, g, n_boot=200, seed=0)
    assert s["lo"] == s["hi"] == 1.0
    with pytest.raises(ValueError, match="same length"):
        cluster_bootstrap_auc(y, p[:-1], g)


def test_cluster_bootstrap_one_cluster_is_the_plain_auc_with_ties():
    """One cluster is drawn once in every replicate: each replicate is the rank AUC (ties half)."""
    from alliance_index.models.evaluation import cluster_bootstrap_auc, roc_auc

    y = np.array([1, 0, 1, 0, 0, 1, 0, 1.0])
    p = np.array([0.9, 0.9, 0.4, 0.1, 0.4, 0.7, 0.2, 0.2])
    r = cluster_bootstrap_auc(y, p, np.zeros(8), n_boot=5, seed=0)
    assert r["lo"] == pytest.approx(roc_auc(y, p)) and r["hi"] == pytest.approx(roc_auc(y, p))


def test_classify_does_not_depend_on_the_other_rows_scored(fitted):
    """A dyad-year gets the same p_de_jure and interval alone, with one other dyad, with every
    bundled dyad, and with all its own years (hot-deck draws keyed by dyad and year)."""
    cols = ["p_de_jure", "p_de_jure_lo", "p_de_jure_hi"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        alone = classify(ai.load_panel(["Russia-Iran"]), year=2023, n_sims=300, seed=4)
        pair = classify(ai.load_panel(["Russia-Iran", "Russia-Belarus"]), year=2023, n_sims=300, seed=4)
        every = classify(ai.load_panel(), year=2023, n_sims=300, seed=4)
        years = classify(ai.load_panel(["Russia-Iran"]), n_sims=300, seed=4)
        other_seed = classify(ai.load_panel(["Russia-Iran"]), year=2023, n_sims=300, seed=5)
    ref = alone.set_index("dyad").loc["IRN-RUS", cols].to_numpy(dtype=float)
    for frame in (pair, every):
        np.testing.assert_allclose(frame.set_index("dyad").loc["IRN-RUS", cols].to_numpy(dtype=float), ref,
                                   rtol=1e-12)
    np.testing.assert_allclose(years.set_index(["dyad", "year"]).loc[("IRN-RUS", 2023), cols].to_numpy(dtype=float),
                               ref, rtol=1e-12)
    # and the seed still matters
    assert not np.allclose(other_seed[cols].to_numpy(dtype=float)[0], ref)


def test_keyed_uniforms_are_uniform_and_distinct():
    from alliance_index.models.commitment import _keyed_uniforms, row_keys
    idx = pd.MultiIndex.from_arrays([["IRN-RUS"] * 16 + ["BLR-RUS"] * 16, list(range(2010, 2026)) * 2],
                                    names=["dyad", "year"])
    k = row_keys(idx, 12345)
    assert len(np.unique(k)) == 32
    U = _keyed_uniforms(k, "joint_exercises", 4000)
    assert U.shape == (4000, 32) and U.min() >= 0 and U.max() < 1
    assert abs(U.mean() - 0.5) < 0.005 and abs(U.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(U[:, 0], U[:, 1])[0, 1]) < 0.05            # rows independent
    V = _keyed_uniforms(k, "leader_meetings", 4000)
    assert abs(np.corrcoef(U[:, 0], V[:, 0])[0, 1]) < 0.05            # columns independent
    np.testing.assert_array_equal(U, _keyed_uniforms(k, "joint_exercises", 4000))


def test_verdict_reasons_name_the_rule_that_fired():
    rng = np.random.default_rng(11)
    n = 400
    p, C, D, H = rng.random(n), rng.uniform(0, 100, n), rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    p[:5] = np.nan
    v = vd.verdicts(p, C, D, H)
    r = vd.verdict_reasons(p, C, D, H)
    start = {"alliance": "p_de_jure", "rivalry": "hostility", "limited": "cooperation",
             "convenience": "discord", "alignment": "cooperation"}
    for verdict, reason in zip(v, r):
        if verdict is None:
            assert reason is None
        else:
            assert reason.startswith(start[verdict]), (verdict, reason)
    # a rivalry over an allied-looking record says so
    msg = vd.verdict_reasons([0.52], [44.5], [62.5], [69.5])[0]
    assert msg.startswith("hostility 69.5 >= 50") and "p_de_jure 0.52 >= 0.5: the alliance rule would also hold" in msg
    out = attach_classification(pd.DataFrame({"dyad": ["IRN-RUS"], "year": [2023], "cooperation": [47.0],
                                              "discord": [54.7], "hostility": [12.4]}), None, n_sims=200)
    assert out["verdict"].iloc[0] == "convenience" and "hostility 12.4 < 50" in out["verdict_reason"].iloc[0]


def test_compare_p_de_jure_is_paired_and_consistent_with_classify(fitted):
    from alliance_index.models import compare_p_de_jure
    from alliance_index.errors import MethodError, ObservationsError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        r = compare_p_de_jure("Russia-Belarus", "Iran–Russia", 2023, n_sims=400, seed=3).iloc[0]
        c = classify(ai.load_panel(["Russia-Belarus", "Russia-Iran"]), year=2023, n_sims=400, seed=3).set_index("dyad")
    assert (r["dyad_a"], r["dyad_b"]) == ("BLR-RUS", "IRN-RUS")
    assert r["p_a"] == pytest.approx(c.loc["BLR-RUS", "p_de_jure"], rel=1e-12)
    assert r["p_b"] == pytest.approx(c.loc["IRN-RUS", "p_de_jure"], rel=1e-12)
    assert r["diff"] == pytest.approx(r["p_a"] - r["p_b"], abs=1e-12)
    assert -1 <= r["diff_lo"] <= r["diff"] <= r["diff_hi"] <= 1 and 0 <= r["p_a_greater"] <= 1
    # pairing: the difference's interval is narrower than the two marginal intervals put together
    width_marginal = (c.loc["BLR-RUS", "p_de_jure_hi"] - c.loc["IRN-RUS", "p_de_jure_lo"])
    assert r["diff_hi"] - r["diff_lo"] < width_marginal + (c.loc["IRN-RUS", "p_de_jure_hi"] - c.loc["BLR-RUS", "p_de_jure_lo"])
    # swapping the dyads flips the sign
    s = compare_p_de_jure("Russia-Iran", "Russia-Belarus", 2023, n_sims=400, seed=3).iloc[0]
    assert s["diff"] == pytest.approx(-r["diff"], abs=1e-12) and s["p_a_greater"] == pytest.approx(1 - r["p_a_greater"])
    with pytest.raises(MethodError, match="two different dyads"):
        compare_p_de_jure("Russia-Iran", "Iran-Russia", 2023)
    with pytest.raises(ObservationsError, match="in 1990 for BLR-RUS .* and IRN-RUS"):
        compare_p_de_jure("Russia-Belarus", "Russia-Iran", 1990)


def test_rivalry_on_few_hostility_indicators_is_flagged_not_changed():
    """A `rivalry` resting on <= FEW_HOSTILITY observed hostility indicators keeps its verdict, but its
    reason says how many it rests on and classify warns, naming the dyad-year."""
    from alliance_index.models.verdict import FEW_HOSTILITY

    p, C, D, H = [0.1, 0.1, 0.1], [20, 20, 20], [60, 60, 60], [60, 60, 60]
    r = vd.verdict_reasons(p, C, D, H, n_hostility=[1, FEW_HOSTILITY + 1, np.nan])
    assert r[0].endswith("(1 hostility indicator observed; few, so fragile)")
    assert r[1].endswith(f"({FEW_HOSTILITY + 1} hostility indicators observed)")
    assert r[2] == vd.verdict_reasons(p, C, D, H)[2]  # unknown count: the reason without it
    assert list(vd.verdicts(p, C, D, H)) == ["rivalry"] * 3  # the rule is unchanged

    def obs(rows):
        return ai.validate_observations(pd.DataFrame(
            [("ARM-AZE", 2023, i, v, "confirmed", "test", "") for i, v in rows],
            columns=["dyad", "year", "indicator", "value", "confidence", "source", "note"]))

    one = obs([("military_incidents", 30.0), ("leader_meetings", 0.0)])
    with pytest.warns(CoverageWarning, match=r"ARM-AZE 2023 \(1\)"):
        c = classify(one, n_sims=50, seed=0)
    assert c["verdict"].iloc[0] == "rivalry" and "fragile" in c["verdict_reason"].iloc[0]
    three = obs([("military_incidents", 30.0), ("diplomatic_protests", 8.0), ("sanctions_against_partner", 1.0),
                 ("leader_meetings", 0.0)])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c3 = classify(three, n_sims=50, seed=0)
    assert c3["verdict"].iloc[0] == "rivalry" and c3["n_hostility"].iloc[0] == 3
    assert "fragile" not in c3["verdict_reason"].iloc[0]
    assert not any("rivalry" in str(x.message) for x in w)
