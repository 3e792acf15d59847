"""The shipped commitment model is the one its script fits on the bundled panel as it is now.

A change to data/observations or status.csv without re-running scripts/fit_commitment.py would
ship coefficients fitted on other data; these tests catch it and say what to run.
"""
from __future__ import annotations

import warnings

import numpy as np

from alliance_index.models.classify import load_fitted
from alliance_index.models.commitment import bundled_panel_hash, bundled_training_data, fit_commitment

FIX = "re-run `python scripts/fit_commitment.py` (and the evaluation scripts) and commit the refitted file"


def test_shipped_commitment_model_records_the_current_panel():
    _, com = load_fitted()
    recorded = com.meta.get("panel_sha256_16")
    now = bundled_panel_hash()
    assert recorded == now, (f"the bundled panel changed since commitment.json was fitted (recorded {recorded}, "
                             f"now {now}): {FIX}")


def test_refitting_reproduces_the_shipped_coefficients():
    hist, com = load_fitted()
    V, y = bundled_training_data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        refit = fit_commitment(V, y, hist, seed=int(com.meta.get("seed", 0)), l2=float(com.meta["l2"]),
                               nodes=com.nodes, use_structural=com.use_structural, window=com.window)
    assert list(refit.params.index) == list(com.params.index)
    np.testing.assert_allclose(refit.params.to_numpy(), com.params.to_numpy(), rtol=1e-6, atol=1e-9,
                               err_msg=f"refit differs from the shipped coefficients: {FIX}")
    np.testing.assert_allclose(refit.cov, com.cov, rtol=1e-5, atol=1e-10)
    assert int(com.meta["n_dyad_years"]) == len(V) and int(com.meta["n_positive"]) == int(np.sum(y))


def test_panel_hash_reads_what_the_model_reads(monkeypatch):
    """Re-sourcing a row leaves the panel version alone; changing a value or a label changes it."""
    import alliance_index.observations as ob

    base = bundled_panel_hash()
    obs, status = ob.load_panel(), ob.load_status()

    def with_obs(frame):
        monkeypatch.setattr(ob, "load_panel", lambda *a, **k: frame)
        return bundled_panel_hash()

    resourced = obs.copy()
    resourced.loc[resourced.index[0], ["source", "note", "confidence"]] = ["example.org/other", "re-sourced", "alleged"]
    assert with_obs(resourced) == base
    assert with_obs(obs.sample(frac=1.0, random_state=0)) == base  # row order does not matter
    changed = obs.copy()
    changed.loc[changed.index[0], "value"] = changed["value"].iloc[0] + 1
    assert with_obs(changed) != base
    monkeypatch.setattr(ob, "load_panel", lambda *a, **k: obs)
    relabelled = status.copy()
    relabelled.loc[relabelled.index[0], "mutual_defence"] = not bool(relabelled["mutual_defence"].iloc[0])
    monkeypatch.setattr(ob, "load_status", lambda *a, **k: relabelled)
    assert bundled_panel_hash() != base
