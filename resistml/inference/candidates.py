"""A deterministic candidate library built from the shipped catalog (flat table form).

Each candidate is an A + B + C (+ D) (+ E) resist drawn from ``data/catalog`` with amounts on
the grid a formulation chemist would screen (parts by weight per 100 parts resin) and an
e-beam (25-100 keV) or soft X-ray (1.0-1.5 keV) process. The same seed gives the same table on
every machine (NumPy PCG64 generator; catalog names sorted per role).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from resistml.formulation import catalog
from resistml.formulation.table import row_to_formulation

AG_PARTS = (2.0, 5.0, 8.0)
CROSSLINKER_PARTS = (10.0, 20.0, 30.0)
D_PARTS = (10.0, 25.0, 40.0)
BASE_PARTS = (0.2, 0.5)
BEAM_KEV = (25.0, 50.0, 75.0, 100.0)
PHOTON_KEV = (1.0, 1.2, 1.5)
THICKNESS_NM = (100.0, 200.0, 300.0)
PEB_C = (100.0, 110.0, 120.0)
P_WITH_D, P_WITH_BASE, P_XRAY = 0.7, 0.5, 0.15


def _pick(rng: np.random.Generator, options: tuple | list) -> object:
    return options[int(rng.integers(len(options)))]


def candidate_row(rng: np.random.Generator, names: dict[str, list[str]], index: int) -> dict[str, object]:
    """One candidate as a table row."""
    row: dict[str, object] = {
        "name": f"cand-{index:05d}",
        "acid_generator": _pick(rng, names["acid_generator"]),
        "acid_generator_parts": _pick(rng, AG_PARTS),
        "resin": _pick(rng, names["resin"]),
        "resin_parts": 100.0,
        "crosslinker": _pick(rng, names["crosslinker"]),
        "crosslinker_parts": _pick(rng, CROSSLINKER_PARTS),
    }
    if rng.random() < P_WITH_D:
        row["polymerizable"], row["polymerizable_parts"] = _pick(rng, names["polymerizable"]), _pick(rng, D_PARTS)
    if rng.random() < P_WITH_BASE:
        row["base"], row["base_parts"] = _pick(rng, names["base"]), _pick(rng, BASE_PARTS)
    xray = rng.random() < P_XRAY
    row["radiation"] = "xray" if xray else "electron"
    row["beam_energy_keV"] = _pick(rng, BEAM_KEV)
    row["photon_energy_keV"] = _pick(rng, PHOTON_KEV)
    row["thickness_nm"] = _pick(rng, THICKNESS_NM)
    row["peb_temp_C"] = _pick(rng, PEB_C)
    return row


def candidate_frame(n: int = 3000, seed: int = 7) -> pd.DataFrame:
    """``n`` unique, valid candidates (each row checked with the schema)."""
    names = {role: sorted(catalog.names(role)) for role in
             ("acid_generator", "resin", "crosslinker", "polymerizable", "base")}
    missing = [role for role, found in names.items() if not found]
    if missing:
        raise ValueError(f"catalog: no entries for {', '.join(missing)}")
    rng = np.random.default_rng(seed)
    rows, seen = [], set()
    while len(rows) < n:
        row = candidate_row(rng, names, len(rows))
        key = tuple(sorted((k, v) for k, v in row.items() if k != "name"))
        if key in seen:
            continue
        seen.add(key)
        row_to_formulation(row)  # raises FormulationError if the catalog ever yields an invalid row
        rows.append(row)
    return pd.DataFrame(rows)
