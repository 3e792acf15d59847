"""Scenario specifications: shocks, named scenarios and scenario sets, from YAML or Python.

A scenario file (YAML, read with :class:`yaml.SafeLoader` only: no tag can run
code) looks like::

    name: Russia-Iran after 2022          # optional; default: the file name
    dyad: Russia-Iran                     # any spelling (contract §1)
    as_of: 2023                           # last observed year used; later rows are ignored
    horizon: 2030                         # last projected year
    projection: auto                      # or {default: auto, trade_usd: holt, ...}
    draws: 2000                           # Monte Carlo draws
    seed: 12345                           # integer; the same seed gives the same output
    scenarios:
      - name: trade_40bn
        description: bilateral trade reaches $40bn by 2027
        shocks:
          - {year: 2027, indicator: trade_usd, op: set, value: 40000, uncertainty: 8000}

Shock operations, applied to the projected path from ``year`` to the horizon
(and kept there: shocks are permanent unless a later shock changes them):

* ``set``   -- the value becomes ``value``;
* ``add``   -- ``value`` is added;
* ``scale`` -- the value is multiplied by ``value`` (>= 0);
* ``trend`` -- ``value`` is added per year from ``year`` on (``value`` x years elapsed + 1).

``uncertainty`` (optional) is either a number, the standard deviation of a
normal draw of ``value`` (one draw per Monte Carlo draw), or a pair
``[low, high]``, a uniform draw. A ``baseline`` scenario without shocks is
always included (first); naming one of the scenarios ``baseline`` is an error.

Every validation error is a :class:`~alliance_index.errors.ScenarioError`
whose message starts ``<file> line <n>, field '<field>':`` and says how to fix it.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence, Union

import yaml

from ..catalog import catalog as _catalog
from ..countries import dyad_id
from .._resources import read_utf8
from ..errors import AllianceIndexError, ScenarioError, suggest

PathLike = Union[str, os.PathLike]

OPS: tuple[str, ...] = ("set", "add", "scale", "trend")
PROJECTION_METHODS: tuple[str, ...] = ("auto", "hold", "linear", "holt", "local_linear")
BASELINE = "baseline"
MAX_DRAWS = 1_000_000
MAX_SPAN = 100

Op = Literal["set", "add", "scale", "trend"]
Method = Literal["auto", "hold", "linear", "holt", "local_linear"]


# --------------------------------------------------------------------------- line-tracking safe loader

class _Map(dict):
    """A mapping that remembers the line of itself and of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _List(list):
    line: int = 0
    item_lines: list


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry their source line numbers."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", knode.start_mark) from None
        if key in out:
            raise ScenarioError(f"line {knode.start_mark.line + 1}, field '{key}': appears twice in the same "
                                "mapping; keep one.")
        out[key] = loader.construct_object(vnode, deep=True)
        out.key_lines[key] = knode.start_mark.line + 1
    return out


