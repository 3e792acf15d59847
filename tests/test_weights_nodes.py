"""The per-node loop shared by the data-driven weighters (pca, balance)."""
import numpy as np
import pytest

from alliance_index.index.weights import _per_node, weights_balance, weights_pca


def _data(seed=0):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(200, 7)) @ rng.normal(size=(7, 7))
    Z[rng.random(Z.shape) < 0.25] = np.nan
    return Z


def test_per_node_passes_the_node_matrix_and_leaves_singletons_and_refusals_at_one():
    Z = _data()
    seen = []

    def node(M, i, cols):
        seen.append(M.copy())
        return None if M.shape[0] == 3 else np.full(M.shape[0], 7.0)

    w = _per_node(Z, [[0, 1], [2], [3, 4, 5], [6]], "cov", node)
    assert len(seen) == 2  # singletons never reach the node function
    assert seen[0].shape == (2, 2) and seen[1].shape == (3, 3)
    np.testing.assert_array_equal(w, [7.0, 7.0, 1.0, 1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize("what", ["corr", "cov"])
def test_per_node_matrix_is_pairwise_complete(what):
    Z = _data(1)
    got = []
    _per_node(Z, [[1, 4]], what, lambda M, i, cols: got.append(M) or None)
    a, b = Z[:, 1], Z[:, 4]
    both = ~np.isnan(a) & ~np.isnan(b)
    # off-diagonal from the rows where both are observed; diagonal from each column's own rows
    off = np.corrcoef(a[both], b[both])[0, 1] if what == "corr" else np.cov(a[both], b[both])[0, 1]
    diag = [1.0, 1.0] if what == "corr" else [np.nanvar(a, ddof=1), np.nanvar(b, ddof=1)]
    np.testing.assert_allclose(got[0], [[diag[0], off], [off, diag[1]]], rtol=1e-12)


def test_pca_weights_sum_to_one_and_balance_weights_average_one_within_each_node():
    Z = _data(2)
    nodes = [np.arange(0, 3), np.arange(3, 7)]
    wp = weights_pca(Z, nodes=nodes, base=np.ones(7))
    wb = weights_balance(Z, nodes=nodes, base=np.ones(7))
    for cols in nodes:
        assert wp[cols].sum() == pytest.approx(1.0, rel=1e-12)
        assert wb[cols].mean() == pytest.approx(1.0, rel=1e-12)
        assert np.all(wb[cols] >= 0)
