"""s8 review fixes for the dyad-year builder, the real-data frame cache and event Parquet files.

Findings 2, 10, 11, 12 (builder parts), 14, 16 and D3/D4 of the s8 review. The builder runs on the
project's own small fixture files (tests/fixtures/sources/, invented values in the real formats);
nothing here needs the real data.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_sources import (  # the fixture folder, laid out like the real one
    FIX,
    make_datadir,
)

from alliance_index import sources as S
from alliance_index.errors import (
    CoverageWarning,
    DataQualityWarning,
    DataSourceError,
    MissingColumnError,
    UnknownCountryError,
)


@pytest.fixture(scope="module")
def datadir(tmp_path_factory):
    d = make_datadir(tmp_path_factory.mktemp("realfmt8"))
    previous = S.get_data_dir() if S._base._DATA_DIR is not None else None
    S.set_data_dir(d)
    yield d
    S.set_data_dir(previous)


def _build(*a, **k):
    k.setdefault("progress", False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return S.build_dyad_years(*a, **k)


# ------------------------------------------------------------- 2 / D4: relevant_only after 2016

def test_relevant_only_warns_about_years_it_cannot_classify(datadir):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        d = S.build_dyad_years(2015, 2017, sources=["atop"], relevant_only=True, progress=False)
    msgs = [str(w.message) for w in rec if issubclass(w.category, CoverageWarning)
            and "relevant_only" in str(w.message)]
    assert len(msgs) == 1, [str(w.message) for w in rec]
    assert "2017" in msgs[0] and "2016" in msgs[0] and "without relevant_only" in msgs[0]
    assert set(d["year"]) == {2015, 2016}  # the data are not changed: 2017 is still dropped
    with pytest.warns(CoverageWarning, match="version cap"):
        full = _build(2017, 2017, sources=["contiguity", "majors"])
    assert d.attrs["dropped_unclassified"] == len(full) > 0


def test_relevant_only_within_cow_years_is_silent(datadir):
    with warnings.catch_warnings():
        warnings.simplefilter("error", CoverageWarning)
        d = _build(2000, 2002, sources=["atop"], relevant_only=True)
    assert d.attrs["dropped_unclassified"] == 0 and len(d) > 0


def test_relevant_only_is_documented():
    doc = S.build_dyad_years.__doc__
    part = doc[doc.index("relevant_only : bool"):doc.index("system : ")]
    assert "2016" in part and "dropped" in part


def test_politically_relevant_warns_on_unknown_rows_and_names_missing_columns():
    from alliance_index.models.features import politically_relevant

    dy = pd.DataFrame({"year": [2015, 2016, 2017, 2018], "contiguity": [1.0, 0.0, np.nan, np.nan],
                       "major_powers": [0.0, 0.0, np.nan, 1.0]})
    with pytest.warns(CoverageWarning, match=r"1 dyad-year\(s\) in 2017 .*2016") as rec:
        rel = politically_relevant(dy)
    assert rel.tolist() == [True, False, False, True]  # a known major power decides 2018
    assert rec[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert politically_relevant(dy.iloc[:2]).tolist() == [True, False]
    with pytest.raises(MissingColumnError, match="majors"):
        politically_relevant(dy.drop(columns=["major_powers"]))


# ------------------------------------------------------------- 10: states=

def test_states_filter_after_the_full_build(datadir):
    full = _build(2000, 2002)
    sub = _build(2000, 2002, states=["USA", "Canada", 365, "CHN"])
    codes = {2, 20, 365, 710}
    keep = full["ccode1"].isin(codes) & full["ccode2"].isin(codes)
    assert len(sub) == int(keep.sum()) > 0
    pd.testing.assert_frame_equal(sub.reset_index(drop=True), full[keep].reset_index(drop=True))
    # a reduced system frame redefines portfolio similarity; states= does not
    system = S.read_cow_states()
    red = _build(2000, 2002, system=system[system["ccode"].isin(codes)])
    m = red.merge(sub, on=["ccode1", "ccode2", "year"], suffixes=("_red", "_sub"))
    diff = (m["alliance_portfolio_similarity_red"] - m["alliance_portfolio_similarity_sub"]).abs()
    assert (diff > 1e-12).any()


def test_states_errors_and_absent_state(datadir):
    with pytest.raises(UnknownCountryError):
        _build(2000, 2000, sources=["atop"], states=["Atlantis", "USA"])
    with pytest.raises(DataSourceError, match="states= is empty"):
        _build(2000, 2000, sources=["atop"], states=[])
    with pytest.warns(CoverageWarning, match=r"\[260\]"):
        d = _build(2000, 2000, sources=["atop"], states=["USA", "West Germany", 365])
    assert set(zip(d.ccode1, d.ccode2)) == {(2, 365)}
    with pytest.warns(CoverageWarning, match=r"\[2\]"):
        one = _build(2000, 2000, sources=["atop"], states="USA")  # one state: no dyad
    assert len(one) == 0


def test_custom_system_warning_points_to_states(datadir):
    system = S.read_cow_states()
    with pytest.warns(DataQualityWarning, match="states="):
        S.build_dyad_years(2000, 2002, sources=["atop"], system=system[system["ccode"].isin([2, 20])],
                           progress=False)


# ------------------------------------------------------------- 12: builder arguments

@pytest.mark.parametrize("start", [2000.5, "2000", None, True, np.nan])
def test_start_must_be_an_integer_year(datadir, start):
    with pytest.raises(DataSourceError, match="start must be an integer year"):
        S.build_dyad_years(start, 2001, sources=["atop"], progress=False)


def test_int_like_years_and_single_source_string(datadir):
    a = _build(np.int64(2000), 2001.0, sources="atop")
    b = _build(2000, 2001, sources=["atop"])
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["years"] == (2000, 2001) and type(a.attrs["years"][1]) is int
    with pytest.raises(DataSourceError, match="list of source names"):
        S.build_dyad_years(2000, 2001, sources=5, progress=False)
    with pytest.raises(DataSourceError, match="unknown source"):
        S.build_dyad_years(2000, 2001, sources=["atop", 3], progress=False)


# ------------------------------------------------------------- 14: warnings point at the caller

def test_reader_warnings_point_at_the_callers_line(datadir, tmp_path):
    riv = tmp_path / "td_rivalries.csv"
    riv.write_text((FIX / "cow/td_rivalries.csv").read_text()
                   + "99.0,Serbia-Montenegro?,324.0,365.0,2000.0,2002.0,Europe,spatial,,\n")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        S.build_dyad_years(2000, 2002, sources=["rivalries", "sipri"], paths={"rivalries": riv},
                           progress=False)
    mine = [w for w in rec if "strategic rivalries" in str(w.message) or "SIPRI" in str(w.message)]
    assert {("rivalries" if "rivalries" in str(w.message) else "sipri") for w in mine} == {"rivalries", "sipri"}
    assert all(w.filename == __file__ for w in mine), [(w.filename, w.lineno) for w in mine]


# ------------------------------------------------------------- 11: real_frame cache

def _sidecar(p: Path) -> Path:
    return Path(str(p) + ".sources.txt")


def test_real_frame_cache_rebuilds_on_other_options(datadir, tmp_path):
    from alliance_index.models.realdata import real_frame

    cache = tmp_path / "frame.parquet"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = real_frame(2000, 2001, data_dir=datadir, cache=cache)
        again = real_frame(2000, 2001, data_dir=datadir, cache=cache)  # same options: loaded, silent
    assert set(a["year"]) == {2000, 2001}
    pd.testing.assert_frame_equal(again, a.reset_index(drop=True), check_dtype=False, check_categorical=False)
    assert again.attrs["sources"] == a.attrs["sources"]
    text = _sidecar(cache).read_text()
    assert "#start\t2000" in text and "#rivalries\ttss" in text and f"#data_dir\t{Path(datadir).resolve()}" in text
    with pytest.warns(UserWarning, match=r"years 2000–2001, asked 2002–2002") as rec:
        b = real_frame(2002, 2002, data_dir=datadir, cache=cache)
    assert rec[0].filename == __file__
    assert set(b["year"]) == {2002} and set(pd.read_parquet(cache)["year"]) == {2002}
    other = make_datadir(tmp_path / "copy")
    with pytest.warns(UserWarning, match="data folder"):
        real_frame(2002, 2002, data_dir=other, cache=cache)


def test_real_frame_old_sidecar_is_judged_by_its_frame(datadir, tmp_path):
    from alliance_index.models.realdata import real_frame

    cache = tmp_path / "old.parquet"
    real_frame(2000, 2001, data_dir=datadir, cache=cache)
    side = _sidecar(cache)
    side.write_text("".join(ln + "\n" for ln in side.read_text().splitlines() if not ln.startswith("#")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = real_frame(2000, 2001, data_dir=datadir, cache=cache)  # frame matches the request
    assert set(d["year"]) == {2000, 2001} and "rivalries" in d.attrs["sources"]
    side.write_text(side.read_text().replace("Sakuwa", "Dreyer"))  # a td-rivalries frame
    with pytest.warns(UserWarning, match="rivalries 'td'"):
        real_frame(2000, 2001, data_dir=datadir, cache=cache)


def test_real_frame_restores_the_previous_data_dir(datadir, tmp_path):
    from alliance_index.models.realdata import real_frame

    other = make_datadir(tmp_path / "copy")
    S.set_data_dir(other)
    try:
        real_frame(2000, 2000, data_dir=datadir)
        assert S.get_data_dir() == other
    finally:
        S.set_data_dir(datadir)


# ------------------------------------------------------------- 16: events saved to Parquet

ICEWS_HEAD = "Event ID\tEvent Date\tSource Name\tSource Country\tCAMEO Code\tIntensity\tTarget Name\tTarget Country"


def _icews_file(tmp_path) -> Path:
    p = tmp_path / "ic.tab"
    lines = [ICEWS_HEAD, "1\t2018-06-01\tx\tCongo\t040\t1\ty\tFrance",
             "2\t2018-06-02\tx\tFrance\t040\t1\ty\tCongo",
             "3\t2018-06-02\tx\tNA\t040\t1\ty\tFrance",
             "4\t2018-07-01\tx\tUnited States\t190\t-10\ty\tRussian Federation"]
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_standard_icews_frame_keeps_its_conventions_in_parquet(tmp_path, engine):
    from alliance_index import events as ev

    raw = _icews_file(tmp_path)
    ref = ev.aggregate_events(str(raw), format="icews", engine=engine, warn=False)
    assert "COG-FRA" in set(ref["dyad"])
    std = ev.read_icews(str(raw))
    pq_file = tmp_path / "std.parquet"
    std.to_parquet(pq_file)
    got = ev.aggregate_events(str(pq_file), engine=engine, warn=False)
    cols = ["dyad", "year", "n_events", "verbal_cooperation", "material_conflict"]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True), ref[cols].reset_index(drop=True))
    assert got.attrs["report"].dropped == ref.attrs["report"].dropped
    # a standard-column file without the metadata: name its origin with format=
    bare = tmp_path / "bare.parquet"
    plain = std.copy()
    plain.attrs = {}
    plain.to_parquet(bare)
    with pytest.warns(DataQualityWarning, match="unresolved_actor"):
        ev.aggregate_events(str(bare), engine=engine)
    named = ev.aggregate_events(str(bare), format="icews", engine=engine, warn=False)
    pd.testing.assert_frame_equal(named[cols].reset_index(drop=True), ref[cols].reset_index(drop=True))


def test_two_event_aggregates_can_be_merged(tmp_path):
    from alliance_index import events as ev

    raw = _icews_file(tmp_path)
    a = ev.aggregate_events(str(raw), format="icews", engine="pandas", warn=False)
    b = ev.aggregate_events(str(raw), format="icews", engine="duckdb", warn=False)
    m = a.merge(b, on=["dyad", "year"], suffixes=("_a", "_b"))
    assert (m["n_events_a"] == m["n_events_b"]).all() and len(m) == len(a)


# ------------------------------------------------------------- D3: notebook 03 text

def test_notebook_03_states_the_trade_rule():
    import importlib.util

    repo = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_notebooks_b", repo / "scripts" / "make_notebooks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = "\n".join(c.source for c in mod.REAL_DATA if c.cell_type == "markdown")
    assert "is 0 for trade and ATOP" not in text
    assert 'trade_absent="auto"' in text and "SIPRI" in text
