"""A synthetic "lab": measurements made by a hidden-parameter variant of the built-in simulator.

SYNTHETIC DATA, not measurements. The "lab" differs from the simulator in ways a real lab differs
from a model, none of which is recorded in the files it writes (the formulations and processes in
them are the nominal ones):

- **dose calibration**: the exposure tool delivers 1/:data:`DOSE_SCALE` of the nominal dose (a
  Faraday-cup / current-density error), so every measured dose is the nominal one, 1.3 x the dose
  the film received;
- **developer**: the developer is stronger than its label (:data:`TRUE_TMAH` wt % instead of the
  nominal 2.38 %), which raises the development constant delta_e (erosion scale) by
  (2.70 / 2.38)^2 = 1.29 and broadens the contrast curve;
- **hotplate**: the PEB runs :data:`PEB_OFFSET_C` off its set point.

Contrast curves are read on a dose matrix the lab chooses around its own (nominal) D50 and carry
log-normal multiplicative noise of :data:`NOISE_RELATIVE` plus an absolute thickness-reading noise
of :data:`NOISE_ABSOLUTE_NM` (readings below 0 clipped to 0). Summary values carry the same
multiplicative noise. Uses only the simulator's public ``simulate`` (its contrast curve).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from resistml.formulation import Formulation
from resistml.formulation.table import formulation_to_row, row_to_formulation
from resistml.lab.curves import noisy_curve
from resistml.targets import COLUMNS, DOSE_UNITS

DOSE_SCALE = 1.3
"""Nominal dose / delivered dose of the lab's exposure tool."""
TRUE_TMAH = 2.70
"""Actual TMAH concentration of the lab's 'TMAH 2.38%' developer, wt %."""
PEB_OFFSET_C = -2.0
"""Actual minus set PEB temperature, degC."""
NOISE_RELATIVE = 0.07
"""Log-normal multiplicative measurement noise (sigma of ln)."""
NOISE_ABSOLUTE_NM = 1.0
"""Absolute noise of a thickness reading, nm (1 sigma)."""
N_DOSES = 20
"""Doses per contrast curve."""
SEED = 20261203

