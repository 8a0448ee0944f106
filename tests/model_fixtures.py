"""Random but realistic formulations for graph, collate, model and training tests.

Components are drawn from the shipped catalog where it has entries for a role, plus a few real
compounds written inline so the tests do not depend on how large the catalog is.
"""

from __future__ import annotations

import random
from typing import Any

from resistml.formulation import Formulation, catalog

INLINE: dict[str, list[dict[str, Any]]] = {
    "acid_generator": [
        {"name": "TPS-Tf", "smiles": "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F"},
        {
            "name": "DPI-Nf",
            "smiles": "c1ccc(cc1)[I+]c1ccccc1.[O-]S(=O)(=O)C(F)(F)C(F)(F)C(F)(F)C(F)(F)F",
        },
        {"name": "NHS-Tf", "smiles": "O=C1CCC(=O)N1OS(=O)(=O)C(F)(F)F"},
        {"name": "BCHSDM", "smiles": "[N-]=[N+]=C(S(=O)(=O)C1CCCCC1)S(=O)(=O)C1CCCCC1"},
    ],
    "resin": [
        {
            "name": "PHS-8k",
            "repeat_units": [{"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 1.0}],
            "mw": 8000,
            "pdi": 1.2,
        },
        {
            "name": "PHS-St",
            "repeat_units": [
                {"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 0.8},
                {"smiles": "[*]CC([*])c1ccccc1", "fraction": 0.2},
            ],
            "mw": 12000,
            "pdi": 1.6,
        },
    ],
    "crosslinker": [
        {"name": "HMMM", "smiles": "COCN(COC)c1nc(N(COC)COC)nc(N(COC)COC)n1"},
        {"name": "TMMGU", "smiles": "COCN1C2C(N(COC)C1=O)N(COC)C(=O)N2COC"},
    ],
    "polymerizable": [
        {"name": "TMPTA", "smiles": "C=CC(=O)OCC(CC)(COC(=O)C=C)COC(=O)C=C"},
        {"name": "DVE-3", "smiles": "C=COCCOCCOCCOC=C"},
    ],
    "base": [
        {"name": "TOA", "smiles": "CCCCCCCCN(CCCCCCCC)CCCCCCCC"},
        {"name": "DBU", "smiles": "C1CCC2=NCCCN2CC1"},
    ],
}


def _pool(role: str) -> list[dict[str, Any]]:
    pool = [{**c, "role": role} for c in INLINE[role]]
    known = {c["name"].lower() for c in pool}
    pool += [{"catalog": n} for n in catalog.names(role) if n.lower() not in known]
    return pool


def random_formulation(rng: random.Random, index: int = 0) -> Formulation:
    """One A + B + C (+ D) (+ E) formulation with random amounts and process."""
    comps = [
        {**rng.choice(_pool("acid_generator")), "parts": rng.uniform(1, 10)},
        {**rng.choice(_pool("resin")), "parts": 100.0},
        {**rng.choice(_pool("crosslinker")), "parts": rng.uniform(5, 30)},
    ]
    if rng.random() < 0.6:
        comps.append({**rng.choice(_pool("polymerizable")), "parts": rng.uniform(5, 40)})
    if rng.random() < 0.5:
        comps.append({**rng.choice(_pool("base")), "parts": rng.uniform(0.1, 1)})
    rng.shuffle(comps)
    xray = rng.random() < 0.2
    process = {
        "radiation": "xray" if xray else "electron",
        "beam_energy_keV": rng.choice([25.0, 50.0, 75.0, 100.0]),
        "photon_energy_keV": rng.uniform(0.8, 2.0),
        "thickness_nm": rng.uniform(50, 500),
        "peb_temp_C": rng.uniform(90, 130),
    }
    return Formulation.from_dict({"name": f"f{index}", "components": comps, "process": process})


def random_formulations(n: int, seed: int = 0) -> list[Formulation]:
    """``n`` reproducible random formulations."""
    rng = random.Random(seed)
    return [random_formulation(rng, i) for i in range(n)]
