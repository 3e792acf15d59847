"""Monte Carlo simulation of scenarios: draws x scenarios x years, vectorised.

Pipeline for one dyad (:func:`prepare` then :func:`simulate`):

1. **History.** Observations of the dyad up to ``as_of`` (later rows are
   ignored, so a past ``as_of`` is a genuine backtest).
2. **Projection** (:mod:`.projection`). Each indicator observed within the
   last :data:`MAX_STALE` years before ``as_of`` is projected from its last
   observed year to the horizon with ``n_draws`` simulated paths; the value at
   ``as_of`` (the *nowcast*) is the observation itself, or the projection
   when the last observation is older. Indicators not observed in that
   window stay unobserved (NaN) in every year, as they are at ``as_of``: the
   trajectory does not jump because a stale indicator reappears.
3. **Evidence confidence.** Per draw, the anchoring observation of each
   series (its last observed value) is kept with probability equal to its
   evidence factor (:data:`~alliance_index.observations.CONFIDENCE_FACTORS`:
   confirmed 1, reported 0.75, alleged 0.5, denied 0.25); when it is not kept
   the series is treated as unobserved in that draw (nowcast and projection).
4. **Shocks** of each scenario, applied in year order to the projected paths
   (``set``/``add``/``scale``/``trend``, with their uncertainty drawn once per
   draw), then clipped and rounded to the indicator's range and kind. A
   ``set`` makes the indicator observed from its year on even where the
   projection had none.
5. **Index** (vectorised "panel -> index" function, :class:`IndexFunction`:
   the project's :class:`~alliance_index.index.CompositeIndex`, fitted on the
   dyad's history) over all draws x scenarios x years at once.
6. **p_de_jure** (vectorised "features -> p_de_jure draws" function,
   a :class:`PDeJureModel`): one draw of the classifier's parameters per
   Monte Carlo draw, shared by every scenario and year of that draw.

Common random numbers: projection errors, evidence draws and classifier
parameters are the same across scenarios within a draw, so first differences
against the baseline isolate the shocks.

:func:`simulate_single` computes one (scenario, draw) with plain per-draw code
from the same prepared random inputs; it gives identical numbers and is the
"single-draw path" the benchmark and tests compare the vectorised engine with.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Protocol, Sequence, runtime_checkable

import numpy as np
import pandas as pd

from ..catalog import catalog as _catalog
from ..errors import CoverageWarning, MethodError, ScenarioError, suggest
from ..observations import CONFIDENCE_FACTORS
from .projection import conform, project
from .spec import ScenarioSet

MAX_STALE = 3
ALLIANCE_THRESHOLD = 0.5
SCORE_OUT = ("index", "cooperation", "discord")


# --------------------------------------------------------------------------- interfaces

@runtime_checkable
class PDeJureModel(Protocol):
    """What the simulator needs from a classifier (vectorised over rows and parameter draws).

    ``draw_parameters(n_draws, rng)`` returns an array whose first axis is the
    draw (one parameter vector per Monte Carlo draw, from the classifier's own
    estimate of its parameter uncertainty). ``p_de_jure(features, params,
    draw_ids)`` returns one probability per row of ``features`` using
    ``params[draw_ids[i]]`` for row ``i``. ``features`` has the indicator
    columns (raw units, NaN = unobserved), the index outputs (``index``,
    ``cooperation``, ``discord``, ``breadth``, ``coverage``, ``dom_*``) and
    ``dyad``, ``year``. ``verdict(p, features)`` (optional) returns the verdict
    strings; without it a row is ``alliance`` when ``p >= 0.5``.
    """

    def draw_parameters(self, n_draws: int, rng: np.random.Generator) -> np.ndarray: ...

    def p_de_jure(self, features: pd.DataFrame, params: np.ndarray, draw_ids: np.ndarray) -> np.ndarray: ...


def default_classifier(history: pd.DataFrame | None = None):
    """The project's fitted classifier as a :class:`PDeJureModel`.

    Uses ``alliance_index.models.scenario_adapter(history)`` when the models package
    provides one, else :class:`~alliance_index.scenarios.classifier_adapter.FittedClassifierAdapter`
    over the shipped fitted models. ``history`` (observations up to ``as_of``) gives the
    donors for indicators missing in a simulated year.
    """
    if history is None:
        from ..observations import load_panel

        history = load_panel()
    try:
        from .. import models as _models

        factory = getattr(_models, "scenario_adapter", None)
        if factory is not None:
            return factory(history)
        from .classifier_adapter import FittedClassifierAdapter

        return FittedClassifierAdapter(history)
    except (ImportError, FileNotFoundError, AttributeError, KeyError) as exc:
        raise MethodError(
            "the classifier (alliance_index.models) is not available, so p_de_jure cannot be simulated "
            f"({exc}); pass classifier= an object with draw_parameters() and p_de_jure(), or classifier=False "
            "for the index only."
        ) from None


class IndexFunction:
    """Vectorised "panel -> index": a fitted :class:`~alliance_index.index.CompositeIndex` over raw rows.

    Parameters
    ----------
    estimator : CompositeIndex, optional
        Unfitted or fitted; default ``CompositeIndex()`` (goalposts, catalog weights).
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, panel) -> "IndexFunction":
        from ..index import CompositeIndex

        est = self.estimator if self.estimator is not None else CompositeIndex()
        self.est_ = est.fit(panel)
        self.names_ = [str(c) for c in est.feature_names_in_]
        return self

    def __call__(self, V: np.ndarray, years: np.ndarray, groups: np.ndarray | None = None) -> pd.DataFrame:
        """Score rows ``V`` (n, k) in the fitted indicator order; returns the estimator's output frame."""
        n = V.shape[0]
        g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
        idx = pd.MultiIndex.from_arrays([g, np.asarray(years, dtype=np.int64)], names=["dyad", "year"])
        X = pd.DataFrame(V, index=idx, columns=self.names_, copy=False)
        # rows where every indicator was dropped (possible only in extreme evidence draws) are scored NaN
        ok = ~np.all(np.isnan(V), axis=1)
        if ok.all():
            return self.est_.transform(X).reset_index(drop=True)
        out = pd.DataFrame(np.nan, index=pd.RangeIndex(n), columns=self.est_.get_feature_names_out())
        if ok.any():
            sub = X[ok]
            gg = g[ok]
            sub.index = pd.MultiIndex.from_arrays([gg, sub.index.get_level_values(1)], names=["dyad", "year"])
            out.loc[ok] = self.est_.transform(sub).to_numpy()
        return out


