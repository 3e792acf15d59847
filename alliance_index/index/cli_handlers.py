"""Handlers of ``alliance-index score`` and ``alliance-index compare`` (contract §6).

Each takes the parsed ``argparse`` namespace and returns the text to print.
Expected attributes: ``dyads`` (list of DYAD strings), ``year`` (int or None),
``format`` (``table`` | ``json`` | ``csv``), ``data`` (list of observation
files, or None for the bundled panel). Errors are raised as library errors
(subclasses of ValueError); the command line prints them on one line and
exits with status 2.

``score`` without ``--year`` scores each dyad in its latest year with an
observation; ``compare`` without ``--year`` uses the latest year common to
all the dyads.
"""
from __future__ import annotations

import json

import pandas as pd

from .composite import SCORE_COLUMNS, compare, score, to_json_records

TABLE_COLUMNS = ("dyad", "year", "index", "cooperation", "discord", "breadth", "coverage",
                 "p_de_jure", "verdict", "known_status")


def _obs(args):
    from ..cli import load_obs

    return load_obs(getattr(args, "data", None))


def _render(df: pd.DataFrame, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json_records(df), ensure_ascii=False, indent=2)
    if fmt == "csv":
        return df[list(SCORE_COLUMNS)].to_csv(index=False, lineterminator="\n").rstrip("\n")
    if fmt != "table":
        from ..errors import MethodError

        raise MethodError(f"unknown format {fmt!r}; choose table, json or csv.")
    t = df[list(TABLE_COLUMNS)].copy()
    for c in ("index", "cooperation", "discord"):
        t[c] = t[c].round(1)
    for c in ("breadth", "coverage", "p_de_jure"):
        t[c] = t[c].round(2)
    t["verdict"] = t["verdict"].fillna("—")
    t["known_status"] = t["known_status"].fillna("unknown")
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        return t.to_string(index=False, na_rep="—")


def cmd_score(args) -> str:
    """``alliance-index score DYAD... [--year Y] [--format F] [--data FILE]...``"""
    df = score(_obs(args), year=args.year, dyads=list(args.dyads), latest=args.year is None)
    return _render(df, args.format)


def cmd_compare(args) -> str:
    """``alliance-index compare DYAD DYAD... [--year Y] [--format F] [--data FILE]...``"""
    df = compare(list(args.dyads), obs=_obs(args), year=args.year)
    return _render(df, args.format)
