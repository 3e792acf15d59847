"""Combining the historical and the commitment model into :math:`p_{de\\,jure}`.

Stacking, not a product of experts: the historical model's log-odds of a
defence pact, :math:`h(x_s)` (structural closeness as 1950–2018 ATOP history
prices it), enters the commitment model as one feature next to the curated
commitment and discord nodes :math:`n(x_c)`:

.. math:: p_{de\\,jure} = \\Lambda(\\beta_0 + \\beta_h\\,\\tilde h + \\beta_n'\\tilde n)

(tildes: standardised). :math:`\\beta_h` is learned where the label is the
one we care about (a mutual-defence instrument in ``status.csv``), so the
weight of closeness is estimated rather than assumed, and the two models'
evidence is not double-counted as a product of experts would do when both
see the same closeness.

Uncertainty (King, Tomz & Wittenberg 2000, as in Clarify/Zelig): each of
``n_sims`` draws takes (i) the historical coefficients from their estimated
sampling distribution :math:`N(\\hat\\gamma, \\hat V_\\gamma)`, (ii) the commitment
coefficients from :math:`N(\\hat\\beta, \\hat V_\\beta)` (dyad-clustered sandwich), and
(iii) every missing indicator from its donors (the dyad's own other years,
else the pooled panel). :math:`p_{de\\,jure}` is the mean of the simulated
probabilities and the interval their 2.5 % and 97.5 % quantiles: fewer
observed indicators, wider interval.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .commitment import predict_draws


def p_de_jure_draws(V: pd.DataFrame, historical, commitment, n_sims: int = 1000, seed=0) -> np.ndarray:
    """Simulated draws ``(n_sims, n)`` of :math:`p_{de\\,jure}` for raw wide values ``V``."""
    return predict_draws(commitment, V, historical, n_sims, np.random.default_rng(seed))


def summarise(draws: np.ndarray, level: float = 0.95) -> pd.DataFrame:
    """Point (mean of draws) and equal-tailed interval of simulated probabilities."""
    a = (1 - level) / 2
    return pd.DataFrame({"p_de_jure": draws.mean(0), "p_de_jure_lo": np.quantile(draws, a, axis=0),
                         "p_de_jure_hi": np.quantile(draws, 1 - a, axis=0)})
