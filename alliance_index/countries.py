"""Countries and dyads: one resolver for names, ISO codes and COW codes.

Every state of the Correlates of War (COW) state system list, historical states
included, is a row of the bundled table ``data/countries.csv`` (loaded once).
Each COW code maps to exactly **one** three-letter id, its ``iso3``, and dyad
ids are two such ids in alphabetical order joined by ``-`` (contract §1).

Id rules
--------
1. ISO 3166-1 alpha-3 where the state has one today (``IRN``, ``BLR``, ...).
2. COW keeps one code across a change of regime or name, and so do we: the
   continuing state keeps the current ISO code.

   * 365 USSR/Russia -> ``RUS`` (contract); the Soviet code ``SUN`` is read as 365.
   * 345 Serbia/Yugoslavia -> ``SRB``. COW codes Yugoslavia (1878-1941,
     1944-) and its continuation Serbia and Montenegro and then Serbia with
     the same code 345, exactly as it does USSR/Russia, so 345 gets Serbia's
     ISO code. ``YUG``, ``SCG`` and ``YU`` are read as 345. There is no COW code
     340: it is Gleditsch and Ward's code for Serbia, and giving it yields an
     error that points to 345.
   * 816 Vietnam (Democratic Republic of Vietnam, from 1976 the Socialist
     Republic) -> ``VNM``; the old North-Vietnam code ``VDR`` is read as 816.
3. Dissolved states use their ISO 3166-3 former alpha-3 code:
   315 Czechoslovakia ``CSK`` (alpha-2 ``CS``), 265 East Germany ``DDR`` (``DD``),
   680 South Yemen ``YMD`` (``YD``).
4. Dissolved states whose ISO code passed to a successor, and states that
   never had one, use their COW abbreviation, none of which is an ISO 3166-1
   alpha-3 code:

   * 260 West Germany -> ``GFR``. Its ISO code ``DEU`` went on to unified
     Germany, which COW codes 255 (1816-1945, 1990-). Some COW-derived files
     (e.g. trade 1960-89) code West Germany as 255; those rows come out as
     ``DEU``, which is West Germany's own ISO code, so nothing is lost.
     ``to_cow("DEU")`` is always 255. "Federal Republic of Germany" names
     both and is resolved by ``year`` (1955-1990 -> 260, otherwise 255).
   * 678 North Yemen -> ``YAR`` (its old code ``YEM`` is unified Yemen's, 679).
   * 817 South Vietnam -> ``RVN``.
   * pre-1871 German and Italian states: 240 ``HAN`` Hanover, 245 ``BAV``
     Bavaria, 267 ``BAD`` Baden, 269 ``SAX`` Saxony, 271 ``WRT`` Wurttemberg,
     273 ``HSE`` Hesse Electoral, 275 ``HSG`` Hesse Grand Ducal, 280 ``MEC``
     Mecklenburg-Schwerin, 327 ``PAP`` Papal States, 329 ``SIC`` Two Sicilies,
     332 ``MOD`` Modena, 335 ``PMA`` Parma, 337 ``TUS`` Tuscany; and 300
     ``AUH`` Austria-Hungary, 511 ``ZAN`` Zanzibar, 711 ``TBT`` Tibet.
   * 730 Korea (1887-1905) -> ``KOE``: its COW abbreviation ``KOR`` is South
     Korea's ISO code.
   * 347 Kosovo -> ``XKX`` (alpha-2 ``XK``), the user-assigned code used by the
     EU, IMF and World Bank.

The test suite checks that no two COW codes share an id and that no invented
id is an ISO 3166-1 alpha-3 code of any state or territory.

711 Tibet (1913-1950) is in Gleditsch and Ward's list, not in COW's: it is in
the table so that it resolves, but it is flagged ``cow_member = 0`` and never
counts as a member of the system (:func:`in_system`, :func:`system_members`).

How input is read (:func:`resolve`)
-----------------------------------
* :class:`Country` objects pass through.
* Integers, integer-valued floats and digit strings (``365``, ``365.0``,
  ``"365"``) are COW codes.
* Two letters: ISO 3166-1 alpha-2 (``"NA"`` is Namibia, ``"IN"`` India), then
  former alpha-2 codes (``SU``, ``YU``, ``DD``, ``ZR``, ...), then names (``"UK"``).
* Three letters, case-insensitive, in this order: our ids (ISO alpha-3 and the
  ids above), former ISO codes (``SUN``, ``YUG``, ``ZAR``, ``BUR``, ``ROM``,
  ...), CAMEO codes that differ from ISO, COW abbreviations, then names. ISO
  codes outrank COW abbreviations where they clash: ``AUS`` is Australia
  (Austria is COW ``AUS``, ISO ``AUT``), ``SWZ`` Eswatini, ``SLV`` El Salvador,
  ``CZE`` Czechia, ``MNG`` Mongolia, ``KOR`` South Korea; ``MAC`` is Macao's
  ISO code and is refused (North Macedonia is ``MKD``).
* Anything else is a name or alias, compared case-, accent- and
  punctuation-insensitively (``"türkiye"``, ``"D.P.R.K."``, ``"St. Lucia"``;
  ``"&"`` reads as ``"and"``, ``"St"`` as ``"Saint"``, a leading ``"The"`` is
  ignored, ``"Korea, North"`` is also tried as ``"North Korea"``).
* A name shared by several states (``"Congo"``, ``"Korea"``, ``"Federal
  Republic of Germany"``) is narrowed to the states in the system in
  ``year`` when one is given; if still several, :class:`AmbiguousCountryError`.
"""
from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from alliance_index.errors import (
    AmbiguousCountryError,
    CountryError,
    DyadError,
    UnknownCountryError,
    suggest,
)

