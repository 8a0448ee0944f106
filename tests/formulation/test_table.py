"""Flat table form: conversion both ways and per-row errors."""

from __future__ import annotations

import pandas as pd
import pytest

from resistml.formulation import Formulation, FormulationError
from resistml.formulation.table import (
    formulations_to_frame,
    iter_frame,
    read_table_formulations,
    row_to_formulation,
    write_table,
)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_round_trip(example_dict, tmp_path, suffix):
    f = Formulation.from_dict(example_dict)
    path = tmp_path / f"lib{suffix}"
    write_table([f, f.model_copy(update={"name": "copy"})], path)
    back = read_table_formulations(path)
    assert back[0] == f and back[1].name == "copy"


def test_copolymer_cell_and_absent_components():
    row = {
        "name": "row",
        "acid_generator": "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F",
        "acid_generator_parts": 5,
        "resin": "[*]CC([*])c1ccc(O)cc1 0.8; [*]CC([*])c1ccccc1 0.2",
        "resin_parts": 100,
        "resin_mw": 9000,
        "resin_pdi": 1.4,
        "crosslinker": "HMMM",
        "crosslinker_parts": 12,
        "base": "CCCCCCCCN(CCCCCCCC)CCCCCCCC",
        "base_parts": 0,  # zero amount: absent
        "polymerizable": None,  # empty: absent
        "polymerizable_parts": 10,
        "beam_energy_keV": 75,
    }
    f = row_to_formulation(row)
    assert [c.role.value for c in f.components] == ["acid_generator", "resin", "crosslinker"]
    assert [u.fraction for u in f.components[1].repeat_units] == [0.8, 0.2]
    assert f.process.beam_energy_keV == 75


def test_bad_rows_are_reported_and_the_rest_kept(example_dict):
    good = formulations_to_frame([Formulation.from_dict(example_dict)])
    bad = good.copy()
    bad.loc[0, "acid_generator_parts"] = -3
    frame = pd.concat([good, bad], ignore_index=True)
    results = list(iter_frame(frame))
    assert isinstance(results[0][1], Formulation)
    assert isinstance(results[1][1], FormulationError)
    assert "components[0].parts: amount (parts) must be > 0, got -3" in results[1][1].errors[0]


def test_copolymer_without_fractions_is_an_error():
    row = {"resin": "[*]CC([*])c1ccc(O)cc1; [*]CC([*])c1ccccc1", "resin_parts": 100, "resin_mw": 8000}
    with pytest.raises(FormulationError, match="resin: every repeat unit"):
        row_to_formulation(row)
