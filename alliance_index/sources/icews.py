"""ICEWS event counts by directed dyad-year (as packaged by the R package netify).

Boschee et al., *ICEWS Coded Event Data*, Harvard Dataverse; dyad-year
aggregation by quad class from the R package netify (Minhas et al.). Countries
are named and carry ISO3 codes, mapped here to COW numbers. The file lists
every ordered pair of its 152 countries for 2002–2014 (zeros included), so a
dyad absent from it is unknown (NaN), not zero.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning, DataSourceError
from ._base import OnUnknown, check_unique, read_table, resolve_path
from ._codes import ISO3_TO_COW

__all__ = ["read_icews_dyad_year", "icews_nondirected", "ICEWS_COUNTS", "ICEWS_INDICATORS"]

ICEWS_COUNTS = ("verbCoop", "matlCoop", "verbConf", "matlConf")
#: quad class -> catalog indicator (contract §4)
ICEWS_INDICATORS = {"verbCoop": "events_verbal_cooperation",
                    "matlCoop": "events_material_cooperation",
                    "verbConf": "events_verbal_conflict",
                    "matlConf": "events_material_conflict"}


def read_icews_dyad_year(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Directed event counts: ``ccode1`` (source) → ``ccode2`` (target), ``year`` + the four quad classes."""
    p = resolve_path(path, "icews/netify_icews_dyadyear_2002_2014.csv.gz", "ICEWS dyad-year")
    df = read_table(p, {"year": "int", "i_iso3c": "cat", "j_iso3c": "cat",
                        **{c: "float" for c in ICEWS_COUNTS}},
                    what="ICEWS dyad-year")
    def to_cow(col):
        cat = df[col].cat
        m = np.array([ISO3_TO_COW.get(str(x).strip(), np.nan) for x in cat.categories] + [np.nan])
        return m[cat.codes.to_numpy()]

    a, b = to_cow("i_iso3c"), to_cow("j_iso3c")
    unk = np.isnan(a) | np.isnan(b)
    if unk.any():
        codes = sorted(set(df.loc[np.isnan(a), "i_iso3c"].astype(str)) |
                       set(df.loc[np.isnan(b), "j_iso3c"].astype(str)))
        msg = (f"ICEWS dyad-year: {int(unk.sum())} row(s) of {str(p)!r} carry ISO3 codes with no COW "
               f"number: {codes[:8]}")
        if on_unknown == "raise":
            raise DataSourceError(msg + "; fix them or pass on_unknown='warn' to leave them out")
        if on_unknown == "warn":
            warnings.warn(msg + "; left out", DataQualityWarning, stacklevel=2)
    out = pd.DataFrame(copy=False, data={"ccode1": a[~unk].astype("int64"), "ccode2": b[~unk].astype("int64"),
                        "year": df["year"].to_numpy()[~unk],
                        **{c: df[c].to_numpy()[~unk] for c in ICEWS_COUNTS}})
    check_unique(out, ["ccode1", "ccode2", "year"], path=p, what="ICEWS dyad-year")
    return out


def icews_nondirected(ev: pd.DataFrame) -> pd.DataFrame:
    """Sum both directions: ``ccode1 < ccode2, year`` + ``events_*`` counts."""
    a, b = ev["ccode1"].to_numpy(), ev["ccode2"].to_numpy()
    d = pd.DataFrame({"ccode1": np.minimum(a, b), "ccode2": np.maximum(a, b),
                      "year": ev["year"].to_numpy(),
                      **{ICEWS_INDICATORS[c]: ev[c].to_numpy() for c in ICEWS_COUNTS}})
    d = d[d["ccode1"] != d["ccode2"]]
    return d.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=True).sum()
