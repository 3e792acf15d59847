"""Classification models: calibrated :math:`p_{de\\,jure}` with intervals, and a documented verdict.

* :mod:`.historical` — statsmodels multinomial logit (:func:`fit_historical`) and the
  scikit-learn :class:`AllianceClassifier` of ATOP outcomes (defence / other formal pact / none)
  on structural real data;
* :mod:`.commitment` — penalised logit of mutual-defence status on curated
  commitment and discord indicators, judged leave-one-dyad-out (:func:`lodo`);
* :mod:`.combine` — the stacked combination and its simulation intervals;
* :mod:`.verdict` — the verdict rules and thresholds;
* :mod:`.formation` — discrete-time hazard of defence-pact onset;
* :mod:`.evaluation` — ROC/PR AUC, Brier, log loss, reliability table, ECE;
* :mod:`.classify` — :func:`classify`, :func:`attach_classification`, :func:`compare_p_de_jure`,
  :func:`explain_p_de_jure`, :func:`load_fitted`.

See ``docs/models.md`` and ``docs/verdicts.md``.
"""
from __future__ import annotations

from .classify import (MIN_COVERAGE, attach_classification, classify, compare_p_de_jure, discord_split,
                       explain_p_de_jure, load_fitted, load_historical)
from .evaluation import out_of_time
from .commitment import FEATURES, MODEL_INDICATORS, VARIANTS, CommitmentModel, fit_commitment, lodo, lodo_report
from .formation import FormationResults, fit_formation, onset_frame
from .historical import OUTCOMES, AllianceClassifier, HistoricalResults, fit_historical
from .verdict import (C_LIMITED, D_CONVENIENCE, D_RIVALRY, FEW_HOSTILITY, HEDGING_INDICATORS, P_ALLIANCE, VERDICTS,
                      verdict_reasons, verdicts)

__all__ = [
    "classify", "attach_classification", "compare_p_de_jure", "explain_p_de_jure", "discord_split", "load_fitted", "load_historical", "MIN_COVERAGE", "out_of_time",
    "AllianceClassifier", "HistoricalResults", "fit_historical", "OUTCOMES",
    "CommitmentModel", "fit_commitment", "lodo", "lodo_report", "VARIANTS", "FEATURES", "MODEL_INDICATORS",
    "FormationResults", "fit_formation", "onset_frame",
    "verdicts", "verdict_reasons", "VERDICTS", "HEDGING_INDICATORS", "P_ALLIANCE", "D_RIVALRY", "C_LIMITED", "D_CONVENIENCE", "FEW_HOSTILITY",
]
