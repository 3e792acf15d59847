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
    ref, flag_ref, conf_ref = impute(V, "linear", groups=g, years=y, conf=np.where(np.isnan(V), nan, 0.5))
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