def _spawn(rng: np.random.Generator, n: int) -> list:
    """Independent child generators (``Generator.spawn`` on numpy >= 1.25, else seeded from ``rng``)."""
    if hasattr(rng, "spawn"):
        return rng.spawn(n)
    return [np.random.default_rng(s) for s in rng.integers(0, 2**63 - 1, size=n)]


# --------------------------------------------------------------------------- prepared inputs

@dataclass
class Prepared:
    """Every random input of one dyad's simulation, drawn once (see :func:`prepare`)."""

    dyad: str
    as_of: int
    years: np.ndarray                  # (ny,) as_of .. horizon
    names: list                        # (k,) indicator order of the index function
    kind: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    base: np.ndarray                   # (D, ny, k) projected paths, NaN = unobserved
    keep: np.ndarray                   # (D, k) evidence draws of each series' anchor
    scenarios: list                    # names
    shocks: list                       # per scenario: list of (t0, j, op, values (D,))
    params: np.ndarray                 # classifier parameter draws, first axis D
    methods: dict = field(default_factory=dict)
    anchors: pd.DataFrame | None = None

    @property
    def n_draws(self) -> int:
        return self.base.shape[0]


def _history(obs: pd.DataFrame, dyad: str, as_of: int) -> pd.DataFrame:
    h = obs[(obs["dyad"] == dyad) & (obs["year"] <= as_of) & obs["value"].notna()]
    if h.empty:
        have = sorted(obs["dyad"].unique())
        if dyad in have:
            first = int(obs.loc[obs["dyad"] == dyad, "year"].min())
            raise ScenarioError(f"dyad {dyad} has no observation up to as_of {as_of} (its data start in {first}); "
                                "choose a later as_of.")
        raise ScenarioError(f"dyad {dyad} is not in the observations.{suggest(dyad, have)} "
                            f"Dyads with data: {', '.join(have[:25])}. Bring observations with --data.")
    return h


