"""Small measured-data tables for the lab tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from resistml.lab.models import gel_thickness

FORM = {"name": "r1", "acid_generator": "TPS-Tf", "acid_generator_parts": 5, "resin": "PHS-8k",
        "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 15, "beam_energy_keV": 50}
DOSES = np.geomspace(5.0, 60.0, 12)


def curve_rows(doses=DOSES, h=None, **form) -> list[dict]:
    h = gel_thickness(doses, 10.0, 2.5, 1.5, 1.2) if h is None else h
    return [{**FORM, **form, "dose": float(d), "remaining_thickness": float(v)} for d, v in zip(doses, h, strict=True)]


def write(tmp_path: Path, rows: list[dict], name: str = "curves.csv") -> Path:
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path
