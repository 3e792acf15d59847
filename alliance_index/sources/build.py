"""Build a dyad-year frame from the real datasets (a Python peacesciencer).

:func:`build_dyad_years` takes the states in the system each year, forms every
dyad (non-directed ``ccode1 < ccode2`` or directed), and joins the chosen
sources onto it by integer keys, mapping them onto the catalog's indicators and
structural covariates. :func:`to_observations` turns the result into the long
observations format (contract §2).

Missing-data rules (per source, documented in :data:`SOURCE_RULES`):

* outside a source's years every value is NaN (unknown);
* inside its years, a dyad absent from a file that lists only non-zero dyad-years
  is 0 (ATOP obligations, COW trade, SIPRI transfers), while a dyad absent from a
  file that lists every dyad stays NaN (IGOs, distance, ICEWS, UN votes, ideal points).
"""
from __future__ import annotations

import time
import warnings
from typing import Iterable, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import CoverageWarning, DataQualityWarning, DataSourceError, suggest
from ..similarity import pairwise_similarity
from . import atop as _atop
from . import cow as _cow
from .icews import ICEWS_COUNTS, ICEWS_INDICATORS, read_icews_dyad_year
from .idealpoints import ideal_point_distance, read_ideal_points
from .sipri import read_sipri, sipri_dyad_year
from .unvotes import read_un_votes, un_vote_agreement
from ._progress import blas_single_thread, progress_bar

__all__ = ["build_dyad_years", "to_observations", "SOURCES", "SOURCE_RULES", "INDICATOR_SOURCE"]

#: source name -> columns it adds
SOURCES: dict[str, tuple[str, ...]] = {
    "atop": ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul",
             "atop_label", "alliance_portfolio_similarity"),
    "trade": ("trade_usd", "trade_dependence"),
    "igo": ("shared_igo_memberships",),
    "contiguity": ("contiguity",),
    "distance": ("mindist",),
    "majors": ("major_powers",),
    "democracy": ("joint_democracy",),
    "nmc": ("capability_ratio",),
    "rivalries": ("strategic_rivalry", "shared_rivals"),
    "unvotes": ("unga_agreement", "unga_common_votes"),
    "idealpoints": ("unga_ideal_point_distance",),
    "sipri": ("arms_transfers_tiv",),
    "icews": ("events_verbal_cooperation", "events_material_cooperation",
              "events_verbal_conflict", "events_material_conflict"),
}

#: documented rule per source for a dyad absent inside the source's coverage
SOURCE_RULES = {
    "atop": "absent dyad-year = no obligation (0), label 'none'; NaN outside the file's years. "
            "alliance_portfolio_similarity is built from the same ties as the label: it leaks "
            "the label into any model that uses it",
    "trade": "absent dyad-year = 0 trade (COW lists non-zero flows) when both states' trade is "
             "covered that year (national totals known, listed dyadic flows >= 50% of them), else "
             "NaN (trade_absent='auto'); an empty flow = NaN; NaN outside the file's years. "
             "Known gap: Russia-China 1964-77 is absent and reads 0",
    "igo": "file lists every system dyad: absent = NaN. Counts include alliance organisations",
    "contiguity": "no active spell (or conttype 0) = 0, not contiguous; NaN outside spell coverage",
    "distance": "absent = NaN",
    "majors": "count of major powers in the dyad (0-2); NaN outside the file's years",
    "democracy": "1 if both polity2 >= 6, 0 if both known and not, NaN if either unknown",
    "nmc": "stronger CINC / weaker CINC; NaN if either unknown or zero",
    "rivalries": "no rivalry spell = 0; NaN outside the rivalry file's years",
    "unvotes": "pairs without a roll call in common = NaN",
    "idealpoints": "NaN where either state has no estimate",
    "sipri": "absent = 0 TIV inside the file's years; non-state rows left out (warned)",
    "icews": "file lists every pair of its countries: absent = NaN",
}

#: indicator -> source name (for to_observations)
INDICATOR_SOURCE = {c: s for s, cols in SOURCES.items() for c in cols}

_KEY = np.int64(1_000_000)

#: share of a state's national trade its listed dyadic flows must reach for absent
#: dyads to count as zero trade (``trade_absent="auto"``)
TRADE_COVERAGE_MIN = 0.5

#: values of ``atop_label`` (a categorical column; NaN outside ATOP's years)
ATOP_LABELS = ["defense", "other", "none"]


def _key(year, c1, c2) -> np.ndarray:
    return (np.asarray(year, dtype=np.int64) * _KEY + np.asarray(c1, dtype=np.int64) * 1000
            + np.asarray(c2, dtype=np.int64))


def _take(values: np.ndarray, pos: np.ndarray, fill=np.nan) -> np.ndarray:
    """``values[pos]`` with ``fill`` where ``pos`` is -1 (one gather: fill sits at index -1)."""
    ext = np.empty(len(values) + 1, dtype=float)
    ext[:-1] = values
    ext[-1] = fill
    return ext[pos]