def prepare(sset: ScenarioSet, obs: pd.DataFrame, *, draws: int, rng: np.random.Generator,
            names: Sequence[str], classifier: PDeJureModel | None, dyad: str | None = None) -> Prepared:
    """Draw every random input of the simulation of one dyad (projections, evidence, shocks, parameters).

    The random streams are spawned from ``rng`` in a fixed order (projection of
    each indicator in catalog order, evidence, shocks in file order, classifier
    parameters), so the same seed always gives the same inputs.
    """
    dyad = sset.dyad if dyad is None else dyad
    as_of, horizon = sset.as_of, sset.horizon
    cat = _catalog().loc[list(names)]
    years = np.arange(as_of, horizon + 1)
    ny, k, D = len(years), len(names), int(draws)
    hist = _history(obs, dyad, as_of)
    streams = _spawn(rng, k + 3)
    base = np.full((D, ny, k), np.nan)
    anchor_f = np.ones(k)
    methods: dict[str, str] = {}
    rows = []
    by_ind = {i: g for i, g in hist.groupby("indicator", sort=False)}
    for j, ind in enumerate(names):
        g = by_ind.get(ind)
        if g is None:
            continue
        g = g.sort_values("year")
        last = int(g["year"].iloc[-1])
        if as_of - last > MAX_STALE:
            continue
        row = cat.loc[ind]
        method = sset.method_for(ind)
        pr = project(g["year"].to_numpy(), g["value"].to_numpy(), horizon, method=method, kind=row["kind"],
                     lo=float(row["range_min"]), hi=float(row["range_max"]),
                     log1p=row["transform"] == "log1p", n_paths=D, seed=streams[j])
        methods[ind] = pr.method
        anchor_f[j] = CONFIDENCE_FACTORS.get(str(g["confidence"].iloc[-1]), 1.0)
        if last == as_of:
            base[:, 0, j] = pr.last_value
            base[:, 1:, j] = pr.paths
        else:
            base[:, :, j] = pr.paths[:, (as_of - last - 1):]
        rows.append((ind, pr.method, last, pr.last_value, str(g["confidence"].iloc[-1]), len(g), pr.sigma))
    keep = streams[k].random((D, k)) < anchor_f[None, :]
    shocks_all = []
    srng = streams[k + 1]
    col = {n: j for j, n in enumerate(names)}
    for sc in sset.scenarios:
        lst = []
        made_observed: set = set()  # indicators a `set` shock of this scenario has already made observed
        for sh in sorted(sc.shocks, key=lambda s: s.year):  # stable: file order within a year
            if sh.indicator not in col:
                raise ScenarioError(f"indicator '{sh.indicator}' is not scored by the index (not in its panel).")
            if sh.op == "set":
                made_observed.add(sh.indicator)
            elif sh.indicator not in made_observed and np.isnan(base[:, :, col[sh.indicator]]).all():
                raise ScenarioError(_dead_shock_message(sset, sc.name, sh, by_ind.get(sh.indicator), dyad))
            u = sh.uncertainty
            if u is None:
                vals = np.full(D, sh.value)
            elif isinstance(u, tuple):
                vals = srng.uniform(u[0], u[1], D)
            else:
                vals = sh.value + srng.standard_normal(D) * u
            lst.append((int(sh.year - as_of), col[sh.indicator], sh.op, vals))
        shocks_all.append(lst)
    params = (classifier.draw_parameters(D, streams[k + 2]) if classifier is not None
              else np.zeros((D, 0)))
    anchors = pd.DataFrame(rows, columns=["indicator", "method", "last_year", "last_value", "confidence",
                                          "n_obs", "sigma"])
    return Prepared(dyad=dyad, as_of=as_of, years=years, names=list(names), kind=cat["kind"].to_numpy(),
                    lo=cat["range_min"].to_numpy(dtype="float64"), hi=cat["range_max"].to_numpy(dtype="float64"),
                    base=base, keep=keep, scenarios=list(sset.names), shocks=shocks_all, params=params,
                    methods=methods, anchors=anchors)


