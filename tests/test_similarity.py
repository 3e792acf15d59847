"""Foreign-policy similarity measures against published numbers.

Reference: Signorino & Ritter (1999), Table 6 (Germany and Russia, 1914), and the
kappa / pi adjustments of Häge (2011); figures as listed in
spec/reference_values.md §2.
"""
from __future__ import annotations

import doctest

import numpy as np
import pytest
from scipy import stats

from alliance_index import similarity as sim
from alliance_index.errors import MethodError

GERMANY = [3, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]
RUSSIA = [0, 3, 1, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
WEIGHTS = [.25, .21, .2, .08, .08, .05, .03, .03, .02, .01, .01, .01, .01, .01, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        (dict(distance="absolute"), 0.4000),
        (dict(distance="absolute", weights=WEIGHTS), -0.4600),
        (dict(distance="squared"), 0.4444),
        (dict(distance="squared", weights=WEIGHTS), -0.3489),
    ],
)
def test_s_score_signorino_ritter_1914(kwargs, expected):
    assert sim.s_score(GERMANY, RUSSIA, dmax=3, **kwargs) == pytest.approx(expected, abs=5e-5)


def test_kappa_pi_hage_1914():
    assert sim.kappa(GERMANY, RUSSIA, dmax=3) == pytest.approx(-0.0714, abs=5e-5)
    assert sim.scott_pi(GERMANY, RUSSIA, dmax=3) == pytest.approx(-0.0843, abs=5e-5)
    assert sim.kappa(GERMANY, RUSSIA, dmax=3, distance="squared") == pytest.approx(-0.0776, abs=5e-5)


def test_tau_b_1914():
    assert sim.tau_b(GERMANY, RUSSIA) == pytest.approx(0.0303, abs=5e-5)


def test_binary_ties_1914():
    g = (np.array(GERMANY) > 0).astype(int)
    r = (np.array(RUSSIA) > 0).astype(int)
    assert sim.s_score(g, r) == pytest.approx(0.40, abs=5e-5)
    assert sim.kappa(g, r) == pytest.approx(0.0625, abs=5e-5)
    assert sim.scott_pi(g, r) == pytest.approx(0.0625, abs=5e-5)


def _brute(X, w, measure, distance, dmax, exclude_pair=False):
    """Direct per-pair computation from the formulas (loops; for checking only)."""
    X = np.asarray(X, float)
    n, k = X.shape
    out = np.full((n, n), np.nan)
    cats = np.unique(X[~np.isnan(X)])
    for i in range(n):
        for j in range(n):
            if exclude_pair and i == j:
                continue
            keep = ~np.isnan(X[i]) & ~np.isnan(X[j])
            if exclude_pair:
                keep[[i, j]] = False
            if not keep.any():
                continue
            x, y, ww = X[i, keep], X[j, keep], np.asarray(w, float)[keep]
            d = np.abs(x - y) / dmax
            d = d**2 if distance == "squared" else d
            Do = (ww * d).sum() / ww.sum()
            if measure == "s":
                out[i, j] = 1 - 2 * Do
                continue
            p = np.array([(ww * (x == a)).sum() for a in cats]) / ww.sum()
            q = np.array([(ww * (y == a)).sum() for a in cats]) / ww.sum()
            if measure == "pi":
                p = q = (p + q) / 2
            D = np.abs(cats[:, None] - cats[None, :]) / dmax
            D = D**2 if distance == "squared" else D
            De = p @ D @ q
            out[i, j] = 1 - Do / De if De > 1e-15 else np.nan
    return out


@pytest.mark.parametrize("measure", ["s", "kappa", "pi"])
@pytest.mark.parametrize("distance", ["absolute", "squared"])
@pytest.mark.parametrize("exclude_pair", [False, True])
@pytest.mark.parametrize("missing", [False, True])
def test_pairwise_matches_direct_computation(measure, distance, exclude_pair, missing):
    rng = np.random.default_rng(7)
    n = 9
    X = rng.integers(0, 4, size=(n, n)).astype(float)
    np.fill_diagonal(X, 3)
    if missing:
        X[rng.random((n, n)) < 0.15] = np.nan
    w = rng.random(n)
    got = sim.pairwise_similarity(X, w, measure=measure, distance=distance, dmax=3,
                                  exclude_pair=exclude_pair)
    want = _brute(X, w, measure, distance, 3.0, exclude_pair)
    np.testing.assert_allclose(got, want, atol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got, got.T, atol=1e-12, equal_nan=True)


def test_pairwise_tau_b_matches_scipy():
    rng = np.random.default_rng(3)
    X = rng.integers(0, 3, size=(6, 15)).astype(float)
    T = sim.pairwise_tau_b(X)
    for i in range(6):
        for j in range(6):
            want = stats.kendalltau(X[i], X[j], variant="b").statistic
            assert T[i, j] == pytest.approx(want, abs=1e-12)


def test_pairwise_agreement_rule():
    # yes/yes, yes/no, abstain/yes, absent -> (1 + 0 + 0.5) / 3
    V = np.array([[1, 1, 0.5, 1], [1, 0, 1, np.nan], [np.nan] * 4])
    A = sim.pairwise_agreement(V)
    assert A[0, 1] == pytest.approx(0.5)
    assert np.isnan(A[0, 2])  # no roll call in common -> not observed, not 0
    assert A[0, 0] == pytest.approx(1.0)


def test_bad_options_and_inputs():
    with pytest.raises(MethodError, match="Did you mean"):
        sim.pairwise_similarity([[0, 1], [1, 0]], measure="kapa")
    with pytest.raises(MethodError, match="one entry per item"):
        sim.s_score([0, 1], [1, 0], weights=[1, 2, 3])
    with pytest.raises(MethodError, match="square"):
        sim.pairwise_similarity([[0, 1, 2]], exclude_pair=True)
    with pytest.raises(MethodError, match="differ in length"):
        sim.kappa([0, 1], [1])
    with pytest.raises(MethodError, match="not among the given categories"):
        sim.pairwise_similarity([[0, 2]], categories=[0, 1])
    with pytest.raises(MethodError, match="complete profiles"):
        sim.pairwise_tau_b([[0, np.nan], [1, 0]])
    assert issubclass(MethodError, ValueError)


def test_doctests():
    res = doctest.testmod(sim, verbose=False)
    assert res.attempted > 0 and res.failed == 0
