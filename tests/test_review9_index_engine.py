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
    kw = {"normalisation": "minmax", "weights": "equal", "aggregation": "generalised", "p": p, "scale": 1.0,
          "hierarchy": {"a": [0, 1, 2], "b": [3, 4, 5]}}
    ra = CompositeIndex(backend="numpy", **kw).fit(X).transform(X)
    rb = CompositeIndex(backend="numba", **kw).fit(X).transform(X)
    assert np.array_equal(np.isnan(ra), np.isnan(rb))
    assert np.isnan(ra[20:25]).all()
    np.testing.assert_allclose(ra, rb, rtol=1e-11, atol=1e-12)
    assert np.nanstd(rb[:, -1]) > 0.01  # not one constant (p = 0 used to give 0.99 everywhere)


def test_generalised_p0_is_the_shifted_geometric_mean():
    X = np.array([[0.0, 10.0], [5.0, 0.0], [10.0, 5.0], [2.0, 2.0]])
    kw = {"normalisation": "minmax", "weights": "equal", "scale": 1.0}
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


# ----------------------------------------------------------------- finding 7: one shifted form for every p
def test_generalised_p1_is_exactly_arithmetic_and_p0_exactly_geometric():
    rng = np.random.default_rng(5)
    X = rng.random((50, 4))
    X[rng.random(X.shape) < 0.3] = np.nan
    X[:5, 0] = 0.0
    w = np.array([1.0, 2.0, 0.5, 1.0])
    np.testing.assert_array_equal(aggregate(X, w, "generalised", p=1.0), aggregate(X, w, "arithmetic"))
    np.testing.assert_array_equal(aggregate(X, w, "generalised", p=0.0), aggregate(X, w, "geometric"))


def test_generalised_is_continuous_at_zero_and_shifted_for_positive_p():
    X = np.array([[0.0, 1.0]])
    eps = 0.01
    m0 = aggregate(X, [1, 1], "generalised", p=0.0)[0]
    for p in (1e-300, 1e-12, -1e-12, 1e-6):
        assert aggregate(X, [1, 1], "generalised", p=p)[0] == pytest.approx(m0, rel=1e-5)
    # p = 0.5 by its formula, shifted: ((sqrt(eps) + sqrt(1 + eps)) / 2)**2 - eps
    want = ((np.sqrt(eps) + np.sqrt(1 + eps)) / 2) ** 2 - eps
    assert aggregate(X, [1, 1], "generalised", p=0.5)[0] == pytest.approx(want, rel=1e-13)
    # p = -1 is the shifted harmonic mean
    np.testing.assert_allclose(aggregate(X, [1, 1], "generalised", p=-1.0), aggregate(X, [1, 1], "harmonic"),
                               rtol=1e-13)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))), min_size=3, max_size=3),
                     min_size=1, max_size=6),
       ps=st.lists(st.floats(-4.0, 4.0), min_size=2, max_size=2),
       w=st.lists(st.floats(0.1, 5.0), min_size=3, max_size=3))
def test_generalised_mean_is_non_decreasing_in_p(rows, ps, w):
    X = np.array(rows, dtype="float64")
    p1, p2 = sorted(ps)
    a = aggregate(X, w, "generalised", p=p1)
    b = aggregate(X, w, "generalised", p=p2)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    assert np.all(a[ok] <= b[ok] + 1e-12)
    assert np.all((a[ok] >= 0) & (b[ok] <= 1))


@needs_numba
def test_numba_generalised_is_non_decreasing_in_p_and_matches_numpy_near_zero():
    X = _generic_data(7)
    kw = {"normalisation": "minmax", "weights": "equal", "aggregation": "generalised", "scale": 1.0,
          "backend": "numba"}
    prev = None
    for p in (-2.0, -1e-9, 0.0, 1e-9, 0.3, 1.0, 3.0):
        r = CompositeIndex(p=p, **kw).fit(X).transform(X).ravel()
        rn = CompositeIndex(**{**kw, "backend": "numpy", "p": p}).fit(X).transform(X).ravel()
        np.testing.assert_allclose(r, rn, rtol=1e-11, atol=1e-12)
        if prev is not None:
            ok = ~np.isnan(r)
            assert np.all(r[ok] >= prev[ok] - 1e-12)
        prev = r


