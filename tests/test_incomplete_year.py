"""A year still in progress: coded to date, only with state indicators, scored but never trained on.

The bundled panel codes years up to ``PANEL_COMPLETE_THROUGH`` in full. A later year is coded
to date for some dyads (the notes of its rows begin "<year> to date"), only with indicators that
describe a state. These tests hold the data to that rule, check that the commitment model is
fitted, judged and versioned on complete years only, and that scoring such a year says it is
provisional (classify's verdict_reason and warning, the CLI table's footer).
"""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
import alliance_index.observations as ob
from alliance_index.cli import main
from alliance_index.errors import CoverageWarning
from alliance_index.models.classify import attach_classification, classify
from alliance_index.models.commitment import bundled_panel_hash, bundled_training_data

LAST = ob.PANEL_COMPLETE_THROUGH


def _with_to_date_year(dyad: str = "Russia-Iran", year: int = LAST + 1,
                       indicators=("partnership_level", "non_support_when_attacked", "diplomatic_backing",
                                   "financial_integration", "defense_cooperation_agreements")) -> pd.DataFrame:
    """The bundled rows of one dyad plus a to-date year copied from its last complete year."""
    o = ai.load_panel([dyad])
    o = o[o["year"] <= LAST]  # the bundled to-date rows are replaced by the fixture's own
    new = o[(o["year"] == LAST) & o["indicator"].isin(indicators)].copy()
    assert len(new) >= 3, "fixture needs state indicators coded in the last complete year"
    new["year"] = year
    new["note"] = f"{year} to date (as of test): " + new["note"].astype(str)
    return pd.concat([o, new], ignore_index=True)


# ------------------------------------------------------------------ the data rule


def test_bundled_rows_after_the_last_complete_year_follow_the_to_date_rule():
    p = ai.load_panel()
    late = p[p["year"] > LAST]
    bad = late[~late["indicator"].isin(ob.INCOMPLETE_YEAR_INDICATORS)]
    assert bad.empty, ("flows counted over a year cannot be coded for a year in progress: "
                       + ", ".join(f"{d} {y} {i}" for d, y, i in bad[["dyad", "year", "indicator"]].head().values))
    notes = late["note"].astype(str)
    prefix = late["year"].astype(str) + " to date (as of "
    wrong = late[[not n.startswith(pf) for n, pf in zip(notes, prefix)]]
    assert wrong.empty, f"notes of a to-date year must begin '<year> to date (as of ...': {wrong.head(3).values}"
    assert (late["year"] <= int(ob.PANEL_AS_OF[:4])).all()


def test_only_years_after_the_last_complete_year_are_marked_to_date():
    inc = ob.incomplete_years(ai.load_panel())
    assert (inc["year"] > LAST).all()
    p = ai.load_panel()
    assert set(map(tuple, inc[["dyad", "year"]].values)) == set(
        map(tuple, p.loc[p["year"] > LAST, ["dyad", "year"]].drop_duplicates().values))


def test_incomplete_years_reads_the_note_prefix_of_the_rows_own_year():
    o = _with_to_date_year()
    inc = ob.incomplete_years(o)
    assert inc.values.tolist() == [["IRN-RUS", LAST + 1]]
    o2 = o.copy()
    o2.loc[o2["year"] == LAST + 1, "note"] = f"{LAST} to date: wrong year"  # prefix must name the row's year
    assert ob.incomplete_years(o2).empty
    assert ob.incomplete_years(o.drop(columns="note")).empty
    assert ob.incomplete_years(o.iloc[:0]).empty


def test_incomplete_year_indicators_are_catalog_states_not_flows():
    cat = ai.catalog()
    assert ob.INCOMPLETE_YEAR_INDICATORS <= set(cat.index)
    flows = {"trade_usd", "trade_dependence", "investment_usd", "arms_transfers_tiv", "joint_exercises",
             "leader_meetings", "senior_official_visits", "military_incidents", "diplomatic_protests",
             "economic_disputes"}
    assert not flows & ob.INCOMPLETE_YEAR_INDICATORS


# ------------------------------------------------------------------ the model reads complete years only


