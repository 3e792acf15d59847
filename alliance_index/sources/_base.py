"""Shared helpers of the real-data readers: locating files, reading, validating.

Every reader goes through :func:`read_table`, which turns each way a file can
be wrong into one :class:`~alliance_index.errors.DataSourceError` naming the
file and the column (and, where it applies, the row and the value), with a
suggested fix:

* file not found -> names the path and how to point the library at the data;
* wrong encoding -> names the byte position and suggests ``encoding=``;
* wrong delimiter -> detected when the header collapses into one column;
* missing column -> lists it with the closest column names found;
* wrong type -> names the column, the first bad row (1-based line number in the
  file, header = line 1) and its value;
* duplicated keys (e.g. overlapping years) -> names the rows.
"""
from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path
from typing import Iterable, Literal, Mapping

import numpy as np
import pandas as pd

from .._resources import real_data_dir
from ..errors import DataQualityWarning, DataSourceError, suggest

__all__ = ["set_data_dir", "get_data_dir", "resolve_path", "read_table", "check_codes",
           "check_unique", "known_cow_codes", "spells_to_years"]

Kind = Literal["int", "float", "str", "cat", "date", "code"]
OnUnknown = Literal["raise", "warn", "keep"]

_DATA_DIR: Path | None = None


def set_data_dir(path: str | os.PathLike | None) -> None:
    """Set the folder the readers look in when no path is given.

    Parameters
    ----------
    path : path-like or None
        A folder laid out like the project's real-data folder (``atop/``, ``cow/``,
        ``unvotes/``, ...). ``None`` restores the default
        (``$ALLIANCE_INDEX_REAL_DATA`` or ``../shared/data/real``).
    """
    global _DATA_DIR
    if path is None:
        _DATA_DIR = None
        return
    p = Path(path).expanduser()
    if not p.is_dir():
        raise DataSourceError(f"data directory {str(p)!r} does not exist or is not a folder")
    _DATA_DIR = p


def get_data_dir() -> Path | None:
    """The folder the readers use by default (see :func:`set_data_dir`), or None."""
    return _DATA_DIR if _DATA_DIR is not None else real_data_dir()


def resolve_path(path, default_relative: str, what: str) -> Path:
    """Return ``path`` or ``<data dir>/<default_relative>``; error clearly when absent."""
    if path is None:
        base = get_data_dir()
        if base is None:
            raise DataSourceError(
                f"no file given for {what} and no data directory is set: pass the path to your "
                f"downloaded file, or call alliance_index.sources.set_data_dir(folder) "
                f"(expected <folder>/{default_relative}), or set ALLIANCE_INDEX_REAL_DATA"
            )
        p = base / default_relative
    else:
        p = Path(path).expanduser()
    if not p.is_file():
        raise DataSourceError(
            f"{what} file not found: {str(p)!r}; pass the path to your downloaded copy "
            f"or set_data_dir() to a folder holding {default_relative}"
        )
    return p


_SEP_NAMES = {";": "semicolon", "\t": "tab", "|": "pipe", ",": "comma"}


def _sniff_problem(path: Path, header: list[str], sep: str, required: Iterable[str]) -> str:
    if len(header) == 1 and len(list(required)) > 1:
        h = header[0]
        for s, nm in _SEP_NAMES.items():
            if s != sep and s in h:
                return (f"; the header is one column {h[:60]!r}: the file looks {nm}-separated "
                        f"(pass sep={s!r} or re-save it as comma-separated)")
    return ""


