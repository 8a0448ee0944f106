"""The README's example formulation, shared by tests (use the ``example_dict`` fixture for a fresh copy)."""

from __future__ import annotations

EXAMPLE = {
    "name": "example-1",
    "components": [
        {
            "name": "TPS-Tf",
            "role": "acid_generator",
            "smiles": "c1ccc(cc1)[S+](c1ccccc1)c1ccccc1.[O-]S(=O)(=O)C(F)(F)F",
            "parts": 5,
        },
        {
            "name": "PHS-8k",
            "role": "resin",
            "repeat_units": [{"smiles": "[*]CC([*])c1ccc(O)cc1", "fraction": 1.0}],
            "mw": 8000,
            "pdi": 1.2,
            "parts": 100,
        },
        {"catalog": "HMMM", "parts": 10},
    ],
    "process": {"radiation": "electron", "beam_energy_keV": 100, "thickness_nm": 300},
}
