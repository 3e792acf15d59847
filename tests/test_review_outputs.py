"""Fixes of the s7 review's output findings (1, 2, 4, 9): what score/compare and the command
line say about provisional years, fragile rivalries and low coverage, duplicates across --data
files, and the ``year`` argument.

Every fixture is small and synthetic (built here), so the file runs in seconds; no model number
is asserted.
"""
from __future__ import annotations

import io
import json
import warnings
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index.cli import main
from alliance_index.errors import (
    CoverageWarning,
    DuplicateObservationError,
    MethodError,
    ObservationsError,
)
from alliance_index.index.composite import (
    SCORE_COLUMNS,
    compare,
    score,
    to_json_records,
)
from alliance_index.models.verdict import verdict_reasons

HEADER = "dyad,year,indicator,value,confidence,source,note\n"


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value", "confidence", "source", "note"])


def _two_dyads_with_to_date() -> pd.DataFrame:
    """Serbia-Russia and Hungary-Russia, 2022 complete, 2023 coded to date (the bundled convention)."""
    rows = []
    for d in ("Serbia-Russia", "Hungary-Russia"):
        rows += [(d, 2022, "leader_meetings", 3, "confirmed", "t", ""),
                 (d, 2022, "trade_usd", 3000, "confirmed", "t", ""),
                 (d, 2022, "diplomatic_protests", 1, "confirmed", "t", ""),
                 (d, 2023, "partnership_level", 2, "confirmed", "t", "2023 to date (as of test): level")]
    return _frame(rows)


