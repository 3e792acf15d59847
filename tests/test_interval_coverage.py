"""Fast checks that the commitment model's p_de_jure intervals are honest (scripts/interval_coverage.py).

A synthetic panel shaped like the bundled one (78 dyads x 16 years of complete raw indicators,
features persistent within a dyad) is labelled from known coefficients; the library's own
``fit_commitment`` refits it and the library's interval (quantiles of sigmoid(x'b) over draws of
``CommitmentModel.draw_params``) must cover the true probability at about the nominal rate.
No real data needed: only the shipped historical model (for the structural log-odds feature).
"""
from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_index.catalog import catalog
from alliance_index.countries import country_table, dyad_id
from alliance_index.models import commitment as cm
from alliance_index.models.classify import load_fitted

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("interval_coverage", REPO / "scripts" / "interval_coverage.py")
ic = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("interval_coverage", ic)  # dataclasses look their module up while the class is built
_spec.loader.exec_module(ic)


@pytest.fixture(scope="module")
def shipped():
    return load_fitted()


def synthetic_design(n_countries: int, n_years: int, rng: np.random.Generator, hist, beta: pd.Series):
    """Complete raw values for every pair of ``n_countries`` real states over ``n_years`` years.

    Each indicator is a dyad-level level (shared 'closeness' plus its own part) plus year noise,
    mapped into its goalposts (on the log scale for log1p indicators); features are computed by
    the library and the truth is ``beta`` on their standardised scale."""
    iso = country_table()["iso3"].astype(str).to_numpy()[:n_countries]
    dyads = np.array(sorted({dyad_id(a, b) for a, b in itertools.combinations(iso, 2)}), dtype=object)
    G = len(dyads)
    cols = list(cm.MODEL_INDICATORS)
    cat = catalog().loc[cols]
    log = (cat["transform"] == "log1p").to_numpy()
    lo, hi = cat["goal_lo"].to_numpy(float), cat["goal_hi"].to_numpy(float)
    tlo = np.where(log, np.log1p(np.clip(lo, 0, None)), lo)
    thi = np.where(log, np.log1p(np.clip(hi, 0, None)), hi)
    close = rng.standard_normal(G)[:, None]
    load = rng.uniform(-1, 1, len(cols))[None, :]
    level = close * load + 0.7 * rng.standard_normal((G, len(cols)))
    lat = np.repeat(level, n_years, axis=0) + 0.5 * rng.standard_normal((G * n_years, len(cols)))
    T = tlo + (thi - tlo) * cm._sigmoid(1.5 * lat)
    raw = np.where(log, np.expm1(T), T)
    idx = pd.MultiIndex.from_product([dyads, np.arange(2010, 2010 + n_years)], names=["dyad", "year"])
    V = pd.DataFrame(raw, index=idx, columns=cols)
    pool = cm.DonorPool.from_frame(V)
    F = cm.simulate_features(V, hist, pool, 1, rng)[0]
    Z = (F - F.mean(0)) / F.std(0)
    eta = beta.iloc[0] + Z @ beta.iloc[1:].to_numpy()
    _, code = np.unique(idx.get_level_values("dyad").to_numpy(dtype=object), return_inverse=True)
    return ic.Design(V=V, F=F, dyad_code=code, eta=eta, beta=beta, profiles=idx[:0], hist=hist, pool=pool)


def _coverage(design, tau, reps, rng, n_draws=1000, n_profiles=12):
    """Pooled coverage of p* by the sandwich and Hessian intervals at rows spread over eta*."""
    at = (np.linspace(0.05, 0.95, n_profiles) * (len(design.eta) - 1)).astype(int)
    rows = np.argsort(design.eta, kind="stable")[at]
    Fp, p_star = design.F[rows], ic.population_averaged(design.eta[rows], tau)
    hit = {"sandwich": [], "hessian": []}
    for _ in range(reps):
        y = ic.simulate_labels(design, tau, rng)
        mdl = cm.fit_commitment(design.V, y, design.hist, n_imputations=1, seed=rng, pool=design.pool)
        for which in hit:
            P = ic.interval_draws(mdl, Fp, n_draws, rng, which)
            lo, hi = np.quantile(P, [0.025, 0.975], axis=0)
            hit[which].append((lo <= p_star) & (p_star <= hi))
    return {k: float(np.mean(v)) for k, v in hit.items()}


