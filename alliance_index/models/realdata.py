"""Build (and cache) the real dyad-year frame the historical and formation models use."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

#: builder sources used by the models (ICEWS is left out: it covers 2002–2014 only)
MODEL_SOURCES: tuple[str, ...] = ("atop", "trade", "igo", "contiguity", "distance", "majors", "democracy",
                                  "nmc", "rivalries", "unvotes", "idealpoints", "sipri")

#: rivalry data set the models use (Thompson, Sakuwa & Suhas, to 2020)
MODEL_RIVALRIES = "tss"


def _sidecar(cache) -> Path:
    return Path(str(cache) + ".sources.txt")


def _read_sidecar(cache) -> tuple[dict[str, str], dict[str, str]]:
    """(source descriptions, build options) of a cache's sidecar; options are the ``#key`` lines."""
    meta = _sidecar(cache)
    if not meta.is_file():
        return {}, {}
    pairs = [line.split("\t", 1) for line in meta.read_text(encoding="utf-8").splitlines() if "\t" in line]
    return ({k: v for k, v in pairs if not k.startswith("#")},
            {k[1:]: v for k, v in pairs if k.startswith("#")})


def _cache_mismatch(dy: pd.DataFrame, sources: dict[str, str], opts: dict[str, str],
                    start: int, end: int, data_dir: Path | None) -> list[str]:
    """Why a cached frame does not answer the request (empty list: it does).

    A sidecar written before the options were recorded is judged by what it and the
    frame contain: years (from the frame), sources and rivalry set (from the source
    lines); its data folder is unknown and not compared.
    """
    why = []
    if "start" in opts:
        years = (int(opts["start"]), int(opts["end"]))
        srcs = tuple(s for s in opts.get("sources", "").split(",") if s)
        riv = opts.get("rivalries")
        built_dir = opts.get("data_dir") or None
    else:
        yr = dy["year"] if "year" in dy.columns else pd.Series([], dtype="int64")
        years = (int(yr.min()), int(yr.max())) if len(yr) else None
        srcs = tuple(sources) if sources else None
        riv = None
        if "rivalries" in sources:
            riv = "tss" if "Sakuwa" in sources["rivalries"] else "td"
        built_dir = None
    if years is not None and years != (start, end):
        why.append(f"years {years[0]}–{years[1]}, asked {start}–{end}")
    if srcs is not None and set(srcs) != set(MODEL_SOURCES):
        why.append(f"sources {sorted(srcs)}, need {sorted(MODEL_SOURCES)}")
    if riv is not None and riv != MODEL_RIVALRIES:
        why.append(f"rivalries {riv!r}, need {MODEL_RIVALRIES!r}")
    if built_dir is not None and data_dir is not None and Path(built_dir) != data_dir:
        why.append(f"data folder {built_dir}, asked {data_dir}")
    return why


def real_frame(start: int = 1946, end: int = 2018, *, data_dir=None, cache: str | Path | None = None,
               progress: bool = False) -> pd.DataFrame:
    """Non-directed dyad-years from :func:`~alliance_index.sources.build_dyad_years` for the models.

    Rivalries are Thompson, Sakuwa & Suhas (to 2020) so that ``shared_rivals`` covers the
    1996–2014 test years. ``attrs["sources"]`` records dataset versions. With ``cache`` the
    frame is kept as a parquet file (never commit it: it is derived from the real data)
    with a ``<cache>.sources.txt`` sidecar recording the sources and the build options
    (years, source list, rivalry set, data folder). A cache built with other options is
    rebuilt and overwritten, with a warning saying why. A sidecar from before the options
    were recorded is judged by the years in the frame and its source lines. ``data_dir``
    applies to this build only: the folder set before (``set_data_dir``) is restored.
    """
    from ..sources import _base, build_dyad_years, get_data_dir, set_data_dir

    if data_dir is not None:
        want_dir = Path(data_dir).expanduser().resolve()
    else:
        cur = get_data_dir()
        want_dir = Path(cur).resolve() if cur is not None else None
    if cache is not None and Path(cache).is_file():
        dy = pd.read_parquet(cache)
        sources, opts = _read_sidecar(cache)
        why = _cache_mismatch(dy, sources, opts, start, end, want_dir)
        if not why:
            dy.attrs["sources"] = sources
            return dy
        warnings.warn(f"cache {str(cache)!r} was built with other options ({'; '.join(why)}): "
                      "rebuilding it and overwriting the file", UserWarning, stacklevel=2)
        del dy
    previous = _base._DATA_DIR
    if data_dir is not None:
        set_data_dir(data_dir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dy = build_dyad_years(start, end, sources=list(MODEL_SOURCES), rivalries=MODEL_RIVALRIES,
                                  progress=progress)
        used_dir = get_data_dir()
    finally:
        if data_dir is not None:
            set_data_dir(previous)
    if cache is not None:
        src = dy.attrs.get("sources", {})
        out = dy.copy()
        out.attrs = {}
        out.to_parquet(cache)
        opts = {"start": start, "end": end, "sources": ",".join(MODEL_SOURCES), "rivalries": MODEL_RIVALRIES,
                "data_dir": Path(used_dir).resolve() if used_dir is not None else ""}
        _sidecar(cache).write_text("".join(f"{k}\t{v}\n" for k, v in src.items())
                                   + "".join(f"#{k}\t{v}\n" for k, v in opts.items()), encoding="utf-8")
    return dy


def dyad_ids(dy: pd.DataFrame) -> np.ndarray:
    """Canonical ISO3 dyad ids (``"IRN-RUS"``, codes in alphabetical order) of the builder's
    ``ccode1``/``ccode2`` rows; a COW code without an ISO3 code reads ``"?"``."""
    from ..countries import cow_to_iso3
    i1, i2 = (cow_to_iso3(dy[c].to_numpy(), errors="coerce") for c in ("ccode1", "ccode2"))
    i1 = np.where(pd.isna(i1), "?", i1).astype(str)
    i2 = np.where(pd.isna(i2), "?", i2).astype(str)
    lo, hi = np.where(i1 < i2, i1, i2), np.where(i1 < i2, i2, i1)
    return np.char.add(np.char.add(lo, "-"), hi)


def historical_training_rows(dy: pd.DataFrame, years, ids: np.ndarray | None = None) -> np.ndarray:
    """Mask of the shipped historical model's training rows in ``dy``: dyad-years within ``years``
    (first, last) with a known ATOP label, the bundled panel's dyads excluded (so that no bundled
    dyad is later scored by a model that saw its labels). ``ids``: :func:`dyad_ids` of ``dy``, if
    already computed."""
    from ..observations import list_dyads
    ids = dyad_ids(dy) if ids is None else ids
    yr = dy["year"].to_numpy()
    return ((yr >= years[0]) & (yr <= years[1]) & ~np.isin(ids, list_dyads())
            & pd.notna(dy["atop_label"].astype(object).to_numpy()))
