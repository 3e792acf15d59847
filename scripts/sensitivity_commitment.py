#!/usr/bin/env python
"""Two sensitivity checks of the commitment model that were tried and NOT shipped (docs/models.md §8).

S1 (needs the real data): the structural log-odds h taken from histogram gradient boosting
    instead of the shipped multinomial logit. Boosting is much better out of time on the real
    data (evaluate.py part A, "indicators" features), so it is the natural candidate. The
    booster is fitted on exactly the shipped historical model's training rows (1950-2018, all
    non-directed dyad-years, bundled dyads excluded) and scored with its native NaN handling;
    its own estimation uncertainty is not simulated. Both variants are then judged
    leave-one-dyad-out with the same seed.
S2 (bundled data only): how the coefficient uncertainty behind the 2023 Belarus/Iran intervals
    changes if the sampling distribution is estimated by a dyad-cluster bootstrap (refit on
    resampled dyads) instead of the normal approximation with the clustered sandwich. Shows
    (a) coefficient-only intervals at the full-panel fit: sandwich, model-based (inverse
    penalised Hessian) and bootstrap percentiles, with the bootstrap's mean slopes against the
    point estimates; (b) the leave-one-dyad-out intervals for the two dyad-years with bootstrap
    parameter draws in place of the normal ones (everything else as shipped).

Usage:  python scripts/sensitivity_commitment.py [--real DIR] [--cache FILE.parquet] [--skip-real]
                                                 [--boot 400] [--seed 0]
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _cli  # noqa: E402
from alliance_index.errors import AllianceIndexError  # noqa: E402
from alliance_index.models import commitment as cm  # noqa: E402
from alliance_index.models import evaluation as ev  # noqa: E402
from alliance_index.models.classify import load_fitted  # noqa: E402
from alliance_index.models.features import HISTORICAL_INDICATORS  # noqa: E402

TARGETS = (("BLR-RUS", 2023), ("IRN-RUS", 2023))


def _panel():
    spec = cm.resolve_variant("shipped_spec")  # the shipped window and L2, fixed (not re-chosen per fold)
    inds = list(dict.fromkeys([i for v in spec["nodes"].values() for i in v] + list(HISTORICAL_INDICATORS)))
    V, y = cm.bundled_training_data(inds)
    return V, np.asarray(y, dtype=float), spec


def _fit_kw(spec: dict) -> dict:
    """fit_commitment's specification arguments for a resolved variant."""
    return {k: spec[k] for k in ("nodes", "use_structural", "l2", "window")}


def _iv(p) -> str:
    p = np.asarray(p)
    return f"{p.mean():.3f} [{np.quantile(p, .025):.3f}, {np.quantile(p, .975):.3f}]"


def _metrics_line(name, res, first20) -> str:
    m = ev.evaluate_binary(res["y"], res["p_de_jure"])
    f = res[res.index.get_level_values("dyad").isin(first20)]
    mf = ev.evaluate_binary(f["y"], f["p_de_jure"])
    cells = "  ".join(f"{res.loc[t, 'p_de_jure']:.2f} [{res.loc[t, 'p_de_jure_lo']:.2f},"
                      f"{res.loc[t, 'p_de_jure_hi']:.2f}]" for t in TARGETS)
    return (f"{name:<22}{m['roc_auc']:7.3f} {m['pr_auc']:7.3f} {m['brier']:7.3f} {m['log_loss']:7.3f} "
            f"{m['ece']:6.3f} {mf['roc_auc']:8.3f}   {cells}")


