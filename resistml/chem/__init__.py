"""Chemistry: RDKit parsing, molecular graphs, structure descriptors and materials from structure.

Owns SMILES parsing and canonicalisation (:mod:`.smiles`), PyG molecule graphs (:mod:`.graphs`),
descriptors of molecules and resins that the simulator reads (:mod:`.descriptors`,
:mod:`.resin_descriptors`) and elemental make-up and density of films and substrates
(:mod:`.material`), and which substrates have Monte Carlo PSF grids (:mod:`.substrate`: the one
substrate rule that formulation validation, the simulator and the API share). It works on SMILES and components, knows no physics stage and no model.

May import: :mod:`resistml.targets`, :mod:`resistml.paths` (and formulation types for type
checking only). Nothing above: the formulation schema, physics, features and everything else
import chem, never the reverse.
"""
