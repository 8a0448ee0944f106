"""Proximity point-spread function: fit to the Monte Carlo, shipped grid, fast look-up.

The standard proximity-effect form (Chang, J. Vac. Sci. Technol. 12, 1271 (1975)):

    f(r) = 1/(pi (1+eta)) [exp(-r^2/alpha^2)/alpha^2 + eta exp(-r^2/beta^2)/beta^2]

normalised to int f 2 pi r dr = 1; alpha is the forward-scattering width, beta the backscatter
range and eta the ratio of backscattered to forward deposited energy. Where it fits better, a
third, exponential term nu exp(-r/gamma)/(2 gamma^2) is added inside the bracket (mid-range
energy from fast secondaries and low-angle backscatter; cf. Aparshina et al., J. Vac. Sci.
Technol. B 15, 2298 (1997)) with the prefactor 1/(pi (1+eta+nu)).

The fit is to the enclosed-energy curve E(<r) of the depth-integrated deposit at log-spaced radii
(energy-weighted, so eta is the backscattered/forward energy ratio a proximity correction needs).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy.optimize import least_squares

from resistml.chem.substrate import (
    SubstrateError,
    clear_substrate_cache,
    grid_files,
    known_substrate,
)
from resistml.physics.montecarlo import DepositionResult

PSF_KEYS = ("alpha_nm", "beta_nm", "eta", "gamma_nm", "nu", "backscatter_coefficient")
THIRD_TERM_GAIN = 0.01
"""The exponential term is kept only when it raises R^2 (log10 space) by more than this."""


@dataclass(frozen=True)
class PSFFit:
    """Fitted PSF parameters; nu = 0 when the double Gaussian suffices."""

    alpha_nm: float
    beta_nm: float
    eta: float
    gamma_nm: float
    nu: float
    fit_r2: float
    fit_r2_log: float
    backscatter_coefficient: float
    beam_energy_keV: float
    thickness_nm: float

    def params(self) -> dict[str, float]:
        """The PSF parameters as a plain mapping (input of :func:`psf_radial`)."""
        return asdict(self)


def psf_radial(r_nm: np.ndarray, params: dict) -> np.ndarray:
    """Normalised PSF f(r) in nm^-2 (int f 2 pi r dr = 1); params broadcast against r_nm."""
    r = np.asarray(r_nm, dtype=float)
    a, b, eta = (np.asarray(params[k], dtype=float) for k in ("alpha_nm", "beta_nm", "eta"))
    nu = np.asarray(params.get("nu", 0.0), dtype=float)
    g = np.asarray(params.get("gamma_nm", 1.0), dtype=float)
    g = np.where(g > 0, g, 1.0)  # gamma is unused (0) when nu = 0
    bracket = np.exp(-((r / a) ** 2)) / a**2 + eta * np.exp(-((r / b) ** 2)) / b**2
    bracket = bracket + nu * np.exp(-r / g) / (2.0 * g**2)
    return bracket / (math.pi * (1.0 + eta + nu))


def psf_line_spread(x_nm: np.ndarray, params: dict) -> np.ndarray:
    """1-D line-spread function (projection of the PSF on x), nm^-1, integrating to 1.

    Each Gaussian term becomes exp(-x^2/a^2)/(sqrt(pi) a); the exponential term's projection
    (x/gamma) K1(x/gamma) / (pi gamma) (a Bessel K1), normalised to 1.
    """
    from scipy.special import k1

    x = np.abs(np.asarray(x_nm, dtype=float))
    a, b, eta = (np.asarray(params[k], dtype=float) for k in ("alpha_nm", "beta_nm", "eta"))
    nu = np.asarray(params.get("nu", 0.0), dtype=float)
    g = np.asarray(params.get("gamma_nm", 1.0), dtype=float)
    g = np.where(g > 0, g, 1.0)  # gamma is unused (0) when nu = 0
    sq = math.sqrt(math.pi)
    out = np.exp(-((x / a) ** 2)) / (sq * a) + eta * np.exp(-((x / b) ** 2)) / (sq * b)
    xg = np.maximum(x / g, 1e-12)
    out = out + nu * xg * k1(xg) / (math.pi * g)
    return out / (1.0 + eta + nu)


def _unpack(theta: np.ndarray) -> dict:
    p = {"alpha_nm": math.exp(theta[0]), "beta_nm": math.exp(theta[1]), "eta": math.exp(theta[2])}
    p.update(gamma_nm=math.exp(theta[3]), nu=math.exp(theta[4])) if theta.size == 5 else p.update(
        gamma_nm=0.0, nu=0.0
    )
    return p


def _cumulative(r: np.ndarray, p: dict) -> np.ndarray:
    """Fraction of the PSF's energy within radius r."""
    c = (1 - np.exp(-((r / p["alpha_nm"]) ** 2))) + p["eta"] * (1 - np.exp(-((r / p["beta_nm"]) ** 2)))
    if p["nu"] > 0:
        c = c + p["nu"] * (1 - np.exp(-r / p["gamma_nm"]) * (1 + r / p["gamma_nm"]))
    return c / (1 + p["eta"] + p["nu"])