def part_s1(real: str | None, cache: str | None, seed: int) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from alliance_index.models.features import historical_features
    from alliance_index.models.realdata import historical_training_rows, real_frame
    from evaluate import FIRST_20
    hist, _ = load_fitted()
    names = list(hist.features)
    t0 = time.time()
    dy = real_frame(1946, 2018, data_dir=real, cache=cache)
    lab = dy["atop_label"].astype(object).to_numpy()
    tr = hist.meta.get("training_years", [1950, 2018])
    keep = historical_training_rows(dy, tr)
    X = historical_features(dy, "indicators", leaky=True).loc[keep, names].to_numpy(float)
    clf = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.05, random_state=seed).fit(X, lab[keep])
    k_def = list(clf.classes_).index("defense")
    print(f"S1. Structural log-odds from boosting (fitted on the shipped historical model's {keep.sum():,} "
          f"training dyad-years {tr[0]}-{tr[1]}, bundled dyads excluded; {clf.n_iter_} iterations, "
          f"{time.time() - t0:.0f} s), judged leave-one-dyad-out like the shipped variant")

    class _Boosted:  # what structural_logodds needs of a historical model: features (+ draw_params)
        features = names

        @staticmethod
        def draw_params(n, rng):
            return None

    def boosted_logodds(Vd, columns, dyads, historical, param_draws=None):
        if historical is not boosted:
            return shipped_logodds(Vd, columns, dyads, historical, param_draws)
        c1, c2 = cm.dyad_cow_codes(dyads)
        Xh = cm._hist_inputs(Vd, columns, cm.region_pairs(c1, c2), names)
        s, n, k = Xh.shape
        p = np.clip(clf.predict_proba(Xh.reshape(s * n, k))[:, k_def], 1e-9, 1 - 1e-9)
        return np.clip(np.log(p) - np.log1p(-p), -20, 20).reshape(s, n)

    boosted = _Boosted()
    shipped_logodds = cm.structural_logodds
    V, y, spec = _panel()
    print(f"{'structural model':<22}ROC AUC  PR AUC   Brier logloss    ECE  first20   BLR-RUS 2023        IRN-RUS 2023")
    cm.structural_logodds = boosted_logodds
    means = {}
    try:
        for name, H in (("MNLogit (shipped)", hist), ("boosting", boosted)):
            res = cm.lodo(V, y, H, n_sims=1000, seed=seed, **spec)  # the shipped specification, not re-chosen
            print(_metrics_line(name, res, FIRST_20))
            means[name] = res.groupby(level="dyad")["p_de_jure"].mean()
    finally:
        cm.structural_logodds = shipped_logodds
    lab = pd.Series(y, index=V.index).groupby(level="dyad").max()
    tab = pd.DataFrame({"treaty (any year)": lab.reindex(list(FIRST_20)).map({1.0: "yes", 0.0: "no"}),
                        "shipped": means["MNLogit (shipped)"].reindex(list(FIRST_20)).map("{:.2f}".format),
                        "boosting": means["boosting"].reindex(list(FIRST_20)).map("{:.2f}".format)})
    print("first 20 dyads, mean LODO p_de_jure over their years:")
    print(tab.T.to_string())
    print()


def _resample(V, y, dy, yr, rows, codes, rng):
    pick = rng.choice(codes, size=len(codes), replace=True)
    idx = np.concatenate([rows[d] for d in pick])
    # a dyad drawn twice is two clusters: its copies get distinct years so the index stays unique
    off = np.concatenate([np.full(len(rows[d]), 1000 * k) for k, d in enumerate(pick)])
    Vb = V.iloc[idx].copy()
    Vb.index = pd.MultiIndex.from_arrays([dy[idx], yr[idx] + off], names=V.index.names)
    return Vb, y[idx]


