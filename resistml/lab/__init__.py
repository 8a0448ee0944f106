"""Measured ("lab") data: the file formats of measured contrast curves and summary measurements,
their validation, and the contrast-curve fits behind ``resistml fit-curve``.

Owns: reading and validating measured-data files (:mod:`.formats`: contrast curves, one row per
formulation and dose; summary measurements, the flat formulation table plus measured target
columns; :mod:`.tables`: the reading and checking both share), the contrast-curve models (the
simulator's gel model and a plain log-logistic form, :mod:`.models`), their fits with confidence
intervals (:mod:`.curves`), plots (:mod:`.plots`), and the synthetic "lab"
made from a hidden-parameter variant of the simulator (:mod:`.synthetic`, used by
``data/lab/make_synthetic.py``).

May import: :mod:`resistml.physics` (the gel and development laws; the simulator for synthetic
data), :mod:`resistml.formulation`, :mod:`resistml.chem`, :mod:`resistml.targets`,
:mod:`resistml.paths`. Nothing above (features, datasets, model, inference, evaluation, cli).
Inside the package: tables <- formats; models; formats, models <- curves <- plots, synthetic.
"""

from resistml.lab.formats import (
    ContrastCurve,
    LabDataError,
    SummaryMeasurements,
    read_contrast_curves,
    read_summary,
)

__all__ = ["ContrastCurve", "LabDataError", "SummaryMeasurements", "read_contrast_curves", "read_summary"]
