"""Simulator v2 patterning stages: collapse, microbridging, bounded LER, converged grid, statuses."""

import dataclasses

import numpy as np
import pytest

from resistml.physics import collapse, ler
from resistml.physics import patterning as pt
from resistml.physics.exposure import ELECTRONS_PER_NM2, exposure
from resistml.physics.film import build_batch
from resistml.physics.response import ResistResponse
from resistml.physics.simulator import contrast_metrics, simulate_many
from tests.simhelpers import resist

# ---------------------------------------------------------------- collapse (collapse.py)


def test_beam_bending_deflection_is_the_uniform_load_cantilever():
    """delta = q L^4 / (8 E I), I = w^3/12 per unit length (Timoshenko), for q = 2 gamma / s."""
    p = collapse.capillary_pressure(100.0)  # water, theta = 0, 100 nm space
    assert p == pytest.approx(2 * 0.072 / 100e-9)  # 1.44 MPa
    h, w, e = 300e-9, 100e-9, 2e9
    expected = p * h**4 / (8 * e * w**3 / 12) * 1e9
    assert collapse.beam_deflection_nm(p, 300.0, 100.0, 2.0) == pytest.approx(expected, rel=1e-12)
    # Tanaka's stress 6 gamma cos(theta)/s (H/w)^2
    assert collapse.tanaka_max_stress_pa(100.0, 300.0, 100.0) == pytest.approx(6 * 0.072 / 100e-9 * 9)
    # deflection ~ AR^3 / E at fixed width and space (Cao et al. 2000)
    d1 = collapse.beam_deflection_nm(p, 200.0, 100.0, 2.0) / 200.0
    d2 = collapse.beam_deflection_nm(p, 400.0, 100.0, 4.0) / 400.0
    assert d2 / d1 == pytest.approx(8.0 / 2.0)


def test_critical_aspect_ratio_3_to_4_for_100_200nm_lines():
    """Cao, Nealey & Domke 2000: dense 100-200 nm lines collapse at aspect ratios 3-4 (E ~ 1-5 GPa, water)."""
    ar = collapse.critical_aspect_ratio(np.array([100.0, 150.0, 200.0]), collapse.GLASSY_MODULUS_GPA)
    assert np.all((ar >= 3.0) & (ar <= 4.0))
    for e in (1.0, 5.0):
        ar = collapse.critical_aspect_ratio(np.array([100.0, 200.0]), e)
        assert np.all((ar > 2.5) & (ar < 5.0))
    # narrower lines collapse at lower aspect ratios; lower surface tension helps
    assert collapse.critical_aspect_ratio(30.0) < collapse.critical_aspect_ratio(100.0)
    assert collapse.critical_height_nm(100.0, 100.0, 2.0, gamma_n_m=0.018) > collapse.critical_height_nm(100.0, 100.0, 2.0)


def test_critical_height_is_where_the_bending_instability_sets_in():
    """Two lines bending towards each other: delta = c 2 gamma/(s - 2 delta) has a root iff H <= H_c."""
    w = s = 100.0
    h_c = float(collapse.critical_height_nm(w, s, 2.0))
    for h, stable in ((0.99 * h_c, True), (1.01 * h_c, False)):
        c = 1.5 * (h * 1e-9) ** 4 / (2e9 * (w * 1e-9) ** 3)
        disc = (s * 1e-9) ** 2 - 16 * c * 0.072
        assert (disc >= 0) == stable


def test_line_modulus_glassy_or_rubbery():
    e_glass = collapse.line_modulus_gpa(0.1, 120.0, 1.2, 450.0)
    assert e_glass == pytest.approx(collapse.GLASSY_MODULUS_GPA, rel=1e-3)
    # far above Tg: affine rubber 3 rho R T / M_c, M_c = M_unit / q
    e_rub = collapse.line_modulus_gpa(0.01, 120.0, 1.2, 150.0)
    assert e_rub == pytest.approx(3 * 1.2e6 * 8.314462618 * 296.15 / 12000.0 / 1e9, rel=1e-3)
    # crosslinks raise Tg (Nielsen): a film near room temperature stiffens with q
    assert collapse.line_modulus_gpa(0.2, 120.0, 1.2, 290.0) > collapse.line_modulus_gpa(0.02, 120.0, 1.2, 290.0)


