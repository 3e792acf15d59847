"""The indicator catalog (contract §4).

Each indicator belongs to one *domain* (military, economic, diplomatic,
regional) and one *side*: ``cooperation`` pulls a dyad toward alliance,
``discord`` pulls it away. The catalog fixes each indicator's unit, kind,
default transformation, default goalposts (normalisation bounds, in raw
units before the transformation), allowed range and default weight.

The bundled catalog lives in ``data/catalog.csv``. Users add their own
indicators with :func:`register_indicator`; they then behave exactly like
bundled ones (validation, panel, index).

Notes
-----
Default weights are 1, except for the document-coded *commitment* and
*discord-of-commitment* indicators, which weigh 2 within their node:
``basing_access``, ``wartime_support``, ``non_support_when_attacked``,
``sanctions_against_partner``, ``diplomatic_backing``,
``recognition_disputes``, ``joint_conflict_operations`` and
``neutrality_in_partner_conflicts``. The design notes explain why: the
structural indicators measure closeness, these measure commitment.

Event indicators (``events_*``) are not part of the contract's minimum set
(``core`` is False): they enter the index when observed but do not count in
``coverage``. Their goalposts are documented in the catalog file.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from ._resources import data_dir
from .errors import CatalogError, UnknownIndicatorError, suggest

DOMAINS: tuple[str, ...] = ("military", "economic", "diplomatic", "regional")
SIDES: tuple[str, ...] = ("cooperation", "discord")
#: discord indicators that mark *hedging* rather than *hostility* (``docs/verdicts.md``): refusing the
#: partner's claims, standing aside in its conflicts, courting its rivals, withholding arms. Every other
#: discord indicator (incidents, protests, sanctions, disputes, opposing sides, conflict events, ideal-point
#: distance, and any user-registered discord indicator) counts as hostility. The index reports
#: ``hostility`` (discord over the hostility indicators only) and the ``rivalry`` verdict reads it.
HEDGING_INDICATORS: tuple[str, ...] = ("neutrality_in_partner_conflicts", "non_support_when_attacked",
                                       "ties_with_partners_rivals", "recognition_disputes",
                                       "arms_supply_withheld")
KINDS: tuple[str, ...] = ("count", "ordinal", "binary", "share", "percent", "continuous", "score")
TRANSFORMS: tuple[str, ...] = ("none", "log1p")
COLUMNS: tuple[str, ...] = (
    "domain", "side", "scale", "unit", "kind", "transform", "goal_lo", "goal_hi",
    "range_min", "range_max", "default_weight", "core", "definition", "historical_source",
)

_REGISTERED: dict[str, dict] = {}


@lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    df = pd.read_csv(data_dir() / "catalog.csv", keep_default_na=False, na_values=[""])
    for c in ("goal_lo", "goal_hi", "range_min", "range_max", "default_weight"):
        df[c] = df[c].astype("float64")
    df["core"] = df["core"].astype(str).str.lower().eq("true")
    df = df.set_index("id")
    df.index.name = "id"
    return df


def catalog(include_events: bool = True) -> pd.DataFrame:
    """Return the indicator catalog as a DataFrame indexed by indicator ``id``.

    Parameters
    ----------
    include_events : bool, default True
        Include the event-data indicators (``events_*``).

    Returns
    -------
    pandas.DataFrame
        One row per indicator with columns ``domain``, ``side``, ``scale``,
        ``unit``, ``kind``, ``transform``, ``goal_lo``, ``goal_hi``,
        ``range_min``, ``range_max``, ``default_weight``, ``core``,
        ``definition``, ``historical_source`` (bundled ones first, then
        user-registered ones). A copy: changing it changes nothing.

    Examples
    --------
    >>> import alliance_index as ai
    >>> cat = ai.catalog()
    >>> cat.loc["wartime_support", ["domain", "side"]].tolist()
    ['military', 'cooperation']
    """
    df = _bundled()
    if _REGISTERED:
        extra = pd.DataFrame.from_dict(_REGISTERED, orient="index")
        extra.index.name = "id"
        df = pd.concat([df, extra[list(COLUMNS)]])
    if not include_events:
        df = df[~df.index.str.startswith("events_")]
    return df.copy()


def indicator_ids(core_only: bool = False) -> list[str]:
    """Ids of all known indicators (optionally only the contract's core set)."""
    cat = catalog()
    return list(cat.index[cat["core"]] if core_only else cat.index)


def check_indicator(ind: str) -> None:
    """Raise :class:`UnknownIndicatorError` unless ``ind`` is a known id."""
    known = indicator_ids()
    if ind not in known:
        raise UnknownIndicatorError(
            f"Unknown indicator '{ind}'.{suggest(ind, known) or ' See alliance_index.catalog() for the ids.'}"
            " Register your own with alliance_index.register_indicator()."
        )


def register_indicator(
    id: str,
    *,
    domain: Literal["military", "economic", "diplomatic", "regional"],
    side: Literal["cooperation", "discord"],
    goalposts: tuple[float, float],
    kind: Literal["count", "ordinal", "binary", "share", "percent", "continuous", "score"] = "continuous",
    transform: Literal["none", "log1p"] = "none",
    allowed_range: tuple[float, float] = (-math.inf, math.inf),
    default_weight: float = 1.0,
    unit: str = "",
    definition: str = "",
    historical_source: str = "—",
    replace: bool = False,
) -> None:
    """Add a user-defined indicator to the catalog (for this Python session).

    Parameters
    ----------
    id : str
        New indicator id (letters, digits, underscores).
    domain, side : str
        Where it sits in the hierarchy; ``side='discord'`` pulls away from alliance.
    goalposts : (float, float)
        Normalisation bounds in raw units (before ``transform``); ``lo < hi``.
    kind, transform, allowed_range, default_weight, unit, definition, historical_source
        As in the catalog columns.
    replace : bool
        Allow redefining an id registered earlier (bundled ids can never be replaced).

    Examples
    --------
    >>> import alliance_index as ai
    >>> ai.register_indicator("joint_patrols", domain="military", side="cooperation",
    ...                       goalposts=(0, 4), kind="count", allowed_range=(0, float("inf")),
    ...                       replace=True)
    >>> "joint_patrols" in ai.catalog().index
    True
    >>> ai.unregister_indicator("joint_patrols")
    """
    if not isinstance(id, str) or not id.replace("_", "").isalnum() or not id:
        raise CatalogError(f"Indicator id {id!r} must be a non-empty string of letters, digits and underscores.")
    if id in _bundled().index:
        raise CatalogError(f"Indicator '{id}' is a bundled indicator and cannot be redefined; choose another id.")
    if id in _REGISTERED and not replace:
        raise CatalogError(f"Indicator '{id}' is already registered; pass replace=True to redefine it.")
    if domain not in DOMAINS:
        raise CatalogError(f"Indicator '{id}': domain {domain!r} is not one of {DOMAINS}.{suggest(str(domain), DOMAINS)}")
    if side not in SIDES:
        raise CatalogError(f"Indicator '{id}': side {side!r} is not one of {SIDES}.")
    if kind not in KINDS:
        raise CatalogError(f"Indicator '{id}': kind {kind!r} is not one of {KINDS}.")
    if transform not in TRANSFORMS:
        raise CatalogError(f"Indicator '{id}': transform {transform!r} is not one of {TRANSFORMS}.")
    lo, hi = (float(g) for g in goalposts)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise CatalogError(f"Indicator '{id}': goalposts {goalposts} must be finite with lo < hi.")
    rmin, rmax = (float(r) for r in allowed_range)
    if not rmin <= rmax:
        raise CatalogError(f"Indicator '{id}': allowed_range {allowed_range} must have min <= max.")
    if transform == "log1p" and rmin < 0:
        raise CatalogError(f"Indicator '{id}': a log1p indicator needs allowed_range min >= 0.")
    if not (np.isfinite(default_weight) and default_weight >= 0):
        raise CatalogError(f"Indicator '{id}': default_weight must be a finite number >= 0.")
    _REGISTERED[id] = dict(
        domain=domain, side=side, scale=unit or kind, unit=unit, kind=kind, transform=transform,
        goal_lo=lo, goal_hi=hi, range_min=rmin, range_max=rmax, default_weight=float(default_weight),
        core=False, definition=definition, historical_source=historical_source,
    )


def unregister_indicator(id: str) -> None:
    """Remove a user-registered indicator (no error if it is not registered)."""
    _REGISTERED.pop(id, None)
