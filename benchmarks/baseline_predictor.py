"""Predictor-service entry for the random-forest baseline (``--nn benchmarks/baseline_predictor.py``
with $VTM_ACCEL_BASELINE_MODEL = the pickled forests, e.g. WORK/baseline.pkl of a training run).

A shim: the service imports ``.py`` predictors as anonymous modules, so the real code stays in
the package (``vtm_accel.training.baseline``).
"""

from vtm_accel.training.baseline import make_predictor

__all__ = ["make_predictor"]
