"""Figures an analyst would otherwise draw by hand (matplotlib, no global state).

Every function draws on the ``ax`` it is given, or on a new
:class:`matplotlib.figure.Figure` (not a pyplot figure: nothing is registered
with ``pyplot``, ``rcParams`` are never changed, ``plt.show`` is never called),
and returns the :class:`~matplotlib.axes.Axes`; the figure is ``ax.figure``.
In a notebook, end a cell with ``ax.figure`` to display it.

* :func:`plot_domain_profile` -- cooperation and discord in the four domains,
  for one or more dyads (grouped bars, or a radar);
* :func:`plot_timeseries` -- the index (and ``p_de_jure`` when the classifier
  has filled it) over time, with interval bands when present;
* :func:`plot_scenario_fan` -- fan chart of a scenario's simulated trajectories;
* :func:`plot_contributions` -- which indicators push a dyad toward (cooperation)
  or away from (discord) alliance, in index points (:func:`contributions`);
* :func:`plot_rank_intervals` -- rank of each dyad with its uncertainty interval.

Colours are the Okabe–Ito palette (:data:`OKABE_ITO`), distinguishable with the
common forms of colour blindness; series are also told apart by line style or
hatching, so the figures survive greyscale printing.
"""
from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from .catalog import DOMAINS, SIDES
from .errors import DyadError, MethodError, ObservationsError

__all__ = [
    "OKABE_ITO",
    "PALETTE",
    "COOPERATION_COLOR",
    "DISCORD_COLOR",
    "plot_domain_profile",
    "plot_timeseries",
    "plot_scenario_fan",
    "plot_contributions",
    "plot_rank_intervals",
    "contributions",
    "scores_for",
]

#: Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable
#: under protanopia, deuteranopia and tritanopia.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order in which series (dyads, scenarios) take colours.
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["bluish_green"], OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"], OKABE_ITO["vermillion"], OKABE_ITO["black"], OKABE_ITO["yellow"],
)
COOPERATION_COLOR: str = OKABE_ITO["blue"]
DISCORD_COLOR: str = OKABE_ITO["vermillion"]

_NOT_AVAILABLE_P = "p_de_jure: classification not available in this version"


# --------------------------------------------------------------------------- helpers

def _new_axes(ax: Any, size: tuple[float, float], polar: bool = False) -> Any:
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot(1, 1, 1, projection="polar" if polar else None)


def _classifier():
    """The classification hook ``alliance_index.models.attach_classification`` when it can run, else None.

    None when the models package or its shipped fitted models are not part of this version.
    """
    try:
        from .models import attach_classification, load_fitted
    except ImportError:
        return None
    try:
        load_fitted()
    except FileNotFoundError:
        return None
    return attach_classification


def scores_for(obs: Any = None, *, classify: bool = True, **options) -> pd.DataFrame:
    """Scores of every dyad-year of ``obs`` (default: the bundled panel), classified when possible.

    Parameters
    ----------
    obs : DataFrame, Panel or path, optional
        Observations (contract §2); default :func:`alliance_index.load_panel`.
    classify : bool, default True
        Fill ``p_de_jure``, its interval and ``verdict`` with
        ``alliance_index.models.attach_classification`` when the classifier and its fitted
        models are installed (and ``obs`` is long observations or a path, not a Panel);
        otherwise they stay NaN / None (never invented).
    **options
        Parameters of :class:`~alliance_index.index.CompositeIndex`.

    Returns
    -------
    DataFrame
        One row per dyad-year, columns of :func:`alliance_index.index.score`
        (``dyad``, ``year``, ``index``, ``cooperation``, ``discord``, ``dom_<domain>_<side>``,
        ``p_de_jure``, ``p_de_jure_lo``, ``p_de_jure_hi``, ``verdict``, …), and
        ``provisional``: True for a dyad-year the observations code only to date
        (:func:`alliance_index.observations.incomplete_years`; always False for a Panel).
    """
    from .index.composite import _score
    from .observations import is_incomplete, load_panel, read_observations
    from .panel import Panel

    src = load_panel() if obs is None else obs
    df = _score(src, stacklevel=None, **options)  # the provisional years are marked below (no warning)
    if classify:
        attach = _classifier()
        # the classifier reads long observations (or a path); a Panel cannot be handed back to it
        if attach is not None and not isinstance(obs, Panel):
            df = attach(df, obs)
    df["provisional"] = (False if isinstance(src, Panel) else
                         is_incomplete(src if isinstance(src, pd.DataFrame) else read_observations(src),
                                       df["dyad"], df["year"]))
    return df


