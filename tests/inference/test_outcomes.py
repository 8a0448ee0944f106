"""The outcome head through both export formats; p_prints/status; older artifacts and feature lists."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from resistml.features.collate import (
    LEGACY_PHYSICS_FEATURES,
    PROCESS_FEATURES,
    process_feature_names,
)
from resistml.inference.domain import training_domain
from resistml.inference.export import (
    CHECKSUM_FILE,
    METADATA_FILE,
    ArtifactError,
    _sha256,
    check_parity,
    export_model,
)
from resistml.inference.predictor import Predictor, predict_table
from resistml.model import ResistEnsemble, ResistNet
from resistml.paths import data_dir
from resistml.targets import OUTCOMES
from tests.model_fixtures import random_formulations
from tests.serving_fixtures import TINY, tiny_artifact

FULL = process_feature_names(True)


def _meta(name: str) -> dict:
    return {"model_name": name, "model_version": "0.0.1", "domain": training_domain(random_formulations(60, seed=11))}


def _export(model: torch.nn.Module, tmp: Path, name: str) -> Path:
    return export_model(model.eval(), _meta(name), tmp / name, formats=("torchscript", "export"))


@pytest.fixture(scope="module")
def with_head(tmp_path_factory):
    torch.manual_seed(0)
    model = ResistNet(**TINY, num_outcomes=len(OUTCOMES), process_dim=len(FULL), extrapolation_sigma=0.5,
                      physics_columns=tuple(range(len(PROCESS_FEATURES), len(FULL))))
    # a narrow recorded training range, so the exported programs must carry the extrapolation variance
    from resistml.features.collate import collate_formulations

    model.observe_process(collate_formulations(random_formulations(4, seed=9), physics=True).process)
    return model.eval(), _export(model, tmp_path_factory.mktemp("art"), "head")


def test_outcome_logits_agree_with_the_eager_model_in_both_formats(one_thread, with_head):
    model, path = with_head
    assert check_parity(model, path) == []
    meta = json.loads((path / METADATA_FILE).read_text())
    assert meta["outcomes"] == list(OUTCOMES) and set(meta["outcome_definitions"]) == set(OUTCOMES)
    assert meta["featurizer"]["process_features"] == list(FULL)


def test_predictor_gives_p_prints_and_status_in_both_formats(one_thread, with_head):
    _, path = with_head
    forms = random_formulations(5, seed=4)
    results = {fmt: Predictor.load(path, fmt).predict(forms) for fmt in ("torchscript", "export")}
    for a, b in zip(results["torchscript"], results["export"], strict=True):
        assert 0.0 <= a.p_prints <= 1.0 and a.status in OUTCOMES
        assert math.isclose(a.p_prints, b.p_prints, abs_tol=1e-5) and a.status == b.status
        assert math.isclose(sum(a.outcome_probabilities.values()), 1.0, abs_tol=1e-6)
        assert a.p_prints == pytest.approx(a.outcome_probabilities["prints"])
        doc = a.to_dict()
        assert doc["p_prints"] == a.p_prints and doc["status"] == a.status
    predictor = Predictor.load(path)
    assert predictor.outcome_note is None
    table, _ = predict_table(predictor, _frame(forms))
    assert {"p_prints", "status"} <= set(table.columns)
    assert np.allclose(table["p_prints"], [r.p_prints for r in results["torchscript"]], atol=1e-6)


def _frame(forms):
    import pandas as pd

    from resistml.formulation.table import formulation_to_row

    return pd.DataFrame([formulation_to_row(f) for f in forms])


def test_ensemble_exports_with_outcomes_in_both_formats(one_thread, tmp_path):
    model = ResistEnsemble(3, seed=1, **TINY, num_outcomes=len(OUTCOMES))
    path = _export(model, tmp_path, "ensemble")
    assert check_parity(model.eval(), path) == []
    assert json.loads((path / METADATA_FILE).read_text())["ensemble_members"] == 3
    p = Predictor.load(path, "export").predict(random_formulations(2, seed=5))
    assert all(0.0 <= r.p_prints <= 1.0 for r in p)


def test_artifact_without_outcome_head_gives_nan_and_a_note(one_thread):
    predictor = Predictor.load(tiny_artifact())
    result = predictor.predict(random_formulations(2, seed=6))[0]
    assert math.isnan(result.p_prints) and result.status is None
    assert "no outcome head" in predictor.outcome_note
    assert result.to_dict()["p_prints"] is None


def test_shipped_model_still_predicts_with_its_older_feature_list(one_thread):
    shipped = data_dir() / "models" / "default"
    predictor = Predictor.load(shipped)
    assert predictor.metadata["featurizer"]["process_features"] == list(PROCESS_FEATURES + LEGACY_PHYSICS_FEATURES)
    result = predictor.predict(random_formulations(1, seed=7))[0]
    assert math.isnan(result.p_prints) and all(math.isfinite(v) for v in result.values.values())


def test_legacy_physics_width_exports_and_an_unknown_feature_list_is_refused(one_thread, tmp_path):
    legacy = PROCESS_FEATURES + LEGACY_PHYSICS_FEATURES
    torch.manual_seed(2)
    model = ResistNet(**TINY, process_dim=len(legacy), physics_columns=(9, 10))
    path = export_model(model.eval(), _meta("legacy"), tmp_path / "legacy", formats=("torchscript",))
    assert check_parity(model, path, formats=("torchscript",)) == []
    assert Predictor.load(path).predict(random_formulations(1))[0].values
    meta = json.loads((path / METADATA_FILE).read_text())
    meta["featurizer"]["process_features"] = [*legacy, "made_up_feature"]
    (path / METADATA_FILE).write_text(json.dumps(meta))
    names = [p.name for p in sorted(path.iterdir()) if p.name != CHECKSUM_FILE]
    (path / CHECKSUM_FILE).write_text("".join(f"{_sha256(path / n)}  {n}\n" for n in names))
    with pytest.raises(ArtifactError, match="none of the lists"):
        Predictor.load(path)
    shutil.rmtree(path)
