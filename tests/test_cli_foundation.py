"""CLI: dyads listing, and the one-line error + exit 2 rule."""
import json

import pytest

import alliance_index as ai


def test_dyads_json_lists_bundled_dyads_with_status(run_cli):
    r = run_cli("dyads", "--format", "json")
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    ids = [x["dyad"] for x in recs]
    assert ids == ai.list_dyads()
    for x in recs:
        assert x["first_year"] <= x["last_year"]
        assert "known_status" in x and "status" in x
    by = {x["dyad"]: x for x in recs}
    if "PRK-RUS" in by:
        assert by["PRK-RUS"]["known_status"] == "defense"
    if "IRN-RUS" in by:
        assert by["IRN-RUS"]["known_status"] != "defense"


def test_dyads_table_and_csv(run_cli):
    r = run_cli("dyads")
    assert r.returncode == 0 and "dyad" in r.stdout
    r = run_cli("dyads", "--format", "csv")
    assert r.returncode == 0 and r.stdout.splitlines()[0].startswith("dyad,")


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("dyad,year,indicator,value\nRusia-Iran,2023,leader_meetings,3\n", "Did you mean: Russia"),
        ("dyad,year,indicator,value\nKorea-Russia,2023,leader_meetings,3\n", "Korea"),
        ("dyad,year,indicator,value\nRussia-Iran,2023,leader_meetings,3\nIRN-RUS,2023,leader_meetings,3\n", "duplicate"),
        ("dyad,year,indicator,value\nRussia-Iran,2023,basing_access,9\n", "allowed range"),
        ("dyad,year,indicator,value\nRussia-Iran,2023,leader_meeting,3\n", "leader_meetings"),
        ('dyad,year,indicator,value\n"Russia-Iran,2023,x,3\n', "malformed"),
        ("dyad,year,value\nRussia-Iran,2023,3\n", "indicator"),
    ],
)
def test_bad_data_file_one_line_exit_2(run_cli, tmp_path, body, fragment):
    f = tmp_path / "bad.csv"
    f.write_text(body, encoding="utf-8")
    r = run_cli("dyads", "--data", str(f))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert fragment.lower() in lines[0].lower()
    assert r.stdout == ""


def test_unknown_option_exit_2(run_cli):
    r = run_cli("dyads", "--format", "xml")
    assert r.returncode == 2


def test_user_data_replaces_bundled(run_cli, tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text("dyad,year,indicator,value\nFrance-Germany,2020,leader_meetings,5\n", encoding="utf-8")
    r = run_cli("dyads", "--data", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr
    recs = json.loads(r.stdout)
    assert [x["dyad"] for x in recs] == ["DEU-FRA"] or [x["dyad"] for x in recs] == ["FRA-DEU"] or len(recs) == 1
    assert recs[0]["known_status"] is None