LAB_FORMULATIONS: tuple[dict[str, Any], ...] = (
    {"name": "lab-01-TPS-Tf-PHS8k-HMMM", "acid_generator": "TPS-Tf", "acid_generator_parts": 5, "resin": "PHS-8k",
     "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 15, "beam_energy_keV": 50},
    {"name": "lab-02-TPS-Tf-PHS8k-HMMM-TOA", "acid_generator": "TPS-Tf", "acid_generator_parts": 5,
     "resin": "PHS-8k", "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 15, "base": "TOA",
     "base_parts": 0.3, "beam_energy_keV": 100},
    {"name": "lab-03-TPS-Nf-PHS12k-TMMBG", "acid_generator": "TPS-Nf", "acid_generator_parts": 6,
     "resin": "PHS-12k", "resin_parts": 100, "crosslinker": "TMMBG", "crosslinker_parts": 12, "beam_energy_keV": 50},
    {"name": "lab-04-DPI-Tf-PHS20k-HMMM-TMPTA", "acid_generator": "DPI-Tf", "acid_generator_parts": 4,
     "resin": "PHS-20k", "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 10,
     "polymerizable": "TMPTA", "polymerizable_parts": 10, "beam_energy_keV": 100},
    {"name": "lab-05-NHN-CS-novolac-HMMM", "acid_generator": "NHN-CS", "acid_generator_parts": 8,
     "resin": "Cresol-novolac-6k", "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 20,
     "beam_energy_keV": 50},
    {"name": "lab-06-TPS-Tf-PHS2.5k-TMGU-DBU", "acid_generator": "TPS-Tf", "acid_generator_parts": 5,
     "resin": "PHS-2.5k", "resin_parts": 100, "crosslinker": "TMGU", "crosslinker_parts": 15, "base": "DBU",
     "base_parts": 0.2, "beam_energy_keV": 100},
    {"name": "lab-07-BBI-Nf-PHSSt-Cymel-BDDVE", "acid_generator": "BBI-Nf", "acid_generator_parts": 5,
     "resin": "PHS-co-St-80-20", "resin_parts": 100, "crosslinker": "Cymel-1156", "crosslinker_parts": 15,
     "polymerizable": "BDDVE", "polymerizable_parts": 8, "beam_energy_keV": 75},
    {"name": "lab-08-TPS-Ts-PHSMA-HMMM", "acid_generator": "TPS-Ts", "acid_generator_parts": 6, "resin": "PHS-MA-20",
     "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 12, "beam_energy_keV": 50},
    {"name": "lab-09-TPS-Tf-PHS8k-HMMM-xray", "acid_generator": "TPS-Tf", "acid_generator_parts": 5, "resin": "PHS-8k",
     "resin_parts": 100, "crosslinker": "HMMM", "crosslinker_parts": 15, "base": "TOA", "base_parts": 0.3,
     "radiation": "xray", "photon_energy_keV": 1.0},
    {"name": "lab-10-NHS-Tf-PHSVE-TMOM-TPIm", "acid_generator": "NHS-Tf", "acid_generator_parts": 4,
     "resin": "PHS-VE-10", "resin_parts": 100, "crosslinker": "TMOM-BP", "crosslinker_parts": 15, "base": "TPIm",
     "base_parts": 0.3, "beam_energy_keV": 100},
)
"""Ten catalog-based formulations (flat table form; process defaults otherwise)."""


def lab_formulations() -> list[Formulation]:
    """The formulations the synthetic lab measured (nominal processes)."""
    return [row_to_formulation(row) for row in LAB_FORMULATIONS]


def hidden_variant(form: Formulation) -> Formulation:
    """What the lab really ran: the stronger developer and the offset hotplate (doses apart)."""
    data = form.to_dict()
    proc = data.setdefault("process", {})
    proc["developer"] = f"TMAH {TRUE_TMAH:.2f}%"
    proc["peb_temp_C"] = form.process.peb_temp_C + PEB_OFFSET_C
    return Formulation.from_dict(data)


def _lab_doses(d50_nominal: float, gel_nominal: float, n: int) -> np.ndarray:
    """The lab's dose matrix: geometric from below the onset to ~3.5 x D50, 3 significant figures."""
    lo = min(gel_nominal / 1.6, d50_nominal / 2.5)
    doses = np.geomspace(lo, 3.5 * d50_nominal, n)
    return np.array([float(f"{d:.3g}") for d in doses])


def measure(form: Formulation, rng: np.random.Generator, n_doses: int = N_DOSES) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One formulation in the synthetic lab: its contrast-curve rows and its summary row."""
    from resistml.physics import simulate

    res = simulate(hidden_variant(form))
    props = res.properties
    if props.get("status") != "ok":
        raise ValueError(f"{form.name}: the simulator gives no contrast curve ({props.get('status')})")
    dose_true, h_true = np.asarray(res.contrast_dose), np.asarray(res.contrast_thickness)
    doses = _lab_doses(DOSE_SCALE * props["sensitivity"], DOSE_SCALE * props["gel_dose"], n_doses)
    clean = np.interp(np.log(doses / DOSE_SCALE), np.log(dose_true), h_true, left=0.0, right=h_true[-1])
    thick = form.process.thickness_nm
    h = noisy_curve(clean, rng, NOISE_RELATIVE, NOISE_ABSOLUTE_NM / thick)
    row = formulation_to_row(form)
    unit = DOSE_UNITS[form.process.radiation]
    curve = pd.DataFrame([{**row, "dose": d, "dose_unit": unit, "remaining_thickness_nm": round(float(v) * thick, 1),
                           "initial_thickness_nm": thick} for d, v in zip(doses, h, strict=True)])
    summary: dict[str, Any] = {**row, "dose_unit": unit}
    for col in COLUMNS:
        value = props.get(col)
        value = value * DOSE_SCALE if col in {"sensitivity", "gel_dose"} else value
        if value is None or not math.isfinite(value):
            summary[col], summary[f"{col}_std"] = math.nan, math.nan
            continue
        measured = float(value * math.exp(NOISE_RELATIVE * rng.standard_normal()))
        summary[col] = float(f"{measured:.4g}")
        summary[f"{col}_std"] = float(f"{NOISE_RELATIVE * measured:.2g}")
    return curve, summary


def truth(form: Formulation) -> dict[str, float]:
    """Noise-free lab values (nominal doses) of one formulation: the answers the files hide."""
    from resistml.physics import simulate

    props = simulate(hidden_variant(form)).properties
    return {c: float(props[c]) * (DOSE_SCALE if c in {"sensitivity", "gel_dose"} else 1.0) for c in COLUMNS}
