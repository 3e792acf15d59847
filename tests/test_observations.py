"""Contract §2 rules for observations files, the round trip, the panel pivot."""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import alliance_index as ai
from alliance_index.errors import (
    AmbiguousCountryError,
    DuplicateObservationError,
    MalformedFileError,
    MissingColumnError,
    ObservationsError,
    OutOfRangeError,
    UnknownCountryError,
    UnknownIndicatorError,
)

HEADER = "dyad,year,indicator,value,confidence,source,note\n"


def write(tmp_path, text, name="obs.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def test_reads_any_dyad_spelling_and_canonicalises(tmp_path):
    p = write(tmp_path, HEADER + "Russia-Iran,2023,leader_meetings,3,confirmed,src,\n"
                       "IRN/RUS,2022,leader_meetings,,,,not known\n"
                       "365-630,2021,partnership_level,2,reported,x,\n")
    df = ai.read_observations(p)
    assert df["dyad"].tolist() == ["IRN-RUS"] * 3
    assert df["year"].dtype == np.int64
    assert math.isnan(df["value"].iloc[1])  # empty is missing, not zero
    assert df["confidence"].tolist() == ["confirmed", "confirmed", "reported"]


def test_optional_columns_default(tmp_path):
    p = write(tmp_path, "dyad,year,indicator,value\nBLR-RUS,2020,basing_access,2\n")
    df = ai.read_observations(p)
    assert list(df.columns[:7]) == ["dyad", "year", "indicator", "value", "confidence", "source", "note"]
    assert df["confidence"].iloc[0] == "confirmed"


@pytest.mark.parametrize(
    "row, exc, fragment",
    [
        ("Rusia-Iran,2023,leader_meetings,3,,,", UnknownCountryError, "Did you mean: Russia"),
        ("Russia-Atlantis,2023,leader_meetings,3,,,", UnknownCountryError, "Atlantis"),
        ("Russia-Russia,2023,leader_meetings,3,,,", ValueError, "Russia"),
        ("Russia-Iran,2023,leader_meeting,3,,,", UnknownIndicatorError, "leader_meetings"),
        ("Russia-Iran,2023,basing_access,7,,,", OutOfRangeError, "line 2"),
        ("Russia-Iran,2023,leader_meetings,-1,,,", OutOfRangeError, "allowed range"),
        ("Russia-Iran,2023,military_training,0.5,,,", OutOfRangeError, "whole numbers"),
        ("Russia-Iran,2023,leader_meetings,three,,,", ObservationsError, "'three'"),
        ("Russia-Iran,20x3,leader_meetings,3,,,", ObservationsError, "year"),
        ("Russia-Iran,2023,leader_meetings,3,sure,,", ObservationsError, "confidence"),
    ],
)
def test_bad_rows_name_the_row(tmp_path, row, exc, fragment):
    p = write(tmp_path, HEADER + row + "\n")
    with pytest.raises(exc) as ei:
        ai.read_observations(p)
    msg = str(ei.value)
    assert fragment in msg
    assert str(p) in msg


def test_ambiguous_country(tmp_path):
    p = write(tmp_path, HEADER + "Korea-Russia,2023,leader_meetings,3,,,\n")
    with pytest.raises(AmbiguousCountryError) as ei:
        ai.read_observations(p)
    assert "Korea" in str(ei.value) and "line 2" in str(ei.value)


def test_duplicate_rows_named_even_across_spellings(tmp_path):
    p = write(tmp_path, HEADER + "Russia-Iran,2023,leader_meetings,3,,,\n"
                       "BLR-RUS,2023,leader_meetings,3,,,\n"
                       "IRN-RUS,2023,leader_meetings,4,,,\n")
    with pytest.raises(DuplicateObservationError) as ei:
        ai.read_observations(p)
    assert "IRN-RUS 2023 leader_meetings" in str(ei.value)
    assert "lines 2, 4" in str(ei.value)


def test_missing_required_column(tmp_path):
    p = write(tmp_path, "dyad,year,indicatr,value\nRussia-Iran,2023,leader_meetings,3\n")
    with pytest.raises(MissingColumnError) as ei:
        ai.read_observations(p)
    assert "'indicator'" in str(ei.value) and "indicatr" in str(ei.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('dyad,year,indicator,value\n"Russia-Iran,2023,leader_meetings,3\n', "malformed"),
        ("dyad,year,indicator,value\nRussia-Iran,2023,leader_meetings,3,extra,fields,here\n", "malformed"),
        ("dyad;year;indicator;value\nRussia-Iran;2023;leader_meetings;3\n", "delimiter"),
        ("", "empty"),
    ],
)
def test_malformed_csv(tmp_path, text, fragment):
    p = write(tmp_path, text)
    with pytest.raises(ObservationsError) as ei:
        ai.read_observations(p)
    assert fragment in str(ei.value).lower()