def _r2(resid: np.ndarray, y: np.ndarray) -> float:
    return 1.0 - float(np.sum(resid**2)) / float(np.sum((y - y.mean()) ** 2))


def _fit(edges: np.ndarray, cum: np.ndarray, theta0, lower, upper) -> tuple[dict, float]:
    """Least squares on the enclosed-energy curve at the (log-spaced) bin edges."""
    sol = least_squares(
        lambda th: _cumulative(edges, _unpack(th)) - cum, theta0, bounds=(lower, upper), max_nfev=600
    )
    return _unpack(sol.x), _r2(sol.fun, cum)


def fit_psf(result: DepositionResult, third_term: bool | str = False) -> PSFFit:
    """Fit the PSF to a Monte Carlo's enclosed-energy curve (energy-weighted, as PEC needs).

    Fitting the enclosed energy E(<r) rather than the density puts each parameter where the
    energy is: eta is the backscattered/forward energy ratio, beta the backscatter spread.
    ``fit_r2`` is R^2 of that fit; ``fit_r2_log`` the R^2 of log10 density per radial bin.
    ``third_term``: False (double Gaussian), True (add the exponential term where it halves the
    misfit) or "always".
    """
    energy = result.radial_energy_keV
    total = energy.sum()
    if not total > 0:
        raise ValueError("fit_psf: no energy deposited in the resist")
    edges, cum = result.r_edges_nm[1:], np.cumsum(energy) / total
    r30 = float(edges[np.searchsorted(cum, 0.3)])
    r99 = float(edges[min(np.searchsorted(cum, 0.99), len(cum) - 1)])
    lo, hi = np.log([0.05, 5.0, 1e-3]), np.log([5e4, 5e5, 1e2])
    theta0 = np.clip(np.log([max(r30, 0.5), max(r99 / 2, 10.0), 0.6]), lo + 1e-6, hi - 1e-6)
    params, r2 = _fit(edges, cum, theta0, lo, hi)
    if third_term:
        g0 = math.sqrt(params["alpha_nm"] * params["beta_nm"])
        t3 = np.log([params["alpha_nm"], params["beta_nm"], params["eta"], g0, 0.1])
        lo3, hi3 = np.concatenate([lo, np.log([0.5, 1e-4])]), np.concatenate([hi, np.log([5e5, 1e2])])
        p3, r2_3 = _fit(edges, cum, np.clip(t3, lo3 + 1e-6, hi3 - 1e-6), lo3, hi3)
        if third_term == "always" or (1 - r2_3) < 0.5 * (1 - r2):  # else only if it halves the misfit
            params, r2 = p3, r2_3
    return PSFFit(
        **params,
        fit_r2=r2,
        fit_r2_log=_log_r2(result.r_edges_nm, energy / total, params),
        backscatter_coefficient=result.backscatter_coefficient,
        beam_energy_keV=result.beam_energy_keV,
        thickness_nm=result.thickness_nm,
    )


def _log_r2(edges: np.ndarray, fraction: np.ndarray, params: dict) -> float:
    """R^2 of log10 radial density (bins with deposits) against the fitted PSF's bin means."""
    ok = fraction > 0
    y = np.log10(fraction[ok] / (math.pi * np.diff(edges**2))[ok])
    model = np.diff(_cumulative(edges, params)) / (math.pi * np.diff(edges**2))
    return _r2(np.log10(np.maximum(model[ok], 1e-300)) - y, y)


