"""The bloc rule (docs/coding.md): data/blocs.csv is well formed and every bundled
`bloc_memberships_shared` value is the number of counted groupings holding both states that year."""

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index._resources import data_dir

COLUMNS = ["grouping", "counted", "iso3", "from_year", "to_year", "source", "note"]
# the contract's own examples of political-security blocs must stay counted
CONTRACT_BLOCS = {"CSTO", "SCO", "BRICS", "EAEU", "NATO", "GCC"}


@pytest.fixture(scope="module")
def blocs() -> pd.DataFrame:
    path = data_dir() / "blocs.csv"
    assert path.is_file(), f"{path} is missing"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def spells(blocs: pd.DataFrame) -> pd.DataFrame:
    """Counted spells with integer years (open spells end in year 9999)."""
    b = blocs[blocs["counted"] == "true"].copy()
    b["from_year"] = b["from_year"].astype(int)
    b["to_year"] = pd.to_numeric(b["to_year"].replace("", np.nan)).fillna(9999).astype(int)
    return b


def derived(blocs: pd.DataFrame, dyads: np.ndarray, years: np.ndarray) -> list[list[str]]:
    """For each (dyad, year), the sorted counted groupings holding both of its states."""
    b = spells(blocs)
    a = np.array([d.split("-")[0] for d in dyads])
    c = np.array([d.split("-")[1] for d in dyads])
    iso = b["iso3"].to_numpy()
    lo = b["from_year"].to_numpy()
    hi = b["to_year"].to_numpy()
    live = (lo[None, :] <= years[:, None]) & (hi[None, :] >= years[:, None])   # rows x spells
    in_a = live & (iso[None, :] == a[:, None])
    in_c = live & (iso[None, :] == c[:, None])
    names = b["grouping"].to_numpy()
    return [sorted(set(names[ra]) & set(names[rc])) for ra, rc in zip(in_a, in_c)]


def test_schema(blocs):
    assert list(blocs.columns) == COLUMNS
    assert blocs["counted"].isin(["true", "false"]).all(), blocs.loc[~blocs["counted"].isin(["true", "false"])]
    known = set(pd.read_csv(data_dir() / "countries.csv", dtype=str, keep_default_na=False)["iso3"])
    unknown = blocs.loc[~blocs["iso3"].isin(known), ["grouping", "iso3"]]
    assert unknown.empty, f"iso3 codes not in data/countries.csv:\n{unknown}"
    assert blocs["from_year"].str.fullmatch(r"\d{4}").all()
    assert blocs["to_year"].str.fullmatch(r"(\d{4})?").all()
    closed = blocs[blocs["to_year"] != ""]
    backwards = closed[closed["from_year"].astype(int) > closed["to_year"].astype(int)]
    assert backwards.empty, f"spells ending before they start:\n{backwards}"
    assert (blocs["source"].str.strip() != "").all(), blocs[blocs["source"].str.strip() == ""]
    assert (blocs["grouping"].str.strip() != "").all()
    # a grouping is counted or not as a whole, and a state has one spell per grouping-period
    per = blocs.groupby("grouping")["counted"].nunique()
    assert (per == 1).all(), per[per > 1]
    dup = blocs[blocs.duplicated(["grouping", "iso3", "from_year"], keep=False)]
    assert dup.empty, dup


def test_contract_examples_are_counted(blocs):
    counted = set(blocs.loc[blocs["counted"] == "true", "grouping"])
    assert CONTRACT_BLOCS <= counted, CONTRACT_BLOCS - counted


def test_overlapping_spells_of_one_state_are_not_double_counted(blocs):
    b = spells(blocs)
    for (g, iso), s in b.groupby(["grouping", "iso3"]):
        s = s.sort_values("from_year")
        assert (s["from_year"].to_numpy()[1:] > s["to_year"].to_numpy()[:-1]).all(), (g, iso)


def test_every_bundled_value_follows_the_rule(blocs):
    p = ai.load_panel()
    p = p[p["indicator"] == "bloc_memberships_shared"].reset_index(drop=True)
    assert len(p) > 1000
    assert p["value"].notna().all()       # coded rows are never missing; no row is invented by this test
    groups = derived(blocs, p["dyad"].to_numpy(), p["year"].to_numpy())
    count = np.array([len(g) for g in groups], dtype=float)
    bad = np.flatnonzero(p["value"].to_numpy() != count)
    lines = [f"{p.at[i, 'dyad']} {p.at[i, 'year']}: recorded {p.at[i, 'value']:g}, derived {count[i]:g} "
             f"({', '.join(groups[i]) or 'none'})" for i in bad]
    assert not lines, f"{len(lines)} bloc_memberships_shared rows disagree with data/blocs.csv:\n" + "\n".join(lines)


def test_derivation_counts_a_join_year_and_a_leave_year():
    b = pd.DataFrame({"grouping": ["X", "X", "X", "Y", "Y", "Y"], "counted": ["true"] * 3 + ["false"] * 3,
                      "iso3": ["AAA", "BBB", "CCC"] * 2, "from_year": ["2000", "2023", "2000"] + ["1990"] * 3,
                      "to_year": ["", "", "2018"] + [""] * 3, "source": ["s"] * 6, "note": [""] * 6})
    got = derived(b, np.array(["AAA-BBB", "AAA-BBB", "AAA-CCC", "AAA-CCC"]), np.array([2022, 2023, 2018, 2019]))
    assert got == [[], ["X"], ["X"], []]
