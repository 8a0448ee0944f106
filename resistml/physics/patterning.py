"""Dense 1:1 lines/spaces: image, sizing dose, criteria, LER and the resolution limit.

For every half-pitch p of a log grid (period P = 2p, the exposed lines centred at x = 0):

1. Exposure image (Fourier series, FFT-equivalent): square grating x line-spread function
   [T_alpha + eta T_beta] / (1 + eta), with Gaussian transfers T_a(n) = exp(-(pi n a / P)^2)
   (the 1-D projection of the PSF of psf.py; Chang 1975) and Lanczos sigma factors against
   Gibbs ringing; backscatter enters as the background of a 50 % dense array.
2. Acid (radiation.py, with generator depletion) on an x grid; u = acid - base diffuses
   (DCT-I of the even half period = FFT, exact Gaussian transfer) and the free acid max(u, 0)
   is integrated over the bake by Gauss-Legendre quadrature (bake.py): latent image L(x) ->
   crosslink density q(x). The edge slope dq/dx is the exact derivative of the trigonometric
   interpolant (chain rule through the quench and q(L, E)), not a finite difference.
3. Grid (convergence rule, docs/physics-v2-patterning.md): each (formulation, pitch) gets
   nx = the power of two >= POINTS_PER_BLUR x P / sigma_b points per period, sigma_b =
   sqrt(a^2/2 + L_d^2) the standard deviation of the forward-scattering (a, with beam spot)
   and acid-diffusion (L_d) blur, floored at BLUR_FLOOR_NM, within [NX_MIN, NX_MAX]. Cells
   sharing a grid size are computed together.
4. Sizing dose: the dose at which q at the nominal edge x = P/4 equals q_50, the crosslink
   density that leaves 50 % thickness (so the line prints to size), by log bisection.
5. Criteria at that dose, grouped into the four limits of the resolution:
   * blur (the image): dose latitude EL = 0.2 p / |dCD/dlnD| >= 5 % (CD within +-10 % over
     a 5 % dose window) and full lines (line-centre thickness >= 90 % of that of the widest
     lines of the grid);
   * ler: 3-sigma LER <= 0.2 p (ler.py: Gallatin's shot-noise form, bounded);
   * microbridging (microbridging.py): scum at the space centre, swollen edge skins closing
     the space;
   * collapse (collapse.py): line height <= the critical height of the capillary beam-bending
     instability during the rinse/dry.
6. Resolution: the smallest half-pitch from which all larger pitches pass, the crossing of the
   worst margin interpolated linearly in log p (continuous in the inputs, never snapped);
   ``limit`` names the criterion that fails just below it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.fft import dct
from scipy.special import erf, expit

from resistml.physics import bake, collapse, development, ler, microbridging
from resistml.physics.exposure import Exposure
from resistml.physics.film import take
from resistml.physics.ler import S_MIN_NM  # noqa: F401 - public name kept
from resistml.physics.response import ResistResponse

HALF_PITCHES_NM = np.geomspace(6.0, 600.0, 11)
NX = 32
"""Default grid of the stand-alone image helpers (image_coefficients, _synth, _at); the simulator
chooses its grid per (formulation, pitch) with :func:`grid_points`."""
POINTS_PER_BLUR = 2.0
"""Convergence rule: grid points per blur standard deviation sigma_b (see grid_points)."""
NX_MIN, NX_MAX = 16, 2048
"""Bounds of the grid (points per period, powers of two)."""
BLUR_FLOOR_NM = 1.0
"""Smallest blur used by the grid rule, nm (the image is never sharper than ~1 nm: resin chain
size and secondary-electron range)."""
HI_TOL = 4.6
"""The untruncated series stops where pi n a / P > HI_TOL (Gaussian transfer < 1e-9)."""
FOURIER_RATIO = 12.0
"""Exact grating images use the cosine series where P / a < FOURIER_RATIO (<= 18 terms), the
real-space erf sum otherwise."""
N_HI_MAX = 16384
LANCZOS = False
"""Lanczos sigma factors on the simulator's grids. Off: the grid carries only the nonlinear
remainder of the acid (the linear part is evaluated exactly), and sigma factors would add a
grid-dependent blur (a box of ~2 grid spacings) that converges only as (P / nx)^2; with them the
LER changed by ~5 % on doubling the grid. The stand-alone image helpers keep them."""
CELL_BUDGET = 1 << 19
"""Largest (cells x harmonics) computed at once (bounds memory to ~20 MB per block)."""
EL_MIN, CD_TOL, LER_MAX_FRACTION, LINE_MIN = 0.05, 0.10, 0.20, 0.90
RESIDUE_MAX, SWELL_MAX = microbridging.RESIDUE_MAX, microbridging.SWELL_MAX
LIMITS = ("blur", "ler", "microbridging", "collapse")
"""Names of the resolution limits, in the order of PatternResult.limit_margins."""
SIZING_LOW, SIZING_RANGE = 0.5, 50.0
"""The sizing dose is searched within [SIZING_LOW, SIZING_RANGE] x the pad's D50 (the nominal
edge of a 1:1 grating receives half the open-frame energy, so it sits near 2 D50)."""
SIZING_STEPS, SIZING_PRE = 4, 4
_POS = np.array([0.0, 0.25, 0.5])
"""Evaluation points (fractions of the period): line centre, nominal edge, space centre."""
_EDGE = np.array([0.25])
DERIV_EPS = 1e-3


def _harmonics(nx: int = NX) -> np.ndarray:
    return np.arange(nx // 2 + 1, dtype=float)


def _coefficients(period: np.ndarray, alpha: np.ndarray, beta: np.ndarray, eta: np.ndarray,
                  nx: int, lanczos: bool = True) -> np.ndarray:
    """c_n T(n) of the normalised 1:1 image for broadcastable period/alpha/beta/eta [..., 1]."""
    n = _harmonics(nx)
    grating = np.where(n == 0, 0.5, np.sin(n * np.pi / 2) / np.maximum(n * np.pi, 1e-300))
    lanczos = np.sinc(n / (nx // 2 + 1)) if lanczos else 1.0
    f = n / period
    t_fwd = np.exp(-((np.pi * f * alpha) ** 2))
    t_bs = np.exp(-((np.pi * f * beta) ** 2))
    return grating * lanczos * (t_fwd + eta * t_bs) / (1.0 + eta)


def image_coefficients(period: np.ndarray, exp: Exposure, nx: int = NX) -> np.ndarray:
    """Real cosine coefficients c_n T(n) of the normalised 1:1 image, shape [N, J, nx/2+1]."""
    e = lambda v: v[:, None, None]  # noqa: E731
    return _coefficients(period[..., None], e(exp.alpha_nm), e(exp.beta_nm), e(exp.eta), nx)


def _synth(coeff: np.ndarray, nx: int = NX) -> np.ndarray:
    """Grid values sum_n c_n cos(2 pi n x/P) (two-sided, symmetric), shape [..., nx]."""
    spec = coeff.astype(complex) * nx
    return np.fft.irfft(spec, n=nx, axis=-1)


@lru_cache(maxsize=256)
def _eval_matrix(nx: int, pos: tuple[float, ...], derivative: bool = False) -> np.ndarray:
    """[nx/2+1, P] weights that evaluate an even signal (or its d/d(x/P)) from its rfft."""
    n = _harmonics(nx)
    weight = np.where((n == 0) | (n == nx // 2), 1.0, 2.0) / nx
    arg = 2.0 * np.pi * np.outer(n, np.asarray(pos))
    if derivative:
        return -(weight * 2.0 * np.pi * n)[:, None] * np.sin(arg)
    return weight[:, None] * np.cos(arg)


def _at(spectrum: np.ndarray, pos: np.ndarray, nx: int = NX) -> np.ndarray:
    """Evaluate an even (x -> -x symmetric) grid signal from its rfft at fractional positions.

    Every signal here is even about the line centre, so its spectrum is real and the
    trigonometric interpolant is a cosine sum.
    """
    return np.real(spectrum) @ _eval_matrix(nx, tuple(np.atleast_1d(pos).tolist()))


def blur_sigma_nm(resp: ResistResponse, exp: Exposure) -> np.ndarray:
    """sigma_b = sqrt(a^2/2 + L_d^2): standard deviation of the forward and acid blur, floored, nm."""
    s = np.sqrt(exp.alpha_nm**2 / 2.0 + resp.diffusion_length_nm() ** 2)
    return np.maximum(np.nan_to_num(s, nan=BLUR_FLOOR_NM), BLUR_FLOOR_NM)


def grid_points(period_nm: np.ndarray, sigma_nm: np.ndarray, points_per_blur: float | None = None,
                nx_min: int | None = None, nx_max: int | None = None) -> np.ndarray:
    """Convergence rule: nx = 2^ceil(log2(points_per_blur x P / sigma_b)) within [NX_MIN, NX_MAX]."""
    ppb = POINTS_PER_BLUR if points_per_blur is None else points_per_blur
    lo, hi = NX_MIN if nx_min is None else nx_min, NX_MAX if nx_max is None else nx_max
    need = ppb * np.asarray(period_nm, float) / np.asarray(sigma_nm, float)
    nx = 2 ** np.ceil(np.log2(np.maximum(need, 1.0)))
    return np.clip(nx, lo, hi).astype(int)


def _subset(obj, rows: np.ndarray):
    """Copy of a batch dataclass (ResistResponse, FilmBatch) holding the rows ``rows`` (with repeats)."""
    changes = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray):
            changes[f.name] = value[rows]
        elif isinstance(value, list):
            changes[f.name] = [value[i] for i in rows]
        elif dataclasses.is_dataclass(value):
            changes[f.name] = _subset(value, rows)
    return dataclasses.replace(obj, **changes)


@dataclass
class _Block:
    """Cells (formulation, pitch) sharing one grid size."""

    idx: np.ndarray
    rows: np.ndarray
    nx: int
    period: np.ndarray
    image: np.ndarray
    kernels: np.ndarray
    weights: np.ndarray
    e_line: np.ndarray
    resp: ResistResponse
    alpha: np.ndarray
    beta: np.ndarray
    eta: np.ndarray
    tau: np.ndarray
    cache: dict = dataclasses.field(default_factory=dict)


@dataclass
class PitchState:
    """Latent image, energy and crosslink density of every (formulation, pitch) at one dose.

    Arrays [N, J, P] at the evaluation points; with ``slope`` also the edge slope dq/dx (1/nm)
    and the partial derivatives dq/dlnL, dq/dlnE at the edge, [N, J].
    """

    latent: np.ndarray
    energy: np.ndarray
    q: np.ndarray
    free_blurred: np.ndarray
    dq_dx: np.ndarray | None = None
    dq_dlnl: np.ndarray | None = None
    dq_dlne: np.ndarray | None = None


def _log_partials(resp: ResistResponse, latent: np.ndarray, energy: np.ndarray,
                  q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dq/dlnL and dq/dlnE by a relative forward difference (local, no grid)."""
    dl = (resp.crosslink_density(latent * (1 + DERIV_EPS), energy) - q) / DERIV_EPS
    de = (resp.crosslink_density(latent, energy * (1 + DERIV_EPS)) - q) / DERIV_EPS
    return dl, de


