"""Offline work on the split CNN: training data from exhaustive engine encodes (``dataset``), the
training pipeline (``train``: gen-data, train, evaluate, export), its evaluation and rule replay
(``evaluate``) and the scikit-learn baseline (``baseline``). Needs the ``train`` extra (PyTorch,
scikit-learn); what runs at encode time is in ``vtm_accel.predictors``.
"""