def test_not_utf8(tmp_path):
    p = write(tmp_path, HEADER + "Russia-Iran,2023,leader_meetings,3,,Tehrān,\n", encoding="utf-16")
    with pytest.raises(MalformedFileError):
        ai.read_observations(p)


def test_missing_file(tmp_path):
    with pytest.raises(MalformedFileError, match="not found"):
        ai.read_observations(tmp_path / "nope.csv")


def test_extra_columns_kept_and_round_trip(tmp_path):
    p = write(tmp_path, "dyad,year,indicator,value,coder\nRussia-Iran,2023,trade_usd,4600.125,ab\n")
    df = ai.read_observations(p)
    assert df["coder"].tolist() == ["ab"]
    out = tmp_path / "out.csv"
    ai.write_observations(df, out)
    pd.testing.assert_frame_equal(ai.read_observations(out), df)


# ------------------------------------------------------------- hypothesis round trip

_CAT = ai.catalog()
_DYADS = ["IRN-RUS", "BLR-RUS", "ISR-USA", "CHN-PAK", "AZE-TUR"]


@st.composite
def observation_frames(draw):
    keys = draw(st.lists(
        # years every dyad's states exist (BLR, AZE from 1991) up to the as-of year: other years are errors
        st.tuples(st.sampled_from(_DYADS), st.integers(1991, int(ai.observations.PANEL_AS_OF[:4])), st.sampled_from(list(_CAT.index))),
        unique=True, min_size=1, max_size=25))
    rows = []
    for dyad, year, ind in keys:
        meta = _CAT.loc[ind]
        lo = float(meta["range_min"])
        hi = float(meta["range_max"]) if np.isfinite(meta["range_max"]) else 1e9
        if meta["kind"] in ("ordinal", "binary", "count"):  # whole numbers (contract §2)
            val = draw(st.one_of(st.none(), st.integers(int(lo), int(hi)).map(float)))
        else:
            val = draw(st.one_of(st.none(), st.floats(lo, hi, allow_nan=False, allow_infinity=False)))
        rows.append({
            "dyad": dyad, "year": year, "indicator": ind,
            "value": np.nan if val is None else val,
            "confidence": draw(st.sampled_from(["confirmed", "reported", "alleged", "denied"])),
            "source": draw(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)),
            "note": draw(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)),
        })
    df = pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value", "confidence", "source", "note"])
    return df


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(observation_frames())
def test_round_trip_is_identical(tmp_path, df):
    assume(df["value"].notna().any())  # a file with no observed value is an error when read
    clean = ai.validate_observations(df)
    path = tmp_path / "rt.csv"
    ai.write_observations(clean, path)
    back = ai.read_observations(path)
    pd.testing.assert_frame_equal(back, clean, check_dtype=False)
    # values identical to the bit (precision kept), NaN where missing
    a, b = clean["value"].to_numpy(), back["value"].to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(a[~np.isnan(a)], b[~np.isnan(b)])


def test_nul_character_rejected():
    df = pd.DataFrame({"dyad": ["IRN-RUS"], "year": [2020], "indicator": ["trade_usd"], "value": [1.0],
                       "note": ["a\x00b"]})
    with pytest.raises(ObservationsError, match="NUL"):
        ai.validate_observations(df)


def test_write_is_atomic_on_error(tmp_path):
    out = tmp_path / "o.csv"
    bad = pd.DataFrame({"dyad": ["Rusia-Iran"], "year": [2020], "indicator": ["trade_usd"], "value": [1.0]})
    with pytest.raises(UnknownCountryError):
        ai.write_observations(bad, out)
    assert not out.exists()


