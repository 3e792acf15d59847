"""score/compare JSON carry the classification (contract §6) and the p_de_jure trend (issue 9)."""
import json

import pytest


@pytest.fixture(scope="module")
def compare_json(tmp_path_factory):
    from alliance_index.cli import main
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = main(["compare", "Russia-Belarus", "Russia-Iran", "--year", "2023", "--format", "json"])
    assert rc == 0
    return {r["dyad"]: r for r in json.loads(buf.getvalue())}


def test_compare_json_has_classification_fields(compare_json):
    for d in ("BLR-RUS", "IRN-RUS"):
        r = compare_json[d]
        assert 0 <= r["p_de_jure"] <= 1
        lo, hi = r["p_de_jure_interval"]
        assert lo <= r["p_de_jure"] <= hi
        assert r["verdict"] in {"alliance", "alignment", "convenience", "limited", "rivalry"}
        assert r["trend"]["direction"] in {"rising", "flat", "falling"}
        lo_s, hi_s = r["trend"]["slope_interval"]
        assert lo_s <= r["trend"]["slope"] <= hi_s
    assert compare_json["BLR-RUS"]["known_status"] == "defense"
    assert compare_json["BLR-RUS"]["p_de_jure"] > compare_json["IRN-RUS"]["p_de_jure"]


def test_unbundled_dyad_from_user_file(run_cli, tmp_path):
    """The classifier does not depend on a dyad being bundled: a user's own coding is scored."""
    f = tmp_path / "fra_deu.csv"
    rows = ["dyad,year,indicator,value,confidence,source"]
    for y in range(2015, 2024):
        rows += [f"France-Germany,{y},leader_meetings,6,confirmed,test",
                 f"France-Germany,{y},partnership_level,3,confirmed,test",
                 f"France-Germany,{y},basing_access,1,confirmed,test",
                 f"France-Germany,{y},joint_exercises,4,confirmed,test",
                 f"France-Germany,{y},bloc_memberships_shared,2,confirmed,test",
                 f"France-Germany,{y},diplomatic_backing,2,confirmed,test",
                 f"France-Germany,{y},sanctions_against_partner,0,confirmed,test"]
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = run_cli("score", "France-Germany", "--data", str(f), "--format", "json")
    assert r.returncode == 0, r.stderr
    rec = json.loads(r.stdout)[0]
    assert rec["dyad"] == "DEU-FRA" or rec["dyad"] == "FRA-DEU" or rec["dyad"].count("-") == 1
    assert rec["known_status"] is None  # not in the bundled status table: unknown, not 'none'
    assert rec["p_de_jure"] is not None and rec["p_de_jure_interval"] is not None
