"""Build (and cache) the real dyad-year frame the historical and formation models use."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

#: builder sources used by the models (ICEWS is left out: it covers 2002–2014 only)
MODEL_SOURCES: tuple[str, ...] = ("atop", "trade", "igo", "contiguity", "distance", "majors", "democracy",
                                  "nmc", "rivalries", "unvotes", "idealpoints", "sipri")


def real_frame(start: int = 1946, end: int = 2018, *, data_dir=None, cache: str | Path | None = None,
               progress: bool = False) -> pd.DataFrame:
    """Non-directed dyad-years from :func:`~alliance_index.sources.build_dyad_years` for the models.

    Rivalries are Thompson, Sakuwa & Suhas (to 2020) so that ``shared_rivals`` covers the
    1996–2014 test years. ``attrs["sources"]`` records dataset versions. With ``cache`` the
    frame is kept as a parquet file (never commit it: it is derived from the real data).
    """
    from ..sources import build_dyad_years, set_data_dir

    if cache is not None and Path(cache).is_file():
        dy = pd.read_parquet(cache)
        meta = Path(str(cache) + ".sources.txt")
        if meta.is_file():
            dy.attrs["sources"] = dict(line.split("\t", 1) for line in meta.read_text().splitlines() if "\t" in line)
        return dy
    if data_dir is not None:
        set_data_dir(data_dir)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dy = build_dyad_years(start, end, sources=list(MODEL_SOURCES), rivalries="tss", progress=progress)
    finally:
        if data_dir is not None:
            set_data_dir(None)
    if cache is not None:
        src = dy.attrs.get("sources", {})
        out = dy.copy()
        out.attrs = {}
        out.to_parquet(cache)
        Path(str(cache) + ".sources.txt").write_text("".join(f"{k}\t{v}\n" for k, v in src.items()))
    return dy