def test_panel_keeps_missing_and_flags_observed():
    obs = pd.DataFrame({
        "dyad": ["Russia-Iran", "Russia-Iran", "Belarus-Russia"],
        "year": [2022, 2023, 2023],
        "indicator": ["leader_meetings", "leader_meetings", "basing_access"],
        "value": [3, np.nan, 2],
        "confidence": ["reported", "confirmed", "alleged"],
    })
    p = ai.to_panel(obs)
    assert p.values.shape == (3, len(ai.catalog()))
    assert p.values.loc[("IRN-RUS", 2022), "leader_meetings"] == 3
    assert np.isnan(p.values.loc[("IRN-RUS", 2023), "leader_meetings"])
    assert not p.observed.loc[("IRN-RUS", 2023), "leader_meetings"]
    assert p.confidence.loc[("BLR-RUS", 2023), "basing_access"] == 0.5
    assert p.confidence.loc[("IRN-RUS", 2022), "leader_meetings"] == 0.75
    assert np.isnan(p.values.loc[("BLR-RUS", 2023), "trade_usd"])
    cov = p.coverage()
    assert cov.loc[("BLR-RUS", 2023)] == pytest.approx(1 / int(ai.catalog()["core"].sum()))


def test_register_indicator_used_by_reader(tmp_path):
    ai.register_indicator("joint_patrols", domain="military", side="cooperation", goalposts=(0, 4),
                          kind="count", allowed_range=(0, float("inf")), replace=True)
    try:
        p = write(tmp_path, "dyad,year,indicator,value\nRussia-China,2023,joint_patrols,2\n")
        assert ai.read_observations(p)["indicator"].iloc[0] == "joint_patrols"
        assert ai.catalog().loc["joint_patrols", "domain"] == "military"
    finally:
        ai.unregister_indicator("joint_patrols")
    with pytest.raises(UnknownIndicatorError):
        ai.read_observations(p)


def test_register_indicator_rejects_bad_definitions():
    from alliance_index.errors import CatalogError

    with pytest.raises(CatalogError, match="bundled"):
        ai.register_indicator("trade_usd", domain="economic", side="cooperation", goalposts=(0, 1))
    with pytest.raises(CatalogError, match="domain"):
        ai.register_indicator("x1", domain="militray", side="cooperation", goalposts=(0, 1))
    with pytest.raises(CatalogError, match="goalposts"):
        ai.register_indicator("x1", domain="military", side="cooperation", goalposts=(1, 1))


def test_catalog_has_contract_minimum():
    cat = ai.catalog()
    contract_ids = """arms_transfers_tiv joint_exercises defense_cooperation_agreements basing_access
    defense_industrial_cooperation wartime_support military_training arms_supply_withheld military_incidents
    non_support_when_attacked trade_usd trade_dependence investment_usd strategic_economic_projects
    financial_integration sanctions_against_partner economic_disputes leader_meetings senior_official_visits
    unga_agreement partnership_level shared_igo_memberships bloc_memberships_shared diplomatic_backing
    unga_ideal_point_distance recognition_disputes diplomatic_protests joint_conflict_operations shared_rivals
    alliance_portfolio_similarity opposing_sides_conflicts ties_with_partners_rivals
    neutrality_in_partner_conflicts""".split()
    assert len(contract_ids) == 33
    assert set(contract_ids) <= set(cat.index)
    assert cat.loc[contract_ids, "core"].all()
    assert set(cat["domain"]) == {"military", "economic", "diplomatic", "regional"}
    assert set(cat["side"]) == {"cooperation", "discord"}
    assert (cat["goal_lo"] < cat["goal_hi"]).all()
    assert cat.loc["trade_usd", "transform"] == "log1p"
    assert tuple(cat.loc["alliance_portfolio_similarity", ["goal_lo", "goal_hi"]]) == (-1.0, 1.0)
    for col in ("domain", "side", "scale", "goal_lo", "goal_hi", "definition", "historical_source"):
        assert col in cat.columns
