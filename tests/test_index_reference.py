"""Reference values for the composite-index engine (spec/reference_values.md §1 and §4).

Technology Achievement Index: UNDP, Human Development Report 2001, and the
OECD/JRC Handbook on Constructing Composite Indicators (2008), 23 countries x
8 indicators. Copeland: the example of spec/reference_values.md §4, which files it under COINr;
the expected values (-1, -1, 2) are the classical Copeland (1951) count (wins minus losses),
as the engine implements it. COINr's own ``a_copeland`` sums outranking shares and would give
0.5, 0.5, 2 on the same data.
"""
from __future__ import annotations

import numpy as np
import pytest

from alliance_index.index import CompositeIndex, aggregate, normalise

# UNDP HDR 2001 / OECD-JRC Handbook 2008, Technology Achievement Index data
TAI_DATA = """\
FIN 187,125.6,200.2,50.7,3.08,4.15,10,27.4
USA 289,130,179.1,66.2,3.00,4.07,12,13.9
SWE 271,156.6,125.8,59.7,3.10,4.14,11.4,15.3
JPN 994,64.6,49,80.8,3.00,3.86,9.5,10
KOR 779,9.8,4.8,66.7,2.97,3.65,10.8,23.2
NLD 189,151.2,136,50.9,3.02,3.77,9.4,9.5
GBR 82,134,57.4,61.9,3.02,3.73,9.4,14.9
CAN 31,38.6,108,48.7,2.94,4.18,11.6,14.2
AUS 75,18.2,125.9,16.2,2.94,3.94,10.9,25.3
SGP 8,25.5,72.3,74.9,2.95,3.83,7.1,24.2
DEU 235,36.8,41.2,64.2,2.94,3.75,10.2,14.4
NOR 103,20.2,193.6,19,3.12,4.39,11.9,11.2
IRL 106,110.3,48.6,53.6,2.97,3.68,9.4,12.3
BEL 72,73.9,58.9,47.6,2.91,3.86,9.3,13.6
NZL 103,13,146.7,15.4,2.86,3.91,11.7,13.1
AUT 165,14.8,84.2,50.3,2.99,3.79,8.4,13.6
FRA 205,33.6,36.4,58.9,2.97,3.80,7.9,12.6
ISR 74,43.6,43.2,45,2.96,3.74,9.6,11
ESP 42,8.6,21,53.4,2.86,3.62,7.3,15.6
ITA 13,9.8,30.4,51,3.00,3.65,7.2,13
CZE 28,4.2,25,51.7,2.75,3.68,9.5,8.2
HUN 26,6.2,21.6,63.5,2.73,3.46,9.1,7.7
SVN 105,4,20.3,49.5,2.84,3.71,7.1,10.6
"""
PUBLISHED = {
    "FIN": .744, "USA": .733, "SWE": .703, "JPN": .698, "KOR": .666, "NLD": .630, "GBR": .606,
    "CAN": .589, "AUS": .587, "SGP": .585, "DEU": .583, "NOR": .579, "IRL": .566, "BEL": .553,
    "NZL": .548, "AUT": .544, "FRA": .535, "ISR": .514, "ESP": .481, "ITA": .471, "CZE": .465,
    "HUN": .464, "SVN": .458,
}
COUNTRIES = [line.split()[0] for line in TAI_DATA.splitlines()]
X = np.array([[float(v) for v in line.split()[1].split(",")] for line in TAI_DATA.splitlines()])
# UNDP goalposts; telephones and electricity are already log10, so are their goalposts
LO = np.array([0, 0, 0, 0, np.log10(1), np.log10(22), 0.8, 0.1])
HI = np.array([994, 272.6, 232.4, 80.8, np.log10(901), np.log10(6969), 12, 27.4])
DIMENSIONS = {"creation": [0, 1], "diffusion_recent": [2, 3], "diffusion_old": [4, 5], "skills": [6, 7]}


def _tai(backend="auto"):
    est = CompositeIndex(normalisation="goalposts", goalposts=(LO, HI), weights="equal",
                         aggregation="arithmetic", hierarchy=DIMENSIONS, scale=1.0, backend=backend)
    return est.fit_transform(X)[:, -1]


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_tai_reproduces_22_of_23_published_values(backend):
    if backend == "numba":
        pytest.importorskip("numba")
    tai = dict(zip(COUNTRIES, _tai(backend)))
    # compared at the table's precision: our value rounded to 3 decimals vs the published
    # 3-decimal value, within 0.001 (one unit in the last published digit)
    within = {c for c in COUNTRIES if abs(round(tai[c], 3) - PUBLISHED[c]) <= 0.001 + 1e-9}
    assert len(within) == 22
    # and unrounded, none of the 22 is off by more than 0.0015
    assert max(abs(tai[c] - PUBLISHED[c]) for c in within) < 0.0015
    assert set(COUNTRIES) - within == {"SGP"}
    # Singapore: the known discrepancy of the published table (the method gives .597, published .585)
    assert tai["SGP"] == pytest.approx(0.597, abs=0.001)
    # the ranking of the other 22 follows the published order
    others = [c for c in COUNTRIES if c != "SGP"]
    assert sorted(others, key=lambda c: -tai[c]) == sorted(others, key=lambda c: -PUBLISHED[c])


