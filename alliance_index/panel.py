"""Long observations → wide dyad-year panel.

The panel keeps missing as NaN and records, per cell, whether the value was
observed and with what evidence confidence, so later steps (imputation,
confidence weighting, coverage) never confuse "unknown" with "zero".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from .catalog import catalog as _catalog
from .errors import UnknownIndicatorError, suggest
from .observations import CONFIDENCE_FACTORS, validate_observations


@dataclass
class Panel:
    """A wide dyad-year panel.

    Attributes
    ----------
    values : DataFrame
        Index ``(dyad, year)``, one float column per indicator; NaN = not observed.
    observed : DataFrame of bool
        True where a value was observed (not imputed, not missing).
    confidence : DataFrame of float
        Evidence factor of each observed cell (:data:`CONFIDENCE_FACTORS`), NaN elsewhere.
    catalog : DataFrame
        Catalog rows of the columns, in column order.
    imputed : DataFrame of bool
        True where an imputation step filled the cell (all False until imputed).
    """

    values: pd.DataFrame
    observed: pd.DataFrame
    confidence: pd.DataFrame
    catalog: pd.DataFrame
    imputed: pd.DataFrame = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.imputed is None:
            self.imputed = pd.DataFrame(False, index=self.values.index, columns=self.values.columns)

    @property
    def indicators(self) -> list[str]:
        return list(self.values.columns)

    @property
    def index(self) -> pd.MultiIndex:
        return self.values.index  # type: ignore[return-value]

    def coverage(self, core_only: bool = True) -> pd.Series:
        """Share of (core) catalog indicators actually observed, per dyad-year."""
        cols = [c for c in self.values.columns if (not core_only) or bool(self.catalog.loc[c, "core"])]
        n_total = int(_catalog()["core"].sum()) if core_only else len(self.values.columns)
        return self.observed[cols].sum(axis=1) / max(n_total, 1)

    def __len__(self) -> int:
        return len(self.values)


def to_panel(
    obs: pd.DataFrame,
    indicators: Sequence[str] | None = None,
    *,
    validate: bool = True,
    years: Sequence[int] | None = None,
) -> Panel:
    """Pivot long observations to a wide :class:`Panel`.

    Parameters
    ----------
    obs : DataFrame
        Observations (contract §2 columns).
    indicators : sequence of str, optional
        Columns to include, in this order (default: every catalog indicator).
        Indicators with no observation are kept as all-NaN columns.
    validate : bool, default True
        Validate ``obs`` first (skip only for frames that came from
        :func:`read_observations` or :func:`load_panel`).
    years : sequence of int, optional
        Make sure these years exist for every dyad (rows of NaN where nothing was observed).

    Returns
    -------
    Panel
    """
    if validate:
        obs = validate_observations(obs)
    cat = _catalog()
    if indicators is None:
        cols = list(cat.index)
    else:
        cols = list(indicators)
        for c in cols:
            if c not in cat.index:
                raise UnknownIndicatorError(f"Unknown indicator '{c}'.{suggest(c, cat.index)}")
    dy = obs["dyad"].to_numpy(dtype=object)
    yr = obs["year"].to_numpy(dtype="int64")
    keys = pd.MultiIndex.from_arrays([dy, yr], names=["dyad", "year"])
    if years is not None:
        udy = pd.unique(dy)
        full = pd.MultiIndex.from_product([sorted(udy), sorted(set(int(y) for y in years))], names=["dyad", "year"])
        index = full.union(keys.unique()).sort_values()
    else:
        index = keys.unique().sort_values()
    rpos = index.get_indexer(keys)
    colpos = pd.Index(cols).get_indexer(obs["indicator"].to_numpy())
    keep = colpos >= 0
    n, m = len(index), len(cols)
    vals = np.full((n, m), np.nan)
    conf = np.full((n, m), np.nan)
    v = obs["value"].to_numpy(dtype="float64")
    f = obs["confidence"].map(CONFIDENCE_FACTORS).to_numpy(dtype="float64")
    vals[rpos[keep], colpos[keep]] = v[keep]
    observed = ~np.isnan(vals)
    conf[rpos[keep], colpos[keep]] = np.where(np.isnan(v[keep]), np.nan, f[keep])
    mk = lambda a: pd.DataFrame(a, index=index, columns=pd.Index(cols, name="indicator"))  # noqa: E731
    return Panel(values=mk(vals), observed=mk(observed), confidence=mk(conf), catalog=cat.loc[cols].copy())