def _gaussian_grating(period: np.ndarray, width: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 1:1 grating (lines at x = 0 mod P, open-frame value 1) blurred by exp(-x^2/a^2)/(sqrt(pi) a).

    Returns the values at the fractional positions ``pos`` [C, K, npos] and the slope d/dx at the
    nominal edge x = P/4 [C, K], for widths a [C, K] and periods P [C]. Exact (untruncated): a
    cosine series where a is not small against P (terms while pi n a / P <= HI_TOL), else the
    real-space sum of erf steps over the line and its two neighbours.
    """
    c, k = width.shape
    per = period[:, None]
    val, der = np.empty((c, k, len(pos))), np.empty((c, k))
    fourier = (per / np.maximum(width, 1e-12) < FOURIER_RATIO)
    if fourier.any():
        ci, ki = np.nonzero(fourier)
        pp, aa = period[ci], width[ci, ki]
        n_hi = int(min(N_HI_MAX, np.ceil(HI_TOL * np.max(pp / np.maximum(aa, 1e-12)) / np.pi))) + 1
        n = np.arange(1, n_hi + 1, dtype=float)
        coef = 2.0 * np.sin(n * np.pi / 2) / (n * np.pi) * np.exp(-((np.pi * n[None, :] * (aa / pp)[:, None]) ** 2))
        val[ci, ki] = 0.5 + coef @ np.cos(2.0 * np.pi * np.outer(n, pos))
        der[ci, ki] = -(coef * (2.0 * np.pi * n) * np.sin(np.pi * n / 2)) .sum(axis=1) / pp
    real = ~fourier
    if real.any() and np.all(np.isin(pos, (0.0, 0.25, 0.5))):
        # P >= 12 a: the line and its two neighbours; by the symmetry of a 1:1 grating
        # I(P/4) = 1/2 and I(P/2) = 1 - I(0), I(0) = erf(u) + erf(5u) - erf(3u), u = P/(4a)
        ci, ki = np.nonzero(real)
        pp, aa = period[ci], np.maximum(width[ci, ki], 1e-12)
        u = pp / (4.0 * aa)
        i0 = erf(u) + erf(5.0 * u) - erf(3.0 * u)
        val[ci, ki] = np.where(pos == 0.0, i0[:, None], np.where(pos == 0.25, 0.5, 1.0 - i0[:, None]))
        g = lambda z: np.exp(-((z / aa) ** 2)) / (np.sqrt(np.pi) * aa)  # noqa: E731
        der[ci, ki] = 2.0 * g(pp / 2.0) - g(0.0) - 2.0 * g(pp) + g(1.5 * pp)
    elif real.any():
        ci, ki = np.nonzero(real)
        pp, aa = period[ci][:, None], np.maximum(width[ci, ki], 1e-12)[:, None]
        # P >= FOURIER_RATIO a: lines beyond the nearest neighbours are >= 1.25 P >= 15 a away
        m_max = int(np.ceil(np.max(6.0 * aa / pp - 0.25))) if FOURIER_RATIO < 12.0 else 1
        m_max = max(m_max, 1)
        m = np.arange(-m_max, m_max + 1, dtype=float)[None, :]
        x = pos[None, :, None] * pp[:, :, None] - m[:, None, :] * pp[:, :, None]
        h = pp[:, :, None] / 4.0
        a3 = aa[:, :, None]
        val[ci, ki] = 0.5 * (erf((x + h) / a3) - erf((x - h) / a3)).sum(axis=-1)
        xe = pp / 4.0 - m * pp
        g = lambda z: np.exp(-((z / aa) ** 2)) / (np.sqrt(np.pi) * aa)  # noqa: E731
        der[ci, ki] = (g(xe + pp / 4.0) - g(xe - pp / 4.0)).sum(axis=-1)
    return val, der


class LineSpace:
    """The line/space model of one batch: image spectra on adaptive grids and the blur kernels.

    The chain is split into its linear part and a nonlinear remainder. The acid of a small dose
    is linear in the energy, a = (G/100) E; its image after the bake, sum_n c_n T(n) K_tau(n)
    cos(2 pi n x / P), and the energy image itself are evaluated at the points from the
    untruncated series (harmonics up to where the forward transfer T is < 1e-9), so edge
    energies and slopes do not depend on the grid. Only the remainder a(E) - (G/100) E
    (generator depletion, radiation.py) goes through the grid, DCT and diffusion transfer.
    """

    def __init__(self, resp: ResistResponse, exp: Exposure, half_pitches: np.ndarray = HALF_PITCHES_NM,
                 points_per_blur: float | None = None, nx_min: int | None = None, nx_max: int | None = None):
        self.resp, self.exp = resp, exp
        n = len(exp.alpha_nm)
        self.half_pitch = np.broadcast_to(np.asarray(half_pitches, float), (n, len(half_pitches)))
        period = 2.0 * self.half_pitch
        self.sigma_nm = blur_sigma_nm(resp, exp)
        self.nx = grid_points(period, self.sigma_nm[:, None], points_per_blur, nx_min, nx_max)
        tau, weights = bake.bake_quadrature(resp.film.peb_s)
        flat_nx, flat_p = self.nx.reshape(-1), period.reshape(-1)
        j = self.half_pitch.shape[1]
        self.blocks: list[_Block] = []
        for nx in np.unique(flat_nx):
            cells = np.flatnonzero(flat_nx == nx)
            size = max(1, CELL_BUDGET // (int(nx) // 2 + 1))
            for start in range(0, len(cells), size):
                idx = cells[start:start + size]
                rows = idx // j
                per = flat_p[idx][:, None]
                coeff = _coefficients(per, exp.alpha_nm[rows, None], exp.beta_nm[rows, None],
                                      exp.eta[rows, None], int(nx), lanczos=LANCZOS)
                image = _synth(coeff, int(nx))[:, : int(nx) // 2 + 1]
                freq = _harmonics(int(nx))[None, None, :] / per[:, :, None]
                kernels = bake.diffusion_transfer(freq, resp.diffusivity[rows, None, None], tau[rows][:, :, None])
                self.blocks.append(_Block(idx, rows, int(nx), per[:, 0], image, kernels, weights[rows],
                                          exp.energy_per_dose[rows], _subset(resp, rows),
                                          exp.alpha_nm[rows], exp.beta_nm[rows], exp.eta[rows], tau[rows]))

    @staticmethod
    def _exact(b: _Block, key: tuple[float, ...]) -> tuple[np.ndarray, ...]:
        """Untruncated image I and linear bake images L_k at the points, and their x-slopes at the edge."""
        if key in b.cache:
            return b.cache[key]
        pos = np.asarray(key, float)
        d4t = 4.0 * b.resp.diffusivity[:, None] * b.tau  # [C, K]: Gaussian a^2 adds 4 D tau
        widths = np.concatenate([np.zeros((len(b.idx), 1)), d4t], axis=1)  # node 0: the energy image
        fwd, fwd_d = _gaussian_grating(b.period, np.sqrt(b.alpha[:, None] ** 2 + widths), pos)
        bs, bs_d = _gaussian_grating(b.period, np.sqrt(b.beta[:, None] ** 2 + widths), pos)
        eta = b.eta[:, None, None]
        val = (fwd + eta * bs) / (1.0 + eta)
        der = (fwd_d + eta[..., 0] * bs_d) / (1.0 + eta[..., 0])
        b.cache[key] = (val[:, 0], val[:, 1:], der[:, 0], der[:, 1:])
        return b.cache[key]

    @staticmethod
    def _point_kernel(b: _Block, key: tuple[float, ...]) -> np.ndarray:
        """W [C, K, nh] with u_k(x) = sum_m R_m W_km for a half-grid signal R: the DCT-I, the
        diffusion transfer and the evaluation at the single point x folded into one kernel."""
        ck = ("kernel",) + key
        if ck not in b.cache:
            nh = b.nx // 2 + 1
            c = np.full(nh, 2.0)
            c[0] = c[-1] = 1.0
            v = b.kernels * _eval_matrix(b.nx, key)[:, 0] / c
            b.cache[ck] = dct(v, type=1, axis=-1) * c
        return b.cache[ck]

    def state(self, dose: np.ndarray, pos: np.ndarray = _POS, slope: bool = False) -> PitchState:
        """Latent image, energy and q at the positions ``pos`` for doses of shape [N, J]."""
        shape = self.half_pitch.shape
        flat = np.broadcast_to(dose, shape).reshape(-1)
        npos = len(pos)
        out = {k: np.empty((flat.size, npos)) for k in ("latent", "energy", "q", "free")}
        ders = {k: np.empty(flat.size) for k in ("dq_dx", "dl", "de")} if slope else {}
        key = tuple(np.asarray(pos, float).tolist())
        for b in self.blocks:
            r = b.resp
            d_e = flat[b.idx] * b.e_line
            lin_rate = r.g_acid / 100.0
            img, lin, _, _ = self._exact(b, key)
            energy_grid = d_e[:, None] * b.image
            remainder = r.acid(energy_grid) - lin_rate[:, None] * energy_grid
            width = r.quench_width[:, None, None]
            if npos == 1 and not slope:  # sizing: one point, a precomputed real-space kernel
                u_nl = np.einsum("cm,ckm->ck", remainder, self._point_kernel(b, key))[..., None]
            else:
                spec = dct(remainder, type=1, axis=-1)[:, None, :] * b.kernels
                u_nl = spec @ _eval_matrix(b.nx, key)
            u = (lin_rate * d_e)[:, None, None] * lin - r.base[:, None, None] + u_nl
            latent = np.einsum("ckp,ck->cp", bake.free_acid(u, 0.0, width), b.weights)
            energy = np.maximum(d_e[:, None] * img, 0.0)
            q = r.crosslink_density(latent, energy)
            out["latent"][b.idx], out["energy"][b.idx], out["q"][b.idx] = latent, energy, q
            out["free"][b.idx] = latent / np.maximum(r.t_eff, 1e-12)[:, None]
            if slope:
                img_e, lin_e, img_d, lin_d = self._exact(b, (0.25,))
                w_e, w_d = _eval_matrix(b.nx, (0.25,))[:, 0], _eval_matrix(b.nx, (0.25,), True)[:, 0]
                u_e = (lin_rate * d_e)[:, None] * lin_e[..., 0] - r.base[:, None] + spec @ w_e
                du = (lin_rate * d_e)[:, None] * lin_d + spec @ w_d / b.period[:, None]
                lat_e = np.einsum("ck,ck->c", bake.free_acid(u_e, 0.0, width[..., 0]), b.weights)
                dlat = np.einsum("ck,ck->c", expit(u_e / width[..., 0]) * du, b.weights)
                en_e, den = d_e * img_e[:, 0], d_e * img_d
                q_e = r.crosslink_density(lat_e, en_e)
                dl, de = _log_partials(r, lat_e, en_e, q_e)
                ders["dq_dx"][b.idx] = (dl * dlat / np.maximum(lat_e, 1e-300)
                                        + de * den / np.maximum(en_e, 1e-300))
                ders["dl"][b.idx], ders["de"][b.idx] = dl, de
        full = lambda a: a.reshape(*shape, npos)  # noqa: E731
        half = lambda a: a.reshape(shape) if slope else None  # noqa: E731
        return PitchState(full(out["latent"]), full(out["energy"]), full(out["q"]), full(out["free"]),
                          half(ders.get("dq_dx")), half(ders.get("dl")), half(ders.get("de")))

    def sizing_dose(self, q50: np.ndarray, d50: np.ndarray) -> np.ndarray:
        """Dose [N, J] that puts q = q50 at the nominal edge; NaN where none in range."""
        fun = lambda d: self.state(d, _EDGE).q[..., 0]  # noqa: E731
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
    limit_margins: np.ndarray | None = None
    """[N, J, 4] margins of the four limits (LIMITS order: blur, ler, microbridging, collapse)."""
    limit: list[str | None] | None = None
    """The limit that fails just below the resolution (at the largest pitch when unresolved)."""
    line_height_nm: np.ndarray | None = None
    critical_height_nm: np.ndarray | None = None
    modulus_gpa: np.ndarray | None = None
    ler_linear_nm: np.ndarray | None = None
    """Gallatin's linear LER before the geometric bound."""
    grid_points: np.ndarray | None = None


def _noise_variance(ls: LineSpace, st: PitchState, dose: np.ndarray, k: int, dl: np.ndarray,
                    de: np.ndarray) -> np.ndarray:
    """var(q) at evaluation point k of ``st`` (ler.crosslink_variance)."""
    resp, exp = ls.resp, ls.exp
    e = lambda v: v[:, None]  # noqa: E731
    energy = st.energy[..., k]
    volume = e(ler.blur_volume_nm3(resp.diffusion_length_nm()))
    s2 = e(resp.diffusion_length_nm() ** 2 + ler.S_MIN_NM**2)
    image = energy / (dose * e(exp.energy_per_dose))
    quanta = dose * e(exp.quanta_per_dose) * image * 4.0 * np.pi * (s2 + e(exp.alpha_nm) ** 2 / 2)
    radicals = e(resp.g_radical) * energy / 100.0 * (4.0 * np.pi * ler.S_MIN_NM**2) ** 1.5
    return ler.crosslink_variance(dl, de, st.free_blurred[..., k], e(resp.base), volume, radicals, quanta)


def _margins(ls: LineSpace, dose: np.ndarray, q50: np.ndarray) -> dict[str, np.ndarray]:
    """All criteria at the sizing dose and the margins of the four limits (>= 0: passes)."""
    resp = ls.resp
    safe = np.where(np.isfinite(dose), dose, 1.0)
    st = ls.state(safe, _POS, slope=True)
    up = ls.state(safe * 1.01, _EDGE).q[..., 0]
    dq_dx = np.where(st.dq_dx < 0, st.dq_dx, -1e-30)
    with np.errstate(over="ignore", divide="ignore"):
        dcd_dlnd = -2.0 * (up - st.q[..., 1]) / np.log(1.01) / dq_dx
        latitude = 2.0 * CD_TOL * ls.half_pitch / np.maximum(np.abs(dcd_dlnd), 1e-30)
    # LER at the edge (ler.py)
    var_edge = _noise_variance(ls, st, safe, 1, st.dq_dlnl, st.dq_dlne)
    ler_lin = ler.gallatin_ler_nm(np.sqrt(var_edge), st.dq_dx)
    ler_nm = ler.bounded_ler_nm(ler_lin, ls.half_pitch)
    # microbridging (microbridging.py): scum in the space, swollen skins closing it
    residue = resp.thickness(st.q[..., 2])
    swelling = _edge_swelling(ls, st)
    m_bridge = np.minimum(microbridging.residue_margin(residue),
                          microbridging.swelling_margin(swelling, ls.half_pitch))
    # blur (image): latitude and full lines
    line = resp.thickness(st.q[..., 0])
    with np.errstate(divide="ignore"):
        m_el = np.log(np.maximum(latitude, 1e-300) / EL_MIN)
    m_blur = np.minimum(m_el,
                        (line / np.maximum(line[:, -1:], 1e-12) - LINE_MIN) / (1.0 - LINE_MIN))
    m_ler = np.log(LER_MAX_FRACTION * ls.half_pitch / np.maximum(ler_nm, 1e-30))
    # collapse (collapse.py): line height against the critical height of the rinse/dry
    f = resp.film
    height = f.thickness_nm[:, None] * line
    modulus = collapse.line_modulus_gpa(st.q[..., 0], f.unit_mass[:, None], f.density[:, None], f.tg_K[:, None])
    h_crit = collapse.critical_height_nm(ls.half_pitch, ls.half_pitch, modulus)
    m_collapse = np.log(h_crit / np.maximum(height, 1e-12))
    limits = np.stack([m_blur, m_ler, m_bridge, m_collapse], axis=-1)
    bad = ~np.isfinite(dose)[..., None] | ~np.isfinite(limits)
    limits = np.where(bad, -1.0, limits)
    if bad.any():  # no sizing dose: the image cannot print the line (blur)
        limits[..., 0] = np.where(~np.isfinite(dose), -1.0, limits[..., 0])
    return dict(exposure_latitude=latitude, ler_nm=ler_nm, ler_linear_nm=ler_lin, residue=residue,
                swelling=swelling, margin=limits.min(axis=-1), limit_margins=limits,
                line_height_nm=height, critical_height_nm=h_crit, modulus_gpa=modulus)


def _edge_swelling(ls: LineSpace, st: PitchState) -> np.ndarray:
    """Lateral swelling of a line edge in the developer, nm.

    Between the gel point and the printed edge lies a skin of lightly crosslinked gel, of width
    (delta_edge - 1) / |d delta/dx|; it swells with the Flory-Rehner strain of the edge's
    network (development.linear_swelling, M_c = M_w / (delta - 1)), which grows with M_w.
    """
    resp = ls.resp
    delta = resp.gel_index(st.q[..., 1])
    slope = np.abs(resp.gel_index(st.dq_dx))
    skin = np.maximum(delta - 1.0, 0.0) / np.maximum(slope, 1e-30)
    strain = development.linear_swelling(np.maximum(delta, 1.0 + 1e-9), resp.film.mw[:, None])
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


def _limit_names(limits: np.ndarray, k: np.ndarray) -> list[str | None]:
    """The limit with the worst margin at the pitch just below the resolution (largest if none passes)."""
    n, j, _ = limits.shape
    at = np.clip(k - 1, 0, j - 1)
    worst = np.argmin(limits[np.arange(n), at], axis=-1)
    return [None if kk == 0 else LIMITS[w] for kk, w in zip(k, worst, strict=True)]


FAILED_STATUS = {"collapse": "collapsed", "microbridging": "microbridged", "blur": "unresolved", "ler": "unresolved"}
"""Status of a formulation whose largest pitch fails, by the failing limit."""


def analyse(ls: LineSpace, q50: np.ndarray, d50: np.ndarray) -> PatternResult:
    """Sizing dose and criteria on the pitch grid, then the resolution limit of each formulation."""
    dose = ls.sizing_dose(q50, d50)
    m = _margins(ls, dose, q50)
    k, t = _crossing(m["margin"])
    j = ls.half_pitch.shape[1]
    limit = _limit_names(m["limit_margins"], k)
    status = ["ok" if 0 < kk < j else "resolution_below_grid" if kk == 0 else FAILED_STATUS[lim]
              for kk, lim in zip(k, limit, strict=True)]
    return PatternResult(
        half_pitch=ls.half_pitch, dose=dose, margin=m["margin"],
        exposure_latitude=m["exposure_latitude"], ler_nm=m["ler_nm"], residue=m["residue"],
        swelling=m["swelling"],
        resolution_nm=_interp(ls.half_pitch, k, t),
        ler_at_resolution_nm=_ler_at_resolution(m["ler_nm"], k, t),
        dose_at_resolution=_interp(dose, k, t),
        latitude_at_resolution=_interp(m["exposure_latitude"], k, t),
        status=status, limit_margins=m["limit_margins"], limit=limit,
        line_height_nm=m["line_height_nm"], critical_height_nm=m["critical_height_nm"],
        modulus_gpa=m["modulus_gpa"], ler_linear_nm=m["ler_linear_nm"], grid_points=ls.nx,
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
