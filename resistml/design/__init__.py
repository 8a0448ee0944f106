"""Design: propose resist formulations that meet a target (multi-objective search, simulator-checked).

Owns the design spec (:mod:`.spec`: process ranges, objectives, constraints, allowed components,
budget; field-named errors), the search space of real formulations (:mod:`.space`: catalog entries
and the dataset enumerator's molecules by role, amounts and process values), the hypervolume
(:mod:`.hypervolume`), the surrogate (:mod:`.surrogate`: the trained Predictor's mean and sigma plus
a light residual correction fitted to what the simulator has checked), the search loop with
batches, resume and baselines (:mod:`.search`), and its outputs (:mod:`.report`: ``pareto.csv``,
``history.parquet``, plots, MLflow logging through a client the caller passes in).

The search uses Optuna (optional extra ``design``); the simulator (:func:`resistml.physics.simulate_many`)
is the "experiment". See docs/design.md.

May import: :mod:`resistml.inference`, :mod:`resistml.model`, :mod:`resistml.datasets`,
:mod:`resistml.features`, :mod:`resistml.physics`, :mod:`resistml.formulation`, :mod:`resistml.chem`,
:mod:`resistml.targets`, :mod:`resistml.paths`. Nothing above (evaluation, cli): MLflow logging
takes a client object made by the caller (the ``design`` command uses ``evaluation.tracking``).
Inside the package: spec, hypervolume <- space <- surrogate <- search <- report.
"""
