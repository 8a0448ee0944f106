"""Which substrates the simulator knows: one rule for ``check``, ``simulate``, ``predict`` and the API.

An electron exposure needs the substrate's backscatter: the proximity PSF's eta and beta
(:mod:`resistml.physics.psf`), which come from the Monte Carlo (:mod:`resistml.physics.montecarlo`)
fitted on a (beam energy, film thickness, film density) grid (:mod:`resistml.physics.psf_grid`) and
cached as CSV: the shipped ``data/psf/*.csv`` and any grid built with ``resistml psf-grid`` into
``resistml.paths.cache_dir()/psf/``. A substrate is *known* when one of those grids holds it
(case-insensitive, after the aliases of :data:`resistml.chem.material.SUBSTRATE_ALIASES`, e.g.
quartz -> SiO2). Anything else raises :class:`SubstrateError`, whose message names
``process.substrate`` and says how to build the grid. There is no nearest-grid fallback: the
backscatter of a substrate is set by its atomic number and density, and borrowing a neighbour's
grid is wrong by up to a factor of 4 in beta (Au on the GaAs grid got eta 0.95 and beta 3.2 um at
50 keV; its own Monte Carlo gives eta 1.4 and beta 0.8 um).

The rule applies whatever the radiation: X-ray exposures do not use the PSF today, but a substrate
name means the same thing in every process.

Reference backscatter coefficients (for checks, not used by the simulator):
:func:`published_backscatter_coefficient` is the empirical fit of measured bulk backscatter
coefficients by Hunger & Kuchler, phys. stat. sol. (a) 56, K45 (1979), with the Z correction of
August & Wernisch, phys. stat. sol. (a) 114, 629 (1989) (coefficients as implemented in NIST's
NeXLCore, ``August1989eta``); compounds by the mass-fraction average (Castaing's rule).
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

SUBSTRATE_FIELD = "process.substrate"
_NAMES: dict[tuple, dict[str, str]] = {}
_KNOWN: dict[str, str] = {}


class SubstrateError(ValueError):
    """An unusable ``process.substrate``; ``reason`` is the message without the field name."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(f"{SUBSTRATE_FIELD}: {reason}")


def grid_files() -> list[Path]:
    """The shipped grids (``data/psf/*.csv``), then user-built ones in ``cache_dir()/psf/*.csv`` (these win)."""
    from resistml.paths import cache_dir, data_dir

    shipped = sorted((data_dir() / "psf").glob("*.csv"))
    user_dir = cache_dir() / "psf"
    user = sorted(user_dir.glob("*.csv")) if user_dir.is_dir() else []
    return [p for p in [*shipped, *user] if p.is_file()]


def _cache_key() -> tuple:
    """Where the grids are looked for (HOME / XDG changes need :func:`clear_substrate_cache`)."""
    env = os.environ
    return env.get("RESISTML_DATA_DIR"), env.get("RESISTML_CACHE_DIR")


def grid_substrates() -> dict[str, str]:
    """Substrates with a PSF grid: lower-case key -> name as written in the grid (cached)."""
    from resistml.chem.material import canonical_substrate_name

    key = _cache_key()
    names = _NAMES.get(key)
    if names is None:
        names = {}
        for path in grid_files():
            with path.open(newline="") as handle:
                for row in csv.DictReader(handle):
                    name = (row.get("substrate") or "").strip()
                    if name:  # a grid built as 'gold' is found as 'Au' too
                        names[canonical_substrate_name(name).lower()] = name
        _NAMES.clear()
        _NAMES[key] = names
    return names


def clear_substrate_cache() -> None:
    """Forget the grid substrate names (after writing a grid file)."""
    _NAMES.clear()
    _KNOWN.clear()


def known_substrate(name: str) -> str:
    """The grid name of a substrate (``'quartz'`` -> ``'SiO2'``), or :class:`SubstrateError`.

    The one substrate rule of the package: formulation validation (hence ``check``, ``predict``
    and the API), ``simulate`` and the PSF look-up all call it.
    """
    if not isinstance(name, str) or not name.strip():
        raise SubstrateError(f"expected a substrate name or formula, got {name!r}")
    found = _KNOWN.get(name)  # accepted names, until clear_substrate_cache (a grid written or reloaded)
    if found is None:
        from resistml.chem.material import canonical_substrate_name

        names = grid_substrates()
        found = names.get(canonical_substrate_name(name).lower())
        if found is None:
            raise SubstrateError(_unknown_reason(name.strip(), names))
        if len(_KNOWN) > 4096:
            _KNOWN.clear()
        _KNOWN[name] = found
    return found


def is_known_substrate(name: str) -> bool:
    """Whether :func:`known_substrate` accepts ``name``."""
    try:
        known_substrate(name)
    except SubstrateError:
        return False
    return True


def _unknown_reason(text: str, names: dict[str, str]) -> str:
    from resistml.chem.material import MaterialError, substrate_layers

    known = ", ".join(sorted(names.values(), key=str.lower)) or "none"
    try:
        substrate_layers(text)
        build = f"build its grid with `resistml psf-grid --substrate {text} --update` (Monte Carlo, minutes)"
    except (MaterialError, ValueError):
        build = ("give it as FORMULA:DENSITY (e.g. 'Al2O3:3.95') and build its grid with "
                 "`resistml psf-grid --substrate FORMULA:DENSITY --update`")
    return f"no Monte Carlo PSF grid for {text!r} (grids: {known}); {build}"


# ---- reference backscatter coefficients (checks only) -------------------------------------------
def element_backscatter_coefficient(z: int, energy_keV: float) -> float:
    """Bulk backscatter coefficient of element Z at normal incidence (Hunger & Kuchler 1979 fit,
    August & Wernisch 1989 Z factor); fitted to measurements at 4-40 keV."""
    ln_z = math.log(z)
    c = 0.1904 - 0.2236 * ln_z + 0.1292 * ln_z**2 - 0.01491 * ln_z**3
    m = 0.1382 - 0.9211 / math.sqrt(z)
    return c * (0.9987 + 2.167e-4 * z) * energy_keV**m


def published_backscatter_coefficient(substrate: str, energy_keV: float) -> float:
    """Reference bulk backscatter coefficient of a substrate's top layer (mass-fraction average)."""
    from resistml.chem.material import atomic_number, substrate_layers

    top = substrate_layers(substrate)[0][0]
    return sum(w * element_backscatter_coefficient(atomic_number(el), energy_keV)
               for el, w in top.mass_fractions.items())
