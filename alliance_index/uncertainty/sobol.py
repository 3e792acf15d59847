"""Variance-based sensitivity: first-order and total Sobol indices.

Own implementation of the Saltelli (2010) / Jansen (1999) estimators over a
scrambled Sobol sequence (:class:`scipy.stats.qmc.Sobol`), with bootstrap
standard errors and intervals. It is generic: any vectorised function of an
``(n, D)`` input array returning ``(n,)`` or ``(n, m)`` outputs (``m`` outputs
are analysed at once, e.g. one per dyad-year).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import qmc

from ..errors import MethodError

__all__ = ["SobolResult", "sobol_indices", "sobol_design", "sobol_estimates"]


class SobolProblemError(MethodError):
    """A sensitivity problem definition (names, bounds, groups) is invalid."""


@dataclass
class SobolResult:
    """First-order and total Sobol indices with bootstrap uncertainty.

    Attributes
    ----------
    factors : list of str
        Factor (or group) names, one row of every array.
    outputs : pandas.Index
        Output labels, one column of every array.
    S1, ST : ndarray, shape (n_factors, n_outputs)
        Point estimates of first-order and total indices.
    S1_se, ST_se : ndarray
        Bootstrap standard errors.
    S1_ci, ST_ci : ndarray, shape (2, n_factors, n_outputs)
        Percentile bootstrap intervals at ``conf_level``.
    variance : ndarray, shape (n_outputs,)
        Output variance used as denominator (NaN indices where it is 0).
    n : int
        Base sample size; the function was evaluated ``n * (n_factors + 2)`` times.
    design : ndarray, shape (n * (n_factors + 2), D)
        Every input row evaluated, in the order A, B, AB_1, ..., AB_g.
    runs : DataFrame or None
        Parameters of every run, labelled (set by :func:`sensitivity`: the
        choices of each run, with its ``block`` A, B or AB:<factor>).
    """

    factors: list[str]
    outputs: pd.Index
    S1: np.ndarray
    ST: np.ndarray
    S1_se: np.ndarray
    ST_se: np.ndarray
    S1_ci: np.ndarray
    ST_ci: np.ndarray
    variance: np.ndarray
    n: int
    n_boot: int
    conf_level: float
    seed: Any = None
    notes: list[str] = field(default_factory=list)
    design: np.ndarray | None = field(default=None, repr=False)
    runs: pd.DataFrame | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ views
    def _frame(self, a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a, index=pd.Index(self.factors, name="factor"), columns=self.outputs)

    @property
    def first_order(self) -> pd.DataFrame:
        """First-order indices, factors × outputs."""
        return self._frame(self.S1)

    @property
    def total(self) -> pd.DataFrame:
        """Total-effect indices, factors × outputs."""
        return self._frame(self.ST)

    @property
    def params(self) -> pd.DataFrame:
        """Point estimates, statsmodels-style: rows (output, factor), columns S1, ST."""
        return self.to_frame()[["S1", "ST"]]

    @property
    def bse(self) -> pd.DataFrame:
        """Bootstrap standard errors, same layout as :attr:`params`."""
        return self.to_frame()[["S1_se", "ST_se"]].set_axis(["S1", "ST"], axis=1)

    def conf_int(self, which: Literal["S1", "ST"] = "ST") -> pd.DataFrame:
        """Bootstrap interval of ``"S1"`` or ``"ST"``, indexed exactly like :attr:`params`.

        Returns a frame with one row per (output, factor) -- the row index of
        :attr:`params` and :meth:`to_frame`, also when the outputs are
        (dyad, year) -- and columns ``lower`` and ``upper``, as statsmodels
        does for results whose ``params`` is a frame (e.g. ``MNLogit``).
        The interval is the percentile bootstrap at ``conf_level`` (NaN when
        ``n_boot`` was 0).
        """
        if which not in ("S1", "ST"):
            raise MethodError(f"conf_int(which={which!r}): use 'S1' or 'ST'.")
        return self.to_frame()[[f"{which}_lower", f"{which}_upper"]].set_axis(["lower", "upper"], axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per (output, factor) with S1, ST, their SEs and intervals."""
        f, o = len(self.factors), len(self.outputs)
        cols = {
            "S1": self.S1, "S1_se": self.S1_se, "S1_lower": self.S1_ci[0], "S1_upper": self.S1_ci[1],
            "ST": self.ST, "ST_se": self.ST_se, "ST_lower": self.ST_ci[0], "ST_upper": self.ST_ci[1],
        }
        out_idx = np.tile(np.arange(o), f)
        fac_idx = np.repeat(np.arange(f), o)
        if isinstance(self.outputs, pd.MultiIndex):
            arrays = [self.outputs.get_level_values(i)[out_idx] for i in range(self.outputs.nlevels)]
            names = list(self.outputs.names)
        else:
            arrays = [self.outputs[out_idx]]
            names = [self.outputs.name or "output"]
        arrays.append(pd.Index(np.asarray(self.factors, dtype=object)[fac_idx]))
        idx = pd.MultiIndex.from_arrays(arrays, names=names + ["factor"])
        df = pd.DataFrame({k: np.asarray(v).reshape(-1) for k, v in cols.items()}, index=idx)
        return df.sort_index(level=list(range(len(names))), sort_remaining=False)

    def most_important(self, by: str = "ST") -> pd.Series:
        """Per output, the factor with the largest index (NaN where the output did not vary)."""
        a = self.ST if by == "ST" else self.S1
        ok = np.isfinite(a).any(axis=0)
        arg = np.argmax(np.where(np.isfinite(a), a, -np.inf), axis=0)
        names = np.asarray(self.factors, dtype=object)[arg]
        return pd.Series(np.where(ok, names, None), index=self.outputs, name=f"largest_{by}", dtype=object)

    def summary(self) -> str:
        """Plain-text table of the indices (one block per output, first 20 outputs)."""
        lines = [
            "Sobol sensitivity indices (Saltelli 2010 first order, Jansen 1999 total)",
            f"base sample n = {self.n}, evaluations = {self.n * (len(self.factors) + 2)}, "
            f"bootstrap = {self.n_boot}, interval = {self.conf_level:.0%}",
        ]
        df = self.to_frame()
        show = df.iloc[: 20 * len(self.factors)]
        lines.append(show.round(4).to_string())
        if len(df) > len(show):
            lines.append(f"... {len(self.outputs) - 20} more outputs (see to_frame())")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"SobolResult(factors={self.factors}, n_outputs={len(self.outputs)}, n={self.n})"

    def _repr_html_(self) -> str:
        return self.to_frame().iloc[: 20 * len(self.factors)].round(4).to_html()


