"""False-call rate of candidate trend intervals under no trend (docs/scenarios.md, "Trend test").

Reproduces the table in docs/scenarios.md that chose the interval of
:func:`alliance_index.scenarios.trend.trend_test`. Run::

    python scripts/trend_false_call_rate.py [replicates, default 4000]

Declared before any measurement (review 9): candidates (a) OLS t(n-2);
(b) Santer et al. (2008) n_eff = min(n, n(1-r1)/(1+r1)), se * sqrt((n-2)/(n_eff-2)),
t(n_eff-2), no interval when n_eff <= 2; (c) Nychka et al. (2000): (b) with
r1 + 0.68/sqrt(n); (d) Kiefer-Vogelsang fixed-b, Bartlett, b = 1, critical value
from the KV (2005) polynomial; the earlier Newey-West interval as reference.
Null y_t = e_t, t = 0..n-1, e stationary Gaussian AR(1), rho in {0, 0.5, 0.8},
n in {4..16}, seed 20261129, 90% level. Rule: smallest worst-case
|rate - 0.10| over n = 4..16 and rho in {0, 0.5}; within 1 point the simpler
candidate; rho = 0.8 and power (slope 0.1 marginal SD a year) are reported only.
Result: (c), which trend.py implements (the test suite checks that its
``_slope`` gives the same calls as ``calls()["c_nychka"]`` here).
"""
import math
import sys
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _cli  # noqa: E402

LEVEL = 0.90
SEED = 20261129


def ar1(rng, R, n, rho):
    e = np.empty((R, n))
    e[:, 0] = rng.standard_normal(R) / np.sqrt(1 - rho ** 2)
    z = rng.standard_normal((R, n))
    for i in range(1, n):
        e[:, i] = rho * e[:, i - 1] + z[:, i]
    return e


def calls(y, level=LEVEL):
    R, n = y.shape
    t = np.arange(n, dtype=float); tc = t - t.mean(); stt = tc @ tc
    b = y @ tc / stt
    res = y - y.mean(1, keepdims=True) - b[:, None] * tc
    ssr = (res ** 2).sum(1)
    se = np.sqrt(ssr / (n - 2) / stt)
    q = stats.t.ppf(0.5 + level / 2, n - 2)
    out = {}
    out["a_ols"] = np.abs(b) > q * se
    r1 = (res[:, 1:] * res[:, :-1]).sum(1) / ssr
    for key, r in (("b_santer", r1), ("c_nychka", r1 + 0.68 / math.sqrt(n))):
        neff = np.minimum(n, n * (1 - r) / (1 + r))
        ok = neff > 2
        df = np.where(ok, neff - 2, 1.0)
        se2 = se * np.sqrt((n - 2) / df)
        qq = stats.t.ppf(0.5 + level / 2, df)
        out[key] = ok & (np.abs(b) > qq * se2)
    u = res * tc  # score
    def hac(M, corr):
        S = (u ** 2).sum(1)
        for l in range(1, min(M, n)):
            w = 1 - l / M
            S = S + 2 * w * (u[:, l:] * u[:, :-l]).sum(1)
        v = S / stt ** 2 * (n / (n - 2) if corr else 1.0)
        return np.sqrt(np.maximum(v, 0))
    L = max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))
    out["ref_nw"] = np.abs(b) > q * hac(L + 1, True)
    bb = 1.0
    cv = 1.6449 + 2.1859 * bb + 0.3142 * bb ** 2 - 0.3427 * bb ** 3
    out["d_kv_b1"] = np.abs(b) > cv * hac(n, False)
    return out


def main(argv=None) -> int:
    ap = _cli.Parser(description="False-call rate of candidate trend intervals under no trend "
                                 "(the table of docs/scenarios.md, 'Trend test').")
    ap.add_argument("replicates", nargs="?", type=_cli.positive_int, default=4000,
                    help="replicates per (rho, n) cell (default 4000)")
    R = ap.parse_args(argv).replicates
    rng = np.random.default_rng(SEED)
    keys = ["a_ols", "b_santer", "c_nychka", "d_kv_b1", "ref_nw"]
    rows = []
    for rho in (0.0, 0.5, 0.8):
        for n in range(4, 17):
            y = ar1(rng, R, n, rho)
            c = calls(y)
            yp = y + 0.1 / np.sqrt(1 - rho ** 2) * np.arange(n)
            p = calls(yp)
            rows.append((rho, n, {k: c[k].mean() for k in keys}, {k: p[k].mean() for k in keys}))
    print("false-call rate under no trend (nominal 0.10); R =", R)
    print("rho  n  " + "  ".join(f"{k:>9}" for k in keys))
    for rho, n, c, _ in rows:
        print(f"{rho:.1f} {n:2d}  " + "  ".join(f"{c[k]:9.3f}" for k in keys))
    print("\nworst |rate-0.10| over n 4..16, rho in {0, 0.5}:")
    for k in keys:
        print(f"  {k:9s} {max(abs(c[k]-0.1) for rho, n, c, _ in rows if rho < 0.6):.3f}")
    print("\npower: call rate at slope 0.1 marginal SD / year")
    for rho, n, _, p in rows:
        print(f"{rho:.1f} {n:2d}  " + "  ".join(f"{p[k]:9.3f}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
