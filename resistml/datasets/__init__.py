"""Training data: enumerated molecules, a formulation sampler, Dask generation to Parquet, splits.

- :mod:`~resistml.datasets.molecules` (+ ``fragments``): RDKit enumeration of >= 2,000 analogues.
- :mod:`~resistml.datasets.sampling`: realistic formulations and processes, per (seed, shard).
- :mod:`~resistml.datasets.generate`: ``resistml generate``; resumable Parquet shards over Dask.
- :mod:`~resistml.datasets.schema`: the Parquet layout; :mod:`~resistml.datasets.card`: card.json.
- :mod:`~resistml.datasets.splits`: random / unseen molecules / unseen scaffolds / beam energy.
- :mod:`~resistml.datasets.dataset`: stream Parquet rows into ``collate_formulations`` batches.

May import: :mod:`resistml.features`, :mod:`resistml.physics`, :mod:`resistml.formulation`,
:mod:`resistml.chem`, :mod:`resistml.targets`. Nothing above (model, inference, evaluation, cli).
"""
