"""The built-in simulator: formulation(s) -> sensitivity, gel dose, contrast, resolution, LER.

``simulate_many`` evaluates a whole batch with array maths (descriptors cached per SMILES, PSF
from the cached grid); ``simulate`` runs the same code on one formulation and keeps every
intermediate a user would inspect. The chain is documented in docs/physics.md (part 2):
exposure.py (energy per dose, PSF) -> radiation.py (acid, radicals) -> bake.py (quench, blur,
crosslinking, D polymerization) -> gelation.py / development.py (contrast curve) ->
patterning.py (line/space printing, LER, resolution).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from resistml.formulation import Formulation
from resistml.physics import development
from resistml.physics.exposure import Exposure, exposure
from resistml.physics.film import FilmBatch, build_batch, film_row, take
from resistml.physics.patterning import (
    FAILED_STATUS,
    LIMITS,
    LineSpace,
    PatternResult,
    analyse,
    cd_versus_dose,
)
from resistml.physics.response import ResistResponse

SIMULATOR_VERSION = "1.0"
"""Bumped whenever a model equation or parameter changes (datasets record it)."""
DOSE_RANGE = (1e-4, 1e5)
"""Doses searched for the contrast curve, in uC/cm^2 (electrons) or mJ/cm^2 (X-rays)."""
CHUNK = 2048
"""Formulations per vectorised pass (bounds memory: ~0.3 MB per formulation in the pitch grids)."""
NOISY_COLUMNS = ("sensitivity", "gel_dose", "contrast", "resolution_nm", "ler_nm")


@dataclass
class Contrast:
    """Contrast-curve metrics of a batch (arrays [N])."""

    gel_dose: np.ndarray
    sensitivity: np.ndarray
    contrast: np.ndarray
    q50: np.ndarray


def _pad_q(resp: ResistResponse, exp: Exposure, dose: np.ndarray) -> np.ndarray:
    energy = dose * resp.expand(exp.energy_per_dose * exp.pad_fraction, np.ndim(dose))
    return resp.crosslink_density(resp.pad_latent(energy), energy)


def contrast_metrics(resp: ResistResponse, exp: Exposure) -> Contrast:
    """D_g^i (delta = 1), D_g^0.5 (h = 0.5) and gamma of the large-pad contrast curve."""
    lo, hi = (np.full(len(exp.alpha_nm), v) for v in DOSE_RANGE)
    delta = lambda d: resp.gel_index(_pad_q(resp, exp, d))  # noqa: E731
    thickness = lambda d: resp.thickness(_pad_q(resp, exp, d))  # noqa: E731
    gel = development.log_bisect(delta, 1.0, lo, hi)
    d50 = development.log_bisect(thickness, 0.5, lo, hi)
    gamma = development.contrast_gamma(thickness, np.where(np.isfinite(d50), d50, 1.0))
    q50 = development.log_bisect(resp.thickness, 0.5, np.full_like(lo, 1e-9), np.full_like(lo, 1e3))
    return Contrast(gel, d50, np.where(np.isfinite(d50), gamma, np.nan), q50)


def _status(film: FilmBatch, exp: Exposure, resp: ResistResponse, con: Contrast,
            pat: PatternResult) -> list[str]:
    out = []
    for i in range(len(film)):
        if exp.errors[i]:
            out.append(exp.errors[i])
        elif not film.n_units[i] > 0:
            out.append("no_resin")
        elif not resp.g_acid[i] > 0:
            out.append("no_acid")
        elif not np.isfinite(con.gel_dose[i]):
            out.append("no_gel")
        elif not np.isfinite(con.sensitivity[i]):
            out.append("thin_gel")
        else:
            out.append(pat.status[i])
    return out


@dataclass
class BatchResult:
    """Everything computed for a batch; ``frame()`` gives one row per formulation."""

    film: FilmBatch
    exposure: Exposure
    response: ResistResponse
    contrast: Contrast
    pattern: PatternResult
    status: list[str]

    def frame(self) -> pd.DataFrame:
        """The label table: property columns, intermediates and ``status``."""
        f, e, r, c, p = self.film, self.exposure, self.response, self.contrast, self.pattern
        gel_ok = np.array([s not in ("no_resin", "no_acid", "no_gel", "thin_gel")
                           and not s.startswith("error") for s in self.status])
        onset = np.array([not s.startswith(("no_", "error")) for s in self.status])
        pat_ok = gel_ok & np.isfinite(p.resolution_nm)
        nan = np.nan
        return pd.DataFrame({
            "radiation": np.where(f.is_xray > 0.5, "xray", "electron"),
            "energy_keV": np.where(f.is_xray > 0.5, f.photon_keV, f.beam_keV),
            "dose_unit": e.dose_unit,
            "sensitivity": np.where(gel_ok, c.sensitivity, nan),
            "gel_dose": np.where(onset & np.isfinite(c.gel_dose), c.gel_dose, nan),
            "contrast": np.where(gel_ok, c.contrast, nan),
            "resolution_nm": np.where(pat_ok, p.resolution_nm, nan),
            "ler_nm": np.where(pat_ok, p.ler_at_resolution_nm, nan),
            "dose_to_size": np.where(pat_ok, p.dose_at_resolution, nan),
            "exposure_latitude": np.where(pat_ok, p.latitude_at_resolution, nan),
            "acid_yield_per_100eV": r.g_acid,
            "acid_diffusion_length_nm": r.diffusion_length_nm(),
            "stopping_power_MeV_cm2_g": e.stopping_power,
            "mass_energy_absorption_cm2_g": e.mass_energy_absorption,
            "psf_alpha_nm": e.alpha_psf_nm,
            "psf_beta_nm": np.where(f.is_xray > 0.5, nan, e.beta_nm),
            "psf_eta": e.eta,
            "backscatter_coefficient": e.backscatter_coefficient,
            "film_density_g_cm3": f.density,
            "film_tg_K": f.tg_K,
            "resolution_limit": [lim if s == "ok" or s in FAILED_STATUS.values() else None
                                 for lim, s in zip(p.limit, self.status, strict=True)],
            "status": self.status,
        })


def run_batch(film: FilmBatch) -> BatchResult:
    """The full chain on a prepared batch."""
    exp = exposure(film)
    resp = ResistResponse.from_film(film)
    con = contrast_metrics(resp, exp)
    pat = analyse(LineSpace(resp, exp), con.q50, con.sensitivity)
    return BatchResult(film, exp, resp, con, pat, _status(film, exp, resp, con, pat))


def _apply_noise(df: pd.DataFrame, noise: float, seed: int | None) -> pd.DataFrame:
    """Multiplicative log-normal measurement noise (seeded) on the property columns."""
    if noise < 0 or not math.isfinite(noise):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if noise == 0:
        return df
    rng = np.random.default_rng(seed)
    for col in NOISY_COLUMNS:
        df[col] = df[col] * np.exp(noise * rng.standard_normal(len(df)))
    return df


def simulate_many(formulations: list[Formulation], noise: float = 0.0,
                  seed: int | None = None) -> pd.DataFrame:
    """Simulate a batch, one row per formulation (vectorised).

    Failed or non-printing cases are NaN with ``status`` saying why: 'no_acid' (no generator),
    'no_gel' (no gel at any dose), 'thin_gel' (a gel forms but never keeps 50 % thickness, e.g.
    generator exhausted before enough crosslinks), 'no_resin', and for a pattern that fails even at
    600 nm half-pitch 'collapsed' (the lines exceed the critical height of the rinse/dry),
    'microbridged' (scum or swollen skins fill the spaces) or 'unresolved' (blur or LER);
    'resolution_below_grid' (below 6 nm), 'error: ...'; never inf, never an exception for one
    bad row. ``status == 'ok'`` rows have every property finite. ``resolution_limit`` names the
    limit that sets the resolution (blur | ler | microbridging | collapse; patterning.py).
    """
    forms = list(formulations)
    good, rows, errors = [], [], {}
    for i, form in enumerate(forms):
        try:
            rows.append(film_row(form))
            good.append(i)
        except Exception as exc:  # noqa: BLE001 - reported per row, the batch goes on
            errors[i] = f"error: {exc}"
    frames = []
    for start in range(0, len(good), CHUNK):
        idx = good[start:start + CHUNK]
        frame = run_batch(build_batch([forms[i] for i in idx], rows[start:start + CHUNK])).frame()
        frame.index = idx
        frames.append(frame)
    if errors:
        frames.append(pd.DataFrame({"status": list(errors.values())}, index=list(errors)))
    df = pd.concat(frames).sort_index() if frames else pd.DataFrame({"status": []})
    df.insert(0, "name", [f.name for f in forms])
    df = df.replace([np.inf, -np.inf], np.nan).reset_index(drop=True)
    return _apply_noise(df, noise, seed)


@dataclass
class SimulationResult:
    """One formulation: properties, every intermediate, the contrast curve and CD vs dose."""

    name: str
    properties: dict[str, Any]
    film: dict[str, float]
    psf: dict[str, float]
    contrast_dose: list[float]
    contrast_thickness: list[float]
    cd_dose: list[float]
    cd_nm: list[float]
    cd_half_pitch_nm: float
    pitch_table: dict[str, list[float]] = field(default_factory=dict)

    def __getattr__(self, key: str) -> Any:
        props = self.__dict__.get("properties", {})
        if key in props:
            return props[key]
        raise AttributeError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (NaN becomes None)."""
        return _clean(asdict(self))


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def _contrast_curve(res: BatchResult, n: int = 81) -> tuple[np.ndarray, np.ndarray]:
    c = res.contrast
    centre = c.sensitivity[0] if np.isfinite(c.sensitivity[0]) else 1.0
    low = c.gel_dose[0] / 3.0 if np.isfinite(c.gel_dose[0]) else centre / 30.0
    doses = np.geomspace(min(low, centre / 3.0), centre * 5.0, n)
    h = res.response.thickness(_pad_q(res.response, res.exposure, doses[None, :]))[0]
    return doses, h


