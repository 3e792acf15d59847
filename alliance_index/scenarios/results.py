"""Results of a scenario run: trajectories, horizon probabilities, first differences (contract §6 JSON).

Every interval is the central 90% of the Monte Carlo draws (5th and 95th
percentiles); each draw carries projection error, evidence confidence and
the classifier's parameter uncertainty together. Monte Carlo standard errors
(``mc_se``) say how much a number would move with another seed: for a
probability :math:`\\hat p` over :math:`D` draws it is
:math:`\\sqrt{\\hat p(1-\\hat p)/D}`; for a mean, :math:`s/\\sqrt{D}`.
"""
from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .simulate import ALLIANCE_THRESHOLD, Prepared, SimArrays
from .spec import BASELINE, ScenarioSet

Q_LO, Q_HI = 5.0, 95.0
#: How a number that was not computed (e.g. p_de_jure without a classifier) is printed.
NA = "—"


def _q(a: np.ndarray, axis=0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return (np.nanpercentile(a, 50, axis=axis), np.nanpercentile(a, Q_LO, axis=axis),
                np.nanpercentile(a, Q_HI, axis=axis))


def _iv(lo, hi, spec: str) -> str:
    """``"[lo, hi]"`` formatted with ``spec``; "—" when either end is missing (not computed)."""
    lo, hi = float(lo), float(hi)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return NA
    return f"[{lo:{spec}}, {hi:{spec}}]"


def _mid(m, lo, hi, spec: str) -> str:
    """``"m [lo, hi]"``; "—" when the median is missing."""
    m = float(m)
    return NA if not math.isfinite(m) else f"{m:{spec}} {_iv(lo, hi, spec)}"


def _f(x, digits=4):
    if x is None:
        return None
    x = float(x)
    return None if not math.isfinite(x) else round(x, digits)


@dataclass
class ScenarioResult:
    """Simulated outcome of one scenario for one dyad.

    Attributes
    ----------
    name, description, dyad : str
    years : ndarray (ny,)
        ``as_of`` (nowcast) to the horizon.
    draws : dict of ndarray (D, ny)
        ``index``, ``cooperation``, ``discord``, ``p_de_jure`` per draw and year, and ``alliance`` (bool).
    baseline : dict of ndarray (D, ny) or None
        The baseline's draws (same random numbers) for first differences.
    classified : bool
        False when the run had no classifier (``classifier=False``): ``p_de_jure`` is NaN and
        every share of alliance verdicts (``p_alliance``, ``p_alliance_at_horizon``,
        ``p_alliance_by_horizon``, ``d_p_alliance``) is NaN too (``null`` in JSON, "—" in
        tables): not computed, never 0.
    """

    name: str
    description: str
    dyad: str
    years: np.ndarray
    draws: dict
    baseline: dict | None = None
    shocks: tuple = ()
    classified: bool = True

    @property
    def n_draws(self) -> int:
        return self.draws["index"].shape[0]

    @property
    def horizon(self) -> int:
        return int(self.years[-1])

    @property
    def trajectory(self) -> pd.DataFrame:
        """Per year: median and 90% interval of index, cooperation, discord and p_de_jure;
        ``p_alliance`` = share of draws whose verdict is alliance that year (NaN without a classifier)."""
        out = {"year": self.years.astype(int)}
        for n in ("index", "cooperation", "discord", "p_de_jure"):
            m, lo, hi = _q(self.draws[n])
            out[n], out[f"{n}_lo"], out[f"{n}_hi"] = m, lo, hi
        out["p_alliance"] = self._share(self.draws["alliance"])
        return pd.DataFrame(out)

    def _share(self, alliance: np.ndarray) -> np.ndarray:
        """Share of draws (axis 0) with the alliance verdict; NaN when no classifier was run."""
        if not self.classified:
            return np.full(alliance.shape[1:], np.nan)
        return alliance.mean(axis=0)

    def fan(self, scenario: str | None = None, percentiles=(5, 25, 50, 75, 95)) -> pd.DataFrame:
        """Percentile frame for fan charts: ``year``, ``scenario`` and ``<measure>_p<q>`` columns
        (measures index, cooperation, discord, p_de_jure); used by :func:`alliance_index.plotting.plot_scenario_fan`."""
        out = {"year": self.years.astype(int), "scenario": self.name}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for n in ("index", "cooperation", "discord", "p_de_jure"):
                qs = np.nanpercentile(self.draws[n], list(percentiles), axis=0)
                for q, row in zip(percentiles, qs):
                    out[f"{n}_p{q:g}"] = row
        return pd.DataFrame(out)

    @property
    def p_alliance_at_horizon(self) -> float:
        """Share of draws whose verdict at the horizon is alliance (NaN without a classifier)."""
        if not self.classified:
            return float("nan")
        return float(self.draws["alliance"][:, -1].mean())

    @property
    def p_alliance_by_horizon(self) -> float:
        """Share of draws reaching the alliance verdict in any projected year up to the horizon
        (NaN without a classifier)."""
        if not self.classified:
            return float("nan")
        return float(self.draws["alliance"][:, 1:].any(axis=1).mean())

    @property
    def p_de_jure_at_horizon(self) -> tuple[float, float, float]:
        """(median, 5th, 95th percentile) of p_de_jure at the horizon."""
        m, lo, hi = _q(self.draws["p_de_jure"][:, -1])
        return float(m), float(lo), float(hi)

    def mc_se(self) -> dict:
        """Monte Carlo standard errors of the horizon numbers."""
        D = self.n_draws
        p = self.p_alliance_at_horizon
        ph = self.draws["p_de_jure"][:, -1]
        ph = ph[~np.isnan(ph)]
        ix = self.draws["index"][:, -1]
        ix = ix[~np.isnan(ix)]
        return {"p_alliance_at_horizon": math.sqrt(max(p * (1 - p), 0) / D) if math.isfinite(p) else float("nan"),
                "p_de_jure_mean_at_horizon": float(ph.std(ddof=1) / math.sqrt(len(ph))) if len(ph) > 1 else float("nan"),
                "index_mean_at_horizon": float(ix.std(ddof=1) / math.sqrt(len(ix))) if len(ix) > 1 else float("nan")}

    @property
    def first_crossing_year(self) -> int | None:
        """First year at which the median p_de_jure reaches :data:`ALLIANCE_THRESHOLD` (0.5), or None."""
        m, _, _ = _q(self.draws["p_de_jure"])
        hit = np.flatnonzero(m >= ALLIANCE_THRESHOLD)
        return int(self.years[hit[0]]) if len(hit) else None

    @property
    def first_differences(self) -> pd.DataFrame:
        """Per year: scenario minus baseline, draw by draw (common random numbers), median and 90% interval,
        and the share of draws in which this scenario's p_de_jure is higher."""
        if self.baseline is None:
            raise ValueError("no baseline attached to this result")
        out = {"year": self.years.astype(int)}
        for n in ("index", "p_de_jure"):
            d = self.draws[n] - self.baseline[n]
            m, lo, hi = _q(d)
            out[f"d_{n}"], out[f"d_{n}_lo"], out[f"d_{n}_hi"] = m, lo, hi
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            dp = self.draws["p_de_jure"] - self.baseline["p_de_jure"]
            out["share_p_higher"] = np.where(np.isnan(dp), np.nan, dp > 0).astype(float).mean(axis=0)
        out["d_p_alliance"] = self._share(self.draws["alliance"]) - self._share(self.baseline["alliance"])
        return pd.DataFrame(out)

    def to_dict(self, digits: int = 4) -> dict:
        tr = self.trajectory
        traj = [{"year": int(r.year),
                 "index": _f(r.index, digits), "index_interval": [_f(r.index_lo, digits), _f(r.index_hi, digits)],
                 "cooperation": _f(r.cooperation, digits),
                 "cooperation_interval": [_f(r.cooperation_lo, digits), _f(r.cooperation_hi, digits)],
                 "discord": _f(r.discord, digits), "discord_interval": [_f(r.discord_lo, digits), _f(r.discord_hi, digits)],
                 "p_de_jure": _f(r.p_de_jure, digits),
                 "p_de_jure_interval": [_f(r.p_de_jure_lo, digits), _f(r.p_de_jure_hi, digits)],
                 "p_alliance": _f(r.p_alliance, digits)}
                for r in tr.itertuples(index=False)]
        m, lo, hi = self.p_de_jure_at_horizon
        d = {"name": self.name, "description": self.description,
             "shocks": [{"year": s.year, "indicator": s.indicator, "op": s.op, "value": s.value,
                         "uncertainty": list(s.uncertainty) if isinstance(s.uncertainty, tuple) else s.uncertainty}
                        for s in self.shocks],
             "trajectory": traj,
             "p_de_jure_at_horizon": _f(m, digits), "p_de_jure_at_horizon_interval": [_f(lo, digits), _f(hi, digits)],
             "p_alliance_at_horizon": _f(self.p_alliance_at_horizon, digits),
             "p_alliance_by_horizon": _f(self.p_alliance_by_horizon, digits),
             "first_crossing_year": self.first_crossing_year,
             "mc_se": {k: _f(v, 5) for k, v in self.mc_se().items()}}
        if self.baseline is not None and self.name != BASELINE:
            fd = self.first_differences
            d["first_differences"] = [
                {"year": int(r.year), "d_index": _f(r.d_index, digits),
                 "d_index_interval": [_f(r.d_index_lo, digits), _f(r.d_index_hi, digits)],
                 "d_p_de_jure": _f(r.d_p_de_jure, digits),
                 "d_p_de_jure_interval": [_f(r.d_p_de_jure_lo, digits), _f(r.d_p_de_jure_hi, digits)],
                 "share_p_higher": _f(r.share_p_higher, digits), "d_p_alliance": _f(r.d_p_alliance, digits)}
                for r in fd.itertuples(index=False)]
        return d


@dataclass
class ScenarioSetResult:
    """All scenarios of a :class:`ScenarioSet` for one (or more) dyads.

    Index with a scenario name (``res["trade_40bn"]``) for the first dyad's
    :class:`ScenarioResult`, or ``res[dyad, name]``.

    ``provisional`` lists the dyads whose ``as_of`` year the observations code only to
    date (a year in progress, :func:`alliance_index.observations.incomplete_years`): their
    ``as_of`` row (the nowcast) is provisional. The summary says so under the dyad's heading,
    the JSON carries ``provisional`` and ``provisional_note``, and :meth:`to_frame` a
    ``provisional`` column.
    """

    spec: ScenarioSet
    seed: Any
    draws: int
    results: dict                      # dyad -> {scenario name -> ScenarioResult}
    methods: dict = field(default_factory=dict)       # dyad -> {indicator: method}
    anchors: dict = field(default_factory=dict)       # dyad -> DataFrame
    provisional: list = field(default_factory=list)   # dyads whose as_of year is coded only to date

    @classmethod
    def from_simulation(cls, sset: ScenarioSet, runs: list, *, seed, draws: int,
                        provisional=()) -> "ScenarioSetResult":
        results, methods, anchors = {}, {}, {}
        for prep, sim in runs:
            prep: Prepared
            sim: SimArrays
            per = {}
            base = None
            for s, sc in enumerate(sset.scenarios):
                dr = {n: getattr(sim, n)[s] for n in ("index", "cooperation", "discord", "p_de_jure", "alliance")}
                if s == 0:
                    base = dr
                per[sc.name] = ScenarioResult(sc.name, sc.description, prep.dyad, prep.years, dr,
                                              baseline=base, shocks=sc.shocks,
                                              classified=bool(getattr(sim, "classified", True)))
            results[prep.dyad] = per
            methods[prep.dyad] = dict(prep.methods)
            anchors[prep.dyad] = prep.anchors
        return cls(sset, seed, draws, results, methods, anchors, [d for d in results if d in set(provisional)])

    @property
    def dyads(self) -> list[str]:
        return list(self.results)

    @property
    def classified(self) -> bool:
        """False when the run had no classifier (index only)."""
        return all(r.classified for per in self.results.values() for r in per.values())

    def provisional_note(self, dyad: str | None = None) -> str | None:
        """Why the ``as_of`` row of ``dyad`` (default: any dyad of the run) is provisional, or None."""
        dys = self.provisional if dyad is None else [d for d in self.provisional if d == dyad]
        if not dys:
            return None
        yr = self.spec.as_of
        return (f"as_of {yr} is coded only to date for {', '.join(dys)} (a year in progress): flows counted "
                "over the year (trade, meetings, exercises, incidents) are unobserved in it, so the "
                f"{yr} nowcast projects them from earlier years; read the {yr} row as provisional, or set "
                f"as_of to {yr - 1} for a complete year")

    def __getitem__(self, key) -> ScenarioResult:
        if isinstance(key, tuple):
            return self.results[key[0]][key[1]]
        return self.results[self.dyads[0]][key]

    def fan(self, scenario: str | None = None, dyad: str | None = None) -> pd.DataFrame:
        """Fan-chart percentiles of one scenario (default: every scenario, with a ``scenario`` column)."""
        dyad = self.dyads[0] if dyad is None else dyad
        per = self.results[dyad]
        if scenario is not None:
            if scenario not in per:
                from ..errors import suggest

                raise KeyError(f"scenario {scenario!r} is not in the result.{suggest(scenario, list(per))}")
            return per[scenario].fan()
        return pd.concat([r.fan() for r in per.values()], ignore_index=True)

    def table(self, dyad: str | None = None) -> pd.DataFrame:
        """One row per scenario: horizon p_de_jure with interval, p(alliance), first crossing, differences."""
        dyad = self.dyads[0] if dyad is None else dyad
        rows = []
        for name, r in self.results[dyad].items():
            m, lo, hi = r.p_de_jure_at_horizon
            tr = r.trajectory.iloc[-1]
            crossing = (r.first_crossing_year if r.first_crossing_year is not None
                        else "none" if r.classified else NA)
            row = {"scenario": name, "horizon": r.horizon,
                   "index": tr["index"], "index_90": _iv(tr["index_lo"], tr["index_hi"], ".1f"),
                   "p_de_jure": m, "p_de_jure_90": _iv(lo, hi, ".3f"),
                   "p_alliance": r.p_alliance_at_horizon, "p_alliance_by": r.p_alliance_by_horizon,
                   "first_crossing": crossing}
            if name != BASELINE:
                fd = r.first_differences.iloc[-1]
                row["d_p_de_jure"] = fd["d_p_de_jure"]
                row["d_p_de_jure_90"] = _iv(fd["d_p_de_jure_lo"], fd["d_p_de_jure_hi"], "+.3f")
            else:
                row["d_p_de_jure"], row["d_p_de_jure_90"] = (0.0 if r.classified else np.nan), NA
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """Plain-text report: per dyad, the scenario table and each scenario's trajectory."""
        sp = self.spec
        unc = ("projection + evidence confidence + classifier parameters." if self.classified else
               f"projection + evidence confidence (index only: no classifier was run, so p_de_jure and "
               f"p_alliance are not computed, shown as {NA}).")
        lines = [f"Scenarios '{sp.name}': as_of {sp.as_of}, horizon {sp.horizon}, {self.draws} draws, seed {self.seed}",
                 "Intervals are 90% (5th-95th percentile of the draws); uncertainty = " + unc]
        with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
            for dy in self.dyads:
                lines.append("")
                lines.append(f"== {dy} ==")
                note = self.provisional_note(dy)
                if note:
                    lines.append(f"provisional: {note}")
                t = self.table(dy)
                t["index"] = t["index"].round(1)
                t["p_de_jure"] = t["p_de_jure"].round(3)
                t["p_alliance"] = t["p_alliance"].round(3)
                t["p_alliance_by"] = t["p_alliance_by"].round(3)
                t["d_p_de_jure"] = t["d_p_de_jure"].round(3)
                lines.append(t.to_string(index=False, na_rep=NA))
                for name, r in self.results[dy].items():
                    tr = r.trajectory
                    show = pd.DataFrame({
                        "year": tr["year"],
                        "index": [_mid(a, b, c, ".1f") for a, b, c in zip(tr["index"], tr["index_lo"], tr["index_hi"])],
                        "cooperation": tr["cooperation"].round(1), "discord": tr["discord"].round(1),
                        "p_de_jure": [_mid(a, b, c, ".3f") for a, b, c in
                                      zip(tr["p_de_jure"], tr["p_de_jure_lo"], tr["p_de_jure_hi"])],
                        "p_alliance": tr["p_alliance"].round(3)})
                    lines.append("")
                    lines.append(f"-- {name}: {r.description}".rstrip(": "))
                    lines.append(show.to_string(index=False, na_rep=NA))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def to_dict(self, digits: int = 4) -> dict:
        """Contract §6 JSON object: file name, dyad, as_of, horizon and per scenario its trajectory and horizon p."""
        sp = self.spec
        per_dyad = []
        for dy in self.dyads:
            per_dyad.append({
                "dyad": dy,
                "provisional": dy in self.provisional,
                "projection_methods": self.methods.get(dy, {}),
                "scenarios": [r.to_dict(digits) for r in self.results[dy].values()],
            })
        doc = {"name": sp.name, "file": sp.source, "dyad": self.dyads[0] if len(self.dyads) == 1 else self.dyads,
               "as_of": sp.as_of, "horizon": sp.horizon, "draws": self.draws, "seed": self.seed,
               "alliance_threshold": ALLIANCE_THRESHOLD,
               "provisional": list(self.provisional), "provisional_note": self.provisional_note()}
        if len(per_dyad) == 1:
            doc["projection_methods"] = per_dyad[0]["projection_methods"]
            doc["scenarios"] = per_dyad[0]["scenarios"]
        else:
            doc["dyads"] = per_dyad
        return doc

    def to_json(self, digits: int = 4, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(digits), ensure_ascii=False, indent=indent)

    def to_frame(self) -> pd.DataFrame:
        """Long frame: dyad, scenario, the trajectory columns and ``provisional`` (True on the
        ``as_of`` row of a dyad whose ``as_of`` year is coded only to date)."""
        frames = []
        for dy in self.dyads:
            for name, r in self.results[dy].items():
                t = r.trajectory
                t.insert(0, "scenario", name)
                t.insert(0, "dyad", dy)
                t["provisional"] = (t["year"].to_numpy() == self.spec.as_of) & (dy in self.provisional)
                frames.append(t)
        return pd.concat(frames, ignore_index=True)
