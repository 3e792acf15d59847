"""Backtest the scenario baseline on the bundled panel: did it see the status changes of 2010–2025 coming?

For every bundled dyad whose known de jure status (strongest obligation in
force, ``alliance_index.observations.known_status``) changed between 2010 and
2025, run the *baseline* scenario (no shocks) from ``as_of = change year - 2``
to the change year, using only observations up to ``as_of``; then report

* the baseline's index and p_de_jure in the change year (median, 90% interval)
  and its probability of an ``alliance`` verdict that year;
* the realised index and p_de_jure in the change year, computed from the actual
  observations of that year, and whether each lies inside the 90% interval;
* for a change *to* a mutual-defence obligation, whether the alliance verdict
  was inside the baseline's 90% interval (95th percentile of p_de_jure >= 0.5);
  for other changes, whether "no alliance" was (5th percentile < 0.5).

Nothing is tuned to these cases: the defaults of the library are used
(projection ``auto``, 2,000 draws, seed 1). Run:

    python scripts/backtest_scenarios.py [--draws 2000] [--seed 1] [--gap 2]
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402
from alliance_index import load_panel  # noqa: E402
from alliance_index.observations import known_status, mutual_defence  # noqa: E402
from alliance_index.scenarios.spec import ScenarioSet  # noqa: E402


def status_changes(obs: pd.DataFrame, first: int = 2010, last: int = 2025) -> pd.DataFrame:
    dyads = sorted(obs["dyad"].unique())
    years = np.arange(first - 1, last + 1)
    dy = np.repeat(dyads, len(years))
    yr = np.tile(years, len(dyads))
    ks = known_status(dy, yr)
    md = mutual_defence(dy, yr)
    f = pd.DataFrame({"dyad": dy, "year": yr, "status": ks, "md": md})
    f["prev"] = f.groupby("dyad")["status"].shift()
    f["prev_md"] = f.groupby("dyad")["md"].shift()
    ch = f[(f["year"] >= first) & f["prev"].notna() & (f["status"] != f["prev"])]
    return ch.reset_index(drop=True)


def realised(obs: pd.DataFrame, dyad: str, year: int, have_clf: bool) -> tuple[float, float]:
    """Index and p_de_jure in ``year`` from the actual observations: the index of that year's
    observed values, and the classifier's own ``classify`` (its point p, the mean of its draws;
    donors from the dyad's other years, as ``classify`` does)."""
    from alliance_index.panel import to_panel
    from alliance_index.scenarios.simulate import IndexFunction

    sub = obs[(obs["dyad"] == dyad) & (obs["year"] == year) & obs["value"].notna()]
    if sub.empty:
        return np.nan, np.nan
    panel = to_panel(sub, validate=False)
    f = IndexFunction().fit(panel)
    sc = f(panel.values[f.names_].to_numpy(), np.array([year]))
    p = np.nan
    if have_clf:
        from alliance_index.models.classify import classify

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = float(classify(obs[obs["dyad"] == dyad], year=year, seed=0)["p_de_jure"].iloc[0])
    return float(sc["index"].iloc[0]), p


def main(argv=None) -> int:
    ap = _cli.Parser(description="Backtest the scenario baseline against status changes 2010-2025.")
    ap.add_argument("--draws", type=_cli.positive_int, default=2000, help="simulation draws (default 2000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gap", type=int, default=2, help="as_of = change year - gap (default 2)")
    a = ap.parse_args(argv)
    from alliance_index.scenarios.simulate import default_classifier

    try:
        default_classifier(load_panel())
        clf = True
    except Exception as exc:  # noqa: BLE001 - reported
        print(f"classifier not available ({exc}); reporting the index only")
        clf = None
    obs = load_panel()
    ch = status_changes(obs)
    rows = []
    for r in ch.itertuples(index=False):
        as_of = int(r.year) - a.gap
        sset = ScenarioSet(dyad=r.dyad, as_of=as_of, horizon=int(r.year), draws=a.draws, seed=a.seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if clf is None:
                from alliance_index.panel import to_panel
                from alliance_index.scenarios.simulate import IndexFunction, prepare, simulate

                hist = obs[obs["year"] <= as_of]
                f = IndexFunction().fit(to_panel(hist[hist["dyad"] == r.dyad], validate=False))
                prep = prepare(sset, hist, draws=a.draws, rng=np.random.default_rng(a.seed), names=f.names_,
                               classifier=None)
                sim = simulate(prep, f, None)
                ix = sim.index[0][:, -1]
                pj = sim.p_de_jure[0][:, -1]
                pal = np.nan
            else:
                res = sset.run(obs=obs)
                b = res["baseline"]
                ix = b.draws["index"][:, -1]
                pj = b.draws["p_de_jure"][:, -1]
                pal = b.p_alliance_at_horizon
        iq = np.nanpercentile(ix, [50, 5, 95])
        pq = np.nanpercentile(pj, [50, 5, 95]) if np.isfinite(pj).any() else [np.nan] * 3
        ri, rp = realised(obs, r.dyad, int(r.year), clf is not None)
        to_md = bool(r.md == 1 and r.prev_md == 0)
        verdict_in = (pq[2] >= 0.5) if to_md else (pq[1] < 0.5)
        rows.append({
            "dyad": r.dyad, "year": int(r.year), "change": f"{r.prev} -> {r.status}", "to_mutual_defence": to_md,
            "as_of": as_of,
            "index_pred": f"{iq[0]:.1f} [{iq[1]:.1f}, {iq[2]:.1f}]", "index_real": round(ri, 1),
            "index_in": bool(iq[1] <= ri <= iq[2]) if np.isfinite(ri) else None,
            "p_pred": f"{pq[0]:.3f} [{pq[1]:.3f}, {pq[2]:.3f}]" if np.isfinite(pq[0]) else "n/a",
            "p_real": round(rp, 3) if np.isfinite(rp) else None,
            "p_in": bool(pq[1] <= rp <= pq[2]) if np.isfinite(rp) else None,
            "p_alliance": round(pal, 3) if np.isfinite(pal) else None,
            "outcome_in_interval": bool(verdict_in) if np.isfinite(pq[0]) else None,
        })
    out = pd.DataFrame(rows)
    with pd.option_context("display.max_rows", 200, "display.max_columns", 30, "display.width", 250):
        print(f"Backtest: baseline from as_of = change year - {a.gap}, {a.draws} draws, seed {a.seed}; "
              "intervals are 90%.")
        print(out.to_string(index=False))
    if len(out):
        ok = out["index_in"].dropna()
        print(f"\nrealised index inside the 90% interval: {int(ok.sum())}/{len(ok)}")
        ok = out["p_in"].dropna()
        if len(ok):
            print(f"realised p_de_jure inside the 90% interval: {int(ok.sum())}/{len(ok)}")
        ok = out["outcome_in_interval"].dropna()
        if len(ok):
            print(f"status outcome (alliance / no alliance) admitted by the 90% interval: {int(ok.sum())}/{len(ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
