"""Uncertainty and sensitivity analysis of the composite index (issue 6)."""
from __future__ import annotations

from .sobol import SobolResult, sobol_indices

__all__ = ["SobolResult", "sobol_indices"]
