"""numba kernel paths with separate treated / untreated inputs agree with the numpy back end."""
import math

import numpy as np
import pytest

from alliance_index.index import CompositeIndex


@pytest.mark.parametrize("aggregation", ["arithmetic", "geometric"])
@pytest.mark.parametrize("winsorise", [None, (0.05, 0.95)])
def test_numba_matches_numpy_on_treated_and_untreated_columns(aggregation, winsorise):
    pytest.importorskip("numba")
    rng = np.random.default_rng(11)
    k = 110  # node a: 80 product-form weights of 2 at eps 0.01, 160 * log2(100) > 1000: 2**60 rescaling runs
    X = rng.random((3000, k)) * 1.2 - 0.1
    X[:400] = 0.0  # long runs of zeros drive the product below 2**-60
    X[rng.random(X.shape) < 0.3] = np.nan
    kw = dict(normalisation="goalposts", goalposts=(np.zeros(k), np.ones(k)), weights=np.full(k, 2.0),
              aggregation=aggregation, winsorise=winsorise,
              hierarchy={"a": list(range(80)), "b": list(range(80, k))})
    a = CompositeIndex(backend="numpy", **kw).fit(X)
    b = CompositeIndex(backend="numba", **kw).fit(X)
    assert 2.0 * 80 * -math.log2(a.epsilon) > 1000  # node "a" takes the rescaled product form
    ra, rb = a.transform(X), b.transform(X)
    assert np.array_equal(np.isnan(ra), np.isnan(rb))
    np.testing.assert_allclose(ra, rb, rtol=1e-12, atol=1e-12)
    assert np.nanmax(ra[:400]) < np.nanmax(ra[400:])  # zeros rows score low: the data reached the kernel
