"""Event data (CAMEO/PLOVER coded: ICEWS, GDELT, POLECAT) into dyad indicators.

Readers (:mod:`.readers`), the project's CAMEO code tables (:mod:`.codes`) and
the aggregation to dyad × period with pandas, DuckDB or Dask engines
(:mod:`.aggregate`).  DuckDB/pyarrow are the optional extra ``events``, Dask the
extra ``dask``; both are imported only when used.
"""
from __future__ import annotations

from .aggregate import EVENT_INDICATORS, REASONS, EventReport, aggregate_events, event_report, to_observations
from .codes import (
    PLOVER_EVENTS,
    QUAD_CLASSES,
    QuadRules,
    cameo_table,
    cameo_to_plover,
    code_table,
    goldstein,
    plover_quad_class,
    plover_table,
    quad_class,
)
from .readers import FORMATS, GDELT1_COLUMNS, GDELT2_COLUMNS, read_events, read_gdelt, read_icews

__all__ = [
    "EVENT_INDICATORS", "REASONS", "EventReport", "aggregate_events", "event_report", "to_observations",
    "PLOVER_EVENTS", "QUAD_CLASSES", "QuadRules", "cameo_table", "cameo_to_plover", "code_table",
    "goldstein", "plover_quad_class", "plover_table", "quad_class",
    "FORMATS", "GDELT1_COLUMNS", "GDELT2_COLUMNS", "read_events", "read_gdelt", "read_icews",
]