# ----------------------------------------------------------------- finding 9: wide frames are range-checked
@pytest.fixture(scope="module")
def wide():
    import alliance_index as ai
    from alliance_index.panel import to_panel

    return to_panel(ai.load_panel()).values


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
@pytest.mark.parametrize("col,value", [("arms_transfers_tiv", -5.0), ("trade_usd", -0.5)])
def test_wide_frame_out_of_range_is_one_error_naming_the_cell(wide, backend, col, value):
    from alliance_index.errors import OutOfRangeError

    est = CompositeIndex(backend=backend).fit(wide)
    bad = wide.copy()
    bad.iloc[3, bad.columns.get_loc(col)] = value
    dyad, year = bad.index[3]
    with pytest.raises(OutOfRangeError) as ei:
        est.transform(bad)
    msg = str(ei.value)
    for part in (dyad, str(year), col, f"{value:g}", "[0, inf]"):
        assert part in msg, (part, msg)
    with pytest.raises(OutOfRangeError, match=col):  # fit checks too
        CompositeIndex(backend=backend).fit(bad)


def test_wide_frame_ordinal_above_its_range_is_an_error(wide):
    import alliance_index as ai
    from alliance_index.errors import OutOfRangeError

    cat = ai.catalog()
    col = next(c for c in wide.columns if np.isfinite(cat.loc[c, "range_max"]) and cat.loc[c, "kind"] == "ordinal")
    bad = wide.copy()
    bad.iloc[0, bad.columns.get_loc(col)] = cat.loc[col, "range_max"] + 2
    with pytest.raises(OutOfRangeError, match=rf"{col}.*outside its allowed range"):
        CompositeIndex().fit(bad)
    # in-range frames (the bundled panel) still score, the same as the Panel
    import alliance_index as ai2
    from alliance_index.panel import to_panel

    P = to_panel(ai2.load_panel())
    np.testing.assert_allclose(CompositeIndex().fit_transform(wide).to_numpy(dtype=float),
                               CompositeIndex().fit(P).transform(P).to_numpy(dtype=float))


# ----------------------------------------------------------------- finding 6: unknown column in a (dyad, year) frame
def test_dyad_year_frame_with_unknown_column_is_unknown_indicator_error(wide):
    from alliance_index.errors import UnknownIndicatorError

    W = wide.rename(columns={"trade_usd": "trade_usd_x"})
    for opts in ({}, {"normalisation": "minmax"}):
        with pytest.raises(UnknownIndicatorError, match=r"'trade_usd_x'.*Did you mean: trade_usd"):
            CompositeIndex(**opts).fit(W)


def test_generic_mode_stays_available_with_hierarchy_or_another_index(wide):
    W = wide[["trade_usd", "arms_transfers_tiv"]].rename(columns={"trade_usd": "a", "arms_transfers_tiv": "b"})
    W = W.fillna(0.0)
    r1 = CompositeIndex(normalisation="minmax", weights="equal", hierarchy={"x": ["a", "b"]}).fit_transform(W)
    r2 = CompositeIndex(normalisation="minmax", weights="equal").fit_transform(W.reset_index(drop=True))
    assert r1.shape == r2.shape == (len(W), 1)
    np.testing.assert_allclose(r1, r2)


def test_dyad_observed_only_on_a_column_without_scale_is_not_called_unobserved():
    """A column constant in fit has no learned scale (NaN after minmax): its dyad still has observations."""
    import alliance_index as ai

    cat = ai.catalog(include_events=False)
    core = list(cat.index[cat["core"]])
    idx = pd.MultiIndex.from_tuples([("BLR-RUS", 2020), ("BLR-RUS", 2021), ("IRN-RUS", 2020)], names=["dyad", "year"])
    V = np.full((3, len(core)), np.nan)
    a, b = core[0], core[1]
    V[:2, core.index(a)] = [cat.loc[a, "range_min"], cat.loc[a, "range_min"] + 1]
    V[:, core.index(b)] = cat.loc[b, "range_min"]  # constant in the fit sample
    V[2, core.index(a)] = np.nan                    # IRN-RUS: observed on b only
    X = pd.DataFrame(V, index=idx, columns=core)
    with pytest.warns(Warning):
        res = CompositeIndex(normalisation="minmax", backend="numpy").fit(X).transform(X)
    assert res.shape[0] == 3


