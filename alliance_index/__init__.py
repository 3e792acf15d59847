"""alliance_index: is a partnership between two states an alliance or a partnership of convenience?

Measure cooperation and discord between two states with a transparent
composite index, calibrate it against real alliance data (ATOP), and run
scenarios with honest uncertainty.

>>> import alliance_index as ai
>>> ai.dyad_id("Russia-Iran")
'IRN-RUS'
"""
from __future__ import annotations

import importlib

__version__ = "0.6.0"

from .catalog import catalog, register_indicator, unregister_indicator
from .countries import Country, canonical_dyads, country_table, dyad_id, parse_dyad, resolve, to_cow, to_iso3
from .index import CompositeIndex, compare, score
from .observations import (
    known_status,
    list_dyads,
    load_panel,
    load_status,
    read_observations,
    validate_observations,
    write_observations,
)
from .panel import Panel, to_panel
from .scenarios import Scenario

# Heavier parts load on first use, so `import alliance_index` stays quick.
_LAZY_MODULES = ("similarity", "sources", "events", "uncertainty", "plotting", "report", "models", "scenarios")
_LAZY_ATTRS = {
    "classify": ("models", "classify"),
    "AllianceClassifier": ("models", "AllianceClassifier"),
    "build_dyad_years": ("sources", "build_dyad_years"),
    "aggregate_events": ("events", "aggregate_events"),
    "monte_carlo": ("uncertainty", "monte_carlo"),
    "sensitivity": ("uncertainty", "sensitivity"),
    "trend_test": ("scenarios", "trend_test"),
}

__all__ = [
    "__version__",
    "catalog",
    "register_indicator",
    "unregister_indicator",
    "Country",
    "canonical_dyads",
    "country_table",
    "dyad_id",
    "parse_dyad",
    "resolve",
    "to_cow",
    "to_iso3",
    "list_dyads",
    "load_panel",
    "load_status",
    "known_status",
    "read_observations",
    "validate_observations",
    "write_observations",
    "Panel",
    "to_panel",
    "CompositeIndex",
    "score",
    "compare",
    "Scenario",
    *_LAZY_ATTRS,
    *_LAZY_MODULES,
]


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _LAZY_ATTRS:
        mod, attr = _LAZY_ATTRS[name]
        return getattr(importlib.import_module(f".{mod}", __name__), attr)
    raise AttributeError(f"module 'alliance_index' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