def _as_scores(scores: Any, obs: Any = None) -> pd.DataFrame:
    """A flat score frame (``dyad``, ``year`` columns)."""
    if scores is None:
        return scores_for(obs)
    if not isinstance(scores, pd.DataFrame):
        raise TypeError(f"scores must be a DataFrame from score()/scores_for(); got {type(scores).__name__}.")
    df = scores
    if "dyad" not in df.columns and isinstance(df.index, pd.MultiIndex) and "dyad" in df.index.names:
        df = df.reset_index()
    for c in ("dyad", "year"):
        if c not in df.columns:
            raise ObservationsError(f"scores need a '{c}' column (or a (dyad, year) index); got {list(df.columns)[:8]}.")
    return df


def _canon(dyads: Any) -> list[str]:
    from .countries import dyad_id

    if isinstance(dyads, str):
        dyads = [dyads]
    out = [dyad_id(d) for d in dyads]
    if not out:
        raise DyadError("no dyad given; name at least one, e.g. 'Russia-Iran'.")
    return out


def _select(df: pd.DataFrame, dyads: Sequence[str] | None, max_n: int = 8) -> list[str]:
    have = list(pd.unique(df["dyad"]))
    if dyads is None:
        if len(have) > max_n:
            raise DyadError(f"the scores hold {len(have)} dyads; pass dyads= (at most {max_n}) to choose which to plot.")
        return have
    want = _canon(dyads)
    missing = [d for d in want if d not in set(have)]
    if missing:
        from .errors import suggest

        raise DyadError(f"dyad {missing[0]} is not in the scores.{suggest(missing[0], have)} "
                        f"Dyads present: {', '.join(have[:20])}{' …' if len(have) > 20 else ''}.")
    return want


def _domain_col(df: pd.DataFrame, d: str, s: str) -> str:
    for c in (f"dom_{d}_{s}", f"{d}_{s}"):
        if c in df.columns:
            return c
    raise ObservationsError(f"scores have no column for domain {d!r} / {s!r} (expected 'dom_{d}_{s}').")


def _pick_year(df: pd.DataFrame, dyads: list[str], year: int | None) -> int:
    """``year``, checked; or the latest year in which every dyad has an index score."""
    sub = df[df["dyad"].isin(dyads)]
    if year is not None:
        year = int(year)
        for d in dyads:
            yrs = sub.loc[sub["dyad"] == d, "year"]
            if year not in set(yrs.tolist()):
                span = f"{int(yrs.min())}–{int(yrs.max())}" if len(yrs) else "none"
                raise ObservationsError(f"dyad {d} has no score in {year} (years with scores: {span}); choose another year.")
        return year
    ok = sub[sub["index"].notna()] if "index" in sub.columns else sub
    common = None
    for d in dyads:
        yrs = set(ok.loc[ok["dyad"] == d, "year"].astype(int).tolist())
        common = yrs if common is None else common & yrs
    if not common:
        raise ObservationsError(f"dyads {', '.join(dyads)} have no year with an index score in common; pass year=.")
    return max(common)


def _row(df: pd.DataFrame, dyad: str, year: int) -> pd.Series:
    r = df[(df["dyad"] == dyad) & (df["year"].astype(int) == year)]
    return r.iloc[0]


# --------------------------------------------------------------------------- domain profile

