"""Session 9 review of the index engine (notes/s9/review_index.md): findings 1, 11, 7, 9, 6, 4."""
from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_index.errors import MethodError
from alliance_index.index import CompositeIndex
from alliance_index.index.aggregate import aggregate

HAVE_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="numba is an optional extra (pip install alliance-index[fast])")


def _generic_data(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.random((300, 6)) * 10.0
    X[rng.random(X.shape) < 0.25] = np.nan
    X[:20, :3] = 0.0          # zero inputs: the case where the forms of the power mean differ
    X[20:25] = np.nan         # all-NaN rows stay NaN
    return X


# ----------------------------------------------------------------- findings 1 and 11: p in fit, numba p == 0
@needs_numba
@pytest.mark.parametrize("p", [-1.0, 0.0, 0.5, 2.0])
def test_numba_and_numpy_agree_on_generalised_mean(p):
    X = _generic_data()
    kw = dict(normalisation="minmax", weights="equal", aggregation="generalised", p=p, scale=1.0,
              hierarchy={"a": [0, 1, 2], "b": [3, 4, 5]})
    ra = CompositeIndex(backend="numpy", **kw).fit(X).transform(X)
    rb = CompositeIndex(backend="numba", **kw).fit(X).transform(X)
    assert np.array_equal(np.isnan(ra), np.isnan(rb))
    assert np.isnan(ra[20:25]).all()
    np.testing.assert_allclose(ra, rb, rtol=1e-11, atol=1e-12)
    assert np.nanstd(rb[:, -1]) > 0.01  # not one constant (p = 0 used to give 0.99 everywhere)


def test_generalised_p0_is_the_shifted_geometric_mean():
    X = np.array([[0.0, 10.0], [5.0, 0.0], [10.0, 5.0], [2.0, 2.0]])
    kw = dict(normalisation="minmax", weights="equal", scale=1.0)
    g = CompositeIndex(aggregation="generalised", p=0.0, backend="numpy", **kw).fit(X).transform(X)
    h = CompositeIndex(aggregation="geometric", backend="numpy", **kw).fit(X).transform(X)
    np.testing.assert_array_equal(g, h)


@pytest.mark.parametrize("p", ["a", float("nan"), float("inf"), None, True, [0.5]])
def test_bad_p_is_one_method_error_in_fit(p):
    est = CompositeIndex(normalisation="minmax", aggregation="generalised", p=p)
    with pytest.raises(MethodError, match=r"\bp\b.*finite real number"):
        est.fit(np.eye(3))


@needs_numba
def test_numba_rejects_a_non_finite_p_in_a_plan():
    X = _generic_data()
    est = CompositeIndex(normalisation="minmax", aggregation="generalised", backend="numba").fit(X)
    est.plan_.node_p[:] = np.nan  # a plan built or edited outside fit
    with pytest.raises(MethodError, match="finite"):
        est.transform(X)
