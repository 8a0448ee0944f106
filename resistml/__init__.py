"""resistml: property prediction for negative-tone chemically amplified e-beam/X-ray resists."""

__version__ = "0.1.0"
