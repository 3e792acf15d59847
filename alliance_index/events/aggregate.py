"""Aggregate CAMEO/PLOVER events to dyad × period indicators, with three engines.

:func:`aggregate_events` turns event rows (a DataFrame, or Parquet/CSV/ICEWS/
GDELT files) into one row per dyad and period with quad-class counts, Goldstein
sum and mean and a net-cooperation share; :func:`to_observations` turns that
into contract §2 observation rows for the event indicators.

Engines
-------
``"pandas"``  in-memory frames, or files streamed batch by batch with pyarrow.
``"duckdb"``  embedded default for files: one SQL pass over ``read_parquet`` /
              ``read_csv`` (explicit columns, streaming, larger than memory),
              the code table joined as a small relation, ``GROUP BY`` in SQL.
``"dask"``    a Dask cluster: each partition (or each CSV file) is reduced with
              the pandas code, the partial sums are added up.

All engines compute the same *integer* partial sums (event counts per quad
class and Goldstein weights in tenths, see :mod:`alliance_index.events.codes`)
keyed by raw actor values and period; country resolution, dyad formation,
means, shares and normalisation are then done once, by shared code, on that
small frame.  Hence all engines give identical numbers, bit for bit.

Dropped rows (never silent)
---------------------------
Each input row is either used or dropped for the first of these reasons, in
this order: ``truncated_row`` (a line with fewer fields than the header),
``malformed_date``, ``unknown_code`` (code not in the table, or missing),
``missing_actor`` (no actor country: ICEWS ``NA``, empty), ``unresolved_actor``
(a value the country resolver does not know, e.g. a region or organisation),
``same_country`` (source and target are the same state: not dyadic).  The
counts and the most frequent offending values are in the :class:`EventReport`
attached as ``result.attrs["report"]``; a :class:`DataQualityWarning` names the
counts of the first five reasons.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Callable, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import CountryError, DataQualityWarning, DataSourceError, MethodError, suggest
from .codes import QUAD_CLASSES, QuadRules, code_table
from .readers import (
    FORMATS,
    EventFormat,
    expand_paths,
    get_format,
    is_parquet,
    iter_standard_batches,
    resolve_names,
)

__all__ = ["EventReport", "aggregate_events", "to_observations", "event_report", "REASONS",
           "EVENT_INDICATORS"]

Period = Literal["year", "quarter", "month"]
Engine = Literal["auto", "pandas", "duckdb", "dask"]

REASONS: tuple[str, ...] = (
    "truncated_row", "malformed_date", "unknown_code", "missing_actor", "unresolved_actor",
    "same_country",
)
_QUALITY = REASONS[:5]
_KEYS = ["src", "tgt", "y", "sub", "bad_code", "bad_date", "trunc"]
_VALS = ["n", "q0", "q1", "q2", "q3", "q4", "gs_sum", "gs_n"]
_MISSING = "<missing>"

#: indicator id -> aggregate column (contract §4 event indicators)
EVENT_INDICATORS: dict[str, str] = {
    "events_verbal_cooperation": "verbal_cooperation",
    "events_material_cooperation": "material_cooperation",
    "events_verbal_conflict": "verbal_conflict",
    "events_material_conflict": "material_conflict",
    "events_goldstein_mean": "goldstein_mean",
}


# ----------------------------------------------------------------------------- report

@dataclass(eq=False)  # identity: reports hold Series (== would be ambiguous in pandas merges)
class EventReport:
    """What happened to every input row of an aggregation.

    Attributes
    ----------
    n_rows : int
        Rows read (events, including truncated lines).
    n_used : int
        Rows that entered the dyad aggregates.
    dropped : dict
        Rows dropped, by reason (keys in :data:`REASONS` order; zeros kept).
    top_values : dict
        For each reason, a Series of the most frequent offending values and
        their row counts (unknown codes, malformed dates, unresolved actor
        values, the state of same-country events, the side of a missing actor).
    engine : str
        Engine that read the rows.
    inputs : str
        What was aggregated (file names or "DataFrame").
    notes : list of str
        Warnings about how values were read (e.g. ``NA`` taken as Namibia).
    """

    n_rows: int
    n_used: int
    dropped: dict
    top_values: dict = field(default_factory=dict)
    engine: str = ""
    inputs: str = ""
    notes: list = field(default_factory=list)

    @property
    def n_dropped(self) -> int:
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        """One row per reason: ``reason, rows, share, top_values``."""
        rows = []
        for r in REASONS:
            tv = self.top_values.get(r)
            top = "" if tv is None or len(tv) == 0 else ", ".join(f"{k} ({v})" for k, v in tv.head(5).items())
            rows.append({"reason": r, "rows": self.dropped.get(r, 0),
                         "share": self.dropped.get(r, 0) / self.n_rows if self.n_rows else np.nan,
                         "top_values": top})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [f"{self.n_rows} event rows read ({self.inputs}, engine {self.engine}); "
                 f"{self.n_used} used, {self.n_dropped} dropped"]
        lines += [f"  note: {n}" for n in self.notes]
        for _, r in self.to_frame().iterrows():
            if r["rows"]:
                lines.append(f"  {r['reason']}: {r['rows']}" + (f" — {r['top_values']}" if r["top_values"] else ""))
        return "\n".join(lines)

    __str__ = summary


def event_report(agg: pd.DataFrame) -> EventReport:
    """The :class:`EventReport` of an :func:`aggregate_events` result."""
    rep = agg.attrs.get("report")
    if rep is None:
        raise MethodError("this frame has no event report; it was not made by aggregate_events().")
    return rep


# ------------------------------------------------------------------------ resolution

def default_resolver(values: Sequence[str]) -> dict:
    """Map unique actor values to ISO3 (None where unknown or ambiguous).

    Uses :mod:`alliance_index.countries`: exact ISO3 and CAMEO country codes
    from ``country_table()`` first, then ``to_iso3`` (names, ISO2, COW codes).
    Called once per unique value, never per row.
    """
    from .. import countries

    lookup: dict[str, str] = {}
    try:
        tab = countries.country_table()
        for col in ("iso3", "cameo"):
            if col in tab.columns:
                ok = tab[col].notna() & tab["iso3"].notna()
                lookup.update(zip(tab.loc[ok, col].astype(str), tab.loc[ok, "iso3"].astype(str)))
    except Exception:  # noqa: BLE001 - table optional; to_iso3 is the authority
        lookup = {}
    out: dict = {}
    for v in values:
        s = str(v).strip()
        if s in lookup:
            out[v] = lookup[s]
            continue
        try:
            out[v] = countries.to_iso3(s)
        except (CountryError, ValueError, KeyError, TypeError):
            out[v] = None
    return out


# ----------------------------------------------------------------- pandas partials

_ISO_RE = r"\d{4}-\d{2}-\d{2}(?:[ T].*)?"


def _parse_dates(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (ok, year, month, raw-text) arrays for ISO text or datetime columns."""
    n = len(s)
    if pd.api.types.is_datetime64_any_dtype(s):
        ok = s.notna().to_numpy()
        d = s
        raw = np.full(n, _MISSING, dtype=object)
    else:
        obj = s.astype(object)
        notnull = obj.notna().to_numpy()
        txt = pd.Series(obj.where(obj.notna(), None), dtype="string")
        if n and notnull.any() and not isinstance(obj[notnull].iloc[0], str):
            # date / Timestamp objects (e.g. pyarrow date32 read as objects): ISO text,
            # keeping the written form of anything that does not convert
            conv = pd.to_datetime(obj, errors="coerce")
            iso = pd.Series(conv.dt.strftime("%Y-%m-%d"), dtype="string", index=s.index)
            txt = iso.where(conv.notna(), pd.Series(obj.where(obj.notna(), None).map(
                lambda x: None if x is None else str(x)), dtype="string", index=s.index))
        match = txt.str.fullmatch(_ISO_RE).fillna(False).to_numpy(dtype=bool)
        d = pd.to_datetime(txt.str.slice(0, 10).where(match), format="%Y-%m-%d", errors="coerce")
        ok = d.notna().to_numpy()
        raw = txt.astype(object).where(txt.notna(), _MISSING).to_numpy(dtype=object)
    year = d.dt.year.to_numpy(dtype="float64")
    month = d.dt.month.to_numpy(dtype="float64")
    return ok, year, month, raw


