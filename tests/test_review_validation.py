"""Input validation found missing by the s7 review (findings 3, 6, 7, 8).

3: impossible years in observations; 6: ``known_status`` takes any dyad spelling and scalars;
7: empty inputs give one error naming the file (or "the observations passed");
8: fractional values of ``count`` indicators are rejected as in scenario files.
"""
from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index import observations as ob
from alliance_index._resources import data_dir
from alliance_index.cli import main
from alliance_index.errors import (
    DyadError,
    MalformedFileError,
    ObservationsError,
    OutOfRangeError,
    UnknownCountryError,
)

HEADER = "dyad,year,indicator,value,confidence,source,note\n"
LAST = ob.last_year()


def _file(tmp_path, body: str, name: str = "obs.csv"):
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def _frame(rows):
    return pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value"])


# ------------------------------------------------------------------ 3: years


def test_last_year_is_the_as_of_year_or_later():
    assert LAST >= int(ob.PANEL_AS_OF[:4]) and ob.FIRST_YEAR == 1816


@pytest.mark.parametrize("year, pattern", [
    (3022, rf"line 3: year 3022 for RUS-SRB is after {LAST}"),
    (LAST + 1, rf"line 3: year {LAST + 1} for RUS-SRB is after {LAST}"),
    (0, r"line 3: year 0 for RUS-SRB is before 1816"),
    (-5, r"line 3: year -5 for RUS-SRB is before 1816"),
    (1815, r"line 3: year 1815 for RUS-SRB is before 1816"),
])
def test_year_outside_the_state_system_or_in_the_future_is_rejected(tmp_path, year, pattern):
    p = _file(tmp_path, "Serbia-Russia,2022,joint_exercises,3,confirmed,,\n"
                        f"Serbia-Russia,{year},joint_exercises,2,confirmed,,\n")
    with pytest.raises(OutOfRangeError, match=re.escape(str(p)) + ": " + pattern) as e:
        ai.read_observations(p)
    assert "check the year" in str(e.value)


def test_first_and_last_year_are_accepted(tmp_path):
    p = _file(tmp_path, f"Russia-USA,1816,joint_exercises,0,confirmed,,\n"
                        f"Russia-USA,{LAST},partnership_level,1,,,{LAST} to date (as of test)\n")
    assert ai.read_observations(p)["year"].tolist() == [1816, LAST]


@pytest.mark.parametrize("dyad, year, pattern", [
    ("Kazakhstan-Russia", 1980, r"line 2: KAZ-RUS 1980: Kazakhstan \(KAZ, COW 705\) is in the state system only "
                                r"from 1991, not in 1980 \(2 row\(s\) of this dyad affected\)"),
    ("South Sudan-Russia", 2005, r"line 2: RUS-SSD 2005: South Sudan \(SSD, COW 626\) .* from 2011, not in 2005"),
    ("GFR-USA", 1995, r"line 2: GFR-USA 1995: West Germany \(GFR, COW 260\) .* from 1955 to 1990, not in 1995"),
    ("Yemen-Russia", 1985, r"RUS-YEM 1985: Yemen \(YEM, COW 679\) .* from 1990.* North Yemen \(YAR\), "
                           r"South Yemen \(YMD\): write that id"),
])
def test_year_outside_a_states_existence_is_rejected(tmp_path, dyad, year, pattern):
    p = _file(tmp_path, f"{dyad},{year},joint_exercises,2,confirmed,,\n{dyad},{year + 1},joint_exercises,2,,,\n"
              if dyad.startswith("Kaz") else f"{dyad},{year},joint_exercises,2,confirmed,,\n")
    with pytest.raises(OutOfRangeError, match=pattern):
        ai.read_observations(p)


@pytest.mark.parametrize("dyad, year", [
    ("USSR-Iran", 1985),        # COW 365 is Russia/USSR from 1816
    ("345-365", 2000),          # Serbia (Yugoslavia) from 1878
    ("Germany-USA", 1960),      # 255 spans 1816- (COW-derived files code West Germany as 255)
    ("Czechoslovakia-Russia", 1941),  # inside start..end (the wartime gap between spells is not checked)
    ("North Yemen-South Yemen", 1980),
])
def test_odd_cow_dates_still_load(tmp_path, dyad, year):
    p = _file(tmp_path, f"{dyad},{year},joint_exercises,2,confirmed,,\n")
    assert ai.read_observations(p)["year"].tolist() == [year]


