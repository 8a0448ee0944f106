"""Build the PSF grid: Monte Carlo + double-Gaussian fit on (substrate, energy, thickness, density).

The shipped grid ``data/psf/default_grid.csv`` holds :data:`DEFAULT_SUBSTRATES` (Si, GaAs,
Cr-on-quartz, SiO2, Au, W, Ta, Mo, C, Al; 5-100 keV; 30-1000 nm; film density 1.0-1.6 g/cm3).
``resistml psf-grid`` rebuilds it (``make psf-cache``) or builds other substrates into
``resistml.paths.cache_dir()/psf/`` where :func:`resistml.physics.psf.lookup_psf` finds them
(``--update`` merges into an existing file, replacing only the substrates built). The resist of
the grid is poly(4-hydroxystyrene) (C8H8O, the usual negative-CAR matrix); the composition
effect at fixed density is second order (mean Z 5.3-6 for organic films).

This module imports :mod:`resistml.physics.psf` (the fit); ``psf`` never imports this one.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor

import pandas as pd

from resistml.chem.material import material_from_smiles, substrate_layers
from resistml.physics.montecarlo import simulate_deposition
from resistml.physics.psf import TRIPLE_PARAMS, TRIPLE_PREFIX, fit_psf

DEFAULT_ENERGIES = (5.0, 10.0, 20.0, 30.0, 50.0, 75.0, 100.0)
DEFAULT_THICKNESSES = (30.0, 100.0, 300.0, 1000.0)
DEFAULT_DENSITIES = (1.0, 1.6)
DEFAULT_SUBSTRATES = ("Si", "GaAs", "Cr-on-quartz", "SiO2", "Au", "W", "Ta", "Mo", "C", "Al")
"""Substrates of the shipped grid: the first four since issue 3, the elements since issue 12."""
GRID_RESIST_SMILES = "*CC(*)c1ccc(O)cc1"
"""Poly(4-hydroxystyrene) repeat unit: the grid's resist composition."""


def grid_point(point: tuple[str, float, float, float, int, int]) -> dict:
    """Monte Carlo and fit at one (substrate, E, t, rho) point."""
    substrate, energy, thickness, density, n_electrons, seed = point
    resist = material_from_smiles(GRID_RESIST_SMILES, density, name="PHS")
    result = simulate_deposition(energy, thickness, resist, substrate_layers(substrate), n_electrons, seed)
    fit = fit_psf(result)
    triple = fit_psf(result, third_term="always")
    t3 = {f"{TRIPLE_PREFIX}{k}": getattr(triple, k) for k in TRIPLE_PARAMS if k != "backscatter_coefficient"}
    return {
        "substrate": substrate,
        "beam_energy_keV": energy,
        "thickness_nm": thickness,
        "density_g_cm3": density,
        "alpha_nm": fit.alpha_nm,
        "beta_nm": fit.beta_nm,
        "eta": fit.eta,
        "backscatter_coefficient": result.backscatter_coefficient,
        "fit_r2": fit.fit_r2,
        **t3,
        "n_electrons": n_electrons,
        "n_steps": result.n_steps,
        "mc_seconds": result.elapsed_s,
    }


def _electrons_for(energy: float, base: int) -> int:
    """Fewer electrons at high energy (steps per electron grow ~E^0.7); at least base/3."""
    return max(base // 3, int(base * (20.0 / max(energy, 20.0)) ** 0.7))


def build_grid(
    energies: Sequence[float] = DEFAULT_ENERGIES,
    thicknesses: Sequence[float] = DEFAULT_THICKNESSES,
    densities: Sequence[float] = DEFAULT_DENSITIES,
    substrates: Sequence[str] = DEFAULT_SUBSTRATES,
    n_electrons: int = 6000,
    workers: int | None = None,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Fitted PSF parameters on the full product grid, one row per point."""
    for sub in substrates:
        substrate_layers(sub)  # fail early on an unknown substrate
    points = [
        (s, float(e), float(t), float(r), _electrons_for(e, n_electrons), seed + i)
        for i, (s, e, t, r) in enumerate(itertools.product(substrates, energies, thicknesses, densities))
    ]
    points.sort(key=lambda p: -p[1])  # longest first for load balance
    workers = workers or min(len(points), os.cpu_count() or 1)
    rows = []
    if workers == 1:
        for k, p in enumerate(points):
            rows.append(grid_point(p))
            if progress:
                progress(k + 1, len(points))
    else:
        with ProcessPoolExecutor(workers) as pool:
            for k, row in enumerate(pool.map(grid_point, points)):
                rows.append(row)
                if progress:
                    progress(k + 1, len(points))
    table = pd.DataFrame(rows)
    return table.sort_values(["substrate", "beam_energy_keV", "thickness_nm", "density_g_cm3"]).reset_index(drop=True)


def merge_grid(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` with the substrates of ``new`` replaced by ``new``'s rows (grid ``--update``)."""
    keep = old[~old["substrate"].str.lower().isin(set(new["substrate"].str.lower()))]
    table = pd.concat([keep, new], ignore_index=True)
    return table.sort_values(["substrate", "beam_energy_keV", "thickness_nm", "density_g_cm3"]).reset_index(drop=True)