def plot_domain_profile(
    scores_or_dyads: Any,
    year: int | None = None,
    ax: Any = None,
    kind: Literal["bars", "radar"] = "bars",
    *,
    dyads: Sequence[str] | None = None,
    obs: Any = None,
) -> Any:
    """Cooperation and discord in the four domains for one or more dyads, in one year.

    Parameters
    ----------
    scores_or_dyads : DataFrame, str or list of str
        A score frame (:func:`scores_for`, :func:`alliance_index.index.score`), or
        dyads (any spelling) to score from ``obs``.
    year : int, optional
        Default: the latest year in which every dyad has an index score.
    ax : Axes, optional
        For ``kind="radar"`` it must be polar (``fig.add_subplot(projection="polar")``).
    kind : {"bars", "radar"}, default "bars"
        ``bars``: per domain, one bar per dyad for cooperation (upwards, solid) and one
        for discord (downwards, hatched); a domain a dyad was not observed in is
        marked "n/o" (not observed, not zero). ``radar``: one axis per domain,
        cooperation solid and discord dashed per dyad.
    dyads : sequence of str, optional
        With a score frame: which dyads to show (default all, at most eight).
    obs : DataFrame, optional
        Observations used when dyads are given (default: the bundled panel).

    Returns
    -------
    matplotlib.axes.Axes
        ``bars``: two bar containers per dyad (cooperation, discord), y axis "score (0–100)".
        ``radar``: two lines per dyad.
    """
    if kind not in ("bars", "radar"):
        from .errors import suggest

        raise MethodError(f"Unknown kind {kind!r}.{suggest(str(kind), ('bars', 'radar'))} Choose bars or radar.")
    if isinstance(scores_or_dyads, (str, list, tuple)):
        df = scores_for(obs, classify=False)
        sel = _select(df, scores_or_dyads)
    else:
        df = _as_scores(scores_or_dyads)
        sel = _select(df, dyads)
    y = _pick_year(df, sel, year)
    vals = np.array([[[_row(df, d, y)[_domain_col(df, dom, s)] for dom in DOMAINS] for s in SIDES] for d in sel],
                    dtype="float64")  # (dyads, sides, domains)
    ax = _profile_bars(vals, sel, y, ax) if kind == "bars" else _profile_radar(vals, sel, y, ax)
    if "provisional" in df.columns and df.loc[df["dyad"].isin(sel) & (df["year"] == y), "provisional"].any():
        ax.set_title(ax.get_title().replace(f"Domain profile, {y}", f"Domain profile, {y} (coded to date: provisional)"))
    return ax


def _profile_bars(vals: np.ndarray, sel: list[str], year: int, ax: Any) -> Any:
    n = len(sel)
    ax = _new_axes(ax, (max(6.0, 1.6 * len(DOMAINS) + 0.5 * n), 4.5))
    x = np.arange(len(DOMAINS), dtype=float)
    width = 0.8 / n
    for i, d in enumerate(sel):
        pos = x - 0.4 + width * (i + 0.5)
        col = PALETTE[i % len(PALETTE)]
        coop, disc = vals[i, 0], vals[i, 1]
        ax.bar(pos, coop, width * 0.92, color=col, edgecolor="black", linewidth=0.5, label=f"{d} cooperation")
        ax.bar(pos, -disc, width * 0.92, color=col, alpha=0.45, hatch="//", edgecolor="black", linewidth=0.5,
               label=f"{d} discord")
        for p, c, dd in zip(pos, coop, disc):
            if np.isnan(c):
                ax.text(p, 2, "n/o", ha="center", va="bottom", fontsize=7, rotation=90, color="0.3")
            if np.isnan(dd):
                ax.text(p, -2, "n/o", ha="center", va="top", fontsize=7, rotation=90, color="0.3")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x)
    ax.set_xticklabels([d.capitalize() for d in DOMAINS])
    ax.set_xlabel("domain")
    ax.set_ylim(-105, 105)
    ticks = np.arange(-100, 101, 25)
    ax.set_yticks(ticks)
    ax.set_yticklabels([str(abs(int(t))) for t in ticks])
    ax.set_ylabel("score (0–100): cooperation ↑, discord ↓")
    ax.set_title(f"Domain profile, {year}")
    ax.grid(axis="y", color="0.85", lw=0.6)
    ax.set_axisbelow(True)
    ax.legend(fontsize="small", ncol=max(1, n), loc="upper center", bbox_to_anchor=(0.5, -0.14), frameon=False)
    return ax


def _profile_radar(vals: np.ndarray, sel: list[str], year: int, ax: Any) -> Any:
    ax = _new_axes(ax, (6.0, 6.0), polar=True)
    if getattr(ax, "name", "") != "polar":
        raise MethodError("kind='radar' needs polar axes: create them with fig.add_subplot(projection='polar').")
    m = len(DOMAINS)
    ang = np.linspace(0.0, 2.0 * np.pi, m, endpoint=False)
    closed = np.concatenate([ang, ang[:1]])
    for i, d in enumerate(sel):
        col = PALETTE[i % len(PALETTE)]
        coop = np.concatenate([vals[i, 0], vals[i, 0, :1]])
        disc = np.concatenate([vals[i, 1], vals[i, 1, :1]])
        ax.plot(closed, coop, "-", color=col, lw=2, marker="o", label=f"{d} cooperation")
        ax.fill(closed, np.nan_to_num(coop), color=col, alpha=0.12)
        ax.plot(closed, disc, "--", color=col, lw=1.6, marker="s", label=f"{d} discord")
    ax.set_xticks(ang)
    ax.set_xticklabels([d.capitalize() for d in DOMAINS])
    ax.set_ylim(0, 100)
    ax.set_yticks([25, 50, 75, 100])
    ax.set_rlabel_position(22.5)
    ax.set_title(f"Domain profile, {year}: scores 0–100\n(solid: cooperation, dashed: discord)")
    ax.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, frameon=False)
    return ax


