"""The check report of a formulation: recognised component classes, warnings and claim coverage.

One documented JSON shape shared by ``resistml check --json`` and the API's ``/v1/check``.
"""

from __future__ import annotations

from typing import Any

from resistml.formulation.claims import claim_notes, claims_covered
from resistml.formulation.roles import classify
from resistml.formulation.schema import Formulation


def report(formulation: Formulation) -> dict[str, Any]:
    """The check result of one valid formulation, in the documented JSON shape."""
    components = [
        {"name": c.label, "role": c.role.value, "parts": c.parts, "classes": classify(c)}
        for c in formulation.components
    ]
    return {"valid": True, "name": formulation.name, "errors": [],
            "warnings": formulation.warnings(), "components": components,
            "claims": claims_covered(formulation), "claim_notes": claim_notes(formulation)}


def invalid_report(errors: list[str]) -> dict[str, Any]:
    """The check result of an invalid file."""
    return {"valid": False, "errors": errors, "warnings": [], "components": [], "claims": [], "claim_notes": []}
