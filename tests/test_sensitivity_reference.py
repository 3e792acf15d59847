"""Sobol indices against reference values (spec/reference_values.md §3).

Sources: the linear case f = x1 + 2 x2 + 3 x3, x_i ~ U(0, 1), is COINr's own
example (its Sobol indices are analytic: Var(c_i x_i) = c_i^2 / 12, so
S_i = S_Ti = c_i^2 / 14); the Ishigami function values (a = 7, b = 0.1,
x_i ~ U(-pi, pi)) are from Saltelli et al. (2008) *Global Sensitivity
Analysis: The Primer*, and Ishigami & Homma (1990).

Tolerance: within Monte Carlo error. Each estimate must lie within
3 bootstrap standard errors of the exact value (a 3-sigma test of an
estimator whose sampling spread the bootstrap measures), and the bootstrap
standard error itself must be small (< 0.05 at n = 2^13) so the test cannot
pass on noise alone. The i.i.d. bootstrap ignores the low-discrepancy
structure of the Sobol sequence and so over-states the error of these smooth
functions; the fixed ceiling of 0.03 (about 2 standard errors of the
plain-Monte-Carlo first-order estimator for Ishigami at n = 2^13) is the
second, independent check.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_index.uncertainty import sobol_indices
from alliance_index.uncertainty.sobol import SobolProblemError

N = 2 ** 13

LINEAR_EXACT = np.array([1.0, 4.0, 9.0]) / 14.0
ISHIGAMI_S1 = np.array([0.3139, 0.4424, 0.0000])
ISHIGAMI_ST = np.array([0.5576, 0.4424, 0.2437])


def linear(X: np.ndarray) -> np.ndarray:
    return X[:, 0] + 2.0 * X[:, 1] + 3.0 * X[:, 2]


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


LINEAR_PROBLEM = {"names": ["x1", "x2", "x3"], "bounds": [[0.0, 1.0]] * 3}
ISHIGAMI_PROBLEM = {"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def _check(est, se, exact):
    est, se = np.ravel(est), np.ravel(se)
    assert np.all(se < 0.05), se
    assert np.all(np.abs(est - exact) <= np.maximum(3 * se, 1e-3)), (est, se, exact)
    assert np.all(np.abs(est - exact) < 0.03), (est, exact)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_exact_1_4_9_over_14(seed):
    res = sobol_indices(linear, LINEAR_PROBLEM, n=N, seed=seed, n_boot=100)
    _check(res.S1, res.S1_se, LINEAR_EXACT)
    _check(res.ST, res.ST_se, LINEAR_EXACT)
    # first order and total coincide for an additive function
    np.testing.assert_allclose(res.S1.ravel(), res.ST.ravel(), atol=0.01)
    assert abs(res.S1.sum() - 1.0) < 0.01


@pytest.mark.parametrize("seed", [0, 1])
def test_ishigami(seed):
    res = sobol_indices(ishigami, ISHIGAMI_PROBLEM, n=N, seed=seed, n_boot=100)
    _check(res.S1, res.S1_se, ISHIGAMI_S1)
    _check(res.ST, res.ST_se, ISHIGAMI_ST)
    # the bootstrap interval covers the exact value
    lo, hi = res.ST_ci[0].ravel(), res.ST_ci[1].ravel()
    assert np.all((lo <= ISHIGAMI_ST + 1e-3) & (ISHIGAMI_ST - 1e-3 <= hi))


def test_ishigami_b_zero_kills_x3():
    """Negative control: without the interaction term x3 has no effect at all."""
    res = sobol_indices(lambda X: ishigami(X, b=0.0), ISHIGAMI_PROBLEM, n=2 ** 11, seed=3, n_boot=0)
    assert abs(res.ST[2, 0]) < 1e-12
    assert res.ST[0, 0] < 0.35  # x1 loses its interaction share (0.5576 -> S1 only)


def test_vector_output_labels_and_frame():
    # two outputs at once: columns analysed independently
    def f(X):
        return np.column_stack([linear(X), X[:, 2]])

    res = sobol_indices(f, LINEAR_PROBLEM, n=2 ** 10, seed=0, n_boot=20, output_names=["lin", "x3only"])
    assert res.first_order.shape == (3, 2)
    np.testing.assert_allclose(res.total["x3only"].to_numpy(), [0, 0, 1], atol=0.02)
    df = res.to_frame()
    assert list(df.columns[:2]) == ["S1", "S1_se"]
    assert df.loc[("x3only", "x3"), "ST"] == pytest.approx(1.0, abs=0.02)
    assert res.most_important().to_dict() == {"lin": "x3", "x3only": "x3"}
    assert "Sobol" in res.summary()
    assert res.params.loc[("lin", "x3"), "ST"] == res.total.loc["x3", "lin"]
    assert res.bse.loc[("lin", "x3"), "ST"] == pytest.approx(res.ST_se[2, 0])
    ci = res.conf_int("S1")
    assert list(ci.columns) == ["lower", "upper"]


def test_groups_sum_like_a_single_factor():
    prob = dict(LINEAR_PROBLEM, groups=["a", "a", "b"])
    res = sobol_indices(linear, prob, n=2 ** 12, seed=0, n_boot=0)
    assert res.factors == ["a", "b"]
    np.testing.assert_allclose(res.S1.ravel(), [5 / 14, 9 / 14], atol=0.01)


def test_same_seed_same_result_and_batches():
    r1 = sobol_indices(ishigami, ISHIGAMI_PROBLEM, n=2 ** 9, seed=42, n_boot=10)
    r2 = sobol_indices(ishigami, ISHIGAMI_PROBLEM, n=2 ** 9, seed=42, n_boot=10, batch_size=100)
    np.testing.assert_array_equal(r1.S1, r2.S1)
    np.testing.assert_array_equal(r1.ST_se, r2.ST_se)
    r3 = sobol_indices(ishigami, ISHIGAMI_PROBLEM, n=2 ** 9, seed=43, n_boot=10)
    assert not np.array_equal(r1.S1, r3.S1)


def test_constant_output_gives_nan_and_a_note():
    res = sobol_indices(lambda X: np.zeros(len(X)), LINEAR_PROBLEM, n=64, seed=0, n_boot=5)
    assert np.isnan(res.S1).all()
    assert res.notes and "did not vary" in res.notes[0]
    assert pd.isna(res.most_important().iloc[0])


@pytest.mark.parametrize(
    "problem, msg",
    [
        ({"bounds": [[0, 1]]}, "names"),
        ({"names": []}, "empty"),
        ({"names": ["a", "a"]}, "repeats"),
        ({"names": ["a", "b"], "bounds": [[0, 1]]}, "shape"),
        ({"names": ["a"], "bounds": [[1, 0]]}, "'a'"),
        ({"names": ["a", "b"], "groups": ["g"]}, "groups"),
    ],
)
def test_bad_problem(problem, msg):
    with pytest.raises(SobolProblemError, match=msg):
        sobol_indices(linear, problem, n=8, seed=0)


def test_bad_output_shape():
    with pytest.raises(ValueError, match="returned shape"):
        sobol_indices(lambda X: np.zeros(3), LINEAR_PROBLEM, n=8, seed=0)


def test_non_power_of_two_warns():
    with pytest.warns(UserWarning, match="power of 2"):
        sobol_indices(linear, LINEAR_PROBLEM, n=100, seed=0, n_boot=0)