def test_population_averaged_matches_monte_carlo():
    rng = np.random.default_rng(1)
    eta = np.array([-5.0, -1.0, 0.0, 2.0])
    u = 2.0 * rng.standard_normal(400_000)
    mc = cm._sigmoid(eta[:, None] + u[None, :]).mean(axis=1)
    np.testing.assert_allclose(ic.population_averaged(eta, 2.0), mc, atol=3e-3)
    np.testing.assert_allclose(ic.population_averaged(eta, 0.0), cm._sigmoid(eta))


def test_sandwich_interval_covers_at_nominal_rate_tau0(shipped):
    """tau = 0, 78 dyads x 16 years, 150 refits: pooled coverage within MC tolerance of 0.95.

    12 profiles x 150 replicates; the pooled rate's MC s.e. is at most ~1.8 points (less, as the
    profiles are not perfectly correlated), so [0.88, 0.99] is a wide band around 0.95 that a
    covariance off by a factor of ~1.5 in the standard errors falls out of."""
    hist, com = shipped
    rng = np.random.default_rng(20261129)
    design = synthetic_design(13, 16, rng, hist, com.params)
    assert len(np.unique(design.dyad_code)) == 78
    c = _coverage(design, 0.0, 150, rng)
    assert 0.88 <= c["sandwich"] <= 0.99, c
    assert 0.88 <= c["hessian"] <= 0.99, c


def test_hessian_interval_undercovers_with_dyad_effects_sandwich_does_not(shipped):
    """tau = 2: dyad-years of a dyad share an effect; the model-based (Hessian) interval treats them
    as independent and must cover clearly less than the sandwich, which stays near nominal."""
    hist, com = shipped
    rng = np.random.default_rng(7)
    design = synthetic_design(13, 16, rng, hist, com.params)
    c = _coverage(design, 2.0, 100, rng)
    assert c["sandwich"] >= 0.85, c
    assert c["hessian"] <= c["sandwich"] - 0.10, c


