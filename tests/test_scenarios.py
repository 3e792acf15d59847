"""Tests of alliance_index.scenarios: spec validation, projection, simulation, CLI."""
from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import ScenarioError
from alliance_index.scenarios import Scenario, ScenarioSet, Shock
from alliance_index.scenarios.projection import _rw_fit, conform, project

GOOD = """\
name: test set
dyad: Russia-Iran
as_of: 2023
horizon: 2027
draws: 50
seed: 7
scenarios:
  - name: more_backing
    description: explicit support
    shocks:
      - {year: 2025, indicator: diplomatic_backing, op: set, value: 3}
      - year: 2026
        indicator: trade_usd
        op: scale
        value: 2
        uncertainty: 0.3
"""


def _write(tmp_path, text, name="s.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_good_file_parses(tmp_path):
    s = Scenario.from_yaml(_write(tmp_path, GOOD))
    assert isinstance(s, ScenarioSet)
    assert s.dyad == "IRN-RUS" and s.as_of == 2023 and s.horizon == 2027
    assert s.names == ["baseline", "more_backing"]
    assert s.scenarios[1].shocks[1] == Shock(2026, "trade_usd", "scale", 2.0, 0.3)
    assert s.years == [2024, 2025, 2026, 2027]
    # python objects validate the same way and round-trip through to_dict
    again = ScenarioSet(**{k: v for k, v in s.to_dict().items() if k != "scenarios"},
                        scenarios=tuple(s.scenarios[1:]))
    assert again.scenarios == s.scenarios


@pytest.mark.parametrize("old,new,line,field", [
    ("indicator: trade_usd", "indicator: trade_usdd", 13, "indicator"),            # unknown indicator
    ("dyad: Russia-Iran", "dyad: Rusia-Iran", 2, "dyad"),                           # unknown country
    ("- {year: 2025,", "- {year: 2021,", 11, "year"),                               # shock before as_of
    ("value: 3}", "value: 5}", 11, "value"),                                        # outside range 0-3
    ("horizon: 2027", "horizon: 2020", 4, "horizon"),                               # horizon before as_of
    ("op: scale", "op: scael", 14, "op"),                                           # unknown operation
    ("value: 2\n", "value: two\n", 15, "value"),                                    # not a number
    ("uncertainty: 0.3", "uncertainty: -1", 16, "uncertainty"),
    ("draws: 50", "draws: 0", 5, "draws"),
    ("seed: 7", "sead: 7", 6, "sead"),                                              # unknown field
    ("- {year: 2025,", "- {year: 2031,", 11, "year"),                               # after horizon
    ("value: 3}", "value: 2.5}", 11, "value"),                                      # ordinal not whole
])
def test_bad_input_names_line_and_field(tmp_path, old, new, line, field):
    assert old in GOOD
    p = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ScenarioError) as ei:
        ScenarioSet.from_yaml(p)
    msg = str(ei.value)
    assert msg.startswith(f"{p} line {line}, field '{field}':"), msg
    assert "\n" not in msg


def test_unknown_indicator_suggests(tmp_path):
    p = _write(tmp_path, GOOD.replace("indicator: trade_usd", "indicator: trade_usdd"))
    with pytest.raises(ScenarioError, match="Did you mean: trade_usd"):
        ScenarioSet.from_yaml(p)


@pytest.mark.parametrize("text,needle", [
    ("dyad: [unclosed\nas_of: 2023\n", "malformed YAML"),
    ("dyad: Russia-Iran\n  as_of: 2023\n horizon: x\n", "malformed YAML"),
    ("", "empty"),
    ("- a\n- b\n", "must be a mapping"),
    ("dyad: Russia-Iran\nas_of: 2023\nas_of: 2024\nhorizon: 2030\n", "appears twice"),
])
def test_malformed_yaml(tmp_path, text, needle):
    p = _write(tmp_path, text)
    with pytest.raises(ScenarioError, match=needle) as ei:
        ScenarioSet.from_yaml(p)
    assert str(ei.value).startswith(str(p))


def test_safe_loader_never_executes_code(tmp_path):
    p = _write(tmp_path, "dyad: !!python/object/apply:os.system ['echo pwned']\nas_of: 2023\nhorizon: 2030\n")
    with pytest.raises(ScenarioError, match="malformed YAML"):
        ScenarioSet.from_yaml(p)