__all__ = [
    "Country",
    "resolve",
    "to_iso3",
    "to_iso2",
    "to_cow",
    "name",
    "cow_to_iso3",
    "iso2_to_iso3",
    "iso3_to_cow",
    "parse_dyad",
    "dyad_id",
    "canonical_dyads",
    "country_table",
    "in_system",
    "system_members",
    "system_years",
    "DYAD_SEPARATORS",
    "NON_STATE_ISO3",
]

#: Characters accepted between the two countries of a dyad string.
DYAD_SEPARATORS = "-\u2013\u2014/,"

#: ISO 3166-1 alpha-3 codes of territories and entities that are not states in
#: the COW system: they are refused with an explanation rather than guessed at.
NON_STATE_ISO3: dict[str, str] = {
    "ABW": "Aruba", "AIA": "Anguilla", "ALA": "Åland Islands", "ASM": "American Samoa",
    "ATA": "Antarctica", "ATF": "French Southern Territories",
    "BES": "Bonaire, Sint Eustatius and Saba", "BLM": "Saint Barthélemy", "BMU": "Bermuda",
    "BVT": "Bouvet Island", "CCK": "Cocos (Keeling) Islands", "COK": "Cook Islands",
    "CUW": "Curaçao", "CXR": "Christmas Island", "CYM": "Cayman Islands",
    "ESH": "Western Sahara", "FLK": "Falkland Islands", "FRO": "Faroe Islands",
    "GGY": "Guernsey", "GIB": "Gibraltar", "GLP": "Guadeloupe", "GRL": "Greenland",
    "GUF": "French Guiana", "GUM": "Guam", "HKG": "Hong Kong",
    "HMD": "Heard Island and McDonald Islands", "IMN": "Isle of Man",
    "IOT": "British Indian Ocean Territory", "JEY": "Jersey", "MAC": "Macao",
    "MAF": "Saint Martin (French part)", "MNP": "Northern Mariana Islands",
    "MSR": "Montserrat", "MTQ": "Martinique", "MYT": "Mayotte", "NCL": "New Caledonia",
    "NFK": "Norfolk Island", "NIU": "Niue", "PCN": "Pitcairn", "PRI": "Puerto Rico",
    "PSE": "Palestine", "PYF": "French Polynesia", "REU": "Réunion",
    "SGS": "South Georgia and the South Sandwich Islands", "SHN": "Saint Helena",
    "SJM": "Svalbard and Jan Mayen", "SPM": "Saint Pierre and Miquelon",
    "SXM": "Sint Maarten", "TCA": "Turks and Caicos Islands", "TKL": "Tokelau",
    "UMI": "United States Minor Outlying Islands", "VAT": "Holy See (Vatican City)",
    "VGB": "British Virgin Islands", "VIR": "United States Virgin Islands",
    "WLF": "Wallis and Futuna",
}

#: Codes from other state lists that users are likely to try, with a pointer.
_FOREIGN_CODE_HINTS: dict[int, str] = {
    340: "340 is Gleditsch and Ward's code for Serbia; COW codes Serbia "
    "(and Yugoslavia before it) as 345 (id SRB)",
}