def _dead_shock_message(sset: ScenarioSet, scenario: str, sh, g: pd.DataFrame | None, dyad: str) -> str:
    """Why an ``add``/``scale``/``trend`` shock cannot act: its indicator is unobserved in every draw."""
    where = f"{sset.source}: " if getattr(sset, "source", None) else ""
    if g is None:
        seen, fix = f"is never observed for {dyad} up to as_of {sset.as_of}", "Use `op: set` to give it a value"
    else:
        last = int(g["year"].max())
        seen = (f"was last observed for {dyad} in {last}, more than {MAX_STALE} years before as_of {sset.as_of}, "
                "so it is not projected")
        fix = f"Use `op: set` to give it a value, or as_of {last + MAX_STALE} or earlier"
    return (f"{where}scenario '{scenario}': shock `{sh.op}` {sh.value!r} on '{sh.indicator}' in {sh.year} cannot act: "
            f"the indicator {seen}; it stays unobserved in every draw, so `{sh.op}` leaves it unobserved and the "
            f"scenario equals the baseline. {fix}.")


# --------------------------------------------------------------------------- shocks

def _apply_op(x: np.ndarray, op: str, v: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """x (..., T) for the affected years; v broadcastable to x[..., :1]; steps = 1, 2, ... per year."""
    if op == "set":
        return np.broadcast_to(v, x.shape).copy()
    if op == "add":
        return x + v
    if op == "scale":
        return x * v
    return x + v * steps  # trend


def shocked_values(prep: Prepared) -> np.ndarray:
    """All scenarios' indicator values, shape (S, D, ny, k), vectorised over draws and years."""
    X0 = np.where(prep.keep[:, None, :], prep.base, np.nan)
    S = len(prep.scenarios)
    out = np.empty((S,) + X0.shape)
    for s in range(S):
        X = X0.copy()
        for t0, j, op, vals in prep.shocks[s]:
            seg = X[:, t0:, j]
            steps = np.arange(1, seg.shape[1] + 1, dtype="float64")[None, :]
            X[:, t0:, j] = conform(_apply_op(seg, op, vals[:, None], steps), prep.kind[j], prep.lo[j], prep.hi[j])
        out[s] = X
    return out


# --------------------------------------------------------------------------- simulation

@dataclass
class SimArrays:
    """Simulated outputs of one dyad: each array (S, D, ny)."""

    index: np.ndarray
    cooperation: np.ndarray
    discord: np.ndarray
    p_de_jure: np.ndarray
    alliance: np.ndarray   # bool
    #: False when no classifier was run (``classifier=False``): ``p_de_jure`` is NaN and
    #: ``alliance`` carries no information, so every p(alliance) derived from it is NaN.
    classified: bool = True


def _features(V: np.ndarray, scores: pd.DataFrame, names, dyad, years, paths) -> pd.DataFrame:
    """Rows for the classifier: ``dyad, path, year``, the simulated indicators and the index scores.
    ``path`` numbers the simulated trajectories (one scenario and draw), so a classifier that pools a
    dyad's earlier years can follow each one."""
    f = pd.DataFrame(V, columns=list(names))
    f = pd.concat([f, scores.reset_index(drop=True)], axis=1)
    f.insert(0, "year", np.asarray(years, dtype=np.int64))
    f.insert(0, "path", np.asarray(paths, dtype=np.int64))
    f.insert(0, "dyad", dyad)
    return f


def _verdict_alliance(clf, p, feats) -> np.ndarray:
    if clf is not None and hasattr(clf, "verdict"):
        return np.asarray(clf.verdict(p, feats)) == "alliance"
    return p >= ALLIANCE_THRESHOLD


def simulate(prep: Prepared, index_fn: IndexFunction, classifier: PDeJureModel | None) -> SimArrays:
    """Vectorised engine: every scenario, draw and year of ``prep`` in one pass."""
    X = shocked_values(prep)
    S, D, ny, k = X.shape
    V = X.reshape(-1, k)
    years = np.broadcast_to(prep.years, (S, D, ny)).reshape(-1)
    draw_ids = np.broadcast_to(np.arange(D)[None, :, None], (S, D, ny)).reshape(-1)
    scores = index_fn(V, years)
    if classifier is not None:
        paths = np.broadcast_to(np.arange(S * D).reshape(S, D, 1), (S, D, ny)).reshape(-1)
        feats = _features(V, scores, prep.names, prep.dyad, years, paths)
        p = np.asarray(classifier.p_de_jure(feats, prep.params, draw_ids), dtype="float64")
        al = _verdict_alliance(classifier, p, feats)
    else:
        p = np.full(len(V), np.nan)
        al = np.zeros(len(V), dtype=bool)
    shp = (S, D, ny)
    return SimArrays(index=scores["index"].to_numpy().reshape(shp),
                     cooperation=scores["cooperation"].to_numpy().reshape(shp),
                     discord=scores["discord"].to_numpy().reshape(shp),
                     p_de_jure=p.reshape(shp), alliance=np.asarray(al, dtype=bool).reshape(shp),
                     classified=classifier is not None)


def simulate_single(prep: Prepared, s: int, d: int, index_fn: IndexFunction,
                    classifier: PDeJureModel | None) -> dict:
    """The single-draw path: scenario ``s``, draw ``d``, year by year, from the same prepared inputs."""
    ny = prep.base.shape[1]
    x = prep.base[d].copy()
    x[:, ~prep.keep[d]] = np.nan
    for t0, j, op, vals in prep.shocks[s]:
        for t in range(t0, ny):
            step = float(t - t0 + 1)
            v = float(vals[d])
            cur = x[t, j]
            new = v if op == "set" else cur + v if op == "add" else cur * v if op == "scale" else cur + v * step
            x[t, j] = conform(np.array([new]), prep.kind[j], prep.lo[j], prep.hi[j])[0]
    scores = index_fn(x, prep.years)
    if classifier is not None:
        feats = _features(x, scores, prep.names, prep.dyad, prep.years, np.full(ny, s * prep.base.shape[0] + d))
        p = np.asarray(classifier.p_de_jure(feats, prep.params, np.full(ny, d)), dtype="float64")
        al = _verdict_alliance(classifier, p, feats)
    else:
        p, al = np.full(ny, np.nan), np.zeros(ny, dtype=bool)
    return {"index": scores["index"].to_numpy(), "cooperation": scores["cooperation"].to_numpy(),
            "discord": scores["discord"].to_numpy(), "p_de_jure": p, "alliance": np.asarray(al, dtype=bool)}


def simulate_looped(prep: Prepared, index_fn: IndexFunction, classifier: PDeJureModel | None) -> SimArrays:
    """Run :func:`simulate_single` for every scenario and draw (reference / benchmark path)."""
    S, D, ny = len(prep.scenarios), prep.n_draws, len(prep.years)
    out = {n: np.empty((S, D, ny)) for n in ("index", "cooperation", "discord", "p_de_jure")}
    al = np.zeros((S, D, ny), dtype=bool)
    for s in range(S):
        for d in range(D):
            r = simulate_single(prep, s, d, index_fn, classifier)
            for n in out:
                out[n][s, d] = r[n]
            al[s, d] = r["alliance"]
    return SimArrays(alliance=al, classified=classifier is not None, **out)


# --------------------------------------------------------------------------- entry point

def _obs_upto(obs, as_of: int | None) -> pd.DataFrame:
    from ..observations import load_panel, validate_observations

    if obs is None:
        obs = load_panel()
    elif isinstance(obs, (str,)) or hasattr(obs, "__fspath__"):
        from ..observations import read_observations

        obs = read_observations(obs)
    elif not isinstance(obs, pd.DataFrame):
        raise TypeError(f"obs must be a DataFrame of observations (contract §2) or a path, got {type(obs).__name__}")
    else:
        obs = validate_observations(obs)
    if as_of is None:
        return obs
    return obs[obs["year"] <= as_of].reset_index(drop=True)


def run_set(sset: ScenarioSet, obs=None, *, draws: int | None = None, seed=None, classifier=None,
            index=None, dyads: Sequence[str] | None = None, _stacklevel: int = 2):
    """Simulate every scenario of ``sset``.

    Parameters
    ----------
    sset : ScenarioSet
    obs : DataFrame or path, optional
        Observations (default: the bundled panel). Rows after ``as_of`` are ignored.
    draws, seed : optional
        Override the set's ``draws`` / ``seed``.
    classifier : PDeJureModel or False, optional
        Default: the project's fitted classifier (:func:`default_classifier`). ``False``:
        index only (p_de_jure and every share of alliance verdicts are NaN: not computed).
    index : CompositeIndex, optional
        Index estimator (default ``CompositeIndex()``), fitted on the history up to ``as_of``.
    dyads : list of str, optional
        Run the same scenarios for these dyads instead of the set's one dyad.

    Returns
    -------
    ScenarioSetResult

    Warns
    -----
    CoverageWarning
        When the observations code ``as_of`` only to date for a dyad (a year in progress,
        :func:`alliance_index.observations.incomplete_years`): its nowcast is provisional,
        and the result lists it in ``provisional``.
    """
    from ..countries import dyad_id
    from ..observations import is_incomplete
    from ..panel import to_panel
    from .results import ScenarioSetResult

    D = int(sset.draws if draws is None else draws)
    if D < 1:
        raise ScenarioError(f"draws must be >= 1, got {D}.")
    seed = sset.seed if seed is None else seed
    full = _obs_upto(obs, None)
    ids = [sset.dyad] if dyads is None else [dyad_id(x) for x in dyads]
    for dy in ids:
        _history(full, dy, sset.as_of)
    hist = full[full["year"] <= sset.as_of].reset_index(drop=True)
    prov = [dy for dy, inc in zip(ids, is_incomplete(hist, ids, np.full(len(ids), sset.as_of))) if inc]
    clf = None if classifier is False else default_classifier(hist) if classifier is None else classifier
    panel = to_panel(hist[hist["dyad"].isin(ids)], validate=False)
    index_fn = IndexFunction(index).fit(panel)
    rng = np.random.default_rng(seed)
    results = []
    sub_rngs = _spawn(rng, len(ids))
    for dy, r in zip(ids, sub_rngs):
        prep = prepare(sset, hist, draws=D, rng=r, names=index_fn.names_, classifier=clf, dyad=dy)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sim = simulate(prep, index_fn, clf)
        results.append((prep, sim))
    out = ScenarioSetResult.from_simulation(sset, results, seed=seed, draws=D, provisional=prov)
    if prov:
        where = f"{sset.source}: " if getattr(sset, "source", None) else ""
        warnings.warn(f"{where}scenario '{sset.name}': {out.provisional_note()}.", CoverageWarning,
                      stacklevel=_stacklevel)
    return out
