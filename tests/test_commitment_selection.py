"""Choosing the commitment model's specification by dyad-grouped cross-validation (nested in LODO)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_index.models.commitment import (SPEC_GRID, SpecSelection, fit_commitment, lodo,
                                              select_specification)

IND = ["basing_access", "joint_exercises", "leader_meetings", "diplomatic_protests"]


def _panel(n_dyads=12, years=6, seed=0, informative="basing_access"):
    """Synthetic raw panel: the label follows ``informative``; the other columns are noise; some cells missing."""
    rng = np.random.default_rng(seed)
    dy = np.repeat([f"D{i:02d}" for i in range(n_dyads)], years)
    yr = np.tile(np.arange(2010, 2010 + years), n_dyads)
    lab = np.repeat(np.arange(n_dyads) % 2, years).astype(float)
    V = pd.DataFrame({
        "basing_access": np.where(lab == 1, 2.0, 0.0),
        "joint_exercises": rng.poisson(3, len(dy)).astype(float),
        "leader_meetings": rng.poisson(2, len(dy)).astype(float),
        "diplomatic_protests": rng.poisson(1, len(dy)).astype(float),
    }, index=pd.MultiIndex.from_arrays([dy, yr], names=["dyad", "year"]))
    if informative != "basing_access":
        V[informative], V["basing_access"] = V["basing_access"], V[informative]
    V = V.mask(rng.random(V.shape) < 0.15)
    return V, lab


GRID = {
    "signal/l2=1": {"nodes": {"signal": ("basing_access",)}, "use_structural": False, "l2": 1.0},
    "noise/l2=1": {"nodes": {"noise": ("joint_exercises", "leader_meetings")}, "use_structural": False, "l2": 1.0},
}


def test_selection_prefers_the_informative_specification():
    V, y = _panel()
    sel = select_specification(V, y, None, grid=GRID, n_folds=4, n_imputations=5, seed=0)
    assert isinstance(sel, SpecSelection)
    assert sel.chosen == "signal/l2=1"
    assert list(sel.scores.index) == list(GRID)
    assert sel.scores.loc["signal/l2=1", "log_loss"] < sel.scores.loc["noise/l2=1", "log_loss"]
    assert sel.scores.loc["signal/l2=1", "roc_auc"] > 0.9
    d = sel.to_dict()
    assert d["chosen"] == sel.chosen and set(d["scores"]) == set(GRID)


def test_selection_follows_the_signal_when_it_moves():
    V, y = _panel(informative="leader_meetings")
    grid = {"a": {"nodes": {"a": ("basing_access",)}, "use_structural": False, "l2": 1.0},
            "b": {"nodes": {"b": ("leader_meetings",)}, "use_structural": False, "l2": 1.0}}
    assert select_specification(V, y, None, grid=grid, n_folds=4, n_imputations=5, seed=1).chosen == "b"


def test_selection_is_seeded():
    V, y = _panel(seed=3)
    a = select_specification(V, y, None, grid=GRID, n_folds=3, n_imputations=5, seed=7)
    b = select_specification(V, y, None, grid=GRID, n_folds=3, n_imputations=5, seed=7)
    pd.testing.assert_frame_equal(a.scores, b.scores)


def test_selection_needs_enough_dyads():
    V, y = _panel(n_dyads=3)
    with pytest.raises(ValueError, match="n_folds=5"):
        select_specification(V, y, None, grid=GRID, n_folds=5)


def test_nested_lodo_records_the_choice_per_fold():
    V, y = _panel(n_dyads=8, years=4)
    r = lodo(V, y, None, n_sims=50, seed=0, select=True, grid=GRID)
    assert set(r["spec"]) <= set(GRID)
    assert r.groupby(level=0)["spec"].nunique().eq(1).all()  # one choice per outer fold
    assert (r["p_de_jure_lo"] <= r["p_de_jure_hi"]).all()


def test_grid_is_declared_and_covers_both_forms():
    forms = {k.split("/")[0] for k in SPEC_GRID}
    assert forms == {"nodes", "indicators"}
    assert all(v["l2"] > 0 for v in SPEC_GRID.values())


def test_fit_with_an_indicator_never_observed_in_training():
    """A column wholly missing in the training rows gets a zero slope and still predicts (no NaN)."""
    V, y = _panel()
    V["wartime_support"] = np.nan
    m = fit_commitment(V, y, None, nodes={"b": ("basing_access",), "w": ("wartime_support",)},
                       use_structural=False, n_imputations=3)
    assert abs(m.params["w"]) < 1e-12
    assert np.isfinite(m.means).all()
