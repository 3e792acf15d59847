"""The reduced hostility plan gives the same ``hostility`` as the full second engine pass it replaced.

``_old_hostility`` below is the pre-0.2.1 implementation of ``CompositeIndex._hostility``
(the whole fitted plan run once more with the hedging indicators out of their nodes,
``dataclasses.replace(plan, col_node=...)``, or with them set to NaN when a node held
nothing else); every test compares ``transform(X)["hostility"]`` with it.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index.catalog import DOMAINS, HEDGING_INDICATORS
from alliance_index.index import CompositeIndex, _engine
from alliance_index.index import composite as comp
from alliance_index.panel import Panel

needs_numba = pytest.mark.skipif(not _engine.HAVE_NUMBA, reason="numba is not installed")
BACKENDS = ["numpy", pytest.param("numba", marks=needs_numba)]


def _old_hostility(est: CompositeIndex, X, hedging=HEDGING_INDICATORS) -> np.ndarray:
    """Hostility on [0, scale] as the previous implementation computed it (full plan, second pass)."""
    inp = est._read(X, fitting=False)
    V, C, _ = est._impute(inp)
    pl = est.plan_
    groups = None
    if any(a == "copeland" for a in pl.node_agg + pl.grp_agg) and inp.index is not None:
        groups = inp.index.get_level_values(1).to_numpy()
    out = _engine.run(V, C, pl, backend=est.backend, groups=groups)
    G = len(pl.node_names)
    hedge = np.isin(np.asarray(pl.names, dtype=object), hedging)
    if not hedge.any() or not (~np.isnan(V[:, hedge])).any():
        h = out[:, G + 1]
    else:
        col_node = np.where(hedge, -1, pl.col_node)
        if any(not (col_node == g).any() for g in range(G)):
            Vh = np.array(V, dtype="float64", order="F", copy=True)
            Vh[:, hedge] = np.nan
            h = _engine.run(Vh, C, pl, backend=est.backend, groups=groups)[:, G + 1]
        else:
            h = _engine.run(V, C, replace(pl, col_node=col_node), backend=est.backend, groups=groups)[:, G + 1]
    return h * float(est.scale)


def _check(est: CompositeIndex, X, hedging=HEDGING_INDICATORS) -> np.ndarray:
    new = est.transform(X)["hostility"].to_numpy()
    old = _old_hostility(est, X, hedging)
    np.testing.assert_array_equal(np.isnan(new), np.isnan(old))
    np.testing.assert_allclose(new, old, rtol=1e-12, atol=1e-12)
    return new


def _synthetic_panel(n_dyads: int = 40, n_years: int = 12, seed: int = 0, cols=None) -> Panel:
    """Wide panel over catalog indicators: values across (and beyond) the goalposts, 40 % unobserved,
    evidence factors 0.25-1 on the observed cells."""
    cat = ai.catalog()
    cols = list(cat.index) if cols is None else list(cols)
    c = cat.loc[cols]
    rng = np.random.default_rng(seed)
    n = n_dyads * n_years
    lo = c["range_min"].to_numpy(dtype="float64")
    hi = np.minimum(c["range_max"].to_numpy(dtype="float64"), 1.3 * c["goal_hi"].to_numpy(dtype="float64"))
    lo = np.where(np.isfinite(lo), lo, c["goal_lo"].to_numpy(dtype="float64"))
    X = lo + rng.random((n, len(cols))) * (hi - lo)
    whole = c["kind"].isin(["count", "ordinal", "binary"]).to_numpy()
    X[:, whole] = np.floor(X[:, whole])
    X[rng.random(X.shape) < 0.4] = np.nan
    Cf = np.where(np.isnan(X), np.nan, rng.choice([0.25, 0.5, 0.75, 1.0], size=X.shape))
    dy = np.array([f"D{i:03d}-X{i:03d}" for i in range(n_dyads)], dtype=object)
    index = pd.MultiIndex.from_arrays([np.repeat(dy, n_years), np.tile(np.arange(2000, 2000 + n_years), n_dyads)],
                                      names=["dyad", "year"])
    colidx = pd.Index(cols, name="indicator")
    values = pd.DataFrame(X, index=index, columns=colidx)
    return Panel(values=values, observed=values.notna(), confidence=pd.DataFrame(Cf, index=index, columns=colidx),
                 catalog=c)


@pytest.fixture(scope="module")
def bundled() -> Panel:
    return ai.to_panel(ai.load_panel(), validate=False)


@pytest.fixture(scope="module")
def synth() -> Panel:
    return _synthetic_panel()


CONFIGS = {
    "defaults": {},
    "geometric": {"aggregation": "geometric"},
    "harmonic": {"aggregation": "harmonic", "epsilon": 0.05},
    "generalised_neg": {"aggregation": "generalised", "p": -1.5},
    "generalised_pos": {"aggregation": "generalised", "p": 2.0},
    "confidence": {"weights": "confidence"},
    "evidence_geometric": {"evidence": True, "aggregation": "geometric", "domain_weights": {"military": 3.0}},
    "mixed_nodes": {"node_aggregation": {"discord": "geometric", "military_discord": "harmonic",
                                         "diplomatic_discord": "generalised", "cooperation": "harmonic"},
                    "p": 0.7, "domain_weights": {"regional": 0.5, "economic": 2.0}},
    "weights_dict_winsor": {"weights": {"diplomatic_protests": 3.0, "sanctions_against_partner": 0.5, "recognition_disputes": 4.0},
                            "winsorise": (0.05, 0.95), "aggregation": "geometric"},
    "rank": {"normalisation": "rank", "aggregation": "geometric"},
    "zscore_pca": {"normalisation": "zscore", "weights": "pca"},
    "minmax_no_treatment": {"normalisation": "minmax", "treatment": "none", "discord_exponent": 2.0},
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(CONFIGS))
def test_same_hostility_synthetic(name, backend, synth):
    est = CompositeIndex(backend=backend, **CONFIGS[name]).fit(synth)
    h = _check(est, synth)
    assert np.isfinite(h).sum() > 0.5 * len(h)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("opts", [{}, {"aggregation": "geometric"}, {"weights": "confidence", "scale": 1.0},
                                  {"imputation": "locf", "normalisation": "rank"}])
def test_same_hostility_bundled(opts, backend, bundled):
    est = CompositeIndex(backend=backend, **opts).fit(bundled)
    h = _check(est, bundled)
    # not only close: the same bits (the dropped nodes add exact zeros, see composite._hostility_plan)
    np.testing.assert_array_equal(h, _old_hostility(est, bundled))
    # the hedging indicators move discord in the bundled panel, so the comparison is not vacuous
    d = est.transform(bundled)["discord"].to_numpy()
    assert (np.abs(d - h) > 1e-3 * float(est.scale)).sum() > 50


@pytest.mark.parametrize("opts", [{"aggregation": "copeland"},
                                  {"aggregation": "copeland", "weights": "confidence"},
                                  {"node_aggregation": {"discord": "copeland"}, "aggregation": "geometric"},
                                  {"node_aggregation": {"military_discord": "copeland", "cooperation": "copeland"}}])
def test_same_hostility_copeland(opts, bundled, synth):
    for X in (bundled, synth):
        est = CompositeIndex(**opts).fit(X)
        assert not _engine.numba_applicable(est.plan_)
        _check(est, X)


def _only_hedging_regional_discord(panel: Panel) -> pd.DataFrame:
    """A wide frame whose regional-discord node holds one hedging indicator and nothing else."""
    cat = ai.catalog()
    keep = [c for c in panel.values.columns
            if cat.loc[c, "domain"] != "regional" or cat.loc[c, "side"] == "cooperation"
            or c == "ties_with_partners_rivals"]
    return panel.values[keep]


@pytest.mark.parametrize("opts,backend", [
    *(pytest.param(o, b, id=f"{i}-{b}", marks=needs_numba if b == "numba" else ())
      for i, o in enumerate([{}, {"aggregation": "geometric"},
                             {"node_aggregation": {"discord": "harmonic"}, "domain_weights": {"regional": 4.0}}])
      for b in ("numpy", "numba")),
    pytest.param({"aggregation": "copeland"}, "numpy", id="copeland-numpy"),  # numba does not do Copeland
])
def test_node_of_hedging_indicators_only(opts, backend, bundled, synth):
    for X in (_only_hedging_regional_discord(bundled), _only_hedging_regional_discord(synth)):
        est = CompositeIndex(backend=backend, **opts).fit(X)
        hp = est._hostility_plan_
        assert "regional_discord" not in hp.wide.node_names and len(hp.wide.node_names) == 3
        h = _check(est, X)
        assert np.isfinite(h).any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_hedging_column_observed_or_present(backend, synth):
    # hedging columns present but never observed: hostility is discord itself
    X = synth.values.assign(**{c: np.nan for c in HEDGING_INDICATORS})
    est = CompositeIndex(backend=backend).fit(synth)
    h = _check(est, X)
    np.testing.assert_array_equal(h, est.transform(X)["discord"].to_numpy())
    # no hedging column at all
    Xn = synth.values.drop(columns=list(HEDGING_INDICATORS))
    est = CompositeIndex(backend=backend, aggregation="geometric").fit(Xn)
    assert est._hostility_plan_.hedge_cols.size == 0
    h = _check(est, Xn)
    np.testing.assert_array_equal(h, est.transform(Xn)["discord"].to_numpy())


def test_every_discord_node_hedging_only(monkeypatch, synth):
    """With a hedging set that empties every discord node, hostility is NaN in every row (as before)."""
    cat = ai.catalog()
    hedging = tuple(cat.index[cat["side"] == "discord"])
    monkeypatch.setattr(comp, "HEDGING_INDICATORS", hedging)
    est = CompositeIndex().fit(synth)
    assert est._hostility_plan_.wide is None
    h = _check(est, synth, hedging)
    assert np.isnan(h).all()


def test_hedging_set_with_a_cooperation_indicator(monkeypatch, synth):
    """A hedging indicator on the cooperation side changes nothing in discord (old and new agree)."""
    hedging = HEDGING_INDICATORS + ("joint_exercises", "economic_protests_placeholder")
    monkeypatch.setattr(comp, "HEDGING_INDICATORS", hedging)
    for opts in ({}, {"aggregation": "geometric", "weights": "confidence"}):
        est = CompositeIndex(**opts).fit(synth)
        _check(est, synth, hedging)


@needs_numba
def test_auto_backend_on_a_large_input_uses_the_same_engine():
    """Above NUMBA_MIN_CELLS ``backend='auto'`` picks numba for the hostility pass exactly when the full
    plan would (the narrow copy is smaller than the threshold), so the numbers agree to the last bit."""
    cat = ai.catalog()
    cols = list(cat.index[cat["core"]])
    n_dyads = -(-_engine.NUMBA_MIN_CELLS // (len(cols) * 10)) + 1
    P = _synthetic_panel(n_dyads=n_dyads, n_years=10, seed=3, cols=cols)
    assert P.values.size >= _engine.NUMBA_MIN_CELLS
    for opts in ({}, {"aggregation": "geometric"}, {"normalisation": "rank"}):
        est = CompositeIndex(**opts).fit(P.values.iloc[:2000])
        new = _check(est, P.values)
        np.testing.assert_array_equal(new, _old_hostility(est, P.values))


def test_plan_replaced_after_fit_is_followed(synth):
    """The cached reduced plan belongs to the fitted plan_; a replaced plan_ gets its own."""
    est = CompositeIndex().fit(synth)
    other = CompositeIndex(aggregation="geometric").fit(synth)
    est.plan_ = other.plan_
    _check(est, synth)


def test_reduced_plan_shape(synth):
    est = CompositeIndex().fit(synth)
    pl, hp = est.plan_, est._hostility_plan_
    assert hp.source is pl
    assert hp.wide.grp_names == ["discord"] and not hp.wide.alliance
    assert set(hp.wide.node_names) == {f"{d}_discord" for d in DOMAINS}
    names = np.asarray(pl.names, dtype=object)
    kept = set(names[hp.keep])
    side = ai.catalog().loc[list(names), "side"].to_numpy()
    assert kept == set(names[(side == "discord") & ~np.isin(names, HEDGING_INDICATORS)])
    assert hp.narrow.names == list(names[hp.keep])
    # clone / get_params see nothing of it
    from sklearn.base import clone

    assert not hasattr(clone(est), "_hostility_plan_")