# --------------------------------------------------------------------------- time series

def _band_cols(df: pd.DataFrame, base: str) -> tuple[str, str] | None:
    for lo, hi in ((f"{base}_lo", f"{base}_hi"), (f"{base}_p5", f"{base}_p95"), (f"{base}_p05", f"{base}_p95"),
                   (f"{base}_p2.5", f"{base}_p97.5")):
        if lo in df.columns and hi in df.columns and df[[lo, hi]].notna().any().all():
            return lo, hi
    return None


def plot_timeseries(
    scores: Any = None,
    dyads: Sequence[str] | str | None = None,
    ax: Any = None,
    *,
    obs: Any = None,
    show_p: bool = True,
) -> Any:
    """The alliance index (and ``p_de_jure``) of dyads over time, with interval bands when present.

    Parameters
    ----------
    scores : DataFrame, optional
        Score frame with ``dyad``, ``year``, ``index`` and, when classified,
        ``p_de_jure`` (``p_de_jure_lo`` / ``p_de_jure_hi`` give its band). An index
        band is drawn from ``index_lo`` / ``index_hi`` (or ``index_p5`` / ``index_p95``)
        when present. Default: :func:`scores_for` on ``obs``.
    dyads : str or list of str, optional
        Dyads to draw (default all, at most eight).
    ax : Axes, optional
    obs : DataFrame, optional
        Observations when ``scores`` is None (default: the bundled panel).
    show_p : bool, default True
        Draw ``p_de_jure`` on a right-hand axis (0–1) when the scores have it;
        otherwise a note says it is not available. The right axis is ``ax.p_axis``.

    Returns
    -------
    matplotlib.axes.Axes
        The left (index) axes: one solid line per dyad (label ``"<dyad> index"``);
        ``ax.p_axis`` holds one dashed line per classified dyad, or is None.
    """
    df = _as_scores(scores, obs)
    sel = _select(df, dyads)
    ax = _new_axes(ax, (8.0, 4.5))
    iband = _band_cols(df, "index")
    has_p = show_p and "p_de_jure" in df.columns and df.loc[df["dyad"].isin(sel), "p_de_jure"].notna().any()
    pband = _band_cols(df, "p_de_jure") if has_p else None
    pax = ax.twinx() if has_p else None
    handles = []
    prov_handle = None
    for i, d in enumerate(sel):
        col = PALETTE[i % len(PALETTE)]
        gall = df[df["dyad"] == d].sort_values("year")
        prov = (gall["provisional"].to_numpy(dtype=bool) if "provisional" in gall.columns
                else np.zeros(len(gall), dtype=bool))
        g, gp = gall[~prov], gall[prov]  # complete years as lines; years coded to date as hollow points
        yr = g["year"].to_numpy(dtype=float)
        (h,) = ax.plot(yr, g["index"].to_numpy(dtype=float), "-", marker="o", ms=3, color=col, lw=2,
                       label=f"{d} index")
        handles.append(h)
        if iband:
            ax.fill_between(yr, g[iband[0]].to_numpy(dtype=float), g[iband[1]].to_numpy(dtype=float),
                            color=col, alpha=0.18, lw=0, label=f"{d} index interval")
        if len(gp):
            prov_handle = ax.plot(gp["year"].to_numpy(dtype=float), gp["index"].to_numpy(dtype=float), "o",
                                  ms=6, mfc="white", mec=col, mew=1.5, ls="none",
                                  label=f"{d} index, year coded to date")[0]
        if pax is not None and gall["p_de_jure"].notna().any():
            (hp,) = pax.plot(yr, g["p_de_jure"].to_numpy(dtype=float), "--", color=col, lw=1.6,
                             label=f"{d} p_de_jure")
            handles.append(hp)
            if pband:
                pax.fill_between(yr, g[pband[0]].to_numpy(dtype=float), g[pband[1]].to_numpy(dtype=float),
                                 color=col, alpha=0.10, lw=0, label=f"{d} p_de_jure interval")
            if len(gp):
                py = gp["year"].to_numpy(dtype=float)
                pp = gp["p_de_jure"].to_numpy(dtype=float)
                if pband:  # its interval as a bar, not a band joined to the complete years
                    err = np.vstack([pp - gp[pband[0]].to_numpy(dtype=float), gp[pband[1]].to_numpy(dtype=float) - pp])
                    pax.errorbar(py, pp, yerr=err, fmt="none", ecolor=col, alpha=0.5, lw=1, capsize=3)
                pax.plot(py, pp, "D", ms=5, mfc="white", mec=col, mew=1.3, ls="none",
                         label=f"{d} p_de_jure, year coded to date")
    if prov_handle is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], marker="o", ls="none", mfc="white", mec="0.3", mew=1.5, ms=6,
                              label="hollow: year coded only to date (provisional)"))
    ax.set_xlabel("year")
    ax.set_ylabel("alliance index (0–100)")
    ax.set_ylim(0, 100)
    ax.grid(color="0.88", lw=0.6)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if pax is not None:
        # index lines in front of the (wide) p_de_jure bands
        ax.set_zorder(pax.get_zorder() + 1)
        ax.patch.set_visible(False)
        pax.set_ylim(0, 1)
        pax.set_ylabel("p_de_jure (probability of a mutual-defence treaty)")
        title = "Alliance index (solid) and p_de_jure (dashed) over time"
    else:
        title = "Alliance index over time"
        if show_p:
            ax.text(0.01, 0.98, _NOT_AVAILABLE_P, transform=ax.transAxes, ha="left", va="top", fontsize=8,
                    color="0.35")
    ax.set_title(title)
    ax.legend(handles=handles, fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=min(4, len(handles)), frameon=False)
    ax.p_axis = pax
    return ax


