"""Readers and builder on the real datasets (../shared/data/real).

Skipped with a reason when the folder is absent (a fresh clone). Each check
compares the library's output with a direct computation from the raw file in
the test itself.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from alliance_index._resources import real_data_dir
from alliance_index.errors import CoverageWarning, DataQualityWarning

REAL = real_data_dir()
pytestmark = [
    pytest.mark.real_data,
    pytest.mark.skipif(REAL is None, reason="real data folder ../shared/data/real (or "
                       "$ALLIANCE_INDEX_REAL_DATA) not found; these tests need the real files"),
]


@pytest.fixture(autouse=True)
def _default_dir():
    from alliance_index import sources as S

    S.set_data_dir(None)
    yield


def _quiet_build(*a, **k):
    from alliance_index.sources import build_dyad_years

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        warnings.simplefilter("ignore", CoverageWarning)
        return build_dyad_years(*a, progress=False, **k)


@pytest.fixture(scope="module")
def atop_9218():
    return _quiet_build(1992, 2018, sources=["atop"])


def test_russia_belarus_defence_every_coded_year(atop_9218):
    raw = pd.read_csv(REAL / "atop/atop5_1_directed_dyad_year.csv.gz")
    pair = raw[((raw.ccode1 == 365) & (raw.ccode2 == 370)) | ((raw.ccode1 == 370) & (raw.ccode2 == 365))]
    coded = set(pair.loc[(pair.atop_defense == 1) & pair.year.between(1992, 2018), "year"].astype(int))
    assert len(coded) >= 20
    d = atop_9218[(atop_9218.ccode1 == 365) & (atop_9218.ccode2 == 370)].set_index("year")
    assert set(d.index[d.atop_label == "defense"]) == coded
    assert (d.loc[sorted(coded), "atop_defense"] == 1).all()


def test_russia_iran_not_a_defence_pact(atop_9218):
    d = atop_9218[(atop_9218.ccode1 == 365) & (atop_9218.ccode2 == 630)]
    assert len(d) == 27
    assert (d.atop_label != "defense").all()
    assert (d.atop_defense == 0).all()


def _direct_agreement(votes, calls, a, b, year):
    v = votes.merge(calls[["rcid", "session"]], on="rcid")
    v = v[v.session + 1945 == year]
    x = v[v.country_code == a].set_index("rcid").vote
    y = v[v.country_code == b].set_index("rcid").vote
    both = x.index.intersection(y.index)
    code = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
    xs = x.loc[both].map(code).to_numpy()
    ys = y.loc[both].map(code).to_numpy()
    return 1 - np.abs(xs - ys).mean(), len(both)


@pytest.mark.parametrize("a, b, ca, cb, year", [
    ("RU", "BY", 365, 370, 2010), ("RU", "IR", 365, 630, 2015), ("US", "IL", 2, 666, 2005),
    ("IN", "PK", 750, 770, 1985), ("NA", "ZA", 560, 565, 2000),
])
def test_un_vote_agreement_matches_direct(a, b, ca, cb, year, un_agreement):
    votes, calls, ag = un_agreement
    want, n = _direct_agreement(votes, calls, a, b, year)
    lo, hi = min(ca, cb), max(ca, cb)
    got = ag[(ag.ccode1 == lo) & (ag.ccode2 == hi) & (ag.year == year)]
    assert got.unga_agreement.item() == pytest.approx(want, abs=1e-12)
    assert got.unga_common_votes.item() == n > 0


@pytest.fixture(scope="module")
def un_agreement():
    from alliance_index.sources import read_un_votes, un_vote_agreement

    votes = pd.read_csv(REAL / "unvotes/unvotes_un_votes.csv.gz", keep_default_na=False)
    calls = pd.read_csv(REAL / "unvotes/unvotes_un_roll_calls.csv")
    ag = un_vote_agreement(read_un_votes(), 1985, 2015, progress=False)
    return votes, calls, ag


def test_sipri_russia_india_2010_2020():
    from alliance_index.sources import read_sipri

    raw = pd.read_csv(REAL / "sipri/sipri-exports-processed.csv")
    ri = raw[(raw.supplier == "Russia") & (raw.recipient == "India") & raw.year.between(2010, 2020)]
    ir = raw[(raw.supplier == "India") & (raw.recipient == "Russia") & raw.year.between(2010, 2020)]
    with pytest.warns(DataQualityWarning, match="left out"):
        s = read_sipri()
    mine = s[(s.supplier_ccode == 365) & (s.recipient_ccode == 750) & s.year.between(2010, 2020)]
    assert mine.tiv.sum() == ri.value.sum() > 10000
    d = _quiet_build(2010, 2020, sources=["sipri"])
    d = d[(d.ccode1 == 365) & (d.ccode2 == 750)].set_index("year")["arms_transfers_tiv"]
    want = (ri.groupby("year").value.sum().reindex(range(2010, 2021), fill_value=0)
            + ir.groupby("year").value.sum().reindex(range(2010, 2021), fill_value=0))
    assert d.loc[2010:2020].tolist() == want.tolist()


def test_base_frame_size_1950_2014():
    d = _quiet_build(1950, 2014, sources=[])
    st = pd.read_csv(REAL / "cow/cow_states_2016.csv")
    n = 0
    for y in range(1950, 2015):
        k = st[(st.styear <= y) & (st.endyear >= y)].ccode.nunique()
        n += k * (k - 1) // 2
    assert len(d) == n
    assert 780_000 < n < 800_000


def test_unvotes_codes_cover_every_voter():
    from alliance_index.sources import read_un_votes

    v = read_un_votes()  # raises on any code without a COW number
    raw = pd.read_csv(REAL / "unvotes/unvotes_un_votes.csv.gz", keep_default_na=False)
    assert len(v) == len(raw)  # nothing dropped
    assert (v.ccode == 565).any()  # Namibia ('NA') is a country


def test_trade_and_igo_rules_on_real_files():
    d = _quiet_build(1955, 1990, sources=["trade", "igo"])
    rc = d[(d.ccode1 == 365) & (d.ccode2 == 710)].set_index("year")
    # Russia-China 1964-77 is absent from COW trade: never a made-up positive value; 0 only
    # in years where both states' listed trade covers their national totals (SOURCE_RULES)
    assert (rc.loc[1964:1977, "trade_usd"].fillna(0) == 0).all()
    assert rc.loc[1978, "trade_usd"] > 0
    assert rc["shared_igo_memberships"].notna().all()
    # West Germany 1960-89 is missing from the packaged dyadic and national trade files:
    # unknown, not zero
    frg = d[((d.ccode1 == 260) | (d.ccode2 == 260)) & d.year.between(1961, 1989)]
    assert len(frg) > 2000
    assert frg["trade_usd"].isna().mean() > 0.95
    assert (frg["trade_usd"].dropna() > 0).all()  # only the few listed rows, no filled zeros
    usa_frg = d[(d.ccode1 == 2) & (d.ccode2 == 260)].set_index("year")["trade_usd"]
    raw = pd.read_csv(REAL / "cow/cow_trade_ndy_v4.csv.gz")
    r = raw[(raw.ccode1 == 2) & (raw.ccode2 == 260) & (raw.year == 1958)]
    assert usa_frg.loc[1958] == (r.flow1 + r.flow2).item()