class _Grid:
    """Dense (year, code, code) position tables: joins by fancy indexing, no hashing."""

    def __init__(self, year: np.ndarray, c1: np.ndarray, c2: np.ndarray):
        self.y0 = int(year.min()) if year.size else 0
        self.ny = int(year.max()) - self.y0 + 1 if year.size else 1
        codes = np.unique(np.concatenate([c1, c2])) if year.size else np.array([0])
        self.cidx = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
        self.cidx[codes] = np.arange(codes.size)
        self.nc = codes.size
        self.year, self.c1, self.c2 = year, c1, c2
        self._flat: dict[str, np.ndarray] = {}
        self.tracked: dict[str, list] = {}
        self._table: np.ndarray | None = None
        self.notes: dict[str, dict] = {}

    def _code(self, c):
        c = np.asarray(c, dtype=np.int64)
        ok = (c >= 0) & (c < self.cidx.size)
        out = np.full(c.shape, -1, dtype=np.int64)
        out[ok] = self.cidx[c[ok]]
        return out

    def _base(self, which: str) -> np.ndarray:
        if which not in self._flat:
            a, b = self.c1, self.c2
            if which == "nd":
                a, b = np.minimum(a, b), np.maximum(a, b)
            elif which == "21":
                a, b = b, a
            yi = self.year - self.y0
            self._flat[which] = (yi * self.nc + self.cidx[a]) * self.nc + self.cidx[b]
        return self._flat[which]

    def positions(self, y, a, b, which: Literal["nd", "12", "21"] = "nd",
                  track: str | None = None) -> np.ndarray:
        """Row of (y, a, b) in the source for every frame row (-1 = absent).

        With ``track``, source rows inside the frame's years that match no frame row
        are recorded under that name (reported by :func:`build_dyad_years`).
        """
        y = np.asarray(y, dtype=np.int64) - self.y0
        ai, bi = self._code(a), self._code(b)
        inyr = (y >= 0) & (y < self.ny)
        ok = inyr & (ai >= 0) & (bi >= 0)
        if self._table is None:  # one reusable table, reset after each use
            self._table = np.full(self.ny * self.nc * self.nc, -1, dtype=np.int64)
        table = self._table
        rows = np.flatnonzero(ok)
        slots = (y[ok] * self.nc + ai[ok]) * self.nc + bi[ok]
        table[slots] = rows
        pos = table[self._base(which)]
        table[slots] = -1
        if track is not None:
            matched = np.zeros(y.size, dtype=bool)
            matched[pos[pos >= 0]] = True
            if track in self.tracked:
                matched |= self.tracked[track][1]
            self.tracked[track] = [inyr, matched, np.asarray(y) + self.y0, np.asarray(a), np.asarray(b)]
        return pos

    def unmatched(self) -> dict[str, tuple[int, list]]:
        """Per tracked source: rows inside the frame's years matching no dyad-year, examples."""
        out = {}
        for name, (inyr, matched, y, a, b) in self.tracked.items():
            bad = inyr & ~matched
            if bad.any():
                ex = [(int(y[i]), int(a[i]), int(b[i])) for i in np.flatnonzero(bad)[:3]]
                out[name] = (int(bad.sum()), ex)
        return out

    def state_values(self, y, c, values, which: Literal[1, 2, "lo", "hi"]) -> np.ndarray:
        """Value of a state-year source for ccode1/ccode2 (or the lower/higher code)."""
        y = np.asarray(y, dtype=np.int64) - self.y0
        ci = self._code(c)
        ok = (y >= 0) & (y < self.ny) & (ci >= 0)
        table = np.full(self.ny * self.nc, np.nan)
        table[y[ok] * self.nc + ci[ok]] = np.asarray(values, dtype=float)[ok]
        cc = {1: self.c1, 2: self.c2, "lo": np.minimum(self.c1, self.c2),
              "hi": np.maximum(self.c1, self.c2)}[which]
        return table[(self.year - self.y0) * self.nc + self.cidx[cc]]


