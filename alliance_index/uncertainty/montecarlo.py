"""Monte Carlo over the declared choice space, and Sobol sensitivity of each choice.

The model analysed is any callable ``model(panel, choices) -> DataFrame``
indexed by ``(dyad, year)`` with an ``index`` column (and optionally
``p_de_jure`` and ``verdict``). An optional ``classifier(scores, choices)``
adds ``p_de_jure`` / ``verdict`` to the model's output. Draws are evaluated in
chunks, locally or on a Dask cluster (``client=``); every draw's parameters
are sampled up front from one seed, so results do not depend on the chunking
or on where the chunks run.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import MethodError
from .sobol import SobolResult, sobol_indices
from .space import ChoiceError, ChoiceSpace, WeightPerturbation

__all__ = ["UncertaintyResult", "monte_carlo", "sensitivity", "composite_model", "CompositeModel", "VerdictClassifier", "rank_within_year",
           "check_choices_vary"]

Model = Callable[[Any, Mapping[str, Any]], pd.DataFrame]
Classifier = Callable[[pd.DataFrame, Mapping[str, Any]], pd.DataFrame]

_OUTPUTS = ("index", "p_de_jure", "verdict")


# ---------------------------------------------------------------------------
# the default model: the composite index engine
class CompositeModel:
    """The composite index (:class:`alliance_index.index.CompositeIndex`) as a model of choices.

    ``CompositeModel(**fixed)(panel, choices)`` fits and applies
    ``CompositeIndex(**fixed, **choices)`` on ``panel`` and returns its frame
    (``index``, ``cooperation``, ``discord``, domain scores, ... per dyad-year).

    Choice names are ``CompositeIndex`` parameters (``normalisation``,
    ``aggregation``, ``imputation``, ``evidence``, ``discord_exponent``,
    ``weights`` (dict indicator → weight), ``domain_weights`` (dict domain →
    weight), ...), plus:

    ``alleged_factor`` : float
        The evidence factor of cells graded ``alleged`` (default 0.5, see
        ``observations.CONFIDENCE_FACTORS``); used by evidence weighting
        (``evidence=True``), so it has no effect without it.

    Default weights for a :class:`WeightPerturbation` named ``weights`` are the
    catalog's ``default_weight`` of the indicators observed in the panel; for
    ``domain_weights``, equal weights over the four domains.
    """

    def __init__(self, **fixed: Any) -> None:
        self.fixed = fixed

    def __call__(self, panel: Any, choices: Mapping[str, Any]) -> pd.DataFrame:
        from ..index import CompositeIndex

        kw = {**self.fixed, **dict(choices)}
        alleged = kw.pop("alleged_factor", None)
        if alleged is not None:
            panel = _with_alleged_factor(panel, float(alleged))
        est = CompositeIndex(**kw)
        return est.fit(panel).transform(panel)

    def default_weights(self, panel: Any, name: str) -> pd.Series:
        from ..catalog import DOMAINS
        from ..catalog import catalog as _cat

        if name == "domain_weights":
            return pd.Series(1.0, index=list(DOMAINS))
        if name == "weights":
            cat = _cat()
            vals = getattr(panel, "values", None)
            cols = list(vals.columns[vals.notna().any(axis=0).to_numpy()]) if vals is not None else list(cat.index)
            return cat.loc[[c for c in cols if c in cat.index], "default_weight"].astype("float64")
        raise ChoiceError(
            f"WeightPerturbation '{name}': the composite model knows default weights for 'weights' and "
            f"'domain_weights' only; pass defaults=."
        )

    def __repr__(self) -> str:
        return f"CompositeModel({', '.join(f'{k}={v!r}' for k, v in self.fixed.items())})"


def _with_alleged_factor(panel: Any, factor: float) -> Any:
    """Copy of a Panel whose 'alleged' cells carry evidence factor ``factor``."""
    from dataclasses import replace

    from ..observations import CONFIDENCE_FACTORS

    if not hasattr(panel, "confidence"):
        raise MethodError("alleged_factor needs a Panel (with evidence confidence), not a plain frame.")
    if not (0.0 <= factor <= 1.0):
        raise ChoiceError(f"Choice 'alleged_factor': {factor} is outside [0, 1].")
    conf = panel.confidence
    mask = conf.to_numpy() == CONFIDENCE_FACTORS["alleged"]
    return replace(panel, confidence=conf.mask(mask, factor))


composite_model = CompositeModel()


class VerdictClassifier:
    """The library's classifier as a ``classifier(scores, choices)`` for :func:`monte_carlo`.

    ``p_de_jure`` comes from :func:`alliance_index.models.classify` run once on
    the observations (it rests on the raw commitment and discord indicators
    and the classifier's own fitted parameters, none of which the index's
    modelling choices touch); the verdict is re-derived in every draw by
    :func:`alliance_index.models.verdicts` from that ``p_de_jure`` and the
    draw's ``cooperation``, ``discord`` and ``hostility``, exactly as ``attach_classification``
    does for a printed score. A verdict therefore changes over the choice
    space when a choice moves cooperation or discord across the verdict
    thresholds.

    Parameters
    ----------
    obs : DataFrame or None
        Observations (``None`` = bundled panel).
    n_sims, seed
        Passed to ``classify``.
    classify, verdicts : callable, optional
        Stand-ins for the library's functions (same signatures).
    """

    def __init__(self, obs: Any = None, *, n_sims: int = 1000, seed: Any = 0,
                 classify: Callable[..., pd.DataFrame] | None = None,
                 verdicts: Callable[..., np.ndarray] | None = None) -> None:
        if classify is None or verdicts is None:
            from ..models import classify as _classify
            from ..models import verdicts as _verdicts

            classify = classify or _classify
            verdicts = verdicts or _verdicts
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # coverage warnings were the classifier's to give once
            table = classify(obs, n_sims=n_sims, seed=seed)
        self.table_ = table.set_index(["dyad", "year"])
        self.verdicts = verdicts

    def __call__(self, scores: pd.DataFrame, choices: Mapping[str, Any]) -> pd.DataFrame:
        p = self.table_["p_de_jure"].reindex(scores.index).to_numpy(dtype="float64")
        # the draw's own hostility (CompositeIndex output has it); for a model that gives none, the
        # classifier's (fixed across draws); failing both, total discord (the 0.1.0 rule)
        if "hostility" in scores.columns:
            H = scores["hostility"]
        elif "hostility" in self.table_.columns:
            H = self.table_["hostility"].reindex(scores.index)
        else:
            H = scores["discord"]
        v = self.verdicts(p, scores["cooperation"].to_numpy(dtype="float64"),
                          scores["discord"].to_numpy(dtype="float64"), H.to_numpy(dtype="float64"))
        return pd.DataFrame({"p_de_jure": p, "verdict": np.asarray(v, dtype=object)}, index=scores.index)


def _default_weights(model: Model, panel: Any, name: str) -> pd.Series:
    """Default weights for a WeightPerturbation without defaults."""
    getter = getattr(model, "default_weights", None)
    if callable(getter):
        return pd.Series(getter(panel, name), dtype="float64")
    raise ChoiceError(
        f"WeightPerturbation '{name}' has no defaults and the model does not provide default_weights(); "
        f"pass defaults=."
    )


def _prepare_space(space: ChoiceSpace, model: Model, panel: Any) -> ChoiceSpace:
    if not isinstance(space, ChoiceSpace):
        raise ChoiceError(f"space must be a ChoiceSpace, got {type(space).__name__}.")
    if any(isinstance(f, WeightPerturbation) and f.defaults is None for f in space.factors):
        space = space.with_weight_defaults(lambda name: _default_weights(model, panel, name))
    return space


def _as_panel(panel_or_obs: Any) -> Any:
    """Long observations become a Panel; anything else (Panel, frame) passes through."""
    if isinstance(panel_or_obs, pd.DataFrame) and {"dyad", "year", "indicator", "value"} <= set(panel_or_obs.columns):
        from ..panel import to_panel

        return to_panel(panel_or_obs)
    return panel_or_obs


# ---------------------------------------------------------------------------
def _run_one(model: Model, classifier: Classifier | None, panel: Any, choices: Mapping[str, Any]) -> pd.DataFrame:
    out = model(panel, choices)
    if isinstance(out, pd.Series):
        out = out.to_frame("index")
    if not isinstance(out, pd.DataFrame) or "index" not in out.columns:
        raise MethodError(
            "the model must return a DataFrame indexed by (dyad, year) with an 'index' column; "
            f"got {type(out).__name__} with columns {list(getattr(out, 'columns', []))}."
        )
    if classifier is not None:
        extra = classifier(out, choices)
        if isinstance(extra, pd.Series):
            extra = extra.to_frame("p_de_jure")
        extra = extra.reindex(out.index)
        out = out.drop(columns=[c for c in extra.columns if c in out.columns]).join(extra)
    return out


def _run_chunk(model: Model, classifier: Classifier | None, panel: Any, params: list[dict[str, Any]],
               rows: pd.Index, outputs: Sequence[str], start: int = 0) -> dict[str, np.ndarray]:
    """Evaluate a chunk of draws; arrays (n_rows, n_draws_in_chunk) per output."""
    res = {o: [] for o in outputs}
    for i, p in enumerate(params):
        try:
            out = _run_one(model, classifier, panel, p).reindex(rows)
        except Exception as exc:
            shown = {k: v for k, v in p.items() if not isinstance(v, dict)}
            raise MethodError(
                f"the model failed on draw {start + i} with choices {shown}: {exc} "
                f"(exclude this combination from the space, e.g. drop the offending option)."
            ) from exc
        for o in outputs:
            res[o].append(out[o].to_numpy(dtype=object if o == "verdict" else "float64"))
    return {o: np.column_stack(v) if v else np.empty((len(rows), 0)) for o, v in res.items()}


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(n, i + size)) for i in range(0, n, size)]


def _evaluate(model: Model, classifier: Classifier | None, panel: Any, params: list[dict[str, Any]],
              rows: pd.Index, outputs: Sequence[str], client: Any, chunk_size: int) -> dict[str, np.ndarray]:
    slices = _chunks(len(params), chunk_size)
    if client is None:
        parts = [_run_chunk(model, classifier, panel, params[s], rows, outputs, s.start) for s in slices]
    else:
        [pf] = client.scatter([panel], broadcast=True)
        futs = [client.submit(_run_chunk, model, classifier, pf, params[s], rows, tuple(outputs), s.start,
                              pure=False) for s in slices]
        parts = client.gather(futs)
    return {o: np.concatenate([p[o] for p in parts], axis=1) for o in outputs}


def rank_within_year(values: np.ndarray, rows: pd.Index) -> np.ndarray:
    """Rank rows within each year, per column: 1 = highest value, ties share the lowest rank, NaN stays NaN."""
    years = rows.get_level_values("year") if isinstance(rows, pd.MultiIndex) else np.zeros(len(rows))
    out = np.full(values.shape, np.nan)
    df = pd.DataFrame(values)
    for y in pd.unique(np.asarray(years)):  # loop over years (few), vectorised over rows and draws
        m = np.asarray(years == y)
        out[m] = df[m].rank(axis=0, ascending=False, method="min").to_numpy()
    return out


# ---------------------------------------------------------------------------
@dataclass
class UncertaintyResult:
    """Result of :func:`monte_carlo`.

    Attributes
    ----------
    summary : DataFrame
        Per (dyad, year): baseline index and rank, their 5/50/95 percentiles,
        ``p_de_jure`` percentiles, ``verdict_baseline``, ``verdict_modal``,
        ``verdict_modal_share`` and ``verdict_change`` (share of draws whose
        verdict differs from the baseline verdict; NaN when no verdict is
        available), ``n_valid`` (draws with a finite index).
    draws : DataFrame
        Every draw's parameters, one row per draw (weights as ``name[key]`` columns).
    samples : dict of ndarray
        ``index``, ``rank`` (and ``p_de_jure``, ``verdict`` when available):
        arrays (n_rows, n_draws) aligned with ``summary.index``.
    baseline : dict
        Options of the baseline run.
    notes : list of str
        What could not be computed and why.
    """

    summary: pd.DataFrame
    draws: pd.DataFrame
    samples: dict[str, np.ndarray]
    baseline: dict[str, Any]
    percentiles: tuple[float, ...]
    seed: Any
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.summary

    def sample_frame(self, output: str = "index") -> pd.DataFrame:
        """Samples of one output as a frame: rows (dyad, year), columns draws."""
        return pd.DataFrame(self.samples[output], index=self.summary.index,
                            columns=pd.RangeIndex(self.samples[output].shape[1], name="draw"))

    @property
    def verdict_available(self) -> bool:
        return "verdict" in self.samples

    def __repr__(self) -> str:
        return (f"UncertaintyResult(rows={len(self.summary)}, draws={len(self.draws)}, "
                f"verdicts={'yes' if self.verdict_available else 'unavailable'})")


def _pct_cols(prefix: str, q: Sequence[float]) -> list[str]:
    return [f"{prefix}_p{q_:g}" for q_ in q]


def monte_carlo(
    panel_or_obs: Any,
    space: ChoiceSpace,
    n_draws: int = 1000,
    seed: Any = None,
    client: Any = None,
    model: Model | None = None,
    *,
    classifier: Classifier | None = None,
    percentiles: Sequence[float] = (5, 50, 95),
    chunk_size: int | None = None,
    check_choices: bool = True,
) -> UncertaintyResult:
    """Uncertainty analysis: run the model over random draws of the choice space.

    Parameters
    ----------
    panel_or_obs : Panel or DataFrame
        Long observations (contract §2) are turned into a Panel first.
    space : ChoiceSpace
        The declared choices, weight perturbations and fixed options.
    n_draws : int, default 1000
    seed : None, int or Generator
        One seed for all parameter draws (``np.random.default_rng(seed)``).
    client : dask.distributed.Client, optional
        Evaluate chunks of draws on this cluster (results identical to local runs).
    model : callable, optional
        ``model(panel, choices) -> DataFrame`` indexed by (dyad, year) with an
        ``index`` column and optional ``p_de_jure`` and ``verdict`` columns.
        Default :func:`composite_model`. Weight defaults come from
        ``model.default_weights(panel, name)`` when it exists.
    classifier : callable, optional
        ``classifier(scores, choices) -> DataFrame`` with ``p_de_jure`` and/or
        ``verdict``, applied to the model's output in every draw.
    percentiles : sequence of float, default (5, 50, 95)
    chunk_size : int, optional
        Draws per task (default: about 4 tasks per worker, at most 250 draws).
    check_choices : bool, default True
        First check that every declared choice changes some index value
        (:func:`check_choices_vary`); a choice that cannot vary is an error.

    Returns
    -------
    UncertaintyResult

    Notes
    -----
    Draw :math:`d` uses options :math:`\\theta_d` obtained by mapping the
    uniforms :math:`U_{d\\cdot}` (rows of one ``default_rng(seed)`` stream) through
    each factor's inverse-CDF (:meth:`ChoiceSpace.from_unit`). Ranks are taken
    within each year over all dyads (1 = highest index; ties share the lowest
    rank). ``verdict_change`` is :math:`\\frac1D\\sum_d 1[v_d \\ne v_0]` with
    :math:`v_0` the verdict of the baseline run (every choice at its default).
    Without a verdict (no classifier and no ``verdict`` column) verdict columns
    are NaN and a note says so: they are not estimated from anything else.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise MethodError(f"n_draws={n_draws!r} must be a positive integer.")
    q = tuple(float(x) for x in percentiles)
    if not q or any(not (0 <= x <= 100) for x in q):
        raise MethodError(f"percentiles={percentiles!r} must lie in [0, 100].")
    model = composite_model if model is None else model
    panel = _as_panel(panel_or_obs)
    space = _prepare_space(space, model, panel)
    table, params = space.sample(int(n_draws), seed=seed)
    base_params = space.baseline()
    base = _run_one(model, classifier, panel, base_params)
    if check_choices:
        check_choices_vary(model, panel, space, base, classifier)
    rows = base.index
    outputs = ["index"] + [o for o in ("p_de_jure", "verdict") if o in base.columns]
    if chunk_size is None:
        workers = 1
        if client is not None:
            try:
                workers = max(1, len(client.scheduler_info().get("workers", {})))
            except Exception:  # pragma: no cover
                workers = 1
        chunk_size = max(1, min(250, math.ceil(n_draws / (4 * workers))))
    S = _evaluate(model, classifier, panel, params, rows, outputs, client, int(chunk_size))
    S["rank"] = rank_within_year(S["index"], rows)
    notes: list[str] = []

    summ = pd.DataFrame(index=rows)
    summ["index_baseline"] = base["index"].to_numpy(dtype="float64")
    summ["rank_baseline"] = rank_within_year(summ[["index_baseline"]].to_numpy(), rows)[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
        for name in ("index", "rank") + (("p_de_jure",) if "p_de_jure" in S else ()):
            summ[_pct_cols(name, q)] = np.nanpercentile(S[name], q, axis=1).T
            if name == "index":
                summ["index_mean"] = np.nanmean(S[name], axis=1)
    if "p_de_jure" not in S:
        summ[_pct_cols("p_de_jure", q)] = np.nan
        notes.append("p_de_jure unavailable: the model returned none and no classifier was given.")
    elif not np.isfinite(S["p_de_jure"]).any():
        notes.append("p_de_jure unavailable: it was NaN in every run.")
    summ["n_valid"] = np.isfinite(S["index"]).sum(axis=1)
    if "verdict" in S:
        V = S["verdict"]
        v0 = base["verdict"].to_numpy(dtype=object)
        valid = pd.notna(pd.DataFrame(V)).to_numpy()
        changed = (V != v0[:, None]) & valid
        nv = valid.sum(axis=1)
        has0 = pd.notna(pd.Series(v0)).to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            summ["verdict_change"] = np.where((nv > 0) & has0, changed.sum(axis=1) / np.maximum(nv, 1), np.nan)
        if not valid.any():
            notes.append("verdict stability unavailable (NaN): the verdict was missing in every run.")
        elif not has0.all():
            notes.append(f"{int((~has0).sum())} dyad-year(s) have no baseline verdict: their verdict_change is NaN.")
        long = pd.DataFrame(V).stack()
        counts = long.groupby(level=0).value_counts()
        modal = counts.groupby(level=0).idxmax().map(lambda t: t[1])
        share = counts.groupby(level=0).max() / np.maximum(nv[counts.groupby(level=0).max().index], 1)
        summ["verdict_baseline"] = pd.Series(v0, index=rows, dtype=object)
        summ["verdict_modal"] = pd.Series(modal.reindex(range(len(rows))).to_numpy(), index=rows, dtype=object)
        summ["verdict_modal_share"] = share.reindex(range(len(rows))).to_numpy()
    else:
        summ["verdict_baseline"] = pd.Series([None] * len(rows), index=rows, dtype=object)
        summ["verdict_modal"] = pd.Series([None] * len(rows), index=rows, dtype=object)
        summ["verdict_modal_share"] = np.nan
        summ["verdict_change"] = np.nan
        notes.append(
            "verdict stability unavailable (NaN): no verdict function was given "
            "(pass classifier=, or a model that returns a 'verdict' column)."
        )
    return UncertaintyResult(summary=summ, draws=table, samples=S, baseline=base_params,
                             percentiles=q, seed=seed, notes=notes)


def check_choices_vary(model: Model, panel: Any, space: ChoiceSpace, base: pd.DataFrame | None = None,
                       classifier: Classifier | None = None, n_points: int = 3) -> None:
    """Raise :class:`ChoiceError` naming any declared choice that changes no output at all.

    Each choice is moved away from its value, one at a time, at the baseline
    and at ``n_points`` further points of the space (drawn with a fixed seed,
    so choices that act only together with another one are seen): to every
    other option for a :class:`Choice`, to one perturbed weight vector for a
    :class:`WeightPerturbation`. A choice under which not one dyad-year's
    index changes anywhere is a step the model does not vary (an ignored
    keyword, nothing to impute, ...): analysing it would silently report a
    zero effect, so it is an error instead.
    """
    b0 = space.baseline()
    if base is None:
        base = _run_one(model, classifier, panel, b0)
    _, extra = space.sample(n_points, seed=20231)
    points = [(b0, base)] + [(p, None) for p in extra]
    cache: dict[int, pd.DataFrame] = {}
    for f in space.factors:
        varies = False
        for k, (pt, ref_out) in enumerate(points):
            if ref_out is None:
                if k not in cache:
                    cache[k] = _run_one(model, classifier, panel, pt).reindex(base.index)
                ref_out = cache[k]
            ref = ref_out["index"].to_numpy(dtype="float64")
            if isinstance(f, WeightPerturbation):
                u = np.where(np.arange(f.dim) % 2 == k % 2, 0.95, 0.05)[None, :]
                trials = [f.as_dict(f.from_unit(u)[0])]
            else:
                trials = [o for o in f.options if repr(o) != repr(pt[f.name] if k else f.default)]
            for t in trials:
                y = _run_one(model, classifier, panel, {**pt, f.name: t}).reindex(base.index)["index"]
                y = y.to_numpy(dtype="float64")
                if not np.array_equal(np.isnan(y), np.isnan(ref)) or np.nanmax(np.abs(y - ref), initial=0.0) > 1e-12:
                    varies = True
                    break
            if varies:
                break
        if not varies:
            raise ChoiceError(
                f"Choice '{f.name}' changes no index value on these data (moved away from its value at the "
                f"baseline and at {n_points} other points of the space): the model ignores it or the step "
                f"cannot vary here. Remove it from the ChoiceSpace (or pass check_choices=False to analyse "
                f"it anyway)."
            )


# ---------------------------------------------------------------------------
def sensitivity(
    panel_or_obs: Any,
    space: ChoiceSpace,
    n: int = 256,
    seed: Any = None,
    *,
    model: Model | None = None,
    classifier: Classifier | None = None,
    output: str = "index",
    n_boot: int = 200,
    conf_level: float = 0.95,
    client: Any = None,
    chunk_size: int | None = None,
    check_choices: bool = True,
) -> SobolResult:
    """First-order and total Sobol indices of every choice, for every dyad-year.

    Parameters
    ----------
    panel_or_obs, space, model, classifier, client
        As in :func:`monte_carlo`.
    n : int, default 256
        Base sample (power of 2); the model runs ``n * (n_factors + 2)`` times.
    seed : None, int or Generator
    output : {"index", "rank", "p_de_jure", "verdict_change"}
        The quantity analysed per dyad-year: the index, its rank within the
        year, ``p_de_jure``, or the indicator :math:`1[v \ne v_0]` that the
        verdict differs from the baseline verdict (its variance
        :math:`q(1-q)`, :math:`q` the change frequency, is split among the
        choices; needs a verdict).
    n_boot, conf_level
        Bootstrap of the indices (see :func:`sobol_indices`).

    Returns
    -------
    SobolResult
        Factors = the space's choices (a weight perturbation is one group
        factor), outputs = (dyad, year); ``runs`` holds every run's parameters.

    Notes
    -----
    Each factor is driven by uniforms on ``[0, 1)`` from a scrambled Sobol
    sequence. A categorical choice takes option :math:`j` on
    :math:`[P_{j-1}, P_j)` (its cumulative probabilities), so its input
    distribution is exactly the declared one; a weight perturbation uses
    ``k`` uniforms, all swapped together (group index), mapped as in
    :class:`WeightPerturbation`. Indices are NaN for dyad-years whose output
    never varies (zero variance) or is missing in some run.
    """
    if output not in ("index", "rank", "p_de_jure", "verdict_change"):
        raise MethodError(f"output={output!r}: use 'index', 'rank', 'p_de_jure' or 'verdict_change'.")
    model = composite_model if model is None else model
    panel = _as_panel(panel_or_obs)
    space = _prepare_space(space, model, panel)
    base = _run_one(model, classifier, panel, space.baseline())
    if check_choices:
        check_choices_vary(model, panel, space, base, classifier)
    rows = base.index
    need = {"rank": "index", "verdict_change": "verdict"}.get(output, output)
    if need not in base.columns:
        raise MethodError(f"output '{output}' is not produced by the model (columns {list(base.columns)}); "
                          f"{'pass classifier=' if need in ('verdict', 'p_de_jure') else 'check the model'}.")
    v0 = base[need].to_numpy(dtype=object) if need == "verdict" else None

    tables: list[pd.DataFrame] = []

    def func(U: np.ndarray) -> np.ndarray:
        table, params = space.from_unit(U)
        tables.append(table)
        size = chunk_size or max(1, min(250, math.ceil(len(params) / 8)))
        S = _evaluate(model, classifier, panel, params, rows, [need], client, size)[need]
        if output == "rank":
            S = rank_within_year(S, rows)
        elif output == "verdict_change":
            ok = pd.notna(pd.DataFrame(S)).to_numpy() & pd.notna(pd.Series(v0)).to_numpy()[:, None]
            S = np.where(ok, (S != v0[:, None]).astype("float64"), np.nan)
        return S.T

    res = sobol_indices(func, space.problem(), n=n, seed=seed, n_boot=n_boot, conf_level=conf_level,
                        output_names=rows)
    runs = pd.concat(tables, ignore_index=True)
    blocks = ["A"] * res.n + ["B"] * res.n + [f"AB:{f}" for f in res.factors for _ in range(res.n)]
    runs.insert(0, "block", blocks)
    runs.index.name = "run"
    res.runs = runs
    return res
