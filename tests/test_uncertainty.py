"""Monte Carlo over modelling choices, Sobol sensitivity per dyad, rank percentiles, plots.

The model here is a small, fully specified composite (min-max or z-score
normalisation, weighted arithmetic or geometric mean, a trust factor for
"alleged" cells) on a synthetic panel, so each expected behaviour can be
derived by hand; the real composite index is wired in through
``composite_model`` and exercised by scripts/uncertainty_table.py.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import MethodError
from alliance_index.uncertainty import (
    Choice,
    ChoiceError,
    ChoiceSpace,
    UncertaintyResult,
    WeightPerturbation,
    monte_carlo,
    plot_rank_intervals,
    plot_sensitivity,
    rank_percentiles,
    sensitivity,
)

IND = ["a", "b", "c", "d"]


def make_panel(seed=0, n_dyads=8, years=(2021, 2022)):
    rng = np.random.default_rng(seed)
    dyads = [f"D{i:02d}" for i in range(n_dyads)]
    idx = pd.MultiIndex.from_product([dyads, list(years)], names=["dyad", "year"])
    X = pd.DataFrame(rng.random((len(idx), len(IND))), index=idx, columns=IND)
    alleged = pd.DataFrame(rng.random(X.shape) < 0.3, index=idx, columns=IND)
    return {"values": X, "alleged": alleged}


def toy_model(panel, choices):
    X = panel["values"].copy()
    X = X.where(~panel["alleged"], X * choices.get("alleged_trust", 1.0))
    if choices.get("normalisation", "minmax") == "minmax":
        Z = (X - X.min()) / (X.max() - X.min())
    else:
        Z = (X - X.mean()) / X.std()
        Z = 1 / (1 + np.exp(-Z))
    w = pd.Series(choices.get("weights", dict.fromkeys(IND, 0.25)))[IND].to_numpy()
    w = w / w.sum()
    if choices.get("aggregation", "arithmetic") == "arithmetic":
        s = Z.to_numpy() @ w
    else:
        s = np.exp(np.log(Z.to_numpy() + 0.01) @ w)
    return pd.DataFrame({"index": 100 * s}, index=X.index)


def toy_verdict(scores, choices):
    v = np.where(scores["index"] >= 60, "alliance", np.where(scores["index"] >= 40, "alignment", "convenience"))
    return pd.DataFrame({"verdict": v, "p_de_jure": scores["index"] / 100}, index=scores.index)


def space(**kw):
    return ChoiceSpace(
        [
            Choice("normalisation", ["minmax", "zscore"]),
            Choice("aggregation", ["arithmetic", "geometric"], probs=[0.7, 0.3]),
            Choice("alleged_trust", [0.25, 0.5, 1.0]),
            WeightPerturbation("weights", dict.fromkeys(IND, 1.0), **(kw or {"concentration": 20.0})),
        ]
    )


PANEL = make_panel()


# --------------------------------------------------------------------- bad input
def test_choice_without_options():
    with pytest.raises(ChoiceError, match="'normalisation' has no options"):
        Choice("normalisation", [])


def test_probabilities_must_sum_to_one():
    with pytest.raises(ChoiceError, match=r"'aggregation': probabilities sum to 0\.9"):
        Choice("aggregation", ["arithmetic", "geometric"], probs=[0.6, 0.3])
    with pytest.raises(ChoiceError, match="one per option"):
        Choice("aggregation", ["arithmetic", "geometric"], probs=[1.0])
    with pytest.raises(ChoiceError, match=">= 0"):
        Choice("aggregation", ["arithmetic", "geometric"], probs=[1.5, -0.5])


def test_choice_that_cannot_vary_is_an_error():
    with pytest.raises(ChoiceError, match="'x' cannot vary"):
        Choice("x", ["only"])
    with pytest.raises(ChoiceError, match="cannot vary"):
        Choice("x", ["a", "b"], probs=[1.0, 0.0])
    with pytest.raises(ChoiceError, match="default"):
        Choice("x", ["a", "b"], default="c")


def test_weight_bounds_that_exclude_every_weight_vector():
    with pytest.raises(ChoiceError, match="'w': the bounds exclude every valid weight vector"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), bounds=(0.3, 0.5))  # sum(low) = 1.2 > 1
    with pytest.raises(ChoiceError, match="exclude every valid weight vector"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), bounds=(0.0, 0.2))  # sum(high) = 0.8 < 1
    with pytest.raises(ChoiceError, match="bounds of 'b'"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), bounds={"b": (0.4, 0.1)})
    with pytest.raises(ChoiceError, match="unknown key 'bb'. Did you mean: b"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), bounds={"bb": (0.1, 0.4)})
    with pytest.raises(ChoiceError, match="exactly one of"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), relative=0.2, concentration=5)
    with pytest.raises(ChoiceError, match=r"relative=1\.5"):
        WeightPerturbation("w", dict.fromkeys(IND, 1.0), relative=1.5)
    with pytest.raises(ChoiceError, match="'c' is -1"):
        WeightPerturbation("w", {"a": 1, "b": 1, "c": -1}, relative=0.2)


def test_space_errors_and_value_error_subclass():
    with pytest.raises(ChoiceError, match="empty"):
        ChoiceSpace([])
    with pytest.raises(ChoiceError, match="'n' is declared twice"):
        ChoiceSpace([Choice("n", [1, 2]), Choice("n", [3, 4])])
    with pytest.raises(ChoiceError, match="both a varying choice and fixed"):
        ChoiceSpace([Choice("n", [1, 2])], fixed={"n": 1})
    assert issubclass(ChoiceError, ValueError)


def test_inert_choice_is_a_loud_error():
    sp = ChoiceSpace([Choice("normalisation", ["minmax", "zscore"]), Choice("imputation", ["mean", "none"])])
    with pytest.raises(ChoiceError, match="'imputation' changes no index value"):
        monte_carlo(PANEL, sp, n_draws=4, seed=0, model=toy_model)
    res = monte_carlo(PANEL, sp, n_draws=4, seed=0, model=toy_model, check_choices=False)
    assert len(res.draws) == 4


def test_bad_run_arguments():
    with pytest.raises(MethodError, match="n_draws"):
        monte_carlo(PANEL, space(), n_draws=0, seed=0, model=toy_model)
    with pytest.raises(MethodError, match="'index' column"):
        monte_carlo(PANEL, space(), n_draws=2, seed=0, model=lambda p, c: pd.DataFrame({"x": [1.0]}))


# --------------------------------------------------------------------- sampling
def test_categorical_mapping_follows_probabilities():
    c = Choice("agg", ["a", "g", "h"], probs=[0.5, 0.3, 0.2])
    u = np.array([0.0, 0.4999, 0.5, 0.7999, 0.8, 0.9999])
    assert c.from_unit(u) == ["a", "a", "g", "g", "h", "h"]
    sp = ChoiceSpace([c])
    table, _ = sp.sample(20000, seed=1)
    freq = table["agg"].value_counts(normalize=True)
    np.testing.assert_allclose(freq[["a", "g", "h"]].to_numpy(), [0.5, 0.3, 0.2], atol=0.015)


@pytest.mark.parametrize("kw", [{"relative": 0.5}, {"bounds": (0.1, 0.4)}, {"concentration": 50.0},
                                {"bounds": {"a": (0.0, 0.6), "b": (0.2, 0.3)}}])
def test_weight_draws_are_valid(kw):
    wp = WeightPerturbation("w", {"a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0}, **kw)
    W = wp.from_unit(np.random.default_rng(0).random((4000, 4)))
    np.testing.assert_allclose(W.sum(axis=1), 1.0, atol=1e-9)
    assert (W >= -1e-12).all()
    assert W.std(axis=0).max() > 0.01  # they do vary
    if "bounds" in kw:
        assert (W >= wp.lower - 1e-9).all() and (W <= wp.upper + 1e-9).all()
        if isinstance(kw["bounds"], dict):  # c and d were not bounded: their shares move only as a pair
            np.testing.assert_allclose(W[:, 2], W[:, 3])
    if "concentration" in kw:  # Dirichlet mean = defaults, var = w(1-w)/(c+1)
        np.testing.assert_allclose(W.mean(axis=0), 0.25, atol=0.005)
        np.testing.assert_allclose(W.var(axis=0), 0.25 * 0.75 / 51, rtol=0.1)


# --------------------------------------------------------------------- Monte Carlo
def test_monte_carlo_keeps_every_draw_and_reproduces_it():
    res = monte_carlo(PANEL, space(), n_draws=40, seed=7, model=toy_model, classifier=toy_verdict)
    assert isinstance(res, UncertaintyResult)
    assert len(res.draws) == 40
    assert {"normalisation", "aggregation", "alleged_trust", "weights[a]", "weights[d]"} <= set(res.draws.columns)
    # re-running the model with draw 13's logged parameters gives draw 13's index
    row = res.draws.loc[13]
    ch = {k: row[k] for k in ("normalisation", "aggregation", "alleged_trust")}
    ch["weights"] = {k: row[f"weights[{k}]"] for k in IND}
    again = toy_model(PANEL, ch)["index"].to_numpy()
    np.testing.assert_allclose(res.samples["index"][:, 13], again, rtol=1e-12)
    s = res.summary
    assert (s["index_p5"] <= s["index_p50"]).all() and (s["index_p50"] <= s["index_p95"]).all()
    assert (s["rank_p5"] <= s["rank_p95"]).all()
    assert s["rank_p95"].max() <= 8 and s["rank_p5"].min() >= 1  # ranks within each year, 8 dyads
    assert s["verdict_change"].between(0, 1).all()
    assert s["verdict_baseline"].isin(["alliance", "alignment", "convenience"]).all()
    assert res.baseline["normalisation"] == "minmax"


def test_verdict_change_matches_a_direct_count():
    res = monte_carlo(PANEL, space(), n_draws=30, seed=3, model=toy_model, classifier=toy_verdict)
    v0 = toy_verdict(toy_model(PANEL, res.baseline), {})["verdict"].to_numpy()
    direct = (res.samples["verdict"] != v0[:, None]).mean(axis=1)
    np.testing.assert_allclose(res.summary["verdict_change"].to_numpy(), direct)
    assert res.summary["verdict_change"].max() > 0  # some verdicts do move in this space


def test_verdict_unavailable_is_nan_and_said():
    res = monte_carlo(PANEL, space(), n_draws=10, seed=0, model=toy_model)
    assert res.summary["verdict_change"].isna().all()
    assert res.summary["p_de_jure_p50"].isna().all()
    assert any("verdict stability unavailable" in n for n in res.notes)
    assert not res.verdict_available


def test_same_seed_same_result_regardless_of_chunking():
    r1 = monte_carlo(PANEL, space(), n_draws=24, seed=11, model=toy_model, chunk_size=5)
    r2 = monte_carlo(PANEL, space(), n_draws=24, seed=11, model=toy_model, chunk_size=24)
    pd.testing.assert_frame_equal(r1.summary, r2.summary)
    pd.testing.assert_frame_equal(r1.draws, r2.draws)
    r3 = monte_carlo(PANEL, space(), n_draws=24, seed=12, model=toy_model)
    assert not r1.summary["index_p50"].equals(r3.summary["index_p50"])


def test_dask_local_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        rd = monte_carlo(PANEL, space(), n_draws=20, seed=5, model=toy_model, classifier=toy_verdict,
                         client=client, chunk_size=6)
        rng = np.random.default_rng(0)
        X, W = rng.random((300, 5)), rng.dirichlet(np.ones(5), 64)
        pd_dask = rank_percentiles(X, W, client=client, chunk_size=10)
        sd = sensitivity(PANEL, space(), n=16, seed=2, model=toy_model, n_boot=10, client=client, chunk_size=7)
    sl = sensitivity(PANEL, space(), n=16, seed=2, model=toy_model, n_boot=10)
    np.testing.assert_array_equal(sd.ST, sl.ST)
    np.testing.assert_array_equal(sd.S1_se, sl.S1_se)
    rl = monte_carlo(PANEL, space(), n_draws=20, seed=5, model=toy_model, classifier=toy_verdict)
    pd.testing.assert_frame_equal(rd.summary, rl.summary)
    np.testing.assert_array_equal(rd.samples["index"], rl.samples["index"])
    pd.testing.assert_frame_equal(pd_dask, rank_percentiles(X, W))


def test_fixed_options_reach_the_model():
    seen = []

    def model(panel, choices):
        seen.append(choices["flag"])
        return toy_model(panel, choices)

    sp = ChoiceSpace([Choice("normalisation", ["minmax", "zscore"])], fixed={"flag": "on"})
    monte_carlo(PANEL, sp, n_draws=3, seed=0, model=model)
    assert set(seen) == {"on"}


# --------------------------------------------------------------------- ranks fast path
def test_rank_percentiles_equal_brute_force():
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.random((50, 6)), index=[f"u{i}" for i in range(50)], columns=list("abcdef"))
    W = rng.dirichlet(np.ones(6), 101)
    S = X.to_numpy() @ W.T
    ranks = pd.DataFrame(S).rank(axis=0, ascending=False, method="first").to_numpy()
    expect = np.percentile(ranks, [5, 50, 95], axis=1).T
    got = rank_percentiles(X, W, chunk_size=7)
    np.testing.assert_allclose(got[["rank_p5", "rank_p50", "rank_p95"]].to_numpy(), expect)
    np.testing.assert_allclose(got["rank_mean"].to_numpy(), ranks.mean(axis=1))
    assert list(got.index[:2]) == ["u0", "u1"]


def test_rank_percentiles_bad_input():
    X = np.ones((3, 2))
    with pytest.raises(MethodError, match="same number of columns"):
        rank_percentiles(X, np.ones((4, 3)))
    X[1, 0] = np.nan
    with pytest.raises(MethodError, match="row 1"):
        rank_percentiles(X, np.ones((4, 2)))
    with pytest.raises(MethodError, match="memory_budget"):
        rank_percentiles(np.ones((3, 2)), np.ones((4, 2)), memory_budget=10)


# --------------------------------------------------------------------- sensitivity
def test_sensitivity_per_dyad_finds_the_choice_that_matters():
    def model(panel, choices):
        out = toy_model(panel, {"normalisation": "minmax", "weights": choices["weights"]})
        # 'shift' moves one dyad only; 'scale' rescales every dyad a little
        bump = np.where(out.index.get_level_values("dyad") == "D03", 30.0 * choices["shift"], 0.0)
        return out.assign(index=out["index"] * choices["scale"] + bump)

    sp = ChoiceSpace([
        Choice("shift", [0.0, 1.0]),
        Choice("scale", [0.98, 1.0, 1.02]),
        WeightPerturbation("weights", dict.fromkeys(IND, 1.0), relative=0.3),
    ])
    res = sensitivity(PANEL, sp, n=128, seed=0, model=model, n_boot=50)
    assert res.factors == ["shift", "scale", "weights"]
    st = res.total
    d03 = st[("D03", 2022)]
    assert d03["shift"] > 0.8  # a 30-point swing dominates the weight noise
    other = st.drop(columns=[c for c in st.columns if c[0] == "D03"])
    assert (other.loc["shift"].abs() < 1e-12).all()  # it touches no other dyad
    top = res.most_important()
    assert top[("D03", 2021)] == "shift"
    assert set(top.drop([("D03", 2021), ("D03", 2022)])) <= {"weights", "scale"}
    df = res.to_frame()
    assert df.index.names == ["dyad", "year", "factor"]


# --------------------------------------------------------------------- plots
def test_plots_return_labelled_axes():
    import matplotlib

    matplotlib.use("Agg")
    res = monte_carlo(PANEL, space(), n_draws=20, seed=0, model=toy_model)
    ax = plot_rank_intervals(res, year=2022)
    assert "rank" in ax.get_xlabel() and ax.get_ylabel() == "dyad"
    assert len(ax.get_yticklabels()) == 8
    assert "2022" in ax.get_title()
    sp = ChoiceSpace([Choice("normalisation", ["minmax", "zscore"]),
                      WeightPerturbation("weights", dict.fromkeys(IND, 1.0), relative=0.3)])
    sres = sensitivity(PANEL, sp, n=32, seed=0, model=toy_model, n_boot=10)
    ax2 = plot_sensitivity(sres)
    assert [t.get_text() for t in ax2.get_xticklabels()] == ["normalisation", "weights"]
    assert "Sobol" in ax2.get_ylabel()
    ax3 = plot_sensitivity(sres, output=("D01", 2021))
    assert "D01" in ax3.get_title()
    with pytest.raises(MethodError, match="year 1999"):
        plot_rank_intervals(res, year=1999)


# --------------------------------------------------------------------- the real composite index
def test_composite_model_on_the_bundled_panel():
    import alliance_index as ai
    from alliance_index.index import CompositeIndex
    from alliance_index.uncertainty import composite_model

    panel = ai.to_panel(ai.load_panel())
    # alleged evidence only counts through evidence weighting: IRN-RUS 2023 has an alleged cell
    lo = composite_model(panel, {"evidence": True, "alleged_factor": 0.25}).loc[("IRN-RUS", 2023), "index"]
    hi = composite_model(panel, {"evidence": True, "alleged_factor": 1.0}).loc[("IRN-RUS", 2023), "index"]
    assert lo != pytest.approx(hi, abs=1e-9)
    sp = ChoiceSpace([Choice("normalisation", ["goalposts", "minmax"]),
                      WeightPerturbation("domain_weights", relative=0.5)])
    res = monte_carlo(panel, sp, n_draws=6, seed=1)
    assert list(res.draws.columns) == ["normalisation", "domain_weights[military]", "domain_weights[economic]",
                                       "domain_weights[diplomatic]", "domain_weights[regional]"]
    row = res.draws.iloc[4]
    direct = CompositeIndex(normalisation=row["normalisation"],
                            domain_weights={d: row[f"domain_weights[{d}]"] for d in
                                            ("military", "economic", "diplomatic", "regional")}).fit(panel).transform(panel)
    np.testing.assert_allclose(res.samples["index"][:, 4], direct["index"].reindex(res.summary.index).to_numpy())
    assert 1 <= res.summary.loc[("IRN-RUS", 2023), "rank_p95"] <= len(ai.list_dyads())
    # evidence weighting off: alleged_factor cannot change anything, and that is an error, not a silent zero
    with pytest.raises(ChoiceError, match="'alleged_factor' changes no index value"):
        monte_carlo(panel, ChoiceSpace([Choice("normalisation", ["goalposts", "minmax"]),
                                        Choice("alleged_factor", [0.25, 1.0])], fixed={"evidence": False}),
                    n_draws=2, seed=0)


def test_sensitivity_keeps_every_runs_parameters():
    sp = ChoiceSpace([Choice("normalisation", ["minmax", "zscore"]),
                      Choice("alleged_trust", [0.25, 1.0], default=np.float64(1.0))])
    assert sp.baseline()["alleged_trust"] == 1.0
    res = sensitivity(PANEL, sp, n=16, seed=0, model=toy_model, n_boot=0)
    assert len(res.runs) == 16 * 4
    assert list(res.runs["block"].unique()) == ["A", "B", "AB:normalisation", "AB:alleged_trust"]
    # the AB:normalisation runs take normalisation from B and the rest from A
    ab = res.runs[res.runs["block"] == "AB:normalisation"].reset_index(drop=True)
    a = res.runs[res.runs["block"] == "A"].reset_index(drop=True)
    b = res.runs[res.runs["block"] == "B"].reset_index(drop=True)
    assert (ab["normalisation"] == b["normalisation"]).all()
    assert (ab["alleged_trust"] == a["alleged_trust"]).all()


def test_placeholder_verdict_columns_are_reported_unavailable():
    def model(panel, choices):  # like score() before the classifier: NaN p_de_jure, None verdict
        return toy_model(panel, choices).assign(p_de_jure=np.nan, verdict=None)

    res = monte_carlo(PANEL, space(), n_draws=5, seed=0, model=model)
    assert res.summary["verdict_change"].isna().all()
    assert any("missing in every run" in n for n in res.notes)
    assert any("NaN in every run" in n for n in res.notes)


def test_sensitivity_of_ranks_and_bad_output():
    sp = ChoiceSpace([Choice("normalisation", ["minmax", "zscore"]),
                      WeightPerturbation("weights", dict.fromkeys(IND, 1.0), relative=0.5)])
    res = sensitivity(PANEL, sp, n=32, seed=0, model=toy_model, n_boot=0, output="rank")
    assert res.total.shape == (2, len(PANEL["values"]))
    assert np.nanmax(res.total.to_numpy()) > 0
    with pytest.raises(MethodError, match="output='verdict'"):
        sensitivity(PANEL, sp, n=32, seed=0, model=toy_model, output="verdict")
    with pytest.raises(MethodError, match="'p_de_jure' is not produced"):
        sensitivity(PANEL, sp, n=32, seed=0, model=toy_model, output="p_de_jure")


def test_verdict_classifier_rederives_verdicts_per_draw():
    """p_de_jure from one classify() run; the verdict follows each draw's cooperation and discord."""
    from alliance_index.uncertainty import VerdictClassifier

    rows = PANEL["values"].index

    def fake_classify(obs, n_sims, seed):  # stand-in with classify()'s output columns
        p = np.where(rows.get_level_values("dyad") == "D00", 0.9, 0.1)
        return pd.DataFrame({"dyad": rows.get_level_values("dyad"), "year": rows.get_level_values("year"),
                             "p_de_jure": p})

    def rule(p, c, d, h):  # the documented rule's shape: p first, then cooperation thresholds
        return np.where(np.asarray(p) >= 0.5, "alliance", np.where(np.asarray(c) < 50, "limited", "alignment"))

    def model(panel, choices):
        out = toy_model(panel, choices)
        return out.assign(cooperation=out["index"], discord=0.0)

    clf = VerdictClassifier(None, classify=fake_classify, verdicts=rule)
    res = monte_carlo(PANEL, space(), n_draws=30, seed=0, model=model, classifier=clf)
    s = res.summary
    assert (s.xs("D00", level="dyad")["verdict_change"] == 0).all()  # p >= 0.5 whatever the choices
    assert (s["p_de_jure_p5"] == s["p_de_jure_p95"]).all()  # p does not depend on index choices
    idx = res.samples["index"]
    expect = np.where(np.asarray(rows.get_level_values("dyad") == "D00")[:, None], "alliance",
                      np.where(idx < 50, "limited", "alignment"))
    assert (res.samples["verdict"] == expect).all()
    assert s["verdict_change"].max() > 0


