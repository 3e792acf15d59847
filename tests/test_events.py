"""Event data: code tables, readers, aggregation engines, bad input (tiny synthetic fixtures)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import DataQualityWarning, DataSourceError, MethodError
from alliance_index.events import (
    GDELT1_COLUMNS,
    GDELT2_COLUMNS,
    PLOVER_EVENTS,
    QUAD_CLASSES,
    QuadRules,
    aggregate_events,
    cameo_table,
    cameo_to_plover,
    goldstein,
    plover_quad_class,
    plover_table,
    quad_class,
    read_events,
    read_gdelt,
    to_observations,
)

# ----------------------------------------------------------------------- code tables


def test_cameo_table_shape_and_facts():
    t = cameo_table()
    assert len(t) == 315 and t["code"].is_unique
    assert set(t["root"]) == {f"{r:02d}" for r in range(1, 21)}
    assert (t["code"].str.slice(0, 2) == t["root"]).all()
    assert t["goldstein"].between(-10, 10).all()
    # one decimal: the engines sum tenths as integers
    assert np.allclose(t["goldstein"] * 10, np.rint(t["goldstein"] * 10))
    g = dict(zip(t["code"], t["goldstein"]))
    assert g["040"] == 1.0 and g["190"] == -10.0 and g["057"] == 8.0 and g["111"] == -2.0


def test_goldstein_conventions_differ_on_documented_codes():
    t = cameo_table("icews")
    u = cameo_table("gdelt")
    diff = sorted(t.loc[t["goldstein"].to_numpy() != u["goldstein"].to_numpy(), "code"])
    assert diff == ["016", "124", "1241", "1242", "1243", "1244", "1245", "1246",
                    "163", "164", "166", "1661", "1662", "1663"]
    assert goldstein(["016"])[0] == -5.0 and goldstein(["016"], "gdelt")[0] == 3.4
    assert np.isnan(goldstein(["999", None])).all()
    with pytest.raises(MethodError, match="icews"):
        goldstein(["010"], "icwes")


def test_numeric_codes_refused():
    with pytest.raises(MethodError, match="010"):
        goldstein(pd.Series([10, 40]))


def test_quad_rules_default_and_options():
    q = quad_class(["010", "0211", "057", "061", "091", "111", "145", "190"])
    assert list(q) == ["verbal_cooperation", "verbal_cooperation", "verbal_cooperation",
                       "material_cooperation", "verbal_conflict", "verbal_conflict",
                       "material_conflict", "material_conflict"]
    r = QuadRules(root_01_02="neutral", root_09="neutral", root_14="verbal_conflict")
    q2 = quad_class(["010", "0211", "091", "145", "057"], r)
    assert list(q2) == ["neutral", "neutral", "neutral", "verbal_conflict", "verbal_cooperation"]
    assert quad_class(["9999"])[0] is None
    with pytest.raises(MethodError, match="root_14"):
        QuadRules(root_14="material_cooperation")
    with pytest.raises(MethodError, match="root_09"):
        QuadRules.coerce({"root_9": "neutral"})


def test_plover_crosswalk_consistent_with_quads():
    pl = plover_table()
    assert set(pl["plover_event"]) == set(PLOVER_EVENTS)
    cq = quad_class(pl["code"].to_numpy())
    pq = plover_quad_class(pl["plover_event"].to_numpy())
    assert list(cq) == list(pq)  # every crosswalk code: same quad class both ways
    m = cameo_to_plover(["030", "010", "0211", "1823"])
    assert m["plover_event"].tolist()[0] == "AGREE" and m["plover_event"].tolist()[3] == "ASSAULT"
    assert m["plover_event"].iloc[1:3].isna().all()  # roots 01-02 have no PLOVER type
    assert plover_quad_class(["agree"])[0] is None


# -------------------------------------------------------------------------- fixtures

ROWS = [
    # source, target, date, code
    ("USA", "RUS", "2018-01-05", "190"),          # material conflict -10
    ("RUS", "USA", "2018-02-01", "040"),          # verbal coop +1
    ("United States", "Russia", "2018-04-10", "061"),  # material coop +6.4 (names resolve)
    ("IRN", "RUS", "2018-04-11", "057"),          # verbal coop +8
    ("RUS", "IRN", "2018-11-30", "111"),          # verbal conflict -2
    ("RUS", "IRN", "2019-01-02", "010"),          # verbal coop 0
    ("USA", "RUS", "2018-13-01", "040"),          # malformed date
    ("USA", "RUS", "2018-02-30", "040"),          # malformed date (no such day)
    ("USA", "RUS", "2018-03-01", "999"),          # unknown code
    ("USA", "RUS", "2018-03-02", None),           # missing code
    ("Atlantis", "RUS", "2018-03-03", "040"),     # unresolved actor
    ("", "RUS", "2018-03-04", "040"),             # missing actor
    ("USA", "United States", "2018-03-05", "040"),  # same country
]


def _frame(rows=ROWS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source", "target", "date", "code"])


def _agg(obj, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return aggregate_events(obj, **kw)


def test_pandas_counts_against_hand_computation():
    a = _agg(_frame(), engine="pandas")
    assert list(a["dyad"]) == ["IRN-RUS", "IRN-RUS", "RUS-USA"]
    ru = a[a["dyad"] == "RUS-USA"].iloc[0]
    assert ru["year"] == 2018 and ru["n_events"] == 3
    assert (ru["verbal_cooperation"], ru["material_cooperation"], ru["verbal_conflict"],
            ru["material_conflict"]) == (1, 1, 0, 1)
    assert ru["goldstein_sum"] == pytest.approx(-2.6) and ru["goldstein_mean"] == pytest.approx(-2.6 / 3)
    assert ru["net_cooperation_share"] == pytest.approx((2 - 1) / 3)
    ir = a[(a["dyad"] == "IRN-RUS") & (a["year"] == 2018)].iloc[0]
    assert ir["goldstein_mean"] == pytest.approx(3.0) and ir["net_cooperation_share"] == 0.0
    rep = a.attrs["report"]
    assert rep.n_rows == len(ROWS) and rep.n_used == 6
    assert rep.dropped == {"truncated_row": 0, "malformed_date": 2, "unknown_code": 2,
                           "missing_actor": 1, "unresolved_actor": 1, "same_country": 1}
    assert rep.n_used + rep.n_dropped == rep.n_rows
    assert set(rep.top_values["unknown_code"].index) == {"999", "<missing>"}
    assert set(rep.top_values["malformed_date"].index) == {"2018-13-01", "2018-02-30"}
    assert rep.top_values["unresolved_actor"].to_dict() == {"Atlantis": 1}
    assert rep.top_values["same_country"].to_dict() == {"USA": 1}
    assert "unknown_code: 2" in rep.summary()


def test_warning_names_counts():
    with pytest.warns(DataQualityWarning, match=r"6 of 13 event rows dropped.*unknown_code 2"):
        aggregate_events(_frame(), engine="pandas")


def test_directed_and_periods():
    d = _agg(_frame(), engine="pandas", directed=True)
    ru = d[d["dyad"] == "RUS-USA"]
    assert set(zip(ru["source"], ru["target"])) == {("USA", "RUS"), ("RUS", "USA")}
    nd = _agg(_frame(), engine="pandas")
    assert d["n_events"].sum() == nd["n_events"].sum()
    m = _agg(_frame(), engine="pandas", period="month")
    assert list(m.loc[m["dyad"] == "RUS-USA", "period"]) == ["2018-01", "2018-02", "2018-04"]
    q = _agg(_frame(), engine="pandas", period="quarter")
    assert list(q.loc[q["dyad"] == "IRN-RUS", "period"]) == ["2018Q2", "2018Q4", "2019Q1"]
    assert m["n_events"].sum() == q["n_events"].sum() == nd["n_events"].sum()


def test_normalise_against_direct_computation():
    a = _agg(_frame(), engine="pandas", normalise=True)
    r = a[(a["dyad"] == "RUS-USA")].iloc[0]
    # 2018: RUS has 3 events with USA and 2 with IRN; USA has 3
    assert (r["source_total"], r["target_total"]) == (5, 3)
    assert r["n_events_norm"] == pytest.approx(3 / np.sqrt(15))
    assert r["material_conflict_norm"] == pytest.approx(1 / np.sqrt(15))


def test_neutral_only_dyad_has_missing_share():
    rows = [("USA", "RUS", "2018-01-01", "010"), ("USA", "RUS", "2018-01-02", "012")]
    a = _agg(_frame(rows), engine="pandas", quad_rules={"root_01_02": "neutral"})
    r = a.iloc[0]
    assert r["neutral"] == 2 and r["n_events"] == 2
    assert np.isnan(r["net_cooperation_share"])
    assert r["goldstein_mean"] == pytest.approx(-0.2)


def test_plover_codes_have_no_goldstein():
    rows = [("USA", "RUS", "2018-01-01", "AGREE"), ("USA", "RUS", "2018-01-02", "ASSAULT"),
            ("USA", "RUS", "2018-01-02", "FOO")]
    a = _agg(_frame(rows), engine="pandas", code_system="plover")
    r = a.iloc[0]
    assert (r["verbal_cooperation"], r["material_conflict"]) == (1, 1)
    assert r["goldstein_n"] == 0 and np.isnan(r["goldstein_mean"]) and np.isnan(r["goldstein_sum"])
    assert a.attrs["report"].dropped["unknown_code"] == 1


def test_integer_code_column_refused():
    df = _frame()[:3].assign(code=[190, 40, 61])
    with pytest.raises(MethodError, match="text"):
        _agg(df, engine="pandas")


# ---------------------------------------------------------------- engines agree


def _sorted(a: pd.DataFrame) -> pd.DataFrame:
    return a.sort_values(list(a.columns[:3])).reset_index(drop=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("ev")
    df = _frame()
    csv = d / "ev.csv"
    df.to_csv(csv, index=False)
    pq = d / "ev.parquet"
    pytest.importorskip("pyarrow")
    df.to_parquet(pq, index=False)
    return {"csv": str(csv), "parquet": str(pq), "dir": d}


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.mark.parametrize("period,directed,opts", [
    ("year", False, {}),
    ("year", True, {}),
    ("month", False, {}),
    ("month", True, {}),
    ("quarter", False, {"goldstein_convention": "gdelt",
                         "quad_rules": {"root_01_02": "neutral", "root_14": "verbal_conflict"}}),
])
def test_engines_agree_exactly(files, dask_client, period, directed, opts):
    pytest.importorskip("duckdb")
    kw = dict(period=period, directed=directed, normalise=True, **opts)
    ref = _agg(_frame(), engine="pandas", **kw)
    outs = {
        "duckdb-frame": _agg(_frame(), engine="duckdb", **kw),
        "duckdb-csv": _agg(files["csv"], engine="duckdb", **kw),
        "duckdb-parquet": _agg(files["parquet"], engine="duckdb", **kw),
        "pandas-csv": _agg(files["csv"], engine="pandas", **kw),
        "pandas-parquet": _agg(files["parquet"], engine="pandas", **kw),
        "dask-frame": _agg(_frame(), engine="dask", client=dask_client, **kw),
        "dask-parquet": _agg(files["parquet"], engine="dask", client=dask_client, **kw),
        "dask-csv": _agg(files["csv"], engine="dask", client=dask_client, **kw),
    }
    dd = pytest.importorskip("dask.dataframe")
    outs["dask-ddf"] = _agg(dd.from_pandas(_frame(), npartitions=3), client=dask_client, **kw)
    for name, out in outs.items():
        pd.testing.assert_frame_equal(_sorted(out), _sorted(ref), check_exact=True, obj=name)
        assert out.attrs["report"].dropped == ref.attrs["report"].dropped, name
        for r in ("unknown_code", "malformed_date", "unresolved_actor"):
            assert out.attrs["report"].top_values[r].to_dict() == ref.attrs["report"].top_values[r].to_dict(), name


def test_auto_engine(files):
    pytest.importorskip("duckdb")
    assert _agg(files["parquet"]).attrs["report"].engine == "duckdb"
    assert _agg(_frame()).attrs["report"].engine == "pandas"


# ------------------------------------------------------------------- bad files


def test_truncated_csv_counted_by_every_engine(files, dask_client):
    pytest.importorskip("duckdb")
    text = open(files["csv"]).read()
    p = files["dir"] / "trunc.csv"
    p.write_text(text + "USA,RUS,2018-0")  # file cut in the middle of its last line
    for eng in ("pandas", "duckdb", "dask"):
        a = _agg(str(p), engine=eng, client=dask_client if eng == "dask" else None)
        rep = a.attrs["report"]
        assert rep.dropped["truncated_row"] == 1, eng
        assert rep.n_rows == len(ROWS) + 1 and rep.n_used == 6, eng


def test_unreadable_files_raise_clear_errors(files):
    pytest.importorskip("duckdb")
    bad = files["dir"] / "bad.parquet"
    raw = open(files["parquet"], "rb").read()
    bad.write_bytes(raw[: len(raw) // 2])  # truncated Parquet: footer gone
    for eng in ("pandas", "duckdb", "dask"):
        with pytest.raises(DataSourceError, match="bad.parquet"):
            _agg(str(bad), engine=eng)
    with pytest.raises(DataSourceError, match="does not exist"):
        _agg(str(files["dir"] / "nope.csv"))
    with pytest.raises(DataSourceError, match="actor1"):
        _agg(files["csv"], columns={"source": "actor1"}, engine="duckdb")
    with pytest.raises(DataSourceError, match="actor1"):
        _agg(files["csv"], columns={"source": "actor1"}, engine="pandas")
    toolong = files["dir"] / "long.csv"
    toolong.write_text("source,target,date,code\nUSA,RUS,2018-01-01,040,extra\n")
    for eng in ("pandas", "duckdb"):
        with pytest.raises(DataSourceError, match="long.csv"):
            _agg(str(toolong), engine=eng)


def test_bad_options():
    with pytest.raises(MethodError, match="month"):
        _agg(_frame(), period="monthly")
    with pytest.raises(MethodError, match="duckdb"):
        _agg(_frame(), engine="duckbd")


# ------------------------------------------------------------------- GDELT reader


def _gdelt_line(cols, date, a1, a2, code):
    v = {c: "" for c in cols}
    v.update(GLOBALEVENTID="1", SQLDATE=date, Actor1CountryCode=a1, Actor2CountryCode=a2,
             EventCode=code, EventRootCode=code[:2], QuadClass="1", GoldsteinScale="1.0")
    return "\t".join(v[c] for c in cols)


@pytest.mark.parametrize("version,cols", [(1, GDELT1_COLUMNS), (1, GDELT1_COLUMNS[:-1]), (2, GDELT2_COLUMNS)])
def test_gdelt_reader(tmp_path, version, cols):
    p = tmp_path / "g.export.CSV"
    lines = [_gdelt_line(cols, "20180601", "USA", "RUS", "040"),
             _gdelt_line(cols, "2018061", "USA", "RUS", "040"),
             _gdelt_line(cols, "20180602", "", "RUS", "190")]
    p.write_text("\n".join(lines) + "\n")
    ev = read_gdelt(str(p), version=version)
    assert ev["date"].tolist() == ["2018-06-01", "2018061", "2018-06-02"]
    assert ev["source"].tolist()[2] is None
    fmt = f"gdelt{version}"
    a = _agg(str(p), format=fmt, engine="pandas")
    b = _agg(str(p), format=fmt, engine="duckdb") if _has("duckdb") else a
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert a.attrs["report"].dropped["malformed_date"] == 1
    assert a.attrs["report"].dropped["missing_actor"] == 1
    with pytest.raises(DataSourceError, match="fields"):
        read_gdelt(str(p), version=2 if version == 1 else 1)


def _has(mod):
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


def test_read_events_generic_mapping(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("a1,a2,day,cameo\nUSA,RUS,2018-01-01,040\n")
    ev = read_events(str(p), columns={"source": "a1", "target": "a2", "date": "day", "code": "cameo"})
    assert ev[["source", "target", "date", "code"]].iloc[0].tolist() == ["USA", "RUS", "2018-01-01", "040"]


# ------------------------------------------------------------------ observations


def test_to_observations_monthly_equals_yearly():
    y = _agg(_frame(), period="year", engine="pandas")
    m = _agg(_frame(), period="month", directed=True, engine="pandas")
    oy, om = to_observations(y, source="test"), to_observations(m, source="test")
    pd.testing.assert_frame_equal(oy, om)
    assert set(oy["indicator"]) == {f"events_{q}" for q in QUAD_CLASSES} | {"events_goldstein_mean"}
    assert list(oy.columns) == ["dyad", "year", "indicator", "value", "confidence", "source", "note"]
    g = oy[(oy["dyad"] == "RUS-USA") & (oy["indicator"] == "events_goldstein_mean")]["value"].iloc[0]
    assert g == pytest.approx(-2.6 / 3)


def test_to_observations_fills_event_free_years_with_zero_counts():
    y = _agg(_frame(), engine="pandas")
    o = to_observations(y, dyads=["Russia-USA", "IRN-RUS", "USA-IRN"], years=[2018, 2019])
    assert len(o) == 3 * 2 * 5
    row = o[(o["dyad"] == "IRN-USA") & (o["year"] == 2019)].set_index("indicator")["value"]
    assert row["events_verbal_cooperation"] == 0.0
    assert np.isnan(row["events_goldstein_mean"])  # no events: mean unknown, not 0
    with pytest.raises(MethodError):
        to_observations(y, dyads=["IRN-RUS"])


def test_missing_optional_engines_name_the_extra(files, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)
    with pytest.raises(ImportError, match=r"alliance_index\[events\]"):
        _agg(files["parquet"], engine="duckdb")
    monkeypatch.setitem(sys.modules, "dask", None)
    with pytest.raises(ImportError, match=r"alliance_index\[dask\]"):
        _agg(_frame(), engine="dask")
    # auto falls back to pandas for files when DuckDB is absent
    assert _agg(files["parquet"]).attrs["report"].engine == "pandas"


def test_na_actor_read_as_namibia_is_flagged(tmp_path):
    rows = [("NA", "RUS", "2018-01-01", "040"), ("USA", "RUS", "2018-01-01", "040")]
    with pytest.warns(DataQualityWarning, match="Namibia"):
        a = aggregate_events(_frame(rows), engine="pandas")
    assert a.attrs["report"].notes and "NAM-RUS" in set(a["dyad"])
    p = tmp_path / "ic.tab"
    head = "Event ID\tEvent Date\tSource Name\tSource Country\tCAMEO Code\tIntensity\tTarget Name\tTarget Country"
    lines = [head, "1\t2018-06-01\tx\tNA\t040\t1\ty\tRussian Federation",
             "2\t2018-06-01\tx\tCongo\t040\t1\ty\tRussian Federation"]
    p.write_text("\n".join(lines) + "\n")
    for eng in ("pandas", "duckdb"):
        b = _agg(str(p), format="icews", engine=eng)
        assert list(b["dyad"]) == ["COG-RUS"], eng  # ICEWS 'Congo' is the Republic of the Congo
        assert b.attrs["report"].dropped["missing_actor"] == 1 and not b.attrs["report"].notes


def test_observations_pass_contract_validation():
    from alliance_index.observations import validate_observations

    obs = to_observations(_agg(_frame(), engine="pandas", period="quarter"), source="synthetic test events")
    v = validate_observations(obs)
    assert len(v) == len(obs) and set(v["indicator"]) == set(obs["indicator"])