# --------------------------------------------------------------------------- scenario fan

def _fan_frame(result: Any, scenario: str | None, measure: str) -> tuple[pd.DataFrame, str]:
    """Normalise a scenario result into a frame: year, median and percentile columns of ``measure``."""
    obj = result
    name = scenario
    # a set result holding several scenarios
    for attr in ("fan", "fans"):
        if hasattr(obj, attr) and not isinstance(obj, pd.DataFrame):
            val = getattr(obj, attr)
            obj = val(scenario) if callable(val) else val
            break
    if isinstance(obj, dict):
        if scenario is None:
            scenario = next(iter(obj))
        if scenario not in obj:
            from .errors import suggest

            raise MethodError(f"scenario {scenario!r} is not in the result.{suggest(str(scenario), list(obj))}")
        obj, name = obj[scenario], scenario
    if not isinstance(obj, pd.DataFrame):
        raise MethodError("plot_scenario_fan needs a scenario result (with .fan) or a DataFrame with year and "
                          f"'{measure}_p<q>' percentile columns; got {type(result).__name__}.")
    df = obj.reset_index() if "year" not in obj.columns else obj
    if "scenario" in df.columns:
        names = list(pd.unique(df["scenario"]))
        if name is None:
            name = names[0]
        if name not in names:
            from .errors import suggest

            raise MethodError(f"scenario {name!r} is not in the result.{suggest(str(name), names)} "
                              f"Scenarios: {', '.join(map(str, names))}.")
        df = df[df["scenario"] == name]
    return df.sort_values("year"), (name or "")


def _pcols(df: pd.DataFrame, measure: str) -> dict[float, str]:
    out = {}
    pre = f"{measure}_p"
    for c in df.columns:
        if isinstance(c, str) and c.startswith(pre):
            try:
                out[float(c[len(pre):])] = c
            except ValueError:
                continue
    return dict(sorted(out.items()))


