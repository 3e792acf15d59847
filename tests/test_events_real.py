"""Event data against the real files in ../shared/data/real (skipped when absent)."""
from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from alliance_index._resources import real_data_dir
from alliance_index.errors import DataQualityWarning
from alliance_index.events import (
    GDELT1_COLUMNS,
    GDELT2_COLUMNS,
    aggregate_events,
    cameo_table,
    plover_table,
    read_icews,
    to_observations,
)
from alliance_index.events.aggregate import default_resolver

REAL = real_data_dir()
pytestmark = pytest.mark.skipif(REAL is None, reason="real data folder ../shared/data/real not found "
                                                      "(set ALLIANCE_INDEX_REAL_DATA)")


def _codes_dir():
    return REAL / "event_codes"


def _icews_sample():
    p = REAL / "icews" / "events.2018.sample.tab"
    if not p.is_file():
        pytest.skip("ICEWS sample events.2018.sample.tab not in the real-data folder")
    return p


# --------------------------------------------------------------- code tables


def test_goldstein_equals_icews_and_r_tables():
    ours = cameo_table("icews").set_index("code")["goldstein"]
    icews = pd.read_csv(_codes_dir() / "icews_goldstein_mappings.csv", dtype={"code": str}).set_index("code")
    rpkg = pd.read_csv(_codes_dir() / "cameo-codes.csv", dtype={"code": str}, encoding="latin-1").set_index("code")
    assert set(icews.index) == set(rpkg.index)
    extra = sorted(set(ours.index) - set(icews.index))
    assert extra == ["1214", "1951", "1952"]  # CAMEO codes ICEWS's table lacks (documented)
    for ref in (icews["goldstein"], rpkg["goldstein"]):
        assert (ours.reindex(ref.index) == ref.astype(float)).all()


def test_goldstein_gdelt_convention_and_differences():
    j = json.loads((_codes_dir() / "cameoCodes.json").read_text())
    gd = pd.Series({k: float(v) for k, v in j["GoldsteinScale"].items()})
    ours_g = cameo_table("gdelt").set_index("code")["goldstein"]
    ours_i = cameo_table("icews").set_index("code")["goldstein"]
    pseudo = sorted(set(gd.index) - set(ours_g.index))
    assert pseudo == ["0811i", "1321i", "138i", "13y", "1451i"]  # not CAMEO codes
    assert set(ours_g.index) <= set(gd.index)
    assert (ours_g == gd.reindex(ours_g.index)).all()
    differ = sorted(ours_i.index[ours_i != gd.reindex(ours_i.index)])
    assert differ == ["016", "124", "1241", "1242", "1243", "1244", "1245", "1246",
                      "163", "164", "166", "1661", "1662", "1663"]


def test_plover_table_matches_crosswalk():
    rows = {}
    for line in (_codes_dir() / "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{3,4}):\s*([^#]*)", line.strip())
        if m:
            parts = [p.strip() for p in m.group(2).split(",")]
            rows[m.group(1)] = parts[0]
    ours = plover_table().set_index("code")["plover_event"]
    assert dict(ours) == rows


def test_gdelt_column_definitions():
    for cols, f in ((GDELT1_COLUMNS, "events1.csv"), (GDELT2_COLUMNS, "events2.csv")):
        names = pd.read_csv(_codes_dir() / f)["name"].tolist()
        assert list(cols) == names


# ------------------------------------------------------------------ ICEWS sample


def _direct(path):
    """Direct computation with plain pandas: quad from the root code, Goldstein from ICEWS's Intensity."""
    raw = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    raw = raw[(raw["Source Country"] != "NA") & (raw["Target Country"] != "NA")]
    vals = pd.unique(pd.concat([raw["Source Country"], raw["Target Country"]]))
    icews_names = {"Congo": "COG"}  # ICEWS's name for the Republic of the Congo
    iso = {v: default_resolver([icews_names.get(v, v)])[icews_names.get(v, v)] for v in vals}
    s = raw["Source Country"].map(iso)
    t = raw["Target Country"].map(iso)
    keep = s.notna() & t.notna() & (s != t)
    d = raw[keep].copy()
    a, b = s[keep].to_numpy(dtype=object), t[keep].to_numpy(dtype=object)
    d["dyad"] = [f"{min(x, y)}-{max(x, y)}" for x, y in zip(a, b)]
    root = d["CAMEO Code"].str.slice(0, 2).astype(int)
    d["quad"] = np.select([root <= 5, root <= 8, root <= 13], [0, 1, 2], 3)
    d["g"] = d["Intensity"].astype(float)
    out = d.groupby("dyad").agg(
        n_events=("g", "size"), goldstein_mean=("g", "mean"),
        verbal_cooperation=("quad", lambda q: int((q == 0).sum())),
        material_conflict=("quad", lambda q: int((q == 3).sum())),
    )
    return out, raw


@pytest.fixture(scope="module")
def icews_aggs():
    p = _icews_sample()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        out["pandas"] = aggregate_events(read_icews(p), engine="pandas")
        out["pandas-file"] = aggregate_events(str(p), format="icews", engine="pandas")
        pytest.importorskip("duckdb")
        out["duckdb"] = aggregate_events(str(p), format="icews", engine="duckdb")
        distributed = pytest.importorskip("dask.distributed")
        cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                           dashboard_address=None)
        with distributed.Client(cluster) as client:
            out["dask"] = aggregate_events(str(p), format="icews", engine="dask", client=client)
        cluster.close()
    return out


def test_icews_counts_and_goldstein_against_direct(icews_aggs):
    direct, raw = _direct(_icews_sample())
    a = icews_aggs["duckdb"].set_index("dyad")
    assert set(a.index) == set(direct.index)
    d = direct.reindex(a.index)
    assert (a["n_events"] == d["n_events"]).all()
    assert (a["verbal_cooperation"] == d["verbal_cooperation"]).all()
    assert (a["material_conflict"] == d["material_conflict"]).all()
    np.testing.assert_allclose(a["goldstein_mean"], d["goldstein_mean"], rtol=0, atol=1e-12)
    rep = icews_aggs["duckdb"].attrs["report"]
    assert rep.n_rows == 3705 and rep.n_used + rep.n_dropped == rep.n_rows
    assert rep.n_used == int(d["n_events"].sum())
    assert rep.dropped["missing_actor"] > 0 and "source" in rep.top_values["missing_actor"].index


def test_icews_engines_agree_exactly(icews_aggs):
    ref = icews_aggs["pandas"]
    for name, out in icews_aggs.items():
        pd.testing.assert_frame_equal(out.reset_index(drop=True), ref.reset_index(drop=True),
                                      check_exact=True, obj=name)
        assert out.attrs["report"].dropped == ref.attrs["report"].dropped, name


def test_icews_observations(icews_aggs):
    obs = to_observations(icews_aggs["duckdb"], source="ICEWS sample 2018-06-01/02")
    assert set(obs["year"]) == {2018}
    assert obs["dyad"].str.fullmatch(r"[A-Z]{3}-[A-Z]{3}").all()
    assert len(obs) == 5 * icews_aggs["duckdb"]["dyad"].nunique()
