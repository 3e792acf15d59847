"""alliance_index: is a partnership between two states an alliance or a partnership of convenience?

Measure cooperation and discord between two states with a transparent
composite index, calibrate it against real alliance data, and run scenarios.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .catalog import catalog, register_indicator, unregister_indicator
from .countries import dyad_id, parse_dyad, resolve
from .observations import (
    list_dyads,
    load_panel,
    load_status,
    read_observations,
    validate_observations,
    write_observations,
)
from .panel import Panel, to_panel

__all__ = [
    "__version__",
    "catalog",
    "register_indicator",
    "unregister_indicator",
    "dyad_id",
    "parse_dyad",
    "resolve",
    "list_dyads",
    "load_panel",
    "load_status",
    "read_observations",
    "validate_observations",
    "write_observations",
    "Panel",
    "to_panel",
]
