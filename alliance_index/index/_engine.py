"""The scoring engine: one pass from raw indicator matrix to node, side and index scores.

Two interchangeable back ends compute the same formulas, and agree to rounding (about
1e-12, tested in ``tests/test_composite_estimator.py`` and ``tests/test_review9_index_engine.py``):

* ``numpy``: vectorised over all rows, node by node (the reference implementation;
  also the only one that does Copeland and the non-affine normalisations itself);
* ``numba`` (when numba is installed): a fused, multi-threaded kernel that reads
  each cell once — treatment, normalisation, weighting, node and side
  aggregation, index, breadth and coverage — in blocks of 512 rows, columns
  outer and rows inner, so that the inner loops compile to SIMD code
  (vectorisable log/exp; the geometric mean of whole-weighted indicators as a
  product with one log per node and row). It allocates nothing beyond its output
  and is compiled once, for column-major float64 input (row-major input is copied).
  Used for large inputs (``backend="auto"``: at least :data:`NUMBA_MIN_CELLS`
  cells) because a small input would pay the one-off compilation (about 10 s,
  then cached on disk) for nothing.

Internally every score is on [0, 1]; the estimator multiplies by its ``scale``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import MethodError
from .aggregate import AGGREGATORS, P_ZERO, copeland_reference, copeland_to_unit
from .normalise import NORMALISERS, log1p_columns

try:  # optional accelerator
    import numba as _nb
except ImportError:  # pragma: no cover - exercised when numba is absent
    _nb = None

HAVE_NUMBA = _nb is not None
NUMBA_MIN_CELLS = 2_000_000
_CODES = {"arithmetic": 0, "geometric": 1, "harmonic": 2, "generalised": 3}


@dataclass
class Plan:
    """Everything the engine needs, learned by ``CompositeIndex.fit``."""

    names: list
    log1p: np.ndarray            # (k,) bool
    wlo: np.ndarray              # (k,) winsor lower limits (after log1p), -inf = none
    whi: np.ndarray              # (k,)
    norm: str
    norm_params: dict
    col_node: np.ndarray         # (k,) int, -1 = in no node
    col_w: np.ndarray            # (k,) raw weights
    node_names: list
    node_agg: list
    node_p: np.ndarray
    grp_names: list
    node_grp: np.ndarray         # (G,) int
    node_gw: np.ndarray          # (G,)
    grp_agg: list
    grp_p: np.ndarray
    alliance: bool
    coop_dom: np.ndarray         # (4,) node indices of cooperation domains (alliance only)
    alpha: float
    eps: float
    core: np.ndarray             # (k,) bool: counts in coverage
    n_core_total: int
    extra: dict = field(default_factory=dict)

    @property
    def n_out(self) -> int:
        return len(self.node_names) + len(self.grp_names) + (3 if self.alliance else 0)


def _treat(V: np.ndarray, plan: Plan) -> np.ndarray:
    T = log1p_columns(V, plan.log1p) if plan.log1p.any() else np.array(V, dtype="float64", copy=True)
    if np.isfinite(plan.wlo).any() or np.isfinite(plan.whi).any():
        T = np.clip(T, plan.wlo, plan.whi)
    return T


def normalised(V: np.ndarray, plan: Plan) -> np.ndarray:
    """Treated and normalised matrix (n, k) on [0, 1]; NaN = unobserved."""
    return NORMALISERS[plan.norm].apply(_treat(V, plan), plan.norm_params)


def _agg(X, w, method, p, eps, groups):
    kw = {"eps": eps, "groups": groups}
    if method == "generalised":
        kw["p"] = p
    s = AGGREGATORS[method](X, w, **kw)
    if method == "copeland":
        return copeland_to_unit(s, groups)
    return np.clip(s, 0.0, 1.0)  # the engine works on [0, 1]; removes rounding excursions


#: a cooperation sum at or below this counts as zero for breadth (domain scores are on [0, 1]; a
#: geometric mean of zeros can come out as 1e-16 in one backend and 0 in another)
BREADTH_TINY = 1e-12


def breadth(D: np.ndarray) -> np.ndarray:
    """Breadth of cooperation over domains: 1 - normalised Gini of the observed domain scores.

    ``D`` is (n, m) with NaN for unobserved domains. For the ``q >= 2`` observed
    scores :math:`c_1..c_q` with sum :math:`S > 0`:
    :math:`b = 1 - \\sum_{i<j}|c_i - c_j| / ((q - 1) S)`, which is 1 when
    cooperation is spread evenly and 0 when it sits in one domain. NaN when
    fewer than two domains are observed or all observed domains score 0 (a sum at or
    below :data:`BREADTH_TINY` counts as 0).
    """
    D = np.asarray(D, dtype="float64")
    obs = ~np.isnan(D)
    q = obs.sum(axis=1)
    Dz = np.where(obs, D, 0.0)
    S = Dz.sum(axis=1)
    m = D.shape[1]
    tot = np.zeros(D.shape[0])
    for i in range(m):
        for j in range(i + 1, m):
            both = obs[:, i] & obs[:, j]
            tot += np.where(both, np.abs(Dz[:, i] - Dz[:, j]), 0.0)
    ok = (q >= 2) & (S > BREADTH_TINY)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = 1.0 - tot / ((q - 1) * S)
    return np.where(ok, np.clip(b, 0.0, 1.0), np.nan)


def overall(coop: np.ndarray, disc: np.ndarray, alpha: float) -> np.ndarray:
    """Overall index on [0, 1]: cooperation discounted by discord, ``c * (1 - d) ** alpha``."""
    with np.errstate(invalid="ignore"):
        return coop * np.clip(1.0 - disc, 0.0, 1.0) ** alpha


@dataclass
class CopelandRef:
    """The fitted sample a Copeland node compares new rows with (see :func:`run_numpy`).

    ``V`` (raw, after imputation) and ``C`` (evidence factors or None) of the fitted
    rows, their ``groups`` (years; None = one group) and, per row to score, the
    position of that same unit in the fitted sample (``self_idx``, -1 = a new unit).
    """

    V: np.ndarray
    C: np.ndarray | None
    groups: np.ndarray | None
    self_idx: np.ndarray


def uses_copeland(plan: Plan) -> bool:
    """Whether any node or group of ``plan`` aggregates by Copeland."""
    return any(a == "copeland" for a in list(plan.node_agg) + list(plan.grp_agg))


def node_evidence(Zn: np.ndarray, w: np.ndarray, Wc: np.ndarray) -> np.ndarray:
    """A node's evidence factor per row: :math:`e = \\sum_j w_j f_j / \\sum_j w_j` over its observed cells.

    ``Zn`` (n, k) the node's normalised cells (NaN = unobserved), ``w`` (k,) their
    weights, ``Wc`` (n, k) the weights times the cells' evidence factors :math:`f_j`.
    1 where the node has no observed cell (its score is NaN there anyway).
    """
    ob = ~np.isnan(Zn)
    base = np.where(ob, w, 0.0).sum(axis=1)
    ev = np.where(ob, Wc, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(base > 0, ev / np.where(base > 0, base, 1.0), 1.0)


def run_numpy(V: np.ndarray, C: np.ndarray | None, plan: Plan, groups=None,
              ref: CopelandRef | None = None) -> np.ndarray:
    """Reference engine. Returns (n, n_out) on [0, 1] (last alliance column: observed core count).

    With ``ref`` (a plan with Copeland nodes), a Copeland node scores each row against
    the fitted rows of its group (:func:`~alliance_index.index.aggregate.copeland_reference`)
    instead of against the other rows of ``V``; the fitted rows' own node scores
    (the inputs of a Copeland side) are recomputed in-sample alongside.
    """
    Z = normalised(V, plan)
    n = Z.shape[0]
    G = len(plan.node_names)
    if C is not None:
        Cf = np.where(np.isnan(C), 1.0, C)
    out = np.full((n, plan.n_out), np.nan)
    if ref is not None:
        Zr = normalised(ref.V, plan)
        Cr = None if ref.C is None else np.where(np.isnan(ref.C), 1.0, ref.C)
        outr = np.full((Zr.shape[0], G + len(plan.grp_names)), np.nan)

    def node(Xn, Wn, Xr, Wr, agg, p):
        if ref is None:
            return _agg(Xn, Wn, agg, p, plan.eps, groups), None
        if agg == "copeland":
            s = copeland_reference(Xn, Wn, Xr, Wr, groups=groups, ref_groups=ref.groups, self_idx=ref.self_idx)
        else:
            s = _agg(Xn, Wn, agg, p, plan.eps, groups)
        return s, _agg(Xr, Wr, agg, p, plan.eps, ref.groups)

    # evidence weighting: each node's weighted mean evidence factor of its observed cells (1 without C)
    E = np.ones((n, G)) if C is not None else None
    Er = np.ones((Zr.shape[0], G)) if ref is not None and Cr is not None else None
    for g in range(G):  # loop over the (few) nodes, vectorised over rows
        cols = np.flatnonzero(plan.col_node == g)
        w = plan.col_w[cols]
        W = w * Cf[:, cols] if C is not None else w
        Wr = (w * Cr[:, cols] if Cr is not None else w) if ref is not None else None
        out[:, g], r = node(Z[:, cols], W, Zr[:, cols] if ref is not None else None, Wr,
                            plan.node_agg[g], plan.node_p[g])
        if E is not None:
            E[:, g] = node_evidence(Z[:, cols], w, W)
        if Er is not None:
            Er[:, g] = node_evidence(Zr[:, cols], w, Wr)
        if ref is not None:
            outr[:, g] = r
    for h in range(len(plan.grp_names)):
        idx = np.flatnonzero(plan.node_grp == h)
        gw = plan.node_gw[idx]
        out[:, G + h], r = node(out[:, idx], gw * E[:, idx] if E is not None else gw,
                                outr[:, idx] if ref is not None else None,
                                gw * Er[:, idx] if Er is not None else gw, plan.grp_agg[h], plan.grp_p[h])
        if ref is not None:
            outr[:, G + h] = r
    if plan.alliance:
        H = G + len(plan.grp_names)
        out[:, H] = overall(out[:, G], out[:, G + 1], plan.alpha)
        out[:, H + 1] = breadth(out[:, plan.coop_dom])
        out[:, H + 2] = (~np.isnan(V[:, plan.core])).sum(axis=1)
    return out


# --------------------------------------------------------------------------- numba kernel

if HAVE_NUMBA:

    from llvmlite import ir as _ir
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.core.extending import intrinsic as _intrinsic

    @_intrinsic
    def _prefetch(typingctx, arr, idx):
        """Software prefetch (read, into all cache levels) of the cache line holding ``arr[idx]``."""
        sig = _types.void(arr, idx)

        def codegen(context, builder, signature, args):
            aryty = signature.args[0]
            ary = context.make_array(aryty)(context, builder, args[0])
            ptr = _cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
            i8p = builder.bitcast(ptr, _ir.IntType(8).as_pointer())
            i32 = _ir.IntType(32)
            fnty = _ir.FunctionType(_ir.VoidType(), [i8p.type, i32, i32, i32])
            fn = _cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
            builder.call(fn, [i8p, _ir.Constant(i32, 0), _ir.Constant(i32, 3), _ir.Constant(i32, 1)])
            return context.get_dummy_value()

        return sig, codegen

    _LN2 = math.log(2.0)
    _SQRT_HALF = math.sqrt(0.5)

    # Vectorisable log and exp (numba's math.log / math.exp are scalar library calls, which
    # keep LLVM from emitting SIMD code). Exponent and mantissa are split / joined by integer
    # operations on the IEEE-754 bits (through an int64 view of the buffer), series to machine
    # precision. fastmath={"contract"} only allows fused multiply-add (NaN semantics kept).
    @_nb.njit(cache=True, error_model="numpy", fastmath={"contract"})
    def _vlog(buf, m):
        """In place: buf[:m] = log(buf[:m]) for positive normal numbers (error ~1e-16).

        x = 2**e f with f in [sqrt(1/2), sqrt(2)); log f = 2 atanh(s), s = (f-1)/(f+1),
        |s| <= 0.172, series to s**19 (relative truncation < 2e-17). ``buf`` must be contiguous.
        """
        bits = buf.view(np.int64)
        for r in range(m):
            b = bits[r]
            e = float((b >> 52) - 1023)
            bits[r] = (b & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000  # mantissa f in [1, 2), exact
            f = buf[r]
            c = f >= 2.0 * _SQRT_HALF
            f = f * 0.5 if c else f
            e = e + 1.0 if c else e
            sx = (f - 1.0) / (f + 1.0)
            s2 = sx * sx
            q = 1.0 / 19.0
            q = q * s2 + 1.0 / 17.0
            q = q * s2 + 1.0 / 15.0
            q = q * s2 + 1.0 / 13.0
            q = q * s2 + 1.0 / 11.0
            q = q * s2 + 1.0 / 9.0
            q = q * s2 + 1.0 / 7.0
            q = q * s2 + 1.0 / 5.0
            q = q * s2 + 1.0 / 3.0
            q = q * s2 + 1.0
            buf[r] = e * _LN2 + 2.0 * sx * q

    @_nb.njit(cache=True, error_model="numpy", fastmath={"contract"})
    def _vexp(buf, m):
        """In place: buf[:m] = exp(buf[:m]) for values in [-43, 43] (relative error ~2e-15).

        x = k ln2 + t, |t| <= ln2/2; exp t by its Taylor series to t**14 (truncation < 1e-19);
        2**k built from its IEEE-754 bits (exact). ``buf`` must be contiguous.
        """
        bits = buf.view(np.int64)
        for r in range(m):
            x = buf[r]
            kf = math.floor(x * (1.0 / _LN2) + 0.5)
            t = x - kf * _LN2
            q = 1.0 / 87178291200.0
            q = q * t + 1.0 / 6227020800.0
            q = q * t + 1.0 / 479001600.0
            q = q * t + 1.0 / 39916800.0
            q = q * t + 1.0 / 3628800.0
            q = q * t + 1.0 / 362880.0
            q = q * t + 1.0 / 40320.0
            q = q * t + 1.0 / 5040.0
            q = q * t + 1.0 / 720.0
            q = q * t + 1.0 / 120.0
            q = q * t + 1.0 / 24.0
            q = q * t + 1.0 / 6.0
            q = q * t + 0.5
            q = q * t + 1.0
            q = q * t + 1.0
            bits[r] = (np.int64(kf) + 1023) << 52  # 2**k
            buf[r] = q * buf[r]

    @_nb.njit(cache=True, error_model="numpy", fastmath={"contract"})
    def _fwd_block(zb, m, code, p, eps, vec):
        """zb[:m] <- f(zb[:m]), the transform of the quasi-arithmetic mean (inputs in [0, 1])."""
        if code == 1:
            for r in range(m):
                zb[r] = zb[r] + eps
            if vec:
                _vlog(zb, m)
            else:
                for r in range(m):
                    zb[r] = math.log(zb[r])
        elif code == 2:
            for r in range(m):
                zb[r] = 1.0 / (zb[r] + eps)
        elif code == 3:  # shifted power mean, as aggregate.generalised
            if abs(p) < 1.0:  # (z + eps)**p - 1 through expm1: accurate near p = 0
                for r in range(m):
                    zb[r] = math.expm1(p * math.log(zb[r] + eps))
            else:
                for r in range(m):
                    zb[r] = (zb[r] + eps) ** p

    @_nb.njit(cache=True, error_model="numpy", fastmath={"contract"})
    def _inv_block(nu, de, zb, okb, m, code, p, eps, vec):
        """zb[:m] <- f^-1(nu / de) clipped to [0, 1]; okb[:m] <- 1 where de > 0 else 0."""
        for r in range(m):
            d = de[r]
            ok = d > 0
            okb[r] = 1.0 if ok else 0.0
            zb[r] = nu[r] / d if ok else 0.0
        if code == 1:
            if vec:
                _vexp(zb, m)
            else:
                for r in range(m):
                    zb[r] = math.exp(zb[r])
            for r in range(m):
                zb[r] = zb[r] - eps
        elif code == 2:
            for r in range(m):
                zb[r] = 1.0 / zb[r] - eps if zb[r] > 0 else 0.0
        elif code == 3:
            if abs(p) < 1.0:
                for r in range(m):
                    zb[r] = math.exp(math.log1p(zb[r]) / p) - eps
            else:
                for r in range(m):
                    zb[r] = zb[r] ** (1.0 / p) - eps
        for r in range(m):
            zb[r] = min(max(zb[r], 0.0), 1.0) * okb[r]

    # error_model="numpy": no Python exception checks in the hot loops (every division is guarded).
    # Layout: blocks of B rows per task; within a block, columns outer and rows inner, so every
    # inner loop runs over contiguous buffers and compiles to SIMD code.
    @_nb.njit(parallel=True, cache=True, error_model="numpy", fastmath={"contract"})
    def _kernel(V, C, use_c, logm, wins, wlo, whi, lo, sc, col_node, col_w, intw, hasprod, presc, core,
                node_code, node_p, node_grp, node_gw, grp_code, grp_p, eps,
                alliance, coop_dom, alpha, ntask_hint, out):
        n, k = V.shape
        G = node_code.shape[0]
        H = grp_code.shape[0]
        B = 512
        nch = (n + B - 1) // B
        nan = np.nan
        vec = 1e-18 <= eps <= 0.99  # the vectorised log/exp cover this range
        # tasks of consecutive blocks; scratch buffers are allocated once per task, not per block
        ntask = min(nch, max(ntask_hint, 1))
        per = (nch + ntask - 1) // ntask
        for tsk in _nb.prange(ntask):
            num = np.empty((G, B))
            den = np.empty((G, B))
            prod = np.empty((G, B))  # geometric nodes: running products (see below)
            pcnt = np.empty((G, B))  # ... and their 2**60 rescalings
            ns = np.empty((G, B))    # node scores (0 where unobserved)
            ly = np.empty((G, B))    # geometric nodes: log-mean y (score = exp(y) - eps)
            nok = np.empty((G, B))   # 1 where the node is observed
            dbs = np.empty((G, B))   # evidence weighting: sum of the node's observed base weights
            nev = np.empty((G, B))   # ... and the node's evidence factor (1 without evidence)
            gs = np.empty((H, B))
            gok = np.empty((H, B))
            cov = np.empty(B)
            zb = np.empty(B)
            okb = np.empty(B)
            sn = np.empty(B)
            sd = np.empty(B)
            cend = min(nch, (tsk + 1) * per)
            for c in range(tsk * per, cend):
                a = c * B
                m = min(n, a + B) - a
                # the task's next block, prefetched column by column while this one is processed
                # (34 column streams defeat the hardware prefetcher at every 4 KiB block)
                an = a + B
                mn = min(n, an + B) - an if c + 1 < cend else 0
                for g in range(G):
                    for r in range(m):
                        num[g, r] = 0.0
                        den[g, r] = 0.0
                        prod[g, r] = 1.0
                        pcnt[g, r] = 0.0
                        dbs[g, r] = 0.0
                for r in range(m):
                    cov[r] = 0.0
                for j in range(k):
                    g = col_node[j]
                    cj = core[j]
                    if g < 0 and cj == 0.0:
                        continue
                    l0 = lo[j]
                    s0 = sc[j]
                    # 1-D views (index r >= 0 provably: no negative-index wraparound, hence no
                    # gather/scatter instructions in the vectorised loops)
                    xv = V[a:a + m, j]
                    if mn > 0:
                        pv = V[an:an + mn, j]
                        for r in range(0, mn, 8):
                            _prefetch(pv, r)
                    # 0. treatment (log1p, winsorisation) into the buffer zb, NaN kept
                    treated = wins or logm[j]
                    if treated:
                        for r in range(m):
                            x = xv[r]
                            ok = x == x
                            okb[r] = 1.0 if ok else 0.0
                            zb[r] = x if ok else 0.0
                        if logm[j]:
                            # log1p(x) as log(1 + x), vectorised; x >= 0 here (allowed range of
                            # log1p indicators), capped at 2**63 (beyond every goalpost)
                            for r in range(m):
                                zb[r] = min(1.0 + zb[r], 2.0 ** 63)
                            _vlog(zb, m)
                        wl = wlo[j]
                        wh = whi[j]
                        for r in range(m):
                            zb[r] = min(max(zb[r], wl), wh) if okb[r] > 0 else nan
                    if g < 0:  # in no node: coverage only
                        for r in range(m):
                            x = zb[r] if treated else xv[r]
                            cov[r] += cj if x == x else 0.0
                        continue
                    wj = col_w[j]
                    code = node_code[g]
                    de = den[g]
                    if code == 0 and not use_c:
                        # arithmetic: normalise, mask, coverage and accumulation in one vectorised loop
                        nu = num[g]
                        if treated:
                            for r in range(m):
                                x = zb[r]
                                ok = x == x
                                okf = 1.0 if ok else 0.0
                                z = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                                cov[r] += okf * cj
                                nu[r] += z * wj * okf
                                de[r] += wj * okf
                        else:
                            for r in range(m):
                                x = xv[r]
                                ok = x == x
                                okf = 1.0 if ok else 0.0
                                z = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                                cov[r] += okf * cj
                                nu[r] += z * wj * okf
                                de[r] += wj * okf
                        continue
                    if code == 1 and vec and not use_c and (intw[j] == 1 or intw[j] == 2):
                        # geometric node, whole weight k in {1, 2}: accumulate prod (z + eps)^k instead
                        # of k log(z + eps); one log per node and row at the end (same mean). The
                        # product is rescaled by 2**60 whenever it falls below 2**-60.
                        pr = prod[g]
                        pc = pcnt[g]
                        sq = intw[j] == 2
                        if not presc[g]:
                            # the node's product cannot leave the normal range (see run_numba):
                            # no rescaling check
                            for r in range(m):
                                x = zb[r] if treated else xv[r]
                                ok = x == x
                                okf = 1.0 if ok else 0.0
                                z = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                                t = z + eps if ok else 1.0
                                pr[r] = pr[r] * (t * (t if sq else 1.0))
                                cov[r] += okf * cj
                                de[r] += wj * okf
                            continue
                        # the treated and untreated copies of this loop are kept on purpose: a
                        # merged version (one inline helper per input array, session 4) gave the same
                        # numbers but no faster a geometric benchmark: median 5.80x vs 5.60x the matvec
                        # over 8 runs each of benchmarks/bench_index.py (noisy shared machine, load ~1)
                        if treated:
                            for r in range(m):
                                x = zb[r]
                                ok = x == x
                                okf = 1.0 if ok else 0.0
                                z = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                                t = z + eps if ok else 1.0
                                f = t * (t if sq else 1.0)
                                q = pr[r] * f
                                small = q < 2.0 ** -60
                                pr[r] = q * 2.0 ** 60 if small else q
                                pc[r] = pc[r] + 1.0 if small else pc[r]
                                cov[r] += okf * cj
                                de[r] += wj * okf
                        else:
                            for r in range(m):
                                x = xv[r]
                                ok = x == x
                                okf = 1.0 if ok else 0.0
                                z = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                                t = z + eps if ok else 1.0
                                f = t * (t if sq else 1.0)
                                q = pr[r] * f
                                small = q < 2.0 ** -60
                                pr[r] = q * 2.0 ** 60 if small else q
                                pc[r] = pc[r] + 1.0 if small else pc[r]
                                cov[r] += okf * cj
                                de[r] += wj * okf
                        continue
                    # general path: 1. normalise + mask + coverage, 2. transform of the node's
                    # quasi-arithmetic mean, 3. weighted accumulation (per-cell evidence factors)
                    for r in range(m):
                        x = zb[r] if treated else xv[r]
                        ok = x == x
                        okb[r] = 1.0 if ok else 0.0
                        zb[r] = min(max(((x if ok else l0) - l0) * s0, 0.0), 1.0)
                        cov[r] += cj if ok else 0.0
                    _fwd_block(zb, m, code, node_p[g], eps, vec)
                    nu = num[g]
                    if use_c:
                        cv = C[a:a + m, j]
                        db = dbs[g]
                        for r in range(m):
                            f = cv[r]
                            ww = (wj * f if f == f else wj) * okb[r]
                            nu[r] += zb[r] * ww
                            de[r] += ww
                            db[r] += wj * okb[r]
                    else:
                        for r in range(m):
                            ww = wj * okb[r]
                            nu[r] += zb[r] * ww
                            de[r] += ww
                # node scores
                for g in range(G):
                    if use_c:  # evidence factor of the node: sum w f / sum w over its observed cells
                        ev = nev[g]
                        de = den[g]
                        db = dbs[g]
                        for r in range(m):
                            ev[r] = de[r] / db[r] if db[r] > 0 else 1.0
                    if node_code[g] == 1 and vec and not use_c and hasprod[g]:
                        pr = prod[g]
                        pc = pcnt[g]
                        nu = num[g]
                        _vlog(pr, m)
                        if presc[g]:
                            for r in range(m):
                                nu[r] += pr[r] - pc[r] * (60.0 * _LN2)
                        else:
                            for r in range(m):
                                nu[r] += pr[r]
                    og = ns[g]
                    kg = nok[g]
                    ov = out[g, a:a + m]
                    if node_code[g] == 0:  # arithmetic: one fused loop
                        nu = num[g]
                        de = den[g]
                        for r in range(m):
                            d = de[r]
                            ok = d > 0
                            v = min(max(nu[r] / (d if ok else 1.0), 0.0), 1.0)
                            kg[r] = 1.0 if ok else 0.0
                            og[r] = v if ok else 0.0
                            ov[r] = v if ok else nan
                        continue
                    if node_code[g] == 1 and vec:
                        # geometric: as _inv_block, keeping the log-mean y for a geometric side
                        nu = num[g]
                        de = den[g]
                        yl = ly[g]
                        for r in range(m):
                            d = de[r]
                            ok = d > 0
                            kg[r] = 1.0 if ok else 0.0
                            y = nu[r] / (d if ok else 1.0)
                            yl[r] = y if ok else 0.0
                            og[r] = y if ok else 0.0
                        _vexp(og, m)
                        for r in range(m):
                            v = min(max(og[r] - eps, 0.0), 1.0) * kg[r]
                            og[r] = v
                            ov[r] = v if kg[r] > 0 else nan
                        continue
                    _inv_block(num[g], den[g], og, kg, m, node_code[g], node_p[g], eps, vec)
                    for r in range(m):
                        ov[r] = og[r] if kg[r] > 0 else nan
                # nodes -> sides (or top)
                for h in range(H):
                    for r in range(m):
                        sn[r] = 0.0
                        sd[r] = 0.0
                    for g in range(G):
                        if node_grp[g] != h:
                            continue
                        wg = node_gw[g]
                        kg = nok[g]
                        if use_c:  # the node's weight also carries its evidence factor (each node sits
                            ev = nev[g]  # in one group, so this runs once per node)
                            for r in range(m):
                                ev[r] *= kg[r]
                            kg = ev
                        if grp_code[h] == 0:  # arithmetic: accumulate the node scores directly
                            og = ns[g]
                            for r in range(m):
                                ww = wg * kg[r]
                                sn[r] += og[r] * ww
                                sd[r] += ww
                            continue
                        if grp_code[h] == 1 and node_code[g] == 1 and vec:
                            # geometric side of a geometric node: log(score + eps) is the node's
                            # log-mean y itself (score = exp(y) - eps), so no log is taken again;
                            # differs from the log of the rounded score only in the last bits
                            yl = ly[g]
                            for r in range(m):
                                ww = wg * kg[r]
                                sn[r] += yl[r] * ww
                                sd[r] += ww
                            continue
                        for r in range(m):
                            zb[r] = ns[g, r]
                        _fwd_block(zb, m, grp_code[h], grp_p[h], eps, vec)
                        for r in range(m):
                            ww = wg * kg[r]
                            sn[r] += zb[r] * ww
                            sd[r] += ww
                    _inv_block(sn, sd, gs[h], gok[h], m, grp_code[h], grp_p[h], eps, vec)
                    oh = gs[h]
                    kh = gok[h]
                    ov = out[G + h, a:a + m]
                    for r in range(m):
                        ov[r] = oh[r] if kh[r] > 0 else nan
                if alliance:
                    base = G + H
                    # overall index c (1 - d)^alpha
                    for r in range(m):
                        q = min(max(1.0 - gs[1, r], 0.0), 1.0)
                        zb[r] = q
                    if alpha != 1.0:
                        for r in range(m):
                            zb[r] = zb[r] ** alpha
                    ov = out[base, a:a + m]
                    for r in range(m):
                        ok = gok[0, r] * gok[1, r] > 0
                        ov[r] = gs[0, r] * zb[r] if ok else nan
                    # breadth: 1 - sum_{u<v} |c_u - c_v| / ((q - 1) sum c)
                    nd = coop_dom.shape[0]
                    for r in range(m):
                        sn[r] = 0.0   # q
                        sd[r] = 0.0   # sum
                        zb[r] = 0.0   # total abs difference
                    for u in range(nd):
                        su = ns[coop_dom[u]]
                        ku = nok[coop_dom[u]]
                        for r in range(m):
                            sn[r] += ku[r]
                            sd[r] += su[r]
                        for v2 in range(u + 1, nd):
                            sv = ns[coop_dom[v2]]
                            kv = nok[coop_dom[v2]]
                            for r in range(m):
                                zb[r] += abs(su[r] - sv[r]) * ku[r] * kv[r]
                    ob = out[base + 1, a:a + m]
                    oc = out[base + 2, a:a + m]
                    for r in range(m):
                        ok = (sn[r] >= 2.0) and (sd[r] > BREADTH_TINY)
                        dd = (sn[r] - 1.0) * sd[r]
                        b = 1.0 - zb[r] / (dd if ok else 1.0)
                        ob[r] = min(max(b, 0.0), 1.0) if ok else nan
                        oc[r] = cov[r]


def _codes(aggs, ps) -> np.ndarray:
    """Kernel codes of the aggregators; ``generalised`` of order 0 is the shifted geometric mean (code 1)
    and of order 1 the arithmetic mean (code 0), as in :func:`~alliance_index.index.aggregate.generalised`."""
    ps = np.asarray(ps, dtype="float64")
    bad = [i for i, a in enumerate(aggs) if a == "generalised" and not np.isfinite(ps[i])]
    if bad:
        raise MethodError(f"generalised mean: p must be a finite number, got {ps[bad[0]]!r}.")
    return np.array([(1 if abs(ps[i]) < P_ZERO else 0 if ps[i] == 1 else 3) if a == "generalised" else _CODES[a]
                     for i, a in enumerate(aggs)], dtype=np.int64)


def numba_applicable(plan: Plan) -> bool:
    """The fused kernel handles quasi-arithmetic aggregators (not Copeland)."""
    return HAVE_NUMBA and all(a in _CODES for a in plan.node_agg) and all(a in _CODES for a in plan.grp_agg)


def run_numba(V: np.ndarray, C: np.ndarray | None, plan: Plan) -> np.ndarray:
    """Fused kernel (see module docstring). Same output as :func:`run_numpy` up to rounding
    (the vectorised log/exp and the product form of the geometric mean round differently)."""
    if not numba_applicable(plan):
        raise MethodError("the numba back end needs numba installed and no Copeland aggregation; use backend='numpy'.")
    k = V.shape[1]
    affine = NORMALISERS[plan.norm].affine
    if affine:
        lo = np.asarray(plan.norm_params["lo"], dtype="float64")
        hi = np.asarray(plan.norm_params["hi"], dtype="float64")
        affine = bool(np.all(hi - lo > 0))  # constant or unobserved columns: let numpy normalise
    if affine:
        sc = 1.0 / (hi - lo)
        X = V
        logm, wlo, whi = plan.log1p.astype(np.bool_), plan.wlo, plan.whi
    else:
        X = normalised(V, plan)
        logm = np.zeros(k, dtype=np.bool_)
        wlo = np.full(k, -np.inf)
        whi = np.full(k, np.inf)
        lo = np.zeros(k)
        sc = np.ones(k)
    # One compiled signature: column-major (F) float64, the layout pandas keeps a wide panel in;
    # the block kernel then reads each column block contiguously. Row-major input is copied once.
    X = np.asfortranarray(X, dtype="float64")
    use_c = C is not None
    Cm = np.asfortranarray(C, dtype="float64") if use_c else np.zeros((2, 2), order="F")
    out = np.empty((plan.n_out, X.shape[0]))  # one contiguous row per output: vectorised stores
    core = plan.core.astype("float64") if plan.alliance else np.zeros(k)
    wins = bool(np.isfinite(wlo).any() or np.isfinite(whi).any())
    cw = plan.col_w.astype("float64")
    whole = (cw == np.round(cw)) & (cw >= 1) & (cw <= 8)
    intw = np.where(whole, cw, 0).astype(np.int64)  # whole weights 1 or 2: product form of the geometric mean
    hasprod = np.zeros(len(plan.node_names), dtype=np.bool_)
    for g in range(len(plan.node_names)):
        hasprod[g] = bool(np.isin(intw[plan.col_node == g], (1, 2)).any())
    # Product form: each factor (z + eps)**k is at least eps**k, so a node whose product-form
    # weights sum to K stays at or above eps**K; rescaling is only needed when that may fall
    # below 2**-1000 (short of the smallest normal number, 2**-1022).
    pw = np.where(np.isin(intw, (1, 2)), intw, 0).astype("float64")
    presc = np.array([pw[plan.col_node == g].sum() * -math.log2(float(plan.eps)) > 1000.0
                      if 0 < plan.eps < 1 else True for g in range(len(plan.node_names))], dtype=np.bool_)
    _kernel(X, Cm, use_c, np.ascontiguousarray(logm), wins, np.asarray(wlo, float), np.asarray(whi, float),
            np.asarray(lo, float), np.asarray(sc, float), plan.col_node.astype(np.int64),
            plan.col_w.astype("float64"), intw, hasprod, presc, core,
            _codes(plan.node_agg, plan.node_p), plan.node_p.astype("float64"),
            plan.node_grp.astype(np.int64), plan.node_gw.astype("float64"),
            _codes(plan.grp_agg, plan.grp_p), plan.grp_p.astype("float64"),
            float(plan.eps), bool(plan.alliance), plan.coop_dom.astype(np.int64), float(plan.alpha),
            8 * _nb.get_num_threads(), out)
    if plan.alliance and not affine:
        # coverage counts the observed raw cells (as run_numpy), not the cells the numpy
        # normaliser left observed (a column the fit learned no scale for is NaN after it)
        out[plan.n_out - 1] = (~np.isnan(V[:, plan.core])).sum(axis=1)
    return out.T


def auto_uses_numba(V: np.ndarray, plan: Plan) -> bool:
    """Whether ``run(..., backend="auto")`` tries the numba kernel on ``V`` with ``plan``."""
    return not _NUMBA_FAILED and numba_applicable(plan) and V.size >= NUMBA_MIN_CELLS


def run(V: np.ndarray, C: np.ndarray | None, plan: Plan, *, backend: str = "auto", groups=None,
        ref: CopelandRef | None = None) -> np.ndarray:
    """Dispatch to a back end (``"auto"``, ``"numpy"`` or ``"numba"``); ``ref``: see :func:`run_numpy`."""
    if backend not in ("auto", "numpy", "numba"):
        from ..errors import suggest

        raise MethodError(f"Unknown backend {backend!r}.{suggest(str(backend), ('auto', 'numpy', 'numba'))}"
                          " Choose auto, numpy or numba.")
    if backend == "numba":
        return run_numba(V, C, plan)
    if backend == "auto" and auto_uses_numba(V, plan):
        try:
            return run_numba(V, C, plan)
        except Exception as exc:  # a numba/LLVM build that cannot compile the kernel
            import warnings

            globals()["_NUMBA_FAILED"] = True
            warnings.warn(f"the numba kernel could not be compiled ({type(exc).__name__}: {exc}); "
                          "using the numpy back end, which gives the same numbers more slowly",
                          RuntimeWarning, stacklevel=2)
    return run_numpy(V, C, plan, groups=groups, ref=ref if uses_copeland(plan) else None)


_NUMBA_FAILED = False
