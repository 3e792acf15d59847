"""Each plot function on the bundled data: axes, labels, series; no pyplot state."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402

import alliance_index as ai  # noqa: E402
from alliance_index import plotting as P  # noqa: E402
from alliance_index.catalog import DOMAINS  # noqa: E402
from alliance_index.errors import DyadError, MethodError, ObservationsError  # noqa: E402
from alliance_index.index import CompositeIndex  # noqa: E402

PAIR = ["Russia-Belarus", "Russia-Iran"]


@pytest.fixture(scope="module")
def obs():
    return ai.load_panel()


@pytest.fixture(scope="module")
def scores(obs):
    return P.scores_for(obs)


@pytest.fixture(autouse=True)
def no_global_state():
    before_figs = plt.get_fignums()
    rc = dict(matplotlib.rcParams)
    yield
    assert plt.get_fignums() == before_figs, "a plot function registered a pyplot figure"
    changed = [k for k, v in matplotlib.rcParams.items() if rc.get(k) != v and k != "backend"]
    assert not changed, f"rcParams changed: {changed[:5]}"


def _hex(c):
    return mcolors.to_hex(c).lower()


def test_palette_is_okabe_ito():
    assert P.OKABE_ITO["orange"] == "#E69F00" and P.OKABE_ITO["blue"] == "#0072B2"
    assert len(set(P.PALETTE)) == 8 and set(P.PALETTE) == set(P.OKABE_ITO.values())
    assert P.COOPERATION_COLOR != P.DISCORD_COLOR


def test_domain_profile_bars(scores):
    ax = P.plot_domain_profile(scores, year=2023, dyads=PAIR)
    assert len(ax.containers) == 4  # cooperation + discord for each dyad
    for cont in ax.containers:
        assert len(cont.patches) == len(DOMAINS)
    labels = [c.get_label() for c in ax.containers]
    assert labels == ["BLR-RUS cooperation", "BLR-RUS discord", "IRN-RUS cooperation", "IRN-RUS discord"]
    assert "0–100" in ax.get_ylabel() and ax.get_xlabel() == "domain"
    assert [t.get_text() for t in ax.get_xticklabels()] == [d.capitalize() for d in DOMAINS]
    assert "2023" in ax.get_title()
    row = scores[(scores["dyad"] == "IRN-RUS") & (scores["year"] == 2023)].iloc[0]
    coop = [p.get_height() for p in ax.containers[2].patches]
    disc = [p.get_height() for p in ax.containers[3].patches]
    for k, d in enumerate(DOMAINS):
        np.testing.assert_allclose(coop[k], row[f"dom_{d}_cooperation"], equal_nan=True)
        np.testing.assert_allclose(disc[k], -row[f"dom_{d}_discord"], equal_nan=True)
    # the two dyads have distinct colours from the palette
    c0 = _hex(ax.containers[0].patches[0].get_facecolor())
    c2 = _hex(ax.containers[2].patches[0].get_facecolor())
    assert c0 != c2 and c0 in {p.lower() for p in P.PALETTE}


def test_domain_profile_marks_unobserved_domains(scores):
    # BLR-RUS has no regional cooperation indicator observed in 2025: marked n/o, bar height NaN
    row = scores[(scores["dyad"] == "BLR-RUS") & (scores["year"] == 2025)].iloc[0]
    assert np.isnan(row["dom_regional_cooperation"])
    ax = P.plot_domain_profile(scores, year=2025, dyads=PAIR)
    assert any(t.get_text() == "n/o" for t in ax.texts)
    assert np.isnan(ax.containers[0].patches[DOMAINS.index("regional")].get_height())


def test_domain_profile_from_dyads_and_radar(obs):
    ax = P.plot_domain_profile(PAIR, kind="radar")
    assert ax.name == "polar"
    assert len(ax.lines) == 4
    assert [ln.get_linestyle() for ln in ax.lines] == ["-", "--", "-", "--"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [d.capitalize() for d in DOMAINS]
    assert ax.get_ylim() == (0.0, 100.0)
    fig_ax = P.plot_domain_profile(PAIR)  # default: latest common year
    assert len(fig_ax.containers) == 4


def test_domain_profile_errors(scores):
    with pytest.raises(ObservationsError, match="1990"):
        P.plot_domain_profile(scores, year=1990, dyads=PAIR)
    with pytest.raises(DyadError, match="USA-VEN"):
        P.plot_domain_profile(scores, dyads=["USA-VEN"])
    with pytest.raises(DyadError, match="dyads="):
        P.plot_domain_profile(scores)  # 20 dyads: too many to draw at once
    with pytest.raises(MethodError, match="bars or radar"):
        P.plot_domain_profile(scores, dyads=PAIR, kind="pie")
    from matplotlib.figure import Figure

    with pytest.raises(MethodError, match="polar"):
        P.plot_domain_profile(scores, dyads=PAIR, kind="radar", ax=Figure().add_subplot())


def test_timeseries_index_only(scores):
    sc = scores.copy()
    sc[["p_de_jure", "p_de_jure_lo", "p_de_jure_hi"]] = np.nan
    ax = P.plot_timeseries(sc, PAIR)
    # solid lines over the complete years; the bundled 2026 (coded to date) as separate hollow points
    assert [ln.get_label() for ln in ax.lines] == ["BLR-RUS index", "BLR-RUS index, year coded to date",
                                                   "IRN-RUS index", "IRN-RUS index, year coded to date"]
    assert ax.get_xlabel() == "year" and ax.get_ylabel() == "alliance index (0–100)"
    assert ax.p_axis is None
    assert any("not available" in t.get_text() for t in ax.texts)
    x = ax.lines[2].get_xdata()
    irn = scores["dyad"] == "IRN-RUS"
    assert len(x) == int((irn & ~scores["provisional"]).sum())
    assert list(ax.lines[3].get_xdata()) == scores.loc[irn & scores["provisional"], "year"].tolist()


def test_timeseries_with_p_and_bands(scores):
    # interval columns as a classifier / uncertainty run would give them (values made up here to test drawing)
    sc = scores[scores["dyad"].isin(["BLR-RUS", "IRN-RUS"])].copy()
    sc["p_de_jure"] = np.where(sc["dyad"] == "BLR-RUS", 0.8, 0.2)
    sc["p_de_jure_lo"] = sc["p_de_jure"] - 0.1
    sc["p_de_jure_hi"] = sc["p_de_jure"] + 0.1
    sc["index_lo"] = sc["index"] - 5
    sc["index_hi"] = sc["index"] + 5
    ax = P.plot_timeseries(sc, PAIR)
    assert ax.p_axis is not None
    labels = [ln.get_label() for ln in ax.p_axis.lines if not ln.get_label().startswith("_")]
    # dashed lines over the complete years, hollow diamonds (with an interval bar) for the 2026 rows coded to date
    assert labels == ["BLR-RUS p_de_jure", "BLR-RUS p_de_jure, year coded to date",
                      "IRN-RUS p_de_jure", "IRN-RUS p_de_jure, year coded to date"]
    assert "p_de_jure" in ax.p_axis.get_ylabel() and ax.p_axis.get_ylim() == (0.0, 1.0)
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2  # index bands
    assert sum(isinstance(c, PolyCollection) for c in ax.p_axis.collections) == 2  # p bands


def test_contributions_sum_to_index(obs):
    panel = ai.to_panel(obs, validate=False)
    for kw in ({}, {"evidence": True, "discord_exponent": 2.0, "domain_weights": {"military": 2.0}}):
        m = CompositeIndex(**kw).fit(panel)
        s = m.transform(panel).dropna(subset=["index"])
        for (d, y), row in s.sample(12, random_state=0).iterrows():
            c = P.contributions(d, y, panel, model=m)
            assert c["contribution"].sum() == pytest.approx(row["index"], abs=1e-9)
            assert c.attrs["cooperation"] == pytest.approx(row["cooperation"], abs=1e-9)
            # cooperation indicators push up, discord indicators push down
            assert (c.loc[c["side"] == "cooperation", "contribution"] >= 0).all()
            assert (c.loc[c["side"] == "discord", "contribution"] <= 0).all()
            # only observed indicators, none counted as zero
            assert c["value"].notna().all()


def test_contributions_errors(obs):
    with pytest.raises(MethodError, match="arithmetic"):
        P.contributions("Russia-Iran", 2023, obs, model=CompositeIndex(aggregation="geometric"))
    with pytest.raises(ObservationsError, match="1990"):
        P.contributions("Russia-Iran", 1990, obs)
    with pytest.raises(ObservationsError, match="USA-VEN"):
        P.contributions("USA-VEN", 2023, obs)


def test_plot_contributions(obs):
    c = P.contributions("Russia-Iran", 2023, obs)
    ax = P.plot_contributions("Russia-Iran", 2023, obs)
    assert len(ax.patches) == int(c["contribution"].notna().sum())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "trade_usd (economic)" in labels
    assert "index points" in ax.get_xlabel() and ax.get_ylabel() == "indicator (domain)"
    assert "IRN-RUS 2023" in ax.get_title()
    colours = {_hex(p.get_facecolor()) for p in ax.patches}
    assert colours <= {P.COOPERATION_COLOR.lower(), P.DISCORD_COLOR.lower()}
    # bar for trade_usd has the computed length
    w = dict(zip(labels, [p.get_width() for p in ax.patches]))
    assert w["trade_usd (economic)"] == pytest.approx(c.loc["trade_usd", "contribution"])
    ax5 = P.plot_contributions("Russia-Iran", 2023, obs, top=5)
    assert len(ax5.patches) == 5


def _fan_frame():
    yrs = np.arange(2024, 2031)
    t = np.arange(len(yrs), dtype=float)
    rows = []
    for name, shift in (("baseline", 0.0), ("trade_40bn", 8.0)):
        rows.append(pd.DataFrame({"scenario": name, "year": yrs, "index_p5": 20 + shift - t, "index_p25": 25 + shift,
                                  "index_p50": 30 + shift + 0 * t, "index_p75": 35 + shift, "index_p95": 40 + shift + t}))
    return pd.concat(rows, ignore_index=True)


def test_scenario_fan_from_frame():
    fan = _fan_frame()
    ax = P.plot_scenario_fan(fan, "trade_40bn")
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(polys) == 2  # 5–95 and 25–75
    assert [ln.get_label() for ln in ax.lines] == ["median"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 38.0)
    assert ax.get_xlabel() == "year" and "0–100" in ax.get_ylabel()
    assert "trade_40bn" in ax.get_title()
    hist = pd.DataFrame({"year": [2021, 2022, 2023], "index": [30.0, 26.0, 28.0]})
    ax2 = P.plot_scenario_fan(fan, history=hist)
    assert [ln.get_label() for ln in ax2.lines] == ["median", "observed"]
    assert "baseline" in ax2.get_title()


def test_scenario_fan_errors():
    fan = _fan_frame()
    with pytest.raises(MethodError, match="trade_40bm"):
        P.plot_scenario_fan(fan, "trade_40bm")
    with pytest.raises(MethodError, match="index_p50"):
        P.plot_scenario_fan(fan.drop(columns="index_p50"))
    with pytest.raises(MethodError, match="scenario result"):
        P.plot_scenario_fan([1, 2, 3])


class LogisticOnIndex:
    """Test double of the simulator's classifier protocol (NOT a model of anything): p = logistic((index - 50) / 10 + e)
    with one parameter e ~ N(0, 0.1) per draw. It lets the plotting of real scenario results be tested
    whether or not alliance_index.models is installed."""

    def draw_parameters(self, n_draws, rng):
        return rng.normal(0.0, 0.1, size=(n_draws, 1))

    def p_de_jure(self, features, params, draw_ids):
        z = (features["index"].to_numpy(dtype=float) - 50.0) / 10.0 + params[draw_ids, 0]
        return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture(scope="module")
def scenario_result():
    from alliance_index._resources import data_dir
    from alliance_index.scenarios import Scenario

    path = data_dir() / "scenarios" / "russia_iran.yaml"
    if not path.is_file():
        pytest.skip("bundled Russia–Iran scenario file not present")
    return Scenario.from_yaml(path).run(draws=150, seed=1, classifier=LogisticOnIndex())


def test_scenario_fan_on_bundled_scenario(scenario_result):
    res = scenario_result
    for name in (None, "trade_40bn"):
        ax = P.plot_scenario_fan(res, name)
        assert ax.get_xlabel() == "year" and "0–100" in ax.get_ylabel()
        assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
        assert [ln.get_label() for ln in ax.lines] == ["median"]
        assert (name or "baseline") in ax.get_title()
        fan = res.fan(name or "baseline")
        np.testing.assert_allclose(ax.lines[0].get_ydata(), fan["index_p50"].to_numpy(dtype=float))
    ax = P.plot_scenario_fan(res.fan(), "su35_and_recognition", measure="p_de_jure")
    assert ax.get_ylim() == (0.0, 1.0) and "p_de_jure" in ax.get_ylabel()


def test_rank_intervals(obs):
    from alliance_index.uncertainty import Choice, ChoiceSpace, monte_carlo

    space = ChoiceSpace([Choice("normalisation", ["goalposts", "minmax"]),
                         Choice("aggregation", ["arithmetic", "geometric"])])
    res = monte_carlo(obs, space, n_draws=24, seed=3)
    ax = P.plot_rank_intervals(res, year=2023)
    n = len(res.summary.xs(2023, level="year"))
    assert len(ax.get_yticklabels()) == n
    assert ax.get_xlabel() == "rank (1 = highest index)"
    assert _hex(ax.collections[0].get_color()[0]) == P.COOPERATION_COLOR.lower()
    assert any(ln.get_label() == "median rank" for ln in ax.lines)


def test_plots_draw_on_given_axes(scores):
    from matplotlib.figure import Figure

    fig = Figure()
    a1, a2 = fig.subplots(1, 2)
    assert P.plot_domain_profile(scores, dyads=PAIR, ax=a1) is a1
    assert P.plot_timeseries(scores, PAIR, ax=a2) is a2
    fig.canvas.draw()  # renders without error