# ---------------------------------------------------------------------------
def _check_problem(problem: Mapping[str, Any]) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """Validate a SALib-style problem dict; return names, bounds, group names, group id per input."""
    if not isinstance(problem, Mapping) or "names" not in problem:
        raise SobolProblemError(
            "problem must be a dict with 'names' (and optional 'bounds', 'groups'), "
            "e.g. {'names': ['x1', 'x2'], 'bounds': [[0, 1], [0, 1]]}."
        )
    names = [str(n) for n in problem["names"]]
    d = len(names)
    if d == 0:
        raise SobolProblemError("problem['names'] is empty: give at least one input.")
    if len(set(names)) != d:
        dup = sorted({n for n in names if names.count(n) > 1})
        raise SobolProblemError(f"problem['names'] repeats {dup}; input names must be unique.")
    bounds = np.asarray(problem.get("bounds", [[0.0, 1.0]] * d), dtype=float)
    if bounds.shape != (d, 2):
        raise SobolProblemError(
            f"problem['bounds'] has shape {bounds.shape}; expected ({d}, 2): one [low, high] per name."
        )
    bad = ~(np.isfinite(bounds).all(axis=1) & (bounds[:, 1] > bounds[:, 0]))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise SobolProblemError(
            f"input '{names[i]}': bounds {bounds[i].tolist()} are not finite with low < high."
        )
    groups = problem.get("groups")
    if groups is None:
        gnames, gid = names, np.arange(d)
    else:
        groups = [str(g) for g in groups]
        if len(groups) != d:
            raise SobolProblemError(f"problem['groups'] has {len(groups)} entries; expected {d} (one per name).")
        gnames = list(dict.fromkeys(groups))
        gid = np.array([gnames.index(g) for g in groups])
    return names, bounds, gnames, gid


