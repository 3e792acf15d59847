"""CompositeIndex: the alliance index as a scikit-learn style estimator, and ``score`` / ``compare``.

The hierarchy (alliance mode, a :class:`~alliance_index.panel.Panel` or a
wide frame indexed by ``(dyad, year)``)::

    indicator ──► domain × side node (8: military/economic/diplomatic/regional × cooperation/discord)
              ──► cooperation, discord (0–100) ──► overall index (0–100), breadth (0–1)

Generic mode (any 2-D numeric array or frame): the indicators are grouped by
``hierarchy`` (``{node: [columns]}``; default one node of all columns) and
the nodes are aggregated into one top score.

Notes
-----
Each step is a named, swappable choice (documented in its module):
imputation (:mod:`.impute`), treatment and normalisation (:mod:`.normalise`),
weights (:mod:`.weights`), aggregation per node (:mod:`.aggregate`).

*Overall index.* With cooperation :math:`C` and discord :math:`D` on [0, 100],

.. math:: I = C\\,(1 - D/100)^{\\alpha}, \\qquad \\alpha = 1 \\text{ by default.}

It is in [0, 100], non-decreasing in :math:`C` and non-increasing in
:math:`D` (strictly, unless :math:`C = 0` or :math:`D = 100`). Discord
*discounts* cooperation rather than being subtracted from it: a partnership
with high cooperation and high discord (the "convenience" profile) keeps
only the share of its cooperation that discord leaves standing (C = 70,
D = 50 gives 35), while a dyad with no cooperation scores 0 whatever its
discord — discord alone does not make two states less allied than
strangers, and rivalry is read from ``hostility`` (below) itself. The additive
alternative :math:`(C - D + 100)/2` would give strangers (0, 0) and
convenience partners (100, 100) the same 50, which is not what an analyst
means by an alliance index.

*Hostility.* ``hostility`` is discord recomputed by the same fitted plan with
the hedging indicators (:data:`~alliance_index.catalog.HEDGING_INDICATORS`:
neutrality in the partner's conflicts, no help when it is attacked, ties with
its rivals, recognition disputes, withheld arms) treated as unobserved. It
separates a partner that hedges (the convenience profile) from one that is
hostile; the ``rivalry`` verdict reads it. It costs one more engine pass, over
the discord nodes and their non-hedging indicators only.

*Missing data.* A node's weights are renormalised over its observed
indicators; a node with none is NaN. Cooperation and discord aggregate the
observed domain nodes (weights renormalised); the index is NaN when either
side is NaN. ``coverage`` is the share of the catalog's core indicators
actually observed (imputed cells excluded); ``n_imputed`` counts imputed cells.

*Breadth* (0–1): :math:`1 - \\sum_{i<j}|c_i - c_j| / ((q-1)\\sum_i c_i)` over the
:math:`q` observed domain cooperation scores — one minus the Gini
coefficient normalised to its maximum :math:`(q-1)/q`. 1 = cooperation spread
evenly over the domains (the alliance signature), 0 = all of it in one
domain (a transactional partnership). NaN with fewer than two observed
domains or no cooperation at all.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..catalog import DOMAINS, HEDGING_INDICATORS, SIDES
from ..catalog import catalog as _catalog
from ..errors import MethodError, ObservationsError, suggest
from ..panel import Panel
from . import _engine
from .aggregate import AGGREGATORS, DEFAULT_P, EPS, check_method
from .impute import IMPUTERS, impute
from .normalise import NORMALISERS, fit_winsor, log1p_columns, warn_unscaled_observed
from .weights import WEIGHTERS, compute_weights

NODE_NAMES_ALLIANCE: tuple[str, ...] = tuple(f"{d}_{s}" for s in SIDES for d in DOMAINS)


def _validate_data(est, X, reset: bool):
    try:
        from sklearn.utils.validation import validate_data
    except ImportError:  # scikit-learn < 1.6
        return est._validate_data(X, reset=reset, dtype="float64", force_all_finite="allow-nan")
    return validate_data(est, X, reset=reset, dtype="float64", ensure_all_finite="allow-nan")


@dataclass
class _Input:
    V: np.ndarray
    C: np.ndarray | None
    observed: np.ndarray | None
    names: list
    alliance: bool
    index: pd.Index | None
    cat: pd.DataFrame | None


@dataclass(frozen=True)
class _HostilityPlan:
    """The reduced plan of the hostility pass, derived from a fitted alliance plan."""

    source: _engine.Plan             # the plan it was derived from
    hedge_cols: np.ndarray           # column indices of the hedging indicators
    wide: _engine.Plan | None        # all k columns; None = no discord node keeps a non-hedging indicator
    keep: np.ndarray | None          # columns the narrow plan holds
    narrow: _engine.Plan | None      # only those columns; None = normalisation parameters not sliceable


#: normalisation parameters that hold one entry per column (sliced for the narrow plan); "bounded" is
#: a flag. A plan with any other parameter is not sliced (the wide plan is used).
_PER_COLUMN_PARAMS = frozenset({"lo", "hi", "mean", "sd", "sorted"})
_SCALAR_PARAMS = frozenset({"bounded"})


def _hostility_plan(pl: _engine.Plan) -> _HostilityPlan:
    """Reduce a fitted alliance plan to the discord of the non-hedging indicators.

    The reduced plan keeps the discord nodes that still hold at least one
    non-hedging indicator (re-indexed, with their aggregators, orders and node
    weights), one group (discord, with its aggregator and order) and no
    alliance outputs; the hedging, cooperation and dropped-node columns are in
    no node (``col_node = -1``). Its output column ``G'`` (the only group, after its
    ``G'`` nodes) equals column ``G + 1`` (discord) of the full plan run with the
    hedging indicators out of their nodes.

    Why that is the same number (checked in ``tests/test_hostility_plan.py``):

    * a group score reads only the nodes of its group (``node_grp``), so the
      cooperation nodes never enter discord;
    * a node's score reads only its own columns (and, for Copeland, the same
      column over the other rows of the same ``groups`` label, which are all
      still there), so re-indexing nodes changes nothing;
    * a discord node that holds only hedging indicators is NaN in every row of
      the full pass. Every aggregator gives an unobserved input weight 0
      (``aggregate._prepare``; the numba kernel multiplies by the node's 0/1
      observed flag), so such a node adds exact zeros to the weighted sums, to
      the Copeland margins and to the weight total, and the number of units a
      Copeland group compares is unchanged: dropping it gives the same score and
      the same NaN pattern. (Sums of fewer than 8 terms are sequential in numpy,
      so removing zero terms does not even change the rounding.)

    The previous code handled a node of hedging indicators only by setting the
    hedging columns to NaN rather than taking them out of their nodes. That is the
    same up to rounding: for a node of 8 or more columns numpy's pairwise summation,
    and in the numba kernel the rescaling of a geometric node's running product
    (chosen from the node's columns), may round differently in the last bits. No
    catalog node has that many columns, and the tests find the same bits.
    """
    names = np.asarray(pl.names, dtype=object)
    k = len(names)
    hedge = np.isin(names, HEDGING_INDICATORS)
    hedge_cols = np.flatnonzero(hedge)
    d = pl.grp_names.index("discord")
    col_node = np.where(hedge, -1, pl.col_node)
    nodes = [g for g in range(len(pl.node_names)) if pl.node_grp[g] == d and (col_node == g).any()]
    if not nodes:
        return _HostilityPlan(pl, hedge_cols, None, None, None)
    renum = np.full(len(pl.node_names) + 1, -1, dtype=np.int64)  # last entry: col_node -1 stays -1
    renum[nodes] = np.arange(len(nodes))
    col_node_r = renum[col_node]
    sel = np.asarray(nodes, dtype=np.int64)
    wide = replace(
        pl, col_node=col_node_r, node_names=[pl.node_names[g] for g in nodes],
        node_agg=[pl.node_agg[g] for g in nodes], node_p=np.asarray(pl.node_p)[sel].copy(),
        grp_names=[pl.grp_names[d]], node_grp=np.zeros(len(nodes), dtype=np.int64),
        node_gw=np.asarray(pl.node_gw)[sel].copy(), grp_agg=[pl.grp_agg[d]],
        grp_p=np.asarray(pl.grp_p)[[d]].copy(), alliance=False, coop_dom=np.zeros(0, dtype=np.int64),
        core=np.zeros(k, dtype=bool), n_core_total=0, extra=dict(pl.extra),
    )
    keep = np.flatnonzero(col_node_r >= 0)
    narrow = None
    params = pl.norm_params
    if not pl.extra and set(params) <= (_PER_COLUMN_PARAMS | _SCALAR_PARAMS) and all(
            len(params[key]) == k for key in params if key in _PER_COLUMN_PARAMS):
        sliced = {key: (val if key in _SCALAR_PARAMS else
                        [val[j] for j in keep] if isinstance(val, list) else np.asarray(val)[keep])
                  for key, val in params.items()}
        narrow = replace(
            wide, names=[pl.names[j] for j in keep], log1p=np.asarray(pl.log1p)[keep],
            wlo=np.asarray(pl.wlo)[keep], whi=np.asarray(pl.whi)[keep], norm_params=sliced,
            col_node=col_node_r[keep], col_w=np.asarray(pl.col_w)[keep], core=np.zeros(len(keep), dtype=bool),
        )
    return _HostilityPlan(pl, hedge_cols, wide, keep, narrow)


class CompositeIndex(TransformerMixin, BaseEstimator):
    """Composite index over dyad-years (or any units), COINr-style, vectorised.

    Parameters
    ----------
    normalisation : {"goalposts", "minmax", "zscore", "rank", "reference"}, default "goalposts"
        See :mod:`alliance_index.index.normalise`. ``goalposts`` uses the catalog's
        goalposts (alliance mode) or the ``goalposts`` parameter (generic mode).
    weights : {"catalog", "equal", "pca", "balance", "confidence"} or array or dict, default "catalog"
        See :mod:`alliance_index.index.weights`. ``"confidence"`` = catalog
        weights with evidence weighting. In generic mode ``"catalog"`` means equal.
        An array gives one weight per column; a dict maps indicator → weight
        (others keep catalog weights).
    aggregation : {"arithmetic", "geometric", "harmonic", "generalised", "copeland"}, default "arithmetic"
        Default aggregator of every node (indicator → domain and domain → side).
        ``copeland`` compares units within a year; ``fit`` keeps the fitted sample and
        ``transform`` scores every row against the fitted rows of its year (the row's
        own fitted (dyad, year), or in generic mode a fitted row with the same values,
        is not its opponent), so ``transform`` of a subset gives the subset's rows of
        ``transform`` of the whole, and ``fit_transform`` gives the in-sample Copeland.
    imputation : {"none", "linear", "locf"}, default "none"
        See :mod:`alliance_index.index.impute` (needs dyad-year rows).
    max_gap : int or None, default 3
        Longest run of missing years that imputation may fill.
    treatment : {"catalog", "none"}, default "catalog"
        ``catalog`` applies ``log1p`` to the indicators whose catalog transform says so.
    winsorise : (float, float) or None, default None
        Quantiles to clip each indicator to (learned in ``fit``), e.g. ``(0.01, 0.99)``.
    evidence : bool, default False
        Evidence-confidence weighting: each cell's weight times its confidence factor
        :math:`f` (within its node), and each domain node's weight in cooperation /
        discord times the node's evidence factor
        :math:`e = \\sum_j w_j f_j / \\sum_j w_j` over its observed cells, so a node
        resting only on a denied report (:math:`f = 0.25`) counts a quarter as much
        as a node of confirmed ones.
    node_aggregation : dict, optional
        Per-node aggregator overriding ``aggregation``: keys are node names
        (``"military_cooperation"``, …, ``"cooperation"``, ``"discord"``; generic mode:
        the ``hierarchy`` keys and ``"index"``).
    p : float, default 0.5
        Order of the generalised (shifted power) mean, any finite real number:
        ``p = 1`` arithmetic, ``p = 0`` shifted geometric, ``p = -1`` shifted harmonic;
        the mean is non-decreasing in ``p`` (:mod:`alliance_index.index.aggregate`).
    epsilon : float, default 0.01
        Shift of the geometric and harmonic means (on the [0, 1] scale).
    discord_exponent : float, default 1.0
        :math:`\\alpha` of the overall index :math:`C (1 - D/100)^\\alpha`.
    domain_weights : dict, optional
        Weights of the domains within cooperation and discord (alliance mode), or
        of the nodes within the index (generic mode). Default equal.
    goalposts : (array, array), optional
        Generic mode: lower and upper goalposts, one per column.
    reference : str or array, optional
        ``reference`` normalisation: a dyad (any spelling; its mean over its observed
        years is the reference) or one value per indicator.
    hierarchy : dict, optional
        Generic mode: ``{node: [column names or positions]}``.
    scale : float, default 100.0
        Multiply every score (not breadth or coverage) by this.
    backend : {"auto", "numpy", "numba"}, default "auto"
        Engine; see :mod:`alliance_index.index._engine`. The back ends compute the same
        formulas and agree to rounding (about 1e-12; tested); numba does not do Copeland.

    Attributes
    ----------
    weights_ : ndarray (n_features,)
        Raw weights learned or chosen in ``fit`` (renormalised within nodes when used).
    normalisation_params_ : dict
        Learned normalisation parameters (``lo``/``hi`` for affine methods).
    lo_, hi_ : ndarray or None
        Bounds of the affine normalisations (after treatment).
    nodes_ : dict
        Node name → list of feature names.
    effective_weights_ : DataFrame
        Per indicator: node, top, weight within its node, node weight within the top,
        and their product ``effective`` (the weight of the indicator in cooperation /
        discord / index when everything is observed).
    n_features_in_, feature_names_in_
        As in scikit-learn.

    Examples
    --------
    >>> import numpy as np
    >>> from alliance_index.index import CompositeIndex
    >>> X = np.array([[0.0, 10.0], [5.0, 0.0], [10.0, 5.0]])
    >>> CompositeIndex(normalisation="minmax", weights="equal").fit_transform(X).ravel().round(1).tolist()
    [50.0, 25.0, 75.0]
    """

    def __init__(
        self,
        normalisation: Literal["goalposts", "minmax", "zscore", "rank", "reference"] = "goalposts",
        weights="catalog",
        aggregation: Literal["arithmetic", "geometric", "harmonic", "generalised", "copeland"] = "arithmetic",
        imputation: Literal["none", "linear", "locf"] = "none",
        max_gap: int | None = 3,
        treatment: Literal["catalog", "none"] = "catalog",
        winsorise: tuple[float, float] | None = None,
        evidence: bool = False,
        node_aggregation: dict | None = None,
        p: float = DEFAULT_P,
        epsilon: float = EPS,
        discord_exponent: float = 1.0,
        domain_weights: dict | None = None,
        goalposts=None,
        reference=None,
        hierarchy: dict | None = None,
        scale: float = 100.0,
        backend: Literal["auto", "numpy", "numba"] = "auto",
    ):
        self.normalisation = normalisation
        self.weights = weights
        self.aggregation = aggregation
        self.imputation = imputation
        self.max_gap = max_gap
        self.treatment = treatment
        self.winsorise = winsorise
        self.evidence = evidence
        self.node_aggregation = node_aggregation
        self.p = p
        self.epsilon = epsilon
        self.discord_exponent = discord_exponent
        self.domain_weights = domain_weights
        self.goalposts = goalposts
        self.reference = reference
        self.hierarchy = hierarchy
        self.scale = scale
        self.backend = backend

    # ------------------------------------------------------------------ input
    def _is_alliance_frame(self, X) -> bool:
        """A frame indexed by ``(dyad, year)`` (and no ``hierarchy=``) is read in alliance mode.

        Every column must then be a catalog indicator (:meth:`_check_alliance_columns`);
        generic mode needs an explicit ``hierarchy=`` or another index.
        """
        if not isinstance(X, pd.DataFrame) or self.hierarchy is not None:
            return False
        idx = X.index
        return isinstance(idx, pd.MultiIndex) and list(idx.names)[:2] == ["dyad", "year"]

    @staticmethod
    def _check_alliance_columns(X: pd.DataFrame) -> None:
        """One :class:`UnknownIndicatorError` naming the first column that is not a catalog indicator."""
        from ..errors import UnknownIndicatorError

        known = _catalog().index
        names = [str(c) for c in X.columns]
        bad = [c for c in names if c not in known]
        if bad:
            more = f" ({len(bad)} such columns: {', '.join(bad[:5])}{' …' if len(bad) > 5 else ''})" if len(bad) > 1 else ""
            raise UnknownIndicatorError(
                f"column '{bad[0]}' of the (dyad, year) frame is not a catalog indicator{more}."
                f"{suggest(bad[0], known)} A frame indexed by (dyad, year) is scored as an alliance panel, so "
                "every column must be an indicator id of alliance_index.catalog(): rename or drop the column, "
                "register it with alliance_index.register_indicator(), or pass hierarchy={node: [columns]} "
                "to score the columns as a generic composite."
            )

    @staticmethod
    def _check_ranges(V: np.ndarray, index: pd.Index, names: list, cat: pd.DataFrame) -> None:
        """The catalog's allowed ranges (as :func:`~alliance_index.observations.validate_observations`):
        one :class:`OutOfRangeError` naming the dyad, year, indicator, value and range."""
        from ..errors import OutOfRangeError

        lo = cat["range_min"].to_numpy(dtype="float64")
        hi = cat["range_max"].to_numpy(dtype="float64")
        if len(V) == 0:
            return
        # column extremes first (one pass each, NaN ignored): the cell-level search only on failure
        with np.errstate(invalid="ignore"):
            if not ((np.fmin.reduce(V, axis=0) < lo) | (np.fmax.reduce(V, axis=0) > hi)).any():
                return
            oor = (V < lo) | (V > hi)  # NaN compares False: unobserved cells pass
        i, j = np.argwhere(oor)[0]
        dyad, year = index[i][0], index[i][1]
        raise OutOfRangeError(
            f"{dyad} {year} {names[j]}: value {V[i, j]:g} is outside its allowed range [{lo[j]:g}, {hi[j]:g}] "
            f"({int(oor.sum())} cell(s) of the frame out of range, {int(oor[:, j].sum())} in {names[j]}); "
            "correct the value, or leave it NaN if it was not observed (see alliance_index.catalog() "
            "for each indicator's range)."
        )

    def _read(self, X, fitting: bool) -> _Input:
        if isinstance(X, Panel) and self.hierarchy is None:
            V = np.asarray(X.values.to_numpy(dtype="float64"))
            C = X.confidence.to_numpy(dtype="float64")
            obs = X.observed.to_numpy(dtype=bool)
            names = [str(c) for c in X.values.columns]
            inp = _Input(V, C, obs, names, True, X.values.index, X.catalog.reindex(names))
        elif self._is_alliance_frame(X):
            self._check_alliance_columns(X)
            names = [str(c) for c in X.columns]
            try:
                V = X.to_numpy(dtype="float64")
            except (TypeError, ValueError):
                bad = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
                raise ObservationsError(f"column(s) {', '.join(bad[:5])} of the (dyad, year) frame are not "
                                        "numeric; indicator values must be numbers (NaN = not observed).") from None
            inp = _Input(V, None, ~np.isnan(V), names, True, X.index, _catalog().loc[names])
        else:
            if isinstance(X, Panel):
                X = X.values
            V = _validate_data(self, X, reset=fitting)
            names = ([str(c) for c in self.feature_names_in_] if hasattr(self, "feature_names_in_")
                     else [f"x{j}" for j in range(V.shape[1])])
            return _Input(V, None, None, names, False, None, None)
        if np.isinf(V).any():
            i, j = np.argwhere(np.isinf(V))[0]
            raise ObservationsError(f"infinite value at {inp.index[i]} {names[j]}; values must be finite or NaN.")
        if not isinstance(X, Panel):  # a Panel comes from validated observations (to_panel)
            self._check_ranges(V, inp.index, names, inp.cat)
        if fitting:
            self.n_features_in_ = V.shape[1]
            self.feature_names_in_ = np.asarray(names, dtype=object)
        else:
            if list(self.feature_names_in_) != names:
                raise MethodError(
                    "the indicators differ from those seen in fit "
                    f"({len(names)} vs {self.n_features_in_}); build both panels with the same indicators."
                )
        return inp

    def _check_dyads(self, inp: _Input, row_observed: np.ndarray | None = None) -> None:
        """Raise if a dyad has no observed value at all (``row_observed``: any cell observed, per row)."""
        if inp.index is None or len(inp.V) == 0:
            return
        if row_observed is None:
            row_observed = (~np.isnan(inp.V)).any(axis=1)
        lev = inp.index
        if isinstance(lev, pd.MultiIndex):
            codes, uniq = lev.codes[0], lev.levels[0]
        else:
            codes, uniq = pd.factorize(lev.get_level_values(0))
        codes = np.asarray(codes)
        if row_observed.all():
            return
        any_obs = np.bincount(codes, weights=row_observed, minlength=len(uniq)) > 0
        present = np.bincount(codes, minlength=len(uniq)) > 0
        bad_mask = present & ~any_obs
        if bad_mask.any():
            bad = [str(u) for u in np.asarray(uniq)[bad_mask]]
            raise ObservationsError(
                f"dyad(s) {', '.join(bad[:5])}{' …' if len(bad) > 5 else ''} have no observed value for any "
                "indicator in any year; add observations for them or drop them from the input."
            )

    def _groups_years(self, inp: _Input):
        if inp.index is None:
            return None, None
        dy = inp.index.get_level_values(0).to_numpy()
        yr = inp.index.get_level_values(1).to_numpy().astype("int64")
        return dy, yr

    # ------------------------------------------------------------------ hierarchy
    def _structure(self, inp: _Input):
        names = inp.names
        k = len(names)
        if inp.alliance:
            cat = inp.cat
            node_names = list(NODE_NAMES_ALLIANCE)
            col_node = np.full(k, -1, dtype=np.int64)
            for j, nm in enumerate(names):
                col_node[j] = node_names.index(f"{cat['domain'].iloc[j]}_{cat['side'].iloc[j]}")
            grp_names = list(SIDES)
            node_grp = np.array([0] * len(DOMAINS) + [1] * len(DOMAINS), dtype=np.int64)
            keys = list(DOMAINS)
            node_key = [n.rsplit("_", 1)[0] for n in node_names]
        else:
            h = self.hierarchy
            if h is None:
                h = {"index": list(range(k))} if k else {"index": []}
            if not isinstance(h, dict) or not h:
                raise MethodError("hierarchy must be a non-empty dict {node: [columns]}.")
            node_names = [str(n) for n in h]
            col_node = np.full(k, -1, dtype=np.int64)
            for g, (nm, cols) in enumerate(h.items()):
                cols = list(cols) if not isinstance(cols, (str, int, np.integer)) else [cols]
                for c in cols:
                    if isinstance(c, (int, np.integer)) and not isinstance(c, bool):
                        if not 0 <= int(c) < k:
                            raise MethodError(f"hierarchy node '{nm}': column {c} is out of range (0..{k - 1}).")
                        j = int(c)
                    else:
                        if str(c) not in names:
                            raise MethodError(f"hierarchy node '{nm}': unknown column {c!r}.{suggest(str(c), names)}")
                        j = names.index(str(c))
                    if col_node[j] >= 0 and col_node[j] != g:
                        raise MethodError(f"column {names[j]!r} is in two hierarchy nodes; put it in one.")
                    col_node[j] = g
            grp_names = ["index"]
            node_grp = np.zeros(len(node_names), dtype=np.int64)
            keys = node_names
            node_key = node_names
        for g, nm in enumerate(node_names):
            if not (col_node == g).any():
                where = ("add indicators of that domain and side to the panel (to_panel(obs) keeps every catalog "
                         "indicator)" if inp.alliance else "give it at least one column or remove it")
                raise MethodError(f"hierarchy node '{nm}' has no indicators; {where}.")
        # node weights within the top (domain weights)
        gw = np.ones(len(node_names))
        if self.domain_weights is not None:
            if not isinstance(self.domain_weights, dict):
                raise MethodError("domain_weights must be a dict {domain: weight}.")
            for key, val in self.domain_weights.items():
                if key not in keys:
                    raise MethodError(f"domain_weights: unknown {'domain' if inp.alliance else 'node'} {key!r}."
                                      f"{suggest(str(key), keys)} Known: {', '.join(keys)}.")
                for g, nk in enumerate(node_key):
                    if nk == key:
                        gw[g] = float(val)
            from .aggregate import check_weight_vector

            for h_ in range(len(grp_names)):
                idx = np.flatnonzero(node_grp == h_)
                check_weight_vector(gw[idx], [node_names[i] for i in idx], f"domain_weights of '{grp_names[h_]}'")
        # aggregators
        agg = check_method(self.aggregation, AGGREGATORS, "aggregation")
        node_agg = [agg] * len(node_names)
        grp_agg = [agg] * len(grp_names)
        if self.node_aggregation:
            if not isinstance(self.node_aggregation, dict):
                raise MethodError("node_aggregation must be a dict {node: method}.")
            allnodes = node_names + grp_names
            for key, meth in self.node_aggregation.items():
                if key not in allnodes:
                    raise MethodError(f"node_aggregation: unknown node {key!r}.{suggest(str(key), allnodes)}"
                                      f" Nodes: {', '.join(allnodes)}.")
                check_method(meth, AGGREGATORS, "aggregation")
                if key in node_names:
                    node_agg[node_names.index(key)] = meth
                else:
                    grp_agg[grp_names.index(key)] = meth
        return node_names, col_node, grp_names, node_grp, gw, node_agg, grp_agg

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Learn normalisation bounds, treatment limits and weights from ``X``.

        Parameters
        ----------
        X : Panel, DataFrame or array_like of shape (n_samples, n_features)
            A :class:`Panel`, a wide frame indexed by ``(dyad, year)`` with catalog
            indicator columns (alliance mode), or any numeric 2-D data (generic mode).
        y : ignored

        Returns
        -------
        self
        """
        check_method(self.normalisation, NORMALISERS, "normalisation")
        wname = self.weights if isinstance(self.weights, str) else None
        if wname is not None:
            check_method(wname, WEIGHTERS, "weights")
        check_method(self.imputation, IMPUTERS, "imputation")
        if self.treatment not in ("catalog", "none"):
            raise MethodError(f"Unknown treatment {self.treatment!r}.{suggest(str(self.treatment), ('catalog', 'none'))}"
                              " Choose catalog or none.")
        for nm, val in (("epsilon", self.epsilon), ("discord_exponent", self.discord_exponent), ("scale", self.scale)):
            if not (isinstance(val, (int, float, np.number)) and np.isfinite(val) and val > 0):
                raise MethodError(f"{nm} must be a positive number, got {val!r}.")
        if (isinstance(self.p, (bool, np.bool_)) or not isinstance(self.p, (int, float, np.integer, np.floating))
                or not np.isfinite(self.p)):
            raise MethodError(f"p (the order of the generalised mean) must be a finite real number such as 0.5, "
                              f"got {self.p!r} ({type(self.p).__name__}); p = 1 is the arithmetic mean, p = 0 the "
                              "shifted geometric mean, p = -1 the shifted harmonic mean.")
        if self.backend not in ("auto", "numpy", "numba"):
            raise MethodError(f"Unknown backend {self.backend!r}.{suggest(str(self.backend), ('auto', 'numpy', 'numba'))}")
        inp = self._read(X, fitting=True)
        if inp.V.shape[0] == 0:
            raise ObservationsError("no rows to fit: the input is empty.")
        self._check_dyads(inp)
        node_names, col_node, grp_names, node_grp, gw, node_agg, grp_agg = self._structure(inp)
        k = inp.V.shape[1]
        V, C, imputed = self._impute(inp)
        # treatment
        if inp.alliance and self.treatment == "catalog":
            logm = (inp.cat["transform"].to_numpy() == "log1p")
        else:
            logm = np.zeros(k, dtype=bool)
        T = log1p_columns(V, logm) if logm.any() else V
        wlo, whi = fit_winsor(T, self.winsorise)
        if self.winsorise is not None:
            T = np.clip(T, wlo, whi)
        # normalisation
        if inp.alliance:
            glo = inp.cat["goal_lo"].to_numpy(dtype="float64").copy()
            ghi = inp.cat["goal_hi"].to_numpy(dtype="float64").copy()
            glo[logm] = np.log1p(glo[logm])
            ghi[logm] = np.log1p(ghi[logm])
        elif self.goalposts is not None:
            try:
                glo, ghi = (np.asarray(g, dtype="float64").reshape(-1) for g in self.goalposts)
            except (TypeError, ValueError):
                raise MethodError("goalposts must be a pair (lo, hi) of arrays with one value per column.") from None
            if glo.shape[0] != k or ghi.shape[0] != k:
                raise MethodError(f"goalposts: {glo.shape[0]}/{ghi.shape[0]} values given for {k} columns.")
        else:
            glo = ghi = None
        ref = self._reference_values(inp, V, logm) if self.normalisation == "reference" else None
        nm = NORMALISERS[self.normalisation]
        if self.normalisation == "zscore":
            params = nm.fit(T, bounded=True, names=inp.names)
        else:
            params = nm.fit(T, goal_lo=glo, goal_hi=ghi, reference=ref, names=inp.names)
        self.normalisation_params_ = params
        self.lo_ = params.get("lo")
        self.hi_ = params.get("hi")
        self.winsor_limits_ = (wlo, whi)
        # weights
        Z = nm.apply(T, params)
        nodes = [np.flatnonzero(col_node == g) for g in range(len(node_names))]
        base = inp.cat["default_weight"].to_numpy(dtype="float64") if inp.alliance else np.ones(k)
        w = compute_weights(Z, self.weights, nodes=nodes, base=base, names=inp.names, node_names=node_names)
        self.weights_ = w
        self.nodes_ = {nn: [inp.names[j] for j in nodes[g]] for g, nn in enumerate(node_names)}
        pvec = np.full(len(node_names), float(self.p))
        self.plan_ = _engine.Plan(
            names=list(inp.names), log1p=logm.astype(bool), wlo=wlo, whi=whi, norm=self.normalisation,
            norm_params=params, col_node=col_node, col_w=w, node_names=node_names, node_agg=node_agg,
            node_p=pvec, grp_names=grp_names, node_grp=node_grp, node_gw=gw, grp_agg=grp_agg,
            grp_p=np.full(len(grp_names), float(self.p)), alliance=inp.alliance,
            coop_dom=np.arange(len(DOMAINS), dtype=np.int64) if inp.alliance else np.zeros(0, dtype=np.int64),
            alpha=float(self.discord_exponent), eps=float(self.epsilon),
            core=(inp.cat["core"].to_numpy(dtype=bool) if inp.alliance else np.zeros(k, dtype=bool)),
            n_core_total=int(_catalog()["core"].sum()) if inp.alliance else 0,
        )
        self.effective_weights_ = self._effective()
        # the reduced plan of the hostility pass (private; derived from plan_ alone)
        self._hostility_plan_ = _hostility_plan(self.plan_) if self.plan_.alliance else None
        self._fit_input = X
        # Copeland compares units: keep the fitted sample that transform scores new rows against
        self._copeland_sample_ = None
        if _engine.uses_copeland(self.plan_):
            self._copeland_sample_ = (np.array(V, dtype="float64", copy=True), None if C is None else np.array(C, copy=True),
                                      *self._groups_years(inp)[1:], inp.index)
        return self

    def _reference_values(self, inp: _Input, V: np.ndarray, logm: np.ndarray):
        ref = self.reference
        if ref is None:
            raise MethodError("normalisation='reference' needs reference= (a dyad, or one value per indicator).")
        if isinstance(ref, str):
            if not inp.alliance:
                raise MethodError("a dyad reference needs a dyad-year panel; pass one value per column instead.")
            from ..countries import dyad_id

            did = dyad_id(ref)
            dy = inp.index.get_level_values(0).to_numpy()
            rows = dy == did
            if not rows.any():
                raise MethodError(f"reference dyad {did} is not in the data; choose one of its dyads.")
            import warnings as _w

            with _w.catch_warnings():
                _w.simplefilter("ignore", RuntimeWarning)
                vals = np.nanmean(V[rows], axis=0)
        else:
            vals = np.asarray(ref, dtype="float64").reshape(-1)
            if vals.shape[0] != V.shape[1]:
                raise MethodError(f"reference: {vals.shape[0]} values given for {V.shape[1]} indicators.")
        vals = vals.copy()
        vals[logm] = np.log1p(vals[logm])
        return vals

    def _impute(self, inp: _Input):
        C = inp.C if (self.evidence or (isinstance(self.weights, str) and self.weights == "confidence")) else None
        if self.imputation == "none":
            return inp.V, C, None
        dy, yr = self._groups_years(inp)
        if dy is None:
            raise MethodError(f"imputation {self.imputation!r} needs dyad-year rows (a Panel); use imputation='none'.")
        codes = pd.factorize(dy, sort=True)[0]
        Vi, flag, Ci = impute(inp.V, self.imputation, groups=codes, years=yr, max_gap=self.max_gap, conf=C)
        return Vi, Ci, flag

    def _effective(self) -> pd.DataFrame:
        pl = self.plan_
        rows = []
        for j, nm in enumerate(pl.names):
            g = pl.col_node[j]
            if g < 0:
                continue
            in_node = pl.col_w[pl.col_node == g].sum()
            h = pl.node_grp[g]
            in_top = pl.node_gw[pl.node_grp == h].sum()
            wn = pl.col_w[j] / in_node if in_node > 0 else np.nan
            wt = pl.node_gw[g] / in_top if in_top > 0 else np.nan
            rows.append((nm, pl.node_names[g], pl.grp_names[h], pl.col_w[j], wn, wt, wn * wt))
        df = pd.DataFrame(rows, columns=["indicator", "node", "top", "weight", "weight_in_node",
                                         "node_weight", "effective"]).set_index("indicator")
        return df

    # ------------------------------------------------------------------ transform
    def _raw(self, X):
        check_is_fitted(self, "plan_")
        inp = self._read(X, fitting=False)
        if inp.alliance != self.plan_.alliance:
            raise MethodError("fit on a dyad-year panel, transform on a plain array (or the reverse); use the same kind.")
        V, C, imputed = self._impute(inp)
        # a column unobserved in fit but observed here is not scored: say so (goalposts: never)
        warn_unscaled_observed(V, self.normalisation_params_, self.normalisation, inp.names)
        groups = None
        ref = None
        if _engine.uses_copeland(self.plan_):
            if inp.index is not None:
                groups = inp.index.get_level_values(1).to_numpy()
            ref = self._copeland_ref(V, inp.index, groups)
        out = _engine.run(V, C, self.plan_, backend=self.backend, groups=groups, ref=ref)
        if self.plan_.alliance:
            out = np.column_stack([out, self._hostility(V, C, groups, out, ref)])
        if inp.index is not None:
            # a row with a node score is observed; where every node score is NaN, look at the raw
            # cells (a normaliser that learned no scale for a column in fit gives NaN for an observed
            # cell, and that dyad does have observations)
            row_obs = ~np.isnan(out[:, :len(self.plan_.node_names)]).all(axis=1)
            if not row_obs.all():
                rest = np.flatnonzero(~row_obs)
                row_obs[rest] = (~np.isnan(inp.V[rest])).any(axis=1)
            self._check_dyads(inp, row_obs)
        return inp, out, imputed

    def _copeland_ref(self, V: np.ndarray, index, groups) -> _engine.CopelandRef:
        """The fitted sample as the Copeland reference for the rows ``V``.

        A row is the same unit as a fitted row when it has the same (dyad, year)
        key (alliance mode) or, without keys (generic mode), exactly the same raw
        values (NaN matching NaN); that fitted row is then not its opponent.
        """
        sample = getattr(self, "_copeland_sample_", None)
        if sample is None:
            raise MethodError("this estimator was fitted without a Copeland sample (fitted by an older version, "
                              "or plan_ edited after fit); fit it again.")
        Vr, Cr, yr, idx_r = sample
        self_idx = np.full(V.shape[0], -1, dtype=np.int64)
        if index is not None and idx_r is not None and idx_r.is_unique:
            self_idx = np.asarray(idx_r.get_indexer(index), dtype=np.int64)
        elif Vr.shape[1] == V.shape[1] and len(Vr):
            hr = pd.util.hash_pandas_object(pd.DataFrame(Vr), index=False).to_numpy()
            hn = pd.util.hash_pandas_object(pd.DataFrame(V), index=False).to_numpy()
            uniq, first = np.unique(hr, return_index=True)
            pos = np.searchsorted(uniq, hn)
            pos = np.minimum(pos, len(uniq) - 1)
            cand = np.where(uniq[pos] == hn, first[pos], -1)
            hit = cand >= 0
            same = np.zeros(len(cand), dtype=bool)
            if hit.any():  # confirm (hash collisions): equal values, NaN matching NaN
                a, b = V[hit], Vr[cand[hit]]
                same[hit] = ((a == b) | (np.isnan(a) & np.isnan(b))).all(axis=1)
            self_idx = np.where(same, cand, -1)
        if groups is not None and yr is not None:
            missing = ~np.isin(groups, yr)
            if missing.any():
                import warnings

                from ..errors import DataQualityWarning
                from .normalise import _user_stacklevel

                yrs = sorted({int(y) for y in np.asarray(groups)[missing]})
                warnings.warn(f"Copeland aggregation compares a dyad-year with the fitted dyad-years of the same "
                              f"year; the fit had none in {', '.join(map(str, yrs[:5]))}{' …' if len(yrs) > 5 else ''}"
                              f" ({int(missing.sum())} row(s)), so those rows score 50 on every Copeland node. "
                              "Fit on data that includes those years.", DataQualityWarning,
                              stacklevel=_user_stacklevel())
        return _engine.CopelandRef(Vr, Cr, yr if groups is not None else None, self_idx)

    def _hostility(self, V: np.ndarray, C, groups, out: np.ndarray, ref=None) -> np.ndarray:
        """Discord over the hostility indicators only, on [0, 1] (alliance mode).

        The same fitted plan (treatment, normalisation, weights, aggregation,
        back end) run once more with the hedging indicators
        (:data:`~alliance_index.catalog.HEDGING_INDICATORS`) taken out of their
        nodes — exactly as if they were unobserved after imputation: a node's
        weights renormalise over its other indicators — so hostility is what
        ``discord`` would be without them under every modelling choice; NaN where
        no hostility indicator is observed.

        The pass runs a reduced plan (:func:`_hostility_plan`, built in ``fit``)
        that holds only the discord nodes left with a non-hedging indicator; its
        single top score is this discord. The numba kernel reads the full matrix
        and skips the other columns; the numpy back end (and numba after a
        non-affine normalisation) gets a copy of the few discord columns only.
        """
        pl = self.plan_
        G = len(pl.node_names)
        hp = getattr(self, "_hostility_plan_", None)
        if hp is None or hp.source is not pl:  # plan_ replaced after fit, or fitted by an older version
            hp = _hostility_plan(pl)
        if hp.hedge_cols.size == 0 or all(np.isnan(V[:, j]).all() and (ref is None or np.isnan(ref.V[:, j]).all())
                                          for j in hp.hedge_cols):
            return out[:, G + 1]  # nothing to leave out (nor in the Copeland sample): hostility is discord
        if hp.wide is None:  # every discord node holds hedging indicators only
            return np.full(V.shape[0], np.nan)
        # the back end the full plan would use on this V (as _engine.run decides for backend="auto")
        use_numba = self.backend == "numba" or (self.backend == "auto" and _engine.auto_uses_numba(V, pl))
        backend = "numba" if use_numba else "numpy"
        if hp.narrow is None or (use_numba and NORMALISERS[pl.norm].affine):
            # the kernel reads the raw columns it needs in place; a narrow copy would cost more. (An
            # affine normalisation with a constant column goes through numpy inside run_numba, on all
            # columns, as the full plan does: the same code path, hence the same numbers.)
            return _engine.run(V, C, hp.wide, backend=backend, groups=groups, ref=ref)[:, len(hp.wide.node_names)]
        keep = hp.keep
        Vn = V[:, keep]
        Cn = None if C is None else C[:, keep]
        if ref is not None:  # the fitted sample, reduced to the same columns
            ref = replace(ref, V=ref.V[:, keep], C=None if ref.C is None else ref.C[:, keep])
        return _engine.run(Vn, Cn, hp.narrow, backend=backend, groups=groups, ref=ref)[:, len(hp.narrow.node_names)]

    def transform(self, X):
        """Score ``X``.

        Returns
        -------
        DataFrame (alliance mode)
            Indexed like the panel, columns ``index``, ``cooperation``, ``discord``
            (0–100), ``breadth`` (0–1), ``coverage`` (0–1), ``n_imputed``,
            ``dom_<domain>_<side>`` and ``hostility`` (0–100). ``hostility`` is discord computed without the
            hedging indicators (:data:`~alliance_index.catalog.HEDGING_INDICATORS`), under the
            same modelling choices; the ``rivalry`` verdict reads it (``docs/verdicts.md``).
        ndarray (generic mode)
            Shape (n, n_nodes + 1): node scores then the top score; (n, 1) when the
            hierarchy has a single node. On [0, scale].
        """
        inp, out, imputed = self._raw(X)
        pl = self.plan_
        G, H = len(pl.node_names), len(pl.grp_names)
        s = float(self.scale)
        if not pl.alliance:
            res = out[:, : G + H] * s
            return res[:, G:] if G == 1 else res
        df = pd.DataFrame(index=inp.index)
        df["index"] = out[:, G + H] * s
        df["cooperation"] = out[:, G] * s
        df["discord"] = out[:, G + 1] * s
        df["breadth"] = out[:, G + H + 1]
        if imputed is None:
            cov = out[:, G + H + 2]
        else:
            cov = inp.observed[:, pl.core].sum(axis=1)
        df["coverage"] = cov / max(pl.n_core_total, 1)
        df["n_imputed"] = 0 if imputed is None else imputed.sum(axis=1)
        for g, nn in enumerate(pl.node_names):
            df[f"dom_{nn}"] = out[:, g] * s
        df["hostility"] = out[:, -1] * s  # added in 0.2.0: last, so positional readers keep working
        return df

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns."""
        check_is_fitted(self, "plan_")
        pl = self.plan_
        if pl.alliance:
            return np.asarray(["index", "cooperation", "discord", "breadth", "coverage", "n_imputed"]
                              + [f"dom_{n}" for n in pl.node_names] + ["hostility"], dtype=object)
        G = len(pl.node_names)
        return np.asarray((pl.grp_names if G == 1 else pl.node_names + pl.grp_names), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # ------------------------------------------------------------------ audit
    def audit(self, X=None) -> "Audit":
        """Statistical audit of the index on ``X`` (default: the data seen in ``fit``).

        Returns
        -------
        Audit
            ``correlations``: per indicator, Pearson correlation (pairwise complete) of
            its normalised value with its node, with its top score and (alliance mode)
            with the overall index. ``cronbach_alpha``: per node, Cronbach's alpha of its
            normalised indicators, :math:`\\alpha = \\frac{k}{k-1}(1 - \\mathrm{tr}\\,\\Sigma / 1^\\top\\Sigma 1)`
            from the pairwise-complete covariance :math:`\\Sigma` (NaN for one-indicator nodes).
        """
        check_is_fitted(self, "plan_")
        X = self._fit_input if X is None else X
        from .audit import audit as _audit

        return _audit(self, X)


@dataclass
class Audit:
    """Result of :meth:`CompositeIndex.audit`."""

    correlations: pd.DataFrame
    cronbach_alpha: pd.Series

    def summary(self) -> str:
        """Plain-text summary."""
        return ("Indicator correlations\n" + self.correlations.round(3).to_string()
                + "\n\nCronbach's alpha per node\n" + self.cronbach_alpha.round(3).to_string())

    def __repr__(self) -> str:
        return self.summary()


# =========================================================================== score / compare

SCORE_COLUMNS: tuple[str, ...] = (
    "dyad", "year", "index", "cooperation", "discord", "breadth", "coverage", "n_imputed",
    *(f"dom_{d}_{s}" for d in DOMAINS for s in SIDES),
    "p_de_jure", "p_de_jure_lo", "p_de_jure_hi", "verdict", "known_status",
    "hostility", "verdict_reason",  # added in 0.2.0, last so that CSV readers by column position keep working
    "provisional",  # added in 0.3.1: the dyad-year is coded only to date (a year in progress)
)


def _year_arg(year, caller: str = "score") -> int | None:
    """``year`` as an int (``None`` stays ``None``); one clear error for anything that is not a whole year."""
    if year is None:
        return None
    if isinstance(year, (bool, np.bool_)) or not isinstance(year, (int, np.integer, float, np.floating)):
        hint = f" (year={int(year)})" if isinstance(year, str) and year.strip().lstrip("-").isdigit() else ""
        raise MethodError(f"{caller}: year must be an integer such as 2023, got {year!r} "
                          f"({type(year).__name__}); pass it as a number{hint}.")
    if isinstance(year, (float, np.floating)) and not (np.isfinite(year) and float(year).is_integer()):
        raise MethodError(f"{caller}: year must be a whole number such as 2023, got {year!r}; "
                          "years are calendar years, not fractions.")
    return int(year)


def _provisional_warning(df: pd.DataFrame, mask: np.ndarray, caller: str, stacklevel: int) -> None:
    """One CoverageWarning naming the returned dyad-years that are coded only to date."""
    import warnings

    from ..errors import CoverageWarning

    if not mask.any():
        return
    rows = [f"{d} {int(y)}" for d, y in zip(df["dyad"][mask][:5], df["year"][mask][:5])]
    more = " …" if mask.sum() > 5 else ""
    warnings.warn(f"{caller}: {int(mask.sum())} dyad-year(s) are coded only to date, a year still in progress "
                  f"({', '.join(rows)}{more}): flows counted over the year (trade, meetings, exercises, incidents) "
                  "are unobserved, so read their scores as provisional (column `provisional`). Pass a complete "
                  f"year (e.g. year={int(np.min(df['year'][mask])) - 1}) for a full year.", CoverageWarning,
                  stacklevel=stacklevel + 1)


def _as_panel(obs) -> Panel:
    from ..observations import read_observations
    from ..panel import to_panel

    if isinstance(obs, Panel):
        return obs
    if isinstance(obs, (str,)) or hasattr(obs, "__fspath__"):
        obs = read_observations(obs)
        return to_panel(obs, validate=False)
    if not isinstance(obs, pd.DataFrame):
        raise TypeError(f"observations must be a DataFrame (contract §2), a Panel or a file path; got {type(obs).__name__}")
    return to_panel(obs)


def _canon(dyads) -> list[str]:
    from ..countries import dyad_id

    if isinstance(dyads, str):
        dyads = [dyads]
    return [dyad_id(d) for d in dyads]


def _observed_years(panel: Panel) -> pd.Series:
    """Per dyad, the sorted array of years with at least one observed value."""
    any_obs = panel.observed.to_numpy().any(axis=1)
    idx = panel.values.index[any_obs]
    return pd.Series(idx.get_level_values(1).to_numpy(), index=idx.get_level_values(0).to_numpy()).groupby(level=0).agg(
        lambda s: np.sort(s.to_numpy()))


def _missing_dyads_error(missing: list[str], panel: Panel) -> ObservationsError:
    have = sorted(pd.unique(panel.values.index.get_level_values(0)))
    hint = ""
    if len(missing) == 1:
        hint = suggest(missing[0], have)
    return ObservationsError(
        f"no observations for dyad(s) {', '.join(missing)} in the data.{hint} Dyads with data: "
        f"{', '.join(have[:25])}{' …' if len(have) > 25 else ''}. Bring observations with --data / read_observations()."
    )


def score(obs, year: int | None = None, *, dyads=None, latest: bool = False,
          estimator: CompositeIndex | None = None, **options) -> pd.DataFrame:
    """Score dyad-years: index, cooperation, discord, breadth, coverage and domain scores.

    Parameters
    ----------
    obs : DataFrame, Panel or path
        Observations (contract §2), e.g. :func:`alliance_index.load_panel`.
    year : int, optional
        Keep only this year (one row per dyad). ``None``: every dyad-year.
    dyads : str or list of str, optional
        Keep only these dyads (any spelling, contract §1).
    latest : bool, default False
        With ``year=None``: one row per dyad, its latest year with an observation.
    estimator : CompositeIndex, optional
        Use this (unfitted or fitted: it is re-fitted on ``obs``) instead of
        ``CompositeIndex(**options)``.
    **options
        Parameters of :class:`CompositeIndex` (normalisation, weights, aggregation, …).

    Returns
    -------
    DataFrame
        One row per dyad-year with :data:`SCORE_COLUMNS`: scores on 0–100, ``breadth``
        and ``coverage`` on 0–1, ``known_status`` from the status table (None for dyads
        it does not cover) and ``provisional`` (bool: True for a dyad-year that ``obs``
        codes only to date, a year in progress,
        :func:`alliance_index.observations.incomplete_years`; always False for a Panel,
        which carries no notes). ``p_de_jure``, ``p_de_jure_lo``, ``p_de_jure_hi`` stay NaN
        and ``verdict``, ``verdict_reason`` stay None: ``score`` does not run the classifier
        (it is expensive). Fill them with :func:`alliance_index.classify` (same
        observations) or :func:`alliance_index.models.attach_classification` ``(scores, obs)``;
        the command line (``alliance-index score``) attaches them.

    Raises
    ------
    ObservationsError
        A requested dyad has no observations, or no dyad has observations in ``year``.
    MethodError
        ``year`` is not a whole number.

    Warns
    -----
    CoverageWarning
        When a returned dyad-year is coded only to date (``provisional`` True).

    Notes
    -----
    The estimator is fitted on all of ``obs`` (all dyads and years), then the
    requested rows are selected: with the default goalposts a dyad's score does not
    depend on the other dyads; with within-sample normalisations (minmax, zscore,
    rank), data-driven weights (pca, balance), winsorisation or Copeland aggregation
    it does, and the reference sample is the whole of ``obs``.

    Examples
    --------
    >>> import alliance_index as ai
    >>> from alliance_index.index import score
    >>> s = score(ai.load_panel(), year=2023, dyads=["Russia-Belarus", "Russia-Iran"])
    >>> s["dyad"].tolist()
    ['BLR-RUS', 'IRN-RUS']
    """
    return _score(obs, year, dyads=dyads, latest=latest, estimator=estimator, caller="score", stacklevel=2, **options)


def _score(obs, year=None, *, dyads=None, latest: bool = False, estimator: CompositeIndex | None = None,
           caller: str = "score", stacklevel: int | None = 2, long_obs: pd.DataFrame | None = None,
           **options) -> pd.DataFrame:
    """:func:`score`. ``stacklevel`` counts frames above ``_score`` to attribute the provisional
    warning to (``None``: no warning); ``long_obs``: the long observations behind a Panel ``obs``
    (for the ``provisional`` column)."""
    from ..observations import is_incomplete, known_status, read_observations

    year = _year_arg(year, caller)
    if isinstance(obs, (str,)) or hasattr(obs, "__fspath__"):
        long_obs = read_observations(obs)
        obs = long_obs
    elif isinstance(obs, pd.DataFrame):
        long_obs = obs
    panel = _as_panel(obs)
    est = estimator if estimator is not None else CompositeIndex(**options)
    res = est.fit(panel).transform(panel)
    df = res.reset_index()
    want = None
    if dyads is not None:
        want = _canon(dyads)
        have = set(df["dyad"])
        missing = [d for d in want if d not in have]
        if missing:
            raise _missing_dyads_error(missing, panel)
        df = df[df["dyad"].isin(want)]
    if year is not None:
        yrs = _observed_years(panel)
        ds = want if want is not None else sorted(set(df["dyad"]))
        lacking = [d for d in ds if d not in yrs.index or year not in set(yrs[d].tolist())]
        if lacking and want is not None:
            spans = ", ".join(f"{d} ({yrs[d][0]}–{yrs[d][-1]})" if d in yrs.index else f"{d} (none)" for d in lacking)
            raise ObservationsError(f"no observations in {year} for {spans}; choose another --year.")
        if len(lacking) == len(ds):  # no dyad at all has an observation in that year
            present = sorted({int(y) for v in yrs.to_numpy() for y in v})
            span = f"{present[0]}–{present[-1]}" if present else "none"
            raise ObservationsError(f"{caller}: no observations for year {year} in the data (years present: "
                                    f"{span}); choose a year with observations.")
        df = df[df["year"] == year]
    elif latest:
        yrs = _observed_years(panel)
        last = {d: int(y[-1]) for d, y in yrs.items()}
        df = df[df["year"].to_numpy() == df["dyad"].map(last).to_numpy(dtype="float64")]
    if want is not None:
        df = df.assign(_o=df["dyad"].map({d: i for i, d in enumerate(want)})).sort_values(["_o", "year"]).drop(columns="_o")
    df = df.reset_index(drop=True)
    df["p_de_jure"] = np.nan
    df["p_de_jure_lo"] = np.nan
    df["p_de_jure_hi"] = np.nan
    df["verdict"] = pd.Series([None] * len(df), dtype=object)
    df["verdict_reason"] = pd.Series([None] * len(df), dtype=object)
    try:
        ks = known_status(df["dyad"].to_numpy(dtype=object), df["year"].to_numpy(dtype="int64"))
    except FileNotFoundError:  # no bundled status table
        ks = np.array([None] * len(df), dtype=object)
    df["known_status"] = pd.Series(ks, dtype=object)
    df["year"] = df["year"].astype("int64")
    prov = (np.zeros(len(df), dtype=bool) if long_obs is None
            else is_incomplete(long_obs, df["dyad"].to_numpy(dtype=object), df["year"].to_numpy(dtype="int64")))
    df["provisional"] = prov
    if stacklevel is not None:
        _provisional_warning(df, prov, caller, stacklevel + 1)
    return df[list(SCORE_COLUMNS)]


def compare(dyads, obs=None, year: int | None = None, **options) -> pd.DataFrame:
    """Score several dyads side by side for one year.

    Parameters
    ----------
    dyads : list of str
        Two or more dyads (any spelling).
    obs : DataFrame, Panel or path, optional
        Observations; default the bundled curated panel (:func:`alliance_index.load_panel`).
    year : int, optional
        Default: the latest year in which every one of the dyads has an observation.
    **options
        Parameters of :class:`CompositeIndex`.

    Returns
    -------
    DataFrame
        One row per dyad, in the order given, columns as :func:`score` (``p_de_jure`` and
        ``verdict`` empty: fill them with :func:`alliance_index.classify` or
        :func:`alliance_index.models.attach_classification`, as ``alliance-index compare``
        does). ``provisional`` marks a year coded only to date: the default year is the
        latest common one, which for the bundled panel is the year in progress.

    Raises
    ------
    MethodError
        Fewer than two dyads, or ``year`` not a whole number.
    ObservationsError
        A dyad has no observations (in ``year``), or the dyads share no year.

    Warns
    -----
    CoverageWarning
        When the compared year is coded only to date for a dyad (``provisional`` True).

    Examples
    --------
    >>> from alliance_index.index import compare
    >>> c = compare(["Russia-Belarus", "Russia-Iran"], year=2023)
    >>> bool(c["index"].iloc[0] > c["index"].iloc[1])
    True
    """
    from ..observations import load_panel

    want = _canon(dyads)
    if len(set(want)) < len(want):
        dup = [d for d in want if want.count(d) > 1][0]
        raise ObservationsError(f"dyad {dup} is given twice; list each dyad once.")
    if len(want) < 2:
        raise MethodError(f"compare needs two or more dyads, got {len(want)} ({', '.join(want) or 'none'}); "
                          "name another dyad, or use score for one dyad.")
    year = _year_arg(year, "compare")
    if obs is None:
        obs = load_panel()
    elif isinstance(obs, str) or hasattr(obs, "__fspath__"):
        from ..observations import read_observations

        obs = read_observations(obs)
    panel = _as_panel(obs)
    if year is None:
        yrs = _observed_years(panel)
        missing = [d for d in want if d not in yrs.index]
        if missing:
            raise _missing_dyads_error(missing, panel)
        common = set(yrs[want[0]].tolist())
        for d in want[1:]:
            common &= set(yrs[d].tolist())
        if not common:
            spans = ", ".join(f"{d} ({yrs[d][0]}–{yrs[d][-1]})" for d in want)
            raise ObservationsError(f"the dyads have no year of observations in common: {spans}; pass --year.")
        year = max(common)
    # with the long observations too, so that score can mark rows coded only to date
    return _score(panel, year=year, dyads=want, caller="compare", stacklevel=2,
                  long_obs=None if isinstance(obs, Panel) else obs, **options)


def to_json_records(df: pd.DataFrame, digits: int = 4) -> list[dict]:
    """Turn a :func:`score` / :func:`compare` frame into contract §6 JSON objects.

    Each object: ``dyad``, ``year``, ``index``, ``cooperation``, ``discord``,
    ``hostility`` (discord without the hedging indicators), ``breadth``, ``domains`` (``{domain: {"cooperation": .., "discord": ..}}``),
    ``p_de_jure``, ``p_de_jure_interval`` (``[lo, hi]`` or null), ``verdict``, ``verdict_reason``,
    ``known_status``, ``coverage``, plus ``n_imputed`` and (when the frame has it) ``provisional``.
    NaN becomes null.
    """

    def num(x):
        if x is None:
            return None
        try:
            f = float(x)
        except (TypeError, ValueError):
            return None
        return None if not np.isfinite(f) else round(f, digits)

    def opt(x):
        return None if x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA else str(x)

    recs = []
    for r in df.to_dict(orient="records"):
        lo, hi = num(r.get("p_de_jure_lo")), num(r.get("p_de_jure_hi"))
        recs.append({
            "dyad": r["dyad"],
            "year": int(r["year"]),
            "index": num(r["index"]),
            "cooperation": num(r["cooperation"]),
            "discord": num(r["discord"]),
            "hostility": num(r.get("hostility")),
            "breadth": num(r["breadth"]),
            "domains": {d: {s: num(r[f"dom_{d}_{s}"]) for s in SIDES} for d in DOMAINS},
            "p_de_jure": num(r.get("p_de_jure")),
            "p_de_jure_interval": None if lo is None or hi is None else [lo, hi],
            "verdict": opt(r.get("verdict")),
            "verdict_reason": opt(r.get("verdict_reason")),
            "known_status": opt(r.get("known_status")),
            "coverage": num(r["coverage"]),
            "n_imputed": int(r.get("n_imputed", 0) or 0),
        })
        if "provisional" in r:  # 0.3.1: the dyad-year is coded only to date
            recs[-1]["provisional"] = bool(r["provisional"]) if r["provisional"] is not None else False
    return recs