def _construct_seq(loader: _LineLoader, node: yaml.SequenceNode) -> _List:
    out = _List(loader.construct_object(v, deep=True) for v in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [v.start_mark.line + 1 for v in node.value]
    return out


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


# --------------------------------------------------------------------------- dataclasses

@dataclass(frozen=True)
class Shock:
    """One change to one indicator from ``year`` on.

    Parameters
    ----------
    year : int
        First year affected (must be after the set's ``as_of`` and not after its horizon).
    indicator : str
        Catalog id.
    op : {"set", "add", "scale", "trend"}
        How ``value`` changes the projected path (see the module notes).
    value : float
        In the indicator's unit (``scale``: a factor; ``trend``: change per year).
    uncertainty : float or (float, float) or None
        Standard deviation of a normal draw of ``value``, or ``(low, high)`` of a uniform draw.
    note : str
        What the shock represents.
    """

    year: int
    indicator: str
    op: Op
    value: float
    uncertainty: float | tuple[float, float] | None = None
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """A named list of shocks. ``Scenario.from_yaml(path)`` reads a whole scenario *file*.

    Parameters
    ----------
    name : str
    shocks : sequence of Shock
    description : str
    """

    name: str
    shocks: tuple[Shock, ...] = ()
    description: str = ""

    @classmethod
    def from_yaml(cls, path: PathLike) -> "ScenarioSet":
        """Read a scenario file (see the module notes); returns a :class:`ScenarioSet` ready to ``run()``.

        Examples
        --------
        >>> import alliance_index as ai
        >>> from alliance_index._resources import data_dir
        >>> s = ai.Scenario.from_yaml(data_dir() / "scenarios" / "russia_iran.yaml")
        >>> s.dyad, s.scenarios[0].name
        ('IRN-RUS', 'baseline')
        """
        return ScenarioSet.from_yaml(path)


@dataclass(frozen=True)
class ScenarioSet:
    """Everything one scenario file says: dyad, years, projection, draws, seed, scenarios.

    The baseline (no shocks) is always the first scenario. Build one in Python
    with the constructor (validated like a file), or read a file with
    :meth:`from_yaml`.
    """

    dyad: str
    as_of: int
    horizon: int
    scenarios: tuple[Scenario, ...] = ()
    projection: Mapping[str, str] | str = "auto"
    draws: int = 1000
    seed: int | None = None
    name: str = "scenarios"
    source: str | None = None

    def __post_init__(self) -> None:
        where = self.source or "<scenario set>"
        spec = _validate_set_fields(
            {"dyad": self.dyad, "as_of": self.as_of, "horizon": self.horizon, "projection": self.projection,
             "draws": self.draws, "seed": self.seed},
            where, lambda k: None)
        for k, v in spec.items():
            object.__setattr__(self, k, v)
        scs = list(self.scenarios)
        for s in scs:
            if not isinstance(s, Scenario):
                raise ScenarioError(f"{where}: scenarios must be Scenario objects, got {type(s).__name__}.")
        names = [s.name for s in scs]
        if names.count(BASELINE) > 1 or (BASELINE in names and scs[0].shocks):
            raise ScenarioError(f"{where}, field 'name': '{BASELINE}' is reserved for the scenario without "
                                "shocks (always included); rename your scenario.")
        if BASELINE not in names:
            scs.insert(0, Scenario(BASELINE, (), "no shocks: every indicator follows its projection"))
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ScenarioError(f"{where}, field 'name': scenario name '{dup[0]}' is used twice; names must be unique.")
        for s in scs:
            for sh in s.shocks:
                _check_shock(sh, self.as_of, self.horizon, where, lambda k: None)
        object.__setattr__(self, "scenarios", tuple(scs))

    @property
    def years(self) -> list[int]:
        """Projected years ``as_of + 1 .. horizon``."""
        return list(range(self.as_of + 1, self.horizon + 1))

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def method_for(self, indicator: str) -> str:
        """Projection method of an indicator."""
        if isinstance(self.projection, str):
            return self.projection
        return self.projection.get(indicator, self.projection.get("default", "auto"))

    @classmethod
    def from_yaml(cls, path: PathLike) -> "ScenarioSet":
        """Read and validate a scenario file (safe loader; no code is ever executed)."""
        label = str(path)
        text = read_utf8(path, ScenarioError, "YAML file")
        return cls.from_yaml_text(text, label=label, default_name=Path(label).stem)

    @classmethod
    def from_yaml_text(cls, text: str, label: str = "<yaml>", default_name: str = "scenarios") -> "ScenarioSet":
        """Parse a scenario specification from YAML text (see :meth:`from_yaml`)."""
        try:
            doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader subclasses SafeLoader
        except ScenarioError as exc:
            raise ScenarioError(f"{label} {exc}") from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else "?"
            what = (exc.problem or exc.context or "syntax error").strip()
            raise ScenarioError(f"{label} line {line}: malformed YAML ({what}); check indentation, colons "
                                "and quotes.") from None
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{label}: malformed YAML ({exc}).") from None
        if doc is None:
            raise ScenarioError(f"{label}: the file is empty; it needs dyad, as_of, horizon and scenarios.")
        if not isinstance(doc, _Map):
            raise ScenarioError(f"{label} line 1: the file must be a mapping (dyad: ..., as_of: ..., ...), "
                                f"not a {type(doc).__name__}.")
        return _from_doc(doc, label, default_name)

    def to_dict(self) -> dict:
        """A plain dict that :meth:`from_dict` / YAML would read back to an equal set."""
        return {
            "name": self.name, "dyad": self.dyad, "as_of": self.as_of, "horizon": self.horizon,
            "projection": self.projection if isinstance(self.projection, str) else dict(self.projection),
            "draws": self.draws, "seed": self.seed,
            "scenarios": [
                {"name": s.name, "description": s.description,
                 "shocks": [{"year": k.year, "indicator": k.indicator, "op": k.op, "value": k.value,
                             **({"uncertainty": list(k.uncertainty) if isinstance(k.uncertainty, tuple)
                                 else k.uncertainty} if k.uncertainty is not None else {}),
                             **({"note": k.note} if k.note else {})}
                            for k in s.shocks]}
                for s in self.scenarios if s.name != BASELINE
            ],
        }

    def run(self, obs=None, *, draws: int | None = None, seed=None, classifier=None, index=None,
            dyads: Sequence[str] | None = None):
        """Simulate every scenario; see :func:`alliance_index.scenarios.simulate.run_set`.

        ``obs``: observations (default the bundled panel; rows after ``as_of`` are ignored).
        ``dyads``: run the same scenarios for these dyads instead of the file's one.
        ``classifier=False`` simulates the index only.
        """
        from .simulate import run_set

        return run_set(self, obs=obs, draws=draws, seed=seed, classifier=classifier, index=index, dyads=dyads,
                       _stacklevel=3)


# --------------------------------------------------------------------------- validation

_TOP_FIELDS = ("name", "description", "dyad", "as_of", "horizon", "projection", "draws", "seed", "scenarios")
_SCEN_FIELDS = ("name", "description", "shocks")
_SHOCK_FIELDS = ("year", "indicator", "op", "operation", "value", "uncertainty", "note")


def _err(where: str, line, fieldname: str, msg: str) -> ScenarioError:
    loc = f"{where} line {line}" if line else where
    return ScenarioError(f"{loc}, field '{fieldname}': {msg}")


def _int(v, where, line, fname, what="a whole number") -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise _err(where, line, fname, f"{v!r} is not {what}.")
    return int(v)


def _num(v, where, line, fname) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(float(v)):
        raise _err(where, line, fname, f"{v!r} is not a finite number.")
    return float(v)


def _validate_set_fields(d: Mapping, where: str, line_of) -> dict:
    out: dict[str, Any] = {}
    for req in ("dyad", "as_of", "horizon"):
        if d.get(req) is None:
            raise _err(where, line_of(req), req, f"is required (e.g. {req}: "
                       f"{ {'dyad': 'Russia-Iran', 'as_of': 2023, 'horizon': 2030}[req]}).")
    try:
        out["dyad"] = dyad_id(str(d["dyad"]))
    except (AllianceIndexError, ValueError) as exc:
        raise _err(where, line_of("dyad"), "dyad", str(exc)) from None
    as_of = _int(d["as_of"], where, line_of("as_of"), "as_of", "a year")
    horizon = _int(d["horizon"], where, line_of("horizon"), "horizon", "a year")
    if not 1800 <= as_of <= 2200:
        raise _err(where, line_of("as_of"), "as_of", f"{as_of} is not a plausible year.")
    if horizon <= as_of:
        raise _err(where, line_of("horizon"), "horizon",
                   f"{horizon} is not after as_of {as_of}; the horizon is the last projected year, e.g. {as_of + 7}.")
    if horizon - as_of > MAX_SPAN:
        raise _err(where, line_of("horizon"), "horizon", f"{horizon - as_of} years ahead is more than {MAX_SPAN}.")
    out["as_of"], out["horizon"] = as_of, horizon
    proj = d.get("projection", "auto")
    if proj is None:
        proj = "auto"
    cat = _catalog()
    if isinstance(proj, str):
        if proj not in PROJECTION_METHODS:
            raise _err(where, line_of("projection"), "projection",
                       f"unknown method {proj!r}.{suggest(proj, PROJECTION_METHODS)} "
                       f"Choose one of {', '.join(PROJECTION_METHODS)}.")
        out["projection"] = proj
    elif isinstance(proj, Mapping):
        pl = proj.line_of if isinstance(proj, _Map) else (lambda k: line_of("projection"))
        clean = {}
        for k, v in proj.items():
            if k != "default" and k not in cat.index:
                raise _err(where, pl(k), f"projection.{k}", f"unknown indicator '{k}'.{suggest(str(k), cat.index)}")
            if v not in PROJECTION_METHODS:
                raise _err(where, pl(k), f"projection.{k}", f"unknown method {v!r}.{suggest(str(v), PROJECTION_METHODS)}"
                           f" Choose one of {', '.join(PROJECTION_METHODS)}.")
            clean[str(k)] = str(v)
        out["projection"] = dict(clean)
    else:
        raise _err(where, line_of("projection"), "projection",
                   "must be a method name or a mapping {default: auto, <indicator>: <method>}.")
    draws = d.get("draws", 1000)
    draws = _int(draws, where, line_of("draws"), "draws")
    if not 1 <= draws <= MAX_DRAWS:
        raise _err(where, line_of("draws"), "draws", f"{draws} must be between 1 and {MAX_DRAWS}.")
    out["draws"] = draws
    seed = d.get("seed")
    if seed is not None:
        seed = _int(seed, where, line_of("seed"), "seed", "a non-negative whole number")
        if seed < 0:
            raise _err(where, line_of("seed"), "seed", f"{seed} must be >= 0.")
    out["seed"] = seed
    return out


def _check_shock(sh: Shock, as_of: int, horizon: int, where: str, line_of) -> None:
    cat = _catalog()
    if sh.indicator not in cat.index:
        raise _err(where, line_of("indicator"), "indicator", f"unknown indicator '{sh.indicator}'."
                   f"{suggest(sh.indicator, cat.index) or ' See alliance_index.catalog() for the ids.'}")
    if sh.op not in OPS:
        raise _err(where, line_of("op"), "op", f"unknown operation {sh.op!r}.{suggest(str(sh.op), OPS)} "
                   f"Choose one of {', '.join(OPS)}.")
    if sh.year <= as_of:
        raise _err(where, line_of("year"), "year",
                   f"shock year {sh.year} is not after as_of {as_of}; shocks change the future, "
                   f"so use a year from {as_of + 1} to {horizon}.")
    if sh.year > horizon:
        raise _err(where, line_of("year"), "year",
                   f"shock year {sh.year} is after the horizon {horizon}; move it or extend the horizon.")
    row = cat.loc[sh.indicator]
    lo, hi = float(row["range_min"]), float(row["range_max"])
    v = sh.value
    if sh.op == "set":
        if not lo <= v <= hi:
            raise _err(where, line_of("value"), "value",
                       f"{v:g} is outside the allowed range [{lo:g}, {hi:g}] of {sh.indicator}.")
        if row["kind"] in ("ordinal", "binary", "count") and not float(v).is_integer():
            raise _err(where, line_of("value"), "value",
                       f"{sh.indicator} is {row['kind']} and takes whole numbers; got {v:g}.")
    elif sh.op == "scale":
        if v < 0:
            raise _err(where, line_of("value"), "value", f"a scale factor must be >= 0, got {v:g}.")
    elif sh.op in ("add", "trend"):
        width = hi - lo
        if math.isfinite(width) and abs(v) > width:
            raise _err(where, line_of("value"), "value",
                       f"{sh.op} {v:g} is larger than the whole range [{lo:g}, {hi:g}] of {sh.indicator}.")
    u = sh.uncertainty
    if u is not None:
        if isinstance(u, tuple):
            if len(u) != 2 or not (math.isfinite(u[0]) and math.isfinite(u[1]) and u[0] <= u[1]):
                raise _err(where, line_of("uncertainty"), "uncertainty",
                           f"{u!r} must be a standard deviation or a pair [low, high] with low <= high.")
            if sh.op == "set" and (u[0] < lo or u[1] > hi):
                raise _err(where, line_of("uncertainty"), "uncertainty",
                           f"[{u[0]:g}, {u[1]:g}] leaves the allowed range [{lo:g}, {hi:g}] of {sh.indicator}.")
            if not u[0] <= v <= u[1]:
                raise _err(where, line_of("uncertainty"), "uncertainty",
                           f"[{u[0]:g}, {u[1]:g}] does not contain the value {v:g}.")
        elif not (math.isfinite(u) and u >= 0):
            raise _err(where, line_of("uncertainty"), "uncertainty", f"{u!r} must be a standard deviation >= 0.")


def _shock_from(d: Any, where: str, line: int) -> Shock:
    if not isinstance(d, Mapping):
        raise _err(where, line, "shocks", "each shock must be a mapping {year, indicator, op, value[, uncertainty]}.")
    lo = d.line_of if isinstance(d, _Map) else (lambda k: line)
    for k in d:
        if k not in _SHOCK_FIELDS:
            raise _err(where, lo(k), str(k), f"unknown shock field.{suggest(str(k), _SHOCK_FIELDS)} "
                       "A shock has year, indicator, op, value and optional uncertainty, note.")
    for req in ("year", "indicator", "value"):
        if req not in d or d[req] is None:
            raise _err(where, d.line if isinstance(d, _Map) else line, req, "is required in every shock.")
    op = d.get("op", d.get("operation"))
    if op is None:
        raise _err(where, d.line if isinstance(d, _Map) else line, "op", f"is required: one of {', '.join(OPS)}.")
    year = _int(d["year"], where, lo("year"), "year", "a year")
    value = _num(d["value"], where, lo("value"), "value")
    u = d.get("uncertainty")
    if u is not None:
        if isinstance(u, (list, tuple)):
            if len(u) != 2:
                raise _err(where, lo("uncertainty"), "uncertainty", "a range must be [low, high].")
            u = (_num(u[0], where, lo("uncertainty"), "uncertainty"), _num(u[1], where, lo("uncertainty"), "uncertainty"))
        else:
            u = _num(u, where, lo("uncertainty"), "uncertainty")
    ind = d["indicator"]
    if not isinstance(ind, str):
        raise _err(where, lo("indicator"), "indicator", f"{ind!r} is not an indicator id.")
    return Shock(year=year, indicator=ind.strip(), op=str(op).strip(), value=value, uncertainty=u,
                 note=str(d.get("note", "") or ""))


def _from_doc(doc: "_Map", label: str, default_name: str) -> ScenarioSet:
    for k in doc:
        if k not in _TOP_FIELDS:
            raise _err(label, doc.line_of(k), str(k), f"unknown field.{suggest(str(k), _TOP_FIELDS)} "
                       f"Known fields: {', '.join(_TOP_FIELDS)}.")
    base = _validate_set_fields(doc, label, doc.line_of)
    raw = doc.get("scenarios")
    if raw is None:
        raw = _List()
        raw.line, raw.item_lines = doc.line_of("scenarios"), []
    if not isinstance(raw, list):
        raise _err(label, doc.line_of("scenarios"), "scenarios", "must be a list of {name, shocks} mappings.")
    scs: list[Scenario] = []
    seen: dict[str, int] = {}
    item_lines = getattr(raw, "item_lines", [doc.line_of("scenarios")] * len(raw))
    for i, s in enumerate(raw):
        ln = item_lines[i]
        if not isinstance(s, Mapping):
            raise _err(label, ln, "scenarios", "each scenario must be a mapping with name and shocks.")
        sl = s.line_of if isinstance(s, _Map) else (lambda k: ln)
        for k in s:
            if k not in _SCEN_FIELDS:
                raise _err(label, sl(k), str(k), f"unknown scenario field.{suggest(str(k), _SCEN_FIELDS)} "
                           "A scenario has name, description and shocks.")
        name = s.get("name")
        if not isinstance(name, str) or not name.strip():
            raise _err(label, sl("name"), "name", "each scenario needs a non-empty name.")
        name = name.strip()
        if name in seen:
            raise _err(label, sl("name"), "name", f"scenario name '{name}' is already used at line {seen[name]}.")
        if name == BASELINE and s.get("shocks"):
            raise _err(label, sl("name"), "name", f"'{BASELINE}' is reserved for the scenario without shocks "
                       "(always included); rename this one.")
        seen[name] = sl("name")
        shocks_raw = s.get("shocks") or []
        if not isinstance(shocks_raw, list):
            raise _err(label, sl("shocks"), "shocks", "must be a list of shocks.")
        sh_lines = getattr(shocks_raw, "item_lines", [sl("shocks")] * len(shocks_raw))
        shocks = []
        for j, d in enumerate(shocks_raw):
            sh = _shock_from(d, label, sh_lines[j])
            lo = d.line_of if isinstance(d, _Map) else (lambda k, _l=sh_lines[j]: _l)
            _check_shock(sh, base["as_of"], base["horizon"], label, lo)
            shocks.append(sh)
        scs.append(Scenario(name=name, shocks=tuple(shocks), description=str(s.get("description", "") or "")))
    name = doc.get("name") or default_name
    return ScenarioSet(scenarios=tuple(scs), name=str(name), source=label, **base)


def scenario_set(dyad: str, as_of: int, horizon: int, scenarios: Sequence[Scenario] = (), **kw) -> ScenarioSet:
    """Convenience constructor (validated like a file)."""
    return ScenarioSet(dyad=dyad, as_of=as_of, horizon=horizon, scenarios=tuple(scenarios), **kw)
