#!/usr/bin/env python
"""Fit the shipped historical model and formation model on the real data.

Writes alliance_index/models/fitted/historical.json: the statsmodels multinomial logit
(none / other formal pact / defence, ATOP 5.1) on the "indicators" specification (catalog
indicators with a real series + region pairs: what an observation file can carry), trained
on all non-directed dyad-years 1950-2018 EXCEPT the bundled panel's dyads, so that no
bundled dyad is later scored by a model that saw its labels. Also writes formation.json
(discrete-time hazard of defence-pact onset within 5 years, "full" specification, same
exclusion). Records data versions and training years. Both covariances are cluster-robust by
dyad (the canonical ISO3 dyad id), so the standard errors allow for the dependence of a
dyad's years.

Usage: python scripts/fit_historical.py [--real DIR] [--cache FILE.parquet]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402

from alliance_index.errors import AllianceIndexError  # noqa: E402
from alliance_index.models.features import historical_features  # noqa: E402
from alliance_index.models.formation import duration_terms, fit_formation, onset_frame  # noqa: E402
from alliance_index.models.historical import fit_historical  # noqa: E402
from alliance_index.models.realdata import dyad_ids, historical_training_rows, real_frame  # noqa: E402
from alliance_index.observations import list_dyads  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "alliance_index" / "models" / "fitted"
YEARS = (1950, 2018)


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=_cli.existing_dir, help="folder of the real datasets (default ../shared/data/real)")
    ap.add_argument("--cache", type=_cli.cache_file, help="parquet file caching the dyad-year frame")
    a = ap.parse_args(argv)
    try:
        return _fit(a)
    except (AllianceIndexError, OSError) as e:
        return _cli.fail(e)


def _fit(a) -> int:
    with warnings.catch_warnings():  # the builder's data-quality notes are documented; the fits' own
        warnings.simplefilter("ignore")  # convergence/separation warnings are left to show
        dy = real_frame(1946, 2018, data_dir=a.real, cache=a.cache)
    sources = dict(dy.attrs.get("sources", {}))
    ids = dyad_ids(dy)
    # cluster id of the standard errors: the canonical dyad; a COW code without an ISO3 code keeps its COW pair
    c1, c2 = dy["ccode1"].to_numpy(dtype=np.int64), dy["ccode2"].to_numpy(dtype=np.int64)
    cow_pair = np.char.add(np.char.add("cow:", np.minimum(c1, c2).astype(str)),
                           np.char.add("-", np.maximum(c1, c2).astype(str)))
    dyad = np.where(np.char.find(ids, "?") >= 0, cow_pair, ids)
    bundled = np.isin(ids, list_dyads())
    yr = dy["year"].to_numpy()
    lab = dy["atop_label"].astype(object).to_numpy()
    keep = historical_training_rows(dy, YEARS, ids)
    meta = {"training_years": list(YEARS), "sample": "all non-directed COW-system dyad-years",
            "excluded_dyads": list_dyads(), "n_excluded_dyad_years": int(((yr >= YEARS[0]) & bundled).sum()),
            "spec": "indicators", "data_versions": sources, "fitted_on": _dt.date.today().isoformat(),
            "script": "scripts/fit_historical.py"}
    X = historical_features(dy, "indicators", leaky=True)
    res = fit_historical(X[keep], lab[keep], groups=dyad[keep], meta=meta)
    OUT.mkdir(parents=True, exist_ok=True)
    res.save(OUT / "historical.json")
    print(res.summary())
    # formation (onset within 5 years)
    h = 5
    on = onset_frame(dy, h=h)
    Xf = pd.concat([historical_features(dy, "full", True), duration_terms(on["duration"], on["ever_defense"]),
                    pd.DataFrame({"other_pact": (lab == "other").astype(float)}, index=dy.index)], axis=1)
    m2 = dict(meta, spec="full + duration cubic + other_pact", training_years=[YEARS[0], YEARS[1] - h])
    fk = keep & (yr <= YEARS[1] - h)
    fr = fit_formation(Xf[fk], on["onset"].to_numpy()[fk], h=h, meta=m2, groups=dyad[fk])
    fr.save(OUT / "formation.json")
    print(fr.summary())
    print(f"wrote {OUT / 'historical.json'} and {OUT / 'formation.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