def test_dataframe_years_are_checked_too():
    with pytest.raises(OutOfRangeError, match=r"^row 1: year 2500 for IRN-RUS is after"):
        ai.validate_observations(_frame([("IRN-RUS", 2020, "trade_usd", 1.0), ("Iran-Russia", 2500, "trade_usd", 1.0)]))
    with pytest.raises(OutOfRangeError, match=r"^row 0: KAZ-RUS 1990: Kazakhstan"):
        ai.validate_observations(_frame([("KAZ-RUS", 1990, "trade_usd", 1.0)]))


def test_every_bundled_file_still_loads():
    files = sorted((data_dir() / "observations").glob("*.csv"))
    assert files
    n = sum(len(ai.read_observations(f)) for f in files)
    assert n == len(ai.load_panel())


def test_cli_rejects_a_far_year_with_exit_2(tmp_path, capsys):
    p = _file(tmp_path, "Serbia-Russia,2022,joint_exercises,3,confirmed,,\nSerbia-Russia,3022,joint_exercises,2,,,\n")
    assert main(["score", "Serbia-Russia", "--data", str(p)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "3022" in err and str(p) in err and "line 3" in err


# ------------------------------------------------------------------ 6: known_status


def test_known_status_accepts_any_spelling():
    canon = ai.known_status(["IRN-RUS", "BLR-RUS"], [2023, 2023])
    for spelling in (["Russia-Iran", "Belarus-Russia"], ["RUS/IRN", "365-370"], ["iran - russia", "BY-RU"]):
        assert list(ai.known_status(spelling, [2023, 2023])) == list(canon)
    assert canon[0] is not None and canon[1] == "defense"


def test_known_status_accepts_scalars_and_broadcasts():
    assert ai.known_status("Russia-Iran", 2023) == ai.known_status(["IRN-RUS"], [2023])[0]
    assert ai.known_status("Russia-Belarus", np.int64(2023)) == "defense"
    assert ai.known_status("France-Brazil", 2023) is None  # not in the status table's scope
    both = ai.known_status(["Russia-Iran", "Russia-Belarus"], 2023)
    assert isinstance(both, np.ndarray) and list(both) == list(ai.known_status(["IRN-RUS", "BLR-RUS"], [2023, 2023]))
    assert ob.mutual_defence("Belarus-Russia", 2023) == 1.0
    assert np.isnan(ob.mutual_defence("France-Brazil", 2023))


def test_known_status_bad_input_is_a_clear_error():
    with pytest.raises(UnknownCountryError, match="Rusia"):
        ai.known_status("Rusia-Iran", 2023)
    with pytest.raises(DyadError):
        ai.known_status("Russia", 2023)
    with pytest.raises(ObservationsError, match=r"year 2023\.5 .* not a whole number"):
        ai.known_status("Russia-Iran", 2023.5)
    with pytest.raises(ObservationsError, match="2 dyad\\(s\\) and 3 year\\(s\\)"):
        ai.known_status(["IRN-RUS", "BLR-RUS"], [2021, 2022, 2023])


# ------------------------------------------------------------------ 7: empty inputs


def test_header_only_file_names_the_file(tmp_path):
    p = _file(tmp_path, "", "header_only.csv")
    with pytest.raises(MalformedFileError, match=re.escape(str(p)) + ": the file has a header but no observation rows"):
        ai.read_observations(p)


def test_all_missing_file_names_the_file(tmp_path):
    p = _file(tmp_path, "Serbia-Russia,2022,joint_exercises,NA,confirmed,,\nSerbia-Russia,2022,trade_usd,,,,\n", "na.csv")
    with pytest.raises(ObservationsError, match=re.escape(str(p)) + r": none of its 2 row\(s\) has a value.*fill in"):
        ai.read_observations(p)


def test_a_file_with_one_value_among_missing_ones_is_fine(tmp_path):
    p = _file(tmp_path, "Serbia-Russia,2022,joint_exercises,NA,confirmed,,\nSerbia-Russia,2022,trade_usd,4000,,,\n")
    assert ai.read_observations(p)["value"].notna().sum() == 1


@pytest.mark.parametrize("command", [["score", "Serbia-Russia"], ["scenario", "DATA_DIR/scenarios/russia_iran.yaml"]])
def test_cli_empty_file_error_names_the_file(tmp_path, capsys, command):
    p = _file(tmp_path, "", "header_only.csv")
    argv = [c.replace("DATA_DIR", str(data_dir())) for c in command] + ["--data", str(p)]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "header_only.csv: the file has a header but no observation rows" in err


def test_empty_dataframe_to_validate_classify_score():
    empty = ai.load_panel().iloc[:0]
    for fn in (ai.validate_observations, ai.classify, ai.score):
        with pytest.raises(ObservationsError, match="the observations passed have no rows"):
            fn(empty)
    with pytest.raises(ObservationsError, match="no rows"):
        ai.validate_observations(pd.DataFrame())


# ------------------------------------------------------------------ 8: fractional counts


def test_fractional_count_rejected_like_in_scenario_files(tmp_path):
    p = _file(tmp_path, "Serbia-Russia,2022,trade_usd,4000.5,,,\nSerbia-Russia,2021,joint_exercises,2.5,confirmed,,\n")
    with pytest.raises(OutOfRangeError, match=re.escape(str(p)) + r": line 3: RUS-SRB 2021: "
                       r"joint_exercises is count and takes whole numbers; got 2\.5") as e:
        ai.read_observations(p)
    assert "Write the whole number" in str(e.value)
    with pytest.raises(OutOfRangeError, match=r"^row 0: IRN-RUS 2020: leader_meetings is count and takes whole"):
        ai.validate_observations(_frame([("IRN-RUS", 2020, "leader_meetings", 0.5)]))


def test_scenario_file_uses_the_same_wording(tmp_path):
    text = (data_dir() / "scenarios" / "russia_iran.yaml").read_text(encoding="utf-8")
    m = re.search(r"- \{year: (\d+), indicator: (\w+), op: set, value: [\d.]+", text)
    if m is None:
        pytest.skip("the bundled scenario has no 'set' shock in flow style to edit")
    bad = text.replace(m.group(0), f"- {{year: {m.group(1)}, indicator: joint_exercises, op: set, value: 2.5", 1)
    p = tmp_path / "s.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(ValueError, match=r"joint_exercises is count and takes whole numbers; got 2\.5"):
        ai.Scenario.from_yaml(p)


def test_whole_counts_and_fractional_continuous_values_are_accepted(tmp_path):
    p = _file(tmp_path, "Serbia-Russia,2021,joint_exercises,2.0,,,\nSerbia-Russia,2021,trade_usd,4000.25,,,\n")
    assert ai.read_observations(p)["value"].tolist() == [2.0, 4000.25]


# ------------------------------------------------------------------ 3 (c): the year in progress


def test_rows_of_the_year_in_progress_without_the_to_date_note_warn(tmp_path):
    import warnings

    from alliance_index.errors import DataQualityWarning

    if LAST <= ob.PANEL_COMPLETE_THROUGH:
        pytest.skip("no year in progress")
    p = _file(tmp_path, f"Serbia-Russia,{LAST},partnership_level,2,,,\nSerbia-Russia,{LAST - 1},partnership_level,2,,,\n"
                        f"Russia-USA,{LAST},partnership_level,1,,,\"{LAST} to date (as of test): level\"\n")
    with pytest.warns(DataQualityWarning, match=rf"1 dyad\(s\) have rows for {LAST}, a year still in progress.*"
                                                rf": RUS-SRB\. .*'{LAST} to date") as rec:
        ai.read_observations(p)
    assert rec[0].filename == __file__  # points at the caller
    marked = _file(tmp_path, f"Russia-USA,{LAST},partnership_level,1,,,\"{LAST} to date (as of test): level\"\n"
                             f"Russia-USA,{LAST},basing_access,0,,,\n", "marked.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        ai.read_observations(marked)  # one marked row marks the dyad-year
        ai.load_panel()
        for f in sorted((data_dir() / "observations").glob("*.csv")):
            ai.read_observations(f)  # every bundled row of the year in progress is marked