def test_sensitivity_of_verdict_change():
    # the verdict thresholds act on the index; only 'aggregation' can push D05 across them here
    def model(panel, choices):
        out = toy_model(panel, {"normalisation": "minmax"})
        jump = np.where(out.index.get_level_values("dyad") == "D05", 40.0 * (choices["aggregation"] == "geometric"), 0)
        return out.assign(index=np.clip(out["index"] * choices["scale"] + jump, 0, 100))

    sp = ChoiceSpace([Choice("aggregation", ["arithmetic", "geometric"]), Choice("scale", [1.0, 1.0001])])
    res = sensitivity(PANEL, sp, n=64, seed=0, model=model, classifier=toy_verdict, n_boot=0,
                      output="verdict_change")
    st = res.total
    d05 = [c for c in st.columns if c[0] == "D05"]
    for c in d05:
        if np.isfinite(st[c]).all():
            assert st.loc["aggregation", c] > 0.99 and abs(st.loc["scale", c]) < 1e-9
    assert any(np.isfinite(st[c]).all() for c in d05)


def test_verdict_classifier_with_the_shipped_classifier():
    import alliance_index as ai
    from alliance_index.uncertainty import VerdictClassifier

    models = pytest.importorskip("alliance_index.models")
    obs = ai.load_panel()
    try:
        clf = VerdictClassifier(obs, n_sims=100, seed=0)
    except FileNotFoundError as exc:
        pytest.skip(f"fitted classifier not shipped: {exc}")
    panel = ai.to_panel(obs)
    sp = ChoiceSpace([Choice("normalisation", ["goalposts", "minmax"]),
                      WeightPerturbation("domain_weights", relative=0.5)])
    res = monte_carlo(panel, sp, n_draws=8, seed=0, classifier=clf)
    assert res.verdict_available
    assert set(res.summary["verdict_baseline"].dropna()) <= set(models.VERDICTS)
    # p_de_jure is the classifier's, constant over index choices; the verdict follows each draw's C, D and H
    p = res.samples["p_de_jure"]
    np.testing.assert_array_equal(np.nan_to_num(p[:, 0], nan=-1), np.nan_to_num(p[:, -1], nan=-1))
    row = res.draws.iloc[3]
    ch = {"normalisation": row["normalisation"],
          "domain_weights": {d: row[f"domain_weights[{d}]"] for d in ("military", "economic", "diplomatic", "regional")}}
    from alliance_index.uncertainty import composite_model

    sc = composite_model(panel, ch).reindex(res.summary.index)
    expect = models.verdicts(p[:, 3], sc["cooperation"].to_numpy(), sc["discord"].to_numpy(),
                             sc["hostility"].to_numpy())
    assert [None if pd.isna(v) else v for v in res.samples["verdict"][:, 3]] == \
        [None if pd.isna(v) else v for v in expect]
    has = res.summary["verdict_baseline"].notna()
    assert has.any() and res.summary.loc[has, "verdict_change"].between(0, 1).all()