def plot_scenario_fan(
    result: Any,
    scenario: str | None = None,
    ax: Any = None,
    *,
    measure: Literal["index", "p_de_jure"] = "index",
    history: pd.DataFrame | None = None,
) -> Any:
    """Fan chart of one scenario: median path and nested percentile bands.

    Parameters
    ----------
    result : scenario result or DataFrame
        What ``Scenario.from_yaml(path).run()`` returns (its ``fan``), or a frame with
        ``year`` and percentile columns ``<measure>_p<q>`` (e.g. ``index_p5``,
        ``index_p50``, ``index_p95``), optionally a ``scenario`` column.
    scenario : str, optional
        Which scenario (default: the first, the baseline).
    ax : Axes, optional
    measure : {"index", "p_de_jure"}, default "index"
    history : DataFrame, optional
        Observed scores (``year``, ``index`` / ``p_de_jure``) drawn in black before the fan.

    Returns
    -------
    matplotlib.axes.Axes
        One median line, one filled band per symmetric pair of percentiles
        (widest palest), the observed history when given.
    """
    df, name = _fan_frame(result, scenario, measure)
    pc = _pcols(df, measure)
    if 50.0 not in pc:
        raise MethodError(f"the fan has no median column '{measure}_p50' (columns: {list(df.columns)[:12]}).")
    lows = [q for q in pc if q < 50 and (100 - q) in pc]
    if not lows:
        raise MethodError(f"the fan has no pair of percentile columns around the median for '{measure}'.")
    ax = _new_axes(ax, (8.0, 4.5))
    yr = df["year"].to_numpy(dtype=float)
    col = COOPERATION_COLOR if measure == "index" else OKABE_ITO["reddish_purple"]
    for k, q in enumerate(sorted(lows)):  # widest first
        alpha = 0.15 + 0.2 * k / max(1, len(lows) - 1) if len(lows) > 1 else 0.25
        ax.fill_between(yr, df[pc[q]].to_numpy(dtype=float), df[pc[100 - q]].to_numpy(dtype=float), color=col,
                        alpha=alpha, lw=0, label=f"{q:g}–{100 - q:g}th percentile")
    ax.plot(yr, df[pc[50.0]].to_numpy(dtype=float), "-", color=col, lw=2.2, label="median")
    if history is not None:
        h = history.sort_values("year")
        ax.plot(h["year"].to_numpy(dtype=float), h[measure].to_numpy(dtype=float), "-", color="black", marker="o",
                ms=3, lw=1.5, label="observed")
    ax.set_xlabel("year")
    if measure == "index":
        ax.set_ylabel("alliance index (0–100)")
        ax.set_ylim(0, 100)
    else:
        ax.set_ylabel("p_de_jure (probability of a mutual-defence treaty)")
        ax.set_ylim(0, 1)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(color="0.88", lw=0.6)
    ax.set_title(f"Scenario {name}: simulated {measure}" if name else f"Simulated {measure}")
    ax.legend(fontsize="small", loc="upper left")
    return ax


# --------------------------------------------------------------------------- contributions

def _fitted_model(obs: Any, model: Any):
    from .index import CompositeIndex
    from .index.composite import _as_panel
    from .observations import load_panel

    panel = _as_panel(load_panel() if obs is None else obs)
    est = CompositeIndex() if model is None else model
    if not hasattr(est, "plan_"):
        est = est.fit(panel)
    return est, panel