@dataclass(frozen=True)
class Country:
    """One state of the COW system list.

    Attributes
    ----------
    cow : int
        Correlates of War state code.
    iso3 : str
        The state's three-letter id used in dyad ids (see the module notes).
    iso2 : str or None
        ISO 3166-1 alpha-2 code (current or former); None where there is none.
    name : str
        Short common English name.
    start, end : int, int or None
        First year in and last year in the system; ``end`` None = still in.
    cow_abb : str
        COW state abbreviation.
    aliases : tuple of str
        Official and other names.
    spells : tuple of (int, int or None)
        Membership spells (first year, last year or None).
    cameo : str or None
        CAMEO country code where it differs from ``iso3``.
    cow_member : bool
        False for the few rows kept only so that they resolve (Tibet).
    """

    cow: int
    iso3: str
    iso2: str | None
    name: str
    start: int
    end: int | None
    cow_abb: str = ""
    aliases: tuple[str, ...] = field(default=(), compare=False, repr=False)
    spells: tuple[tuple[int, int | None], ...] = field(default=(), compare=False, repr=False)
    cameo: str | None = field(default=None, compare=False, repr=False)
    cow_member: bool = field(default=True, compare=False, repr=False)

    def in_system(self, year: int) -> bool:
        """Whether the state is a member of the COW system in ``year``."""
        if not self.cow_member:
            return False
        y = int(year)
        return any(a <= y and (b is None or y <= b) for a, b in self.spells)

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- loading


def _csv_path() -> Path:
    try:
        from alliance_index._resources import data_dir

        p = data_dir() / "countries.csv"
        if p.is_file():
            return p
    except FileNotFoundError:
        pass
    here = Path(__file__).resolve().parent
    for cand in (here / "data" / "countries.csv", here.parent / "data" / "countries.csv"):
        if cand.is_file():
            return cand
    raise FileNotFoundError(
        "bundled country table countries.csv not found next to the package or in the "
        "repository's data/ folder; reinstall alliance_index"
    )


def _split(s: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in str(s).split(";") if p.strip())


def _parse_spells(s: str, cow: int) -> tuple[tuple[int, int | None], ...]:
    out = []
    for part in _split(s):
        m = re.fullmatch(r"(\d{4})-(\d{4})?", part)
        if not m:
            raise ValueError(f"countries.csv: bad spell {part!r} for COW {cow} (want 'YYYY-YYYY' or 'YYYY-')")
        out.append((int(m.group(1)), int(m.group(2)) if m.group(2) else None))
    return tuple(out)


