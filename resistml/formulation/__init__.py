"""Formulations: the documented file format, its table form, the component catalog, roles and claims.

Owns what a user writes down: the pydantic schema (:mod:`.schema`: components, process,
validation with field-named errors), file loading (:mod:`.io`), the flat table form for candidate
libraries (:mod:`.table`), the catalog of real components (:mod:`.catalog_data`, :mod:`.catalog`),
structure-based role recognition (:mod:`.roles`, RDKit SMARTS) and the patent-claim reading
(:mod:`.claims`, :mod:`.report`). Roles live here, not in ``chem``, because they classify a
*component* of a formulation; the SMILES-level RDKit work they use is in :mod:`resistml.chem`.

May import: :mod:`resistml.chem`, :mod:`resistml.targets`, :mod:`resistml.paths`. Nothing above.
Inside the package: roles, catalog_data, composition (amount and weight-fraction limits), errors
<- schema <- catalog, table <- io (with yaml_safe: hardened YAML/JSON reading); claims <- report.
"""

from resistml.formulation.io import load_formulation, load_formulations, save_formulation
from resistml.formulation.roles import Role
from resistml.formulation.schema import (
    MAX_COMPONENTS,
    MAX_REPEAT_UNITS,
    Component,
    Formulation,
    FormulationError,
    Process,
    RepeatUnit,
    format_errors,
)

__all__ = [
    "MAX_COMPONENTS",
    "MAX_REPEAT_UNITS",
    "Component",
    "Formulation",
    "FormulationError",
    "Process",
    "RepeatUnit",
    "Role",
    "format_errors",
    "load_formulation",
    "load_formulations",
    "save_formulation",
]
