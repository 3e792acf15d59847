"""Session-9 review of the index parts: similarity, imputation, normalisation, weights.

Findings 2, 5, 8 and 10 of notes/s9/review_index.md (each test failed before its fix).
Synthetic data except the imputation row-order test, which uses the bundled panel.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_index import similarity as sim
from alliance_index.errors import DataQualityWarning, MethodError
from alliance_index.index import CompositeIndex
from alliance_index.index.impute import impute
from alliance_index.index.normalise import NORMALISERS, normalise
from alliance_index.index.weights import compute_weights, weights_pca

nan = np.nan


# --------------------------------------------------------------------------- finding 2: similarity


def _brute(X, w, measure, dmax):
    """Per-pair S / kappa / pi from the definitions (loops; absolute distance; checking only)."""
    X = np.asarray(X, float)
    n, _ = X.shape
    cats = np.unique(X[~np.isnan(X)])
    delta = np.abs(cats[:, None] - cats[None, :]) / dmax
    out = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(n):
            both = ~np.isnan(X[i]) & ~np.isnan(X[j])
            ww = w[both]
            if ww.sum() <= 1e-12:
                continue
            x, y = X[i, both], X[j, both]
            Do = float(np.sum(ww * np.abs(x - y) / dmax) / ww.sum())
            if measure == "s":
                out[i, j] = min(max(1 - 2 * Do, -1.0), 1.0)
                continue
            p = np.array([ww[x == a].sum() for a in cats]) / ww.sum()
            q = np.array([ww[y == a].sum() for a in cats]) / ww.sum()
            if measure == "pi":
                p = q = (p + q) / 2
            De = float(p @ delta @ q)
            out[i, j] = 1 - Do / De if De > 1e-12 else np.nan
    return out


def test_reviewer_example_negative_codes_with_missing():
    X = np.array([[-1.0, 1.0, 0.0], [1.0, 1.0, nan]])
    assert sim.pairwise_similarity(X, dmax=2)[0, 1] == pytest.approx(0.0, abs=1e-12)
    assert sim.kappa([-1, 1, 0], [1, 1, nan], dmax=2) == pytest.approx(sim.kappa([0, 2, 1], [2, 2, nan], dmax=2))
    assert sim.s_score([1, -1, 1], [-1, -1, nan], dmax=2) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("measure", ["s", "kappa", "pi"])
@pytest.mark.parametrize("weighted", [False, True])
def test_codes_minus_one_zero_one_match_brute_force(measure, weighted):
    rng = np.random.default_rng(7)
    X = rng.choice([-1.0, 0.0, 1.0], size=(9, 14))
    X[rng.random(X.shape) < 0.3] = nan
    w = rng.random(14) if weighted else np.ones(14)
    got = sim.pairwise_similarity(X, w if weighted else None, measure=measure, dmax=2.0)
    np.testing.assert_allclose(got, _brute(X, w, measure, 2.0), atol=1e-12, equal_nan=True)


_codes = st.lists(st.sampled_from([0.0, 1.0, 2.0, 3.0, nan]), min_size=24, max_size=24)


@settings(max_examples=60, deadline=None)
@given(cells=_codes, shift=st.sampled_from([-7.0, -3.0, -1.5, -1.0, 2.0, 5.0]),
       measure=st.sampled_from(["s", "kappa", "pi"]), weighted=st.booleans())
def test_absolute_measures_invariant_to_shifting_the_codes(cells, shift, measure, weighted):
    X = np.array(cells).reshape(4, 6)
    w = np.linspace(0.2, 1.0, 6) if weighted else None
    a = sim.pairwise_similarity(X, w, measure=measure, dmax=3.0, categories=[0, 1, 2, 3])
    b = sim.pairwise_similarity(X + shift, w, measure=measure, dmax=3.0,
                                categories=np.array([0, 1, 2, 3]) + shift)
    np.testing.assert_allclose(b, a, atol=1e-12, equal_nan=True)


# --------------------------------------------------------------------------- finding 8: imputation row order


def test_impute_functions_accept_any_row_order():
    V = np.array([[1.0], [nan], [3.0], [10.0], [nan], [30.0]])
    g = np.array(["b", "b", "b", "a", "a", "a"])
    y = np.array([2000, 2001, 2002, 2000, 2001, 2002])
    ref, _, _ = impute(V, "linear", groups=g, years=y, conf=np.where(np.isnan(V), nan, 0.5))
    assert ref.ravel().tolist() == [1.0, 2.0, 3.0, 10.0, 20.0, 30.0]
    perm = np.random.default_rng(0).permutation(6)
    for method in ["linear", "locf"]:
        a, fa, ca = impute(V, method, groups=g, years=y, conf=np.where(np.isnan(V), nan, 0.5))
        b, fb, cb = impute(V[perm], method, groups=g[perm], years=y[perm],
                           conf=np.where(np.isnan(V), nan, 0.5)[perm])
        np.testing.assert_array_equal(b, a[perm])
        np.testing.assert_array_equal(fb, fa[perm])
        np.testing.assert_array_equal(cb, ca[perm])


def test_impute_duplicate_dyad_year_is_one_clear_error():
    with pytest.raises(MethodError, match=r"group 'a' has year 2001 more than once"):
        impute(np.array([[1.0], [nan], [2.0]]), "linear", groups=["a", "a", "a"], years=[2000, 2001, 2001])


@pytest.mark.parametrize("imputation", ["linear", "locf"])
def test_composite_imputation_independent_of_row_order(imputation):
    import alliance_index as ai
    from alliance_index.panel import to_panel

    W = to_panel(ai.load_panel()).values
    base = CompositeIndex(imputation=imputation).fit_transform(W)
    assert base["n_imputed"].sum() > 0
    for Wx in (W.sample(frac=1, random_state=0),
               W.sort_index(level=["dyad", "year"], ascending=[False, True]),
               W.iloc[::-1]):
        got = CompositeIndex(imputation=imputation).fit_transform(Wx)
        pd.testing.assert_frame_equal(got.reindex(base.index), base, check_exact=True)


# --------------------------------------------------------------------------- finding 10: no scale learned in fit


@pytest.mark.parametrize("norm", ["minmax", "zscore", "rank"])
def test_indicator_unobserved_in_fit_is_nan_not_half(norm):
    Xfit = np.array([[1.0, nan], [2.0, nan], [3.0, nan]])
    Xnew = np.array([[2.0, 0.0], [2.0, 1000.0], [nan, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # nothing to say yet: no value goes unscored
        est = CompositeIndex(normalisation=norm, weights="equal", scale=1.0).fit(Xfit)
        est.transform(Xfit)
    nm = NORMALISERS[norm]
    Z = nm.apply(Xnew, est.normalisation_params_)
    assert np.isnan(Z[:, 1]).all()
    with pytest.warns(DataQualityWarning, match=rf"{norm} normalisation: (column 1|x1) was unobserved in the fitting") as rec:
        out = est.transform(Xnew).ravel()
    assert rec[0].filename == __file__  # points at the user's line
    assert out[0] == out[1] == pytest.approx(0.5)  # column 0 alone: both rows at the middle of it
    assert np.isnan(out[2])  # only an uninformative value observed: not scored


@pytest.mark.parametrize("norm", ["minmax", "zscore", "rank"])
def test_indicator_constant_in_fit_is_nan_and_named(norm):
    X = np.array([[1.0, 4.0], [2.0, 4.0], [3.0, 4.0]])
    with pytest.warns(DataQualityWarning, match=r"\bbasing\b is constant in the fitting data"):
        Z = normalise(X, norm, names=["trade", "basing"])
    assert np.isnan(Z[:, 1]).all() and np.isfinite(Z[:, 0]).all()
    # the constant column no longer pulls the score to the middle: equal to the one-column index
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        both = CompositeIndex(normalisation=norm, weights="equal", scale=1.0).fit_transform(X).ravel()
    one = CompositeIndex(normalisation=norm, weights="equal", scale=1.0).fit_transform(X[:, :1]).ravel()
    np.testing.assert_allclose(both, one, rtol=1e-12)


def test_reference_without_goalposts_constant_column_is_nan():
    X = np.array([[1.0, 4.0], [2.0, 4.0], [3.0, 4.0]])
    with pytest.warns(DataQualityWarning, match="column 1"):
        Z = normalise(X, "reference", reference=[3.0, 4.0])
    np.testing.assert_allclose(Z[:, 0], [0.0, 0.5, 1.0])
    assert np.isnan(Z[:, 1]).all()


def test_goalposts_never_warn_for_an_unobserved_column():
    X = np.array([[1.0, nan], [2.0, nan]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        Z = normalise(X, "goalposts", goal_lo=[0.0, 0.0], goal_hi=[4.0, 4.0])
    np.testing.assert_allclose(Z[:, 0], [0.25, 0.5])


# --------------------------------------------------------------------------- finding 5: PCA weights fall back


def test_pca_never_co_observed_indicators_keep_equal_weights():
    X = np.array([[1.0, nan], [2, nan], [3, nan], [nan, 4], [nan, 5], [nan, 6]])
    with pytest.warns(DataQualityWarning, match=r"pca weights: .*index: x0, x1 \(1/2 each\)") as rec:
        est = CompositeIndex(normalisation="minmax", weights="pca", scale=1.0).fit(X)
    assert rec[0].filename == __file__
    np.testing.assert_allclose(est.weights_, [0.5, 0.5])
    np.testing.assert_allclose(est.transform(X).ravel(), [0, 0.5, 1, 0, 0.5, 1])


def test_pca_indicator_with_too_few_joint_rows_keeps_its_equal_share():
    rng = np.random.default_rng(3)
    a = rng.random(30)
    b = a + 0.3 * rng.random(30)
    c = np.full(30, nan)
    c[:2] = [0.1, 0.9]  # two rows only: no correlation with a or b (min 3)
    Z = np.column_stack([a, b, c])
    with pytest.warns(DataQualityWarning, match=r"node 0: x2 \(1/3 each\)"):
        w = weights_pca(Z, nodes=[np.arange(3)], base=np.ones(3))
    assert w[2] == pytest.approx(1 / 3)
    # a and b share 2/3 by their squared loadings on the defined 2 × 2 block (1/2 each for 2 indicators)
    np.testing.assert_allclose(w[:2], [1 / 3, 1 / 3])
    assert w.sum() == pytest.approx(1.0)


def test_pca_tied_leading_eigenvalue_falls_back_to_equal_weights():
    # two exactly uncorrelated indicators: R = I, every vector is a "first component"
    a = np.array([1.0, -1.0, 1.0, -1.0])
    b = np.array([1.0, 1.0, -1.0, -1.0])
    Z = np.column_stack([a, b, a + 0.0, b * 2])
    nodes = [np.array([0, 1]), np.array([2, 3])]
    with pytest.warns(DataQualityWarning, match=r"not unique .* node\(s\) mil, dip; these nodes use equal"):
        w = compute_weights(Z, "pca", nodes=nodes, base=np.ones(4), names=list("abcd"),
                            node_names=["mil", "dip"])
    np.testing.assert_allclose(w, [0.5, 0.5, 0.5, 0.5])


def test_pca_defined_nodes_unchanged_and_silent():
    rng = np.random.default_rng(11)
    f = rng.normal(size=200)
    Z = np.column_stack([f + s * rng.normal(size=200) for s in (0.3, 0.6, 1.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        w = weights_pca(Z, nodes=[np.arange(3)], base=np.ones(3))
    _, vecs = np.linalg.eigh(np.corrcoef(Z.T))
    np.testing.assert_allclose(w, vecs[:, -1] ** 2, rtol=1e-10)


def test_pca_sets_aside_the_sparser_of_two_indicators_without_a_joint_correlation():
    rng = np.random.default_rng(5)
    f = rng.normal(size=40)
    a = f + 0.5 * rng.normal(size=40)
    b = f + 0.5 * rng.normal(size=40)
    c = f + 0.5 * rng.normal(size=40)
    b[:20] = nan  # b observed on rows 20-39
    c[18:] = nan  # c observed on rows 0-17 (never with b), fewer rows than b
    with pytest.warns(DataQualityWarning, match=r"node 0: x2 \(1/3 each\)"):
        w = weights_pca(np.column_stack([a, b, c]), nodes=[np.arange(3)], base=np.ones(3))
    assert w[2] == pytest.approx(1 / 3) and w.sum() == pytest.approx(1.0)
