"""Features: the one formulation -> tensors path, shared by training, evaluation and serving.

Owns :mod:`.collate`: unique molecule graphs (RDKit -> PyG, via :mod:`resistml.chem.graphs`),
the per-formulation index tensors, amount features, process features and the optional physics
features (stopping power of the film from :mod:`resistml.physics.electron`).

May import: :mod:`resistml.physics`, :mod:`resistml.formulation`, :mod:`resistml.chem`,
:mod:`resistml.targets`. Nothing above (datasets, model, inference, evaluation, cli).
"""
