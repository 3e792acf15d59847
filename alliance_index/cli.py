"""Command line: ``alliance-index COMMAND ...`` (contract §6).

Every command takes ``--format table|json|csv`` and ``--data FILE``
(repeatable: observations files that replace the bundled panel). Errors
print one line on standard error and exit with status 2; nothing is written
half-way.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import sys
from typing import Callable, Sequence

import numpy as np
import pandas as pd

EXIT_USAGE = 2


class CLIError(Exception):
    """An error to report on one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse with the contract's error style: one line on stderr, exit 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("table", "json", "csv"), default="table",
                   help="output format (default: table)")
    p.add_argument("--data", action="append", metavar="FILE", default=None,
                   help="observations CSV (contract §2) replacing the bundled panel; repeatable")


def load_obs(data: Sequence[str] | None) -> pd.DataFrame:
    """Bundled panel, or the union of the user's files (validated, no duplicates across files)."""
    from .observations import load_panel, read_observations, validate_observations

    if not data:
        return load_panel()
    _same_file_twice(data)
    frames = [read_observations(f) for f in data]
    if len(frames) == 1:
        return frames[0]
    _duplicates_across(list(data), frames)
    return validate_observations(pd.concat(frames, ignore_index=True))


def _same_file_twice(data: Sequence[str]) -> None:
    import os

    seen: dict[str, str] = {}
    for f in data:
        key = os.path.realpath(f)
        if key in seen:
            from .errors import DuplicateObservationError

            also = "" if seen[key] == f else f" (as {seen[key]!r} and {f!r})"
            raise DuplicateObservationError(f"{f} is given twice with --data{also}; give each file once.")
        seen[key] = f


def _file_lines(path: str, n: int) -> np.ndarray | None:
    """The file line of each of the ``n`` records of an observations file (None if it cannot be told)."""
    try:
        from .observations import _read_csv_text

        _, lines = _read_csv_text(path)
    except (OSError, ValueError, ImportError):  # the file was read once already; this only improves the message
        return None
    lines = np.asarray(lines)
    return lines if len(lines) == n else None


def _duplicates_across(data: list[str], frames: list[pd.DataFrame]) -> None:
    """One error naming both files and their own line numbers when two files hold the same
    (dyad, year, indicator) (each file on its own was checked by ``read_observations``)."""
    from .errors import DuplicateObservationError

    file_no = np.concatenate([np.full(len(f), i) for i, f in enumerate(frames)])
    pos = np.concatenate([np.arange(len(f)) for f in frames])
    key = pd.concat([f[["dyad", "year", "indicator"]] for f in frames], ignore_index=True)
    dup = key.duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    first = key[dup].iloc[0]
    same = np.flatnonzero((key["dyad"].to_numpy() == first["dyad"]) & (key["year"].to_numpy() == first["year"])
                          & (key["indicator"].to_numpy() == first["indicator"]))
    where = []
    for j in same:
        k, p = int(file_no[j]), int(pos[j])
        lines = _file_lines(data[k], len(frames[k]))
        where.append(f"{data[k]} line {int(lines[p])}" if lines is not None else f"{data[k]} record {p + 1}")
    n_dup = int(key.duplicated().sum())
    raise DuplicateObservationError(
        f"{' and '.join(where)}: duplicate observation {first['dyad']} {first['year']} {first['indicator']} "
        f"({n_dup} duplicate row(s) across the --data files in all); keep one row per (dyad, year, indicator): "
        "remove it from all files but one.")


def _jsonable(o):
    if isinstance(o, dict):
        return {k: _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating, float)):
        f = float(o)
        return None if math.isnan(f) else f
    if isinstance(o, np.bool_):
        return bool(o)
    if o is pd.NA or o is pd.NaT:
        return None
    return o


def emit(obj, fmt: str, table: pd.DataFrame | None = None) -> str:
    """Render a JSON-able object (json) or a table (table/csv)."""
    if fmt == "json":
        return json.dumps(_jsonable(obj), ensure_ascii=False, indent=2)
    if table is None:
        table = pd.DataFrame(obj)
    if fmt == "csv":
        buf = io.StringIO()
        table.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue().rstrip("\n")
    with pd.option_context("display.max_rows", 500, "display.max_columns", 50, "display.width", 200):
        return table.to_string(index=False)


# ------------------------------------------------------------------ commands

