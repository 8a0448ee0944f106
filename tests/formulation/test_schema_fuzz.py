"""Hypothesis fuzzing: the schema may only ever raise FormulationError, never anything else."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resistml.formulation import Formulation, FormulationError
from resistml.formulation.table import row_to_formulation
from tests.formulation_fixtures import EXAMPLE

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["C1CC", "[*]CC[*]", "c1ccccc1", "HMMM", "resin", "acid_generator", "", "[*]"]),
)
json_values = st.recursive(
    json_leaf,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
FIELDS = ["name", "role", "smiles", "parts", "catalog", "mw", "pdi", "repeat_units", "fraction"]
PROCESS = list(EXAMPLE["process"]) + ["peb_temp_C", "developer", "substrate", "photon_energy_keV"]


def _accepts_or_rejects_cleanly(data) -> None:
    try:
        Formulation.from_dict(data)
    except FormulationError as exc:
        assert exc.errors and all(isinstance(e, str) and ":" in e for e in exc.errors)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_documents(data):
    _accepts_or_rejects_cleanly(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2), st.sampled_from(FIELDS), json_values)
def test_mutated_components(index, field, value):
    data = copy.deepcopy(EXAMPLE)
    data["components"][index][field] = value
    _accepts_or_rejects_cleanly(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(PROCESS), json_values)
def test_mutated_process(field, value):
    data = copy.deepcopy(EXAMPLE)
    data["process"][field] = value
    _accepts_or_rejects_cleanly(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["name", "resin", "resin_parts", "resin_mw", "acid_generator",
                                        "acid_generator_parts", "crosslinker", "crosslinker_parts",
                                        "beam_energy_keV"]), json_leaf, max_size=9))
def test_table_rows(row):
    try:
        row_to_formulation(row)
    except FormulationError as exc:
        assert exc.errors
