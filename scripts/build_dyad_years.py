#!/usr/bin/env python
"""Build the full dyad-year frame from the real datasets in one command.

Usage::

    python scripts/build_dyad_years.py [--start 1950] [--end 2014] [--out FILE]
        [--data-dir DIR] [--sources atop,trade,...] [--directed] [--relevant-only]

Writes Parquet when FILE ends in .parquet (needs pyarrow), otherwise CSV (gzip
when it ends in .gz). Default output: ``../dyad_years_<start>_<end>.parquet``
next to the repository (outside it, so the build is never committed).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import _cli  # noqa: E402

from alliance_index import sources as S  # noqa: E402
from alliance_index.errors import suggest  # noqa: E402


def source_list(text: str) -> list[str]:
    """argparse ``type`` of ``--sources``: comma-separated names, blanks stripped, each a known source."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"no source names in {text!r}; give e.g. atop,trade")
    for n in names:
        if n not in S.SOURCES:
            raise argparse.ArgumentTypeError(
                f"unknown source {n!r}.{suggest(n, S.SOURCES)} Known: {', '.join(S.SOURCES)}")
    return list(dict.fromkeys(names))


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--start", type=int, default=1950, help="first year (default 1950)")
    ap.add_argument("--end", type=int, default=2014, help="last year (default 2014)")
    ap.add_argument("--out", type=_cli.output_file(), default=None,
                    help="output file: Parquet if it ends in .parquet, else CSV, gzipped if .gz (default ../dyad_years_<start>_<end>.parquet)")
    ap.add_argument("--data-dir", type=_cli.existing_dir, default=None,
                    help="real-data folder (default: $ALLIANCE_INDEX_REAL_DATA or ../shared/data/real)")
    ap.add_argument("--sources", type=source_list, default=None,
                    help=f"comma-separated subset of {','.join(S.SOURCES)} (default: all)")
    ap.add_argument("--directed", action="store_true", help="directed dyad-years (both orders)")
    ap.add_argument("--relevant-only", action="store_true", help="politically relevant dyads only")
    ap.add_argument("--rivalries", choices=["td", "tss"], default="td", help="rivalry dataset (default td)")
    args = ap.parse_args(argv)
    if args.start > args.end:
        ap.error(f"--start {args.start} is after --end {args.end}")
    out = args.out
    if out is None:
        out = REPO.parent / f"dyad_years_{args.start}_{args.end}.parquet"
        try:
            out = _cli.output_file()(str(out))
        except argparse.ArgumentTypeError as e:
            return _cli.fail(f"{e} (or give --out FILE)")
    t = time.perf_counter()
    try:
        if args.data_dir is not None:
            S.set_data_dir(args.data_dir)
        dy = S.build_dyad_years(args.start, args.end, sources=args.sources,
                                directed=args.directed, relevant_only=args.relevant_only,
                                rivalries=args.rivalries)
    except ValueError as e:  # the library's errors (DataSourceError, ...) all subclass ValueError
        return _cli.fail(e)
    built = time.perf_counter() - t
    meta = {k: dy.attrs.get(k) for k in ("sources", "rules", "coverage", "timings", "years", "directed")}
    dy.attrs = {}  # provenance goes to a JSON sidecar
    side = out.with_name(out.name + ".sources.json")

    def write(tmp):
        if out.suffix == ".parquet":
            dy.to_parquet(tmp, index=False)
        else:
            dy.to_csv(tmp, index=False)
        # the sidecar is renamed into place only once the data file is complete
        _cli.atomic_write(side, lambda t2: t2.write_text(json.dumps(meta, indent=1, default=list)))

    try:
        _cli.atomic_write(out, write)
    except (OSError, ImportError) as e:
        return _cli.fail(f"cannot write {out}: {e}")
    print(f"{len(dy):,} dyad-years × {dy.shape[1]} columns built in {built:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