class _Index:
    """All lookup structures, built once from the CSV."""

    def __init__(self, path: Path) -> None:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        self.countries: list[Country] = []
        for rec in raw.to_dict("records"):
            cow = int(rec["cow"])
            spells = _parse_spells(rec["spells"], cow)
            self.countries.append(
                Country(
                    cow=cow,
                    iso3=rec["iso3"],
                    iso2=rec["iso2"] or None,
                    name=rec["name"],
                    start=int(rec["start_year"]),
                    end=int(rec["end_year"]) if rec["end_year"] else None,
                    cow_abb=rec["cow_abb"],
                    aliases=_split(rec["aliases"]),
                    spells=spells,
                    cameo=rec["cameo"] or None,
                    cow_member=rec.get("cow_member", "1") != "0",
                )
            )
        self.alt_codes = {c.cow: _split(a) for c, a in zip(self.countries, raw["alt_codes"])}

        self.by_cow = {c.cow: c for c in self.countries}
        self.by_id = {c.iso3: c for c in self.countries}
        self.by_iso2 = {c.iso2: c for c in self.countries if c.iso2}
        self.alt2: dict[str, Country] = {}
        self.alt3: dict[str, Country] = {}
        for c in self.countries:
            for code in self.alt_codes[c.cow]:
                (self.alt2 if len(code) == 2 else self.alt3)[code.upper()] = c
        self.cameo = {c.cameo: c for c in self.countries if c.cameo}
        self.cow_abb = {c.cow_abb: c for c in self.countries}

        # three-letter codes in order of precedence (first hit wins)
        self.code3: dict[str, Country] = {}
        for table in (self.by_id, self.alt3, self.cameo):
            for k, c in table.items():
                self.code3.setdefault(k, c)
        self.shadowed_abbs = {
            k: c for k, c in self.cow_abb.items()
            if (k in self.code3 and self.code3[k] is not c) or k in NON_STATE_ISO3
        }
        for k, c in self.cow_abb.items():
            if k not in NON_STATE_ISO3:
                self.code3.setdefault(k, c)

        # names and aliases -> candidate states
        self.by_name: dict[str, list[Country]] = {}
        self.by_compact: dict[str, list[Country]] = {}
        self.labels: list[str] = []
        for c in self.countries:
            for label in (c.name, *c.aliases):
                self.labels.append(label)
                for key, table in ((_norm(label), self.by_name), (_norm(label).replace(" ", ""), self.by_compact)):
                    lst = table.setdefault(key, [])
                    if c not in lst:
                        lst.append(c)
        self.labels = list(dict.fromkeys(self.labels))
        self.label_keys = {_norm(lbl): lbl for lbl in self.labels}

        # vectorised lookups
        cows = np.array([c.cow for c in self.countries], dtype=np.int64)
        self.cow_lookup = np.full(int(cows.max()) + 1, None, dtype=object)
        self.cow_lookup[cows] = [c.iso3 for c in self.countries]
        self.iso2_map = {**{k: c.iso3 for k, c in self.alt2.items()}, **{k: c.iso3 for k, c in self.by_iso2.items()}}
        self.iso3_map = {k: c.cow for table in (self.cameo, self.alt3, self.by_id) for k, c in table.items()}

        # spells as arrays (COW members only) for system_years / system_members
        rows = [(c.cow, a, b) for c in self.countries if c.cow_member for a, b in c.spells]
        self.sp_cow = np.array([r[0] for r in rows], dtype=np.int64)
        self.sp_start = np.array([r[1] for r in rows], dtype=np.int64)
        self.sp_end = np.array([r[2] if r[2] is not None else np.iinfo(np.int64).max for r in rows], dtype=np.int64)

        frame = raw.copy()
        frame["cow"] = frame["cow"].astype("int64")
        frame["start_year"] = frame["start_year"].astype("int64")
        frame["end_year"] = pd.array([int(v) if v else pd.NA for v in raw["end_year"]], dtype="Int64")
        frame["cow_member"] = frame["cow_member"] != "0"
        for col in ("iso2", "cameo", "alt_codes", "aliases"):
            frame[col] = frame[col].mask(frame[col] == "")
        self.frame = frame


@functools.lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(_csv_path())


# --------------------------------------------------------------------------- resolving

_APOS = "'\u2019\u2018`\u00b4."


def _norm(s: str) -> str:
    """Case-, accent- and punctuation-insensitive key of a name."""
    s = unicodedata.normalize("NFKD", str(s))
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("&", " and ")
    s = "".join("" if ch in _APOS else ch for ch in s)
    s = re.sub(r"[^0-9a-z]+", " ", s)
    toks = ["saint" if t == "st" else t for t in s.split() if t != "the"]
    return " ".join(toks)


_INT_RE = re.compile(r"^[+]?\d+(?:\.0*)?$")


def _unknown(x: Any, extra: str = "") -> UnknownCountryError:
    idx = _index()
    shown = repr(x) if isinstance(x, str) else repr(str(x))
    if extra:
        return UnknownCountryError(f"Unknown country {shown}: {extra}.")
    word = str(x)
    # keep only the clearly closest names: within 0.05 of the best similarity
    lowered = {lbl.lower(): lbl for lbl in idx.labels}
    scores = [difflib.SequenceMatcher(None, word.lower(), k).ratio() for k in lowered]
    hint = ""
    if scores:
        best = max(scores)
        hint = suggest(word, idx.labels, n=3, cutoff=max(0.6, best - 0.05))
    if hint:
        return UnknownCountryError(f"Unknown country {shown}.{hint}")
    return UnknownCountryError(
        f"Unknown country {shown}. Give a country name, an ISO 3166 alpha-2 or alpha-3 code "
        "or a COW code (see alliance_index.countries.country_table())."
    )


def _describe(c: Country) -> str:
    yrs = f"{c.start}-{c.end if c.end is not None else ''}"
    return f"{c.name} ({c.iso3}, COW {c.cow}, {yrs})"


def _ambiguous(x: str, cands: Sequence[Country], year: int | None) -> AmbiguousCountryError:
    lst = "; ".join(_describe(c) for c in cands)
    when = f" in {year}" if year is not None else ""
    hint = "give its ISO3 code instead" + ("" if year is not None else ", or pass year= to pick the state in the system that year")
    return AmbiguousCountryError(
        f"Ambiguous country {x!r}{when}: it names {len(cands)} states: {lst}. To choose one, {hint} "
        f"(e.g. {cands[0].iso3!r})."
    )


