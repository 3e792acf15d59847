"""Documented verdict rules (see ``docs/verdicts.md``).

Applied in this order to each dyad-year, with ``p`` = :math:`p_{de\\,jure}`,
``C`` = cooperation, ``D`` = discord and ``H`` = hostility (discord over the
hostility indicators only, i.e. without :data:`~alliance_index.catalog.HEDGING_INDICATORS`),
all 0–100:

1. ``alliance``    — ``p >= P_ALLIANCE``: more likely than not bound by a mutual-defence treaty.
2. ``rivalry``     — ``H >= D_RIVALRY`` and ``H > C``: hostility dominates.
3. ``limited``     — ``C < C_LIMITED``: little cooperation of any kind.
4. ``convenience`` — ``D >= D_CONVENIENCE``: real cooperation alongside hedging or discord.
5. ``alignment``   — otherwise: broad cooperation, little discord, no treaty-level commitment.

The thresholds were set before the models were evaluated and are not tuned to
any dyad. Rule 2 read total discord ``D`` in version 0.1.0; it reads hostility
from 0.2.0, because hedging is what the documented definition of
``convenience`` names, and a rule that let hedging alone make a ``rivalry`` contradicted
it (``docs/verdicts.md`` gives the change and every dyad-year it moved).
A verdict is sensitive only to ``p`` crossing 0.5 and to ``C``, ``D`` and ``H``
crossing these thresholds; the interval of ``p`` is reported next to it.
NaN ``p`` (no usable evidence) gives ``None``; NaN ``C``, ``D`` or ``H`` counts as 0
(nothing observed on that side).
"""
from __future__ import annotations

import numpy as np

from ..catalog import HEDGING_INDICATORS  # noqa: F401  (re-exported: models.HEDGING_INDICATORS)

P_ALLIANCE: float = 0.5
D_RIVALRY: float = 50.0
C_LIMITED: float = 25.0
D_CONVENIENCE: float = 25.0
VERDICTS: tuple[str, ...] = ("alliance", "alignment", "convenience", "limited", "rivalry")


def verdicts(p, cooperation, discord, hostility) -> np.ndarray:
    """Verdict per row (object array) from ``p_de_jure``, cooperation, discord and hostility (vectorised).

    Parameters
    ----------
    p : array_like
        ``p_de_jure`` on [0, 1]; NaN gives the verdict ``None``.
    cooperation, discord, hostility : array_like
        On 0–100, as the index reports them (``score()`` columns of the same names);
        NaN counts as 0.

    Examples
    --------
    >>> verdicts([0.7, 0.1, 0.1, 0.1, 0.1, 0.1], [60, 20, 30, 60, 50, 45],
    ...          [10, 60, 10, 40, 10, 52], [10, 60, 10, 40, 10, 12]).tolist()
    ['alliance', 'rivalry', 'alignment', 'convenience', 'alignment', 'convenience']
    """
    p = np.asarray(p, dtype=float)
    C = np.nan_to_num(np.asarray(cooperation, dtype=float), nan=0.0)
    D = np.nan_to_num(np.asarray(discord, dtype=float), nan=0.0)
    H = np.nan_to_num(np.asarray(hostility, dtype=float), nan=0.0)
    out = np.select(
        [p >= P_ALLIANCE, (H >= D_RIVALRY) & (H > C), C < C_LIMITED, D >= D_CONVENIENCE],
        ["alliance", "rivalry", "limited", "convenience"], "alignment").astype(object)
    out[np.isnan(p)] = None
    return out


def verdict_reasons(p, cooperation, discord, hostility) -> np.ndarray:
    """Why each row got its verdict: the rule that fired, with the numbers it compared (object array).

    Same inputs as :func:`verdicts`; ``None`` where the verdict is ``None``.

    Examples
    --------
    >>> verdict_reasons([0.7, 0.1], [60, 45], [10, 52], [10, 12]).tolist()
    ['p_de_jure 0.70 >= 0.5', 'discord 52.0 >= 25 with cooperation 45.0 >= 25; hostility 12.0 < 50']
    """
    p = np.asarray(p, dtype=float)
    C = np.nan_to_num(np.asarray(cooperation, dtype=float), nan=0.0)
    D = np.nan_to_num(np.asarray(discord, dtype=float), nan=0.0)
    H = np.nan_to_num(np.asarray(hostility, dtype=float), nan=0.0)
    v = verdicts(p, C, D, H)
    host = np.where((H >= D_RIVALRY) & ~(H > C), [f"; hostility {h:.1f} >= 50 but not above cooperation"
                                                  for h in H], [f"; hostility {h:.1f} < 50" for h in H])
    text = {
        "alliance": [f"p_de_jure {x:.2f} >= {P_ALLIANCE:g}" + (
            f"; hostility {h:.1f} >= {D_RIVALRY:g} and above cooperation {c:.1f}: the rivalry rule would "
            "also hold (alliance comes first; see docs/verdicts.md)" if (h >= D_RIVALRY and h > c) else "")
            for x, h, c in zip(p, H, C)],
        "rivalry": [f"hostility {h:.1f} >= {D_RIVALRY:g} and above cooperation {c:.1f}" for h, c in zip(H, C)],
        "limited": [f"cooperation {c:.1f} < {C_LIMITED:g}" for c in C],
        "convenience": [f"discord {d:.1f} >= {D_CONVENIENCE:g} with cooperation {c:.1f} >= {C_LIMITED:g}{s}"
                        for d, c, s in zip(D, C, host)],
        "alignment": [f"cooperation {c:.1f} >= {C_LIMITED:g}, discord {d:.1f} < {D_CONVENIENCE:g}" for c, d in zip(C, D)],
    }
    out = np.array([None] * len(v), dtype=object)
    for name, strings in text.items():
        hit = v == name
        out[hit] = np.asarray(strings, dtype=object)[hit]
    return out
