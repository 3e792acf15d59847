"""Exception and warning classes.

Every error raised on bad user input subclasses :class:`ValueError` (or
:class:`TypeError`) so callers can catch broadly, and names the file, row,
dyad, year or indicator at fault with a suggested fix.
"""
from __future__ import annotations

import difflib
from typing import Iterable


class AllianceIndexError(Exception):
    """Base class of every error the library raises on purpose."""


class CountryError(AllianceIndexError, ValueError):
    """A country name or code could not be resolved to one state."""


class UnknownCountryError(CountryError):
    """No state matches the given name or code."""


class AmbiguousCountryError(CountryError):
    """Several states match the given name or code."""


class DyadError(AllianceIndexError, ValueError):
    """A dyad string is malformed (not two countries) or names one state twice."""


class ObservationsError(AllianceIndexError, ValueError):
    """An observations file or frame breaks a rule of the contract (§2)."""


class MissingColumnError(ObservationsError):
    """A required column is absent."""


class DuplicateObservationError(ObservationsError):
    """A (dyad, year, indicator) appears more than once."""


class OutOfRangeError(ObservationsError):
    """A value lies outside its indicator's allowed range."""


class UnknownIndicatorError(ObservationsError):
    """An indicator id is not in the catalog."""


class MalformedFileError(ObservationsError):
    """A file cannot be parsed (encoding, delimiter, structure)."""


class CatalogError(AllianceIndexError, ValueError):
    """An indicator definition is invalid."""


class MethodError(AllianceIndexError, ValueError):
    """An unknown method name or an invalid option for a method."""


class DataSourceError(AllianceIndexError, ValueError):
    """A real-data source file is missing, malformed or inconsistent."""


class ScenarioError(AllianceIndexError, ValueError):
    """A scenario specification is invalid."""


class CoverageWarning(UserWarning):
    """Too few indicators observed for a confident answer."""


class DataQualityWarning(UserWarning):
    """Input rows were altered or flagged (with a count of affected rows)."""


def suggest(word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6) -> str:
    """Return ``" Did you mean: a, b?"`` for close matches, or ``""``."""
    cands = list(dict.fromkeys(str(c) for c in candidates))
    lower = {c.lower(): c for c in cands}
    hits = difflib.get_close_matches(str(word).lower(), list(lower), n=n, cutoff=cutoff)
    if not hits:
        return ""
    return " Did you mean: " + ", ".join(lower[h] for h in hits) + "?"