def _by_cow(code: int, original: Any) -> Country:
    c = _index().by_cow.get(code)
    if c is None:
        hint = _FOREIGN_CODE_HINTS.get(code, f"no state has COW code {code}")
        raise _unknown(original, hint)
    return c


def _pick(x: str, cands: list[Country], year: int | None) -> Country:
    if len(cands) == 1:
        return cands[0]
    if year is not None:
        live = [c for c in cands if c.in_system(year)]
        if len(live) == 1:
            return live[0]
        if len(live) > 1:
            cands = live
    raise _ambiguous(x, cands, year)


@functools.lru_cache(maxsize=8192)
def _resolve_str(s: str, year: int | None) -> Country:
    idx = _index()
    t = s.strip()
    if not t:
        raise UnknownCountryError("Unknown country '': the country name or code is empty.")
    if _INT_RE.match(t):
        return _by_cow(int(float(t)), s)
    up = t.upper()
    if len(t) == 2 and t.isalpha():
        c = idx.by_iso2.get(up) or idx.alt2.get(up)
        if c is not None:
            return c
    elif len(t) == 3 and t.isalpha():
        c = idx.code3.get(up)
        if c is not None:
            return c
        if up in NON_STATE_ISO3:
            raise _unknown(
                s,
                f"{up} is the ISO 3166 code of {NON_STATE_ISO3[up]}, which is not a state in the "
                "Correlates of War system"
                + (f" (COW abbreviation {up} is {idx.cow_abb[up].name}: use {idx.cow_abb[up].iso3!r})"
                   if up in idx.cow_abb else ""),
            )
    key = _norm(t)
    cands = idx.by_name.get(key) or idx.by_compact.get(key.replace(" ", ""))
    if not cands and "," in t:
        head, _, tail = t.partition(",")
        swapped = _norm(f"{tail} {head}")
        cands = idx.by_name.get(swapped)
    if cands:
        return _pick(t, list(cands), year)
    raise _unknown(s)


def resolve(x: Any, year: int | None = None) -> Country:
    """Resolve a country name, alias or code to one :class:`Country`.

    Parameters
    ----------
    x : str, int, float or Country
        Name or alias (case-, accent- and punctuation-insensitive), ISO 3166
        alpha-2 or alpha-3 code, COW code (``365``, ``"365"``, ``365.0``), COW
        abbreviation, CAMEO code.
    year : int, optional
        Used only to choose among several states sharing a name: the one in
        the system that year is taken.

    Returns
    -------
    Country

    Raises
    ------
    UnknownCountryError
        Nothing matches; the message suggests the closest names, e.g.
        ``Unknown country 'Rusia'. Did you mean: Russia?``.
    AmbiguousCountryError
        Several states match (``"Congo"``); the message lists them with
        their ISO3 codes.

    Notes
    -----
    Precedence: COW code for numbers; for two letters ISO alpha-2, then
    former alpha-2 codes, then names; for three letters ids (ISO alpha-3),
    former ISO codes, CAMEO codes, COW abbreviations, then names.
    """
    if isinstance(x, Country):
        return x
    yr = None if year is None else int(year)
    if isinstance(x, (bool, np.bool_)):
        raise UnknownCountryError(f"Unknown country {x!r}: give a name or code, not a boolean.")
    if isinstance(x, (int, np.integer)):
        return _by_cow(int(x), x)
    if isinstance(x, (float, np.floating)):
        if np.isnan(x):
            raise UnknownCountryError("Unknown country nan: the country name or code is missing.")
        if float(x).is_integer():
            return _by_cow(int(x), x)
        raise _unknown(x, "not a COW code (COW codes are whole numbers)")
    if x is None or x is pd.NA:
        raise UnknownCountryError("Unknown country None: the country name or code is missing.")
    if isinstance(x, str):
        return _resolve_str(x, yr)
    raise TypeError(f"cannot read a country from {type(x).__name__} {x!r}; give a name or code")


def to_iso3(x: Any, year: int | None = None) -> str:
    """Three-letter id (ISO alpha-3 or documented substitute) of a country."""
    return resolve(x, year).iso3


