"""Scenarios: shocks, projections and simulated trajectories toward (or away from) a de jure alliance.

Public API: :class:`Scenario` (``Scenario.from_yaml(path).run(obs=None)``),
:class:`ScenarioSet`, :class:`Shock`, :func:`run_set`, :class:`ScenarioResult`,
:func:`trend_test`, :func:`project`.
"""
from __future__ import annotations

from .spec import OPS, PROJECTION_METHODS, Scenario, ScenarioSet, Shock, scenario_set

__all__ = ["OPS", "PROJECTION_METHODS", "Scenario", "ScenarioSet", "Shock", "scenario_set",
           "run_set", "ScenarioResult", "ScenarioSetResult", "trend_test", "trend_records", "project"]


def __getattr__(name):  # lazy: keep `import alliance_index` light
    if name in ("run_set", "simulate"):
        from . import simulate as _s

        return getattr(_s, name)
    if name in ("ScenarioResult", "ScenarioSetResult"):
        from . import results as _r

        return getattr(_r, name)
    if name in ("trend_test", "trend_records"):
        from . import trend as _t

        return getattr(_t, name)
    if name in ("project", "Projection"):
        from . import projection as _p

        return getattr(_p, name)
    raise AttributeError(name)
