"""The built-in physics simulator of negative chemically amplified resists.

``simulate(formulation)`` returns every intermediate of one formulation; ``simulate_many(formulations)``
labels a batch (vectorised) as a DataFrame. Imported lazily so that ``resistml.physics.electron`` and
friends stay light.

Owns every physics stage: energy deposition (electron stopping, Monte Carlo PSFs, X-ray
absorption), acid/radical generation, post-exposure bake, gelation, development and patterning.
It takes a formulation and its materials (:mod:`resistml.chem.material`) and returns properties;
it knows no featuriser, tensor or model.

May import: :mod:`resistml.formulation`, :mod:`resistml.chem`, :mod:`resistml.targets`,
:mod:`resistml.paths`. Nothing above (features, datasets, model, inference, evaluation, cli).
"""

from __future__ import annotations

from typing import Any

__all__ = ["simulate", "simulate_many", "SIMULATOR_VERSION"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from resistml.physics import simulator

        return getattr(simulator, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
