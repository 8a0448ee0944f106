"""Measured-data formats: contrast curves and summary measurements, and every validation error."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from resistml.lab import LabDataError, read_contrast_curves, read_summary
from tests.lab.helpers import DOSES, FORM, curve_rows, write

LAB = "data/lab"


def _errors(func, *args, **kw) -> list[str]:
    with pytest.raises(LabDataError) as info:
        func(*args, **kw)
    return info.value.errors


def test_shipped_curves_flat_form():
    curves = read_contrast_curves(f"{LAB}/contrast_curves.csv")
    assert len(curves) == 10
    for c in curves:
        assert c.formulation is not None and c.id == c.formulation.name
        assert len(c.dose) == 20 and np.all(np.diff(c.dose) >= 0)
        assert c.thickness.min() >= 0 and c.thickness.max() <= 1.2
        assert c.dose_unit == ("mJ/cm2" if c.formulation.process.radiation == "xray" else "uC/cm2")
        assert c.resin_pdi == max(c.formulation.by_role("resin"), key=lambda r: r.parts).resin_pdi


def test_shipped_curves_by_id_joined_to_formulations():
    curves = read_contrast_curves(f"{LAB}/contrast_curves_by_id.csv", f"{LAB}/formulations.csv")
    assert len(curves) == 3 and all(c.formulation is not None and c.formulation.name == c.id for c in curves)
    loose = read_contrast_curves(f"{LAB}/contrast_curves_by_id.csv", require_formulation=False)
    assert [c.id for c in loose] == [c.id for c in curves] and all(c.formulation is None for c in loose)
    errs = _errors(read_contrast_curves, f"{LAB}/contrast_curves_by_id.csv")
    assert errs == [f"{LAB}/contrast_curves_by_id.csv: formulation_id: the formulations are given by id; "
                    "pass the formulations file they name (--formulations FILE)"]


def test_thickness_in_nm_is_normalised(tmp_path):
    rows = [{**r, "remaining_thickness_nm": r.pop("remaining_thickness") * 250.0, "initial_thickness_nm": 250.0}
            for r in curve_rows()]
    (curve,) = read_contrast_curves(write(tmp_path, rows))
    np.testing.assert_allclose(curve.thickness, [r["remaining_thickness_nm"] / 250.0 for r in rows])


def test_rows_group_by_name_and_unnamed_by_cells(tmp_path):
    rows = curve_rows() + curve_rows(name="r2", crosslinker_parts=10)
    assert [c.id for c in read_contrast_curves(write(tmp_path, rows))] == ["r1", "r2"]
    unnamed = [{k: v for k, v in r.items() if k != "name"} for r in rows]
    curves = read_contrast_curves(write(tmp_path, unnamed, "u.csv"))
    assert len(curves) == 2 and all(len(c.dose) == len(DOSES) for c in curves)


@pytest.mark.parametrize(("change", "column", "message"), [
    ({"dose": -1.0}, "dose", "must be > 0, got -1"),
    ({"dose": "abc"}, "dose", "expected a number, got 'abc'"),
    ({"dose": None}, "dose", "empty"),
    ({"remaining_thickness": 250.0}, "remaining_thickness", "250 is outside 0-1.2 (normalised to the initial thickness) (a thickness in nm belongs in remaining_thickness_nm)"),
    ({"remaining_thickness": -0.1}, "remaining_thickness", "-0.1 is outside 0-1.2"),
    ({"remaining_thickness": None}, "remaining_thickness", "empty"),
    ({"dose_unit": "mJ/cm2"}, "dose_unit", "mJ/cm2 does not match the formulation's radiation 'electron' (doses in uC/cm2)"),
    ({"dose_unit": "Gy"}, "dose_unit", "unknown unit 'Gy'"),
    ({"crosslinker_parts": 99}, "crosslinker_parts", "differs from row 0 of the same curve (99 vs 15)"),
])
def test_row_errors_name_file_row_and_column(tmp_path, change, column, message):
    rows = [{**r, "dose_unit": "uC/cm2"} for r in curve_rows()]
    rows[3].update(change)
    path = write(tmp_path, rows)
    errs = _errors(read_contrast_curves, path)
    assert len(errs) == 1, errs
    assert errs[0].startswith(f"{path}: row 3: {column}: {message}"), errs[0]


def test_nm_errors(tmp_path):
    rows = [{**r, "remaining_thickness_nm": 100.0, "initial_thickness_nm": 300.0} for r in curve_rows()]
    for r in rows:
        r.pop("remaining_thickness")
    rows[1]["initial_thickness_nm"] = None
    rows[2]["initial_thickness_nm"] = 0
    rows[4]["remaining_thickness_nm"] = -5
    rows[5]["remaining_thickness_nm"] = 900
    path = write(tmp_path, rows)
    assert _errors(read_contrast_curves, path) == [
        f"{path}: row 1: initial_thickness_nm: needed with remaining_thickness_nm",
        f"{path}: row 2: initial_thickness_nm: must be > 0, got 0",
        f"{path}: row 4: remaining_thickness_nm: must be >= 0, got -5",
        f"{path}: row 5: remaining_thickness_nm: 900 nm is 3.00 x the initial thickness (300 nm); at most 1.2 x is accepted",
    ]
    no_initial = write(tmp_path, [{k: v for k, v in r.items() if k != "initial_thickness_nm"} for r in rows], "b.csv")
    assert f"{no_initial}: initial_thickness_nm: missing column (needed with remaining_thickness_nm)" in _errors(
        read_contrast_curves, no_initial)


def test_file_level_errors(tmp_path):
    rows = curve_rows()
    typo = write(tmp_path, [{**{k: v for k, v in r.items() if k != "remaining_thickness"},
                             "remaning_thickness": 0.5} for r in rows])
    errs = _errors(read_contrast_curves, typo)
    assert f"{typo}: remaning_thickness: unknown column (did you mean 'remaining_thickness'?)" in errs
    assert any(e.startswith(f"{typo}: remaining_thickness: missing column") for e in errs)
    nodose = write(tmp_path, [{k: v for k, v in r.items() if k != "dose"} for r in rows], "nodose.csv")
    assert _errors(read_contrast_curves, nodose) == [f"{nodose}: dose: missing column"]
    noform = write(tmp_path, [{"dose": r["dose"], "remaining_thickness": r["remaining_thickness"]} for r in rows], "nf.csv")
    assert _errors(read_contrast_curves, noform)[0].startswith(f"{noform}: no formulation:")
    assert len(read_contrast_curves(noform, require_formulation=False)) == 1
    assert _errors(read_contrast_curves, tmp_path / "missing.csv") == [f"{tmp_path / 'missing.csv'}: no such file"]
    txt = tmp_path / "c.txt"
    txt.write_text("dose\n1\n")
    assert _errors(read_contrast_curves, txt) == [f"{txt}: measured data must be a CSV, TSV or Parquet table"]


def test_bad_formulation_and_unknown_id(tmp_path):
    rows = curve_rows()
    for r in rows:
        r["crosslinker"] = "HMMMX"
    path = write(tmp_path, rows)
    errs = _errors(read_contrast_curves, path)
    assert len(errs) == 1 and errs[0].startswith(f"{path}: row 0: ") and "HMMM" in errs[0], errs  # once per curve
    by_id = write(tmp_path, [{"formulation_id": "lab-01-TPS-Tf-PHS8k-HMM", "dose": 1.0, "remaining_thickness": 0.1}], "id.csv")
    errs = _errors(read_contrast_curves, by_id, f"{LAB}/formulations.csv")
    assert errs == [f"{by_id}: row 0: formulation_id: 'lab-01-TPS-Tf-PHS8k-HMM' is not a formulation name in "
                    f"{LAB}/formulations.csv (did you mean 'lab-01-TPS-Tf-PHS8k-HMMM'?)"]


# ---- summary measurements -------------------------------------------------------------------
def test_shipped_summary():
    s = read_summary(f"{LAB}/summary.csv")
    assert len(s.formulations) == 10 and s.targets == ["sensitivity", "gel_dose", "resolution_nm", "contrast", "ler_nm"]
    assert s.values["ler_nm"].isna().sum() == 2 and s.values["resolution_nm"].isna().sum() == 1
    assert (s.values["sensitivity"] > s.values["gel_dose"]).all()
    assert s.ids == [f.name for f in s.formulations]


def test_summary_subset_and_ids(tmp_path):
    path = write(tmp_path, [{**FORM, "sensitivity": 12.0, "sensitivity_std": 1.0},
                            {**FORM, "name": "r2", "sensitivity": None, "contrast": 3.0}])
    s = read_summary(path)
    assert s.targets == ["sensitivity", "contrast"] and math.isnan(s.values["sensitivity"][1])
    by_id = write(tmp_path, [{"formulation_id": "lab-02-TPS-Tf-PHS8k-HMMM-TOA", "gel_dose": 17.0}], "id.csv")
    s = read_summary(by_id, f"{LAB}/formulations.csv")
    assert s.ids == ["lab-02-TPS-Tf-PHS8k-HMMM-TOA"] and s.formulations[0].by_role("base")


def test_summary_errors(tmp_path):
    path = write(tmp_path, [
        {**FORM, "sensitivity": -3.0, "sensitivity_std": 1.0, "contrast": 2.0},
        {**FORM, "sensitivity": 3.0, "sensitivity_std": -1.0, "contrast": 2.0},
        {**FORM, "sensitivity": None, "sensitivity_std": 1.0, "contrast": 2.0},
        {**FORM, "sensitivity": None, "sensitivity_std": None, "contrast": None},
        {**FORM, "sensitivity": "fast", "sensitivity_std": None, "contrast": 2.0},
    ])
    assert _errors(read_summary, path) == [
        f"{path}: row 0: sensitivity: must be > 0, got -3",
        f"{path}: row 1: sensitivity_std: must be >= 0, got -1",
        f"{path}: row 2: sensitivity_std: given without a measured sensitivity",
        f"{path}: row 3: sensitivity, contrast: no measured value in this row",
        f"{path}: row 4: sensitivity: expected a number, got 'fast'",
    ]
    none = write(tmp_path, [{**FORM, "sensitivty": 3.0, "ler_nm_std": 0.2}], "none.csv")
    assert _errors(read_summary, none) == [
        f"{none}: sensitivty: unknown column (did you mean 'sensitivity'?)",
        f"{none}: no measured target column; expected any of sensitivity, gel_dose, resolution_nm, contrast, ler_nm",
        f"{none}: ler_nm_std: given without a ler_nm column",
    ]


def test_parquet_and_notes_columns(tmp_path):
    rows = [{**r, "notes": "wafer 3"} for r in curve_rows()]
    path = tmp_path / "c.parquet"
    pd.DataFrame(rows).to_parquet(path)
    (curve,) = read_contrast_curves(path)
    assert len(curve.dose) == len(DOSES)


@pytest.mark.parametrize(("change", "line"), [
    ({"crosslinker": "HMMMX"}, "crosslinker: unknown catalog name or invalid SMILES 'HMMMX' (RDKit cannot parse 'HMMMX'); did you mean HMMM?"),
    ({"crosslinker_parts": -3}, "crosslinker_parts: amount (parts) must be > 0, got -3"),
    ({"peb_temp_C": 900}, "peb_temp_C: 900 is outside the physical limits 20-250"),
    ({"acid_generator": None}, "formulation: not a negative chemically amplified resist: no acid_generator component"),
])
def test_formulation_errors_name_the_table_column_once_per_curve(tmp_path, change, line):
    path = write(tmp_path, curve_rows(**change))
    assert _errors(read_contrast_curves, path) == [f"{path}: row 0: {line}"]