def _partial_pandas(df: pd.DataFrame, ctab: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Integer partial sums of one standard event frame (the core of all engines)."""
    n = len(df)
    if "truncated" in df.columns:
        trunc = df["truncated"].fillna(False).to_numpy(dtype=bool)
    else:
        trunc = np.zeros(n, dtype=bool)
    ok, year, month, rawdate = _parse_dates(df["date"])
    code = df["code"]
    if pd.api.types.is_numeric_dtype(code) and not code.isna().all():
        raise MethodError(
            "the event code column is numeric: CAMEO codes must be text ('010' make statement "
            "and '10' demand differ). Read it with dtype=str."
        )
    code = code.astype(object).where(code.notna(), None)
    qmap = dict(zip(ctab["code"], ctab["quad"].astype(np.int64)))
    gmap = {c: int(g) for c, g in zip(ctab["code"], ctab["gs10"]) if not pd.isna(g)}
    quad = code.map(qmap).to_numpy(dtype="float64")
    gs = code.map(gmap).to_numpy(dtype="float64")
    known = ~np.isnan(quad)
    if period == "year":
        sub = np.zeros(n, dtype=np.int64)
    elif period == "quarter":
        sub = np.where(ok, (np.nan_to_num(month) - 1) // 3 + 1, 0).astype(np.int64)
    else:
        sub = np.where(ok, np.nan_to_num(month), 0).astype(np.int64)
    y = pd.array(np.where(ok, year, np.nan), dtype="Float64").astype("Int64")
    part = pd.DataFrame(
        {
            "src": df["source"].astype(object).where(df["source"].notna(), None).to_numpy(dtype=object),
            "tgt": df["target"].astype(object).where(df["target"].notna(), None).to_numpy(dtype=object),
            "y": y,
            "sub": sub,
            "bad_code": np.where(known, None, code.where(code.notna(), _MISSING).to_numpy(dtype=object)),
            "bad_date": np.where(ok, None, rawdate),
            "trunc": trunc,
            "n": np.ones(n, dtype=np.int64),
        }
    )
    for k in range(5):
        part[f"q{k}"] = (quad == k).astype(np.int64)
    part["gs_sum"] = np.nan_to_num(gs).astype(np.int64)
    part["gs_n"] = (~np.isnan(gs)).astype(np.int64)
    return part.groupby(_KEYS, dropna=False, sort=False).sum().reset_index()


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Add up partial frames (exact: integer sums) into one core frame."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_core()
    core = pd.concat([_normalise_core(p) for p in parts], ignore_index=True)
    return _normalise_core(core.groupby(_KEYS, dropna=False, sort=False).sum().reset_index())


def _empty_core() -> pd.DataFrame:
    d = {k: pd.Series(dtype=object) for k in ("src", "tgt", "bad_code", "bad_date")}
    d["y"] = pd.Series(dtype="Int64")
    d["sub"] = pd.Series(dtype=np.int64)
    d["trunc"] = pd.Series(dtype=bool)
    for v in _VALS:
        d[v] = pd.Series(dtype=np.int64)
    return pd.DataFrame(d)[_KEYS + _VALS]


def _normalise_core(core: pd.DataFrame) -> pd.DataFrame:
    """Same dtypes whatever engine produced the frame.

    Text keys stay in whatever string dtype the engine gave (they are
    factorised later); an empty ``bad_code``/``bad_date`` becomes
    ``<missing>`` so every reader reports an empty field the same way.
    """
    out = pd.DataFrame(index=pd.RangeIndex(len(core)))
    for k in ("src", "tgt"):
        out[k] = core[k].to_numpy(dtype=object) if core[k].dtype == object else core[k].array
    for k in ("bad_code", "bad_date"):
        s = core[k]
        nn = s.notna().to_numpy()
        vals = np.full(len(s), None, dtype=object)
        if nn.any():
            sub = s[nn].astype(str)
            sub = sub.where(sub.str.strip() != "", _MISSING)
            vals[nn] = sub.to_numpy(dtype=object)
        out[k] = vals
    y = pd.to_numeric(core["y"]) if len(core) else core["y"]
    out["y"] = pd.array(np.asarray(y.to_numpy(dtype="float64", na_value=np.nan)
                                   if hasattr(y, "to_numpy") else y, dtype="float64"),
                        dtype="Float64").astype("Int64")
    out["sub"] = core["sub"].fillna(0).to_numpy(dtype=np.int64)
    out["trunc"] = core["trunc"].fillna(False).to_numpy(dtype=bool)
    for v in _VALS:
        out[v] = core[v].fillna(0).to_numpy(dtype=np.int64)
    return out


# ----------------------------------------------------------------------- engines

def _engine_pandas(inp, fmt: EventFormat, ctab, period) -> pd.DataFrame:
    if isinstance(inp, pd.DataFrame):
        return _combine([_partial_pandas(_frame_to_standard(inp, fmt), ctab, period)])
    parts = []
    for p in inp:
        for batch in iter_standard_batches(p, fmt):
            parts.append(_partial_pandas(batch, ctab, period))
            if len(parts) >= 16:
                parts = [_combine(parts)]
    return _combine(parts)


def _frame_to_standard(df: pd.DataFrame, fmt: EventFormat) -> pd.DataFrame:
    from .readers import to_standard

    missing = [c for c in fmt.columns.values() if c not in df.columns]
    if missing:
        std_missing = [k for k, v in fmt.columns.items() if v in missing]
        raise DataSourceError(
            f"the event frame has no column {missing[0]!r} (standard '{std_missing[0]}')."
            + suggest(missing[0], [str(c) for c in df.columns])
            + " Pass columns={...} mapping source, target, date, code to your column names."
        )
    raw = pd.DataFrame({c: df[c] for c in dict.fromkeys(fmt.columns.values())})
    raw["__truncated"] = df["truncated"].fillna(False).to_numpy(dtype=bool) if "truncated" in df.columns else False
    std = to_standard(raw, fmt)
    return std


def _require(module: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"the {module!r} package is needed for this engine; install the optional extra: "
            f"pip install 'alliance_index[{extra}]'"
        ) from exc


def _sql_str(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


def _sql_ident(s: str) -> str:
    return '"' + str(s).replace('"', '""') + '"'


def _duck_connect(threads: int, memory_limit: str | None):
    duckdb = _require("duckdb", "events")
    _require("pyarrow", "events")  # results come back as Arrow
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads TO {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = {_sql_str(memory_limit)}")
        # spill to the system temp folder (not the working directory) when the limit is hit
        import tempfile

        con.execute(f"SET temp_directory = {_sql_str(os.path.join(tempfile.gettempdir(), 'alliance_index_duckdb'))}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    return con


def _duck_source(con, inp, fmt: EventFormat) -> tuple[str, dict, str | None]:
    """FROM-clause for the input, types of the standard columns, truncation expression."""
    if isinstance(inp, pd.DataFrame):
        std = _frame_to_standard(inp, fmt)
        con.register("ev_input", std)
        cols = {"source": "source", "target": "target", "date": "date", "code": "code"}
        types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ev_input)").fetchall())
        return "ev_input", {k: types[v] for k, v in cols.items()} | {"_cols": cols}, "truncated"
    paths = list(inp)
    if all(is_parquet(p) for p in paths):
        lst = "[" + ", ".join(_sql_str(p) for p in paths) + "]"
        src = f"read_parquet({lst})"
        try:
            types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {src})").fetchall())
        except Exception as exc:  # noqa: BLE001
            raise DataSourceError(
                f"cannot read Parquet event file(s) {', '.join(paths)}: {str(exc).splitlines()[0]}. "
                "The file is damaged or truncated; write it again."
            ) from exc
        miss = [c for c in fmt.columns.values() if c not in types]
        if miss:
            raise DataSourceError(f"{paths[0]!r} has no column {miss[0]!r}." + suggest(miss[0], types)
                                  + " Pass columns={...} to map source, target, date, code.")
        return src, {k: types[v] for k, v in fmt.columns.items()} | {"_cols": dict(fmt.columns)}, None
    if any(is_parquet(p) for p in paths):
        raise MethodError("mix of Parquet and text event files; aggregate them separately.")
    # delimited text: one header layout for all files
    names = resolve_names(paths[0], fmt)
    if names is None:
        import pyarrow as pa
        with pa.input_stream(paths[0], compression="detect") as fh:
            first = fh.read(1 << 20).split(b"\n", 1)[0].decode("utf-8-sig", "replace").rstrip("\r")
        names = tuple(first.split(fmt.delimiter))
        if fmt.quote:
            names = tuple(n.strip(fmt.quote) for n in names)
    miss = [c for c in fmt.columns.values() if c not in names]
    if miss:
        raise DataSourceError(f"{paths[0]!r} has no column {miss[0]!r}." + suggest(miss[0], names)
                              + " Pass columns={...} to map source, target, date, code.")
    colspec = "{" + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    lst = "[" + ", ".join(_sql_str(p) for p in paths) + "]"
    quote = _sql_str(fmt.quote) if fmt.quote else "''"
    src = (f"read_csv({lst}, columns={colspec}, header={'true' if fmt.header else 'false'}, "
           f"delim={_sql_str(fmt.delimiter)}, quote={quote}, escape={quote}, null_padding=true, "
           f"nullstr={_sql_str(chr(1) + 'NULL' + chr(1))}, auto_detect=false, strict_mode=true, "
           f"parallel=true)")
    types = {k: "VARCHAR" for k in fmt.columns}
    return src, types | {"_cols": dict(fmt.columns)}, f"{_sql_ident(names[-1])} IS NULL"


def _engine_duckdb(inp, fmt: EventFormat, ctab: pd.DataFrame, period: Period, directed: bool,
                   threads: int = 2, memory_limit: str | None = None) -> "_Core":
    """One streaming SQL pass over the input: code table joined, integer sums grouped in SQL."""
    con = _duck_connect(threads, memory_limit)
    try:
        src, types, trunc_expr = _duck_source(con, inp, fmt)
        cols = types.pop("_cols")
        ct = pd.DataFrame({"code": ctab["code"].astype(str).to_numpy(dtype=object),
                           "quad": ctab["quad"].to_numpy(dtype=np.int64),
                           "gs10": ctab["gs10"].astype("float64").to_numpy()})
        con.register("codes_df", ct)
        con.execute("CREATE TEMP TABLE codes AS SELECT code::VARCHAR AS code, quad::TINYINT AS quad, "
                    "CAST(gs10 AS BIGINT) AS gs10 FROM codes_df")
        s, t, d, c = (_sql_ident(cols[k]) for k in ("source", "target", "date", "code"))
        dtype = types["date"].upper()
        if dtype.startswith("DATE") or dtype.startswith("TIMESTAMP"):
            dexpr = f"CAST({d} AS DATE)"
            rawd = f"'{_MISSING}'"
        else:
            dtxt = f"CAST({d} AS VARCHAR)"
            if fmt.date_format == "yyyymmdd":
                dexpr = (f"CASE WHEN regexp_full_match({dtxt}, '\\d{{8}}') THEN TRY_CAST(substr({dtxt},1,4) || '-' || "
                         f"substr({dtxt},5,2) || '-' || substr({dtxt},7,2) AS DATE) END")
            else:
                dexpr = (f"CASE WHEN regexp_full_match({dtxt}, '\\d{{4}}-\\d{{2}}-\\d{{2}}([ T].*)?') "
                         f"THEN TRY_CAST(substr({dtxt},1,10) AS DATE) END")
            rawd = f"coalesce({dtxt}, '{_MISSING}')"
        ctype = types["code"].upper()
        if any(ctype.startswith(x) for x in ("INT", "BIGINT", "SMALLINT", "TINYINT", "UBIGINT", "HUGEINT",
                                              "DOUBLE", "FLOAT", "DECIMAL", "UINTEGER", "USMALLINT",
                                              "UTINYINT")):
            raise MethodError(
                f"the event code column {cols['code']!r} is numeric ({ctype}): CAMEO codes must be text "
                "('010' make statement and '10' demand differ). Store it as a string column."
            )
        tr = f"coalesce({trunc_expr}, false)" if trunc_expr else "false"
        if period == "year":
            sub = "0"
        elif period == "quarter":
            sub = "coalesce(quarter(e.d), 0)"
        else:
            sub = "coalesce(month(e.d), 0)"
        if directed:
            pair = "e.src AS src, e.tgt AS tgt,"
        else:
            # non-directed: the unordered pair of raw values is enough (resolution is a
            # function of the value); keep the order where a side is missing so the
            # report can say which side it was
            toks = ", ".join(_sql_str(t) for t in sorted(set(fmt.missing) | {""}))
            keep = f"(e.src IS NULL OR e.tgt IS NULL OR e.src IN ({toks}) OR e.tgt IN ({toks}))"
            pair = (f"CASE WHEN {keep} THEN e.src ELSE least(e.src, e.tgt) END AS src, "
                    f"CASE WHEN {keep} THEN e.tgt ELSE greatest(e.src, e.tgt) END AS tgt,")
        sql = f"""
        WITH e AS (
            SELECT CAST({s} AS VARCHAR) AS src, CAST({t} AS VARCHAR) AS tgt,
                   CAST({c} AS VARCHAR) AS code, {dexpr} AS d, {tr} AS trunc,
                   {rawd} AS rawd
            FROM {src}
        )
        SELECT {pair} CAST(year(e.d) AS INTEGER) AS y, CAST({sub} AS TINYINT) AS sub,
               -- one narrow key for the first reason a row is unusable (same order as
               -- in Python): T truncated line, D<raw date>, C<raw code>; NULL if fine
               CASE WHEN e.trunc THEN 'T'
                    WHEN e.d IS NULL THEN 'D' || CASE WHEN trim(e.rawd) = '' THEN '{_MISSING}' ELSE e.rawd END
                    WHEN k.code IS NULL THEN 'C' || CASE WHEN trim(coalesce(e.code, '')) = '' THEN '{_MISSING}'
                                                         ELSE e.code END
               END AS bad,
               count(*) AS n,
               count(*) FILTER (WHERE k.quad = 0) AS q0,
               count(*) FILTER (WHERE k.quad = 1) AS q1,
               count(*) FILTER (WHERE k.quad = 2) AS q2,
               count(*) FILTER (WHERE k.quad = 3) AS q3,
               count(*) FILTER (WHERE k.quad = 4) AS q4,
               coalesce(sum(k.gs10), 0)::BIGINT AS gs_sum,
               count(k.gs10) AS gs_n
        FROM e LEFT JOIN codes k ON e.code = k.code
        GROUP BY ALL
        """
        try:
            # stream the (small) result out in batches: nothing is materialised inside DuckDB
            import pyarrow as pa

            reader = con.sql(sql).to_arrow_reader(1 << 20)
            tbl = pa.Table.from_batches(list(reader), schema=reader.schema)
        except Exception as exc:  # noqa: BLE001 - duckdb raises many kinds; report one clear error
            name = exc.__class__.__name__
            if name in ("InvalidInputException", "IOException", "ConversionException") or "CSV" in str(exc):
                where = "DataFrame" if isinstance(inp, pd.DataFrame) else ", ".join(map(str, inp))
                raise DataSourceError(
                    f"cannot read event file(s) {where}: {str(exc).splitlines()[0]}. Check the file is "
                    f"complete and of format {fmt.name!r}."
                ) from exc
            raise
    finally:
        con.close()
    core = _core_from_arrow(tbl)
    del tbl, reader
    try:  # hand memory freed by Arrow's allocator back to the system
        pa.default_memory_pool().release_unused()
    except AttributeError:  # older pyarrow
        pass
    return core


def _core_from_arrow(tbl) -> _Core:
    """Positional core from DuckDB's Arrow result (dictionary-encoded in C++, no Python strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def enc(arr):
        d = pc.dictionary_encode(arr)
        d = d.combine_chunks() if isinstance(d, pa.ChunkedArray) else d
        ind = d.indices.fill_null(-1) if d.indices.null_count else d.indices
        idx = np.asarray(ind.to_numpy(zero_copy_only=False))  # int32 positions: half the memory
        return idx, np.array(d.dictionary.to_pylist(), dtype=object)

    n = tbl.num_rows
    both = pa.chunked_array(tbl.column("src").chunks + tbl.column("tgt").chunks, type=pa.string())
    pos, actors = enc(both)
    bpos, bad = enc(tbl.column("bad").cast(pa.string()))
    kind = np.array([b[:1] for b in bad], dtype=object)
    # positions into separate value lists for dates and codes
    is_d, is_c = kind == "D", kind == "C"
    bad_dates = np.array([b[1:] for b in bad[is_d]], dtype=object)
    bad_codes = np.array([b[1:] for b in bad[is_c]], dtype=object)
    d_map = np.full(len(bad) + 1, -1, dtype=np.int64)
    c_map = np.full(len(bad) + 1, -1, dtype=np.int64)
    d_map[np.flatnonzero(is_d)] = np.arange(int(is_d.sum()))
    c_map[np.flatnonzero(is_c)] = np.arange(int(is_c.sum()))
    t_flag = np.zeros(len(bad) + 1, dtype=bool)
    t_flag[np.flatnonzero(kind == "T")] = True
    bd, bc, trunc = d_map[bpos], c_map[bpos], t_flag[bpos]  # bpos -1 -> last slot (fine)

    def ints(name, fill=0, dtype=np.int64):
        col = tbl.column(name)
        if col.null_count:
            col = col.fill_null(fill)
        return np.asarray(col.to_numpy(), dtype=dtype)

    return _Core(
        src=pos[:n], tgt=pos[n:], actors=actors, bc=bc, bad_codes=bad_codes, bd=bd, bad_dates=bad_dates,
        y=ints("y", -1, np.int32), sub=ints("sub", 0, np.int8),  # narrow: year, sub-period
        trunc=trunc,
        vals={v: ints(v) for v in _VALS},
    )


def _engine_dask(inp, fmt: EventFormat, ctab, period, client=None, npartitions: int | None = None) -> pd.DataFrame:
    dask = _require("dask", "dask")
    dd = _require("dask.dataframe", "dask")
    from dask import delayed

    if isinstance(inp, pd.DataFrame):
        ddf = dd.from_pandas(_frame_to_standard(inp, fmt), npartitions=npartitions or 2)
        tasks = [delayed(_partial_pandas)(part, ctab, period) for part in ddf.to_delayed()]
    elif _is_dask_frame(inp):
        std_fmt = fmt
        tasks = [delayed(_partial_pandas)(delayed(_frame_to_standard)(part, std_fmt), ctab, period)
                 for part in inp.to_delayed()]
    else:
        paths = list(inp)
        if all(is_parquet(p) for p in paths):
            for p in paths:  # fail early and clearly on unreadable files
                _check_parquet(p)
            wanted = list(dict.fromkeys(fmt.columns.values()))
            ddf = dd.read_parquet(paths, columns=wanted)
            tasks = [delayed(_partial_pandas)(delayed(_frame_to_standard)(part, fmt), ctab, period)
                     for part in ddf.to_delayed()]
        else:
            tasks = [delayed(_partial_file)(p, fmt, ctab, period) for p in paths]
    if client is not None:
        parts = client.compute(tasks, sync=True)
    else:
        parts = list(dask.compute(*tasks))
    return _combine(parts)


def _parquet_event_format(paths: list[str], format: str) -> str | None:
    """Format whose actor conventions apply to Parquet files of standard columns, or None.

    ``format="generic"``: the ``event_format`` a standard frame carried when pandas wrote
    it (``DataFrame.attrs`` are kept as JSON under the schema key ``PANDAS_ATTRS``), if
    every file names the same one. Another ``format`` whose own columns are absent while
    the standard ones are present: that format.
    """
    import json

    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    found, names = set(), set()
    for p in paths:
        try:
            schema = pq.read_schema(p)
        except Exception:  # noqa: BLE001 - a damaged file is reported by the engine
            return None
        names.update(schema.names)
        origin = None
        raw = (schema.metadata or {}).get(b"PANDAS_ATTRS")
        if raw:
            try:
                origin = json.loads(raw).get("event_format")
            except (ValueError, AttributeError):
                origin = None
        found.add(origin)
    std = set(FORMATS["generic"].columns.values())
    if format == "generic":
        origin = found.pop() if len(found) == 1 else None
        return origin if origin in FORMATS and origin != "generic" and std <= names else None
    own = set(FORMATS[format].columns.values()) if format in FORMATS else set()
    return format if format in FORMATS and not own <= names and std <= names else None


def _check_parquet(path: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.ParquetFile(path)
    except (pa.ArrowInvalid, pa.ArrowIOError, OSError) as exc:
        raise DataSourceError(
            f"cannot read Parquet event file {path!r}: {str(exc).splitlines()[0]}. "
            "The file is damaged or truncated; write it again."
        ) from exc


def _partial_file(path: str, fmt: EventFormat, ctab, period) -> pd.DataFrame:
    return _combine([_partial_pandas(b, ctab, period) for b in iter_standard_batches(path, fmt)])


def _is_dask_frame(x) -> bool:
    mod = type(x).__module__
    return mod.startswith("dask") and hasattr(x, "to_delayed")


# ---------------------------------------------------------------------- finishing

@dataclass
class _Core:
    """Integer partial sums keyed by positions into small arrays of raw values.

    ``src``/``tgt`` index ``actors`` (-1: missing), ``bc`` indexes
    ``bad_codes`` and ``bd`` indexes ``bad_dates`` (-1: the row's code/date is
    fine), ``y`` is -1 where the date is malformed.
    """

    src: np.ndarray
    tgt: np.ndarray
    actors: np.ndarray
    bc: np.ndarray
    bad_codes: np.ndarray
    bd: np.ndarray
    bad_dates: np.ndarray
    y: np.ndarray
    sub: np.ndarray
    trunc: np.ndarray
    vals: dict


def _factorize(col) -> tuple[np.ndarray, np.ndarray]:
    codes, uniques = pd.factorize(pd.Series(col, dtype=object) if not isinstance(col, pd.Series) else col,
                                  use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques, dtype=object)


def _core_from_frame(core: pd.DataFrame) -> _Core:
    """Positional core from a frame with raw text keys (pandas and dask engines)."""
    sc, su = _factorize(core["src"])
    tc, tu = _factorize(core["tgt"])
    uni = pd.Index(np.concatenate([su, tu]).astype(object)).unique()
    s_pos = np.where(sc >= 0, uni.get_indexer(su)[sc] if len(su) else -1, -1).astype(np.int64)
    t_pos = np.where(tc >= 0, uni.get_indexer(tu)[tc] if len(tu) else -1, -1).astype(np.int64)
    bc, bcu = _factorize(core["bad_code"])
    bd, bdu = _factorize(core["bad_date"])
    y = core["y"].to_numpy(dtype="float64", na_value=np.nan)
    return _Core(
        src=s_pos, tgt=t_pos, actors=np.asarray(uni, dtype=object),
        bc=bc, bad_codes=bcu, bd=bd, bad_dates=bdu,
        y=np.where(np.isnan(y), -1, y).astype(np.int64),
        sub=core["sub"].to_numpy(dtype=np.int64), trunc=core["trunc"].to_numpy(dtype=bool),
        vals={v: core[v].to_numpy(dtype=np.int64) for v in _VALS},
    )


def _finish(core: _Core, fmt: EventFormat, period: Period, directed: bool, normalise: bool,
            resolver: Callable, top: int) -> tuple[pd.DataFrame, dict, dict, int]:
    """Classify rows of the core, resolve actors once, form dyads, sum, shape.

    Works on integer positions of the unique actor values, so its cost is
    linear in the number of (actor pair, period) groups with small constants.
    """
    n = core.vals["n"]
    n_rows = int(n.sum())
    miss_tokens = set(fmt.missing) | {""}

    trunc = core.trunc
    bad_date = (core.bd >= 0) & ~trunc
    bad_code = (core.bc >= 0) & ~trunc & ~bad_date
    pending = ~(trunc | bad_date | bad_code)

    s_pos, t_pos, uvals = core.src, core.tgt, core.actors
    u_missing = np.array([str(v).strip() in miss_tokens for v in uvals], dtype=bool)
    sm = (s_pos < 0) | (u_missing[np.maximum(s_pos, 0)] if len(uvals) else True)
    tm = (t_pos < 0) | (u_missing[np.maximum(t_pos, 0)] if len(uvals) else True)
    miss_actor = pending & (sm | tm)
    pending &= ~miss_actor

    used = np.zeros(len(uvals), dtype=bool)
    used[s_pos[pending]] = True
    used[t_pos[pending]] = True
    need = np.flatnonzero(used)
    asked = [fmt.aliases.get(uvals[i], uvals[i]) for i in need]
    mapping = resolver(asked) if len(need) else {}
    u_iso = np.array([mapping.get(fmt.aliases.get(v, v)) for v in uvals], dtype=object) \
        if len(uvals) else np.empty(0, object)
    notes = []
    if fmt.name == "generic" and any(str(v).strip() == "NA" and mapping.get(v) for v in asked):
        notes.append("actor value 'NA' was read as Namibia (ISO2 code NA); if it means 'no country' "
                     "(as in ICEWS files), use format='icews' or read_icews()")
    states = np.array(sorted({x for x in u_iso if x is not None}), dtype=object)
    state_pos = {st: i for i, st in enumerate(states)}
    u_sid = np.array([state_pos.get(x, -1) if x is not None else -1 for x in u_iso], dtype=np.int64)
    s_sid = np.where(s_pos >= 0, u_sid[np.maximum(s_pos, 0)] if len(uvals) else -1, -1)
    t_sid = np.where(t_pos >= 0, u_sid[np.maximum(t_pos, 0)] if len(uvals) else -1, -1)
    s_unres = pending & (s_sid < 0)
    t_unres = pending & (t_sid < 0)
    unres = s_unres | t_unres
    pending &= ~unres
    same = pending & (s_sid == t_sid)
    valid = pending & ~same

    masks = dict(zip(REASONS, (trunc, bad_date, bad_code, miss_actor, unres, same)))
    dropped = {r: int(n[m].sum()) for r, m in masks.items()}

    def vc(values, weights) -> pd.Series:
        values = np.asarray(values, dtype=object)
        if len(values) == 0:
            return pd.Series(dtype=np.int64)
        s = pd.Series(np.asarray(weights, dtype=np.int64), index=pd.Index(values.astype(str), dtype=object))
        s = s.groupby(level=0).sum()
        return s.sort_values(ascending=False, kind="stable").head(top).astype(np.int64)

    topv = {
        "truncated_row": pd.Series(dtype=np.int64),
        "malformed_date": vc(core.bad_dates[core.bd[bad_date]], n[bad_date]),
        "unknown_code": vc(core.bad_codes[core.bc[bad_code]], n[bad_code]),
        "missing_actor": vc(["source"] * int((miss_actor & sm).sum()) + ["target"] * int((miss_actor & tm).sum()),
                            np.concatenate([n[miss_actor & sm], n[miss_actor & tm]])),
        "unresolved_actor": vc(np.concatenate([uvals[s_pos[s_unres]] if len(uvals) else [],
                                               uvals[t_pos[t_unres]] if len(uvals) else []]),
                               np.concatenate([n[s_unres], n[t_unres]])),
        "same_country": vc(states[s_sid[same]] if len(states) else [], n[same]),
    }

    allv = bool(valid.all())
    sel = None if allv else np.flatnonzero(valid)
    a = s_sid if allv else s_sid.take(sel)
    b = t_sid if allv else t_sid.take(sel)
    if not directed:
        a, b = np.minimum(a, b), np.maximum(a, b)
    y = core.y if allv else core.y.take(sel)
    sub = core.sub if allv else core.sub.take(sel)
    S = max(len(states), 1)
    ymin = int(y.min()) if len(y) else 0
    Y = (int(y.max()) - ymin + 1) if len(y) else 1
    # key = ((a * S + b) * Y + (y - ymin)) * 13 + sub, built in place (few large temporaries)
    key = a * S
    key += b
    key *= Y
    key += y
    key -= ymin
    key *= 13
    key += sub
    del a, b, y, sub
    K = S * S * Y * 13

    def rows(v):
        return core.vals[v] if sel is None else core.vals[v].take(sel)

    if len(key) and K <= max(4 * len(key), 1 << 22):
        # dense key range: counting sort via bincount, O(rows + K), sorted for free
        cnt = np.bincount(key, minlength=K)
        present = np.flatnonzero(cnt)
        if len(present) == len(key):
            # every key occurs once (the usual case: the SQL groups are already the final
            # dyad-periods when each actor value names a different state): no sums to
            # form, each group is one core row, placed by the rank of its key
            np.cumsum(cnt, out=cnt)  # counts are 0/1: cnt[key] - 1 = output row of key
            src_row = np.empty(len(key), dtype=np.int64)
            src_row[cnt[key] - 1] = np.arange(len(key)) if sel is None else sel
            del cnt
            g = {v: core.vals[v].take(src_row) for v in _VALS}
            del src_row
        else:
            del cnt
            g = {v: np.rint(np.bincount(key, weights=rows(v), minlength=K)[present]).astype(np.int64)
                 for v in _VALS}  # float64 sums of integers are exact below 2**53
        k = present.astype(np.int64, copy=False)
    else:
        order = np.argsort(key)
        sk = key[order]
        starts = np.flatnonzero(np.concatenate([[True], sk[1:] != sk[:-1]])) if len(sk) else np.zeros(0, np.int64)
        g = {v: np.add.reduceat(rows(v)[order], starts) if len(starts) else np.zeros(0, np.int64)
             for v in _VALS}
        k = sk[starts] if len(sk) else sk
    del key
    k, gsub = np.divmod(k, 13)
    k, gy = np.divmod(k, Y)
    gy += ymin
    ga, gb = np.divmod(k, S)
    del k
    out = _shape(ga, gb, gy, gsub, g, states, period, directed, normalise)
    topv["_notes"] = notes
    return out, dropped, topv, n_rows


def _shape(ga, gb, gy, gsub, g: dict, states: np.ndarray, period: Period, directed: bool,
           normalise: bool) -> pd.DataFrame:
    """Output frame from group keys (state ids, year, sub-period) and integer sums."""
    S = max(len(states), 1)
    lo, hi = (np.minimum(ga, gb), np.maximum(ga, gb)) if directed else (ga, gb)  # undirected: ga <= gb
    pair = lo * S + hi
    del lo, hi
    if directed and len(ga):  # dyad, then source/target, year, sub-period
        order = np.lexsort((gsub, gy, gb, ga, pair))
        ga, gb, gy, gsub, pair = ga[order], gb[order], gy[order], gsub[order], pair[order]
        g = {k: v[order] for k, v in g.items()}
    # labels from small lookup tables (states x states; years x sub-periods), taken per row
    st = [str(x) for x in states]
    dyad_tab = np.array([f"{st[i]}-{st[j]}" if i <= j else "" for i in range(len(st)) for j in range(len(st))]
                        or [""], dtype=object)
    cols: dict = {"dyad": _take_str(dyad_tab, pair)}
    if directed:
        cols["source"] = _take_str(states, ga)
        cols["target"] = _take_str(states, gb)
    cols["year"] = np.asarray(gy, dtype=np.int64)
    ymin = int(gy.min()) if len(gy) else 0
    ny = (int(gy.max()) - ymin + 1) if len(gy) else 1
    if period == "year":
        fmt_ = lambda yy, ss: str(yy)  # noqa: E731
    elif period == "quarter":
        fmt_ = lambda yy, ss: f"{yy}Q{ss}"  # noqa: E731
        cols["quarter"] = np.asarray(gsub, dtype=np.int64)
    else:
        fmt_ = lambda yy, ss: f"{yy}-{ss:02d}"  # noqa: E731
        cols["month"] = np.asarray(gsub, dtype=np.int64)
    per_tab = np.array([fmt_(ymin + i, j) for i in range(ny) for j in range(13)], dtype=object)
    per_idx = np.subtract(gy, ymin, dtype=np.int32)
    per_idx *= 13
    per_idx += gsub
    cols["period"] = _take_str(per_tab, per_idx)
    del per_idx
    g = {k: np.asarray(v, dtype=np.int64) for k, v in g.items()}
    q = {name: g[f"q{k}"] for k, name in enumerate(QUAD_CLASSES)}
    cols["n_events"] = g["n"]
    for name in QUAD_CLASSES:
        cols[name] = q[name]
    cols["neutral"] = g["q4"]
    gs_sum, gs_n = g["gs_sum"], g["gs_n"]
    cols["goldstein_n"] = gs_n
    cols["goldstein_sum"] = gs_sum / 10.0
    # in place, few large temporaries: mean = gs_sum / gs_n / 10 (NaN without weights),
    # share = (C - K) / (C + K) (NaN when C + K = 0)
    none = gs_n == 0
    safe_n = gs_n.copy()
    safe_n[none] = 1
    mean = np.divide(gs_sum, safe_n)
    del safe_n
    mean /= 10.0
    mean[none] = np.nan
    cols["goldstein_mean"] = mean
    coop = q["verbal_cooperation"] + q["material_cooperation"]
    conf = q["verbal_conflict"] + q["material_conflict"]
    tot = coop + conf
    coop -= conf
    del conf
    none = tot == 0
    tot[none] = 1
    share = np.divide(coop, tot)
    del coop, tot
    share[none] = np.nan
    cols["net_cooperation_share"] = share
    if normalise:
        # each state's total events in the period (all partners, either role)
        per = (gy - ymin) * 13 + gsub
        P = ny * 13
        ne = g["n"]
        tot_state = np.bincount(np.concatenate([ga * P + per, gb * P + per]),
                                weights=np.concatenate([ne, ne]).astype("float64"), minlength=S * P)
        ta = np.rint(tot_state[ga * P + per]).astype(np.int64)
        tb = np.rint(tot_state[gb * P + per]).astype(np.int64)
        denom = np.sqrt(ta.astype("float64") * tb.astype("float64"))
        cols["source_total"] = ta
        cols["target_total"] = tb
        for name in ("n_events",) + QUAD_CLASSES:
            cols[f"{name}_norm"] = cols[name].astype("float64") / denom
    # copy=False: keep one block per column (consolidating millions of rows costs seconds)
    return pd.DataFrame(cols, copy=False)


def _take_str(table: np.ndarray, idx: np.ndarray) -> pd.Series:
    """``table[idx]`` as a pandas string column, built in Arrow (no Python objects per row).

    Without pyarrow the same column is built from Python strings (slower).
    """
    labels = [str(x) for x in table] or [""]
    try:
        import pyarrow as pa
    except ImportError:
        return pd.Series(np.array(labels, dtype=object)[np.asarray(idx, dtype=np.int64)], dtype="str")
    # large_string: the storage pandas' Arrow string dtype keeps (no cast of the decoded column)
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(idx, dtype=np.int32)),
                                         pa.array(labels, type=pa.large_string())).dictionary_decode()
    return pd.Series(arr, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


# ------------------------------------------------------------------------ public

def aggregate_events(
    events_or_path,
    period: Period = "year",
    directed: bool = False,
    normalise: bool = False,
    engine: Engine = "auto",
    client=None,
    *,
    format: str = "generic",
    columns: dict | None = None,
    code_system: Literal["cameo", "plover"] = "cameo",
    goldstein_convention: Literal["icews", "gdelt"] = "icews",
    quad_rules: QuadRules | dict | None = None,
    resolver: Callable | None = None,
    threads: int = 2,
    memory_limit: str | None = None,
    warn: bool = True,
    top: int = 20,
) -> pd.DataFrame:
    """Aggregate event rows to dyad × period quad-class counts and Goldstein scores.

    Parameters
    ----------
    events_or_path : DataFrame, dask DataFrame, path, glob or list of paths
        A standard event frame (columns ``source, target, date, code``, see
        :mod:`alliance_index.events.readers`; other names via ``columns``), or
        Parquet / CSV / raw ICEWS / GDELT files.
    period : {"year", "quarter", "month"}
        Time unit of the output rows.
    directed : bool
        False (default): one row per non-directed dyad (events both ways
        summed).  True: one row per ordered (source, target) pair.
    normalise : bool
        Also return ``*_norm`` columns: counts divided by the geometric mean
        of the two states' total events in the period (see Notes).
    engine : {"auto", "pandas", "duckdb", "dask"}
        ``"auto"``: pandas for an in-memory frame, dask for a dask frame or
        when ``client`` is given, DuckDB for files (pandas if DuckDB is not
        installed).
    client : dask.distributed.Client, optional
        Cluster to run the dask engine on (default: the current scheduler).
    format : {"generic", "icews", "gdelt1", "gdelt2"}
        File layout of ``events_or_path`` (ignored for standard frames unless
        ``columns`` is given).  A standard frame from :func:`read_icews` /
        :func:`read_gdelt` keeps its format's actor conventions (e.g. ICEWS
        "Congo" = Republic of the Congo, "NA" = no country), also when saved
        with ``DataFrame.to_parquet`` (pandas keeps ``attrs["event_format"]``
        in the file's metadata, read back here).  A Parquet file with the
        standard columns may also be given with its origin's ``format``
        (e.g. ``format="icews"``).
    columns : dict, optional
        Standard name → column name (``{"source": "actor1", ...}``).
    code_system : {"cameo", "plover"}
        What the code column holds.  PLOVER events carry no Goldstein weight
        (Goldstein columns are then missing, not zero).
    goldstein_convention : {"icews", "gdelt"}
        Goldstein table (see :mod:`alliance_index.events.codes`).
    quad_rules : QuadRules or dict, optional
        Quad class of the disputed CAMEO roots 01–02, 09, 14.
    resolver : callable, optional
        ``resolver(unique_values) -> {value: iso3 or None}``; default
        :func:`default_resolver` (the project's country resolver).
    threads, memory_limit : int, str
        DuckDB settings (``threads=2`` by default; e.g. ``memory_limit="1GB"``).
    warn : bool
        Emit a :class:`DataQualityWarning` naming dropped-row counts.
    top : int
        How many offending values to keep per reason in the report.

    Returns
    -------
    DataFrame
        Sorted by dyad (then source, target), year, sub-period.  Columns:
        ``dyad`` (canonical ``AAA-BBB``), [``source``, ``target`` if directed],
        ``year``, [``quarter`` | ``month``], ``period`` (``"2018"``,
        ``"2018Q2"``, ``"2018-06"``), ``n_events``, the four quad counts
        ``verbal_cooperation, material_cooperation, verbal_conflict,
        material_conflict``, ``neutral``, ``goldstein_n``, ``goldstein_sum``,
        ``goldstein_mean``, ``net_cooperation_share`` and, with
        ``normalise``, ``source_total, target_total`` and ``*_norm``.
        ``attrs["report"]`` holds the :class:`EventReport`.

    Notes
    -----
    Only dyad-periods with at least one used event appear.  With
    :math:`C` = verbal + material cooperation and :math:`K` = verbal +
    material conflict,

    .. math:: \\text{net\\_cooperation\\_share} = (C - K) / (C + K) \\in [-1, 1],

    missing (NaN) when :math:`C + K = 0` (only neutral events: no signal,
    not a balance of zero).  ``goldstein_mean`` = ``goldstein_sum /
    goldstein_n`` (NaN without weighted events).  Normalisation: with
    :math:`T_i` the events of state *i* in the period with any partner,
    either role, ``x_norm`` = :math:`x_{ab} / \\sqrt{T_a T_b}` — the
    geometric mean of the dyad's share in each state's event volume, which
    removes the news-coverage size of the two states.
    """
    if period not in ("year", "quarter", "month"):
        raise MethodError(f"period must be 'year', 'quarter' or 'month', not {period!r}."
                          + suggest(str(period), ["year", "quarter", "month"]))
    if engine not in ("auto", "pandas", "duckdb", "dask"):
        raise MethodError(f"unknown engine {engine!r}; use auto, pandas, duckdb or dask."
                          + suggest(str(engine), ["auto", "pandas", "duckdb", "dask"]))
    fmt = get_format(format, columns)
    ctab = code_table(code_system, goldstein_convention, quad_rules)
    if isinstance(events_or_path, pd.DataFrame):
        inp = events_or_path
        origin = inp.attrs.get("event_format")
        if columns is None and format == "generic" and origin in FORMATS:
            # a standard frame from read_icews/read_gdelt keeps its format's actor
            # conventions (aliases, missing tokens); dates are already ISO text
            import dataclasses

            fmt = dataclasses.replace(FORMATS[origin], columns={k: k for k in FORMATS["generic"].columns},
                                      date_format="iso")
        inputs = "DataFrame"
    elif _is_dask_frame(events_or_path):
        inp = events_or_path
        inputs = "dask DataFrame"
        if engine not in ("auto", "dask"):
            raise MethodError("a dask DataFrame needs engine='dask' (or 'auto').")
        engine = "dask"
    else:
        inp = expand_paths(events_or_path)
        if columns is None and all(is_parquet(p) for p in inp):
            origin = _parquet_event_format(inp, format)
            if origin is not None:
                import dataclasses

                fmt = dataclasses.replace(FORMATS[origin], columns={k: k for k in FORMATS["generic"].columns},
                                          date_format="iso")
        inputs = ", ".join(os.path.basename(p) for p in inp[:3]) + (f" … ({len(inp)} files)" if len(inp) > 3 else "")
    if engine == "auto":
        if client is not None:
            engine = "dask"
        elif isinstance(inp, pd.DataFrame):
            engine = "pandas"
        else:
            try:
                import duckdb  # noqa: F401
                engine = "duckdb"
            except ImportError:
                engine = "pandas"
    resolver = resolver or default_resolver
    if engine == "pandas":
        core = _core_from_frame(_engine_pandas(inp, fmt, ctab, period))
    elif engine == "duckdb":
        core = _engine_duckdb(inp, fmt, ctab, period, directed, threads=threads, memory_limit=memory_limit)
    else:
        core = _core_from_frame(_engine_dask(inp, fmt, ctab, period, client=client))
    out, dropped, topv, n_rows = _finish(core, fmt, period, directed, normalise, resolver, top)
    if code_system == "plover":
        out["goldstein_sum"] = np.nan
    notes = topv.pop("_notes", [])
    report = EventReport(n_rows=n_rows, n_used=int(out["n_events"].sum()), dropped=dropped,
                         top_values=topv, engine=engine, inputs=inputs, notes=notes)
    out.attrs["report"] = report
    out.attrs["period"] = period
    out.attrs["directed"] = directed
    if warn:
        for note in notes:
            warnings.warn(note, DataQualityWarning, stacklevel=2)
        bad = {r: dropped[r] for r in _QUALITY if dropped[r]}
        if bad:
            detail = "; ".join(
                f"{r} {c}" + (f" (e.g. {', '.join(map(str, topv[r].index[:3]))})" if len(topv[r]) else "")
                for r, c in bad.items())
            warnings.warn(
                f"{sum(bad.values())} of {n_rows} event rows dropped: {detail}. "
                "See result.attrs['report'] for counts and values.",
                DataQualityWarning, stacklevel=2,
            )
    return out


def to_observations(
    agg: pd.DataFrame,
    source: str = "",
    confidence: str = "confirmed",
    dyads: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    note: str = "",
) -> pd.DataFrame:
    """Turn an :func:`aggregate_events` result into contract §2 observation rows.

    Parameters
    ----------
    agg : DataFrame
        Output of :func:`aggregate_events` (any period; directed or not).
    source : str
        Citation written in the ``source`` column (dataset, version, address).
    confidence : str
        Confidence of every row (``confirmed`` by default).
    dyads, years : sequences, optional
        If both are given, every (dyad, year) of their product is returned;
        dyad-years without events get counts 0 and ``events_goldstein_mean``
        missing.  Pass only years inside the event source's coverage: outside
        it an absent event is unknown, not zero.
    note : str
        Free text for the ``note`` column.

    Returns
    -------
    DataFrame
        Columns ``dyad, year, indicator, value, confidence, source, note``;
        indicators ``events_verbal_cooperation``, ``events_material_cooperation``,
        ``events_verbal_conflict``, ``events_material_conflict`` (counts; the
        catalog applies log1p) and ``events_goldstein_mean``.

    Notes
    -----
    Months or quarters are collapsed to the year: counts are summed, and the
    yearly Goldstein mean is recomputed from the summed weights,
    :math:`\\sum_t S_t / \\sum_t n_t` (not a mean of monthly means).
    Directed rows are summed over both directions of the dyad.
    """
    need = {"dyad", "year", "goldstein_n", "goldstein_sum"} | set(QUAD_CLASSES)
    miss = sorted(need - set(agg.columns))
    if miss:
        raise MethodError(f"to_observations needs an aggregate_events() result; column {miss[0]!r} is missing.")
    cols = list(QUAD_CLASSES) + ["goldstein_n", "goldstein_sum"]
    g = agg[["dyad", "year"] + cols].copy()
    g["gs10"] = np.rint(g["goldstein_sum"].to_numpy(dtype="float64") * 10)
    g = g.drop(columns="goldstein_sum").groupby(["dyad", "year"], sort=True).sum(min_count=1).reset_index()
    if dyads is not None and years is not None:
        from ..countries import dyad_id

        canon = sorted({dyad_id(d) for d in dyads})
        full = pd.MultiIndex.from_product([canon, sorted(int(y) for y in years)], names=["dyad", "year"])
        g = g.set_index(["dyad", "year"]).reindex(full.union(pd.MultiIndex.from_frame(g[["dyad", "year"]])))
        for c in list(QUAD_CLASSES) + ["goldstein_n"]:
            g[c] = g[c].fillna(0)
        g = g.reset_index()
    elif (dyads is None) != (years is None):
        raise MethodError("to_observations: give both dyads= and years= to fill event-free dyad-years, or neither.")
    with np.errstate(invalid="ignore", divide="ignore"):
        gn = g["goldstein_n"].to_numpy(dtype="float64")
        gmean = np.where(gn > 0, g["gs10"].to_numpy(dtype="float64") / np.where(gn > 0, gn, 1) / 10.0, np.nan)
    values = {f"events_{q}": g[q].to_numpy(dtype="float64") for q in QUAD_CLASSES}
    values["events_goldstein_mean"] = gmean
    frames = []
    for ind, val in values.items():
        frames.append(pd.DataFrame({"dyad": g["dyad"].to_numpy(dtype=object),
                                    "year": g["year"].to_numpy(dtype=np.int64),
                                    "indicator": ind, "value": val}))
    obs = pd.concat(frames, ignore_index=True).sort_values(["dyad", "year", "indicator"], kind="stable")
    obs["confidence"] = confidence
    obs["source"] = source
    obs["note"] = note
    return obs.reset_index(drop=True)