# ----------------------------------------------------------------- finding 4: Copeland scores against the fitted sample
COPELAND_OPTS = [
    {"aggregation": "copeland"},
    {"aggregation": "copeland", "evidence": True},
    {"node_aggregation": {"cooperation": "copeland", "military_discord": "copeland"}},
    {"aggregation": "copeland", "normalisation": "minmax", "node_aggregation": {"discord": "geometric"}},
]


@pytest.fixture(scope="module")
def panel():
    import alliance_index as ai
    from alliance_index.panel import to_panel

    return to_panel(ai.load_panel())


@pytest.mark.parametrize("opts", COPELAND_OPTS)
def test_copeland_in_sample_numbers_unchanged(panel, opts):
    """fit_transform on the fitted rows = the in-sample Copeland (every row against the others), bit for bit."""
    from alliance_index.index import _engine
    from alliance_index.index.composite import _hostility_plan

    est = CompositeIndex(**opts).fit(panel)
    res = est.transform(panel)
    pl = est.plan_
    V = panel.values.to_numpy(dtype="float64")
    C = panel.confidence.to_numpy(dtype="float64") if opts.get("evidence") else None
    years = panel.values.index.get_level_values(1).to_numpy()
    old = _engine.run_numpy(V, C, pl, groups=years)  # the in-sample computation (no reference)
    G, H = len(pl.node_names), len(pl.grp_names)
    np.testing.assert_array_equal(res["cooperation"].to_numpy(), old[:, G] * 100)
    np.testing.assert_array_equal(res["discord"].to_numpy(), old[:, G + 1] * 100)
    np.testing.assert_array_equal(res["index"].to_numpy(), old[:, G + H] * 100)
    for g, nn in enumerate(pl.node_names):
        np.testing.assert_array_equal(res[f"dom_{nn}"].to_numpy(), old[:, g] * 100)
    hp = _hostility_plan(pl)
    host = _engine.run_numpy(V, C, hp.wide, groups=years)[:, len(hp.wide.node_names)]
    np.testing.assert_allclose(res["hostility"].to_numpy(), host * 100, rtol=0, atol=1e-12)
    from alliance_index.index import score

    s = score(panel, **opts)
    np.testing.assert_array_equal(s["index"].to_numpy(), res["index"].to_numpy())


@pytest.mark.parametrize("opts", COPELAND_OPTS[:2])
def test_copeland_transform_does_not_depend_on_the_other_rows(panel, opts):
    W = panel.values
    est = CompositeIndex(**opts).fit(W)
    full = est.transform(W)
    r, s = ("BLR-RUS", 2023), ("IRN-RUS", 2023)
    for rows in ([r], [r, s], [s, r]):
        part = est.transform(W.loc[rows])
        pd.testing.assert_frame_equal(part, full.loc[rows])
    rng = np.random.default_rng(0)
    take = np.sort(rng.choice(len(W), 200, replace=False))
    pd.testing.assert_frame_equal(est.transform(W.iloc[take]), full.iloc[take])
    assert 0 < full.loc[r, "cooperation"] < 100 and full.loc[r, "cooperation"] != 50


def test_copeland_changed_row_is_scored_against_the_other_fitted_rows(panel):
    W = panel.values
    est = CompositeIndex(aggregation="copeland").fit(W)
    r = ("IRN-RUS", 2023)
    better = W.loc[[r]].copy()
    coop = [c for c in W.columns if c in est.nodes_["military_cooperation"]]
    best = W.loc[W.index.get_level_values(1) == 2023, coop].max()
    better[coop] = best.to_numpy()[None, :]  # the best military cooperation of 2023 in every indicator
    out = est.transform(better)
    assert out.loc[r, "dom_military_cooperation"] >= est.transform(W.loc[[r]]).loc[r, "dom_military_cooperation"]
    assert out.loc[r, "dom_military_cooperation"] > 90


def test_copeland_year_not_fitted_warns(panel):
    from alliance_index.errors import DataQualityWarning

    W = panel.values
    fit_rows = W.index.get_level_values(1) != 2023
    est = CompositeIndex(aggregation="copeland").fit(W[fit_rows])
    with pytest.warns(DataQualityWarning, match="2023"):
        out = est.transform(W.loc[[("BLR-RUS", 2023)]])
    assert out["dom_military_cooperation"].iloc[0] == 50