def test_tai_with_function_api_matches_estimator():
    Z = normalise(X, "goalposts", goal_lo=LO, goal_hi=HI)
    dims = np.column_stack([aggregate(Z[:, c], np.ones(2)) for c in DIMENSIONS.values()])
    np.testing.assert_allclose(aggregate(dims, np.ones(4)), _tai("numpy"), atol=1e-12)


def test_tai_minmax_variant_changes_the_answer():
    # within-sample min-max, equal weights over all 8 indicators (one node)
    est = CompositeIndex(normalisation="minmax", weights="equal", scale=1.0)
    tai = dict(zip(COUNTRIES, est.fit_transform(X)[:, 0]))
    for c, v in {"FIN": .719, "SWE": .688, "USA": .680, "JPN": .544}.items():
        assert tai[c] == pytest.approx(v, abs=0.001), c
    # the normalisation choice matters: Japan drops from .698 to .544
    assert _tai("numpy")[COUNTRIES.index("JPN")] - tai["JPN"] > 0.15


def test_copeland_reference_example():
    Xc = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
    np.testing.assert_array_equal(aggregate(Xc, [1, 1], "copeland"), [-1.0, -1.0, 2.0])


def test_copeland_weights_and_missing():
    Xc = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, np.nan], [np.nan, np.nan]])
    # indicator 2 weighs more: unit 0 beats unit 1; unit 2 vs others compared on indicator 1 only
    s = aggregate(Xc, [1, 3], "copeland")
    np.testing.assert_array_equal(s[:3], [0.0, -2.0, 2.0])
    assert np.isnan(s[3])


def test_copeland_within_groups_and_unit_scale():
    Xc = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [0.0, 0.0], [5.0, 5.0]])
    g = np.array([2000, 2000, 2000, 2001, 2001])
    s = aggregate(Xc, [1, 1], "copeland", groups=g)
    np.testing.assert_array_equal(s, [-1, -1, 2, -1, 1])
    est = CompositeIndex(normalisation="minmax", weights="equal", aggregation="copeland", scale=1.0)
    u = est.fit_transform(Xc[:3])[:, 0]
    np.testing.assert_allclose(u, [0.25, 0.25, 1.0])


def test_other_aggregators_known_values():
    Z = np.array([[0.25, 1.0], [0.0, 0.0], [0.5, np.nan]])
    w = np.array([1.0, 1.0])
    np.testing.assert_allclose(aggregate(Z, w, "arithmetic"), [0.625, 0.0, 0.5])
    eps = 0.01
    np.testing.assert_allclose(aggregate(Z, w, "geometric"),
                               [np.sqrt(0.26 * 1.01) - eps, 0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(aggregate(Z, w, "harmonic"),
                               [2 / (1 / 0.26 + 1 / 1.01) - eps, 0.0, 0.5], atol=1e-12)
    # the shifted power mean (one form for every p, review 9 finding 7)
    np.testing.assert_allclose(aggregate(Z, w, "generalised", p=2),
                               [np.sqrt((0.26 ** 2 + 1.01 ** 2) / 2) - eps, 0.0, 0.5], atol=1e-12)
    # generalised with p=1 is arithmetic; p=0 is geometric
    np.testing.assert_allclose(aggregate(Z, w, "generalised", p=1), aggregate(Z, w, "arithmetic"))
    np.testing.assert_allclose(aggregate(Z, w, "generalised", p=0), aggregate(Z, w, "geometric"))
    # mean inequality: harmonic <= geometric <= arithmetic <= quadratic
    h, g, a, q = (aggregate(Z[:1], w, m, p=2)[0] for m in ("harmonic", "geometric", "arithmetic", "generalised"))
    assert h <= g <= a <= q


def test_normalisers_known_values():
    Xn = np.array([[0.0], [5.0], [10.0], [np.nan]])
    np.testing.assert_allclose(normalise(Xn, "minmax").ravel(), [0, 0.5, 1, np.nan])
    np.testing.assert_allclose(normalise(Xn, "rank").ravel(), [1 / 6, 0.5, 5 / 6, np.nan])
    np.testing.assert_allclose(normalise(Xn, "zscore", bounded=False).ravel(), [-1, 0, 1, np.nan])
    np.testing.assert_allclose(normalise(Xn, "reference", goal_lo=[0], goal_hi=[20], reference=[5]).ravel(),
                               [0, 1, 1, np.nan])
    np.testing.assert_allclose(normalise(Xn, "goalposts", goal_lo=[0], goal_hi=[20]).ravel(), [0, .25, .5, np.nan])