def simulate(formulation: Formulation, noise: float = 0.0, seed: int | None = None) -> SimulationResult:
    """Simulate one formulation and keep the intermediates (see ``SimulationResult``)."""
    res = run_batch(build_batch([formulation]))
    row = res.frame().iloc[0].to_dict()
    row = _apply_noise(pd.DataFrame([row]), noise, seed).iloc[0].to_dict()
    doses, h = _contrast_curve(res)
    pat = res.pattern
    hp = float(pat.resolution_nm[0]) if np.isfinite(pat.resolution_nm[0]) else float("nan")
    cd_d, cd = [], []
    if math.isfinite(hp) and np.isfinite(pat.dose_at_resolution[0]):
        cd_d = list(np.geomspace(0.7, 1.5, 41) * pat.dose_at_resolution[0])
        ls = LineSpace(res.response, res.exposure)
        cd = list(cd_versus_dose(ls, 0, hp, np.array(cd_d), float(res.contrast.q50[0])))
    e = res.exposure
    return SimulationResult(
        name=formulation.name,
        properties=row | {"pattern_status": pat.status[0]},
        film=res.film.row(0) | {"u_w": float(res.film.u_w[0]), "diffusivity_nm2_s": float(res.response.diffusivity[0]),
                               "radical_yield_per_100eV": float(res.response.g_radical[0]),
                               "q50": float(res.contrast.q50[0])},
        psf={"alpha_nm": float(e.alpha_psf_nm[0]), "alpha_with_spot_nm": float(e.alpha_nm[0]),
             "beta_nm": float(e.beta_nm[0]) if e.dose_unit[0] == "uC/cm2" else float("nan"),
             "eta": float(e.eta[0]),
             "backscatter_coefficient": float(e.backscatter_coefficient[0])},
        contrast_dose=list(doses), contrast_thickness=list(h),
        cd_dose=cd_d, cd_nm=cd, cd_half_pitch_nm=hp,
        pitch_table={
            "half_pitch_nm": list(pat.half_pitch[0]), "dose": list(pat.dose[0]),
            "exposure_latitude": list(pat.exposure_latitude[0]), "ler_nm": list(pat.ler_nm[0]),
            "residue": list(pat.residue[0]), "edge_swelling_nm": list(pat.swelling[0]),
            "margin": list(pat.margin[0]),
            **{f"margin_{name}": list(pat.limit_margins[0, :, i]) for i, name in enumerate(LIMITS)},
            "line_height_nm": list(pat.line_height_nm[0]),
            "critical_height_nm": list(pat.critical_height_nm[0]),
            "line_modulus_GPa": list(pat.modulus_gpa[0]),
            "ler_linear_nm": list(pat.ler_linear_nm[0]),
            "grid_points": [int(v) for v in pat.grid_points[0]],
        },
    )


__all__ = ["simulate", "simulate_many", "SimulationResult", "run_batch", "take"]
