"""``history_pool``: trailing means of a dyad's own earlier years (the history-pooled variant's input)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_index.models.commitment import HISTORY_GRID, HISTORY_WINDOWS, history_pool, lodo

from test_commitment_selection import GRID, _panel


def _frame(rows):
    idx = pd.MultiIndex.from_tuples([(d, y) for d, y, *_ in rows], names=["dyad", "year"])
    return pd.DataFrame([r[2:] for r in rows], index=idx, columns=["a", "b"], dtype=float)


def test_window_one_is_the_identity():
    V, _ = _panel()
    assert history_pool(V, 1) is V


def test_hand_computed_with_gap_year_and_missing_cells():
    V = _frame([("A", 2010, 1, np.nan), ("A", 2011, np.nan, np.nan), ("A", 2013, 3, np.nan),
                ("B", 2012, 5, 1), ("B", 2013, 7, np.nan)])
    W = history_pool(V, 2)
    # A 2013 pools 2012-2013: 2012 has no row, so only 2013's 3
    assert W["a"].tolist() == [1, 1, 3, 5, 6]
    assert np.isnan(W.loc[("A", 2013), "b"])  # never observed in the window: still missing, never 0
    assert W.loc[("B", 2013), "b"] == 1
    E = history_pool(V, 16)  # window longer than the panel: mean of every earlier observed year
    assert E["a"].tolist() == [1, 1, 2, 5, 6]


def test_bad_window_is_one_clear_error():
    V, _ = _panel()
    with pytest.raises(ValueError, match="window must be a whole number of years >= 1"):
        history_pool(V, 0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), window=st.integers(2, 8))
def test_properties_no_future_no_other_dyad_bounds(seed, window):
    V, _ = _panel(n_dyads=5, years=7, seed=seed)
    W = history_pool(V, window)
    assert W.index.equals(V.index) and W.columns.equals(V.columns)
    # bounded by the dyad's own observed values
    lo = V.groupby(level="dyad").transform("min")
    hi = V.groupby(level="dyad").transform("max")
    ok = W.notna()
    assert (((W >= lo - 1e-12) & (W <= hi + 1e-12)) | ~ok).all().all()
    # observed somewhere in the window <=> pooled value present; an observed cell stays present
    assert (W.notna() | V.isna()).all().all()
    # changing a later year, or another dyad, leaves a row unchanged
    V2 = V.copy()
    V2.loc[("D00", 2016)] = 99.0
    V2.loc[("D01", slice(None)), :] = 42.0
    W2 = history_pool(V2, window)
    keep = (W.index.get_level_values("dyad") != "D01") & ~((W.index.get_level_values("dyad") == "D00")
                                                          & (W.index.get_level_values("year") == 2016))
    pd.testing.assert_frame_equal(W[keep], W2[keep])


def test_pooling_is_invariant_to_row_order():
    V, _ = _panel(seed=3)
    perm = np.random.default_rng(0).permutation(len(V))
    pd.testing.assert_frame_equal(history_pool(V.iloc[perm], 4).sort_index(), history_pool(V, 4))


def test_declared_grid_and_window_in_lodo():
    assert sorted({s["window"] for s in HISTORY_GRID.values()}) == list(HISTORY_WINDOWS)
    V, y = _panel(n_dyads=10, years=5, seed=2)
    a = lodo(V, y, None, n_sims=50, seed=0, nodes=GRID["signal/l2=1"]["nodes"], use_structural=False)
    b = lodo(V, y, None, n_sims=50, seed=0, nodes=GRID["signal/l2=1"]["nodes"], use_structural=False, window=1)
    pd.testing.assert_frame_equal(a, b)
    c = lodo(V, y, None, n_sims=50, seed=0, nodes=GRID["signal/l2=1"]["nodes"], use_structural=False, window=3)
    assert c["coverage"].equals(a["coverage"])  # coverage stays the year's own cells
    grid = {f"{k}/w={w}": dict(v, window=w) for k, v in GRID.items() for w in (1, 3)}
    r = lodo(V, y, None, n_sims=50, seed=0, select=True, grid=grid)
    assert set(r["spec"]) <= set(grid)


def test_scenario_adapter_pools_each_trajectory_like_history_pool():
    """The scenario classifier pools a simulated trajectory exactly as ``history_pool`` pools the
    dyad's observed years before it followed by that trajectory (and nothing from other trajectories)."""
    import alliance_index as ai
    from alliance_index.models.commitment import panel_frame
    from alliance_index.scenarios.classifier_adapter import FittedClassifierAdapter

    obs = ai.load_panel(["Russia-Iran"])
    hist = obs[obs["year"] <= 2020]
    ad = FittedClassifierAdapter(hist)
    ad.window = 4
    rng = np.random.default_rng(0)
    years = np.arange(2020, 2025)
    m = len(ad.cols)
    X = rng.random((2 * len(years), m)) * 5
    X[rng.random(X.shape) < 0.4] = np.nan
    paths = np.repeat([7, 3], len(years))
    yrs = np.tile(years, 2)
    got = ad.pool_paths(X, np.array(["IRN-RUS"] * len(X), dtype=object), yrs, paths)
    H, _ = panel_frame(hist[hist["year"] < 2020], ad.cols)
    for k, p in enumerate((7, 3)):
        rows = slice(k * len(years), (k + 1) * len(years))
        sim = pd.DataFrame(X[rows], columns=ad.cols,
                           index=pd.MultiIndex.from_arrays([["IRN-RUS"] * len(years), years], names=["dyad", "year"]))
        want = history_pool(pd.concat([H, sim]), 4).loc[sim.index].to_numpy()
        np.testing.assert_allclose(got[rows], want, equal_nan=True)
    ad.window = 1
    assert ad.pool_paths(X, np.array(["IRN-RUS"] * len(X), dtype=object), yrs, paths) is X


def test_scenario_adapter_with_a_window_needs_trajectory_ids():
    """A pooling model cannot score rows it cannot order into trajectories: one clear error."""
    import alliance_index as ai
    from alliance_index.errors import MethodError
    from alliance_index.scenarios.classifier_adapter import FittedClassifierAdapter

    ad = FittedClassifierAdapter(ai.load_panel(["Russia-Iran"]))
    ad.window = 3
    feats = pd.DataFrame({"dyad": ["IRN-RUS"] * 2, "year": [2024, 2025]})
    params = ad.draw_parameters(2, np.random.default_rng(0))
    with pytest.raises(MethodError, match="need `path`"):
        ad.p_de_jure(feats, params, np.array([0, 1]))
    p = ad.p_de_jure(feats.assign(path=[0, 0]), params, np.array([0, 1]))
    assert p.shape == (2,) and np.all((p > 0) & (p < 1))