# ---- shipped grid and look-up --------------------------------------------------------------
GRID_FILE = "default_grid.csv"
GRID_PARAMS = ("alpha_nm", "beta_nm", "eta", "backscatter_coefficient", "fit_r2")
TRIPLE_PARAMS = ("alpha_nm", "beta_nm", "eta", "gamma_nm", "nu", "backscatter_coefficient", "fit_r2")
TRIPLE_PREFIX = "t3_"
"""Grid columns of the three-term fit: t3_alpha_nm, ..., t3_fit_r2 (backscatter is shared)."""


def _columns(form: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(output keys, grid columns) of a PSF form."""
    if form == "double":
        return GRID_PARAMS, GRID_PARAMS
    if form == "triple":
        cols = tuple(k if k == "backscatter_coefficient" else TRIPLE_PREFIX + k for k in TRIPLE_PARAMS)
        return TRIPLE_PARAMS, cols
    raise ValueError(f"lookup_psf: form must be 'double' or 'triple', got {form!r}")
GRID_AXES = ("beam_energy_keV", "thickness_nm", "density_g_cm3")


@dataclass
class _Grid:
    """Log-parameters of one substrate on a rectangular (energy, thickness, density) grid."""

    substrate: str
    axes: tuple[np.ndarray, np.ndarray, np.ndarray]  # log E, log t, log rho
    values: dict[str, np.ndarray]  # log of each parameter, shape (nE, nT, nRho)
    _stacks: dict[str, np.ndarray] = field(default_factory=dict)

    def stacked(self, form: str) -> np.ndarray:
        """Log-parameters of a form stacked in key order, shape (params, nE, nT, nRho)."""
        if form not in self._stacks:
            cols = _columns(form)[1]
            missing = [c for c in cols if c not in self.values]
            if missing:
                raise ValueError(f"PSF grid for {self.substrate!r} has no {form} form (missing {missing})")
            self._stacks[form] = np.stack([self.values[c] for c in cols])
        return self._stacks[form]


def _grid_from_rows(substrate: str, rows) -> _Grid:
    axes = tuple(np.unique(rows[a].to_numpy(float)) for a in GRID_AXES)
    shape = tuple(len(a) for a in axes)
    if len(rows) != math.prod(shape):
        raise ValueError(f"PSF grid for {substrate!r} is not a full rectangular grid")
    rows = rows.sort_values(list(GRID_AXES))
    cols = [c for c in (*_columns("double")[1], *_columns("triple")[1]) if c in rows]
    values = {k: np.log(rows[k].to_numpy(float)).reshape(shape) for k in cols}
    return _Grid(substrate, tuple(np.log(a) for a in axes), values)


_GRIDS: dict[str, _Grid] = {}


def clear_grid_cache() -> None:
    """Forget the parsed grids and their substrate names (after writing a new grid file)."""
    _GRIDS.clear()
    clear_substrate_cache()


def load_grids(reload: bool = False) -> dict[str, _Grid]:
    """Parse the grid CSVs once (keyed by lower-case substrate name)."""
    import pandas as pd

    if _GRIDS and not reload:
        return _GRIDS
    _GRIDS.clear()
    clear_substrate_cache()
    for path in grid_files():
        table = pd.read_csv(path)
        for name, rows in table.groupby("substrate"):
            _GRIDS[str(name).lower()] = _grid_from_rows(str(name), rows)
    if not _GRIDS:
        raise FileNotFoundError("no PSF grid found; build one with `resistml psf-grid`")
    return _GRIDS


def _pick_grid(substrate: str) -> _Grid:
    """The substrate's own grid (:func:`resistml.chem.substrate.known_substrate`), never a neighbour's."""
    key = known_substrate(substrate).lower()
    grids = load_grids()
    if key not in grids:  # a grid written since the last parse
        grids = load_grids(reload=True)
    if key not in grids:
        raise SubstrateError(f"no Monte Carlo PSF grid for {substrate!r}")
    return grids[key]


def _interp_axis(axis: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower index and weight for linear interpolation, clamped to the grid."""
    if axis.size == 1:
        return np.zeros(x.shape, dtype=np.intp), np.zeros(x.shape)
    x = np.clip(x, axis[0], axis[-1])
    i = np.clip(np.searchsorted(axis, x, side="right") - 1, 0, axis.size - 2)
    return i, (x - axis[i]) / (axis[i + 1] - axis[i])


def lookup_psf(
    beam_energy_keV, thickness_nm, substrate: str = "Si", density_g_cm3=1.2, form: str = "double"
) -> dict[str, np.ndarray]:
    """PSF parameters interpolated log-log on the shipped grid (no Monte Carlo; vectorised).

    Inputs broadcast; values outside the grid are clamped to its edges. The substrate must have its
    own grid (:func:`resistml.chem.substrate.known_substrate`; else ``SubstrateError`` naming
    ``process.substrate``). Returns alpha_nm,
    beta_nm, eta, backscatter_coefficient and fit_r2 as arrays of the broadcast shape;
    ``form="triple"`` gives the three-term fit (adds gamma_nm and nu) for :func:`psf_radial`
    and :func:`psf_line_spread`.
    """
    keys = _columns(form)[0]
    if np.ndim(beam_energy_keV) == np.ndim(thickness_nm) == np.ndim(density_g_cm3) == 0:
        return _lookup_scalar(float(beam_energy_keV), float(thickness_nm), substrate, float(density_g_cm3), form)
    e, t, rho = np.broadcast_arrays(
        np.asarray(beam_energy_keV, float), np.asarray(thickness_nm, float), np.asarray(density_g_cm3, float)
    )
    for name, arr in (("beam_energy_keV", e), ("thickness_nm", t), ("density_g_cm3", rho)):
        if not np.all(np.isfinite(arr) & (arr > 0)):
            raise ValueError(f"lookup_psf: {name} must be finite and > 0")
    grid = _pick_grid(substrate)
    table = grid.stacked(form)  # (params, nE, nT, nRho)
    shape = table.shape[1:]
    strides = (shape[1] * shape[2], shape[2], 1)
    idx = [_interp_axis(ax, np.log(v).ravel()) for ax, v in zip(grid.axes, (e, t, rho), strict=True)]
    flat_table = table.reshape(table.shape[0], -1)
    acc = np.zeros((table.shape[0], e.size))
    for corner in range(8):
        flat = np.zeros(e.size, dtype=np.intp)
        weight = np.ones(e.size)
        for k, ((i, f), n, stride) in enumerate(zip(idx, shape, strides, strict=True)):
            bit = (corner >> k) & 1
            flat += np.minimum(i + bit, n - 1) * stride
            weight *= f if bit else 1.0 - f
        acc += weight * flat_table[:, flat]
    values = np.exp(acc).reshape((table.shape[0], *e.shape))
    return {key: values[j] for j, key in enumerate(keys)}


def _scalar_axis(axis: np.ndarray, x: float) -> tuple[int, float]:
    if axis.size == 1:
        return 0, 0.0
    x = min(max(x, float(axis[0])), float(axis[-1]))
    i = min(max(int(np.searchsorted(axis, x, side="right")) - 1, 0), axis.size - 2)
    return i, (x - float(axis[i])) / float(axis[i + 1] - axis[i])


def _lookup_scalar(e: float, t: float, substrate: str, rho: float, form: str) -> dict[str, np.ndarray]:
    """Scalar fast path of :func:`lookup_psf` (same interpolation, plain Python arithmetic)."""
    for name, v in (("beam_energy_keV", e), ("thickness_nm", t), ("density_g_cm3", rho)):
        if not (math.isfinite(v) and v > 0):
            raise ValueError(f"lookup_psf: {name} must be finite and > 0")
    grid = _pick_grid(substrate)
    (i, fi), (j, fj), (k, fk) = (_scalar_axis(a, math.log(v)) for a, v in zip(grid.axes, (e, t, rho), strict=True))
    table = grid.stacked(form)
    n_e, n_t, n_r = table.shape[1:]
    acc = np.zeros(table.shape[0])
    for di, wi in ((0, 1 - fi), (1, fi)):
        for dj, wj in ((0, 1 - fj), (1, fj)):
            for dk, wk in ((0, 1 - fk), (1, fk)):
                w = wi * wj * wk
                if w:
                    acc += w * table[:, min(i + di, n_e - 1), min(j + dj, n_t - 1), min(k + dk, n_r - 1)]
    values = np.exp(acc)
    return {key: np.asarray(values[n]) for n, key in enumerate(_columns(form)[0])}

