"""models.explain_p_de_jure: the per-feature split of the commitment model's log-odds."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index.errors import CoverageWarning, MethodError, ObservationsError
from alliance_index.models import explain_p_de_jure, load_fitted


def _quiet(*a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CoverageWarning)
        return explain_p_de_jure(*a, **k)


@pytest.fixture(scope="module")
def two():
    return _quiet(ai.load_panel(["Russia-Belarus", "Russia-Iran"]), year=[2022, 2023], n_imputations=50, seed=3)


def test_shape_terms_and_exact_split(two):
    _, com = load_fitted()
    terms = ["const"] + com.features + ["total"]
    assert len(two) == 4 * len(terms)
    for (d, y), g in two.groupby(["dyad", "year"], sort=False):
        assert g["term"].tolist() == terms
        t = g.set_index("term")
        # the terms add up to the point log-odds, and total's value is its logistic
        assert t["contribution"].drop("total").sum() == pytest.approx(t.loc["total", "contribution"], abs=1e-12)
        assert t.loc["total", "value"] == pytest.approx(1 / (1 + np.exp(-t.loc["total", "contribution"])), abs=1e-12)
        feats = t.drop(["const", "total"])
        np.testing.assert_allclose(feats["contribution"], feats["coef"] * feats["z"], atol=1e-12)
        np.testing.assert_allclose(feats["coef"].to_numpy(), com.params.to_numpy()[1:])
        assert ((feats["observed"] >= 0) & (feats["observed"] <= 1)).all()
        nodes = feats.drop("structural_logodds", errors="ignore")
        assert ((nodes["value"] >= 0) & (nodes["value"] <= 1)).all()  # node means of goalpost-normalised values


def test_belarus_and_iran_differ_where_the_docs_say(two):
    w = two[two["year"] == 2023].pivot_table(index="term", columns="dyad", values="contribution", sort=False)
    assert w.loc["total", "BLR-RUS"] > 0 > w.loc["total", "IRN-RUS"]
    assert w.loc["military_cooperation", "BLR-RUS"] > w.loc["military_cooperation", "IRN-RUS"]


def test_a_dyad_year_does_not_depend_on_the_other_rows(two):
    alone = _quiet(ai.load_panel(["Russia-Iran"]), year=2023, n_imputations=50, seed=3)
    both = two[(two["dyad"] == "IRN-RUS") & (two["year"] == 2023)]
    np.testing.assert_allclose(alone["contribution"].to_numpy(), both["contribution"].to_numpy(),
                               rtol=1e-12, atol=1e-12)


def test_raising_one_indicator_moves_only_its_node():
    obs = ai.load_panel(["Russia-Iran"])
    base = _quiet(obs, year=2023, n_imputations=30, seed=1).set_index("term")
    # Russia-Iran 2023 has no basing_access row: code one at the top of the scale (2 = permanent base)
    assert not ((obs["year"] == 2023) & (obs["indicator"] == "basing_access")).any()
    row = obs[(obs["year"] == 2023)].iloc[[0]].assign(indicator="basing_access", value=2.0)
    up = pd.concat([obs, row], ignore_index=True)
    new = _quiet(up, year=2023, n_imputations=30, seed=1).set_index("term")
    delta = new["contribution"] - base["contribution"]
    # observed share within the model's window of years: up unless basing_access was seen in an earlier year of it
    assert new.loc["military_cooperation", "observed"] >= base.loc["military_cooperation", "observed"]
    assert new.loc["military_cooperation", "value"] > base.loc["military_cooperation", "value"]
    assert delta["military_cooperation"] > 0  # positive coefficient, higher node mean
    others = delta.drop(["military_cooperation", "total"])
    np.testing.assert_allclose(others.to_numpy(), 0.0, atol=1e-12)
    assert delta["total"] == pytest.approx(delta["military_cooperation"], abs=1e-12)


def test_module_doctests():
    """The docstring examples of the classification modules run (nothing else runs them)."""
    import doctest
    import importlib

    for name in ("alliance_index.models.classify", "alliance_index.models.verdict"):
        mod = importlib.import_module(name)  # the module, not the function of the same name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            res = doctest.testmod(mod, verbose=False)
        assert res.attempted > 0 and res.failed == 0, name


def test_unseen_dyad_without_structural_indicators_is_explained_with_zero_observed_share():
    obs = pd.DataFrame({"dyad": ["ARM-FRA"] * 3, "year": [2024] * 3,
                        "indicator": ["joint_exercises", "leader_meetings", "diplomatic_protests"],
                        "value": [2.0, 3.0, 1.0], "confidence": ["confirmed"] * 3,
                        "source": ["test"] * 3, "note": [""] * 3})
    e = _quiet(obs, n_imputations=20).set_index("term")
    assert e.loc["structural_logodds", "observed"] == 0.0
    assert np.isfinite(e["contribution"]).all()
    assert e.loc["military_cooperation", "observed"] > 0


def test_bad_input_is_one_clear_error():
    obs = ai.load_panel(["Russia-Iran"])
    with pytest.raises(MethodError, match="n_imputations"):
        explain_p_de_jure(obs, n_imputations=0)
    with pytest.raises(MethodError, match="n_imputations"):
        explain_p_de_jure(obs, n_imputations=True)
    with pytest.raises(ObservationsError, match="1990"):
        explain_p_de_jure(obs, year=1990)


def test_ignored_indicators_are_named():
    obs = ai.load_panel(["Russia-Iran"])
    with pytest.warns(CoverageWarning, match="bloc_memberships_shared"):
        explain_p_de_jure(obs, year=2023, n_imputations=5)


# ------------------------------------------------------------------ alliance-index explain

def _cli(argv, capsys):
    from alliance_index.cli import main
    rc = main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_table_json_csv_agree(capsys):
    import io
    import json

    rc, table, err = _cli(["explain", "Russia-Belarus", "Russia-Iran", "--year", "2023"], capsys)
    assert rc == 0 and err == ""
    assert "military_cooperation" in table and "BLR-RUS" in table and "IRN-RUS" in table
    rc, js, _ = _cli(["explain", "Russia-Belarus", "Russia-Iran", "--year", "2023", "--format", "json"], capsys)
    recs = json.loads(js)
    assert [r["dyad"] for r in recs] == ["BLR-RUS", "IRN-RUS"]
    for r in recs:
        assert sum(t["contribution"] for t in r["terms"]) == pytest.approx(r["log_odds"], abs=1e-9)
        assert r["p_point"] == pytest.approx(1 / (1 + np.exp(-r["log_odds"])), abs=1e-12)
    rc, csv, _ = _cli(["explain", "Russia-Belarus", "Russia-Iran", "--year", "2023", "--format", "csv"], capsys)
    df = pd.read_csv(io.StringIO(csv))
    assert list(df.columns) == ["dyad", "year", "term", "value", "observed", "z", "coef", "contribution"]
    tot = df[df["term"] == "total"].set_index("dyad")["contribution"]
    assert tot["BLR-RUS"] == pytest.approx(recs[0]["log_odds"], abs=1e-9)
    # the same numbers as the Python function on the same dyad-year
    py = _quiet(ai.load_panel(["Russia-Iran"]), year=2023, seed=0)
    assert py["contribution"].iloc[-1] == pytest.approx(recs[1]["log_odds"], abs=1e-9)


def test_cli_default_year_is_each_dyads_latest(capsys):
    import json
    rc, js, _ = _cli(["explain", "Russia-Iran", "--format", "json"], capsys)
    obs = ai.load_panel(["Russia-Iran"])
    assert rc == 0 and json.loads(js)[0]["year"] == int(obs.loc[obs["value"].notna(), "year"].max())


@pytest.mark.parametrize("argv, needle", [
    (["explain", "Russia-Irna"], "Irna"),
    (["explain", "Russia-Iran", "--year", "1990"], "1990"),
    (["explain", "France-Germany"], "DEU-FRA"),
])
def test_cli_bad_input_one_line_exit_2(capsys, argv, needle):
    rc, out, err = _cli(argv, capsys)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err