def test_thickness_coarsens_resolution_by_collapse():
    """A 300 nm film prints no finer than the collapse aspect ratio; thin films still print small lines."""
    df = simulate_many([resist(thickness_nm=t) for t in (30.0, 100.0, 300.0, 1000.0)])
    assert (df["status"] == "ok").all()
    res = df["resolution_nm"].to_numpy()
    assert np.all(np.diff(res) > 0)
    assert df["resolution_limit"][2] == "collapse" and df["resolution_limit"][3] == "collapse"
    ar = 300.0 / res[2]
    assert ar <= collapse.critical_aspect_ratio(res[2]) * 1.02 and 2.5 < ar < 4.0
    assert res[1] < 50.0 and res[0] < 25.0
    assert df["resolution_limit"][0] in ("blur", "ler", "microbridging")


# ---------------------------------------------------------------- LER (ler.py)


def test_ler_bounded_by_geometry_and_linear_when_small():
    p = np.array([20.0, 20.0, 100.0])
    lin = np.array([0.1, 1e6, 5.0])
    out = ler.bounded_ler_nm(lin, p)
    assert out[0] == pytest.approx(0.1, rel=1e-4)
    assert out[1] <= ler.LER_BOUND * 20.0 and out[1] == pytest.approx(10.0, rel=1e-6)
    assert out[2] < 5.0 and out[2] == pytest.approx(5.0, rel=0.03)


def test_electron_shot_noise_constant():
    """0.0624 electrons/nm^2 per uC/cm^2 (physics.yaml shot_noise)."""
    assert ELECTRONS_PER_NM2 == pytest.approx(0.0624, rel=1e-3)
    assert ler.ELECTRONS_PER_NM2_PER_UC_CM2 == pytest.approx(ELECTRONS_PER_NM2, rel=1e-3)


def test_electron_shot_noise_ler_scales_as_inverse_sqrt_dose():
    """Electron term only: var = (dq/dlnL)^2 / N_e, N_e ~ dose -> LER ~ dose^-1/2 at a fixed image slope."""
    kw = dict(dq_dlnl=1.0, dq_dlne=0.0, free_acid=1e6, base=0.0, volume_nm3=1e30, radicals=1e30)
    v1 = ler.crosslink_variance(quanta=100.0, **kw)
    v4 = ler.crosslink_variance(quanta=400.0, **kw)
    assert ler.gallatin_ler_nm(np.sqrt(v1), 0.1) / ler.gallatin_ler_nm(np.sqrt(v4), 0.1) == pytest.approx(2.0, rel=1e-6)


def _pattern_with_yield(form, factor):
    film = build_batch([form])
    exp = exposure(film)
    resp = ResistResponse.from_film(film)
    resp = dataclasses.replace(resp, g_acid=resp.g_acid * factor)
    con = contrast_metrics(resp, exp)
    return pt.analyse(pt.LineSpace(resp, exp), con.q50, con.sensitivity), con


def test_ler_rises_as_dose_falls_at_fixed_blur():
    """Sensitivity-resolution-LER trade-off: the same resist (same acid diffusion, same PSF) with a
    higher acid yield sizes at a lower dose, with fewer electrons, and gets rougher edges."""
    form = resist(thickness_nm=100.0)
    results = [_pattern_with_yield(form, f) for f in (1.0, 4.0, 16.0, 64.0)]
    j = int(np.argmin(np.abs(pt.HALF_PITCHES_NM - 95.0)))
    doses = [r[0].dose[0, j] for r in results]
    lers = [r[0].ler_nm[0, j] for r in results]
    assert np.all(np.diff(doses) < 0)
    assert np.all(np.diff(lers) > 0)
    assert lers[-1] > 1.5 * lers[0]


