"""Documented verdict rules (see ``docs/verdicts.md``).

Applied in this order to each dyad-year, with ``p`` = :math:`p_{de\\,jure}`,
``C`` = cooperation and ``D`` = discord (both 0–100):

1. ``alliance``    — ``p >= P_ALLIANCE``: more likely than not bound by a mutual-defence treaty.
2. ``rivalry``     — ``D >= D_RIVALRY`` and ``D > C``: discord dominates.
3. ``limited``     — ``C < C_LIMITED``: little cooperation of any kind.
4. ``convenience`` — ``D >= D_CONVENIENCE``: real cooperation alongside hedging or discord.
5. ``alignment``   — otherwise: broad cooperation, little discord, no treaty-level commitment.

The thresholds were set before the models were evaluated and are not tuned to
any dyad. A verdict is sensitive only to ``p`` crossing 0.5 and to ``C`` and
``D`` crossing these thresholds; the interval of ``p`` is reported next to it.
NaN ``p`` (no usable evidence) gives ``None``; NaN ``C`` counts as 0 and NaN
``D`` as 0 (no cooperation or discord observed).
"""
from __future__ import annotations

import numpy as np

P_ALLIANCE: float = 0.5
D_RIVALRY: float = 50.0
C_LIMITED: float = 25.0
D_CONVENIENCE: float = 25.0
VERDICTS: tuple[str, ...] = ("alliance", "alignment", "convenience", "limited", "rivalry")
#: the discord indicators that mark hedging rather than hostility (``docs/verdicts.md``): refusing the
#: partner's claims, standing aside in its conflicts, courting its rivals, withholding arms.
#: ``classify`` reports discord split into ``hedging`` and ``hostility`` (all other discord indicators).
HEDGING_INDICATORS: tuple[str, ...] = ("neutrality_in_partner_conflicts", "non_support_when_attacked",
                                       "ties_with_partners_rivals", "recognition_disputes",
                                       "arms_supply_withheld")


def verdicts(p, cooperation, discord) -> np.ndarray:
    """Verdict per row (object array) from ``p_de_jure``, cooperation and discord (vectorised).

    Examples
    --------
    >>> verdicts([0.7, 0.1, 0.1, 0.1, 0.1], [60, 20, 30, 60, 50], [10, 60, 10, 40, 10]).tolist()
    ['alliance', 'rivalry', 'alignment', 'convenience', 'alignment']
    """
    p = np.asarray(p, dtype=float)
    C = np.nan_to_num(np.asarray(cooperation, dtype=float), nan=0.0)
    D = np.nan_to_num(np.asarray(discord, dtype=float), nan=0.0)
    out = np.select(
        [p >= P_ALLIANCE, (D >= D_RIVALRY) & (D > C), C < C_LIMITED, D >= D_CONVENIENCE],
        ["alliance", "rivalry", "limited", "convenience"], "alignment").astype(object)
    out[np.isnan(p)] = None
    return out
