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

from alliance_index import sources as S  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Build dyad-years from real datasets")
    ap.add_argument("--start", type=int, default=1950)
    ap.add_argument("--end", type=int, default=2014)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--sources", default=None, help=f"comma-separated subset of {','.join(S.SOURCES)}")
    ap.add_argument("--directed", action="store_true")
    ap.add_argument("--relevant-only", action="store_true")
    ap.add_argument("--rivalries", choices=["td", "tss"], default="td")
    args = ap.parse_args(argv)
    if args.data_dir is not None:
        S.set_data_dir(args.data_dir)
    out = args.out or REPO.parent / f"dyad_years_{args.start}_{args.end}.parquet"
    t = time.perf_counter()
    try:
        dy = S.build_dyad_years(args.start, args.end,
                                sources=args.sources.split(",") if args.sources else None,
                                directed=args.directed, relevant_only=args.relevant_only,
                                rivalries=args.rivalries)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    built = time.perf_counter() - t
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {k: dy.attrs.get(k) for k in ("sources", "rules", "coverage", "timings", "years", "directed")}
    dy.attrs = {}  # provenance goes to a JSON sidecar
    if out.suffix == ".parquet":
        dy.to_parquet(out, index=False)
    else:
        dy.to_csv(out, index=False)
    side = out.with_name(out.name + ".sources.json")
    side.write_text(json.dumps(meta, indent=1, default=list))
    print(f"{len(dy):,} dyad-years × {dy.shape[1]} columns built in {built:.1f} s -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
