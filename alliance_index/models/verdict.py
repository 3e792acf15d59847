"""Documented verdict rules (see ``docs/verdicts.md``).

Applied in this order to each dyad-year, with ``p`` = :math:`p_{de\\,jure}`,
``C`` = cooperation, ``D`` = discord and ``H`` = hostility (discord over the
hostility indicators only, i.e. without :data:`~alliance_index.catalog.HEDGING_INDICATORS`),
all 0–100:

1. ``rivalry``     — ``H >= D_RIVALRY`` and ``H > C``: hostility dominates.
2. ``alliance``    — ``p >= P_ALLIANCE``: more likely than not bound by a mutual-defence treaty.
3. ``limited``     — ``C < C_LIMITED``: little cooperation of any kind.
4. ``convenience`` — ``D >= D_CONVENIENCE``: real cooperation alongside hedging or discord.
5. ``alignment``   — otherwise: broad cooperation, little discord, no treaty-level commitment.

The thresholds were set before the models were evaluated and are not tuned to
any dyad. Since 0.4.0 ``rivalry`` comes before ``alliance``: ``p`` reads the dyad's
record over the commitment model's window of years, so a dyad that turns hostile keeps
an allied-looking record for years, and a year of open hostility is a rivalry whatever
the record (``docs/verdicts.md``). The rivalry rule read total discord ``D`` in version 0.1.0; it reads hostility
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
#: a ``rivalry`` resting on at most this many observed hostility indicators is flagged as fragile
#: (in ``verdict_reason`` and by a warning from ``classify``); the rule itself does not change
FEW_HOSTILITY: int = 2


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
        [(H >= D_RIVALRY) & (H > C), p >= P_ALLIANCE, C < C_LIMITED, D >= D_CONVENIENCE],
        ["rivalry", "alliance", "limited", "convenience"], "alignment").astype(object)
    out[np.isnan(p)] = None
    return out


def verdict_reasons(p, cooperation, discord, hostility, n_hostility=None) -> np.ndarray:
    """Why each row got its verdict: the rule that fired, with the numbers it compared (object array).

    Same inputs as :func:`verdicts`; ``None`` where the verdict is ``None``. A NaN cooperation,
    discord or hostility (nothing observed on that side) is named as "not observed (counted as 0)",
    never printed as 0.0. With ``n_hostility``
    (the number of hostility indicators observed per row; NaN = unknown), a ``rivalry`` reason
    also says how many indicators its hostility rests on, and calls it fragile at
    :data:`FEW_HOSTILITY` or fewer.

    Examples
    --------
    >>> verdict_reasons([0.7, 0.1], [60, 45], [10, 52], [10, 12]).tolist()
    ['p_de_jure 0.70 >= 0.5', 'discord 52.0 >= 25 with cooperation 45.0 >= 25; hostility 12.0 < 50']
    >>> verdict_reasons([0.1], [20], [60], [60], n_hostility=[1]).tolist()
    ['hostility 60.0 >= 50 and above cooperation 20.0 (1 hostility indicator observed; few, so fragile)']
    >>> verdict_reasons([0.1], [28.5], [np.nan], [np.nan]).tolist()
    ['cooperation 28.5 >= 25, discord not observed (counted as 0 < 25)']
    """
    p = np.asarray(p, dtype=float)
    raw = {name: np.asarray(x, dtype=float) for name, x in
           (("cooperation", cooperation), ("discord", discord), ("hostility", hostility))}
    C, D, H = (np.nan_to_num(raw[k], nan=0.0) for k in ("cooperation", "discord", "hostility"))
    v = verdicts(p, C, D, H)
    n = None if n_hostility is None else np.asarray(n_hostility, dtype=float)

    def q(name, i, op=None, thr=None):
        """'<name> <value> [<op> <thr>]', or, for an unobserved value, that it counted as 0."""
        cmp = "" if op is None else f" {op} {thr:g}"
        if np.isnan(raw[name][i]):
            return f"{name} not observed (counted as 0{cmp})"
        return f"{name} {raw[name][i]:.1f}{cmp}"

    def rests_on(i):
        if n is None or np.isnan(n[i]):
            return ""
        k = int(n[i])
        few = "; few, so fragile" if k <= FEW_HOSTILITY else ""
        return f" ({k} hostility indicator{'' if k == 1 else 's'} observed{few})"

    def rivalry(i):
        extra = (f"; p_de_jure {p[i]:.2f} >= {P_ALLIANCE:g}: the alliance rule would also hold "
                 "(rivalry comes first; see docs/verdicts.md)") if p[i] >= P_ALLIANCE else ""
        return f"{q('hostility', i, '>=', D_RIVALRY)} and above {q('cooperation', i)}" + rests_on(i) + extra

    def convenience(i):
        host = (f"{q('hostility', i, '>=', D_RIVALRY)} but not above cooperation" if H[i] >= D_RIVALRY
                else q("hostility", i, "<", D_RIVALRY))
        return f"{q('discord', i, '>=', D_CONVENIENCE)} with {q('cooperation', i, '>=', C_LIMITED)}; {host}"

    text = {
        "alliance": lambda i: f"p_de_jure {p[i]:.2f} >= {P_ALLIANCE:g}",
        "rivalry": rivalry,
        "limited": lambda i: q("cooperation", i, "<", C_LIMITED),
        "convenience": convenience,
        "alignment": lambda i: f"{q('cooperation', i, '>=', C_LIMITED)}, {q('discord', i, '<', D_CONVENIENCE)}",
    }
    out = np.full(len(v), None, dtype=object)
    for name, fmt in text.items():  # format only the rows that got this verdict
        for i in np.flatnonzero(v == name):
            out[i] = fmt(i)
    return out
