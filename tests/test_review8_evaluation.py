"""Review 8 (evaluation metrics): reliability bins as scikit-learn's, input checks, the cluster
bootstrap's memory, out_of_time's unlabelled rows. Synthetic data only."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve

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