def test_training_data_and_panel_version_leave_out_years_in_progress(monkeypatch):
    V, y = bundled_training_data()
    assert int(V.index.get_level_values("year").max()) <= LAST
    assert len(V) == len(y)
    base = bundled_panel_hash()
    obs = ob.load_panel()
    extra = _with_to_date_year()
    extra = extra[extra["year"] > LAST]
    monkeypatch.setattr(ob, "load_panel", lambda *a, **k: pd.concat([obs, extra], ignore_index=True))
    assert bundled_panel_hash() == base  # a to-date row does not change what the model is fitted on
    V2, _ = bundled_training_data()
    assert V2.shape == V.shape
    changed = obs.copy()
    i = changed.index[changed["year"] == LAST][0]
    changed.loc[i, "value"] = changed.loc[i, "value"] + 1
    monkeypatch.setattr(ob, "load_panel", lambda *a, **k: changed)
    assert bundled_panel_hash() != base  # a complete year's value does


# ------------------------------------------------------------------ scoring says "provisional"


def test_classify_marks_and_warns_about_a_year_in_progress():
    o = _with_to_date_year()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = classify(o, year=[LAST, LAST + 1], n_sims=100, seed=1)
    last, now = r[r["year"] == LAST].iloc[0], r[r["year"] == LAST + 1].iloc[0]
    assert "provisional" not in last["verdict_reason"]
    assert now["verdict_reason"].endswith(f"({LAST + 1} coded only to date: provisional)")
    msgs = [str(x.message) for x in w if issubclass(x.category, CoverageWarning)]
    assert any("coded only to date" in m and f"IRN-RUS {LAST + 1}" in m for m in msgs)
    assert 0 <= now["p_de_jure_lo"] <= now["p_de_jure"] <= now["p_de_jure_hi"] <= 1
    # the complete year's number does not depend on whether the to-date year is scored with it
    alone = classify(o, year=LAST, n_sims=100, seed=1)
    np.testing.assert_allclose(alone["p_de_jure"].to_numpy(), [last["p_de_jure"]])


def test_a_year_in_progress_leaves_the_complete_years_unchanged():
    """Its rows are no donors for a complete year's missing cells: adding them changes nothing there."""
    from alliance_index.models import compare_p_de_jure, explain_p_de_jure

    o = _with_to_date_year()
    base = o[o["year"] <= LAST]
    yrs = [LAST - 2, LAST - 1, LAST]
    a = classify(o, year=yrs, n_sims=200, seed=3)
    b = classify(base, year=yrs, n_sims=200, seed=3)
    np.testing.assert_array_equal(a[["p_de_jure", "p_de_jure_lo", "p_de_jure_hi"]].to_numpy(),
                                  b[["p_de_jure", "p_de_jure_lo", "p_de_jure_hi"]].to_numpy())
    ea, eb = explain_p_de_jure(o, year=LAST), explain_p_de_jure(base, year=LAST)
    np.testing.assert_array_equal(ea["contribution"].to_numpy(), eb["contribution"].to_numpy())
    # ... while the year in progress itself may draw from every year, and scoring it with the
    # complete years gives the same numbers as scoring it alone (one random stream for both)
    both = classify(o, year=[LAST, LAST + 1], n_sims=200, seed=3)
    alone = classify(o, year=LAST + 1, n_sims=200, seed=3)
    np.testing.assert_allclose(both.loc[both["year"] == LAST + 1, "p_de_jure"].to_numpy(),
                               alone["p_de_jure"].to_numpy(), rtol=1e-12)  # same draws; float summation order
    np.testing.assert_array_equal(both.loc[both["year"] == LAST, "p_de_jure"].to_numpy(),
                                  a.loc[a["year"] == LAST, "p_de_jure"].to_numpy())
    bl = ai.load_panel(["Russia-Belarus"])
    two = pd.concat([o, bl[bl["year"] <= LAST]], ignore_index=True)
    c1 = compare_p_de_jure("Russia-Belarus", "Russia-Iran", LAST, two, n_sims=300, seed=2)
    c0 = compare_p_de_jure("Russia-Belarus", "Russia-Iran", LAST, two[two["year"] <= LAST], n_sims=300, seed=2)
    np.testing.assert_array_equal(c1[["diff", "diff_lo", "diff_hi"]].to_numpy(), c0[["diff", "diff_lo", "diff_hi"]].to_numpy())


def test_attach_classification_marks_the_year_in_progress():
    o = _with_to_date_year()
    s = ai.score(o, dyads=["Russia-Iran"])
    s = s[s["year"] >= LAST]
    a = attach_classification(s, o, n_sims=100)
    reasons = dict(zip(a["year"], a["verdict_reason"]))
    assert "provisional" in reasons[LAST + 1] and "provisional" not in reasons[LAST]


