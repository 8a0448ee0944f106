"""Dense 1:1 lines/spaces: image, sizing dose, dose latitude, LER and the resolution limit.

For every half-pitch p of a log grid (period P = 2p, the exposed lines centred at x = 0):

1. Exposure image (Fourier series, FFT-equivalent): square grating x line-spread function
   [T_alpha + eta T_beta] / (1 + eta), with Gaussian transfers T_a(n) = exp(-(pi n a / P)^2)
   (the 1-D projection of the PSF of psf.py; Chang 1975) and Lanczos sigma factors against
   Gibbs ringing; backscatter enters as the background of a 50 % dense array.
2. Acid (radiation.py, with generator depletion) on an x grid; u = acid - base diffuses
   (DCT-I of the even half period = FFT, exact Gaussian transfer) and the free acid max(u, 0) is integrated over the bake by
   Gauss-Legendre quadrature (bake.py): latent image L(x) -> crosslink density q(x).
3. Sizing dose: the dose at which q at the nominal edge x = P/4 equals q_50, the crosslink
   density that leaves 50 % thickness (so the line prints to size), by log bisection.
4. Criteria at that dose (physics doc, section 5): dose latitude EL = 0.2 p / |dCD/dlnD| >= 5 %
   (CD within +-10 % over a 5 % dose window); clean spaces (thickness at the space centre
   <= 10 %) and full lines (line-centre thickness >= 90 % of that of the widest lines of the
   grid); stochastic LER (3 sigma) <= 0.2 p; the swollen edge skins of two neighbouring lines
   close at most half the space (2 x swelling <= 0.5 p; _edge_swelling).
5. LER from shot noise (Gallatin, Proc. SPIE 5754, 38 (2005)): sigma_x = sigma_L / |dL/dx| at the
   edge with the latent-image noise of Poisson acids and base within the blur volume
   V = (4 pi s^2)^(3/2), s^2 = L_d^2 + S_MIN^2, plus electron (photon) shot noise over the area
   4 pi (s^2 + a^2/2): var = (a + b)/V + a^2/N_e.
6. Resolution: the smallest half-pitch from which all larger pitches pass, the crossing of the
   worst margin interpolated linearly in log p (continuous in the inputs, never snapped).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.fft import dct

from resistml.physics import bake, development
from resistml.physics.exposure import Exposure
from resistml.physics.film import take
from resistml.physics.response import ResistResponse

HALF_PITCHES_NM = np.geomspace(6.0, 600.0, 11)
NX = 32
"""Grid points per period (harmonics up to 16)."""
EL_MIN, CD_TOL, LER_MAX_FRACTION, SWELL_MAX, RESIDUE_MAX, LINE_MIN = 0.05, 0.10, 0.20, 0.5, 0.10, 0.90
S_MIN_NM = 2.0
"""Smallest latent-image averaging length (a resin chain's size), nm."""
EDGE_STEP = 0.004
"""Finite-difference step for edge slopes, in units of the period."""
SIZING_LOW, SIZING_RANGE = 0.5, 50.0
"""The sizing dose is searched within [SIZING_LOW, SIZING_RANGE] x the pad's D50 (the nominal
edge of a 1:1 grating receives half the open-frame energy, so it sits near 2 D50)."""
SIZING_STEPS, SIZING_PRE = 4, 4
_POS = np.array([0.0, 0.25 - EDGE_STEP, 0.25, 0.25 + EDGE_STEP, 0.5])
"""Evaluation points (fractions of the period): centre, edge -, edge, edge +, space centre."""


def _harmonics(nx: int = NX) -> np.ndarray:
    return np.arange(nx // 2 + 1, dtype=float)


def image_coefficients(period: np.ndarray, exp: Exposure, nx: int = NX) -> np.ndarray:
    """Real cosine coefficients c_n T(n) of the normalised 1:1 image, shape [N, J, nx/2+1]."""
    n = _harmonics(nx)
    grating = np.where(n == 0, 0.5, np.sin(n * np.pi / 2) / np.maximum(n * np.pi, 1e-300))
    lanczos = np.sinc(n / (nx // 2 + 1))
    f = n / period[..., None]
    e = lambda v: v[:, None, None]  # noqa: E731
    t_fwd = np.exp(-((np.pi * f * e(exp.alpha_nm)) ** 2))
    t_bs = np.exp(-((np.pi * f * e(exp.beta_nm)) ** 2))
    transfer = (t_fwd + e(exp.eta) * t_bs) / (1.0 + e(exp.eta))
    return grating * lanczos * transfer


def _synth(coeff: np.ndarray, nx: int = NX) -> np.ndarray:
    """Grid values sum_n c_n cos(2 pi n x/P) (two-sided, symmetric), shape [..., nx]."""
    spec = coeff.astype(complex) * nx
    return np.fft.irfft(spec, n=nx, axis=-1)


def _at(spectrum: np.ndarray, pos: np.ndarray, nx: int = NX) -> np.ndarray:
    """Evaluate an even (x -> -x symmetric) grid signal from its rfft at fractional positions.

    Every signal here is even about the line centre, so its spectrum is real and the
    trigonometric interpolant is a cosine sum.
    """
    n = _harmonics(nx)
    weight = np.where((n == 0) | (n == nx // 2), 1.0, 2.0) / nx
    return np.real(spectrum) @ (weight[:, None] * np.cos(2.0 * np.pi * np.outer(n, pos)))


@dataclass
class PitchState:
    """Latent image, energy and crosslink density of every (formulation, pitch) at one dose."""

    latent: np.ndarray
    energy: np.ndarray
    q: np.ndarray
    free_blurred: np.ndarray


class LineSpace:
    """The line/space model of one batch: image spectra on the pitch grid and the blur kernel."""

    def __init__(self, resp: ResistResponse, exp: Exposure, half_pitches: np.ndarray = HALF_PITCHES_NM):
        self.resp, self.exp = resp, exp
        self.half_pitch = np.broadcast_to(np.asarray(half_pitches, float), (len(exp.alpha_nm), len(half_pitches)))
        period = 2.0 * self.half_pitch
        # even signals: the half period (NX/2 + 1 points) carries everything; DCT-I = rfft there
        self.image = np.maximum(_synth(image_coefficients(period, exp)), 0.0)[..., : NX // 2 + 1]
        freq = _harmonics() / period[..., None]
        tau, self.weights = bake.bake_quadrature(resp.film.peb_s)
        d = resp.diffusivity[:, None, None, None]
        self.kernels = bake.diffusion_transfer(freq[..., None, :], d, tau[:, None, :, None])
        self.e_line = exp.energy_per_dose[:, None, None]

    def state(self, dose: np.ndarray, pos: np.ndarray = _POS) -> PitchState:
        """Latent image, energy and q at the positions ``pos`` for doses of shape [N, J]."""
        resp = self.resp
        energy_grid = dose[..., None] * self.e_line * self.image
        excess = resp.acid(energy_grid) - resp.base[:, None, None]
        spec = dct(excess, type=1, axis=-1)[..., None, :] * self.kernels
        width = resp.quench_width[:, None, None, None]
        free = bake.free_acid(_at(spec, pos), 0.0, width)
        latent = np.einsum("njkp,nk->njp", free, self.weights)
        energy = _at(dct(energy_grid, type=1, axis=-1), pos)
        free_b = latent / np.maximum(resp.t_eff, 1e-12)[:, None, None]
        return PitchState(latent, energy, resp.crosslink_density(latent, energy), free_b)

    def sizing_dose(self, q50: np.ndarray, d50: np.ndarray) -> np.ndarray:
        """Dose [N, J] that puts q = q50 at the nominal edge; NaN where none in range."""
        edge = np.array([0.25])
        fun = lambda d: self.state(d, edge).q[..., 0]  # noqa: E731
        ok = np.isfinite(d50) & (d50 > 0)
        ref = np.where(ok, d50, 1.0)[:, None] * np.ones_like(self.half_pitch)
        dose = development.log_bisect(fun, q50[:, None], ref * SIZING_LOW, ref * SIZING_RANGE,
                                      steps=SIZING_STEPS, pre=SIZING_PRE)
        return np.where(ok[:, None], dose, np.nan)


@dataclass
class PatternResult:
    """Per (formulation, half-pitch) criteria at the sizing dose, and the resolution per formulation."""

    half_pitch: np.ndarray
    dose: np.ndarray
    exposure_latitude: np.ndarray
    ler_nm: np.ndarray
    residue: np.ndarray
    swelling: np.ndarray
    """Lateral swelling of each line edge in the developer, nm."""
    margin: np.ndarray
    resolution_nm: np.ndarray
    ler_at_resolution_nm: np.ndarray
    dose_at_resolution: np.ndarray
    latitude_at_resolution: np.ndarray
    status: list[str]


def _margins(ls: LineSpace, dose: np.ndarray, q50: np.ndarray) -> dict[str, np.ndarray]:
    """EL, LER, residue and swelling at the sizing dose, and the worst normalised margin."""
    resp = ls.resp
    safe = np.where(np.isfinite(dose), dose, 1.0)
    st = ls.state(safe)
    up = ls.state(safe * 1.01, np.array([0.25])).q[..., 0]
    dx = EDGE_STEP * 2.0 * ls.half_pitch
    dq_dx = (st.q[..., 3] - st.q[..., 1]) / (2.0 * dx)
    dcd_dlnd = -2.0 * (up - st.q[..., 2]) / np.log(1.01) / np.where(dq_dx < 0, dq_dx, -1e-30)
    latitude = 2.0 * CD_TOL * ls.half_pitch / np.maximum(np.abs(dcd_dlnd), 1e-30)
    ler = _ler(ls, st, safe, dx)
    residue = resp.thickness(st.q[..., 4])
    line = resp.thickness(st.q[..., 0])
    swelling = _edge_swelling(ls, st, dx)
    margin = np.minimum.reduce([
        np.log(latitude / EL_MIN), np.log(LER_MAX_FRACTION * ls.half_pitch / np.maximum(ler, 1e-30)),
        (RESIDUE_MAX - residue) / RESIDUE_MAX, 1.0 - 2.0 * swelling / (SWELL_MAX * ls.half_pitch),
        (line / np.maximum(line[:, -1:], 1e-12) - LINE_MIN) / (1.0 - LINE_MIN),
    ])
    margin = np.where(np.isfinite(dose) & np.isfinite(margin), margin, -1.0)
    return dict(exposure_latitude=latitude, ler_nm=ler, residue=residue, swelling=swelling, margin=margin)


def _ler(ls: LineSpace, st: PitchState, dose: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """3-sigma LER = 3 sigma_q / |dq/dx| at the edge from shot noise (Gallatin 2005).

    q depends on the latent acid image L and (radical path) on the local energy E. Variances:
    Poisson acid and base in the blur volume, (dq/dlnL)^2 (a + b) / (V (a - b)^2); Poisson
    radicals (no diffusion) in the chain volume; electron/photon shot noise, correlated in both
    paths, (dq/dlnL a/(a - b) + dq/dlnE)^2 / N_e.
    """
    resp, exp = ls.resp, ls.exp
    e = lambda v: v[:, None]  # noqa: E731
    latent, energy, q = st.latent[..., 2], st.energy[..., 2], st.q[..., 2]
    eps = 1e-3
    dq_dlnl = (resp.crosslink_density(latent * (1 + eps), energy) - q) / eps
    dq_dlne = (resp.crosslink_density(latent, energy * (1 + eps)) - q) / eps
    s2 = e(resp.diffusion_length_nm() ** 2 + S_MIN_NM**2)
    volume = (4.0 * np.pi * s2) ** 1.5
    base = e(resp.base)
    free = np.maximum(st.free_blurred[..., 2], 1e-30)
    acid = free + base
    image_edge = energy / (dose * e(exp.energy_per_dose))
    quanta = dose * e(exp.quanta_per_dose) * image_edge * 4.0 * np.pi * (s2 + e(exp.alpha_nm) ** 2 / 2)
    radicals = e(resp.g_radical) * energy / 100.0 * (4.0 * np.pi * S_MIN_NM**2) ** 1.5
    var = dq_dlnl**2 * (acid + base) / (volume * free**2)
    var = var + dq_dlne**2 / np.maximum(radicals, 1e-30) * (dq_dlne > 0)
    var = var + (dq_dlnl * acid / free + dq_dlne) ** 2 / np.maximum(quanta, 1e-30)
    slope = np.abs(st.q[..., 3] - st.q[..., 1]) / (2.0 * dx)
    return 3.0 * np.sqrt(var) / np.maximum(slope, 1e-30)


def _edge_swelling(ls: LineSpace, st: PitchState, dx: np.ndarray) -> np.ndarray:
    """Lateral swelling of a line edge in the developer, nm.

    Between the gel point and the printed edge lies a skin of lightly crosslinked gel, of width
    (delta_edge - 1) / |d delta/dx|; it swells with the Flory-Rehner strain of the edge's
    network (development.linear_swelling, M_c = M_w / (delta - 1)), which grows with M_w.
    """
    resp = ls.resp
    delta = resp.gel_index(st.q[..., 1:4])
    slope = np.abs(delta[..., 2] - delta[..., 0]) / (2.0 * dx)
    skin = np.maximum(delta[..., 1] - 1.0, 0.0) / np.maximum(slope, 1e-30)
    strain = development.linear_swelling(np.maximum(delta[..., 1], 1.0 + 1e-9), resp.film.mw[:, None])
    return strain * skin


def _crossing(margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index k of the smallest passing pitch with all larger passing, and interpolation weight t.

    The resolution lies at log p_(k-1) + t (log p_k - log p_(k-1)); k = 0 means the whole grid
    passes, k = J that the largest pitch fails.
    """
    n, j = margin.shape
    passing = margin >= 0
    tail = np.flip(np.cumprod(np.flip(passing, axis=1), axis=1), axis=1).astype(bool)
    k = j - tail.sum(axis=1)
    lo = np.clip(k - 1, 0, j - 1)
    hi = np.clip(k, 0, j - 1)
    m_lo, m_hi = margin[np.arange(n), lo], margin[np.arange(n), hi]
    t = np.where((k > 0) & (k < j), m_lo / np.minimum(m_lo - m_hi, -1e-12), 1.0)
    return k, np.clip(t, 0.0, 1.0)


def _interp(values: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Log-linear interpolation of a positive per-pitch quantity at the crossing."""
    n, j = values.shape
    lo, hi = np.clip(k - 1, 0, j - 1), np.clip(k, 0, j - 1)
    a, b = values[np.arange(n), lo], values[np.arange(n), hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.exp(np.log(a) + t * (np.log(b) - np.log(a)))
    return np.where((k == 0) | (k >= j), np.nan, out)


def _ler_at_resolution(ler: np.ndarray, k: np.ndarray, t: np.ndarray) -> np.ndarray:
    """LER at the resolution limit, bounded by that of the smallest passing pitch.

    Interpolating towards the failing pitch is meaningless when another criterion (residue, EL)
    failed there with a vanishing edge slope, so the interpolated value is capped by the LER of
    the passing pitch, which the criterion keeps <= 0.2 p; continuous in t.
    """
    n, j = ler.shape
    passing = ler[np.arange(n), np.clip(k, 0, j - 1)]
    return np.minimum(_interp(ler, k, t), passing)


def analyse(ls: LineSpace, q50: np.ndarray, d50: np.ndarray) -> PatternResult:
    """Sizing dose and criteria on the pitch grid, then the resolution limit of each formulation."""
    dose = ls.sizing_dose(q50, d50)
    m = _margins(ls, dose, q50)
    k, t = _crossing(m["margin"])
    j = ls.half_pitch.shape[1]
    status = ["ok" if 0 < kk < j else "resolution_below_grid" if kk == 0 else "unresolved" for kk in k]
    return PatternResult(
        half_pitch=ls.half_pitch, dose=dose, margin=m["margin"],
        exposure_latitude=m["exposure_latitude"], ler_nm=m["ler_nm"], residue=m["residue"],
        swelling=m["swelling"],
        resolution_nm=_interp(ls.half_pitch, k, t),
        ler_at_resolution_nm=_ler_at_resolution(m["ler_nm"], k, t),
        dose_at_resolution=_interp(dose, k, t),
        latitude_at_resolution=_interp(m["exposure_latitude"], k, t),
        status=status,
    )


def cd_versus_dose(ls: LineSpace, index: int, half_pitch: float, doses: np.ndarray,
                   q50: float, n_points: int = 401) -> np.ndarray:
    """Printed line width (nm) of formulation ``index`` at one half-pitch for each dose."""
    sub = LineSpace(take(ls.resp, index), take(ls.exp, index), np.array([half_pitch]))
    pos = np.linspace(0.0, 0.5, n_points)
    cds = []
    for d in np.asarray(doses, dtype=float):
        q = sub.state(np.array([[d]]), pos).q[0, 0]
        above = q >= q50
        if not above[0]:
            cds.append(0.0)
            continue
        if above.all():
            cds.append(2.0 * half_pitch)
            continue
        i = int(np.argmin(above))
        frac = (q[i - 1] - q50) / (q[i - 1] - q[i])
        cds.append(2.0 * 2.0 * half_pitch * (pos[i - 1] + frac * (pos[i] - pos[i - 1])))
    return np.array(cds)