def sobol_design(
    problem: Mapping[str, Any], n: int, seed: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Saltelli design matrices on the problem's bounds.

    Returns ``A``, ``B`` (each ``(n, D)``) and ``AB`` (``(g, n, D)``), where
    ``AB[j]`` is ``A`` with the columns of group ``j`` taken from ``B``. ``A``
    and ``B`` are the two halves of one scrambled Sobol sequence of dimension
    ``2D`` seeded from ``np.random.default_rng(seed)``.
    """
    names, bounds, gnames, gid = _check_problem(problem)
    n = _check_n(n)
    d = len(names)
    rng = np.random.default_rng(seed)
    sampler = qmc.Sobol(d=2 * d, scramble=True, seed=rng)
    m = math.log2(n)
    if m.is_integer():
        u = sampler.random_base2(int(m))
    else:
        warnings.warn(
            f"n={n} is not a power of 2; the Sobol sequence loses its balance properties "
            f"(use n={2 ** math.ceil(m)}).",
            UserWarning,
            stacklevel=3,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            u = sampler.random(n)
    lo, width = bounds[:, 0], bounds[:, 1] - bounds[:, 0]
    A = lo + u[:, :d] * width
    B = lo + u[:, d:] * width
    AB = np.repeat(A[None, :, :], len(gnames), axis=0)
    for j in range(len(gnames)):
        cols = gid == j
        AB[j][:, cols] = B[:, cols]
    return A, B, AB


def _check_n(n: int) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise SobolProblemError(f"n={n!r}: the base sample size must be an integer >= 2 (a power of 2 is best).")
    return int(n)


def sobol_estimates(fA: np.ndarray, fB: np.ndarray, fAB: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First-order and total indices from evaluations on A, B and AB.

    Parameters
    ----------
    fA, fB : ndarray, shape (..., n, m)
    fAB : ndarray, shape (..., g, n, m)

    Returns
    -------
    S1, ST : ndarray, shape (..., g, m)
    V : ndarray, shape (..., m)

    Notes
    -----
    Every output column is first centred by the mean of its ``2n`` values
    on A and B, :math:`\\bar f = \\frac{1}{2n}\\sum_k (f(A)_k + f(B)_k)`.
    With :math:`V = \\operatorname{Var}[f(A) \\cup f(B)]` (ddof 0),

    .. math::

        S_i = \\frac{1}{nV}\\sum_k \\bigl(f(B)_k - \\bar f\\bigr)\\,
              \\bigl(f(A_B^{(i)})_k - f(A)_k\\bigr), \\qquad
        S_{Ti} = \\frac{1}{2nV}\\sum_k (f(A)_k - f(A_B^{(i)})_k)^2 .

    (Saltelli et al. 2010, Table 2, (b) and (f)). Centring does not change
    what (b) estimates -- :math:`E[f(A_B^{(i)}) - f(A)] = 0` -- but without it
    the estimate and its sampling error grow with the output's level: adding
    a constant :math:`c` to :math:`f` adds :math:`c \\cdot
    \\overline{f(A_B^{(i)}) - f(A)} / V` to :math:`S_i`, a zero-mean error
    of standard deviation about :math:`c\\sqrt{2 S_{Ti}/(nV)}` under plain
    random sampling. SALib (``SALib.analyze.sobol``, which standardises
    the output) and :func:`scipy.stats.sobol_indices` (which subtracts the
    mean of :math:`f(A)` and :math:`f(B)`, after Sobol' and Levitan 1999)
    centre for the same reason. Both indices are therefore invariant to a
    shift of the output; :math:`S_{Ti}` only uses differences and is
    unchanged by the centring. Called on bootstrap resamples, the centring
    uses each resample's own mean. Outputs with ``V = 0`` (or a non-finite
    value in any run) get NaN indices.
    """
    fA = np.asarray(fA, float)
    fB = np.asarray(fB, float)
    fAB = np.asarray(fAB, float)
    fAB_ = np.concatenate([fA, fB], axis=-2)
    mean = np.mean(fAB_, axis=-2, keepdims=True)  # (..., 1, m)
    V = np.var(fAB_, axis=-2)
    with np.errstate(divide="ignore", invalid="ignore"):
        Vd = np.where(V > 0, V, np.nan)[..., None, :]
        S1 = np.mean((fB - mean)[..., None, :, :] * (fAB - fA[..., None, :, :]), axis=-2) / Vd
        ST = 0.5 * np.mean((fA[..., None, :, :] - fAB) ** 2, axis=-2) / Vd
    return S1, ST, V


def sobol_indices(
    func: Callable[[np.ndarray], np.ndarray],
    problem: Mapping[str, Any],
    n: int = 1024,
    seed: Any = None,
    n_boot: int = 200,
    conf_level: float = 0.95,
    *,
    output_names: Sequence[Any] | pd.Index | None = None,
    batch_size: int | None = None,
) -> SobolResult:
    """First-order and total Sobol indices of a vectorised function.

    Parameters
    ----------
    func : callable
        ``func(X)`` with ``X`` of shape ``(k, D)`` (one row per evaluation, in
        the order of ``problem['names']``) returns an array of shape ``(k,)``
        or ``(k, m)``.
    problem : dict
        SALib-style: ``names`` (list of D str), ``bounds`` (D × [low, high],
        default [0, 1]; inputs are uniform on them), optional ``groups`` (D
        labels; indices are then computed per group, swapping its columns together).
    n : int, default 1024
        Base sample size (a power of 2); ``func`` sees ``n * (g + 2)`` rows.
    seed : None, int or Generator
        Seeds the scrambling and the bootstrap (``np.random.default_rng(seed)``).
    n_boot : int, default 200
        Bootstrap resamples (of the ``n`` base rows) for standard errors and
        percentile intervals; 0 skips the bootstrap (NaN errors).
    conf_level : float, default 0.95
    output_names : sequence, optional
        Labels of the ``m`` outputs.
    batch_size : int, optional
        Call ``func`` on at most this many rows at a time.

    Returns
    -------
    SobolResult

    Notes
    -----
    ``A`` and ``B`` are the two halves of a scrambled Sobol sequence of
    dimension ``2D``; ``A_B^{(i)}`` is ``A`` with input (group) ``i`` taken
    from ``B``. Each output is centred by :math:`\\bar f`, the mean of all
    ``f(A)`` and ``f(B)``; with :math:`V` their variance,

    .. math::

        S_i = \\frac{1}{nV}\\sum_k \\bigl(f(B)_k - \\bar f\\bigr)\\,
              \\bigl(f(A_B^{(i)})_k - f(A)_k\\bigr), \\qquad
        S_{Ti} = \\frac{1}{2nV}\\sum_k (f(A)_k - f(A_B^{(i)})_k)^2 .

    The centring makes the indices and their intervals invariant to adding a
    constant to the output (see :func:`sobol_estimates`; SALib and
    :func:`scipy.stats.sobol_indices` centre too). Without it, an output far
    from zero relative to its spread, such as a 0-100 index, gets first-order
    estimates and intervals many times noisier than they need be.

    The bootstrap resamples the ``n`` base rows (keeping each row's A, B and
    AB evaluations together) and recomputes both estimators, centring included,
    on each resample; the intervals are percentile intervals. Like SALib's, it
    treats the base rows as independent, which ignores the low-discrepancy
    structure of the Sobol design: for smooth functions the actual error of
    the estimates is smaller than the bootstrap suggests.

    Outputs that did not vary, or that are missing (NaN or infinite) in any
    run, get NaN indices; a note in ``notes`` counts and names them.

    References: Saltelli, A. et al. (2010) Variance based sensitivity analysis
    of model output. *Computer Physics Communications* 181, 259-270; Jansen,
    M.J.W. (1999) *Computer Physics Communications* 117, 35-43.

    Examples
    --------
    >>> res = sobol_indices(lambda X: X @ [1.0, 2.0, 3.0],
    ...                     {"names": ["x1", "x2", "x3"]}, n=4096, seed=1, n_boot=50)
    >>> res.first_order.round(2).iloc[:, 0].tolist()
    [0.07, 0.29, 0.64]
    """
    names, bounds, gnames, gid = _check_problem(problem)
    n = _check_n(n)
    if not (0.0 < float(conf_level) < 1.0):
        raise SobolProblemError(f"conf_level={conf_level!r} must lie strictly between 0 and 1.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise SobolProblemError(f"n_boot={n_boot!r} must be a non-negative integer.")
    rng = np.random.default_rng(seed)
    design_seed, boot_seed = rng.spawn(2) if hasattr(rng, "spawn") else (rng, rng)
    A, B, AB = sobol_design(problem, n, seed=design_seed)
    g = len(gnames)
    X = np.concatenate([A, B, AB.reshape(g * n, -1)], axis=0)
    Y = _evaluate(func, X, batch_size)
    m = Y.shape[1]
    if output_names is None:
        outputs = pd.RangeIndex(m, name="output")
    else:
        outputs = output_names if isinstance(output_names, pd.Index) else pd.Index(list(output_names), name="output")
        if len(outputs) != m:
            raise SobolProblemError(f"output_names has {len(outputs)} labels but func returned {m} outputs.")
    fA, fB, fAB = Y[:n], Y[n: 2 * n], Y[2 * n:].reshape(g, n, m)
    S1, ST, V = sobol_estimates(fA, fB, fAB)

    S1_se = np.full_like(S1, np.nan)
    ST_se = np.full_like(ST, np.nan)
    S1_ci = np.full((2,) + S1.shape, np.nan)
    ST_ci = np.full((2,) + ST.shape, np.nan)
    if n_boot > 0:
        bS1 = np.empty((n_boot, g, m))
        bST = np.empty((n_boot, g, m))
        per = max(1, int(4_000_000 // max(1, n * m * (g + 2))))  # boots per vectorised batch
        for start in range(0, n_boot, per):
            stop = min(n_boot, start + per)
            idx = boot_seed.integers(0, n, size=(stop - start, n))
            s1, st, _ = sobol_estimates(fA[idx], fB[idx], fAB[:, idx].transpose(1, 0, 2, 3))
            bS1[start:stop], bST[start:stop] = s1, st
        a = (1.0 - conf_level) / 2.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            S1_se, ST_se = np.std(bS1, axis=0, ddof=1), np.std(bST, axis=0, ddof=1)
            S1_ci = np.quantile(bS1, [a, 1 - a], axis=0)
            ST_ci = np.quantile(bST, [a, 1 - a], axis=0)
    notes = []
    missing = ~np.isfinite(Y).all(axis=0)
    constant = (V == 0) & ~missing
    if constant.any():
        notes.append(f"{int(constant.sum())} output(s) did not vary over the design: indices are NaN there "
                     f"({_some(outputs[constant])}).")
    if missing.any():
        runs = int((~np.isfinite(Y)).any(axis=1).sum())
        notes.append(f"{int(missing.sum())} output(s) are not finite (NaN or inf) in some run: indices are NaN "
                     f"there ({_some(outputs[missing])}; {runs} of {len(Y)} runs affected). Check the model "
                     f"for the combinations that fail, or analyse a quantity defined in every run.")
    return SobolResult(
        factors=gnames, outputs=outputs, S1=S1, ST=ST, S1_se=S1_se, ST_se=ST_se, S1_ci=S1_ci, ST_ci=ST_ci,
        variance=V, n=n, n_boot=int(n_boot), conf_level=float(conf_level), seed=seed, notes=notes,
        design=X,
    )


def _some(labels: pd.Index, k: int = 5) -> str:
    """The first ``k`` labels, quoted, with a count of the rest."""
    shown = ", ".join(repr(x) for x in labels[:k])
    return shown + (f" and {len(labels) - k} more" if len(labels) > k else "")


def _evaluate(func: Callable[[np.ndarray], np.ndarray], X: np.ndarray, batch_size: int | None) -> np.ndarray:
    if batch_size is None or batch_size >= len(X):
        parts = [func(X)]
    else:
        parts = [func(X[i: i + batch_size]) for i in range(0, len(X), int(batch_size))]
    outs = []
    for p in parts:
        p = np.asarray(p, dtype=float)
        if p.ndim == 1:
            p = p[:, None]
        outs.append(p)
    Y = np.concatenate(outs, axis=0)
    if Y.ndim != 2 or Y.shape[0] != len(X):
        raise SobolProblemError(
            f"func returned shape {Y.shape} for {len(X)} input rows; expected ({len(X)},) or ({len(X)}, m)."
        )
    return Y