def test_baseline_reserved_and_duplicates(tmp_path):
    bad = GOOD.replace("name: more_backing", "name: baseline")
    with pytest.raises(ScenarioError, match="reserved"):
        ScenarioSet.from_yaml(_write(tmp_path, bad))
    dup = GOOD + "  - name: more_backing\n    shocks: []\n"
    with pytest.raises(ScenarioError, match="already used at line 8"):
        ScenarioSet.from_yaml(_write(tmp_path, dup))


def test_python_objects_validate():
    with pytest.raises(ScenarioError, match="field 'year'"):
        ScenarioSet("Russia-Iran", 2023, 2030, (Scenario("x", (Shock(2020, "trade_usd", "set", 1.0),)),))
    with pytest.raises(ScenarioError, match="field 'horizon'"):
        ScenarioSet("Russia-Iran", 2023, 2023)
    s = ScenarioSet("Russia-Iran", 2023, 2030)
    assert s.names == ["baseline"]


# --------------------------------------------------------------------------- projection

def test_hold_closed_form_equals_statsmodels_random_walk():
    import statsmodels.api as sm

    t = np.array([2010, 2011, 2012, 2014, 2015, 2018, 2019, 2020])
    y = np.array([1.0, 1.5, 1.2, 2.0, 2.4, 2.1, 3.0, 2.8])
    sigma, ll = _rw_fit(t, y)
    full = np.full(t[-1] - t[0] + 1, np.nan)
    full[t - t[0]] = y
    res = sm.tsa.UnobservedComponents(full, "random walk").fit(disp=False)
    assert sigma == pytest.approx(np.sqrt(res.params[0]), rel=1e-3)
    assert ll == pytest.approx(res.llf, rel=1e-4)
    f = res.get_forecast(3)
    p = project(t, y, 2023, method="hold", n_paths=20000, seed=1)
    assert p.mean == pytest.approx(np.asarray(f.predicted_mean))
    assert p.paths.std(axis=0) == pytest.approx(np.sqrt(np.asarray(f.var_pred_mean)), rel=0.03)


@pytest.mark.parametrize("method", ["hold", "linear", "holt", "local_linear", "auto"])
@pytest.mark.parametrize("kind,lo,hi,vals", [
    ("count", 0, np.inf, [0, 1, 1, 2, 3, 3, 4, 6, 5, 7]),
    ("ordinal", 0, 3, [0, 1, 1, 2, 2, 3, 3, 3, 2, 3]),
    ("binary", 0, 1, [0, 0, 1, 1, 0, 1, 1, 1, 1, 1]),
    ("share", 0, 1, [0.5, 0.6, 0.65, 0.7, 0.8, 0.85, 0.9, 0.93, 0.97, 0.99]),
])
def test_projection_respects_range_and_kind(method, kind, lo, hi, vals):
    years = np.arange(2010, 2020)
    p = project(years, vals, 2030, method=method, kind=kind, lo=lo, hi=hi, n_paths=300, seed=3)
    assert p.paths.shape == (300, 11)
    assert np.all(p.paths >= lo) and np.all(p.paths <= hi)
    if kind in ("count", "ordinal", "binary"):
        assert np.all(p.paths == np.round(p.paths))
    if kind == "binary":
        assert set(np.unique(p.paths)) <= {0.0, 1.0}
    assert np.all(p.lower <= p.upper)


def test_projection_log_scale_and_interval_widens():
    p = project([2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023], [2000, 2100, 1800, 2000, 2200, 4000, 4600, 4000],
                2030, method="hold", kind="continuous", lo=0, log1p=True, n_paths=4000, seed=5)
    width = p.upper - p.lower
    assert np.all(np.diff(width) > 0)
    assert np.all(p.paths > 0)
    assert np.median(p.paths[:, -1]) == pytest.approx(4000, rel=0.1)


def test_auto_rule():
    from alliance_index.scenarios.projection import choose_method

    t = np.arange(2010, 2022)
    assert choose_method(t, np.arange(12) * 2.0 + 1, "ordinal") == "hold"
    assert choose_method(t[:4], np.array([1.0, 2, 3, 4]), "count") == "hold"
    assert choose_method(t, np.arange(12) * 2.0 + np.sin(np.arange(12)) * 0.1, "continuous") == "linear"
    rw = np.cumsum(np.random.default_rng(0).standard_normal(12))
    assert choose_method(t, rw, "continuous") in ("hold", "linear")


def test_conform():
    x = np.array([-0.4, 0.6, 2.7, np.nan])
    assert np.array_equal(conform(x, "ordinal", 0, 2), np.array([0, 1, 2, np.nan]), equal_nan=True)
    assert np.allclose(conform(x[:3], "share", 0, 1), [0, 0.6, 1])
