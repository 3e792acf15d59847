"""Readers for event files: raw ICEWS, GDELT 1.0/2.0, and a generic table.

Every reader returns the *standard event frame*: one row per event with
columns

``source``, ``target``
    actor country as written in the file (ICEWS: a country name; GDELT: a
    CAMEO country code; generic: any name/ISO2/ISO3/COW code the project's
    resolver knows).  Resolution to ISO3 happens once per unique value in
    :func:`alliance_index.events.aggregate_events`.
``date``
    the event date as ISO text ``YYYY-MM-DD`` (GDELT's ``SQLDATE`` is
    rewritten to that form; anything that does not parse is kept as written
    so it can be reported as malformed).
``code``
    the CAMEO code (text: ``"010"`` is not ``"10"``) or PLOVER event type.
``truncated``
    True for a line with fewer fields than the file's header (a truncated
    or broken line); its other fields are missing.  Such rows are kept so
    the aggregation counts and reports them instead of dropping them.

plus format-specific extras (``event_id``, ``source_name``, ``target_name``,
``intensity`` for ICEWS; ``goldstein``, ``quad_class``, ``root_code`` for
GDELT).  Nothing is dropped or recoded to zero here.  ``attrs["event_format"]``
records the file format, so :func:`~alliance_index.events.aggregate_events`
applies that format's actor conventions (ICEWS: ``NA`` means no country,
``Congo`` is the Republic of the Congo) to the frame.

Files are read with pyarrow's streaming CSV reader (gzip detected from the
name), so a file that cannot be read at all raises
:class:`~alliance_index.errors.DataSourceError` naming it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterator, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import DataSourceError, MethodError, suggest

__all__ = [
    "FORMATS",
    "EventFormat",
    "GDELT1_COLUMNS",
    "GDELT2_COLUMNS",
    "read_icews",
    "read_gdelt",
    "read_events",
]

# GDELT event-table column order (GDELT 1.0 and 2.0 event codebooks).
_GDELT_HEAD = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
)
_ACTOR = (
    "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
    "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
)
_EVENT = (
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
)


def _geo(prefix: str, adm2: bool) -> tuple[str, ...]:
    cols = ["Type", "FullName", "CountryCode", "ADM1Code"] + (["ADM2Code"] if adm2 else [])
    cols += ["Lat", "Long", "FeatureID"]
    return tuple(f"{prefix}_{c}" for c in cols)


def _gdelt_columns(adm2: bool) -> tuple[str, ...]:
    return (
        _GDELT_HEAD
        + tuple(f"Actor1{c}" for c in _ACTOR)
        + tuple(f"Actor2{c}" for c in _ACTOR)
        + _EVENT
        + _geo("Actor1Geo", adm2)
        + _geo("Actor2Geo", adm2)
        + _geo("ActionGeo", adm2)
        + ("DATEADDED", "SOURCEURL")
    )


#: GDELT 1.0 event columns (58; files before 1 April 2013 lack the last, SOURCEURL).
GDELT1_COLUMNS: tuple[str, ...] = _gdelt_columns(adm2=False)
#: GDELT 2.0 event columns (61: ADM2 codes added to the three geo blocks).
GDELT2_COLUMNS: tuple[str, ...] = _gdelt_columns(adm2=True)


@dataclass(frozen=True)
class EventFormat:
    """How to find the standard columns in one file format."""

    name: str
    delimiter: str
    quote: str | None
    header: bool
    columns: dict  # standard name -> file column
    date_format: Literal["iso", "yyyymmdd"]
    missing: frozenset = field(default_factory=lambda: frozenset({""}))
    names: tuple[str, ...] | None = None  # headerless files
    extras: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)  # actor value -> code the resolver knows


FORMATS: dict[str, EventFormat] = {
    "generic": EventFormat(
        "generic", ",", '"', True,
        {"source": "source", "target": "target", "date": "date", "code": "code"}, "iso",
    ),
    "icews": EventFormat(
        "icews", "\t", None, True,
        {"source": "Source Country", "target": "Target Country", "date": "Event Date",
         "code": "CAMEO Code"},
        "iso", frozenset({"", "NA"}),
        extras={"event_id": "Event ID", "source_name": "Source Name",
                "target_name": "Target Name", "intensity": "Intensity"},
        # ICEWS writes the Republic of the Congo as plain "Congo" (the DRC is
        # "Democratic Republic of Congo"); the general resolver finds "Congo" ambiguous
        aliases={"Congo": "COG"},
    ),
    "gdelt1": EventFormat(
        "gdelt1", "\t", None, False,
        {"source": "Actor1CountryCode", "target": "Actor2CountryCode", "date": "SQLDATE",
         "code": "EventCode"},
        "yyyymmdd", names=GDELT1_COLUMNS,
        extras={"event_id": "GLOBALEVENTID", "root_code": "EventRootCode",
                "quad_class": "QuadClass", "goldstein": "GoldsteinScale"},
    ),
    "gdelt2": EventFormat(
        "gdelt2", "\t", None, False,
        {"source": "Actor1CountryCode", "target": "Actor2CountryCode", "date": "SQLDATE",
         "code": "EventCode"},
        "yyyymmdd", names=GDELT2_COLUMNS,
        extras={"event_id": "GLOBALEVENTID", "root_code": "EventRootCode",
                "quad_class": "QuadClass", "goldstein": "GoldsteinScale"},
    ),
}

STANDARD = ("source", "target", "date", "code")


def get_format(fmt: "str | EventFormat", columns: dict | None = None) -> EventFormat:
    """Look up a format by name, optionally overriding its column mapping."""
    if isinstance(fmt, EventFormat):
        f = fmt
    else:
        if fmt not in FORMATS:
            raise MethodError(
                f"unknown event file format {fmt!r}; use one of {', '.join(FORMATS)}."
                + suggest(str(fmt), FORMATS)
            )
        f = FORMATS[fmt]
    if columns:
        bad = set(columns) - set(STANDARD)
        if bad:
            b = sorted(bad)[0]
            raise MethodError(
                f"columns= maps the standard names {', '.join(STANDARD)} to file columns; "
                f"{b!r} is not one of them." + suggest(b, STANDARD)
            )
        f = EventFormat(f.name, f.delimiter, f.quote, f.header, {**f.columns, **columns},
                        f.date_format, f.missing, f.names, f.extras, f.aliases)
    return f


# --------------------------------------------------------------------------- paths

def _pyarrow():
    """Import pyarrow or say which extra installs it."""
    try:
        import pyarrow
        import pyarrow.csv  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "reading event files needs pyarrow; install the optional extra: pip install 'alliance_index[events]'"
        ) from exc
    return pyarrow


def expand_paths(path_or_paths) -> list[str]:
    """A path, a glob pattern or a list of them, as a sorted list of existing files."""
    import glob

    items = [path_or_paths] if isinstance(path_or_paths, (str, os.PathLike)) else list(path_or_paths)
    out: list[str] = []
    for p in items:
        p = os.fspath(p)
        if any(ch in p for ch in "*?["):
            hits = sorted(glob.glob(p))
            if not hits:
                raise DataSourceError(f"no event file matches {p!r}; check the pattern and folder.")
            out += hits
        else:
            if not os.path.isfile(p):
                raise DataSourceError(f"event file {p!r} does not exist; check the path.")
            out.append(p)
    return out


def is_parquet(path: str) -> bool:
    return str(path).lower().endswith((".parquet", ".pq", ".parq"))


def _first_line_fields(path: str, delimiter: str) -> int:
    pa = _pyarrow()

    try:
        with pa.input_stream(path, compression="detect") as fh:
            line = fh.read(1 << 16).split(b"\n", 1)[0]
    except Exception as exc:  # noqa: BLE001 - report any low-level failure clearly
        raise DataSourceError(f"cannot read event file {path!r}: {exc}. Check that it is a complete text file.") from exc
    return line.count(delimiter.encode()) + 1


def resolve_names(path: str, fmt: EventFormat) -> tuple[str, ...] | None:
    """Column names for a headerless file (GDELT 1.0 has 57 or 58 columns)."""
    if fmt.header:
        return None
    n = _first_line_fields(path, fmt.delimiter)
    names = fmt.names or ()
    if fmt.name == "gdelt1" and n == len(names) - 1:
        return names[:-1]  # before April 2013: no SOURCEURL
    if n != len(names):
        raise DataSourceError(
            f"{path!r}: first line has {n} tab-separated fields, a {fmt.name} file has "
            f"{len(names)}. Is it a {'GDELT 2.0' if n == len(GDELT2_COLUMNS) else 'GDELT 1.0' if n in (57, 58) else 'different'} file? "
            f"Pass the matching format."
        )
    return names


# --------------------------------------------------------------------- csv batches

def iter_csv_batches(path: str, fmt: EventFormat, wanted: Sequence[str],
                     block_size: int = 1 << 24) -> Iterator[pd.DataFrame]:
    """Stream a delimited file as pandas frames of the ``wanted`` file columns (text).

    Short lines (fewer fields than the header) are yielded as rows whose
    ``__truncated`` column is True and other fields missing.  Lines with too
    many fields raise :class:`DataSourceError` naming the line.
    """
    pa = _pyarrow()
    import pyarrow.csv as pacsv

    names = resolve_names(path, fmt)
    short: list[int] = []
    long_: list[str] = []

    def handler(row) -> str:
        if row.actual_columns < row.expected_columns:
            short.append(row.number if row.number is not None else -1)
            return "skip"
        long_.append(f"line {row.number}: {row.actual_columns} fields, expected {row.expected_columns}")
        return "error"

    read_opts = pacsv.ReadOptions(
        block_size=block_size,
        use_threads=False,
        column_names=list(names) if names is not None else None,
    )
    parse_opts = pacsv.ParseOptions(
        delimiter=fmt.delimiter,
        quote_char=fmt.quote if fmt.quote else False,
        invalid_row_handler=handler,
        newlines_in_values=False,
    )
    try:
        stream = pa.input_stream(path, compression="detect")
        header_names = names
        if header_names is None:
            # read the header to know all columns (types: all text)
            probe = pacsv.open_csv(
                pa.input_stream(path, compression="detect"),
                read_options=pacsv.ReadOptions(block_size=1 << 16, use_threads=False),
                parse_options=pacsv.ParseOptions(delimiter=fmt.delimiter,
                                                 quote_char=fmt.quote if fmt.quote else False,
                                                 invalid_row_handler=lambda r: "skip"),
                convert_options=pacsv.ConvertOptions(column_types={}),
            )
            header_names = tuple(probe.schema.names)
        missing = [c for c in wanted if c not in header_names]
        if missing:
            raise DataSourceError(
                f"{path!r} has no column {missing[0]!r}." + suggest(missing[0], header_names)
                + " Pass columns={...} to map the standard names source, target, date, code."
            )
        conv = pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header_names},
            include_columns=list(wanted),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )
        reader = pacsv.open_csv(stream, read_options=read_opts, parse_options=parse_opts,
                                convert_options=conv)
        for batch in reader:
            df = batch.to_pandas()
            df["__truncated"] = False
            yield df
            if short:
                yield _short_rows(len(short), wanted)
                short.clear()
        if short:
            yield _short_rows(len(short), wanted)
            short.clear()
    except DataSourceError:
        raise
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError, EOFError, UnicodeDecodeError) as exc:
        detail = long_[0] if long_ else str(exc).splitlines()[0]
        raise DataSourceError(
            f"cannot read event file {path!r}: {detail}. Check the file is complete, "
            f"{'tab' if fmt.delimiter == chr(9) else repr(fmt.delimiter)}-separated and of format {fmt.name!r}."
        ) from exc


def _short_rows(n: int, wanted: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in wanted})
    df["__truncated"] = True
    return df


def iter_parquet_batches(path: str, wanted: Sequence[str], batch_size: int = 1 << 20) -> Iterator[pd.DataFrame]:
    """Stream the ``wanted`` columns of a Parquet file as pandas frames."""
    pa = _pyarrow()
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataSourceError(
            f"cannot read Parquet event file {path!r}: {str(exc).splitlines()[0]}. "
            "The file is damaged or truncated; write it again."
        ) from exc
    names = pf.schema_arrow.names
    missing = [c for c in wanted if c not in names]
    if missing:
        raise DataSourceError(
            f"{path!r} has no column {missing[0]!r}." + suggest(missing[0], names)
            + " Pass columns={...} to map the standard names source, target, date, code."
        )
    try:
        for batch in pf.iter_batches(batch_size=batch_size, columns=list(wanted)):
            df = batch.to_pandas(date_as_object=False)
            df["__truncated"] = False
            yield df
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataSourceError(
            f"cannot read Parquet event file {path!r}: {str(exc).splitlines()[0]}. "
            "The file is damaged or truncated; write it again."
        ) from exc


def iter_standard_batches(path: str, fmt: EventFormat, extras: bool = False) -> Iterator[pd.DataFrame]:
    """Stream a file as standard event frames (see module docstring)."""
    src_cols = dict(fmt.columns)
    if extras:
        src_cols.update(fmt.extras)
    wanted = list(dict.fromkeys(src_cols.values()))
    it = iter_parquet_batches(path, wanted) if is_parquet(path) else iter_csv_batches(path, fmt, wanted)
    for raw in it:
        yield to_standard(raw, fmt, src_cols)


def to_standard(raw: pd.DataFrame, fmt: EventFormat, src_cols: dict | None = None) -> pd.DataFrame:
    """Rename a raw frame's columns to the standard ones and normalise dates/missing values."""
    src_cols = src_cols or fmt.columns
    out = pd.DataFrame(index=raw.index)
    for std, col in src_cols.items():
        out[std] = raw[col]
    for side in ("source", "target"):
        s = out[side]
        if not pd.api.types.is_numeric_dtype(s):
            s = s.astype(object)
            miss = s.isna() | s.astype(str).str.strip().isin(list(fmt.missing))
            out[side] = s.where(~miss, None)
        else:  # numeric (COW) codes: keep as text for resolution
            out[side] = s.astype("Int64").astype(str).where(s.notna(), None).astype(object)
    if fmt.date_format == "yyyymmdd":
        out["date"] = yyyymmdd_to_iso(out["date"])
    out["truncated"] = raw["__truncated"].to_numpy(dtype=bool) if "__truncated" in raw else False
    return out


