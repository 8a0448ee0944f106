"""Model evaluation: accuracy metrics, uncertainty calibration, baselines, plots, MLflow tracking.

Owns scoring a model (checkpoint or exported directory) on a dataset split, the sigma-scaling
recalibration, the fingerprint GBM and other baselines, the plots and the MLflow logging.
It sits above :mod:`resistml.inference` because it scores what inference loads and predicts.

May import: :mod:`resistml.inference`, :mod:`resistml.model`, :mod:`resistml.datasets`,
:mod:`resistml.features`, :mod:`resistml.formulation`, :mod:`resistml.chem`,
:mod:`resistml.targets`. Nothing above (cli, train, serve).
"""
