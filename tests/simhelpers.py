"""Shared builders for the simulator tests: formulations from catalog entries."""

from __future__ import annotations

from resistml.formulation import Formulation
from resistml.formulation.catalog import component


def resist(gen=("TPS-Tf", 5.0), resin=("PHS-8k", 100.0), xl=("HMMM", 15.0), d=None,
           base=("TOA", 0.3), mw=None, extra=(), **process) -> Formulation:
    """A PHS / HMMM / onium-triflate negative CAR (the patent's reference type), with overrides."""
    comps = []
    if gen:
        comps.append(component(*gen))
    res = component(*resin)
    comps.append(res.model_copy(update={"mw": mw}) if mw else res)
    if xl:
        comps.append(component(*xl))
    if d:
        comps.append(component(*d))
    if base and base[1] > 0:
        comps.append(component(*base))
    comps += [component(*c) for c in extra]
    proc = {"radiation": "electron", "beam_energy_keV": 50.0, "thickness_nm": 300.0, **process}
    data = {"name": "test", "components": [c.model_dump(exclude_none=True) for c in comps], "process": proc}
    return Formulation.from_dict(data, allow_incomplete=True)