def _run(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue(), err.getvalue()


def _write(path, rows) -> str:
    path.write_text(HEADER + "".join(",".join(str(x) for x in r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------- finding 1: provisional in Python


def test_score_marks_to_date_rows_provisional_and_warns():
    o = _two_dyads_with_to_date()
    with pytest.warns(CoverageWarning, match=r"score: 2 dyad-year\(s\) are coded only to date.*RUS-SRB 2023") as rec:
        s = score(o)
    assert rec[0].filename == __file__  # stacklevel points at the caller
    assert list(s.columns) == list(SCORE_COLUMNS) and SCORE_COLUMNS[-1] == "provisional"
    assert s["provisional"].dtype == bool
    assert s.set_index(["dyad", "year"])["provisional"].to_dict() == {
        ("HUN-RUS", 2022): False, ("HUN-RUS", 2023): True, ("RUS-SRB", 2022): False, ("RUS-SRB", 2023): True}
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)  # a complete year alone gives no warning
        s22 = score(o, year=2022)
    assert not s22["provisional"].any()
    # score does not run the classifier: its columns stay empty (docstring says where they come from)
    assert s["p_de_jure"].isna().all() and s["verdict"].isna().all()
    assert "alliance_index.classify" in score.__doc__ and "attach_classification" in score.__doc__


def test_compare_default_year_in_progress_is_marked():
    o = _two_dyads_with_to_date()
    with pytest.warns(CoverageWarning, match="compare: 2 dyad-year") as rec:
        c = compare(["Serbia-Russia", "Hungary-Russia"], obs=o)
    assert rec[0].filename == __file__
    assert c["year"].tolist() == [2023, 2023] and c["provisional"].all()
    # and JSON records carry the flag
    assert [r["provisional"] for r in to_json_records(c)] == [True, True]


def test_provisional_matches_any_dyad_spelling_in_the_frame():
    o = _two_dyads_with_to_date()
    o.loc[o["dyad"] == "Serbia-Russia", "dyad"] = "SRB-RUS"  # reversed ISO3 order
    with pytest.warns(CoverageWarning):
        s = score(o, year=2023, dyads=["Russia-Serbia"])
    assert s["provisional"].tolist() == [True]


def test_panel_input_has_no_notes_so_never_provisional():
    from alliance_index.panel import to_panel

    s = score(to_panel(_two_dyads_with_to_date()))
    assert not s["provisional"].any()


# ---------------------------------------------------------------- finding 9: year arguments


@pytest.mark.parametrize("year", [2023.7, "2023", True, [2023]])
def test_score_rejects_non_integer_year(year):
    with pytest.raises(MethodError, match="year must be"):
        score(_two_dyads_with_to_date(), year=year)


def test_score_year_without_any_row_is_an_error_not_an_empty_frame():
    with pytest.raises(ObservationsError, match=r"no observations for year 2030.*years present: 2022–2023"):
        score(_two_dyads_with_to_date(), year=2030)


def test_whole_float_year_is_accepted():
    s = score(_two_dyads_with_to_date(), year=2022.0)
    assert s["year"].tolist() == [2022, 2022]


def test_compare_needs_two_dyads():
    with pytest.raises(MethodError, match="compare needs two or more dyads"):
        compare("Serbia-Russia", obs=_two_dyads_with_to_date())
    with pytest.raises(MethodError, match="year must be"):
        compare(["Serbia-Russia", "Hungary-Russia"], obs=_two_dyads_with_to_date(), year="2022")


@pytest.mark.parametrize("year", ["2023", 2023.7, ["2023"], object()])
def test_classify_rejects_bad_year_without_iterating_a_string(year):
    with pytest.raises(MethodError, match=r"classify: year must be"):
        ai.classify(_two_dyads_with_to_date(), year=year, n_sims=10)


def test_cli_compare_with_one_dyad_exits_2(tmp_path):
    rc, out, err = _run(["compare", "Russia-Iran"])
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "compare needs two or more dyads" in err


# ---------------------------------------------------------------- finding 2: footers and reasons


def test_reason_never_states_an_unobserved_side_as_zero():
    r = verdict_reasons([0.1, 0.1, 0.1], [28.5, np.nan, 40.0], [np.nan, np.nan, 30.0], [np.nan, np.nan, np.nan])
    assert r[0] == "cooperation 28.5 >= 25, discord not observed (counted as 0 < 25)"
    assert r[1] == "cooperation not observed (counted as 0 < 25)"
    assert r[2].endswith("hostility not observed (counted as 0 < 50)")
    assert not any(" 0.0" in x for x in r)


def _rivalry_rows(dyad="Serbia-Russia"):
    """One dyad-year whose rivalry rests on one hostility indicator (sanctions), little cooperation."""
    return [(dyad, 2022, "sanctions_against_partner", 1, "confirmed", "t", ""),
            (dyad, 2022, "leader_meetings", 0, "confirmed", "t", ""),
            (dyad, 2022, "trade_usd", 50, "confirmed", "t", "")]


def test_cli_score_table_footer_names_fragile_rivalry_and_low_coverage(tmp_path):
    f = _write(tmp_path / "riv.csv", _rivalry_rows())
    rc, out, err = _run(["score", "Serbia-Russia", "--data", f])
    assert rc == 0, err
    assert err == ""  # stderr is for errors only
    assert "rivalry" in out
    assert "fragile: RUS-SRB 2022 rivalry rests on 1 hostility indicator" in out
    assert "low coverage: RUS-SRB 2022" in out and "below 20%" in out
    # the JSON reason says the same, and the csv keeps every earlier column's position
    rc, js, _ = _run(["score", "Serbia-Russia", "--data", f, "--format", "json"])
    rec = json.loads(js)[0]
    assert "fragile" in rec["verdict_reason"] and rec["provisional"] is False
    rc, csv, _ = _run(["score", "Serbia-Russia", "--data", f, "--format", "csv"])
    cols = csv.splitlines()[0].split(",")
    assert cols[:len(SCORE_COLUMNS) - 1] == list(SCORE_COLUMNS[:-1]) and cols[-2:] == ["trend", "provisional"]


def test_cli_score_footer_silent_for_well_covered_non_rivalry(tmp_path):
    rows = []
    for ind, v in (("leader_meetings", 4), ("trade_usd", 20000), ("joint_exercises", 3), ("diplomatic_backing", 2),
                   ("partnership_level", 3), ("diplomatic_protests", 0), ("military_incidents", 0),
                   ("economic_disputes", 0), ("sanctions_against_partner", 0), ("arms_transfers_tiv", 200),
                   ("defense_cooperation_agreements", 2), ("opposing_sides_conflicts", 0)):
        rows.append(("Serbia-Russia", 2022, ind, v, "confirmed", "t", ""))
    f = _write(tmp_path / "ok.csv", rows)
    rc, out, err = _run(["score", "Serbia-Russia", "--data", f])
    assert rc == 0, err
    assert "fragile:" not in out and "rivalry" not in out


def test_cli_score_unobserved_discord_reason(tmp_path):
    f = _write(tmp_path / "ussr.csv", [("Soviet Union-United States", 1985, "trade_usd", 2000, "confirmed", "", ""),
                                       ("USSR-USA", 1985, "joint_exercises", 0, "confirmed", "", "")])
    rc, js, err = _run(["score", "USSR-USA", "--data", f, "--format", "json"])
    assert rc == 0, err
    rec = json.loads(js)[0]
    assert rec["discord"] is None
    assert "discord not observed (counted as 0" in rec["verdict_reason"] and "discord 0.0" not in rec["verdict_reason"]
    rc, out, err = _run(["score", "USSR-USA", "--data", f])
    assert err == "" and "low coverage: RUS-USA 1985" in out


def test_cli_explain_footer_names_low_coverage(tmp_path):
    f = _write(tmp_path / "ussr.csv", [("USSR-USA", 1985, "trade_usd", 2000, "confirmed", "", ""),
                                       ("USSR-USA", 1985, "joint_exercises", 0, "confirmed", "", "")])
    rc, out, err = _run(["explain", "USSR-USA", "--data", f])
    assert rc == 0, err
    assert err == ""
    assert "low coverage: RUS-USA 1985" in out and "classifier's" in out


def test_attach_classification_adds_the_flag_columns():
    from alliance_index.models.classify import attach_classification

    o = _frame(_rivalry_rows())
    s = score(o)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)  # attach gives no warnings; the columns carry them
        a = attach_classification(s, o, n_sims=50)
    assert a["n_hostility"].tolist() == [1.0]
    assert 0 < a["classifier_coverage"].iloc[0] < 0.2
    from alliance_index.index.cli_handlers import _flags
    from alliance_index.report import _caveat_note

    flags = _flags(a)
    assert flags["fragile"] == ["RUS-SRB 2022 rivalry rests on 1 hostility indicator"]
    assert flags["low_coverage"] and flags["low_coverage"][0].startswith("RUS-SRB 2022 (")
    html = _caveat_note(a)
    assert "Fragile: RUS-SRB 2022" in html and "Low coverage: RUS-SRB 2022" in html
    assert _caveat_note(a.assign(verdict="alignment", coverage=0.9, classifier_coverage=0.9)) == ""


# ---------------------------------------------------------------- finding 4: duplicates across files


def test_duplicate_across_two_data_files_names_both_files_and_lines(tmp_path):
    a = _write(tmp_path / "a.csv", [("Serbia-Russia", 2022, "leader_meetings", 1, "confirmed", "", ""),
                                    ("Serbia-Russia", 2022, "trade_usd", 10, "confirmed", "", "")])
    b = _write(tmp_path / "b.csv", [("Serbia-Russia", 2021, "trade_usd", 9, "confirmed", "", ""),
                                    ("RUS-SRB", 2022, "trade_usd", 11, "confirmed", "", "")])  # other spelling
    rc, out, err = _run(["score", "Serbia-Russia", "--data", a, "--data", b])
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"{a} line 3 and {b} line 3: duplicate observation RUS-SRB 2022 trade_usd" in err
    from alliance_index.cli import load_obs

    with pytest.raises(DuplicateObservationError, match="a.csv line 3 and .*b.csv line 3"):
        load_obs([a, b])


def test_same_file_twice_is_named(tmp_path):
    a = _write(tmp_path / "a.csv", [("Serbia-Russia", 2022, "leader_meetings", 1, "confirmed", "", "")])
    from alliance_index.cli import load_obs

    with pytest.raises(DuplicateObservationError, match="a.csv is given twice with --data"):
        load_obs([a, a])
    assert len(load_obs([a])) == 1