def yyyymmdd_to_iso(s: pd.Series) -> pd.Series:
    """``"20180601"`` → ``"2018-06-01"``; anything else is kept as written (reported later)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    t = s.astype(object).where(s.notna(), None)
    txt = pd.Series(t, dtype="string")
    ok = txt.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    iso = txt.str.slice(0, 4) + "-" + txt.str.slice(4, 6) + "-" + txt.str.slice(6, 8)
    res = pd.Series(np.where(ok, iso.astype(object), t.to_numpy(dtype=object)), index=s.index, dtype=object)
    return res.where(pd.notna(res), None)


def _read_all(path, fmt: EventFormat, extras: bool) -> pd.DataFrame:
    frames = [b for p in expand_paths(path) for b in iter_standard_batches(p, fmt, extras=extras)]
    cols = list(dict.fromkeys(list(STANDARD) + (list(fmt.extras) if extras else []) + ["truncated"]))
    if not frames:
        out = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    else:
        out = pd.concat(frames, ignore_index=True)[cols]
    out.attrs["event_format"] = fmt.name  # aggregate_events applies the format's actor conventions
    return out


def read_icews(path, extras: bool = True) -> pd.DataFrame:
    """Read raw ICEWS event files (tab-separated, with header) as a standard event frame.

    Parameters
    ----------
    path : str, PathLike, glob pattern or list of them
        ICEWS ``events.YYYY.*.tab`` files (``.gz`` allowed).
    extras : bool
        Also return ``event_id``, ``source_name``, ``target_name`` and
        ``intensity`` (ICEWS's own Goldstein weight of the event, as text).

    Returns
    -------
    DataFrame
        Standard event frame; ICEWS's ``NA`` actor country (non-state or
        unattributed actors) becomes missing, so the aggregation reports it.
    """
    return _read_all(path, FORMATS["icews"], extras)


def read_gdelt(path, version: Literal[1, 2] = 2, extras: bool = True) -> pd.DataFrame:
    """Read GDELT event files (headerless, tab-separated) as a standard event frame.

    Parameters
    ----------
    path : str, PathLike, glob pattern or list of them
        GDELT 1.0 daily ``YYYYMMDD.export.CSV`` or GDELT 2.0 15-minute
        ``*.export.CSV`` files (``.zip`` is not read: unzip first; ``.gz`` is).
    version : {1, 2}
        GDELT 1.0 (57 or 58 columns) or 2.0 (61 columns).
    extras : bool
        Also return ``event_id``, ``root_code``, ``quad_class`` and GDELT's
        ``goldstein`` (text).

    Notes
    -----
    Actor countries are CAMEO country codes (``Actor1CountryCode``,
    ``Actor2CountryCode``); ``SQLDATE`` (the event date) becomes ISO text.
    """
    if version not in (1, 2):
        raise MethodError(f"GDELT version must be 1 or 2, not {version!r}")
    return _read_all(path, FORMATS[f"gdelt{version}"], extras)


def read_events(path, format: str = "generic", columns: dict | None = None) -> pd.DataFrame:
    """Read a generic event table (CSV or Parquet) as a standard event frame.

    Parameters
    ----------
    path : str, PathLike, glob pattern or list of them
        CSV (``,``-separated with header) or Parquet files.
    format : {"generic", "icews", "gdelt1", "gdelt2"}
        File layout.
    columns : dict, optional
        Map of standard names (``source``, ``target``, ``date``, ``code``) to the
        file's column names, e.g. ``{"source": "actor1", "code": "cameo"}``.
    """
    return _read_all(path, get_format(format, columns), extras=False)
