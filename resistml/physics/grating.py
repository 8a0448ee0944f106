"""Image of a dense 1:1 grating: Fourier coefficients, grid synthesis and exact point values.

The 1-D projection of the proximity PSF (psf.py; Chang 1975) is a sum of Gaussians, so the image
of a 1:1 grating (lines at x = 0 mod P, open-frame value 1) is a cosine series with Gaussian
transfers T_a(n) = exp(-(pi n a / P)^2). ``_coefficients`` / ``_synth`` / ``_at`` give it on a
grid (FFT-equivalent, with optional Lanczos sigma factors against Gibbs ringing);
``_gaussian_grating`` evaluates it without truncation at given points (cosine series where the
blur is not small against the period, else the real-space sum of erf steps). Used by
patterning.py; split from it to keep modules small.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.special import erf

from resistml.physics.exposure import Exposure

NX = 32
"""Default grid of the stand-alone image helpers (image_coefficients, _synth, _at); the simulator
chooses its grid per (formulation, pitch) with :func:`grid_points`."""
HI_TOL = 4.6
"""The untruncated series stops where pi n a / P > HI_TOL (Gaussian transfer < 1e-9)."""
FOURIER_RATIO = 12.0
"""Exact grating images use the cosine series where P / a < FOURIER_RATIO (<= 18 terms), the
real-space erf sum otherwise."""
N_HI_MAX = 16384


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

