"""Readers for the Alliance Treaty Obligations and Provisions (ATOP) data.

Leeds, B. A., Ritter, J. M., Mitchell, S. M. and Long, A. G. (2002). Alliance
Treaty Obligations and Provisions, 1815–1944. *International Interactions* 28;
ATOP codebook v5.1 (2022). The directed dyad-year file is the one packaged by
the R package peacesciencer.

Rule: inside ATOP's coverage (1815–2018 for 5.1) a dyad-year absent from the
dyad-year file has no alliance (all obligations 0); outside it, unknown (NaN).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataSourceError
from ._base import OnUnknown, check_codes, check_unique, read_table, resolve_path

__all__ = ["read_atop_dyad_year", "read_atop_alliances", "read_atop_members",
           "ATOP_OBLIGATIONS", "ATOP_YEARS"]

#: obligation columns of the dyad-year file
ATOP_OBLIGATIONS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")
#: coverage of ATOP 5.1
ATOP_YEARS = (1815, 2018)

_PROVISIONS = ("defense", "offense", "neutral", "nonagg", "consul")
_OPTIONAL_PROV = ("milaid", "base", "intcom", "milcon", "organ1", "bilat", "ineffect", "active",
                  "conditio", "asymm", "wartime")


def _check01(df, cols, path, what):
    for c in cols:
        v = df[c].to_numpy()
        bad = ~np.isin(v, (0, 1))
        if bad.any():
            line = int(np.flatnonzero(bad)[0]) + 2
            raise DataSourceError(f"{what}: column {c!r} of {str(path)!r} must be 0 or 1; "
                                  f"line {line} has {v[bad][0]!r}")


def read_atop_dyad_year(path=None, *, on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """ATOP directed dyad-years with any alliance obligation.

    Returns
    -------
    DataFrame ``ccode1, ccode2, year`` + the five 0/1 obligations of
    :data:`ATOP_OBLIGATIONS` (``ccode1``'s obligations towards ``ccode2``), int64.
    """
    p = resolve_path(path, "atop/atop5_1_directed_dyad_year.csv.gz", "ATOP dyad-year")
    cols = {"ccode1": "code", "ccode2": "code", "year": "int", **{c: "int" for c in ATOP_OBLIGATIONS}}
    df = read_table(p, cols, what="ATOP dyad-year")
    check_codes(df, ["ccode1", "ccode2"], path=p, what="ATOP dyad-year", on_unknown=on_unknown)
    _check01(df, ATOP_OBLIGATIONS, p, "ATOP dyad-year")
    check_unique(df, ["ccode1", "ccode2", "year"], path=p, what="ATOP dyad-year")
    return df


def read_atop_alliances(path=None) -> pd.DataFrame:
    """ATOP alliance (treaty) level: ``atopid, begyr, endyr`` + provisions
    (``defense, offense, neutral, nonagg, consul`` and, when present, ``milaid, base,
    intcom, milcon, organ1, bilat, ...``). ``endyr`` 0 means still in force."""
    p = resolve_path(path, "atop/atop-alliance-level.csv", "ATOP alliance level")
    df = read_table(p, {"atopid": "int", "begyr": "int", "endyr": "int",
                        **{c: "int" for c in _PROVISIONS}},
                    optional={c: "float" for c in _OPTIONAL_PROV}, what="ATOP alliance level")
    _check01(df, _PROVISIONS, p, "ATOP alliance level")
    check_unique(df, ["atopid"], path=p, what="ATOP alliance level")
    return df


def read_atop_members(path=None, *, on_unknown: OnUnknown = "warn") -> pd.DataFrame:
    """ATOP member level: ``atopid, member, yrent, yrexit`` + member's provisions.

    ``on_unknown`` defaults to ``"warn"``: ATOP 4.01 lists a few members outside the
    COW state list (e.g. 8152); they are kept, counted in a DataQualityWarning.

    ``yrexit`` 0 means the member had not left by the end of coverage. A member may
    have several rows for one alliance (phases).
    """
    p = resolve_path(path, "atop/atop-member-level.csv", "ATOP member level")
    df = read_table(p, {"atopid": "int", "member": "code", "yrent": "int", "yrexit": "int",
                        **{c: "int" for c in _PROVISIONS}},
                    optional={"phase": "float", **{c: "float" for c in _OPTIONAL_PROV}},
                    what="ATOP member level")
    check_codes(df, ["member"], path=p, what="ATOP member level", on_unknown=on_unknown)
    _check01(df, _PROVISIONS, p, "ATOP member level")
    return df