def test_stacked_identical_imputations_change_nothing(shipped):
    """On a complete panel every hot-deck completion is the panel itself, so fitting with M stacked
    copies (weight 1/M) must give the M = 1 estimate and covariances (what the script relies on)."""
    hist, com = shipped
    rng = np.random.default_rng(3)
    design = synthetic_design(8, 10, rng, hist, com.params)
    y = ic.simulate_labels(design, 1.0, rng)
    m1 = cm.fit_commitment(design.V, y, hist, n_imputations=1, seed=0)
    m5 = cm.fit_commitment(design.V, y, hist, n_imputations=5, seed=0)
    np.testing.assert_allclose(m5.params.to_numpy(), m1.params.to_numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(m5.cov, m1.cov, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(m5.cov_hessian, m1.cov_hessian, rtol=1e-7, atol=1e-12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), n_countries=st.integers(5, 10), n_years=st.integers(3, 12),
       tau=st.sampled_from([0.0, 1.0, 3.0]))
def test_covariances_are_symmetric_psd(seed, n_countries, n_years, tau):
    hist, com = load_fitted()
    rng = np.random.default_rng(seed)
    design = synthetic_design(n_countries, n_years, rng, hist, com.params)
    y = ic.simulate_labels(design, tau, rng)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    mdl = cm.fit_commitment(design.V, y, hist, n_imputations=1, seed=rng, pool=design.pool)
    for C in (mdl.cov, mdl.cov_hessian):
        assert np.all(np.isfinite(C))
        np.testing.assert_allclose(C, C.T, rtol=1e-10, atol=1e-12)
        ev = np.linalg.eigvalsh((C + C.T) / 2)
        assert ev.min() >= -1e-10 * max(abs(ev).max(), 1e-300)
    assert np.all(np.linalg.eigvalsh(mdl.cov_hessian) > 0)  # penalised Hessian is positive definite


def test_sandwich_agrees_with_hessian_when_years_independent(shipped):
    """tau = 0 and many clusters (300 dyads x 4 years): with no dependence beyond the features, the
    clustered sandwich estimates the same covariance as the inverse Hessian. The s.e. ratio's sampling
    spread at G = 300 is a few per cent, so [0.8, 1.25] per coefficient is a loose tolerance."""
    hist, com = shipped
    rng = np.random.default_rng(11)
    design = synthetic_design(25, 4, rng, hist, com.params)
    assert len(np.unique(design.dyad_code)) == 300
    y = ic.simulate_labels(design, 0.0, rng)
    mdl = cm.fit_commitment(design.V, y, hist, n_imputations=1, seed=rng, pool=design.pool)
    ratio = np.sqrt(np.diag(mdl.cov) / np.diag(mdl.cov_hessian))
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio


def test_sandwich_exceeds_hessian_with_dyad_effects(shipped):
    """The same comparison must fail the tolerance upwards when 16 years of a dyad share an effect
    (tau = 2, 78 dyads): the sandwich sees the dependence, the Hessian cannot (ratio ~1.5-2.1)."""
    hist, com = shipped
    rng = np.random.default_rng(12)
    design = synthetic_design(13, 16, rng, hist, com.params)
    y = ic.simulate_labels(design, 2.0, rng)
    mdl = cm.fit_commitment(design.V, y, hist, n_imputations=1, seed=rng, pool=design.pool)
    assert np.mean(np.sqrt(np.diag(mdl.cov) / np.diag(mdl.cov_hessian))) > 1.25


def test_interval_draws_use_the_requested_covariance(shipped):
    """'hessian' draws come from cov_hessian, 'sandwich' from cov (same estimate, different spread)."""
    hist, com = shipped
    F = np.tile(com.means, (1, 1))
    rng = np.random.default_rng(5)
    big = dataclasses.replace(com, cov=com.cov_hessian * 100.0)
    s = ic.interval_draws(big, F, 4000, rng, "sandwich")
    h = ic.interval_draws(big, F, 4000, rng, "hessian")
    assert np.quantile(s, 0.975) - np.quantile(s, 0.025) > 3 * (np.quantile(h, 0.975) - np.quantile(h, 0.025))


@pytest.mark.parametrize("noise", ["year", "dyad"])
def test_simulated_labels_have_the_population_averaged_probability(shipped, noise):
    """Both label designs give each dyad-year the marginal probability p* = E_u sigmoid(eta* + u) the
    coverage is judged against; the per-dyad noise makes labels far more persistent within a dyad."""
    hist, com = shipped
    rng = np.random.default_rng(21)
    design = synthetic_design(8, 6, rng, hist, com.params)
    reps = 3000
    Y = np.array([ic.simulate_labels(design, 1.5, rng, noise) for _ in range(reps)])
    p = ic.population_averaged(design.eta, 1.5)
    se = np.sqrt(p * (1 - p) / reps)
    assert np.all(np.abs(Y.mean(axis=0) - p) <= 4.5 * se + 1e-3)
    const = np.mean([ic.constant_share(y, design.dyad_code) for y in Y[:200]])
    if noise == "dyad":
        other = np.mean([ic.constant_share(ic.simulate_labels(design, 1.5, rng, "year"), design.dyad_code)
                         for _ in range(200)])
        assert const > other + 0.1
    with pytest.raises(ValueError, match="noise"):
        ic.simulate_labels(design, 1.0, rng, "month")