def test_very_sensitive_formulations_pay_in_ler_in_a_random_set():
    """Across random formulations, the most sensitive tenth has rougher lines than the least sensitive."""
    from benchmarks.bench_simulate import random_formulations

    df = simulate_many(random_formulations(400, 0.0, seed=5))
    ok = df[(df["status"] == "ok") & (df["resolution_nm"] > 0)]
    lo, hi = ok["dose_to_size"].quantile([0.1, 0.9])
    assert ok.loc[ok["dose_to_size"] <= lo, "ler_nm"].median() > ok.loc[ok["dose_to_size"] >= hi, "ler_nm"].median()


def test_ler_never_above_half_the_half_pitch():
    from benchmarks.bench_simulate import random_formulations

    forms = random_formulations(200, 0.2, seed=11)
    film = build_batch(forms)
    exp = exposure(film)
    resp = ResistResponse.from_film(film)
    con = contrast_metrics(resp, exp)
    pat = pt.analyse(pt.LineSpace(resp, exp), con.q50, con.sensitivity)
    finite = np.isfinite(pat.ler_nm)
    assert np.all(pat.ler_nm[finite] <= ler.LER_BOUND * pat.half_pitch[finite] + 1e-9)


# ---------------------------------------------------------------- grid (convergence rule)


def test_grid_rule_points_per_blur():
    nx = pt.grid_points(np.array([12.0, 120.0, 1200.0]), np.array([3.0, 3.0, 3.0]))
    assert list(nx) == [16, 128, 1024]
    nx2 = pt.grid_points(np.array([12.0, 120.0, 1200.0]), np.array([3.0, 3.0, 3.0]),
                         2 * pt.POINTS_PER_BLUR, 2 * pt.NX_MIN, 2 * pt.NX_MAX)
    assert list(nx2) == [32, 256, 2048]
    assert np.all(np.array([120.0, 1200.0]) / nx[1:] <= 3.0 / pt.POINTS_PER_BLUR)


def test_exact_grating_image_fourier_equals_real_space():
    """The two exact evaluations of a Gaussian-blurred 1:1 grating agree (values and edge slope)."""
    period = np.array([40.0, 400.0, 1200.0])
    width = np.array([[5.0], [5.0], [5.0]])
    pos = np.array([0.0, 0.1, 0.25, 0.4, 0.5])
    old = pt.FOURIER_RATIO
    try:
        pt.FOURIER_RATIO = 1e9
        v_f, d_f = pt._gaussian_grating(period, width, pos)
        pt.FOURIER_RATIO = 0.0
        v_r, d_r = pt._gaussian_grating(period, width, pos)
    finally:
        pt.FOURIER_RATIO = old
    assert np.allclose(v_f, v_r, atol=1e-9) and np.allclose(d_f, d_r, rtol=1e-7)
    # the symmetric shortcut at the line centre, edge and space centre agrees with both
    old3 = pt.FOURIER_RATIO
    try:
        pt.FOURIER_RATIO = 0.0
        v_s, d_s = pt._gaussian_grating(period, width, np.array([0.0, 0.25, 0.5]))
    finally:
        pt.FOURIER_RATIO = old3
    assert np.allclose(v_s, v_f[..., [0, 2, 4]], atol=1e-9) and np.allclose(d_s, d_f, rtol=1e-7)
    assert np.allclose(v_f[:, 0, 2], 0.5)  # the nominal edge gets half the open frame
    # a wide line's edge slope is that of an erf step, 1/(sqrt(pi) a)
    assert d_r[2, 0] == pytest.approx(-1.0 / (np.sqrt(np.pi) * 5.0), rel=1e-9)


