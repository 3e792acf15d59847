"""Review 9 (PART unc), findings 2, 4, 6, 7, 8: the statistics of the scenario engine and the trend test."""
from __future__ import annotations

import functools
import importlib.util
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import MethodError, ScenarioError
from alliance_index.scenarios import Scenario, ScenarioSet, Shock
from alliance_index.scenarios.projection import conform, project
from alliance_index.scenarios.trend import trend_records, trend_test


@functools.cache
def _script():
    """scripts/trend_false_call_rate.py, which measured the docs' false-call table (its AR(1) generator
    and candidate intervals serve the tests too)."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "trend_false_call_rate.py"
    spec = importlib.util.spec_from_file_location("trend_false_call_rate", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _null_rate(n, rho, reps, seed):
    y = _script().ar1(np.random.default_rng(seed), reps, n, rho)
    years = np.arange(2010, 2010 + n)
    sc = pd.DataFrame({"dyad": np.repeat([f"D{i:04d}" for i in range(reps)], n), "year": np.tile(years, reps),
                       "p_de_jure": y.ravel()})
    t = trend_test(scores=sc)
    assert len(t) == reps
    return float(t["direction"].isin(["rising", "falling"]).mean())


# --------------------------------------------------------------------------- finding 2: trend false-call rate

def test_trend_false_call_rate_under_iid_noise_is_near_nominal():
    # 90% interval: a direction should be called about 10% of the time when there is no trend.
    # The Newey-West interval called one 23% of the time here (n = 10, iid).
    rate = _null_rate(10, 0.0, 600, seed=20261129)
    assert rate <= 0.15


def test_trend_false_call_rate_under_ar1_is_not_far_above_nominal():
    # measured 12-17% for rho = 0.5 at n = 6..16 (docs/scenarios.md); the HAC interval gave 37-42%
    assert _null_rate(8, 0.5, 600, seed=7) <= 0.24


def test_trend_keeps_output_keys_and_reports_n_eff():
    years = np.arange(2000, 2016)
    rng = np.random.default_rng(0)
    sc = pd.DataFrame({"dyad": "AAA-BBB", "year": years,
                       "p_de_jure": 0.1 + 0.03 * (years - 2000) + rng.normal(0, 0.01, 16)})
    t = trend_test(scores=sc)
    r = t.iloc[0]
    assert r["direction"] == "rising" and 2 < r["n_eff"] <= 16
    assert r["ci_lo"] < r["slope"] < r["ci_hi"]
    rec = trend_records(t)["AAA-BBB"]
    assert set(rec) == {"measure", "direction", "slope", "slope_interval", "years", "n_years", "p_value",
                        "fitted_change"}
    json.dumps(rec)


def test_trend_too_persistent_series_is_flat_with_unbounded_interval():
    # one smooth wave: the residuals of the line are strongly autocorrelated (r1 ~ 0.9), so n_eff <= 2
    years = np.arange(2010, 2026)
    v = 0.5 + 0.1 * np.sin(2 * np.pi * np.arange(16) / 16)
    t = trend_test(scores=pd.DataFrame({"dyad": "AAA-BBB", "year": years, "p_de_jure": v}))
    r = t.iloc[0]
    assert r["n_eff"] <= 2 and r["direction"] == "flat"
    assert r["ci_lo"] == -np.inf and r["ci_hi"] == np.inf and r["p_value"] == 1.0
    assert trend_records(t)["AAA-BBB"]["slope_interval"] == [None, None]


def test_trend_module_no_longer_claims_the_interval_is_wide():
    import alliance_index.scenarios.trend as tr

    assert "wide and ``flat`` is the honest answer" not in tr.__doc__
    assert "Nychka" in tr.__doc__


# --------------------------------------------------------------------------- finding 4: Student-t predictive

def test_linear_one_step_band_equals_statsmodels_ols_prediction_interval():
    import statsmodels.api as sm

    t = np.arange(2015, 2021)
    y = np.array([1.0, 1.8, 2.1, 3.4, 3.6, 4.9])
    p = project(t, y, 2023, method="linear", n_paths=100_000, seed=0)
    X = sm.add_constant(t - t[-1])
    pi = sm.OLS(y, X).fit().get_prediction(sm.add_constant(np.arange(1.0, 4.0), has_constant="add"))
    ref = pi.conf_int(obs=True, alpha=0.1)
    # MC error of a 5th/95th percentile from 1e5 draws of a t(4) with scale ~0.5: about 0.005
    assert p.lower == pytest.approx(ref[:, 0], abs=0.03)
    assert p.upper == pytest.approx(ref[:, 1], abs=0.03)


@pytest.mark.parametrize("method", ["hold", "linear"])
def test_projection_interval_covers_at_n6(method):
    rng = np.random.default_rng(5)
    n, reps, hit = 6, 1500, 0
    for r in range(reps):
        y = np.cumsum(rng.normal(size=n + 1)) if method == "hold" else 0.5 * np.arange(n + 1) + rng.normal(size=n + 1)
        p = project(np.arange(n), y[:n], n, method=method, n_paths=400, seed=r)
        hit += p.lower[0] <= y[n] <= p.upper[0]
    assert hit / reps >= 0.88  # plug-in normal: 0.82-0.85


# --------------------------------------------------------------------------- finding 6: a shock that cannot act

def _stale_set(shocks):
    return ScenarioSet(dyad="Russia-Iran", as_of=2023, horizon=2026, draws=50, seed=7,
                       scenarios=(Scenario("x", tuple(shocks)),))


@pytest.mark.parametrize("op,value", [("add", 0.3), ("scale", 1.5), ("trend", 0.05)])
def test_shock_on_indicator_unobserved_in_every_draw_is_an_error(op, value):
    from alliance_index.scenarios.simulate import run_set

    # unga_agreement of IRN-RUS was last observed in 2019: stale at as_of 2023, NaN in every draw
    with pytest.raises(ScenarioError, match=r"scenario 'x'.*`" + op + r"`.*unga_agreement.*2019.*op: set.*2022"):
        run_set(_stale_set([Shock(2025, "unga_agreement", op, value)]), classifier=False)


def test_shock_after_a_set_on_a_stale_indicator_acts():
    from alliance_index.scenarios.simulate import run_set

    s = _stale_set([Shock(2024, "unga_agreement", "set", 0.5), Shock(2025, "unga_agreement", "add", 0.3)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = run_set(s, classifier=False)["x"].first_differences["d_index"].to_numpy()
    assert np.any(d[1:] != 0)


# --------------------------------------------------------------------------- finding 7: duplicates and fallbacks

def test_duplicate_years_are_an_error_naming_the_year():
    with pytest.raises(MethodError, match="2020"):
        project([2020, 2020, 2021, 2022], [1.0, 2.0, 3.0, 4.0], 2024, method="hold", seed=0)
    # a duplicate whose second value is missing is not a duplicate observation
    p = project([2020, 2020, 2021, 2022], [1.0, np.nan, 3.0, 4.0], 2024, method="hold", seed=0)
    assert np.all(np.isfinite(p.lower))


@pytest.mark.parametrize("years,values,method", [
    ([2021, 2022], [1.0, 3.0], "linear"),
    (range(2018, 2023), [5.0] * 5, "holt"),
    ([2020, 2021, 2022], [1.0, 2.0, 2.5], "local_linear"),
])
def test_fallback_reports_the_method_that_ran(years, values, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = project(years, values, 2025, method=method, seed=0)
    assert p.method == "hold" and p.requested == method


def test_projection_methods_of_a_run_name_the_method_that_ran():
    from alliance_index.catalog import catalog
    from alliance_index.observations import load_panel
    from alliance_index.scenarios.simulate import prepare

    obs = load_panel(["Russia-Iran"])
    s = ScenarioSet(dyad="Russia-Iran", as_of=2023, horizon=2025, draws=20, seed=1, projection="linear")
    prep = prepare(s, obs[obs["year"] <= 2023], draws=20, rng=np.random.default_rng(0),
                   names=list(catalog().index), classifier=None)
    n_obs = prep.anchors.set_index("indicator")["n_obs"]
    methods = pd.Series(prep.methods)
    assert (methods[n_obs[n_obs < 3].index] == "hold").all()
    assert (methods[n_obs[n_obs >= 3].index] == "linear").all()


# --------------------------------------------------------------------------- finding 8: mean vs median

def test_log1p_mean_is_the_path_mean_and_median_the_back_transformed_forecast():
    y = np.expm1(np.cumsum(np.random.default_rng(0).normal(0, 0.5, 10)) + 5)
    p = project(np.arange(2010, 2020), y, 2030, method="hold", log1p=True, n_paths=20000, seed=1)
    assert p.mean == pytest.approx(p.paths.mean(axis=0))
    assert p.median == pytest.approx(np.full(11, y[-1]))
    assert np.median(p.paths[:, -1]) == pytest.approx(y[-1], rel=0.05)
    assert p.mean[-1] > 1.5 * p.median[-1]


def test_median_equals_mean_on_the_own_scale():
    p = project(np.arange(2010, 2020), np.arange(10.0) ** 1.1, 2024, method="linear", n_paths=500, seed=1)
    assert p.median == pytest.approx(p.mean)


def test_conform_rounds_half_to_even_as_documented():
    out = conform(np.array([0.5, 1.5, 2.5, -0.5]), "count", -10, 10)
    assert out.tolist() == [0.0, 2.0, 2.0, -0.0]
    assert "even" in conform.__doc__ and "away from zero" not in conform.__doc__


def test_trend_slope_matches_the_measured_candidate_of_the_script():
    # docs/scenarios.md's false-call table comes from scripts/trend_false_call_rate.py: trend.py must be its (c)
    from alliance_index.scenarios.trend import _slope

    mod = _script()
    for n, rho in ((5, 0.0), (9, 0.5), (14, 0.8)):
        y = mod.ar1(np.random.default_rng(n), 200, n, rho)
        want = mod.calls(y)["c_nychka"]
        got = np.array([_slope(np.arange(2000, 2000 + n), v, 0.90)[-1] != "flat" for v in y])
        assert (got == want).all()


def test_trend_test_maxlags_removed_with_a_clear_error():
    scores = pd.DataFrame({"dyad": "AAA-BBB", "year": range(2010, 2020), "p_de_jure": np.linspace(0.1, 0.5, 10)})
    with pytest.raises(MethodError, match=r"maxlags=2: .*since 0\.6\.0.*drop the argument"):
        trend_test(scores=scores, maxlags=2)
    assert trend_test(scores=scores)["direction"].iloc[0] == "rising"
