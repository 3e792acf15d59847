"""Ready plots of uncertainty results (matplotlib, no pyplot state)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import MethodError
from .montecarlo import UncertaintyResult
from .sobol import SobolResult

__all__ = ["plot_rank_intervals", "plot_sensitivity"]


def _new_axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    return fig.add_subplot(1, 1, 1)


def plot_rank_intervals(
    result: UncertaintyResult | pd.DataFrame,
    ax: Any = None,
    *,
    year: int | None = None,
    dyads: Sequence[str] | None = None,
    low: str | None = None,
    high: str | None = None,
) -> Any:
    """Rank of each dyad with its uncertainty interval (one year).

    Parameters
    ----------
    result : UncertaintyResult or DataFrame
        A :func:`monte_carlo` result, or a frame with ``rank_p<low>``,
        ``rank_p50``, ``rank_p<high>`` columns (e.g. :func:`rank_percentiles`),
        indexed by dyad or (dyad, year).
    ax : matplotlib Axes, optional
        Drawn on a new Figure (not pyplot) when omitted.
    year : int, optional
        Year to show when rows are (dyad, year); default the latest year.
    dyads : sequence of str, optional
        Subset of dyads to show.
    low, high : str, optional
        Columns of the interval ends (default: lowest and highest ``rank_p*``).

    Returns
    -------
    matplotlib.axes.Axes
        Dyads sorted by median rank (best at top); bar = interval, dot = median,
        cross = baseline rank when available.
    """
    df = result.summary if isinstance(result, UncertaintyResult) else result
    if not isinstance(df, pd.DataFrame):
        raise MethodError("plot_rank_intervals needs an UncertaintyResult or a DataFrame of rank percentiles.")
    if isinstance(df.index, pd.MultiIndex) and "year" in df.index.names:
        years = df.index.get_level_values("year")
        y = int(years.max()) if year is None else int(year)
        if y not in set(years):
            raise MethodError(f"year {y} is not in the result (years {int(years.min())}-{int(years.max())}).")
        df = df.xs(y, level="year")
        title_year = f" ({y})"
    else:
        title_year = ""
    pc = [c for c in df.columns if c.startswith("rank_p") and c[6:].replace(".", "", 1).isdigit()]
    if not pc or "rank_p50" not in df.columns:
        raise MethodError(f"no rank percentile columns (rank_p50, ...) in {list(df.columns)}.")
    pc = sorted(pc, key=lambda c: float(c[6:]))
    low = low or pc[0]
    high = high or pc[-1]
    if dyads is not None:
        df = df.loc[list(dyads)]
    df = df.sort_values("rank_p50", ascending=False)
    ax = _new_axes(ax, (6.0, max(2.5, 0.3 * len(df) + 1)))
    pos = np.arange(len(df))
    lo, med, hi = (df[c].to_numpy(dtype=float) for c in (low, "rank_p50", high))
    ax.hlines(pos, lo, hi, color="tab:blue", lw=3, alpha=0.6, label=f"{low[5:]}–{high[5:]} interval")
    ax.plot(med, pos, "o", color="tab:blue", label="median rank")
    if "rank_baseline" in df.columns:
        ax.plot(df["rank_baseline"].to_numpy(dtype=float), pos, "x", color="black", label="baseline rank")
    ax.set_yticks(pos)
    ax.set_yticklabels([str(i) for i in df.index])
    ax.invert_xaxis()
    ax.set_xlabel("rank (1 = highest index)")
    ax.set_ylabel("dyad")
    ax.set_title(f"Rank under the declared modelling choices{title_year}")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_sensitivity(
    result: SobolResult,
    ax: Any = None,
    *,
    output: Any = None,
) -> Any:
    """Bar chart of first-order and total Sobol indices per choice.

    Parameters
    ----------
    result : SobolResult
    ax : matplotlib Axes, optional
    output : label, optional
        One output (e.g. ``("IRN-RUS", 2023)``); default: the mean over all
        outputs with finite indices (error bars then show the spread
        between the 5th and 95th percentiles over outputs, not bootstrap intervals).

    Returns
    -------
    matplotlib.axes.Axes
    """
    if not isinstance(result, SobolResult):
        raise MethodError("plot_sensitivity needs a SobolResult (from sensitivity() or sobol_indices()).")
    f = len(result.factors)
    if output is not None:
        try:
            j = result.outputs.get_loc(output)
        except KeyError:
            raise MethodError(f"output {output!r} is not in the result.") from None
        s1, st = result.S1[:, j], result.ST[:, j]
        e1 = np.abs(result.S1_ci[:, :, j] - s1)
        et = np.abs(result.ST_ci[:, :, j] - st)
        what = " ".join(str(x) for x in output) if isinstance(output, tuple) else str(output)
    else:
        ok = np.isfinite(result.ST).all(axis=0) & np.isfinite(result.S1).all(axis=0)
        if not ok.any():
            raise MethodError("no output has finite Sobol indices (nothing varied).")
        s1, st = result.S1[:, ok].mean(axis=1), result.ST[:, ok].mean(axis=1)
        q1 = np.percentile(result.S1[:, ok], [5, 95], axis=1)
        qt = np.percentile(result.ST[:, ok], [5, 95], axis=1)
        e1, et = np.abs(q1 - s1), np.abs(qt - st)
        what = f"mean over {int(ok.sum())} outputs"
    ax = _new_axes(ax, (6.0, 3.5))
    x = np.arange(f)
    w = 0.38
    ax.bar(x - w / 2, s1, w, yerr=np.nan_to_num(e1), capsize=3, label="first order $S_i$")
    ax.bar(x + w / 2, st, w, yerr=np.nan_to_num(et), capsize=3, label="total $S_{Ti}$")
    ax.set_xticks(x)
    ax.set_xticklabels(result.factors, rotation=20, ha="right")
    ax.set_ylabel("Sobol index (share of variance)")
    ax.set_xlabel("modelling choice")
    ax.set_title(f"Sensitivity of the index to each choice ({what})")
    ax.axhline(0, color="grey", lw=0.8)
    ax.legend(fontsize="small")
    return ax
