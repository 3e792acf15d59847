"""Scenarios: shocks, projections and simulated trajectories toward (or away from) a de jure alliance.

Public API: :class:`Scenario` (``Scenario.from_yaml(path).run(obs=None)``),
:class:`ScenarioSet`, :class:`Shock`, :func:`run_set`, :class:`ScenarioResult`,
:func:`trend_test`, :func:`project`.
"""
from __future__ import annotations

from .spec import OPS, PROJECTION_METHODS, Scenario, ScenarioSet, Shock, scenario_set

__all__ = ["OPS", "PROJECTION_METHODS", "Scenario", "ScenarioSet", "Shock", "scenario_set",
           "run_set", "ScenarioResult", "ScenarioSetResult", "trend_test", "trend_records", "project"]


_LAZY = {
    "run_set": "simulate", "ScenarioResult": "results", "ScenarioSetResult": "results",
    "trend_test": "trend", "trend_records": "trend", "project": "projection", "Projection": "projection",
}


def __getattr__(name):  # lazy: keep `import alliance_index` light
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'alliance_index.scenarios' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{mod}"), name)