def test_copeland_generic_mode_subset_invariance():
    rng = np.random.default_rng(2)
    X = rng.random((40, 5))
    X[rng.random(X.shape) < 0.2] = np.nan
    X[5] = X[6]  # a duplicated unit
    est = CompositeIndex(normalisation="minmax", weights="equal", aggregation="copeland", scale=1.0).fit(X)
    full = est.transform(X)
    from alliance_index.index import _engine

    np.testing.assert_array_equal(full.ravel(), _engine.run_numpy(X, None, est.plan_)[:, 1])  # in-sample
    for rows in ([3], [5], [6, 1, 30], list(range(0, 40, 3))):
        np.testing.assert_array_equal(est.transform(X[rows]), full[rows])


def test_copeland_year_warning_points_at_the_callers_line(panel):
    import warnings

    W = panel.values
    est = CompositeIndex(aggregation="copeland").fit(W[W.index.get_level_values(1) != 2023])
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est.transform(W.loc[[("BLR-RUS", 2023)]])
    assert [w.filename for w in rec] == [__file__]


# ----------------------------------------------------------------- finding 3: evidence carried into the node weight
def _evidence_panel(conf_a: str):
    """Two dyad-years; BLR-RUS 2023: military cooperation on one cell (confidence conf_a) and economic
    cooperation on one confirmed cell; everything else unobserved."""
    import alliance_index as ai
    from alliance_index.panel import to_panel

    cat = ai.catalog(include_events=False)
    mil = next(c for c in cat.index if cat.loc[c, "domain"] == "military" and cat.loc[c, "side"] == "cooperation"
               and cat.loc[c, "core"])
    eco = next(c for c in cat.index if cat.loc[c, "domain"] == "economic" and cat.loc[c, "side"] == "cooperation"
               and cat.loc[c, "core"])
    dis = next(c for c in cat.index if cat.loc[c, "side"] == "discord" and cat.loc[c, "core"])
    hi_m, lo_e = float(cat.loc[mil, "goal_hi"]), float(cat.loc[eco, "goal_lo"])
    rows = [("BLR-RUS", 2023, mil, hi_m, conf_a), ("BLR-RUS", 2023, eco, lo_e, "confirmed"),
            ("BLR-RUS", 2023, dis, float(cat.loc[dis, "goal_lo"]), "confirmed"),
            ("IRN-RUS", 2023, eco, lo_e, "confirmed"), ("IRN-RUS", 2023, dis, float(cat.loc[dis, "goal_lo"]), "confirmed")]
    obs = pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value", "confidence"])
    obs["source"] = "test"
    obs["note"] = ""
    return to_panel(obs)


@pytest.mark.parametrize("backend", ["numpy", pytest.param("numba", marks=needs_numba)])
def test_denied_single_cell_node_counts_a_quarter_in_its_side(backend):
    res = {}
    for conf in ("confirmed", "denied"):
        P = _evidence_panel(conf)
        est = CompositeIndex(evidence=True, backend=backend).fit(P)
        res[conf] = est.transform(P).loc[("BLR-RUS", 2023)]
    c, d = res["confirmed"], res["denied"]
    # the military node scores 100 on its one cell either way; economic scores 0
    assert c["dom_military_cooperation"] == d["dom_military_cooperation"] == 100
    assert c["dom_economic_cooperation"] == d["dom_economic_cooperation"] == 0
    # equal domain weights: cooperation = 100 e_mil / (e_mil + 1), e = 1 (confirmed) or 0.25 (denied)
    assert c["cooperation"] == pytest.approx(50.0, abs=1e-9)
    assert d["cooperation"] == pytest.approx(100 * 0.25 / 1.25, abs=1e-9)
    # without evidence weighting the confidence does not matter
    P = _evidence_panel("denied")
    plain = CompositeIndex(backend=backend).fit(P).transform(P).loc[("BLR-RUS", 2023), "cooperation"]
    assert plain == pytest.approx(50.0, abs=1e-9)


@needs_numba
def test_evidence_numba_matches_numpy_on_the_bundled_panel(panel):
    for opts in ({"evidence": True}, {"evidence": True, "aggregation": "geometric"},
                 {"weights": "confidence", "aggregation": "generalised", "p": -0.5,
                  "node_aggregation": {"cooperation": "harmonic"}}):
        a = CompositeIndex(backend="numpy", **opts).fit(panel).transform(panel)
        b = CompositeIndex(backend="numba", **opts).fit(panel).transform(panel)
        np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-11, atol=1e-11)
