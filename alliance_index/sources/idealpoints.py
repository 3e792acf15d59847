"""UN General Assembly ideal points (Bailey, Strezhnev and Voeten 2017).

Bailey, M. A., Strezhnev, A. and Voeten, E. (2017). Estimating dynamic state
preferences from United Nations voting data. *Journal of Conflict Resolution*
61(2). Two releases are read: the CSV by session (``IdealpointestimatesAll_Apr2020.csv``,
**latin-1 encoded**, year = session + 1945) and the Stata file by year
(``IdealpointsJuly2025.dta``, to 2024).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import OnUnknown, check_codes, check_unique, read_table, resolve_path

__all__ = ["read_ideal_points", "ideal_point_distance"]


def read_ideal_points(path=None, *, column: str | None = None, encoding: str = "latin-1",
                      on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """Ideal points per state-year: ``ccode, year, ideal_point, nvotes, name``.

    Parameters
    ----------
    path : path-like, optional
        A ``.csv`` (session-based release) or ``.dta`` (year-based release); default the
        July 2025 Stata file of the data directory.
    column : str, optional
        Which estimate: CSV default ``IdealPoint``; Stata default ``idealpointfp``
        (others: ``idealpointall``, ``idealpointlegacy`` — the latter tracks the
        April 2020 CSV).
    encoding : str
        For the CSV (the published file is latin-1).
    """
    p = resolve_path(path, "unga_idealpoints/IdealpointsJuly2025.dta", "UN ideal points")
    what = f"UN ideal points ({p.name})"
    if p.suffix.lower() == ".dta":
        col = column or "idealpointfp"
        nv = {"idealpointfp": "nvotesfp", "idealpointall": "nvotesall",
              "idealpointlegacy": "nvotesLegacy"}.get(col)
        opt = {"countryname": "str", **({nv: "float"} if nv else {})}
        df = read_table(p, {"ccode": "code", "year": "int", col: "float"}, optional=opt, what=what)
        name = "countryname"
        year = df["year"].to_numpy()
    else:
        col = column or "IdealPoint"
        df = read_table(p, {"ccode": "code", "session": "int", col: "float"},
                        optional={"NVotes": "float", "Countryname": "str"}, encoding=encoding,
                        what=what)
        name = "Countryname"
        nv = "NVotes"
        year = df["session"].to_numpy() + 1945
    check_codes(df, ["ccode"], path=p, what=what, on_unknown=on_unknown)
    out = pd.DataFrame({"ccode": df["ccode"].to_numpy(), "year": year.astype("int64"),
                        "ideal_point": df[col].to_numpy(dtype=float),
                        "nvotes": df[nv].to_numpy(dtype=float) if nv in df else np.nan,
                        "name": df[name].to_numpy() if name in df else None})
    check_unique(out, ["ccode", "year"], path=p, what=what)
    return out


def ideal_point_distance(ip: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    """``|ideal_point(ccode1) − ideal_point(ccode2)|`` for the rows of ``pairs``
    (``ccode1, ccode2, year``); NaN where either is missing."""
    s = pd.Series(ip["ideal_point"].to_numpy(),
                  index=ip["ccode"].to_numpy() * 10000 + ip["year"].to_numpy())
    y = pairs["year"].to_numpy()
    a = s.reindex(pairs["ccode1"].to_numpy() * 10000 + y).to_numpy()
    b = s.reindex(pairs["ccode2"].to_numpy() * 10000 + y).to_numpy()
    return np.abs(a - b)
