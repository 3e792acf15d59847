"""CAMEO and PLOVER code tables: Goldstein weights, quad classes, CAMEO → PLOVER.

The tables are the project's own, stored as package data in
``alliance_index/events/tables/`` and read once (cached):

``cameo_goldstein.csv``
    One row per CAMEO event code (315 codes: the 312 codes of the CAMEO 1.1b3
    codebook as used by ICEWS, plus ``1214``, ``1951`` and ``1952``), with
    columns ``code`` (string; leading zeros matter, ``010`` is not ``10``),
    ``root`` (two-digit root), ``level`` (0 root, 1 three-digit, 2 four-digit),
    ``goldstein`` (the default, ICEWS convention), ``goldstein_gdelt``
    (GDELT's convention), ``name`` and ``note``.
``cameo_plover.csv``
    CAMEO → PLOVER crosswalk (PLOVER draft 0.8, 2021): ``code``,
    ``plover_event``, ``plover_mode``, ``plover_context``.  The crosswalk has no
    entry for roots 01 (statements) and 02 (appeals) nor for ``1951``/``1952``;
    those codes map to missing, not to a guessed category.

Goldstein conventions
---------------------
Three published CAMEO → Goldstein tables circulate: ICEWS's own mapping, the
codebook shipped with the R package *icews*, and GDELT's lookup.  The first
two are identical on all 312 codes.  GDELT differs on 15 codes:

==========================  ======  =====
code                        ICEWS   GDELT
==========================  ======  =====
016 Deny responsibility     -5.0    +3.4
124, 1241–1246 (refuse to   -4.0    -5.0
yield and its 6 subcodes)
163 Impose embargo …        -8.0    -6.5
164 Halt negotiations       -6.5    -7.0
166, 1661–1663 (expel or    -7.0    -8.0
withdraw and 3 subcodes)
==========================  ======  =====

and GDELT lists five extra pseudo-codes with a letter suffix (``0811i``,
``1321i``, ``138i``, ``13y``, ``1451i``) that are not CAMEO codes and are not
in the project's table.  ``1214``, ``1951`` and ``1952`` are absent from the
ICEWS table; in the ICEWS convention they take their parent's value (which is
also GDELT's value), marked in ``note``.

The default is the ICEWS convention (``goldstein_convention="icews"``) because
(i) two independent distributions of it agree code for code, (ii) the
project's historical event series is ICEWS, whose raw files carry the weight
per event (``Intensity``) and agree with this column on every event of the
real sample, and (iii) GDELT's +3.4 for "deny responsibility" scores a denial
as cooperative, against the direction of the rest of the scale.  Pass
``goldstein_convention="gdelt"`` to reproduce GDELT's own ``GoldsteinScale``.
Goldstein weights are stored with one decimal; the aggregation engines sum
them as integers in tenths, so every engine gives the same sums exactly.

Quad classes
------------
The four quad classes of Duval & Thompson (1980), as used by GDELT's
``QuadClass`` and the R package *icews*: roots 01–05 verbal cooperation,
06–08 material cooperation, 09–13 verbal conflict, 14–20 material conflict.
Coders differ on three groups of roots, so these are options of
:class:`QuadRules`:

* roots 01–02 (statements, appeals): ``"verbal_cooperation"`` (default) or
  ``"neutral"`` (Schrodt's penta-class scheme treats them as neutral);
* root 09 (investigate): ``"verbal_conflict"`` (default) or ``"neutral"``;
* root 14 (protest): ``"material_conflict"`` (default), ``"verbal_conflict"``
  or ``"neutral"``.

Neutral events count toward a dyad's event total and its Goldstein mean but
toward no quad class.

PLOVER event types have no Goldstein weight (their Goldstein values are
missing, never zero) and map to quad classes as: AGREE, CONSULT, SUPPORT →
verbal cooperation; COOPERATE, AID, CONCEDE, RETREAT → material cooperation;
REQUEST, ACCUSE, REJECT, THREATEN → verbal conflict; PROTEST, MOBILIZE,
SANCTION, COERCE, ASSAULT → material conflict.  Under the default quad rules
this agrees with the CAMEO quad class of every code in the crosswalk.

References
----------
Schrodt, P. A. (2012). *CAMEO Conflict and Mediation Event Observations Event
and Actor Codebook*, version 1.1b3. Penn State Event Data Project.
Goldstein, J. S. (1992). A conflict-cooperation scale for WEIS events data.
*Journal of Conflict Resolution* 36(2), 369–385.
Boschee, E. et al. (2015). *ICEWS Coded Event Data*. Harvard Dataverse,
doi:10.7910/DVN/28075.
Leetaru, K. and Schrodt, P. A. (2013). GDELT: Global data on events,
location and tone. ISA Annual Convention.
Halterman, A., Schrodt, P. A. et al. (2021). PLOVER codebook, draft 0.8,
github.com/openeventdata/PLOVER (CC BY-SA 4.0).
Duval, R. D. and Thompson, W. R. (1980). Reconsidering the aggregate
relationship between size, economic development, and some types of foreign
policy behavior. *American Journal of Political Science* 24(3), 511–525.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

import numpy as np
import pandas as pd

from ..errors import MethodError, suggest

__all__ = [
    "QUAD_CLASSES",
    "PLOVER_EVENTS",
    "QuadRules",
    "cameo_table",
    "plover_table",
    "goldstein",
    "quad_class",
    "cameo_to_plover",
    "plover_quad_class",
    "code_table",
]

_TABLES = Path(__file__).resolve().parent / "tables"

#: The four quad classes, in the order used everywhere (id 0..3); id 4 is neutral.
QUAD_CLASSES: tuple[str, ...] = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
NEUTRAL = "neutral"
_QUAD_ID = {q: i for i, q in enumerate(QUAD_CLASSES + (NEUTRAL,))}

#: PLOVER event types and their quad class (the project's mapping, see module notes).
PLOVER_EVENTS: dict[str, str] = {
    "AGREE": "verbal_cooperation",
    "CONSULT": "verbal_cooperation",
    "SUPPORT": "verbal_cooperation",
    "COOPERATE": "material_cooperation",
    "AID": "material_cooperation",
    "CONCEDE": "material_cooperation",
    "RETREAT": "material_cooperation",
    "REQUEST": "verbal_conflict",
    "ACCUSE": "verbal_conflict",
    "REJECT": "verbal_conflict",
    "THREATEN": "verbal_conflict",
    "PROTEST": "material_conflict",
    "MOBILIZE": "material_conflict",
    "SANCTION": "material_conflict",
    "COERCE": "material_conflict",
    "ASSAULT": "material_conflict",
}

GoldsteinConvention = Literal["icews", "gdelt"]


@dataclass(frozen=True)
class QuadRules:
    """Which quad class the disputed CAMEO roots belong to.

    Parameters
    ----------
    root_01_02 : {"verbal_cooperation", "neutral"}
        Roots 01 (make public statement) and 02 (appeal).
    root_09 : {"verbal_conflict", "neutral"}
        Root 09 (investigate).
    root_14 : {"material_conflict", "verbal_conflict", "neutral"}
        Root 14 (protest).

    Notes
    -----
    Defaults reproduce GDELT's ``QuadClass`` and the R package *icews*:
    01–05 → verbal cooperation, 06–08 → material cooperation,
    09–13 → verbal conflict, 14–20 → material conflict.
    """

    root_01_02: Literal["verbal_cooperation", "neutral"] = "verbal_cooperation"
    root_09: Literal["verbal_conflict", "neutral"] = "verbal_conflict"
    root_14: Literal["material_conflict", "verbal_conflict", "neutral"] = "material_conflict"

    def __post_init__(self) -> None:
        allowed = {
            "root_01_02": ("verbal_cooperation", NEUTRAL),
            "root_09": ("verbal_conflict", NEUTRAL),
            "root_14": ("material_conflict", "verbal_conflict", NEUTRAL),
        }
        for field, ok in allowed.items():
            v = getattr(self, field)
            if v not in ok:
                raise MethodError(
                    f"QuadRules.{field}={v!r} is not allowed; use one of {', '.join(ok)}."
                    + suggest(str(v), ok)
                )

    @classmethod
    def coerce(cls, rules: "QuadRules | dict | None") -> "QuadRules":
        """Accept a QuadRules, a dict of its fields, or None (defaults)."""
        if rules is None:
            return cls()
        if isinstance(rules, cls):
            return rules
        if isinstance(rules, dict):
            bad = set(rules) - {"root_01_02", "root_09", "root_14"}
            if bad:
                name = sorted(bad)[0]
                raise MethodError(
                    f"unknown quad rule {name!r}; the rules are root_01_02, root_09, root_14."
                    + suggest(name, ["root_01_02", "root_09", "root_14"])
                )
            return cls(**rules)
        raise MethodError(f"quad_rules must be a QuadRules, a dict or None, not {type(rules).__name__}")

    def root_map(self) -> dict[str, str]:
        """Quad class of each two-digit CAMEO root ``"01"`` … ``"20"``."""
        out: dict[str, str] = {}
        for r in range(1, 21):
            root = f"{r:02d}"
            if r <= 2:
                q = self.root_01_02
            elif r <= 5:
                q = "verbal_cooperation"
            elif r <= 8:
                q = "material_cooperation"
            elif r == 9:
                q = self.root_09
            elif r <= 13:
                q = "verbal_conflict"
            elif r == 14:
                q = self.root_14
            else:
                q = "material_conflict"
            out[root] = q
        return out


@lru_cache(maxsize=None)
def _read_goldstein() -> pd.DataFrame:
    df = pd.read_csv(
        _TABLES / "cameo_goldstein.csv",
        dtype={"code": str, "root": str, "name": str, "note": str},
        keep_default_na=False,
        na_values={"goldstein": [""], "goldstein_gdelt": [""]},
    )
    return df


@lru_cache(maxsize=None)
def _read_plover() -> pd.DataFrame:
    return pd.read_csv(_TABLES / "cameo_plover.csv", dtype=str, keep_default_na=False)


def _check_convention(convention: str) -> str:
    if convention not in ("icews", "gdelt"):
        raise MethodError(
            f"unknown Goldstein convention {convention!r}; use 'icews' (default) or 'gdelt'."
            + suggest(str(convention), ["icews", "gdelt"])
        )
    return convention


def cameo_table(goldstein_convention: GoldsteinConvention = "icews",
                quad_rules: QuadRules | dict | None = None) -> pd.DataFrame:
    """The CAMEO code table with Goldstein weight and quad class.

    Parameters
    ----------
    goldstein_convention : {"icews", "gdelt"}
        Which Goldstein table to report in column ``goldstein``.
    quad_rules : QuadRules, dict or None
        Quad-class rules for the disputed roots (defaults: GDELT/icews).

    Returns
    -------
    DataFrame
        Columns ``code, root, level, name, goldstein, quad_class,
        plover_event`` (one row per code, string codes).
    """
    _check_convention(goldstein_convention)
    rules = QuadRules.coerce(quad_rules)
    t = _read_goldstein()
    col = "goldstein" if goldstein_convention == "icews" else "goldstein_gdelt"
    out = pd.DataFrame(
        {
            "code": t["code"].to_numpy(),
            "root": t["root"].to_numpy(),
            "level": t["level"].to_numpy(dtype=np.int64),
            "name": t["name"].to_numpy(),
            "goldstein": t[col].to_numpy(dtype=np.float64),
        }
    )
    out["quad_class"] = out["root"].map(rules.root_map())
    pl = _read_plover().set_index("code")["plover_event"]
    out["plover_event"] = out["code"].map(pl)
    return out


def plover_table() -> pd.DataFrame:
    """The CAMEO → PLOVER crosswalk (``code, plover_event, plover_mode, plover_context``)."""
    return _read_plover().copy()


def _as_code_array(codes: Iterable) -> np.ndarray:
    arr = pd.Series(list(codes) if not isinstance(codes, (pd.Series, np.ndarray)) else codes)
    if pd.api.types.is_integer_dtype(arr) or pd.api.types.is_float_dtype(arr):
        raise MethodError(
            "CAMEO codes must be strings: as numbers '010' (make statement) and '10' (demand) "
            "become the same value. Read the code column as text (dtype=str)."
        )
    return arr.astype(object).where(arr.notna(), None).to_numpy()


def goldstein(codes: Iterable, convention: GoldsteinConvention = "icews") -> np.ndarray:
    """Goldstein weight of each CAMEO code (NaN for a code not in the table).

    Parameters
    ----------
    codes : iterable of str
        CAMEO codes as strings (``"010"``, ``"1823"``).
    convention : {"icews", "gdelt"}
        Goldstein table to use (see module notes).

    Returns
    -------
    ndarray of float64
    """
    _check_convention(convention)
    t = _read_goldstein()
    col = "goldstein" if convention == "icews" else "goldstein_gdelt"
    m = dict(zip(t["code"], t[col]))
    arr = _as_code_array(codes)
    return pd.Series(arr, dtype=object).map(m).to_numpy(dtype=np.float64)


def quad_class(codes: Iterable, quad_rules: QuadRules | dict | None = None) -> np.ndarray:
    """Quad class of each CAMEO code (``None`` for a code not in the table).

    Notes
    -----
    The class is a function of the two-digit root (see :class:`QuadRules`);
    only codes present in the CAMEO table get one.
    """
    rules = QuadRules.coerce(quad_rules)
    t = _read_goldstein()
    rm = rules.root_map()
    m = dict(zip(t["code"], t["root"].map(rm)))
    arr = _as_code_array(codes)
    out = pd.Series(arr, dtype=object).map(m)
    return out.astype(object).where(out.notna(), None).to_numpy()


def cameo_to_plover(codes: Iterable) -> pd.DataFrame:
    """PLOVER event, mode and context of each CAMEO code (missing where the crosswalk has none)."""
    pl = _read_plover().set_index("code")
    arr = _as_code_array(codes)
    out = pl.reindex(pd.Index(arr, dtype=object))[["plover_event", "plover_mode", "plover_context"]]
    return out.reset_index(drop=True).assign(code=arr)[["code", "plover_event", "plover_mode", "plover_context"]]


def plover_quad_class(events: Iterable) -> np.ndarray:
    """Quad class of each PLOVER event type (upper case, e.g. ``"AGREE"``; ``None`` if unknown)."""
    arr = _as_code_array(events)
    out = pd.Series(arr, dtype=object).map(PLOVER_EVENTS)
    return out.astype(object).where(out.notna(), None).to_numpy()


def code_table(code_system: Literal["cameo", "plover"] = "cameo",
               goldstein_convention: GoldsteinConvention = "icews",
               quad_rules: QuadRules | dict | None = None) -> pd.DataFrame:
    """Small lookup relation the aggregation engines join on.

    Returns
    -------
    DataFrame
        ``code`` (str), ``quad`` (int8: 0 verbal cooperation, 1 material
        cooperation, 2 verbal conflict, 3 material conflict, 4 neutral) and
        ``gs10`` (Int64: Goldstein weight in tenths, missing for PLOVER).
    """
    if code_system == "cameo":
        t = cameo_table(goldstein_convention, quad_rules)
        gs10 = np.rint(t["goldstein"].to_numpy() * 10)
        return pd.DataFrame(
            {
                "code": t["code"].astype(object).to_numpy(),
                "quad": t["quad_class"].map(_QUAD_ID).to_numpy(dtype=np.int8),
                "gs10": pd.array(gs10.astype(np.int64), dtype="Int64"),
            }
        )
    if code_system == "plover":
        codes = list(PLOVER_EVENTS)
        return pd.DataFrame(
            {
                "code": np.array(codes, dtype=object),
                "quad": np.array([_QUAD_ID[PLOVER_EVENTS[c]] for c in codes], dtype=np.int8),
                "gs10": pd.array([pd.NA] * len(codes), dtype="Int64"),
            }
        )
    raise MethodError(
        f"unknown code_system {code_system!r}; use 'cameo' or 'plover'." + suggest(str(code_system), ["cameo", "plover"])
    )
