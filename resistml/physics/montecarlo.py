"""Monte Carlo electron transport in a resist film on a (layered) substrate, vectorised over electrons.

Single-scattering model (Joy, *Monte Carlo Modeling for Electron Microscopy and Microanalysis*,
OUP 1995, ch. 3):

* Elastic scattering: screened Rutherford cross section per element,
  sigma = pi Z^2 e^4 / ((p v)^2 alpha (1 + alpha)), with the Nigam screening parameter
  alpha = 3.4e-3 Z^0.67 / (E (1 + E/2mc^2)) (Nigam, Sundaresan & Wu, Phys. Rev. 115, 491 (1959),
  relativistic momentum); the struck element is drawn by its share of the total cross section and
  the polar angle from cos(theta) = 1 - 2 alpha R / (1 + alpha - R).
* Energy loss: continuous slowing down along each free path, exact on the CSDA range table of
  :mod:`resistml.physics.electron` (Bethe ICRU 37 above 10 keV, Joy-Luo below 3 keV).
* Geometry: beam along +z at the origin, resist 0 <= z < t, substrate layers below (the last may be
  semi-infinite). Steps are cut at interfaces. Energy deposited in the resist is scored at
  stratified points along each step into log-spaced radial and linear depth bins.
* An electron stops below ``cutoff_keV`` (energy deposited where it stops), leaves through the top
  (backscattered) or bottom (transmitted), or is dropped deep in the substrate once its residual
  range cannot bring it back to the resist (energy scored to the substrate; range rejection).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from resistml.chem.material import Material, atomic_number, atomic_weight
from resistml.physics.electron import ELECTRON_MASS_KEV, csda_range_g_cm2, energy_after_path

AVOGADRO = 6.02214076e23
E_SQUARED_KEV_CM = 1.439964e-10
"""e^2 / (4 pi eps0) in keV cm."""
R_MIN_NM, R_MAX_NM, N_RADIAL = 1.0, 200_000.0, 132
"""Radial bins: [0, R_MIN] then log-spaced to R_MAX (nm)."""
N_DEPTH = 16
DEPOSIT_POINTS = 3
"""Stratified scoring points per step in the resist."""

Layers = Sequence[tuple[Material, float]]


@dataclass
class DepositionResult:
    """Energy deposition of one Monte Carlo run, per incident electron."""

    beam_energy_keV: float
    thickness_nm: float
    n_electrons: int
    r_edges_nm: np.ndarray
    z_edges_nm: np.ndarray
    energy_keV: np.ndarray
    """Deposited energy in the resist per incident electron, shape (radial bins, depth bins), keV."""
    backscatter_coefficient: float
    transmission_coefficient: float
    energy_fractions: dict[str, float]
    """Fractions of the incident energy: resist, substrate, backscattered, transmitted."""
    n_steps: int
    elapsed_s: float
    resist_name: str = ""
    substrate_name: str = ""
    exit_radii_nm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Radial exit positions of transmitted electrons (free-standing or finite stacks), nm."""

    @property
    def r_centers_nm(self) -> np.ndarray:
        """Geometric bin centres (the first, [0, R_MIN], at R_MIN/2)."""
        e = self.r_edges_nm
        return np.concatenate([[e[1] / 2], np.sqrt(e[1:-1] * e[2:])])

    @property
    def radial_energy_keV(self) -> np.ndarray:
        """Deposited energy per radial bin (summed over depth), keV per electron."""
        return self.energy_keV.sum(axis=1)

    @property
    def radial_density(self) -> np.ndarray:
        """Areal energy density per radial bin, keV nm^-2 per electron (depth-integrated)."""
        area = math.pi * np.diff(self.r_edges_nm**2)
        return self.radial_energy_keV / area

    @property
    def energy_balance_error(self) -> float:
        """|sum of energy fractions - 1|."""
        return abs(sum(self.energy_fractions.values()) - 1.0)