def test_cli_table_footer_names_the_year_in_progress_and_json_carries_it(tmp_path, capsys):
    f = tmp_path / "irn.csv"
    _with_to_date_year().to_csv(f, index=False)
    assert main(["score", "Russia-Iran", "--data", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"provisional: IRN-RUS {LAST + 1} coded only to date" in out
    assert main(["score", "Russia-Iran", "--data", str(f), "--year", str(LAST)]) == 0
    assert "provisional" not in capsys.readouterr().out
    assert main(["score", "Russia-Iran", "--data", str(f), "--format", "json"]) == 0
    recs = json.loads(capsys.readouterr().out)
    assert recs[0]["year"] == LAST + 1 and recs[0]["verdict_reason"].endswith("provisional)")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_machine_formats_carry_no_footer(tmp_path, capsys, fmt):
    f = tmp_path / "irn.csv"
    _with_to_date_year().to_csv(f, index=False)
    assert main(["score", "Russia-Iran", "--data", str(f), "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "provisional:" not in out.splitlines()[-1]


def test_trend_leaves_out_the_year_in_progress():
    from alliance_index.scenarios.trend import trend_test

    o = _with_to_date_year()
    t = trend_test(o, dyads=["Russia-Iran"], measure="index")
    base = trend_test(o[o["year"] <= LAST], dyads=["Russia-Iran"], measure="index")
    assert int(t["last_year"].iloc[0]) == LAST
    np.testing.assert_allclose(t["slope"].to_numpy(), base["slope"].to_numpy())


def test_timeseries_draws_the_year_in_progress_apart():
    import matplotlib

    matplotlib.use("Agg")
    import alliance_index.plotting as P

    o = _with_to_date_year()
    sc = P.scores_for(o)
    assert sc.loc[sc["year"] == LAST + 1, "provisional"].all() and not sc.loc[sc["year"] <= LAST, "provisional"].any()
    ax = P.plot_timeseries(sc, ["Russia-Iran"])
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert max(lines["IRN-RUS index"].get_xdata()) == LAST  # the solid line stops at the last complete year
    assert list(lines["IRN-RUS index, year coded to date"].get_xdata()) == [LAST + 1]
    plines = {ln.get_label(): ln for ln in ax.p_axis.get_lines()}
    assert max(plines["IRN-RUS p_de_jure"].get_xdata()) == LAST
    assert list(plines["IRN-RUS p_de_jure, year coded to date"].get_xdata()) == [LAST + 1]
    assert any("coded only to date" in t.get_text() for t in ax.get_legend().get_texts())


def test_cli_explain_footer_names_the_year_in_progress(tmp_path, capsys):
    f = tmp_path / "irn.csv"
    _with_to_date_year().to_csv(f, index=False)
    assert main(["explain", "Russia-Iran", "--data", str(f)]) == 0
    assert f"provisional: IRN-RUS {LAST + 1} coded only to date" in capsys.readouterr().out
    assert main(["explain", "Russia-Iran", "--data", str(f), "--year", str(LAST)]) == 0
    assert "provisional" not in capsys.readouterr().out


def test_domain_profile_title_says_provisional():
    import matplotlib

    matplotlib.use("Agg")
    import alliance_index.plotting as P

    sc = P.scores_for(_with_to_date_year())
    for kind in ("bars", "radar"):
        assert "provisional" in P.plot_domain_profile(sc, year=LAST + 1, dyads=["Russia-Iran"], kind=kind).get_title()
        assert "provisional" not in P.plot_domain_profile(sc, year=LAST, dyads=["Russia-Iran"], kind=kind).get_title()


def test_cli_dyads_lists_years_coded_to_date(tmp_path, capsys):
    f = tmp_path / "irn.csv"
    _with_to_date_year().to_csv(f, index=False)
    assert main(["dyads", "--data", str(f), "--format", "json"]) == 0
    rec = json.loads(capsys.readouterr().out)[0]
    assert rec["dyad"] == "IRN-RUS" and rec["last_year"] == LAST + 1 and rec["years_to_date"] == [LAST + 1]
    assert main(["dyads", "--data", str(f)]) == 0
    assert f"({LAST + 1} to date)" in capsys.readouterr().out
    bundled = ai.load_panel(["Russia-Iran"])
    g = tmp_path / "complete.csv"
    bundled[bundled["year"] <= LAST].to_csv(g, index=False)
    assert main(["dyads", "--data", str(g), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["years_to_date"] == []
