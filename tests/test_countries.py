"""Tests of the country resolver and dyad ids (contract §1)."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_index import countries as C
from alliance_index._resources import real_data_dir
from alliance_index.errors import (
    AmbiguousCountryError,
    DyadError,
    UnknownCountryError,
)

TABLE = C.country_table()
ROWS = [
    r._replace(**{k: (None if pd.isna(getattr(r, k)) else getattr(r, k)) for k in ("iso2", "aliases", "alt_codes", "cameo")})
    for r in TABLE.itertuples(index=False)
]

# ids given to states without an ISO 3166-1 code of their own (module docstring)
INVENTED_IDS = {
    "HAN", "BAV", "BAD", "SAX", "WRT", "HSE", "HSG", "MEC", "PAP", "SIC", "MOD", "PMA", "TUS",
    "AUH", "ZAN", "TBT", "GFR", "YAR", "RVN", "KOE", "XKX",
}
# ISO 3166-3 codes of former countries (alpha-3), none of which may be reused for another state
FORMER_ISO3 = {
    "AFI", "ANT", "ATB", "ATN", "BUR", "BYS", "CSK", "CTE", "DDR", "DHY", "FXX", "GEL", "HVO",
    "JTN", "MID", "NHB", "NTZ", "PCI", "PCZ", "PUS", "RHO", "ROM", "SCG", "SKM", "SUN", "TMP",
    "VDR", "WAK", "YMD", "YUG", "ZAR",
}
# COW abbreviations that are ISO alpha-3 codes of other entities, so ISO wins
SHADOWED_ABBS = {"AUS", "SWZ", "SLV", "CZE", "MNG", "KOR", "MAC"}


# --------------------------------------------------------------------------- contract examples


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Russia-Iran", "IRN-RUS"),
        ("RUS-IRN", "IRN-RUS"),
        ("Russia–Belarus", "BLR-RUS"),
        ("365-630", "IRN-RUS"),
        ("Israel-United States", "ISR-USA"),
        ("USA-ISR", "ISR-USA"),
    ],
)
def test_contract_dyad_examples(text, expected):
    assert C.dyad_id(text) == expected


def test_dyad_id_two_arguments():
    assert C.dyad_id("RUS", "IRN") == "IRN-RUS"
    assert C.dyad_id(365, 630) == "IRN-RUS"
    assert C.dyad_id("Iran", "Russian Federation") == "IRN-RUS"
    assert C.parse_dyad(("Belarus", "Russia")) == ("BLR", "RUS")
    assert C.parse_dyad(["BY", "RU"]) == ("BLR", "RUS")


def test_contract_unknown_message():
    with pytest.raises(UnknownCountryError) as ei:
        C.resolve("Rusia")
    assert str(ei.value) == "Unknown country 'Rusia'. Did you mean: Russia?"
    assert isinstance(ei.value, ValueError)


def test_historical_codes_from_contract():
    assert C.to_iso3(365) == "RUS"
    assert C.to_cow("USSR") == 365
    assert C.to_cow("Soviet Union") == 365
    assert C.to_cow("Yugoslavia") == 345
    assert C.to_iso3(260) == "GFR"
    assert C.to_iso3(255) == "DEU"


# --------------------------------------------------------------------------- name variants


@pytest.mark.parametrize(
    "text, iso3",
    [
        ("Russia", "RUS"), ("russian federation", "RUS"), ("USSR", "RUS"), ("U.S.S.R.", "RUS"),
        ("Iran", "IRN"), ("Iran, Islamic Republic of", "IRN"), ("Islamic Republic of Iran", "IRN"),
        ("persia", "IRN"),
        ("North Korea", "PRK"), ("north korea", "PRK"), ("DPRK", "PRK"), ("D.P.R.K.", "PRK"),
        ("Democratic People's Republic of Korea", "PRK"), ("Korea, North", "PRK"),
        ("Korea, Democratic People's Republic of", "PRK"),
        ("South Korea", "KOR"), ("Korea, Republic of", "KOR"), ("ROK", "KOR"),
        ("Turkey", "TUR"), ("Türkiye", "TUR"), ("türkiye", "TUR"), ("TURKIYE", "TUR"),
        ("Republic of Turkey", "TUR"),
        ("United States", "USA"), ("United States of America", "USA"), ("USA", "USA"),
        ("U.S.A.", "USA"), ("US", "USA"), ("america", "USA"),
        ("UK", "GBR"), ("Great Britain", "GBR"), ("Britain", "GBR"), ("United Kingdom", "GBR"),
        ("Syrian Arab Republic", "SYR"), ("Venezuela, Bolivarian Republic of", "VEN"),
        ("Viet Nam", "VNM"), ("Vietnam", "VNM"), ("Czechia", "CZE"), ("Czech Republic", "CZE"),
        ("Myanmar", "MMR"), ("Burma", "MMR"), ("Myanmar (Burma)", "MMR"),
        ("Côte d'Ivoire", "CIV"), ("Cote d'Ivoire", "CIV"), ("Côte d’Ivoire", "CIV"),
        ("Ivory Coast", "CIV"), ("cote divoire", "CIV"),
        ("Eswatini", "SWZ"), ("Swaziland", "SWZ"),
        ("North Macedonia", "MKD"), ("Macedonia", "MKD"),
        ("Cabo Verde", "CPV"), ("Cape Verde", "CPV"),
        ("Timor-Leste", "TLS"), ("East Timor", "TLS"), ("Timor Leste", "TLS"),
        ("Guinea-Bissau", "GNB"), ("Guinea Bissau", "GNB"),
        ("The Gambia", "GMB"), ("Gambia, The", "GMB"), ("Bahamas, The", "BHS"),
        ("St. Lucia", "LCA"), ("Saint Lucia", "LCA"), ("St Kitts & Nevis", "KNA"),
        ("São Tomé & Príncipe", "STP"), ("Bosnia & Herzegovina", "BIH"),
        ("Congo - Brazzaville", "COG"), ("Congo - Kinshasa", "COD"), ("Zaire", "COD"),
        ("DRC", "COD"), ("Micronesia (Federated States of)", "FSM"),
        ("Yemen", "YEM"), ("North Yemen", "YAR"), ("Yemen Arab Republic", "YAR"),
        ("South Yemen", "YMD"), ("Yemen People's Republic", "YMD"),
        ("East Germany", "DDR"), ("German Democratic Republic", "DDR"), ("GDR", "DDR"),
        ("West Germany", "GFR"), ("Germany", "DEU"),
        ("Serbia", "SRB"), ("Serbia and Montenegro", "SRB"),
        ("Württemberg", "WRT"), ("wurttemberg", "WRT"), ("Two Sicilies", "SIC"),
        ("Papal States", "PAP"), ("Bavaria", "BAV"), ("Hanover", "HAN"),
        ("Zanzibar", "ZAN"), ("South Vietnam", "RVN"), ("Tibet", "TBT"), ("Kosovo", "XKX"),
        ("Czechoslovakia", "CSK"), ("Austria-Hungary", "AUH"), ("Ottoman Empire", "TUR"),
        ("  Iran  ", "IRN"),
    ],
)
def test_name_variants(text, iso3):
    assert C.to_iso3(text) == iso3


@pytest.mark.parametrize(
    "code, iso3",
    [
        ("NA", "NAM"), ("na", "NAM"), ("IN", "IND"), ("in", "IND"), ("IR", "IRN"), ("RU", "RUS"),
        ("KP", "PRK"), ("XK", "XKX"),
        ("SU", "RUS"), ("YU", "SRB"), ("DD", "DDR"), ("YD", "YMD"), ("CS", "CSK"), ("ZR", "COD"),
        ("IRN", "IRN"), ("irn", "IRN"), ("SUN", "RUS"), ("YUG", "SRB"), ("SCG", "SRB"),
        ("ZAR", "COD"), ("TMP", "TLS"), ("BUR", "MMR"), ("ROM", "ROU"),
        ("UKG", "GBR"), ("GMY", "DEU"), ("FRN", "FRA"), ("CHN", "CHN"), ("ROK", "KOR"),
        (365, "RUS"), ("365", "RUS"), (365.0, "RUS"), ("365.0", "RUS"), (np.int64(630), "IRN"),
        (np.float32(2), "USA"), (" 2 ", "USA"),
    ],
)
def test_codes(code, iso3):
    assert C.to_iso3(code) == iso3


def test_iso_outranks_cow_abbreviation():
    # COW "AUS" is Austria but ISO "AUS" is Australia, and so on
    assert C.to_iso3("AUS") == "AUS" and C.name("AUS") == "Australia"
    assert C.name("SWZ") == "Eswatini"
    assert C.name("SLV") == "El Salvador"
    assert C.name("CZE") == "Czech Republic"
    assert C.name("MNG") == "Mongolia"
    assert C.name("KOR") == "South Korea"
    with pytest.raises(UnknownCountryError, match="Macao.*'MKD'"):
        C.resolve("MAC")


def test_country_object_and_helpers():
    c = C.resolve("Russia")
    assert (c.cow, c.iso3, c.iso2, c.name, c.start, c.end) == (365, "RUS", "RU", "Russia", 1816, None)
    assert C.resolve(c) is c
    assert C.to_iso2("Iran") == "IR"
    assert C.to_iso2("Bavaria") is None
    assert C.name(630) == "Iran"
    assert str(c) == "Russia"
    with pytest.raises(Exception):
        c.cow = 1  # frozen


# --------------------------------------------------------------------------- round trips, ids


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.cow}-{r.iso3}" for r in ROWS])
def test_round_trips_every_row(row):
    c = C.resolve(int(row.cow))
    assert c.iso3 == row.iso3 and c.cow == row.cow
    assert C.to_cow(row.iso3) == row.cow
    assert C.to_cow(str(row.cow)) == row.cow
    assert C.to_cow(float(row.cow)) == row.cow
    assert C.to_iso3(row.iso3.lower()) == row.iso3
    if row.iso2 is not None:
        assert C.to_iso2(row.cow) == row.iso2
        assert C.to_iso3(row.iso2) == row.iso3
    # the short name always resolves, without a year, to this very row
    assert C.to_cow(row.name) == row.cow
    # COW abbreviation resolves to the row unless an ISO code of another entity shadows it
    if row.cow_abb == "MAC":  # Macao's ISO code: refused, with a pointer to MKD
        with pytest.raises(UnknownCountryError, match="MKD"):
            C.resolve("MAC")
    elif row.cow_abb in SHADOWED_ABBS:
        assert C.to_cow(row.cow_abb) != row.cow
    else:
        assert C.to_cow(row.cow_abb) == row.cow
    for code in (row.alt_codes or "").split(";"):
        if code:
            assert C.to_cow(code) == row.cow, code
    # each alias resolves to the row or is ambiguous with the row among the candidates
    for alias in (row.aliases or "").split(";"):
        if not alias:
            continue
        try:
            assert C.to_cow(alias) == row.cow, alias
        except AmbiguousCountryError as err:
            assert row.iso3 in str(err), alias


def test_ids_unique_per_cow_code():
    assert TABLE["cow"].is_unique
    assert TABLE["iso3"].is_unique
    iso2 = TABLE["iso2"].dropna()
    assert iso2.is_unique
    assert TABLE["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert iso2.str.fullmatch(r"[A-Z]{2}").all()
    # no alternative code points at two states or at another state's id/iso2
    alt = TABLE[["cow", "alt_codes"]].dropna()
    seen: dict[str, int] = {}
    for cow, codes in zip(alt["cow"], alt["alt_codes"]):
        for code in codes.split(";"):
            assert code not in seen, code
            seen[code] = cow
            owner = TABLE.loc[(TABLE["iso3"] == code) | (TABLE["iso2"] == code), "cow"]
            assert owner.empty or owner.iloc[0] == cow, code


def test_invented_ids_are_not_iso_codes():
    ids = set(TABLE["iso3"])
    assert INVENTED_IDS <= ids
    assert not INVENTED_IDS & set(C.NON_STATE_ISO3)
    assert not INVENTED_IDS & FORMER_ISO3
    # current states' ISO codes plus non-state ISO codes = the 249 ISO 3166-1 alpha-3 codes
    live = TABLE[TABLE["end_year"].isna() & TABLE["cow_member"]]
    live_iso = set(live["iso3"]) - {"XKX"}
    assert not live_iso & set(C.NON_STATE_ISO3)
    assert not live_iso & INVENTED_IDS
    assert len(live_iso) + len(C.NON_STATE_ISO3) == 249
    # former-state ids are their ISO 3166-3 codes
    assert {C.to_iso3(315), C.to_iso3(265), C.to_iso3(680)} == {"CSK", "DDR", "YMD"}


def test_table_columns_and_spells_consistent():
    expected = {"cow", "cow_abb", "iso3", "iso2", "name", "aliases", "start_year", "end_year",
                "spells", "cameo", "alt_codes", "cow_member"}
    assert expected <= set(TABLE.columns)
    assert TABLE["cow"].dtype == np.int64
    for r in ROWS:
        spells = [p.split("-") for p in r.spells.split(";")]
        assert int(spells[0][0]) == r.start_year
        last = spells[-1][1]
        assert (pd.isna(r.end_year) and last == "") or (str(r.end_year) == last)
        bounds = [int(x) for s in spells for x in s if x]
        assert bounds == sorted(bounds), r.cow
    # the table is a copy: editing it does not touch the resolver
    t = C.country_table()
    t.loc[0, "name"] = "Changed"
    assert C.country_table().loc[0, "name"] != "Changed"


# --------------------------------------------------------------------------- errors


def test_unknown_without_suggestion():
    with pytest.raises(UnknownCountryError) as ei:
        C.resolve("Xyzzyq")
    msg = str(ei.value)
    assert msg.startswith("Unknown country 'Xyzzyq'.")
    assert "Did you mean" not in msg
    assert "ISO 3166" in msg


def test_unknown_codes_messages():
    with pytest.raises(UnknownCountryError, match="no state has COW code 999"):
        C.resolve(999)
    with pytest.raises(UnknownCountryError, match="Gleditsch and Ward.*345"):
        C.resolve("340")
    with pytest.raises(UnknownCountryError, match="Puerto Rico"):
        C.resolve("PRI")
    with pytest.raises(UnknownCountryError, match="whole numbers"):
        C.resolve(365.5)
    with pytest.raises(UnknownCountryError, match="missing"):
        C.resolve(float("nan"))
    with pytest.raises(UnknownCountryError, match="missing"):
        C.resolve(None)
    with pytest.raises(UnknownCountryError):
        C.resolve("")
    with pytest.raises(UnknownCountryError, match="ZZ"):
        C.resolve("ZZ")
    with pytest.raises(TypeError):
        C.resolve(object())


def test_suggestions_offer_close_names():
    with pytest.raises(UnknownCountryError) as ei:
        C.resolve("Belarys")
    assert str(ei.value) == "Unknown country 'Belarys'. Did you mean: Belarus?"
    with pytest.raises(UnknownCountryError, match=r"Did you mean: .*Iran"):
        C.resolve("Irna")


@pytest.mark.parametrize("text, codes", [("Congo", {"COG", "COD"}), ("Korea", {"KOE", "PRK", "KOR"}),
                                         ("Federal Republic of Germany", {"DEU", "GFR"})])
def test_ambiguous_names(text, codes):
    with pytest.raises(AmbiguousCountryError) as ei:
        C.resolve(text)
    msg = str(ei.value)
    assert msg.startswith(f"Ambiguous country {text!r}")
    for code in codes:
        assert code in msg
    assert "ISO3 code" in msg and "year=" in msg


def test_year_settles_ambiguity():
    assert C.to_iso3("Federal Republic of Germany", year=1970) == "GFR"
    assert C.to_iso3("Federal Republic of Germany", year=2000) == "DEU"
    assert C.to_iso3("Korea", year=1890) == "KOE"
    with pytest.raises(AmbiguousCountryError, match="in 2000.*PRK.*KOR"):
        C.resolve("Korea", year=2000)
    with pytest.raises(AmbiguousCountryError):
        C.resolve("Congo", year=2000)


# --------------------------------------------------------------------------- dyad parsing


@pytest.mark.parametrize("sep", ["-", "–", "—", "/", ",", " - ", " – ", " — ", " / ", ", ", " ,"])
def test_every_separator(sep):
    assert C.dyad_id(f"Russia{sep}Iran") == "IRN-RUS"
    assert C.dyad_id(f"RUS{sep}IRN") == "IRN-RUS"
    assert C.dyad_id(f"365{sep}630") == "IRN-RUS"
    assert C.dyad_id(f"North Korea{sep}Russian Federation") == "PRK-RUS"
    assert C.dyad_id(f"BY{sep}RU") == "BLR-RUS"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Iran, Islamic Republic of, Russia", ("IRN", "RUS")),
        ("Russia, Iran, Islamic Republic of", ("IRN", "RUS")),
        ("Iran, Islamic Republic of-Russian Federation", ("IRN", "RUS")),
        ("Korea, North, Korea, South", ("KOR", "PRK")),
        ("Korea, Democratic People's Republic of / China", ("CHN", "PRK")),
        ("Guinea-Bissau-Senegal", ("GNB", "SEN")),
        ("Senegal-Guinea-Bissau", ("GNB", "SEN")),
        ("Timor-Leste-Indonesia", ("IDN", "TLS")),
        ("Timor-Leste – Indonesia", ("IDN", "TLS")),
        ("Congo-Brazzaville-Congo-Kinshasa", ("COD", "COG")),
        ("Austria-Hungary-Russia", ("AUH", "RUS")),
        ("Bosnia-Herzegovina, Serbia", ("BIH", "SRB")),
        ("Venezuela, Bolivarian Republic of, Cuba", ("CUB", "VEN")),
        ("Côte d'Ivoire/Ghana", ("CIV", "GHA")),
    ],
)
def test_names_with_commas_and_hyphens(text, expected):
    assert C.parse_dyad(text) == expected


def test_dyad_errors():
    with pytest.raises(DyadError, match="same state twice"):
        C.dyad_id("Russia-USSR")
    with pytest.raises(DyadError, match="same state twice"):
        C.dyad_id("RUS", 365)
    with pytest.raises(DyadError, match="one state"):
        C.parse_dyad("Guinea-Bissau")
    with pytest.raises(DyadError, match="no separator"):
        C.parse_dyad("Russia Iran")
    with pytest.raises(DyadError, match="two countries; got 3"):
        C.parse_dyad(("RUS", "IRN", "BLR"))
    with pytest.raises(DyadError, match="Missing dyad"):
        C.parse_dyad(None)
    with pytest.raises(UnknownCountryError, match=r"^Unknown country 'Rusia'\. Did you mean: Russia\? \(in dyad 'Rusia-Iran'\)$"):
        C.dyad_id("Rusia-Iran")
    with pytest.raises(AmbiguousCountryError, match="'Korea'.*in dyad 'Korea-Japan'"):
        C.dyad_id("Korea-Japan")
    assert C.dyad_id("Korea-Japan", year=1900) == "JPN-KOE"
    with pytest.raises(DyadError, match="no split"):
        C.parse_dyad("Foo-Bar-Baz")


def test_several_readings_is_an_error(monkeypatch):
    """A string that splits into two different valid dyads is refused."""
    fake = {"Alpha": C.resolve("RUS"), "Alpha-Beta": C.resolve("IRN"),
            "Beta-Gamma": C.resolve("CHN"), "Gamma": C.resolve("BLR")}

    def _try(x, year):
        return fake.get(x) or UnknownCountryError(f"Unknown country {x!r}.")

    monkeypatch.setattr(C, "_try", _try)
    C._parse_dyad_str.cache_clear()
    try:
        with pytest.raises(DyadError, match="Ambiguous dyad 'Alpha-Beta-Gamma'.*2 ways"):
            C.parse_dyad("Alpha-Beta-Gamma")
    finally:
        C._parse_dyad_str.cache_clear()


# --------------------------------------------------------------------------- vectorised


def test_cow_to_iso3_vectorised_matches_scalar():
    codes = TABLE["cow"].to_numpy()
    out = C.cow_to_iso3(codes)
    assert out.dtype == object and out.shape == codes.shape
    assert list(out) == [C.to_iso3(int(c)) for c in codes]
    assert list(C.cow_to_iso3(codes.astype(float))) == list(out)
    assert list(C.cow_to_iso3([str(c) for c in codes])) == list(out)
    assert list(C.cow_to_iso3(pd.Series(codes))) == list(out)
    assert C.cow_to_iso3(np.array([[2, 365], [630, 20]])).tolist() == [["USA", "RUS"], ["IRN", "CAN"]]
    assert C.cow_to_iso3([2.0, np.nan]).tolist() == ["USA", None]
    assert C.cow_to_iso3(pd.Series([2, None], dtype="Int64")).tolist() == ["USA", None]
    assert C.cow_to_iso3([]).shape == (0,)


def test_cow_to_iso3_errors():
    with pytest.raises(UnknownCountryError) as ei:
        C.cow_to_iso3([2, 999, 1000, 999, 365, 2.5, -1, 340])
    msg = str(ei.value)
    assert "6 value(s) (5 distinct)" in msg and "999" in msg and "1000" in msg
    assert "errors='coerce'" in msg
    assert C.cow_to_iso3([2, 999], errors="coerce").tolist() == ["USA", None]
    with pytest.raises(ValueError, match="errors must be"):
        C.cow_to_iso3([2], errors="ignore")


def test_iso2_and_iso3_vectorised():
    iso2 = TABLE["iso2"].dropna().to_numpy()
    iso3 = TABLE.loc[TABLE["iso2"].notna(), "iso3"].to_numpy()
    assert C.iso2_to_iso3(iso2).tolist() == iso3.tolist()
    assert C.iso2_to_iso3(["na", " in ", "YU", None]).tolist() == ["NAM", "IND", "SRB", None]
    with pytest.raises(UnknownCountryError, match="'ZZ'"):
        C.iso2_to_iso3(["RU", "ZZ"])
    assert C.iso2_to_iso3(["RU", "ZZ"], errors="coerce").tolist() == ["RUS", None]

    cows = C.iso3_to_cow(TABLE["iso3"].to_numpy())
    assert cows.dtype == np.int64
    assert cows.tolist() == TABLE["cow"].tolist()
    assert C.iso3_to_cow(["rus", "YUG", "SUN", "GFR"]).tolist() == [365, 345, 365, 260]
    with pytest.raises(UnknownCountryError, match="'XXX'"):
        C.iso3_to_cow(["RUS", "XXX"])
    with pytest.raises(UnknownCountryError, match="missing"):
        C.iso3_to_cow(["RUS", None])
    co = C.iso3_to_cow(["RUS", "XXX", None], errors="coerce")
    assert co.dtype == np.float64 and co[0] == 365 and np.isnan(co[1:]).all()


def test_canonical_dyads_column():
    vals = pd.Series(["Russia-Iran", "IRN-RUS", "365-630", "Belarus/Russia", "BY-RU"] * 2000, dtype="str")
    t0 = time.perf_counter()
    out = C.canonical_dyads(vals)
    elapsed = time.perf_counter() - t0
    assert out.dtype == object and len(out) == len(vals)
    assert set(out[:5]) == {"IRN-RUS", "BLR-RUS"}
    assert out.tolist() == [C.dyad_id(v) for v in vals[:5]] * 2000
    assert elapsed < 2.0
    assert C.canonical_dyads([("RUS", "IRN")]).tolist() == ["IRN-RUS"]
    with pytest.raises(UnknownCountryError) as ei:
        C.canonical_dyads(["Russia-Iran", "Rusia-Iran", "Rusia-Iran"])
    assert "'Rusia-Iran' first at position 1, 2 row(s)" in str(ei.value)
    assert "Did you mean: Russia?" in str(ei.value)
    with pytest.raises(DyadError, match="position 1"):
        C.canonical_dyads(["Russia-Iran", None])


# --------------------------------------------------------------------------- system membership


def test_in_system_and_members():
    assert C.in_system("FRA", 1942) and not C.in_system("FRA", 1943) and C.in_system(220, 1944)
    assert C.in_system("Russia", 1816) and C.in_system("RUS", 2024)
    assert not C.in_system("GFR", 1991) and C.in_system("GFR", 1990)
    assert not C.in_system("SSD", 2010) and C.in_system("SSD", 2011)
    assert not C.in_system("Tibet", 1930)  # Gleditsch-Ward state, not in the COW list
    m1816 = C.system_members(1816)
    assert {2, 200, 220, 255, 365, 640}.issubset(set(m1816.tolist()))
    assert 711 not in C.system_members(1930)
    assert np.all(np.diff(m1816) > 0)


def test_system_years_matches_members():
    sy = C.system_years(1816, 2020)
    assert list(sy.columns) == ["ccode", "year"]
    assert sy["ccode"].dtype == np.int64 and sy["year"].dtype == np.int64
    assert not sy.duplicated().any()
    for y in (1816, 1871, 1943, 1946, 1990, 1991, 2020):
        assert sy.loc[sy["year"] == y, "ccode"].tolist() == C.system_members(y).tolist()
    for cow, y in [(220, 1943), (260, 1990), (255, 1950), (365, 1816)]:
        assert (((sy["ccode"] == cow) & (sy["year"] == y)).any()) == C.in_system(cow, y)


# --------------------------------------------------------------------------- real data


def _real():
    root = real_data_dir()
    if root is None or not (root / "cow" / "cow_states_2016.csv").is_file():
        pytest.skip("real COW state list not available (set ALLIANCE_INDEX_REAL_DATA or place "
                    "../shared/data/real/cow/cow_states_2016.csv)")
    return root


def _my_spells() -> dict[int, list[tuple[int, int | None]]]:
    out = {}
    for r in ROWS:
        sp = []
        for part in r.spells.split(";"):
            a, b = part.split("-")
            sp.append((int(a), int(b) if b else None))
        out[int(r.cow)] = sp
    return out


def _compare(theirs: dict[int, list], label: str) -> list[str]:
    mine = _my_spells()
    problems = []
    for cow, sp in sorted(theirs.items()):
        if cow not in mine:
            problems.append(f"{label}: COW {cow} missing from countries.csv (spells {sp})")
        elif mine[cow] != sp:
            problems.append(f"{label}: COW {cow} spells {label}={sp} countries.csv={mine[cow]}")
    return problems


def test_against_cow_states_2016():
    root = _real()
    df = pd.read_csv(root / "cow" / "cow_states_2016.csv")
    theirs: dict[int, list] = {}
    for r in df.sort_values(["ccode", "styear"]).itertuples(index=False):
        capped = int(r.endyear) == 2016 and int(r.endmonth) == 12 and int(r.endday) == 31
        theirs.setdefault(int(r.ccode), []).append((int(r.styear), None if capped else int(r.endyear)))
    problems = _compare(theirs, "cow_states_2016")
    abbs = dict(zip(TABLE["cow"], TABLE["cow_abb"]))
    for cow, abb in zip(df["ccode"].astype(int), df["stateabb"]):
        if abbs.get(cow) != abb:
            problems.append(f"cow_states_2016: COW {cow} abbreviation {abb!r}, countries.csv {abbs.get(cow)!r}")
    members = set(TABLE.loc[TABLE["cow_member"], "cow"])
    extra = members - set(theirs)
    if extra:
        problems.append(f"countries.csv marks as COW members codes not in the COW list: {sorted(extra)}")
    assert not problems, "\n".join(problems)
    # state-years agree too
    mine = C.system_years(1816, 2016)
    n_theirs = sum(min(e or 2016, 2016) - s + 1 for sp in theirs.values() for s, e in sp)
    assert len(mine) == n_theirs


def test_against_isard_system():
    root = _real()
    path = root / "cow" / "isard_cw_system.csv"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    df = pd.read_csv(path)
    df["s"] = pd.to_datetime(df["start"])
    df["e"] = pd.to_datetime(df["end"])
    theirs: dict[int, list] = {}
    for r in df.sort_values(["ccode", "s"]).itertuples(index=False):
        capped = r.e.year == 2016 and r.e.month == 12 and r.e.day == 31  # version cap, not an end
        theirs.setdefault(int(r.ccode), []).append((r.s.year, None if capped else r.e.year))
    problems = _compare(theirs, "isard_cw_system")
    assert not problems, "\n".join(problems)


def test_unvotes_codes_and_names_resolve():
    root = _real()
    path = root / "unvotes" / "unvotes_un_votes.csv.gz"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    df = pd.read_csv(path, usecols=["country", "country_code"], keep_default_na=False)
    pairs = df.drop_duplicates()
    coded = pairs[pairs["country_code"] != ""]
    by_code = C.iso2_to_iso3(coded["country_code"].to_numpy())
    by_name = [C.to_iso3(n, year=1985) for n in coded["country"]]
    assert by_code.tolist() == by_name
    uncoded = pairs.loc[pairs["country_code"] == "", "country"]
    for n in uncoded:  # e.g. Federal Republic of Germany, Yemen Arab Republic, Zanzibar
        C.resolve(n, year=1964 if n == "Zanzibar" else 1985)


# --------------------------------------------------------------------------- properties

_STATE_IDX = st.integers(min_value=0, max_value=len(ROWS) - 1)
_FORMS = st.sampled_from(["iso3", "cow", "cow_str", "name", "iso2"])


def _form(row, form):
    if form == "iso3":
        return row.iso3
    if form == "cow":
        return int(row.cow)
    if form == "cow_str":
        return str(row.cow)
    if form == "iso2" and row.iso2 is not None:
        return row.iso2
    return row.name


@settings(max_examples=150, deadline=None)
@given(_STATE_IDX, _STATE_IDX, _FORMS, _FORMS, st.sampled_from(list("-–—/,") + [" - ", ", "]))
def test_dyad_id_symmetric_and_round_trips(i, j, fa, fb, sep):
    if i == j:
        return
    ra, rb = ROWS[i], ROWS[j]
    a, b = _form(ra, fa), _form(rb, fb)
    d = C.dyad_id(a, b)
    assert d == C.dyad_id(b, a)
    assert C.parse_dyad(d) == tuple(sorted((ra.iso3, rb.iso3)))
    assert d == "-".join(sorted((ra.iso3, rb.iso3)))
    assert C.dyad_id(f"{a}{sep}{b}") == d
