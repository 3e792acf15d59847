"""The declared space of modelling choices: discrete choices and weight perturbations.

Every factor maps uniform numbers on ``[0, 1)`` to its values
(:meth:`from_unit`), so the same factor serves plain Monte Carlo (uniforms
from ``np.random.default_rng(seed)``) and Sobol sensitivity (uniforms from a
scrambled Sobol sequence).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import MethodError, suggest

__all__ = ["ChoiceError", "Choice", "WeightPerturbation", "ChoiceSpace"]

_PROB_TOL = 1e-8


class ChoiceError(MethodError):
    """A declared modelling choice (or weight perturbation) is invalid; the message names it."""


# ---------------------------------------------------------------------------
class Choice:
    """One modelling choice: a finite set of options with probabilities.

    Parameters
    ----------
    name : str
        Keyword the model receives (e.g. ``"normalisation"``).
    options : sequence
        At least two distinct options (strings, numbers, ...).
    probs : sequence of float, optional
        Probability of each option (non-negative, summing to 1); default uniform.
    default : optional
        The option of the baseline run (default: the first option).

    Notes
    -----
    A uniform number :math:`u \\in [0, 1)` selects option :math:`j` when
    :math:`P_{j-1} \\le u < P_j`, with :math:`P_j` the cumulative
    probabilities (inverse-CDF mapping). In a Sobol analysis this makes a
    categorical choice one input factor whose levels occupy sub-intervals of
    ``[0, 1)`` in proportion to their probabilities.
    """

    dim = 1

    def __init__(self, name: str, options: Sequence[Any], probs: Sequence[float] | None = None,
                 default: Any = None) -> None:
        if not isinstance(name, str) or not name:
            raise ChoiceError(f"Choice name must be a non-empty string, got {name!r}.")
        self.name = name
        if isinstance(options, (str, bytes)) or not isinstance(options, Iterable):
            raise ChoiceError(f"Choice '{name}': options must be a list of options, got {options!r}.")
        options = list(options)
        if len(options) == 0:
            raise ChoiceError(
                f"Choice '{name}' has no options: give at least two, e.g. "
                f"Choice('{name}', ['a', 'b'])."
            )
        keys = [repr(o) for o in options]
        if len(set(keys)) != len(keys):
            dup = sorted({k for k in keys if keys.count(k) > 1})
            raise ChoiceError(f"Choice '{name}' lists options {dup} more than once.")
        if probs is None:
            p = np.full(len(options), 1.0 / len(options))
        else:
            p = np.asarray(list(probs), dtype=float)
            if p.shape != (len(options),):
                raise ChoiceError(
                    f"Choice '{name}': {len(p)} probabilities for {len(options)} options; give one per option."
                )
            if not np.isfinite(p).all() or (p < 0).any():
                raise ChoiceError(f"Choice '{name}': probabilities {p.tolist()} must be finite and >= 0.")
            s = float(p.sum())
            if abs(s - 1.0) > _PROB_TOL:
                raise ChoiceError(
                    f"Choice '{name}': probabilities sum to {s:.6g}, not 1. "
                    f"Divide them by their sum, or omit probs for equal probabilities."
                )
        if int((p > 0).sum()) < 2:
            raise ChoiceError(
                f"Choice '{name}' cannot vary (only {int((p > 0).sum())} option with positive probability). "
                f"A step that cannot vary is not analysed: fix it with ChoiceSpace(..., fixed={{'{name}': ...}}) "
                f"or give it at least two options."
            )
        self.options = options
        self.probs = p
        if default is None:
            default = options[0]
        if not any(_same(default, o) for o in options):
            raise ChoiceError(
                f"Choice '{name}': default {default!r} is not one of its options {options}."
            )
        self.default = next(o for o in options if _same(default, o))
        self._cum = np.cumsum(p)
        self._cum[-1] = 1.0

    def index_from_unit(self, u: np.ndarray) -> np.ndarray:
        """Option positions for uniforms ``u`` (shape ``(n,)`` or ``(n, 1)``)."""
        u = np.asarray(u, float).reshape(-1)
        j = np.searchsorted(self._cum, u, side="right")
        return np.minimum(j, len(self.options) - 1)

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Options selected by uniforms ``u``."""
        return [self.options[j] for j in self.index_from_unit(u)]

    def columns(self) -> list[str]:
        return [self.name]

    def __repr__(self) -> str:
        return f"Choice({self.name!r}, options={self.options!r}, probs={np.round(self.probs, 4).tolist()})"


