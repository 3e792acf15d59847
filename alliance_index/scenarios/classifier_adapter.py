"""Adapter: the project's fitted classifier (``alliance_index.models``) as a vectorised
"features -> p_de_jure draws" function for the scenario simulator.

The classifier (see :mod:`alliance_index.models.combine`) is

.. math:: p_{de\\,jure} = \\Lambda(\\beta_0 + \\beta_h\\,\\tilde h + \\beta_n'\\tilde n),

with :math:`h` the historical model's log-odds of a defence pact from the
structural indicators and :math:`n` the commitment-node means of the curated
indicators; its own simulation draws (i) the historical coefficients, (ii) the
commitment coefficients from their estimated sampling distributions and (iii)
each missing indicator from the dyad's own other years (hot deck), else from
the pooled panel.

The adapter does exactly that, with the draws organised for scenarios: Monte
Carlo draw ``d`` takes parameter draw ``d`` of both models and one hot-deck
uniform per indicator, shared by every scenario and year of the draw (common
random numbers). Donors are the dyad's observations up to ``as_of`` only.

When the commitment model pools each dyad's own earlier years (its ``window`` > 1, see
:func:`~alliance_index.models.commitment.history_pool`), every simulated trajectory is
pooled the same way: a simulated year's raw values are averaged with the trajectory's
earlier simulated years and the dyad's observed years before the trajectory starts,
within the window, before missing cells are completed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class ClassifierDraws:
    """Parameter draws for ``n`` Monte Carlo draws (first axis of each array)."""

    historical: np.ndarray   # (n, k, 2)
    commitment: np.ndarray   # (n, p)
    hotdeck: np.ndarray      # (n, m) uniforms

    def __len__(self) -> int:
        return self.commitment.shape[0]


class FittedClassifierAdapter:
    """:class:`~alliance_index.scenarios.simulate.PDeJureModel` over the shipped fitted models.

    Parameters
    ----------
    history : DataFrame
        Observations up to ``as_of`` (donors for indicators that are missing in a simulated year).
    fitted : path-like, optional
        Folder of fitted models (default: the shipped ones).
    """

    def __init__(self, history: pd.DataFrame, fitted=None):
        from ..models.classify import load_fitted
        from ..models.commitment import MODEL_INDICATORS, panel_frame

        self.historical, self.commitment = load_fitted(fitted)
        self.cols = list(MODEL_INDICATORS)
        from ..models.commitment import history_pool

        V, _ = panel_frame(history) if len(history) else (pd.DataFrame(columns=self.cols), [])
        self.window = int(getattr(self.commitment, "window", 1))
        #: raw observed years and values per dyad (the history a trajectory's window reaches back into)
        self.history: dict[str, tuple[np.ndarray, np.ndarray]] = {
            str(dyad): (g.index.get_level_values("year").to_numpy(dtype=np.int64), g.to_numpy(dtype=float))
            for dyad, g in V.groupby(level="dyad", sort=False)}
        Vp = history_pool(V, self.window) if len(V) else V
        self.donors: dict[str, list[np.ndarray]] = {}
        for dyad, g in Vp.groupby(level="dyad", sort=False):
            self.donors[str(dyad)] = [g[c].dropna().to_numpy(dtype=float) for c in self.cols]
        pool = self.commitment.pool.values
        self.pool = [np.asarray(pool.get(c, np.empty(0)), dtype=float) for c in self.cols]

    def draw_parameters(self, n_draws: int, rng: np.random.Generator) -> ClassifierDraws:
        hp = self.historical.draw_params(n_draws, rng)
        cp = self.commitment.draw_params(n_draws, rng)
        u = rng.random((n_draws, len(self.cols)))
        return ClassifierDraws(hp, cp, u)

    def _complete(self, V: np.ndarray, dyads: np.ndarray, U: np.ndarray) -> np.ndarray:
        V = V.copy()
        for dyad in pd.unique(dyads):  # a handful of dyads; vectorised over rows
            rows = dyads == dyad
            own = self.donors.get(str(dyad))
            for j in range(len(self.cols)):  # ~40 indicators
                miss = rows & np.isnan(V[:, j])
                if not miss.any():
                    continue
                src = own[j] if own is not None and own[j].size else self.pool[j]
                if src.size == 0:
                    continue
                k = np.minimum(np.floor(U[miss, j] * src.size).astype(int), src.size - 1)
                V[miss, j] = src[k]
        return V

    def pool_paths(self, V: np.ndarray, dyads: np.ndarray, years: np.ndarray, paths: np.ndarray) -> np.ndarray:
        """Raw values ``V`` (n, m) pooled over the model's window along each trajectory.

        Row ``i`` becomes the mean of the observed values in years ``years[i] - window + 1 ..
        years[i]`` of its own trajectory (``paths[i]``, same dyad) and of the dyad's observed
        history before the trajectory's first year; NaN where none was observed. With a window
        of 1, ``V`` is returned unchanged.
        """
        from ..models.commitment import trailing_sums

        w = self.window
        if w == 1 or len(V) == 0:
            return V
        years = np.asarray(years, dtype=np.int64)
        out = np.empty_like(V)
        for dyad in pd.unique(dyads):  # a handful of dyads; vectorised over trajectories and years
            rows = np.flatnonzero(dyads == dyad)
            yr = years[rows]
            S, N = trailing_sums(np.asarray(paths)[rows], yr, V[rows], w)
            hy, hv = self.history.get(str(dyad), (np.empty(0, np.int64), np.empty((0, V.shape[1]))))
            start = int(yr.min())
            keep = hy < start  # observed years before the trajectory starts
            if keep.any():
                order = np.argsort(hy[keep], kind="stable")
                hy_s, hv_s = hy[keep][order], hv[keep][order]
                ho = ~np.isnan(hv_s)
                cS = np.vstack([np.zeros((1, V.shape[1])), np.cumsum(np.where(ho, hv_s, 0.0), axis=0)])
                cN = np.vstack([np.zeros((1, V.shape[1])), np.cumsum(ho, axis=0)])
                lo = np.searchsorted(hy_s, yr - w + 1, side="left")  # history years inside each row's window
                hi = np.full(len(yr), len(hy_s))
                lo = np.minimum(lo, hi)
                S += cS[hi] - cS[lo]
                N += cN[hi] - cN[lo]
            out[rows] = np.where(N > 0, S / np.where(N > 0, N, 1.0), np.nan)
        return out

    def p_de_jure(self, features: pd.DataFrame, params: ClassifierDraws, draw_ids: np.ndarray) -> np.ndarray:
        from ..errors import MethodError
        from ..models.commitment import _sigmoid, completed_features

        n = len(features)
        draw_ids = np.asarray(draw_ids, dtype=np.int64)
        V = np.column_stack([features[c].to_numpy(dtype=float) if c in features else np.full(n, np.nan)
                             for c in self.cols])
        dyads = features["dyad"].astype(str).to_numpy(dtype=object)
        if self.window > 1:
            if "path" not in features or "year" not in features:
                raise MethodError(f"the commitment model pools {self.window} years of each dyad's history: "
                                  "the rows passed to p_de_jure need `path` (trajectory id) and `year` columns")
            V = self.pool_paths(V, dyads, features["year"].to_numpy(dtype=np.int64),
                                features["path"].to_numpy(dtype=np.int64))
        V = self._complete(V, dyads, params.hotdeck[draw_ids])
        com = self.commitment
        F = np.empty((n, len(com.features)))
        for dyad in pd.unique(dyads):  # rows as the draw axis: each row has its own parameter draw
            rows = np.flatnonzero(dyads == dyad)
            F[rows] = completed_features(V[rows][:, None, :], self.cols, [dyad], self.historical, nodes=com.nodes,
                                         use_structural=com.use_structural,
                                         hist_param_draws=params.historical[draw_ids[rows]])[:, 0, :]
        X = com.design(np.where(np.isnan(F), com.means, F))
        return _sigmoid(np.einsum("nk,nk->n", X, params.commitment[draw_ids]))

    def verdict(self, p: np.ndarray, features: pd.DataFrame) -> np.ndarray:
        """The classifier's documented verdict rules on the simulated p, cooperation, discord and hostility."""
        from ..models.verdict import verdicts

        return verdicts(p, *(features[c].to_numpy(dtype=float) for c in ("cooperation", "discord", "hostility")))
