#!/usr/bin/env python
"""Session-8 experiment (NOT shipped): the structural term from boosting, judged by the shipped nested procedure.

The question: would the leave-one-dyad-out (LODO) ROC AUC of ``p_de_jure`` reach 0.9 if the
structural log-odds h came from gradient boosting instead of the shipped multinomial logit?
Boosting is far better out of time on the real data (evaluate.py part A), and sensitivity S1
(scripts/sensitivity_commitment.py) had scored it above 0.9 with the shipped specification fixed.

Declared before any result was seen (docs/models.md §8): the candidate procedure is the shipped
nested selection (window x L2 from ``commitment.HISTORY_GRID``, chosen by dyad-grouped 5-fold CV on
log loss inside every outer fold) with one more grid dimension, the source of h: the shipped
MNLogit or boosting. It would be adopted only with nested ROC AUC >= 0.9, ECE <= 0.05 and the
2023 Belarus/Iran verdicts holding.

The booster is ``HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05)`` (the defaults of
``AllianceClassifier``), three outcomes, fitted on the shipped historical model's training rows
(non-directed dyad-years 1950-2018, bundled dyads excluded), on the "indicators" features with
every region pair; h = logit P(defense). Its own estimation uncertainty is not simulated.

Modes: ``choose`` (the declared procedure; about 70 CPU-minutes), ``boost`` (boosting only, the
grid re-chosen per fold), ``fixed`` (boosting, window 16 and L2 10 fixed; under a minute after the
booster). Needs the real data.

Usage:  python scripts/experiment_nested_boosting.py {choose,boost,fixed} [--n-sims 1000]
            [--real DIR] [--cache FILE.parquet] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402
from alliance_index.errors import AllianceIndexError  # noqa: E402
from alliance_index.models import commitment as cm  # noqa: E402
from alliance_index.models import evaluation as ev  # noqa: E402

BOOST = "boost"  # the value of a grid entry's ``use_structural`` that asks for the boosted h


def fit_booster(real, cache, seed: int):
    """The booster on the shipped historical model's training rows; returns (h from completed draws, n rows)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from alliance_index.models.classify import load_historical
    from alliance_index.models.features import feature_names, historical_features
    from alliance_index.models.realdata import historical_training_rows, real_frame
    tr = load_historical().meta.get("training_years", [1950, 2018])
    dy = real_frame(1946, 2018, data_dir=real, cache=cache)
    lab = dy["atop_label"].astype(object).to_numpy()
    keep = historical_training_rows(dy, tr)
    names = feature_names("indicators", leaky=True)
    X = historical_features(dy, "indicators", leaky=True).loc[keep, names].to_numpy(float)
    clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=seed).fit(X, lab[keep])
    k_def = list(clf.classes_).index("defense")

    def boosted_h(Vd, columns, dyads):
        c1, c2 = cm.dyad_cow_codes(dyads)
        Xh = cm._hist_inputs(Vd, list(columns), cm.region_pairs(c1, c2), names)
        s, n, k = Xh.shape
        R = Xh.reshape(s * n, k)
        # score each distinct row once (completed draws repeat the fully observed rows)
        key = np.where(np.isnan(R), -np.inf, R)
        u, inv = np.unique(key, axis=0, return_inverse=True)
        p = np.clip(clf.predict_proba(np.where(np.isneginf(u), np.nan, u))[:, k_def], 1e-9, 1 - 1e-9)
        return np.clip(np.log(p) - np.log1p(-p), -20, 20)[inv.ravel()].reshape(s, n)

    return boosted_h, int(keep.sum())


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["choose", "boost", "fixed"], help="see above")
    ap.add_argument("--n-sims", type=_cli.positive_int, default=1000, help="simulations per interval (default 1000)")
    ap.add_argument("--real", type=_cli.existing_dir, help="real-data folder")
    ap.add_argument("--cache", type=_cli.cache_file, help="parquet cache of the built dyad-year frame")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    try:
        return _run(a)
    except (AllianceIndexError, OSError) as e:
        return _cli.fail(e)


def _run(a) -> int:
    from alliance_index.models.classify import load_historical
    from alliance_index.models.verdict import verdicts
    from alliance_index.observations import load_panel
    from evaluate import FIRST_20
    t0 = time.time()
    boosted_h, n_train = fit_booster(a.real, a.cache, a.seed)
    print(f"booster fitted on {n_train:,} dyad-years ({time.time() - t0:.0f} s)", flush=True)
    shipped_features = cm.completed_features

    def completed_features(Vd, columns, dyads, historical, *, nodes=None, use_structural=True,
                           hist_param_draws=None):
        if use_structural == BOOST:
            N = shipped_features(Vd, columns, dyads, historical, nodes=nodes, use_structural=False)
            return np.concatenate([boosted_h(Vd, columns, dyads)[..., None], N], axis=-1)
        return shipped_features(Vd, columns, dyads, historical, nodes=nodes, use_structural=use_structural,
                                hist_param_draws=hist_param_draws)

    boost_grid = {f"{k}/boost": dict(v, use_structural=BOOST) for k, v in cm.HISTORY_GRID.items()}
    if a.mode == "choose":
        kw = {"select": True, "grid": {**{f"{k}/mnl": v for k, v in cm.HISTORY_GRID.items()}, **boost_grid}}
    elif a.mode == "boost":
        kw = {"select": True, "grid": boost_grid}
    else:
        kw = {"l2": 10.0, "window": 16, "nodes": dict(cm.COMMITMENT_NODES), "use_structural": BOOST}
    V, y = cm.bundled_training_data(cm.MODEL_INDICATORS)
    cm.completed_features = completed_features
    try:
        res = cm.lodo(V, y, load_historical(), n_sims=a.n_sims, seed=a.seed, **kw)
    finally:
        cm.completed_features = shipped_features
    res = res.join(cm._coop_discord(load_panel()))
    res["verdict"] = verdicts(res["p_de_jure"], res["cooperation"], res["discord"], res["hostility"])
    m = ev.evaluate_binary(res["y"], res["p_de_jure"])
    bs = ev.cluster_bootstrap_auc(res["y"], res["p_de_jure"], res.index.get_level_values("dyad"),
                                  n_boot=2000, seed=a.seed)
    first = res[res.index.get_level_values("dyad").isin(FIRST_20)]
    mf = ev.evaluate_binary(first["y"], first["p_de_jure"])
    print(f"{a.mode}: n {m['n']}, treaty {m['positives']}, ROC AUC {m['roc_auc']:.4f} [{bs['lo']:.3f}, {bs['hi']:.3f}] "
          f"(dyad bootstrap), PR AUC {m['pr_auc']:.3f}, Brier {m['brier']:.3f}, log loss {m['log_loss']:.3f}, "
          f"ECE {m['ece']:.3f}; first 20 dyads ROC AUC {mf['roc_auc']:.3f}")
    for d in ("BLR-RUS", "IRN-RUS"):
        r = res.loc[(d, 2023)]
        print(f"  {d} 2023: {r['p_de_jure']:.2f} [{r['p_de_jure_lo']:.2f}, {r['p_de_jure_hi']:.2f}] {r['verdict']}")
    if (res["spec"] != "fixed").any():
        print("  specification chosen inside the outer folds (dyads scored by it): "
              + ", ".join(f"{k} {v}" for k, v in res.groupby(level=0)["spec"].first().value_counts().items()))
    print(f"({time.time() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