def contributions(dyad: str, year: int | None = None, obs: Any = None, *, model: Any = None) -> pd.DataFrame:
    """Signed contribution of each observed indicator to a dyad's index, in index points.

    Parameters
    ----------
    dyad : str
        Any spelling (contract §1).
    year : int, optional
        Default: the dyad's latest year with an index score.
    obs : DataFrame, Panel or path, optional
        Observations (default: the bundled panel).
    model : CompositeIndex, optional
        Fitted (on ``obs``) or unfitted estimator; default ``CompositeIndex()``. Its
        aggregation must be arithmetic and its imputation ``"none"``: only then is the
        index an exact sum of per-indicator parts.

    Returns
    -------
    DataFrame
        Indexed by indicator (observed ones only), columns ``domain``, ``side``,
        ``value`` (raw), ``normalised`` (0–1), ``weight`` (the indicator's share of its
        side score after renormalising over what was observed), ``contribution``
        (index points; positive = toward alliance), ``confidence`` and ``source``
        when the observations carry them. ``attrs`` holds ``index``,
        ``cooperation``, ``discord``, ``dyad``, ``year`` and ``n_unobserved``.

    Notes
    -----
    With arithmetic aggregation, cooperation is
    :math:`C = \\sum_j s_j z_j` over observed cooperation indicators, where
    :math:`z_j` is the normalised value and
    :math:`s_j = \\frac{w_j}{\\sum_{k \\in node} w_k} \\cdot \\frac{g_d}{\\sum_{e\\ observed} g_e}`
    its effective weight (indicator weight within its domain node times the domain's
    weight within the side, both renormalised over what was observed; evidence
    factors multiply :math:`w_j` when the model uses them, and the domain's weight
    :math:`g_d` by the domain's evidence factor
    :math:`\\sum_{k} w_k f_k / \\sum_k w_k` over its observed indicators); likewise
    :math:`D = \\sum_j s_j z_j` over discord indicators. The index
    :math:`I = C (1 - D)^{\\alpha}` is split as :math:`I = C - (C - I)`: each
    cooperation indicator contributes :math:`+ s_j z_j` and each discord indicator
    :math:`-(C - I)\\, s_j z_j / D` (its share of the discount that discord takes
    off cooperation; 0 when :math:`D = 0`). The contributions sum to the index
    exactly (times 100 for the 0–100 scale).
    """
    from .countries import dyad_id
    from .index import _engine

    est, panel = _fitted_model(obs, model)
    pl = est.plan_
    if not pl.alliance:
        raise MethodError("contributions need a model fitted on a dyad-year panel (alliance mode).")
    if any(a != "arithmetic" for a in list(pl.node_agg) + list(pl.grp_agg)):
        raise MethodError("contributions are exact only for arithmetic aggregation; fit CompositeIndex(aggregation="
                          "'arithmetic') or read the domain scores instead.")
    if getattr(est, "imputation", "none") != "none":
        raise MethodError("contributions use observed values only; fit the model with imputation='none'.")
    d = dyad_id(dyad)
    V_all = panel.values
    dys = V_all.index.get_level_values(0)
    if d not in set(dys):
        from .index.composite import _missing_dyads_error

        raise _missing_dyads_error([d], panel)
    if year is None:
        s = est.transform(panel)
        sd = s.xs(d, level="dyad")["index"].dropna()
        if sd.empty:
            raise ObservationsError(f"dyad {d} has no year with an index score (needs cooperation and discord).")
        year = int(sd.index.max())
    year = int(year)
    key = (d, year)
    if key not in V_all.index:
        yrs = V_all.xs(d, level="dyad").index
        raise ObservationsError(f"dyad {d} has no observations in {year} (years {int(yrs.min())}–{int(yrs.max())}).")
    pos = V_all.index.get_loc(key)
    names = list(pl.names)
    V = V_all.loc[[key], names].to_numpy(dtype="float64")
    z = _engine.normalised(V, pl)[0]
    obs_m = ~np.isnan(V[0])
    w = np.asarray(pl.col_w, dtype="float64").copy()
    use_c = bool(getattr(est, "evidence", False) or (isinstance(est.weights, str) and est.weights == "confidence"))
    if use_c:
        cf = panel.confidence.loc[[key], names].to_numpy(dtype="float64")[0]
        w = w * np.where(np.isnan(cf), 1.0, cf)
    G = len(pl.node_names)
    share = np.zeros(len(names))
    node_val = np.full(G, np.nan)
    node_ev = np.ones(G)  # evidence factor of each node (the engine's _engine.node_evidence)
    for g in range(G):
        cols = np.flatnonzero((pl.col_node == g) & obs_m)
        den = w[cols].sum()
        if cols.size and den > 0:
            share[cols] = w[cols] / den
            node_val[g] = float((w[cols] * z[cols]).sum() / den)
            base = pl.col_w[cols].sum()
            node_ev[g] = den / base if base > 0 else 1.0
    side_val = np.full(len(pl.grp_names), np.nan)
    gw = np.asarray(pl.node_gw, dtype="float64") * node_ev
    for h in range(len(pl.grp_names)):
        nodes = np.flatnonzero((pl.node_grp == h) & ~np.isnan(node_val))
        gden = gw[nodes].sum()
        if nodes.size and gden > 0:
            side_val[h] = float((gw[nodes] * node_val[nodes]).sum() / gden)
            for g in nodes:
                cols = np.flatnonzero((pl.col_node == g) & obs_m)
                share[cols] *= gw[g] / gden
    C, D = side_val[0], side_val[1]
    index = _engine.overall(np.array([C]), np.array([D]), pl.alpha)[0]
    part = share * np.where(obs_m, z, 0.0)
    side_of = pl.node_grp[pl.col_node]
    contrib = np.where(side_of == 0, part, np.nan)
    disc = side_of == 1
    if np.isnan(D):
        contrib[disc] = np.nan
    elif D > 0:
        contrib[disc] = -(C - index) * part[disc] / D
    else:
        contrib[disc] = 0.0
    scale = float(est.scale)
    cat = panel.catalog.reindex(names)
    out = pd.DataFrame({
        "domain": cat["domain"].to_numpy(dtype=object),
        "side": cat["side"].to_numpy(dtype=object),
        "value": V[0],
        "normalised": z,
        "weight": share,
        "contribution": contrib * scale,
    }, index=pd.Index(names, name="indicator"))
    conf = panel.confidence.iloc[pos].reindex(names).to_numpy(dtype="float64")
    out["evidence_factor"] = conf
    out = out[obs_m]
    out.attrs.update({"dyad": d, "year": year, "index": index * scale, "cooperation": C * scale,
                      "discord": D * scale, "n_unobserved": int((~obs_m).sum())})
    return out


