"""Benchmark of the scenario simulator: vectorised engine vs the single-draw path in a loop.

Workload (issue 9): 2,000 draws x 10 scenarios x 10 projected years (plus the
as_of nowcast) for one dyad, and the same for 100 dyads.

* one dyad (IRN-RUS): the vectorised engine (:func:`simulate`) and the
  single-draw path (:func:`simulate_single`) run on the *same* prepared random
  inputs; the loop is timed on ``--loop-draws`` draws of every scenario (default
  200 of the 2,000) and scaled linearly to 2,000 (each loop iteration is
  independent work of the same size, so the scaling is exact up to timer noise);
  the equality of the two paths on those draws is checked;
* 100 dyads: the bundled dyads' observations (60 since session 3) relabelled onto 100 distinct
  country pairs (a workload, not data), the full pipeline (projection +
  vectorised simulation) per dyad, and the single-draw loop timed on
  ``--loop-draws-many`` draws of each scenario for 5 of the dyads and scaled.

p_de_jure comes from the project's classifier (``alliance_index.models``) when it
is installed; otherwise the run says so and times the index part only.

Run:  python benchmarks/bench_scenarios.py [--draws 2000] [--loop-draws 200]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alliance_index import load_panel  # noqa: E402
from alliance_index.panel import to_panel  # noqa: E402
from alliance_index.scenarios.spec import Scenario, ScenarioSet, Shock  # noqa: E402
from alliance_index.scenarios.simulate import (MAX_STALE, IndexFunction, default_classifier,  # noqa: E402
                                               prepare, simulate, simulate_single)

SHOCKS = [
    ("diplomatic_backing", "set", 3), ("recognition_disputes", "set", 0), ("joint_exercises", "add", 2),
    ("trade_usd", "scale", 2.0), ("neutrality_in_partner_conflicts", "add", 1), ("basing_access", "set", 1),
    ("wartime_support", "set", 2), ("diplomatic_protests", "trend", 1), ("sanctions_against_partner", "set", 1),
]


def scenario_set(dyad: str, as_of: int, years: int, draws: int, hist: pd.DataFrame | None = None) -> ScenarioSet:
    """The nine one-shock scenarios. With ``hist``, an add/scale/trend shock on an indicator the dyad
    has not observed within MAX_STALE years of as_of (it could not act: a ScenarioError since 0.6.0)
    becomes a ``set`` to the same value, so every dyad runs the same amount of work."""
    live = None
    if hist is not None:
        h = hist[(hist["dyad"] == dyad) & (hist["year"] >= as_of - MAX_STALE) & hist["value"].notna()]
        live = set(h["indicator"])
    scs = [Scenario(f"s{i + 1}_{ind}", (Shock(as_of + 2, ind, op if live is None or op == "set" or ind in live
                                              else "set", float(v), None),))
           for i, (ind, op, v) in enumerate(SHOCKS)]
    return ScenarioSet(dyad=dyad, as_of=as_of, horizon=as_of + years, scenarios=tuple(scs), draws=draws, seed=1)


def relabelled_panel(n: int) -> tuple[pd.DataFrame, list[str]]:
    """The bundled observations copied onto n distinct dyads of real states (benchmark workload only)."""
    from alliance_index.countries import country_table, dyad_id

    obs = load_panel()
    src = sorted(obs["dyad"].unique())
    iso = [c for c in country_table()["iso3"].tolist() if isinstance(c, str)][:60]
    pairs = []
    for i in range(len(iso)):
        for j in range(i + 1, len(iso)):
            pairs.append(dyad_id(iso[i], iso[j]))
            if len(pairs) == n:
                break
        if len(pairs) == n:
            break
    frames = []
    for k, d in enumerate(pairs):
        f = obs[obs["dyad"] == src[k % len(src)]].copy()
        f["dyad"] = d
        frames.append(f)
    return pd.concat(frames, ignore_index=True), pairs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--dyads", type=int, default=100)
    ap.add_argument("--loop-draws", type=int, default=200)
    ap.add_argument("--loop-draws-many", type=int, default=20)
    a = ap.parse_args(argv)
    try:
        clf = default_classifier(load_panel()[lambda o: o['year'] <= 2023])
        clf_note = "classifier: alliance_index.models (p_de_jure with parameter draws)"
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        clf = None
        clf_note = f"classifier NOT available ({str(exc)[:80]}...): timing index + projection + shocks only"
    print(clf_note)
    as_of = 2023
    obs = load_panel()
    hist = obs[obs["year"] <= as_of]

    # ---------------- one dyad
    sset = scenario_set("IRN-RUS", as_of, a.years, a.draws)
    f = IndexFunction().fit(to_panel(hist[hist["dyad"] == "IRN-RUS"], validate=False))
    t0 = time.perf_counter()
    prep = prepare(sset, hist, draws=a.draws, rng=np.random.default_rng(1), names=f.names_, classifier=clf)
    t_prep = time.perf_counter() - t0
    simulate(prep, f, clf)  # warm-up (imports, JIT)
    t0 = time.perf_counter()
    vec = simulate(prep, f, clf)
    t_vec = time.perf_counter() - t0
    S, D, ny = vec.index.shape
    L = min(a.loop_draws, D)
    simulate_single(prep, 0, 0, f, clf)
    t0 = time.perf_counter()
    for s in range(S):
        for d in range(L):
            r = simulate_single(prep, s, d, f, clf)
            assert np.allclose(r["index"], vec.index[s, d], equal_nan=True)
    t_loop = (time.perf_counter() - t0) * D / L
    print(f"\none dyad (IRN-RUS): {D} draws x {S} scenarios x {ny} years (as_of nowcast + {a.years}) = {S * D * ny:,} "
          "dyad-years")
    print(f"  prepare (projections, evidence and shock draws): {t_prep:8.2f} s")
    print(f"  vectorised simulation                          : {t_vec:8.2f} s")
    print(f"  single-draw path in a loop (timed on {L} draws x {S} scenarios, scaled to {D}): {t_loop:8.1f} s")
    print(f"  speed-up, simulation: {t_loop / t_vec:,.0f}x ; end to end incl. prepare: "
          f"{(t_loop + t_prep) / (t_vec + t_prep):,.0f}x")

    # ---------------- many dyads
    many, pairs = relabelled_panel(a.dyads)
    mh = many[many["year"] <= as_of]
    fm = IndexFunction().fit(to_panel(mh, validate=False))
    t_prep_m = t_vec_m = 0.0
    rng = np.random.default_rng(2)
    loop_t = []
    Lm = min(a.loop_draws_many, D)
    for k, d in enumerate(pairs):
        ss = scenario_set(d, as_of, a.years, a.draws, mh)
        t0 = time.perf_counter()
        p = prepare(ss, mh, draws=a.draws, rng=rng, names=fm.names_, classifier=clf, dyad=d)
        t_prep_m += time.perf_counter() - t0
        t0 = time.perf_counter()
        simulate(p, fm, clf)
        t_vec_m += time.perf_counter() - t0
        if k < 5:
            t0 = time.perf_counter()
            for s in range(S):
                for dd in range(Lm):
                    simulate_single(p, s, dd, fm, clf)
            loop_t.append((time.perf_counter() - t0) * D / Lm)
    t_loop_m = float(np.mean(loop_t)) * len(pairs)
    print(f"\n{len(pairs)} dyads (bundled observations relabelled): {len(pairs) * S * D * ny:,} dyad-years")
    print(f"  prepare (projections etc.), all dyads: {t_prep_m:8.1f} s")
    print(f"  vectorised simulation, all dyads     : {t_vec_m:8.1f} s")
    print(f"  single-draw loop, estimated from {Lm} draws x {S} scenarios of 5 dyads: {t_loop_m:8.0f} s")
    print(f"  speed-up, simulation: {t_loop_m / t_vec_m:,.0f}x ; end to end incl. prepare: "
          f"{(t_loop_m + t_prep_m) / (t_vec_m + t_prep_m):,.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