def to_iso2(x: Any, year: int | None = None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country (None for states without one)."""
    return resolve(x, year).iso2


def to_cow(x: Any, year: int | None = None) -> int:
    """COW numeric code of a country."""
    return resolve(x, year).cow


def name(x: Any, year: int | None = None) -> str:
    """Short common English name of a country."""
    return resolve(x, year).name


# --------------------------------------------------------------------------- vectorised


def _bad_codes_error(bad: np.ndarray, what: str) -> UnknownCountryError:
    uniq = list(dict.fromkeys(str(v) for v in bad.tolist()))
    shown = ", ".join(repr(v) for v in uniq[:5]) + (", ..." if len(uniq) > 5 else "")
    return UnknownCountryError(
        f"{len(bad)} value(s) ({len(uniq)} distinct) are not known {what}: {shown}. "
        "Fix them, or pass errors='coerce' to get None for them."
    )


def cow_to_iso3(codes: Any, errors: Literal["raise", "coerce"] = "raise") -> np.ndarray:
    """Map COW codes to three-letter ids, vectorised.

    Parameters
    ----------
    codes : array_like
        COW codes (ints, integer-valued floats or digit strings). Missing
        values (NaN/None) give None.
    errors : {'raise', 'coerce'}
        Unknown codes raise :class:`UnknownCountryError` (naming the first few
        and their count) or become None.

    Returns
    -------
    numpy.ndarray of object (str or None), same shape as ``codes``.
    """
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")
    idx = _index()
    arr = np.asarray(codes)
    shape = arr.shape
    flat = arr.ravel()
    if flat.dtype.kind in "iu":
        num = flat.astype(np.float64)
        missing = np.zeros(flat.shape, dtype=bool)
    else:
        if flat.dtype.kind == "f":
            num = flat.astype(np.float64)
        else:
            num = pd.to_numeric(pd.Series(flat, dtype=object), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        missing = pd.isna(pd.Series(flat, dtype=object)).to_numpy() if flat.dtype.kind == "O" else np.isnan(num)
    valid = ~np.isnan(num) & (num == np.floor(num)) & (num >= 0) & (num < len(idx.cow_lookup))
    out = np.full(flat.shape, None, dtype=object)
    out[valid] = idx.cow_lookup[num[valid].astype(np.int64)]
    bad = ~missing & pd.isna(out)
    if errors == "raise" and bad.any():
        raise _bad_codes_error(flat[bad], "COW codes")
    return out.reshape(shape)


def _map_codes(codes: Any, mapping: dict, what: str, errors: str) -> tuple[np.ndarray, np.ndarray, tuple]:
    if errors not in ("raise", "coerce"):
        raise ValueError(f"errors must be 'raise' or 'coerce', not {errors!r}")
    arr = np.asarray(codes, dtype=object)
    flat = arr.ravel()
    ser = pd.Series(flat, dtype=object)
    missing = pd.isna(ser).to_numpy()
    keys = ser.where(missing, ser.astype(str).str.strip().str.upper())
    codes_, uniques = pd.factorize(keys, use_na_sentinel=True)
    mapped = np.array([mapping.get(u) for u in uniques], dtype=object)
    out = np.full(flat.shape, None, dtype=object)
    ok = codes_ >= 0
    out[ok] = mapped[codes_[ok]]
    found = ~pd.isna(out)
    bad = ~missing & ~found
    if errors == "raise" and bad.any():
        raise _bad_codes_error(flat[bad], what)
    return out, found, arr.shape


def iso2_to_iso3(codes: Any, errors: Literal["raise", "coerce"] = "raise") -> np.ndarray:
    """Map ISO 3166-1 alpha-2 codes (current or former, e.g. ``YU``, ``DD``) to ids.

    Case-insensitive; ``"NA"`` is Namibia (read CSVs with
    ``keep_default_na=False``). Missing values give None; unknown codes raise
    or, with ``errors='coerce'``, give None. Returns an object array.
    """
    out, _, shape = _map_codes(codes, _index().iso2_map, "ISO 3166 alpha-2 codes", errors)
    return out.reshape(shape)


def iso3_to_cow(codes: Any, errors: Literal["raise", "coerce"] = "raise") -> np.ndarray:
    """Map three-letter ids (ISO alpha-3, documented substitutes, former ISO codes) to COW codes.

    Returns an int64 array with ``errors='raise'``; with ``errors='coerce'`` a
    float64 array with NaN for unknown or missing codes. COW abbreviations are
    not accepted here (several clash with ISO codes); use :func:`to_cow`.
    """
    out, found, shape = _map_codes(codes, _index().iso3_map, "three-letter country ids", errors)
    if errors == "raise":
        missing = ~found
        if missing.any():
            raise UnknownCountryError(
                f"{int(missing.sum())} value(s) are missing; iso3_to_cow cannot return an integer "
                "code for them. Drop them first, or pass errors='coerce' to get NaN."
            )
        return out.astype(np.int64).reshape(shape)
    res = np.full(out.shape, np.nan)
    res[found] = out[found].astype(np.float64)
    return res.reshape(shape)


# --------------------------------------------------------------------------- dyads


def _try(x: str, year: int | None) -> Country | CountryError:
    try:
        return resolve(x, year)
    except CountryError as err:
        return err


@functools.lru_cache(maxsize=16384)
def _parse_dyad_str(s: str, year: int | None) -> tuple[str, str]:
    text = s.strip()
    positions = [i for i, ch in enumerate(text) if ch in DYAD_SEPARATORS]
    if not positions:
        raise DyadError(
            f"Cannot read dyad {s!r}: no separator. Write two countries joined by '-', '–', '/' "
            "or ',' (e.g. 'Russia-Iran' or 'IRN-RUS')."
        )
    found: dict[tuple[str, str], tuple[Country, Country]] = {}
    first_err: CountryError | None = None
    half_errs: list[CountryError] = []
    for i in positions:
        left, right = text[:i].strip(), text[i + 1:].strip()
        if not left or not right:
            continue
        a, b = _try(left, year), _try(right, year)
        if isinstance(a, Country) and isinstance(b, Country):
            key = (a.iso3, b.iso3)
            found.setdefault(key, (a, b))
        else:
            errs = [e for e in (a, b) if isinstance(e, CountryError)]
            if len(errs) == 1:
                half_errs.append(errs[0])
            first_err = first_err or errs[0]
    if len(found) > 1:
        readings = "; ".join(f"{a.name} + {b.name}" for a, b in found.values())
        raise DyadError(
            f"Ambiguous dyad {s!r}: it can be split in {len(found)} ways ({readings}). "
            "Write it with ISO3 codes, e.g. 'IRN-RUS'."
        )
    if not found:
        whole = _try(text, year)
        if isinstance(whole, Country):
            raise DyadError(
                f"Cannot read dyad {s!r}: it names one state ({whole.name}); a dyad needs two, "
                f"e.g. '{whole.iso3}-RUS'."
            )
        err = half_errs[0] if len(half_errs) == 1 else (first_err if len(positions) == 1 else None)
        if err is not None:
            raise type(err)(f"{err} (in dyad {s!r})") from err
        raise DyadError(
            f"Cannot read dyad {s!r}: no split at a separator gives two known countries. Write it "
            "with ISO3 codes (e.g. 'IRN-RUS') or check the names with alliance_index.countries.resolve()."
        )
    (a, b), = found.values()
    if a.cow == b.cow:
        raise DyadError(f"Dyad {s!r} names the same state twice ({a.name}, {a.iso3}); a dyad needs two states.")
    return (a.iso3, b.iso3) if a.iso3 < b.iso3 else (b.iso3, a.iso3)


def parse_dyad(s: Any, year: int | None = None) -> tuple[str, str]:
    """Read a dyad into its two ids, sorted alphabetically.

    Parameters
    ----------
    s : str or tuple/list of two
        ``"Russia-Iran"``, ``"RUS/IRN"``, ``"365-630"``, ``"Russia – Belarus"``,
        ``"Iran, Islamic Republic of, Russia"``, ``("RUS", "IRN")``.
        Separators: ``-``, en dash, em dash, ``/``, ``,`` with optional spaces.
    year : int, optional
        Passed to :func:`resolve` to settle names shared by several states.

    Returns
    -------
    tuple of str
        ``(iso3_a, iso3_b)`` with ``iso3_a < iso3_b``.

    Raises
    ------
    DyadError
        Not two countries, the same state twice, or several readings.
    UnknownCountryError, AmbiguousCountryError
        One side names no state, or several.

    Notes
    -----
    Names may contain separators themselves ("Guinea-Bissau", "Korea,
    North"), so every separator position is tried as the split point and the
    reading where both halves resolve is taken; two different readings are an
    error.
    """
    yr = None if year is None else int(year)
    if isinstance(s, (tuple, list, np.ndarray)):
        if len(s) != 2:
            raise DyadError(f"A dyad is two countries; got {len(s)} items: {list(s)!r}.")
        a, b = resolve(s[0], yr), resolve(s[1], yr)
        if a.cow == b.cow:
            raise DyadError(f"Dyad {tuple(s)!r} names the same state twice ({a.name}, {a.iso3}).")
        return (a.iso3, b.iso3) if a.iso3 < b.iso3 else (b.iso3, a.iso3)
    if not isinstance(s, str):
        if s is None or (isinstance(s, float) and np.isnan(s)) or s is pd.NA:
            raise DyadError("Missing dyad: give two countries, e.g. 'Russia-Iran'.")
        raise DyadError(f"Cannot read a dyad from {type(s).__name__} {s!r}; give a string like 'Russia-Iran'.")
    return _parse_dyad_str(s, yr)


def dyad_id(a: Any, b: Any = None, year: int | None = None) -> str:
    """Canonical dyad id ``"AAA-BBB"`` (alphabetical ids), contract §1.

    ``dyad_id("Russia-Iran") == dyad_id("RUS", "IRN") == dyad_id("365-630") == "IRN-RUS"``.
    """
    pair = parse_dyad(a, year) if b is None else parse_dyad((a, b), year)
    return f"{pair[0]}-{pair[1]}"


def canonical_dyads(values: Any, year: int | None = None) -> np.ndarray:
    """Canonical dyad ids for a whole column, parsing each distinct value once.

    Parameters
    ----------
    values : array_like of str (or of 2-tuples)
    year : int, optional
        Passed to :func:`resolve` for names shared by several states.

    Returns
    -------
    numpy.ndarray of object, same length as ``values``.

    Raises
    ------
    DyadError, UnknownCountryError, AmbiguousCountryError
        For the first bad distinct value, naming it, its first position and
        how many rows carry it.
    """
    ser = values if isinstance(values, pd.Series) else pd.Series(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)
    arr = ser.to_numpy(dtype=object)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if (codes < 0).any():
        pos = int(np.flatnonzero(codes < 0)[0])
        raise DyadError(
            f"Missing dyad at position {pos} ({int((codes < 0).sum())} missing in all); every row needs a dyad."
        )
    out_u = np.empty(len(uniques), dtype=object)
    for k, v in enumerate(uniques):
        try:
            pair = parse_dyad(v, year)
        except (DyadError, CountryError) as err:
            rows = np.flatnonzero(codes == k)
            raise type(err)(
                f"{err} [value {v!r} first at position {int(rows[0])}, {len(rows)} row(s)]"
            ) from err
        out_u[k] = f"{pair[0]}-{pair[1]}"
    return out_u[codes]


# --------------------------------------------------------------------------- system membership


def country_table() -> pd.DataFrame:
    """The country table (a copy): one row per state, columns as in ``data/countries.csv``.

    ``cow``, ``start_year`` int64; ``end_year`` Int64 (NA = still in the
    system); ``iso2``, ``cameo``, ``alt_codes``, ``aliases`` missing (NA) where empty;
    ``spells`` like ``"1816-1942;1944-"``; ``cow_member`` bool.
    """
    return _index().frame.copy()


def in_system(cow_or_iso3: Any, year: int) -> bool:
    """Whether a state is a member of the COW state system in ``year``."""
    return resolve(cow_or_iso3, year).in_system(int(year))


def system_members(year: int) -> np.ndarray:
    """Sorted COW codes of the states in the system in ``year``."""
    idx = _index()
    y = int(year)
    sel = (idx.sp_start <= y) & (idx.sp_end >= y)
    return np.unique(idx.sp_cow[sel])


def system_years(start: int = 1816, end: int | None = None) -> pd.DataFrame:
    """All state-years of the COW system from ``start`` to ``end``.

    Parameters
    ----------
    start, end : int
        Inclusive year range; ``end`` defaults to the current year.

    Returns
    -------
    DataFrame
        Columns ``ccode`` (int64), ``year`` (int64), sorted by ccode, year.
    """
    import datetime

    idx = _index()
    lo = int(start)
    hi = int(end) if end is not None else datetime.date.today().year
    s = np.maximum(idx.sp_start, lo)
    e = np.minimum(idx.sp_end, hi)
    n = np.clip(e - s + 1, 0, None)
    total = int(n.sum())
    cc = np.repeat(idx.sp_cow, n)
    offs = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
    yr = np.repeat(s, n) + offs
    df = pd.DataFrame({"ccode": cc.astype(np.int64), "year": yr.astype(np.int64)})
    return df.sort_values(["ccode", "year"], kind="stable").drop_duplicates().reset_index(drop=True)
