"""Chemistry layer: RDKit parsing, roles, descriptors and molecular graphs."""