def read_table(
    path: Path,
    columns: Mapping[str, Kind],
    *,
    what: str,
    sep: str = ",",
    encoding: str = "utf-8",
    keep_default_na: bool = True,
    na_values: Iterable[str] | None = None,
    optional: Mapping[str, Kind] | None = None,
    nullable: Iterable[str] = (),
    engine: str | None = None,
) -> pd.DataFrame:
    """Read a delimited file, keep ``columns`` (+ ``optional`` if present) and check their types.

    Parameters
    ----------
    path : Path
    columns : mapping column -> kind
        Required columns. ``"int"``/``"code"`` must hold whole numbers (``code`` columns
        are COW-style codes), ``"float"`` numbers, ``"str"`` text, ``"date"`` ISO dates.
    what : str
        Human name of the dataset, for messages.
    nullable : iterable of str
        Int/code columns allowed to be empty (kept as float with NaN).

    Returns
    -------
    pandas.DataFrame with int64 / float64 / str / datetime64 columns.
    """
    optional = dict(optional or {})
    nullable = set(nullable)
    want = dict(columns)
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith(".dta"):
        return _read_stata(path, want, optional, what=what, nullable=nullable)
    allk = {**optional, **want}
    dtypes = {c: (str if k in ("str", "date") else "category")
              for c, k in allk.items() if k in ("str", "date", "cat")}
    try:
        # one pass: columns picked by (stripped) name, so absent optional columns are fine
        df = pd.read_csv(
            path, sep=sep, encoding=encoding, usecols=lambda c: str(c).strip() in allk,
            keep_default_na=keep_default_na,
            na_values=list(na_values) if na_values is not None else None,
            dtype=dtypes or None, low_memory=False,
            engine=engine if engine is not None else "c",
        )
    except UnicodeDecodeError as e:
        raise DataSourceError(
            f"{what}: cannot decode {str(path)!r} as {encoding} (byte {e.start}): "
            f"try encoding='latin-1' (or re-save the file as UTF-8)"
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, OSError, EOFError) as e:
        raise DataSourceError(f"{what}: cannot parse {str(path)!r}: {e}") from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in want if c not in df.columns]
    if missing:
        try:
            header = [str(h).strip() for h in
                      pd.read_csv(path, sep=sep, encoding=encoding, nrows=0).columns.tolist()]
        except Exception:  # the header itself is unreadable: report what we know
            header = list(df.columns)
        hint = _sniff_problem(path, header, sep, want)
        if not hint:
            hint = "".join(suggest(m, header) for m in missing[:3])
        raise DataSourceError(
            f"{what}: {str(path)!r} lacks required column(s) {', '.join(map(repr, missing))} "
            f"(found: {', '.join(header[:15])}{' …' if len(header) > 15 else ''}){hint}"
        )
    order = list(want) + [c for c in optional if c in df.columns and c not in want]
    kinds = {c: allk[c] for c in order}
    return _coerce(df, kinds, path=path, what=what, nullable=nullable)


def _read_stata(path: Path, want, optional, *, what, nullable) -> pd.DataFrame:
    try:
        df = pd.read_stata(path)
    except Exception as e:  # pandas raises many types for corrupt .dta files
        raise DataSourceError(f"{what}: cannot read Stata file {str(path)!r}: {e}") from None
    header = list(df.columns)
    missing = [c for c in want if c not in header]
    if missing:
        hint = "".join(suggest(m, header) for m in missing[:3])
        raise DataSourceError(
            f"{what}: {str(path)!r} lacks required column(s) {', '.join(map(repr, missing))}{hint}"
        )
    use = list(want) + [c for c in optional if c in header and c not in want]
    kinds = {**want, **{c: optional[c] for c in use if c not in want}}
    return _coerce(df[use].copy(), kinds, path=path, what=what, nullable=nullable)


def _first_bad(mask: np.ndarray, s: pd.Series) -> tuple[int, object]:
    i = int(np.flatnonzero(mask)[0])
    return i + 2, s.iloc[i]  # header is line 1


def _coerce(df: pd.DataFrame, kinds: Mapping[str, Kind], *, path: Path, what: str,
            nullable: set) -> pd.DataFrame:
    out = {}
    for c, kind in kinds.items():
        s = df[c]
        if kind in ("int", "code", "float"):
            num = pd.to_numeric(s, errors="coerce")
            bad = num.isna().to_numpy() & s.notna().to_numpy()
            if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
                bad &= s.astype(str).str.strip().ne("").to_numpy()
            if bad.any():
                line, val = _first_bad(bad, s)
                raise DataSourceError(
                    f"{what}: column {c!r} of {str(path)!r} must be numeric; line {line} has "
                    f"{val!r} ({int(bad.sum())} such row(s)). Check the delimiter and the column order"
                )
            num = num.astype("float64")
            if kind in ("int", "code"):
                arr = num.to_numpy()
                nan = np.isnan(arr)
                frac = ~nan & (arr != np.round(arr))
                if frac.any():
                    line, val = _first_bad(frac, s)
                    raise DataSourceError(
                        f"{what}: column {c!r} of {str(path)!r} must hold whole numbers; "
                        f"line {line} has {val!r}"
                    )
                if nan.any() and c not in nullable:
                    line, _ = _first_bad(nan, s)
                    raise DataSourceError(
                        f"{what}: column {c!r} of {str(path)!r} is empty on {int(nan.sum())} row(s) "
                        f"(first: line {line}); every row needs a value"
                    )
                out[c] = arr.astype("int64") if not nan.any() else arr
            else:
                out[c] = num.to_numpy()
        elif kind == "date":
            d = pd.to_datetime(s, errors="coerce", format="ISO8601")
            bad = d.isna().to_numpy() & s.notna().to_numpy()
            if bad.any():
                line, val = _first_bad(bad, s)
                raise DataSourceError(
                    f"{what}: column {c!r} of {str(path)!r} must hold dates (YYYY-MM-DD); "
                    f"line {line} has {val!r}"
                )
            out[c] = d
        elif kind == "cat":
            out[c] = s if isinstance(s.dtype, pd.CategoricalDtype) else s.astype("category")
        else:
            out[c] = s.astype("str") if not s.isna().any() else s
    # copy=False: keep one block per column (stacking 1M-row columns costs more than parsing)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)), copy=False)


