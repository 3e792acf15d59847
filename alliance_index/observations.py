"""Read, validate and write observations (contract §2); bundled panel and status (§3).

An observations table is long ("tidy"): one row per ``(dyad, year,
indicator)`` with a ``value`` in the indicator's unit, an evidence
``confidence`` grade, a ``source`` citation and a free ``note``. An empty
value means *not observed* and stays NaN everywhere downstream; it is never
read as zero.

Validation rules (each failure raises one error naming the file and the row):

* required columns ``dyad``, ``year``, ``indicator``, ``value``;
* ``dyad`` resolves to two distinct states (any order, names or codes);
* ``year`` is an integer from :data:`FIRST_YEAR` (1816, the start of the Correlates of War
  state system) to :func:`last_year` (the year of :data:`PANEL_AS_OF`, or the current year if
  later), inside both states' years in the system (``Country.start`` to ``Country.end`` of
  :mod:`alliance_index.countries`);
* ``indicator`` is a catalog id (bundled or registered);
* ``value`` is a number or empty (``NA``, ``NaN`` and ``null`` are read as empty);
  it lies in the indicator's allowed range, and count/ordinal/binary values are whole numbers
  (the rule scenario files follow too);
* ``confidence`` is one of ``confirmed`` (default when empty), ``reported``,
  ``alleged``, ``denied``;
* a ``(dyad, year, indicator)`` appears at most once;
* there is at least one row; a *file* must also hold at least one observed value.

Row numbers in messages are file line numbers (the header is line 1) for
files, and positional row numbers (from 0) for DataFrames.
"""
from __future__ import annotations

import csv
import io
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Union

import numpy as np
import pandas as pd

from . import countries
from ._resources import data_dir, read_utf8
from .catalog import catalog
from .errors import (
    CountryError,
    DuplicateObservationError,
    MalformedFileError,
    MissingColumnError,
    ObservationsError,
    OutOfRangeError,
    UnknownIndicatorError,
    suggest,
)

PathLike = Union[str, os.PathLike]

REQUIRED: tuple[str, ...] = ("dyad", "year", "indicator", "value")
COLUMNS: tuple[str, ...] = ("dyad", "year", "indicator", "value", "confidence", "source", "note")
CONFIDENCE_LEVELS: tuple[str, ...] = ("confirmed", "reported", "alleged", "denied")
#: Evidence factors used by confidence weighting and by the scenario simulator:
#: the probability-like weight given to a value of each grade (documented choice).
CONFIDENCE_FACTORS: dict[str, float] = {"confirmed": 1.0, "reported": 0.75, "alleged": 0.5, "denied": 0.25}
MISSING_TOKENS = frozenset({"", "na", "nan", "n/a", "null", "none"})
STATUS_COLUMNS: tuple[str, ...] = (
    "dyad", "start_year", "end_year", "instrument", "obligation", "mutual_defence", "source",
)
OBLIGATIONS: tuple[str, ...] = ("defense", "offense", "neutrality", "nonaggression", "consultation")

#: The last year the bundled panel codes in full. A later year is *incomplete*: coded to date
#: (as of :data:`PANEL_AS_OF`), for some dyads only, and only with
#: :data:`INCOMPLETE_YEAR_INDICATORS`. The commitment model is fitted and judged on complete
#: years only (:func:`alliance_index.models.commitment.bundled_training_data`).
PANEL_COMPLETE_THROUGH: int = 2025
#: The date up to which the bundled panel's incomplete year is coded.
PANEL_AS_OF: str = "2026-11-29"
#: Indicators that describe a state (something in force, a level, a yes/no), which can be coded
#: for a year still in progress. Flows counted over a year (trade, investment, arms deliveries,
#: exercises, meetings, visits, incidents, protests, disputes) cannot: a count to date is not
#: comparable with a full year's, so they stay unobserved in an incomplete year.
INCOMPLETE_YEAR_INDICATORS: frozenset[str] = frozenset({
    "defense_cooperation_agreements", "basing_access", "wartime_support", "military_training",
    "defense_industrial_cooperation", "arms_supply_withheld", "non_support_when_attacked",
    "financial_integration", "sanctions_against_partner", "strategic_economic_projects",
    "partnership_level", "diplomatic_backing", "bloc_memberships_shared", "recognition_disputes",
    "joint_conflict_operations", "neutrality_in_partner_conflicts", "ties_with_partners_rivals",
    "opposing_sides_conflicts",
})
#: How the ``note`` of every row of an incomplete year begins, e.g. "2026 to date (as of 29 Nov 2026): ".
TO_DATE_NOTE = "{year} to date"
#: The first year an observation may have: the start of the Correlates of War state system.
FIRST_YEAR: int = 1816
#: Kinds of indicator whose values are whole numbers (observation and scenario files alike).
WHOLE_NUMBER_KINDS: tuple[str, ...] = ("count", "ordinal", "binary")


