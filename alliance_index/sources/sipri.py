"""SIPRI Arms Transfers (trend-indicator values), in the tidy form published by 360info.

Data © SIPRI Arms Transfers Database; processed file by 360info (CC BY 4.0).
TIV are millions of "trend-indicator value" (a volume measure, not money).

Quirks: the processed file codes some non-state recipients with their host
state's COW code (names marked with ``*``, e.g. "Hezbollah (Lebanon)*" as 660)
and lists organisations (``**``: NATO, United Nations, African Union) and unknown
parties with empty codes; two states also lack codes and are filled by name
(Serbia 345, Micronesia 987: :data:`SIPRI_NAME_TO_COW`). By default all of them are left out, with a
DataQualityWarning giving the count of rows and their TIV; nothing else is dropped.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataQualityWarning
from ._base import OnUnknown, check_codes, read_table, resolve_path

__all__ = ["read_sipri", "sipri_dyad_year", "SIPRI_YEARS"]

#: states with an empty COW code in the processed file, filled by name
SIPRI_NAME_TO_COW = {"Serbia": 345, "Micronesia": 987}

#: coverage of the processed file
SIPRI_YEARS = (1950, 2021)


def read_sipri(path=None, *, keep_nonstate: bool = False,
               on_unknown: OnUnknown = "raise") -> pd.DataFrame:
    """State-to-state transfers: ``supplier, recipient, year, tiv, supplier_ccode, recipient_ccode``.

    Parameters
    ----------
    keep_nonstate : bool
        Keep rows whose supplier or recipient is a non-state group (``*``), an
        organisation (``**``) or has no COW code (codes then NaN). Default: leave
        them out with a DataQualityWarning stating the count.
    """
    p = resolve_path(path, "sipri/sipri-exports-processed.csv", "SIPRI arms transfers")
    df = read_table(p, {"supplier": "str", "recipient": "str", "year": "int", "value": "float",
                        "supplier_cown": "code", "recipient_cown": "code"},
                    nullable=("supplier_cown", "recipient_cown"), what="SIPRI arms transfers")
    for side in ("supplier", "recipient"):  # states the processed file leaves uncoded
        fill = df[side].map(SIPRI_NAME_TO_COW).to_numpy(dtype=float)
        cur = df[f"{side}_cown"].to_numpy(dtype=float)
        df[f"{side}_cown"] = np.where(np.isnan(cur), fill, cur)
    sup, rec = df["supplier"].fillna(""), df["recipient"].fillna("")
    nonstate = (sup.str.contains("*", regex=False) | rec.str.contains("*", regex=False)).to_numpy()
    nocode = (np.isnan(df["supplier_cown"].to_numpy(dtype=float))
              | np.isnan(df["recipient_cown"].to_numpy(dtype=float)))
    drop = (nonstate | nocode) & (not keep_nonstate)
    if drop.any():
        names = pd.concat([sup[drop & (sup.str.contains("*", regex=False) | np.isnan(df["supplier_cown"].to_numpy(dtype=float)))],
                           rec[drop & (rec.str.contains("*", regex=False) | np.isnan(df["recipient_cown"].to_numpy(dtype=float)))]])
        top = names.value_counts().head(5)
        warnings.warn(
            f"SIPRI: left out {int(drop.sum())} row(s) ({df['value'].to_numpy()[drop].sum():.0f} TIV) "
            f"whose supplier or recipient is not a state or has no COW code "
            f"({int((nonstate & drop).sum())} non-state/organisation names marked '*', "
            f"{int((nocode & ~nonstate & drop).sum())} other rows without a code), e.g. "
            f"{', '.join(f'{k} ({v})' for k, v in top.items())}; keep_nonstate=True keeps them",
            DataQualityWarning, stacklevel=2)
    df = df[~drop].reset_index(drop=True)
    if not keep_nonstate:
        df["supplier_cown"] = df["supplier_cown"].astype("int64")
        df["recipient_cown"] = df["recipient_cown"].astype("int64")
        check_codes(df, ["supplier_cown", "recipient_cown"], path=p, what="SIPRI arms transfers",
                    on_unknown=on_unknown)
    return pd.DataFrame({"supplier": df["supplier"], "recipient": df["recipient"],
                         "year": df["year"], "tiv": df["value"],
                         "supplier_ccode": df["supplier_cown"],
                         "recipient_ccode": df["recipient_cown"]})


def sipri_dyad_year(sipri: pd.DataFrame) -> pd.DataFrame:
    """Sum TIV over both directions: ``ccode1 < ccode2, year, arms_transfers_tiv``.

    Several rows for the same supplier→recipient-year (e.g. different names
    mapped to one code) are added up.
    """
    a = sipri["supplier_ccode"].to_numpy().astype("int64")
    b = sipri["recipient_ccode"].to_numpy().astype("int64")
    self_ = a == b
    d = pd.DataFrame({"ccode1": np.minimum(a, b)[~self_], "ccode2": np.maximum(a, b)[~self_],
                      "year": sipri["year"].to_numpy()[~self_],
                      "arms_transfers_tiv": sipri["tiv"].to_numpy()[~self_]})
    return d.groupby(["ccode1", "ccode2", "year"], as_index=False, sort=True)["arms_transfers_tiv"].sum()
