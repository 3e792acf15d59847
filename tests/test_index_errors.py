"""Bad input to the index engine: one clear error naming the culprit."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import alliance_index as ai
from alliance_index.errors import MethodError, ObservationsError
from alliance_index.index import CompositeIndex, aggregate, compare, normalise, score
from alliance_index.index.composite import SCORE_COLUMNS


@pytest.fixture(scope="module")
def panel():
    return ai.to_panel(ai.load_panel(), validate=False)


def _obs(rows):
    return pd.DataFrame(rows, columns=["dyad", "year", "indicator", "value"])


def test_negative_weight_names_indicator(panel):
    with pytest.raises(MethodError, match="joint_exercises.*negative"):
        CompositeIndex(weights={"joint_exercises": -1.0}).fit(panel)
    with pytest.raises(MethodError, match="negative"):
        aggregate(np.ones((2, 2)), [1.0, -0.5])


def test_all_zero_weights(panel):
    with pytest.raises(MethodError, match="all weights are zero"):
        CompositeIndex(normalisation="minmax", weights=np.zeros(3)).fit(np.ones((4, 3)))
    with pytest.raises(MethodError, match="all weights are zero"):
        aggregate(np.ones((2, 2)), [0.0, 0.0])
    zero_node = {i: 0.0 for i in ("opposing_sides_conflicts", "ties_with_partners_rivals",
                                  "neutrality_in_partner_conflicts")}
    with pytest.raises(MethodError, match="regional_discord"):
        CompositeIndex(weights=zero_node).fit(panel)
    with pytest.raises(MethodError, match="domain_weights.*cooperation"):
        CompositeIndex(domain_weights={d: 0 for d in ("military", "economic", "diplomatic", "regional")}).fit(panel)


def test_weights_wrong_length_or_unknown_indicator(panel):
    with pytest.raises(MethodError, match="2 values given for 3"):
        CompositeIndex(normalisation="minmax", weights=[1.0, 2.0]).fit(np.ones((4, 3)))
    with pytest.raises(MethodError, match="unknown indicator 'joint_exercise'.*joint_exercises"):
        CompositeIndex(weights={"joint_exercise": 1.0}).fit(panel)


@pytest.mark.parametrize("param,value,expect", [
    ("normalisation", "goalpost", "goalposts"),
    ("weights", "balanced", "balance"),
    ("aggregation", "geometrical", "geometric"),
    ("imputation", "linaer", "linear"),
    ("backend", "numbaa", "numba"),
    ("treatment", "log", "catalog|none"),
])
def test_unknown_method_name_suggests(panel, param, value, expect):
    with pytest.raises(MethodError, match=f"{value}.*({expect})"):
        CompositeIndex(**{param: value}).fit(panel)


def test_unknown_method_in_function_api():
    with pytest.raises(MethodError, match="Did you mean: arithmetic"):
        aggregate(np.ones((2, 2)), [1, 1], "arithmetc")
    with pytest.raises(MethodError, match="Did you mean: minmax"):
        normalise(np.ones((2, 2)), "min-max")


def test_node_aggregation_unknown_node_or_method(panel):
    with pytest.raises(MethodError, match="unknown node 'military_coop'.*military_cooperation"):
        CompositeIndex(node_aggregation={"military_coop": "geometric"}).fit(panel)
    with pytest.raises(MethodError, match="Unknown aggregation method 'mean'"):
        CompositeIndex(node_aggregation={"discord": "mean"}).fit(panel)


def test_hierarchy_node_without_indicators(panel):
    with pytest.raises(MethodError, match="node 'b' has no indicators"):
        CompositeIndex(normalisation="minmax", hierarchy={"a": [0, 1], "b": []}).fit(np.ones((4, 2)))
    coop_only = [c for c in panel.values.columns if ai.catalog().loc[c, "side"] == "cooperation"]
    sub = ai.to_panel(ai.load_panel(), indicators=coop_only, validate=False)
    with pytest.raises(MethodError, match="node 'military_discord' has no indicators"):
        CompositeIndex().fit(sub)


def test_hierarchy_unknown_or_duplicated_column():
    X = pd.DataFrame(np.ones((4, 2)), columns=["a", "b"])
    with pytest.raises(MethodError, match="unknown column 'c'"):
        CompositeIndex(normalisation="minmax", hierarchy={"n": ["a", "c"]}).fit(X)
    with pytest.raises(MethodError, match="two hierarchy nodes"):
        CompositeIndex(normalisation="minmax", hierarchy={"n": ["a"], "m": ["a", "b"]}).fit(X)


def test_dyad_with_no_observed_value_names_it():
    obs = _obs([
        ("Russia-Iran", 2023, "leader_meetings", 3.0),
        ("Russia-Iran", 2023, "sanctions_against_partner", 0.0),
        ("Russia-Belarus", 2023, "leader_meetings", np.nan),
        ("Russia-Belarus", 2022, "trade_usd", np.nan),
    ])
    with pytest.raises(ObservationsError, match="BLR-RUS.*no observed value"):
        score(obs)


def test_goalposts_needed_for_plain_arrays():
    with pytest.raises(MethodError, match="goalposts=.*minmax"):
        CompositeIndex().fit(np.ones((3, 2)))
    with pytest.raises(MethodError, match="finite with lo < hi"):
        CompositeIndex(goalposts=([0, 1], [1, 1])).fit(np.ones((3, 2)))


def test_imputation_needs_dyad_years():
    with pytest.raises(MethodError, match="dyad-year"):
        CompositeIndex(normalisation="minmax", imputation="linear").fit(np.ones((3, 2)))


def test_geometric_rejects_negative_inputs():
    with pytest.raises(MethodError, match="geometric aggregation needs inputs >= 0"):
        aggregate(np.array([[-0.5, 1.0]]), [1, 1], "geometric")


def test_bad_numeric_parameters(panel):
    for kw in ({"epsilon": 0}, {"discord_exponent": -1}, {"scale": float("nan")}):
        with pytest.raises(MethodError, match=list(kw)[0]):
            CompositeIndex(**kw).fit(panel)
    with pytest.raises(MethodError, match="winsorise"):
        CompositeIndex(winsorise=(0.9, 0.1)).fit(panel)


def test_reference_normalisation_needs_reference(panel):
    with pytest.raises(MethodError, match="reference="):
        CompositeIndex(normalisation="reference").fit(panel)


def test_transform_with_other_indicators(panel):
    est = CompositeIndex().fit(panel)
    other = panel.values.drop(columns="trade_usd")
    with pytest.raises(MethodError, match="indicators differ"):
        est.transform(other)


def test_compare_unknown_or_duplicate_dyad():
    with pytest.raises(ObservationsError, match="FRA-RUS"):
        compare(["Russia-Iran", "Russia-France"])
    with pytest.raises(ObservationsError, match="given twice"):
        compare(["Russia-Iran", "IRN-RUS"])
    from alliance_index.errors import CountryError

    with pytest.raises(CountryError, match="Rusia"):
        compare(["Rusia-Iran", "Russia-Belarus"])


def test_score_year_without_observations_names_dyad():
    with pytest.raises(ObservationsError, match=r"1950 for IRN-RUS \(\d{4}–\d{4}\)"):
        score(ai.load_panel(), year=1950, dyads=["Russia-Iran"])


def test_unobserved_stays_nan_not_zero():
    obs = _obs([
        ("Russia-Iran", 2023, "leader_meetings", 3.0),
        ("Russia-Iran", 2023, "trade_usd", 5000.0),
    ])
    s = score(obs)
    row = s.iloc[0]
    assert np.isnan(row["discord"]) and np.isnan(row["index"])  # no discord indicator observed
    assert np.isnan(row["dom_military_cooperation"])
    assert row["cooperation"] > 0
    assert list(s.columns) == list(SCORE_COLUMNS)
