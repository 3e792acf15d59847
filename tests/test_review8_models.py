"""s8 review findings on the historical and formation models (notes/s8/review.md 3, 4, 5, 6, 12, 15)."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from alliance_index.errors import ObservationsError
from alliance_index.models.formation import fit_formation
from alliance_index.models.historical import HistoricalResults, fit_historical

FITTED = __import__("pathlib").Path(__file__).resolve().parent.parent / "alliance_index" / "models" / "fitted"


def _panel(n: int = 3000, n_groups: int = 300, seed: int = 0):
    """Synthetic 'dyad-year' data with a shared dyad effect (so clustering matters)."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_groups, n)
    u = rng.normal(size=n_groups)[g]
    X = pd.DataFrame({"a": rng.normal(size=n) + u, "b": rng.normal(size=n)})
    eta = np.column_stack([np.zeros(n), -1 + X["a"] + u, -2 + 0.5 * X["b"] + u])
    P = np.exp(eta)
    P /= P.sum(1, keepdims=True)
    y = np.array(["none", "other", "defense"])[(P.cumsum(1) > rng.random(n)[:, None]).argmax(1)]
    return X, y, np.char.add("D", g.astype(str))


# ---------------------------------------------------------------- finding 6: dyad-clustered covariance

def test_fit_historical_groups_gives_statsmodels_cluster_covariance():
    import statsmodels.api as sm
    from statsmodels.stats.sandwich_covariance import cov_cluster

    X, y, g = _panel()
    iid = fit_historical(X, y)
    clu = fit_historical(X, y, groups=g)
    assert iid.meta["cov_type"] == "nonrobust (rows treated as independent)"
    assert clu.meta["cov_type"] == "cluster: 300 groups"
    np.testing.assert_allclose(clu.params.to_numpy(), iid.params.to_numpy(), rtol=0, atol=1e-12)
    # the same sandwich computed independently by statsmodels on the same design
    D = sm.add_constant(((X - X.mean()) / X.std()).to_numpy())
    codes = pd.Categorical(y, categories=["none", "other", "defense"]).codes
    ref = sm.MNLogit(codes, D).fit(disp=False)
    np.testing.assert_allclose(clu.cov, cov_cluster(ref, pd.factorize(g)[0]), rtol=1e-6, atol=1e-12)
    assert not np.allclose(clu.bse.to_numpy(), iid.bse.to_numpy(), rtol=0.02)
    # bse, conf_int and draw_params all read the cluster covariance
    np.testing.assert_allclose(clu.bse.to_numpy().ravel(order="F"), np.sqrt(np.diag(clu.cov)))
    ci = clu.conf_int()
    np.testing.assert_allclose((ci["upper"] - ci["lower"]).to_numpy(),
                               2 * 1.959963984540054 * clu.bse.stack().to_numpy(), rtol=1e-9)
    d = clu.draw_params(20000, np.random.default_rng(1))
    np.testing.assert_allclose(d.std(axis=0), clu.bse.to_numpy(), rtol=0.05)
    assert "cluster" in str(clu.summary())
    # the choice survives the JSON round trip
    back = HistoricalResults.from_dict(json.loads(json.dumps(clu.to_dict())))
    assert back.meta["cov_type"] == "cluster: 300 groups"
    np.testing.assert_allclose(back.cov, clu.cov)


def test_fit_formation_groups_gives_statsmodels_cluster_covariance():
    import statsmodels.api as sm

    X, y, g = _panel(seed=3)
    onset = (y == "defense").astype(float)
    onset[:50] = np.nan  # dropped rows take their group with them
    iid = fit_formation(X, onset)
    clu = fit_formation(X, onset, groups=g)
    assert iid.meta["cov_type"].startswith("nonrobust")
    assert clu.meta["cov_type"].startswith("cluster: ")
    np.testing.assert_allclose(clu.params.to_numpy(), iid.params.to_numpy(), atol=1e-10)
    keep = ~np.isnan(onset)
    Xk = X[keep]
    D = sm.add_constant(((Xk - Xk.mean()) / Xk.std()).to_numpy())
    ref = sm.Logit(onset[keep], D).fit(disp=False, cov_type="cluster", cov_kwds={"groups": pd.factorize(g[keep])[0]})
    np.testing.assert_allclose(clu.cov, ref.cov_params(), rtol=1e-6, atol=1e-12)


def test_groups_must_match_rows():
    X, y, g = _panel(n=400, n_groups=40)
    with pytest.raises(ObservationsError, match="groups has 399 entries but X has 400 rows"):
        fit_historical(X, y, groups=g[:-1])
    bad = g.astype(object)
    bad[7] = None
    with pytest.raises(ObservationsError, match="groups is missing in 1 rows"):
        fit_historical(X, y, groups=bad)
    with pytest.raises(ObservationsError, match="groups is missing"):
        fit_formation(X, (y == "defense").astype(float), groups=bad)


@pytest.mark.parametrize("name", ["historical", "formation"])
def test_shipped_models_use_dyad_clustered_covariance(name):
    meta = json.loads((FITTED / f"{name}.json").read_text(encoding="utf-8"))["meta"]
    assert meta["cov_type"].startswith("cluster: ")
    assert int(meta["cov_type"].split()[1]) > 10000  # one cluster per dyad, not per dyad-year
