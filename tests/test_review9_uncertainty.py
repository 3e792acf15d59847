"""Review s9 (uncertainty), findings 1, 3, 5 and 9 of notes/s9/review_unc.md.

1. The first-order Sobol estimator centres the output (shift invariance; bootstrap
   intervals comparable with SALib's).
3. ``SobolResult.conf_int()`` is indexed exactly like ``params`` (also for (dyad, year) outputs).
5. One tie rule ("min") on both rank paths, independent of row order.
9. Outputs that are NaN in some run are named in a note.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata

from alliance_index.uncertainty import (
    Choice,
    ChoiceSpace,
    draw_ranks,
    rank_percentiles,
    rank_within_year,
    sensitivity,
    sobol_indices,
)

ISHIGAMI = {"names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami(X: np.ndarray) -> np.ndarray:
    return np.sin(X[:, 0]) + 7.0 * np.sin(X[:, 1]) ** 2 + 0.1 * X[:, 2] ** 4 * np.sin(X[:, 0])


# ---------------------------------------------------------------- finding 1
@pytest.mark.parametrize("shift", [500.0, -50.0])
def test_sobol_indices_and_intervals_are_shift_invariant(shift):
    r0 = sobol_indices(ishigami, ISHIGAMI, n=256, seed=3, n_boot=100)
    r1 = sobol_indices(lambda X: ishigami(X) + shift, ISHIGAMI, n=256, seed=3, n_boot=100)
    for name in ("S1", "ST", "S1_se", "ST_se", "S1_ci", "ST_ci", "variance"):
        np.testing.assert_allclose(getattr(r1, name), getattr(r0, name), rtol=1e-8, atol=1e-9, err_msg=name)


def test_index_like_model_has_tight_first_order_interval():
    # the reviewer's categorical model on an index-like level (mean 62.5): exact S1 = 0.9143, 0.0857
    f = lambda U: 50 + 10 * np.floor(3 * U[:, 0]) + 5 * np.floor(2 * U[:, 1])  # noqa: E731
    r = sobol_indices(f, {"names": ["a", "b"]}, n=256, seed=0, n_boot=200)
    np.testing.assert_allclose(r.S1[:, 0], [0.9143, 0.0857], atol=0.1)
    width = r.S1_ci[1, :, 0] - r.S1_ci[0, :, 0]
    assert (width < 0.5).all(), width  # uncentred: [-0.35, 2.11]
    assert (r.S1_se[:, 0] < 0.15).all(), r.S1_se[:, 0]


@pytest.mark.parametrize("shift", [0.0, 100.0])
def test_first_order_interval_comparable_with_salib(shift):
    salib_sample = pytest.importorskip("SALib.sample.sobol")
    salib_analyze = pytest.importorskip("SALib.analyze.sobol")
    prob = dict(ISHIGAMI, num_vars=3)
    f = lambda X: ishigami(X) + shift  # noqa: E731
    r = sobol_indices(f, ISHIGAMI, n=1024, seed=1, n_boot=300)
    X = salib_sample.sample(prob, 1024, calc_second_order=False, seed=1)
    s = salib_analyze.analyze(prob, f(X), calc_second_order=False, num_resamples=300, seed=1)
    ours = (r.S1_ci[1, :, 0] - r.S1_ci[0, :, 0]) / 2
    ratio = ours / np.asarray(s["S1_conf"])
    assert ((ratio > 1 / 1.5) & (ratio < 1.5)).all(), (ours, s["S1_conf"])
    # the total-effect intervals were already comparable; they stay so
    ours_t = (r.ST_ci[1, :, 0] - r.ST_ci[0, :, 0]) / 2
    ratio_t = ours_t / np.asarray(s["ST_conf"])
    assert ((ratio_t > 1 / 1.5) & (ratio_t < 1.5)).all(), (ours_t, s["ST_conf"])


# ---------------------------------------------------------------- finding 3
def _check_conf_int(res):
    for which in ("S1", "ST"):
        ci = res.conf_int(which)
        assert list(ci.columns) == ["lower", "upper"]
        assert ci.index.equals(res.params.index)
        tf = res.to_frame()
        np.testing.assert_array_equal(ci["lower"].to_numpy(), tf[f"{which}_lower"].to_numpy())
        np.testing.assert_array_equal(ci["upper"].to_numpy(), tf[f"{which}_upper"].to_numpy())
        ok = ci.notna().all(axis=1)
        assert (ci.loc[ok, "lower"] <= ci.loc[ok, "upper"]).all()
    return ci


def test_conf_int_plain_outputs_lines_up_with_params():
    f = lambda X: np.column_stack([X @ [1.0, 2, 3], X @ [3.0, 2, 1]])  # noqa: E731
    res = sobol_indices(f, {"names": ["x", "y", "z"]}, n=64, seed=0, n_boot=20, output_names=["u", "v"])
    ci = _check_conf_int(res)
    # row ("u", "z") is output u, factor z (the same cell as ST_ci[:, 2, 0])
    assert ci.loc[("u", "z"), "lower"] == res.ST_ci[0, 2, 0]
    assert ci.loc[("v", "x"), "upper"] == res.ST_ci[1, 0, 1]


def test_conf_int_dyad_year_outputs():
    idx = pd.MultiIndex.from_tuples([("AAA-BBB", 2020), ("AAA-CCC", 2020), ("AAA-CCC", 2021)],
                                    names=["dyad", "year"])

    def model(panel, ch):
        return pd.DataFrame({"index": [50 + 10 * ch["a"] + 5 * ch["b"], 20.0 + ch["a"], 30.0 + ch["b"]]}, index=idx)

    space = ChoiceSpace([Choice("a", [0, 1, 2]), Choice("b", [0, 1])])
    res = sensitivity(None, space, n=64, seed=0, model=model, n_boot=20)
    ci = _check_conf_int(res)
    assert list(ci.index.names) == ["dyad", "year", "factor"]
    assert ci.loc[("AAA-CCC", 2021, "b"), "lower"] == res.ST_ci[0, 1, 2]


# ---------------------------------------------------------------- finding 5
def test_draw_ranks_ties_share_the_lowest_rank():
    X = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 0.0], [3.0, 0.0]])
    W = np.full((3, 2), 0.5)
    got = draw_ranks(X, W)
    np.testing.assert_array_equal(got, np.tile([2, 2, 4, 1], (3, 1)))
    idx = pd.MultiIndex.from_tuples([(d, 2020) for d in "ABCD"], names=["dyad", "year"])
    np.testing.assert_array_equal(got.T, rank_within_year((X @ W.T), idx))
    r = rank_percentiles(X, W, (50,))
    r2 = rank_percentiles(X[[2, 1, 3, 0]], W, (50,))
    np.testing.assert_array_equal(r["rank_p50"].to_numpy(), [2, 2, 4, 1])
    np.testing.assert_array_equal(r2["rank_p50"].to_numpy(), [4, 2, 1, 2])


def test_distinct_rows_with_equal_scores_tie():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0], [0.5, 0.5]])
    W = np.array([[1.0, 1.0], [2.0, 1.0]])
    np.testing.assert_array_equal(draw_ranks(X, W), [[2, 2, 1, 2], [2, 4, 1, 3]])


def test_identical_float_rows_tie_wherever_they_sit():
    # the matrix product (BLAS) can score two identical rows one ulp apart depending on their
    # position in X; draw_ranks must still give them one rank, as rank_within_year does on equal values
    rng = np.random.default_rng(1)
    for _ in range(12):
        n, k = int(rng.integers(100, 1500)), int(rng.integers(8, 35))
        base = rng.random((n // 10, k))
        g = rng.integers(0, len(base), n)
        W = rng.dirichlet(np.ones(k), size=21)  # an odd count of draws: BLAS edge kernels score differently
        R = draw_ranks(base[g], W)
        # a unit's rank is 1 + the number of units whose (distinct) row scores higher
        counts = np.bincount(g, minlength=len(base))
        Sb = np.vstack([np.einsum("j,ij->i", w, base) for w in W])  # one score per distinct row
        higher = ((Sb[:, None, :] > Sb[:, :, None]) * counts).sum(axis=2) + 1
        np.testing.assert_array_equal(R, higher[:, g])


def test_draw_ranks_rejects_non_finite_scores():
    from alliance_index.errors import MethodError

    with pytest.raises(MethodError, match="row 1"):
        draw_ranks(np.array([[1.0], [np.nan]]), np.ones((2, 1)))


@st.composite
def _units_and_draws(draw):
    n = draw(st.integers(1, 25))
    k = draw(st.integers(1, 3))
    # small integers: every score is exact in floating point, so ties are real ties
    X = draw(hnp.arrays(np.float64, (n, k), elements=st.integers(0, 3).map(float)))
    W = draw(hnp.arrays(np.float64, (draw(st.integers(1, 4)), k), elements=st.integers(0, 4).map(float)))
    perm = draw(st.permutations(range(n)))
    return X, W, np.asarray(perm, dtype=int)


@settings(max_examples=150, deadline=None)
@given(_units_and_draws())
def test_permuting_units_permutes_ranks(case):
    X, W, perm = case
    R = draw_ranks(X, W)
    np.testing.assert_array_equal(draw_ranks(X[perm], W), R[:, perm])
    expect = np.vstack([rankdata(-s, method="min") for s in W @ X.T])
    np.testing.assert_array_equal(R, expect)
    rp = rank_percentiles(X, W, (5, 50, 95), chunk_size=2)
    pd.testing.assert_frame_equal(
        rank_percentiles(X[perm], W, (5, 50, 95), chunk_size=3).reset_index(drop=True),
        rp.iloc[perm].reset_index(drop=True),
    )


# ---------------------------------------------------------------- finding 9
def test_outputs_nan_in_some_run_are_named_in_a_note():
    def f(X):
        lin = X @ [1.0, 2, 3]
        return np.column_stack([lin, np.ones(len(X)), np.where(X[:, 0] > 0.99, np.nan, lin)])

    res = sobol_indices(f, {"names": list("abc")}, n=256, seed=0, n_boot=20,
                        output_names=["lin", "const", "gappy"])
    assert np.isnan(res.S1[:, 2]).all()
    assert np.isfinite(res.S1[:, 0]).all()
    nan_notes = [n for n in res.notes if "not finite" in n]
    assert len(nan_notes) == 1, res.notes
    assert "1 output(s)" in nan_notes[0] and "'gappy'" in nan_notes[0] and "'lin'" not in nan_notes[0]
    const_notes = [n for n in res.notes if "did not vary" in n]
    assert len(const_notes) == 1 and "'const'" in const_notes[0]
