"""The film-substrate pair enters the model: backscatter eta / beta / coefficient as physics features."""

from __future__ import annotations

import copy

import pytest

from resistml.features.collate import (
    LEGACY_PHYSICS_FEATURES,
    column_selection,
    index_batch,
    process_feature_names,
)
from resistml.formulation import Formulation
from resistml.physics.psf import lookup_psf
from tests.formulation_fixtures import EXAMPLE

NAMES = process_feature_names(True)


def _row(substrate: str = "Si", thickness: float = 300.0) -> dict[str, float]:
    doc = copy.deepcopy(EXAMPLE)
    doc["process"].update(substrate=substrate, thickness_nm=thickness)
    batch = index_batch([Formulation.from_dict(doc)], physics=True)
    return dict(zip(NAMES, batch.process[0].tolist(), strict=True))


def test_backscatter_features_follow_the_psf_lookup_and_the_substrate():
    si, gaas = _row("Si"), _row("GaAs")
    assert gaas["psf_eta"] > si["psf_eta"] and gaas["backscatter_coefficient"] > si["backscatter_coefficient"]
    ref = lookup_psf(100.0, 300.0, "Si", 1.2)
    assert si["backscatter_coefficient"] == pytest.approx(float(ref["backscatter_coefficient"]), rel=0.05)
    assert _row("Si", 1000.0)["psf_eta"] != si["psf_eta"]  # the film thickness enters too


def test_older_feature_lists_are_selected_from_the_full_row():
    legacy = process_feature_names(False) + LEGACY_PHYSICS_FEATURES
    select = column_selection(legacy)
    full = index_batch([Formulation.from_dict(EXAMPLE)], physics=True).process
    picked = index_batch([Formulation.from_dict(EXAMPLE)], physics=True, select=select).process
    assert picked.shape[1] == len(legacy) and picked.tolist() == full[:, select].tolist()
    assert column_selection(NAMES) is None
    with pytest.raises(ValueError, match="not computed"):
        column_selection([*legacy, "bogus"])
