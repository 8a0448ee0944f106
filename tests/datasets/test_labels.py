"""Every row reaches the loader: failing formulations carry NaN or censored targets and their outcome class."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from resistml.datasets.dataset import FormulationDataset, label_arrays, read_table
from resistml.datasets.generate import GenerateConfig, generate
from resistml.datasets.schema import TARGETS
from resistml.datasets.splits import load_split
from resistml.formulation import Formulation
from resistml.physics.patterning import HALF_PITCHES_NM
from resistml.targets import CENSOR_LEFT, CENSOR_RIGHT, OUTCOMES, outcome_of

STATUSES = ("ok", "no_acid", "thin_gel", "unresolved", "collapsed", "microbridged", "resolution_below_grid",
            "something_new_in_v3")
RES = TARGETS.index("resolution_nm")


def status_labeller(forms: list[Formulation], noise: float = 0.0, seed: int | None = None) -> pd.DataFrame:
    """Cycles through simulator statuses; properties defined as the simulator defines them."""
    rows = []
    for i, f in enumerate(forms):
        status = STATUSES[i % len(STATUSES)]
        dose = 10.0 * f.process.energy_keV / 50.0
        gel = status not in ("no_acid", "thin_gel")
        prints = status in ("ok", "collapsed", "microbridged")
        rows.append({"sensitivity": dose if gel else np.nan, "gel_dose": 0.5 * dose if status != "no_acid" else np.nan,
                     "contrast": 3.0 if gel else np.nan, "resolution_nm": 40.0 if prints else np.nan,
                     "ler_nm": 4.0 if prints else np.nan, "dose_unit": "uC/cm2", "status": status})
    return pd.DataFrame(rows)


@lru_cache(maxsize=1)
def status_dataset() -> Path:
    out = Path(tempfile.mkdtemp(prefix="resistml-status-"))
    generate(out, GenerateConfig(n=160, seed=1, shard_size=80), workers=0,
             labeller="tests.datasets.test_labels:status_labeller", progress=False)
    return out


def test_statuses_map_to_outcomes_and_unknown_ones_to_other():
    assert [outcome_of(s) for s in STATUSES] == [
        "prints", "no_gel", "thin_gel", "unresolved", "collapse", "microbridging", "prints", "other"]
    assert outcome_of(None) == "other" and outcome_of("error: ValueError: x") == "other"
    assert OUTCOMES[0] == "prints"


def test_label_arrays_censor_unresolved_resolution_at_the_largest_half_pitch():
    rows = [{"status": "unresolved", "sensitivity": 5.0, "gel_dose": 2.0, "resolution_nm": None, "contrast": 2.0,
             "ler_nm": None},
            {"status": "resolution_below_grid", "sensitivity": 5.0, "gel_dose": 2.0, "resolution_nm": np.nan,
             "contrast": 2.0, "ler_nm": np.nan},
            {"status": "unresolved", "resolution_limit": 300.0, "sensitivity": 5.0, "gel_dose": 2.0,
             "resolution_nm": None, "contrast": 2.0, "ler_nm": None}]
    y, outcome, censor = label_arrays(rows, TARGETS, "log10")
    assert censor[0, RES] == CENSOR_RIGHT and y[0, RES] == np.log10(max(HALF_PITCHES_NM))
    assert censor[1, RES] == CENSOR_LEFT and y[1, RES] == np.log10(min(HALF_PITCHES_NM))
    assert y[2, RES] == np.log10(300.0)  # simulator v2's per-row resolution_limit wins
    assert np.isnan(y[0, TARGETS.index("ler_nm")]) and censor[0, TARGETS.index("ler_nm")] == 0
    assert outcome.tolist() == [OUTCOMES.index("unresolved"), OUTCOMES.index("prints"), OUTCOMES.index("unresolved")]


def test_loader_yields_non_ok_rows_with_nan_targets_and_their_outcome():
    path = status_dataset()
    batches = list(FormulationDataset(path, None, batch_size=64))
    assert sum(b.num_formulations for b in batches) == read_table(path, ["row_id"]).num_rows == 160
    outcome = torch.cat([b.outcome for b in batches])
    targets = torch.cat([b.targets for b in batches])
    censor = torch.cat([b.censor for b in batches])
    table = read_table(path, ["row_id", "status"]).to_pylist()
    assert outcome.tolist() == [OUTCOMES.index(outcome_of(r["status"])) for r in table]
    no_acid = outcome == OUTCOMES.index("no_gel")
    assert no_acid.any() and torch.isnan(targets[no_acid]).all()
    unresolved = outcome == OUTCOMES.index("unresolved")
    assert (censor[unresolved, RES] == CENSOR_RIGHT).all()
    assert torch.isfinite(targets[unresolved, TARGETS.index("sensitivity")]).all()  # defined, so trained
    assert set(outcome.tolist()) >= {OUTCOMES.index(o) for o in ("collapse", "microbridging", "other")}
    ok_only = FormulationDataset(path, None, batch_size=64, ok_only=True)
    assert sum(b.num_formulations for b in ok_only) == len(ok_only) == 20


def test_splits_cover_every_row():
    path = status_dataset()
    parts = load_split(path, "random")
    assert sum(len(v) for v in parts.values()) == 160


def test_censoring_ignores_the_mechanism_name_of_simulator_v2():
    """v2 stores the limiting mechanism (blur | ler | collapse | microbridging) in resolution_limit."""
    from resistml.datasets.dataset import GRID_BOUNDS, censored_value

    for limit in ("ler", "blur", None, float("nan")):
        code, bound = censored_value({"status": "unresolved", "resolution_limit": limit}, "resolution_nm")
        assert bound == GRID_BOUNDS["max"] and code != 0
