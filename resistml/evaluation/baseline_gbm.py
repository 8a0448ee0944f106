"""Baseline (a): amount-weighted Morgan fingerprints + process features -> gradient boosting.

Each formulation becomes, per role, the weight-fraction-weighted sum of Morgan count fingerprints
(Rogers & Hahn, J. Chem. Inf. Model. 50, 742 (2010); radius 2, folded) of its components (resins:
mole-fraction-weighted repeat units), plus resin log10 Mw and PDI and the process features. One
LightGBM regressor (Ke et al., NeurIPS 2017) per log-space target.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rdkit.Chem import rdFingerprintGenerator

from resistml.chem.smiles import parse_smiles
from resistml.formulation import Formulation, Role

FP_BITS = 256
FP_RADIUS = 2
ROLES = list(Role)
_GENERATOR = rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)


@lru_cache(maxsize=100_000)
def morgan_counts(smiles: str) -> np.ndarray:
    """Folded Morgan count fingerprint of one molecule or repeat unit (cached)."""
    return _GENERATOR.GetCountFingerprintAsNumPy(parse_smiles(smiles)).astype(np.float32)


def process_vector(formulation: Formulation) -> list[float]:
    """Process conditions as plain numbers (log energies, radiation type, bake, film)."""
    p = formulation.process
    return [
        np.log10(p.energy_keV),
        float(p.radiation == "xray"),
        np.log10(p.thickness_nm),
        p.peb_temp_C,
        np.log10(max(p.peb_time_s, 1.0)),
        np.log10(p.develop_time_s),
        p.tmah_wt_percent,
        p.spot_size_nm,
    ]


def featurize(formulation: Formulation) -> np.ndarray:
    """One fixed-length feature vector for a formulation."""
    blocks = {role: np.zeros(FP_BITS, np.float32) for role in ROLES}
    resin_mw, resin_pdi = 0.0, 0.0
    for comp, w in zip(formulation.components, formulation.weight_fractions(), strict=True):
        if comp.repeat_units is not None:
            for unit in comp.repeat_units:
                blocks[comp.role] += w * unit.fraction * morgan_counts(unit.smiles)
            resin_mw += w * np.log10(comp.mw)
            resin_pdi += w * comp.resin_pdi
        else:
            blocks[comp.role] += w * morgan_counts(comp.smiles)
    extra = [resin_mw, resin_pdi] + process_vector(formulation)
    return np.concatenate([*blocks.values(), np.asarray(extra, np.float32)])


def featurize_many(formulations: Sequence[Formulation]) -> np.ndarray:
    """Feature matrix [N, 5*FP_BITS + 10]."""
    return np.stack([featurize(f) for f in formulations])


class FingerprintGBM:
    """One LightGBM regressor per target on amount-weighted fingerprints."""

    def __init__(self, n_estimators: int = 600, learning_rate: float = 0.05, num_leaves: int = 63, seed: int = 0):
        self.params = dict(
            n_estimators=n_estimators, learning_rate=learning_rate, num_leaves=num_leaves,
            subsample=0.8, subsample_freq=1, colsample_bytree=0.5, random_state=seed, verbose=-1,
        )
        self.models: list = []

    def fit(self, x: np.ndarray, y: np.ndarray) -> FingerprintGBM:
        """Fit on features x [N, F] and log targets y [N, T] (NaN targets skipped per task)."""
        import lightgbm as lgb

        self.models = []
        for t in range(y.shape[1]):
            keep = np.isfinite(y[:, t])
            model = lgb.LGBMRegressor(**self.params)
            model.fit(x[keep], y[keep, t])
            self.models.append(model)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted log targets [N, T]."""
        return np.stack([m.predict(x) for m in self.models], axis=1)
