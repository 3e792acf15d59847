"""Standard errors and Wald intervals from a coefficient covariance (statsmodels-style results)."""
from __future__ import annotations

import numpy as np
import pandas as pd


class WaldResultsMixin:
    """``bse`` and ``conf_int()`` for results holding ``params`` (Series) and ``cov`` (matrix)."""

    params: pd.Series
    cov: np.ndarray

    @property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.clip(np.diag(self.cov), 0, None)), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Normal (Wald) interval ``params ± z_{1-alpha/2} · bse``."""
        from scipy.stats import norm

        z = norm.ppf(1 - alpha / 2)
        return pd.DataFrame({"lower": self.params - z * self.bse, "upper": self.params + z * self.bse})
