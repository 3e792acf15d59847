"""Readers for real international-relations datasets and the dyad-year builder.

Python has no equivalent of the R package peacesciencer; this subpackage reads
the files users download themselves (ATOP, COW, UN votes and ideal points,
SIPRI, ICEWS), validates them with clear errors naming the file and the column,
and joins them into a dyad-year frame (:func:`build_dyad_years`).

Point the readers at your files with a ``path`` argument, or once with
:func:`set_data_dir` (a folder laid out like ``atop/``, ``cow/``, ``unvotes/``,
...). Default: ``$ALLIANCE_INDEX_REAL_DATA`` or ``../shared/data/real``.
"""
from __future__ import annotations

from ._base import get_data_dir, set_data_dir
from .build import SOURCE_RULES, SOURCES, build_dyad_years, to_observations
from .atop import read_atop_alliances, read_atop_dyad_year, read_atop_members
from .cow import (
    read_contiguity,
    read_cow_states,
    read_democracy,
    read_igo_dyadic,
    read_isard_system,
    read_major_powers,
    read_mindist,
    read_nmc,
    read_rivalries,
    read_trade_dyadic,
    read_trade_national,
    system_years,
)
from .icews import read_icews_dyad_year
from .idealpoints import read_ideal_points
from .sipri import read_sipri
from .unvotes import read_un_issues, read_un_roll_calls, read_un_votes, un_vote_agreement

__all__ = [
    "set_data_dir", "get_data_dir",
    "read_atop_dyad_year", "read_atop_alliances", "read_atop_members",
    "read_cow_states", "read_isard_system", "system_years", "read_nmc", "read_trade_dyadic",
    "read_trade_national", "read_igo_dyadic", "read_contiguity", "read_mindist",
    "read_major_powers", "read_rivalries", "read_democracy",
    "read_un_votes", "read_un_roll_calls", "read_un_issues", "un_vote_agreement",
    "read_ideal_points", "read_sipri", "read_icews_dyad_year",
    "build_dyad_years", "to_observations", "SOURCES", "SOURCE_RULES",
]
