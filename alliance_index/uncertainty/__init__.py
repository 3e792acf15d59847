"""Uncertainty and sensitivity analysis of the composite index (issue 6).

* :class:`Choice`, :class:`WeightPerturbation`, :class:`ChoiceSpace` declare the
  modelling choices and their probabilities.
* :func:`monte_carlo` runs the model over random draws of the space and reports,
  per dyad-year, index and rank percentiles and how often the verdict changes.
* :func:`sensitivity` gives first-order and total Sobol indices of each choice
  per dyad-year; :func:`sobol_indices` is the generic estimator behind it.
* :func:`rank_percentiles` is the chunked fast path for linear scores under
  many weight draws (optionally on Dask).
* :func:`plot_rank_intervals`, :func:`plot_sensitivity` draw the results.
"""
from __future__ import annotations

from .montecarlo import (
    CompositeModel,
    UncertaintyResult,
    VerdictClassifier,
    check_choices_vary,
    composite_model,
    monte_carlo,
    rank_within_year,
    sensitivity,
)
from .plots import plot_rank_intervals, plot_sensitivity
from .ranks import draw_ranks, rank_percentiles
from .sobol import SobolProblemError, SobolResult, sobol_indices
from .space import Choice, ChoiceError, ChoiceSpace, WeightPerturbation

__all__ = [
    "Choice",
    "ChoiceError",
    "ChoiceSpace",
    "WeightPerturbation",
    "UncertaintyResult",
    "SobolResult",
    "SobolProblemError",
    "monte_carlo",
    "sensitivity",
    "sobol_indices",
    "rank_percentiles",
    "draw_ranks",
    "rank_within_year",
    "check_choices_vary",
    "composite_model",
    "CompositeModel",
    "VerdictClassifier",
    "plot_rank_intervals",
    "plot_sensitivity",
]
