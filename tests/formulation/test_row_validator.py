"""The cached row validator (table.iter_frame) gives exactly what validating each row alone gives, errors included."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from resistml.formulation.schema import FormulationError
from resistml.formulation.table import (
    RowValidator,
    formulations_to_frame,
    iter_frame,
    row_to_formulation,
)
from resistml.inference.candidates import candidate_frame
from tests.model_fixtures import random_formulations

BAD_CELLS = [None, np.nan, "", 0, -1.0, "C1CC", "PHS-8k", "TPS-Tf", 1e9, "xray", "TMAH 50%", True, 12]


def _one_by_one(frame: pd.DataFrame):
    """The reference: every row validated alone, without caches."""
    for index, row in zip(frame.index, frame.to_dict(orient="records"), strict=True):
        try:
            yield index, row_to_formulation(row)
        except FormulationError as exc:
            yield index, exc


def _same(frame: pd.DataFrame) -> None:
    validator = RowValidator()
    for _ in range(2):  # cold and warm caches
        for (i, a), (j, b) in zip(_one_by_one(frame), iter_frame(frame, validator), strict=True):
            assert i == j and type(a) is type(b)
            if hasattr(a, "errors"):
                assert a.errors == b.errors
            else:
                assert a == b


def test_same_on_random_and_catalog_libraries():
    _same(formulations_to_frame(random_formulations(40, seed=2)))
    _same(candidate_frame(60, seed=3))


def test_same_with_extension_dtypes_and_missing_cells():
    """String/Int64 columns (e.g. from Dask's CSV reader) carry pd.NA, which counts as an empty cell."""
    frame = formulations_to_frame(random_formulations(20, seed=4))
    typed = frame.convert_dtypes()
    assert any(isinstance(t, pd.StringDtype) for t in typed.dtypes) and typed.isna().any().any()
    _same(typed)
    validator = RowValidator()
    plain = [f for _, f in validator.iter_frame(frame)]
    assert [f for _, f in validator.iter_frame(typed)] == plain and not any(hasattr(f, "errors") for f in plain)


_base = pd.concat([formulations_to_frame(random_formulations(6, seed=8)), candidate_frame(6, seed=1)], ignore_index=True)


@settings(max_examples=40, deadline=None)
@given(
    edits=st.lists(
        st.tuples(st.integers(0, len(_base) - 1), st.sampled_from(sorted(_base.columns)), st.sampled_from(BAD_CELLS)),
        min_size=1,
        max_size=4,
    )
)
def test_same_on_corrupted_rows(edits):
    frame = _base.copy().astype(object)
    for row, col, value in edits:
        frame.at[row, col] = value
    _same(frame)