@dataclass(frozen=True)
class _Medium:
    """Tabulated elastic cross sections of one material on a log-energy grid."""

    material: Material
    log_e: np.ndarray
    log_sigma: np.ndarray  # ln of macroscopic elastic cross section, 1/nm
    cum_share: np.ndarray  # (elements-1, grid) cumulative share of the cross section
    alpha_coef: np.ndarray  # 3.4e-3 Z^0.67 per element

    @classmethod
    def build(cls, material: Material, e_lo: float, e_hi: float, n: int = 256) -> _Medium:
        energy = np.geomspace(e_lo, e_hi, n)
        els = list(material.mass_fractions)
        z = np.array([atomic_number(e) for e in els], dtype=float)
        dens = np.array([material.mass_fractions[e] / atomic_weight(e) for e in els])
        dens *= material.density_g_cm3 * AVOGADRO
        coef = 3.4e-3 * z**0.67
        macro = dens[:, None] * elastic_cross_section_cm2(energy[None, :], z[:, None])
        total = macro.sum(axis=0)
        cum = np.cumsum(macro, axis=0)[:-1] / total
        return cls(material, np.log(energy), np.log(total * 1e-7), cum, coef)

    def mean_free_path_nm(self, e: np.ndarray) -> np.ndarray:
        return np.exp(-np.interp(np.log(e), self.log_e, self.log_sigma))

    def sample_alpha(self, e: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Screening parameter of an element drawn by its cross-section share."""
        idx = np.zeros(e.shape, dtype=np.intp)
        log_e = np.log(e)
        for row in self.cum_share:
            idx += u > np.interp(log_e, self.log_e, row)
        return self.alpha_coef[idx] / (e * (1.0 + e / (2 * ELECTRON_MASS_KEV)))


def elastic_cross_section_cm2(energy_keV: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Total screened-Rutherford cross section per atom, cm^2 (Nigam screening, relativistic p v)."""
    pv = energy_keV * (energy_keV + 2 * ELECTRON_MASS_KEV) / (energy_keV + ELECTRON_MASS_KEV)
    alpha = 3.4e-3 * z**0.67 / (energy_keV * (1.0 + energy_keV / (2 * ELECTRON_MASS_KEV)))
    return math.pi * z**2 * E_SQUARED_KEV_CM**2 / (pv**2 * alpha * (1.0 + alpha))


def _rotate(u, v, w, cos_t, phi):
    """New direction cosines after polar angle theta and azimuth phi about the old direction."""
    sin_t = np.sqrt(np.maximum(0.0, 1.0 - cos_t**2))
    cp, sp = np.cos(phi), np.sin(phi)
    sq = np.sqrt(np.maximum(1e-30, 1.0 - w**2))
    straight = sq < 1e-6
    un = np.where(straight, sin_t * cp, u * cos_t + sin_t * (u * w * cp - v * sp) / sq)
    vn = np.where(straight, sin_t * sp, v * cos_t + sin_t * (v * w * cp + u * sp) / sq)
    wn = np.where(straight, np.sign(w) * cos_t, w * cos_t - sin_t * cp * sq)
    norm = np.sqrt(un**2 + vn**2 + wn**2)
    return un / norm, vn / norm, wn / norm


class _Scorer:
    """Accumulates resist deposits into (radial, depth) bins."""

    def __init__(self, thickness_nm: float):
        self.r_edges = np.concatenate([[0.0], np.geomspace(R_MIN_NM, R_MAX_NM, N_RADIAL)])
        self.z_edges = np.linspace(0.0, thickness_nm, N_DEPTH + 1)
        self._dlog = math.log(R_MAX_NM / R_MIN_NM) / (N_RADIAL - 1)
        self.grid = np.zeros(N_RADIAL * N_DEPTH)
        self.t = thickness_nm

    def add(self, x: np.ndarray, y: np.ndarray, z: np.ndarray, de: np.ndarray) -> None:
        r = np.hypot(x, y)
        ir = np.floor(np.log(np.maximum(r, 1e-30) / R_MIN_NM) / self._dlog).astype(np.intp) + 1
        ir = np.clip(np.where(r < R_MIN_NM, 0, ir), 0, N_RADIAL - 1)
        iz = np.clip((z / self.t * N_DEPTH).astype(np.intp), 0, N_DEPTH - 1)
        self.grid += np.bincount(ir * N_DEPTH + iz, weights=de, minlength=self.grid.size)

    def result(self) -> np.ndarray:
        return self.grid.reshape(N_RADIAL, N_DEPTH)


def _as_layers(substrate: Material | Layers) -> list[tuple[Material, float]]:
    if isinstance(substrate, Material):
        return [(substrate, math.inf)]
    layers = [(m, float(t)) for m, t in substrate]  # empty: a free-standing film (membrane)
    if any(t <= 0 for _, t in layers):
        raise ValueError("substrate: layers need positive thicknesses")
    return layers


def _check_inputs(beam_energy_keV: float, thickness_nm: float, n_electrons: int) -> None:
    if not 0.5 <= beam_energy_keV <= 300:
        raise ValueError(f"beam_energy_keV must be within 0.5-300, got {beam_energy_keV!r}")
    if not 1.0 <= thickness_nm <= 1e5:
        raise ValueError(f"thickness_nm must be within 1-1e5, got {thickness_nm!r}")
    if not 1 <= n_electrons <= 10**8:
        raise ValueError(f"n_electrons must be within 1-1e8, got {n_electrons!r}")


def simulate_deposition(
    beam_energy_keV: float,
    thickness_nm: float,
    resist: Material,
    substrate: Material | Layers,
    n_electrons: int = 10_000,
    seed: int = 0,
    cutoff_keV: float | None = None,
) -> DepositionResult:
    """Run the Monte Carlo; energies per incident electron. See the module docstring for the model."""
    _check_inputs(beam_energy_keV, thickness_nm, n_electrons)
    start = time.perf_counter()
    layers = [(resist, float(thickness_nm)), *_as_layers(substrate)]
    e_cut = cutoff_keV if cutoff_keV is not None else max(0.3, 0.02 * beam_energy_keV)
    if not 0.1 <= e_cut < beam_energy_keV:
        raise ValueError(f"cutoff_keV must be within 0.1 keV and the beam energy, got {e_cut!r}")
    media = [_Medium.build(m, e_cut * 0.9, beam_energy_keV * 1.01) for m, _ in layers]
    tops = np.concatenate([[0.0], np.cumsum([t for _, t in layers])])  # tops[k] = top of layer k
    rng = np.random.default_rng(seed)
    scorer = _Scorer(thickness_nm)
    tallies = dict(substrate=0.0, backscattered=0.0, transmitted=0.0)
    counts = dict(backscattered=0, transmitted=0)
    exits: list[np.ndarray] = []
    n_steps = 0

    n = n_electrons
    x, y, z = np.zeros(n), np.zeros(n), np.full(n, 1e-9)
    u, v, w = np.zeros(n), np.zeros(n), np.ones(n)
    e = np.full(n, float(beam_energy_keV))
    # free path of the first step: beam enters at the surface with no prior scattering
    while e.size:
        n_steps += e.size
        reg = np.clip(np.searchsorted(tops, z, side="right") - 1, 0, len(layers) - 1)
        s = np.empty_like(e)
        for k, med in enumerate(media):
            m = reg == k
            if m.any():
                s[m] = -np.log1p(-rng.random(m.sum())) * med.mean_free_path_nm(e[m])
        # distance to the layer boundary along the flight direction
        bound = np.where(w > 0, tops[reg + 1], tops[reg])
        with np.errstate(divide="ignore", invalid="ignore"):
            d_b = np.where(np.abs(w) > 1e-12, (bound - z) / w, np.inf)
        hit = d_b <= s
        s = np.where(hit, d_b, s)
        e_new = np.empty_like(e)
        for k, (mat, _) in enumerate(layers):
            m = reg == k
            if m.any():
                e_new[m] = energy_after_path(e[m], s[m] * 1e-7 * mat.density_g_cm3, mat)
        de = e - e_new
        in_resist = reg == 0
        if in_resist.any():
            _score_step(scorer, rng, x, y, z, u, v, w, s, de, in_resist)
        tallies["substrate"] += float(de[~in_resist].sum())
        x, y, z = x + s * u, y + s * v, z + s * w
        z = np.where(hit, bound + np.sign(w) * 1e-6, z)
        e = e_new
        # scatter those that did not stop at a boundary
        scat = ~hit & (e > e_cut)
        if scat.any():
            cos_t = np.ones(e.size)
            alpha = np.empty(int(scat.sum()))
            reg_s, e_s, u_r = reg[scat], e[scat], rng.random(int(scat.sum()))
            for k, med in enumerate(media):
                m = reg_s == k
                if m.any():
                    alpha[m] = med.sample_alpha(e_s[m], u_r[m])
            r = rng.random(alpha.size)
            cos_t[scat] = 1.0 - 2.0 * alpha * r / (1.0 + alpha - r)
            phi = rng.random(e.size) * 2 * math.pi
            un, vn, wn = _rotate(u, v, w, cos_t, phi)
            u, v, w = np.where(scat, un, u), np.where(scat, vn, v), np.where(scat, wn, w)
        exits.append(np.hypot(x, y)[z > tops[-1]])
        keep = _terminate(e, z, x, y, e_cut, tops, layers, scorer, tallies, counts)
        x, y, z, u, v, w, e = x[keep], y[keep], z[keep], u[keep], v[keep], w[keep], e[keep]

    energy = scorer.result() / n_electrons
    total = beam_energy_keV * n_electrons
    fractions = {
        "resist": float(energy.sum() / beam_energy_keV),
        "substrate": tallies["substrate"] / total,
        "backscattered": tallies["backscattered"] / total,
        "transmitted": tallies["transmitted"] / total,
    }
    return DepositionResult(
        beam_energy_keV=float(beam_energy_keV),
        thickness_nm=float(thickness_nm),
        n_electrons=n_electrons,
        r_edges_nm=scorer.r_edges,
        z_edges_nm=scorer.z_edges,
        energy_keV=energy,
        backscatter_coefficient=counts["backscattered"] / n_electrons,
        transmission_coefficient=counts["transmitted"] / n_electrons,
        energy_fractions=fractions,
        n_steps=n_steps,
        elapsed_s=time.perf_counter() - start,
        resist_name=resist.name,
        substrate_name="/".join(m.name for m, _ in layers[1:]) or "none",
        exit_radii_nm=np.concatenate(exits),
    )


def _score_step(scorer, rng, x, y, z, u, v, w, s, de, mask) -> None:
    """Score a step's energy loss at stratified random points along it."""
    xs, ys, zs, us, vs, ws, ss = x[mask], y[mask], z[mask], u[mask], v[mask], w[mask], s[mask]
    share = de[mask] / DEPOSIT_POINTS
    for k in range(DEPOSIT_POINTS):
        f = (k + rng.random(ss.size)) / DEPOSIT_POINTS * ss
        scorer.add(xs + f * us, ys + f * vs, zs + f * ws, share)


def _terminate(e, z, x, y, e_cut, tops, layers, scorer, tallies, counts) -> np.ndarray:
    """Score and drop electrons that escaped, stopped, or cannot return to the resist."""
    out_top = z < 0.0
    out_bottom = z > tops[-1]
    tallies["backscattered"] += float(e[out_top].sum())
    tallies["transmitted"] += float(e[out_bottom].sum())
    counts["backscattered"] += int(out_top.sum())
    counts["transmitted"] += int(out_bottom.sum())
    inside = ~(out_top | out_bottom)
    stopped = inside & (e <= e_cut)
    t = tops[1]
    in_res = stopped & (z < t)
    if in_res.any():
        scorer.add(x[in_res], y[in_res], z[in_res], e[in_res])
    tallies["substrate"] += float(e[stopped & ~in_res].sum())
    # range rejection: the longest residual range over the substrate layers cannot reach z = t
    deep = inside & ~stopped & (z > t) & (len(layers) > 1) & math.isinf(layers[-1][1])
    if deep.any():
        reach = np.max(
            [csda_range_g_cm2(e[deep], m) / m.density_g_cm3 * 1e7 for m, _ in layers[1:]], axis=0
        )
        lost = np.zeros_like(deep)
        lost[deep] = z[deep] - t > reach
        tallies["substrate"] += float(e[lost].sum())
        stopped = stopped | lost
    return inside & ~stopped