@functools.lru_cache(maxsize=8)
def _codes_from_states(path: str, mtime: float) -> frozenset:
    df = pd.read_csv(path, usecols=["ccode"])
    return frozenset(pd.to_numeric(df["ccode"], errors="coerce").dropna().astype(int).tolist())


def known_cow_codes() -> frozenset | None:
    """COW codes of every state in the system list of the data directory.

    Read from ``cow/cow_states_2016.csv`` (or ``cow/isard_cw_system.csv``) in
    :func:`get_data_dir`; falls back to :func:`alliance_index.countries.country_table`;
    None when neither is available (then codes are not checked).
    """
    base = get_data_dir()
    if base is not None:
        for rel in ("cow/cow_states_2016.csv", "cow/isard_cw_system.csv"):
            p = base / rel
            if p.is_file():
                return _codes_from_states(str(p), p.stat().st_mtime)
    try:
        from ..countries import country_table

        t = country_table()
        return frozenset(pd.to_numeric(t["cow"], errors="coerce").dropna().astype(int).tolist())
    except Exception:  # countries module absent or without a cow column
        return None


def check_codes(df: pd.DataFrame, cols: Iterable[str], *, path: Path, what: str,
                on_unknown: OnUnknown = "raise", known: frozenset | None = None) -> pd.DataFrame:
    """Check that code columns hold known COW codes.

    ``on_unknown``: ``"raise"`` -> DataSourceError naming the codes and the first line;
    ``"warn"`` -> DataQualityWarning with the count of affected rows, rows kept (they
    join no state of the system list, so they never enter a dyad-year frame);
    ``"keep"`` -> no check.
    """
    if on_unknown == "keep":
        return df
    if on_unknown not in ("raise", "warn"):
        raise DataSourceError(f"on_unknown must be 'raise', 'warn' or 'keep', not {on_unknown!r}")
    known = known if known is not None else known_cow_codes()
    if known is None:
        return df
    karr = np.fromiter(known, dtype=np.int64)
    table = np.zeros(int(karr.max()) + 2 if karr.size else 1, dtype=bool)
    table[karr] = True
    bad = np.zeros(len(df), dtype=bool)
    for c in cols:
        v = df[c].to_numpy()
        na = np.isnan(v) if v.dtype.kind == "f" else np.zeros(len(v), bool)
        vv = np.where(na, -1, v).astype(np.int64)
        inrange = (vv >= 0) & (vv < table.size)
        hit = np.zeros(len(v), dtype=bool)
        hit[inrange] = table[vv[inrange]]
        bad |= ~na & ~hit
    if bad.any():
        codes = sorted({int(x) for c in cols for x in df.loc[bad, c].dropna().unique()
                        if int(x) not in known})
        line = int(np.flatnonzero(bad)[0]) + 2
        msg = (f"{what}: {int(bad.sum())} row(s) of {str(path)!r} carry code(s) not in the COW "
               f"state list: {codes[:8]}{' …' if len(codes) > 8 else ''} (first: line {line})")
        if on_unknown == "raise":
            raise DataSourceError(msg + "; fix the codes or pass on_unknown='warn' to keep them "
                                  "(they then match no state)")
        warnings.warn(msg + "; kept, they match no state in the system list",
                      DataQualityWarning, stacklevel=3)
    return df


def check_unique(df: pd.DataFrame, keys: list[str], *, path: Path, what: str) -> None:
    """Raise naming the rows if ``keys`` repeat (e.g. overlapping years)."""
    cols = [df[k].to_numpy() for k in keys]
    if all(c.dtype.kind in "iu" for c in cols) and all(
            c.size == 0 or (c.min() >= 0 and c.max() < 1_000_000) for c in cols) and len(cols) <= 3:
        key = np.zeros(len(df), dtype=np.int64)
        for c in cols:
            key = key * 1_000_000 + c.astype(np.int64)
        if not pd.Index(key).has_duplicates:
            return
    dup = df.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        lines = (np.flatnonzero(dup)[:6] + 2).tolist()
        first = df.loc[dup, keys].iloc[0].to_dict()
        raise DataSourceError(
            f"{what}: {int(dup.sum())} row(s) of {str(path)!r} repeat the same "
            f"{'/'.join(keys)} (overlapping years?), e.g. {first} at lines {lines}; "
            f"keep one row per key"
        )


def spells_to_years(start: np.ndarray, end: np.ndarray, lo: int | None = None,
                    hi: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Expand inclusive year spells into (spell index, year) arrays, vectorised.

    Years are clipped to ``[lo, hi]`` when given.
    """
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    if lo is not None:
        start = np.maximum(start, lo)
    if hi is not None:
        end = np.minimum(end, hi)
    n = np.clip(end - start + 1, 0, None)
    idx = np.repeat(np.arange(start.size), n)
    offs = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    return idx, start[idx] + offs
