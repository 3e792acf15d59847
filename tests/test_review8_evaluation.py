"""Review 8 (evaluation metrics): reliability bins as scikit-learn's, input checks, the cluster
bootstrap's memory, out_of_time's unlabelled rows. Synthetic data only."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

from alliance_index.errors import DataQualityWarning, DataSourceError, MissingColumnError, OutOfRangeError
from alliance_index.models import evaluation as ev

# ------------------------------------------------------------------ finding 7: quantile bins as scikit-learn

def _cases():
    rng = np.random.default_rng(7)
    n = 200
    y = rng.integers(0, 2, n)
    tied = np.where(rng.random(n) < 0.6, 0.01, rng.random(n))  # 60 % of the predictions tied at 0.01
    return {
        "random": (y, rng.random(n)),
        "rounded": (y, np.round(rng.random(n), 1)),
        "two values": (y, rng.choice([0.2, 0.7], n)),
        "tied mass": (y, tied),
        "constant": (y, np.full(n, 0.3)),
    }


@pytest.mark.parametrize("case", list(_cases()))
@pytest.mark.parametrize("n_bins", [5, 10])
def test_quantile_reliability_matches_calibration_curve(case, n_bins):
    y, p = _cases()[case]
    t = ev.reliability_table(y, p, n_bins=n_bins, strategy="quantile")
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="quantile")
    assert len(t) == len(prob_true)
    np.testing.assert_allclose(t["observed_rate"], prob_true, atol=1e-12)
    np.testing.assert_allclose(t["mean_predicted"], prob_pred, atol=1e-12)
    assert t["n"].sum() == len(y)
    assert (t["p_lo"] <= t["mean_predicted"] + 1e-12).all() and (t["mean_predicted"] <= t["p_hi"] + 1e-12).all()
    # ECE is the count-weighted gap of exactly those bins
    counts = t["n"].to_numpy()
    want = np.sum(counts / counts.sum() * np.abs(prob_true - prob_pred))
    assert ev.ece(y, p, n_bins) == pytest.approx(want, abs=1e-12)


def test_tied_predictions_keep_their_own_bin():
    y, p = _cases()["tied mass"]
    t = ev.reliability_table(y, p)
    first = t.iloc[0]
    assert first["mean_predicted"] == pytest.approx(0.01) and first["p_lo"] == first["p_hi"] == 0.01
    assert first["n"] == np.sum(p == 0.01)


def test_constant_predictions_give_one_bin():
    y, p = _cases()["constant"]
    for strategy in ("quantile", "uniform"):
        t = ev.reliability_table(y, p, strategy=strategy)
        assert len(t) == 1 and t["n"].iloc[0] == len(y)
        assert ev.ece(y, p, strategy=strategy) == pytest.approx(abs(np.mean(y) - 0.3), abs=1e-12)
    m = ev.evaluate_binary(y, p)
    assert m["ece"] == pytest.approx(abs(np.mean(y) - 0.3), abs=1e-12) and np.isclose(m["roc_auc"], 0.5)


def test_single_prediction_is_one_bin():
    t = ev.reliability_table([1], [0.4])
    assert len(t) == 1 and ev.ece([1], [0.4]) == pytest.approx(0.6)


@pytest.mark.parametrize("fn", [ev.reliability_table, ev.ece, ev.evaluate_binary])
def test_empty_input_is_a_clear_error(fn):
    with pytest.raises(ValueError, match="no rows"):
        fn([], [])


@pytest.mark.parametrize("n_bins", [0, -3, 2.5, True])
def test_bad_n_bins(n_bins):
    with pytest.raises(ValueError, match="n_bins"):
        ev.reliability_table([0, 1, 1], [0.2, 0.5, 0.9], n_bins=n_bins)


def _old_quantile_ece(y, p, n_bins=10):
    """The pre-review rule (np.unique on the quantile edges), for distinct predictions only."""
    edges = np.unique(np.quantile(p, np.linspace(0, 1, n_bins + 1)))
    b = np.searchsorted(edges[1:-1], p, side="left")
    nb = len(edges) - 1
    n = np.bincount(b, minlength=nb)
    gap = np.bincount(b, weights=y, minlength=nb) - np.bincount(b, weights=p, minlength=nb)
    return float(np.sum(np.abs(gap[n > 0]) / len(p)))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("n", [11, 101, 500, 2000])
def test_ece_unchanged_on_distinct_predictions(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.random(n)
    y = (rng.random(n) < p).astype(float)
    assert np.unique(p).size == n
    for n_bins in (5, 10, 20):
        assert ev.ece(y, p, n_bins) == pytest.approx(_old_quantile_ece(y, p, n_bins), rel=0, abs=1e-13)


# ------------------------------------------------------------------ finding 8: labels, probabilities, NaN

@pytest.fixture(scope="module")
def yp():
    rng = np.random.default_rng(1)
    p = rng.random(300)
    return (rng.random(300) < p).astype(int), p


@pytest.mark.parametrize("coding", ["minus_one_one", "one_two", "three_classes"])
@pytest.mark.parametrize("fn", [ev.roc_auc, ev.pr_auc, ev.brier, ev.log_loss, ev.ece, ev.reliability_table,
                                ev.evaluate_binary])
def test_labels_other_than_0_1_are_rejected(yp, fn, coding):
    y, p = yp
    yy = {"minus_one_one": np.where(y == 1, 1, -1), "one_two": y + 1,
          "three_classes": np.random.default_rng(0).integers(0, 3, y.size)}[coding]
    with pytest.raises(OutOfRangeError, match=r"0/1 labels.*recode"):
        fn(yy, p)


def test_two_label_coding_suggests_the_recode(yp):
    y, p = yp
    with pytest.raises(OutOfRangeError, match=r"y = \(y == 2\)"):
        ev.roc_auc(y + 1, p)
    assert ev.roc_auc((y + 1) == 2, p) == pytest.approx(ev.roc_auc(y, p))


def test_string_labels_are_a_clear_error(yp):
    y, p = yp
    with pytest.raises(OutOfRangeError, match="not numeric.*labels == 'defense'"):
        ev.roc_auc(np.where(y == 1, "defense", "none"), p)


@pytest.mark.parametrize("fn", [ev.brier, ev.log_loss, ev.ece, ev.reliability_table, ev.evaluate_binary])
def test_probabilities_outside_0_1_are_rejected(yp, fn):
    y, p = yp
    with pytest.raises(OutOfRangeError, match=r"in \[0, 1\].*lie outside"):
        fn(y, p * 3 - 1)


def test_ranking_metrics_accept_any_scores(yp):
    y, p = yp
    from sklearn.metrics import average_precision_score, roc_auc_score
    s = p * 3 - 1
    assert ev.roc_auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert ev.pr_auc(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


@pytest.mark.parametrize("fn", [ev.roc_auc, ev.pr_auc, ev.brier, ev.log_loss, ev.ece, ev.evaluate_binary])
def test_nan_is_an_error_naming_the_count(yp, fn):
    y, p = yp
    yn = y.astype(float)
    yn[:4] = np.nan
    pn = p.copy()
    pn[10:13] = np.nan
    with pytest.raises(OutOfRangeError, match=r"7 of 300 rows have a missing value \(y: 4 NaN, p: 3 NaN\)"):
        fn(yn, pn)
    with pytest.raises(OutOfRangeError, match="3 of 300 rows"):
        ev.cluster_bootstrap_auc(y, pn, np.arange(300) % 10, n_boot=10)


def test_bool_and_pandas_labels_are_accepted(yp):
    y, p = yp
    want = ev.evaluate_binary(y, p)
    assert ev.evaluate_binary(y.astype(bool), p) == want
    assert ev.evaluate_binary(pd.Series(y, dtype="boolean"), pd.Series(p, dtype="Float64")) == want
    assert ev.evaluate_binary(pd.Series(y.astype(float)), pd.Series(p)) == want


def test_pandas_na_counts_as_missing(yp):
    y, p = yp
    s = pd.Series(y, dtype="Int64")
    s.iloc[0] = pd.NA
    with pytest.raises(OutOfRangeError, match="y: 1 NaN"):
        ev.roc_auc(s, p)


# ------------------------------------------------------------------ finding 17: documented conventions

def test_log_loss_epsilon_and_pr_auc_without_positives():
    from sklearn.metrics import log_loss as sk_log_loss
    y = np.array([0, 1, 1, 0])
    p = np.array([1.0, 0.0, 1.0, 0.0])  # two exact predictions on the wrong side
    assert ev.log_loss(y, p) == pytest.approx(-np.log(1e-15) / 2, rel=1e-4)  # 1 - 1e-15 is not exact in float
    assert ev.log_loss(y, p, eps=np.finfo(float).eps) == pytest.approx(sk_log_loss(y, p), rel=1e-12)
    assert np.isnan(ev.pr_auc([0, 0, 0], [0.1, 0.5, 0.9]))
    assert np.isnan(ev.roc_auc([0, 0, 0], [0.1, 0.5, 0.9]))
    for text in ("10^{-15}", "machine epsilon"):
        assert text in ev.log_loss.__doc__ or text in ev.__doc__
    assert "NaN when there is no positive" in ev.pr_auc.__doc__


# ------------------------------------------------------------------ finding 9: cluster bootstrap memory

def test_cluster_bootstrap_memory_does_not_grow_with_distinct_scores():
    """The old code built a dense (rows x distinct scores) matrix: 288 MB for 6,000 distinct scores."""
    import tracemalloc

    rng = np.random.default_rng(0)
    n = 6000
    y = rng.integers(0, 2, n)
    p = rng.random(n)
    g = rng.integers(0, 600, n)
    tracemalloc.start()
    try:
        r = ev.cluster_bootstrap_auc(y, p, g, n_boot=20, seed=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * 2 ** 20, f"peak {peak / 2 ** 20:.0f} MB"
    assert r["n_boot"] == 20 and r["auc"] == pytest.approx(ev.roc_auc(y, p))


@pytest.mark.parametrize("block", [None, 7])
@pytest.mark.parametrize("ties", [False, True])
def test_cluster_bootstrap_replicates_equal_weighted_sklearn_auc(monkeypatch, block, ties):
    """Each replicate is scikit-learn's ROC AUC with the cluster draw counts as sample weights
    (the same seeded draws), so the interval is theirs; blocking the replicates changes nothing."""
    from sklearn.metrics import roc_auc_score

    if block is not None:
        monkeypatch.setattr(ev, "_BOOT_BLOCK", block)
    rng = np.random.default_rng(3)
    n, B, seed = 400, 150, 7
    y = rng.integers(0, 2, n)
    p = rng.random(n)
    if ties:
        p = np.round(p, 1)
    g = np.array([f"d{k:02d}" for k in rng.integers(0, 40, n)], dtype=object)
    r = ev.cluster_bootstrap_auc(y, p, g, n_boot=B, seed=seed)
    codes, gi = np.unique(g, return_inverse=True)
    draws = np.random.default_rng(seed).integers(0, codes.size, size=(B, codes.size))
    aucs = []
    for d in draws:
        w = np.bincount(d, minlength=codes.size)[gi].astype(float)
        if w[y == 1].sum() > 0 and w[y == 0].sum() > 0:
            aucs.append(roc_auc_score(y, p, sample_weight=w))
    assert r["n_boot"] == len(aucs) and r["n_groups"] == 40
    assert r["lo"] == pytest.approx(np.quantile(aucs, 0.025), abs=1e-12)
    assert r["hi"] == pytest.approx(np.quantile(aucs, 0.975), abs=1e-12)


@pytest.mark.parametrize("bad", [{"n_boot": 0}, {"n_boot": 2.5}, {"level": 1.0}])
def test_cluster_bootstrap_bad_options(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        ev.cluster_bootstrap_auc([0, 1, 1, 0], [0.1, 0.2, 0.3, 0.4], [1, 1, 2, 2], **bad)


# ------------------------------------------------------------------ finding 1: out_of_time and unknown labels

def _dyad_years(last_labelled=2018):
    """A builder-like frame 2008–2022: labels from UN agreement and trade, NaN after ``last_labelled``."""
    rng = np.random.default_rng(11)
    cows = np.array([2, 20, 200, 220, 255, 325, 365, 710, 740, 750, 2, 200, 365, 710])[:10]
    i, j = np.triu_indices(cows.size, 1)
    pairs = np.repeat(np.c_[cows[i], cows[j]], 4, axis=0)  # 4 pseudo-dyads per pair: enough rows, same regions
    years = np.arange(2008, 2023)
    n_d = len(pairs)
    dy = pd.DataFrame({"ccode1": np.tile(pairs[:, 0], years.size), "ccode2": np.tile(pairs[:, 1], years.size),
                       "year": np.repeat(years, n_d)})
    base = np.tile(rng.normal(0, 1, n_d), years.size)
    dy["unga_agreement"] = np.clip(0.6 + 0.15 * base + rng.normal(0, 0.05, len(dy)), 0, 1)
    dy["trade_usd"] = np.exp(rng.normal(5, 2, len(dy)) + base)
    eta_def = -2.0 + 3.0 * base
    eta_oth = -1.5 + 1.0 * base
    u = rng.random(len(dy))
    pd_, po = 1 / (1 + np.exp(-eta_def)), 1 / (1 + np.exp(-eta_oth))
    lab = np.where(u < pd_ * 0.8, "defense", np.where(u < pd_ * 0.8 + po * 0.3, "other", "none")).astype(object)
    lab[dy["year"].to_numpy() > last_labelled] = np.nan
    dy["atop_label"] = pd.Series(lab, dtype=object)
    dy["contiguity"] = np.where(dy["year"] <= 2016, rng.integers(0, 6, len(dy)), np.nan).astype(float)
    dy["major_powers"] = np.where(dy["year"] <= 2016, rng.integers(0, 2, len(dy)), np.nan).astype(float)
    return dy


def _oot(dy, **kw):
    kw = {"train": (2008, 2013), "spec": "indicators", "leaky": False, "sample": "all", **kw}
    return ev.out_of_time(dy, **kw)


def test_out_of_time_leaves_out_unlabelled_test_years():
    dy = _dyad_years()
    labelled = _oot(dy, test=(2014, 2018))
    with pytest.warns(DataQualityWarning, match=r"0 training and 720 test dyad-year\(s\) have no ATOP label"):
        everything = _oot(dy, test=(2014, 2022))
    assert everything["defense"] == labelled["defense"]  # 2019-2022 are not scored as "no pact"
    assert everything["defense_vs_other"] == labelled["defense_vs_other"]
    assert everything["dropped_unlabelled"] == {"train": 0, "test": 4 * 180}
    assert labelled["dropped_unlabelled"] == {"train": 0, "test": 0}
    assert labelled["defense"]["n"] == 5 * 180


def test_out_of_time_training_years_past_the_labels():
    dy = _dyad_years()
    with pytest.warns(DataQualityWarning, match="720 training"):
        r = _oot(dy, train=(2008, 2022), test=(2016, 2018))
    assert r["dropped_unlabelled"] == {"train": 720, "test": 0}
    assert r["defense"]["n"] == 3 * 180


def test_out_of_time_nothing_labelled_is_a_clear_error():
    dy = _dyad_years()
    with pytest.raises(DataSourceError, match=r"no all dyad-year with a known atop_label in the test years 2019–2022 "
                                              r"\(720 unlabelled\); ATOP 5.1 labels 1815–2018"):
        _oot(dy, test=(2019, 2022))
    with pytest.raises(DataSourceError, match="training years 2019–2022"):
        _oot(dy, train=(2019, 2022), test=(2014, 2018))


def test_out_of_time_relevant_sample_needs_contiguity_and_majors():
    dy = _dyad_years().drop(columns=["contiguity", "major_powers"])
    with pytest.raises(MissingColumnError, match=r"\['contiguity', 'major_powers'\].*'majors'.*sample='all'"):
        _oot(dy, sample="relevant", test=(2014, 2016))
    with pytest.raises(MissingColumnError, match="atop_label"):
        _oot(dy.drop(columns=["atop_label"]), test=(2014, 2016))


def test_out_of_time_relevant_sample_runs():
    r = _oot(_dyad_years(), sample="relevant", test=(2014, 2016))
    assert r["dropped_unlabelled"] == {"train": 0, "test": 0} and 0 < r["defense"]["n"] < 3 * 180


@pytest.mark.parametrize("bad", [{"method": "logit"}, {"sample": "relevant_only"}])
def test_out_of_time_bad_options(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        _oot(_dyad_years(), test=(2014, 2016), **bad)


def test_out_of_time_relevance_warning_points_at_the_caller():
    import warnings

    dy = _dyad_years()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ev.out_of_time(dy, train=(2008, 2013), test=(2014, 2018), spec="indicators", leaky=False)  # relevant
    cov = [w for w in rec if "politically_relevant" in str(w.message)]
    assert len(cov) == 1 and cov[0].filename == __file__ and "2017–2018" in str(cov[0].message)
