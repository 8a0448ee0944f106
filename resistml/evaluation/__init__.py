"""Model evaluation: accuracy metrics, uncertainty calibration, and simple baselines."""
