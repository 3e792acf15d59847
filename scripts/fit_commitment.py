#!/usr/bin/env python
"""Fit the shipped commitment model on the bundled panel.

Label: data/status.csv mutual_defence (never an input). Features: the shipped historical
model's log-odds + curated-indicator nodes (alliance_index.models.commitment), each dyad-year's raw
values pooled over a trailing window of the dyad's own years. The window and the L2 penalty are
chosen from the declared grid commitment.HISTORY_GRID by dyad-grouped cross-validation
(commitment.select_specification, pooled log loss); the same choice is repeated inside every fold
of the leave-one-dyad-out evaluation (scripts/evaluate.py, variant `shipped`). Needs
alliance_index/models/fitted/historical.json (scripts/fit_historical.py). Writes
alliance_index/models/fitted/commitment.json with coefficients, covariances, standardisation,
donor pool, and the panel version (row count and commitment.bundled_panel_hash(): a hash of the
observations' values and the status table's mutual-defence spells).

Usage: python scripts/fit_commitment.py [--seed 0]
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402
from alliance_index.models.classify import FITTED_DIR, _load  # noqa: E402
from alliance_index.models.commitment import (HISTORY_GRID, bundled_panel_hash, bundled_training_data,  # noqa: E402
                                              fit_commitment, select_specification)
from alliance_index.models.historical import HistoricalResults  # noqa: E402


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=0, help="seed of the cross-validation folds and the fit (default 0)")
    a = ap.parse_args(argv)
    import json
    with open(FITTED_DIR / "historical.json", encoding="utf-8") as fh:
        hist = HistoricalResults.from_dict(json.load(fh))
    V, y = bundled_training_data()
    meta = {"label": "data/status.csv mutual_defence", "panel_sha256_16": bundled_panel_hash(),
            "panel_dyad_years": int(len(V)), "years": [int(V.index.get_level_values(1).min()),
                                                        int(V.index.get_level_values(1).max())],
            "historical_model": hist.meta.get("training_years"), "seed": a.seed,
            "fitted_on": _dt.date.today().isoformat(), "script": "scripts/fit_commitment.py"}
    sel = select_specification(V, y, hist, grid=HISTORY_GRID, seed=a.seed)
    meta["selection"] = sel.to_dict()
    print(f"specification chosen by {sel.n_folds}-fold dyad-grouped cross-validation: {sel.chosen}")
    print(sel.scores.sort_values("log_loss").head(8).to_string(float_format=lambda v: f"{v:.4f}"))
    spec = sel.spec
    mdl = fit_commitment(V, y, hist, seed=a.seed, meta=meta, l2=spec["l2"], nodes=spec["nodes"],
                         use_structural=spec["use_structural"], window=spec["window"])
    mdl.save(FITTED_DIR / "commitment.json")
    _load.cache_clear()
    print(mdl.summary())
    print(f"wrote {FITTED_DIR / 'commitment.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
