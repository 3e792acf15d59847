"""Readers and dyad-year builder on small fixtures the project wrote itself.

The fixture files (tests/fixtures/sources/) are hand-written, invented values in
the formats of the real datasets. Expected values are computed in the tests
directly from those rows (explicit loops), not taken from the code under test.
"""
from __future__ import annotations

import gzip
import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_index import similarity as sim
from alliance_index import sources as S
from alliance_index.errors import CoverageWarning, DataQualityWarning, DataSourceError

FIX = Path(__file__).parent / "fixtures" / "sources"
GZ = {
    "atop/atop5_1_directed_dyad_year.csv": "atop/atop5_1_directed_dyad_year.csv.gz",
    "cow/cow_trade_ndy_v4.csv": "cow/cow_trade_ndy_v4.csv.gz",
    "cow/cow_igo_ndy.csv": "cow/cow_igo_ndy.csv.gz",
    "cow/cow_mindist.csv": "cow/cow_mindist.csv.gz",
    "unvotes/unvotes_un_votes.csv": "unvotes/unvotes_un_votes.csv.gz",
    "icews/netify_icews_dyadyear_2002_2014.csv": "icews/netify_icews_dyadyear_2002_2014.csv.gz",
}


def make_datadir(d: Path) -> Path:
    """The fixture files laid out (and compressed) like the real-data folder, in ``d``."""
    for f in FIX.rglob("*.csv"):
        rel = f.relative_to(FIX).as_posix()
        dst = d / GZ.get(rel, rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        if rel in GZ:
            with open(f, "rb") as src, gzip.open(dst, "wb") as out:
                shutil.copyfileobj(src, out)
        else:
            shutil.copy(f, dst)
    ip = pd.read_csv(FIX / "unga_idealpoints/IdealpointestimatesAll_Apr2020.csv", encoding="latin-1")
    pd.DataFrame({"ccode": ip["ccode"].astype("int16"), "iso3c": ip["iso3c"].astype(object),
                  "year": (ip["session"] + 1945).astype("float32"),
                  "idealpointfp": ip["IdealPoint"].astype("float32"),
                  "nvotesfp": ip["NVotes"].astype(float)}).to_stata(
        d / "unga_idealpoints/IdealpointsJuly2025.dta", write_index=False)
    return d


@pytest.fixture(scope="module")
def datadir(tmp_path_factory):
    d = make_datadir(tmp_path_factory.mktemp("realfmt"))
    S.set_data_dir(d)
    yield d
    S.set_data_dir(None)


@pytest.fixture(scope="module")
def built(datadir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return S.build_dyad_years(1999, 2003, progress=False)


def _row(df, a, b, y):
    lo, hi = min(a, b), max(a, b)
    r = df[(df.ccode1 == lo) & (df.ccode2 == hi) & (df.year == y)]
    assert len(r) == 1, (a, b, y)
    return r.iloc[0]


# ------------------------------------------------------------------ readers

def test_readers_return_typed_frames(datadir):
    a = S.read_atop_dyad_year()
    assert a["ccode1"].dtype == np.int64 and a["year"].dtype == np.int64
    assert len(a) == 13
    t = S.read_trade_dyadic()
    r = t[(t.ccode1 == 630) & (t.ccode2 == 710)].iloc[0]  # written 710,630 in the file: swapped
    assert (r.flow1, r.flow2) == (1.5, 2.5)
    assert np.isnan(t[(t.ccode1 == 2) & (t.ccode2 == 710) & (t.year == 2001)].flow1.iloc[0])
    c = S.read_contiguity()
    assert (c.ccode1 < c.ccode2).all() and len(c) == 5  # duplicate directions merged
    assert len(S.read_cow_states()) == 7
    assert S.read_major_powers()["ccode"].tolist() == [2, 365, 710]


def test_atop_treaty_and_member_level(datadir):
    al = S.read_atop_alliances()
    assert al.set_index("atopid").loc[9001, ["defense", "consul", "endyr"]].tolist() == [1, 1, 0]
    assert al["milaid"].tolist() == [2.0, 0.0, 0.0]
    with pytest.warns(DataQualityWarning, match=r"1 row\(s\).*8152"):
        m = S.read_atop_members()
    assert len(m) == 7  # the unknown member is kept and counted, not dropped
    with pytest.raises(DataSourceError, match="8152"):
        S.read_atop_members(on_unknown="raise")


def test_isard_system_and_tss_rivalries(datadir):
    isd = S.read_isard_system()
    cow = S.read_cow_states()
    pd.testing.assert_frame_equal(S.system_years(1999, 2003, isd), S.system_years(1999, 2003, cow))
    r = S.read_rivalries(kind="tss")
    assert r[["ccode1", "ccode2", "start_year", "end_year"]].values.tolist() == [[2, 365, 2000, 2003],
                                                                                 [2, 630, 2000, 2003]]
    d = S.build_dyad_years(2000, 2003, sources=["rivalries"], rivalries="tss", system="isard",
                           progress=False)
    assert _row(d, 365, 630, 2003).shared_rivals == 1


def test_un_votes_quirks(datadir):
    v = S.read_un_votes()
    # Namibia's ISO2 'NA' is a country, not a missing value
    assert (v.ccode == 565).sum() == 2
    # year = session + 1945
    assert set(v.loc[v.rcid == 101, "year"]) == {2000}
    # Taiwan's 1948 vote is China's seat (COW 710 before 1950); empty code matched by name
    old = v[v.rcid == 5].set_index("ccode")
    assert set(old.index) == {2, 710, 260}
    assert old.loc[260, "vote"] == "no"
    assert v["value"].isin([0.0, 0.5, 1.0]).all()


def test_un_similarity_measures_and_issue_filter(datadir):
    from alliance_index.sources.unvotes import un_vote_agreement

    v = S.read_un_votes()
    iss = S.read_un_issues()
    assert len(iss) == 3
    ag = un_vote_agreement(v, 2000, 2000, progress=False)
    s = un_vote_agreement(v, 2000, 2000, progress=False, measure="s")
    k = un_vote_agreement(v, 2000, 2000, progress=False, measure="kappa")
    m = ag.merge(s, on=["ccode1", "ccode2", "year"]).merge(k, on=["ccode1", "ccode2", "year"])
    # S on codes 0/0.5/1 with d_max 1 is 2 * agreement - 1
    np.testing.assert_allclose(m.unga_s, 2 * m.unga_agreement - 1)
    r = m[(m.ccode1 == 365) & (m.ccode2 == 710)].iloc[0]
    us, cn = [0.0, 1.0, 0.5], [0.0, 1.0, 1.0]  # Russia, China on rcids 101-103
    assert r.unga_kappa == pytest.approx(sim.kappa(us, cn, dmax=1, categories=[0, 0.5, 1]))
    nuc = iss.loc[iss.issue.str.startswith("Nuclear"), "rcid"]
    one = un_vote_agreement(v, 2000, 2000, progress=False, rcids=nuc)
    assert set(one.unga_common_votes) == {1}


def test_ideal_points_csv_is_latin1(datadir):
    ip = S.read_ideal_points(datadir / "unga_idealpoints/IdealpointestimatesAll_Apr2020.csv")
    assert ip.loc[(ip.ccode == 365) & (ip.year == 2001), "ideal_point"].item() == -0.25
    with pytest.raises(DataSourceError, match="latin-1"):
        S.read_ideal_points(datadir / "unga_idealpoints/IdealpointestimatesAll_Apr2020.csv",
                            encoding="utf-8")
    dta = S.read_ideal_points()
    assert len(dta) == len(ip)


def test_sipri_nonstate_rows_left_out_and_counted(datadir):
    with pytest.warns(DataQualityWarning, match=r"left out 3 row\(s\)"):
        s = S.read_sipri()
    assert len(s) == 4
    assert not s.recipient.str.contains("*", regex=False).any()
    s2 = S.read_sipri(keep_nonstate=True)
    assert len(s2) == 7


def test_icews_iso3_mapped(datadir):
    e = S.read_icews_dyad_year()
    assert set(e.ccode1) == {365, 710, 630}


def test_rivalries_nondirected(datadir):
    r = S.read_rivalries()
    assert (r.ccode1 < r.ccode2).all()
    assert ((r.ccode1 == 2) & (r.ccode2 == 630)).sum() == 1


# ------------------------------------------------------------------ bad input

def _write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding)
    return p


def test_missing_column_names_file_and_column(datadir, tmp_path):
    p = _write(tmp_path, "nmc.csv", "ccode,year,milex\n2,2000,1\n")
    with pytest.raises(DataSourceError) as e:
        S.read_nmc(p)
    assert "nmc.csv" in str(e.value) and "'cinc'" in str(e.value)


def test_wrong_delimiter(datadir, tmp_path):
    p = _write(tmp_path, "nmc_semi.csv", "ccode;year;cinc\n2;2000;0.1\n")
    with pytest.raises(DataSourceError, match="semicolon"):
        S.read_nmc(p)


def test_wrong_encoding(datadir, tmp_path):
    p = _write(tmp_path, "sipri.csv",
               "supplier,recipient,year,value,supplier_cown,recipient_cown\n"
               "Fran\u00e7e,Canada,2000,5,220,20\n", encoding="latin-1")
    with pytest.raises(DataSourceError, match="encoding='latin-1'"):
        S.read_sipri(p)


def test_unknown_code_error_and_warning(datadir, tmp_path):
    p = _write(tmp_path, "nmc_bad.csv", "ccode,year,cinc\n2,2000,0.1\n9999,2000,0.2\n")
    with pytest.raises(DataSourceError) as e:
        S.read_nmc(p)
    assert "9999" in str(e.value) and "line 3" in str(e.value)
    with pytest.warns(DataQualityWarning, match=r"1 row\(s\)"):
        df = S.read_nmc(p, on_unknown="warn")
    assert len(df) == 2  # kept, not silently dropped


def test_non_numeric_code(datadir, tmp_path):
    p = _write(tmp_path, "nmc_txt.csv", "ccode,year,cinc\n2,2000,0.1\nUSA,2001,0.2\n")
    with pytest.raises(DataSourceError, match=r"'ccode'.*line 3.*'USA'"):
        S.read_nmc(p)


def test_overlapping_years(datadir, tmp_path):
    p = _write(tmp_path, "nmc_dup.csv", "ccode,year,cinc\n2,2000,0.1\n2,2000,0.2\n")
    with pytest.raises(DataSourceError, match=r"overlapping years.*lines \[2, 3\]"):
        S.read_nmc(p)
    m = _write(tmp_path, "majors.csv", "ccode,styear,endyear\n2,1990,2000\n2,1998,2005\n")
    with pytest.warns(DataQualityWarning, match="overlap on 3 key-year"):
        S.read_major_powers(m)


def test_unknown_un_code_and_vote(datadir, tmp_path):
    p = _write(tmp_path, "votes.csv", "rcid,country,country_code,vote\n101,Narnia,ZZ,yes\n"
                                      "101,Canada,CA,yes\n")
    with pytest.raises(DataSourceError, match="Narnia"):
        S.read_un_votes(p)
    with pytest.warns(DataQualityWarning, match=r"1 row\(s\)"):
        v = S.read_un_votes(p, on_unknown="warn")
    assert v.ccode.tolist() == [20]
    q = _write(tmp_path, "votes2.csv", "rcid,country,country_code,vote\n101,Canada,CA,maybe\n")
    with pytest.raises(DataSourceError, match="maybe"):
        S.read_un_votes(q)


def test_contiguity_type_out_of_range(datadir, tmp_path):
    p = _write(tmp_path, "cont.csv", "ccode1,ccode2,conttype,stdate,enddate\n2,20,7,1920-01-01,2016-12-01\n")
    with pytest.raises(DataSourceError, match="conttype"):
        S.read_contiguity(p)


def test_missing_file_and_unknown_source(datadir, tmp_path):
    with pytest.raises(DataSourceError, match="not found"):
        S.read_nmc(tmp_path / "nope.csv")
    with pytest.raises(DataSourceError, match="Did you mean: trade"):
        S.build_dyad_years(2000, 2001, sources=["trad"])


# ------------------------------------------------------------------ builder

def test_system_membership(built):
    counts = built.groupby("year").size().to_dict()
    assert counts == {1999: 15, 2000: 15, 2001: 21, 2002: 21, 2003: 21}
    assert (built.ccode1 < built.ccode2).all()
    assert not built.duplicated(["ccode1", "ccode2", "year"]).any()


def test_atop_labels_and_coverage(built):
    assert _row(built, 2, 20, 2001).atop_label == "defense"
    assert _row(built, 365, 710, 2001).atop_label == "other"
    assert _row(built, 365, 630, 2002).atop_label == "other"   # one direction suffices
    assert _row(built, 365, 630, 2001).atop_label == "none"    # absent inside coverage
    assert _row(built, 365, 630, 2001).atop_defense == 0
    assert pd.isna(_row(built, 2, 20, 2003).atop_label)        # outside the file's years
    assert np.isnan(_row(built, 2, 20, 1999).atop_defense)


def test_portfolio_similarity_direct(built):
    states = [2, 20, 365, 369, 565, 630, 710]
    ties = {(2, 20): 3, (365, 710): 2, (365, 630): 2, (365, 369): 3}  # 2002 fixture rows

    def tie(a, b):
        return 3 if a == b else ties.get((min(a, b), max(a, b)), 0)

    for a, b in [(365, 710), (2, 365), (20, 630), (369, 710)]:
        third = [k for k in states if k not in (a, b)]
        want = sim.s_score([tie(a, k) for k in third], [tie(b, k) for k in third], dmax=3)
        assert _row(built, a, b, 2002).alliance_portfolio_similarity == pytest.approx(want)


def test_portfolio_kappa_and_capability_weights(datadir):
    states = [2, 20, 365, 369, 565, 630, 710]
    ties = {(2, 20): 3, (365, 710): 2, (365, 630): 2, (365, 369): 3}
    cinc = {2: .143, 20: .010, 365: .050, 369: .010, 630: .013, 710: .170, 565: 0.0}  # 2002: none
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        k = S.build_dyad_years(2002, 2002, sources=["atop"], portfolio_measure="kappa", progress=False)
        w = S.build_dyad_years(2000, 2000, sources=["atop"], portfolio_weights="capability",
                               progress=False)

    def tie(a, b, t):
        return 3 if a == b else t.get((min(a, b), max(a, b)), 0)

    third = [s for s in states if s not in (365, 710)]
    want = sim.kappa([tie(365, s, ties) for s in third], [tie(710, s, ties) for s in third],
                     dmax=3, categories=[0, 1, 2, 3])
    assert _row(k, 365, 710, 2002).alliance_portfolio_similarity == pytest.approx(want)
    t2000 = {(2, 20): 3}
    st2000 = [2, 20, 365, 565, 630, 710]
    third = [s for s in st2000 if s not in (2, 365)]
    want = sim.s_score([tie(2, s, t2000) for s in third], [tie(365, s, t2000) for s in third],
                       weights=[cinc[s] for s in third], dmax=3)
    assert _row(w, 2, 365, 2000).alliance_portfolio_similarity == pytest.approx(want)


def test_trade_rules(built):
    assert _row(built, 2, 20, 2000).trade_usd == 380
    # absent inside coverage: 0 when both states' listed dyadic trade reaches half their
    # national totals (USA 2000: 496 of 800; Russia 8 of 15), else unknown
    assert _row(built, 2, 365, 2000).trade_usd == 0
    assert np.isnan(_row(built, 2, 630, 2000).trade_usd)       # Iran 2000: 0 of 20 listed
    assert np.isnan(_row(built, 2, 365, 2001).trade_usd)       # Russia 2001: 0 of 20 listed
    assert _row(built, 20, 710, 2001).trade_usd == 0
    assert np.isnan(_row(built, 2, 710, 2001).trade_usd)       # empty flow = unknown
    assert _row(built, 630, 710, 2001).trade_usd == 4.0
    assert np.isnan(_row(built, 2, 20, 1999).trade_usd)        # outside coverage
    assert _row(built, 2, 20, 2000).trade_dependence == pytest.approx(min(380 / 800, 380 / 500) * 100)
    assert built.attrs["notes"]["trade"]["absent_set_nan"] > 0


def test_trade_absent_options(datadir):
    z = S.build_dyad_years(2000, 2001, sources=["trade"], trade_absent="zero", progress=False)
    n = S.build_dyad_years(2000, 2001, sources=["trade"], trade_absent="nan", progress=False)
    assert _row(z, 2, 630, 2000).trade_usd == 0
    assert np.isnan(_row(n, 2, 365, 2000).trade_usd)
    assert _row(n, 2, 20, 2000).trade_usd == 380


def test_unmatched_source_rows_are_reported(datadir, tmp_path):
    p = _write(tmp_path, "igo.csv", "ccode1,ccode2,year,dyadigos\n2,20,2000,60\n2,369,2000,5\n")
    with pytest.warns(DataQualityWarning, match=r"igo: 1 row\(s\).*\(2000, 2, 369\)"):
        d = S.build_dyad_years(2000, 2000, sources=["igo"], paths={"igo": p}, progress=False)
    assert d.attrs["unmatched"] == {"igo": 1}  # Ukraine enters the system in 2001


def test_igo_contiguity_distance_majors(built):
    assert _row(built, 2, 20, 2001).shared_igo_memberships == 61
    assert np.isnan(_row(built, 2, 630, 2000).shared_igo_memberships)  # absent = unknown
    assert _row(built, 2, 20, 2000).contiguity == 1
    assert _row(built, 365, 630, 2000).contiguity == 0                 # conttype 0 = not contiguous
    assert _row(built, 2, 365, 2000).contiguity == 4
    assert _row(built, 365, 630, 2000).mindist == 410
    assert np.isnan(_row(built, 20, 630, 2000).mindist)
    assert _row(built, 2, 365, 2000).major_powers == 2
    assert _row(built, 20, 630, 2000).major_powers == 0


def test_rivalries_democracy_capabilities(built):
    assert _row(built, 2, 365, 2000).strategic_rivalry == 1
    assert _row(built, 365, 710, 2000).shared_rivals == 1               # both rivals of the USA
    assert _row(built, 365, 630, 2000).shared_rivals == 0               # Iran's rivalry starts 2001
    assert _row(built, 365, 630, 2001).shared_rivals == 1
    assert np.isnan(_row(built, 365, 710, 1999).shared_rivals)          # before the file's years
    assert _row(built, 2, 365, 2000).joint_democracy == 1
    assert _row(built, 2, 630, 2000).joint_democracy == 0
    assert np.isnan(_row(built, 2, 630, 2001).joint_democracy)
    assert _row(built, 2, 710, 2000).capability_ratio == pytest.approx(0.170 / 0.143)


def test_un_agreement_direct(built, datadir):
    v = pd.read_csv(FIX / "unvotes/unvotes_un_votes.csv", keep_default_na=False)
    code = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
    iso = {2: "US", 20: "CA", 365: "RU", 630: "IR", 710: "CN", 565: "NA"}
    for a, b in [(2, 365), (365, 710), (630, 710), (2, 565)]:
        agree = []
        for rc in (101, 102, 103):
            x = v[(v.rcid == rc) & (v.country_code == iso[a])]
            y = v[(v.rcid == rc) & (v.country_code == iso[b])]
            if len(x) and len(y):
                agree.append(1 - abs(code[x.vote.item()] - code[y.vote.item()]))
        r = _row(built, a, b, 2000)
        assert r.unga_agreement == pytest.approx(np.mean(agree))
        assert r.unga_common_votes == len(agree)
    assert _row(built, 2, 630, 2001).unga_agreement == 0
    assert np.isnan(_row(built, 20, 630, 2001).unga_agreement)  # no common roll call


def test_ideal_points_sipri_icews(built):
    assert _row(built, 2, 365, 2000).unga_ideal_point_distance == pytest.approx(2.0)
    assert _row(built, 365, 630, 2001).unga_ideal_point_distance == pytest.approx(1.25)
    assert np.isnan(_row(built, 2, 365, 2001).unga_ideal_point_distance)
    assert _row(built, 365, 710, 2000).arms_transfers_tiv == 910  # both directions
    assert _row(built, 2, 365, 2000).arms_transfers_tiv == 0      # absent inside coverage
    assert np.isnan(_row(built, 2, 20, 2003).arms_transfers_tiv)  # outside coverage
    assert _row(built, 630, 710, 2001).arms_transfers_tiv == 0     # Hezbollah* row left out
    assert _row(built, 365, 710, 2002).events_verbal_cooperation == 90
    assert _row(built, 630, 710, 2002).events_material_conflict == 0
    assert np.isnan(_row(built, 2, 20, 2002).events_verbal_cooperation)  # not in the ICEWS set


def test_directed_and_relevant(datadir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        d = S.build_dyad_years(2002, 2002, sources=["atop"], directed=True, progress=False)
        r = S.build_dyad_years(2000, 2000, sources=["trade"], relevant_only=True, progress=False)
    assert len(d) == 42
    one = d[(d.ccode1 == 365) & (d.ccode2 == 630)].iloc[0]
    other = d[(d.ccode1 == 630) & (d.ccode2 == 365)].iloc[0]
    assert one.atop_neutral == 1 and other.atop_neutral == 0
    assert one.atop_label == other.atop_label == "other"
    # politically relevant: contiguity type 1-4 or a major power
    assert not ((r.ccode1 == 20) & (r.ccode2 == 630)).any()
    assert ((r.ccode1 == 20) & (r.ccode2 == 365)).any()
    assert "contiguity" not in r.columns and "trade_usd" in r.columns


def test_version_cap_warning(datadir):
    with pytest.warns(CoverageWarning, match="version cap"):
        d = S.build_dyad_years(2016, 2018, sources=["majors"], progress=False)
    assert set(d.year) == {2016, 2017, 2018}
    assert np.isnan(d.loc[d.year == 2018, "major_powers"]).all()  # majors file ends 2016


def test_to_observations(built):
    from alliance_index.observations import validate_observations

    obs = S.to_observations(built)
    assert list(obs.columns) == ["dyad", "year", "indicator", "value", "confidence", "source", "note"]
    assert not obs["value"].isna().any()
    r = obs[(obs.dyad == "CHN-RUS") & (obs.year == 2000) & (obs.indicator == "arms_transfers_tiv")]
    assert r.value.item() == 910 and "SIPRI" in r.source.item()
    assert "military_incidents" not in set(obs.indicator)
    assert "contiguity" not in set(obs.indicator)  # covariates are not catalog indicators
    validate_observations(obs)
