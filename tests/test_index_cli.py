"""`alliance-index score` / `compare` on the bundled data (contract §6 JSON)."""
from __future__ import annotations

import json

import pytest

from alliance_index.cli import main

KEYS = {"dyad", "year", "index", "cooperation", "discord", "breadth", "domains", "p_de_jure",
        "p_de_jure_interval", "verdict", "known_status", "coverage"}


def _json(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


@pytest.mark.parametrize("extra", [[], ["--year", "2023"]])
def test_compare_russia_belarus_vs_iran(capsys, extra):
    recs = _json(capsys, ["compare", "Russia-Belarus", "Russia-Iran", "--format", "json", *extra])
    assert [r["dyad"] for r in recs] == ["BLR-RUS", "IRN-RUS"]
    assert recs[0]["year"] == recs[1]["year"]
    blr, irn = recs
    assert blr["index"] > irn["index"]
    assert blr["breadth"] > irn["breadth"]
    for r in recs:
        assert KEYS <= set(r)
        assert set(r["domains"]) == {"military", "economic", "diplomatic", "regional"}
        assert all(set(v) == {"cooperation", "discord"} for v in r["domains"].values())
        for k in ("index", "cooperation", "discord"):
            assert 0 <= r[k] <= 100
        assert 0 <= r["breadth"] <= 1 and 0 < r["coverage"] <= 1
        assert r["known_status"] is not None


def test_compare_2023_explicitly(capsys):
    recs = _json(capsys, ["compare", "Russia-Belarus", "Russia-Iran", "--format", "json", "--year", "2023"])
    assert all(r["year"] == 2023 for r in recs)


def test_score_latest_year_and_formats(capsys):
    recs = _json(capsys, ["score", "RUS-IRN", "Belarus/Russia", "--format", "json"])
    assert [r["dyad"] for r in recs] == ["IRN-RUS", "BLR-RUS"]
    assert main(["score", "Russia-Iran", "--year", "2023", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("dyad,year,index,cooperation,discord,breadth,coverage")
    assert out[1].startswith("IRN-RUS,2023,")
    assert main(["score", "Russia-Iran", "--year", "2023"]) == 0
    assert "IRN-RUS" in capsys.readouterr().out


def test_errors_exit_2_one_line(capsys):
    assert main(["compare", "Russia-Iran", "Russia-Atlantis", "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Atlantis" in err
    assert main(["score", "Russia-Iran", "--year", "1900"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "1900" in err


def test_data_option_replaces_bundled_panel(tmp_path, capsys):
    f = tmp_path / "obs.csv"
    f.write_text("dyad,year,indicator,value,confidence\n"
                 "Russia-Iran,2023,leader_meetings,4,confirmed\n"
                 "Russia-Iran,2023,recognition_disputes,1,reported\n"
                 "Russia-Iran,2023,trade_usd,4800,\n", encoding="utf-8")
    recs = _json(capsys, ["score", "Russia-Iran", "--data", str(f), "--format", "json"])
    assert len(recs) == 1 and recs[0]["year"] == 2023
    assert recs[0]["coverage"] == pytest.approx(3 / 33, abs=1e-4)
    assert main(["score", "Russia-Belarus", "--data", str(f)]) == 2


def test_compare_two_dyads_table_ends_with_the_paired_difference(capsys):
    assert main(["compare", "Russia-Belarus", "Russia-Iran", "--year", "2023"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("p_de_jure BLR-RUS - IRN-RUS, paired on the same coefficient draws:")
    assert "higher in" in lines[-1]
    # three dyads: no pairwise line
    assert main(["compare", "Russia-Belarus", "Russia-Iran", "Russia-China", "--year", "2023"]) == 0
    assert "paired" not in capsys.readouterr().out