def part_s2(n_boot: int, seed: int) -> None:
    hist, _ = load_fitted()
    V, y, spec = _panel()
    dy = V.index.get_level_values("dyad").to_numpy(dtype=object)
    yr = V.index.get_level_values("year").to_numpy()
    tgt = np.zeros(len(V), bool)
    for d, t in TARGETS:
        tgt |= (dy == d) & (yr == t)
    rng = np.random.default_rng(seed)
    print(f"S2. Coefficient uncertainty: normal approximation (shipped) vs dyad-cluster bootstrap ({n_boot} refits)")
    # (a) in-sample, coefficient-only: completed features fixed (20 imputations), coefficients vary
    full = cm.fit_commitment(V, y, hist, seed=rng, **_fit_kw(spec))
    F = cm.simulate_features(cm.history_pool(V, full.window), hist, full.pool, cm.N_IMPUTATIONS, rng, target=tgt,
                             nodes=full.nodes)
    X = full.design(np.where(np.isnan(F), full.means, F))
    out = {}
    for lab, C in (("sandwich (shipped)", full.cov), ("model-based", full.cov_hessian)):
        B = rng.multivariate_normal(full.params.to_numpy(), C, size=4000, method="eigh")
        out[lab] = cm._sigmoid(np.einsum("snk,bk->bsn", X, B)).mean(1)
    codes = np.unique(dy)
    rows = {d: np.flatnonzero(dy == d) for d in codes}
    P, betas = [], []
    for _ in range(n_boot):
        Vb, yb = _resample(V, y, dy, yr, rows, codes, rng)
        mb = cm.fit_commitment(Vb, yb, hist, seed=rng, **_fit_kw(spec), pool=full.pool)
        betas.append(mb.params.to_numpy() * np.r_[1.0, 1.0 / mb.scales])  # slopes per raw feature unit
        P.append(cm._sigmoid(mb.design(np.where(np.isnan(F), mb.means, F)) @ mb.params.to_numpy()).mean(0))
    out["cluster bootstrap"] = np.array(P)
    print("(a) full-panel fit, coefficient uncertainty only (imputations fixed): mean [2.5%, 97.5%]")
    for lab, p in out.items():
        print(f"    {lab:<20} " + "   ".join(f"{d} {_iv(p[:, j])}" for j, (d, _) in enumerate(TARGETS))
              + f"   BLR above IRN in {np.mean(p[:, 0] > p[:, 1]):.1%}")
    point = full.params.to_numpy() * np.r_[1.0, 1.0 / full.scales]
    med = np.median(np.array(betas), axis=0)
    print("    slopes per feature unit, point estimate -> bootstrap median: "
          + ", ".join(f"{t} {a:+.2f} -> {b:+.2f}" for t, a, b in zip(full.params.index, point, med)))
    # (b) leave-one-dyad-out with bootstrap parameter draws for the two target rows
    print("(b) leave-one-dyad-out, full simulation (imputation + coefficients): mean [2.5%, 97.5%]")
    for d, t in TARGETS:
        trn = dy != d
        Vt, yt = V[trn], y[trn]
        dyt, yrt = dy[trn], yr[trn]
        ct = np.unique(dyt)
        rt = {c: np.flatnonzero(dyt == c) for c in ct}
        mdl = cm.fit_commitment(Vt, yt, hist, seed=rng, **_fit_kw(spec))
        sel = dy == d
        Vd = V[sel]
        row = np.asarray(Vd.index.get_level_values("year") == t)
        p_norm = cm.predict_draws(mdl, Vd, hist, n_boot, np.random.default_rng(seed))[:, row][:, 0]
        Fd = cm.simulate_features(cm.history_pool(Vd, mdl.window), hist, mdl.pool, n_boot, rng,
                                  hist_param_draws=True, target=row, nodes=mdl.nodes)[:, 0, :]
        pb = np.empty(n_boot)
        for b in range(n_boot):
            Vb, yb = _resample(Vt, yt, dyt, yrt, rt, ct, rng)
            mb = cm.fit_commitment(Vb, yb, hist, seed=rng, **_fit_kw(spec), pool=mdl.pool)
            pb[b] = cm._sigmoid(mb.design(np.where(np.isnan(Fd[b]), mb.means, Fd[b])) @ mb.params.to_numpy())
        print(f"    {d} {t}: normal (shipped) {_iv(p_norm)}   bootstrap {_iv(pb)}")
    print()


def main(argv=None) -> int:
    ap = _cli.Parser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--real", type=_cli.existing_dir,
                    help="real-data folder (default: $ALLIANCE_INDEX_REAL_DATA or ../shared/data/real)")
    ap.add_argument("--cache", type=_cli.cache_file,
                    help="parquet cache of the built dyad-year frame (read if it exists, else written)")
    ap.add_argument("--skip-real", action="store_true", help="skip S1 (needs the real data)")
    ap.add_argument("--boot", type=_cli.positive_int, default=400, help="bootstrap replicates (default 400)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    try:
        if not a.skip_real:
            from alliance_index._resources import real_data_dir
            if a.real is None and a.cache is None and real_data_dir() is None:
                print("S1 skipped: no real data (give --real DIR or set ALLIANCE_INDEX_REAL_DATA)")
            else:
                part_s1(a.real, a.cache, a.seed)
        part_s2(a.boot, a.seed)
    except (AllianceIndexError, OSError) as e:
        return _cli.fail(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
