"""Inference: exported models, checkpoint loading, prediction, batch prediction, domain checks.

Owns the artifact format (:mod:`.export`: TorchScript + torch.export programs, metadata,
checksums), loading Lightning checkpoints (:mod:`.checkpoint`), the :class:`~.predictor.Predictor`
with its molecule-embedding cache (:mod:`.predictor`), streamed batch prediction over libraries
(:mod:`.batch`), the applicability domain (:mod:`.domain`) and the candidate library
(:mod:`.candidates`). ``serve/`` and the ``predict`` command are thin layers over this package.

May import: :mod:`resistml.model`, :mod:`resistml.features`, :mod:`resistml.formulation`,
:mod:`resistml.chem`, :mod:`resistml.targets`, :mod:`resistml.paths`. Nothing above.
"""