def cmd_dyads(args) -> str:
    from . import countries
    from .observations import incomplete_years, known_status, load_status

    obs = load_obs(args.data)
    status = load_status()
    to_date = incomplete_years(obs).groupby("dyad")["year"].agg(lambda s: sorted(int(y) for y in s)).to_dict()
    recs = []
    for dyad, g in obs.groupby("dyad", sort=True):
        a, b = dyad.split("-")
        years = g.loc[g["value"].notna(), "year"]
        first, last = (int(years.min()), int(years.max())) if len(years) else (None, None)
        st = status[status["dyad"] == dyad].sort_values("start_year")
        spells = [
            {"instrument": r.instrument, "obligation": r.obligation, "mutual_defence": bool(r.mutual_defence),
             "start_year": int(r.start_year), "end_year": None if pd.isna(r.end_year) else int(r.end_year),
             "source": r.source}
            for r in st.itertuples(index=False)
        ]
        ks = known_status([dyad], [last if last is not None else 0], status)[0] if last is not None else None
        recs.append({
            "dyad": dyad,
            "countries": [countries.name(a), countries.name(b)],
            "first_year": first, "last_year": last,
            "n_observations": int(g["value"].notna().sum()),
            "known_status": ks,
            "status": spells,
            "years_to_date": to_date.get(dyad, []),  # years coded only to date (a year in progress)
        })
    table = pd.DataFrame([
        {"dyad": r["dyad"], "countries": " – ".join(r["countries"]),
         "years": (f"{r['first_year']}–{r['last_year']}" if r["first_year"] is not None else "—")
                  + "".join(f" ({y} to date)" for y in r["years_to_date"]),
         "observations": r["n_observations"],
         "known_status": r["known_status"] if r["known_status"] is not None else "unknown",
         "instruments": "; ".join(f"{s['obligation']} {s['start_year']}–{s['end_year'] or ''} ({s['instrument']})"
                                  for s in r["status"]) or "none"}
        for r in recs
    ])
    return emit(recs, args.format, table)


def _handler(module: str, name: str) -> Callable:
    def run(args):
        import importlib

        mod = importlib.import_module(f"alliance_index.{module}")
        return getattr(mod, name)(args)
    return run


EPILOGS = {
    "dyads": "example:\n  alliance-index dyads --format json",
    "score": "examples:\n  alliance-index score Russia-Iran --year 2023\n  alliance-index score IRN-RUS BLR-RUS --format json\n"
             "  alliance-index score Russia-Iran --data my_observations.csv",
    "compare": "example:\n  alliance-index compare Russia-Belarus Russia-Iran --year 2023 --format json",
    "scenario": "example:\n  alliance-index scenario data/scenarios/russia_iran.yaml --format json",
    "report": "example:\n  alliance-index report Russia-Iran Russia-Belarus --out report.html",
    "explain": "example:\n  alliance-index explain Russia-Belarus Russia-Iran --year 2023",
}


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="alliance-index",
        description="Is a partnership between two states an alliance or a partnership of convenience? "
                    "Score, compare and project dyads.",
        epilog="Run 'alliance-index COMMAND --help' for a command's options and an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"alliance-index {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name, help_, func):
        p = sub.add_parser(name, help=help_, description=help_, epilog=EPILOGS.get(name),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _common(p)
        p.set_defaults(func=func)
        return p

    add("dyads", "list the dyads with their years and known de jure status", cmd_dyads)
    p = add("score", "index, cooperation, discord, domain scores, p_de_jure and verdict per dyad",
            _handler("index.cli_handlers", "cmd_score"))
    p.add_argument("dyads", nargs="+", metavar="DYAD", help="e.g. Russia-Iran, IRN-RUS, 365-630")
    p.add_argument("--year", type=int, default=None, help="year to score (default: latest observed)")
    p = add("compare", "compare dyads side by side for one year", _handler("index.cli_handlers", "cmd_compare"))
    p.add_argument("dyads", nargs="+", metavar="DYAD")
    p.add_argument("--year", type=int, default=None, help="year (default: latest year common to all dyads)")
    p = add("explain", "what drives p_de_jure: each feature's contribution to the log-odds, per dyad",
            _handler("models.cli_handlers", "cmd_explain"))
    p.add_argument("dyads", nargs="+", metavar="DYAD")
    p.add_argument("--year", type=int, default=None, help="year (default: each dyad's latest observed year)")
    p = add("scenario", "run a scenario file (YAML) and print trajectories and horizon probabilities",
            _handler("scenarios.cli_handlers", "cmd_scenario"))
    p.add_argument("file", metavar="FILE.yaml")
    p.add_argument("--draws", type=int, default=None, help="override the file's number of draws")
    p.add_argument("--seed", type=int, default=None, help="override the file's seed")
    p = add("report", "write a self-contained HTML report for dyads", _handler("report", "cmd_report"))
    p.add_argument("dyads", nargs="+", metavar="DYAD")
    p.add_argument("--out", required=True, metavar="report.html", help="output HTML file")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--scenario", metavar="FILE.yaml", default=None, help="include a scenario's results")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage + one error line
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        out = args.func(args)
    except (ValueError, TypeError, KeyError, FileNotFoundError, CLIError, ImportError) as exc:
        msg = str(exc).strip().replace("\n", " ") or type(exc).__name__
        if isinstance(exc, KeyError):
            msg = f"not found: {msg}"
        print(f"alliance-index {args.command}: error: {msg}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("alliance-index: interrupted", file=sys.stderr)
        return 130
    if out:
        sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