def last_year() -> int:
    """The last year an observation may have: the year of :data:`PANEL_AS_OF`, or the
    current calendar year if that is later (a year after it has not begun)."""
    import datetime

    return max(int(PANEL_AS_OF[:4]), datetime.date.today().year)


def _parse_csv(text: str, label: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse CSV text strictly; return string columns and the file line number of each record."""
    if not text.strip():
        raise MalformedFileError(f"{label}: the file is empty; it needs a header line {','.join(REQUIRED)}.")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    prev = 0
    try:
        for rec in reader:
            start = prev + 1
            prev = reader.line_num
            if not rec or (len(rec) == 1 and rec[0].strip() == ""):
                continue  # blank line
            if header is None:
                header = [h.strip() for h in rec]
                continue
            if len(rec) != len(header):
                raise MalformedFileError(
                    f"{label}: malformed CSV at line {start}: {len(rec)} fields where the header has "
                    f"{len(header)}; check commas and quoting (quote fields that contain commas)."
                )
            records.append(rec)
            lines.append(start)
    except csv.Error as exc:
        raise MalformedFileError(
            f"{label}: malformed CSV near line {reader.line_num} ({exc}); check for an unclosed quote."
        ) from None
    if header is None:
        raise MalformedFileError(f"{label}: the file is empty; it needs a header line {','.join(REQUIRED)}.")
    if len(header) == 1 and any(d in header[0] for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in header[0])
        raise MalformedFileError(
            f"{label}: found one column {header[0]!r}; the file seems to use {delim!r} as delimiter. "
            "Observations files are comma-separated (contract §2)."
        )
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise MalformedFileError(f"{label}: column(s) {', '.join(dup)} appear more than once in the header.")
    cols = list(zip(*records)) if records else [[] for _ in header]
    df = pd.DataFrame({h: pd.Series(list(c), dtype=object) for h, c in zip(header, cols)})
    return df, np.asarray(lines, dtype=np.int64)


def _read_csv_text(path: PathLike) -> tuple[pd.DataFrame, np.ndarray]:
    label = str(path)
    text = read_utf8(path, MalformedFileError, "CSV file")
    if "\x00" in text:
        raise MalformedFileError(f"{label}: contains NUL bytes (UTF-16 or a binary file?); re-save it as UTF-8 CSV.")
    return _parse_csv(text, label)


def read_observations(path: PathLike | io.IOBase, *, strict: bool = True) -> pd.DataFrame:
    """Read and validate an observations CSV (contract §2).

    Parameters
    ----------
    path : str or path-like or file object
        A UTF-8 CSV with at least the columns ``dyad, year, indicator, value``.
    strict : bool, default True
        Reserved: all rules are always enforced.

    Returns
    -------
    pandas.DataFrame
        Columns ``dyad`` (canonical id), ``year`` (int64), ``indicator``,
        ``value`` (float64, NaN = not observed), ``confidence``, ``source``,
        ``note``, then any extra columns of the file, unchanged. Rows keep
        the file's order.

    Raises
    ------
    ObservationsError
        (or a subclass) naming the file, line and value at fault.

    Examples
    --------
    >>> import io, alliance_index as ai
    >>> f = io.StringIO("dyad,year,indicator,value\\nRussia-Iran,2023,leader_meetings,3\\n")
    >>> ai.read_observations(f)[["dyad", "year", "value"]].values.tolist()
    [['IRN-RUS', 2023, 3.0]]
    """
    if hasattr(path, "read"):
        content = path.read()
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise MalformedFileError(f"<stream>: not UTF-8 (byte {exc.start}); re-save as UTF-8.") from None
        label = str(getattr(path, "name", "<stream>"))
        raw, lines = _parse_csv(content, label)
    else:
        label = str(path)
        raw, lines = _read_csv_text(path)
    if not len(raw):
        raise MalformedFileError(
            f"{label}: the file has a header but no observation rows; add one row per (dyad, year, "
            "indicator) under the header, e.g. 'Russia-Iran,2023,leader_meetings,3' (contract §2)."
        )
    out = _validate(raw, label=label, rows=lines, from_text=True)
    if out["value"].isna().all():
        raise ObservationsError(
            f"{label}: none of its {len(out)} row(s) has a value (an empty or NA value means not "
            "observed), so the file gives nothing to score; fill in the value column, or leave the "
            "file out."
        )
    return out


def validate_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """Validate an observations DataFrame and return it in canonical form.

    Same rules as :func:`read_observations`; row numbers in errors are
    positions (from 0). The input is not modified. A frame with no rows is an
    :class:`~alliance_index.errors.ObservationsError` (a frame whose values are all
    missing passes here; the scoring functions then name the dyads without data).
    """
    if not isinstance(obs, pd.DataFrame):
        raise TypeError(f"observations must be a pandas DataFrame, got {type(obs).__name__}")
    if not len(obs):
        raise ObservationsError(
            "the observations passed have no rows; pass at least one observation (columns "
            f"{', '.join(REQUIRED)}), e.g. alliance_index.load_panel() or read_observations(path)."
        )
    return _validate(obs.copy(), label=None, rows=np.arange(len(obs)), from_text=False)


def _successor_hint(c: "countries.Country", year: int) -> str:
    """Other states of the country table that share ``c``'s name and are in the system in ``year``
    (North/South Yemen for Yemen before 1990), as a hint; empty when there are none."""
    tab = countries.country_table()
    words = tab["name"].astype(str) + ";" + tab["aliases"].fillna("").astype(str)
    pat = r"(?:^|[\s;,])" + re.escape(c.name) + r"(?:$|[\s;,])"
    same = words.str.contains(pat, case=False, regex=True).to_numpy(dtype=bool)
    end = tab["end_year"].astype("float64").fillna(np.inf).to_numpy()
    alive = (tab["start_year"].to_numpy() <= year) & (end >= year) & (tab["iso3"].to_numpy() != c.iso3)
    cand = tab[same & alive]
    if not len(cand):
        return ""
    names = ", ".join(f"{n} ({i})" for n, i in zip(cand["name"], cand["iso3"]))
    return f" In {year} the country table has {names}: write that id if you meant it."


def _check_years(years: np.ndarray, dyads: np.ndarray, where: str, loc) -> None:
    """Reject years before :data:`FIRST_YEAR`, after :func:`last_year`, or outside either state's
    ``start``..``end`` in the country table. ``years`` are whole floats, ``dyads`` canonical ids."""
    last = last_year()
    early, late = years < FIRST_YEAR, years > last
    if early.any():
        i = int(np.flatnonzero(early)[0])
        raise OutOfRangeError(
            f"{where}{loc(i)}: year {years[i]:.0f} for {dyads[i]} is before {FIRST_YEAR}, the first year of "
            f"the Correlates of War state system ({int(early.sum())} row(s) affected); check the year "
            "(write all four digits, e.g. 2023)."
        )
    if late.any():
        i = int(np.flatnonzero(late)[0])
        raise OutOfRangeError(
            f"{where}{loc(i)}: year {years[i]:.0f} for {dyads[i]} is after {last}, a year that has not begun "
            f"(the panel is coded as of {PANEL_AS_OF}; {int(late.sum())} row(s) affected); check the year. "
            "To explore the future, write a scenario (alliance_index.Scenario, `alliance-index scenario`)."
        )
    if not len(years):
        return
    codes, uniq = pd.factorize(dyads)
    # per distinct dyad: the years both states are in the system (Country.start..Country.end)
    states = [tuple(countries.resolve(x) for x in str(d).split("-", 1)) for d in uniq]
    lo = np.array([max(a.start, b.start) for a, b in states], dtype="float64")
    hi = np.array([min(np.inf if a.end is None else a.end, np.inf if b.end is None else b.end)
                   for a, b in states], dtype="float64")
    out = (years < lo[codes]) | (years > hi[codes])
    if out.any():
        i = int(np.flatnonzero(out)[0])
        y = int(years[i])
        a, b = states[codes[i]]
        c = next(s for s in (a, b) if y < s.start or (s.end is not None and y > s.end))
        span = f"from {c.start}" if c.end is None else f"from {c.start} to {c.end}"
        n = int((out & (codes == codes[i])).sum())
        raise OutOfRangeError(
            f"{where}{loc(i)}: {dyads[i]} {y}: {c.name} ({c.iso3}, COW {c.cow}) is in the state system only "
            f"{span}, not in {y} ({n} row(s) of this dyad affected); check the year and the dyad."
            f"{_successor_hint(c, y)}"
        )


def _warn_year_in_progress(df: pd.DataFrame, where: str) -> None:
    """DataQualityWarning for dyad-years of the year in progress (:func:`last_year`, when it is
    after :data:`PANEL_COMPLETE_THROUGH`) none of whose rows is marked ``"<year> to date"``:
    they would be scored as a complete year, with no provisional mark."""
    cur = last_year()
    if cur <= PANEL_COMPLETE_THROUGH:
        return
    inyr = df["year"].to_numpy() == cur
    if not inyr.any():
        return
    marked = df["note"].astype(str).str.startswith(TO_DATE_NOTE.format(year=cur)).to_numpy(dtype=bool)
    dy = df["dyad"].to_numpy(dtype=object)[inyr]
    has_mark = pd.Series(marked[inyr]).groupby(dy).any()
    unmarked = has_mark.index[~has_mark.to_numpy()].tolist()
    if unmarked:
        import warnings

        from .errors import DataQualityWarning

        shown = ", ".join(unmarked[:5]) + (" …" if len(unmarked) > 5 else "")
        warnings.warn(
            f"{where}{len(unmarked)} dyad(s) have rows for {cur}, a year still in progress (the panel is coded "
            f"as of {PANEL_AS_OF}), none marked as coded to date: {shown}. They are scored as a complete "
            f"year. If they are coded only to date, begin their note '{TO_DATE_NOTE.format(year=cur)} (as of "
            "<date>): ' and they are marked provisional.",
            DataQualityWarning, stacklevel=4,
        )


def _validate(df: pd.DataFrame, *, label: str | None, rows: np.ndarray, from_text: bool) -> pd.DataFrame:
    where = label + ": " if label else ""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        hint = ""
        for m in missing:
            s = suggest(m, df.columns)
            if s:
                hint = f" (found {s.strip()[len('Did you mean: '):-1]!r} — rename it?)"
                break
        raise MissingColumnError(
            f"{where}missing required column(s) {', '.join(repr(m) for m in missing)}{hint}; "
            f"the file needs {', '.join(REQUIRED)} (contract §2)."
        )

    def loc(i: int) -> str:
        return f"line {rows[i]}" if label else f"row {rows[i]}"
    df = df.reset_index(drop=True)

    # --- dyad: resolve each distinct spelling once
    dy = df["dyad"].astype(str).str.strip()
    uniq = pd.unique(dy.to_numpy())
    mapping: dict[str, str] = {}
    for u in uniq:
        try:
            mapping[u] = countries.dyad_id(u)
        except (CountryError, ValueError) as exc:
            i = int(np.flatnonzero(dy.to_numpy() == u)[0])
            raise type(exc)(f"{where}{loc(i)}: dyad {u!r}: {exc}") from None
    df["dyad"] = dy.map(mapping).astype(object)

    # --- year
    yr = df["year"]
    if from_text or yr.dtype == object or pd.api.types.is_string_dtype(yr):
        ys = yr.astype(str).str.strip()
        num = pd.to_numeric(ys, errors="coerce")
    else:
        num = pd.to_numeric(yr, errors="coerce")
    bad = num.isna() | (num != np.floor(num))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ObservationsError(
            f"{where}{loc(i)}: year {df['year'].iloc[i]!r} is not a whole number "
            f"({int(bad.sum())} row(s) affected); write years like 2023."
        )
    _check_years(num.to_numpy(dtype="float64"), df["dyad"].to_numpy(dtype=object), where, loc)
    df["year"] = num.astype("int64")

    # --- indicator
    cat = catalog()
    ind = df["indicator"].astype(str).str.strip()
    unknown = ~ind.isin(cat.index)
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        bad_id = ind.iloc[i]
        raise UnknownIndicatorError(
            f"{where}{loc(i)}: unknown indicator '{bad_id}'.{suggest(bad_id, cat.index)}"
            f" ({int(unknown.sum())} row(s) with unknown ids; see alliance_index.catalog(), or register "
            "your own with alliance_index.register_indicator())"
        )
    df["indicator"] = ind.astype(object)

    # --- value
    v = df["value"]
    if from_text or v.dtype == object or pd.api.types.is_string_dtype(v):
        vs = v.astype(str).str.strip()
        is_missing = vs.str.lower().isin(MISSING_TOKENS) | v.isna()
        num = pd.to_numeric(vs.where(~is_missing, None), errors="coerce")
        badv = num.isna() & ~is_missing
        if badv.any():
            i = int(np.flatnonzero(badv.to_numpy())[0])
            raise ObservationsError(
                f"{where}{loc(i)}: value {vs.iloc[i]!r} for {df['dyad'].iloc[i]} "
                f"{df['year'].iloc[i]} {df['indicator'].iloc[i]} is not a number; leave it empty if not observed."
            )
        values = num.to_numpy(dtype="float64")
    else:
        try:
            values = pd.to_numeric(v, errors="raise").to_numpy(dtype="float64")
        except (ValueError, TypeError):
            num = pd.to_numeric(v, errors="coerce")
            i = int(np.flatnonzero((num.isna() & v.notna()).to_numpy())[0])
            raise ObservationsError(f"{where}{loc(i)}: value {v.iloc[i]!r} is not a number.") from None
    if np.isinf(values).any():
        i = int(np.flatnonzero(np.isinf(values))[0])
        raise OutOfRangeError(f"{where}{loc(i)}: value {values[i]} is infinite; write a finite number.")
    meta = cat.loc[df["indicator"].to_numpy()]
    lo = meta["range_min"].to_numpy()
    hi = meta["range_max"].to_numpy()
    with np.errstate(invalid="ignore"):
        oor = ~np.isnan(values) & ((values < lo) | (values > hi))
    if oor.any():
        i = int(np.flatnonzero(oor)[0])
        raise OutOfRangeError(
            f"{where}{loc(i)}: value {values[i]:g} for {df['dyad'].iloc[i]} {df['year'].iloc[i]} "
            f"{df['indicator'].iloc[i]} is outside its allowed range [{lo[i]:g}, {hi[i]:g}] "
            f"({int(oor.sum())} row(s) out of range)."
        )
    kinds = meta["kind"].to_numpy()
    whole = np.isin(kinds, WHOLE_NUMBER_KINDS)
    with np.errstate(invalid="ignore"):
        frac = whole & ~np.isnan(values) & (values != np.round(values))
    if frac.any():
        i = int(np.flatnonzero(frac)[0])
        raise OutOfRangeError(
            f"{where}{loc(i)}: {df['dyad'].iloc[i]} {df['year'].iloc[i]}: {df['indicator'].iloc[i]} is "
            f"{kinds[i]} and takes whole numbers; got {values[i]:g} ({int(frac.sum())} row(s) affected). "
            "Write the whole number observed (scenario files follow the same rule)."
        )
    df["value"] = values

    # --- confidence, source, note
    if "confidence" in df.columns:
        c = df["confidence"].fillna("").astype(str).str.strip().str.lower()
        c = c.where(c != "", "confirmed")
        badc = ~c.isin(CONFIDENCE_LEVELS)
        if badc.any():
            i = int(np.flatnonzero(badc.to_numpy())[0])
            raise ObservationsError(
                f"{where}{loc(i)}: confidence {df['confidence'].iloc[i]!r} is not one of "
                f"{', '.join(CONFIDENCE_LEVELS)}.{suggest(c.iloc[i], CONFIDENCE_LEVELS)}"
            )
        df["confidence"] = c.astype(object)
    else:
        df["confidence"] = "confirmed"
    for col in ("source", "note"):
        if col in df.columns:
            df[col] = df[col].fillna("").astype(str).astype(object)
            nul = df[col].str.contains("\x00", regex=False).to_numpy(dtype=bool)
            if nul.any():
                i = int(np.flatnonzero(nul)[0])
                raise ObservationsError(f"{where}{loc(i)}: {col} contains a NUL character, which CSV cannot carry; remove it.")
        else:
            df[col] = ""
    _warn_year_in_progress(df, where)

    # --- duplicates
    key = df[["dyad", "year", "indicator"]]
    dup = key.duplicated(keep=False).to_numpy()
    if dup.any():
        first = key[dup].iloc[0]
        same = np.flatnonzero(
            (key["dyad"].to_numpy() == first["dyad"]) & (key["year"].to_numpy() == first["year"])
            & (key["indicator"].to_numpy() == first["indicator"])
        )
        lines = ", ".join(str(rows[j]) for j in same)
        kind = "lines" if label else "rows"
        raise DuplicateObservationError(
            f"{where}duplicate observation {first['dyad']} {first['year']} {first['indicator']} at {kind} {lines} "
            f"({int(key.duplicated().sum())} duplicate row(s) in all); keep one row per (dyad, year, indicator)."
        )

    extra = [c for c in df.columns if c not in COLUMNS]
    out = df[list(COLUMNS) + extra].copy()
    for c in ("dyad", "indicator", "confidence", "source", "note"):
        out[c] = np.asarray(out[c].to_numpy(), dtype=object)
    for c in extra:
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = np.asarray(out[c].fillna("").astype(str).to_numpy(), dtype=object)
    return out.reset_index(drop=True)


def write_observations(obs: pd.DataFrame, path: PathLike) -> None:
    """Write observations to CSV (contract §2) so that reading them back loses nothing.

    Values are written with the shortest representation that reads back to
    the same float; missing values as empty fields. The file is written to a
    temporary name and moved into place, so a failure leaves no half-written file.
    """
    out = validate_observations(obs)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    frame = out.copy()
    frame["value"] = [("" if np.isnan(x) else repr(float(x))) for x in frame["value"].to_numpy()]
    try:
        text_cols = frame.select_dtypes(exclude="number")
        needs_all = text_cols.apply(lambda c: c.astype(str).str.contains("\r", regex=False).any()).any()
        frame.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8",
                     quoting=csv.QUOTE_ALL if needs_all else csv.QUOTE_MINIMAL)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------- bundled data

@lru_cache(maxsize=1)
def _bundled_panel() -> pd.DataFrame:
    files = sorted((data_dir() / "observations").glob("*.csv"))
    if not files:
        raise FileNotFoundError("no bundled observations found in data/observations; reinstall alliance_index")
    frames = [read_observations(f) for f in files]
    for f, fr in zip(files, frames):
        fr["_file"] = f.name
    allobs = pd.concat(frames, ignore_index=True)
    key = allobs[["dyad", "year", "indicator"]]
    dup = key.duplicated(keep=False)
    if dup.any():
        d = allobs[dup].iloc[:2]
        raise DuplicateObservationError(
            f"bundled data: {d['dyad'].iloc[0]} {d['year'].iloc[0]} {d['indicator'].iloc[0]} appears in "
            f"{', '.join(d['_file'])}"
        )
    allobs = allobs.drop(columns="_file")
    return allobs.sort_values(["dyad", "year", "indicator"], kind="stable").reset_index(drop=True)


def load_panel(dyads: Iterable[str] | None = None) -> pd.DataFrame:
    """The bundled curated observations (long DataFrame, contract §2 columns).

    Every row carries a ``source`` and a ``confidence`` grade. Coverage is
    uneven by design: where a fact is unknown the value is missing.

    Parameters
    ----------
    dyads : iterable of str, optional
        Keep only these dyads (any spelling accepted).

    Examples
    --------
    >>> import alliance_index as ai
    >>> p = ai.load_panel(["Russia-Iran"])
    >>> sorted(p["dyad"].unique())
    ['IRN-RUS']
    """
    df = _bundled_panel().copy()
    if dyads is not None:
        ids = [countries.dyad_id(d) for d in ([dyads] if isinstance(dyads, str) else dyads)]
        unknown = sorted(set(ids) - set(df["dyad"]))
        if unknown:
            raise ObservationsError(
                f"dyad(s) {', '.join(unknown)} are not in the bundled panel; bundled: {', '.join(list_dyads())}. "
                "Bring your own observations with read_observations()."
            )
        df = df[df["dyad"].isin(ids)].reset_index(drop=True)
    return df


def incomplete_years(obs: pd.DataFrame) -> pd.DataFrame:
    """The ``(dyad, year)`` pairs of ``obs`` that are coded only to date (a year still in progress).

    A dyad-year is incomplete when any of its rows has a ``note`` beginning with
    ``"<year> to date"`` (:data:`TO_DATE_NOTE`), the convention the bundled panel follows for
    years after :data:`PANEL_COMPLETE_THROUGH`; user files may follow it too.

    Returns
    -------
    DataFrame
        Columns ``dyad, year`` (unique, sorted); empty when every year is complete or ``obs``
        has no ``note`` column.
    """
    if "note" not in obs.columns or not len(obs):
        return pd.DataFrame({"dyad": pd.Series([], dtype=object), "year": pd.Series([], dtype="int64")})
    yr = obs["year"].astype("int64").to_numpy()
    lead = obs["note"].astype("string").str.extract(r"^(\d{4}) to date", expand=False)
    flag = (pd.to_numeric(lead, errors="coerce").to_numpy(dtype=float, na_value=np.nan) == yr)
    out = pd.DataFrame({"dyad": obs["dyad"].astype(object).to_numpy()[flag], "year": yr[flag]})
    return out.drop_duplicates().sort_values(["dyad", "year"], kind="stable").reset_index(drop=True)


def is_incomplete(obs: pd.DataFrame, dyads, years) -> np.ndarray:
    """Boolean mask over the dyad-years ``(dyads[i], years[i])`` (canonical ids): True where ``obs``
    codes that dyad-year only to date (:func:`incomplete_years`; ``obs`` may spell dyads any way)."""
    inc = incomplete_years(obs)
    keys = pd.MultiIndex.from_arrays([np.asarray(dyads, dtype=object), np.asarray(years, dtype="int64")])
    if not len(inc):
        return np.zeros(len(keys), dtype=bool)
    have = np.asarray(countries.canonical_dyads(inc["dyad"].to_numpy()), dtype=object)
    return np.asarray(keys.isin(pd.MultiIndex.from_arrays([have, inc["year"].to_numpy(dtype="int64")])), dtype=bool)


def list_dyads() -> list[str]:
    """Canonical ids of the bundled dyads, sorted."""
    return sorted(_bundled_panel()["dyad"].unique().tolist())


@lru_cache(maxsize=1)
def _status() -> pd.DataFrame:
    path = data_dir() / "status.csv"
    raw, _ = _read_csv_text(path)
    missing = [c for c in STATUS_COLUMNS if c not in raw.columns]
    if missing:
        raise MissingColumnError(f"{path}: missing column(s) {', '.join(missing)} (contract §3)")
    return read_status_frame(raw, label=str(path))


def read_status_frame(raw: pd.DataFrame, label: str = "<status>") -> pd.DataFrame:
    """Validate a status table (contract §3) given as strings; return typed columns."""
    df = raw.copy()
    rows = np.arange(2, 2 + len(df))
    ids = []
    for i, d in enumerate(df["dyad"].astype(str)):
        try:
            ids.append(countries.dyad_id(d))
        except (CountryError, ValueError) as exc:
            raise type(exc)(f"{label}, line {rows[i]}: dyad {d!r}: {exc}") from None
    df["dyad"] = ids
    for col in ("start_year", "end_year"):
        s = df[col].astype(str).str.strip()
        num = pd.to_numeric(s.where(s != "", None), errors="coerce")
        bad = num.isna() & (s != "") if col == "end_year" else num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ObservationsError(f"{label}, line {rows[i]}: {col} {s.iloc[i]!r} is not a year.")
        df[col] = num.astype("Int64")
    ob = df["obligation"].astype(str).str.strip().str.lower()
    bad = ~ob.isin(OBLIGATIONS)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ObservationsError(
            f"{label}, line {rows[i]}: obligation {ob.iloc[i]!r} is not one of {', '.join(OBLIGATIONS)}."
            f"{suggest(ob.iloc[i], OBLIGATIONS)}"
        )
    df["obligation"] = ob
    md = df["mutual_defence"].astype(str).str.strip().str.lower()
    bad = ~md.isin(("true", "false"))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ObservationsError(f"{label}, line {rows[i]}: mutual_defence must be true or false, got {md.iloc[i]!r}.")
    df["mutual_defence"] = md.eq("true")
    badspan = df["end_year"].notna() & (df["end_year"] < df["start_year"])
    if badspan.any():
        i = int(np.flatnonzero(badspan.to_numpy())[0])
        raise ObservationsError(f"{label}, line {rows[i]}: end_year is before start_year.")
    return df.reset_index(drop=True)


def load_status() -> pd.DataFrame:
    """The bundled de jure status table (contract §3).

    Columns ``dyad, start_year, end_year (NA = in force), instrument,
    obligation, mutual_defence, source`` (and notes). It is the label the
    models learn and are judged against; never an input to the index.
    """
    return _status().copy()


_RANK = {"defense": 5, "offense": 4, "neutrality": 3, "nonaggression": 2, "consultation": 1}


def _dyad_year_args(dyads, years, what: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """Canonical dyad ids and int64 years, broadcast to one length; and whether both were scalars."""
    scalar = np.ndim(dyads) == 0 and np.ndim(years) == 0
    dy = np.atleast_1d(np.asarray(dyads, dtype=object))
    yr_raw = np.atleast_1d(np.asarray(years, dtype=object))
    try:
        dy, yr_raw = np.broadcast_arrays(dy, yr_raw)
    except ValueError:
        raise ObservationsError(
            f"{what}: got {dy.size} dyad(s) and {yr_raw.size} year(s); give one year per dyad, or one "
            "year for all."
        ) from None
    yr = pd.to_numeric(pd.Series(yr_raw.ravel(), dtype=object), errors="coerce").to_numpy(dtype="float64")
    bad = np.isnan(yr) | (yr != np.floor(yr))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ObservationsError(f"{what}: year {yr_raw.ravel()[i]!r} (position {i}) is not a whole number; "
                         "write years like 2023.")
    return countries.canonical_dyads(dy.ravel()), yr.astype("int64"), scalar


def known_status(dyads, years, status: pd.DataFrame | None = None):
    """Strongest obligation in force for each (dyad, year), vectorised.

    Parameters
    ----------
    dyads : str or array_like of str
        Dyads in any spelling (contract §1): ``"Russia-Iran"``, ``"IRN-RUS"``, ``"365-630"``.
    years : int or array_like of int
        One year per dyad, or one year for all.
    status : DataFrame, optional
        A status table (default: :func:`load_status`).

    Returns
    -------
    numpy.ndarray of object, or a single value when ``dyads`` and ``years`` are both scalars
        ``'defense'``, ``'offense'``, ``'neutrality'``, ``'nonaggression'``,
        ``'consultation'``, ``'none'`` (dyad in the status table's scope but no
        instrument that year) or ``None`` (dyad unknown to the status table: not bundled).

    Raises
    ------
    DyadError, UnknownCountryError, AmbiguousCountryError
        A dyad that does not name two states.
    ObservationsError
        A year that is not a whole number, or dyads and years of different lengths.

    Examples
    --------
    >>> import alliance_index as ai
    >>> ai.known_status("Russia-Belarus", 2023) == ai.known_status(["BLR-RUS"], [2023])[0]
    True
    """
    st = load_status() if status is None else status
    dy, yr, scalar = _dyad_year_args(dyads, years, "known_status")
    scope = set(list_dyads()) | set(st["dyad"])
    out = np.where(np.isin(dy, list(scope)), "none", None).astype(object)
    best = np.zeros(len(dy), dtype=int)
    for row in st.itertuples(index=False):
        end = row.end_year if pd.notna(row.end_year) else 10**6
        hit = (dy == row.dyad) & (yr >= row.start_year) & (yr <= end)
        r = _RANK[row.obligation]
        upd = hit & (r > best)
        out[upd] = row.obligation
        best[upd] = r
    return out[0] if scalar else out


def mutual_defence(dyads, years, status: pd.DataFrame | None = None):
    """Float array: 1.0 where a mutual-defence instrument is in force, 0.0 where not,
    NaN for dyads unknown to the status table. Dyads in any spelling; scalars give a float."""
    st = load_status() if status is None else status
    dy, yr, scalar = _dyad_year_args(dyads, years, "mutual_defence")
    scope = set(list_dyads()) | set(st["dyad"])
    out = np.where(np.isin(dy, list(scope)), 0.0, np.nan)
    for row in st[st["mutual_defence"]].itertuples(index=False):
        end = row.end_year if pd.notna(row.end_year) else 10**6
        out[(dy == row.dyad) & (yr >= row.start_year) & (yr <= end)] = 1.0
    return float(out[0]) if scalar else out