def plot_contributions(
    dyad: str,
    year: int | None = None,
    obs: Any = None,
    ax: Any = None,
    *,
    model: Any = None,
    top: int | None = None,
) -> Any:
    """Which indicators push a dyad toward alliance (cooperation) or away from it (discord).

    Horizontal bars, one per observed indicator, in index points (they add up to
    the index; see :func:`contributions` for the decomposition). Cooperation
    indicators are blue and point right, discord indicators vermillion and hatched,
    pointing left.

    Parameters
    ----------
    dyad : str
    year : int, optional
        Default: the dyad's latest year with an index score.
    obs : DataFrame, optional
        Observations (default: the bundled panel).
    ax : Axes, optional
    model : CompositeIndex, optional
        See :func:`contributions`.
    top : int, optional
        Show only the ``top`` largest contributions in absolute value.

    Returns
    -------
    matplotlib.axes.Axes
        One bar per indicator shown (``ax.patches``), y tick labels
        ``"<indicator> (<domain>)"``.
    """
    df = contributions(dyad, year, obs, model=model)
    a = df.attrs
    df = df[df["contribution"].notna()]
    if top is not None:
        df = df.reindex(df["contribution"].abs().sort_values(ascending=False).index[: int(top)])
    df = df.sort_values("contribution")
    ax = _new_axes(ax, (8.0, max(3.0, 0.28 * len(df) + 1.4)))
    pos = np.arange(len(df))
    coop = (df["side"] == "cooperation").to_numpy()
    colors = np.where(coop, COOPERATION_COLOR, DISCORD_COLOR)
    bars = ax.barh(pos, df["contribution"].to_numpy(dtype=float), color=colors, edgecolor="black", linewidth=0.4)
    for b, c in zip(bars, coop):
        if not c:
            b.set_hatch("//")
    ax.set_yticks(pos)
    ax.set_yticklabels([f"{i} ({dm})" for i, dm in zip(df.index, df["domain"])], fontsize=8)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("contribution to the alliance index (index points, 0–100 scale)")
    ax.set_ylabel("indicator (domain)")
    idx = a["index"]
    title = (f"{a['dyad']} {a['year']}: index {idx:.1f} = cooperation {a['cooperation']:.1f} − discord discount "
             f"{a['cooperation'] - idx:.1f}") if np.isfinite(idx) else f"{a['dyad']} {a['year']}: index not defined"
    if a["n_unobserved"]:
        title += f"\n({a['n_unobserved']} catalog indicators not observed: left out, not counted as zero)"
    ax.set_title(title, fontsize=10)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=COOPERATION_COLOR, edgecolor="black", label="cooperation (toward alliance)"),
                       Patch(facecolor=DISCORD_COLOR, edgecolor="black", hatch="//", label="discord (away from alliance)")],
              fontsize="small", loc="lower right")
    ax.grid(axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    return ax


# --------------------------------------------------------------------------- rank intervals

def plot_rank_intervals(result: Any, ax: Any = None, **kwargs) -> Any:
    """Rank of each dyad with its uncertainty interval, in the project palette.

    Delegates to :func:`alliance_index.uncertainty.plot_rank_intervals` (see there for
    ``result``, ``year``, ``dyads``, ``low``, ``high``) and recolours it with
    :data:`OKABE_ITO`.

    Returns
    -------
    matplotlib.axes.Axes
        One interval collection, one median marker series (and the baseline ranks when present);
        x label "rank (1 = highest index)".
    """
    from .uncertainty import plot_rank_intervals as _pri

    if ax is None:
        n = None
        try:
            df = getattr(result, "summary", result)
            n = len(pd.unique(df.index.get_level_values(0))) if isinstance(df, pd.DataFrame) else None
        except Exception:  # noqa: BLE001 - sizing only
            n = None
        ax = _new_axes(None, (7.0, max(2.8, 0.32 * (n or 8) + 1.2)))
    ax = _pri(result, ax, **kwargs)
    for coll in ax.collections:
        coll.set_color(COOPERATION_COLOR)
    for ln in ax.lines:
        if ln.get_marker() == "o":
            ln.set_color(COOPERATION_COLOR)
            ln.set_markeredgecolor("black")
    leg = ax.get_legend()
    if leg is not None:
        ax.legend(loc="lower right", fontsize="small")
    return ax