# ---------------------------------------------------------------------------
class WeightPerturbation:
    """Random weights around default weights: within bounds, or from a Dirichlet.

    Parameters
    ----------
    name : str, default "weights"
        Keyword the model receives; its value is a ``dict`` {key: weight}.
    defaults : mapping or Series, optional
        Default weight of each key (indicator, domain, ...). Non-negative, not
        all zero. May be omitted and supplied later with :meth:`with_defaults`
        (``monte_carlo`` fills it from the model's default weights).
    relative : float, optional
        Each default weight is multiplied by an independent
        :math:`U(1-r, 1+r)` factor, ``0 < r < 1`` (COINr-style noise).
    bounds : (low, high), mapping {key: (low, high)} or array (k, 2), optional
        Absolute bounds on the normalised weights (shares summing to 1). Keys
        a mapping omits keep their default share fixed.
    concentration : float, optional
        Dirichlet with parameters :math:`c\\,\\bar w` around the default shares
        :math:`\\bar w`: mean :math:`\\bar w`, variance
        :math:`\\bar w_i(1-\\bar w_i)/(c+1)`.

    Notes
    -----
    All three return shares :math:`w \\ge 0, \\sum w = 1`.

    * ``relative``: :math:`w_i \\propto \\bar w_i (1 - r + 2 r u_i)`.
    * ``bounds``: :math:`x_i = l_i + u_i (h_i - l_i)` is drawn in the box,
      then projected (Euclidean) onto the feasible set
      :math:`\\{l \\le w \\le h, \\sum w = 1\\}`: :math:`w = \\mathrm{clip}(x - \\tau, l, h)`
      with :math:`\\tau` solving :math:`\\sum w = 1` (bisection). The set is
      empty, and construction fails, unless :math:`0 \\le l \\le h` and
      :math:`\\sum l \\le 1 \\le \\sum h`.
    * ``concentration``: :math:`g_i = F^{-1}_{\\Gamma(c \\bar w_i)}(u_i)`,
      :math:`w = g / \\sum g` (keys with zero default stay at zero).
    """

    def __init__(self, name: str = "weights", defaults: Mapping[str, float] | pd.Series | None = None, *,
                 relative: float | None = None, bounds: Any = None, concentration: float | None = None) -> None:
        if not isinstance(name, str) or not name:
            raise ChoiceError(f"WeightPerturbation name must be a non-empty string, got {name!r}.")
        self.name = name
        given = [k for k, v in (("relative", relative), ("bounds", bounds), ("concentration", concentration))
                 if v is not None]
        if len(given) != 1:
            raise ChoiceError(
                f"WeightPerturbation '{name}': give exactly one of relative=, bounds= or concentration= "
                f"(got {given or 'none'})."
            )
        self.mode = given[0]
        if relative is not None:
            r = float(relative)
            if not (0.0 < r < 1.0):
                raise ChoiceError(
                    f"WeightPerturbation '{name}': relative={relative!r} must lie in (0, 1) "
                    f"(0 cannot vary; 1 or more allows zero or negative weights)."
                )
            self.relative = r
        if concentration is not None:
            c = float(concentration)
            if not (np.isfinite(c) and c > 0):
                raise ChoiceError(f"WeightPerturbation '{name}': concentration={concentration!r} must be > 0.")
            self.concentration = c
        self._bounds_spec = bounds
        self.keys: list[str] | None = None
        self.defaults: np.ndarray | None = None
        if defaults is not None:
            self._set_defaults(defaults)

    # -- defaults and bounds ------------------------------------------------
    def with_defaults(self, defaults: Mapping[str, float] | pd.Series) -> "WeightPerturbation":
        """A copy with these default weights (validated, bounds checked)."""
        kw = {self.mode: getattr(self, self.mode) if self.mode != "bounds" else self._bounds_spec}
        return WeightPerturbation(self.name, defaults, **kw)

    def _set_defaults(self, defaults: Mapping[str, float] | pd.Series) -> None:
        s = pd.Series(defaults, dtype="float64") if not isinstance(defaults, pd.Series) else defaults.astype("float64")
        if len(s) < 2:
            raise ChoiceError(f"WeightPerturbation '{self.name}': needs at least two weights, got {len(s)}.")
        if s.index.has_duplicates:
            raise ChoiceError(f"WeightPerturbation '{self.name}': duplicate keys {sorted(set(s.index[s.index.duplicated()]))}.")
        bad = s.index[~np.isfinite(s.to_numpy()) | (s.to_numpy() < 0)]
        if len(bad):
            raise ChoiceError(
                f"WeightPerturbation '{self.name}': default weight of '{bad[0]}' is {float(s[bad[0]]):g}; "
                f"weights must be finite and >= 0."
            )
        if s.sum() <= 0:
            raise ChoiceError(f"WeightPerturbation '{self.name}': all default weights are zero.")
        self.keys = [str(k) for k in s.index]
        d = s.to_numpy() / s.sum()
        self.defaults = d
        if self.mode == "concentration" and int((d > 0).sum()) < 2:
            raise ChoiceError(f"WeightPerturbation '{self.name}': fewer than two positive defaults; cannot vary.")
        if self.mode == "bounds":
            self.lower, self.upper = self._parse_bounds(self._bounds_spec, d)

    def _parse_bounds(self, spec: Any, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = len(d)
        if isinstance(spec, Mapping):
            unknown = [key for key in spec if str(key) not in self.keys]
            if unknown:
                raise ChoiceError(
                    f"WeightPerturbation '{self.name}': bounds name unknown key '{unknown[0]}'."
                    f"{suggest(str(unknown[0]), self.keys)}"
                )
            lo, hi = d.copy(), d.copy()
            for key, b in spec.items():
                i = self.keys.index(str(key))
                b = np.asarray(b, float)
                if b.shape != (2,):
                    raise ChoiceError(f"WeightPerturbation '{self.name}': bounds of '{key}' must be (low, high).")
                lo[i], hi[i] = b
        else:
            b = np.asarray(spec, float)
            if b.shape == (2,):
                lo, hi = np.full(k, b[0]), np.full(k, b[1])
            elif b.shape == (k, 2):
                lo, hi = b[:, 0].copy(), b[:, 1].copy()
            else:
                raise ChoiceError(
                    f"WeightPerturbation '{self.name}': bounds must be (low, high), a mapping "
                    f"{{key: (low, high)}} or a ({k}, 2) array; got shape {b.shape}."
                )
        for i in range(k):
            if not (np.isfinite(lo[i]) and np.isfinite(hi[i])) or lo[i] < 0 or lo[i] > hi[i]:
                raise ChoiceError(
                    f"WeightPerturbation '{self.name}': bounds of '{self.keys[i]}' are "
                    f"[{lo[i]:.4g}, {hi[i]:.4g}]; need 0 <= low <= high (weights are shares summing to 1)."
                )
        slo, shi = float(lo.sum()), float(hi.sum())
        if slo > 1.0 + 1e-12 or shi < 1.0 - 1e-12:
            raise ChoiceError(
                f"WeightPerturbation '{self.name}': the bounds exclude every valid weight vector "
                f"(shares must sum to 1, but the lower bounds sum to {slo:.4g} and the upper bounds to "
                f"{shi:.4g}). Widen them so that sum(low) <= 1 <= sum(high)."
            )
        if np.allclose(lo, hi):
            raise ChoiceError(f"WeightPerturbation '{self.name}': bounds leave no room to vary (low == high).")
        return lo, hi

    # -- sampling ------------------------------------------------------------
    @property
    def dim(self) -> int:
        self._need_defaults()
        return len(self.keys)  # type: ignore[arg-type]

    def _need_defaults(self) -> None:
        if self.defaults is None:
            raise ChoiceError(
                f"WeightPerturbation '{self.name}' has no default weights yet: pass defaults=, "
                f"or let monte_carlo / sensitivity fill them from the model."
            )

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Weight shares (n, k) from uniforms (n, k)."""
        self._need_defaults()
        u = np.asarray(u, float)
        d = self.defaults
        if self.mode == "relative":
            w = d * (1.0 - self.relative + 2.0 * self.relative * u)
            return w / w.sum(axis=1, keepdims=True)
        if self.mode == "concentration":
            pos = d > 0
            g = np.zeros_like(u)
            uc = np.clip(u[:, pos], 1e-12, 1.0 - 1e-12)
            g[:, pos] = stats.gamma.ppf(uc, self.concentration * d[pos])
            return g / g.sum(axis=1, keepdims=True)
        lo, hi = self.lower, self.upper
        x = lo + u * (hi - lo)
        t_lo = (x - hi).min(axis=1) - 1.0  # sum(clip(x - t)) is decreasing in t
        t_hi = (x - lo).max(axis=1) + 1.0
        for _ in range(100):
            t = 0.5 * (t_lo + t_hi)
            s = np.clip(x - t[:, None], lo, hi).sum(axis=1)
            big = s > 1.0
            t_lo = np.where(big, t, t_lo)
            t_hi = np.where(big, t_hi, t)
        return np.clip(x - (0.5 * (t_lo + t_hi))[:, None], lo, hi)

    @property
    def default(self) -> np.ndarray:
        self._need_defaults()
        return self.defaults  # type: ignore[return-value]

    def columns(self) -> list[str]:
        self._need_defaults()
        return [f"{self.name}[{k}]" for k in self.keys]  # type: ignore[union-attr]

    def as_dict(self, w: np.ndarray) -> dict[str, float]:
        return dict(zip(self.keys, (float(x) for x in w)))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        val = getattr(self, self.mode) if self.mode != "bounds" else self._bounds_spec
        k = "?" if self.keys is None else len(self.keys)
        return f"WeightPerturbation({self.name!r}, k={k}, {self.mode}={val!r})"


# ---------------------------------------------------------------------------
Factor = Choice | WeightPerturbation


class ChoiceSpace:
    """A declared set of modelling choices (factors), plus options held fixed.

    Parameters
    ----------
    factors : sequence of Choice / WeightPerturbation
        Names must be unique; at least one factor.
    fixed : mapping, optional
        Options passed unchanged to the model on every run.

    Examples
    --------
    >>> space = ChoiceSpace([Choice("normalisation", ["goalposts", "minmax"]),
    ...                      Choice("alleged", [0.25, 0.5, 1.0], probs=[0.25, 0.5, 0.25])])
    >>> table, params = space.sample(3, seed=0)
    >>> sorted(params[0])
    ['alleged', 'normalisation']
    """

    def __init__(self, factors: Sequence[Factor], fixed: Mapping[str, Any] | None = None) -> None:
        factors = list(factors)
        if not factors:
            raise ChoiceError("ChoiceSpace is empty: declare at least one Choice or WeightPerturbation.")
        names = []
        for f in factors:
            if not isinstance(f, (Choice, WeightPerturbation)):
                raise ChoiceError(f"ChoiceSpace: {f!r} is not a Choice or WeightPerturbation.")
            if f.name in names:
                raise ChoiceError(f"ChoiceSpace: the choice '{f.name}' is declared twice.")
            names.append(f.name)
        fixed = dict(fixed or {})
        clash = [k for k in fixed if k in names]
        if clash:
            raise ChoiceError(f"ChoiceSpace: '{clash[0]}' is both a varying choice and fixed; keep one.")
        self.factors = factors
        self.fixed = fixed

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.factors]

    def __getitem__(self, name: str) -> Factor:
        for f in self.factors:
            if f.name == name:
                return f
        raise KeyError(name)

    def with_weight_defaults(self, defaults: Mapping[str, Mapping[str, float]] | Any) -> "ChoiceSpace":
        """Copy where each WeightPerturbation without defaults gets ``defaults(name)`` or ``defaults[name]``."""
        out = []
        for f in self.factors:
            if isinstance(f, WeightPerturbation) and f.defaults is None:
                d = defaults(f.name) if callable(defaults) else defaults[f.name]
                f = f.with_defaults(d)
            out.append(f)
        return ChoiceSpace(out, self.fixed)

    @property
    def dim(self) -> int:
        return sum(f.dim for f in self.factors)

    def problem(self) -> dict[str, Any]:
        """SALib-style problem on the unit hypercube, one group per factor."""
        names, groups = [], []
        for f in self.factors:
            cols = f.columns() if isinstance(f, WeightPerturbation) else [f.name]
            names += cols
            groups += [f.name] * len(cols)
        return {"names": names, "bounds": [[0.0, 1.0]] * len(names), "groups": groups}

    def from_unit(self, U: np.ndarray) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        """Parameters of each row of uniforms ``U`` (n, dim): a table and a list of option dicts."""
        U = np.asarray(U, float)
        if U.ndim != 2 or U.shape[1] != self.dim:
            raise ChoiceError(f"ChoiceSpace.from_unit: expected an (n, {self.dim}) array, got {U.shape}.")
        n = len(U)
        cols: dict[str, Any] = {}
        per: list[tuple[str, Any]] = []
        j = 0
        for f in self.factors:
            u = U[:, j: j + f.dim]
            j += f.dim
            if isinstance(f, Choice):
                idx = f.index_from_unit(u)
                vals = [f.options[i] for i in idx]
                cols[f.name] = pd.Series(vals, dtype=object) if not _numeric(f.options) else np.asarray(vals)
                per.append((f.name, vals))
            else:
                w = f.from_unit(u)
                for c, col in zip(f.columns(), w.T):
                    cols[c] = col
                per.append((f.name, w))
        table = pd.DataFrame(cols, index=pd.RangeIndex(n, name="draw"))
        params = []
        for i in range(n):
            p = dict(self.fixed)
            for (name, vals), f in zip(per, self.factors):
                p[name] = vals[i] if isinstance(f, Choice) else f.as_dict(vals[i])
            params.append(p)
        return table, params

    def sample(self, n: int, seed: Any = None) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        """``n`` independent draws from ``np.random.default_rng(seed)``."""
        rng = np.random.default_rng(seed)
        return self.from_unit(rng.random((int(n), self.dim)))

    def baseline(self) -> dict[str, Any]:
        """Options of the baseline run: every choice at its default, default weights."""
        p = dict(self.fixed)
        for f in self.factors:
            p[f.name] = f.default if isinstance(f, Choice) else f.as_dict(f.default)
        return p

    def __repr__(self) -> str:
        return f"ChoiceSpace({self.factors!r}, fixed={self.fixed!r})"


def _numeric(options: list[Any]) -> bool:
    return all(isinstance(o, (int, float, np.integer, np.floating)) and not isinstance(o, bool) for o in options)


def _same(a: Any, b: Any) -> bool:
    """Option equality that keeps True and 1 apart and survives array-like options."""
    if a is b:
        return True
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return isinstance(a, (bool, np.bool_)) and isinstance(b, (bool, np.bool_)) and bool(a) == bool(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
