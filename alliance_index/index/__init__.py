"""Composite index engine: normalise, weight and aggregate indicators into the alliance index.

Public API: :class:`CompositeIndex` (scikit-learn estimator), :func:`score`,
:func:`compare`, :func:`to_json_records`, and the method families
:data:`NORMALISERS`, :data:`WEIGHTERS`, :data:`AGGREGATORS`, :data:`IMPUTERS`
(each chosen by name).
"""
from __future__ import annotations

from .aggregate import AGGREGATORS, aggregate
from .audit import cronbach_alpha
from .composite import SCORE_COLUMNS, Audit, CompositeIndex, compare, score, to_json_records
from .impute import IMPUTERS, impute
from .normalise import NORMALISERS, normalise
from .weights import WEIGHTERS, compute_weights

__all__ = [
    "AGGREGATORS",
    "IMPUTERS",
    "NORMALISERS",
    "WEIGHTERS",
    "Audit",
    "CompositeIndex",
    "SCORE_COLUMNS",
    "compare",
    "score",
    "to_json_records",
    "aggregate",
    "compute_weights",
    "cronbach_alpha",
    "impute",
    "normalise",
]