@pytest.mark.slow
def test_patterning_converged_on_doubling_the_grid():
    """Doubling every grid (points per blur, bounds) changes resolution and LER by < 2 % in more than
    99 % of 2,000 random formulations, and the status of < 1 % of rows."""
    from benchmarks.bench_simulate import random_formulations

    forms = random_formulations(2000, 0.1, seed=1)
    base = simulate_many(forms)
    saved = pt.POINTS_PER_BLUR, pt.NX_MIN, pt.NX_MAX
    try:
        pt.POINTS_PER_BLUR, pt.NX_MIN, pt.NX_MAX = 2 * saved[0], 2 * saved[1], 2 * saved[2]
        fine = simulate_many(forms)
    finally:
        pt.POINTS_PER_BLUR, pt.NX_MIN, pt.NX_MAX = saved
    assert (base["status"] != fine["status"]).mean() < 0.01
    both = (base["status"] == "ok") & (fine["status"] == "ok")
    assert both.sum() > 1500
    for col in ("resolution_nm", "ler_nm"):
        change = (fine[col] / base[col] - 1).abs()[both]
        assert (change > 0.02).mean() < 0.01, col
        assert change.median() < 1e-3, col


# ---------------------------------------------------------------- statuses


MICROBRIDGED = dict(gen=("BBI-Tf", 9.47), resin=("PHS-2.5k", 100.0), xl=("TMMBG", 10.35), base=None,
                    beam_energy_keV=16.0, thickness_nm=698.0, peb_temp_C=102.0, peb_time_s=59.0)


BELOW_GRID = dict(gen=("TPS-Nf", 10.0), base=("TOA", 1.0), thickness_nm=5.0, beam_energy_keV=100.0,
                  spot_size_nm=0.1, peb_temp_C=80.0, peb_time_s=30.0)


def test_every_pattern_status_reachable_and_explained():
    df = simulate_many([resist(), resist(thickness_nm=5000.0), resist(**MICROBRIDGED), resist(**BELOW_GRID)])
    assert list(df["status"]) == ["ok", "collapsed", "microbridged", "resolution_below_grid"]
    # below the grid: a 5 nm film (critical height of 6 nm lines ~10 nm), 1.1 nm acid diffusion,
    # 0.1 nm spot at 100 keV: even 6 nm lines pass every criterion
    assert df["resolution_limit"][3] is None or df["resolution_limit"][3] != df["resolution_limit"][3]
    df = df.iloc[:3]
    # collapsed: even 600 nm lines of a 5 um film exceed the critical height (~3 um);
    # microbridged: a 16 keV beam in a 700 nm base-free film leaves gel in 600 nm spaces
    assert list(df["resolution_limit"]) == ["collapse", "collapse", "microbridging"]
    # failed patterns carry no pattern numbers but say which limit failed
    assert df.loc[1:2, ["resolution_nm", "ler_nm", "dose_to_size"]].isna().all().all()
    assert set(pt.FAILED_STATUS.values()) == {"collapsed", "microbridged", "unresolved"}


def test_unresolved_only_when_shot_noise_loses_every_pitch():
    """Gallatin's trade-off to its end: the same resist with 100x, 1000x, 10^4x the acid yield sizes
    at 1/100, 1/1000, 1/10^4 of the dose; the electron shot noise coarsens the resolution
    (LER-limited) until at ~1e-3 uC/cm^2 not even 600 nm lines meet LER <= 0.2 p: unresolved.
    The LER itself stays bounded (<= p/2)."""
    form = resist(thickness_nm=100.0)
    res = []
    for factor in (100.0, 1000.0, 1e4):
        pat, _ = _pattern_with_yield(form, factor)
        assert pat.limit[0] == "ler"
        assert np.all(pat.ler_nm[0] <= ler.LER_BOUND * pat.half_pitch[0] + 1e-9)
        res.append((pat.status[0], pat.resolution_nm[0]))
    assert res[0][0] == res[1][0] == "ok" and res[1][1] > 2 * res[0][1]
    assert res[2][0] == "unresolved" and np.isnan(res[2][1])


def test_resolution_limit_column_names_blur_ler_collapse():
    df = simulate_many([resist(thickness_nm=30.0, base=None), resist(thickness_nm=30.0), resist()])
    assert list(df["resolution_limit"]) == ["blur", "ler", "collapse"]
