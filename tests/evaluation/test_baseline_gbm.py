"""Fingerprint + gradient-boosting baseline: features and a learnable synthetic target."""

from __future__ import annotations

import numpy as np

from resistml.evaluation.baseline_gbm import FP_BITS, FingerprintGBM, featurize, featurize_many
from resistml.formulation import Formulation


def test_features_depend_on_amounts_and_energy(example_dict):
    f = Formulation.from_dict(example_dict)
    x = featurize(f)
    assert x.shape == (5 * FP_BITS + 10,) and np.isfinite(x).all()
    more_pag = dict(example_dict, components=[dict(example_dict["components"][0], parts=10), *example_dict["components"][1:]])
    assert not np.allclose(featurize(Formulation.from_dict(more_pag)), x)
    hot = dict(example_dict, process={**example_dict["process"], "beam_energy_keV": 50})
    assert featurize(Formulation.from_dict(hot))[-8] != x[-8]


def test_gbm_learns_a_smooth_function(example_dict):
    rng = np.random.default_rng(0)
    forms = []
    for _ in range(120):
        d = dict(example_dict)
        d["components"] = [dict(c) for c in example_dict["components"]]
        d["components"][0]["parts"] = float(rng.uniform(1, 20))
        d["process"] = {**example_dict["process"], "beam_energy_keV": float(rng.uniform(10, 100))}
        forms.append(Formulation.from_dict(d))
    x = featurize_many(forms)
    energy = np.array([f.process.beam_energy_keV for f in forms])
    pag = np.array([f.components[0].parts for f in forms])
    y = np.stack([np.log10(energy) - 0.5 * np.log10(pag)], axis=1)
    model = FingerprintGBM(n_estimators=200, num_leaves=8).fit(x[:100], y[:100])
    err = np.abs(model.predict(x[100:]) - y[100:]).mean()
    assert err < 0.25 * np.abs(y[100:] - y[:100].mean()).mean()