def _in_years(year: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return (year >= lo) & (year <= hi)


def _dyads(states_years: pd.DataFrame, directed: bool) -> pd.DataFrame:
    """All dyads of states in the system each year (vectorised within a year)."""
    sy = states_years.sort_values(["year", "ccode"])
    yr = sy["year"].to_numpy()
    cc = sy["ccode"].to_numpy()
    years, starts, counts = np.unique(yr, return_index=True, return_counts=True)
    c1s, c2s, ys = [], [], []
    for y, s, n in zip(years, starts, counts):
        if directed:
            i, j = np.nonzero(~np.eye(n, dtype=bool))
        else:
            i, j = np.triu_indices(n, 1)
        c = cc[s:s + n]
        c1s.append(c[i])
        c2s.append(c[j])
        ys.append(np.full(i.size, y, dtype=np.int64))
    if not c1s:
        return pd.DataFrame({"ccode1": np.array([], np.int64), "ccode2": np.array([], np.int64),
                             "year": np.array([], np.int64)})
    return pd.DataFrame({"ccode1": np.concatenate(c1s).astype(np.int64),
                         "ccode2": np.concatenate(c2s).astype(np.int64),
                         "year": np.concatenate(ys)})


def _year_matrices(frame_years: np.ndarray, states_years: pd.DataFrame):
    """Yield (year, states array) for each year of the frame."""
    sy = states_years.sort_values(["year", "ccode"])
    yr = sy["year"].to_numpy()
    cc = sy["ccode"].to_numpy()
    years, starts, counts = np.unique(yr, return_index=True, return_counts=True)
    for y, s, n in zip(years, starts, counts):
        yield int(y), cc[s:s + n]


def build_dyad_years(
    start: int,
    end: int,
    sources: Iterable[str] | None = None,
    directed: bool = False,
    relevant_only: bool = False,
    *,
    system: Literal["cow", "isard"] | pd.DataFrame = "cow",
    states: Iterable[int | str] | int | str | None = None,
    paths: dict[str, object] | None = None,
    rivalries: Literal["td", "tss"] = "td",
    portfolio_weights: Literal["none", "capability"] = "none",
    portfolio_measure: Literal["s", "kappa", "pi"] = "s",
    trade_absent: Literal["auto", "zero", "nan"] = "auto",
    progress: bool | None = None,
) -> pd.DataFrame:
    """Dyad-year frame of the states in the system, joined with real datasets.

    Parameters
    ----------
    start, end : int
        Inclusive years (integers; ``2000.0`` is accepted, ``2000.5`` or ``"2000"`` is not).
    sources : iterable of str or str, optional
        Any of :data:`SOURCES` (default all): ``atop, trade, igo, contiguity, distance,
        majors, democracy, nmc, rivalries, unvotes, idealpoints, sipri, icews``. A single
        string is one source name.
    directed : bool
        Both orders of each pair (``ccode1 != ccode2``) instead of ``ccode1 < ccode2``.
        Values are dyad-level (symmetric) except the ``atop_*`` obligation columns, which
        then give ``ccode1``'s obligations towards ``ccode2``.
    relevant_only : bool
        Keep politically relevant dyads: contiguous by land or by at most 150 miles of
        water (COW conttype 1–4), or at least one COW major power. Needs ``contiguity``
        and ``majors`` (added automatically). COW contiguity and major powers end in
        2016 (their version cap) and are not carried forward, so a dyad-year after 2016
        cannot be classified: such rows are dropped, with one
        :class:`~alliance_index.errors.CoverageWarning` naming the years. To keep them,
        build without ``relevant_only`` and apply your own rule (e.g. the 2016 values).
    system : {"cow", "isard"} or DataFrame
        State-system list: ``cow/cow_states_2016.csv``, ``cow/isard_cw_system.csv``, or a
        frame like :func:`~alliance_index.sources.read_cow_states`. Spells that reach
        the list's last year (its version cap, 2016) are extended to ``end``. A reduced
        frame redefines the system: ``alliance_portfolio_similarity`` is then computed
        over the third states of that subset only, and every source row of a state left
        out is reported as unmatched. To build for a few states, use ``states``.
    states : iterable of int or str, optional
        Keep only dyads whose two members are all in ``states`` (COW codes, ISO3 codes
        or names, resolved by :func:`alliance_index.countries.to_cow`; a single value is
        one state). The filter is applied after the whole system is built, so every
        value (portfolio similarity included) is the same as in the full build.
    paths : dict, optional
        Per-reader file paths, keyed by source name (``"atop"``, ``"trade"``,
        ``"trade_national"``, ``"igo"``, ``"contiguity"``, ``"distance"``, ``"majors"``,
        ``"democracy"``, ``"nmc"``, ``"rivalries"``, ``"unvotes"``, ``"roll_calls"``,
        ``"idealpoints"``, ``"sipri"``, ``"icews"``, ``"system"``). Default: files of
        :func:`~alliance_index.sources.get_data_dir`.
    rivalries : {"td", "tss"}
        Thompson & Dreyer (to 2010) or Thompson, Sakuwa & Suhas (to 2020).
    portfolio_weights : {"none", "capability"}
        Weights of third states in ``alliance_portfolio_similarity`` (CINC shares).
    portfolio_measure : {"s", "kappa", "pi"}
        Measure for ``alliance_portfolio_similarity``: Signorino–Ritter S (the catalog's
        definition, default) or Häge's chance-corrected kappa / pi.
    trade_absent : {"auto", "zero", "nan"}
        A dyad-year absent from COW trade inside its years. ``"zero"``: 0 (COW lists
        non-zero flows only). ``"nan"``: unknown. ``"auto"`` (default): 0 only when both
        states' trade is covered in that year — national totals known and the dyadic
        flows listed for the state add up to at least :data:`TRADE_COVERAGE_MIN` of
        them — else NaN. This keeps, e.g., West Germany 1960–89 (absent from the
        packaged dyadic and national files) unknown instead of 0. COW also omits some
        dyad-years of well-covered states (Russia–China 1964–77), which still read 0.
    progress : bool, optional
        Progress bars (default: when stderr is a terminal; needs tqdm).

    Returns
    -------
    pandas.DataFrame
        ``ccode1, ccode2, year`` + the columns of each chosen source (see
        :data:`SOURCES`); ``attrs["sources"]`` names dataset, version and file per
        source, ``attrs["rules"]`` the missing-data rule, ``attrs["coverage"]`` each
        source's years (``attrs["dropped_unclassified"]``: rows ``relevant_only``
        dropped because contiguity or major powers were unknown), ``attrs["timings"]`` seconds per step, ``attrs["unmatched"]`` the number of source
        rows inside the years that matched no dyad of the system (also warned, with
        examples), ``attrs["notes"]`` counts behind the trade rule.

    Notes
    -----
    Indicators (catalog ids): ``trade_usd`` = flow1 + flow2 ($m current; NaN if a flow
    is missing); ``trade_dependence`` = min over the two states of
    100·trade / (imports + exports); ``arms_transfers_tiv`` = SIPRI TIV both
    directions; ``unga_agreement`` = share of common roll calls voted alike, abstain
    vs yes/no = ½ (see :func:`~alliance_index.similarity.pairwise_agreement`);
    ``unga_ideal_point_distance`` = |ideal point difference| (July 2025 release by
    default, ``idealpointfp``); ``shared_igo_memberships`` = COW IGO dyadigos;
    ``shared_rivals`` = number of third states both are in strategic rivalry with
    (:math:`R^2` of the year's rivalry adjacency); ``alliance_portfolio_similarity``
    = S (absolute, d_max 3) over ATOP ties with third states, their own tie excluded,
    ties coded 3 defence/offence, 2 neutrality/consultation, 1 non-aggression,
    0 none, 3 with oneself. ``atop_label``: ``defense`` if a defence obligation in
    either direction, ``other`` if any other obligation, ``none`` otherwise.
    Structural covariates: ``contiguity`` (0 none, 1 land … 5 ≤ 400 miles water),
    ``mindist`` (km), ``major_powers`` (0–2), ``joint_democracy`` (0/1),
    ``capability_ratio`` (stronger/weaker CINC). No MID file is part of the real
    data, so ``military_incidents`` is not built.

    Examples
    --------
    >>> dy = build_dyad_years(2010, 2012, sources=["atop", "unvotes"])  # doctest: +SKIP
    >>> obs = to_observations(dy)  # doctest: +SKIP
    """
    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    if trade_absent not in ("auto", "zero", "nan"):
        raise DataSourceError(f"trade_absent must be 'auto', 'zero' or 'nan', not {trade_absent!r}")
    if portfolio_measure not in ("s", "kappa", "pi"):
        raise DataSourceError(f"portfolio_measure must be 's', 'kappa' or 'pi', not {portfolio_measure!r}")
    if portfolio_weights not in ("none", "capability"):
        raise DataSourceError(f"portfolio_weights must be 'none' or 'capability', not {portfolio_weights!r}")
    if rivalries not in ("td", "tss"):
        raise DataSourceError(f"rivalries must be 'td' or 'tss', not {rivalries!r}")
    start = _year_arg(start, "start")
    end = _year_arg(end, "end")
    if start > end:
        raise DataSourceError(f"start year {start} is after end year {end}")
    if isinstance(sources, str):
        sources = [sources]
    elif sources is not None and not isinstance(sources, Iterable):
        raise DataSourceError(f"sources must be a list of source names (e.g. ['atop', 'trade']), "
                              f"not {type(sources).__name__}")
    chosen = list(SOURCES) if sources is None else list(dict.fromkeys(sources))
    for s in chosen:
        if not isinstance(s, str) or s not in SOURCES:
            raise DataSourceError(f"unknown source {s!r}; choose from {', '.join(SOURCES)}."
                                  f"{suggest(s, SOURCES)}")
    paths = dict(paths or {})
    unknown_paths = set(paths) - set(SOURCES) - {"trade_national", "roll_calls", "system"}
    if unknown_paths:
        raise DataSourceError(f"unknown key(s) in paths: {sorted(unknown_paths)}")
    need = set(chosen)
    if relevant_only:
        need |= {"contiguity", "majors"}
    keep_codes = None if states is None else _state_codes(states)

    # --- system membership -------------------------------------------------
    t = time.perf_counter()
    if isinstance(system, pd.DataFrame):
        states = system
    elif system == "isard":
        states = _cow.read_isard_system(paths.get("system"))
    elif system == "cow":
        states = _cow.read_cow_states(paths.get("system"))
    else:
        raise DataSourceError(f"system must be 'cow', 'isard' or a DataFrame, not {system!r}")
    cap = int(states["end_year"].max())
    if end > cap:
        warnings.warn(f"the state-system list ends at {cap} (a version cap): states in the system "
                      f"in {cap} are assumed to stay in it to {end}; new states after {cap} are missing",
                      CoverageWarning, stacklevel=2)
    sy = _cow.system_years(start, end, states, extend_to=end)
    df = _dyads(sy, directed)
    timings["system"] = time.perf_counter() - t
    year = df["year"].to_numpy()
    c1 = df["ccode1"].to_numpy()
    c2 = df["ccode2"].to_numpy()
    lo_c, hi_c = np.minimum(c1, c2), np.maximum(c1, c2)
    ukey = _key(year, lo_c, hi_c)  # non-directed key
    grid = _Grid(year, c1, c2)
    cols: dict[str, np.ndarray] = {}
    meta_sources: dict[str, str] = {}
    coverage: dict[str, tuple[int, int]] = {}

    steps = [s for s in SOURCES if s in need]
    bar = progress_bar(steps, desc="dyad-years", enable=progress)
    for s in bar:
        t = time.perf_counter()
        fn = _BUILDERS[s]
        info = fn(df=df, year=year, c1=c1, c2=c2, ukey=ukey, lo_c=lo_c, hi_c=hi_c, sy=sy, grid=grid,
                  paths=paths, directed=directed, rivalries=rivalries,
                  portfolio_weights=portfolio_weights, portfolio_measure=portfolio_measure,
                  trade_absent=trade_absent,
                  progress=progress)
        new_cols, src, cov = info
        cols.update(new_cols)
        meta_sources[s] = src
        coverage[s] = cov
        timings[s] = time.perf_counter() - t

    out = pd.DataFrame({**{c: df[c].to_numpy() for c in df.columns}, **cols}, copy=False)
    dropped_unclassified = 0
    if keep_codes is not None:
        inset = np.isin(c1, keep_codes) & np.isin(c2, keep_codes)
        absent = np.setdiff1d(keep_codes, np.concatenate([c1[inset], c2[inset]]))
        if absent.size:
            warnings.warn(f"states= code(s) {absent.tolist()} are in no dyad of the system in "
                          f"{start}–{end} (COW codes differ across time, e.g. 260 West Germany / "
                          f"255 Germany; check alliance_index.countries.resolve)",
                          CoverageWarning, stacklevel=2)
        out = out[inset].reset_index(drop=True)
    if relevant_only:
        rel, unknown = relevance(out["contiguity"].to_numpy(dtype=float), out["major_powers"].to_numpy(dtype=float))
        if unknown.any():
            dropped_unclassified = int(unknown.sum())
            uy = np.unique(out["year"].to_numpy()[unknown])
            warnings.warn(
                f"relevant_only: {dropped_unclassified} dyad-year(s) in {_year_span(uy)} cannot be "
                f"classified as politically relevant or not and were dropped: COW contiguity "
                f"covers {coverage['contiguity'][0]}–{coverage['contiguity'][1]} and major powers "
                f"{coverage['majors'][0]}–{coverage['majors'][1]} (their 2016 version cap; "
                f"values are not carried forward). To keep these years, build without "
                f"relevant_only and apply your own rule (e.g. the 2016 values).",
                CoverageWarning, stacklevel=2)
        out = out[rel].reset_index(drop=True)
    drop = [c for s in need - set(chosen) for c in SOURCES[s]]
    if drop:
        out = out.drop(columns=[c for c in drop if c in out])
    unmatched = grid.unmatched()
    if unmatched:
        custom = (" (system is a custom frame: rows of every state left out of it count here; "
                  "to build for a few states, pass states= with the full system instead)"
                  if isinstance(system, pd.DataFrame) else "")
        warnings.warn(
            "rows inside the build's years that match no dyad of states in the system (kept out "
            "of the frame): " + "; ".join(f"{k}: {n} row(s), e.g. (year, code, code) {ex}"
                                          for k, (n, ex) in unmatched.items()) + custom,
            DataQualityWarning, stacklevel=2)
    timings["total"] = time.perf_counter() - t_all
    out.attrs.update({"sources": meta_sources, "rules": {s: SOURCE_RULES[s] for s in meta_sources},
                      "coverage": coverage, "timings": timings, "directed": directed,
                      "years": (start, end), "unmatched": {k: v[0] for k, v in unmatched.items()},
                      "notes": grid.notes, "dropped_unclassified": dropped_unclassified})
    return out


def relevance(contiguity: np.ndarray, major_powers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Politically relevant dyad-years: contiguous by land or <= 150 miles of water (COW conttype
    1-4) or with at least one major power. Returns (relevant, unknown): ``unknown`` marks rows not
    known to be relevant whose contiguity or major-power count is NaN (e.g. after COW's 2016 cap).
    The one definition behind ``relevant_only`` and ``models.features.politically_relevant``."""
    ct, mp = np.asarray(contiguity, dtype=float), np.asarray(major_powers, dtype=float)
    rel = ((ct >= 1) & (ct <= 4)) | (mp >= 1)
    return rel, ~rel & (np.isnan(ct) | np.isnan(mp))


def _year_arg(value, name: str) -> int:
    """An int-like year (int, numpy integer, or a float with no fraction) as int."""
    if isinstance(value, (bool, np.bool_)):
        raise DataSourceError(f"{name} must be an integer year, not {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    hint = f"; pass {name}=int({value!r})" if isinstance(value, str) and value.strip().lstrip("-").isdigit() else ""
    raise DataSourceError(f"{name} must be an integer year, not {value!r} "
                          f"({type(value).__name__}){hint}")


def _year_span(years: np.ndarray) -> str:
    """'2017–2018' for consecutive years, else the list."""
    ys = [int(y) for y in years]
    if ys and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}" if len(ys) == 1 else f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))


def _state_codes(states) -> np.ndarray:
    """COW codes of ``states`` (codes, ISO3 or names; one value or an iterable)."""
    from ..countries import to_cow

    if isinstance(states, (str, int, np.integer)):
        states = [states]
    vals = list(states)
    if not vals:
        raise DataSourceError("states= is empty; pass COW codes, ISO3 codes or names, or None for all")
    return np.unique(np.array([to_cow(v) for v in vals], dtype=np.int64))


def _file(p) -> str:
    from pathlib import Path

    return Path(str(p)).name if p is not None else ""


def _path_of(paths, key, rel):
    from ._base import get_data_dir

    p = paths.get(key)
    if p is None and get_data_dir() is not None:
        p = get_data_dir() / rel
    return p


# --- one function per source: returns (columns, source string, coverage) ------

def _b_atop(*, df, year, c1, c2, ukey, sy, grid, paths, directed, portfolio_weights,
            portfolio_measure="s", progress, **_):
    p = _path_of(paths, "atop", "atop/atop5_1_directed_dyad_year.csv.gz")
    a = _atop.read_atop_dyad_year(paths.get("atop"))
    lo, hi = int(a["year"].min()), int(a["year"].max())
    inside = _in_years(year, lo, hi)
    ay, a1, a2 = a["year"].to_numpy(), a["ccode1"].to_numpy(), a["ccode2"].to_numpy()
    pos12 = grid.positions(ay, a1, a2, "12", track="atop")
    pos21 = grid.positions(ay, a1, a2, "21", track="atop")
    cols = {}
    anyob = np.zeros(len(df), bool)
    defn = np.zeros(len(df), bool)
    for c in _atop.ATOP_OBLIGATIONS:
        v = a[c].to_numpy()
        x12 = _take(v, pos12, 0.0)
        x21 = _take(v, pos21, 0.0)
        val = x12 if directed else np.maximum(x12, x21)
        either = np.maximum(x12, x21) > 0
        anyob |= either
        if c == "atop_defense":
            defn = either
        val[~inside] = np.nan
        cols[c] = val
    code = np.where(defn, 0, np.where(anyob, 1, 2))
    code[~inside] = -1
    cols["atop_label"] = pd.Categorical.from_codes(code, categories=ATOP_LABELS)
    with blas_single_thread():
        cols["alliance_portfolio_similarity"] = _portfolio_similarity(
            a, year, c1, c2, sy, lo, hi, portfolio_weights, paths, progress, grid,
            portfolio_measure)
    extra = "" if portfolio_measure == "s" and portfolio_weights == "none" else \
        f"; portfolio {portfolio_measure}, weights {portfolio_weights}"
    return (cols, f"ATOP 5.1 directed dyad-years (Leeds et al.; via peacesciencer), {_file(p)}{extra}",
            (lo, hi))


def _portfolio_similarity(a, year, c1, c2, sy, lo, hi, weights, paths, progress, grid,
                          measure="s"):
    out = np.full(year.shape, np.nan)
    # ordinal tie per directed row, symmetrised below by max over directions
    tie = np.select([(a["atop_defense"] | a["atop_offense"]).to_numpy() > 0,
                     (a["atop_neutral"] | a["atop_consul"]).to_numpy() > 0,
                     a["atop_nonagg"].to_numpy() > 0], [3.0, 2.0, 1.0], 0.0)
    ay = a["year"].to_numpy()
    order = np.argsort(year, kind="stable")
    ys = year[order]
    cinc = _cow.read_nmc(paths.get("nmc")) if weights == "capability" else None
    aorder = np.argsort(ay, kind="stable")
    ays = ay[aorder]
    for y, states in progress_bar(list(_year_matrices(year, sy)), desc="alliance portfolios",
                                  enable=progress):
        if y < lo or y > hi:
            continue
        n = states.size
        T = np.zeros((n, n))
        s0, s1 = np.searchsorted(ays, [y, y + 1])
        rows = aorder[s0:s1]
        i = np.searchsorted(states, a["ccode1"].to_numpy()[rows])
        j = np.searchsorted(states, a["ccode2"].to_numpy()[rows])
        ok = (i < n) & (j < n)
        ok[ok] &= (states[i[ok]] == a["ccode1"].to_numpy()[rows][ok]) & \
                  (states[j[ok]] == a["ccode2"].to_numpy()[rows][ok])
        np.maximum.at(T, (i[ok], j[ok]), tie[rows][ok])
        T = np.maximum(T, T.T)
        np.fill_diagonal(T, 3.0)
        w = None
        if cinc is not None:
            cy = cinc[cinc["year"] == y]
            w = pd.Series(cy["cinc"].to_numpy(), index=cy["ccode"].to_numpy()).reindex(states).to_numpy()
            w = np.nan_to_num(w, nan=0.0)
        S = pairwise_similarity(T, w, measure=measure, distance="absolute", dmax=3.0,
                                categories=[0.0, 1.0, 2.0, 3.0], exclude_pair=True)
        r0, r1 = np.searchsorted(ys, [y, y + 1])
        rr = order[r0:r1]
        out[rr] = S[np.searchsorted(states, c1[rr]), np.searchsorted(states, c2[rr])]
    return out


def _b_trade(*, df, year, c1, c2, ukey, lo_c, hi_c, grid, paths, trade_absent, **_):
    p = _path_of(paths, "trade", "cow/cow_trade_ndy_v4.csv.gz")
    t = _cow.read_trade_dyadic(paths.get("trade"))
    lo, hi = int(t["year"].min()), int(t["year"].max())
    inside = _in_years(year, lo, hi)
    pos = grid.positions(t["year"], t["ccode1"], t["ccode2"], track="trade")
    total = t["flow1"].to_numpy() + t["flow2"].to_numpy()  # NaN if either flow missing
    trade = _take(total, pos, 0.0 if trade_absent == "zero" else np.nan)
    nat = _cow.read_trade_national(paths.get("trade_national"))
    tot = nat["imports"].to_numpy() + nat["exports"].to_numpy()
    t1 = grid.state_values(nat["year"], nat["ccode"], tot, "lo")
    t2 = grid.state_values(nat["year"], nat["ccode"], tot, "hi")
    notes = {}
    if trade_absent == "auto":
        flows = np.nan_to_num(t["flow1"].to_numpy()) + np.nan_to_num(t["flow2"].to_numpy())
        ty = t["year"].to_numpy()
        listed = pd.Series(np.concatenate([flows, flows])).groupby(
            [np.concatenate([ty, ty]),
             np.concatenate([t["ccode1"].to_numpy(), t["ccode2"].to_numpy()])]).sum()
        ly = listed.index.get_level_values(0).to_numpy()
        lc = listed.index.get_level_values(1).to_numpy()
        l1 = grid.state_values(ly, lc, listed.to_numpy(), "lo")
        l2 = grid.state_values(ly, lc, listed.to_numpy(), "hi")
        with np.errstate(invalid="ignore", divide="ignore"):
            ok = ((t1 > 0) & (np.nan_to_num(l1) >= TRADE_COVERAGE_MIN * t1)
                  & (t2 > 0) & (np.nan_to_num(l2) >= TRADE_COVERAGE_MIN * t2))
        absent = (pos < 0) & inside
        trade[absent & ok] = 0.0
        notes["absent_set_nan"] = int((absent & ~ok).sum())
        notes["absent_set_zero"] = int((absent & ok).sum())
    trade[~inside] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        s1 = np.where(t1 > 0, 100.0 * trade / t1, np.nan)
        s2 = np.where(t2 > 0, 100.0 * trade / t2, np.nan)
    dep = np.fmin(s1, s2)
    dep[np.isnan(s1) | np.isnan(s2)] = np.nan
    grid.notes["trade"] = notes
    return ({"trade_usd": trade, "trade_dependence": dep},
            f"COW Trade 4.0 (Barbieri & Keshk), {_file(p)} + national totals", (lo, hi))


def _b_igo(*, year, ukey, grid, paths, **_):
    p = _path_of(paths, "igo", "cow/cow_igo_ndy.csv.gz")
    g = _cow.read_igo_dyadic(paths.get("igo"))
    pos = grid.positions(g["year"], g["ccode1"], g["ccode2"], track="igo")
    return ({"shared_igo_memberships": _take(g["dyadigos"].to_numpy(), pos)},
            f"COW IGO 3.0 (Pevehouse et al.), {_file(p)}; includes alliance organisations",
            (int(g["year"].min()), int(g["year"].max())))


def _spell_table(df, lo=None, hi=None):
    """(row positions, years) of every year covered by the frame's start_year–end_year spells."""
    from ._base import spells_to_years

    return spells_to_years(df["start_year"], df["end_year"], lo, hi)


def _b_contiguity(*, year, ukey, grid, paths, **_):
    p = _path_of(paths, "contiguity", "cow/cow_contdir.csv")
    c = _cow.read_contiguity(paths.get("contiguity"))
    lo, hi = int(c["start_year"].min()), int(c["end_year"].max())
    c = c[c["conttype"] > 0]  # conttype 0 = not contiguous
    idx, yrs = _spell_table(c)
    k = _key(yrs, c["ccode1"].to_numpy()[idx], c["ccode2"].to_numpy()[idx])
    typ = c["conttype"].to_numpy()[idx].astype(float)
    # several spells in one year (type changed): keep the closest type
    s = pd.Series(typ).groupby(k).min()
    sk = s.index.to_numpy()
    pos = grid.positions(sk // _KEY, (sk % _KEY) // 1000, sk % 1000)
    val = _take(s.to_numpy(), pos, 0.0)
    val[~_in_years(year, lo, hi)] = np.nan
    return {"contiguity": val}, f"COW Direct Contiguity 3.2, {_file(p)}", (lo, hi)


def _b_distance(*, year, ukey, grid, paths, **_):
    p = _path_of(paths, "distance", "cow/cow_mindist.csv.gz")
    m = _cow.read_mindist(paths.get("distance"))
    pos = grid.positions(m["year"], m["ccode1"], m["ccode2"], track="distance")
    return ({"mindist": _take(m["mindist"].to_numpy(), pos)},
            f"minimum distance (Schvitz et al. cshapes; via peacesciencer), {_file(p)}",
            (int(m["year"].min()), int(m["year"].max())))


def _b_majors(*, year, lo_c, hi_c, grid, paths, **_):
    p = _path_of(paths, "majors", "cow/cow_majors.csv")
    mj = _cow.read_major_powers(paths.get("majors"))
    lo, hi = int(mj["start_year"].min()), int(mj["end_year"].max())
    idx, yrs = _spell_table(mj)
    mc = mj["ccode"].to_numpy()[idx]
    one = np.ones(yrs.size)
    m1 = grid.state_values(yrs, mc, one, "lo")
    m2 = grid.state_values(yrs, mc, one, "hi")
    val = np.nan_to_num(m1) + np.nan_to_num(m2)
    val[~_in_years(year, lo, hi)] = np.nan
    return {"major_powers": val}, f"COW Major Powers 2016, {_file(p)}", (lo, hi)


def _b_democracy(*, year, lo_c, hi_c, grid, paths, **_):
    p = _path_of(paths, "democracy", "democracy/isard_cw_democracy.csv")
    d = _cow.read_democracy(paths.get("democracy"))
    p1 = grid.state_values(d["year"], d["ccode"], d["polity2"], "lo")
    p2 = grid.state_values(d["year"], d["ccode"], d["polity2"], "hi")
    jd = ((p1 >= 6) & (p2 >= 6)).astype(float)
    jd[np.isnan(p1) | np.isnan(p2)] = np.nan
    return ({"joint_democracy": jd}, f"Polity2 via isard (cw_democracy), {_file(p)}",
            (int(d["year"].min()), int(d["year"].max())))


def _b_nmc(*, year, lo_c, hi_c, grid, paths, **_):
    p = _path_of(paths, "nmc", "cow/cow_nmc_v7.csv")
    n = _cow.read_nmc(paths.get("nmc"))
    a = grid.state_values(n["year"], n["ccode"], n["cinc"], "lo")
    b = grid.state_values(n["year"], n["ccode"], n["cinc"], "hi")
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.fmax(a, b) / np.fmin(a, b)
    r[~np.isfinite(r)] = np.nan
    return ({"capability_ratio": r}, f"COW National Material Capabilities 7.0, {_file(p)}",
            (int(n["year"].min()), int(n["year"].max())))


def _b_rivalries(*, year, c1, c2, ukey, sy, grid, paths, rivalries, progress, **_):
    rel = "cow/tss_rivalries.csv" if rivalries == "tss" else "cow/td_rivalries.csv"
    p = _path_of(paths, "rivalries", rel)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = _cow.read_rivalries(paths.get("rivalries"), kind=rivalries)
    for w in caught:  # re-emit at the caller's level
        warnings.warn(w.message, w.category, stacklevel=3)  # _b_* -> build_dyad_years -> caller
    lo = max(1816, int(r["start_year"].min()))
    hi = int(r["end_year"].max())
    idx, yrs = _spell_table(r, lo, hi)
    e = pd.DataFrame({"year": yrs, "a": r["ccode1"].to_numpy()[idx],
                      "b": r["ccode2"].to_numpy()[idx]}).drop_duplicates(ignore_index=True)
    riv = (grid.positions(e["year"], e["a"], e["b"]) >= 0).astype(float)
    # shared rivals: join the year's rivalry edges with themselves on the common rival
    both = pd.concat([e.rename(columns={"a": "k", "b": "x"}), e.rename(columns={"b": "k", "a": "x"})],
                     ignore_index=True)
    j = both.merge(both, on=["year", "k"], suffixes=("1", "2"))
    j = j[j["x1"] < j["x2"]]
    cnt = j.groupby(["year", "x1", "x2"], as_index=False).size()
    pos = grid.positions(cnt["year"], cnt["x1"], cnt["x2"])
    shared = _take(cnt["size"].to_numpy(), pos, 0.0)
    outside = ~_in_years(year, lo, hi)
    riv[outside] = np.nan
    shared[outside] = np.nan
    name = "Thompson & Dreyer" if rivalries == "td" else "Thompson, Sakuwa & Suhas"
    return ({"strategic_rivalry": riv, "shared_rivals": shared},
            f"strategic rivalries ({name}; via peacesciencer), {_file(p)}", (lo, hi))


def _b_unvotes(*, year, ukey, grid, paths, progress, **_):
    p = _path_of(paths, "unvotes", "unvotes/unvotes_un_votes.csv.gz")
    v = read_un_votes(paths.get("unvotes"), paths.get("roll_calls"))
    ylo, yhi = int(year.min()), int(year.max())
    ag = un_vote_agreement(v, ylo, yhi, progress=progress)
    pos = grid.positions(ag["year"], ag["ccode1"], ag["ccode2"], track="unvotes")
    cov = (int(v["year"].min()), int(v["year"].max()))
    return ({"unga_agreement": _take(ag["unga_agreement"].to_numpy(), pos),
             "unga_common_votes": _take(ag["unga_common_votes"].to_numpy(), pos)},
            f"UNGA roll-call votes (Voeten; R package unvotes 0.3.0), {_file(p)}", cov)


def _b_idealpoints(*, df, year, lo_c, hi_c, paths, **_):
    p = _path_of(paths, "idealpoints", "unga_idealpoints/IdealpointsJuly2025.dta")
    ip = read_ideal_points(paths.get("idealpoints"))
    pairs = pd.DataFrame({"ccode1": lo_c, "ccode2": hi_c, "year": year})
    col = "idealpointfp" if str(p).lower().endswith(".dta") else "IdealPoint"
    return ({"unga_ideal_point_distance": ideal_point_distance(ip, pairs)},
            f"UNGA ideal points (Bailey, Strezhnev & Voeten), {_file(p)} [{col}]",
            (int(ip["year"].min()), int(ip["year"].max())))


def _b_sipri(*, year, ukey, grid, paths, **_):
    p = _path_of(paths, "sipri", "sipri/sipri-exports-processed.csv")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = read_sipri(paths.get("sipri"))
    for w in caught:
        warnings.warn(w.message, w.category, stacklevel=3)  # _b_* -> build_dyad_years -> caller
    lo, hi = int(s["year"].min()), int(s["year"].max())
    d = sipri_dyad_year(s)
    pos = grid.positions(d["year"], d["ccode1"], d["ccode2"], track="sipri")
    val = _take(d["arms_transfers_tiv"].to_numpy(), pos, 0.0)
    val[~_in_years(year, lo, hi)] = np.nan
    return ({"arms_transfers_tiv": val},
            f"SIPRI Arms Transfers Database (TIV; processed by 360info, CC BY 4.0), {_file(p)}", (lo, hi))


def _b_icews(*, year, ukey, grid, paths, directed, **_):
    p = _path_of(paths, "icews", "icews/netify_icews_dyadyear_2002_2014.csv.gz")
    e = read_icews_dyad_year(paths.get("icews"))
    ey, e1, e2 = e["year"].to_numpy(), e["ccode1"].to_numpy(), e["ccode2"].to_numpy()
    pos12 = grid.positions(ey, e1, e2, "12", track="icews")
    pos21 = grid.positions(ey, e1, e2, "21", track="icews")
    # the file lists every ordered pair of its countries: a missing direction = unknown
    cols = {ICEWS_INDICATORS[c]: _take(e[c].to_numpy(), pos12) + _take(e[c].to_numpy(), pos21)
            for c in ICEWS_COUNTS}
    return (cols, f"ICEWS event counts by quad class (Boschee et al.; via netify), {_file(p)}",
            (int(ey.min()), int(ey.max())))


_BUILDERS = {"atop": _b_atop, "trade": _b_trade, "igo": _b_igo, "contiguity": _b_contiguity,
             "distance": _b_distance, "majors": _b_majors, "democracy": _b_democracy,
             "nmc": _b_nmc, "rivalries": _b_rivalries, "unvotes": _b_unvotes,
             "idealpoints": _b_idealpoints, "sipri": _b_sipri, "icews": _b_icews}


def to_observations(dy: pd.DataFrame, indicators: Sequence[str] | None = None, *,
                    confidence: str = "confirmed", note: str = "",
                    keep_missing: bool = False) -> pd.DataFrame:
    """Long observations (contract §2) from a :func:`build_dyad_years` frame.

    Parameters
    ----------
    dy : DataFrame
        Non-directed output of :func:`build_dyad_years`.
    indicators : sequence of str, optional
        Catalog indicator columns to keep (default: every column of ``dy`` that is a
        catalog indicator).
    keep_missing : bool
        Keep rows whose value is NaN (written as empty = "not observed").

    Returns
    -------
    DataFrame ``dyad, year, indicator, value, confidence, source, note`` with the dyad
    as canonical ISO3 ids (:func:`alliance_index.countries.cow_to_iso3`) and
    ``source`` naming the dataset, version and file.
    """
    if dy.attrs.get("directed"):
        raise DataSourceError("to_observations needs a non-directed frame (directed=False)")
    from ..catalog import catalog
    from ..countries import cow_to_iso3

    known = set(catalog().index)
    if indicators is None:
        indicators = [c for c in dy.columns if c in known]
    else:
        bad = [c for c in indicators if c not in dy.columns]
        if bad:
            raise DataSourceError(f"column(s) {bad} not in the dyad-year frame; have "
                                  f"{[c for c in dy.columns if c in known]}")
    srcs = dy.attrs.get("sources", {})
    codes = np.unique(np.concatenate([dy["ccode1"].to_numpy(), dy["ccode2"].to_numpy()]))
    iso = dict(zip(codes.tolist(), cow_to_iso3(codes).tolist()))
    a = pd.Series(dy["ccode1"].to_numpy()).map(iso).to_numpy(dtype=object)
    b = pd.Series(dy["ccode2"].to_numpy()).map(iso).to_numpy(dtype=object)
    dyad = np.where(a < b, a + "-" + b, b + "-" + a)
    frames = []
    for ind in indicators:
        val = dy[ind].to_numpy(dtype=float)
        keep = np.ones(val.size, bool) if keep_missing else ~np.isnan(val)
        frames.append(pd.DataFrame({
            "dyad": dyad[keep], "year": dy["year"].to_numpy()[keep].astype("int64"),
            "indicator": ind, "value": val[keep], "confidence": confidence,
            "source": srcs.get(INDICATOR_SOURCE.get(ind, ""), ""), "note": note}))
    if not frames:
        return pd.DataFrame(columns=["dyad", "year", "indicator", "value", "confidence", "source", "note"])
    return pd.concat(frames, ignore_index=True)
